//! The local OAuth token endpoint verifies assertions for real.

mod google_common;

use google_common::{Reply, send};
use http::Method;
use jsonwebtoken::{Algorithm, EncodingKey, Header};
use proxyc_testkit::google::RunningServer;
use proxyc_testkit::google::keys::ServiceAccountKey;
use proxyc_testkit::google::token_server::{self, JWT_BEARER_GRANT, TOKEN_PATH, TokenServer};
use serde_json::{Value, json};

async fn start() -> (RunningServer<TokenServer>, &'static ServiceAccountKey) {
    let key = ServiceAccountKey::shared().expect("key");
    let server = TokenServer::for_key(key)
        .expect("server")
        .with_expires_in(1234)
        .with_refresh_token("cid", "cs", "rt");
    (token_server::start(server).await.expect("start"), key)
}

fn sign(key: &ServiceAccountKey, claims: &Value) -> String {
    let mut header = Header::new(Algorithm::RS256);
    header.kid = Some(key.private_key_id.clone());
    let encoding = EncodingKey::from_rsa_pem(key.private_key_pem.as_bytes()).expect("pem");
    jsonwebtoken::encode(&header, claims, &encoding).expect("sign")
}

fn claims(server: &RunningServer<TokenServer>, key: &ServiceAccountKey) -> Value {
    let now = jsonwebtoken::get_current_timestamp();
    json!({"iss": key.client_email, "aud": server.url(TOKEN_PATH), "iat": now, "exp": now + 3600,
           "scope": "https://www.googleapis.com/auth/cloud-platform"})
}

async fn exchange(server: &RunningServer<TokenServer>, form: &[(&str, &str)]) -> Reply {
    let body = form_urlencoded::Serializer::new(String::new())
        .extend_pairs(form)
        .finish();
    let headers = [("content-type", "application/x-www-form-urlencoded")];
    send(Method::POST, &server.url(TOKEN_PATH), &headers, body).await
}

async fn assert_grant_error(server: &RunningServer<TokenServer>, assertion: &str, error: &str) {
    let reply = exchange(
        server,
        &[("grant_type", JWT_BEARER_GRANT), ("assertion", assertion)],
    )
    .await;
    assert_eq!(reply.status, 400, "{}", reply.text());
    assert_eq!(reply.json()["error"], error, "{}", reply.text());
}

#[tokio::test]
async fn valid_assertions_get_access_and_id_tokens() {
    let (server, key) = start().await;
    let assertion = sign(key, &claims(&server, key));
    let reply = exchange(
        &server,
        &[("grant_type", JWT_BEARER_GRANT), ("assertion", &assertion)],
    )
    .await;
    assert_eq!(reply.status, 200, "{}", reply.text());
    assert_eq!(
        reply.json(),
        json!({"access_token": "ya29.local-1", "expires_in": 1234, "token_type": "Bearer"})
    );

    let mut id_claims = claims(&server, key);
    id_claims.as_object_mut().map(|c| c.remove("scope"));
    id_claims["target_audience"] = json!("https://svc.example");
    let reply = exchange(
        &server,
        &[
            ("grant_type", JWT_BEARER_GRANT),
            ("assertion", &sign(key, &id_claims)),
        ],
    )
    .await;
    let id_token = reply.json()["id_token"]
        .as_str()
        .expect("id_token")
        .to_owned();
    let verified = server.verify_id_token(&id_token).expect("genuine");
    assert_eq!(verified["aud"], "https://svc.example");
    assert_eq!(verified["email"], key.client_email.as_str());
    assert!(server.verify_id_token(&format!("{id_token}x")).is_none());

    assert_eq!(server.issued_count(), 2);
    assert_eq!(server.access_tokens(), vec!["ya29.local-1".to_owned()]);
    assert_eq!(server.assertions().len(), 2);
    assert_eq!(
        server.assertions()[0].kid.as_deref(),
        Some(key.private_key_id.as_str())
    );
}

