//! No template function panics, whatever its input.

use proptest::prelude::*;
use proxyc_runtime::template::tfn::*;

/// Text biased towards the syntax of the embedded languages.
fn tricky() -> impl Strategy<Value = String> {
    prop_oneof![
        any::<String>(),
        "[\\[\\](){}$@?.*+|\\\\'\":=<>!&,/a-c0-9 -]{0,24}",
        "[yMdHhmsSEazZXQ' :-]{0,12}",
    ]
}

fn opt() -> impl Strategy<Value = Option<String>> {
    prop_oneof![Just(None), tricky().prop_map(Some)]
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(300))]

    #[test]
    fn text_functions(a in opt(), b in opt(), c in opt(), d in opt()) {
        let (a, b, c, d) = (a.as_deref(), b.as_deref(), c.as_deref(), d.as_deref());
        let _ = (sha256_hex(a), md5_base64(a), encode_base64(a), decode_base64(a));
        let _ = (hmac_sha256(a, b, c, d), hmac_sha1(a, b, Some("base64"), None), hmac_md5(a, b, Some("hex"), d));
        let _ = (to_upper_case(a), to_lower_case(a), substring(a, b, c), escape_json(a));
        let _ = (escape_xml(a), escape_xml11(a), encode_html(a), firstnonnull(&[a, b, c]));
        let _ = (replace_all(a, b, c), replace_first(a, b, c));
        let _ = (time_format(a, b), time_format_utc_ms(a, b), random_long(a, b), xeger(a));
    }

    #[test]
    fn substring_with_numbers(s in any::<String>(), i in any::<i64>(), j in any::<i64>()) {
        let _ = substring(Some(&s), Some(&i.to_string()), Some(&j.to_string()));
        let _ = substring(Some(&s), Some(&(i % 50).to_string()), None);
        let _ = random_long(Some(&i.to_string()), Some(&j.to_string()));
    }

    #[test]
    fn time_with_epochs(p in tricky(), e in any::<i64>()) {
        let _ = time_format_utc(Some(&p), Some(&e.to_string()));
        let _ = time_format_utc_ms(Some(&p), Some(&e.to_string()));
    }

    #[test]
    fn json_path_any(path in tricky(), json in tricky(), flag in opt()) {
        let _ = json_path(Some(&path), Some(&json), flag.as_deref());
        let _ = json_path(Some(&path), Some(r#"{"a":[1,{"b":"c"}],"d":{"e-f":null}}"#), flag.as_deref());
    }

    #[test]
    fn xpath_any(expr in tricky(), xml in tricky(), extra in proptest::collection::vec(opt(), 0..3)) {
        let extra: Vec<Option<&str>> = extra.iter().map(Option::as_deref).collect();
        let _ = xpath(Some(&expr), Some(&xml), &extra);
        let _ = xpath(Some(&expr), Some(r#"<a xmlns:p="u" x="1"><p:b>t</p:b><!--c--><?pi v?></a>"#), &extra);
    }
}
