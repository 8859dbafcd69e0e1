//! Run-time semantics of Apigee condition expressions (exposed to generated
//! code as `__private::cond`).
//!
//! The compiler turns every comparison into a call to one of the functions
//! below; patterns (`Matches`, `MatchesPath`, `JavaRegex`) arrive already
//! parsed and validated at build time, so nothing here can fail.
//!
//! # Type adaptation
//!
//! Before comparing, both operands are adapted to a common type (Apigee's
//! adaptation table):
//!
//! * two booleans compare as booleans (`false < true`);
//! * numbers widen `int → long → float → double`; a boolean meeting a number
//!   counts as `0`/`1` of the number's type;
//! * a **string meeting a number**: if the string parses as a number of the
//!   number's own type (`"404"` against an `int`, `"2.5"` against a `double`),
//!   the two are compared numerically, for equality and ordering alike — this
//!   is what makes the documented `response.status.code = "404"` (and
//!   `GreaterThan "399"`) hold. Otherwise the number is rendered the way Java
//!   prints it and the comparison is done on text;
//! * any other pairing with a string (string/string, string/boolean) compares
//!   text, ordered by UTF-16 code units like Java's `String.compareTo`.
//!
//! Floating-point values are ordered like Java's `compareTo`: `NaN` equals
//! itself and is greater than everything, `-0.0 < 0.0`.
//!
//! # Null operands
//!
//! An unresolved operand is [`Value::Null`]; the outcome then comes from the
//! reference's null table, kept verbatim in `NULL_TABLE` (see there).

use std::borrow::Cow;
use std::cmp::Ordering;

pub use crate::value::Value;
pub use regex::Regex;

/// Operators that have a row in the reference's null table.
#[derive(Clone, Copy)]
enum NullOp {
    Eq,
    StartsWith,
    Ne,
    Gt,
    Ge,
    Lt,
    Le,
    Matches,
    JavaRegex,
    MatchesPath,
}

/// One row of the null table: the result when only the left operand is
/// null, when only the right one is, and when both are.
struct NullRow {
    lhs_null: bool,
    rhs_null: bool,
    both_null: bool,
}

/// The reference's null table, row for row, indexed by [`NullOp`]. `=`,
/// `==` and `:=` share the first row. The `~`, `~~` and `~/` rows have no
/// right-hand column in the reference ("N/A"): their right operand is a
/// pattern literal the compiler never lets be null, so the `rhs_null` and
/// `both_null` cells of those rows are never consulted. The reference's
/// `!~` row (true / false / false) is the negation of the `~` row for the
/// only reachable case, a null left operand, so it needs no entry.
const NULL_TABLE: [NullRow; 10] = [
    row(false, false, true),  // =, ==, :=
    row(false, false, false), // =|
    row(true, true, false),   // !=
    row(true, false, false),  // >
    row(false, true, true),   // >=
    row(true, false, false),  // <
    row(true, false, true),   // <=
    row(false, false, false), // ~   (rhs N/A)
    row(false, false, false), // ~~  (rhs N/A)
    row(false, false, false), // ~/  (rhs N/A)
];

const fn row(lhs_null: bool, rhs_null: bool, both_null: bool) -> NullRow {
    NullRow {
        lhs_null,
        rhs_null,
        both_null,
    }
}

/// The null-table result for a pattern operator: its left-operand column
/// when the value is null.
fn null_lhs(op: NullOp, value: &Value<'_>) -> Option<bool> {
    let row = &NULL_TABLE[op as usize]; // ok: every NullOp has a row
    value.is_null().then_some(row.lhs_null)
}

/// The null-table result for `op`, or `None` when neither operand is null.
fn null_case(op: NullOp, lhs: &Value<'_>, rhs: &Value<'_>) -> Option<bool> {
    let row = &NULL_TABLE[op as usize]; // ok: every NullOp has a row
    match (lhs.is_null(), rhs.is_null()) {
        (false, false) => None,
        (true, false) => Some(row.lhs_null),
        (false, true) => Some(row.rhs_null),
        (true, true) => Some(row.both_null),
    }
}