#[tokio::test]
async fn invalid_assertions_are_refused() {
    let (server, key) = start().await;
    let other = ServiceAccountKey::generate(&key.client_email).expect("other key");
    assert_grant_error(
        &server,
        &sign(&other, &claims(&server, key)),
        "invalid_grant",
    )
    .await;

    let cases: Vec<(&str, Value)> = vec![
        ("aud", json!("https://oauth2.googleapis.com/token")),
        ("iss", json!("intruder@example.com")),
        ("exp", json!(jsonwebtoken::get_current_timestamp() - 5)),
        ("iat", json!(jsonwebtoken::get_current_timestamp() - 4000)),
    ];
    for (claim, value) in cases {
        let mut bad = claims(&server, key);
        bad[claim] = value;
        assert_grant_error(&server, &sign(key, &bad), "invalid_grant").await;
    }
    let mut future = claims(&server, key);
    future["iat"] = json!(jsonwebtoken::get_current_timestamp() + 600);
    future["exp"] = json!(jsonwebtoken::get_current_timestamp() + 1200);
    assert_grant_error(&server, &sign(key, &future), "invalid_grant").await;

    let mut no_scope = claims(&server, key);
    no_scope.as_object_mut().map(|c| c.remove("scope"));
    assert_grant_error(&server, &sign(key, &no_scope), "invalid_scope").await;
    let mut both = claims(&server, key);
    both["target_audience"] = json!("aud");
    assert_grant_error(&server, &sign(key, &both), "invalid_request").await;
    assert_grant_error(&server, "not.a.jwt", "invalid_grant").await;

    let hs = jsonwebtoken::encode(
        &Header::new(Algorithm::HS256),
        &claims(&server, key),
        &EncodingKey::from_secret(b"secret"),
    )
    .expect("hs256");
    assert_grant_error(&server, &hs, "invalid_grant").await;
    assert_eq!(server.issued_count(), 0);
}

#[tokio::test]
async fn grant_types_and_content_type_are_checked() {
    let (server, _) = start().await;
    let reply = exchange(&server, &[("grant_type", "client_credentials")]).await;
    assert_eq!(
        (reply.status, reply.json()["error"].clone()),
        (400, json!("unsupported_grant_type"))
    );
    let reply = exchange(&server, &[("assertion", "x")]).await;
    assert_eq!(reply.json()["error"], "invalid_request");
    let reply = send(
        Method::POST,
        &server.url(TOKEN_PATH),
        &[("content-type", "application/json")],
        "{}",
    )
    .await;
    assert_eq!(reply.json()["error"], "invalid_request");
    let reply = send(Method::GET, &server.url(TOKEN_PATH), &[], "").await;
    assert_eq!(reply.status, 405);
    let reply = send(Method::POST, &server.url("/other"), &[], "").await;
    assert_eq!(reply.status, 404);
}

#[tokio::test]
async fn refresh_token_grant_checks_user_credentials() {
    let (server, _) = start().await;
    let good = [
        ("grant_type", "refresh_token"),
        ("client_id", "cid"),
        ("client_secret", "cs"),
        ("refresh_token", "rt"),
    ];
    let reply = exchange(&server, &good).await;
    assert_eq!(reply.json()["access_token"], "ya29.local-1");
    let bad_secret = [
        ("grant_type", "refresh_token"),
        ("client_id", "cid"),
        ("client_secret", "no"),
        ("refresh_token", "rt"),
    ];
    assert_eq!(
        exchange(&server, &bad_secret).await.json()["error"],
        "invalid_client"
    );
    let bad_token = [
        ("grant_type", "refresh_token"),
        ("client_id", "cid"),
        ("client_secret", "cs"),
        ("refresh_token", "no"),
    ];
    assert_eq!(
        exchange(&server, &bad_token).await.json()["error"],
        "invalid_grant"
    );
}

#[tokio::test]
async fn failures_can_be_injected_and_cleared() {
    let (server, key) = start().await;
    let assertion = sign(key, &claims(&server, key));
    let form = [
        ("grant_type", JWT_BEARER_GRANT),
        ("assertion", assertion.as_str()),
    ];
    server.fail_with(401, "invalid_grant");
    let reply = exchange(&server, &form).await;
    assert_eq!(
        (reply.status, reply.json()["error"].clone()),
        (401, json!("invalid_grant"))
    );
    server.recover();
    assert_eq!(exchange(&server, &form).await.status, 200);
    assert_eq!(server.request_count(), 2);
}

#[tokio::test]
async fn servers_stop_on_shutdown() {
    let (server, _) = start().await;
    let addr = server.addr();
    server.shutdown().await;
    assert!(tokio::net::TcpStream::connect(addr).await.is_err());
}
