//! Build-time evaluation (the runtime semantics restated) and constant
//! folding: the spec's worked examples, every operator spelling, the null
//! table and type adaptation.

use proxyc_compiler::expr::condition::{ConditionOptions, Expr, Lit, Number, eval, fold, parse};

const DEFAULT: ConditionOptions = ConditionOptions {
    java_precedence: false,
};
const JAVA: ConditionOptions = ConditionOptions {
    java_precedence: true,
};

fn parsed(src: &str, opts: &ConditionOptions) -> Expr {
    parse(src, opts).unwrap_or_else(|e| panic!("{src:?}: {e:#?}"))
}

/// The spec §8 environment. Header names resolve case-insensitively (the
/// variable resolver's job, emulated here).
fn spec_env(name: &str) -> Lit {
    let vars = [
        ("request.verb", Lit::Str("GET".into())),
        ("proxy.pathsuffix", Lit::Str("/statuses/123".into())),
        (
            "request.header.Content-Type",
            Lit::Str("application/json".into()),
        ),
        ("response.status.code", Lit::Num(Number::Int(404))),
        ("request.header.x-count", Lit::Str("10".into())),
    ];
    let found = vars.iter().find(|(n, _)| {
        if n.starts_with("request.header.") {
            n.eq_ignore_ascii_case(name)
        } else {
            *n == name
        }
    });
    found.map_or(Lit::Null, |(_, v)| v.clone())
}

fn run(src: &str, opts: &ConditionOptions) -> bool {
    eval(&parsed(src, opts), &mut spec_env)
}

#[test]
fn worked_examples_of_spec_section_8() {
    // (condition, result with OR-binds-tighter, result with Java precedence)
    let rows: &[(&str, bool, bool)] = &[
        ("request.verb = \"GET\"", true, true),
        ("request.verb = \"get\"", false, false),
        ("request.verb := \"get\"", true, true),
        (
            "request.verb == \"GET\" and proxy.pathsuffix MatchesPath \"/statuses/*\"",
            true,
            true,
        ),
        ("proxy.pathsuffix MatchesPath \"/statuses\"", false, false),
        ("proxy.pathsuffix MatchesPath \"/statuses/**\"", true, true),
        ("proxy.pathsuffix ~/ \"/*/123\"", true, true),
        ("proxy.pathsuffix Matches \"/statuses/*\"", true, true),
        ("proxy.pathsuffix Matches \"/statuses\"", false, false),
        (
            "proxy.pathsuffix JavaRegex \"/statuses/[0-9]+\"",
            true,
            true,
        ),
        ("proxy.pathsuffix JavaRegex \"[0-9]+\"", false, false),
        ("proxy.pathsuffix StartsWith \"/stat\"", true, true),
        ("proxy.pathsuffix =| \"/stat\"", true, true),
        ("response.status.code = 404", true, true),
        ("response.status.code = \"404\"", true, true),
        ("response.status.code GreaterThan \"399\"", true, true),
        ("response.status.code >= 500", false, false),
        // The spec expects false ("verify"): a string compared as text. Our
        // documented rule compares numerically when the string parses as
        // the number's type (so that `code = "404"` holds), hence true.
        ("request.header.x-count > 9", true, true),
        ("request.header.X-Missing = null", true, true),
        ("request.header.X-Missing != null", false, false),
        ("request.header.X-Missing = \"a\"", false, false),
        ("request.header.X-Missing != \"a\"", true, true),
        ("request.header.X-Missing > 5", true, true),
        ("request.header.X-Missing Matches \"*\"", false, false),
        ("not (request.verb = \"POST\")", true, true),
        (
            "request.verb = \"POST\" or request.verb = \"GET\" and proxy.pathsuffix = \"/x\"",
            false,
            false,
        ),
        (
            "request.verb = \"GET\" and proxy.pathsuffix = \"/x\" or request.verb = \"GET\"",
            true,
            true,
        ),
        (
            "request.verb = \"POST\" and proxy.pathsuffix = \"/x\" or request.verb = \"GET\"",
            false,
            true,
        ),
        (
            "(request.verb = \"POST\" or request.verb = \"GET\") and proxy.pathsuffix = \"/x\"",
            false,
            false,
        ),
        (
            "request.header.content-type = \"application/json\"",
            true,
            true,
        ),
    ];
    for (src, default, java) in rows {
        assert_eq!(run(src, &DEFAULT), *default, "default: {src}");
        assert_eq!(run(src, &JAVA), *java, "java: {src}");
    }
}

