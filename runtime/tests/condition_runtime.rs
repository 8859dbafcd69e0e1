//! Run-time condition semantics: operators, the null table, type
//! adaptation, glob / path / regex matching and truthiness.

use proptest::prelude::*;
use proxyc_runtime::condition::{
    GlobPart, GlobPattern, PathPattern, Regex, Seg, Value, eq, eq_ci, ge, glob_match,
    glob_match_ci, gt, le, lt, ne, path_match, regex_match, starts_with, truthy,
};

type Cmp = fn(&Value<'_>, &Value<'_>) -> bool;

fn s(text: &str) -> Value<'_> {
    Value::str(text)
}

/// (name, function) for every two-operand operator.
const OPS: &[(&str, Cmp)] = &[
    ("=", eq),
    (":=", eq_ci),
    ("=|", starts_with),
    ("!=", ne),
    (">", gt),
    (">=", ge),
    ("<", lt),
    ("<=", le),
];

#[test]
fn null_table_rows() {
    // (operator, LHS null, RHS null, both null) — the reference's table.
    let table: &[(&str, bool, bool, bool)] = &[
        ("=", false, false, true),
        (":=", false, false, true),
        ("=|", false, false, false),
        ("!=", true, true, false),
        (">", true, false, false),
        (">=", false, true, true),
        ("<", true, false, false),
        ("<=", true, false, true),
    ];
    for (name, lhs_null, rhs_null, both_null) in table {
        let f = OPS.iter().find(|(n, _)| n == name).map(|(_, f)| *f);
        let Some(f) = f else {
            panic!("no operator {name}");
        };
        for other in [s("a"), Value::Int(5), Value::Bool(true), s("")] {
            assert_eq!(
                f(&Value::Null, &other),
                *lhs_null,
                "{name}: null vs {other:?}"
            );
            assert_eq!(
                f(&other, &Value::Null),
                *rhs_null,
                "{name}: {other:?} vs null"
            );
        }
        assert_eq!(
            f(&Value::Null, &Value::Null),
            *both_null,
            "{name}: both null"
        );
    }
}

#[test]
fn null_left_operand_never_matches_a_pattern() {
    let glob = GlobPattern(&[GlobPart::Star]);
    let path = PathPattern(&[Seg::Many]);
    let any = Regex::new("^(?:.*)$").unwrap_or_else(|e| panic!("{e}"));
    assert!(!glob_match(&Value::Null, &glob), "~ row");
    assert!(!glob_match_ci(&Value::Null, &glob));
    assert!(!regex_match(&Value::Null, &any), "~~ row");
    assert!(!path_match(&Value::Null, &path), "~/ row");
    // The `!~` row (LHS null ⇒ true) is the negation the compiler emits.
    assert!(!glob_match(&Value::Null, &glob), "!~ row");
}

#[test]
fn every_operator_has_a_true_and_a_false_case() {
    let cases: &[(&str, Value<'_>, Value<'_>, bool)] = &[
        ("=", s("GET"), s("GET"), true),
        ("=", s("GET"), s("get"), false),
        (":=", s("GET"), s("get"), true),
        (":=", s("GET"), s("post"), false),
        ("!=", s("GET"), s("POST"), true),
        ("!=", s("GET"), s("GET"), false),
        (">", Value::Int(404), Value::Int(399), true),
        (">", Value::Int(200), Value::Int(399), false),
        (">=", Value::Int(500), Value::Int(500), true),
        (">=", Value::Int(404), Value::Int(500), false),
        ("<", Value::Int(1), Value::Int(2), true),
        ("<", Value::Int(2), Value::Int(2), false),
        ("<=", Value::Int(2), Value::Int(2), true),
        ("<=", Value::Int(3), Value::Int(2), false),
        ("=|", s("/statuses/123"), s("/stat"), true),
        ("=|", s("/statuses/123"), s("/STAT"), false),
    ];
    for (name, l, r, want) in cases {
        let f = OPS.iter().find(|(n, _)| n == name).map(|(_, f)| *f);
        assert_eq!(f.map(|f| f(l, r)), Some(*want), "{l:?} {name} {r:?}");
    }
}

