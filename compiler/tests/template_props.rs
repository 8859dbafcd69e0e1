//! Property tests: canonical printing round-trips, and no input panics.

use proptest::prelude::*;
use proxyc_compiler::expr::template::{Arg, Piece, Template, TemplateOptions, codegen, parse};
use quote::quote;

/// Text made of template syntax fragments, so references, calls and near
/// misses are frequent.
fn template_text() -> impl Strategy<Value = String> {
    let fragment = prop_oneof![
        Just("{".to_owned()),
        Just("}".to_owned()),
        Just("${".to_owned()),
        Just("\\{".to_owned()),
        Just("{a.b}".to_owned()),
        Just("{x:d}".to_owned()),
        Just("{toUpperCase(".to_owned()),
        Just("{firstnonnull(a,'b',".to_owned()),
        Just("{substring(s,1,-2)}".to_owned()),
        Just("{nope(x)}".to_owned()),
        Just("@v#".to_owned()),
        Just("\"".to_owned()),
        "[a-z0-9 .:,'()$@#\"-]{0,6}",
        any::<char>().prop_map(String::from),
    ];
    proptest::collection::vec(fragment, 0..12).prop_map(|parts| parts.concat())
}

fn options() -> impl Strategy<Value = TemplateOptions> {
    let delimiter = prop_oneof![
        Just('{'),
        Just('}'),
        Just('@'),
        Just('#'),
        Just('£'),
        Just('$'),
        Just('\''),
        Just('('),
        Just(':'),
        any::<char>()
    ];
    (delimiter.clone(), delimiter, any::<bool>(), any::<bool>()).prop_map(
        |(p, s, dollar, strip)| TemplateOptions {
            variable_prefix: p,
            variable_suffix: s,
            dollar_braces: dollar,
            strip_quotes: strip,
        },
    )
}

/// Structured templates in canonical form (adjacent literals merged).
fn structured() -> impl Strategy<Value = Template> {
    let name = "[a-z_][a-z0-9_.$-]{0,5}";
    let arg = prop_oneof![
        (name, proptest::option::of("[a-z0-9 ]{0,4}"))
            .prop_map(|(n, d)| format!("{n}{}", d.map(|d| format!(":{d}")).unwrap_or_default())),
        "[^']{0,5}".prop_map(|l| format!("'{l}'")),
    ];
    let piece = prop_oneof![
        "[^{]{1,8}",
        (name, proptest::option::of("[^}]{0,6}")).prop_map(|(n, d)| match d {
            Some(d) if !d.starts_with(char::is_whitespace) => format!("{{{n}:{d}}}"),
            _ => format!("{{{n}}}"),
        }),
        proptest::collection::vec(arg, 1..4)
            .prop_map(|args| format!("{{firstnonnull({})}}", args.join(","))),
    ];
    proptest::collection::vec(piece, 0..6).prop_filter_map("must parse", |parts| {
        parse(&parts.concat(), &TemplateOptions::default())
            .ok()
            .map(|(t, _)| t)
    })
}

fn within(src: &str, span: &std::ops::Range<usize>) -> bool {
    span.start <= span.end && src.get(span.clone()).is_some()
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(1000))]

    #[test]
    fn print_parse_round_trip(src in template_text()) {
        if let Ok((t, _)) = parse(&src, &TemplateOptions::default()) {
            let printed = t.to_string();
            let again = parse(&printed, &TemplateOptions::default()).map(|(t, _)| t);
            prop_assert_eq!(again, Ok(t), "printed: {:?}", printed);
        }
    }

    #[test]
    fn structured_round_trip(t in structured()) {
        let printed = t.to_string();
        prop_assert_eq!(parse(&printed, &TemplateOptions::default()).map(|(t, _)| t), Ok(t));
    }

    #[test]
    fn no_panic_and_spans_in_bounds(src in prop_oneof![template_text(), any::<String>()], opts in options()) {
        match parse(&src, &opts) {
            Ok((t, warnings)) => {
                for w in &warnings {
                    prop_assert!(within(&src, &w.span), "{:?}", w);
                }
                for p in t.pieces() {
                    match p {
                        Piece::Lit(_) => {}
                        Piece::Var { span, .. } => prop_assert!(within(&src, span)),
                        Piece::Call { span, args, .. } => {
                            prop_assert!(within(&src, span));
                            for a in args {
                                prop_assert!(within(&src, &a.span()));
                                if let Arg::Lit { value, .. } = a {
                                    prop_assert!(!value.contains('\''));
                                }
                            }
                        }
                    }
                }
                let _ = codegen(&t, &quote!(::rt), false, &mut |n, _| quote!(ctx.var(#n)));
            }
            Err(errors) => {
                prop_assert!(!errors.is_empty());
                for e in &errors {
                    prop_assert!(within(&src, &e.span), "{:?} in {:?}", e, src);
                }
            }
        }
    }
}
