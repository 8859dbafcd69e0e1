//! Build-time evaluation: the runtime semantics (`proxyc_runtime::condition`)
//! restated over literal values, used for constant folding and as the
//! reference the tests hold generated code to. Any change here must be
//! mirrored there (the scratch cross-check compares both on every operator
//! and type pairing).

use std::cmp::Ordering;

use super::ast::{CmpOp, Expr, Number, Operand};
use super::patterns::{self, Pattern};

/// A variable's value as the runtime would see it.
#[derive(Debug, Clone, PartialEq)]
pub enum Lit {
    /// Unresolved.
    Null,
    /// `true` / `false`.
    Bool(bool),
    /// A typed number.
    Num(Number),
    /// Text.
    Str(String),
}

impl Lit {
    /// The value of a literal operand; `None` for a variable.
    pub fn of(operand: &Operand) -> Option<Lit> {
        match operand {
            Operand::Var { .. } => None,
            Operand::Str(s, _) => Some(Lit::Str(s.clone())),
            Operand::Num(n, _) => Some(Lit::Num(*n)),
            Operand::Bool(b, _) => Some(Lit::Bool(*b)),
            Operand::Null(_) => Some(Lit::Null),
        }
    }

    /// The runtime's text for the value (`Value::to_text`); `None` for null.
    pub fn text(&self) -> Option<String> {
        match self {
            Lit::Null => None,
            Lit::Bool(b) => Some(b.to_string()),
            Lit::Num(Number::Int(i)) => Some(i.to_string()),
            Lit::Num(Number::Long(l)) => Some(l.to_string()),
            Lit::Num(Number::Float(x)) => Some(float_text(f64::from(*x))),
            Lit::Num(Number::Double(x)) => Some(float_text(*x)),
            Lit::Str(s) => Some(s.clone()),
        }
    }
}

/// How the runtime's `Value` prints a float or double.
fn float_text(x: f64) -> String {
    if x.is_finite() && x.fract() == 0.0 && x.abs() < 1e16 {
        format!("{x:.1}")
    } else {
        format!("{x}")
    }
}

/// Evaluates `expr`, reading variables through `lookup`. A pattern that
/// does not compile (only possible in a hand-built tree) never matches.
pub fn eval(expr: &Expr, lookup: &mut dyn FnMut(&str) -> Lit) -> bool {
    match expr {
        Expr::Const(b, _) => *b,
        Expr::And { lhs, rhs, .. } => eval(lhs, lookup) && eval(rhs, lookup),
        Expr::Or { lhs, rhs, .. } => eval(lhs, lookup) || eval(rhs, lookup),
        Expr::Not(inner, _) => !eval(inner, lookup),
        Expr::Truthy(operand) => truthy(&value(operand, lookup)),
        Expr::Cmp {
            op,
            negated,
            lhs,
            rhs,
            ..
        } => {
            let l = value(lhs, lookup);
            let result = if op.is_pattern() {
                pattern_match(*op, &l, rhs)
            } else {
                compare_op(*op, &l, &value(rhs, lookup))
            };
            result != *negated
        }
    }
}

fn value(operand: &Operand, lookup: &mut dyn FnMut(&str) -> Lit) -> Lit {
    match operand {
        Operand::Var { name, .. } => lookup(name),
        other => Lit::of(other).unwrap_or(Lit::Null),
    }
}

/// Truthiness of a bare operand.
pub(crate) fn truthy(v: &Lit) -> bool {
    match v {
        Lit::Bool(b) => *b,
        Lit::Str(s) => s.eq_ignore_ascii_case("true"),
        _ => false,
    }
}

/// The reference's null table: (lhs null, rhs null, both null).
fn null_row(op: CmpOp) -> (bool, bool, bool) {
    match op {
        CmpOp::Eq | CmpOp::EqCi => (false, false, true),
        CmpOp::Ne => (true, true, false),
        CmpOp::Gt | CmpOp::Lt => (true, false, false),
        CmpOp::Ge => (false, true, true),
        CmpOp::Le => (true, false, true),
        _ => (false, false, false),
    }
}