#[test]
fn type_adaptation() {
    // A string that parses as the number's type compares numerically.
    assert!(eq(&Value::Int(404), &s("404")));
    assert!(eq(&s("404"), &Value::Int(404)));
    assert!(gt(&Value::Int(404), &s("399")));
    assert!(!gt(&Value::Int(404), &s("1000")), "numeric, not text order");
    assert!(
        gt(&s("10"), &Value::Int(9)),
        "documented rule: \"10\" parses as int"
    );
    assert!(eq(&Value::Long(7), &s("7")));
    assert!(eq(&Value::Double(2.5), &s("2.5")));
    assert!(eq(&Value::Float(2.5), &s("2.5")));
    assert!(eq(&Value::Double(400.0), &s("4e2")));
    // Otherwise the number's Java text is compared.
    assert!(!eq(&Value::Int(404), &s("404.0")));
    assert!(gt(&s("abc"), &Value::Int(5)), "\"abc\" > \"5\" as text");
    assert!(eq(&Value::Double(3.0), &s("3.0")), "parses as double");
    assert!(!eq(&Value::Int(3), &s(" 3")), "no trimming");
    assert!(
        !eq(&Value::Double(3.0), &s("NaN")),
        "only plain decimals parse"
    );
    // Numeric widening int → long → float → double.
    assert!(eq(&Value::Int(1), &Value::Long(1)));
    assert!(eq(&Value::Int(1), &Value::Double(1.0)));
    assert!(lt(
        &Value::Long(i64::from(i32::MAX) + 1),
        &Value::Double(3e9)
    ));
    assert!(
        !eq(&Value::Float(0.1), &Value::Double(0.1)),
        "f32 widened exactly"
    );
    assert!(eq(&Value::Float(0.5), &Value::Double(0.5)));
    // Booleans: against a number they count 0/1, against text they print.
    assert!(eq(&Value::Bool(true), &Value::Int(1)));
    assert!(lt(&Value::Bool(false), &Value::Bool(true)));
    assert!(eq(&Value::Bool(false), &s("false")));
    assert!(!eq(&Value::Bool(true), &s("TRUE")));
    assert!(eq_ci(&Value::Bool(true), &s("TRUE")));
    // Java compareTo for floating point.
    assert!(eq(&Value::Double(f64::NAN), &Value::Double(f64::NAN)));
    assert!(gt(&Value::Double(f64::NAN), &Value::Double(f64::INFINITY)));
    assert!(lt(&Value::Double(-0.0), &Value::Double(0.0)));
    // Text ordering is Java's UTF-16 order, not code-point order.
    assert!(gt(&s("\u{FF61}"), &s("\u{1F600}")));
    // StartsWith works on text.
    assert!(starts_with(&Value::Int(404), &s("4")));
    assert!(starts_with(&Value::Double(2.0), &s("2.0")));
    // Case-insensitive equality.
    assert!(
        !eq_ci(&s("Straße"), &s("STRASSE")),
        "char by char, like Java"
    );
    assert!(eq_ci(&s("ÀB"), &s("àb")));
}

#[test]
fn truthiness() {
    assert!(truthy(&Value::Bool(true)));
    assert!(truthy(&s("true")));
    assert!(truthy(&s("TRUE")));
    assert!(!truthy(&Value::Bool(false)));
    assert!(!truthy(&s("yes")));
    assert!(!truthy(&Value::Int(1)));
    assert!(!truthy(&Value::Null));
}

