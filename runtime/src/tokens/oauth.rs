//! OAuth 2.0 token endpoint: JWT-bearer grant (service-account keys, RFC 7523) and
//! refresh-token grant (gcloud user credentials).

use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

use bytes::Bytes;
use http::{Method, Request, header};
use http_body_util::Full;
use jsonwebtoken::{Algorithm, Header};
use serde::{Deserialize, Serialize};

use super::credentials::{AuthorizedUser, ServiceAccount};
use super::error::{TokenError, endpoint_of};
use super::http::send;
use super::token::Token;

/// Grant type of the JWT-bearer exchange.
const JWT_BEARER_GRANT: &str = "urn:ietf:params:oauth:grant-type:jwt-bearer";

/// `iat` is back-dated by this much to tolerate clock skew with Google's servers.
const CLOCK_SKEW_SECS: u64 = 10;

/// Assertion lifetime (`exp - iat`); Google accepts at most one hour.
const ASSERTION_LIFETIME_SECS: u64 = 3600;

/// What the token endpoint is asked for.
pub(crate) enum Grant<'a> {
    /// An access token with these (non-empty) scopes.
    Access { scopes: &'a [String] },
    /// An ID token for this audience.
    Id { audience: &'a str },
}

#[derive(Serialize)]
struct Claims<'a> {
    iss: &'a str,
    aud: &'a str,
    iat: u64,
    exp: u64,
    #[serde(skip_serializing_if = "Option::is_none")]
    scope: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    target_audience: Option<&'a str>,
}

#[derive(Deserialize)]
struct TokenResponse {
    access_token: Option<String>,
    expires_in: Option<u64>,
    id_token: Option<String>,
}

/// Signs an RS256 assertion with the service-account key and exchanges it at the
/// token endpoint. Claims: `iss` = client_email, `aud` = token_uri, `iat` = now − 10 s,
/// `exp` = iat + 3600 s, and `scope` (space-joined) or `target_audience`.
pub(crate) async fn service_account_token(
    sa: &ServiceAccount,
    grant: Grant<'_>,
    timeout: Duration,
) -> Result<Token, TokenError> {
    let now = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_err(|_| TokenError::Credentials("system clock is before 1970".into()))?
        .as_secs();
    let iat = now.saturating_sub(CLOCK_SKEW_SECS);
    let (scope, target_audience, want_id) = match &grant {
        Grant::Access { scopes } => (Some(scopes.join(" ")), None, false),
        Grant::Id { audience } => (None, Some(*audience), true),
    };
    let claims = Claims {
        iss: &sa.client_email,
        aud: &sa.token_uri,
        iat,
        exp: iat + ASSERTION_LIFETIME_SECS,
        scope,
        target_audience,
    };
    let mut jwt_header = Header::new(Algorithm::RS256);
    jwt_header.kid = sa.private_key_id.clone();
    let assertion = jsonwebtoken::encode(&jwt_header, &claims, &sa.key).map_err(|_| {
        TokenError::Credentials(format!(
            "signing the JWT assertion for {} failed",
            sa.client_email
        ))
    })?;
    let form = [
        ("grant_type", JWT_BEARER_GRANT),
        ("assertion", assertion.as_str()),
    ];
    exchange(&sa.token_uri, &form, want_id, timeout).await
}

/// Refreshes gcloud user credentials (`grant_type=refresh_token`) into an access token.
pub(crate) async fn user_access_token(
    user: &AuthorizedUser,
    timeout: Duration,
) -> Result<Token, TokenError> {
    let form = [
        ("grant_type", "refresh_token"),
        ("client_id", user.client_id.as_str()),
        ("client_secret", user.client_secret.as_str()),
        ("refresh_token", user.refresh_token.as_str()),
    ];
    exchange(&user.token_uri, &form, false, timeout).await
}

/// POSTs `form` to `token_uri` and reads `{access_token, expires_in}` or `{id_token}`.
async fn exchange(
    token_uri: &str,
    form: &[(&str, &str)],
    want_id: bool,
    timeout: Duration,
) -> Result<Token, TokenError> {
    let body = form_urlencoded::Serializer::new(String::new())
        .extend_pairs(form)
        .finish();
    let request = Request::builder()
        .method(Method::POST)
        .uri(token_uri)
        .header(header::CONTENT_TYPE, "application/x-www-form-urlencoded")
        .header(header::ACCEPT, "application/json")
        .body(Full::new(Bytes::from(body)))
        .map_err(|_| TokenError::Credentials(format!("invalid token_uri `{token_uri}`")))?;
    let endpoint = endpoint_of(request.uri());
    let started = Instant::now();
    let response = send(request, timeout).await?;
    if !response.status().is_success() {
        return Err(TokenError::rejected(
            endpoint,
            response.status().as_u16(),
            response.body(),
        ));
    }
    let parsed: TokenResponse = serde_json::from_slice(response.body()).map_err(|_| {
        TokenError::invalid(&endpoint, "the body is not a token response JSON object")
    })?;
    if want_id {
        let jwt = parsed
            .id_token
            .ok_or_else(|| TokenError::invalid(&endpoint, "no id_token in the response"))?;
        return Token::from_jwt(jwt, &endpoint);
    }
    let secret = parsed
        .access_token
        .filter(|t| !t.is_empty())
        .ok_or_else(|| TokenError::invalid(&endpoint, "no access_token in the response"))?;
    let expires_in = parsed
        .expires_in
        .ok_or_else(|| TokenError::invalid(&endpoint, "no expires_in in the response"))?;
    Token::expiring(secret, started, expires_in, &endpoint)
}
