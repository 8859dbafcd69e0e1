//! The condition AST and its canonical printer.

use std::fmt;
use std::ops::Range;

use super::ops;

/// Byte range inside the condition text.
pub type Span = Range<usize>;

/// A parsed condition.
///
/// `And`/`Or` are binary and left-associative. Their `span` covers the whole
/// node, including the parentheses when the node was written inside a group
/// (that is how [`super::warnings`] tells `(a or b) and c` from
/// `a or b and c`).
#[derive(Debug, Clone, PartialEq)]
pub enum Expr {
    /// A constant: an empty condition, a bare `true`/`false`, or a folded
    /// sub-expression.
    Const(bool, Span),
    /// `lhs and rhs` (`&&`, `And`).
    And {
        /// Left operand.
        lhs: Box<Expr>,
        /// Right operand.
        rhs: Box<Expr>,
        /// The operator token.
        op_span: Span,
        /// The whole node, parentheses included when grouped.
        span: Span,
    },
    /// `lhs or rhs` (`||`, `Or`).
    Or {
        /// Left operand.
        lhs: Box<Expr>,
        /// Right operand.
        rhs: Box<Expr>,
        /// The operator token.
        op_span: Span,
        /// The whole node, parentheses included when grouped.
        span: Span,
    },
    /// `not inner` (`!`, `Not`); `span` is the operator token.
    Not(Box<Expr>, Span),
    /// A comparison `lhs op rhs`; `negated` for `x not StartsWith "a"`,
    /// `!~` and the other negated forms.
    Cmp {
        /// The operator.
        op: CmpOp,
        /// Whether the result is negated.
        negated: bool,
        /// Left operand.
        lhs: Operand,
        /// Right operand.
        rhs: Operand,
        /// The operator token (`not` included for negated word forms).
        op_span: Span,
    },
    /// A bare operand used as a condition: true iff it is boolean `true` or
    /// the string `"true"` (any case).
    Truthy(Operand),
}

/// One side of a comparison.
#[derive(Debug, Clone, PartialEq)]
pub enum Operand {
    /// A flow variable, bare (`request.verb`) or single-quoted.
    Var {
        /// The variable name, without quotes.
        name: String,
        /// Its token, quotes included.
        span: Span,
    },
    /// A double-quoted string literal (the text between the quotes).
    Str(String, Span),
    /// A numeric literal.
    Num(Number, Span),
    /// `true` / `false`.
    Bool(bool, Span),
    /// `null`.
    Null(Span),
}

/// A numeric literal, typed like Java: no suffix = `int` (`long` when it does
/// not fit), a fraction without suffix = `double`, suffixes `f`, `d`, `l`.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Number {
    /// `404`
    Int(i32),
    /// `12321421312L`
    Long(i64),
    /// `3.142f`
    Float(f32),
    /// `100.123D`, `0.7`
    Double(f64),
}

/// Comparison operators (each has several spellings, see [`super::CODES`]
/// and the grammar).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum CmpOp {
    /// `=`, `==`, `Equals`, `Is`
    Eq,
    /// `!=`, `NotEquals`, `IsNot`
    Ne,
    /// `:=`, `EqualsCaseInsensitive`
    EqCi,
    /// `>`, `GreaterThan`
    Gt,
    /// `>=`, `GreaterThanOrEquals`
    Ge,
    /// `<`, `LesserThan`
    Lt,
    /// `<=`, `LesserThanOrEquals`
    Le,
    /// `=|`, `StartsWith`
    StartsWith,
    /// `~`, `Matches`, `Like` (glob)
    Matches,
    /// `:~`, `MatchesCaseInsensitive`, `LikeCaseInsensitive` (unconfirmed)
    MatchesCi,
    /// `~~`, `JavaRegex`
    JavaRegex,
    /// `~/`, `MatchesPath`, `LikePath`
    MatchesPath,
}

