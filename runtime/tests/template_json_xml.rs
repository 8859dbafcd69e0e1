//! jsonPath (with the Jayway compatibility shim) and xpath.

use proxyc_runtime::template::tfn::*;

const MAE: &str = r#"{"results":[
  {"name":"Mae West","address":{"line1":"1060 West Addison Street","zip":60613}},
  {"name":"Babe Ruth","address":{"line1":"216 East 161st Street","zip":10451}}],
  "content-type":"json","tags":["A","B"],"n":null,"ok":true}"#;

#[test]
fn json_path_documented_example() {
    let path = Some("$.results[?(@.name == \"Mae West\")].address.line1");
    assert_eq!(json_path(path, Some(MAE), None), "1060 West Addison Street");
    let compiled = CompiledJsonPath::new("$.results[?(@.name == \"Mae West\")].address.line1");
    assert_eq!(
        json_path_compiled(&compiled, Some(MAE), None),
        "1060 West Addison Street"
    );
}

#[test]
fn json_path_result_shapes() {
    let j = Some(MAE);
    assert_eq!(json_path(Some("$.tags"), j, Some("true")), r#"["A","B"]"#);
    assert_eq!(
        json_path(Some("$.tags"), j, None),
        "A",
        "array without wantArray: first element"
    );
    assert_eq!(json_path(Some("$..zip"), j, Some("TRUE")), "[60613,10451]");
    assert_eq!(json_path(Some("$..zip"), j, None), "60613");
    assert_eq!(
        json_path(Some("$.results[1].address"), j, None),
        r#"{"line1":"216 East 161st Street","zip":10451}"#
    );
    assert_eq!(
        json_path(Some("$.ok"), j, Some("true")),
        "true",
        "non-array ignores wantArray"
    );
    assert_eq!(json_path(Some("$.n"), j, None), "");
    assert_eq!(json_path(Some("$.missing"), j, None), "");
    assert_eq!(
        json_path(
            Some("$.results[?(@.name == 'Nobody')].name"),
            j,
            Some("true")
        ),
        "[]"
    );
}

#[test]
fn json_path_jayway_translation() {
    let j = Some(MAE);
    assert_eq!(json_path(Some("$.content-type"), j, None), "json");
    assert_eq!(
        json_path(Some("results[0].name"), j, None),
        "Mae West",
        "unrooted path"
    );
    assert_eq!(
        json_path(Some("$.results[?(@.address.zip > 20000)].name"), j, None),
        "Mae West"
    );
    assert_eq!(
        json_path(
            Some("$.results[?@.name == 'Babe Ruth'].address.zip"),
            j,
            None
        ),
        "10451",
        "RFC syntax passes"
    );
    assert_eq!(
        json_path(Some("$.results[*].name"), j, Some("true")),
        r#"["Mae West","Babe Ruth"]"#
    );
    assert_eq!(
        json_path(Some("$.tags.length()"), j, None),
        "",
        "Jayway functions are unsupported"
    );
    assert_eq!(
        json_path(Some("$.results[?(@.name =~ /M.*/)]"), j, None),
        ""
    );
}

#[test]
fn json_path_dialect_corners() {
    let j = Some(MAE);
    let q = |path: &str, want: Option<&str>| json_path(Some(path), j, want);
    assert_eq!(q("$['content-type']", None), "json");
    assert_eq!(q("$.results[-1].name", None), "Babe Ruth");
    assert_eq!(q("$.results[0:1].name", Some("true")), r#"["Mae West"]"#);
    assert_eq!(
        q(
            "$.results[?(@.address.zip > 1 && @.name != 'Mae West')].name",
            None
        ),
        "Babe Ruth"
    );
    assert_eq!(
        q("$.results[?(@.address)].name", Some("true")),
        r#"["Mae West","Babe Ruth"]"#
    );
    assert_eq!(
        q("$..results[?(@.address.zip == 60613)].name", None),
        "Mae West"
    );
    // Known dialect difference: RFC 9535 filters test the *members* of an
    // object, Jayway tests the object itself.
    assert_eq!(q("$..address[?(@.zip == 60613)].line1", None), "");
    assert_eq!(
        q("$.results[*]['name','address'].zip", Some("true")),
        "[60613,10451]"
    );
    assert_eq!(
        q("  $.ok  ", None),
        "true",
        "surrounding blanks are ignored"
    );
}

#[test]
fn json_path_invalid_input() {
    assert_eq!(json_path(Some("$["), Some(MAE), None), "");
    assert_eq!(json_path(Some("$.a"), Some("{not json"), None), "");
    assert_eq!(json_path(None, Some(MAE), None), "");
    assert_eq!(json_path(Some("$.a"), None, None), "");
    let deep = format!("$.a{}", "[?(@.b".repeat(100));
    assert_eq!(json_path(Some(&deep), Some(MAE), None), "");
}

#[test]
fn xpath_documented_example() {
    assert_eq!(
        xpath(
            Some("/tag/tagid"),
            Some("<tag><tagid>250397</tagid></tag>"),
            &[]
        ),
        "<tagid>250397</tagid>"
    );
}

#[test]
fn xpath_types_and_namespaces() {
    let xml =
        Some(r#"<r xmlns:p="urn:p" a="1 &amp; 2"><p:i n="x">one</p:i><p:i/><j>2</j><!--c--></r>"#);
    assert_eq!(xpath(Some("/r/j"), xml, &[Some("string")]), "2");
    assert_eq!(
        xpath(
            Some("count(//q:i)"),
            xml,
            &[Some("NUMBER"), Some("q:urn:p")]
        ),
        "2.0"
    );
    assert_eq!(
        xpath(
            Some("count(//q:i) > 1"),
            xml,
            &[Some("boolean"), Some("q:urn:p")]
        ),
        "true"
    );
    assert_eq!(
        xpath(Some("//q:i"), xml, &[Some("q:urn:p")]),
        r#"<p:i xmlns:p="urn:p" n="x">one</p:i><p:i xmlns:p="urn:p"/>"#
    );
    assert_eq!(
        xpath(Some("//q:i"), xml, &[Some("node"), Some("q:urn:p")]),
        r#"<p:i xmlns:p="urn:p" n="x">one</p:i>"#
    );
    assert_eq!(xpath(Some("/r/@a"), xml, &[]), "1 & 2");
    assert_eq!(xpath(Some("/r/j/text()"), xml, &[]), "2");
    assert_eq!(xpath(Some("/r/comment()"), xml, &[]), "<!--c-->");
    assert_eq!(
        xpath(Some("count(/r/*)"), xml, &[]),
        "3",
        "non-node-set as nodeset: string value"
    );
    assert_eq!(xpath(Some("1 div 0"), xml, &[Some("number")]), "Infinity");
    assert_eq!(xpath(Some("100000000"), xml, &[Some("number")]), "1.0E8");
    assert_eq!(xpath(Some("0.5"), xml, &[Some("number")]), "0.5");
    assert_eq!(xpath(Some("/none"), xml, &[]), "");
}

#[test]
fn xpath_serialises_markup_and_default_namespaces() {
    let xml = Some(r#"<a xmlns="urn:d"><b x="&lt;&quot;">t &amp; &lt;u&gt;</b></a>"#);
    assert_eq!(
        xpath(Some("/d:a/d:b"), xml, &[Some("d:urn:d")]),
        r#"<b xmlns="urn:d" x="&lt;&quot;">t &amp; &lt;u&gt;</b>"#
    );
    assert_eq!(
        xpath(Some("/d:a"), xml, &[Some("d:urn:d")]),
        r#"<a xmlns="urn:d"><b x="&lt;&quot;">t &amp; &lt;u&gt;</b></a>"#
    );
}

#[test]
fn xpath_invalid_input() {
    assert_eq!(xpath(Some("/a["), Some("<a/>"), &[]), "");
    assert_eq!(xpath(Some("/a"), Some("<a>"), &[]), "");
    assert_eq!(xpath(Some("/u:a"), Some("<a/>"), &[]), "", "unbound prefix");
    assert_eq!(xpath(None, Some("<a/>"), &[]), "");
    assert_eq!(xpath(Some(&"(".repeat(10_000)), Some("<a/>"), &[]), "");
    let deep = |n: usize| format!("{}<b/>{}", "<a>".repeat(n), "</a>".repeat(n));
    let count = |xml: &str| xpath(Some("count(//a)"), Some(xml), &[Some("number")]);
    assert_eq!(count(&deep(1000)), "1000.0");
    assert_eq!(count(&deep(5000)), "", "nested too deeply");
}

#[test]
fn xpath_prefixes_must_be_bound() {
    let xml = Some(r#"<r xmlns:p="urn:p"><p:i>1</p:i></r>"#);
    assert_eq!(xpath(Some("/r/child::q:i"), xml, &[]), "");
    assert_eq!(
        xpath(Some("/r/child::q:i"), xml, &[Some("q:urn:p")]),
        "<p:i xmlns:p=\"urn:p\">1</p:i>"
    );
    assert_eq!(xpath(Some("/r/q:*"), xml, &[Some("string")]), "");
    assert_eq!(
        xpath(Some("/r/*[name()='p:i']"), xml, &[Some("string")]),
        "1",
        "quoted text is not a prefix"
    );
    assert_eq!(xpath(Some("/r/*[q:f()]"), xml, &[]), "");
}
