//! SetIntegrationRequest: builds the request object IntegrationCallout (or an
//! IntegrationEndpoint) sends to the Application Integration API.
//!
//! The object is a request message: `POST /v1/projects/{project}/locations/
//! {region}/integrations/{name}:execute`, `Content-Type: application/json`, and an
//! `ExecuteIntegrationsRequest` body (`triggerId`, typed `inputParameters`, a
//! generated `requestId`, `scheduleTime` when set). The policy also sets
//! [`VAR_NAMES`]: `integration.project.id`, `integration.name`,
//! `integration.region` and `integration.trigger`.
//!
//! The body is JSON text written straight into one buffer (module `body`).

use crate::ctx::{Ctx, Slot};
use crate::fault::Fault;
use crate::flow::PolicyMeta;
use crate::message::Message;
use crate::value::Value;
use crate::vars::{Var, read, write};
use std::borrow::Cow;
use time::OffsetDateTime;
use time::format_description::well_known::Rfc3339;

mod body;
#[cfg(test)]
mod tests;

/// The flow variables the policy sets, in [`Config::vars`] order.
pub const VAR_NAMES: [&str; 4] = [
    "integration.project.id",
    "integration.name",
    "integration.region",
    "integration.trigger",
];

/// Request variable used when `<Request>` is omitted (also what an
/// IntegrationEndpoint reads).
pub const DEFAULT_REQUEST_VARIABLE: &str = "integration.request";

/// Prefix of API trigger ids.
pub const TRIGGER_PREFIX: &str = "api_trigger/";

/// Fault codes (`steps.setintegrationrequest.*`, all HTTP 500).
pub mod codes {
    /// A `ref` did not resolve and the element has no text fallback.
    pub const UNRESOLVED_VARIABLE: &str = "steps.setintegrationrequest.UnresolvedVariable";
    /// A parameter `ref` resolved to a value that is not of the declared type.
    pub const MISMATCHED_TYPE: &str = "steps.setintegrationrequest.MismatchedTypeAndResolvedRef";
    /// A `ref` of ProjectId, IntegrationName, IntegrationRegion, ApiTrigger or
    /// ScheduleTime resolved to a value that cannot be used.
    pub const INVALID_RESOLVED: &str = "steps.setintegrationrequest.InvalidResolvedFlowVariable";
    /// A ParameterArray has no value.
    pub const EMPTY_PARAMETER_ARRAY: &str = "steps.setintegrationrequest.EmptyParameterArray";
    /// A ParameterArray `<Value>` resolved to nothing.
    pub const EMPTY_PARAMETER_ARRAY_VALUE: &str =
        "steps.setintegrationrequest.EmptyParameterArrayValue";
}

/// Declared type of a parameter.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ParamType {
    /// `string` → `stringValue` / `stringArray`.
    String,
    /// `integer` → `intValue` (int64 as a decimal string) / `intArray`.
    Integer,
    /// `boolean` → `booleanValue` / `booleanArray`.
    Boolean,
    /// `double` → `doubleValue` / `doubleArray`.
    Double,
    /// `json` → `jsonValue` (the document as a string).
    Json,
}

impl ParamType {
    /// The `type` attribute text.
    pub fn name(self) -> &'static str {
        match self {
            ParamType::String => "string",
            ParamType::Integer => "integer",
            ParamType::Boolean => "boolean",
            ParamType::Double => "double",
            ParamType::Json => "json",
        }
    }
}

/// An element with optional `ref` and text: the `ref` wins when it resolves,
/// the text is the fallback.
#[derive(Debug)]
pub struct Prop {
    /// `ref`: the variable name as written and its resolution.
    pub reference: Option<(&'static str, Var)>,
    /// Text (empty when none).
    pub text: &'static str,
}

/// A `Parameter` or `ParameterArray`.
#[derive(Debug)]
pub struct Param {
    /// `name`.
    pub name: &'static str,
    /// `type`.
    pub kind: ParamType,
    /// `ParameterArray` rather than `Parameter`.
    pub array: bool,
    /// `ref` and text of a `Parameter`; `ref` of a `ParameterArray` (a JSON array).
    pub value: Prop,
    /// The `<Value>` children of a `ParameterArray`.
    pub values: &'static [Prop],
}

/// The policy configuration.
#[derive(Debug)]
pub struct Config {
    /// `ProjectId` (omitted: `ref="organization.name"`).
    pub project: Prop,
    /// `IntegrationName` (`None`: `-`, any integration with the trigger).
    pub name: Option<Prop>,
    /// `IntegrationRegion`.
    pub region: Prop,
    /// `ApiTrigger`.
    pub trigger: Prop,
    /// `ScheduleTime`.
    pub schedule_time: Option<Prop>,
    /// `Parameters`, in document order (the order they are checked in: the
    /// first that fails gives the fault).
    pub params: &'static [Param],
    /// Indices into `params` in the order of their `inputParameters` keys:
    /// sorted by name (byte order). Of parameters sharing a name only the
    /// last would be listed, as a JSON object keeps the last; the compiler
    /// rejects shared names, so it lists every parameter.
    pub key_order: &'static [usize],
    /// Slot of the `Request` variable.
    pub request_slot: usize,
    /// The request object's path when the project, region and name are all
    /// literal text, written by the compiler; `None` builds it per request.
    pub literal_path: Option<&'static str>,
    /// The variables of [`VAR_NAMES`].
    pub vars: [Var; 4],
}

fn fault(meta: &PolicyMeta, code: &'static str, why: String) -> Fault {
    Fault::step(code, format!("SetIntegrationRequest[{}]: {why}", meta.name))
}

/// The text of a resolved `ref`, borrowed where the variable allows; `None`
/// when it does not resolve (unset, null or empty: the element text is then
/// the fallback).
fn ref_text<'a>(ctx: &'a Ctx, var: &Var) -> Option<Cow<'a, str>> {
    let text = match read(ctx, var) {
        Value::Null => return None,
        Value::Str(s) => s,
        other => Cow::Owned(other.to_string()),
    };
    (!text.is_empty()).then_some(text)
}

