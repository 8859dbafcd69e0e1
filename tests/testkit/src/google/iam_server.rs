//! Local IAM Credentials API: `POST /v1/projects/-/serviceAccounts/{email}:generateAccessToken`
//! and `:generateIdToken`, authenticated with bearer tokens the test allows, for service
//! accounts the test allows to be impersonated.

use std::collections::HashSet;
use std::io;
use std::sync::Mutex;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::Duration;

use bytes::Bytes;
use http::{Method, Response, StatusCode};
use http_body_util::Full;
use serde_json::{Map, Value, json};
use time::OffsetDateTime;
use time::format_description::well_known::Rfc3339;

use super::api_error::{ApiError, GoogleStatus, check_bearer};
use super::keys::{IdTokenSigner, unix_now};
use super::server::{LocalService, RecordedRequest, RunningServer, json_response, lock};

/// Path prefix of the service-account methods.
const ACCOUNTS_PATH: &str = "/v1/projects/-/serviceAccounts/";

/// Lifetime applied when the request has none, and the maximum accepted.
const MAX_LIFETIME_SECS: u64 = 3600;

/// Starts `server` on 127.0.0.1 (ephemeral port); use `base_url()` as the API root.
pub async fn start(server: IamServer) -> io::Result<RunningServer<IamServer>> {
    RunningServer::start(server).await
}

/// Configuration and state of the local IAM Credentials API.
pub struct IamServer {
    valid_tokens: Mutex<HashSet<String>>,
    accounts: Mutex<HashSet<String>>,
    issued: AtomicUsize,
    signer: IdTokenSigner,
}

impl Default for IamServer {
    fn default() -> Self {
        Self::new()
    }
}

impl IamServer {
    /// A server that accepts no caller and no account until told otherwise.
    pub fn new() -> Self {
        IamServer {
            valid_tokens: Mutex::new(HashSet::new()),
            accounts: Mutex::new(HashSet::new()),
            issued: AtomicUsize::new(0),
            signer: IdTokenSigner::new(),
        }
    }

    /// Accepts `Authorization: Bearer <token>`.
    pub fn allow_token(&self, token: &str) {
        lock(&self.valid_tokens).insert(token.to_owned());
    }

    /// Lets callers impersonate `email` (others get 403 PERMISSION_DENIED).
    pub fn allow_service_account(&self, email: &str) {
        lock(&self.accounts).insert(email.to_owned());
    }

    /// Number of tokens issued (access and ID).
    pub fn issued_count(&self) -> usize {
        self.issued.load(Ordering::SeqCst)
    }

    /// The claims of an ID token this server issued, if genuine and unexpired.
    pub fn verify_id_token(&self, jwt: &str) -> Option<Value> {
        self.signer.verify(jwt)
    }

    fn answer(&self, request: &RecordedRequest) -> Result<Value, ApiError> {
        let target = request
            .path
            .strip_prefix(ACCOUNTS_PATH)
            .and_then(|rest| rest.split_once(':'))
            .filter(|(email, _)| !email.is_empty() && !email.contains('/'));
        let Some((email, method)) = target.filter(|_| request.method == Method::POST) else {
            return Err(ApiError::not_found(
                "The requested URL was not found on this server.",
            ));
        };
        check_bearer(request.header("authorization"), |t| {
            lock(&self.valid_tokens).contains(t)
        })?;
        if !lock(&self.accounts).contains(email) {
            return Err(ApiError::permission_denied(format!(
                "Permission 'iam.serviceAccounts.getAccessToken' denied on resource (or it may not exist): {email}"
            )));
        }
        let body = request
            .json()
            .and_then(|v| v.as_object().cloned())
            .ok_or_else(|| ApiError::invalid_argument("Invalid JSON payload received."))?;
        match method {
            "generateAccessToken" => self.access_token(&body),
            "generateIdToken" => self.id_token(email, &body),
            _ => Err(ApiError::not_found(
                "The requested URL was not found on this server.",
            )),
        }
    }

