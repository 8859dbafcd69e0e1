//! From template text to [`Template`]: runs the pest grammar, merges literal
//! text, applies the `${…}` and quote-stripping options, and diagnoses
//! malformed or unknown function calls.

use std::ops::Range;

use pest::Parser as _;
use pest::iterators::Pair;

use super::check::check_call;
use super::funcs::{Func, near_names};
use super::{Arg, ExprError, ExprWarning, Piece, Template, TemplateOptions};

#[derive(pest_derive::Parser)]
#[grammar = "grammar/template.pest"]
struct TemplateParser;

/// A template error; every one says how to fix it.
pub(super) fn error(
    code: &'static str,
    message: String,
    span: Range<usize>,
    help: impl Into<String>,
) -> ExprError {
    ExprError {
        code,
        message,
        span,
        help: Some(help.into()),
    }
}

fn warning(
    code: &'static str,
    message: String,
    span: Range<usize>,
    help: Option<String>,
) -> ExprWarning {
    ExprWarning {
        code,
        message,
        span,
        help,
    }
}

/// Parses `src` (see [`super::parse`]).
pub(super) fn parse(
    src: &str,
    opts: &TemplateOptions,
) -> Result<(Template, Vec<ExprWarning>), Vec<ExprError>> {
    let quoted = opts.strip_quotes && src.len() >= 2 && src.starts_with('"') && src.ends_with('"');
    let (body, base) = match src.get(1..src.len().saturating_sub(1)) {
        Some(inner) if quoted => (inner, 1),
        _ => (src, 0),
    };
    let header = format!("{}{}", opts.variable_prefix, opts.variable_suffix);
    let input = format!("{header}{body}");
    let mut builder = Builder {
        input: &input,
        opts,
        offset: Offset {
            header: header.len(),
            base,
        },
        pieces: Vec::new(),
        lit: String::new(),
        text_tail: None,
        warnings: Vec::new(),
        errors: Vec::new(),
    };
    match TemplateParser::parse(Rule::template, &input) {
        Ok(mut pairs) => {
            for pair in pairs.next().map(Pair::into_inner).into_iter().flatten() {
                builder.piece(pair);
            }
        }
        Err(e) => builder.errors.push(error(
            "PXC208",
            format!("template could not be parsed: {}", e.variant.message()),
            0..src.len(),
            "a reference is `{variable}` or `{function(arguments)}`, closed by `}`",
        )),
    }
    builder.finish()
}

/// Maps byte positions in the parser input (header + body) back to `src`.
#[derive(Clone, Copy)]
struct Offset {
    header: usize,
    base: usize,
}

impl Offset {
    fn pos(self, input_pos: usize) -> usize {
        input_pos.saturating_sub(self.header) + self.base
    }

    fn span(self, pair: &Pair<'_, Rule>) -> Range<usize> {
        let s = pair.as_span();
        self.pos(s.start())..self.pos(s.end())
    }
}

struct Builder<'a> {
    /// The parser input: delimiter header + template body.
    input: &'a str,
    opts: &'a TemplateOptions,
    offset: Offset,
    pieces: Vec<Piece>,
    /// Literal text not yet pushed as a piece.
    lit: String,
    /// Last character of the previous pair when it was literal text, and
    /// its position in `src` (for `${` and `\{`).
    text_tail: Option<(char, usize)>,
    warnings: Vec<ExprWarning>,
    errors: Vec<ExprError>,
}

