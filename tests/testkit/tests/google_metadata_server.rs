//! The local metadata server behaves like the real one at the HTTP level.

mod google_common;

use google_common::send;
use http::Method;
use proxyc_testkit::google::metadata_server::{self, ACCOUNTS_PATH, MetadataServer};

const EMAIL: &str = "vm@proxyc-local.iam.gserviceaccount.com";
const FLAVOR: (&str, &str) = ("metadata-flavor", "Google");

#[tokio::test]
async fn the_flavor_header_is_required_and_echoed() {
    let server = metadata_server::start(MetadataServer::new(EMAIL))
        .await
        .expect("start");
    let url = server.url(&format!("{ACCOUNTS_PATH}default/token"));
    let reply = send(Method::GET, &url, &[], "").await;
    assert_eq!(reply.status, 403);
    let reply = send(Method::GET, &url, &[("metadata-flavor", "google-ish")], "").await;
    assert_eq!(reply.status, 403);
    let reply = send(Method::GET, &url, &[FLAVOR], "").await;
    assert_eq!(reply.status, 200);
    assert_eq!(
        reply
            .headers
            .get("metadata-flavor")
            .and_then(|v| v.to_str().ok()),
        Some("Google")
    );
    assert_eq!(reply.json()["access_token"], "ya29.metadata-1");
    assert_eq!(reply.json()["expires_in"], 3599);
    assert_eq!(reply.json()["token_type"], "Bearer");
    server.set_omit_flavor_header(true);
    let reply = send(Method::GET, &url, &[FLAVOR], "").await;
    assert!(reply.headers.get("metadata-flavor").is_none());
}

#[tokio::test]
async fn identity_and_email_endpoints() {
    let server = metadata_server::start(MetadataServer::new(EMAIL))
        .await
        .expect("start");
    let identity = server.url(&format!("{ACCOUNTS_PATH}default/identity"));
    let reply = send(
        Method::GET,
        &format!("{identity}?audience=https%3A%2F%2Fa.example&format=full"),
        &[FLAVOR],
        "",
    )
    .await;
    let claims = server.verify_id_token(&reply.text()).expect("genuine");
    assert_eq!(claims["aud"], "https://a.example");
    assert_eq!(claims["email"], EMAIL);
    let reply = send(
        Method::GET,
        &format!("{identity}?audience=x"),
        &[FLAVOR],
        "",
    )
    .await;
    let claims = server.verify_id_token(&reply.text()).expect("genuine");
    assert!(
        claims.get("email").is_none(),
        "standard format has no email"
    );
    assert_eq!(
        send(Method::GET, &identity, &[FLAVOR], "").await.status,
        400
    );
    let email = send(
        Method::GET,
        &server.url(&format!("{ACCOUNTS_PATH}{EMAIL}/email")),
        &[FLAVOR],
        "",
    )
    .await;
    assert_eq!(email.text(), EMAIL);
    let unknown = send(
        Method::GET,
        &server.url(&format!("{ACCOUNTS_PATH}x@y/email")),
        &[FLAVOR],
        "",
    )
    .await;
    assert_eq!(unknown.status, 404);
    assert_eq!(server.issued_count(), 2);
    assert_eq!(server.request_count(), 5);
}

#[tokio::test]
async fn failures_can_be_injected() {
    let server = metadata_server::start(MetadataServer::new(EMAIL))
        .await
        .expect("start");
    server.fail_with(503);
    let url = server.url(&format!("{ACCOUNTS_PATH}default/token"));
    assert_eq!(send(Method::GET, &url, &[FLAVOR], "").await.status, 503);
    server.recover();
    assert_eq!(send(Method::GET, &url, &[FLAVOR], "").await.status, 200);
}
