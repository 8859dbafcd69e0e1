//! Case, substring, replace, escaping and firstnonnull.

use proxyc_runtime::template::tfn::*;

const ALPHA: Option<&str> = Some("ABCDEFGHIJKLMNOPQRSTUVWXYZ");

#[test]
fn substring_documented_table() {
    assert_eq!(substring(ALPHA, Some("22"), None), "WXYZ");
    assert_eq!(
        format!("hello {}", substring(ALPHA, Some("22"), None)),
        "hello WXYZ"
    );
    assert_eq!(substring(ALPHA, Some("-4"), None), "WXYZ");
    assert_eq!(substring(ALPHA, Some("-8"), Some("-4")), "STUV");
    assert_eq!(substring(ALPHA, Some("0"), Some("10")), "ABCDEFGHIJ");
    assert_eq!(substring(ALPHA, Some("0"), Some("7")), "ABCDEFG");
}

#[test]
fn substring_clamps_and_rejects() {
    assert_eq!(substring(ALPHA, Some("30"), None), "");
    assert_eq!(substring(ALPHA, Some("-100"), Some("2")), "AB");
    assert_eq!(
        substring(ALPHA, Some("5"), Some("2")),
        "",
        "start after end"
    );
    assert_eq!(substring(ALPHA, Some("x"), None), "");
    assert_eq!(
        substring(Some("\"quoted\""), Some("1"), Some("-1")),
        "quoted"
    );
    assert_eq!(
        substring(Some("héllo"), Some("1"), Some("3")),
        "él",
        "indices count characters"
    );
    assert_eq!(substring(None, Some("1"), None), "");
    assert_eq!(
        substring(
            ALPHA,
            Some(&i64::MIN.to_string()),
            Some(&i64::MAX.to_string())
        ),
        ALPHA.unwrap_or_default()
    );
}

#[test]
fn replace_documented_table() {
    let header = Some("Bearer ABCDEFGHIJKLMNOPQRSTUVWXYZ-9993");
    assert_eq!(
        replace_all(header, Some("9993"), Some("")),
        "Bearer ABCDEFGHIJKLMNOPQRSTUVWXYZ-"
    );
    assert_eq!(
        replace_all(header, Some("^Bearer "), Some("")),
        "ABCDEFGHIJKLMNOPQRSTUVWXYZ-9993"
    );
    assert_eq!(
        replace_all(header, Some("^Bearer "), Some("TOKEN: ")),
        "TOKEN: ABCDEFGHIJKLMNOPQRSTUVWXYZ-9993"
    );
}

#[test]
fn replace_java_replacement_syntax() {
    assert_eq!(
        replace_all(Some("a-b c-d"), Some("(\\w)-(\\w)"), Some("$2+$1")),
        "b+a d+c"
    );
    assert_eq!(
        replace_first(Some("a-b c-d"), Some("(\\w)-(\\w)"), Some("$2+$1")),
        "b+a c-d"
    );
    assert_eq!(
        replace_all(Some("x1"), Some("(?<d>\\d)"), Some("<${d}>")),
        "x<1>"
    );
    assert_eq!(
        replace_all(Some("cost 5"), Some("\\d"), Some("\\$9")),
        "cost $9"
    );
    // Java takes `$12` as group 1 + "2" when there is no group 12.
    assert_eq!(replace_all(Some("ab"), Some("(a)"), Some("$12")), "a2b");
    assert_eq!(
        replace_all(Some("ab"), Some("(a)"), Some("$2")),
        "ab",
        "missing group: unchanged"
    );
    assert_eq!(
        replace_all(Some("ab"), Some("("), Some("")),
        "ab",
        "invalid regex: unchanged"
    );
    assert_eq!(replace_all(Some("ab"), None, Some("")), "ab");
    assert_eq!(replace_all(None, Some("a"), Some("")), "");
    let re = CompiledRegex::new("https:\\/\\/");
    assert_eq!(
        replace_first_compiled(&re, Some("https://x/https://"), Some("")),
        "x/https://"
    );
    assert_eq!(
        replace_all_compiled(&re, Some("https://x/https://"), None),
        "x/"
    );
}

#[test]
fn case_conversion() {
    assert_eq!(to_upper_case(Some("straße")), "STRASSE");
    assert_eq!(to_lower_case(Some("FOO")), "foo");
    assert_eq!(to_lower_case(None), "");
}

#[test]
fn escaping() {
    assert_eq!(
        escape_json(Some("Invalid value for \"logonId\"")),
        "Invalid value for \\\"logonId\\\""
    );
    assert_eq!(
        escape_json(Some("a\\b\n\t\r\u{8}\u{c}\u{1}/")),
        "a\\\\b\\n\\t\\r\\b\\f\\u0001/"
    );
    assert_eq!(
        escape_html(Some("\"bread\" & \"butter\"")),
        "&quot;bread&quot; &amp; &quot;butter&quot;"
    );
    assert_eq!(
        encode_html(Some("<a href='x'>")),
        "&lt;a href=&#39;x&#39;&gt;"
    );
    assert_eq!(
        escape_xml(Some("<a b='c' d=\"e\">&</a>")),
        "&lt;a b=&apos;c&apos; d=&quot;e&quot;&gt;&amp;&lt;/a&gt;"
    );
    assert_eq!(
        escape_xml11(Some("a\u{0}\u{1}\u{b}\u{7f}\u{85}\u{ffff}<")),
        "a&#1;&#11;&#127;\u{85}&lt;"
    );
}

/// `escapeHTML` is the name the documentation example uses.
fn escape_html(s: Option<&str>) -> String {
    encode_html(s)
}

#[test]
fn firstnonnull_documented_table() {
    assert_eq!(firstnonnull(&[None, Some("foo")]), "foo");
    assert_eq!(firstnonnull(&[Some("foo"), Some("bar")]), "foo");
    assert_eq!(firstnonnull(&[None, None, Some("baz")]), "baz");
    assert_eq!(firstnonnull(&[None, None, None]), "null");
    assert_eq!(firstnonnull(&[Some(""), Some("bar")]), "");
    assert_eq!(
        firstnonnull(&[None, None, Some("fallback value")]),
        "fallback value"
    );
}

#[test]
fn unresolved_marker() {
    use proxyc_runtime::template::Unresolved;
    let e = Unresolved("request.header.x");
    assert_eq!(e.to_string(), "unresolved variable `request.header.x`");
    let boxed: Box<dyn std::error::Error> = Box::new(e);
    assert!(boxed.source().is_none());
}
