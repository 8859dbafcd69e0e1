//! Injection attempts over real sockets (fixture `tests/bundles/hardening`
//! plus `callee` for base-path escapes): forbidden bytes reaching a header,
//! a callout URL or a target path through variables fault and never split
//! a request (a raw TCP backend records the exact bytes it got); URL
//! schemes never come from variables; request smuggling attempts get 400
//! or are framed one way only; dot-segments cannot reach another proxy.

use proxyc_tests::backends::{Behaviour, OK_RESPONSE, RawBackend, raw_exchange};
use proxyc_tests::harness::TestGateway;
use proxyc_tests::proxies::{callee, hardening};

/// A gateway serving `hardening` and `callee`, with `raw.internal:80` the
/// recording backend.
async fn gateway() -> (TestGateway, RawBackend) {
    let raw = RawBackend::start(Behaviour::Reply(OK_RESPONSE.to_vec())).await;
    let addr = raw.addr();
    let gw = TestGateway::start(
        |g| {
            g.mount(hardening::Proxy)
                .and_then(|g| g.mount(callee::Proxy))
                .expect("mount")
        },
        |c| {
            c.connect_overrides.insert("raw.internal:80".into(), addr);
        },
    )
    .await;
    (gw, raw)
}

/// The recorded bytes as text.
fn seen(raw: &RawBackend) -> String {
    String::from_utf8_lossy(&raw.received()).into_owned()
}

#[tokio::test]
async fn crlf_or_nul_from_a_query_param_into_a_header_is_a_fault() {
    let (gw, raw) = gateway().await;
    for evil in [
        "a%0d%0aX-Evil:%201",
        "a%0aX-Evil:%201",
        "a%0dX-Evil",
        "a%00b",
    ] {
        let resp = gw
            .send(
                "GET",
                &format!("/hard/inject/header?v={evil}"),
                &[("x-backend", "raw.internal")],
                "",
            )
            .await;
        assert_eq!(resp.status, 500, "{evil}: {}", resp.text());
        assert_eq!(
            resp.errorcode(),
            "steps.assignmessage.SetVariableFailed",
            "{evil}"
        );
    }
    assert_eq!(raw.request_count(), 0, "{}", seen(&raw));
    // A clean value goes through, as one header line.
    let resp = gw
        .send(
            "GET",
            "/hard/inject/header?v=fine",
            &[("x-backend", "raw.internal")],
            "",
        )
        .await;
    assert_eq!(resp.status, 200, "{}", resp.text());
    assert_eq!(raw.request_count(), 1);
    let got = seen(&raw).to_ascii_lowercase();
    assert!(got.contains("\r\nx-injected: fine\r\n"), "{got}");
    assert!(!got.contains("x-evil"), "{got}");
}

#[tokio::test]
async fn crlf_from_a_variable_into_a_callout_url_path_is_a_fault() {
    let (gw, raw) = gateway().await;
    for evil in [
        "a%0d%0aHost:%20evil",
        "a%20HTTP/1.1%0d%0aX-Evil:%201%0d%0a%0d%0aGET%20/x",
    ] {
        let resp = gw.get(&format!("/hard/inject/callout?v={evil}")).await;
        assert_eq!(resp.status, 500, "{}", resp.text());
        assert_eq!(resp.errorcode(), "steps.servicecallout.ExecutionFailed");
        assert!(resp.text().contains("invalid URL"), "{}", resp.text());
    }
    assert_eq!(raw.request_count(), 0, "{}", seen(&raw));
    let resp = gw.get("/hard/inject/callout?v=ok").await;
    assert_eq!(resp.status, 200, "{}", resp.text());
    assert!(
        seen(&raw).starts_with("GET /c/ok HTTP/1.1\r\n"),
        "{}",
        seen(&raw)
    );
}

#[tokio::test]
async fn the_target_path_suffix_carries_encoded_bytes_only_encoded() {
    let (gw, raw) = gateway().await;
    // Raw control bytes in the request line never get past the parser.
    let answer = raw_exchange(
        gw.addr,
        b"GET /hard/x\rX-Evil: 1 HTTP/1.1\r\nhost: gw\r\nx-backend: raw.internal\r\n\r\n",
    )
    .await;
    assert!(answer.starts_with("HTTP/1.1 400"), "{answer}");
    // Percent-encoded ones stay encoded on the way to the target.
    let resp = gw
        .send(
            "GET",
            "/hard/x%0d%0aX-Evil:%201",
            &[("x-backend", "raw.internal")],
            "",
        )
        .await;
    assert_eq!(resp.status, 200, "{}", resp.text());
    let got = seen(&raw);
    assert!(
        got.starts_with("GET /t/x%0d%0aX-Evil:%201 HTTP/1.1\r\n"),
        "{got}"
    );
    assert_eq!(raw.request_count(), 1);
    assert!(!got.contains("\r\nX-Evil"), "{got}");
}

