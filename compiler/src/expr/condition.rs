//! Apigee condition expressions (`<Condition>` of steps, flows, route rules
//! and fault rules): parse, validate, warn, print, fold and generate Rust.
//!
//! Semantics follow /work/shared/spec/conditions.md. The grammar is
//! `grammar/condition.pest`; its header documents the precedence choice
//! (`or` binds tighter than `and` unless [`ConditionOptions::java_precedence`]).
//! The run-time half lives in `proxyc_runtime::condition` (`__private::cond`);
//! [`eval()`] restates it at build time for [`fold`] and for tests.
//!
//! ```text
//! let expr = parse(text, &ConditionOptions::default())?;   // errors: PXC1xx
//! let warns = warnings(&expr, text);                         // PXW1xx
//! let tokens = codegen(&fold(expr), &rt, &mut |name, span| read_var(name, span));
//! ```

mod ast;
mod codegen;
mod diagnose;
mod eval;
mod java_regex;
mod ops;
mod parser;
mod patterns;
mod validate;
mod warn;

pub use ast::{CmpOp, Expr, Number, Operand, Span};
pub use codegen::codegen;
pub use eval::{Lit, eval, fold};
pub use warn::warnings;

use crate::expr::ExprError;

/// Diagnostic codes of condition expressions (code, meaning).
pub const CODES: &[(&str, &str)] = &[
    (
        "PXC100",
        "internal error: unexpected condition parse tree (a proxyc bug)",
    ),
    (
        "PXC101",
        "condition syntax error (unexpected token, chained comparison, missing operator)",
    ),
    (
        "PXC102",
        "unknown operator, or `not` before an operator it cannot negate",
    ),
    ("PXC103", "unclosed `(`"),
    ("PXC104", "missing operand"),
    (
        "PXC105",
        "unterminated string literal or quoted variable name",
    ),
    ("PXC106", "unmatched `)`"),
    ("PXC107", "invalid or out-of-range number literal"),
    (
        "PXC108",
        "variable on the right of an operator that only takes literals",
    ),
    (
        "PXC109",
        "pattern operator with a number or null instead of a string pattern",
    ),
    ("PXC110", "invalid JavaRegex pattern"),
    (
        "PXC111",
        "JavaRegex construct the regex crate does not support (look-around, backreference, …)",
    ),
    ("PXC112", "invalid MatchesPath pattern"),
    ("PXC113", "empty quoted variable name"),
    (
        "PXW101",
        "`and` and `or` mixed without parentheses (precedence is ambiguous in Apigee's docs)",
    ),
    (
        "PXW102",
        "operator outside Apigee's documented table (`!~`, `:~`, negated symbols, *CaseInsensitive matches)",
    ),
    ("PXW103", "dangling `and`/`or` before `)` ignored"),
    (
        "PXW104",
        "`not`/`!` applied to an unparenthesised comparison",
    ),
    (
        "PXW105",
        "number after StartsWith or `:=` (compared as text; apigeelint rejects it)",
    ),
];

/// Parser settings.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct ConditionOptions {
    /// Use Java precedence (`and` binds tighter than `or`) instead of the
    /// default, where `or` binds tighter (Apigee's "Conditional flows" guide).
    pub java_precedence: bool,
}

/// Parses and validates a condition (XML-unescaped text). An empty or
/// all-whitespace condition is `Const(true)`. Errors carry byte spans into
/// `src` and a help line; syntax errors stop at the first, operand and
/// pattern errors are all reported.
pub fn parse(src: &str, opts: &ConditionOptions) -> Result<Expr, Vec<ExprError>> {
    let expr = parser::build(src, opts)?;
    let errors = validate::validate(&expr);
    if errors.is_empty() {
        Ok(expr)
    } else {
        Err(errors)
    }
}