/// `=`, `==`, `Equals`, `Is`. Two texts are compared directly: neither is
/// null and neither adapts to a number, so that is what [`equal`] would do.
#[inline]
pub fn eq(lhs: &Value<'_>, rhs: &Value<'_>) -> bool {
    if let (Value::Str(a), Value::Str(b)) = (lhs, rhs) {
        return a == b;
    }
    null_case(NullOp::Eq, lhs, rhs).unwrap_or_else(|| equal(lhs, rhs))
}

/// `!=`, `NotEquals`, `IsNot` (two texts compared directly, as by [`eq`]).
#[inline]
pub fn ne(lhs: &Value<'_>, rhs: &Value<'_>) -> bool {
    if let (Value::Str(a), Value::Str(b)) = (lhs, rhs) {
        return a != b;
    }
    null_case(NullOp::Ne, lhs, rhs).unwrap_or_else(|| !equal(lhs, rhs))
}

/// [`eq`] against a string literal: the compiler's shorter form of
/// `x = "text"`.
#[inline]
pub fn eq_str(lhs: &Value<'_>, rhs: &str) -> bool {
    eq(lhs, &Value::str(rhs))
}

/// [`ne`] against a string literal (see [`eq_str`]).
#[inline]
pub fn ne_str(lhs: &Value<'_>, rhs: &str) -> bool {
    ne(lhs, &Value::str(rhs))
}

/// `:=`, `EqualsCaseInsensitive`: like [`eq`], text compared ignoring case.
pub fn eq_ci(lhs: &Value<'_>, rhs: &Value<'_>) -> bool {
    null_case(NullOp::Eq, lhs, rhs).unwrap_or_else(|| match adapt(lhs, rhs) {
        Common::Text(a, b) => equals_ignore_case(&a, &b),
        other => order(other).is_eq(),
    })
}

/// `>`, `GreaterThan`.
pub fn gt(lhs: &Value<'_>, rhs: &Value<'_>) -> bool {
    null_case(NullOp::Gt, lhs, rhs).unwrap_or_else(|| compare(lhs, rhs).is_gt())
}

/// `>=`, `GreaterThanOrEquals`.
pub fn ge(lhs: &Value<'_>, rhs: &Value<'_>) -> bool {
    null_case(NullOp::Ge, lhs, rhs).unwrap_or_else(|| compare(lhs, rhs).is_ge())
}

/// `<`, `LesserThan`.
pub fn lt(lhs: &Value<'_>, rhs: &Value<'_>) -> bool {
    null_case(NullOp::Lt, lhs, rhs).unwrap_or_else(|| compare(lhs, rhs).is_lt())
}

/// `<=`, `LesserThanOrEquals`.
pub fn le(lhs: &Value<'_>, rhs: &Value<'_>) -> bool {
    null_case(NullOp::Le, lhs, rhs).unwrap_or_else(|| compare(lhs, rhs).is_le())
}

/// `=|`, `StartsWith`: case-sensitive prefix test on the text of both
/// operands.
pub fn starts_with(lhs: &Value<'_>, rhs: &Value<'_>) -> bool {
    null_case(NullOp::StartsWith, lhs, rhs)
        .unwrap_or_else(|| text(lhs).starts_with(text(rhs).as_ref()))
}

/// A bare operand used as a condition: true iff it is the boolean `true` or
/// the string `"true"` in any letter case.
pub fn truthy(value: &Value<'_>) -> bool {
    match value {
        Value::Bool(b) => *b,
        Value::Str(s) => s.eq_ignore_ascii_case("true"),
        _ => false,
    }
}

/// `~`, `Matches`, `Like`: whole-string glob match.
pub fn glob_match(value: &Value<'_>, pattern: &GlobPattern<'_>) -> bool {
    null_lhs(NullOp::Matches, value).unwrap_or_else(|| pattern.matches(&text(value), false))
}

