//! timeFormat* and the random functions.

use proxyc_runtime::template::tfn::*;

const EPOCH: Option<&str> = Some("1494390266");

#[test]
fn time_format_documented_examples() {
    assert_eq!(time_format_utc(Some("yyyy-MM-dd"), EPOCH), "2017-05-10");
    assert_eq!(
        time_format_utc(Some("yyyy-MM-dd HH-mm-ss"), EPOCH),
        "2017-05-10 04:24:26".replace(':', "-")
    );
    assert_eq!(
        time_format_utc(Some("yyyyMMddHHmmss"), EPOCH),
        "20170510042426"
    );
    assert_eq!(
        time_format_utc_ms(Some("yyyyMMdd"), Some("1494390266123")),
        "20170510"
    );
    // Documented deviation: the non-UTC variants also render UTC.
    assert_eq!(
        time_format(Some("yyyy-MM-dd HH-mm-ss"), EPOCH),
        "2017-05-10 04-24-26"
    );
    assert_eq!(
        time_format_ms(Some("HH:mm:ss.SSS"), Some("1494390266007")),
        "04:24:26.007"
    );
}

#[test]
fn time_format_letters_and_quotes() {
    let pattern = Some("EEE, d MMM yy h:mm a z Z X '(quoted '' text)' EEEE MMMM S");
    assert_eq!(
        time_format_utc_ms(pattern, Some("1494390266007")),
        "Wed, 10 May 17 4:24 AM UTC +0000 Z (quoted ' text) Wednesday May 7"
    );
    assert_eq!(time_format_utc(Some("h a"), Some("0")), "12 AM");
    assert_eq!(
        time_format_utc(Some("zzzz"), Some("0")),
        "Coordinated Universal Time"
    );
    assert_eq!(time_format_utc(Some("yyyy"), Some("-62135596800")), "0001");
}

#[test]
fn time_format_invalid_input_renders_empty() {
    assert_eq!(time_format_utc(Some("yyyy"), Some("soon")), "");
    assert_eq!(
        time_format_utc(Some("yyyy Q"), EPOCH),
        "",
        "unsupported letter"
    );
    assert_eq!(
        time_format_utc(Some("'open"), EPOCH),
        "",
        "unterminated quote"
    );
    assert_eq!(
        time_format_utc(Some("yyyy"), Some(&i64::MAX.to_string())),
        "",
        "out of range"
    );
    assert_eq!(time_format_utc(None, EPOCH), "");
    assert_eq!(time_format_utc(Some("yyyy"), None), "");
}

#[test]
fn uuid_is_v4() {
    let id = create_uuid();
    assert_eq!(id.len(), 36);
    assert_eq!(id.as_bytes().get(14), Some(&b'4'));
    assert!(matches!(
        id.as_bytes().get(19),
        Some(b'8' | b'9' | b'a' | b'b')
    ));
    assert_ne!(id, create_uuid());
}

#[test]
fn random_long_bounds() {
    for _ in 0..200 {
        let v: i64 = random_long(Some("-3"), Some("3"))
            .parse()
            .unwrap_or(i64::MIN);
        assert!((-3..3).contains(&v), "{v}");
        let v: i64 = random_long(Some("10"), None).parse().unwrap_or(i64::MIN);
        assert!(v >= 10);
    }
    assert_eq!(random_long(Some("5"), Some("6")), "5");
    assert!(random_long(None, None).parse::<i64>().is_ok());
    assert_eq!(random_long(Some("6"), Some("6")), "", "empty range");
    assert_eq!(random_long(Some("x"), None), "");
    assert_eq!(random_long(Some(&i64::MAX.to_string()), None), "");
}

#[test]
fn xeger_generates_matching_strings() {
    for pattern in [
        "[1-9]{7}",
        "a(b|c)+d?",
        "\\d{3}-\\w{2,4}",
        "[^a-z]{5}",
        ".{3}",
        "(?i)x[αβ]",
        "^ab$",
    ] {
        let re = regex::Regex::new(&format!("^(?:{pattern})$")).ok();
        for _ in 0..50 {
            let s = xeger(Some(pattern));
            assert!(
                re.as_ref().is_some_and(|r| r.is_match(&s)),
                "{pattern} -> {s:?}"
            );
        }
    }
    let digits = xeger(Some("\\d{20}"));
    assert!(
        digits.bytes().all(|b| b.is_ascii_digit()),
        "classes prefer ASCII: {digits}"
    );
    let compiled = XegerPattern::new("[1-9]{7}");
    assert_eq!(xeger_compiled(&compiled).len(), 7);
    assert_eq!(xeger(Some("(")), "", "invalid pattern");
    assert_eq!(xeger(None), "");
    assert!(
        xeger(Some("a{100000}")).len() <= 64 * 1024,
        "output is capped"
    );
    assert_eq!(
        xeger(Some("(?:\\b){4294967295}")),
        "",
        "empty repetitions end"
    );
}
