//! Turns a pest failure into one precise [`ExprError`]: what was expected at
//! the failing position (an operand or an operator, from pest's positive
//! attempts) and what token is actually there.

use pest::error::{Error, ErrorVariant, InputLocation};

use super::ast::Span;
use super::ops;
use super::parser::Rule;
use crate::expr::ExprError;

/// Help shared by the missing-operand errors.
const OPERAND_HELP: &str =
    "an operand is a variable name, a \"string\", a number, true, false or null";

/// Quotes, and parentheses outside quotes, found by a linear scan.
struct Scan {
    /// Opening quote with no closing one.
    unterminated: Option<(usize, char)>,
    /// A `)` with no `(` before it.
    unmatched_close: Option<usize>,
    /// Positions of `(` still open at the end.
    open: Vec<usize>,
}

fn scan(src: &str) -> Scan {
    let mut out = Scan {
        unterminated: None,
        unmatched_close: None,
        open: Vec::new(),
    };
    let mut quote: Option<(usize, char)> = None;
    for (i, c) in src.char_indices() {
        match (quote, c) {
            (Some((_, q)), c) if c == q => quote = None,
            (Some(_), _) => {}
            (None, '"' | '\'') => quote = Some((i, c)),
            (None, '(') => out.open.push(i),
            (None, ')') => {
                let opened = out.open.pop();
                if opened.is_none() {
                    out.unmatched_close.get_or_insert(i);
                }
            }
            _ => {}
        }
    }
    out.unterminated = quote;
    out
}

/// What the text holds at the failing position.
enum Token {
    End,
    Open(Span),
    Close(Span),
    /// A run of operator characters (extended left over operator characters
    /// pest already consumed, so `=~` is seen whole).
    Ops(Span),
    Word(Span),
    Number(Span),
    Literal(Span),
    Other(Span),
}

fn token_at(src: &str, pos: usize) -> Token {
    let rest = src.get(pos..).unwrap_or_default();
    let start = pos + (rest.len() - rest.trim_start().len());
    let rest = src.get(start..).unwrap_or_default();
    let run = |pred: fn(char) -> bool| start + rest.find(|c: char| !pred(c)).unwrap_or(rest.len());
    let Some(first) = rest.chars().next() else {
        return Token::End;
    };
    match first {
        '(' => Token::Open(start..start + 1),
        ')' => Token::Close(start..start + 1),
        '"' | '\'' => {
            let end = rest
                .get(1..)
                .and_then(|r| r.find(first))
                .map_or(src.len(), |i| start + i + 2);
            Token::Literal(start..end)
        }
        c if ops::is_op_char(c) => {
            let before = src.get(..start).unwrap_or_default();
            let left = before.len() - before.trim_end_matches(ops::is_op_char).len();
            Token::Ops(start - left..run(ops::is_op_char))
        }
        c if c.is_ascii_alphabetic() || c == '_' => Token::Word(start..run(ops::is_name_char)),
        c if c.is_ascii_digit() || c == '-' || c == '.' => {
            let end = run(ops::is_name_char);
            if end > start + 1 || c.is_ascii_digit() {
                Token::Number(start..end)
            } else {
                Token::Other(start..end)
            }
        }
        c => Token::Other(start..start + c.len_utf8()),
    }
}

/// The token just before `pos` (operator run or name), for "after `=`".
fn token_before(src: &str, pos: usize) -> Option<(Span, &str)> {
    let before = src.get(..pos)?.trim_end();
    let end = before.len();
    let last = before.chars().last()?;
    let start = if ops::is_op_char(last) {
        before.trim_end_matches(ops::is_op_char).len()
    } else if ops::is_name_char(last) {
        before.trim_end_matches(ops::is_name_char).len()
    } else {
        end - last.len_utf8()
    };
    Some((start..end, before.get(start..end)?))
}

fn error(code: &'static str, message: String, span: Span, help: impl Into<String>) -> ExprError {
    ExprError {
        code,
        message,
        span,
        help: Some(help.into()),
    }
}