/// `:~`, `MatchesCaseInsensitive`, `LikeCaseInsensitive`: [`glob_match`]
/// ignoring letter case.
pub fn glob_match_ci(value: &Value<'_>, pattern: &GlobPattern<'_>) -> bool {
    null_lhs(NullOp::Matches, value).unwrap_or_else(|| pattern.matches(&text(value), true))
}

/// `~~`, `JavaRegex`: the regex was anchored (`^(?:…)$`) by the compiler,
/// giving Java's `Matcher.matches()` whole-string semantics.
pub fn regex_match(value: &Value<'_>, regex: &Regex) -> bool {
    null_lhs(NullOp::JavaRegex, value).unwrap_or_else(|| regex.is_match(&text(value)))
}

/// `~/`, `MatchesPath`, `LikePath`: segment-wise path match.
pub fn path_match(value: &Value<'_>, pattern: &PathPattern<'_>) -> bool {
    null_lhs(NullOp::MatchesPath, value).unwrap_or_else(|| pattern.matches(&text(value)))
}

/// The Java `toString` text of a non-null value.
fn text<'v>(value: &'v Value<'_>) -> Cow<'v, str> {
    value.to_text().unwrap_or(Cow::Borrowed(""))
}

/// Both operands adapted to one type.
enum Common<'v> {
    Bool(bool, bool),
    Int(i32, i32),
    Long(i64, i64),
    Float(f32, f32),
    Double(f64, f64),
    Text(Cow<'v, str>, Cow<'v, str>),
}

/// Numeric rank for widening; `None` for strings.
fn rank(value: &Value<'_>) -> Option<u8> {
    match value {
        Value::Bool(_) => Some(0),
        Value::Int(_) => Some(1),
        Value::Long(_) => Some(2),
        Value::Float(_) => Some(3),
        Value::Double(_) => Some(4),
        Value::Null | Value::Str(_) => None,
    }
}

fn as_i32(v: &Value<'_>) -> i32 {
    match v {
        Value::Bool(b) => i32::from(*b),
        Value::Int(i) => *i,
        _ => 0,
    }
}

fn as_i64(v: &Value<'_>) -> i64 {
    match v {
        Value::Long(l) => *l,
        other => i64::from(as_i32(other)),
    }
}

#[allow(clippy::cast_precision_loss)] // Java widens long to float the same lossy way
fn as_f32(v: &Value<'_>) -> f32 {
    match v {
        Value::Float(f) => *f,
        other => as_i64(other) as f32,
    }
}

#[allow(clippy::cast_precision_loss)] // Java widens long to double the same lossy way
fn as_f64(v: &Value<'_>) -> f64 {
    match v {
        Value::Double(d) => *d,
        Value::Float(f) => f64::from(*f),
        other => as_i64(other) as f64,
    }
}

/// Parses `s` as a number of the same type as `like`, Java-style: integers
/// are an optional sign and digits, floating-point values plain decimal
/// notation with an optional exponent.
fn parse_like<'v>(s: &str, like: &Value<'_>) -> Option<Value<'v>> {
    let decimal = || {
        !s.is_empty()
            && s.bytes()
                .all(|b| b.is_ascii_digit() || matches!(b, b'+' | b'-' | b'.' | b'e' | b'E'))
    };
    match like {
        Value::Int(_) => s.parse().ok().map(Value::Int),
        Value::Long(_) => s.parse().ok().map(Value::Long),
        Value::Float(_) if decimal() => s.parse().ok().map(Value::Float),
        Value::Double(_) if decimal() => s.parse().ok().map(Value::Double),
        _ => None,
    }
}

