//! Fuzzes the condition front end on arbitrary UTF-8: parsing (both
//! precedence settings), warnings, printing, folding and code generation
//! must never panic, and an accepted condition must print back to itself.

#![no_main]

use libfuzzer_sys::fuzz_target;
use proxyc_compiler::expr::condition::{ConditionOptions, codegen, fold, parse, warnings};

fuzz_target!(|data: &[u8]| {
    let Ok(src) = std::str::from_utf8(data) else {
        return;
    };
    for java_precedence in [false, true] {
        let opts = ConditionOptions { java_precedence };
        match parse(src, &opts) {
            Ok(expr) => {
                let _ = warnings(&expr, src);
                let printed = expr.to_string();
                let reparsed = parse(&printed, &opts).map(|e| e.without_spans());
                assert_eq!(
                    reparsed.ok(),
                    Some(expr.without_spans()),
                    "{src:?} printed as {printed:?}"
                );
                let folded = fold(expr);
                let _ = folded.to_string();
                let rt = quote::quote!(::proxyc_runtime);
                let _ = codegen(&folded, &rt, &mut |name, _| quote::quote!(ctx.get(#name)));
            }
            Err(errors) => {
                for e in errors {
                    assert!(
                        src.get(e.span.clone()).is_some(),
                        "{src:?}: bad span {:?}",
                        e.span
                    );
                }
            }
        }
    }
});
