//! The `ExecuteIntegrationsRequest` body of SetIntegrationRequest, written as
//! JSON text straight into one buffer, with no `serde_json::Value` in between.
//!
//! Its keys come in sorted order, as serializing a `serde_json::Map` gives
//! them: `inputParameters` (its parameters in [`Config::key_order`]),
//! `requestId`, `scheduleTime`, `triggerId`. Strings and numbers go through
//! serde_json's serializer, so the text is exactly that of the equivalent
//! `serde_json::Value`.

use super::{Config, Param, ParamType, Prop, codes, fault, is_schedule_time, ref_text, resolve};
use crate::ctx::Ctx;
use crate::fault::Fault;
use crate::flow::PolicyMeta;
use crate::template::json_path::is_json_document;
use serde::ser::Serialize;
use serde_json::{Number, Value as Json};

/// The `ExecuteIntegrationsRequest` JSON text (keys in the order the module
/// documentation gives). Parameters, then `ScheduleTime`, are checked as the
/// text is written; a fault discards it.
pub(super) fn build(
    ctx: &Ctx,
    meta: &PolicyMeta,
    cfg: &Config,
    trigger: &str,
) -> Result<Vec<u8>, Fault> {
    let mut body = Body(Vec::with_capacity(
        BODY_BASE + trigger.len() + BODY_PER_PARAM * cfg.params.len(),
    ));
    body.raw("{");
    if !cfg.key_order.is_empty() {
        body.raw("\"inputParameters\":{");
        let params = cfg.key_order.iter().filter_map(|&i| cfg.params.get(i));
        for (n, param) in params.enumerate() {
            if n > 0 {
                body.raw(",");
            }
            body.json(param.name);
            body.raw(":");
            if let Err(fault) = write_param(&mut body, ctx, meta, param) {
                return Err(first_param_fault(ctx, meta, cfg).unwrap_or(fault));
            }
        }
        body.raw("},");
    }
    body.raw("\"requestId\":\"");
    body.raw(
        uuid::Uuid::new_v4()
            .hyphenated()
            .encode_lower(&mut uuid::Uuid::encode_buffer()),
    );
    body.raw("\"");
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
        body.raw(",\"scheduleTime\":");
        body.json(text.trim());
    }
    body.raw(",\"triggerId\":");
    body.json(trigger);
    body.raw("}");
    Ok(body.0)
}

/// The body's JSON text, written in place: punctuation and fixed keys as they
/// are, every string and number through serde_json's serializer (its escaping
/// and number formatting).
struct Body(Vec<u8>);

impl Body {
    /// Text that needs no escaping.
    fn raw(&mut self, text: &str) {
        self.0.extend_from_slice(text.as_bytes());
    }

    /// A string, number or boolean as JSON.
    fn json<T: Serialize + ?Sized>(&mut self, value: &T) {
        // ok: serializing a string, number or boolean into a Vec cannot fail
        let _ = serde_json::to_writer(&mut self.0, value);
    }

    /// `{"key":` opening a one-member object.
    fn open(&mut self, key: &str) {
        self.raw("{\"");
        self.raw(key);
        self.raw("\":");
    }
}

/// Initial body capacity besides the trigger and the parameters: braces, the
/// fixed keys, the request id and a schedule time (the buffer grows if needed).
const BODY_BASE: usize = 128;

/// Initial body capacity per parameter: its name, type key and a short value.
const BODY_PER_PARAM: usize = 64;

/// Writes one input parameter's `ValueType` object: `{"stringValue":"…"}`,
/// `{"intArray":{"intValues":["1","2"]}}`, …
fn write_param(body: &mut Body, ctx: &Ctx, meta: &PolicyMeta, param: &Param) -> Result<(), Fault> {
    if param.array {
        return write_array(body, ctx, meta, param);
    }
    let value = &param.value;
    if let Some((var_name, var)) = &value.reference {
        if let Some(text) = ref_text(ctx, var) {
            let scalar = param
                .kind
                .parse(&text)
                .ok_or_else(|| mismatch(meta, param, var_name, &text))?;
            write_scalar(body, param.kind, scalar);
            return Ok(());
        }
        if value.text.is_empty() {
            return Err(fault(
                meta,
                codes::UNRESOLVED_VARIABLE,
                format!(
                    "unable to resolve variable {var_name} of parameter {}",
                    param.name
                ),
            ));
        }
    }
    // Literal text, checked by the compiler (text not of the type would go
    // as a string).
    let scalar = param
        .kind
        .parse(value.text)
        .unwrap_or(Scalar::Str(value.text));
    write_scalar(body, param.kind, scalar);
    Ok(())
}

