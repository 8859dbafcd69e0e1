//! Local Application Integration API: `POST /v1/projects/{project}/locations/{region}/
//! integrations/{name}:execute` and `:schedule` (`name` may be `-`), with bearer-token
//! checks, strict body validation, Google error envelopes and integrations registered by
//! the test as Rust closures.

use std::collections::HashMap;
use std::io;
use std::sync::Arc;
use std::sync::Mutex;
use std::sync::atomic::{AtomicBool, Ordering};

use bytes::Bytes;
use http::{Response, StatusCode};
use http_body_util::Full;
use serde_json::{Map, Value, json};

use super::api_error::{ApiError, check_bearer};
use super::integration_schema::{ParsedBody, parse};
use super::server::{LocalService, RecordedRequest, RunningServer, json_response, lock};

pub use super::integration_schema::Method;

/// Project of the integrations registered by [`IntegrationServer::with_defaults`].
pub const DEFAULT_PROJECT: &str = "proxyc-local";
/// Region of the integrations registered by [`IntegrationServer::with_defaults`].
pub const DEFAULT_REGION: &str = "us-central1";
/// Bearer token accepted by [`IntegrationServer::with_defaults`].
pub const DEFAULT_TOKEN: &str = "local-integration-token";
/// Name (and trigger `api_trigger/echo`) of the default integration that echoes its inputs.
pub const ECHO_INTEGRATION: &str = "echo";

/// Largest accepted request body (cumulative input limit of the real service).
const MAX_BODY_BYTES: usize = 8 * 1024 * 1024;

/// Starts `server` on 127.0.0.1 (ephemeral port); use `base_url()` as the API root.
pub async fn start(server: IntegrationServer) -> io::Result<RunningServer<IntegrationServer>> {
    RunningServer::start(server).await
}

/// Maps decoded input parameters to output parameters, or fails the execution.
pub type Handler =
    Arc<dyn Fn(&Map<String, Value>) -> Result<Map<String, Value>, ApiError> + Send + Sync>;

struct Integration {
    project: String,
    region: String,
    name: String,
    trigger_id: String,
    handler: Handler,
}

/// One execution (sync or scheduled) performed by the server.
#[derive(Clone, Debug)]
pub struct ExecutionRecord {
    /// Id returned to the caller.
    pub execution_id: String,
    /// `:execute` or `:schedule`.
    pub method: Method,
    /// Project, region and integration name that ran.
    pub project: String,
    /// Region of the integration.
    pub region: String,
    /// Name of the integration that ran (never `-`).
    pub integration: String,
    /// `api_trigger/…`.
    pub trigger_id: String,
    /// Decoded input parameters.
    pub inputs: Map<String, Value>,
    /// `scheduleTime` of a schedule request.
    pub schedule_time: Option<String>,
    /// The handler's outcome.
    pub outcome: Result<Map<String, Value>, ApiError>,
}

/// Configuration and state of the local Application Integration API.
#[derive(Default)]
pub struct IntegrationServer {
    integrations: Mutex<Vec<Integration>>,
    valid_tokens: Mutex<Vec<String>>,
    denied: AtomicBool,
    executions: Mutex<Vec<ExecutionRecord>>,
    /// Responses by `requestId` (a repeated id gets the earlier response).
    by_request_id: Mutex<HashMap<String, (StatusCode, Value)>>,
}

/// Where a request is addressed.
struct Target<'a> {
    project: &'a str,
    region: &'a str,
    name: &'a str,
    method: Method,
}

impl IntegrationServer {
    /// A server with no integration and no accepted token.
    pub fn new() -> Self {
        Self::default()
    }

    /// A server accepting [`DEFAULT_TOKEN`] with the `echo` integration (trigger
    /// `api_trigger/echo`, outputs = inputs) in [`DEFAULT_PROJECT`] / [`DEFAULT_REGION`].
    pub fn with_defaults() -> Self {
        let server = Self::new();
        server.allow_token(DEFAULT_TOKEN);
        server.register(
            DEFAULT_PROJECT,
            DEFAULT_REGION,
            ECHO_INTEGRATION,
            "api_trigger/echo",
            |inputs| Ok(inputs.clone()),
        );
        server
    }

    /// Registers integration `name` with API trigger `trigger` (`api_trigger/` is prepended
    /// when missing); `handler` receives the decoded inputs.
    pub fn register<F>(&self, project: &str, region: &str, name: &str, trigger: &str, handler: F)
    where
        F: Fn(&Map<String, Value>) -> Result<Map<String, Value>, ApiError> + Send + Sync + 'static,
    {
        let trigger_id = if trigger.starts_with("api_trigger/") {
            trigger.to_owned()
        } else {
            format!("api_trigger/{trigger}")
        };
        lock(&self.integrations).push(Integration {
            project: project.to_owned(),
            region: region.to_owned(),
            name: name.to_owned(),
            trigger_id,
            handler: Arc::new(handler),
        });
    }

    /// Accepts `Authorization: Bearer <token>`.
    pub fn allow_token(&self, token: &str) {
        lock(&self.valid_tokens).push(token.to_owned());
    }

    /// When true, authenticated callers get 403 PERMISSION_DENIED.
    pub fn set_denied(&self, denied: bool) {
        self.denied.store(denied, Ordering::SeqCst);
    }

    /// Executions performed so far, in order.
    pub fn executions(&self) -> Vec<ExecutionRecord> {
        lock(&self.executions).clone()
    }

