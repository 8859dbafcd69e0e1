//! Local GCE metadata server: `…/service-accounts/{default|email}/token|identity|email`
//! under `/computeMetadata/v1/instance`, requiring `Metadata-Flavor: Google` (403 otherwise)
//! and answering with the same header.

use std::io;
use std::sync::Mutex;
use std::sync::atomic::{AtomicBool, AtomicU64, AtomicUsize, Ordering};

use bytes::Bytes;
use http::{Method, Response, StatusCode, header::HeaderValue};
use http_body_util::Full;
use serde_json::{Value, json};

use super::keys::{IdTokenSigner, unix_now};
use super::server::{
    LocalService, RecordedRequest, RunningServer, json_response, lock, text_response,
};

/// Prefix of the service-account endpoints.
pub const ACCOUNTS_PATH: &str = "/computeMetadata/v1/instance/service-accounts/";

/// Starts `server` on 127.0.0.1 (ephemeral port); use `base_url()` as the metadata root.
pub async fn start(server: MetadataServer) -> io::Result<RunningServer<MetadataServer>> {
    RunningServer::start(server).await
}

/// Configuration and state of the local metadata server.
pub struct MetadataServer {
    email: String,
    expires_in: AtomicU64,
    failure: Mutex<Option<u16>>,
    omit_flavor: AtomicBool,
    issued: AtomicUsize,
    signer: IdTokenSigner,
}

impl MetadataServer {
    /// A server whose default service account is `email`; tokens expire in 3599 s.
    pub fn new(email: &str) -> Self {
        MetadataServer {
            email: email.to_owned(),
            expires_in: AtomicU64::new(3599),
            failure: Mutex::new(None),
            omit_flavor: AtomicBool::new(false),
            issued: AtomicUsize::new(0),
            signer: IdTokenSigner::new(),
        }
    }

    /// Sets the `expires_in` of issued tokens (seconds).
    pub fn with_expires_in(self, secs: u64) -> Self {
        self.expires_in.store(secs, Ordering::SeqCst);
        self
    }

    /// Makes every following token/identity request fail with `status`.
    pub fn fail_with(&self, status: u16) {
        *lock(&self.failure) = Some(status);
    }

    /// Stops failing.
    pub fn recover(&self) {
        *lock(&self.failure) = None;
    }

    /// When true, responses lack `Metadata-Flavor: Google` (an impostor server).
    pub fn set_omit_flavor_header(&self, omit: bool) {
        self.omit_flavor.store(omit, Ordering::SeqCst);
    }

    /// Number of tokens issued (access and ID).
    pub fn issued_count(&self) -> usize {
        self.issued.load(Ordering::SeqCst)
    }

    /// The claims of an ID token this server issued, if genuine and unexpired.
    pub fn verify_id_token(&self, jwt: &str) -> Option<Value> {
        self.signer.verify(jwt)
    }

    fn answer(&self, request: &RecordedRequest) -> Response<Full<Bytes>> {
        if request.header("metadata-flavor") != Some("Google") {
            return text_response(
                StatusCode::FORBIDDEN,
                "Missing required header \"Metadata-Flavor\": \"Google\"",
            );
        }
        let Some(rest) = request.path.strip_prefix(ACCOUNTS_PATH) else {
            return text_response(StatusCode::NOT_FOUND, "not found");
        };
        let Some((account, item)) = rest.split_once('/') else {
            return text_response(StatusCode::NOT_FOUND, "not found");
        };
        if account != "default" && account != self.email {
            return text_response(StatusCode::NOT_FOUND, "unknown service account");
        }
        if request.method != Method::GET {
            return text_response(StatusCode::METHOD_NOT_ALLOWED, "only GET is supported");
        }
        if item == "email" {
            return text_response(StatusCode::OK, &self.email);
        }
        if let Some(status) = *lock(&self.failure) {
            let status = StatusCode::from_u16(status).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
            return text_response(status, "failure requested by the test");
        }
        let query = request.query_pairs();
        let param = |name: &str| {
            query
                .iter()
                .find(|(key, _)| key == name)
                .map(|(_, value)| value.as_str())
        };
        match item {
            "token" => self.access_token(),
            "identity" => match param("audience").filter(|a| !a.is_empty()) {
                Some(audience) => self.id_token(audience, param("format") == Some("full")),
                None => text_response(
                    StatusCode::BAD_REQUEST,
                    "non-empty audience parameter required",
                ),
            },
            _ => text_response(StatusCode::NOT_FOUND, "not found"),
        }
    }

    fn access_token(&self) -> Response<Full<Bytes>> {
        let n = self.issued.fetch_add(1, Ordering::SeqCst) + 1;
        json_response(
            StatusCode::OK,
            &json!({
                "access_token": format!("ya29.metadata-{n}"),
                "expires_in": self.expires_in.load(Ordering::SeqCst),
                "token_type": "Bearer",
            }),
        )
    }

    fn id_token(&self, audience: &str, full: bool) -> Response<Full<Bytes>> {
        let now = unix_now();
        let mut claims = json!({
            "iss": "https://accounts.google.com",
            "aud": audience,
            "azp": "100000000000000000002",
            "sub": "100000000000000000002",
            "iat": now,
            "exp": now + self.expires_in.load(Ordering::SeqCst),
        });
        if full && let Some(map) = claims.as_object_mut() {
            map.insert("email".into(), Value::String(self.email.clone()));
            map.insert("email_verified".into(), Value::Bool(true));
        }
        match self.signer.sign(&claims) {
            Some(jwt) => {
                self.issued.fetch_add(1, Ordering::SeqCst);
                text_response(StatusCode::OK, &jwt)
            }
            None => text_response(StatusCode::INTERNAL_SERVER_ERROR, "signing failed"),
        }
    }
}

impl LocalService for MetadataServer {
    fn handle(&self, request: &RecordedRequest, _base_url: &str) -> Response<Full<Bytes>> {
        let mut response = self.answer(request);
        if !self.omit_flavor.load(Ordering::SeqCst) {
            response
                .headers_mut()
                .insert("metadata-flavor", HeaderValue::from_static("Google"));
        }
        response
    }
}