fn compare_op(op: CmpOp, l: &Lit, r: &Lit) -> bool {
    let (lhs_null, rhs_null, both_null) = null_row(op);
    match (l, r) {
        (Lit::Null, Lit::Null) => return both_null,
        (Lit::Null, _) => return lhs_null,
        (_, Lit::Null) => return rhs_null,
        _ => {}
    }
    match op {
        CmpOp::Eq => compare(l, r).is_eq(),
        CmpOp::Ne => compare(l, r).is_ne(),
        CmpOp::EqCi => match adapt(l, r) {
            Common::Text(a, b) => equals_ignore_case(&a, &b),
            _ => compare(l, r).is_eq(),
        },
        CmpOp::Gt => compare(l, r).is_gt(),
        CmpOp::Ge => compare(l, r).is_ge(),
        CmpOp::Lt => compare(l, r).is_lt(),
        CmpOp::Le => compare(l, r).is_le(),
        _ => {
            let (a, b) = (l.text().unwrap_or_default(), r.text().unwrap_or_default());
            a.starts_with(&b)
        }
    }
}

fn pattern_match(op: CmpOp, l: &Lit, rhs: &Operand) -> bool {
    let Some(text) = l.text() else {
        return false; // null table: a null left operand never matches
    };
    let compiled = patterns::pattern_text(rhs).and_then(|p| patterns::compile(op, &p).ok());
    let re = match compiled {
        Some(Pattern::Glob(parts)) => patterns::glob_regex(&parts, op == CmpOp::MatchesCi),
        Some(Pattern::Path(segs)) => patterns::path_regex(&segs),
        Some(Pattern::Regex(re)) => re,
        None => return false,
    };
    regex::Regex::new(&re).is_ok_and(|re| re.is_match(&text))
}

/// Both operands adapted to one type.
enum Common {
    Bool(bool, bool),
    Int(i32, i32),
    Long(i64, i64),
    Float(f32, f32),
    Double(f64, f64),
    Text(String, String),
}

/// Widening rank: bool 0, int 1, long 2, float 3, double 4; `None` for text.
fn rank(v: &Lit) -> Option<u8> {
    match v {
        Lit::Bool(_) => Some(0),
        Lit::Num(Number::Int(_)) => Some(1),
        Lit::Num(Number::Long(_)) => Some(2),
        Lit::Num(Number::Float(_)) => Some(3),
        Lit::Num(Number::Double(_)) => Some(4),
        Lit::Null | Lit::Str(_) => None,
    }
}

fn as_i64(v: &Lit) -> i64 {
    match v {
        Lit::Bool(b) => i64::from(*b),
        Lit::Num(Number::Int(i)) => i64::from(*i),
        Lit::Num(Number::Long(l)) => *l,
        _ => 0,
    }
}

#[allow(clippy::cast_possible_truncation)] // only called when both sides fit in int
fn as_i32(v: &Lit) -> i32 {
    as_i64(v) as i32
}

#[allow(clippy::cast_precision_loss)] // Java's lossy long → float widening
fn as_f32(v: &Lit) -> f32 {
    match v {
        Lit::Num(Number::Float(x)) => *x,
        other => as_i64(other) as f32,
    }
}

#[allow(clippy::cast_precision_loss)] // Java's lossy long → double widening
fn as_f64(v: &Lit) -> f64 {
    match v {
        Lit::Num(Number::Double(x)) => *x,
        Lit::Num(Number::Float(x)) => f64::from(*x),
        other => as_i64(other) as f64,
    }
}

/// A string parsed as a number of `like`'s type (see the runtime's rule).
fn parse_like(s: &str, like: &Lit) -> Option<Lit> {
    let decimal = !s.is_empty()
        && s.bytes()
            .all(|b| b.is_ascii_digit() || matches!(b, b'+' | b'-' | b'.' | b'e' | b'E'));
    let n = match like {
        Lit::Num(Number::Int(_)) => Number::Int(s.parse().ok()?),
        Lit::Num(Number::Long(_)) => Number::Long(s.parse().ok()?),
        Lit::Num(Number::Float(_)) if decimal => Number::Float(s.parse().ok()?),
        Lit::Num(Number::Double(_)) if decimal => Number::Double(s.parse().ok()?),
        _ => return None,
    };
    Some(Lit::Num(n))
}

