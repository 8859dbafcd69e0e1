//! The benchmark backend, on one port: the testkit's echo service for every
//! path, and a mirror of the local Application Integration API's
//! synchronous `:execute` for `/v1/projects/…`.
//!
//! The testkit's own servers record every request (and the integration
//! server every execution) for tests to inspect; under millions of
//! benchmark requests that memory would grow without bound, so this server
//! calls the echo service directly and answers integrations itself.

use bytes::Bytes;
use http::{Request, Response, StatusCode};
use http_body_util::{BodyExt, Full, Limited};
use hyper::body::Incoming;
use proxyc_testkit::echo::Echo;
use proxyc_testkit::google::{ApiError, GoogleStatus, LocalService, RecordedRequest};
use serde_json::{Map, Value, json};

/// Largest request body read.
const MAX_BODY: usize = 1024 * 1024;

/// Answers one backend request.
pub async fn respond(req: Request<Incoming>, base_url: &str) -> Response<Full<Bytes>> {
    let (parts, body) = req.into_parts();
    let Ok(body) = Limited::new(body, MAX_BODY).collect().await else {
        return ApiError::invalid_argument("request body too large or broken").to_response();
    };
    let request = RecordedRequest {
        method: parts.method,
        path: parts.uri.path().to_owned(),
        query: parts.uri.query().map(str::to_owned),
        headers: parts.headers,
        body: body.to_bytes(),
    };
    if request.path.starts_with("/v1/projects/") {
        match execute(&request) {
            Ok(answer) => json_response(&answer),
            Err(e) => e.to_response(),
        }
    } else {
        Echo.handle(&request, base_url)
    }
}

/// `POST /v1/projects/{p}/locations/{r}/integrations/echo:execute` with
/// `Authorization: Bearer <INTEGRATION_TOKEN>`, a JSON body naming trigger
/// `api_trigger/echo`: the output parameters are the input parameters (as
/// sent, in their ValueType wrappers), plus the execution mode.
fn execute(request: &RecordedRequest) -> Result<Value, ApiError> {
    let not_found = || ApiError::not_found("The requested URL was not found on this server.");
    if request.method != http::Method::POST || !request.path.ends_with("/integrations/echo:execute")
    {
        return Err(not_found());
    }
    let expected = format!("Bearer {}", crate::INTEGRATION_TOKEN);
    if request.header("authorization") != Some(expected.as_str()) {
        return Err(ApiError::new(
            GoogleStatus::Unauthenticated,
            "Request had invalid authentication credentials.",
        ));
    }
    if !request
        .header("content-type")
        .is_some_and(|ct| ct.starts_with("application/json"))
    {
        return Err(ApiError::invalid_argument(
            "Content-Type must be application/json.",
        ));
    }
    let body: Value = serde_json::from_slice(&request.body)
        .map_err(|_| ApiError::invalid_argument("Invalid JSON payload received."))?;
    if body.get("triggerId").and_then(Value::as_str) != Some("api_trigger/echo") {
        return Err(not_found());
    }
    let mut outputs = match body.get("inputParameters") {
        Some(Value::Object(inputs)) => inputs.clone(),
        None => Map::new(),
        Some(_) => {
            return Err(ApiError::invalid_argument(
                "inputParameters must be an object.",
            ));
        }
    };
    outputs.insert("`ExecutionMode`".into(), "SYNC".into());
    Ok(json!({
        "executionId": uuid::Uuid::new_v4().to_string(),
        "outputParameters": outputs,
    }))
}

fn json_response(body: &Value) -> Response<Full<Bytes>> {
    let mut response = Response::new(Full::new(Bytes::from(body.to_string())));
    *response.status_mut() = StatusCode::OK;
    response.headers_mut().insert(
        http::header::CONTENT_TYPE,
        http::HeaderValue::from_static("application/json; charset=UTF-8"),
    );
    response
}