/// `{"<type>Value":<value>}`.
fn write_scalar(body: &mut Body, kind: ParamType, scalar: Scalar<'_>) {
    body.open(kind.scalar_key());
    scalar.write(body);
    body.raw("}");
}

/// A ParameterArray: `{"<type>Array":{"<type>Values":[…]}}` from the JSON
/// array its `ref` names, else from its `<Value>` children.
fn write_array(body: &mut Body, ctx: &Ctx, meta: &PolicyMeta, param: &Param) -> Result<(), Fault> {
    let (wrapper, field) = param.kind.array_keys();
    let resolved = param
        .value
        .reference
        .as_ref()
        .and_then(|(var_name, var)| Some((*var_name, ref_text(ctx, var)?)));
    body.open(wrapper);
    body.open(field);
    body.raw("[");
    match resolved {
        Some((var_name, text)) => {
            let Ok(items) = serde_json::from_str::<Vec<Json>>(&text) else {
                return Err(mismatch(meta, param, var_name, &text));
            };
            if items.is_empty() {
                return Err(empty_array(meta, param));
            }
            for (i, item) in items.iter().enumerate() {
                if i > 0 {
                    body.raw(",");
                }
                param
                    .kind
                    .parse_json_item(item)
                    .ok_or_else(|| mismatch(meta, param, var_name, &text))?
                    .write(body);
            }
        }
        None => {
            if param.values.is_empty() {
                return Err(empty_array(meta, param));
            }
            for (i, value) in param.values.iter().enumerate() {
                if i > 0 {
                    body.raw(",");
                }
                let Some((text, from_ref)) = resolve(ctx, value) else {
                    return Err(empty_array_value(meta, param, i, value));
                };
                match param.kind.parse(&text) {
                    Some(scalar) => scalar.write(body),
                    None if from_ref => {
                        let var = value.reference.as_ref().map_or("", |(n, _)| n);
                        return Err(mismatch(meta, param, var, &text));
                    }
                    // Literal text, checked by the compiler, as above.
                    None => Scalar::Str(&text).write(body),
                }
            }
        }
    }
    body.raw("]}}");
    Ok(())
}

/// Once some parameter has failed: the fault of the first failing parameter
/// in document order, so that which fault a request gets does not depend on
/// the key order the body is written in.
fn first_param_fault(ctx: &Ctx, meta: &PolicyMeta, cfg: &Config) -> Option<Fault> {
    let mut scratch = Body(Vec::new());
    cfg.params
        .iter()
        .find_map(|param| write_param(&mut scratch, ctx, meta, param).err())
}

/// `MismatchedTypeAndResolvedRef`: variable `var` of `param` resolved to `text`.
fn mismatch(meta: &PolicyMeta, param: &Param, var: &str, text: &str) -> Fault {
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
}

/// `EmptyParameterArray`.
fn empty_array(meta: &PolicyMeta, param: &Param) -> Fault {
    fault(
        meta,
        codes::EMPTY_PARAMETER_ARRAY,
        format!("parameter array {} has no value", param.name),
    )
}

/// `EmptyParameterArrayValue` for the `index`th (from 0) `<Value>`.
fn empty_array_value(meta: &PolicyMeta, param: &Param, index: usize, value: &Prop) -> Fault {
    let unresolved = match &value.reference {
        Some((name, _)) => format!(" (variable {name} does not resolve)"),
        None => String::new(),
    };
    fault(
        meta,
        codes::EMPTY_PARAMETER_ARRAY_VALUE,
        format!(
            "value {} of parameter array {} is empty{unresolved}",
            index + 1,
            param.name,
        ),
    )
}

/// A parameter value converted to its declared type, borrowing its text.
#[derive(Debug, Clone, Copy, PartialEq)]
enum Scalar<'a> {
    /// A string (also a `json` document, sent as a string).
    Str(&'a str),
    /// An integer, sent as a decimal string (the API's int64 form).
    Int(i64),
    /// A boolean.
    Bool(bool),
    /// A finite double.
    Double(f64),
    /// A number from a JSON array, as parsed (an integer stays an integer).
    Number(&'a Number),
}

impl Scalar<'_> {
    fn write(self, body: &mut Body) {
        match self {
            Scalar::Str(s) => body.json(s),
            Scalar::Int(n) => {
                body.raw("\"");
                body.json(&n);
                body.raw("\"");
            }
            Scalar::Bool(b) => body.json(&b),
            Scalar::Double(d) => body.json(&d),
            Scalar::Number(n) => body.json(n),
        }
    }
}

