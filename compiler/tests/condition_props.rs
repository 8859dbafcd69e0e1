//! Property tests: printing round-trips, folding preserves meaning, and no
//! input makes the condition front end panic.

use proptest::prelude::*;
use proxyc_compiler::expr::condition::{
    CmpOp, ConditionOptions, Expr, Lit, Number, Operand, codegen, eval, fold, parse, warnings,
};

const OPTIONS: [ConditionOptions; 2] = [
    ConditionOptions {
        java_precedence: false,
    },
    ConditionOptions {
        java_precedence: true,
    },
];

fn var_name() -> impl Strategy<Value = String> {
    prop_oneof![
        "[a-zA-Z_][-a-zA-Z0-9_.$]{0,10}",
        // Names that need single quotes (operator characters, spaces, keywords).
        "[a-z !<>=~()]{1,8}",
        prop::sample::select(vec!["and", "Matches", "null", "TRUE", "isnot"])
            .prop_map(String::from),
    ]
}

fn number() -> impl Strategy<Value = Number> {
    use prop::num::{f32 as f, f64 as d};
    prop_oneof![
        any::<i32>().prop_map(Number::Int),
        any::<i64>().prop_map(Number::Long),
        (f::POSITIVE | f::NEGATIVE | f::NORMAL | f::SUBNORMAL | f::ZERO).prop_map(Number::Float),
        (d::POSITIVE | d::NEGATIVE | d::NORMAL | d::SUBNORMAL | d::ZERO).prop_map(Number::Double),
    ]
}

fn literal() -> impl Strategy<Value = Operand> {
    prop_oneof![
        "[^\"]{0,8}".prop_map(|s| Operand::Str(s, 0..0)),
        number().prop_map(|n| Operand::Num(n, 0..0)),
        any::<bool>().prop_map(|b| Operand::Bool(b, 0..0)),
        Just(Operand::Null(0..0)),
    ]
}

fn operand() -> impl Strategy<Value = Operand> {
    prop_oneof![
        var_name().prop_map(|name| Operand::Var { name, span: 0..0 }),
        literal()
    ]
}

/// A pattern literal valid for `op`.
fn pattern(op: CmpOp) -> BoxedStrategy<Operand> {
    let text: BoxedStrategy<String> = match op {
        CmpOp::MatchesPath => {
            let seg = prop_oneof![
                Just("*".to_owned()),
                Just("**".to_owned()),
                "\\{[a-z]{0,3}\\}",
                "[a-z%]{0,3}",
                Just("%{x%}".to_owned()),
            ];
            prop::collection::vec(seg, 1..4)
                .prop_map(|s| s.join("/"))
                .boxed()
        }
        CmpOp::JavaRegex => prop::sample::select(vec![
            "/statuses/[0-9]+",
            "\\d+",
            "(?i)abc.*",
            "[\\w.-]+@x",
            "\\Qa.b\\E",
            "a{2,3}?",
        ])
        .prop_map(String::from)
        .boxed(),
        _ => "[^\"]{0,8}".boxed(),
    };
    prop_oneof![
        4 => text.prop_map(|s| Operand::Str(s, 0..0)),
        1 => any::<bool>().prop_map(|b| Operand::Bool(b, 0..0)),
    ]
    .boxed()
}

fn comparison() -> impl Strategy<Value = Expr> {
    let ops = vec![
        CmpOp::Eq,
        CmpOp::Ne,
        CmpOp::EqCi,
        CmpOp::Gt,
        CmpOp::Ge,
        CmpOp::Lt,
        CmpOp::Le,
        CmpOp::StartsWith,
        CmpOp::Matches,
        CmpOp::MatchesCi,
        CmpOp::JavaRegex,
        CmpOp::MatchesPath,
    ];
    (prop::sample::select(ops), operand(), any::<bool>()).prop_flat_map(|(op, lhs, negate)| {
        let rhs = if op.is_pattern() {
            pattern(op)
        } else if op == CmpOp::EqCi {
            literal().boxed()
        } else {
            operand().boxed()
        };
        rhs.prop_map(move |rhs| Expr::Cmp {
            op,
            negated: negate && op.is_negatable(),
            lhs: lhs.clone(),
            rhs,
            op_span: 0..0,
        })
    })
}

