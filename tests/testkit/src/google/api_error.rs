//! Google API errors: `google.rpc.Status` codes and the JSON error envelope
//! `{"error":{"code":…,"message":…,"status":…}}`.

use std::fmt;

use bytes::Bytes;
use http::{Response, StatusCode};
use http_body_util::Full;
use serde_json::json;

use super::server::json_response;

/// The canonical error codes used by the local servers.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum GoogleStatus {
    /// 400 — malformed request.
    InvalidArgument,
    /// 400 — the request is valid but the resource is not in the right state.
    FailedPrecondition,
    /// 401 — missing or invalid credentials.
    Unauthenticated,
    /// 403 — the caller lacks permission.
    PermissionDenied,
    /// 404 — resource not found.
    NotFound,
    /// 500 — server error.
    Internal,
}

impl GoogleStatus {
    /// HTTP status code of this status.
    pub fn http_status(self) -> u16 {
        match self {
            GoogleStatus::InvalidArgument | GoogleStatus::FailedPrecondition => 400,
            GoogleStatus::Unauthenticated => 401,
            GoogleStatus::PermissionDenied => 403,
            GoogleStatus::NotFound => 404,
            GoogleStatus::Internal => 500,
        }
    }

    /// Name used in the envelope's `status` field, e.g. `NOT_FOUND`.
    pub fn name(self) -> &'static str {
        match self {
            GoogleStatus::InvalidArgument => "INVALID_ARGUMENT",
            GoogleStatus::FailedPrecondition => "FAILED_PRECONDITION",
            GoogleStatus::Unauthenticated => "UNAUTHENTICATED",
            GoogleStatus::PermissionDenied => "PERMISSION_DENIED",
            GoogleStatus::NotFound => "NOT_FOUND",
            GoogleStatus::Internal => "INTERNAL",
        }
    }
}

/// An error answered by a local Google API server.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ApiError {
    /// Canonical status.
    pub status: GoogleStatus,
    /// Human-readable message.
    pub message: String,
}

impl ApiError {
    /// An error with `status` and `message`.
    pub fn new(status: GoogleStatus, message: impl Into<String>) -> Self {
        ApiError {
            status,
            message: message.into(),
        }
    }

    /// 400 INVALID_ARGUMENT.
    pub fn invalid_argument(message: impl Into<String>) -> Self {
        Self::new(GoogleStatus::InvalidArgument, message)
    }

    /// 403 PERMISSION_DENIED.
    pub fn permission_denied(message: impl Into<String>) -> Self {
        Self::new(GoogleStatus::PermissionDenied, message)
    }

    /// 404 NOT_FOUND.
    pub fn not_found(message: impl Into<String>) -> Self {
        Self::new(GoogleStatus::NotFound, message)
    }

    /// The error envelope as JSON.
    pub fn to_json(&self) -> serde_json::Value {
        json!({"error": {
            "code": self.status.http_status(),
            "message": self.message,
            "status": self.status.name(),
        }})
    }

    /// The HTTP response carrying the envelope.
    pub fn to_response(&self) -> Response<Full<Bytes>> {
        let status = StatusCode::from_u16(self.status.http_status())
            .unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
        json_response(status, &self.to_json())
    }
}

impl fmt::Display for ApiError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "{} {}: {}",
            self.status.http_status(),
            self.status.name(),
            self.message
        )
    }
}

impl std::error::Error for ApiError {}

/// Checks `Authorization: Bearer <token>` with `is_valid`; 401 UNAUTHENTICATED otherwise.
pub(crate) fn check_bearer(
    authorization: Option<&str>,
    is_valid: impl Fn(&str) -> bool,
) -> Result<(), ApiError> {
    let token = authorization.and_then(|value| {
        let (scheme, token) = value.split_once(' ')?;
        scheme.eq_ignore_ascii_case("bearer").then(|| token.trim())
    });
    match token {
        Some(token) if !token.is_empty() && is_valid(token) => Ok(()),
        _ => Err(ApiError::new(
            GoogleStatus::Unauthenticated,
            "Request had invalid authentication credentials. Expected OAuth 2 access token, \
             login cookie or other valid authentication credential.",
        )),
    }
}