impl Builder<'_> {
    fn finish(mut self) -> Result<(Template, Vec<ExprWarning>), Vec<ExprError>> {
        self.flush();
        if self.errors.is_empty() {
            Ok((
                Template {
                    pieces: self.pieces,
                },
                self.warnings,
            ))
        } else {
            Err(self.errors)
        }
    }

    fn flush(&mut self) {
        if !self.lit.is_empty() {
            self.pieces.push(Piece::Lit(std::mem::take(&mut self.lit)));
        }
    }

    fn push_text(&mut self, text: &str, start: usize) {
        self.lit.push_str(text);
        self.text_tail = text.char_indices().last().map(|(i, c)| (c, start + i));
    }

    fn piece(&mut self, pair: Pair<'_, Rule>) {
        let span = self.offset.span(&pair);
        if pair.as_str().starts_with('{') {
            self.check_escape(&span);
        }
        match pair.as_rule() {
            Rule::text => self.push_text(pair.as_str(), span.start),
            Rule::reference => {
                let tail = self.text_tail.take();
                self.reference(pair, span, tail);
            }
            Rule::malformed_call => {
                self.text_tail = None;
                self.malformed(pair, span);
            }
            _ => {}
        }
    }

    /// PXW203 for `\{`.
    fn check_escape(&mut self, span: &Range<usize>) {
        if let Some(('\\', at)) = self.text_tail {
            self.warnings.push(warning(
                "PXW203",
                "`\\{` is not an escape in message templates: the backslash is emitted literally".into(),
                at..span.start + 1,
                Some("templates have no escape for `{`; a `{` that does not start a reference is already literal".into()),
            ));
        }
    }

    /// PXW201 / PXW202 for a `$` (`tail`) right before a `{…}` reference.
    fn check_dollar(&mut self, source: &str, tail: Option<(char, usize)>) {
        let Some(('$', at)) = tail else { return };
        if !source.starts_with('{') {
            return;
        }
        if self.opts.dollar_braces {
            self.lit.pop();
            self.warnings.push(warning(
                "PXW201",
                "`${…}` is read as `{…}`: the `$` is dropped".into(),
                at..at + 1,
                Some("write `{name}`; `${NAME}` build-time placeholders must be substituted before compiling".into()),
            ));
        } else {
            self.warnings.push(warning(
                "PXW202",
                "`$` before a `{…}` reference is emitted literally; the reference is still substituted".into(),
                at..at + 1,
                None,
            ));
        }
    }

    /// A recognised reference; `tail` is the end of the preceding text.
    fn reference(&mut self, pair: Pair<'_, Rule>, span: Range<usize>, tail: Option<(char, usize)>) {
        let source = pair.as_str().to_owned();
        let Some(inner) = pair.into_inner().next() else {
            return;
        };
        match inner.as_rule() {
            Rule::var_ref => {
                let mut parts = inner.into_inner();
                let name = parts
                    .next()
                    .map(|p| p.as_str().to_owned())
                    .unwrap_or_default();
                let default = parts.next().map(|p| p.as_str().to_owned());
                if let Some(d) = default
                    .as_deref()
                    .filter(|d| d.starts_with(char::is_whitespace))
                {
                    self.warnings.push(warning(
                        "PXW205",
                        format!("`{{{name}:{d}}}` is a reference to `{name}` with a default, although it looks like CSS/JS code"),
                        span.clone(),
                        Some("templates cannot escape `{`; move such code into a variable or a resource file".into()),
                    ));
                }
                self.check_dollar(&source, tail);
                self.flush();
                self.pieces.push(Piece::Var {
                    name,
                    default,
                    span,
                });
            }
            Rule::call => self.call(inner, span, &source, tail),
            _ => {}
        }
    }

    fn call(
        &mut self,
        pair: Pair<'_, Rule>,
        span: Range<usize>,
        source: &str,
        tail: Option<(char, usize)>,
    ) {
        let mut parts = pair.into_inner();
        let Some(fname) = parts.next() else { return };
        let name_span = self.offset.span(&fname);
        let args: Vec<Arg> = parts
            .filter(|p| matches!(p.as_rule(), Rule::lit_arg | Rule::num_arg | Rule::var_arg))
            .map(|a| self.arg(a))
            .collect();
        match Func::from_name(fname.as_str()) {
            Some(func) => {
                check_call(func, &args, name_span, &mut self.errors);
                self.check_dollar(source, tail);
                self.flush();
                self.pieces.push(Piece::Call { func, args, span });
            }
            None => {
                let near = near_names(fname.as_str());
                if let Some(best) = near.first() {
                    self.errors.push(error(
                        "PXC201",
                        format!("unknown template function `{}`", fname.as_str()),
                        name_span,
                        format!("did you mean `{best}`? (close names: {})", near.join(", ")),
                    ));
                } else {
                    self.warnings.push(warning(
                        "PXW204",
                        format!(
                            "`{}` is not a template function: `{source}` is kept as literal text",
                            fname.as_str()
                        ),
                        span.clone(),
                        None,
                    ));
                    self.push_text(source, span.start);
                }
            }
        }
    }

    fn arg(&self, pair: Pair<'_, Rule>) -> Arg {
        let span = self.offset.span(&pair);
        let text = pair.as_str();
        match pair.as_rule() {
            Rule::lit_arg => {
                let value = pair
                    .into_inner()
                    .find(|p| p.as_rule() == Rule::lit_text)
                    .map(|p| p.as_str().to_owned());
                Arg::Lit {
                    value: value.unwrap_or_default(),
                    span,
                }
            }
            Rule::num_arg => Arg::Lit {
                value: text.to_owned(),
                span,
            },
            _ => {
                let mut parts = pair.into_inner().filter(|p| p.as_rule() != Rule::colon);
                let name = parts
                    .next()
                    .map(|p| p.as_str().to_owned())
                    .unwrap_or_default();
                let default = parts.next().map(|p| p.as_str().to_owned());
                if default.is_none() && (name == "true" || name == "false") {
                    Arg::Lit { value: name, span }
                } else {
                    Arg::Var {
                        name,
                        default,
                        span,
                    }
                }
            }
        }
    }

    /// `{fname(` heading something that is not a valid call: an error for a
    /// (near-)known function, literal text otherwise.
    fn malformed(&mut self, pair: Pair<'_, Rule>, span: Range<usize>) {
        let head = pair.as_str();
        let fname = pair
            .clone()
            .into_inner()
            .next()
            .map(|p| p.as_str())
            .unwrap_or_default();
        if Func::from_name(fname).is_none() && near_names(fname).is_empty() {
            self.push_text(head, span.start);
            return;
        }
        let open_len = if head.starts_with('{') {
            1
        } else {
            self.opts.variable_prefix.len_utf8()
        };
        let head_span = pair.as_span();
        let after = self.input.get(head_span.end()..).unwrap_or_default();
        let (len, close) = call_extent(after, self.opts.variable_suffix);
        let close_len = close.map_or(0, char::len_utf8);
        let inner = self
            .input
            .get(head_span.start() + open_len..head_span.end() + len - close_len)
            .unwrap_or_default();
        let header = format!("{}{}", self.opts.variable_prefix, self.opts.variable_suffix);
        let closing = close.unwrap_or(if head.starts_with('{') {
            '}'
        } else {
            self.opts.variable_suffix
        });
        let call = Call {
            inner,
            start: span.start + open_len,
            open_len,
            close: closing,
            closed: close.is_some(),
        };
        self.errors.push(diagnose(&call, &header));
    }
}

