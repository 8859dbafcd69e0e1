//! The value of a flow variable as conditions and templates see it.

use std::borrow::Cow;
use std::fmt;

/// A flow-variable value. Typed the way Apigee types its variables: most
/// variables are strings, some built-ins are integers (`response.status.code`,
/// `*.count`), longs (`system.timestamp`) or booleans (`target.copy.pathsuffix`).
/// An unresolved variable reads as [`Value::Null`].
#[derive(Debug, Clone, PartialEq)]
pub enum Value<'a> {
    /// Unresolved, unset or out of scope.
    Null,
    /// `true` / `false`.
    Bool(bool),
    /// Java `int`.
    Int(i32),
    /// Java `long`.
    Long(i64),
    /// Java `float`.
    Float(f32),
    /// Java `double`.
    Double(f64),
    /// Text, borrowed from the message or variable store where possible.
    Str(Cow<'a, str>),
}

impl<'a> Value<'a> {
    /// A borrowed string value.
    pub fn str(s: &'a str) -> Self {
        Value::Str(Cow::Borrowed(s))
    }

    /// `Some(s)` for a present value; `None` for [`Value::Null`].
    pub fn from_opt_str(s: Option<&'a str>) -> Self {
        s.map_or(Value::Null, Value::str)
    }

    /// Whether the value is unresolved.
    pub fn is_null(&self) -> bool {
        matches!(self, Value::Null)
    }

    /// Detaches the value from what it borrows.
    pub fn into_owned(self) -> Value<'static> {
        match self {
            Value::Null => Value::Null,
            Value::Bool(b) => Value::Bool(b),
            Value::Int(i) => Value::Int(i),
            Value::Long(l) => Value::Long(l),
            Value::Float(f) => Value::Float(f),
            Value::Double(d) => Value::Double(d),
            Value::Str(s) => Value::Str(Cow::Owned(s.into_owned())),
        }
    }

    /// Like [`Self::to_text`], keeping a borrowed string borrowed from where
    /// the value came from.
    pub fn into_text(self) -> Option<Cow<'a, str>> {
        match self {
            Value::Null => None,
            Value::Str(s) => Some(s),
            other => Some(Cow::Owned(other.to_string())),
        }
    }

    /// The text a template inserts for this value (Java `toString` form);
    /// `None` when unresolved.
    pub fn to_text(&self) -> Option<Cow<'_, str>> {
        match self {
            Value::Null => None,
            Value::Str(s) => Some(Cow::Borrowed(s.as_ref())),
            other => Some(Cow::Owned(other.to_string())),
        }
    }
}

impl fmt::Display for Value<'_> {
    /// Java `toString` rendering; `null` for an unresolved value.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Value::Null => f.write_str("null"),
            Value::Bool(b) => write!(f, "{b}"),
            Value::Int(i) => f.write_str(itoa::Buffer::new().format(*i)),
            Value::Long(l) => f.write_str(itoa::Buffer::new().format(*l)),
            Value::Float(x) => write_java_float(f, f64::from(*x)),
            Value::Double(x) => write_java_float(f, *x),
            Value::Str(s) => f.write_str(s),
        }
    }
}

/// Java prints whole floating-point numbers with a trailing `.0`.
fn write_java_float(f: &mut fmt::Formatter<'_>, x: f64) -> fmt::Result {
    if x.is_finite() && x.fract() == 0.0 && x.abs() < 1e16 {
        write!(f, "{x:.1}")
    } else {
        write!(f, "{x}")
    }
}
