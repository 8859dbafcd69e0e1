//! Apigee message templates: `Hello {user.name}!`, `{flow.lang:en}`,
//! `{sha256Hex(request.content)}`.
//!
//! [`parse`] turns template text into a [`Template`] (literal pieces,
//! variable reads, function calls) and checks every function call at build
//! time: name, arity, and literal arguments (regular expressions, JSONPath,
//! XPath, date patterns, encodings, integers). [`codegen`] turns it into a
//! Rust expression that builds the string at run time. The recognition rule
//! for `{` is documented at the top of `grammar/template.pest`.

mod check;
mod codegen;
mod funcs;
pub(crate) mod shared;
mod syntax;

use std::fmt;
use std::ops::Range;

pub use codegen::{codegen, codegen_text};
pub use funcs::Func;

use super::{ExprError, ExprWarning};

/// Diagnostic codes produced by template parsing, with their meaning.
pub const CODES: &[(&str, &str)] = &[
    ("PXC201", "unknown template function (close to a known one)"),
    (
        "PXC202",
        "wrong number of arguments for a template function",
    ),
    ("PXC203", "invalid regular-expression literal"),
    ("PXC204", "invalid JSONPath literal"),
    ("PXC205", "invalid XPath literal"),
    ("PXC206", "nested function call (templates do not nest)"),
    ("PXC207", "whitespace inside a function call"),
    (
        "PXC208",
        "malformed function call (unexpected character, unterminated literal or call)",
    ),
    ("PXC209", "invalid encoding name for an HMAC function"),
    ("PXC210", "invalid integer literal"),
    ("PXC211", "invalid date pattern literal"),
    (
        "PXC212",
        "invalid replacement literal for replaceAll/replaceFirst",
    ),
    (
        "PXW201",
        "`${…}`: the `$` is dropped and the reference substituted",
    ),
    (
        "PXW202",
        "`${…}`: the `$` is kept literally and the reference substituted",
    ),
    (
        "PXW203",
        "`\\{`: templates have no escape, the backslash is kept literally",
    ),
    (
        "PXW204",
        "`{name(…)}` is not a template function; kept as literal text",
    ),
    (
        "PXW205",
        "default text starts with whitespace: looks like CSS/JS code, yet it is a reference",
    ),
];

/// How a template is written where it appears.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct TemplateOptions {
    /// Opening delimiter of references besides `{` (`<Payload variablePrefix>`).
    pub variable_prefix: char,
    /// Closing delimiter for `variable_prefix` references (`variableSuffix`).
    pub variable_suffix: char,
    /// Treat `${name}` as `{name}`, dropping the `$` (with warning PXW201);
    /// when `false` the `$` stays literal (warning PXW202).
    pub dollar_braces: bool,
    /// Strip one pair of double quotes around the whole template (headers:
    /// `"Hello {x}"` ≡ `Hello {x}`).
    pub strip_quotes: bool,
}

impl Default for TemplateOptions {
    fn default() -> Self {
        Self {
            variable_prefix: '{',
            variable_suffix: '}',
            dollar_braces: false,
            strip_quotes: false,
        }
    }
}

/// A function-call argument.
#[derive(Debug, Clone)]
pub enum Arg {
    /// A variable, optionally with a default used when it is unresolved.
    Var {
        /// Variable name.
        name: String,
        /// `name:default` text.
        default: Option<String>,
        /// Byte range of the argument in the template text.
        span: Range<usize>,
    },
    /// A quoted literal, an unquoted integer, or bare `true`/`false`.
    Lit {
        /// The literal text, without quotes.
        value: String,
        /// Byte range of the argument (quotes included).
        span: Range<usize>,
    },
}

impl Arg {
    /// Byte range of the argument in the template text.
    pub fn span(&self) -> Range<usize> {
        match self {
            Arg::Var { span, .. } | Arg::Lit { span, .. } => span.clone(),
        }
    }

    /// The literal text, for a literal argument.
    pub fn literal(&self) -> Option<&str> {
        match self {
            Arg::Lit { value, .. } => Some(value),
            Arg::Var { .. } => None,
        }
    }
}

/// Spans are locations, not content: equality ignores them.
impl PartialEq for Arg {
    fn eq(&self, other: &Self) -> bool {
        match (self, other) {
            (
                Arg::Var {
                    name: a,
                    default: da,
                    ..
                },
                Arg::Var {
                    name: b,
                    default: db,
                    ..
                },
            ) => a == b && da == db,
            (Arg::Lit { value: a, .. }, Arg::Lit { value: b, .. }) => a == b,
            _ => false,
        }
    }
}

