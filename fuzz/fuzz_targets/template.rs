//! Fuzzes the message-template parser: any UTF-8 text, under every option
//! combination, must parse or fail with diagnostics whose spans lie inside
//! the text — never panic — and a template parsed with the default options
//! must survive its canonical re-print.
#![no_main]

use libfuzzer_sys::fuzz_target;
use proxyc_compiler::expr::template::{TemplateOptions, parse};

/// Delimiter pairs: the default, and the two seen in real Payloads.
const DELIMITERS: [(char, char); 3] = [('{', '}'), ('@', '#'), ('£', '$')];

fuzz_target!(|data: &[u8]| {
    let Ok(src) = std::str::from_utf8(data) else {
        return;
    };
    for (variable_prefix, variable_suffix) in DELIMITERS {
        for dollar_braces in [false, true] {
            for strip_quotes in [false, true] {
                let opts = TemplateOptions {
                    variable_prefix,
                    variable_suffix,
                    dollar_braces,
                    strip_quotes,
                };
                match parse(src, &opts) {
                    Ok((template, warnings)) => {
                        assert!(warnings.iter().all(|w| src.get(w.span.clone()).is_some()));
                        if opts == TemplateOptions::default() {
                            let reprinted = parse(&template.to_string(), &opts).map(|(t, _)| t);
                            assert_eq!(reprinted, Ok(template));
                        }
                    }
                    Err(errors) => {
                        assert!(errors.iter().all(|e| src.get(e.span.clone()).is_some()))
                    }
                }
            }
        }
    }
});
