//! Warnings on valid but suspicious conditions.

use super::ast::{CmpOp, Expr, Operand};
use super::ops;
use super::parser::{Rule, parse_tree};
use crate::expr::ExprWarning;

/// Every warning for `expr`, parsed from `src`, in source order:
/// `and`/`or` mixed without parentheses (PXW101), operators whose run-time
/// behaviour Apigee does not document (PXW102), a dangling `and`/`or`
/// before `)` (PXW103), `not` applied to an unparenthesised comparison
/// (PXW104), and a number after `StartsWith`/`:=` (PXW105).
pub fn warnings(expr: &Expr, src: &str) -> Vec<ExprWarning> {
    let mut out = Vec::new();
    walk(expr, src, &mut out);
    dangling(src, &mut out);
    out.sort_by_key(|w| (w.span.start, w.code));
    out
}

fn warning(code: &'static str, message: String, span: super::Span, help: &str) -> ExprWarning {
    ExprWarning {
        code,
        message,
        span,
        help: Some(help.into()),
    }
}

fn walk(expr: &Expr, src: &str, out: &mut Vec<ExprWarning>) {
    match expr {
        Expr::And {
            lhs, rhs, op_span, ..
        }
        | Expr::Or {
            lhs, rhs, op_span, ..
        } => {
            mixed(expr, lhs, rhs, op_span, out);
            walk(lhs, src, out);
            walk(rhs, src, out);
        }
        Expr::Not(inner, span) => {
            let gap = src.get(span.end..inner.span().start).unwrap_or_default();
            if matches!(**inner, Expr::Cmp { .. }) && !gap.contains('(') {
                out.push(warning(
                    "PXW104",
                    format!(
                        "`{}` negates the whole comparison: read as `{expr}`",
                        src.get(span.clone()).unwrap_or("not")
                    ),
                    span.start..inner.span().end,
                    "add parentheses to make this explicit: `not (a = b)`",
                ));
            }
            walk(inner, src, out);
        }
        Expr::Cmp {
            op, rhs, op_span, ..
        } => {
            unconfirmed(src, op_span, out);
            if matches!(op, CmpOp::StartsWith | CmpOp::EqCi)
                && let Operand::Num(_, span) = rhs
            {
                let text = src.get(span.clone()).unwrap_or_default();
                out.push(warning(
                    "PXW105",
                    format!(
                        "number literal `{text}` after `{}`, which apigeelint rejects",
                        op.canonical()
                    ),
                    span.clone(),
                    &format!("quote it: \"{text}\" (the comparison adapts types the same way)"),
                ));
            }
        }
        Expr::Const(..) | Expr::Truthy(_) => {}
    }
}

/// PXW101 when an `and` node has an unparenthesised `or` operand or the
/// other way round.
fn mixed(node: &Expr, lhs: &Expr, rhs: &Expr, op_span: &super::Span, out: &mut Vec<ExprWarning>) {
    let is_and = matches!(node, Expr::And { .. });
    let other_kind = |e: &Expr| {
        !e.is_grouped()
            && if is_and {
                matches!(e, Expr::Or { .. })
            } else {
                matches!(e, Expr::And { .. })
            }
    };
    if !(other_kind(lhs) || other_kind(rhs)) {
        return;
    }
    let rule = if is_and {
        "`or` binding tighter than `and` (Apigee's documented default)"
    } else {
        "`and` binding tighter than `or` (Java precedence, `java_precedence` option)"
    };
    out.push(warning(
        "PXW101",
        format!("`and` and `or` mixed without parentheses; read with {rule} as `{node}`"),
        op_span.clone(),
        "add parentheses: the Apigee documentation contradicts itself on this precedence",
    ));
}

/// PXW102 for spellings outside the documented operator table.
fn unconfirmed(src: &str, op_span: &super::Span, out: &mut Vec<ExprWarning>) {
    let Some(text) = src.get(op_span.clone()) else {
        return;
    };
    let word = text
        .get(..3)
        .filter(|p| p.eq_ignore_ascii_case("not"))
        .and_then(|_| text.get(3..))
        .map_or(text, str::trim_start);
    let Some(spelling) = ops::lookup(word).filter(|s| s.unconfirmed) else {
        return;
    };
    let help = if spelling.negated {
        "write the documented negation instead: `not (x Matches \"…\")`"
    } else {
        "use JavaRegex with the `(?i)` flag instead: `x JavaRegex \"(?i)…\"`"
    };
    out.push(warning(
        "PXW102",
        format!("operator `{text}` is not in Apigee's documented operator table; its run-time behaviour is unconfirmed"),
        op_span.clone(),
        help,
    ));
}

/// PXW103 for each `and`/`or` left dangling before `)`.
fn dangling(src: &str, out: &mut Vec<ExprWarning>) {
    let Ok(tree) = parse_tree(src) else {
        return;
    };
    let dangling = tree
        .into_inner()
        .flatten()
        .filter(|p| p.as_rule() == Rule::dangling);
    for op in dangling.filter_map(|p| p.into_inner().next()) {
        let span = op.as_span();
        out.push(warning(
            "PXW103",
            format!("dangling `{}` before `)` is ignored", span.as_str()),
            span.start()..span.end(),
            "remove it; Apigee deploys this form, but it is almost certainly an editing leftover",
        ));
    }
}
