//! Condition parser: every operator spelling, precedence, literals, spans,
//! errors and warnings.

use proxyc_compiler::expr::condition::{
    CODES, CmpOp, ConditionOptions, Expr, Number, Operand, parse, warnings,
};

const DEFAULT: ConditionOptions = ConditionOptions {
    java_precedence: false,
};
const JAVA: ConditionOptions = ConditionOptions {
    java_precedence: true,
};

fn ok(src: &str) -> Expr {
    parse(src, &DEFAULT).unwrap_or_else(|e| panic!("{src:?} should parse: {e:#?}"))
}

/// Canonical text of the parse.
fn show(src: &str) -> String {
    ok(src).to_string()
}

fn show_java(src: &str) -> String {
    parse(src, &JAVA)
        .unwrap_or_else(|e| panic!("{src:?}: {e:#?}"))
        .to_string()
}

/// The single error of a failing parse: (code, span).
fn err(src: &str) -> (&'static str, std::ops::Range<usize>) {
    match parse(src, &DEFAULT) {
        Ok(e) => panic!("{src:?} should fail, parsed as {e}"),
        Err(errors) => {
            assert_eq!(errors.len(), 1, "{src:?}: {errors:#?}");
            let e = &errors[0];
            assert!(
                e.help.as_deref().is_some_and(|h| !h.is_empty()),
                "{src:?} has no help"
            );
            assert!(
                CODES.iter().any(|(c, _)| *c == e.code),
                "{} not in CODES",
                e.code
            );
            (e.code, e.span.clone())
        }
    }
}

fn cmp_of(src: &str) -> (CmpOp, bool) {
    match ok(src) {
        Expr::Cmp { op, negated, .. } => (op, negated),
        other => panic!("{src:?} is not a comparison: {other:?}"),
    }
}

/// Every spelling (symbol and word) with its operator; words are also
/// tried in lower and upper case.
const SPELLINGS: &[(&str, CmpOp, bool)] = &[
    ("=", CmpOp::Eq, false),
    ("==", CmpOp::Eq, false),
    ("Equals", CmpOp::Eq, false),
    ("Is", CmpOp::Eq, false),
    ("!=", CmpOp::Ne, false),
    ("NotEquals", CmpOp::Ne, false),
    ("IsNot", CmpOp::Ne, false),
    (":=", CmpOp::EqCi, false),
    ("EqualsCaseInsensitive", CmpOp::EqCi, false),
    (">", CmpOp::Gt, false),
    ("GreaterThan", CmpOp::Gt, false),
    (">=", CmpOp::Ge, false),
    ("GreaterThanOrEquals", CmpOp::Ge, false),
    ("<", CmpOp::Lt, false),
    ("LesserThan", CmpOp::Lt, false),
    ("<=", CmpOp::Le, false),
    ("LesserThanOrEquals", CmpOp::Le, false),
    ("=|", CmpOp::StartsWith, false),
    ("StartsWith", CmpOp::StartsWith, false),
    ("~", CmpOp::Matches, false),
    ("Matches", CmpOp::Matches, false),
    ("Like", CmpOp::Matches, false),
    ("~~", CmpOp::JavaRegex, false),
    ("JavaRegex", CmpOp::JavaRegex, false),
    ("~/", CmpOp::MatchesPath, false),
    ("MatchesPath", CmpOp::MatchesPath, false),
    ("LikePath", CmpOp::MatchesPath, false),
    (":~", CmpOp::MatchesCi, false),
    ("MatchesCaseInsensitive", CmpOp::MatchesCi, false),
    ("LikeCaseInsensitive", CmpOp::MatchesCi, false),
    ("!~", CmpOp::Matches, true),
    ("!~~", CmpOp::JavaRegex, true),
    ("!~/", CmpOp::MatchesPath, true),
    ("!=|", CmpOp::StartsWith, true),
];

