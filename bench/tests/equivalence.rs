//! The hand-written baseline must behave exactly like the generated proxies:
//! for every scenario (and a few edges), both get the same request and must
//! answer the same status, headers (but `date`) and body. Integration
//! answers carry a fresh execution id and request id, which are compared
//! after removing them.

use bytes::Bytes;
use http_body_util::{BodyExt, Empty};
use hyper_util::client::legacy::Client;
use hyper_util::client::legacy::connect::HttpConnector;
use hyper_util::rt::TokioExecutor;
use proxyc_bench::hand::Hand;
use std::net::SocketAddr;
use std::sync::Arc;
use tokio::net::TcpListener;

async fn listener() -> (TcpListener, SocketAddr) {
    let l = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let a = l.local_addr().unwrap();
    (l, a)
}

/// Backend, gateway and hand-written handler on ephemeral ports.
async fn start(backend_up: bool) -> (SocketAddr, SocketAddr) {
    let (bl, backend) = listener().await;
    if backend_up {
        let base: Arc<str> = format!("http://{backend}").into();
        tokio::spawn(proxyc_bench::serve::serve(bl, move |req| {
            let base = base.clone();
            async move { proxyc_bench::backend::respond(req, &base).await }
        }));
    } else {
        drop(bl);
    }
    let (gl, gateway) = listener().await;
    let gw = proxyc_bench::generated::gateway(backend).unwrap();
    tokio::spawn(gw.serve(gl, std::future::pending()));
    let (hl, hand) = listener().await;
    let h = Arc::new(Hand::new(backend).unwrap());
    tokio::spawn(proxyc_bench::serve::serve(hl, move |req| {
        let h = Arc::clone(&h);
        async move { h.handle(req).await }
    }));
    (gateway, hand)
}

type Answer = (u16, Vec<(String, String)>, serde_json::Value);

async fn get(
    client: &Client<HttpConnector, Empty<Bytes>>,
    addr: SocketAddr,
    method: &str,
    path: &str,
) -> Answer {
    let req = http::Request::builder()
        .method(method)
        .uri(format!("http://{addr}{path}"))
        .header("x-apigee-secret", "dropped")
        .header("connection", "keep-alive, x-hop")
        .header("x-hop", "dropped")
        .header("x-client", "kept")
        .body(Empty::new())
        .unwrap();
    let resp = client.request(req).await.unwrap();
    let status = resp.status().as_u16();
    let mut headers: Vec<(String, String)> = resp
        .headers()
        .iter()
        .filter(|(n, _)| *n != "date")
        .map(|(n, v)| (n.to_string(), v.to_str().unwrap().to_owned()))
        .collect();
    headers.sort();
    let body = resp.into_body().collect().await.unwrap().to_bytes();
    let mut json: serde_json::Value = serde_json::from_slice(&body)
        .unwrap_or_else(|_| String::from_utf8_lossy(&body).into_owned().into());
    // Fresh per request: the integration's execution id, and the request
    // id SetIntegrationRequest generates (echoed back inside the inputs).
    if let Some(o) = json.as_object_mut() {
        o.remove("executionId");
    }
    (status, headers, json)
}

async fn compare(backend_up: bool, cases: &[(&str, &str, u16)]) {
    let (gateway, hand) = start(backend_up).await;
    let client = Client::builder(TokioExecutor::new()).build_http();
    for &(method, path, status) in cases {
        let generated = get(&client, gateway, method, path).await;
        let written = get(&client, hand, method, path).await;
        assert_eq!(generated.0, status, "{method} {path}: {generated:?}");
        assert_eq!(generated, written, "{method} {path}");
    }
}

#[tokio::test]
async fn hand_written_handler_answers_like_the_generated_proxies() {
    let mut cases: Vec<(&str, &str, u16)> = proxyc_bench::SCENARIOS
        .iter()
        .map(|&(_, path, status)| ("GET", path, status))
        .collect();
    cases.extend([
        ("GET", "/pass", 200),
        ("POST", "/pass/status/404", 404),
        ("GET", "/mediate/admin/x", 200),
        ("POST", "/mediate/items/42", 200),
        ("GET", "/mediate/items/42/more", 200),
        ("GET", "/mediate/status/500", 500),
        ("GET", "/integration", 200),
        ("GET", "/integration?customer=a%20b", 200),
        ("GET", "/nowhere", 404),
        ("GET", "/pass/%2e%2e/x", 404),
    ]);
    compare(true, &cases).await;
}

#[tokio::test]
async fn hand_written_handler_fails_like_the_generated_proxies() {
    compare(
        false,
        &[
            ("GET", "/pass/x", 503),
            ("GET", "/mediate/items/1", 503),
            ("GET", "/fault/x", 503),
        ],
    )
    .await;
}
