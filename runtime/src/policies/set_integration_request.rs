//! SetIntegrationRequest: builds the request object IntegrationCallout (or an
//! IntegrationEndpoint) sends to the Application Integration API.
//!
//! The object is a request message: `POST /v1/projects/{project}/locations/
//! {region}/integrations/{name}:execute`, `Content-Type: application/json`, and an
//! `ExecuteIntegrationsRequest` body (`triggerId`, typed `inputParameters`, a
//! generated `requestId`, `scheduleTime` when set). The policy also sets
//! [`VAR_NAMES`]: `integration.project.id`, `integration.name`,
//! `integration.region` and `integration.trigger`.

use crate::ctx::{Ctx, Slot};
use crate::fault::Fault;
use crate::flow::PolicyMeta;
use crate::message::Message;
use crate::value::Value;
use crate::vars::{Var, read, write};
use serde_json::{Map, Value as Json, json};
use time::OffsetDateTime;
use time::format_description::well_known::Rfc3339;

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

    /// Converts text to the JSON element of this type (`None`: not of this type).
    pub fn parse(self, text: &str) -> Option<Json> {
        match self {
            ParamType::String => Some(Json::String(text.to_owned())),
            ParamType::Integer => text
                .trim()
                .parse::<i64>()
                .ok()
                .map(|n| json!(n.to_string())),
            ParamType::Boolean => match text.trim().to_ascii_lowercase().as_str() {
                "true" => Some(Json::Bool(true)),
                "false" => Some(Json::Bool(false)),
                _ => None,
            },
            ParamType::Double => text
                .trim()
                .parse::<f64>()
                .ok()
                .and_then(serde_json::Number::from_f64)
                .map(Json::Number),
            ParamType::Json => serde_json::from_str::<Json>(text)
                .ok()
                .map(|_| Json::String(text.to_owned())),
        }
    }

    /// Converts a JSON array element (from a ParameterArray `ref`).
    fn parse_json_item(self, item: &Json) -> Option<Json> {
        match (self, item) {
            (ParamType::String, Json::String(_)) => Some(item.clone()),
            (ParamType::Integer, Json::Number(n)) => n.as_i64().map(|n| json!(n.to_string())),
            (ParamType::Double, Json::Number(_)) | (ParamType::Boolean, Json::Bool(_)) => {
                Some(item.clone())
            }
            (ParamType::Integer | ParamType::Double | ParamType::Boolean, Json::String(s)) => {
                self.parse(s)
            }
            _ => None,
        }
    }

    fn scalar_key(self) -> &'static str {
        match self {
            ParamType::String => "stringValue",
            ParamType::Integer => "intValue",
            ParamType::Boolean => "booleanValue",
            ParamType::Double => "doubleValue",
            ParamType::Json => "jsonValue",
        }
    }

    /// `(wrapper, field)` of the array form; `json` has none (rejected by the compiler).
    fn array_keys(self) -> (&'static str, &'static str) {
        match self {
            ParamType::Integer => ("intArray", "intValues"),
            ParamType::Boolean => ("booleanArray", "booleanValues"),
            ParamType::Double => ("doubleArray", "doubleValues"),
            ParamType::String | ParamType::Json => ("stringArray", "stringValues"),
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
    /// `Parameters`, in document order.
    pub params: &'static [Param],
    /// Slot of the `Request` variable.
    pub request_slot: usize,
    /// The variables of [`VAR_NAMES`].
    pub vars: [Var; 4],
}

fn fault(meta: &PolicyMeta, code: &'static str, why: String) -> Fault {
    Fault::step(code, format!("SetIntegrationRequest[{}]: {why}", meta.name))
}

/// The text of a resolved `ref`, or `None` when it does not resolve (unset,
/// null or empty: the element text is then the fallback).
fn ref_text(ctx: &Ctx, var: &Var) -> Option<String> {
    match read(ctx, var) {
        Value::Null => None,
        v => v.to_text().map(|t| t.into_owned()),
    }
    .filter(|t| !t.is_empty())
}

/// Resolves a [`Prop`]: `(text, came_from_ref)`; `None` when neither the ref nor a
/// text supplies a value.
fn resolve(ctx: &Ctx, prop: &Prop) -> Option<(String, bool)> {
    if let Some((_, var)) = &prop.reference
        && let Some(text) = ref_text(ctx, var)
    {
        return Some((text, true));
    }
    let text = prop.text.trim();
    (!text.is_empty()).then(|| (text.to_owned(), false))
}

/// A required single value (project, name, region, trigger); a value from a
/// `ref` must pass `valid` (literal text was checked by the compiler).
fn required(
    ctx: &Ctx,
    meta: &PolicyMeta,
    element: &str,
    prop: &Prop,
    valid: fn(&str) -> bool,
) -> Result<String, Fault> {
    let Some((text, from_ref)) = resolve(ctx, prop) else {
        let what = match &prop.reference {
            Some((name, _)) => format!("unable to resolve variable {name} for <{element}>"),
            None => format!("<{element}> is empty"),
        };
        return Err(fault(meta, codes::UNRESOLVED_VARIABLE, what));
    };
    let text = text.trim().to_owned();
    if from_ref && !valid(&text) {
        let name = prop.reference.as_ref().map_or("", |(n, _)| n);
        return Err(fault(
            meta,
            codes::INVALID_RESOLVED,
            format!(
                "variable {name} of <{element}> resolved to `{text}`, which is not a valid {element}"
            ),
        ));
    }
    Ok(text)
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
pub fn trigger_id(value: &str) -> String {
    if value.starts_with(TRIGGER_PREFIX) {
        value.to_owned()
    } else {
        format!("{TRIGGER_PREFIX}{value}")
    }
}

/// Builds the request object, stores it in the `Request` variable and sets the
/// `integration.*` variables.
pub fn execute(ctx: &mut Ctx, meta: &PolicyMeta, cfg: &Config) -> Result<(), Fault> {
    let project = required(ctx, meta, "ProjectId", &cfg.project, is_path_segment)?;
    let name = match &cfg.name {
        Some(prop) => required(ctx, meta, "IntegrationName", prop, is_path_segment)?,
        None => "-".to_owned(),
    };
    let region = required(ctx, meta, "IntegrationRegion", &cfg.region, is_path_segment)?;
    let trigger = trigger_id(&required(
        ctx,
        meta,
        "ApiTrigger",
        &cfg.trigger,
        is_trigger,
    )?);
    let mut body = Map::new();
    body.insert("triggerId".into(), Json::String(trigger.clone()));
    let mut inputs = Map::new();
    for param in cfg.params {
        inputs.insert(param.name.to_owned(), parameter(ctx, meta, param)?);
    }
    if !inputs.is_empty() {
        body.insert("inputParameters".into(), Json::Object(inputs));
    }
    body.insert(
        "requestId".into(),
        Json::String(uuid::Uuid::new_v4().to_string()),
    );
    if let Some(prop) = &cfg.schedule_time
        && let Some((text, from_ref)) = resolve(ctx, prop)
    {
        if from_ref && !is_schedule_time(&text) {
            let var = prop.reference.as_ref().map_or("", |(n, _)| n);
            return Err(fault(
                meta,
                codes::INVALID_RESOLVED,
                format!(
                    "variable {var} of <ScheduleTime> resolved to `{text}`, which is not an RFC 3339 timestamp"
                ),
            ));
        }
        body.insert("scheduleTime".into(), Json::String(text.trim().to_owned()));
    }
    let mut msg = Message::new_request();
    msg.verb = http::Method::POST;
    msg.set_path(format!(
        "/v1/projects/{project}/locations/{region}/integrations/{name}:execute"
    ));
    msg.headers.insert(
        http::header::CONTENT_TYPE,
        http::HeaderValue::from_static("application/json"),
    );
    msg.set_content(Json::Object(body).to_string());
    ctx.set_slot(cfg.request_slot, Slot::Message(Box::new(msg)));
    for (var, value) in cfg.vars.iter().zip([project, name, region, trigger]) {
        // These are plain user variables; writing them cannot fail.
        let _ = write(ctx, var, Value::Str(value.into()));
    }
    Ok(())
}

/// One input parameter as a `ValueType` object.
fn parameter(ctx: &Ctx, meta: &PolicyMeta, param: &Param) -> Result<Json, Fault> {
    let mismatch = |var: &str, text: &str| {
        fault(
            meta,
            codes::MISMATCHED_TYPE,
            format!(
                "variable {var} of parameter {} resolved to `{text}`, which is not of type {}{}",
                param.name,
                param.kind.name(),
                if param.array { " array" } else { "" }
            ),
        )
    };
    if !param.array {
        if let Some((var_name, var)) = &param.value.reference
            && let Some(text) = ref_text(ctx, var)
        {
            let value = param
                .kind
                .parse(&text)
                .ok_or_else(|| mismatch(var_name, &text))?;
            return Ok(json!({ param.kind.scalar_key(): value }));
        }
        if param.value.text.is_empty()
            && let Some((var_name, _)) = &param.value.reference
        {
            return Err(fault(
                meta,
                codes::UNRESOLVED_VARIABLE,
                format!(
                    "unable to resolve variable {var_name} of parameter {}",
                    param.name
                ),
            ));
        }
        // Literal text: checked by the compiler, so it parses.
        let value = param
            .kind
            .parse(param.value.text)
            .unwrap_or_else(|| Json::String(param.value.text.to_owned()));
        return Ok(json!({ param.kind.scalar_key(): value }));
    }
    let resolved = param
        .value
        .reference
        .as_ref()
        .and_then(|(var_name, var)| Some((*var_name, ref_text(ctx, var)?)));
    let items = match resolved {
        Some((var_name, text)) => {
            let parsed: Vec<Json> = match serde_json::from_str::<Json>(&text) {
                Ok(Json::Array(items)) => items,
                _ => return Err(mismatch(var_name, &text)),
            };
            parsed
                .iter()
                .map(|item| param.kind.parse_json_item(item))
                .collect::<Option<Vec<_>>>()
                .ok_or_else(|| mismatch(var_name, &text))?
        }
        None => array_values(ctx, meta, param, &mismatch)?,
    };
    if items.is_empty() {
        return Err(fault(
            meta,
            codes::EMPTY_PARAMETER_ARRAY,
            format!("parameter array {} has no value", param.name),
        ));
    }
    let (wrapper, field) = param.kind.array_keys();
    Ok(json!({ wrapper: { field: items } }))
}

/// The `<Value>` children of a ParameterArray.
fn array_values(
    ctx: &Ctx,
    meta: &PolicyMeta,
    param: &Param,
    mismatch: &dyn Fn(&str, &str) -> Fault,
) -> Result<Vec<Json>, Fault> {
    let mut items = Vec::with_capacity(param.values.len());
    for (i, value) in param.values.iter().enumerate() {
        let Some((text, from_ref)) = resolve(ctx, value) else {
            return Err(fault(
                meta,
                codes::EMPTY_PARAMETER_ARRAY_VALUE,
                format!(
                    "value {} of parameter array {} is empty{}",
                    i + 1,
                    param.name,
                    value
                        .reference
                        .as_ref()
                        .map(|(n, _)| format!(" (variable {n} does not resolve)"))
                        .unwrap_or_default()
                ),
            ));
        };
        let parsed = param.kind.parse(&text);
        match (parsed, from_ref) {
            (Some(v), _) => items.push(v),
            (None, true) => {
                let var = value.reference.as_ref().map_or("", |(n, _)| n);
                return Err(mismatch(var, &text));
            }
            (None, false) => items.push(Json::String(text)),
        }
    }
    Ok(items)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_each_type() {
        assert_eq!(ParamType::Integer.parse(" 42 "), Some(json!("42")));
        assert_eq!(ParamType::Integer.parse("abc"), None);
        assert_eq!(ParamType::Integer.parse("1.5"), None);
        assert_eq!(ParamType::Boolean.parse("TRUE"), Some(json!(true)));
        assert_eq!(ParamType::Boolean.parse("yes"), None);
        assert_eq!(ParamType::Double.parse("1.5"), Some(json!(1.5)));
        assert_eq!(ParamType::Double.parse("NaN"), None);
        assert_eq!(ParamType::Json.parse("{\"a\":1}"), Some(json!("{\"a\":1}")));
        assert_eq!(ParamType::Json.parse("{"), None);
        assert_eq!(ParamType::String.parse(" x "), Some(json!(" x ")));
    }

    #[test]
    fn array_elements_from_json() {
        assert_eq!(
            ParamType::Integer.parse_json_item(&json!(3)),
            Some(json!("3"))
        );
        assert_eq!(
            ParamType::Integer.parse_json_item(&json!("4")),
            Some(json!("4"))
        );
        assert_eq!(ParamType::Integer.parse_json_item(&json!(1.5)), None);
        assert_eq!(ParamType::String.parse_json_item(&json!(1)), None);
        assert_eq!(
            ParamType::Boolean.parse_json_item(&json!(false)),
            Some(json!(false))
        );
    }

    #[test]
    fn triggers_and_segments() {
        assert_eq!(trigger_id("orders"), "api_trigger/orders");
        assert_eq!(trigger_id("api_trigger/orders"), "api_trigger/orders");
        assert!(is_path_segment("us-central1"));
        assert!(!is_path_segment("a/b"));
        assert!(!is_path_segment(""));
        assert!(is_schedule_time("2022-01-15T01:30:15Z"));
        assert!(!is_schedule_time("tomorrow"));
    }
}
