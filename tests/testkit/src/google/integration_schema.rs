//! Strict validation of `ExecuteIntegrationsRequest` / `ScheduleIntegrationsRequest`
//! bodies, decoding `inputParameters` (ValueType wrappers) into plain JSON values.

use serde_json::{Map, Number, Value};
use time::OffsetDateTime;
use time::format_description::well_known::Rfc3339;

use super::api_error::{ApiError, GoogleStatus};

/// Which method the body is for.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Method {
    /// `:execute` (synchronous).
    Execute,
    /// `:schedule` (asynchronous).
    Schedule,
}

/// A validated request body.
#[derive(Debug)]
pub(crate) struct ParsedBody {
    pub(crate) trigger_id: String,
    pub(crate) inputs: Map<String, Value>,
    pub(crate) request_id: Option<String>,
    pub(crate) do_not_propagate_error: bool,
    pub(crate) schedule_time: Option<String>,
}

const TRIGGER_PREFIX: &str = "api_trigger/";
const MAX_REQUEST_ID_LEN: usize = 36;

/// Validates `body` for `method`; every violation is 400 INVALID_ARGUMENT except resuming
/// an execution (`executionId`), which is FAILED_PRECONDITION (nothing is ever on hold).
pub(crate) fn parse(body: &Value, method: Method) -> Result<ParsedBody, ApiError> {
    let object = body
        .as_object()
        .ok_or_else(|| invalid("Invalid JSON payload received. The body must be a JSON object."))?;
    let allowed: &[&str] = match method {
        Method::Execute => &[
            "triggerId",
            "trigger_id",
            "inputParameters",
            "requestId",
            "doNotPropagateError",
            "executionId",
        ],
        Method::Schedule => &[
            "triggerId",
            "trigger_id",
            "inputParameters",
            "requestId",
            "scheduleTime",
        ],
    };
    for key in object.keys() {
        if matches!(key.as_str(), "parameterEntries" | "parameters") {
            return Err(invalid(format!(
                "Legacy field \"{key}\" is not supported by the local server; use inputParameters."
            )));
        }
        if !allowed.contains(&key.as_str()) {
            return Err(invalid(format!(
                "Invalid JSON payload received. Unknown name \"{key}\": Cannot find field."
            )));
        }
    }
    if object.contains_key("triggerId") && object.contains_key("trigger_id") {
        return Err(invalid(
            "triggerId is given twice (triggerId and trigger_id).",
        ));
    }
    let trigger_id = object
        .get("triggerId")
        .or_else(|| object.get("trigger_id"))
        .ok_or_else(|| invalid("triggerId is required."))?
        .as_str()
        .filter(|t| {
            t.strip_prefix(TRIGGER_PREFIX)
                .is_some_and(|name| !name.is_empty())
        })
        .ok_or_else(|| invalid("triggerId must be of the form api_trigger/TRIGGER_NAME."))?
        .to_owned();
    let inputs = match object.get("inputParameters") {
        None => Map::new(),
        Some(Value::Object(params)) => decode_parameters(params)?,
        Some(_) => return Err(invalid("inputParameters must be an object.")),
    };
    let request_id = match object.get("requestId") {
        None => None,
        Some(value) => Some(request_id(value)?),
    };
    let do_not_propagate_error = match object.get("doNotPropagateError") {
        None => false,
        Some(value) => value
            .as_bool()
            .ok_or_else(|| invalid("doNotPropagateError must be a boolean."))?,
    };
    if let Some(execution_id) = object.get("executionId") {
        let id = execution_id
            .as_str()
            .ok_or_else(|| invalid("executionId must be a string."))?;
        return Err(ApiError::new(
            GoogleStatus::FailedPrecondition,
            format!("Execution {id} is not suspended; nothing to resume."),
        ));
    }
    let schedule_time = match object.get("scheduleTime") {
        None => None,
        Some(value) => {
            let text = value
                .as_str()
                .filter(|t| OffsetDateTime::parse(t, &Rfc3339).is_ok())
                .ok_or_else(|| invalid("scheduleTime must be an RFC 3339 timestamp."))?;
            Some(text.to_owned())
        }
    };
    Ok(ParsedBody {
        trigger_id,
        inputs,
        request_id,
        do_not_propagate_error,
        schedule_time,
    })
}

fn request_id(value: &Value) -> Result<String, ApiError> {
    value
        .as_str()
        .filter(|id| {
            !id.is_empty()
                && id.len() <= MAX_REQUEST_ID_LEN
                && id.chars().all(|c| c.is_ascii_alphanumeric() || c == '-')
        })
        .map(str::to_owned)
        .ok_or_else(|| invalid("requestId must be 1-36 characters of [A-Za-z0-9-]."))
}

