//! `JavaRegex` patterns: `java.util.regex` syntax translated to the `regex`
//! crate's, anchored for whole-string matching (`Matcher.matches()`).
//!
//! Translated so the meaning stays Java's: `\d \w \s` and the POSIX
//! classes `\p{Alpha}` … (ASCII in Java, Unicode in `regex`), `\e`, `\Q…\E`, `\<`/`\>` (literals in Java, word
//! boundaries in `regex`), and inside classes `~`, `--` and `[:` (set
//! operators / POSIX classes in `regex`, plain characters in Java). Java's
//! `(?u)` flag is dropped (`regex` case folding is always Unicode-aware).
//!
//! Rejected with the construct named: look-around, atomic groups,
//! backreferences, possessive quantifiers, octal and control escapes,
//! `\G \Z \R \X \h \H \v \V`, `\p{java…}` properties, and the `(?U)` and
//! `(?d)` flags — none has an equivalent in the `regex` crate.
//!
//! Known remaining difference: Java's `.`, `^` and `$` also treat `\r`,
//! U+0085, U+2028 and U+2029 as line terminators; `regex` only `\n`.

use super::patterns::PatternError;

/// Translates and anchors a Java pattern, then checks that the `regex`
/// crate compiles it. Returns the pattern the runtime will compile.
pub(crate) fn compile(java: &str) -> Result<String, PatternError> {
    let rust = translate(java)?;
    let anchored = format!("^(?:{rust})$");
    if let Err(e) = regex_syntax::Parser::new().parse(&anchored) {
        let kind = match &e {
            regex_syntax::Error::Parse(e) => e.kind().to_string(),
            regex_syntax::Error::Translate(e) => e.kind().to_string(),
            other => other.to_string(),
        };
        return Err(invalid(kind));
    }
    regex::Regex::new(&anchored).map_err(|e| invalid(e.to_string()))?;
    Ok(anchored)
}

fn invalid(kind: String) -> PatternError {
    PatternError {
        code: "PXC110",
        message: format!("invalid JavaRegex pattern: {kind}"),
        help: "fix the regular expression; it is compiled at build time, as Apigee would reject it at deploy time"
            .into(),
    }
}

fn unsupported(construct: &str, text: &str, help: &str) -> PatternError {
    PatternError {
        code: "PXC111",
        message: format!(
            "JavaRegex uses {construct} `{text}`, which the regex crate does not support"
        ),
        help: help.into(),
    }
}

const LOOKAROUND_HELP: &str = "Rust's regex crate has no look-around; split the test into two conditions, e.g. `x JavaRegex \"a.*\" and not (x JavaRegex \"a.*b\")`";
const BACKREF_HELP: &str =
    "Rust's regex crate has no backreferences; compare captured parts with separate conditions";
const POSSESSIVE_HELP: &str = "Rust's regex crate has no possessive quantifiers; use the plain quantifier (the regex crate never backtracks, so the result is the same for matching)";
const ESCAPE_HELP: &str = "Rust's regex crate does not support this escape; spell the characters out (e.g. with a class `[...]` or `\\x{..}`)";

/// Java → `regex` syntax, without anchoring.
fn translate(java: &str) -> Result<String, PatternError> {
    let mut t = Translator {
        src: java,
        pos: 0,
        out: String::with_capacity(java.len() + 8),
        class_depth: 0,
        after_quantifier: None,
        class_dash: false,
    };
    while let Some(c) = t.peek(0) {
        t.step(c)?;
    }
    Ok(t.out)
}

struct Translator<'a> {
    src: &'a str,
    /// Byte offset of the next character.
    pos: usize,
    out: String,
    class_depth: usize,
    /// Start of the previous token when it was a quantifier (so a `+` now
    /// would be possessive).
    after_quantifier: Option<usize>,
    /// The previous class character was an unescaped `-`.
    class_dash: bool,
}

impl<'a> Translator<'a> {
    /// The character `n` characters ahead.
    fn peek(&self, n: usize) -> Option<char> {
        self.src.get(self.pos..)?.chars().nth(n)
    }

