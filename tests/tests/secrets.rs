//! Secrets never leak: Authorization headers, Google tokens and key
//! material stay out of logs (every `tracing` event and span captured at
//! TRACE level), traces (`trace = true`) and fault bodies; traces mask the
//! configured variables (headers, query parameters, flow variables) as
//! Apigee's data masking does.

use proxyc_tests::harness::{LocalGoogle, TestGateway};
use proxyc_tests::proxies::{callee, callouts, hardening};
use std::io::Write;
use std::sync::{Arc, Mutex};

const AUTH: &str = "Bearer SECRET-client-credential-7f3a";
const API_KEY: &str = "SECRET-api-key-91bc";
const CARD: &str = "4111111111111111";
const QUERY_TOKEN: &str = "SECRET-query-token-55d0";

/// A shared in-memory sink for log lines.
#[derive(Clone, Default)]
struct Captured(Arc<Mutex<Vec<u8>>>);

impl Captured {
    fn text(&self) -> String {
        String::from_utf8_lossy(&self.0.lock().unwrap()).into_owned()
    }
}

impl Write for Captured {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        self.0.lock().unwrap().extend_from_slice(buf);
        Ok(buf.len())
    }
    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

/// The requests every test sends: secrets in headers, query and flow
/// variables, through a target, a Google-authenticated callout and faults.
async fn exercise(gw: &TestGateway) {
    let headers = [
        ("authorization", AUTH),
        ("x-api-key", API_KEY),
        ("x-card", CARD),
        ("x-backend", "echo.internal"),
    ];
    let path = format!("/hard/secret?card={CARD}&access_token={QUERY_TOKEN}&q=visible");
    let resp = gw.send("GET", &path, &headers, "").await;
    assert_eq!(resp.status, 200, "{}", resp.text());
    let auth = gw.get("/callouts/auth").await;
    assert_eq!(auth.status, 200, "{}", auth.text());
    // Faults: a refused target, a refused callout.
    let down = [("authorization", AUTH), ("x-backend", "down.internal")];
    for path in ["/hard/t", "/hard/sc"] {
        let resp = gw
            .send(
                "GET",
                &format!("{path}?access_token={QUERY_TOKEN}"),
                &down,
                "",
            )
            .await;
        assert!(resp.status >= 500, "{}", resp.text());
        assert_no_secret("fault body", &resp.text(), &[]);
    }
}

/// The Google access token the echo backend received.
fn minted_token(gw: &TestGateway) -> String {
    gw.echo
        .requests()
        .iter()
        .filter_map(|r| r.header("authorization").map(str::to_owned))
        .find(|a| a.starts_with("Bearer ya29."))
        .expect("the callout carried a Google token")
}

fn assert_no_secret(what: &str, text: &str, extra: &[&str]) {
    for secret in [
        AUTH,
        "SECRET-client",
        API_KEY,
        CARD,
        QUERY_TOKEN,
        "PRIVATE KEY",
    ]
    .iter()
    .chain(extra)
    {
        assert!(!text.contains(secret), "{what} leaks `{secret}`:\n{text}");
    }
}

/// The gateway (with `trace` as its trace sink, tracing on) and the local
/// Google token server its callouts use.
async fn gateway(trace: Option<Captured>) -> (TestGateway, LocalGoogle) {
    let google = LocalGoogle::start().await;
    let gw = TestGateway::start(
        |g| {
            let g = g
                .mount(hardening::Proxy)
                .and_then(|g| g.mount(callouts::Proxy))
                .and_then(|g| g.mount(callee::Proxy))
                .expect("mount");
            match trace.clone() {
                Some(sink) => g.with_trace_sink(move |text| {
                    let _ = sink.clone().write_all(text.as_bytes());
                }),
                None => g,
            }
        },
        |c| {
            c.trace = trace.is_some();
            c.trace_mask = vec![
                "request.header.x-card".into(),
                "request.queryparam.card".into(),
                "customer.card".into(),
            ];
            google.configure(c);
        },
    )
    .await;
    (gw, google)
}

#[tokio::test]
async fn logs_at_trace_level_hold_no_secret() {
    let logs = Captured::default();
    let writer = logs.clone();
    let subscriber = tracing_subscriber::fmt()
        .with_max_level(tracing::Level::TRACE)
        .with_span_events(tracing_subscriber::fmt::format::FmtSpan::CLOSE)
        .with_ansi(false)
        .with_writer(move || writer.clone())
        .finish();
    // Global, so the other tests of this file log into the capture too.
    tracing::subscriber::set_global_default(subscriber).expect("the only subscriber");
    let (gw, _google) = gateway(None).await;
    exercise(&gw).await;
    let token = minted_token(&gw);
    let text = logs.text();
    // The capture works: policy spans are there.
    assert!(text.contains("SC-Auth"), "{text}");
    assert!(text.contains("AM-Secret"), "{text}");
    assert_no_secret("the log", &text, &[&token]);
}

#[tokio::test]
async fn traces_mask_secrets_and_configured_variables() {
    let traces = Captured::default();
    let (gw, _google) = gateway(Some(traces.clone())).await;
    exercise(&gw).await;
    let token = minted_token(&gw);
    let text = traces.text();
    for shown in [
        "request header authorization: ***",
        "request header x-api-key: ***",
        "request header x-card: ***",
        "request header x-backend: echo.internal",
        "set private.apikey = ***",
        "set customer.card = ***",
        "card=***",
        "access_token=***",
        "q=visible",
    ] {
        assert!(text.contains(shown), "trace lacks `{shown}`:\n{text}");
    }
    assert_no_secret("the trace", &text, &[&token]);
}

#[tokio::test]
async fn an_invalid_callout_url_is_reported_with_its_key_masked() {
    let (gw, _google) = gateway(None).await;
    let resp = gw
        .get("/hard/inject/callout?v=a%20b%3Fkey%3DSECRET-url-key")
        .await;
    assert_eq!(resp.status, 500, "{}", resp.text());
    assert!(resp.text().contains("key=***"), "{}", resp.text());
    assert_no_secret("fault body", &resp.text(), &["SECRET-url-key"]);
}
