//! Local OAuth 2.0 token endpoint (`POST /token`) in the manner of
//! `https://oauth2.googleapis.com/token`: verifies JWT-bearer assertions (RS256 against
//! the service account's public key) and refresh-token grants, issues `ya29.local-<n>`
//! access tokens and HS256-signed ID tokens.

use std::collections::HashSet;
use std::io;
use std::sync::Mutex;
use std::sync::atomic::{AtomicU64, AtomicUsize, Ordering};

use bytes::Bytes;
use http::{Method, Response, StatusCode};
use http_body_util::Full;
use jsonwebtoken::{Algorithm, DecodingKey, Validation};
use serde_json::{Value, json};

use super::keys::{IdTokenSigner, ServiceAccountKey, unix_now};
use super::server::{LocalService, RecordedRequest, RunningServer, json_response, lock};

/// Path of the token endpoint.
pub const TOKEN_PATH: &str = "/token";

/// Grant type of the JWT-bearer exchange.
pub const JWT_BEARER_GRANT: &str = "urn:ietf:params:oauth:grant-type:jwt-bearer";

/// Longest assertion lifetime (`exp - iat`) accepted, as Google enforces.
const MAX_ASSERTION_LIFETIME: u64 = 3600;

/// Tolerated clock skew for an assertion's `iat` in the future.
const MAX_IAT_SKEW: u64 = 60;

/// Starts `server` on 127.0.0.1 (ephemeral port); its token URI is `url(TOKEN_PATH)`.
pub async fn start(server: TokenServer) -> io::Result<RunningServer<TokenServer>> {
    RunningServer::start(server).await
}

/// An assertion the server accepted.
#[derive(Clone, Debug)]
pub struct Assertion {
    /// The `kid` header.
    pub kid: Option<String>,
    /// The verified claims.
    pub claims: Value,
}

/// Client id/secret and refresh token accepted by the refresh-token grant.
struct RefreshCredentials {
    client_id: String,
    client_secret: String,
    refresh_token: String,
}

/// Configuration and state of the local token endpoint.
pub struct TokenServer {
    client_email: String,
    public_key: DecodingKey,
    refresh: Option<RefreshCredentials>,
    expires_in: AtomicU64,
    failure: Mutex<Option<(u16, String)>>,
    issued: AtomicUsize,
    access_tokens: Mutex<Vec<String>>,
    assertions: Mutex<Vec<Assertion>>,
    signer: IdTokenSigner,
}

impl TokenServer {
    /// Accepts assertions issued by `client_email` and signed by the key whose
    /// SubjectPublicKeyInfo (or PKCS#1) PEM is `public_key_pem`. Tokens live 3600 s.
    pub fn new(client_email: &str, public_key_pem: &str) -> io::Result<Self> {
        let public_key = DecodingKey::from_rsa_pem(public_key_pem.as_bytes())
            .map_err(|e| io::Error::new(io::ErrorKind::InvalidInput, e))?;
        Ok(TokenServer {
            client_email: client_email.to_owned(),
            public_key,
            refresh: None,
            expires_in: AtomicU64::new(3600),
            failure: Mutex::new(None),
            issued: AtomicUsize::new(0),
            access_tokens: Mutex::new(Vec::new()),
            assertions: Mutex::new(Vec::new()),
            signer: IdTokenSigner::new(),
        })
    }

    /// A server for `key`'s account.
    pub fn for_key(key: &ServiceAccountKey) -> io::Result<Self> {
        Self::new(&key.client_email, &key.public_key_pem)
    }

    /// Sets the `expires_in` of issued tokens (seconds).
    pub fn with_expires_in(self, secs: u64) -> Self {
        self.set_expires_in(secs);
        self
    }

    /// Also accepts `grant_type=refresh_token` with exactly these user credentials.
    pub fn with_refresh_token(
        self,
        client_id: &str,
        client_secret: &str,
        refresh_token: &str,
    ) -> Self {
        TokenServer {
            refresh: Some(RefreshCredentials {
                client_id: client_id.to_owned(),
                client_secret: client_secret.to_owned(),
                refresh_token: refresh_token.to_owned(),
            }),
            ..self
        }
    }