/// Resolves a [`Prop`]: `(text, came_from_ref)`, a `ref`'s text as it is and a
/// literal trimmed; `None` when neither supplies a value.
fn resolve<'a>(ctx: &'a Ctx, prop: &Prop) -> Option<(Cow<'a, str>, bool)> {
    if let Some((_, var)) = &prop.reference
        && let Some(text) = ref_text(ctx, var)
    {
        return Some((text, true));
    }
    let text = crate::text::trim(prop.text);
    (!text.is_empty()).then_some((Cow::Borrowed(text), false))
}

/// A required single value (project, name, region, trigger), trimmed; a value
/// from a `ref` must pass `valid` (literal text was checked by the compiler).
/// Literal text is borrowed; a `ref`'s value is copied once.
fn required(
    ctx: &Ctx,
    meta: &PolicyMeta,
    element: &str,
    prop: &Prop,
    valid: fn(&str) -> bool,
) -> Result<Cow<'static, str>, Fault> {
    if let Some((name, var)) = &prop.reference
        && let Some(text) = ref_text(ctx, var)
    {
        let text = crate::text::trim(&text);
        if !valid(text) {
            return Err(fault(
                meta,
                codes::INVALID_RESOLVED,
                format!(
                    "variable {name} of <{element}> resolved to `{text}`, which is not a valid {element}"
                ),
            ));
        }
        return Ok(Cow::Owned(text.to_owned()));
    }
    match (crate::text::trim(prop.text), &prop.reference) {
        ("", Some((name, _))) => Err(fault(
            meta,
            codes::UNRESOLVED_VARIABLE,
            format!("unable to resolve variable {name} for <{element}>"),
        )),
        ("", None) => Err(fault(
            meta,
            codes::UNRESOLVED_VARIABLE,
            format!("<{element}> is empty"),
        )),
        (text, _) => Ok(Cow::Borrowed(text)),
    }
}

/// Whether `s` can be one segment of the API path (the compiler applies the same
/// check to literal values).
pub fn is_path_segment(s: &str) -> bool {
    !s.is_empty()
        && s.chars()
            .all(|c| c.is_ascii_alphanumeric() || "-_.~@".contains(c))
}

/// Whether `s` is an RFC 3339 timestamp (ScheduleTime).
pub fn is_schedule_time(s: &str) -> bool {
    OffsetDateTime::parse(s.trim(), &Rfc3339).is_ok()
}

/// Whether `s` is a trigger name, with or without the `api_trigger/` prefix.
pub fn is_trigger(s: &str) -> bool {
    is_path_segment(s.strip_prefix(TRIGGER_PREFIX).unwrap_or(s))
}

/// `api_trigger/NAME`: the value as is when it has the prefix, else prefixed.
pub fn trigger_id(value: Cow<'static, str>) -> Cow<'static, str> {
    if value.starts_with(TRIGGER_PREFIX) {
        value
    } else {
        Cow::Owned([TRIGGER_PREFIX, &value].concat())
    }
}

/// Builds the request object, stores it in the `Request` variable and sets the
/// `integration.*` variables.
pub fn execute(ctx: &mut Ctx, meta: &PolicyMeta, cfg: &Config) -> Result<(), Fault> {
    let project = required(ctx, meta, "ProjectId", &cfg.project, is_path_segment)?;
    let name = match &cfg.name {
        Some(prop) => required(ctx, meta, "IntegrationName", prop, is_path_segment)?,
        None => Cow::Borrowed("-"),
    };
    let region = required(ctx, meta, "IntegrationRegion", &cfg.region, is_path_segment)?;
    let trigger = trigger_id(required(ctx, meta, "ApiTrigger", &cfg.trigger, is_trigger)?);
    let body = body::build(ctx, meta, cfg, &trigger)?;
    let mut msg = Message::new_request();
    msg.verb = http::Method::POST;
    msg.set_path(match cfg.literal_path {
        Some(path) => Cow::Borrowed(path),
        None => Cow::Owned(
            [
                "/v1/projects/",
                &project,
                "/locations/",
                &region,
                "/integrations/",
                &name,
                ":execute",
            ]
            .concat(),
        ),
    });
    msg.headers.insert(
        http::header::CONTENT_TYPE,
        http::HeaderValue::from_static("application/json"),
    );
    msg.set_content(body);
    ctx.set_slot(cfg.request_slot, Slot::Message(Box::new(msg)));
    for (var, value) in cfg.vars.iter().zip([project, name, region, trigger]) {
        // These are plain user variables; writing them cannot fail.
        let _ = write(ctx, var, Value::Str(value));
    }
    Ok(())
}