fn decode_parameters(params: &Map<String, Value>) -> Result<Map<String, Value>, ApiError> {
    let mut decoded = Map::new();
    for (name, wrapper) in params {
        if name.is_empty() {
            return Err(invalid("inputParameters names must not be empty."));
        }
        let value = decode_value(wrapper)
            .map_err(|why| invalid(format!("inputParameters[\"{name}\"]: {why}")))?;
        decoded.insert(name.clone(), value);
    }
    Ok(decoded)
}

/// Decodes one `ValueType` (exactly one member set) into a plain JSON value.
fn decode_value(wrapper: &Value) -> Result<Value, String> {
    const ONE_OF: &str = "exactly one of stringValue, intValue, doubleValue, booleanValue, \
                          jsonValue, stringArray, intArray, doubleArray, booleanArray is required";
    let members = wrapper
        .as_object()
        .ok_or("a ValueType object is required")?;
    let mut iter = members.iter();
    let (Some((kind, inner)), None) = (iter.next(), iter.next()) else {
        return Err(ONE_OF.to_owned());
    };
    match kind.as_str() {
        "stringValue" => string(inner).ok_or("stringValue must be a string".into()),
        "intValue" => int64(inner).ok_or("intValue must be an int64 (string or integer)".into()),
        "doubleValue" => double(inner).ok_or("doubleValue must be a number".into()),
        "booleanValue" => boolean(inner).ok_or("booleanValue must be a boolean".into()),
        "jsonValue" => {
            let text = inner.as_str().ok_or("jsonValue must be a string")?;
            serde_json::from_str(text).map_err(|_| "jsonValue must contain valid JSON".into())
        }
        "stringArray" => array(inner, "stringValues", string),
        "intArray" => array(inner, "intValues", int64),
        "doubleArray" => array(inner, "doubleValues", double),
        "booleanArray" => array(inner, "booleanValues", boolean),
        _ => Err(format!("unknown member \"{kind}\"; {ONE_OF}")),
    }
}

/// Decodes `{"<field>": [..]}` (field optional ⇒ empty) with `element` for each item.
fn array(
    inner: &Value,
    field: &str,
    element: fn(&Value) -> Option<Value>,
) -> Result<Value, String> {
    let object = inner
        .as_object()
        .ok_or_else(|| format!("an object {{\"{field}\": [...]}} is required"))?;
    if let Some(other) = object.keys().find(|k| *k != field) {
        return Err(format!(
            "unknown member \"{other}\"; only \"{field}\" is allowed"
        ));
    }
    let items = match object.get(field) {
        None => return Ok(Value::Array(Vec::new())),
        Some(Value::Array(items)) => items,
        Some(_) => return Err(format!("{field} must be an array")),
    };
    items
        .iter()
        .map(|item| {
            element(item).ok_or_else(|| format!("{field} has an element of the wrong type"))
        })
        .collect::<Result<Vec<_>, _>>()
        .map(Value::Array)
}

fn string(value: &Value) -> Option<Value> {
    value.as_str().map(|s| Value::String(s.to_owned()))
}

/// proto3 JSON int64: a decimal string (the canonical form) or an integral number.
fn int64(value: &Value) -> Option<Value> {
    let parsed = match value {
        Value::String(text) => text.parse::<i64>().ok(),
        Value::Number(number) => number.as_i64(),
        _ => None,
    };
    parsed.map(|n| Value::Number(Number::from(n)))
}

fn double(value: &Value) -> Option<Value> {
    value.is_number().then(|| value.clone())
}

fn boolean(value: &Value) -> Option<Value> {
    value.as_bool().map(Value::Bool)
}

fn invalid(message: impl Into<String>) -> ApiError {
    ApiError::invalid_argument(message)
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn decodes_every_value_type() {
        let body = json!({
            "triggerId": "api_trigger/t",
            "inputParameters": {
                "s": {"stringValue": "x"},
                "i": {"intValue": "-42"},
                "n": {"intValue": 7},
                "d": {"doubleValue": 1.5},
                "b": {"booleanValue": true},
                "j": {"jsonValue": "{\"a\":[1]}"},
                "sa": {"stringArray": {"stringValues": ["a", "b"]}},
                "ia": {"intArray": {"intValues": ["1", 2]}},
                "da": {"doubleArray": {"doubleValues": [0.5]}},
                "ba": {"booleanArray": {}},
            }
        });
        let parsed = parse(&body, Method::Execute).expect("valid");
        assert_eq!(
            Value::Object(parsed.inputs),
            json!({"s": "x", "i": -42, "n": 7, "d": 1.5, "b": true, "j": {"a": [1]},
                   "sa": ["a", "b"], "ia": [1, 2], "da": [0.5], "ba": []})
        );
    }

    #[test]
    fn int64_rejects_fractions_and_overflow() {
        assert!(int64(&json!(1.5)).is_none());
        assert!(int64(&json!("9223372036854775808")).is_none());
        assert!(int64(&json!("1e3")).is_none());
        assert_eq!(int64(&json!("9223372036854775807")), Some(json!(i64::MAX)));
    }
}
