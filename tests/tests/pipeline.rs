//! Gateway-level behaviour: streaming bodies, embedding as a tower/hyper
//! service, traces with secrets masked.

use bytes::Bytes;
use http_body_util::{BodyExt, Full};
use hyper_util::client::legacy::Client;
use hyper_util::rt::{TokioExecutor, TokioIo};
use proxyc_runtime::{EnvConfig, Environment, Gateway};
use proxyc_testkit::echo::Echo;
use proxyc_testkit::google::RunningServer;
use proxyc_tests::harness::TestGateway;
use proxyc_tests::proxies::{flows, hello};
use std::sync::Arc;

#[tokio::test]
async fn bodies_no_policy_reads_are_streamed_not_buffered() {
    // A 1 KiB buffering limit: a 3 MiB body only gets through if it is streamed.
    let gw = TestGateway::start(
        |g| g.mount(flows::Proxy).expect("mount"),
        |c| c.limits.max_body_bytes = 1024,
    )
    .await;
    let body = "x".repeat(3 * 1024 * 1024);
    let resp = gw
        .send(
            "POST",
            "/flows/big",
            &[("content-type", "text/plain")],
            &body,
        )
        .await;
    assert_eq!(resp.status, 200);
    let got = gw.echo.requests().pop().expect("backend got the request");
    assert_eq!(got.body.len(), body.len());
}

#[tokio::test]
async fn a_compiled_proxy_is_usable_as_a_tower_service_in_a_hyper_server() {
    let echo = RunningServer::start(Echo).await.expect("echo");
    let mut config = EnvConfig::default();
    config
        .connect_overrides
        .insert("echo.internal:80".into(), echo.addr());
    let env = Arc::new(Environment::new(config).expect("env"));
    let gateway = Gateway::new(env).mount(hello::Proxy).expect("mount");

    // An application's own hyper server, handing requests to the gateway service.
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
        .await
        .expect("bind");
    let addr = listener.local_addr().expect("addr");
    tokio::spawn(async move {
        while let Ok((stream, _)) = listener.accept().await {
            let gw = gateway.clone();
            // The gateway is driven purely through its `tower::Service` impl.
            let svc = hyper::service::service_fn(move |req| {
                let mut gw = gw.clone();
                tower_service::Service::call(&mut gw, req)
            });
            tokio::spawn(
                hyper::server::conn::http1::Builder::new()
                    .serve_connection(TokioIo::new(stream), svc),
            );
        }
    });

    let client = Client::builder(TokioExecutor::new()).build_http::<Full<Bytes>>();
    let resp = client
        .get(
            format!("http://{addr}/hello/greet/tower")
                .parse()
                .expect("uri"),
        )
        .await
        .expect("response");
    assert_eq!(resp.status(), 200);
    let body = resp.into_body().collect().await.expect("body").to_bytes();
    let json: serde_json::Value = serde_json::from_slice(&body).expect("json");
    assert_eq!(json["path"], "/greet/tower");
}

#[tokio::test]
async fn several_proxies_are_routed_by_longest_base_path() {
    let gw = TestGateway::start(
        |g| {
            g.mount(flows::Proxy)
                .and_then(|g| g.mount(hello::Proxy))
                .expect("mount")
        },
        |_| {},
    )
    .await;
    assert_eq!(
        gw.get("/hello/greet/a").await.header("x-route").as_deref(),
        Some("greet")
    );
    assert_eq!(gw.get("/flows/x").await.status, 200);
    assert_eq!(gw.get("/hellox").await.status, 404);
}

/// `hello` reads no request header after its target call, so the compiler
/// moves the headers into the outbound request (`RequestHeaders::Move` in
/// its snapshot): they arrive whole, hop-by-hop ones stripped, and the
/// client still gets its answer. (`flows`, which reads `request.header.*`
/// in its response flows, keeps a copy: see `flows.rs`.)
#[tokio::test]
async fn moved_request_headers_reach_the_target_without_hop_by_hop_ones() {
    let gw = TestGateway::serving(hello::Proxy).await;
    let resp = gw
        .send(
            "GET",
            "/hello/moved",
            &[
                ("x-custom", "v"),
                ("x-multi", "1"),
                ("connection", "x-secret-hop"),
                ("x-secret-hop", "1"),
                ("te", "trailers"),
            ],
            "",
        )
        .await;
    assert_eq!(resp.status, 200, "{}", resp.text());
    let req = gw
        .echo
        .requests()
        .pop()
        .expect("the backend got the request");
    assert_eq!(req.header("x-custom"), Some("v"));
    assert_eq!(req.header("x-multi"), Some("1"));
    assert_eq!(req.header("x-secret-hop"), None);
    assert_eq!(req.header("te"), None);
    assert!(req.header("host").is_some());
}