#[test]
fn every_spelling_parses_to_its_operator() {
    for (spelling, op, negated) in SPELLINGS {
        let mut forms = vec![spelling.to_string()];
        if spelling.chars().all(|c| c.is_ascii_alphabetic()) {
            forms.push(spelling.to_lowercase());
            forms.push(spelling.to_uppercase());
        }
        for form in forms {
            let spaced = format!("x {form} \"/a\"");
            assert_eq!(cmp_of(&spaced), (*op, *negated), "{spaced}");
            if !form.chars().any(|c| c.is_ascii_alphabetic()) {
                let tight = format!("x{form}\"/a\"");
                assert_eq!(cmp_of(&tight), (*op, *negated), "{tight}");
            }
        }
    }
}

#[test]
fn negated_word_forms() {
    let cases = [
        ("x Not StartsWith \"a\"", CmpOp::StartsWith),
        ("x not JavaRegex \"..\"", CmpOp::JavaRegex),
        ("x NOT Matches \"a*\"", CmpOp::Matches),
        ("x not MatchesPath \"/a\"", CmpOp::MatchesPath),
        ("x not Like \"a\"", CmpOp::Matches),
        ("x not LikePath \"/a\"", CmpOp::MatchesPath),
        ("x not MatchesCaseInsensitive \"a\"", CmpOp::MatchesCi),
        ("x not =| \"a\"", CmpOp::StartsWith),
        ("x not ~~ \"a\"", CmpOp::JavaRegex),
        ("x not ~/ \"/a\"", CmpOp::MatchesPath),
        ("x not ~ \"a\"", CmpOp::Matches),
        ("x not :~ \"a\"", CmpOp::MatchesCi),
    ];
    for (src, op) in cases {
        assert_eq!(cmp_of(src), (op, true), "{src}");
    }
    assert_eq!(err("x not Equals 1").0, "PXC102");
    assert_eq!(err("x not = 1").0, "PXC102");
}

#[test]
fn logic_operators_and_their_spellings() {
    for and in ["and", "AND", "And", "&&"] {
        assert_eq!(show(&format!("a {and} b")), "a and b");
    }
    for or in ["or", "OR", "Or", "||"] {
        assert_eq!(show(&format!("a {or} b")), "a or b");
    }
    for not in ["not ", "NOT ", "Not ", "!", "! "] {
        assert_eq!(show(&format!("{not}valid")), "not valid");
    }
    assert_eq!(show("a&&b||c"), "a and (b or c)");
    assert_eq!(
        show("!(request.verb = \"POST\")"),
        "not (request.verb = \"POST\")"
    );
    assert_eq!(show("not not a"), "not not a");
    assert_eq!(show("(a = 1)and(b = 2)"), "a = 1 and b = 2");
}

#[test]
fn precedence_default_or_binds_tighter() {
    assert_eq!(show("a and b or c and d"), "a and (b or c) and d");
    assert_eq!(show("a or b and c"), "(a or b) and c");
    assert_eq!(show("a and b and c"), "a and b and c");
    assert_eq!(show("a and (b and c)"), "a and (b and c)");
    assert_eq!(show("not a and b"), "not a and b");
    assert_eq!(show("(a and b) or c"), "(a and b) or c");
}

#[test]
fn precedence_java_and_binds_tighter() {
    assert_eq!(show_java("a and b or c and d"), "(a and b) or (c and d)");
    assert_eq!(show_java("a or b and c"), "a or (b and c)");
    assert_eq!(show_java("a or b or c"), "a or b or c");
    assert_eq!(show_java("(a or b) and c"), "(a or b) and c");
}

#[test]
fn left_associative_trees() {
    let tree = ok("a and b and c");
    let Expr::And { lhs, .. } = tree else {
        panic!("not an and");
    };
    assert!(matches!(*lhs, Expr::And { .. }));
}

