//! Faults: what a failing policy or the platform raises, and the default
//! error response Apigee sends when no FaultRule builds one.

use crate::message::{Body, Message};
use bytes::Bytes;
use std::borrow::Cow;
use std::fmt;

/// The category Apigee files a fault under (`fault.category`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FaultCategory {
    /// A policy failed (`Step`).
    Step,
    /// Routing, classification or target-response faults.
    Messaging,
    /// Connection-level faults towards a backend.
    Transport,
    /// Internal limits.
    System,
}

impl FaultCategory {
    /// The text exposed as `fault.category`.
    pub fn as_str(self) -> &'static str {
        match self {
            FaultCategory::Step => "Step",
            FaultCategory::Messaging => "Messaging",
            FaultCategory::Transport => "Transport",
            FaultCategory::System => "System",
        }
    }
}

/// A fault: an error code, the HTTP status it maps to, and the message.
pub struct Fault {
    /// Full error code, e.g. `steps.servicecallout.ExecutionFailed`.
    pub code: Cow<'static, str>,
    /// HTTP status of the default error response.
    pub status: u16,
    /// Human-readable text (`faultstring`, `error.message`, `fault.reason`).
    pub faultstring: String,
    /// Optional `detail.reason` (e.g. `TARGET_READ_TIMEOUT`).
    pub detail_reason: Option<&'static str>,
    /// Category for `fault.category`.
    pub category: FaultCategory,
    /// The response the error flow starts from (see [`FaultResponse`]).
    pub response: FaultResponse,
    /// Raised by a RaiseFault policy (stops FaultRules, suppresses an
    /// AlwaysEnforce DefaultFaultRule when raised inside a FaultRule).
    pub raised: bool,
}

/// The response a fault's error flow starts from.
#[derive(Debug, Default)]
pub enum FaultResponse {
    /// The default error response: JSON naming the code and faultstring.
    #[default]
    Default,
    /// A response prepared by the raiser (RaiseFault's FaultResponse).
    Prepared(Box<Message>),
    /// The response already in the flow context (`ctx.response`), raised
    /// with it: the backend's own for `ErrorResponseCode`, or the one a
    /// TargetEndpoint's error flow left for a re-raised fault. It stays
    /// where it is instead of moving into the fault and back.
    InContext,
}

impl fmt::Debug for Fault {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Fault")
            .field("code", &self.code)
            .field("status", &self.status)
            .field("faultstring", &self.faultstring)
            .finish_non_exhaustive()
    }
}

impl fmt::Display for Fault {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} ({}): {}", self.code, self.status, self.faultstring)
    }
}

impl Fault {
    /// A policy fault (`fault.category` = `Step`) with status 500 unless changed.
    pub fn step(code: impl Into<Cow<'static, str>>, faultstring: impl Into<String>) -> Self {
        Fault {
            code: code.into(),
            status: 500,
            faultstring: faultstring.into(),
            detail_reason: None,
            category: FaultCategory::Step,
            response: FaultResponse::Default,
            raised: false,
        }
    }

    /// A platform fault with its own status and category.
    pub fn platform(
        code: &'static str,
        status: u16,
        category: FaultCategory,
        faultstring: impl Into<String>,
    ) -> Self {
        Fault {
            code: Cow::Borrowed(code),
            status,
            faultstring: faultstring.into(),
            detail_reason: None,
            category,
            response: FaultResponse::Default,
            raised: false,
        }
    }

    /// Adds `detail.reason`.
    pub fn with_reason(mut self, reason: &'static str) -> Self {
        self.detail_reason = Some(reason);
        self
    }

    /// `fault.name`: the last dot-separated segment of the code.
    pub fn name(&self) -> &str {
        self.code.rsplit('.').next().unwrap_or(&self.code)
    }

    /// The error response the client gets when no handler builds another:
    /// the raiser's prepared response, or the JSON fault body.
    pub fn default_response(&mut self) -> Message {
        if let FaultResponse::Prepared(resp) = std::mem::take(&mut self.response) {
            return *resp;
        }
        let mut msg = Message::new_response();
        msg.status = self.status;
        msg.headers.insert(
            http::header::CONTENT_TYPE,
            http::HeaderValue::from_static("application/json"),
        );
        msg.body = Body::Bytes(Bytes::from(self.json_body()));
        msg
    }

    /// `{"fault":{"faultstring":…,"detail":{"errorcode":…}}}`.
    pub fn json_body(&self) -> String {
        let mut detail = serde_json::Map::new();
        detail.insert("errorcode".into(), self.code.as_ref().into());
        if let Some(reason) = self.detail_reason {
            detail.insert("reason".into(), reason.into());
        }
        serde_json::json!({
            "fault": { "faultstring": self.faultstring, "detail": detail }
        })
        .to_string()
    }
}

/// Platform fault codes used by the runtime (bundle.md §5.3).
pub mod codes {
    /// No RouteRule matched.
    pub const ROUTE_FAILED: &str = "messaging.runtime.RouteFailed";
    /// No proxy serves the request path.
    pub const APPLICATION_NOT_FOUND: &str = "messaging.adaptors.http.flow.ApplicationNotFound";
    /// Backend connect failure, DNS, TLS handshake failure.
    pub const SERVICE_UNAVAILABLE: &str = "messaging.adaptors.http.flow.ServiceUnavailable";
    /// Backend read timeout.
    pub const GATEWAY_TIMEOUT: &str = "messaging.adaptors.http.flow.GatewayTimeout";
    /// Backend answered with a status outside `success.codes`.
    pub const ERROR_RESPONSE_CODE: &str = "messaging.adaptors.http.flow.ErrorResponseCode";
    /// A Google token could not be minted.
    pub const GOOGLE_TOKEN_GENERATION_FAILURE: &str =
        "messaging.adaptors.http.filter.GoogleTokenGenerationFailure";
    /// A variable referenced by a template could not be resolved.
    pub const ENTITIES_UNRESOLVED_VARIABLE: &str = "entities.UnresolvedVariable";
    /// A request (413) or response (502) body is larger than `limits.max_body_bytes`.
    pub const TOO_BIG_BODY: &str = "protocol.http.TooBigBody";
    /// The whole request took longer than `limits.request_timeout_ms` (504).
    pub const API_TIMED_OUT: &str = "flow.APITimedOut";
    /// A value with forbidden bytes (CR, LF, NUL) would reach a header.
    pub const INVALID_HEADER_VALUE: &str = "protocol.http.InvalidHeaderValue";
}