#[test]
fn a_target_url_scheme_from_a_variable_is_a_compile_error() {
    let root = std::env::temp_dir().join(format!("proxyc-scheme-{}", std::process::id()));
    let api = root.join("apiproxy");
    for dir in ["proxies", "targets"] {
        std::fs::create_dir_all(api.join(dir)).unwrap();
    }
    std::fs::write(api.join("s.xml"), r#"<APIProxy name="s"/>"#).unwrap();
    std::fs::write(
        api.join("proxies/default.xml"),
        r#"<ProxyEndpoint name="default">
    <HTTPProxyConnection><BasePath>/s</BasePath></HTTPProxyConnection>
    <RouteRule name="default"><TargetEndpoint>default</TargetEndpoint></RouteRule>
</ProxyEndpoint>"#,
    )
    .unwrap();
    std::fs::write(
        api.join("targets/default.xml"),
        r#"<TargetEndpoint name="default">
    <HTTPTargetConnection><URL>{request.header.scheme}://echo.internal/x</URL></HTTPTargetConnection>
</TargetEndpoint>"#,
    )
    .unwrap();
    let Err(diags) = proxyc_compiler::compile(&root, &proxyc_compiler::Options::default()) else {
        panic!("a scheme from a variable was accepted");
    };
    let text = diags.render();
    let _ = std::fs::remove_dir_all(&root);
    assert!(
        text.contains("error[PXC054]: the URL's scheme cannot come from a variable"),
        "{text}"
    );
    assert!(text.contains("targets/default.xml:2:32"), "{text}");
}

/// Sends `request` raw and returns the gateway's answer and how many
/// requests the backend saw.
async fn smuggle(request: &str) -> (String, RawBackend) {
    let (gw, raw) = gateway().await;
    let answer = raw_exchange(gw.addr, request.as_bytes()).await;
    // Let anything smuggled reach the backend before counting.
    tokio::time::sleep(std::time::Duration::from_millis(300)).await;
    (answer, raw)
}

const SMUGGLED: &str = "GET /hard/smuggled HTTP/1.1\r\nhost: gw\r\nx-backend: raw.internal\r\n\r\n";

#[tokio::test]
async fn conflicting_content_lengths_are_400() {
    let (answer, raw) = smuggle(&format!(
        "POST /hard/t HTTP/1.1\r\nhost: gw\r\nx-backend: raw.internal\r\ncontent-length: 4\r\ncontent-length: 70\r\n\r\nabcd{SMUGGLED}"
    ))
    .await;
    assert!(answer.starts_with("HTTP/1.1 400"), "{answer}");
    assert_eq!(raw.request_count(), 0, "{}", seen(&raw));
}

#[tokio::test]
async fn obs_fold_and_bad_transfer_encodings_are_400() {
    for head in [
        "x-folded: a\r\n  continued\r\n",
        "transfer-encoding: chunked, identity\r\n",
        "transfer-encoding: xchunked\r\n",
        "content-length : 4\r\n",
    ] {
        let (answer, raw) = smuggle(&format!(
            "POST /hard/t HTTP/1.1\r\nhost: gw\r\nx-backend: raw.internal\r\n{head}\r\n0\r\n\r\n{SMUGGLED}"
        ))
        .await;
        assert!(answer.starts_with("HTTP/1.1 400"), "{head:?}: {answer}");
        assert_eq!(raw.request_count(), 0, "{head:?}: {}", seen(&raw));
    }
}

#[tokio::test]
async fn content_length_with_transfer_encoding_is_framed_as_chunked_and_closed() {
    // RFC 9112 §6.3: Transfer-Encoding wins and the connection closes after
    // the response, so bytes after the chunked body never become a request.
    let (answer, raw) = smuggle(&format!(
        "POST /hard/t HTTP/1.1\r\nhost: gw\r\nx-backend: raw.internal\r\ncontent-length: 5\r\ntransfer-encoding: chunked\r\n\r\n0\r\n\r\n{SMUGGLED}"
    ))
    .await;
    assert_eq!(answer.matches("HTTP/1.1 ").count(), 1, "{answer}");
    assert_eq!(raw.request_count(), 1, "{}", seen(&raw));
    assert!(!seen(&raw).contains("/smuggled"), "{}", seen(&raw));
}

#[tokio::test]
async fn dot_segments_and_encoded_slashes_cannot_reach_another_base_path() {
    let (gw, raw) = gateway().await;
    for path in [
        "/hard/../callee",
        "/hard/./../callee",
        "/hard/%2e%2e/callee",
        "/hard/%2E%2E/callee",
        "/hard/.%2e/callee",
        "/hard%2f..%2fcallee",
        "/hard/..%2fcallee",
        "/hard/..%5ccallee",
    ] {
        let resp = gw
            .send("GET", path, &[("x-backend", "raw.internal")], "")
            .await;
        assert_eq!(resp.status, 404, "{path}: {}", resp.text());
        assert_eq!(
            resp.errorcode(),
            "messaging.adaptors.http.flow.ApplicationNotFound",
            "{path}"
        );
    }
    assert_eq!(raw.request_count(), 0, "{}", seen(&raw));
    let resp = gw.send("GET", "/callee", &[("x-from", "test")], "").await;
    assert_eq!(resp.status, 202, "{}", resp.text());
}
