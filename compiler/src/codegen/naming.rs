//! Rust identifiers for bundle names: one place decides them all.

use proc_macro2::{Ident, Span};

/// `snake_case` identifier text for a bundle name (`AM-Set Header.1` →
/// `am_set_header_1`); leading digits get a `_` prefix.
pub fn snake(name: &str) -> String {
    let mut out = String::with_capacity(name.len());
    let mut prev_lower = false;
    for c in name.chars() {
        if c.is_ascii_alphanumeric() {
            if c.is_ascii_uppercase() && prev_lower && !out.ends_with('_') {
                out.push('_');
            }
            out.push(c.to_ascii_lowercase());
            prev_lower = c.is_ascii_lowercase() || c.is_ascii_digit();
        } else {
            if !out.ends_with('_') && !out.is_empty() {
                out.push('_');
            }
            prev_lower = false;
        }
    }
    let out = out.trim_end_matches('_').to_owned();
    if out.is_empty() || out.starts_with(|c: char| c.is_ascii_digit()) {
        format!("_{out}")
    } else {
        out
    }
}

/// An identifier with a prefix (`policy_am_set_header`).
pub fn ident(prefix: &str, name: &str) -> Ident {
    Ident::new(&format!("{prefix}{}", snake(name)), Span::call_site())
}

/// An upper-case constant identifier (`P_AM_SET_HEADER`).
pub fn constant(prefix: &str, name: &str) -> Ident {
    Ident::new(
        &format!("{prefix}{}", snake(name).to_ascii_uppercase()),
        Span::call_site(),
    )
}

/// The module name of a proxy.
pub fn module(proxy: &str) -> Ident {
    let s = snake(proxy);
    let s = if is_keyword(&s) {
        format!("{s}_proxy")
    } else {
        s
    };
    Ident::new(&s, Span::call_site())
}

/// The module name of a compiled bundle: the proxy's [`module`], or
/// `sf_<name>` for a shared flow bundle (so a proxy and a shared flow of the
/// same name do not collide).
pub fn module_of(bundle: &crate::ir::Proxy) -> Ident {
    if bundle.shared_flow.is_some() {
        ident("sf_", &bundle.name)
    } else {
        module(&bundle.name)
    }
}

fn is_keyword(s: &str) -> bool {
    matches!(
        s,
        "as" | "async"
            | "await"
            | "break"
            | "const"
            | "continue"
            | "crate"
            | "dyn"
            | "else"
            | "enum"
            | "extern"
            | "false"
            | "fn"
            | "for"
            | "gen"
            | "if"
            | "impl"
            | "in"
            | "let"
            | "loop"
            | "match"
            | "mod"
            | "move"
            | "mut"
            | "pub"
            | "ref"
            | "return"
            | "self"
            | "static"
            | "struct"
            | "super"
            | "trait"
            | "true"
            | "type"
            | "unsafe"
            | "use"
            | "where"
            | "while"
            | "abstract"
            | "become"
            | "box"
            | "do"
            | "final"
            | "macro"
            | "override"
            | "priv"
            | "try"
            | "typeof"
            | "unsized"
            | "virtual"
            | "yield"
    )
}

#[cfg(test)]
mod tests {
    use super::snake;

    #[test]
    fn snake_cases() {
        assert_eq!(snake("AM-Set Header.1"), "am_set_header_1");
        assert_eq!(snake("SetHeaderX"), "set_header_x");
        assert_eq!(snake("1st"), "_1st");
        assert_eq!(snake("---"), "_");
    }
}
