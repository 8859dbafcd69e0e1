//! Run-time side of Apigee message templates: the [`Unresolved`] marker a
//! compiled template returns, and the template functions ([`tfn`]) that
//! generated code calls.
//!
//! Calling convention of every function in [`tfn`]: each argument is an
//! `Option<&str>` — `Some(text)` for a literal or a resolved variable,
//! `None` for an unresolved variable or an absent optional argument. Every
//! function returns a `String` ("" when there is no result) and never panics.

mod digest;
mod java_replacement;
pub(crate) mod json_path;
mod jsonpath_compat;
mod random;
mod regex_fns;
mod text;
mod time_fmt;
mod time_pattern;
mod xpath;
mod xpath_guard;

use std::error::Error;
use std::fmt;

/// A template referenced a variable that did not resolve (and had no
/// `:default`); holds the variable name. The hosting policy decides whether
/// that is a fault (`IgnoreUnresolvedVariables=false`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct Unresolved(pub &'static str);

impl fmt::Display for Unresolved {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "unresolved variable `{}`", self.0)
    }
}

impl Error for Unresolved {}

/// The text of a template that is one variable reference, borrowed from
/// where the variable lives; `Unresolved(name)` when it does not resolve.
pub fn var_text<'a>(
    value: crate::value::Value<'a>,
    name: &'static str,
) -> Result<std::borrow::Cow<'a, str>, Unresolved> {
    value.into_text().ok_or(Unresolved(name))
}

/// Like [`var_text`], with `default` when the variable does not resolve.
pub fn var_text_or<'a>(
    value: crate::value::Value<'a>,
    default: &'static str,
) -> std::borrow::Cow<'a, str> {
    value
        .into_text()
        .unwrap_or(std::borrow::Cow::Borrowed(default))
}

/// Appends a variable's text to a template being rendered; returns whether
/// the variable resolved (an unresolved one appends nothing).
#[inline]
pub fn push_value(out: &mut String, value: &crate::value::Value<'_>) -> bool {
    use crate::value::Value;
    match value {
        Value::Null => false,
        Value::Str(s) => {
            out.push_str(s);
            true
        }
        other => {
            push_scalar(out, other);
            true
        }
    }
}

/// Appends the Java text of a non-string value; integers are written in
/// place, without making a `String` to copy.
fn push_scalar(out: &mut String, value: &crate::value::Value<'_>) {
    use crate::value::Value;
    match value {
        Value::Int(i) => out.push_str(itoa::Buffer::new().format(*i)),
        Value::Long(l) => out.push_str(itoa::Buffer::new().format(*l)),
        other => {
            use std::fmt::Write as _;
            // Writing into a `String` cannot fail.
            let _ = write!(out, "{other}");
        }
    }
}

/// The template functions, one per Apigee function name (`sha256Hex` →
/// [`tfn::sha256_hex`]); `*_compiled` variants take a literal argument
/// compiled once by generated code.
pub mod tfn {
    pub use super::digest::{
        decode_base64, encode_base64, hmac_md5, hmac_sha1, hmac_sha224, hmac_sha256, hmac_sha384,
        hmac_sha512, md5_base64, md5_hex, sha1_base64, sha1_hex, sha256_base64, sha256_hex,
        sha384_base64, sha384_hex, sha512_base64, sha512_hex,
    };
    pub use super::json_path::{
        CompiledJsonPath, MemberPaths, Reach, json_path, json_path_compiled,
    };
    pub use super::random::{XegerPattern, create_uuid, random_long, xeger, xeger_compiled};
    pub use super::regex_fns::{
        CompiledRegex, replace_all, replace_all_compiled, replace_first, replace_first_compiled,
    };
    pub use super::text::{
        encode_html, escape_json, escape_xml, escape_xml11, firstnonnull, substring, to_lower_case,
        to_upper_case,
    };
    pub use super::time_fmt::{time_format, time_format_ms, time_format_utc, time_format_utc_ms};
    pub use super::xpath::xpath;
}

#[cfg(test)]
mod tests {
    use super::push_value;
    use crate::value::Value;
    use proptest::prelude::*;

    fn value() -> impl Strategy<Value = Value<'static>> {
        prop_oneof![
            Just(Value::Null),
            any::<bool>().prop_map(Value::Bool),
            any::<i32>().prop_map(Value::Int),
            any::<i64>().prop_map(Value::Long),
            any::<f32>().prop_map(Value::Float),
            any::<f64>().prop_map(Value::Double),
            "[a-z é]{0,4}".prop_map(|s| Value::Str(s.into())),
        ]
    }

    proptest! {
        /// A value is appended as its text (its Java `toString`); an
        /// unresolved one appends nothing.
        #[test]
        fn push_value_appends_the_values_text(v in value()) {
            let mut out = String::from("<");
            let resolved = push_value(&mut out, &v);
            let text = v.to_text();
            prop_assert_eq!(resolved, text.is_some());
            prop_assert_eq!(out, format!("<{}", text.unwrap_or_default()));
        }
    }

    #[test]
    fn integers_at_their_limits() {
        for (v, text) in [
            (Value::Int(i32::MIN), "-2147483648"),
            (Value::Long(i64::MIN), "-9223372036854775808"),
            (Value::Int(0), "0"),
        ] {
            let mut out = String::new();
            push_value(&mut out, &v);
            assert_eq!(out, text);
            assert_eq!(v.to_string(), text);
        }
    }
}
