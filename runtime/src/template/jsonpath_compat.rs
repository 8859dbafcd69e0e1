//! Translation of the Jayway JSONPath dialect (what Apigee runs and real
//! bundles are written in) to RFC 9535 (what `serde_json_path` implements).
//!
//! Translated:
//! * a path without `$` is rooted: `a.b` → `$.a.b`, `[0]` → `$[0]`;
//! * filters lose their parentheses: `[?(@.name == "Mae West")]` →
//!   `[?@.name == "Mae West"]` (double-quoted strings are valid RFC 9535);
//! * dot names that RFC 9535 shorthand cannot spell become bracket names:
//!   `$.content-type` → `$['content-type']`, `$.2fa` → `$['2fa']`.
//!
//! Copied unchanged (same meaning in both dialects): `..`, `*`, indices,
//! slices, unions, bracket names, comparison and logical operators.
//!
//! Not translatable (semantics differ): a filter applied to an *object*
//! tests the object's members in RFC 9535 but the object itself in Jayway
//! (`$.address[?(@.zip)]`); filters on arrays behave the same.
//!
//! Rejected with an error (no RFC 9535 equivalent here): Jayway functions
//! such as `.length()`, and the filter operators `=~`, `in`, `nin`,
//! `subsetof`, `anyof`, `noneof`, `size`, `empty`.
//!
//! Dependency-free so that the compiler can include this very file (with
//! `#[path]`) to check literal paths at build time.

/// An RFC 9535 path, and whether it selects at most one node (only name and
/// index segments), which decides Jayway's "definite path" result shape.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Translated {
    /// The RFC 9535 path text.
    pub path: String,
    /// `true` for a definite path (no `..`, wildcard, filter, slice, union).
    pub singular: bool,
}

/// Why a path cannot be translated, with the byte offset of the problem.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CompatError {
    /// Byte offset inside the original path.
    pub offset: usize,
    /// One-sentence description.
    pub message: String,
}

/// Deepest bracket / filter nesting accepted (keeps the recursive parsers
/// downstream far from the stack limit).
const MAX_DEPTH: usize = 32;
/// Filter words RFC 9535 understands (literals and its function extensions).
const FILTER_WORDS: &[&str] = &[
    "true", "false", "null", "length", "count", "match", "search", "value",
];

/// Translates a Jayway path to RFC 9535.
pub fn translate(src: &str) -> Result<Translated, CompatError> {
    let lead = src.len() - src.trim_start().len();
    let text = src.trim();
    let mut t = Translator {
        src: text,
        base: lead,
        pos: 0,
        out: String::with_capacity(text.len() + 4),
    };
    t.out.push('$');
    match text.as_bytes().first() {
        Some(b'$') => t.pos = 1,
        Some(b'[' | b'.') => {}
        Some(_) => t.name(false, false)?,
        None => return Err(t.error(0, "empty JSONPath")),
    }
    let singular = t.segments(0, false)?;
    if t.pos < text.len() {
        return Err(t.error(t.pos, "unexpected character in JSONPath"));
    }
    Ok(Translated {
        path: t.out,
        singular,
    })
}

struct Translator<'a> {
    src: &'a str,
    base: usize,
    pos: usize,
    out: String,
}

fn is_shorthand_name(name: &str) -> bool {
    let mut chars = name.chars();
    chars
        .next()
        .is_some_and(|c| c == '_' || c.is_ascii_alphabetic() || !c.is_ascii())
        && chars.all(|c| c == '_' || c.is_ascii_alphanumeric() || !c.is_ascii())
}