    fn access_token(&self, body: &Map<String, Value>) -> Result<Value, ApiError> {
        only_fields(body, &["scope", "lifetime", "delegates"])?;
        check_delegates(body)?;
        let scopes_valid = body
            .get("scope")
            .and_then(Value::as_array)
            .is_some_and(|s| {
                !s.is_empty() && s.iter().all(|v| v.as_str().is_some_and(|s| !s.is_empty()))
            });
        if !scopes_valid {
            return Err(ApiError::invalid_argument(
                "scope must be a non-empty list of scopes",
            ));
        }
        let lifetime = match body.get("lifetime") {
            None => MAX_LIFETIME_SECS,
            Some(value) => value
                .as_str()
                .and_then(|s| s.strip_suffix('s'))
                .and_then(|s| s.parse::<u64>().ok())
                .filter(|secs| (1..=MAX_LIFETIME_SECS).contains(secs))
                .ok_or_else(|| {
                    ApiError::invalid_argument(
                        "lifetime must be a duration like \"3600s\" of at most 1 h",
                    )
                })?,
        };
        let expire_time = (OffsetDateTime::now_utc() + Duration::from_secs(lifetime))
            .format(&Rfc3339)
            .map_err(|_| ApiError::new(GoogleStatus::Internal, "cannot format expireTime"))?;
        let n = self.issued.fetch_add(1, Ordering::SeqCst) + 1;
        Ok(json!({ "accessToken": format!("ya29.impersonated-{n}"), "expireTime": expire_time }))
    }

    fn id_token(&self, email: &str, body: &Map<String, Value>) -> Result<Value, ApiError> {
        only_fields(body, &["audience", "includeEmail", "delegates"])?;
        check_delegates(body)?;
        let audience = body
            .get("audience")
            .and_then(Value::as_str)
            .filter(|a| !a.is_empty())
            .ok_or_else(|| ApiError::invalid_argument("audience is required"))?;
        let include_email = match body.get("includeEmail") {
            None => false,
            Some(value) => value
                .as_bool()
                .ok_or_else(|| ApiError::invalid_argument("includeEmail must be a boolean"))?,
        };
        let now = unix_now();
        let mut claims = json!({
            "iss": "https://accounts.google.com",
            "aud": audience,
            "sub": "100000000000000000003",
            "iat": now,
            "exp": now + MAX_LIFETIME_SECS,
        });
        if include_email && let Some(map) = claims.as_object_mut() {
            map.insert("email".into(), Value::String(email.to_owned()));
            map.insert("email_verified".into(), Value::Bool(true));
        }
        let token = self
            .signer
            .sign(&claims)
            .ok_or_else(|| ApiError::new(GoogleStatus::Internal, "signing failed"))?;
        self.issued.fetch_add(1, Ordering::SeqCst);
        Ok(json!({ "token": token }))
    }
}

impl LocalService for IamServer {
    fn handle(&self, request: &RecordedRequest, _base_url: &str) -> Response<Full<Bytes>> {
        match self.answer(request) {
            Ok(body) => json_response(StatusCode::OK, &body),
            Err(error) => error.to_response(),
        }
    }
}

fn only_fields(body: &Map<String, Value>, allowed: &[&str]) -> Result<(), ApiError> {
    match body.keys().find(|k| !allowed.contains(&k.as_str())) {
        Some(unknown) => Err(ApiError::invalid_argument(format!(
            "Invalid JSON payload received. Unknown name \"{unknown}\": Cannot find field."
        ))),
        None => Ok(()),
    }
}

fn check_delegates(body: &Map<String, Value>) -> Result<(), ApiError> {
    let valid = match body.get("delegates") {
        None => true,
        Some(Value::Array(items)) => items.iter().all(|d| {
            d.as_str()
                .is_some_and(|d| d.starts_with("projects/-/serviceAccounts/"))
        }),
        Some(_) => false,
    };
    if valid {
        Ok(())
    } else {
        Err(ApiError::invalid_argument(
            "delegates must be a list of projects/-/serviceAccounts/{email}",
        ))
    }
}