#[test]
fn glob_matching() {
    use GlobPart::{Lit, Star};
    let cases: &[(&[GlobPart<'_>], &str, bool)] = &[
        (&[Lit("/cat")], "/cat", true),
        (&[Lit("/cat")], "/cats", false),
        (&[Lit("/statuses/"), Star], "/statuses/123", true),
        (&[Lit("/statuses")], "/statuses/123", false),
        (&[Star], "", true),
        (&[Star, Lit("a"), Star, Lit("b")], "xaab", true),
        (&[Star, Lit("ab"), Star, Lit("ab")], "abab", true),
        (&[Star, Lit("ab"), Star, Lit("ab")], "aba", false),
        (&[Lit("a"), Star, Star, Lit("c")], "abbc", true),
        (&[Lit("/c*at")], "/c*at", true),
        (&[Lit("é"), Star, Lit("ü")], "éxü", true),
        (&[], "", true),
        (&[], "x", false),
    ];
    for (parts, text, want) in cases {
        assert_eq!(
            glob_match(&s(text), &GlobPattern(parts)),
            *want,
            "{parts:?} vs {text:?}"
        );
    }
    assert!(glob_match_ci(
        &s("/STATUSES/1"),
        &GlobPattern(&[Lit("/statuses/"), Star])
    ));
    assert!(!glob_match(
        &s("/STATUSES/1"),
        &GlobPattern(&[Lit("/statuses/"), Star])
    ));
    assert!(glob_match(
        &Value::Int(404),
        &GlobPattern(&[Lit("4"), Star])
    ));
}

#[test]
fn path_matching() {
    use Seg::{Lit, Many, One};
    let root = Lit("");
    let cases: &[(&[Seg<'_>], &str, bool)] = &[
        // Documented examples (§5.3).
        (&[root, One, Lit("a"), Lit("")], "/x/a/", true),
        (&[root, One, Lit("a"), One], "/y/a/foo", true),
        (&[root, One, Lit("a"), Many], "/x/a/b/c/d", true),
        (
            &[root, One, Lit("a"), One, Lit("feed"), Lit("")],
            "/y/a/foo/feed/",
            true,
        ),
        (
            &[root, Lit("a"), Many, Lit("feed"), Many],
            "/a/b/feed/rss/1234",
            true,
        ),
        // Worked examples (§8).
        (&[root, Lit("statuses"), One], "/statuses/123", true),
        (&[root, Lit("statuses")], "/statuses/123", false),
        (&[root, Lit("statuses"), Many], "/statuses/123", true),
        (&[root, One, Lit("123")], "/statuses/123", true),
        // `**` takes at least one segment; trailing slashes count.
        (&[root, Lit("a"), Many], "/a", false),
        (&[root, Lit("a"), Many], "/a/", true),
        (&[root, Lit("statuses")], "/statuses/", false),
        (&[Many], "", true),
        (&[root, Many, Lit("x"), Many, Lit("y")], "/a/x/b/x/y", true),
        (&[root, Many, Lit("x"), Many, Lit("y")], "/a/x/y", false),
        (&[root, Lit("")], "/", true),
        (&[root, Lit("")], "", false),
    ];
    for (segs, path, want) in cases {
        assert_eq!(
            path_match(&s(path), &PathPattern(segs)),
            *want,
            "{segs:?} vs {path:?}"
        );
    }
}

#[test]
fn regex_matching_uses_the_given_anchored_regex() {
    let re = Regex::new("^(?:/statuses/[0-9]+)$").unwrap_or_else(|e| panic!("{e}"));
    assert!(regex_match(&s("/statuses/123"), &re));
    assert!(!regex_match(&s("/statuses/123/x"), &re));
    assert!(regex_match(
        &Value::Int(7),
        &Regex::new("^(?:[0-9])$").unwrap_or_else(|e| panic!("{e}"))
    ));
}

fn glob_part() -> impl Strategy<Value = Option<String>> {
    prop_oneof![Just(None), "[ab/]{1,3}".prop_map(Some)]
}

fn path_seg() -> impl Strategy<Value = Option<Option<String>>> {
    // None = Many, Some(None) = One, Some(Some(lit)) = literal.
    prop_oneof![
        Just(None),
        Just(Some(None)),
        "[ab]{0,2}".prop_map(|l| Some(Some(l)))
    ]
}

proptest! {
    /// The hand-written glob walker agrees with an equivalent regex.
    #[test]
    fn glob_agrees_with_regex(parts in prop::collection::vec(glob_part(), 0..6), text in "[ab/]{0,8}") {
        let owned: Vec<GlobPart<'_>> = parts
            .iter()
            .map(|p| p.as_deref().map_or(GlobPart::Star, GlobPart::Lit))
            .collect();
        let re: String = parts
            .iter()
            .map(|p| p.as_deref().map_or(".*".to_owned(), regex::escape))
            .collect();
        let re = Regex::new(&format!("(?s)^{re}$")).unwrap_or_else(|e| panic!("{e}"));
        prop_assert_eq!(glob_match(&s(&text), &GlobPattern(&owned)), re.is_match(&text));
    }

    /// The path walker agrees with an equivalent regex (`*` = `[^/]*`,
    /// `**` = one or more segments).
    #[test]
    fn path_agrees_with_regex(segs in prop::collection::vec(path_seg(), 1..6), path in "[ab/]{0,8}") {
        let owned: Vec<Seg<'_>> = segs
            .iter()
            .map(|s| match s {
                None => Seg::Many,
                Some(None) => Seg::One,
                Some(Some(l)) => Seg::Lit(l),
            })
            .collect();
        let parts: Vec<String> = segs
            .iter()
            .map(|s| match s {
                None => "[^/]*(?:/[^/]*)*".to_owned(),
                Some(None) => "[^/]*".to_owned(),
                Some(Some(l)) => regex::escape(l),
            })
            .collect();
        let re = Regex::new(&format!("^{}$", parts.join("/"))).unwrap_or_else(|e| panic!("{e}"));
        prop_assert_eq!(path_match(&s(&path), &PathPattern(&owned)), re.is_match(&path));
    }
}
