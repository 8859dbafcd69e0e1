//! Failing backends on 127.0.0.1, each met by the TargetEndpoint and by a
//! ServiceCallout (fixture `tests/bundles/hardening`): every failure gives
//! its documented fault code and status, and the gateway serves the next
//! request correctly afterwards. (Refused, reset-on-connect and silent
//! callouts through the `callouts` fixture are in service_callout.rs.)

use proxyc_tests::backends::{Behaviour, RawBackend, untrusted_tls_server};
use proxyc_tests::harness::{TestGateway, TestResponse};
use proxyc_tests::proxies::hardening;
use std::net::SocketAddr;
use std::time::Duration;

/// A gateway where `bad.internal:80` is `backend` and `tls.internal:443` is `tls`.
async fn gateway(backend: Option<SocketAddr>, tls: Option<SocketAddr>) -> TestGateway {
    TestGateway::start(
        |g| g.mount(hardening::Proxy).expect("mount"),
        |c| {
            if let Some(addr) = backend {
                c.connect_overrides.insert("bad.internal:80".into(), addr);
            }
            if let Some(addr) = tls {
                c.connect_overrides.insert("tls.internal:443".into(), addr);
            }
        },
    )
    .await
}

/// The TargetEndpoint sends the request to `host` (`x-tls`: over https).
async fn via_target(gw: &TestGateway, host: &str, tls: bool) -> TestResponse {
    let mut headers = vec![("x-backend", host)];
    if tls {
        headers.push(("x-tls", "yes"));
    }
    gw.send("GET", "/hard/t", &headers, "").await
}

/// A ServiceCallout calls `host` (`/sc/tls`: over https).
async fn via_callout(gw: &TestGateway, host: &str, tls: bool) -> TestResponse {
    let path = if tls { "/hard/sc/tls" } else { "/hard/sc" };
    gw.send("GET", path, &[("x-backend", host)], "").await
}

/// Asserts status, error code and `detail.reason` of a default fault body.
fn assert_fault(resp: &TestResponse, status: u16, code: &str, reason: Option<&str>) {
    assert_eq!(resp.status, status, "{}", resp.text());
    assert_eq!(resp.errorcode(), code, "{}", resp.text());
    assert_eq!(
        resp.json()["fault"]["detail"]["reason"].as_str(),
        reason,
        "{}",
        resp.text()
    );
}

/// `steps.servicecallout.ExecutionFailed` (500) whose reason contains `why`.
fn assert_callout_failed(resp: &TestResponse, why: &str) {
    assert_fault(resp, 500, "steps.servicecallout.ExecutionFailed", None);
    let s = resp.json()["fault"]["faultstring"]
        .as_str()
        .unwrap_or_default()
        .to_owned();
    assert!(
        s.starts_with("Execution of ServiceCallout SC-Backend") && s.contains(why),
        "{s}"
    );
}

/// The gateway still answers a good request through both paths.
async fn assert_still_serving(gw: &TestGateway) {
    let resp = via_target(gw, "echo.internal", false).await;
    assert_eq!(resp.status, 200, "{}", resp.text());
    assert_eq!(resp.json()["path"], "/t/t");
    let resp = via_callout(gw, "echo.internal", false).await;
    assert_eq!(resp.status, 200, "{}", resp.text());
    assert_eq!(resp.header("x-callout-status").as_deref(), Some("200"));
}

/// What the target answers and why the callout failed, for one failure.
struct Expected {
    status: u16,
    code: &'static str,
    reason: &'static str,
    callout_reason: &'static str,
}

const UNAVAILABLE: &str = "messaging.adaptors.http.flow.ServiceUnavailable";
const TIMEOUT: &str = "messaging.adaptors.http.flow.GatewayTimeout";

/// Meets `host` through the TargetEndpoint and a ServiceCallout, checks
/// both faults, then that the gateway still serves.
async fn check(gw: &TestGateway, host: &str, tls: bool, want: Expected) {
    assert_fault(
        &via_target(gw, host, tls).await,
        want.status,
        want.code,
        Some(want.reason),
    );
    assert_callout_failed(&via_callout(gw, host, tls).await, want.callout_reason);
    assert_still_serving(gw).await;
}

#[tokio::test]
async fn connection_refused_is_service_unavailable() {
    let gw = gateway(None, None).await;
    let resp = via_target(&gw, "down.internal", false).await;
    assert_eq!(
        resp.json()["fault"]["faultstring"],
        "The Service is temporarily unavailable"
    );
    let want = Expected {
        status: 503,
        code: UNAVAILABLE,
        reason: "TARGET_CONNECT_FAILED",
        callout_reason: "connect",
    };
    check(&gw, "down.internal", false, want).await;
}

#[tokio::test]
async fn reset_in_the_middle_of_the_body_is_a_read_error() {
    let backend = RawBackend::start(Behaviour::ResetMidBody).await;
    let gw = gateway(Some(backend.addr()), None).await;
    let want = Expected {
        status: 503,
        code: UNAVAILABLE,
        reason: "READ_ERROR",
        callout_reason: "Error reading the message body",
    };
    check(&gw, "bad.internal", false, want).await;
}

#[tokio::test]
async fn a_backend_that_never_answers_is_a_gateway_timeout() {
    let backend = RawBackend::start(Behaviour::Silent).await;
    let gw = gateway(Some(backend.addr()), None).await;
    let want = Expected {
        status: 504,
        code: TIMEOUT,
        reason: "TARGET_READ_TIMEOUT",
        callout_reason: "Timeout occurred after 500 ms",
    };
    check(&gw, "bad.internal", false, want).await;
}

#[tokio::test]
async fn an_answer_that_is_not_http_is_a_read_error() {
    let backend = RawBackend::start(Behaviour::Reply(
        b"SSH-2.0-OpenSSH_9.2\r\n\x00\x01\x02 not http at all\r\n\r\n".to_vec(),
    ))
    .await;
    let gw = gateway(Some(backend.addr()), None).await;
    let want = Expected {
        status: 503,
        code: UNAVAILABLE,
        reason: "TARGET_READ_ERROR",
        callout_reason: "bad response",
    };
    check(&gw, "bad.internal", false, want).await;
}

#[tokio::test]
async fn a_backend_dripping_bytes_hits_the_io_timeout() {
    let backend = RawBackend::start(Behaviour::Drip(Duration::from_millis(100))).await;
    let gw = gateway(Some(backend.addr()), None).await;
    let want = Expected {
        status: 504,
        code: TIMEOUT,
        reason: "TARGET_READ_TIMEOUT",
        callout_reason: "Timeout occurred after 500 ms",
    };
    check(&gw, "bad.internal", false, want).await;
}

#[tokio::test]
async fn an_untrusted_certificate_fails_the_tls_handshake() {
    let tls = untrusted_tls_server("tls.internal").await;
    let gw = gateway(None, Some(tls)).await;
    let want = Expected {
        status: 503,
        code: UNAVAILABLE,
        reason: "TARGET_CONNECT_FAILED",
        callout_reason: "certificate",
    };
    check(&gw, "tls.internal", true, want).await;
}

#[tokio::test]
async fn a_name_that_does_not_resolve_is_service_unavailable() {
    let gw = gateway(None, None).await;
    let want = Expected {
        status: 503,
        code: UNAVAILABLE,
        reason: "TARGET_CONNECT_FAILED",
        callout_reason: "dns error",
    };
    check(&gw, "nonexistent.invalid", false, want).await;
}