fn tree() -> impl Strategy<Value = Expr> {
    let truthy = operand()
        .prop_filter("a bare boolean parses as a constant", |o| {
            !matches!(o, Operand::Bool(..))
        })
        .prop_map(Expr::Truthy);
    let leaf = prop_oneof![
        4 => comparison(),
        1 => truthy,
        1 => any::<bool>().prop_map(|b| Expr::Const(b, 0..0)),
    ];
    leaf.prop_recursive(4, 24, 2, |inner| {
        prop_oneof![
            (inner.clone(), inner.clone()).prop_map(|(l, r)| Expr::And {
                lhs: Box::new(l),
                rhs: Box::new(r),
                op_span: 0..0,
                span: 0..0,
            }),
            (inner.clone(), inner.clone()).prop_map(|(l, r)| Expr::Or {
                lhs: Box::new(l),
                rhs: Box::new(r),
                op_span: 0..0,
                span: 0..0,
            }),
            inner.prop_map(|e| Expr::Not(Box::new(e), 0..0)),
        ]
    })
}

/// A value for variable `name`, chosen from a few interesting ones.
fn env(seed: u64) -> impl FnMut(&str) -> Lit {
    move |name: &str| {
        let pick = name
            .bytes()
            .fold(seed, |h, b| h.wrapping_mul(31).wrapping_add(u64::from(b)))
            % 8;
        match pick {
            0 => Lit::Null,
            1 => Lit::Bool(true),
            2 => Lit::Num(Number::Int(404)),
            3 => Lit::Str("404".into()),
            4 => Lit::Str("true".into()),
            5 => Lit::Str("/statuses/123".into()),
            6 => Lit::Num(Number::Double(2.5)),
            _ => Lit::Str(String::new()),
        }
    }
}

/// Runs every stage on `src`; checks errors are well formed and accepted
/// trees print back to themselves.
fn exercise(src: &str) -> Result<(), TestCaseError> {
    for opts in &OPTIONS {
        match parse(src, opts) {
            Ok(expr) => {
                let _ = warnings(&expr, src);
                let printed = expr.to_string();
                let back = parse(&printed, opts)
                    .map_err(|e| TestCaseError::fail(format!("{printed:?} from {src:?}: {e:?}")))?;
                prop_assert_eq!(
                    back.without_spans(),
                    expr.without_spans(),
                    "{:?} -> {:?}",
                    src,
                    printed
                );
                let folded = fold(expr);
                let _ = folded.to_string();
                let tokens = codegen(
                    &folded,
                    &quote::quote!(::rt),
                    &mut |_, _| quote::quote!(v()),
                );
                prop_assert!(syn::parse2::<syn::Expr>(tokens).is_ok());
            }
            Err(errors) => {
                prop_assert!(!errors.is_empty());
                for e in errors {
                    prop_assert!(
                        src.get(e.span.clone()).is_some(),
                        "{:?} span {:?}",
                        src,
                        e.span
                    );
                    prop_assert!(e.help.is_some());
                }
            }
        }
    }
    Ok(())
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(512))]

    /// print(e) parses back to e under either precedence setting.
    #[test]
    fn printing_round_trips(expr in tree()) {
        let printed = expr.to_string();
        for opts in &OPTIONS {
            let back = parse(&printed, opts).map_err(|e| TestCaseError::fail(format!("{printed}: {e:?}")))?;
            prop_assert_eq!(back.without_spans(), expr.without_spans(), "{}", printed);
        }
    }

    /// Folding never changes the value of a condition.
    #[test]
    fn folding_preserves_meaning(expr in tree(), seed in any::<u64>()) {
        let folded = fold(expr.clone());
        prop_assert_eq!(eval(&folded, &mut env(seed)), eval(&expr, &mut env(seed)), "{} vs {}", expr, folded);
    }

    /// Operator soup never panics.
    #[test]
    fn operator_soup_never_panics(src in "[a-zA-Z0-9 .\\-_=!<>:~/|&()\"'%*{}\\[\\]?+^$\\\\#]{0,40}") {
        exercise(&src)?;
    }

    /// Arbitrary text never panics.
    #[test]
    fn arbitrary_text_never_panics(src in "\\PC{0,30}") {
        exercise(&src)?;
    }

    /// Mutations of real conditions never panic.
    #[test]
    fn mutated_conditions_never_panic(cut in 0usize..200, insert in "[=!<>~()\"' a]{0,3}") {
        let base = "(proxy.pathsuffix MatchesPath \"/a/{id}/**\") and (request.verb = \"GET\" or x ~~ \"^\\d+$\") and not y";
        let at = base.char_indices().map(|(i, _)| i).nth(cut % base.chars().count()).unwrap_or(0);
        let src = format!("{}{}{}", &base[..at], insert, &base[at..]);
        exercise(&src)?;
    }
}