/// `{op}` is replaced by each spelling; (spellings, true case, false case).
const OPERATOR_CASES: &[(&[&str], &str, &str)] = &[
    (
        &["=", "==", "Equals", "Is"],
        "v {op} \"GET\"",
        "v {op} \"get\"",
    ),
    (
        &["!=", "NotEquals", "IsNot"],
        "v {op} \"POST\"",
        "v {op} \"GET\"",
    ),
    (
        &[":=", "EqualsCaseInsensitive"],
        "v {op} \"get\"",
        "v {op} \"post\"",
    ),
    (&[">", "GreaterThan"], "n {op} 399", "n {op} 404"),
    (&[">=", "GreaterThanOrEquals"], "n {op} 404", "n {op} 405"),
    (&["<", "LesserThan"], "n {op} 405", "n {op} 404"),
    (&["<=", "LesserThanOrEquals"], "n {op} 404", "n {op} 403"),
    (&["=|", "StartsWith"], "p {op} \"/stat\"", "p {op} \"stat\""),
    (
        &["~", "Matches", "Like"],
        "p {op} \"/statuses/*\"",
        "p {op} \"/statuses\"",
    ),
    (
        &["~~", "JavaRegex"],
        "p {op} \"/statuses/\\d+\"",
        "p {op} \"\\d+\"",
    ),
    (
        &["~/", "MatchesPath", "LikePath"],
        "p {op} \"/*/123\"",
        "p {op} \"/*\"",
    ),
    (
        &[":~", "MatchesCaseInsensitive", "LikeCaseInsensitive"],
        "p {op} \"/STATUSES/*\"",
        "p {op} \"/x*\"",
    ),
    (
        &["!~", "not Matches", "NOT Like"],
        "p {op} \"/x*\"",
        "p {op} \"/statuses/*\"",
    ),
    (
        &["!~~", "not JavaRegex"],
        "p {op} \"\\d+\"",
        "p {op} \"/statuses/\\d+\"",
    ),
    (
        &["!~/", "Not MatchesPath", "not LikePath"],
        "p {op} \"/*\"",
        "p {op} \"/*/123\"",
    ),
    (
        &["!=|", "not StartsWith"],
        "p {op} \"stat\"",
        "p {op} \"/stat\"",
    ),
    (
        &["and", "AND", "And", "&&"],
        "v = \"GET\" {op} n = 404",
        "v = \"GET\" {op} n = 1",
    ),
    (
        &["or", "OR", "Or", "||"],
        "v = \"x\" {op} n = 404",
        "v = \"x\" {op} n = 1",
    ),
    (
        &["not", "NOT", "Not", "!"],
        "{op} (v = \"x\")",
        "{op} (v = \"GET\")",
    ),
];

fn small_env(name: &str) -> Lit {
    match name {
        "v" => Lit::Str("GET".into()),
        "p" => Lit::Str("/statuses/123".into()),
        "n" => Lit::Num(Number::Int(404)),
        _ => Lit::Null,
    }
}

#[test]
fn every_operator_spelling_has_a_true_and_a_false_case() {
    for (spellings, yes, no) in OPERATOR_CASES {
        for spelling in *spellings {
            let mut forms = vec![spelling.to_string()];
            if spelling
                .chars()
                .all(|c| c.is_ascii_alphabetic() || c == ' ')
            {
                forms.push(spelling.to_lowercase());
            }
            for form in forms {
                let yes = yes.replace("{op}", &form);
                let no = no.replace("{op}", &form);
                assert!(eval(&parsed(&yes, &DEFAULT), &mut small_env), "{yes}");
                assert!(!eval(&parsed(&no, &DEFAULT), &mut small_env), "{no}");
            }
        }
    }
}

#[test]
fn null_table() {
    // (operator, LHS null, RHS null, both null); `N/A` cells are skipped.
    let rows: &[(&str, bool, Option<bool>, bool)] = &[
        ("=", false, Some(false), true),
        ("==", false, Some(false), true),
        (":=", false, Some(false), true),
        ("=|", false, Some(false), false),
        ("!=", true, Some(true), false),
        (">", true, Some(false), false),
        (">=", false, Some(true), true),
        ("<", true, Some(false), false),
        ("<=", true, Some(false), true),
        ("~", false, None, false),
        ("~~", false, None, false),
        ("!~", true, None, false),
        ("~/", false, None, false),
    ];
    let env = |name: &str| match name {
        "set" => Lit::Str("x".into()),
        _ => Lit::Null,
    };
    let check = |src: String, want: bool| {
        assert_eq!(eval(&parsed(&src, &DEFAULT), &mut { env }), want, "{src}");
    };
    for (op, lhs_null, rhs_null, both_null) in rows {
        check(format!("unset {op} \"x\""), *lhs_null);
        if let Some(rhs_null) = rhs_null {
            check(format!("set {op} null"), *rhs_null);
            check(format!("unset {op} null"), *both_null);
            if *op != ":=" {
                check(format!("set {op} unset"), *rhs_null);
                check(format!("unset {op} unset"), *both_null);
            }
        }
    }
    // Pattern operators cannot have a null pattern (N/A): rejected at build time.
    assert!(parse("x ~ null", &DEFAULT).is_err());
}