impl CmpOp {
    /// Whether the right operand is a pattern compiled at build time.
    pub fn is_pattern(self) -> bool {
        matches!(
            self,
            CmpOp::Matches | CmpOp::MatchesCi | CmpOp::JavaRegex | CmpOp::MatchesPath
        )
    }

    /// Whether `x not <op> y` is accepted (pattern operators and StartsWith).
    pub fn is_negatable(self) -> bool {
        self.is_pattern() || self == CmpOp::StartsWith
    }

    /// The spelling the printer uses.
    pub fn canonical(self) -> &'static str {
        match self {
            CmpOp::Eq => "=",
            CmpOp::Ne => "!=",
            CmpOp::EqCi => ":=",
            CmpOp::Gt => ">",
            CmpOp::Ge => ">=",
            CmpOp::Lt => "<",
            CmpOp::Le => "<=",
            CmpOp::StartsWith => "StartsWith",
            CmpOp::Matches => "Matches",
            CmpOp::MatchesCi => "MatchesCaseInsensitive",
            CmpOp::JavaRegex => "JavaRegex",
            CmpOp::MatchesPath => "MatchesPath",
        }
    }
}

impl Operand {
    /// The operand's token.
    pub fn span(&self) -> Span {
        match self {
            Operand::Var { span, .. }
            | Operand::Str(_, span)
            | Operand::Num(_, span)
            | Operand::Bool(_, span)
            | Operand::Null(span) => span.clone(),
        }
    }

    fn without_spans(&self) -> Operand {
        match self {
            Operand::Var { name, .. } => Operand::Var {
                name: name.clone(),
                span: 0..0,
            },
            Operand::Str(s, _) => Operand::Str(s.clone(), 0..0),
            Operand::Num(n, _) => Operand::Num(*n, 0..0),
            Operand::Bool(b, _) => Operand::Bool(*b, 0..0),
            Operand::Null(_) => Operand::Null(0..0),
        }
    }
}

impl Expr {
    /// The whole node's extent in the source.
    pub fn span(&self) -> Span {
        match self {
            Expr::Const(_, span) | Expr::And { span, .. } | Expr::Or { span, .. } => span.clone(),
            Expr::Not(inner, span) => span.start..inner.span().end.max(span.end),
            Expr::Cmp { lhs, rhs, .. } => lhs.span().start..rhs.span().end,
            Expr::Truthy(operand) => operand.span(),
        }
    }

    /// A copy with every span set to `0..0`, for comparing trees
    /// structurally (`a.without_spans() == b.without_spans()`).
    pub fn without_spans(&self) -> Expr {
        match self {
            Expr::Const(b, _) => Expr::Const(*b, 0..0),
            Expr::And { lhs, rhs, .. } => Expr::And {
                lhs: Box::new(lhs.without_spans()),
                rhs: Box::new(rhs.without_spans()),
                op_span: 0..0,
                span: 0..0,
            },
            Expr::Or { lhs, rhs, .. } => Expr::Or {
                lhs: Box::new(lhs.without_spans()),
                rhs: Box::new(rhs.without_spans()),
                op_span: 0..0,
                span: 0..0,
            },
            Expr::Not(inner, _) => Expr::Not(Box::new(inner.without_spans()), 0..0),
            Expr::Cmp {
                op,
                negated,
                lhs,
                rhs,
                ..
            } => Expr::Cmp {
                op: *op,
                negated: *negated,
                lhs: lhs.without_spans(),
                rhs: rhs.without_spans(),
                op_span: 0..0,
            },
            Expr::Truthy(operand) => Expr::Truthy(operand.without_spans()),
        }
    }

    /// Calls `f` with every variable read (name, token span), in source
    /// order; a variable read twice is reported twice.
    pub fn visit_variables(&self, f: &mut dyn FnMut(&str, Span)) {
        let operand = |o: &Operand, f: &mut dyn FnMut(&str, Span)| {
            if let Operand::Var { name, span } = o {
                f(name, span.clone());
            }
        };
        match self {
            Expr::Const(..) => {}
            Expr::And { lhs, rhs, .. } | Expr::Or { lhs, rhs, .. } => {
                lhs.visit_variables(f);
                rhs.visit_variables(f);
            }
            Expr::Not(inner, _) => inner.visit_variables(f),
            Expr::Cmp { lhs, rhs, .. } => {
                operand(lhs, f);
                operand(rhs, f);
            }
            Expr::Truthy(o) => operand(o, f),
        }
    }

