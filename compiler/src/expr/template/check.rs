//! Build-time checks of a function call: arity and literal arguments.
//! Literal regexes, JSONPaths, XPaths, date patterns and replacement strings
//! are validated with the same engines (or the same shared code) that
//! evaluate them at run time, and reported at their own byte offset.

use std::ops::Range;

use super::funcs::Func;
use super::shared::java_replacement::parse_replacement;
use super::shared::jsonpath_compat::translate;
use super::shared::time_pattern::tokenize;
use super::shared::xpath_guard::{MAX_NESTING, max_nesting, prefixes};
use super::syntax::error;
use super::{Arg, ExprError};

/// Key encodings the runtime's HMAC functions accept (case-insensitive).
const KEY_ENCODINGS: &[&str] = &["hex", "base16", "base64", "utf-8", "utf8"];
/// Output encodings the runtime's HMAC functions accept (case-insensitive).
const OUTPUT_ENCODINGS: &[&str] = &["hex", "base16", "base64"];

/// Checks `args` against `func`; problems are appended to `errors`.
pub(super) fn check_call(
    func: Func,
    args: &[Arg],
    name_span: Range<usize>,
    errors: &mut Vec<ExprError>,
) {
    let (min, max) = func.arity();
    if args.len() < min || args.len() > max {
        let expected = match (min, max) {
            (a, b) if a == b => format!("{a}"),
            (a, usize::MAX) => format!("at least {a}"),
            (a, b) => format!("{a} to {b}"),
        };
        errors.push(error(
            "PXC202",
            format!(
                "`{func}` takes {expected} argument(s), found {}",
                args.len()
            ),
            name_span,
            format!("usage: {{{}}}", func.usage()),
        ));
        return;
    }
    let mut check = Checker { errors };
    match func {
        Func::ReplaceAll | Func::ReplaceFirst => {
            let groups = args.get(1).and_then(|a| check.regex(a));
            if let Some(repl) = args.get(2) {
                check.replacement(repl, groups.as_ref());
            }
        }
        Func::Xeger => {
            if let Some(a) = args.first() {
                check.regex(a);
            }
        }
        Func::JsonPath => check.json_path(args.first()),
        Func::Xpath => check.xpath(args),
        Func::TimeFormat | Func::TimeFormatMs | Func::TimeFormatUtc | Func::TimeFormatUtcMs => {
            check.time_pattern(args.first());
        }
        Func::HmacSha224
        | Func::HmacSha256
        | Func::HmacSha384
        | Func::HmacSha512
        | Func::HmacMd5
        | Func::HmacSha1 => {
            check.encoding(args.get(2), KEY_ENCODINGS, "key");
            check.encoding(args.get(3), OUTPUT_ENCODINGS, "output");
        }
        Func::Substring => {
            args.iter()
                .skip(1)
                .for_each(|a| check.integer(a, i64::from(i32::MIN), i64::from(i32::MAX)));
        }
        Func::RandomLong => {
            args.iter()
                .for_each(|a| check.integer(a, i64::MIN, i64::MAX));
            let bounds: Vec<i64> = args
                .iter()
                .filter_map(|a| a.literal()?.parse().ok())
                .collect();
            if let ([lo, hi], Some(last)) = (bounds.as_slice(), args.last())
                && lo >= hi
            {
                check.errors.push(error(
                    "PXC210",
                    format!("randomLong bounds are empty: min {lo} must be below max {hi}"),
                    last.span(),
                    "min is inclusive, max exclusive",
                ));
            }
        }
        _ => {}
    }
}

/// Capture groups of a literal regex, for checking `$n` / `${name}`.
struct Groups {
    count: usize,
    names: Vec<String>,
}

struct Checker<'e> {
    errors: &'e mut Vec<ExprError>,
}

/// A literal argument's text and the byte offset of its first character
/// (after the opening quote when quoted).
fn literal(arg: &Arg) -> Option<(&str, usize, Range<usize>)> {
    let Arg::Lit { value, span } = arg else {
        return None;
    };
    let quoted = span.len() == value.len() + 2;
    Some((value, span.start + usize::from(quoted), span.clone()))
}

