//! The pest parser and the parse-tree → AST builder (precedence, literals).

use pest::Parser as _;
use pest::iterators::Pair;

use super::ast::{Expr, Number, Operand, Span};
use super::{ConditionOptions, diagnose, ops};
use crate::expr::ExprError;

/// The pest parser generated from `grammar/condition.pest`.
#[derive(pest_derive::Parser)]
#[grammar = "grammar/condition.pest"]
pub(crate) struct ConditionParser;

/// Runs the grammar over `src`.
pub(crate) fn parse_tree(src: &str) -> Result<Pair<'_, Rule>, pest::error::Error<Rule>> {
    let mut pairs = ConditionParser::parse(Rule::condition, src)?;
    pairs.next().ok_or_else(|| {
        pest::error::Error::new_from_pos(
            pest::error::ErrorVariant::CustomError {
                message: "empty parse".into(),
            },
            pest::Position::from_start(src),
        )
    })
}

/// Parses `src` into an AST; syntax errors and literal errors (bad numbers,
/// empty quoted names) are reported here, operand and pattern checks in
/// `validate`.
pub(crate) fn build(src: &str, opts: &ConditionOptions) -> Result<Expr, Vec<ExprError>> {
    let condition = parse_tree(src).map_err(|e| vec![diagnose::syntax_error(src, &e)])?;
    let mut builder = Builder {
        java: opts.java_precedence,
        errors: Vec::new(),
    };
    let expr = match condition.into_inner().find(|p| p.as_rule() == Rule::expr) {
        Some(pair) => builder.expr(pair),
        None => Expr::Const(true, 0..src.len()),
    };
    if builder.errors.is_empty() {
        Ok(expr)
    } else {
        Err(builder.errors)
    }
}

/// `and` or `or`.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Junction {
    And,
    Or,
}

struct Builder {
    java: bool,
    errors: Vec<ExprError>,
}

fn span_of(pair: &Pair<'_, Rule>) -> Span {
    let s = pair.as_span();
    s.start()..s.end()
}

/// Joins two operands with a junction.
fn join(junction: Junction, lhs: Expr, rhs: Expr, op_span: Span) -> Expr {
    let span = lhs.span().start..rhs.span().end;
    let (lhs, rhs) = (Box::new(lhs), Box::new(rhs));
    match junction {
        Junction::And => Expr::And {
            lhs,
            rhs,
            op_span,
            span,
        },
        Junction::Or => Expr::Or {
            lhs,
            rhs,
            op_span,
            span,
        },
    }
}

impl Builder {
    /// Reports a parse tree the grammar cannot produce (a proxyc bug).
    fn internal(&mut self, span: Span) -> Expr {
        self.errors.push(ExprError {
            code: "PXC100",
            message: "internal error: unexpected condition parse tree".into(),
            span: span.clone(),
            help: Some("this is a proxyc bug; please report it with the condition text".into()),
        });
        Expr::Const(false, span)
    }

    /// A flat `unary (op unary)*` chain, grouped by precedence: the tighter
    /// junction (`or` by default, `and` with Java precedence) is folded
    /// first, then the looser one; both left-associative.
    fn expr(&mut self, pair: Pair<'_, Rule>) -> Expr {
        let (tight, loose) = if self.java {
            (Junction::And, Junction::Or)
        } else {
            (Junction::Or, Junction::And)
        };
        let mut loose_terms: Vec<(Expr, Span)> = Vec::new();
        let mut term: Option<Expr> = None;
        let mut pending: Option<(Junction, Span)> = None;
        for child in pair.into_inner() {
            match child.as_rule() {
                Rule::and_op => pending = Some((Junction::And, span_of(&child))),
                Rule::or_op => pending = Some((Junction::Or, span_of(&child))),
                _ => {
                    let next = self.unary(child);
                    term = Some(match (term.take(), pending.take()) {
                        (Some(prev), Some((j, op))) if j == tight => join(tight, prev, next, op),
                        (Some(prev), Some((_, op))) => {
                            loose_terms.push((prev, op));
                            next
                        }
                        (_, _) => next,
                    });
                }
            }
        }
        let Some(last) = term else {
            return self.internal(0..0);
        };
        let mut iter = loose_terms.into_iter();
        let Some((first, mut op)) = iter.next() else {
            return last;
        };
        let mut acc = first;
        for (next, next_op) in iter {
            acc = join(loose, acc, next, op);
            op = next_op;
        }
        join(loose, acc, last, op)
    }

    /// `not_op* primary`; each `not` wraps what follows it.
    fn unary(&mut self, pair: Pair<'_, Rule>) -> Expr {
        let whole = span_of(&pair);
        let mut nots = Vec::new();
        let mut primary = None;
        for child in pair.into_inner() {
            match child.as_rule() {
                Rule::not_op => nots.push(span_of(&child)),
                Rule::group => primary = Some(self.group(child)),
                Rule::comparison => primary = Some(self.comparison(child)),
                _ => primary = Some(Expr::Truthy(self.operand(child))),
            }
        }
        let Some(mut expr) = primary else {
            return self.internal(whole);
        };
        if let Expr::Truthy(Operand::Bool(b, span)) = expr {
            expr = Expr::Const(b, span);
        }
        for not in nots.into_iter().rev() {
            expr = Expr::Not(Box::new(expr), not);
        }
        expr
    }

