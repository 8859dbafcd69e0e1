//! Hash, HMAC and Base64 template functions.

use proxyc_runtime::template::tfn::*;

#[test]
fn documented_hash_examples() {
    assert_eq!(
        sha256_hex(Some("abc")),
        "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"
    );
    assert_eq!(
        sha256_base64(Some("abc")),
        "ungWv48Bz+pBQUDeXa4iI7ADYaOWF3qctBD/YfIAFa0="
    );
}

#[test]
fn every_digest_and_encoding() {
    assert_eq!(md5_hex(Some("abc")), "900150983cd24fb0d6963f7d28e17f72");
    assert_eq!(sha1_base64(Some("abc")), "qZk+NkcGgWq6PiVxeFDCbJzQ2J0=");
    assert_eq!(
        sha1_hex(Some("abc")),
        "a9993e364706816aba3e25717850c26c9cd0d89d"
    );
    assert!(sha512_base64(Some("abc")).starts_with("3a81oZNherrMQXNJriBB"));
    assert_eq!(sha384_hex(Some("")).len(), 96);
    assert_eq!(sha512_hex(Some("")).len(), 128);
    assert_eq!(md5_base64(Some("")), "1B2M2Y8AsgTpgAmY7PhCfg==");
    assert_eq!(sha384_base64(Some("")).len(), 64);
    assert_eq!(sha256_hex(None), "", "unresolved input renders empty");
}

#[test]
fn hmac_encodings() {
    let fox = Some("The quick brown fox jumps over the lazy dog");
    assert_eq!(
        hmac_sha256(Some("key"), fox, None, None),
        "97yD9DBThCSxMpjmqm+xQ+9NWaFJRhdZl0edvC0aPNg="
    );
    assert_eq!(
        hmac_sha256(Some("key"), fox, Some("utf-8"), Some("HEX")),
        "f7bc83f430538424b13298e6aa6fb143ef4d59a14946175997479dbc2d1a3cd8"
    );
    assert_eq!(
        hmac_md5(Some("key"), fox, None, None),
        "gAcHE0Y+d0m5DC3CSRHidQ=="
    );
    assert_eq!(
        hmac_sha1(Some("key"), fox, None, Some("base16")),
        "de7c9b85b8b78aa6bc8a7a36f70a90701c9db4d9"
    );
    // RFC 4231 test case 1 (key 0x0b × 20, hex key encoding).
    assert_eq!(
        hmac_sha224(
            Some(&"0b".repeat(20)),
            Some("Hi There"),
            Some("hex"),
            Some("hex")
        ),
        "896fb1128abbdf196832107cd49df33f47b4b1169912ba4f53684b22"
    );
    assert!(
        hmac_sha384(Some("a2V5"), Some("msg"), Some("base64"), Some("hex"))
            .starts_with("3bba95ff38376a12")
    );
    assert!(
        hmac_sha512(Some("key"), Some("msg"), None, Some("hex")).starts_with("1e4b55b925ccc28e")
    );
    assert_eq!(
        hmac_sha256(Some("zz"), Some("m"), Some("hex"), None),
        "",
        "invalid hex key"
    );
    assert_eq!(
        hmac_sha256(Some("k"), Some("m"), Some("rot13"), None),
        "",
        "unknown key encoding"
    );
    assert_eq!(
        hmac_sha256(Some("k"), Some("m"), None, Some("utf-8")),
        "",
        "unknown output encoding"
    );
    assert_eq!(hmac_sha256(None, Some("m"), None, None), "");
}

/// AWS Signature V4 signing-key derivation, as Apigee's docs chain it:
/// `hmacSha256(FirstKey,DateValue,'utf-8','base16')`, then `'base16','base16'`.
/// Vector from the AWS "derive a signing key" example.
#[test]
fn aws_sigv4_chain() {
    let first_key = "AWS4wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY";
    let k_date = hmac_sha256(
        Some(first_key),
        Some("20120215"),
        Some("utf-8"),
        Some("base16"),
    );
    assert_eq!(
        k_date,
        "969fbb94feb542b71ede6f87fe4d5fa29c789342b0f407474670f0c2489e0a0d"
    );
    let k_region = hmac_sha256(
        Some(&k_date),
        Some("us-east-1"),
        Some("base16"),
        Some("base16"),
    );
    assert_eq!(
        k_region,
        "69daa0209cd9c5ff5c8ced464a696fd4252e981430b10e3d3fd8e2f197d7a70c"
    );
    let k_service = hmac_sha256(Some(&k_region), Some("iam"), Some("base16"), Some("base16"));
    assert_eq!(
        k_service,
        "f72cfd46f26bc4643f06a11eabb6c0ba18780c19a8da0c31ace671265e3c87fa"
    );
    let k_signing = hmac_sha256(
        Some(&k_service),
        Some("aws4_request"),
        Some("base16"),
        Some("base16"),
    );
    assert_eq!(
        k_signing,
        "f4780e2d9f65fa895f9c67b32ce1baf0b0d8a43505a000a1a9e090d414db404d"
    );
}

#[test]
fn base64_functions() {
    assert_eq!(encode_base64(Some("abc")), "YWJj");
    assert_eq!(decode_base64(Some("aGVsbG8sIHdvcmxk")), "hello, world");
    assert_eq!(decode_base64(Some("YWJjZA")), "abcd", "padding is optional");
    assert_eq!(decode_base64(Some("YWJjZA==")), "abcd");
    assert_eq!(
        decode_base64(Some("-_-_")),
        "",
        "Base64URL input yields the empty string"
    );
    assert_eq!(decode_base64(Some("not base64!")), "");
    assert_eq!(
        decode_base64(Some("/w==")),
        "\u{fffd}",
        "invalid UTF-8 is replaced"
    );
    assert_eq!(encode_base64(None), "");
}