/// Builds the error for a failed parse of `src`: an unterminated quote or
/// unmatched `)` at or before pest's failing position, else what pest
/// expected there against the token actually found.
pub(crate) fn syntax_error(src: &str, err: &Error<Rule>) -> ExprError {
    let pos = match err.location {
        InputLocation::Pos(p) => p,
        InputLocation::Span((p, _)) => p,
    };
    let found = scan(src);
    if let Some((at, quote)) = found.unterminated.filter(|(at, _)| *at <= pos) {
        let what = if quote == '"' {
            "string literal"
        } else {
            "quoted variable name"
        };
        return error(
            "PXC105",
            format!("unterminated {what}: `{quote}` is never closed"),
            at..src.len(),
            format!(
                "add the closing `{quote}`; conditions have no escape sequences, so the text cannot contain `{quote}` itself"
            ),
        );
    }
    if let Some(at) = found.unmatched_close.filter(|at| *at <= pos) {
        return error(
            "PXC106",
            "unmatched `)`".into(),
            at..at + 1,
            "remove it, or add the `(` it was meant to close",
        );
    }
    let positives: &[Rule] = match &err.variant {
        ErrorVariant::ParsingError { positives, .. } => positives,
        ErrorVariant::CustomError { .. } => &[],
    };
    let wants_operand = positives.iter().any(|r| {
        matches!(
            r,
            Rule::condition
                | Rule::expr
                | Rule::unary
                | Rule::string
                | Rule::quoted_var
                | Rule::number
                | Rule::null_lit
                | Rule::true_lit
                | Rule::false_lit
                | Rule::variable
        )
    });
    let wants_operator = positives.iter().any(|r| {
        matches!(
            r,
            Rule::EOI
                | Rule::and_op
                | Rule::or_op
                | Rule::symbol_op
                | Rule::word_op
                | Rule::dangling
        )
    });
    let token = token_at(src, pos);
    if positives
        .iter()
        .any(|r| matches!(r, Rule::negatable_word | Rule::negatable_symbol))
    {
        let start = token_before(src, pos).map_or(pos, |(s, _)| s.start);
        let end = match token {
            Token::Word(s) | Token::Ops(s) => s.end,
            _ => pos,
        };
        return bad_negation(start..end);
    }
    if wants_operand {
        missing_operand(src, pos, token)
    } else if wants_operator {
        missing_operator(src, pos, token, &found)
    } else {
        error(
            "PXC101",
            format!("syntax error: {}", err.variant.message()),
            pos..pos,
            "see the condition grammar (operand operator operand, joined with and/or)",
        )
    }
}

fn text(src: &str, span: &Span) -> String {
    src.get(span.clone()).unwrap_or_default().to_owned()
}

fn is_known_symbol(run: &str) -> bool {
    ops::lookup(run).is_some() || matches!(run, "&&" | "||" | "!")
}

fn unknown_operator(word: String, span: Span) -> ExprError {
    let help = match ops::nearest(&word) {
        Some(near) => format!("did you mean {near}?"),
        None => "comparison operators: = != := > >= < <= =| ~ ~~ ~/ (or their words: Equals, NotEquals, EqualsCaseInsensitive, GreaterThan, …, StartsWith, Matches, JavaRegex, MatchesPath); logic: and or not".into(),
    };
    error("PXC102", format!("unknown operator `{word}`"), span, help)
}

fn bad_negation(span: Span) -> ExprError {
    error(
        "PXC102",
        "`not` before an operator only negates StartsWith, Matches, JavaRegex and MatchesPath (and their aliases)".into(),
        span,
        "negate the whole comparison instead: `not (a = b)`; for equality use `!=`",
    )
}

fn bad_number(src: &str, span: Span) -> ExprError {
    error(
        "PXC107",
        format!("invalid number literal `{}`", text(src, &span)),
        span,
        "a number is digits with an optional fraction and one suffix f, d or l (no exponent); a variable name starts with a letter or `_`",
    )
}

fn unexpected_char(src: &str, span: Span) -> ExprError {
    let c = text(src, &span);
    let help = if matches!(c.as_str(), "+" | "-" | "*" | "/" | "%") {
        "arithmetic is not supported in conditions; compute the value in a policy (AssignMessage, JavaScript) first"
    } else {
        "quote a variable name that contains this character: 'name'"
    };
    error("PXC101", format!("unexpected character `{c}`"), span, help)
}