    /// `( expr dangling? )`: an `and`/`or` node gets the group's span so the
    /// grouping is visible to the warnings.
    fn group(&mut self, pair: Pair<'_, Rule>) -> Expr {
        let whole = span_of(&pair);
        let Some(inner) = pair.into_inner().find(|p| p.as_rule() == Rule::expr) else {
            return self.internal(whole);
        };
        match self.expr(inner) {
            Expr::And {
                lhs, rhs, op_span, ..
            } => Expr::And {
                lhs,
                rhs,
                op_span,
                span: whole,
            },
            Expr::Or {
                lhs, rhs, op_span, ..
            } => Expr::Or {
                lhs,
                rhs,
                op_span,
                span: whole,
            },
            other => other,
        }
    }

    /// `operand op operand`.
    fn comparison(&mut self, pair: Pair<'_, Rule>) -> Expr {
        let whole = span_of(&pair);
        let mut inner = pair.into_inner();
        let (Some(lhs), Some(op), Some(rhs)) = (inner.next(), inner.next(), inner.next()) else {
            return self.internal(whole);
        };
        let op_span = span_of(&op);
        let spelling = match op.as_rule() {
            Rule::negated_op => op
                .into_inner()
                .find(|p| matches!(p.as_rule(), Rule::negatable_word | Rule::negatable_symbol))
                .and_then(|p| ops::lookup(p.as_str()))
                .map(|s| (s.op, true)),
            _ => ops::lookup(op.as_str()).map(|s| (s.op, s.negated)),
        };
        let Some((op, negated)) = spelling else {
            return self.internal(op_span);
        };
        Expr::Cmp {
            op,
            negated,
            lhs: self.operand(lhs),
            rhs: self.operand(rhs),
            op_span,
        }
    }

    fn operand(&mut self, pair: Pair<'_, Rule>) -> Operand {
        let span = span_of(&pair);
        let text = pair.as_str();
        match pair.as_rule() {
            Rule::variable => Operand::Var {
                name: text.to_owned(),
                span,
            },
            Rule::quoted_var => {
                let name = text.trim_matches('\'').to_owned();
                if name.is_empty() {
                    self.errors.push(ExprError {
                        code: "PXC113",
                        message: "empty quoted variable name `''`".into(),
                        span: span.clone(),
                        help: Some(
                            "single quotes delimit a variable name; string literals use double quotes: `\"\"`"
                                .into(),
                        ),
                    });
                }
                Operand::Var { name, span }
            }
            Rule::string => {
                let inner = text.strip_prefix('"').and_then(|t| t.strip_suffix('"'));
                Operand::Str(inner.unwrap_or_default().to_owned(), span)
            }
            Rule::number => match number(text) {
                Ok(n) => Operand::Num(n, span),
                Err(message) => {
                    self.errors.push(ExprError {
                        code: "PXC107",
                        message,
                        span: span.clone(),
                        help: Some(
                            "int is 32-bit, `L` marks a 64-bit long, `f`/`d` mark float/double; a long cannot have a fraction"
                                .into(),
                        ),
                    });
                    Operand::Num(Number::Int(0), span)
                }
            },
            Rule::null_lit => Operand::Null(span),
            Rule::true_lit => Operand::Bool(true, span),
            Rule::false_lit => Operand::Bool(false, span),
            _ => {
                self.internal(span.clone());
                Operand::Null(span)
            }
        }
    }
}

/// Types a numeric literal the way Java does, except that an unsuffixed
/// integer too large for `int` becomes a `long` instead of an error.
pub(crate) fn number(text: &str) -> Result<Number, String> {
    let (digits, suffix) = match text.char_indices().last() {
        Some((i, c)) if c.is_ascii_alphabetic() => {
            (text.get(..i).unwrap_or(""), Some(c.to_ascii_lowercase()))
        }
        _ => (text, None),
    };
    let out_of_range = || format!("number `{text}` is out of range");
    let double = || match digits.parse::<f64>() {
        Ok(x) if x.is_finite() => Ok(Number::Double(x)),
        _ => Err(out_of_range()),
    };
    let fraction = digits.contains('.');
    match suffix {
        Some('l') if fraction => Err(format!("long literal `{text}` has a fraction")),
        Some('l') => digits.parse().map(Number::Long).map_err(|_| out_of_range()),
        Some('f') => match digits.parse::<f32>() {
            Ok(x) if x.is_finite() => Ok(Number::Float(x)),
            _ => Err(out_of_range()),
        },
        Some(_) => double(),
        None if fraction => double(),
        None => digits
            .parse()
            .map(Number::Int)
            .or_else(|_| digits.parse().map(Number::Long))
            .map_err(|_| out_of_range()),
    }
}