    fn rest(&self) -> &'a str {
        self.src.get(self.pos..).unwrap_or_default()
    }

    /// Copies `n` bytes of source verbatim.
    fn copy(&mut self, n: usize) {
        let end = (self.pos + n).min(self.src.len());
        self.out
            .push_str(self.src.get(self.pos..end).unwrap_or_default());
        self.pos = end;
    }

    fn step(&mut self, c: char) -> Result<(), PatternError> {
        let quantifier_before = std::mem::take(&mut self.after_quantifier);
        let dash_before = std::mem::take(&mut self.class_dash);
        let in_class = self.class_depth > 0;
        match c {
            '\\' => self.escape(in_class)?,
            '[' if in_class && self.peek(1) == Some(':') => {
                self.out.push_str("[\\:");
                self.pos += 2;
                self.class_depth += 1;
            }
            '[' => {
                self.copy(1);
                self.class_depth += 1;
                if self.peek(0) == Some('^') {
                    self.copy(1);
                }
            }
            ']' if in_class => {
                self.copy(1);
                self.class_depth -= 1;
            }
            '~' if in_class => {
                self.out.push_str("\\~");
                self.pos += 1;
            }
            '-' if in_class && dash_before => {
                self.out.push_str("\\-");
                self.pos += 1;
            }
            '-' if in_class => {
                self.copy(1);
                self.class_dash = true;
            }
            '(' if !in_class => self.group()?,
            '+' if !in_class && quantifier_before.is_some() => {
                let start = quantifier_before.unwrap_or(self.pos);
                let text = self.src.get(start..=self.pos).unwrap_or("+");
                return Err(unsupported(
                    "a possessive quantifier",
                    text,
                    POSSESSIVE_HELP,
                ));
            }
            '?' if !in_class && quantifier_before.is_some() => self.copy(1),
            '*' | '+' | '?' if !in_class => {
                self.after_quantifier = Some(self.pos);
                self.copy(1);
            }
            '{' if !in_class => {
                let len = counted_repetition(self.rest());
                self.after_quantifier = (len > 0).then_some(self.pos);
                self.copy(len.max(1));
            }
            c => self.copy(c.len_utf8()),
        }
        Ok(())
    }

    /// `(`: rejects look-around and atomic groups, filters flags.
    fn group(&mut self) -> Result<(), PatternError> {
        let rest = self.rest();
        for (prefix, construct, help) in [
            ("(?<=", "look-behind", LOOKAROUND_HELP),
            ("(?<!", "negative look-behind", LOOKAROUND_HELP),
            ("(?=", "look-ahead", LOOKAROUND_HELP),
            ("(?!", "negative look-ahead", LOOKAROUND_HELP),
            ("(?>", "an atomic group", POSSESSIVE_HELP),
        ] {
            if rest.starts_with(prefix) {
                return Err(unsupported(construct, prefix, help));
            }
        }
        let flags_len = rest
            .get(2..)
            .filter(|_| rest.starts_with("(?"))
            .and_then(|r| r.find(|c: char| !(c.is_ascii_alphabetic() || c == '-')))
            .filter(|&n| {
                matches!(
                    rest.get(2 + n..).and_then(|r| r.chars().next()),
                    Some(')' | ':')
                )
            });
        let Some(n) = flags_len else {
            self.copy(1);
            return Ok(());
        };
        let flags = rest.get(2..2 + n).unwrap_or_default();
        if let Some(i) = flags.find(['U', 'd']) {
            let flag = flags.get(i..=i).unwrap_or_default();
            let help = if flag == "U" {
                "Java's (?U) (Unicode character classes) means swap-greed in the regex crate; remove it"
            } else {
                "Java's (?d) (Unix lines) has no regex-crate equivalent; remove it"
            };
            return Err(unsupported("the flag", &format!("(?{flag})"), help));
        }
        let kept: String = flags.chars().filter(|&c| c != 'u').collect();
        let kept = kept.trim_end_matches('-');
        if kept.is_empty() {
            // `(?u)` alone: drop the group opener entirely; `(?u:` → `(?:`.
            if rest.get(2 + n..).is_some_and(|r| r.starts_with(':')) {
                self.out.push_str("(?:");
            }
        } else {
            self.out.push_str("(?");
            self.out.push_str(kept);
            self.out
                .push_str(rest.get(2 + n..3 + n).unwrap_or_default());
        }
        self.pos += 3 + n;
        Ok(())
    }

    /// A backslash escape at `self.pos`.
    fn escape(&mut self, in_class: bool) -> Result<(), PatternError> {
        let at = self.pos;
        let Some(e) = self.peek(1) else {
            self.copy(1);
            return Ok(());
        };
        let text = self.src.get(at..at + 1 + e.len_utf8()).unwrap_or("\\");
        let perl = |set: &str, negated: bool, in_class: bool| match (negated, in_class) {
            (false, true) => set.to_owned(),
            (false, false) => format!("[{set}]"),
            (true, _) => format!("[^{set}]"),
        };
        let replacement = match e {
            'd' | 'D' => Some(perl("0-9", e == 'D', in_class)),
            'w' | 'W' => Some(perl("0-9A-Za-z_", e == 'W', in_class)),
            's' | 'S' => Some(perl("\\t\\n\\x0B\\x0C\\r ", e == 'S', in_class)),
            'e' => Some("\\x1B".to_owned()),
            '<' | '>' => Some(e.to_string()),
            'Q' => {
                let body = self.src.get(at + 2..).unwrap_or_default();
                let (quoted, consumed) = match body.find("\\E") {
                    Some(end) => (body.get(..end).unwrap_or_default(), end + 4),
                    None => (body, body.len() + 2),
                };
                self.out.push_str(&regex_syntax::escape(quoted));
                self.pos = at + consumed;
                return Ok(());
            }
            '1'..='9' => return Err(unsupported("a backreference", text, BACKREF_HELP)),
            'k' => return Err(unsupported("a named backreference", text, BACKREF_HELP)),
            '0' => return Err(unsupported("an octal escape", text, ESCAPE_HELP)),
            'c' => return Err(unsupported("a control-character escape", text, ESCAPE_HELP)),
            'G' => {
                return Err(unsupported(
                    "the end-of-previous-match anchor",
                    text,
                    ESCAPE_HELP,
                ));
            }
            'Z' => {
                return Err(unsupported(
                    "the end-before-final-terminator anchor",
                    text,
                    "use `$` (whole-string matching already anchors the end)",
                ));
            }
            'R' | 'X' | 'h' | 'H' | 'v' | 'V' => {
                return Err(unsupported("the Java escape", text, ESCAPE_HELP));
            }
            'p' | 'P' => {
                let rest = self.rest();
                let name = rest
                    .get(2..)
                    .and_then(|r| r.strip_prefix('{'))
                    .and_then(|r| r.split_once('}'));
                match name {
                    Some((name, _)) if name.starts_with("java") => {
                        let prop = rest.get(..name.len() + 4).unwrap_or(text);
                        return Err(unsupported("a Java character property", prop, ESCAPE_HELP));
                    }
                    Some((name, _)) => match posix_class(name) {
                        Some(set) => {
                            self.out.push_str(&perl(set, e == 'P', in_class));
                            self.pos = at + name.len() + 4;
                            return Ok(());
                        }
                        None => None,
                    },
                    None => None,
                }
            }
            _ => None,
        };
        match replacement {
            Some(r) => {
                self.out.push_str(&r);
                self.pos = at + text.len();
            }
            None => self.copy(text.len()),
        }
        Ok(())
    }
}

