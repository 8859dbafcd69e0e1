//! Every `<Condition>` found in the public bundles of /work/shared/corpus
//! (tests/data/corpus_conditions.txt) must parse, or fail for a reason
//! listed here.

use std::collections::BTreeMap;

use proxyc_compiler::expr::condition::{ConditionOptions, Expr, fold, parse, warnings};

const DATA: &str = include_str!("data/corpus_conditions.txt");

/// Conditions expected to be rejected, with the error code and why.
/// None today: every condition in the corpus is valid.
const EXPECTED_FAILURES: &[(&str, &str, &str)] = &[];

/// Warnings expected on corpus conditions (condition, codes).
const EXPECTED_WARNINGS: &[(&str, &[&str])] = &[];

/// The condition as the XML parser hands it over.
fn xml_unescape(raw: &str) -> String {
    raw.replace("&lt;", "<")
        .replace("&gt;", ">")
        .replace("&quot;", "\"")
        .replace("&apos;", "'")
        .replace("&amp;", "&")
}

fn conditions() -> Vec<String> {
    DATA.lines()
        .filter(|l| !l.starts_with("# "))
        .map(xml_unescape)
        .collect()
}

#[test]
fn corpus_conditions_parse() {
    let all = conditions();
    assert_eq!(
        all.len(),
        172,
        "the data file lists 172 distinct conditions"
    );
    let mut failures: BTreeMap<String, Vec<&str>> = BTreeMap::new();
    let mut warned: BTreeMap<String, Vec<&str>> = BTreeMap::new();
    for src in &all {
        match parse(src, &ConditionOptions::default()) {
            Ok(expr) => {
                let codes: Vec<&str> = warnings(&expr, src).iter().map(|w| w.code).collect();
                if !codes.is_empty() {
                    warned.insert(src.clone(), codes);
                }
                // No corpus condition mixes and/or without parentheses, so
                // both precedence settings agree on all of them.
                let java = parse(
                    src,
                    &ConditionOptions {
                        java_precedence: true,
                    },
                );
                assert_eq!(
                    java.map(|e| e.without_spans()).ok(),
                    Some(expr.without_spans()),
                    "{src}"
                );
                assert!(!matches!(fold(expr), Expr::Const(..)), "{src}");
            }
            Err(errors) => {
                failures.insert(src.clone(), errors.iter().map(|e| e.code).collect());
            }
        }
    }
    let expected: BTreeMap<String, Vec<&str>> = EXPECTED_FAILURES
        .iter()
        .map(|(src, code, _why)| ((*src).to_owned(), vec![*code]))
        .collect();
    assert_eq!(failures.len(), EXPECTED_FAILURES.len(), "{failures:#?}");
    assert_eq!(failures, expected);
    let expected_warnings: BTreeMap<String, Vec<&str>> = EXPECTED_WARNINGS
        .iter()
        .map(|(src, codes)| ((*src).to_owned(), codes.to_vec()))
        .collect();
    assert_eq!(warned, expected_warnings);
}

#[test]
fn escaped_and_multiline_conditions_are_present() {
    let all = conditions();
    assert!(all.contains(&"(message.status.code >= 500)".to_owned()));
    assert!(all.iter().any(|c| c.contains("||")));
    assert!(
        all.iter().any(|c| c.ends_with(' ')),
        "trailing spaces are kept"
    );
}