fn adapt(l: &Lit, r: &Lit) -> Common {
    let text = || Common::Text(l.text().unwrap_or_default(), r.text().unwrap_or_default());
    let is_number = |v: &Lit| matches!(v, Lit::Num(_));
    match (l, r) {
        (Lit::Str(s), num) if is_number(num) => {
            parse_like(s, num).map_or_else(text, |p| numeric(&p, num))
        }
        (num, Lit::Str(s)) if is_number(num) => {
            parse_like(s, num).map_or_else(text, |p| numeric(num, &p))
        }
        _ if rank(l).is_some() && rank(r).is_some() => numeric(l, r),
        _ => text(),
    }
}

fn numeric(l: &Lit, r: &Lit) -> Common {
    match rank(l).max(rank(r)) {
        Some(4) => Common::Double(as_f64(l), as_f64(r)),
        Some(3) => Common::Float(as_f32(l), as_f32(r)),
        Some(2) => Common::Long(as_i64(l), as_i64(r)),
        Some(1) => Common::Int(as_i32(l), as_i32(r)),
        _ => Common::Bool(matches!(l, Lit::Bool(true)), matches!(r, Lit::Bool(true))),
    }
}

/// Java `Double.compareTo` order.
fn java_cmp(a: f64, b: f64) -> Ordering {
    match (a.is_nan(), b.is_nan()) {
        (true, true) => Ordering::Equal,
        (true, false) => Ordering::Greater,
        (false, true) => Ordering::Less,
        (false, false) => a.total_cmp(&b),
    }
}

fn compare(l: &Lit, r: &Lit) -> Ordering {
    match adapt(l, r) {
        Common::Bool(a, b) => a.cmp(&b),
        Common::Int(a, b) => a.cmp(&b),
        Common::Long(a, b) => a.cmp(&b),
        Common::Float(a, b) => java_cmp(f64::from(a), f64::from(b)),
        Common::Double(a, b) => java_cmp(a, b),
        Common::Text(a, b) => a.encode_utf16().cmp(b.encode_utf16()),
    }
}

fn equals_ignore_case(a: &str, b: &str) -> bool {
    a.chars().count() == b.chars().count()
        && a.chars().zip(b.chars()).all(|(x, y)| {
            x == y || x.to_lowercase().eq(y.to_lowercase()) || x.to_uppercase().eq(y.to_uppercase())
        })
}

/// Constant folding: comparisons and bare operands made only of literals
/// are evaluated, `not` of a constant and `not not x` simplify, and
/// `and`/`or` absorb constants (`true and x` → `x`, `false and x` →
/// `false`, `x or true` → `true`, …). Sound because conditions have no
/// side effects.
pub fn fold(expr: Expr) -> Expr {
    let span = expr.span();
    match expr {
        Expr::Cmp {
            ref lhs, ref rhs, ..
        } if Lit::of(lhs).is_some() && Lit::of(rhs).is_some() => {
            Expr::Const(eval(&expr, &mut |_| Lit::Null), span)
        }
        Expr::Truthy(ref operand) => match Lit::of(operand) {
            Some(v) => Expr::Const(truthy(&v), span),
            None => expr,
        },
        Expr::Not(inner, not_span) => match fold(*inner) {
            Expr::Const(b, _) => Expr::Const(!b, span),
            Expr::Not(x, _) => *x,
            other => Expr::Not(Box::new(other), not_span),
        },
        Expr::And {
            lhs,
            rhs,
            op_span,
            span,
        } => match (fold(*lhs), fold(*rhs)) {
            (Expr::Const(false, _), _) | (_, Expr::Const(false, _)) => Expr::Const(false, span),
            (Expr::Const(true, _), x) | (x, Expr::Const(true, _)) => x,
            (l, r) => Expr::And {
                lhs: Box::new(l),
                rhs: Box::new(r),
                op_span,
                span,
            },
        },
        Expr::Or {
            lhs,
            rhs,
            op_span,
            span,
        } => match (fold(*lhs), fold(*rhs)) {
            (Expr::Const(true, _), _) | (_, Expr::Const(true, _)) => Expr::Const(true, span),
            (Expr::Const(false, _), x) | (x, Expr::Const(false, _)) => x,
            (l, r) => Expr::Or {
                lhs: Box::new(l),
                rhs: Box::new(r),
                op_span,
                span,
            },
        },
        other => other,
    }
}