    /// Changes the `expires_in` of tokens issued from now on.
    pub fn set_expires_in(&self, secs: u64) {
        self.expires_in.store(secs, Ordering::SeqCst);
    }

    /// Makes every following request fail with `status` and OAuth error code `error`.
    pub fn fail_with(&self, status: u16, error: &str) {
        *lock(&self.failure) = Some((status, error.to_owned()));
    }

    /// Stops failing.
    pub fn recover(&self) {
        *lock(&self.failure) = None;
    }

    /// Number of tokens issued (access and ID).
    pub fn issued_count(&self) -> usize {
        self.issued.load(Ordering::SeqCst)
    }

    /// Access tokens issued so far, in order.
    pub fn access_tokens(&self) -> Vec<String> {
        lock(&self.access_tokens).clone()
    }

    /// Assertions accepted so far, in order.
    pub fn assertions(&self) -> Vec<Assertion> {
        lock(&self.assertions).clone()
    }

    /// The claims of an ID token this server issued, if genuine and unexpired.
    pub fn verify_id_token(&self, jwt: &str) -> Option<Value> {
        self.signer.verify(jwt)
    }

    fn answer(&self, request: &RecordedRequest, base_url: &str) -> Result<Value, OAuthError> {
        if request.path != TOKEN_PATH {
            return Err(OAuthError::new(404, "not_found", "unknown path"));
        }
        if request.method != Method::POST {
            return Err(OAuthError::new(
                405,
                "invalid_request",
                "the token endpoint requires POST",
            ));
        }
        if let Some((status, error)) = lock(&self.failure).clone() {
            return Err(OAuthError::new(
                status,
                &error,
                "failure requested by the test",
            ));
        }
        let is_form = request
            .header("content-type")
            .is_some_and(|ct| ct.starts_with("application/x-www-form-urlencoded"));
        if !is_form {
            return Err(OAuthError::invalid_request(
                "Content-Type must be application/x-www-form-urlencoded",
            ));
        }
        let form = request.form_pairs();
        let field = |name: &str| form_field(&form, name);
        match field("grant_type") {
            Some(JWT_BEARER_GRANT) => {
                let assertion = field("assertion")
                    .ok_or_else(|| OAuthError::invalid_request("missing assertion"))?;
                self.jwt_bearer(assertion, &format!("{base_url}{TOKEN_PATH}"))
            }
            Some("refresh_token") => self.refresh_grant(&form),
            Some(other) => Err(OAuthError::new(
                400,
                "unsupported_grant_type",
                &format!("Invalid grant_type: {other}"),
            )),
            None => Err(OAuthError::invalid_request("missing grant_type")),
        }
    }

    fn jwt_bearer(&self, assertion: &str, token_uri: &str) -> Result<Value, OAuthError> {
        let header = jsonwebtoken::decode_header(assertion)
            .map_err(|_| OAuthError::invalid_grant("Invalid JWT: malformed header"))?;
        if header.alg != Algorithm::RS256 {
            return Err(OAuthError::invalid_grant("Invalid JWT: alg must be RS256"));
        }
        let mut validation = Validation::new(Algorithm::RS256);
        validation.leeway = 0;
        validation.set_audience(&[token_uri]);
        validation.set_issuer(&[self.client_email.as_str()]);
        validation.required_spec_claims =
            HashSet::from(["exp", "iat", "aud", "iss"].map(str::to_owned));
        let claims = jsonwebtoken::decode::<Value>(assertion, &self.public_key, &validation)
            .map_err(|e| OAuthError::invalid_grant(&format!("Invalid JWT: {e}")))?
            .claims;
        let number = |name: &str| claims.get(name).and_then(Value::as_u64).unwrap_or(0);
        let (iat, exp) = (number("iat"), number("exp"));
        if exp.saturating_sub(iat) > MAX_ASSERTION_LIFETIME || iat > unix_now() + MAX_IAT_SKEW {
            return Err(OAuthError::invalid_grant(
                "Invalid JWT: Token must be a short-lived token (60 minutes) and in a reasonable timeframe",
            ));
        }
        let text = |name: &str| {
            claims
                .get(name)
                .and_then(Value::as_str)
                .filter(|s| !s.trim().is_empty())
        };
        let response = match (text("scope"), text("target_audience")) {
            (Some(_), None) => self.issue_access_token(),
            (None, Some(audience)) => self.issue_id_token(audience)?,
            (Some(_), Some(_)) => {
                return Err(OAuthError::invalid_request(
                    "scope and target_audience are exclusive",
                ));
            }
            (None, None) => {
                return Err(OAuthError::new(
                    400,
                    "invalid_scope",
                    "Invalid OAuth scope or ID token audience provided.",
                ));
            }
        };
        lock(&self.assertions).push(Assertion {
            kid: header.kid,
            claims,
        });
        Ok(response)
    }