impl Translator<'_> {
    fn error(&self, at: usize, message: &str) -> CompatError {
        CompatError {
            offset: self.base + at,
            message: message.to_owned(),
        }
    }

    fn peek(&self) -> Option<u8> {
        self.src.as_bytes().get(self.pos).copied()
    }

    fn starts_with(&self, s: &str) -> bool {
        self.src
            .get(self.pos..)
            .is_some_and(|rest| rest.starts_with(s))
    }

    /// Copies `src[from..to]` to the output.
    fn copy(&mut self, from: usize, to: usize) {
        self.out
            .push_str(self.src.get(from..to).unwrap_or_default());
    }

    /// Translates segments until something that is not a segment; returns
    /// whether all of them were singular.
    fn segments(&mut self, depth: usize, in_filter: bool) -> Result<bool, CompatError> {
        let mut singular = true;
        loop {
            if self.starts_with("..") {
                singular = false;
                self.out.push_str("..");
                self.pos += 2;
                match self.peek() {
                    Some(b'[') => {
                        self.bracket(depth)?;
                    }
                    Some(b'*') => {
                        self.out.push('*');
                        self.pos += 1;
                    }
                    _ => self.name(in_filter, true)?,
                }
            } else if self.peek() == Some(b'.') {
                self.pos += 1;
                if self.peek() == Some(b'*') {
                    singular = false;
                    self.out.push_str(".*");
                    self.pos += 1;
                } else {
                    self.name(in_filter, false)?;
                }
            } else if self.peek() == Some(b'[') {
                singular &= self.bracket(depth)?;
            } else {
                return Ok(singular);
            }
        }
    }

    /// A dot name (the `.` already consumed); `after_descendant` when it
    /// follows `..` (no `.` to emit before a shorthand name).
    fn name(&mut self, in_filter: bool, after_descendant: bool) -> Result<(), CompatError> {
        let start = self.pos;
        let stops: &[u8] = if in_filter {
            b".[]()=!<>&|, \t\r\n"
        } else {
            b".[("
        };
        while self.peek().is_some_and(|b| !stops.contains(&b)) {
            self.pos += 1;
        }
        let name = self.src.get(start..self.pos).unwrap_or_default();
        if name.is_empty() {
            return Err(self.error(start, "expected a member name after `.`"));
        }
        if self.starts_with("()") {
            return Err(self.error(
                start,
                "Jayway path functions such as `.length()` are not supported",
            ));
        }
        if is_shorthand_name(name) {
            if !after_descendant {
                self.out.push('.');
            }
            self.out.push_str(name);
        } else {
            self.out.push_str("['");
            for c in name.chars() {
                if c == '\'' || c == '\\' {
                    self.out.push('\\');
                }
                self.out.push(c);
            }
            self.out.push_str("']");
        }
        Ok(())
    }

    /// Index of the byte closing the group opened at `open_at`, skipping
    /// quoted strings and nested groups of the same kind.
    fn find_close(&self, open_at: usize, open: u8, close: u8) -> Option<usize> {
        let bytes = self.src.as_bytes();
        let mut nesting = 0usize;
        let mut i = open_at;
        while let Some(&b) = bytes.get(i) {
            match b {
                b'\'' | b'"' => {
                    i += 1;
                    while let Some(&q) = bytes.get(i) {
                        if q == b'\\' {
                            i += 1;
                        } else if q == b {
                            break;
                        }
                        i += 1;
                    }
                }
                _ if b == open => nesting += 1,
                _ if b == close => {
                    nesting = nesting.saturating_sub(1);
                    if nesting == 0 {
                        return Some(i);
                    }
                }
                _ => {}
            }
            i += 1;
        }
        None
    }

    /// A `[...]` segment; returns whether it is singular.
    fn bracket(&mut self, depth: usize) -> Result<bool, CompatError> {
        if depth >= MAX_DEPTH {
            return Err(self.error(self.pos, "JSONPath nested too deeply"));
        }
        let open = self.pos;
        let close = self
            .find_close(open, b'[', b']')
            .ok_or_else(|| self.error(open, "unclosed `[`"))?;
        let inner = self.src.get(open + 1..close).unwrap_or_default();
        let trimmed = inner.trim_start();
        if let Some(filter) = trimmed.strip_prefix('?') {
            let filter_start = close - filter.len();
            let body = filter.trim_start();
            let body_start = close - body.len();
            self.out.push_str("[?");
            if body.starts_with('(') {
                let paren = self
                    .find_close(body_start, b'(', b')')
                    .ok_or_else(|| self.error(body_start, "unclosed `(` in filter"))?;
                let rest = self.src.get(paren + 1..close).unwrap_or_default();
                if !rest.trim().is_empty() {
                    return Err(self.error(paren + 1, "unexpected text after the filter's `)`"));
                }
                self.filter(body_start + 1, paren, depth + 1)?;
            } else {
                self.filter(filter_start, close, depth + 1)?;
            }
            self.out.push(']');
            self.pos = close + 1;
            return Ok(false);
        }
        let content = inner.trim();
        let quoted = content.len() >= 2
            && ((content.starts_with('\'') && content.ends_with('\''))
                || (content.starts_with('"') && content.ends_with('"')))
            && !content.contains(',');
        let index = content.strip_prefix('-').unwrap_or(content);
        let singular = quoted || (!index.is_empty() && index.bytes().all(|b| b.is_ascii_digit()));
        self.copy(open, close + 1);
        self.pos = close + 1;
        Ok(singular)
    }

    /// Translates the filter expression `src[from..to]`.
    fn filter(&mut self, from: usize, to: usize, depth: usize) -> Result<(), CompatError> {
        self.pos = from;
        let mut parens = 0usize;
        while self.pos < to {
            let Some(b) = self.peek() else { break };
            match b {
                b'\'' | b'"' => {
                    let start = self.pos;
                    let mut i = start + 1;
                    let bytes = self.src.as_bytes();
                    while let Some(&q) = bytes.get(i) {
                        if q == b'\\' {
                            i += 1;
                        } else if q == b {
                            break;
                        }
                        i += 1;
                    }
                    if i >= to {
                        return Err(self.error(start, "unterminated string in filter"));
                    }
                    self.copy(start, i + 1);
                    self.pos = i + 1;
                }
                b'@' | b'$' => {
                    self.out.push(char::from(b));
                    self.pos += 1;
                    self.segments(depth, true)?;
                }
                b'=' if self.starts_with("=~") => {
                    return Err(self.error(self.pos, "Jayway regex operator `=~` is not supported; use RFC 9535 match() or search()"));
                }
                b'(' | b')' => {
                    if b == b'(' {
                        parens += 1;
                        if depth + parens > MAX_DEPTH {
                            return Err(self.error(self.pos, "JSONPath nested too deeply"));
                        }
                    } else {
                        parens = parens.saturating_sub(1);
                    }
                    self.out.push(char::from(b));
                    self.pos += 1;
                }
                _ if b.is_ascii_alphabetic() => {
                    let start = self.pos;
                    while self
                        .peek()
                        .is_some_and(|c| c.is_ascii_alphanumeric() || c == b'_')
                        && self.pos < to
                    {
                        self.pos += 1;
                    }
                    let word = self.src.get(start..self.pos).unwrap_or_default();
                    if !FILTER_WORDS.contains(&word) {
                        return Err(self.error(start, "unsupported word in filter (Jayway operators such as `in`, `nin`, `size`, `empty` have no RFC 9535 equivalent)"));
                    }
                    self.copy(start, self.pos);
                }
                _ => {
                    let start = self.pos;
                    self.pos += self
                        .src
                        .get(start..)
                        .and_then(|r| r.chars().next())
                        .map_or(1, char::len_utf8);
                    self.copy(start, self.pos);
                }
            }
        }
        if self.pos > to {
            return Err(self.error(to, "filter path runs past the end of the filter"));
        }
        Ok(())
    }
}
