//! `replaceAll` / `replaceFirst` on the `regex` crate, with Java replacement
//! syntax (`$1`, `${name}`, `\$`).
//!
//! A pattern or replacement that is invalid at run time (only possible when
//! it comes from a variable — literals are checked by the compiler) leaves
//! the input unchanged.

use regex::Regex;

use super::java_replacement::{ReplPart, parse_replacement};

/// A regular expression compiled once from a template literal (generated code
/// keeps it in a `static LazyLock`).
#[derive(Debug)]
pub struct CompiledRegex(Option<Regex>);

impl CompiledRegex {
    /// Compiles `pattern`; an invalid pattern (already rejected by the
    /// compiler) makes every replacement a no-op.
    pub fn new(pattern: &str) -> Self {
        Self(Regex::new(pattern).ok())
    }
}

fn group_names(re: &Regex) -> impl Fn(&str) -> bool + '_ {
    move |name| re.capture_names().flatten().any(|n| n == name)
}

/// Replaces the first `limit` matches (all when `None`) of `re` in `input`.
fn replace(re: &Regex, input: &str, replacement: &str, limit: Option<usize>) -> String {
    let group_count = re.captures_len().saturating_sub(1);
    let Ok(parts) = parse_replacement(replacement, group_count) else {
        return input.to_owned();
    };
    let has_name = group_names(re);
    if parts
        .iter()
        .any(|p| matches!(p, ReplPart::Named(n) if !has_name(n)))
    {
        return input.to_owned();
    }
    let mut out = String::with_capacity(input.len());
    let mut last = 0;
    for caps in re.captures_iter(input).take(limit.unwrap_or(usize::MAX)) {
        let Some(whole) = caps.get(0) else { continue };
        out.push_str(input.get(last..whole.start()).unwrap_or_default());
        for part in &parts {
            match part {
                ReplPart::Text(t) => out.push_str(t),
                ReplPart::Group(i) => out.push_str(caps.get(*i).map_or("", |m| m.as_str())),
                ReplPart::Named(n) => out.push_str(caps.name(n).map_or("", |m| m.as_str())),
            }
        }
        last = whole.end();
    }
    out.push_str(input.get(last..).unwrap_or_default());
    out
}

fn run(
    input: Option<&str>,
    re: Option<&Regex>,
    replacement: Option<&str>,
    limit: Option<usize>,
) -> String {
    match (input, re) {
        (Some(text), Some(re)) => replace(re, text, replacement.unwrap_or(""), limit),
        (Some(text), None) => text.to_owned(),
        (None, _) => String::new(),
    }
}

/// `replaceAll(string,regex,replacement)` with a regex from a variable.
pub fn replace_all(input: Option<&str>, regex: Option<&str>, replacement: Option<&str>) -> String {
    let re = regex.and_then(|p| Regex::new(p).ok());
    run(input, re.as_ref(), replacement, None)
}

/// `replaceFirst(string,regex,replacement)` with a regex from a variable.
pub fn replace_first(
    input: Option<&str>,
    regex: Option<&str>,
    replacement: Option<&str>,
) -> String {
    let re = regex.and_then(|p| Regex::new(p).ok());
    run(input, re.as_ref(), replacement, Some(1))
}

/// `replaceAll` with a regex literal compiled once.
pub fn replace_all_compiled(
    re: &CompiledRegex,
    input: Option<&str>,
    replacement: Option<&str>,
) -> String {
    run(input, re.0.as_ref(), replacement, None)
}

/// `replaceFirst` with a regex literal compiled once.
pub fn replace_first_compiled(
    re: &CompiledRegex,
    input: Option<&str>,
    replacement: Option<&str>,
) -> String {
    run(input, re.0.as_ref(), replacement, Some(1))
}