    fn refresh_grant(&self, form: &[(String, String)]) -> Result<Value, OAuthError> {
        let field = |name: &str| form_field(form, name);
        let Some(expected) = &self.refresh else {
            return Err(OAuthError::new(
                401,
                "invalid_client",
                "The OAuth client was not found.",
            ));
        };
        if field("client_id") != Some(&expected.client_id)
            || field("client_secret") != Some(&expected.client_secret)
        {
            return Err(OAuthError::new(401, "invalid_client", "Unauthorized"));
        }
        if field("refresh_token") != Some(&expected.refresh_token) {
            return Err(OAuthError::invalid_grant("Bad Request"));
        }
        Ok(self.issue_access_token())
    }

    fn issue_access_token(&self) -> Value {
        let n = self.issued.fetch_add(1, Ordering::SeqCst) + 1;
        let token = format!("ya29.local-{n}");
        lock(&self.access_tokens).push(token.clone());
        json!({
            "access_token": token,
            "expires_in": self.expires_in.load(Ordering::SeqCst),
            "token_type": "Bearer",
        })
    }

    fn issue_id_token(&self, audience: &str) -> Result<Value, OAuthError> {
        let now = unix_now();
        let claims = json!({
            "iss": "https://accounts.google.com",
            "aud": audience,
            "azp": self.client_email,
            "sub": self.client_email,
            "email": self.client_email,
            "email_verified": true,
            "iat": now,
            "exp": now + self.expires_in.load(Ordering::SeqCst),
        });
        let jwt = self
            .signer
            .sign(&claims)
            .ok_or_else(|| OAuthError::new(500, "internal_failure", "signing failed"))?;
        self.issued.fetch_add(1, Ordering::SeqCst);
        Ok(json!({ "id_token": jwt }))
    }
}

impl LocalService for TokenServer {
    fn handle(&self, request: &RecordedRequest, base_url: &str) -> Response<Full<Bytes>> {
        match self.answer(request, base_url) {
            Ok(body) => json_response(StatusCode::OK, &body),
            Err(error) => error.to_response(),
        }
    }
}

/// The first value of form field `name`.
fn form_field<'a>(form: &'a [(String, String)], name: &str) -> Option<&'a str> {
    form.iter()
        .find(|(key, _)| key == name)
        .map(|(_, value)| value.as_str())
}

/// An OAuth error answer: `{"error": code, "error_description": …}`.
struct OAuthError {
    status: u16,
    error: String,
    description: String,
}

impl OAuthError {
    fn new(status: u16, error: &str, description: &str) -> Self {
        OAuthError {
            status,
            error: error.to_owned(),
            description: description.to_owned(),
        }
    }

    fn invalid_request(description: &str) -> Self {
        Self::new(400, "invalid_request", description)
    }

    fn invalid_grant(description: &str) -> Self {
        Self::new(400, "invalid_grant", description)
    }

    fn to_response(&self) -> Response<Full<Bytes>> {
        let status = StatusCode::from_u16(self.status).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
        json_response(
            status,
            &json!({"error": self.error, "error_description": self.description}),
        )
    }
}
