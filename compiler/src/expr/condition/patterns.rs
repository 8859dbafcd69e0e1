//! Build-time compilation of the right-hand patterns of `Matches`,
//! `MatchesCaseInsensitive`, `MatchesPath` and `JavaRegex`.
//!
//! Escapes: `%` escapes the character after it only when that character is
//! special (`*` and `%` in globs; `*`, `{`, `}` and `%` in paths). Before
//! any other character, and at the end, `%` is itself a literal, so URL
//! escapes such as `/a%20b` keep their meaning.

use std::borrow::Cow;

use super::ast::{CmpOp, Operand};
use super::java_regex;

/// A compiled pattern.
#[derive(Debug, Clone, PartialEq)]
pub(crate) enum Pattern {
    /// `Matches` (and its case-insensitive variant).
    Glob(Vec<GlobPart>),
    /// `MatchesPath`.
    Path(Vec<PathSeg>),
    /// `JavaRegex`, translated to `regex` syntax and anchored `^(?:…)$`.
    Regex(String),
}

/// A piece of a glob.
#[derive(Debug, Clone, PartialEq)]
pub(crate) enum GlobPart {
    Lit(String),
    Star,
}

/// A segment of a path pattern.
#[derive(Debug, Clone, PartialEq)]
pub(crate) enum PathSeg {
    Lit(String),
    /// `*` or `{name}`.
    One,
    /// `**`: one or more segments.
    Many,
}

/// Why a pattern was rejected (reported at the pattern literal; the
/// message quotes the offending construct).
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct PatternError {
    pub code: &'static str,
    pub message: String,
    pub help: String,
}

/// The pattern text of a right operand: a string literal, or `true`/`false`
/// as their text. `None` for numbers, `null` and variables, which the
/// validator rejects.
pub(crate) fn pattern_text(rhs: &Operand) -> Option<Cow<'_, str>> {
    match rhs {
        Operand::Str(s, _) => Some(Cow::Borrowed(s)),
        Operand::Bool(b, _) => Some(Cow::Owned(b.to_string())),
        _ => None,
    }
}

/// Compiles the pattern of a pattern operator.
pub(crate) fn compile(op: CmpOp, text: &str) -> Result<Pattern, PatternError> {
    match op {
        CmpOp::MatchesPath => parse_path(text).map(Pattern::Path),
        CmpOp::JavaRegex => java_regex::compile(text).map(Pattern::Regex),
        _ => Ok(Pattern::Glob(parse_glob(text))),
    }
}

/// Splits a glob into literal runs and stars (adjacent stars collapse).
pub(crate) fn parse_glob(text: &str) -> Vec<GlobPart> {
    let mut parts = Vec::new();
    let mut lit = String::new();
    let mut chars = text.chars().peekable();
    while let Some(c) = chars.next() {
        match c {
            '%' if matches!(chars.peek(), Some('*' | '%')) => lit.extend(chars.next()),
            '*' => {
                if !lit.is_empty() {
                    parts.push(GlobPart::Lit(std::mem::take(&mut lit)));
                }
                if parts.last() != Some(&GlobPart::Star) {
                    parts.push(GlobPart::Star);
                }
            }
            c => lit.push(c),
        }
    }
    if !lit.is_empty() {
        parts.push(GlobPart::Lit(lit));
    }
    parts
}

fn path_error(message: String, help: &str) -> PatternError {
    PatternError {
        code: "PXC112",
        message,
        help: help.into(),
    }
}

/// Parses a `MatchesPath` pattern into `/`-separated segments.
pub(crate) fn parse_path(text: &str) -> Result<Vec<PathSeg>, PatternError> {
    text.split('/').map(parse_segment).collect()
}