#[test]
fn number_literals() {
    let cases = [
        ("404", Number::Int(404)),
        ("-1", Number::Int(-1)),
        ("-2147483648", Number::Int(i32::MIN)),
        ("2147483648", Number::Long(2_147_483_648)),
        ("12321421312L", Number::Long(12_321_421_312)),
        ("5l", Number::Long(5)),
        ("3.25", Number::Double(3.25)),
        ("0.7", Number::Double(0.7)),
        (".5", Number::Double(0.5)),
        ("1.", Number::Double(1.0)),
        ("-.5", Number::Double(-0.5)),
        ("100.123D", Number::Double(100.123)),
        ("7d", Number::Double(7.0)),
        ("3.25f", Number::Float(3.25)),
        ("3F", Number::Float(3.0)),
    ];
    for (text, want) in cases {
        match ok(&format!("x = {text}")) {
            Expr::Cmp {
                rhs: Operand::Num(n, _),
                ..
            } => assert_eq!(n, want, "{text}"),
            other => panic!("{text}: {other:?}"),
        }
    }
    assert_eq!(err("x = 99999999999999999999").0, "PXC107");
    assert_eq!(err("x = 1.5L").0, "PXC107");
    assert_eq!(err("x = 1e5").0, "PXC107");
    assert_eq!(err("x = 5abc"), ("PXC107", 4..8));
}

#[test]
fn other_literals_and_operands() {
    let rhs = |src: &str| match ok(src) {
        Expr::Cmp { rhs, .. } => rhs,
        other => panic!("{other:?}"),
    };
    assert!(matches!(rhs("x Is null"), Operand::Null(_)));
    assert!(matches!(rhs("x = NULL"), Operand::Null(_)));
    assert!(matches!(rhs("x is true"), Operand::Bool(true, _)));
    assert!(matches!(rhs("x = FALSE"), Operand::Bool(false, _)));
    assert!(matches!(rhs("x = \"a 'b' & <c>\""), Operand::Str(s, _) if s == "a 'b' & <c>"));
    assert!(matches!(rhs("x = \"\""), Operand::Str(s, _) if s.is_empty()));
    assert!(matches!(rhs("x = other.var"), Operand::Var { name, .. } if name == "other.var"));
    let lhs = |src: &str| match ok(src) {
        Expr::Cmp { lhs, .. } => lhs,
        other => panic!("{other:?}"),
    };
    assert!(
        matches!(lhs("'request.header.help!me' = 1"), Operand::Var { name, .. } if name == "request.header.help!me")
    );
    assert!(matches!(lhs("'and' = 1"), Operand::Var { name, .. } if name == "and"));
    assert!(matches!(lhs("\"GET\" = request.verb"), Operand::Str(..)));
    assert_eq!(err("'' = 1"), ("PXC113", 0..2));
}

#[test]
fn variable_names() {
    for name in [
        "request.header.content-type",
        "request.header.X-DoNothing",
        "_private",
        "a$b",
        "notes",
        "android",
        "order",
        "Isx",
        "nullable",
        "trueish",
        "is.enabled",
        "flow.a_b-c.d9",
    ] {
        let src = format!("{name} = 1");
        match ok(&src) {
            Expr::Cmp {
                lhs: Operand::Var { name: got, .. },
                ..
            } => assert_eq!(got, name),
            other => panic!("{src}: {other:?}"),
        }
    }
    for reserved in ["like", "Matches", "and", "IsNot", "OR"] {
        assert_eq!(err(&format!("{reserved} = 1")).0, "PXC104", "{reserved}");
    }
}

#[test]
fn bare_operands_and_constants() {
    assert!(matches!(ok(""), Expr::Const(true, _)));
    assert!(matches!(ok("  \n\t "), Expr::Const(true, _)));
    assert!(matches!(ok("true"), Expr::Const(true, _)));
    assert!(matches!(ok("FALSE"), Expr::Const(false, _)));
    assert!(matches!(
        ok("flow.cachehit"),
        Expr::Truthy(Operand::Var { .. })
    ));
    assert!(matches!(ok("\"true\""), Expr::Truthy(Operand::Str(..))));
    assert!(matches!(ok("null"), Expr::Truthy(Operand::Null(_))));
    assert_eq!(show("!valid"), "not valid");
}