/// The ASCII set of a Java POSIX class (`\p{Alpha}` …), which the `regex`
/// crate would otherwise read as a Unicode property.
fn posix_class(name: &str) -> Option<&'static str> {
    Some(match name {
        "Lower" => "a-z",
        "Upper" => "A-Z",
        "ASCII" => "\\x00-\\x7F",
        "Alpha" => "a-zA-Z",
        "Digit" => "0-9",
        "Alnum" => "a-zA-Z0-9",
        "Punct" => "!-/:-@\\[-`{-~",
        "Graph" => "!-~",
        "Print" => " -~",
        "Blank" => " \\t",
        "Cntrl" => "\\x00-\\x1F\\x7F",
        "XDigit" => "0-9a-fA-F",
        "Space" => "\\t\\n\\x0B\\x0C\\r ",
        _ => return None,
    })
}

/// Length of a `{n}`, `{n,}` or `{n,m}` quantifier at the start of `s`, or 0.
fn counted_repetition(s: &str) -> usize {
    let Some(body) = s.strip_prefix('{') else {
        return 0;
    };
    let Some(end) = body.find('}') else {
        return 0;
    };
    let inner = body.get(..end).unwrap_or_default();
    let (min, max) = inner.split_once(',').unwrap_or((inner, "0"));
    let digits = |t: &str| t.bytes().all(|b| b.is_ascii_digit());
    if !min.is_empty() && digits(min) && digits(max) {
        end + 2
    } else {
        0
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ok(java: &str) -> String {
        compile(java).unwrap_or_else(|e| format!("ERR {}", e.message))
    }

    fn err(java: &str) -> String {
        compile(java).map_or_else(|e| e.message, |r| format!("OK {r}"))
    }

    #[test]
    fn translates_java_specifics() {
        assert_eq!(ok("/statuses/[0-9]+"), "^(?:/statuses/[0-9]+)$");
        assert_eq!(ok("\\d+"), "^(?:[0-9]+)$");
        assert_eq!(ok("[\\w.-]+"), "^(?:[0-9A-Za-z_.-]+)$");
        assert_eq!(ok("[^\\S]"), "^(?:[^[^\\t\\n\\x0B\\x0C\\r ]])$");
        assert_eq!(ok("\\Qa.b\\E*"), "^(?:a\\.b*)$");
        assert_eq!(ok("\\<x\\>"), "^(?:<x>)$");
        assert_eq!(ok("[a~b]"), "^(?:[a\\~b])$");
        assert_eq!(ok("[-]"), "^(?:[-])$");
        assert_eq!(ok("[[:alpha:]]"), "^(?:[[\\:alpha:]])$");
        assert_eq!(ok("(?iu)abc"), "^(?:(?i)abc)$");
        assert_eq!(ok("(?u)abc"), "^(?:abc)$");
        assert_eq!(ok("(?u:a)"), "^(?:(?:a))$");
        assert_eq!(ok("a{2,3}?b"), "^(?:a{2,3}?b)$");
        assert_eq!(ok("\\/x\\-"), "^(?:\\/x\\-)$");
        assert_eq!(ok("\\p{Alpha}+"), "^(?:[a-zA-Z]+)$");
        assert_eq!(ok("[\\p{Digit}\\P{Lower}]"), "^(?:[0-9[^a-z]])$");
        assert_eq!(ok("\\p{Punct}"), "^(?:[!-/:-@\\[-`{-~])$");
        assert_eq!(ok("\\p{L}\\pN"), "^(?:\\p{L}\\pN)$");
    }

    #[test]
    fn rejects_unsupported_constructs() {
        assert_eq!(
            err("a(?=b)"),
            "JavaRegex uses look-ahead `(?=`, which the regex crate does not support"
        );
        assert!(err("(?<!x)y").contains("negative look-behind"));
        assert!(err("(a)\\1").contains("backreference `\\1`"));
        assert!(err("a{2}+").contains("`{2}+`"));
        assert!(err("a*+").contains("possessive quantifier `*+`"));
        assert!(err("a{2}+").contains("possessive"));
        assert!(err("(?>a)").contains("atomic group"));
        assert!(err("\\p{javaLowerCase}").contains("`\\p{javaLowerCase}`"));
        assert!(err("(?U)a").contains("flag `(?U)`"));
        assert!(err("a\\Z").contains("`\\Z`"));
        assert!(err("[a").starts_with("invalid JavaRegex pattern"));
        assert!(err("a{").starts_with("invalid JavaRegex pattern"));
    }

    #[test]
    fn class_plus_is_not_possessive() {
        assert_eq!(ok("[*+]+"), "^(?:[*+]+)$");
        assert_eq!(ok("a+b+"), "^(?:a+b+)$");
    }
}