fn parse_segment(raw: &str) -> Result<PathSeg, PatternError> {
    match raw {
        "*" => return Ok(PathSeg::One),
        "**" => return Ok(PathSeg::Many),
        _ => {}
    }
    if let Some(name) = raw.strip_prefix('{').and_then(|r| r.strip_suffix('}'))
        && !name.contains(['{', '}'])
    {
        return Ok(PathSeg::One);
    }
    let mut lit = String::new();
    let mut chars = raw.char_indices().peekable();
    while let Some((i, c)) = chars.next() {
        match c {
            '%' if matches!(chars.peek(), Some((_, '*' | '{' | '}' | '%'))) => {
                lit.extend(chars.next().map(|(_, e)| e));
            }
            '*' => {
                return Err(path_error(
                    format!("`*` must be a whole path segment in MatchesPath (segment `{raw}`)"),
                    "`*` matches exactly one segment and `**` one or more; to match part of a segment use Matches or JavaRegex, or write `%*` for a literal `*`",
                ));
            }
            '{' => {
                let message = match raw.get(i..).and_then(|r| r.find('}')) {
                    Some(_) => format!(
                        "`{{name}}` must be a whole path segment in MatchesPath (segment `{raw}`)"
                    ),
                    None => format!("unclosed `{{` in MatchesPath pattern (segment `{raw}`)"),
                };
                return Err(path_error(
                    message,
                    "`{name}` matches exactly one whole segment, like `*`; write `%{` for a literal `{`",
                ));
            }
            '}' => {
                return Err(path_error(
                    format!("unmatched `}}` in MatchesPath pattern (segment `{raw}`)"),
                    "write `%}` for a literal `}`",
                ));
            }
            c => lit.push(c),
        }
    }
    Ok(PathSeg::Lit(lit))
}

/// An anchored `regex` equivalent of a glob, for build-time evaluation
/// (the runtime walks the parts directly).
pub(crate) fn glob_regex(parts: &[GlobPart], ignore_case: bool) -> String {
    let mut re = String::from(if ignore_case { "(?si)^" } else { "(?s)^" });
    for part in parts {
        match part {
            GlobPart::Lit(l) => re.push_str(&regex_syntax::escape(l)),
            GlobPart::Star => re.push_str(".*"),
        }
    }
    re.push('$');
    re
}

/// An anchored `regex` equivalent of a path pattern, for build-time
/// evaluation.
pub(crate) fn path_regex(segs: &[PathSeg]) -> String {
    let body: Vec<String> = segs
        .iter()
        .map(|s| match s {
            PathSeg::Lit(l) => regex_syntax::escape(l),
            PathSeg::One => "[^/]*".into(),
            PathSeg::Many => "[^/]*(?:/[^/]*)*".into(),
        })
        .collect();
    format!("(?s)^{}$", body.join("/"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn globs() {
        use GlobPart::{Lit, Star};
        assert_eq!(parse_glob("/c%*at"), vec![Lit("/c*at".into())]);
        assert_eq!(
            parse_glob("a**b*"),
            vec![Lit("a".into()), Star, Lit("b".into()), Star]
        );
        assert_eq!(parse_glob("100%"), vec![Lit("100%".into())]);
        assert_eq!(parse_glob("%%20"), vec![Lit("%20".into())]);
        assert_eq!(parse_glob(""), vec![]);
    }

    #[test]
    fn paths() {
        use PathSeg::{Lit, Many, One};
        assert_eq!(
            parse_path("/*/a/{reader}/**"),
            Ok(vec![Lit(String::new()), One, Lit("a".into()), One, Many])
        );
        assert_eq!(
            parse_path("/%{user%}"),
            Ok(vec![Lit(String::new()), Lit("{user}".into())])
        );
        assert_eq!(parse_path("a%20b"), Ok(vec![Lit("a%20b".into())]));
        let msg = |p: &str| parse_path(p).err().map(|e| e.message).unwrap_or_default();
        assert_eq!(
            msg("/a/b*"),
            "`*` must be a whole path segment in MatchesPath (segment `b*`)"
        );
        assert_eq!(
            msg("/x{id}"),
            "`{name}` must be a whole path segment in MatchesPath (segment `x{id}`)"
        );
        assert_eq!(
            msg("/{id"),
            "unclosed `{` in MatchesPath pattern (segment `{id`)"
        );
        assert_eq!(
            msg("/a}"),
            "unmatched `}` in MatchesPath pattern (segment `a}`)"
        );
        assert!(parse_path("/***").is_err());
    }

    #[test]
    fn regex_equivalents() {
        let glob = glob_regex(&parse_glob("a.*b"), false);
        assert_eq!(glob, "(?s)^a\\..*b$");
        let path = parse_path("/a/**")
            .map(|p| path_regex(&p))
            .unwrap_or_default();
        assert_eq!(path, "(?s)^/a/[^/]*(?:/[^/]*)*$");
    }
}
