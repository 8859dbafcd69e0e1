//! Runtime limits over real sockets (fixture `tests/bundles/hardening`):
//! header count and size (431), body size (413 for requests, 502 for
//! target responses), header-read and request timeouts (HTTP/1 and
//! HTTP/2), the connection limit, and graceful shutdown draining in-flight
//! requests.

use bytes::Bytes;
use http_body_util::{BodyExt, Empty};
use hyper_util::rt::{TokioExecutor, TokioIo};
use proxyc_runtime::EnvConfig;
use proxyc_tests::backends::{Behaviour, RawBackend, raw_exchange};
use proxyc_tests::harness::TestGateway;
use proxyc_tests::proxies::hardening;
use std::time::{Duration, Instant};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;

async fn gateway(tweak: impl FnOnce(&mut EnvConfig)) -> TestGateway {
    TestGateway::start(|g| g.mount(hardening::Proxy).expect("mount"), tweak).await
}

/// A raw `GET /hard/t` to the echo backend with `extra` header lines,
/// closing the connection after the response.
fn request_with(extra: &str) -> Vec<u8> {
    keep_alive_request(&format!("{extra}connection: close\r\n"))
}

/// A raw `GET /hard/t` to the echo backend with `extra` header lines.
fn keep_alive_request(extra: &str) -> Vec<u8> {
    format!("GET /hard/t HTTP/1.1\r\nhost: gw\r\nx-backend: echo.internal\r\n{extra}\r\n")
        .into_bytes()
}

/// The echo backend is reached through the gateway.
async fn assert_serves(gw: &TestGateway) {
    let resp = gw
        .send("GET", "/hard/t", &[("x-backend", "echo.internal")], "")
        .await;
    assert_eq!(resp.status, 200, "{}", resp.text());
}

#[tokio::test]
async fn too_many_headers_is_431() {
    let gw = gateway(|c| c.limits.max_headers = 20).await;
    let extra: String = (0..30).map(|i| format!("x-h{i}: v\r\n")).collect();
    let answer = raw_exchange(gw.addr, &request_with(&extra)).await;
    assert!(
        answer.starts_with("HTTP/1.1 431 Request Header Fields Too Large"),
        "{answer}"
    );
    let fine: String = (0..10).map(|i| format!("x-h{i}: v\r\n")).collect();
    let answer = raw_exchange(gw.addr, &request_with(&fine)).await;
    assert!(answer.starts_with("HTTP/1.1 200"), "{answer}");
    assert_eq!(gw.echo.request_count(), 1);
}

#[tokio::test]
async fn a_header_block_over_max_header_bytes_is_431() {
    let gw = gateway(|c| c.limits.max_header_bytes = 16 * 1024).await;
    let big = format!("x-big: {}\r\n", "a".repeat(20 * 1024));
    let answer = raw_exchange(gw.addr, &request_with(&big)).await;
    assert!(
        answer.starts_with("HTTP/1.1 431 Request Header Fields Too Large"),
        "{answer}"
    );
    let small = format!("x-big: {}\r\n", "a".repeat(8 * 1024));
    let answer = raw_exchange(gw.addr, &request_with(&small)).await;
    assert!(answer.starts_with("HTTP/1.1 200"), "{answer}");
}

#[test]
fn max_header_bytes_below_the_parser_minimum_is_a_start_up_error() {
    let mut config = EnvConfig::default();
    config.limits.max_header_bytes = 1000;
    let err = proxyc_runtime::Environment::new(config).unwrap_err();
    assert!(err.message.contains("max_header_bytes = 1000"), "{err}");
}

#[tokio::test]
async fn a_request_body_over_the_limit_is_413_declared_or_chunked() {
    let gw = gateway(|c| c.limits.max_body_bytes = 1024).await;
    let body = "b".repeat(2048);
    let resp = gw
        .send("POST", "/hard/t", &[("x-backend", "echo.internal")], &body)
        .await;
    assert_eq!(resp.status, 413, "{}", resp.text());
    assert_eq!(resp.errorcode(), "protocol.http.TooBigBody");
    assert_eq!(resp.json()["fault"]["faultstring"], "Body buffer overflow");
    // Without Content-Length the body is counted as it is read.
    let chunked = format!(
        "POST /hard/t HTTP/1.1\r\nhost: gw\r\nx-backend: echo.internal\r\ntransfer-encoding: chunked\r\nconnection: close\r\n\r\n800\r\n{body}\r\n0\r\n\r\n"
    );
    let answer = raw_exchange(gw.addr, chunked.as_bytes()).await;
    assert!(answer.starts_with("HTTP/1.1 413"), "{answer}");
    assert!(answer.contains("protocol.http.TooBigBody"), "{answer}");
    assert_eq!(gw.echo.request_count(), 0);
    let resp = gw
        .send(
            "POST",
            "/hard/t",
            &[("x-backend", "echo.internal")],
            "small",
        )
        .await;
    assert_eq!(resp.status, 200, "{}", resp.text());
}