#[test]
fn xml_unescaped_text() {
    assert_eq!(show("a < 5 && b"), "a < 5 and b");
    assert_eq!(show("a<5&&b>=2"), "a < 5 and b >= 2");
    assert_eq!(
        show("(message.status.code >= 500)"),
        "message.status.code >= 500"
    );
    assert_eq!(
        show(
            "request.header.content-type != \"text/xml\" AND\n  request.header.content-type != \"application/xml\""
        ),
        "request.header.content-type != \"text/xml\" and request.header.content-type != \"application/xml\""
    );
}

#[test]
fn word_operators_need_word_boundaries() {
    assert_eq!(show("a Equals\"x\""), "a = \"x\"");
    assert_eq!(err("aEquals \"x\"").0, "PXC101");
    assert_eq!(
        err("a Equalsb").0,
        "PXC102",
        "unknown operator, did you mean Equals"
    );
    assert_eq!(err("a Equals-1").0, "PXC102");
    assert_eq!(show("a Equals -1"), "a = -1");
}

#[test]
fn spans_are_byte_offsets() {
    let src = "request.verb = \"GET\" and x not StartsWith \"é\"";
    let Expr::And {
        lhs,
        rhs,
        op_span,
        span,
    } = ok(src)
    else {
        panic!("not an and");
    };
    assert_eq!(op_span, 21..24);
    assert_eq!(span, 0..src.len());
    let Expr::Cmp {
        lhs: l,
        rhs: r,
        op_span,
        ..
    } = *lhs
    else {
        panic!("not a comparison");
    };
    assert_eq!((l.span(), op_span, r.span()), (0..12, 13..14, 15..20));
    let Expr::Cmp {
        op_span, rhs: r, ..
    } = *rhs
    else {
        panic!("not a comparison");
    };
    assert_eq!(&src[op_span], "not StartsWith");
    assert_eq!(&src[r.span()], "\"é\"");
    let Expr::Not(_, not_span) = ok("  ! x") else {
        panic!("not a not");
    };
    assert_eq!(not_span, 2..3);
    let Expr::Or { span, .. } = ok(" ( a or b ) ") else {
        panic!("not an or");
    };
    assert_eq!(span, 1..11, "a group's span includes its parentheses");
}

#[test]
fn syntax_errors_point_at_the_token() {
    let cases: &[(&str, &str, std::ops::Range<usize>)] = &[
        ("a =~ \"x\"", "PXC102", 2..4),
        ("a => 1", "PXC102", 2..4),
        ("a & b", "PXC102", 2..3),
        ("a Equal \"x\"", "PXC102", 2..7),
        ("(a = 1", "PXC103", 0..1),
        ("((a = 1) and (b = 2)", "PXC103", 0..1),
        ("a =", "PXC104", 2..3),
        ("a and", "PXC104", 2..5),
        ("a = 1 or", "PXC104", 6..8),
        ("()", "PXC104", 1..2),
        ("a = and b", "PXC104", 4..7),
        ("= \"x\"", "PXC104", 0..1),
        ("not", "PXC104", 0..3),
        ("a = (b)", "PXC104", 4..5),
        ("\"abc", "PXC105", 0..4),
        ("x = 'abc", "PXC105", 4..8),
        ("a = 1)", "PXC106", 5..6),
        ("a =~ b)", "PXC102", 2..4),
        ("a =~ \"b", "PXC102", 2..4),
        ("a = \"x\" and b = \"abc", "PXC105", 16..20),
        ("a b", "PXC101", 2..3),
        ("a = 1 = 2", "PXC101", 6..7),
        ("a + 1", "PXC101", 2..3),
        ("# comment", "PXC101", 0..1),
        ("a = \"x\" \"y\"", "PXC101", 8..11),
    ];
    for (src, code, span) in cases {
        assert_eq!(err(src), (*code, span.clone()), "{src}");
    }
}

#[test]
fn is_not_with_a_space_explains_isnot() {
    let errors = parse("x Is Not null", &DEFAULT).err().unwrap_or_default();
    assert_eq!((errors[0].code, errors[0].span.clone()), ("PXC104", 5..8));
    assert!(
        errors[0]
            .help
            .as_deref()
            .unwrap_or_default()
            .contains("IsNot")
    );
}