/// Applies the adaptation table to two non-null operands.
fn adapt<'v>(lhs: &'v Value<'_>, rhs: &'v Value<'_>) -> Common<'v> {
    let is_number = |v: &Value<'_>| rank(v).is_some_and(|r| r > 0);
    match (lhs, rhs) {
        (Value::Str(s), num) if is_number(num) => match parse_like(s, num) {
            Some(parsed) => numeric(&parsed, num),
            None => Common::Text(text(lhs), text(rhs)),
        },
        (num, Value::Str(s)) if is_number(num) => match parse_like(s, num) {
            Some(parsed) => numeric(num, &parsed),
            None => Common::Text(text(lhs), text(rhs)),
        },
        _ if rank(lhs).is_some() && rank(rhs).is_some() => numeric(lhs, rhs),
        _ => Common::Text(text(lhs), text(rhs)),
    }
}

/// Widens two numbers (or booleans) to the wider of their types.
fn numeric<'v>(lhs: &Value<'_>, rhs: &Value<'_>) -> Common<'v> {
    match rank(lhs).max(rank(rhs)) {
        Some(4) => Common::Double(as_f64(lhs), as_f64(rhs)),
        Some(3) => Common::Float(as_f32(lhs), as_f32(rhs)),
        Some(2) => Common::Long(as_i64(lhs), as_i64(rhs)),
        Some(1) => Common::Int(as_i32(lhs), as_i32(rhs)),
        _ => Common::Bool(
            matches!(lhs, Value::Bool(true)),
            matches!(rhs, Value::Bool(true)),
        ),
    }
}

/// Java `Double.compareTo` order: NaN equal to itself and greatest,
/// `-0.0 < 0.0`.
fn java_cmp(a: f64, b: f64) -> Ordering {
    match (a.is_nan(), b.is_nan()) {
        (true, true) => Ordering::Equal,
        (true, false) => Ordering::Greater,
        (false, true) => Ordering::Less,
        (false, false) => a.total_cmp(&b),
    }
}

/// Orders two non-null operands after adaptation.
fn compare(lhs: &Value<'_>, rhs: &Value<'_>) -> Ordering {
    order(adapt(lhs, rhs))
}

/// Whether two non-null operands are equal after adaptation. Two texts
/// have the same UTF-16 code units exactly when they have the same bytes,
/// so they are compared as they are.
fn equal(lhs: &Value<'_>, rhs: &Value<'_>) -> bool {
    match adapt(lhs, rhs) {
        Common::Text(a, b) => a == b,
        other => order(other).is_eq(),
    }
}

/// The order of two adapted operands.
fn order(common: Common<'_>) -> Ordering {
    match common {
        Common::Bool(a, b) => a.cmp(&b),
        Common::Int(a, b) => a.cmp(&b),
        Common::Long(a, b) => a.cmp(&b),
        Common::Float(a, b) => java_cmp(f64::from(a), f64::from(b)),
        Common::Double(a, b) => java_cmp(a, b),
        Common::Text(a, b) => a.encode_utf16().cmp(b.encode_utf16()),
    }
}

/// Java `String.equalsIgnoreCase`, character by character.
fn equals_ignore_case(a: &str, b: &str) -> bool {
    a.chars().count() == b.chars().count()
        && a.chars().zip(b.chars()).all(|(x, y)| same_char(x, y, true))
}

/// Whether two characters are equal, optionally ignoring case.
fn same_char(a: char, b: char, ignore_case: bool) -> bool {
    a == b
        || (ignore_case
            && (a.to_lowercase().eq(b.to_lowercase()) || a.to_uppercase().eq(b.to_uppercase())))
}

/// A `Matches` glob, parsed at build time: literal runs and `*` wildcards
/// (zero or more characters, `/` included).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct GlobPattern<'p>(pub &'p [GlobPart<'p>]);

/// One piece of a [`GlobPattern`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum GlobPart<'p> {
    /// Characters matched literally.
    Lit(&'p str),
    /// `*`: any run of characters, possibly empty.
    Star,
}

/// A position inside a glob pattern: part index and byte offset in a literal.
#[derive(Clone, Copy)]
struct GlobCursor {
    part: usize,
    offset: usize,
}

/// The next pattern token from a cursor.
enum GlobTok {
    Star,
    Char(char),
}