/// Length of what a malformed call spans after its head: up to and
/// including the first unquoted `}` or `suffix` (returned), or a `{` (a
/// nested reference, reported as such), or up to the end of the line.
fn call_extent(after: &str, suffix: char) -> (usize, Option<char>) {
    let mut i = 0;
    while let Some(c) = after.get(i..).and_then(|rest| rest.chars().next()) {
        match c {
            '\'' => {
                // Skip a literal closed on the same line.
                let rest = after.get(i + 1..).unwrap_or_default();
                if let Some(j) = rest.find(['\'', '\n', '\r'])
                    && rest.get(j..).is_some_and(|r| r.starts_with('\''))
                {
                    i += j + 2;
                    continue;
                }
            }
            '\n' | '\r' => return (i, None),
            '{' => return (i + 1, None),
            c if c == '}' || c == suffix => return (i + c.len_utf8(), Some(c)),
            _ => {}
        }
        i += c.len_utf8();
    }
    (after.len(), None)
}

/// A malformed call: the text between its delimiters.
struct Call<'a> {
    /// Text after the opening delimiter, without the closing one.
    inner: &'a str,
    /// Byte offset of `inner` in the template.
    start: usize,
    /// Byte length of the opening delimiter.
    open_len: usize,
    /// The closing delimiter (found or expected).
    close: char,
    /// Whether the closing delimiter was found.
    closed: bool,
}

/// Finds why `call` is not a valid call; `header` holds the delimiters the
/// grammar expects in front.
fn diagnose(call: &Call<'_>, header: &str) -> ExprError {
    let Call {
        inner,
        start,
        open_len,
        close,
        closed,
    } = *call;
    let input = format!("{header}{inner}");
    let failed_at = match TemplateParser::parse(Rule::call_check, &input) {
        Ok(_) => None,
        Err(e) => Some(match e.location {
            pest::error::InputLocation::Pos(p) | pest::error::InputLocation::Span((p, _)) => p,
        }),
    };
    let offset = failed_at.map_or(inner.len(), |p| {
        p.saturating_sub(header.len()).min(inner.len())
    });
    let at = start + offset;
    let found = inner.get(offset..).and_then(|r| r.chars().next());
    let one = |c: char| at..at + c.len_utf8();
    match found {
        Some(c) if c.is_whitespace() => error(
            "PXC207",
            "whitespace is not allowed inside a template function call".into(),
            one(c),
            "remove the space: Apigee requires calls such as `{replaceAll(s,'a','b')}` without blanks",
        ),
        Some(c @ ('(' | '{')) => error(
            "PXC206",
            "template function calls cannot be nested".into(),
            one(c),
            "compute the inner value into a variable first (e.g. with AssignMessage `<AssignVariable><Template>`)",
        ),
        Some(c) => error(
            "PXC208",
            format!("unexpected `{c}` in function call"),
            one(c),
            "arguments are variable names or `'literal'` text, separated by commas: quote text that holds other characters",
        ),
        None if inner.matches('\'').count() % 2 == 1 => {
            let quote = inner.rfind('\'').map_or(at, |q| start + q);
            error(
                "PXC208",
                "unterminated `'` literal in function call".into(),
                quote..quote + 1,
                "close the literal with `'`",
            )
        }
        None if !closed || failed_at.is_none() => error(
            "PXC208",
            format!("function call is not closed by `{close}`"),
            start.saturating_sub(open_len)..at,
            format!("end the reference with `){close}`"),
        ),
        None => error(
            "PXC208",
            "function call is missing `)`".into(),
            at..at,
            "close the argument list with `)`, as in `{toUpperCase(name)}`",
        ),
    }
}
