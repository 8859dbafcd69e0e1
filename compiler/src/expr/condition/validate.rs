//! Build-time checks on a parsed condition: which right operands each
//! operator takes (as apigeelint enforces them), and compilation of every
//! pattern so nothing can fail at run time.

use super::ast::{CmpOp, Expr, Operand};
use super::patterns;
use crate::expr::ExprError;

/// All operand and pattern errors in `expr`.
pub(crate) fn validate(expr: &Expr) -> Vec<ExprError> {
    let mut errors = Vec::new();
    walk(expr, &mut errors);
    errors
}

fn walk(expr: &Expr, errors: &mut Vec<ExprError>) {
    match expr {
        Expr::And { lhs, rhs, .. } | Expr::Or { lhs, rhs, .. } => {
            walk(lhs, errors);
            walk(rhs, errors);
        }
        Expr::Not(inner, _) => walk(inner, errors),
        Expr::Cmp { op, rhs, .. } => errors.extend(check_rhs(*op, rhs)),
        Expr::Const(..) | Expr::Truthy(_) => {}
    }
}

/// Whether a variable may appear on the right of `op`.
fn takes_variable(op: CmpOp) -> bool {
    matches!(
        op,
        CmpOp::Eq | CmpOp::Ne | CmpOp::StartsWith | CmpOp::Gt | CmpOp::Ge | CmpOp::Lt | CmpOp::Le
    )
}

fn check_rhs(op: CmpOp, rhs: &Operand) -> Option<ExprError> {
    let span = rhs.span();
    let name = op.canonical();
    if let Operand::Var { name: var, .. } = rhs {
        if takes_variable(op) {
            return None;
        }
        let help = if op.is_pattern() {
            "the pattern must be a \"quoted\" literal: it is compiled at build time".to_owned()
        } else {
            format!(
                "compare with a literal, or use `=` to compare two variables (case-sensitively); a variable named `{var}` literally would be written \"{var}\""
            )
        };
        return Some(ExprError {
            code: "PXC108",
            message: format!(
                "`{name}` does not accept a variable (`{var}`) on its right-hand side"
            ),
            span,
            help: Some(help),
        });
    }
    if !op.is_pattern() {
        return None;
    }
    let Some(text) = patterns::pattern_text(rhs) else {
        let what = if matches!(rhs, Operand::Null(_)) {
            "null"
        } else {
            "a number"
        };
        return Some(ExprError {
            code: "PXC109",
            message: format!("`{name}` needs a string pattern, found {what}"),
            span,
            help: Some(
                "quote the pattern: `x Matches \"40*\"`; to test for an unset variable use `x = null`"
                    .into(),
            ),
        });
    };
    let err = patterns::compile(op, &text).err()?;
    Some(ExprError {
        code: err.code,
        message: err.message,
        span,
        help: Some(err.help),
    })
}