#[tokio::test]
async fn a_target_response_over_the_limit_is_502_and_a_callout_one_fails_the_step() {
    let big = RawBackend::start(Behaviour::Big(4096)).await;
    let gw = gateway(|c| {
        c.limits.max_body_bytes = 1024;
        c.connect_overrides
            .insert("big.internal:80".into(), big.addr());
    })
    .await;
    let resp = gw
        .send("GET", "/hard/t", &[("x-backend", "big.internal")], "")
        .await;
    assert_eq!(resp.status, 502, "{}", resp.text());
    assert_eq!(resp.errorcode(), "protocol.http.TooBigBody");
    let resp = gw
        .send("GET", "/hard/sc", &[("x-backend", "big.internal")], "")
        .await;
    assert_eq!(resp.status, 500, "{}", resp.text());
    assert_eq!(resp.errorcode(), "steps.servicecallout.ExecutionFailed");
    assert!(
        resp.text().contains("Body buffer overflow"),
        "{}",
        resp.text()
    );
    assert_serves(&gw).await;
}

/// Reads until the peer closes; `None` if it stays open past `within`.
async fn closed_within(stream: &mut TcpStream, within: Duration) -> Option<Vec<u8>> {
    let mut got = Vec::new();
    let mut buf = [0u8; 1024];
    let read_all = async {
        loop {
            match stream.read(&mut buf).await {
                Ok(0) | Err(_) => break,
                Ok(n) => got.extend_from_slice(&buf[..n]),
            }
        }
    };
    tokio::time::timeout(within, read_all).await.ok()?;
    Some(got)
}

#[tokio::test]
async fn slow_or_silent_clients_are_disconnected_after_the_header_read_timeout() {
    let gw = gateway(|c| c.limits.header_read_timeout_ms = 300).await;
    // Slowloris: part of a head, then nothing.
    let mut slow = TcpStream::connect(gw.addr).await.unwrap();
    slow.write_all(b"GET /hard/t HTTP/1.1\r\nhost: gw\r\n")
        .await
        .unwrap();
    // A connection that never sends a byte.
    let mut silent = TcpStream::connect(gw.addr).await.unwrap();
    // Meanwhile others are served.
    assert_serves(&gw).await;
    let got = closed_within(&mut slow, Duration::from_secs(3)).await;
    assert_eq!(got.as_deref(), Some(&b""[..]), "closed without a response");
    let got = closed_within(&mut silent, Duration::from_secs(3)).await;
    assert_eq!(got.as_deref(), Some(&b""[..]));
    assert_serves(&gw).await;
}

#[tokio::test]
async fn a_request_over_the_request_timeout_is_504_api_timed_out() {
    let gw = gateway(|c| c.limits.request_timeout_ms = 200).await;
    gw.echo.set_delay(Duration::from_millis(400));
    let resp = gw
        .send("GET", "/hard/t", &[("x-backend", "echo.internal")], "")
        .await;
    assert_eq!(resp.status, 504, "{}", resp.text());
    assert_eq!(resp.errorcode(), "flow.APITimedOut");
    gw.echo.set_delay(Duration::ZERO);
    assert_serves(&gw).await;
}

/// `GET /hard/t` to the echo backend over an open client connection:
/// status, `fault.errorcode` (empty when none) and the time it took.
macro_rules! get_echo {
    ($send:expr, $uri:expr) => {{
        let started = Instant::now();
        let req = http::Request::get($uri)
            .header("x-backend", "echo.internal")
            .body(Empty::<Bytes>::new())
            .unwrap();
        $send.ready().await.unwrap();
        let resp = $send.send_request(req).await.unwrap();
        let status = resp.status().as_u16();
        let body = resp.into_body().collect().await.unwrap().to_bytes();
        let json: serde_json::Value = serde_json::from_slice(&body).unwrap_or_default();
        let code = json["fault"]["detail"]["errorcode"]
            .as_str()
            .unwrap_or("")
            .to_owned();
        (status, code, started.elapsed())
    }};
}