fn lit_of(text: &str) -> Lit {
    match parsed(&format!("x = {text}"), &DEFAULT) {
        Expr::Cmp { rhs, .. } => Lit::of(&rhs).unwrap_or(Lit::Null),
        other => panic!("{other:?}"),
    }
}

#[test]
fn type_adaptation() {
    // (left value as a literal, operator, right literal, expected)
    let cases: &[(&str, &str, &str, bool)] = &[
        ("404", "=", "\"404\"", true),
        ("\"404\"", "=", "404", true),
        ("404", ">", "\"1000\"", false),
        ("404", "=", "\"404.0\"", false),
        ("\"abc\"", ">", "5", true),
        ("1", "=", "1L", true),
        ("1", "=", "1.0d", true),
        ("0.1f", "=", "0.1d", false),
        ("0.5f", "=", "0.5", true),
        ("true", "=", "1", true),
        ("false", "<", "true", true),
        ("false", "=", "\"false\"", true),
        ("true", "=", "\"TRUE\"", false),
        ("true", ":=", "\"TRUE\"", true),
        ("2147483648", ">", "2147483647", true),
        ("3.0d", "=", "\"3.0\"", true),
        ("3", "=", "\" 3\"", false),
        ("404", "=|", "\"4\"", true),
        ("2.0d", "=|", "\"2.0\"", true),
        ("\"ÀB\"", ":=", "\"àb\"", true),
    ];
    for (l, op, r, want) in cases {
        let left = lit_of(l);
        let src = format!("x {op} {r}");
        let got = eval(&parsed(&src, &DEFAULT), &mut |_| left.clone());
        assert_eq!(got, *want, "{l} {op} {r}");
    }
}

#[test]
fn patterns_through_eval() {
    let p = |path: &str, src: &str| {
        let path = path.to_owned();
        eval(&parsed(src, &DEFAULT), &mut |_| Lit::Str(path.clone()))
    };
    assert!(p("/c*at", "x Matches \"/c%*at\""));
    assert!(!p("/cat", "x Matches \"/c%*at\""));
    assert!(p("/a%20b", "x Matches \"/a%20b\""));
    assert!(p("/{user}", "x MatchesPath \"/%{user%}\""));
    assert!(!p("/user", "x MatchesPath \"/%{user%}\""));
    assert!(p("/x/a/b/feed/", "x MatchesPath \"/*/a/{reader}/feed/\""));
    assert!(p("/a/b/feed/rss/1234", "x ~/ \"/a/**/feed/**\""));
    assert!(
        !p("/a/feed/rss", "x ~/ \"/a/**/feed/**\""),
        "** takes one or more"
    );
    assert!(p("anything/at/all", "x MatchesPath \"**\""));
    assert!(!p("ÉTÉ", "x JavaRegex \"\\w+\""), "\\w is ASCII as in Java");
    assert!(p("été", "x JavaRegex \"(?i)ÉTÉ\""));
    assert!(p("a<b", "x ~~ \"a\\<b\""), "\\< is a literal in Java");
    assert!(p("true", "x Matches true"));
}

#[test]
fn folding() {
    let folded = |src: &str| fold(parsed(src, &DEFAULT)).to_string();
    let cases = [
        ("\"GET\" = \"GET\"", "true"),
        ("404 = \"404\"", "true"),
        ("1 > 2", "false"),
        ("\"abc\" Matches \"a*\"", "true"),
        ("\"/a/b\" MatchesPath \"/*/*\"", "true"),
        ("\"x\" JavaRegex \"y\"", "false"),
        ("null = null", "true"),
        ("null > 5", "true"),
        ("\"true\"", "true"),
        ("\"yes\"", "false"),
        ("null", "false"),
        ("not true", "false"),
        ("not not x", "x"),
        ("not (1 = 2)", "true"),
        ("true and x", "x"),
        ("x and true", "x"),
        ("false and x", "false"),
        ("x and false", "false"),
        ("true or x", "true"),
        ("x or true", "true"),
        ("false or x", "x"),
        ("x = 1 and (1 = 1)", "x = 1"),
        ("(a or 1 = 2) and (b or \"a\" =| \"a\")", "a"),
        ("x = 1 and y = 2", "x = 1 and y = 2"),
        ("", "true"),
    ];
    for (src, want) in cases {
        assert_eq!(folded(src), want, "{src}");
    }
    let src = "  1 = 1  ";
    match fold(parsed(src, &DEFAULT)) {
        Expr::Const(true, span) => assert_eq!(&src[span], "1 = 1"),
        other => panic!("{other:?}"),
    }
}