    /// Whether this `And`/`Or` node was written inside its own parentheses.
    pub(crate) fn is_grouped(&self) -> bool {
        match self {
            Expr::And { lhs, rhs, span, .. } | Expr::Or { lhs, rhs, span, .. } => {
                *span != (lhs.span().start..rhs.span().end)
            }
            _ => false,
        }
    }
}

impl fmt::Display for Number {
    /// Canonical literal: `404`, `404L`, `3.5f`, `3.5d`.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Number::Int(i) => write!(f, "{i}"),
            Number::Long(l) => write!(f, "{l}L"),
            Number::Float(x) => write!(f, "{x}f"),
            Number::Double(x) => write!(f, "{x}d"),
        }
    }
}

impl fmt::Display for Operand {
    /// Canonical operand. A variable whose name is not a plain name token
    /// is single-quoted. Names containing `'` and strings containing `"`
    /// (which no parse produces) cannot be written back faithfully.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Operand::Var { name, .. } if ops::is_bare_name(name) => f.write_str(name),
            Operand::Var { name, .. } => write!(f, "'{name}'"),
            Operand::Str(s, _) => write!(f, "\"{s}\""),
            Operand::Num(n, _) => write!(f, "{n}"),
            Operand::Bool(b, _) => write!(f, "{b}"),
            Operand::Null(_) => f.write_str("null"),
        }
    }
}

impl fmt::Display for Expr {
    /// Canonical text: lowercase `and`/`or`/`not`, operators as
    /// [`CmpOp::canonical`], parentheses wherever `and` and `or` meet, around
    /// a right operand of the same kind, and after `not` unless the operand
    /// is atomic. The result parses back to the same tree under either
    /// precedence setting. A hand-built negated `=`/`!=`/… comparison (which
    /// no parse produces) is printed as `not (…)`.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Expr::Const(b, _) => write!(f, "{b}"),
            Expr::And { lhs, rhs, .. } => write_binary(f, lhs, "and", rhs, true),
            Expr::Or { lhs, rhs, .. } => write_binary(f, lhs, "or", rhs, false),
            Expr::Not(inner, _) => match **inner {
                Expr::Const(..) | Expr::Truthy(_) | Expr::Not(..) => write!(f, "not {inner}"),
                _ => write!(f, "not ({inner})"),
            },
            Expr::Cmp {
                op,
                negated,
                lhs,
                rhs,
                ..
            } => match (negated, op.is_negatable()) {
                (false, _) => write!(f, "{lhs} {} {rhs}", op.canonical()),
                (true, true) => write!(f, "{lhs} not {} {rhs}", op.canonical()),
                (true, false) => write!(f, "not ({lhs} {} {rhs})", op.canonical()),
            },
            Expr::Truthy(operand) => write!(f, "{operand}"),
        }
    }
}

/// Writes `lhs op rhs`, parenthesising an operand of the other junction and
/// a right operand of the same one.
fn write_binary(
    f: &mut fmt::Formatter<'_>,
    lhs: &Expr,
    op: &str,
    rhs: &Expr,
    and: bool,
) -> fmt::Result {
    let other = |e: &Expr| match e {
        Expr::And { .. } => !and,
        Expr::Or { .. } => and,
        _ => false,
    };
    let same = |e: &Expr| matches!(e, Expr::And { .. } | Expr::Or { .. }) && !other(e);
    if other(lhs) {
        write!(f, "({lhs})")?;
    } else {
        write!(f, "{lhs}")?;
    }
    write!(f, " {op} ")?;
    if other(rhs) || same(rhs) {
        write!(f, "({rhs})")
    } else {
        write!(f, "{rhs}")
    }
}