    fn answer(&self, request: &RecordedRequest) -> Result<(StatusCode, Value), ApiError> {
        let target = route(request).ok_or_else(|| {
            ApiError::not_found("The requested URL was not found on this server.")
        })?;
        check_bearer(request.header("authorization"), |t| {
            lock(&self.valid_tokens).iter().any(|valid| valid == t)
        })?;
        if self.denied.load(Ordering::SeqCst) {
            return Err(ApiError::permission_denied(format!(
                "Permission 'integrations.apiTriggers.invoke' denied on resource \
                 'projects/{}/locations/{}/integrations/{}'.",
                target.project, target.region, target.name
            )));
        }
        check_headers(request)?;
        let body: Value = serde_json::from_slice(&request.body)
            .map_err(|_| ApiError::invalid_argument("Invalid JSON payload received."))?;
        let parsed = parse(&body, target.method)?;
        let dedup_key = parsed
            .request_id
            .as_ref()
            .map(|id| format!("{}/{}/{}:{id}", target.project, target.region, target.name));
        if let Some(key) = &dedup_key
            && let Some(previous) = lock(&self.by_request_id).get(key)
        {
            return Ok(previous.clone());
        }
        let answer = self.run(&target, parsed)?;
        if let Some(key) = dedup_key {
            lock(&self.by_request_id).insert(key, answer.clone());
        }
        Ok(answer)
    }

    /// Finds the integration, runs its handler and builds the method's response.
    fn run(
        &self,
        target: &Target<'_>,
        parsed: ParsedBody,
    ) -> Result<(StatusCode, Value), ApiError> {
        let (integration, handler) = {
            let integrations = lock(&self.integrations);
            let found = integrations.iter().find(|i| {
                i.project == target.project
                    && i.region == target.region
                    && (target.name == "-" || i.name == target.name)
                    && i.trigger_id == parsed.trigger_id
            });
            match found {
                Some(i) => (i.name.clone(), Arc::clone(&i.handler)),
                None if target.name == "-" => {
                    return Err(ApiError::not_found(format!(
                        "No integration with trigger {} found in projects/{}/locations/{}.",
                        parsed.trigger_id, target.project, target.region
                    )));
                }
                None => {
                    return Err(ApiError::not_found(format!(
                        "Integration {} with trigger {} not found or not published.",
                        target.name, parsed.trigger_id
                    )));
                }
            }
        };
        let execution_id = uuid::Uuid::new_v4().to_string();
        let outcome = handler(&parsed.inputs);
        lock(&self.executions).push(ExecutionRecord {
            execution_id: execution_id.clone(),
            method: target.method,
            project: target.project.to_owned(),
            region: target.region.to_owned(),
            integration,
            trigger_id: parsed.trigger_id,
            inputs: parsed.inputs,
            schedule_time: parsed.schedule_time,
            outcome: outcome.clone(),
        });
        if target.method == Method::Schedule {
            // Scheduled runs report their outcome only through ExecutionRecord.
            return Ok((
                StatusCode::OK,
                json!({ "executionInfoIds": [execution_id] }),
            ));
        }
        match outcome {
            Ok(mut outputs) => {
                outputs.insert("`ExecutionMode`".into(), Value::String("SYNC".into()));
                Ok((
                    StatusCode::OK,
                    json!({ "executionId": execution_id, "outputParameters": outputs }),
                ))
            }
            Err(error) if parsed.do_not_propagate_error => Ok((
                StatusCode::OK,
                json!({
                    "executionId": execution_id,
                    "executionFailed": true,
                    "outputParameters": { "`ExecutionMode`": "SYNC" },
                    "eventParameters": { "parameters": [{
                        "key": "PostWithTriggerIdExecutionException",
                        "value": { "stringValue": error.to_string() },
                    }]},
                }),
            )),
            Err(error) => Err(error),
        }
    }
}

impl LocalService for IntegrationServer {
    fn handle(&self, request: &RecordedRequest, _base_url: &str) -> Response<Full<Bytes>> {
        match self.answer(request) {
            Ok((status, body)) => json_response(status, &body),
            Err(error) => error.to_response(),
        }
    }
}

/// Parses `POST /v1/projects/{p}/locations/{r}/integrations/{name}:{execute|schedule}`.
fn route(request: &RecordedRequest) -> Option<Target<'_>> {
    if request.method != http::Method::POST {
        return None;
    }
    let rest = request.path.strip_prefix("/v1/projects/")?;
    let (project, rest) = rest.split_once("/locations/")?;
    let (region, rest) = rest.split_once("/integrations/")?;
    let (name, method) = rest.rsplit_once(':')?;
    let method = match method {
        "execute" => Method::Execute,
        "schedule" => Method::Schedule,
        _ => return None,
    };
    let segment_ok = |s: &str| !s.is_empty() && !s.contains('/');
    (segment_ok(project) && segment_ok(region) && segment_ok(name)).then_some(Target {
        project,
        region,
        name,
        method,
    })
}

/// Content-Type, X-Server-Timeout and size checks.
fn check_headers(request: &RecordedRequest) -> Result<(), ApiError> {
    let is_json = request.header("content-type").is_some_and(|ct| {
        ct.split(';')
            .next()
            .is_some_and(|mime| mime.trim().eq_ignore_ascii_case("application/json"))
    });
    if !is_json {
        return Err(ApiError::invalid_argument(
            "Content-Type must be application/json.",
        ));
    }
    if let Some(timeout) = request.headers.get("x-server-timeout") {
        let valid = timeout
            .to_str()
            .ok()
            .and_then(|t| t.trim().parse::<u32>().ok())
            .is_some_and(|secs| secs > 0);
        if !valid {
            return Err(ApiError::invalid_argument(
                "X-Server-Timeout must be a positive number of seconds.",
            ));
        }
    }
    if request.body.len() > MAX_BODY_BYTES {
        return Err(ApiError::invalid_argument(
            "The request exceeds the 8 MB input limit.",
        ));
    }
    Ok(())
}
