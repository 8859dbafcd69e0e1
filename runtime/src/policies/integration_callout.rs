//! IntegrationCallout and IntegrationEndpoint: send the request object built by
//! SetIntegrationRequest to the Application Integration API with a Google access
//! token (cloud-platform scope), and store the API's answer as a response message.
//!
//! Synchronous runs `POST …/integrations/{name}:execute` and wait (up to 2 minutes,
//! `[google] integration_timeout_ms`); asynchronous runs `POST …:schedule` and return
//! the `executionInfoIds` at once. The target (project, region, integration) comes
//! from the `integration.*` variables SetIntegrationRequest sets; the body from the
//! request object.

use crate::body::{buffer, into_out_body, response_message};
use crate::client::{ClientError, OutBody};
use crate::ctx::{Ctx, Slot};
use crate::fault::{Fault, FaultCategory, codes as platform};
use crate::flow::PolicyMeta;
use crate::message::{Body, Message, MessageKind};
use crate::template::tfn::{CompiledJsonPath, MemberPaths};
use crate::tokens::TokenKind;
use crate::vars::{MsgSel, Var, read};
use bytes::Bytes;
use memchr::memmem::Finder;
use std::borrow::Cow;
use std::sync::LazyLock;
use std::time::Duration;

mod last_target;

/// Default time allowed for a synchronous execution (the documented 2-minute cap).
pub const DEFAULT_TIMEOUT: Duration = Duration::from_secs(120);

/// Time allowed for the `:schedule` call itself (it returns at once).
const SCHEDULE_TIMEOUT: Duration = Duration::from_secs(30);

/// Fault codes (`steps.integrationcallout.*`, all HTTP 500).
pub mod codes {
    /// The API answered 4xx/5xx or could not be reached; or ScheduleTime with a
    /// synchronous execution.
    pub const EXECUTION_FAILED: &str = "steps.integrationcallout.ExecutionFailed";
    /// The `Request` variable is not set.
    pub const NULL_REQUEST_VARIABLE: &str = "steps.integrationcallout.NullRequestVariable";
    /// The `Request` variable holds a value that is not a message.
    pub const NOT_MESSAGE: &str = "steps.integrationcallout.RequestVariableNotMessageType";
    /// The `Request` variable holds a response message.
    pub const NOT_REQUEST_MESSAGE: &str =
        "steps.integrationcallout.RequestVariableNotRequestMessageType";
}

/// The `integration.*` variables naming the integration to run.
#[derive(Debug)]
pub struct TargetVars {
    /// `integration.project.id`.
    pub project: Var,
    /// `integration.name`.
    pub name: Var,
    /// `integration.region`.
    pub region: Var,
}

/// IntegrationCallout configuration.
#[derive(Debug)]
pub struct Config {
    /// `Request`: the variable name and its resolution (a message object or a slot).
    pub request: (&'static str, Var),
    /// `Request@clearPayload` (default true): empty the request body after sending.
    pub clear_payload: bool,
    /// `AsyncExecution` (default false).
    pub async_execution: bool,
    /// `Response` (default `integration.response`).
    pub response: MsgSel,
    /// The `integration.*` variables.
    pub target: TargetVars,
}

/// Who is calling, for fault strings (`IntegrationCallout[name]`): only
/// formatted when a fault is.
#[derive(Debug, Clone, Copy)]
struct Who(&'static str, &'static str);

impl std::fmt::Display for Who {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}[{}]", self.0, self.1)
    }
}

/// Runs an IntegrationCallout policy.
pub async fn execute(ctx: &mut Ctx, meta: &PolicyMeta, cfg: &Config) -> Result<(), Fault> {
    let who = Who("IntegrationCallout", meta.name);
    let outcome = run(ctx, who, cfg.request, cfg.async_execution, &cfg.target).await;
    if cfg.clear_payload {
        clear_payload(ctx, &cfg.request.1);
    }
    let (msg, result) = outcome?;
    store(ctx, cfg.response, msg);
    result
}