#[tokio::test]
async fn each_request_on_a_kept_alive_connection_gets_its_own_request_timeout() {
    // HTTP/1 requests share one timer per connection; each must still time
    // out at its own deadline, and only then.
    let limit = Duration::from_millis(300);
    let gw = gateway(|c| c.limits.request_timeout_ms = 300).await;
    let stream = TcpStream::connect(gw.addr).await.unwrap();
    let (mut send, conn) = hyper::client::conn::http1::handshake(TokioIo::new(stream))
        .await
        .unwrap();
    tokio::spawn(conn);
    let slow = || gw.echo.set_delay(Duration::from_millis(450));
    let fast = || gw.echo.set_delay(Duration::ZERO);

    let (status, _, _) = get_echo!(send, "/hard/t");
    assert_eq!(status, 200);
    // After the first pause the timer is still armed for the first
    // request's deadline, which must not expire the slow request started
    // before it. During the second the timer fires while the connection is
    // idle: the connection serves on and is re-armed for the next request.
    for pause in [
        Duration::from_millis(150),
        limit + Duration::from_millis(100),
    ] {
        tokio::time::sleep(pause).await;
        slow();
        let (status, code, took) = get_echo!(send, "/hard/t");
        assert_eq!((status, code.as_str()), (504, "flow.APITimedOut"));
        assert!(
            took >= limit - Duration::from_millis(20),
            "timed out early: {took:?}"
        );
        // A timed-out request leaves nothing behind for the next one.
        fast();
        let (status, _, _) = get_echo!(send, "/hard/t");
        assert_eq!(status, 200);
    }
}

#[tokio::test]
async fn http2_requests_time_out_each_on_their_own_timer() {
    let gw = gateway(|c| c.limits.request_timeout_ms = 200).await;
    let stream = TcpStream::connect(gw.addr).await.unwrap();
    let (mut send, conn) =
        hyper::client::conn::http2::handshake(TokioExecutor::new(), TokioIo::new(stream))
            .await
            .unwrap();
    tokio::spawn(conn);
    let uri = format!("http://{}/hard/t", gw.addr);
    gw.echo.set_delay(Duration::from_millis(400));
    let (status, code, took) = get_echo!(send, uri.as_str());
    assert_eq!((status, code.as_str()), (504, "flow.APITimedOut"));
    assert!(
        took >= Duration::from_millis(180),
        "timed out early: {took:?}"
    );
    gw.echo.set_delay(Duration::ZERO);
    let (status, _, _) = get_echo!(send, uri.as_str());
    assert_eq!(status, 200);
}

#[tokio::test]
async fn connections_beyond_the_limit_wait_until_one_closes() {
    let gw = gateway(|c| c.limits.max_connections = 1).await;
    let mut first = TcpStream::connect(gw.addr).await.unwrap();
    first.write_all(&keep_alive_request("")).await.unwrap();
    let mut buf = [0u8; 4096];
    let n = first.read(&mut buf).await.unwrap();
    assert!(buf[..n].starts_with(b"HTTP/1.1 200"));
    // `first` is kept alive and holds the only slot: the second waits.
    let second = tokio::spawn(raw_exchange(gw.addr, request_with("")));
    tokio::time::sleep(Duration::from_millis(500)).await;
    assert!(
        !second.is_finished(),
        "the second connection was served early"
    );
    drop(first);
    let answer = tokio::time::timeout(Duration::from_secs(5), second)
        .await
        .expect("served once the first closed")
        .unwrap();
    assert!(answer.starts_with("HTTP/1.1 200"), "{answer}");
}

#[tokio::test]
async fn shutdown_drains_in_flight_requests_and_refuses_new_connections() {
    let mut gw = gateway(|_| {}).await;
    // Slow, but within the fixture target's 500 ms io timeout.
    gw.echo.set_delay(Duration::from_millis(400));
    let addr = gw.addr;
    let in_flight = tokio::spawn(raw_exchange(addr, request_with("")));
    // Let the request reach the backend, then stop the gateway.
    tokio::time::sleep(Duration::from_millis(150)).await;
    let serving = gw.begin_shutdown();
    tokio::time::sleep(Duration::from_millis(50)).await;
    assert!(
        TcpStream::connect(addr).await.is_err(),
        "new connections are refused once shutdown began"
    );
    let answer = in_flight.await.unwrap();
    assert!(answer.starts_with("HTTP/1.1 200"), "{answer}");
    tokio::time::timeout(Duration::from_secs(5), serving)
        .await
        .expect("serve returns once drained")
        .unwrap()
        .unwrap();
}