impl GlobPattern<'_> {
    fn next(&self, at: GlobCursor) -> Option<(GlobTok, GlobCursor)> {
        let mut at = at;
        loop {
            match self.0.get(at.part)? {
                GlobPart::Star => {
                    let next = GlobCursor {
                        part: at.part + 1,
                        offset: 0,
                    };
                    return Some((GlobTok::Star, next));
                }
                GlobPart::Lit(lit) => match lit.get(at.offset..).and_then(|s| s.chars().next()) {
                    Some(c) => {
                        let next = GlobCursor {
                            part: at.part,
                            offset: at.offset + c.len_utf8(),
                        };
                        return Some((GlobTok::Char(c), next));
                    }
                    None => {
                        at = GlobCursor {
                            part: at.part + 1,
                            offset: 0,
                        };
                    }
                },
            }
        }
    }

    /// Whole-string match, with backtracking over the last `*` seen.
    fn matches(&self, text: &str, ignore_case: bool) -> bool {
        let mut pat = GlobCursor { part: 0, offset: 0 };
        let mut rest = text;
        // (pattern after the last star, text where that star's run ends)
        let mut backtrack: Option<(GlobCursor, &str)> = None;
        loop {
            let first = rest.chars().next();
            match (self.next(pat), first) {
                (Some((GlobTok::Star, after)), _) => {
                    backtrack = Some((after, rest));
                    pat = after;
                    continue;
                }
                (Some((GlobTok::Char(p), after)), Some(c)) if same_char(p, c, ignore_case) => {
                    pat = after;
                    rest = &rest[c.len_utf8()..]; // ok: c is the first char of rest
                    continue;
                }
                (None, None) => return true,
                _ => {}
            }
            match backtrack {
                Some((after_star, run_end)) => match run_end.chars().next() {
                    Some(c) => {
                        let longer = &run_end[c.len_utf8()..]; // ok: c is the first char
                        backtrack = Some((after_star, longer));
                        pat = after_star;
                        rest = longer;
                    }
                    None => return false,
                },
                None => return false,
            }
        }
    }
}

/// A `MatchesPath` pattern, parsed at build time into `/`-separated
/// segments.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct PathPattern<'p>(pub &'p [Seg<'p>]);

/// One segment of a [`PathPattern`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Seg<'p> {
    /// A segment matched literally (may be empty, as around `/` at the ends).
    Lit(&'p str),
    /// `*` or `{name}`: exactly one segment, whatever its text.
    One,
    /// `**`: one or more segments.
    Many,
}

/// Splits the first segment off the remaining path; `None` when no
/// segment is left.
fn next_segment(rest: Option<&str>) -> Option<(&str, Option<&str>)> {
    let rest = rest?;
    // Segments are short: a byte loop costs less than `split_once`'s
    // substring search.
    Some(match rest.bytes().position(|b| b == b'/') {
        // ok: `/` is ASCII, so `i` and `i + 1` are char boundaries
        Some(i) => (&rest[..i], Some(&rest[i + 1..])),
        None => (rest, None),
    })
}

