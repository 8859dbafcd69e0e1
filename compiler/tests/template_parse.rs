//! Template parsing: recognition rule, options, arguments, diagnostics.

use proxyc_compiler::expr::template::{Arg, CODES, Func, Piece, Template, TemplateOptions, parse};
use proxyc_compiler::expr::{ExprError, ExprWarning};

fn d() -> TemplateOptions {
    TemplateOptions::default()
}

fn ok_with(src: &str, opts: TemplateOptions) -> (Template, Vec<ExprWarning>) {
    match parse(src, &opts) {
        Ok(ok) => ok,
        Err(e) => panic!("{src:?}: {e:?}"),
    }
}

fn ok(src: &str) -> Template {
    let (t, w) = ok_with(src, d());
    assert!(w.is_empty(), "{src:?}: unexpected warnings {w:?}");
    t
}

fn errs(src: &str) -> Vec<ExprError> {
    match parse(src, &d()) {
        Ok(t) => panic!("{src:?} parsed: {t:?}"),
        Err(e) => e,
    }
}

/// The single error of `src`, as (code, span text).
fn err1(src: &str) -> (&'static str, String) {
    let e = errs(src);
    assert_eq!(e.len(), 1, "{e:?}");
    (
        e[0].code,
        src.get(e[0].span.clone())
            .unwrap_or("<bad span>")
            .to_owned(),
    )
}

fn lit(s: &str) -> Piece {
    Piece::Lit(s.into())
}

fn var(name: &str) -> Piece {
    Piece::Var {
        name: name.into(),
        default: None,
        span: 0..0,
    }
}

fn var_d(name: &str, default: &str) -> Piece {
    Piece::Var {
        name: name.into(),
        default: Some(default.into()),
        span: 0..0,
    }
}

fn spans(t: &Template) -> Vec<std::ops::Range<usize>> {
    t.pieces()
        .iter()
        .filter_map(|p| match p {
            Piece::Var { span, .. } | Piece::Call { span, .. } => Some(span.clone()),
            Piece::Lit(_) => None,
        })
        .collect()
}

