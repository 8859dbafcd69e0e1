//! Every template-bearing element of the public bundles in
//! /work/shared/corpus (see tests/data/corpus_templates.txt for the format)
//! parses, or fails with exactly the expected diagnostics.
//!
//! `PROXYC_CORPUS_REPORT=1 cargo test --test template_corpus -- --nocapture`
//! prints the data lines with the expectations the parser produces now.

use proxyc_compiler::expr::template::{TemplateOptions, codegen, parse};
use quote::quote;

const DATA: &str = include_str!("data/corpus_templates.txt");

fn unescape(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut chars = text.chars();
    while let Some(c) = chars.next() {
        if c != '\\' {
            out.push(c);
            continue;
        }
        match chars.next() {
            Some('n') => out.push('\n'),
            Some('t') => out.push('\t'),
            Some('r') => out.push('\r'),
            Some(other) => out.push(other),
            None => out.push('\\'),
        }
    }
    out
}

fn options(spec: &str) -> TemplateOptions {
    let mut opts = TemplateOptions::default();
    for part in spec.split(',') {
        match part.split_once('=') {
            Some(("prefix", v)) => opts.variable_prefix = v.chars().next().unwrap_or('{'),
            Some(("suffix", v)) => opts.variable_suffix = v.chars().next().unwrap_or('}'),
            _ if part == "strip_quotes" => opts.strip_quotes = true,
            _ if part == "dollar_braces" => opts.dollar_braces = true,
            _ => {}
        }
    }
    opts
}

/// `ok`, `ok:PXW203,PXW205` (warning codes) or `err:PXC207@38..39,…`.
fn outcome(src: &str, opts: &TemplateOptions) -> String {
    match parse(src, opts) {
        Ok((template, warnings)) => {
            let rt = quote!(::proxyc_runtime);
            let _ = codegen(&template, &rt, false, &mut |name, _| quote!(ctx.get(#name)));
            if opts == &TemplateOptions::default() {
                let reprinted = parse(&template.to_string(), opts).map(|(t, _)| t);
                assert_eq!(reprinted.as_ref(), Ok(&template), "round trip of {src:?}");
            }
            if warnings.is_empty() {
                "ok".to_owned()
            } else {
                let codes: Vec<&str> = warnings.iter().map(|w| w.code).collect();
                format!("ok:{}", codes.join(","))
            }
        }
        Err(errors) => {
            let list: Vec<String> = errors
                .iter()
                .map(|e| format!("{}@{}..{}", e.code, e.span.start, e.span.end))
                .collect();
            format!("err:{}", list.join(","))
        }
    }
}

#[test]
fn corpus_templates_parse_or_fail_as_recorded() {
    let report = std::env::var_os("PROXYC_CORPUS_REPORT").is_some();
    let mut mismatches = Vec::new();
    let mut count = 0;
    for (number, line) in DATA.lines().enumerate() {
        if line.starts_with('#') || line.trim().is_empty() {
            continue;
        }
        let fields: Vec<&str> = line.splitn(6, '\t').collect();
        let [expected, element, opts, location, text, rest @ ..] = fields.as_slice() else {
            mismatches.push(format!("line {}: malformed data line", number + 1));
            continue;
        };
        count += 1;
        let actual = outcome(&unescape(text), &options(opts));
        if report {
            let note = rest.first().map(|n| format!("\t{n}")).unwrap_or_default();
            println!("{actual}\t{element}\t{opts}\t{location}\t{text}{note}");
        }
        if actual != *expected {
            mismatches.push(format!(
                "line {} ({location}): expected {expected}, got {actual}",
                number + 1
            ));
        }
    }
    assert!(count > 300, "only {count} corpus templates");
    assert!(mismatches.is_empty(), "{}", mismatches.join("\n"));
}