impl PathPattern<'_> {
    /// Segment-wise whole-path match; `**` backtracks like a glob star that
    /// must consume at least one segment.
    fn matches(&self, path: &str) -> bool {
        // Without `**` each pattern segment takes exactly one path segment:
        // one pass, no backtracking. At the first `**` the general match
        // takes over where this one stands (nothing before it can need
        // backtracking).
        let mut rest = Some(path);
        for (pi, seg) in self.0.iter().enumerate() {
            let Some((s, tail)) = next_segment(rest) else {
                return false;
            };
            match seg {
                Seg::Many => return self.matches_with_backtracking(pi, rest),
                Seg::One => {}
                Seg::Lit(lit) if *lit == s => {}
                Seg::Lit(_) => return false,
            }
            rest = tail;
        }
        rest.is_none()
    }

    /// [`Self::matches`] from pattern segment `pi` and the path left,
    /// `rest`, with backtracking over `**`.
    fn matches_with_backtracking(&self, mut pi: usize, mut rest: Option<&str>) -> bool {
        // (pattern index after the last `**`, path after the segments it took)
        let mut backtrack: Option<(usize, Option<&str>)> = None;
        loop {
            let seg = next_segment(rest);
            match (self.0.get(pi), seg) {
                (Some(Seg::Many), Some((_, tail))) => {
                    backtrack = Some((pi + 1, tail));
                    pi += 1;
                    rest = tail;
                    continue;
                }
                (Some(Seg::One), Some((_, tail))) => {
                    pi += 1;
                    rest = tail;
                    continue;
                }
                (Some(Seg::Lit(lit)), Some((s, tail))) if *lit == s => {
                    pi += 1;
                    rest = tail;
                    continue;
                }
                (None, None) => return true,
                _ => {}
            }
            match backtrack.and_then(|(after, taken)| Some((after, next_segment(taken)?))) {
                Some((after, (_, tail))) => {
                    backtrack = Some((after, tail));
                    pi = after;
                    rest = tail;
                }
                None => return false,
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::{
        NullOp, PathPattern, Seg, Value, compare, eq, eq_str, equal, ne, ne_str, null_case,
    };
    use proptest::prelude::*;

    fn seg() -> impl Strategy<Value = Seg<'static>> {
        prop_oneof![
            prop::sample::select(vec!["", "a", "b", "ab"]).prop_map(Seg::Lit),
            Just(Seg::One),
            Just(Seg::Many),
        ]
    }

    fn value() -> impl Strategy<Value = Value<'static>> {
        prop_oneof![
            "[a-b0-9.é𝄞-]{0,4}".prop_map(|s| Value::Str(s.into())),
            any::<bool>().prop_map(Value::Bool),
            any::<i32>().prop_map(Value::Int),
            (-3i64..3).prop_map(Value::Long),
            prop::sample::select(vec![0.0f64, -0.0, 1.5, f64::NAN]).prop_map(Value::Double),
        ]
    }

    proptest! {
        /// The one-pass match (no `**`) and the backtracking one agree.
        #[test]
        fn one_pass_path_match_agrees_with_backtracking(
            segs in prop::collection::vec(seg(), 0..5),
            path in "(/|a|b){0,6}",
        ) {
            let pattern = PathPattern(&segs);
            prop_assert_eq!(
                pattern.matches(&path),
                pattern.matches_with_backtracking(0, Some(&path))
            );
        }

        /// The string-literal forms answer as the general ones.
        #[test]
        fn string_literal_comparisons_agree_with_the_general_ones(
            lhs in prop_oneof![value(), Just(Value::Null)],
            rhs in "[a-b0-9.é-]{0,4}",
        ) {
            prop_assert_eq!(eq_str(&lhs, &rhs), eq(&lhs, &Value::str(&rhs)));
            prop_assert_eq!(ne_str(&lhs, &rhs), ne(&lhs, &Value::str(&rhs)));
        }

        /// `=` and `!=` with their direct comparison of two texts answer as
        /// the null table and the adapted comparison do.
        #[test]
        fn equality_of_texts_is_the_adapted_equality(
            lhs in prop_oneof![value(), Just(Value::Null)],
            rhs in prop_oneof![value(), Just(Value::Null)],
        ) {
            prop_assert_eq!(
                eq(&lhs, &rhs),
                null_case(NullOp::Eq, &lhs, &rhs).unwrap_or_else(|| equal(&lhs, &rhs))
            );
            prop_assert_eq!(
                ne(&lhs, &rhs),
                null_case(NullOp::Ne, &lhs, &rhs).unwrap_or_else(|| !equal(&lhs, &rhs))
            );
        }

        /// Equality is exactly the adapted order's `Equal`.
        #[test]
        fn equality_is_the_order_being_equal(lhs in value(), rhs in value()) {
            prop_assert_eq!(equal(&lhs, &rhs), compare(&lhs, &rhs).is_eq());
        }
    }
}
