//! Target transport properties applied to real calls: header and query
//! parameter retention.

use proxyc_tests::harness::TestGateway;
use proxyc_tests::proxies::retain;

#[tokio::test]
async fn only_retained_headers_and_query_parameters_pass() {
    let gw = TestGateway::serving(retain::Proxy).await;
    let r = gw
        .send(
            "GET",
            "/retain/x?keep=1&drop=2",
            &[("x-keep", "yes"), ("x-drop", "no"), ("accept", "*/*")],
            "",
        )
        .await;
    assert_eq!(r.status, 200, "{}", r.text());
    let seen = r.json();
    assert_eq!(seen["path"], "/r/x");
    assert_eq!(seen["query"], serde_json::json!({"keep": "1"}));
    assert_eq!(seen["headers"]["x-keep"], "yes");
    assert_eq!(seen["headers"]["accept"], "*/*");
    assert!(seen["headers"].get("x-drop").is_none(), "{seen}");
    // The backend's `x-backend` header is not retained; Content-Type is.
    assert_eq!(
        r.header("content-type").as_deref(),
        Some("application/json")
    );
    assert_eq!(r.header("x-backend"), None);
}