#[test]
fn literal_braces_in_json_payloads() {
    let t = ok(r#"{"a":"{x}"}"#);
    assert_eq!(t.pieces(), [lit(r#"{"a":""#), var("x"), lit(r#""}"#)]);
    assert_eq!(spans(&t), vec![6..9]);
    let t = ok("{\n  \"apiProducts\": {productList},\n  \"n\": {\"m\": \"{a.b}\"}\n}");
    assert_eq!(
        t.variables().map(|(n, _)| n).collect::<Vec<_>>(),
        ["productList", "a.b"]
    );
    assert_eq!(ok("{}").pieces(), [lit("{}")]);
    assert_eq!(ok("{ x}{1a}{a b}{-x}").pieces(), [lit("{ x}{1a}{a b}{-x}")]);
    assert_eq!(
        ok("body {\n  margin: 0;\n}").pieces(),
        [lit("body {\n  margin: 0;\n}")]
    );
    assert_eq!(ok("{{x}}").pieces(), [lit("{"), var("x"), lit("}")]);
    assert_eq!(ok("a}b{").pieces(), [lit("a}b{")]);
}

#[test]
fn names_and_defaults() {
    assert_eq!(ok("{a-b.c_d$e}").pieces(), [var("a-b.c_d$e")]);
    assert_eq!(ok("{_x}").pieces(), [var("_x")]);
    assert_eq!(ok("{a:b}").pieces(), [var_d("a", "b")]);
    assert_eq!(ok("{a:}").pieces(), [var_d("a", "")]);
    assert_eq!(ok("{t:HH:mm}").pieces(), [var_d("t", "HH:mm")]);
    assert_eq!(
        ok("{a:{b}").pieces(),
        [lit("{a:"), var("b")],
        "defaults never contain `{{`"
    );
    assert_eq!(
        ok(".x {color: red;\n}").pieces(),
        [lit(".x {color: red;\n}")],
        "nor line breaks"
    );
    assert_eq!(
        ok("{f(a:{b})}").pieces(),
        [lit("{f(a:"), var("b"), lit(")}")]
    );
    assert_eq!(ok("{a:b}c}").pieces(), [var_d("a", "b"), lit("c}")]);
    assert_eq!(
        ok("{protocol:https}://{site:google.com}/path").pieces(),
        [
            var_d("protocol", "https"),
            lit("://"),
            var_d("site", "google.com"),
            lit("/path"),
        ]
    );
}

#[test]
fn custom_prefix_and_suffix() {
    let at = TemplateOptions {
        variable_prefix: '@',
        variable_suffix: '#',
        ..d()
    };
    let (t, w) = ok_with(
        r#"{"u":"@request.formparam.username#","v":"{v}","d":"@x:none#"}"#,
        at,
    );
    assert!(w.is_empty());
    assert_eq!(
        t.pieces(),
        [
            lit(r#"{"u":""#),
            var("request.formparam.username"),
            lit(r#"","v":""#),
            var("v"),
            lit(r#"","d":""#),
            var_d("x", "none"),
            lit(r#""}"#),
        ]
    );
    assert_eq!(spans(&t), [6..34, 41..44, 51..59]);
    let pound = TemplateOptions {
        variable_prefix: '£',
        variable_suffix: '$',
        ..d()
    };
    let (t, _) = ok_with(
        "\"jwks\": \"https://£organization.name$-£environment.name$.x\"",
        pound,
    );
    assert_eq!(
        t.variables()
            .map(|(n, s)| (n.to_owned(), s))
            .collect::<Vec<_>>(),
        [
            ("organization.name".to_owned(), 17..37),
            ("environment.name".to_owned(), 38..57),
        ]
    );
    let (t, _) = ok_with("@sha256Hex(x)# @ #", at);
    assert!(matches!(
        t.pieces()[0],
        Piece::Call {
            func: Func::Sha256Hex,
            ..
        }
    ));
    assert_eq!(t.pieces()[1], lit(" @ #"));
}

#[test]
fn dollar_braces() {
    let on = TemplateOptions {
        dollar_braces: true,
        ..d()
    };
    let src = "http://example.com/{request.resourcePath}?w=${request.header.woeid}";
    let (t, w) = ok_with(src, on);
    assert_eq!(
        t.pieces(),
        [
            lit("http://example.com/"),
            var("request.resourcePath"),
            lit("?w="),
            var("request.header.woeid"),
        ]
    );
    assert_eq!(w.len(), 1);
    assert_eq!((w[0].code, &src[w[0].span.clone()]), ("PXW201", "$"));
    let (t, w) = ok_with(src, d());
    assert_eq!(t.pieces()[2], lit("?w=$"));
    assert_eq!((w[0].code, w[0].span.clone()), ("PXW202", 44..45));
    let (t, w) = ok_with("https://${EA_HOST} $x ${ $", on);
    assert_eq!(
        t.pieces(),
        [lit("https://"), var("EA_HOST"), lit(" $x ${ $")]
    );
    assert_eq!(w.len(), 1);
}

#[test]
fn surrounding_quotes() {
    let strip = TemplateOptions {
        strip_quotes: true,
        ..d()
    };
    let (t, _) = ok_with("\"Hello {user.name}\"", strip);
    assert_eq!(t.pieces(), [lit("Hello "), var("user.name")]);
    assert_eq!(spans(&t), vec![7..18]);
    assert_eq!(ok_with("\"", strip).0.pieces(), [lit("\"")]);
    assert_eq!(ok_with("\"\"", strip).0.pieces(), []);
    assert_eq!(ok_with("\"a\"b\"", strip).0.pieces(), [lit("a\"b")]);
    assert_eq!(
        ok("\"Hello {x}\"").pieces(),
        [lit("\"Hello "), var("x"), lit("\"")]
    );
}

#[test]
fn function_arguments() {
    let src = "{firstnonnull(private.key:k,'a,b)}',-7,true,false,x,'')}";
    let t = ok(src);
    let Piece::Call { func, args, span } = &t.pieces()[0] else {
        panic!("{t:?}")
    };
    assert_eq!((*func, span.clone()), (Func::FirstNonNull, 0..src.len()));
    assert_eq!(
        args[0],
        Arg::Var {
            name: "private.key".into(),
            default: Some("k".into()),
            span: 0..0
        }
    );
    assert_eq!(&src[args[0].span()], "private.key:k");
    assert_eq!(&src[args[1].span()], "'a,b)}'");
    let literals: Vec<Option<&str>> = args.iter().map(Arg::literal).collect();
    assert_eq!(
        literals,
        [
            None,
            Some("a,b)}"),
            Some("-7"),
            Some("true"),
            Some("false"),
            None,
            Some("")
        ]
    );
    assert!(
        matches!(ok("{createUuid()}").pieces(), [Piece::Call { func: Func::CreateUuid, args, .. }] if args.is_empty())
    );
    assert!(matches!(
        ok("{xeger('[1-9]{7}')}").pieces(),
        [Piece::Call {
            func: Func::Xeger,
            ..
        }]
    ));
    assert!(matches!(
        ok("{toLowerCase(foo.bar:FOO)}").pieces(),
        [Piece::Call {
            func: Func::ToLowerCase,
            ..
        }]
    ));
}

#[test]
fn unknown_functions() {
    let e = errs("{JsonPath('$.a',j)} {sha256hex(x)}");
    assert_eq!(e.len(), 2);
    assert_eq!((e[0].code, e[0].span.clone()), ("PXC201", 1..9));
    assert_eq!(
        e[0].help.as_deref(),
        Some("did you mean `jsonPath`? (close names: jsonPath)")
    );
    assert_eq!(e[1].code, "PXC201");
    assert!(
        e[1].help
            .as_deref()
            .is_some_and(|h| h.starts_with("did you mean `sha256Hex`?"))
    );
    // Far from every function: JavaScript in an HTML payload, kept literal.
    let (t, w) = ok_with("<script>function f(){init()}</script>", d());
    assert_eq!(t.pieces(), [lit("<script>function f(){init()}</script>")]);
    assert_eq!((w[0].code, w[0].span.clone()), ("PXW204", 20..28));
    let (t, w) = ok_with("{search(this.value); this.value='';}", d());
    assert!(t.is_literal() && w.is_empty());
}

#[test]
fn malformed_calls() {
    assert_eq!(
        err1("{replaceFirst(jwksURI,searchStrRegex1, '')}"),
        ("PXC207", " ".into())
    );
    assert_eq!(err1("{sha256Hex( x)}"), ("PXC207", " ".into()));
    assert_eq!(err1("{sha256Hex(x) }"), ("PXC207", " ".into()));
    assert_eq!(err1("{toUpperCase(sha256Hex(x))}"), ("PXC206", "(".into()));
    assert_eq!(err1("{toUpperCase({x})}"), ("PXC206", "{".into()));
    assert_eq!(err1("{sha256Hex('x)}"), ("PXC208", "'".into()));
    assert_eq!(err1("{sha256Hex(x}"), ("PXC208", "".into()));
    assert_eq!(err1("a {sha256Hex(x)"), ("PXC208", "{sha256Hex(x)".into()));
    assert_eq!(err1("{sha256Hex(x;)}"), ("PXC208", ";".into()));
    assert_eq!(
        err1("{sha256hex(x y)}"),
        ("PXC207", " ".into()),
        "near names are diagnosed too"
    );
    assert_eq!(
        err1("{jsonPath('$.a',echoR`quest.content)}"),
        ("PXC208", "`".into())
    );
    // Every error says how to fix it (the bundle fuzzer found a stray
    // character in an argument reported without a help line).
    for src in [
        "{jsonPath('$.a',echoR`quest.content)}",
        "{sha256Hex('x)}",
        "{sha256Hex(x}",
        "a {sha256Hex(x)",
        "{sha256Hex(x;)}",
        "{sha256Hex( x)}",
        "{toUpperCase({x})}",
        "{sha256hex(x)}",
        "{sha256Hex()}",
        "{randomLong(5,1)}",
        "{xpath('',x)}",
        "{hmacSha256(k,m,'base99')}",
    ] {
        for e in errs(src) {
            assert!(e.help.is_some(), "{src}: {e:?}");
        }
    }
}

#[test]
fn arity() {
    let e = errs("{substring(a)}");
    assert_eq!((e[0].code, e[0].span.clone()), ("PXC202", 1..10));
    assert_eq!(
        e[0].message,
        "`substring` takes 2 to 3 argument(s), found 1"
    );
    assert_eq!(
        e[0].help.as_deref(),
        Some("usage: {substring(string,start[,end])}")
    );
    assert_eq!(err1("{createUuid(x)}").0, "PXC202");
    assert_eq!(err1("{sha256Hex(a,b)}").0, "PXC202");
    assert_eq!(err1("{firstnonnull()}").0, "PXC202");
    assert_eq!(
        err1("{xpath('/a',x,'1','2','3','4','5','6','7','8','9','10','11','12')}").0,
        "PXC202"
    );
    assert!(errs("{firstnonnull()}")[0].message.contains("at least 1"));
}

#[test]
fn literal_regex_and_replacement() {
    assert_eq!(err1("{replaceAll(s,'a(b','')}"), ("PXC203", "(".into()));
    assert_eq!(err1("{replaceAll(s,'x(?=y)','')}").0, "PXC203");
    assert_eq!(err1("{xeger('[z-a]')}"), ("PXC203", "z-a".into()));
    assert_eq!(err1("{replaceAll(s,'(a)','$2')}"), ("PXC212", "$".into()));
    assert_eq!(err1("{replaceAll(s,r,'$x')}"), ("PXC212", "$".into()));
    assert_eq!(err1("{replaceAll(s,r,'a\\')}"), ("PXC212", "\\".into()));
    assert_eq!(err1("{replaceFirst(s,'(?<n>a)','${m}')}").0, "PXC212");
    ok("{replaceAll(s,'(?<n>a)(b)','${n}$2\\$')}");
    ok("{replaceAll(s,'https:\\/\\/','')}");
    ok("{replaceAll(s,r,'$12')}");
}

#[test]
fn literal_json_path_xpath_time_encodings_integers() {
    ok("{jsonPath('$.results[?(@.name == \"Mae West\")].address.line1',the_json_variable)}");
    ok("{jsonPath('$..book[0].content-type',j,'true')}");
    assert_eq!(err1("{jsonPath('$.a[',j)}"), ("PXC204", "[".into()));
    assert_eq!(err1("{jsonPath('$.a.length()',j)}"), ("PXC204", "l".into()));
    assert_eq!(
        err1("{jsonPath('$[?(@.a =~ /x/)]',j)}"),
        ("PXC204", "=".into())
    );
    assert_eq!(
        err1("{jsonPath('$[?(@.a in [1])]',j)}"),
        ("PXC204", "i".into())
    );
    assert_eq!(err1("{jsonPath('$[?(@.a == )]',j)}").0, "PXC204");
    ok("{xpath('/tag/tagid',xml)}");
    ok("{xpath('/p:a',xml,'string','p:urn:x')}");
    ok("{xpath('/p:a',xml,ns)}");
    assert_eq!(err1("{xpath('/a[',xml)}").0, "PXC205");
    assert_eq!(err1("{xpath('',xml)}").0, "PXC205");
    assert_eq!(
        err1("{xpath('/p:a/child::q:b',xml,'p:urn:x')}"),
        ("PXC205", "q".into())
    );
    ok("{timeFormatUTC('yyyy-MM-dd HH:mm:ss.SSSXXX',t)}");
    assert_eq!(err1("{timeFormat('yyyy-ww',t)}"), ("PXC211", "w".into()));
    assert_eq!(
        err1("{timeFormatMs('EEE, d MMM yyyy x',t)}"),
        ("PXC211", "x".into())
    );
    assert_eq!(err1("{timeFormatUTC('XXXX',t)}"), ("PXC211", "X".into()));
    // A template literal cannot contain `'`, so quoted pattern text needs a variable.
    assert_eq!(err1("{timeFormatUTC('yyyy''T''',t)}").0, "PXC208");
    ok("{hmacSha256(k,v,'Base16','BASE64')} {hmacSha1(k,v,'utf-8')}");
    assert_eq!(
        err1("{hmacSha256(k,v,'utf-16')}"),
        ("PXC209", "'utf-16'".into())
    );
    assert_eq!(
        err1("{hmacMd5(k,v,'hex','utf-8')}"),
        ("PXC209", "'utf-8'".into())
    );
    assert_eq!(err1("{substring(s,'x')}"), ("PXC210", "'x'".into()));
    assert_eq!(
        err1("{substring(s,0,99999999999)}"),
        ("PXC210", "99999999999".into())
    );
    assert_eq!(err1("{randomLong(5,5)}"), ("PXC210", "5".into()));
    ok("{randomLong()} {randomLong(-5)} {randomLong(1,'9')}");
}

#[test]
fn every_problem_is_reported() {
    let e = errs("{substring(a)} {x} {replaceAll(s,'(','')} {nope(a)} {sha1Hex(a b)}");
    let codes: Vec<&str> = e.iter().map(|e| e.code).collect();
    assert_eq!(codes, ["PXC202", "PXC203", "PXC207"]);
}

#[test]
fn escapes_are_not_escapes() {
    let (t, w) = ok_with(r#"\{"error": \{"m":"{x}"}} "#, d());
    assert_eq!(t.variables().count(), 1);
    assert_eq!(
        w.iter()
            .map(|w| (w.code, w.span.clone()))
            .collect::<Vec<_>>(),
        [("PXW203", 0..2), ("PXW203", 11..13)]
    );
    let (_, w) = ok_with(r"\{x}", d());
    assert_eq!(w[0].code, "PXW203");
    ok(r"{replaceAll(s,'\{','')}");
}

#[test]
fn css_looking_defaults_warn() {
    let (t, w) = ok_with("#map{height: 100%;}", d());
    assert_eq!(t.pieces(), [lit("#map"), var_d("height", " 100%;")]);
    assert_eq!((w[0].code, w[0].span.clone()), ("PXW205", 4..19));
}

#[test]
fn documented_examples_parse() {
    for src in [
        "Hello {user.name}!",
        "{toLowerCase(foo.bar:FOO)}",
        "{sha256Hex('abc')}",
        "{sha256Base64('abc')}",
        "{hmacSha256(private.secretkey,valueToSign)}",
        "{hmacSha256(FirstKey,DateValue,'utf-8','base16')}",
        "{hmacSha256(DateKey,DateRegionValue,'base16','base16')}",
        "{encodeBase64('abc')}",
        "{decodeBase64('aGVsbG8sIHdvcmxk')}",
        "{substring(alpha,22)}",
        "hello {substring(alpha,22)}",
        "{substring(alpha,-4)}",
        "{substring(alpha,-8,-4)}",
        "{substring(alpha,0,10)}",
        "{substring(alpha,0,seven)}",
        "{replaceAll(header,'9993','')}",
        "{replaceAll(header,regex1,'')}",
        "{replaceAll(header,regex1,replacement)}",
        "{escapeJSON(x)}",
        "{escapeXML(x)}",
        "{escapeXML11(x)}",
        "{encodeHTML(x)}",
        "{escapeHTML(food)}",
        "{timeFormatUTC('yyyy-MM-dd',epoch_time)}",
        "{timeFormatUTC(fmt2,epoch_time)}",
        "{timeFormat(fmt1,epoch_time)}",
        "{timeFormatUTCMs('yyyyMMdd',system.timestamp)}",
        "{createUuid()}",
        "{randomLong()}",
        "{randomLong(1)}",
        "{randomLong(1,10)}",
        "{xeger('[1-9]{7}')}",
        "{firstnonnull(var1,var2)}",
        "{firstnonnull(var1,var2,var3)}",
        "{firstnonnull(var1,var2,'fallback value')}",
        "{xpath('/tag/tagid',xml)}",
        "{jsonPath('$.results[?(@.name == \"Mae West\")].address.line1',the_json_variable)}",
        "{protocol:https}://{site:google.com}/path",
        "http://{request.dom_port}/{request.resourcePath}",
    ] {
        let t = ok(src);
        assert!(!t.is_literal(), "{src}");
    }
}

#[test]
fn template_accessors() {
    let t = ok("ab{x}cde{sha1Hex(y:z)}{w:v}");
    assert!(!t.is_literal());
    assert_eq!(t.literal_len(), 5);
    assert_eq!(
        t.variables().collect::<Vec<_>>(),
        [("x", 2..5), ("y", 17..20), ("w", 22..27)]
    );
    assert!(ok("plain {\"json\": 1}").is_literal());
    assert!(ok("").is_literal());
    assert_eq!(ok("").literal_len(), 0);
}

#[test]
fn canonical_printing() {
    let cases = [
        ("{substring(alpha,22)}", "{substring(alpha,'22')}"),
        ("{jsonPath(p,j,true)}", "{jsonPath(p,j,'true')}"),
        (
            "a {x:d} {y} {toLowerCase(foo.bar:FOO)}",
            "a {x:d} {y} {toLowerCase(foo.bar:FOO)}",
        ),
        (r#"{"a":"{x}"}"#, r#"{"a":"{x}"}"#),
        ("{init()}", "{init()}"),
    ];
    for (src, printed) in cases {
        let t = ok_with(src, d()).0;
        assert_eq!(t.to_string(), printed);
        assert_eq!(ok_with(printed, d()).0, t);
    }
    let at = TemplateOptions {
        variable_prefix: '@',
        variable_suffix: '#',
        ..d()
    };
    assert_eq!(
        ok_with("{\"a\":\"@x#\"}", at).0.to_string(),
        "{\"a\":\"{x}\"}"
    );
}

#[test]
fn codes_are_documented_once() {
    for (i, (code, meaning)) in CODES.iter().enumerate() {
        assert!(
            code.starts_with("PXC2") || code.starts_with("PXW2"),
            "{code}"
        );
        assert!(!meaning.is_empty());
        assert!(
            CODES.iter().skip(i + 1).all(|(c, _)| c != code),
            "duplicate {code}"
        );
    }
    for code in ["PXC201", "PXC212", "PXW201", "PXW205"] {
        assert!(CODES.iter().any(|(c, _)| *c == code));
    }
}
