//! Java `Matcher.appendReplacement` syntax for the replacement argument of
//! `replaceAll` / `replaceFirst`: `$n` and `${name}` group references, `\x`
//! for a literal `x`.
//!
//! Dependency-free so that the compiler can include this very file (with
//! `#[path]`) to check literal replacements at build time.

/// One piece of a parsed replacement string.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ReplPart {
    /// Literal text.
    Text(String),
    /// `$n`: numbered capture group.
    Group(usize),
    /// `${name}`: named capture group.
    Named(String),
}

/// Why a replacement string is rejected, with the byte offset of the problem.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ReplError {
    /// Byte offset inside the replacement string.
    pub offset: usize,
    /// One-sentence description.
    pub message: String,
}

fn error(offset: usize, message: impl Into<String>) -> ReplError {
    ReplError {
        offset,
        message: message.into(),
    }
}

/// Parses `repl` the way Java does for a pattern with `group_count` groups:
/// after `$`, the first digit is always part of the group number and each
/// further digit is taken only while the number stays `<= group_count`.
/// Pass `usize::MAX` when the pattern is not known (syntax check only).
pub fn parse_replacement(repl: &str, group_count: usize) -> Result<Vec<ReplPart>, ReplError> {
    let mut parts = Vec::new();
    let mut text = String::new();
    let mut chars = repl.char_indices().peekable();
    while let Some((at, c)) = chars.next() {
        match c {
            '\\' => match chars.next() {
                Some((_, escaped)) => text.push(escaped),
                None => return Err(error(at, "character to be escaped is missing after `\\`")),
            },
            '$' => {
                let part = match chars.peek().copied() {
                    Some((_, '{')) => {
                        chars.next();
                        let mut name = String::new();
                        loop {
                            match chars.next() {
                                Some((_, '}')) => break,
                                Some((_, n)) if n.is_ascii_alphanumeric() => name.push(n),
                                _ => {
                                    return Err(error(
                                        at,
                                        "named group reference `${…}` is not closed by `}` or has an invalid name",
                                    ));
                                }
                            }
                        }
                        let starts_with_letter =
                            name.chars().next().is_some_and(|f| f.is_ascii_alphabetic());
                        if !starts_with_letter {
                            return Err(error(at, "a group name must start with a letter"));
                        }
                        ReplPart::Named(name)
                    }
                    Some((_, d)) if d.is_ascii_digit() => {
                        chars.next();
                        let mut number = d.to_digit(10).map_or(0, |v| v as usize);
                        while let Some((_, next)) = chars.peek().copied() {
                            let Some(digit) = next.to_digit(10) else {
                                break;
                            };
                            match number
                                .checked_mul(10)
                                .and_then(|n| n.checked_add(digit as usize))
                            {
                                Some(longer) if longer <= group_count => {
                                    number = longer;
                                    chars.next();
                                }
                                _ => break,
                            }
                        }
                        if number > group_count {
                            return Err(error(
                                at,
                                format!("no group {number} in the regular expression"),
                            ));
                        }
                        ReplPart::Group(number)
                    }
                    _ => {
                        return Err(error(
                            at,
                            "`$` must be followed by a group number or `{name}` (write `\\$` for a literal dollar)",
                        ));
                    }
                };
                if !text.is_empty() {
                    parts.push(ReplPart::Text(std::mem::take(&mut text)));
                }
                parts.push(part);
            }
            c => text.push(c),
        }
    }
    if !text.is_empty() {
        parts.push(ReplPart::Text(text));
    }
    Ok(parts)
}