#[test]
fn unknown_operator_help_lists_the_nearest() {
    let help = |src: &str| match parse(src, &DEFAULT) {
        Err(e) => e[0].help.clone().unwrap_or_default(),
        Ok(_) => String::new(),
    };
    let h = help("a =~ \"x\"");
    assert!(
        h.contains("`~` (Matches)") && h.contains("`=` (Equals)"),
        "{h}"
    );
    assert_eq!(help("a => 1"), "did you mean `>=` (GreaterThanOrEquals)?");
    assert_eq!(help("a GreaterThen 1"), "did you mean `GreaterThan`?");
    assert_eq!(help("a & b"), "did you mean `&&`?");
}

#[test]
fn right_operand_kinds() {
    for op in [
        "=",
        "!=",
        "StartsWith",
        ">",
        ">=",
        "<",
        "<=",
        "Is",
        "IsNot",
        "=|",
    ] {
        let src = format!("a {op} b");
        assert!(parse(&src, &DEFAULT).is_ok(), "{src}");
    }
    for op in [
        ":=",
        "~",
        "~~",
        "~/",
        ":~",
        "Matches",
        "JavaRegex",
        "MatchesPath",
        "!~",
    ] {
        let src = format!("a {op} b");
        assert_eq!(err(&src), ("PXC108", src.len() - 1..src.len()), "{src}");
    }
    for op in [
        "~",
        "~~",
        "~/",
        ":~",
        "Matches",
        "JavaRegex",
        "MatchesPath",
        "!~/",
    ] {
        assert_eq!(err(&format!("a {op} 404")).0, "PXC109", "{op}");
        assert_eq!(err(&format!("a {op} null")).0, "PXC109", "{op}");
        assert!(
            parse(&format!("a {op} true"), &DEFAULT).is_ok(),
            "{op} true"
        );
    }
    assert!(parse("a := 5", &DEFAULT).is_ok());
    assert!(
        parse("a > \"200\"", &DEFAULT).is_ok(),
        "quoted number with > (doc style)"
    );
}

#[test]
fn pattern_errors() {
    let src = "x ~~ \"a(?=b)\"";
    let errors = parse(src, &DEFAULT).err().unwrap_or_default();
    assert_eq!(errors.len(), 1);
    assert_eq!(
        (errors[0].code, errors[0].span.clone()),
        ("PXC111", 5..src.len())
    );
    assert!(errors[0].message.contains("look-ahead"));
    assert!(
        errors[0]
            .help
            .as_deref()
            .unwrap_or_default()
            .contains("regex crate")
    );
    for (pattern, construct) in [
        ("(?<=a)b", "look-behind"),
        ("(a)\\1", "backreference"),
        ("a++", "possessive"),
        ("(?>a)", "atomic group"),
    ] {
        let errors = parse(&format!("x JavaRegex \"{pattern}\""), &DEFAULT)
            .err()
            .unwrap_or_default();
        assert_eq!(errors.len(), 1, "{pattern}");
        assert_eq!(errors[0].code, "PXC111");
        assert!(
            errors[0].message.contains(construct),
            "{}",
            errors[0].message
        );
    }
    assert_eq!(err("x ~~ \"[a\"").0, "PXC110");
    assert_eq!(err("x ~/ \"/a*\""), ("PXC112", 5..10));
    assert_eq!(err("x MatchesPath \"/{id\"").0, "PXC112");
    assert!(parse("x ~/ \"/%{user%}/**\"", &DEFAULT).is_ok());
    assert!(parse("x ~ \"/c%*at\"", &DEFAULT).is_ok());
}

#[test]
fn every_operand_error_is_reported() {
    let src = "a ~~ \"(?=x)\" and b := c and d ~/ \"/a*\"";
    let errors = parse(src, &DEFAULT).err().unwrap_or_default();
    let codes: Vec<&str> = errors.iter().map(|e| e.code).collect();
    assert_eq!(codes, ["PXC111", "PXC108", "PXC112"]);
}

fn warning_codes(src: &str) -> Vec<&'static str> {
    warnings(&ok(src), src).iter().map(|w| w.code).collect()
}

