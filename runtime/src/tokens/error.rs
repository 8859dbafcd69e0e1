//! [`TokenError`]: why a Google token could not be obtained, phrased without secrets.

use std::fmt;
use std::time::Duration;

/// Apigee fault code raised when a Google token cannot be generated (HTTP 500).
pub const FAULT_CODE: &str = "messaging.adaptors.http.filter.GoogleTokenGenerationFailure";

/// HTTP status of the [`FAULT_CODE`] fault.
pub const FAULT_STATUS: u16 = 500;

/// Longest excerpt of a peer's error text kept in a [`TokenError`].
const MAX_REASON_CHARS: usize = 200;

/// Why a token could not be obtained. Messages never contain token or key material;
/// every variant maps to [`FAULT_CODE`].
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum TokenError {
    /// The credentials (configuration, key file, environment) are unusable.
    Credentials(String),
    /// The configured credentials cannot mint the requested kind of token.
    Unsupported(String),
    /// The request could not be sent or its response could not be read.
    Transport {
        /// `scheme://host/path` of the endpoint (no query string).
        endpoint: String,
        /// Transport-level cause.
        message: String,
    },
    /// The endpoint did not answer within the configured timeout.
    Timeout {
        /// `scheme://host/path` of the endpoint.
        endpoint: String,
        /// The timeout that elapsed.
        after: Duration,
    },
    /// The endpoint answered with a non-success HTTP status.
    Rejected {
        /// `scheme://host/path` of the endpoint.
        endpoint: String,
        /// HTTP status code received.
        status: u16,
        /// Error code / message extracted from the body (truncated).
        reason: String,
    },
    /// The endpoint answered 2xx but the response is not what the protocol prescribes.
    InvalidResponse {
        /// `scheme://host/path` of the endpoint.
        endpoint: String,
        /// What was wrong with it.
        message: String,
    },
}

impl TokenError {
    /// The Apigee fault code this error raises ([`FAULT_CODE`]).
    pub fn fault_code(&self) -> &'static str {
        FAULT_CODE
    }

    /// Builds [`TokenError::Rejected`] from an error response body, keeping only the
    /// error code/message fields of the usual Google/OAuth error shapes.
    pub(crate) fn rejected(endpoint: String, status: u16, body: &[u8]) -> Self {
        TokenError::Rejected {
            endpoint,
            status,
            reason: error_reason(body),
        }
    }

    /// Builds [`TokenError::InvalidResponse`].
    pub(crate) fn invalid(endpoint: &str, message: impl Into<String>) -> Self {
        TokenError::InvalidResponse {
            endpoint: endpoint.to_owned(),
            message: message.into(),
        }
    }
}

impl fmt::Display for TokenError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("Google token generation failed: ")?;
        match self {
            TokenError::Credentials(m) => write!(f, "unusable credentials: {m}"),
            TokenError::Unsupported(m) => write!(f, "unsupported request: {m}"),
            TokenError::Transport { endpoint, message } => {
                write!(f, "request to {endpoint} failed: {message}")
            }
            TokenError::Timeout { endpoint, after } => {
                write!(
                    f,
                    "no response from {endpoint} within {} ms",
                    after.as_millis()
                )
            }
            TokenError::Rejected {
                endpoint,
                status,
                reason,
            } => {
                write!(f, "{endpoint} answered HTTP {status}")?;
                if reason.is_empty() {
                    Ok(())
                } else {
                    write!(f, " ({reason})")
                }
            }
            TokenError::InvalidResponse { endpoint, message } => {
                write!(f, "unexpected response from {endpoint}: {message}")
            }
        }
    }
}

impl std::error::Error for TokenError {}

/// Extracts `error[: error_description]` (OAuth) or `status: message` (google.rpc.Status)
/// from a JSON error body, else a sanitised excerpt of a text body.
fn error_reason(body: &[u8]) -> String {
    let text = match serde_json::from_slice::<serde_json::Value>(body) {
        Ok(json) => json_reason(&json).unwrap_or_default(),
        Err(_) => String::from_utf8_lossy(body).into_owned(),
    };
    let cleaned: String = text
        .chars()
        .map(|c| if c.is_control() { ' ' } else { c })
        .take(MAX_REASON_CHARS)
        .collect();
    cleaned.trim().to_owned()
}

fn json_reason(json: &serde_json::Value) -> Option<String> {
    let error = json.get("error")?;
    if let Some(code) = error.as_str() {
        return Some(
            match json.get("error_description").and_then(|d| d.as_str()) {
                Some(description) => format!("{code}: {description}"),
                None => code.to_owned(),
            },
        );
    }
    let message = error.get("message").and_then(|m| m.as_str()).unwrap_or("");
    Some(match error.get("status").and_then(|s| s.as_str()) {
        Some(status) => format!("{status}: {message}"),
        None => message.to_owned(),
    })
}

/// `scheme://authority/path` of a URI, used to name endpoints in errors and logs.
pub(crate) fn endpoint_of(uri: &http::Uri) -> String {
    format!(
        "{}://{}{}",
        uri.scheme_str().unwrap_or("http"),
        uri.authority().map(|a| a.as_str()).unwrap_or(""),
        uri.path()
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reasons_are_extracted_from_known_shapes() {
        let oauth = br#"{"error":"invalid_grant","error_description":"Invalid JWT Signature."}"#;
        assert_eq!(error_reason(oauth), "invalid_grant: Invalid JWT Signature.");
        let rpc = br#"{"error":{"code":403,"message":"denied","status":"PERMISSION_DENIED"}}"#;
        assert_eq!(error_reason(rpc), "PERMISSION_DENIED: denied");
        assert_eq!(error_reason(b"plain\ntext"), "plain text");
        assert_eq!(error_reason(&[b'x'; 500]).len(), MAX_REASON_CHARS);
    }

    #[test]
    fn display_names_the_endpoint_and_status() {
        let err = TokenError::rejected(
            "https://h/token".into(),
            401,
            br#"{"error":"invalid_grant"}"#,
        );
        assert_eq!(
            err.to_string(),
            "Google token generation failed: https://h/token answered HTTP 401 (invalid_grant)"
        );
        assert_eq!(err.fault_code(), FAULT_CODE);
    }

    #[test]
    fn endpoints_drop_the_query() {
        let uri: http::Uri = "http://m:80/a/b?audience=x".parse().unwrap_or_default();
        assert_eq!(endpoint_of(&uri), "http://m:80/a/b");
    }
}
