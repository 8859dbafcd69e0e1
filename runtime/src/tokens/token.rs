//! [`Token`]: a bearer secret plus its expiry; never printed.

use std::fmt;
use std::sync::Arc;
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

use http::HeaderValue;

use super::error::TokenError;

/// A Google access or ID token. `Debug` and `Display` print `Token(***)`.
#[derive(Clone)]
pub struct Token {
    secret: Arc<str>,
    /// `Bearer <secret>`, built once (`None`: the secret cannot be a header
    /// value).
    bearer: Option<HeaderValue>,
    expires_at: Option<Instant>,
}

impl Token {
    /// Wraps a secret that expires at `expires_at` (`None`: never, e.g. a static token).
    pub(crate) fn new(secret: String, expires_at: Option<Instant>) -> Self {
        let bearer = HeaderValue::try_from(format!("Bearer {secret}"))
            .ok()
            .map(|mut value| {
                value.set_sensitive(true);
                value
            });
        Token {
            secret: secret.into(),
            bearer,
            expires_at,
        }
    }

    /// Wraps a JWT (ID token) whose expiry is read, unverified, from its `exp` claim.
    pub(crate) fn from_jwt(jwt: String, endpoint: &str) -> Result<Self, TokenError> {
        #[derive(serde::Deserialize)]
        struct Exp {
            exp: u64,
        }
        let exp = jsonwebtoken::dangerous::insecure_decode_claims::<Exp>(jwt.trim())
            .map_err(|_| {
                TokenError::invalid(
                    endpoint,
                    "the ID token is not a JWT with a numeric exp claim",
                )
            })?
            .exp;
        let now = SystemTime::now()
            .duration_since(UNIX_EPOCH)
            .map_err(|_| TokenError::Credentials("system clock is before 1970".into()))?
            .as_secs();
        match exp.checked_sub(now) {
            Some(remaining) if remaining > 0 => {
                Token::expiring(jwt.trim().to_owned(), Instant::now(), remaining, endpoint)
            }
            _ => Err(TokenError::invalid(
                endpoint,
                "the ID token has already expired",
            )),
        }
    }

    /// Wraps a secret valid for `lifetime_secs` counted from `from`.
    pub(crate) fn expiring(
        secret: String,
        from: Instant,
        lifetime_secs: u64,
        endpoint: &str,
    ) -> Result<Self, TokenError> {
        let expires_at = from
            .checked_add(Duration::from_secs(lifetime_secs))
            .ok_or_else(|| TokenError::invalid(endpoint, "the token lifetime is out of range"))?;
        Ok(Token::new(secret, Some(expires_at)))
    }

    /// The secret value, to be sent as `Bearer <secret>`.
    pub fn secret(&self) -> &str {
        &self.secret
    }

    /// When the token stops being valid (`None`: it does not expire).
    pub fn expires_at(&self) -> Option<Instant> {
        self.expires_at
    }

    /// Remaining lifetime (`None`: it does not expire; zero once expired).
    pub fn expires_in(&self) -> Option<Duration> {
        self.expires_at
            .map(|at| at.saturating_duration_since(Instant::now()))
    }

    /// `Bearer <secret>` as a header value marked sensitive (hidden from HTTP/2 indexing
    /// and from `HeaderValue`'s Debug output).
    pub fn header_value(&self) -> Result<HeaderValue, TokenError> {
        self.bearer.clone().ok_or_else(|| {
            TokenError::Credentials("the token contains characters not allowed in a header".into())
        })
    }

    /// True if the token remains valid for more than `margin`.
    pub(crate) fn valid_for(&self, margin: Duration) -> bool {
        self.expires_in().is_none_or(|left| left > margin)
    }
}

impl fmt::Debug for Token {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("Token(***)")
    }
}

impl fmt::Display for Token {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("Token(***)")
    }
}