#[test]
fn warnings_table() {
    let cases: &[(&str, &[&str])] = &[
        ("a = 1 and b = 2", &[]),
        ("a = 1 && b = 2 || c = 3", &["PXW101"]),
        ("a or b and c", &["PXW101"]),
        ("(a or b) and c", &[]),
        ("a and (b or c)", &[]),
        ("a and b or c and d", &["PXW101"]),
        ("x !~ \"a\"", &["PXW102"]),
        ("x !~~ \"a\"", &["PXW102"]),
        ("x !~/ \"/a\"", &["PXW102"]),
        ("x !=| \"a\"", &["PXW102"]),
        ("x :~ \"a\"", &["PXW102"]),
        ("x MatchesCaseInsensitive \"a\"", &["PXW102"]),
        ("x not LikeCaseInsensitive \"a\"", &["PXW102"]),
        ("x not Matches \"a\"", &[]),
        (
            "not ( a MatchesPath \"/x\" or b MatchesPath \"/y\" or )",
            &["PXW103"],
        ),
        ("!proxy.pathsuffix MatchesPath \"/path\"", &["PXW104"]),
        ("!(proxy.pathsuffix MatchesPath \"/path\")", &[]),
        ("not valid", &[]),
        ("x StartsWith 4", &["PXW105"]),
        ("x := 4", &["PXW105"]),
        ("x = 4", &[]),
    ];
    for (src, want) in cases {
        assert_eq!(warning_codes(src), *want, "{src}");
    }
}

#[test]
fn mixed_precedence_warning_says_which_reading() {
    let src = "request.verb = \"POST\" and proxy.pathsuffix = \"/x\" or request.verb = \"GET\"";
    let w = warnings(&ok(src), src);
    assert_eq!(w.len(), 1);
    assert_eq!(&src[w[0].span.clone()], "and");
    assert!(
        w[0].message.contains("`or` binding tighter"),
        "{}",
        w[0].message
    );
    assert!(
        w[0].message.contains(
            "request.verb = \"POST\" and (proxy.pathsuffix = \"/x\" or request.verb = \"GET\")"
        ),
        "{}",
        w[0].message
    );
    assert!(
        w[0].help
            .as_deref()
            .unwrap_or_default()
            .contains("parentheses")
    );
    let java = parse(src, &JAVA).unwrap_or_else(|e| panic!("{e:?}"));
    let w = warnings(&java, src);
    assert_eq!(&src[w[0].span.clone()], "or");
    assert!(w[0].message.contains("Java precedence"), "{}", w[0].message);
}

#[test]
fn dangling_operator_only_before_a_parenthesis() {
    assert_eq!(
        show("not ( a MatchesPath \"/x\" or b MatchesPath \"/y\" or )"),
        "not (a MatchesPath \"/x\" or b MatchesPath \"/y\")"
    );
    let src = "(a or)";
    let w = warnings(&ok(src), src);
    assert_eq!((w[0].code, &src[w[0].span.clone()]), ("PXW103", "or"));
    assert_eq!(err("a or").0, "PXC104");
}

#[test]
fn codes_are_unique_and_documented() {
    let mut codes: Vec<&str> = CODES.iter().map(|(c, _)| *c).collect();
    codes.sort_unstable();
    codes.dedup();
    assert_eq!(codes.len(), CODES.len());
    assert!(
        CODES
            .iter()
            .all(|(c, m)| (c.starts_with("PXC1") || c.starts_with("PXW1")) && !m.is_empty())
    );
}

#[test]
fn variables_are_visited_in_source_order() {
    let src = "a = b and (not c or 'd e' ~ \"x\") and \"lit\" != a and 1 = 2";
    let mut seen = Vec::new();
    ok(src).visit_variables(&mut |name, span| seen.push((name.to_owned(), src[span].to_owned())));
    let want = [
        ("a", "a"),
        ("b", "b"),
        ("c", "c"),
        ("d e", "'d e'"),
        ("a", "a"),
    ];
    let want: Vec<(String, String)> = want
        .iter()
        .map(|(n, t)| ((*n).into(), (*t).into()))
        .collect();
    assert_eq!(seen, want);
}