impl ParamType {
    /// Converts text to a value of this type (`None`: not of this type).
    /// Integers, booleans and doubles may be surrounded by whitespace; a
    /// string or a `json` document is kept as it is.
    fn parse(self, text: &str) -> Option<Scalar<'_>> {
        match self {
            ParamType::String => Some(Scalar::Str(text)),
            ParamType::Integer => crate::text::trim(text).parse().ok().map(Scalar::Int),
            ParamType::Boolean => {
                let text = crate::text::trim(text);
                if text.eq_ignore_ascii_case("true") {
                    Some(Scalar::Bool(true))
                } else if text.eq_ignore_ascii_case("false") {
                    Some(Scalar::Bool(false))
                } else {
                    None
                }
            }
            ParamType::Double => crate::text::trim(text)
                .parse::<f64>()
                .ok()
                .filter(|d| d.is_finite())
                .map(Scalar::Double),
            ParamType::Json => is_json_document(text).then_some(Scalar::Str(text)),
        }
    }

    /// Converts an element of a JSON array (from a ParameterArray `ref`).
    fn parse_json_item(self, item: &Json) -> Option<Scalar<'_>> {
        match (self, item) {
            (ParamType::String, Json::String(s)) => Some(Scalar::Str(s)),
            (ParamType::Integer, Json::Number(n)) => n.as_i64().map(Scalar::Int),
            (ParamType::Double, Json::Number(n)) => Some(Scalar::Number(n)),
            (ParamType::Boolean, Json::Bool(b)) => Some(Scalar::Bool(*b)),
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

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn parses_each_type() {
        assert_eq!(ParamType::Integer.parse(" 42 "), Some(Scalar::Int(42)));
        assert_eq!(ParamType::Integer.parse("abc"), None);
        assert_eq!(ParamType::Integer.parse("1.5"), None);
        assert_eq!(ParamType::Boolean.parse("TRUE"), Some(Scalar::Bool(true)));
        assert_eq!(ParamType::Boolean.parse("yes"), None);
        assert_eq!(ParamType::Double.parse("1.5"), Some(Scalar::Double(1.5)));
        assert_eq!(ParamType::Double.parse("NaN"), None);
        assert_eq!(ParamType::Double.parse("1e400"), None);
        let doc = "{\"a\":1}";
        assert_eq!(ParamType::Json.parse(doc), Some(Scalar::Str(doc)));
        assert_eq!(ParamType::Json.parse("{"), None);
        assert_eq!(ParamType::String.parse(" x "), Some(Scalar::Str(" x ")));
    }

    #[test]
    fn array_elements_from_json() {
        let three = json!(3);
        let int = ParamType::Integer;
        assert_eq!(int.parse_json_item(&three), Some(Scalar::Int(3)));
        assert_eq!(int.parse_json_item(&json!("4")), Some(Scalar::Int(4)));
        assert_eq!(int.parse_json_item(&json!(1.5)), None);
        assert_eq!(ParamType::String.parse_json_item(&three), None);
        let no = json!(false);
        assert_eq!(
            ParamType::Boolean.parse_json_item(&no),
            Some(Scalar::Bool(false))
        );
        assert!(matches!(
            ParamType::Double.parse_json_item(&three),
            Some(Scalar::Number(n)) if n.is_u64()
        ));
    }

    #[test]
    fn json_parameters_are_checked_like_a_value_parse() {
        let deep = format!("{}{}", "[".repeat(200), "]".repeat(200));
        let docs = [
            "{\"a\":[1,2.5e3,null,true,\"x\"]}",
            " 1 ",
            "-0",
            "1e400",
            "18446744073709551616",
            "\"\\ud800\"",
            "\"\\ud83d\\ude00\"",
            "\"\\x\"",
            "{\"a\":1,\"a\":2}",
            "{\"a\" 1}",
            "{1:2}",
            "[1,]",
            "[1] x",
            "tru",
            "",
            &deep,
        ];
        for doc in docs {
            assert_eq!(
                is_json_document(doc),
                serde_json::from_str::<Json>(doc).is_ok(),
                "{doc}"
            );
        }
    }
}
