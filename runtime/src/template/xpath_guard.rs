//! Guards for XPath expressions handed to sxd-xpath: bracket depth (its
//! parser is recursive) and namespace prefixes (it panics on an unbound
//! prefix in a name test, so every prefix must be bound before evaluating).
//!
//! Dependency-free so that the compiler can include this very file (with
//! `#[path]`) and report the same problems at build time.

/// Deepest `(`/`[` nesting accepted in an XPath expression.
pub const MAX_NESTING: usize = 64;

/// Deepest nesting of `(` and `[` in `expr`, ignoring quoted strings.
pub fn max_nesting(expr: &str) -> usize {
    let mut depth = 0usize;
    let mut max = 0usize;
    let mut quote: Option<char> = None;
    for c in expr.chars() {
        match (quote, c) {
            (Some(q), c) if c == q => quote = None,
            (Some(_), _) => {}
            (None, '\'' | '"') => quote = Some(c),
            (None, '(' | '[') => {
                depth += 1;
                max = max.max(depth);
            }
            (None, ')' | ']') => depth = depth.saturating_sub(1),
            (None, _) => {}
        }
    }
    max
}

/// Generous on purpose: every non-ASCII character counts as a name start.
fn is_name_start(c: char) -> bool {
    c == '_' || c.is_ascii_alphabetic() || (!c.is_ascii() && !c.is_whitespace())
}

fn is_name_char(c: char) -> bool {
    is_name_start(c) || c.is_ascii_digit() || c == '-' || c == '.'
}

/// Namespace prefixes used by `expr` (`p` in `p:name`, `p:*`, `p:f()`,
/// `$p:v`, also with blanks around the colon), with their byte offsets,
/// ignoring quoted strings and `axis::`. Errs on the side of finding too
/// many: a false prefix only makes the expression rejected.
pub fn prefixes(expr: &str) -> Vec<(usize, &str)> {
    let mut found = Vec::new();
    let mut quote: Option<char> = None;
    let mut chars = expr.char_indices().peekable();
    while let Some((at, c)) = chars.next() {
        if let Some(q) = quote {
            if c == q {
                quote = None;
            }
        } else if c == '\'' || c == '"' {
            quote = Some(c);
        } else if is_name_start(c) {
            let mut end = at + c.len_utf8();
            while let Some((i, n)) = chars.next_if(|&(_, n)| is_name_char(n)) {
                end = i + n.len_utf8();
            }
            let mut after = expr
                .get(end..)
                .unwrap_or_default()
                .chars()
                .filter(|n| !n.is_whitespace());
            if after.next() == Some(':')
                && after.next().is_some_and(|n| n == '*' || is_name_start(n))
            {
                found.push((at, expr.get(at..end).unwrap_or_default()));
                // Skip to the colon; the local part is then read as a name.
                while chars.next_if(|&(_, n)| n != ':').is_some() {}
                chars.next();
            }
        }
    }
    found
}