/// IntegrationEndpoint configuration.
#[derive(Debug)]
pub struct EndpointConfig {
    /// `name`.
    pub name: &'static str,
    /// `AsyncExecution` (default false).
    pub async_execution: bool,
    /// The default request variable of SetIntegrationRequest.
    pub request: (&'static str, Var),
    /// The `integration.*` variables.
    pub target: TargetVars,
}

/// Runs a RouteRule's IntegrationEndpoint: the result becomes `response`.
pub async fn call_endpoint(ctx: &mut Ctx, cfg: &EndpointConfig) -> Result<(), Fault> {
    let who = Who("IntegrationEndpoint", cfg.name);
    let (msg, result) = run(ctx, who, cfg.request, cfg.async_execution, &cfg.target).await?;
    ctx.response = Some(msg);
    result
}

/// Sends the request object; returns the API's answer (stored by the caller) and
/// whether it is a failure.
///
/// Everything but the waits (token, response head, body) is done by plain
/// functions, so this future holds little more than what it waits on.
async fn run(
    ctx: &mut Ctx,
    who: Who,
    request: (&'static str, Var),
    async_execution: bool,
    target: &TargetVars,
) -> Result<(Message, Result<(), Fault>), Fault> {
    let call = api_call(ctx, who, request, async_execution, target)?;
    let token = ctx
        .env
        .tokens()
        .token(&TokenKind::Access {
            scopes: Vec::new(),
            lifetime_secs: None,
        })
        .await
        .map_err(|e| {
            Fault::platform(
                crate::tokens::FAULT_CODE,
                crate::tokens::FAULT_STATUS,
                FaultCategory::Messaging,
                format!("{who}: Google token generation failed: {e}"),
            )
        })?;
    let auth = token
        .header_value()
        .map_err(|e| execution_failed(who, format!("unusable token: {e}")))?;
    // Kept for the fault message (a clone shares the URI's bytes).
    let uri = call.target.uri.clone();
    let timeout = call.timeout;
    let resp = ctx
        .env
        .client()
        .send(call.request(auth), Some(timeout))
        .await
        .map_err(|e| unreachable_api(who, &uri.to_string(), &e))?;
    let status = resp.status().as_u16();
    let mut msg = response_message(resp);
    buffer(&mut msg, ctx.env.max_body_bytes()).await?;
    let result = if (200..300).contains(&status) {
        Ok(())
    } else {
        Err(execution_failed(
            who,
            format!(
                "the integration API answered {status}: {}",
                api_error_message(msg.content_bytes().unwrap_or_default())
            ),
        ))
    };
    Ok((msg, result))
}

/// An integration API call, ready to send once it has a token.
struct ApiCall {
    body: Bytes,
    target: last_target::Target,
    timeout: Duration,
}

impl ApiCall {
    /// The HTTP request, authorized with `auth`.
    fn request(self, auth: http::HeaderValue) -> http::Request<OutBody> {
        static X_SERVER_TIMEOUT: http::HeaderName =
            http::HeaderName::from_static("x-server-timeout");
        let mut req = http::Request::new(into_out_body(Body::Bytes(self.body)));
        *req.method_mut() = http::Method::POST;
        *req.uri_mut() = self.target.uri;
        let headers = req.headers_mut();
        headers.insert(http::header::AUTHORIZATION, auth);
        headers.insert(
            http::header::CONTENT_TYPE,
            http::HeaderValue::from_static("application/json"),
        );
        headers.insert(&X_SERVER_TIMEOUT, self.target.server_timeout);
        req
    }
}

/// The call the request object and the `integration.*` variables describe.
fn api_call(
    ctx: &Ctx,
    who: Who,
    (request_name, request_var): (&'static str, Var),
    async_execution: bool,
    target: &TargetVars,
) -> Result<ApiCall, Fault> {
    let body = request_body(ctx, who, request_name, &request_var)?;
    let project = target_var(ctx, who, &target.project, "integration.project.id")?;
    let name = target_var(ctx, who, &target.name, "integration.name")?;
    let region = target_var(ctx, who, &target.region, "integration.region")?;
    if !async_execution && has_schedule_time(&body) {
        return Err(execution_failed(
            who,
            "ScheduleTime is set but AsyncExecution is false; a synchronous execution cannot be scheduled".into(),
        ));
    }
    let google = &ctx.env.config().google;
    let method = if async_execution {
        "schedule"
    } else {
        "execute"
    };
    let timeout = if async_execution {
        SCHEDULE_TIMEOUT
    } else {
        google
            .integration_timeout_ms
            .map_or(DEFAULT_TIMEOUT, Duration::from_millis)
    };
    let target = last_target::target(
        google,
        &project,
        &region,
        &name,
        method,
        timeout.as_secs().max(1),
    )
    .map_err(|url| execution_failed(who, format!("invalid integration URL `{url}`")))?;
    Ok(ApiCall {
        body,
        target,
        timeout,
    })
}

/// The body of the request object, checking that it is a request message.
fn request_body(ctx: &Ctx, who: Who, name: &str, var: &Var) -> Result<Bytes, Fault> {
    let msg = match *var {
        Var::Slot(i) | Var::MsgObject(MsgSel::Slot(i)) => match ctx.slot(i) {
            Some(Slot::Message(m)) => Some(&**m),
            Some(Slot::Value(_)) => {
                return Err(Fault::step(
                    codes::NOT_MESSAGE,
                    format!("{who}: variable {name} is not of type Message"),
                ));
            }
            _ => None,
        },
        Var::MsgObject(sel) => crate::vars::message(ctx, sel),
        _ => None,
    };
    let Some(msg) = msg else {
        return Err(Fault::step(
            codes::NULL_REQUEST_VARIABLE,
            format!("{who}: request variable {name} is null"),
        ));
    };
    if msg.kind != MessageKind::Request {
        return Err(Fault::step(
            codes::NOT_REQUEST_MESSAGE,
            format!("{who}: variable {name} is not of type Request"),
        ));
    }
    match &msg.body {
        Body::Bytes(b) => Ok(b.clone()),
        _ => Ok(Bytes::new()),
    }
}

/// A required `integration.*` variable.
fn target_var<'c>(ctx: &'c Ctx, who: Who, var: &Var, name: &str) -> Result<Cow<'c, str>, Fault> {
    read(ctx, var)
        .into_text()
        .map(|t| match t {
            Cow::Borrowed(t) => Cow::Borrowed(crate::text::trim(t)),
            Cow::Owned(t) => Cow::Owned(crate::text::trim_owned(t)),
        })
        .filter(|t| !t.is_empty())
        .ok_or_else(|| {
            Fault::step(
                platform::ENTITIES_UNRESOLVED_VARIABLE,
                format!("{who}: unable to resolve variable {name}"),
            )
        })
}

/// Whether the request body has a top-level `scheduleTime` (one pass over
/// the body; only that member's value is built). A body that spells neither
/// `scheduleTime` nor any `\u` escape (the only way to write the key
/// otherwise) cannot have it, and is not parsed.
fn has_schedule_time(body: &[u8]) -> bool {
    // Built once: building a searcher costs more than a search.
    static KEY: LazyLock<Finder<'static>> = LazyLock::new(|| Finder::new(b"scheduleTime"));
    static ESCAPE: LazyLock<Finder<'static>> = LazyLock::new(|| Finder::new(b"\\u"));
    if KEY.find(body).is_none() && ESCAPE.find(body).is_none() {
        return false;
    }
    static SCHEDULE_TIME: LazyLock<CompiledJsonPath> =
        LazyLock::new(|| CompiledJsonPath::new("$.scheduleTime"));
    static PLAN: LazyLock<Option<MemberPaths>> =
        LazyLock::new(|| MemberPaths::new([&*SCHEDULE_TIME]));
    let Some(plan) = &*PLAN else {
        // Not reached: `$.scheduleTime` is made of member names.
        return false;
    };
    std::str::from_utf8(body)
        .ok()
        .and_then(|text| plan.select(text).ok())
        .is_some_and(|found| found.first().is_some_and(Option::is_some))
}

fn execution_failed(who: Who, why: String) -> Fault {
    Fault::step(
        codes::EXECUTION_FAILED,
        format!("{who}: Execution failed: {why}"),
    )
}

fn unreachable_api(who: Who, url: &str, e: &ClientError) -> Fault {
    let endpoint = url.split('?').next().unwrap_or(url);
    execution_failed(who, format!("calling {endpoint}: {e}"))
}

/// `error.message` (and `error.status`) of a Google error envelope, else a
/// bounded excerpt of the body.
fn api_error_message(body: &[u8]) -> String {
    let parsed: Option<serde_json::Value> = serde_json::from_slice(body).ok();
    let error = parsed.as_ref().and_then(|v| v.get("error"));
    match (
        error.and_then(|e| e.get("status")).and_then(|s| s.as_str()),
        error
            .and_then(|e| e.get("message"))
            .and_then(|s| s.as_str()),
    ) {
        (Some(status), Some(message)) => format!("{status}: {message}"),
        (None, Some(message)) => message.to_owned(),
        _ => String::from_utf8_lossy(body).chars().take(200).collect(),
    }
}

/// Stores the API's answer in the `Response` variable.
fn store(ctx: &mut Ctx, sel: MsgSel, msg: Message) {
    match sel {
        MsgSel::Slot(i) => ctx.set_slot(i, Slot::Message(Box::new(msg))),
        MsgSel::Request => ctx.request = msg,
        MsgSel::Response | MsgSel::Error => ctx.response = Some(msg),
        MsgSel::Message => *ctx.message_mut() = msg,
    }
}

/// `clearPayload`: the request object's body is released after the call.
fn clear_payload(ctx: &mut Ctx, var: &Var) {
    let msg = match *var {
        Var::Slot(i) | Var::MsgObject(MsgSel::Slot(i)) => match ctx.slots.get_mut(i) {
            Some(Slot::Message(m)) => Some(&mut **m),
            _ => None,
        },
        Var::MsgObject(sel) => crate::vars::message_mut(ctx, sel),
        _ => None,
    };
    if let Some(msg) = msg
        && msg.kind == MessageKind::Request
    {
        msg.body = Body::Empty;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn google_error_messages() {
        let body = br#"{"error":{"code":404,"message":"not found","status":"NOT_FOUND"}}"#;
        assert_eq!(api_error_message(body), "NOT_FOUND: not found");
        assert_eq!(api_error_message(b"plain"), "plain");
    }

    #[test]
    fn schedule_time_detection() {
        assert!(has_schedule_time(
            br#"{"scheduleTime":"2022-01-15T01:30:15Z"}"#
        ));
        assert!(!has_schedule_time(br#"{"triggerId":"api_trigger/x"}"#));
        assert!(!has_schedule_time(b"not json"));
        // Spelled with escapes, it is still the key.
        assert!(has_schedule_time(
            br#"{"\u0073cheduleTime":"2022-01-15T01:30:15Z"}"#
        ));
        // Only at the top level, and only as a key.
        assert!(!has_schedule_time(br#"{"a":{"scheduleTime":"x"}}"#));
        assert!(!has_schedule_time(br#"{"a":"scheduleTime"}"#));
    }
}