impl Eq for Arg {}

/// One piece of a template.
#[derive(Debug, Clone)]
pub enum Piece {
    /// Literal text, emitted as is.
    Lit(String),
    /// A variable reference.
    Var {
        /// Variable name.
        name: String,
        /// `{name:default}` text.
        default: Option<String>,
        /// Byte range of the reference, delimiters included.
        span: Range<usize>,
    },
    /// A function call.
    Call {
        /// The function.
        func: Func,
        /// Its arguments, in order.
        args: Vec<Arg>,
        /// Byte range of the reference, delimiters included.
        span: Range<usize>,
    },
}

/// Spans are locations, not content: equality ignores them.
impl PartialEq for Piece {
    fn eq(&self, other: &Self) -> bool {
        match (self, other) {
            (Piece::Lit(a), Piece::Lit(b)) => a == b,
            (
                Piece::Var {
                    name: a,
                    default: da,
                    ..
                },
                Piece::Var {
                    name: b,
                    default: db,
                    ..
                },
            ) => a == b && da == db,
            (
                Piece::Call {
                    func: fa, args: aa, ..
                },
                Piece::Call {
                    func: fb, args: ab, ..
                },
            ) => fa == fb && aa == ab,
            _ => false,
        }
    }
}

impl Eq for Piece {}

/// A parsed template: adjacent literal text is merged into one piece.
/// Equality ignores spans.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Template {
    pieces: Vec<Piece>,
}

impl Template {
    /// The pieces, in order.
    pub fn pieces(&self) -> &[Piece] {
        &self.pieces
    }

    /// Whether the template contains no reference (empty counts).
    pub fn is_literal(&self) -> bool {
        self.pieces.iter().all(|p| matches!(p, Piece::Lit(_)))
    }

    /// Total byte length of the literal pieces (for `String::with_capacity`).
    pub fn literal_len(&self) -> usize {
        self.pieces
            .iter()
            .map(|p| if let Piece::Lit(s) = p { s.len() } else { 0 })
            .sum()
    }

    /// Every variable read, as (name, span), including function arguments,
    /// in source order.
    pub fn variables(&self) -> impl Iterator<Item = (&str, Range<usize>)> + '_ {
        self.pieces.iter().flat_map(|piece| {
            let found: Vec<(&str, Range<usize>)> = match piece {
                Piece::Lit(_) => Vec::new(),
                Piece::Var { name, span, .. } => vec![(name.as_str(), span.clone())],
                Piece::Call { args, .. } => args
                    .iter()
                    .filter_map(|a| match a {
                        Arg::Var { name, span, .. } => Some((name.as_str(), span.clone())),
                        Arg::Lit { .. } => None,
                    })
                    .collect(),
            };
            found
        })
    }
}

/// Canonical text in the default syntax (`{…}` delimiters, quoted literal
/// arguments): `parse(&t.to_string(), &TemplateOptions::default())` gives
/// back a template equal to `t` for every `t` parsed with default options.
impl fmt::Display for Template {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for piece in &self.pieces {
            match piece {
                Piece::Lit(text) => f.write_str(text)?,
                Piece::Var {
                    name,
                    default: None,
                    ..
                } => write!(f, "{{{name}}}")?,
                Piece::Var {
                    name,
                    default: Some(d),
                    ..
                } => write!(f, "{{{name}:{d}}}")?,
                Piece::Call { func, args, .. } => {
                    write!(f, "{{{func}(")?;
                    for (i, arg) in args.iter().enumerate() {
                        if i > 0 {
                            f.write_str(",")?;
                        }
                        match arg {
                            Arg::Var {
                                name,
                                default: None,
                                ..
                            } => f.write_str(name)?,
                            Arg::Var {
                                name,
                                default: Some(d),
                                ..
                            } => write!(f, "{name}:{d}")?,
                            Arg::Lit { value, .. } => write!(f, "'{value}'")?,
                        }
                    }
                    f.write_str(")}")?;
                }
            }
        }
        Ok(())
    }
}

/// Parses template text. Spans in the result and in diagnostics are byte
/// offsets into `src`. Every problem is reported, not just the first.
pub fn parse(
    src: &str,
    opts: &TemplateOptions,
) -> Result<(Template, Vec<ExprWarning>), Vec<ExprError>> {
    syntax::parse(src, opts)
}