impl Checker<'_> {
    fn push(&mut self, code: &'static str, message: String, span: Range<usize>, help: &str) {
        self.errors.push(error(code, message, span, help));
    }

    /// Validates a literal regex (same parser and limits as the `regex`
    /// crate at run time); returns its groups when valid.
    fn regex(&mut self, arg: &Arg) -> Option<Groups> {
        let (pattern, at, whole) = literal(arg)?;
        const HELP: &str = "patterns use Rust `regex` syntax: Java look-around, backreferences and possessive quantifiers are not supported";
        if let Err(e) = regex_syntax::Parser::new().parse(pattern) {
            let (message, span) = match &e {
                regex_syntax::Error::Parse(p) => (
                    p.kind().to_string(),
                    p.span().start.offset..p.span().end.offset,
                ),
                regex_syntax::Error::Translate(t) => (
                    t.kind().to_string(),
                    t.span().start.offset..t.span().end.offset,
                ),
                other => (other.to_string(), 0..pattern.len()),
            };
            let span = at + span.start..at + span.end.max(span.start + 1).min(pattern.len().max(1));
            self.push(
                "PXC203",
                format!("invalid regular expression: {message}"),
                span,
                HELP,
            );
            return None;
        }
        match regex::Regex::new(pattern) {
            Ok(re) => Some(Groups {
                count: re.captures_len().saturating_sub(1),
                names: re.capture_names().flatten().map(str::to_owned).collect(),
            }),
            Err(e) => {
                self.push(
                    "PXC203",
                    format!("invalid regular expression: {e}"),
                    whole,
                    HELP,
                );
                None
            }
        }
    }

    fn replacement(&mut self, arg: &Arg, groups: Option<&Groups>) {
        let Some((text, at, _)) = literal(arg) else {
            return;
        };
        const HELP: &str =
            "Java replacement syntax: `$1` or `${name}` for a group, `\\$` for a literal dollar";
        match parse_replacement(text, groups.map_or(usize::MAX, |g| g.count)) {
            Err(e) => self.push(
                "PXC212",
                format!("invalid replacement: {}", e.message),
                at + e.offset..at + e.offset + 1,
                HELP,
            ),
            Ok(parts) => {
                use super::shared::java_replacement::ReplPart;
                let missing = parts.iter().find_map(|p| match (p, groups) {
                    (ReplPart::Named(n), Some(g)) if !g.names.contains(n) => Some(n.clone()),
                    _ => None,
                });
                if let Some(name) = missing {
                    self.push(
                        "PXC212",
                        format!(
                            "invalid replacement: no group named `{name}` in the regular expression"
                        ),
                        at..at + text.len(),
                        HELP,
                    );
                }
            }
        }
    }

    fn json_path(&mut self, arg: Option<&Arg>) {
        let Some((path, at, whole)) = arg.and_then(literal) else {
            return;
        };
        const HELP: &str = "JSONPath is evaluated as RFC 9535 after translating Jayway syntax (`[?(@.a == \"x\")]`, dotted names)";
        match translate(path) {
            Err(e) => self.push(
                "PXC204",
                format!("invalid JSONPath: {}", e.message),
                at + e.offset..at + e.offset + 1,
                HELP,
            ),
            Ok(t) => {
                if let Err(e) = serde_json_path::JsonPath::parse(&t.path) {
                    self.push(
                        "PXC204",
                        format!("invalid JSONPath `{}`: {e}", t.path),
                        whole,
                        HELP,
                    );
                }
            }
        }
    }

    /// A literal XPath must parse; when every extra argument is a literal,
    /// each namespace prefix it uses must be bound by one of them.
    fn xpath(&mut self, args: &[Arg]) {
        let Some((expr, at, whole)) = args.first().and_then(literal) else {
            return;
        };
        if max_nesting(expr) > MAX_NESTING {
            self.push(
                "PXC205",
                format!("XPath nested deeper than {MAX_NESTING} levels"),
                whole,
                "split the expression, or select a node first and query it in a second step",
            );
            return;
        }
        match sxd_xpath::Factory::new().build(expr) {
            Ok(Some(_)) => {}
            Ok(None) => {
                return self.push(
                    "PXC205",
                    "empty XPath expression".into(),
                    whole,
                    "give the xpath call an expression, such as '/root/name'",
                );
            }
            Err(e) => {
                return self.push(
                    "PXC205",
                    format!("invalid XPath: {e}"),
                    whole,
                    "XPath 1.0 syntax",
                );
            }
        }
        let extra: Option<Vec<&str>> = args.iter().skip(2).map(Arg::literal).collect();
        let Some(extra) = extra else { return };
        let bound: Vec<&str> = extra
            .iter()
            .filter_map(|a| a.split_once(':'))
            .map(|(p, _)| p.trim())
            .collect();
        for (offset, prefix) in prefixes(expr) {
            if !bound.contains(&prefix) {
                self.push(
                    "PXC205",
                    format!("namespace prefix `{prefix}` is not bound"),
                    at + offset..at + offset + prefix.len(),
                    &format!("add an argument '{prefix}:namespace-uri' to the xpath call"),
                );
            }
        }
    }

    fn time_pattern(&mut self, arg: Option<&Arg>) {
        let Some((pattern, at, _)) = arg.and_then(literal) else {
            return;
        };
        if let Err(e) = tokenize(pattern) {
            self.push(
                "PXC211",
                e.message,
                at + e.offset..at + e.offset + 1,
                "Java SimpleDateFormat subset",
            );
        }
    }

    fn encoding(&mut self, arg: Option<&Arg>, allowed: &[&str], which: &str) {
        let Some((name, _, whole)) = arg.and_then(literal) else {
            return;
        };
        if !allowed.iter().any(|a| a.eq_ignore_ascii_case(name)) {
            self.push(
                "PXC209",
                format!(
                    "unknown {which} encoding `{name}` (expected one of: {})",
                    allowed.join(", ")
                ),
                whole,
                "use one of the encodings listed (in any letter case)",
            );
        }
    }

    fn integer(&mut self, arg: &Arg, min: i64, max: i64) {
        let Some((text, _, whole)) = literal(arg) else {
            return;
        };
        if !text
            .trim()
            .parse::<i64>()
            .is_ok_and(|v| (min..=max).contains(&v))
        {
            self.push(
                "PXC210",
                format!("`{text}` is not an integer in {min}..={max}"),
                whole,
                "write the number as decimal digits with an optional sign, within the range",
            );
        }
    }
}