/// An operand was expected at `pos`.
fn missing_operand(src: &str, pos: usize, token: Token) -> ExprError {
    let after = token_before(src, pos)
        .map(|(_, t)| format!(" after `{t}`"))
        .unwrap_or_default();
    match token {
        Token::End => {
            let span = token_before(src, pos).map_or(pos..pos, |(s, _)| s);
            error(
                "PXC104",
                format!("missing operand{after} at the end of the condition"),
                span,
                OPERAND_HELP,
            )
        }
        Token::Close(span) => error(
            "PXC104",
            format!("missing operand{after} before `)`"),
            span,
            OPERAND_HELP,
        ),
        Token::Open(span) => error(
            "PXC104",
            format!("expected an operand{after}, found `(`"),
            span,
            "parentheses group whole conditions; the operands of a comparison are single values",
        ),
        Token::Ops(span) => {
            let run = text(src, &span);
            if is_known_symbol(&run) {
                error(
                    "PXC104",
                    format!("expected an operand{after}, found operator `{run}`"),
                    span,
                    OPERAND_HELP,
                )
            } else {
                unknown_operator(run, span)
            }
        }
        Token::Word(span) => {
            let word = text(src, &span);
            let help = if word.eq_ignore_ascii_case("not") {
                "`not` cannot follow a comparison operator: write `x IsNot null` or `x != y`, or negate the whole comparison: `not (x = y)`".to_owned()
            } else {
                format!("a variable named like a keyword must be quoted: '{word}'")
            };
            error(
                "PXC104",
                format!("expected an operand{after}, found keyword `{word}`"),
                span,
                help,
            )
        }
        Token::Number(span) => bad_number(src, span),
        Token::Literal(span) => unexpected_char(src, span.start..span.start + 1),
        Token::Other(span) => unexpected_char(src, span),
    }
}

/// An operator (or the end) was expected at `pos`.
fn missing_operator(src: &str, pos: usize, token: Token, found: &Scan) -> ExprError {
    let chain_help = "combine comparisons with `and`/`or`: `a = 1 and b = 2`";
    match token {
        Token::End | Token::Close(_) => match found.open.last() {
            Some(&open) => error(
                "PXC103",
                "unclosed `(`".into(),
                open..open + 1,
                "add the matching `)`",
            ),
            None => error(
                "PXC101",
                "unexpected end of condition".into(),
                pos..pos,
                chain_help,
            ),
        },
        Token::Ops(span) => {
            let run = text(src, &span);
            match ops::lookup(&run) {
                Some(_) => error(
                    "PXC101",
                    format!("comparison operator `{run}` after a complete comparison"),
                    span,
                    chain_help,
                ),
                None => unknown_operator(run, span),
            }
        }
        Token::Word(span) => {
            let word = text(src, &span);
            if word.eq_ignore_ascii_case("not") {
                let end = match token_at(src, span.end) {
                    Token::Word(s) | Token::Ops(s) => s.end,
                    _ => span.end,
                };
                bad_negation(span.start..end)
            } else if ops::lookup(&word).is_some() {
                error(
                    "PXC101",
                    format!("comparison operator `{word}` after a complete comparison"),
                    span,
                    chain_help,
                )
            } else if ops::is_keyword(&word) || ops::nearest(&word).is_none() {
                let prev = token_before(src, span.start)
                    .map(|(_, t)| t)
                    .unwrap_or_default();
                error(
                    "PXC101",
                    format!("expected an operator between `{prev}` and `{word}`"),
                    span,
                    "put an operator between the operands; word operators need spaces around them, and a variable name with spaces must be quoted: 'my var'",
                )
            } else {
                unknown_operator(word, span)
            }
        }
        Token::Open(span) | Token::Literal(span) | Token::Number(span) => {
            let what = text(src, &span);
            let glued = token_before(src, span.start).and_then(|(_, prev)| glued_operator(prev));
            let help = match glued {
                Some(op) => format!(
                    "`{op}` is glued to the name before it; word operators need a space before them"
                ),
                None => {
                    "put a comparison operator (`=`, `!=`, `Matches`, …) or `and`/`or` before it"
                        .into()
                }
            };
            error(
                "PXC101",
                format!("expected an operator before `{what}`"),
                span,
                help,
            )
        }
        Token::Other(span) => unexpected_char(src, span),
    }
}

/// The word operator a name ends with (`aEquals` → `Equals`), if any.
fn glued_operator(name: &str) -> Option<&'static str> {
    ops::SPELLINGS
        .iter()
        .map(|s| s.text)
        .filter(|t| t.chars().all(|c| c.is_ascii_alphabetic()))
        .filter(|t| name.len() > t.len())
        .find(|t| {
            name.get(name.len() - t.len()..)
                .is_some_and(|tail| tail.eq_ignore_ascii_case(t))
        })
}
