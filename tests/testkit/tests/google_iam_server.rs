//! The local IAM Credentials API checks callers, accounts and bodies.

mod google_common;

use google_common::send;
use http::Method;
use proxyc_testkit::google::iam_server::{self, IamServer};
use serde_json::json;

const SA: &str = "target@proxyc-local.iam.gserviceaccount.com";

#[tokio::test]
async fn callers_accounts_and_bodies_are_checked() {
    let server = iam_server::start(IamServer::new()).await.expect("start");
    server.allow_token("caller");
    server.allow_service_account(SA);
    let url = server.url(&format!(
        "/v1/projects/-/serviceAccounts/{SA}:generateAccessToken"
    ));
    let auth = ("authorization", "Bearer caller");
    let ct = ("content-type", "application/json");
    let body = json!({"scope": ["s"], "lifetime": "300s", "delegates": []}).to_string();

    let reply = send(Method::POST, &url, &[auth, ct], body.clone()).await;
    assert_eq!(reply.status, 200, "{}", reply.text());
    assert_eq!(reply.json()["accessToken"], "ya29.impersonated-1");
    assert!(
        reply.json()["expireTime"]
            .as_str()
            .is_some_and(|t| t.ends_with('Z'))
    );

    let reply = send(Method::POST, &url, &[ct], body.clone()).await;
    assert_eq!(reply.json()["error"]["status"], "UNAUTHENTICATED");
    let other = server
        .url("/v1/projects/-/serviceAccounts/other@x.iam.gserviceaccount.com:generateAccessToken");
    let reply = send(Method::POST, &other, &[auth, ct], body.clone()).await;
    assert_eq!(reply.json()["error"]["status"], "PERMISSION_DENIED");

    for bad in [
        json!({"scope": []}),
        json!({"scope": ["s"], "lifetime": "2h"}),
        json!({"scope": ["s"], "lifetime": "7200s"}),
        json!({"scope": ["s"], "delegates": ["someone"]}),
        json!({"scope": ["s"], "extra": 1}),
    ] {
        let reply = send(Method::POST, &url, &[auth, ct], bad.to_string()).await;
        assert_eq!(reply.status, 400, "{bad}");
    }
    let id_url = server.url(&format!(
        "/v1/projects/-/serviceAccounts/{SA}:generateIdToken"
    ));
    let reply = send(
        Method::POST,
        &id_url,
        &[auth, ct],
        json!({"includeEmail": true}).to_string(),
    )
    .await;
    assert_eq!(reply.status, 400);
    let reply = send(
        Method::POST,
        &id_url,
        &[auth, ct],
        json!({"audience": "a"}).to_string(),
    )
    .await;
    let claims = server
        .verify_id_token(reply.json()["token"].as_str().unwrap_or(""))
        .expect("genuine");
    assert!(claims.get("email").is_none());
    assert_eq!(server.issued_count(), 2);
}
