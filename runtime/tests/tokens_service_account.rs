//! Service-account key flow against the local token server: real RS256 signing and
//! JWT-bearer exchange, caching, refresh, single-flight, failures, secrecy.

use std::sync::Arc;
use std::time::Duration;

use proxyc_runtime::tokens::{
    CLOUD_PLATFORM_SCOPE, CredentialsConfig, FAULT_CODE, FAULT_STATUS, TokenError, TokenKind,
    TokenSource, TokenSourceConfig,
};
use proxyc_testkit::google::RunningServer;
use proxyc_testkit::google::keys::{KeyFile, ServiceAccountKey};
use proxyc_testkit::google::token_server::{self, JWT_BEARER_GRANT, TOKEN_PATH, TokenServer};

fn access(scopes: &[&str]) -> TokenKind {
    TokenKind::Access {
        scopes: scopes.iter().map(|s| (*s).to_owned()).collect(),
        lifetime_secs: None,
    }
}

fn cloud_platform() -> TokenKind {
    access(&[CLOUD_PLATFORM_SCOPE])
}

/// A token server for the shared key, a key file pointing at it, and a config using it.
async fn setup(expires_in: u64) -> (RunningServer<TokenServer>, KeyFile, TokenSourceConfig) {
    let key = ServiceAccountKey::shared().expect("key");
    let server = TokenServer::for_key(key)
        .expect("server")
        .with_expires_in(expires_in);
    let server = token_server::start(server).await.expect("start");
    let file = key
        .write_key_file(&server.url(TOKEN_PATH))
        .expect("key file");
    let config = TokenSourceConfig::new(CredentialsConfig::ServiceAccountKey {
        path: file.path().to_owned(),
    });
    (server, file, config)
}

#[tokio::test]
async fn access_token_is_minted_from_a_signed_assertion() {
    let (server, _file, config) = setup(3600).await;
    let source = TokenSource::new(config).expect("source");
    let token = source.token(&cloud_platform()).await.expect("token");
    assert_eq!(token.secret(), "ya29.local-1");
    let left = token.expires_in().expect("expires").as_secs();
    assert!((3590..=3600).contains(&left), "{left}");

    let request = &server.requests()[0];
    assert_eq!(
        request.header("content-type"),
        Some("application/x-www-form-urlencoded")
    );
    let form = request.form_pairs();
    assert_eq!(
        form[0],
        ("grant_type".to_owned(), JWT_BEARER_GRANT.to_owned())
    );
    assert_eq!(form[1].0, "assertion");

    let key = ServiceAccountKey::shared().expect("key");
    let assertion = &server.assertions()[0];
    assert_eq!(assertion.kid.as_deref(), Some(key.private_key_id.as_str()));
    let claims = &assertion.claims;
    assert_eq!(claims["iss"], key.client_email.as_str());
    assert_eq!(claims["aud"], server.url(TOKEN_PATH).as_str());
    assert_eq!(claims["scope"], CLOUD_PLATFORM_SCOPE);
    assert!(claims.get("sub").is_none() && claims.get("target_audience").is_none());
    let (iat, exp) = (
        claims["iat"].as_u64().unwrap_or(0),
        claims["exp"].as_u64().unwrap_or(0),
    );
    assert_eq!(exp - iat, 3600);
    let now = jsonwebtoken::get_current_timestamp();
    assert!(
        iat <= now - 10 && iat + 15 >= now,
        "iat is back-dated by 10 s"
    );
}

#[tokio::test]
async fn scopes_are_space_joined_and_empty_means_cloud_platform() {
    let (server, _file, config) = setup(3600).await;
    let source = TokenSource::new(config).expect("source");
    source.token(&access(&["s1", "s2"])).await.expect("token");
    source.token(&access(&[])).await.expect("token");
    let assertions = server.assertions();
    assert_eq!(assertions[0].claims["scope"], "s1 s2");
    assert_eq!(assertions[1].claims["scope"], CLOUD_PLATFORM_SCOPE);
    // The default scope shares the cache entry with an explicit cloud-platform request.
    source.token(&cloud_platform()).await.expect("token");
    assert_eq!(server.issued_count(), 2);
}

#[tokio::test]
async fn tokens_are_cached_per_kind() {
    let (server, _file, config) = setup(3600).await;
    let source = TokenSource::new(config).expect("source");
    let first = source.token(&cloud_platform()).await.expect("token");
    let second = source
        .clone()
        .token(&cloud_platform())
        .await
        .expect("token");
    assert_eq!(first.secret(), second.secret());
    assert_eq!(server.issued_count(), 1);
    source.token(&access(&["other"])).await.expect("token");
    assert_eq!(
        server.issued_count(),
        2,
        "another scope set is another cache entry"
    );
}

#[tokio::test]
async fn tokens_are_refreshed_within_the_margin() {
    // 30 s lifetime < 60 s default margin: every call refreshes.
    let (server, _file, config) = setup(30).await;
    let source = TokenSource::new(config.clone()).expect("source");
    let first = source.token(&cloud_platform()).await.expect("token");
    let second = source.token(&cloud_platform()).await.expect("token");
    assert_ne!(first.secret(), second.secret());
    assert_eq!(server.issued_count(), 2);

    // With a 5 s margin the same lifetime is served from the cache.
    let source = TokenSource::new(TokenSourceConfig {
        refresh_margin: Duration::from_secs(5),
        ..config
    })
    .expect("source");
    source.token(&cloud_platform()).await.expect("token");
    source.token(&cloud_platform()).await.expect("token");
    assert_eq!(server.issued_count(), 3);
}

#[tokio::test]
async fn concurrent_callers_share_one_refresh() {
    let (server, _file, config) = setup(3600).await;
    server.set_delay(Duration::from_millis(300));
    let source = TokenSource::new(config).expect("source");
    let mut tasks = Vec::new();
    for _ in 0..16 {
        let source = source.clone();
        tasks.push(tokio::spawn(async move {
            source.token(&cloud_platform()).await
        }));
    }
    for task in tasks {
        let token = task.await.expect("join").expect("token");
        assert_eq!(token.secret(), "ya29.local-1");
    }
    assert_eq!(server.request_count(), 1);
}

#[tokio::test]
async fn concurrent_callers_share_one_failure_which_is_not_cached() {
    let (server, _file, config) = setup(3600).await;
    server.fail_with(503, "temporarily_unavailable");
    server.set_delay(Duration::from_millis(300));
    let source = Arc::new(TokenSource::new(config).expect("source"));
    let mut tasks = Vec::new();
    for _ in 0..8 {
        let source = Arc::clone(&source);
        tasks.push(tokio::spawn(async move {
            source.token(&cloud_platform()).await
        }));
    }
    for task in tasks {
        assert!(task.await.expect("join").is_err());
    }
    assert_eq!(server.request_count(), 1);
    server.recover();
    server.set_delay(Duration::ZERO);
    assert!(
        source.token(&cloud_platform()).await.is_ok(),
        "failure was not cached"
    );
    assert_eq!(server.request_count(), 2);
}

#[tokio::test]
async fn id_tokens_carry_target_audience_and_expire_per_exp_claim() {
    let (server, _file, config) = setup(1800).await;
    let source = TokenSource::new(config).expect("source");
    let kind = TokenKind::Id {
        audience: "https://svc-xyz.a.run.app".into(),
        include_email: false,
    };
    let token = source.token(&kind).await.expect("token");
    let claims = server
        .verify_id_token(token.secret())
        .expect("issued by the server");
    assert_eq!(claims["aud"], "https://svc-xyz.a.run.app");
    let left = token.expires_in().expect("expires").as_secs();
    assert!((1790..=1800).contains(&left), "{left}");
    let assertion = &server.assertions()[0].claims;
    assert_eq!(assertion["target_audience"], "https://svc-xyz.a.run.app");
    assert!(assertion.get("scope").is_none());
    source.token(&kind).await.expect("cached");
    assert_eq!(server.issued_count(), 1);
}

#[tokio::test]
async fn a_rejected_exchange_is_a_token_error() {
    let (server, _file, config) = setup(3600).await;
    server.fail_with(401, "invalid_grant");
    let source = TokenSource::new(config).expect("source");
    let error = source
        .token(&cloud_platform())
        .await
        .expect_err("must fail");
    match &error {
        TokenError::Rejected {
            status,
            reason,
            endpoint,
        } => {
            assert_eq!(*status, 401);
            assert!(reason.starts_with("invalid_grant"), "{reason}");
            assert_eq!(endpoint, &server.url(TOKEN_PATH));
        }
        other => panic!("unexpected {other:?}"),
    }
    assert_eq!(error.fault_code(), FAULT_CODE);
    assert_eq!(FAULT_STATUS, 500);
    assert_eq!(
        FAULT_CODE,
        "messaging.adaptors.http.filter.GoogleTokenGenerationFailure"
    );
    assert!(error.to_string().contains("HTTP 401"), "{error}");
}

#[tokio::test]
async fn token_uri_override_replaces_the_key_file_endpoint() {
    let key = ServiceAccountKey::shared().expect("key");
    let server = token_server::start(TokenServer::for_key(key).expect("server"))
        .await
        .expect("start");
    let file = key
        .write_key_file("https://oauth2.invalid/token")
        .expect("key file");
    let mut config = TokenSourceConfig::new(CredentialsConfig::ServiceAccountKey {
        path: file.path().to_owned(),
    });
    config.token_uri_override = Some(server.url(TOKEN_PATH));
    let source = TokenSource::new(config).expect("source");
    source.token(&cloud_platform()).await.expect("token");
    assert_eq!(
        server.assertions()[0].claims["aud"],
        server.url(TOKEN_PATH).as_str()
    );
}

#[tokio::test]
async fn slow_endpoints_time_out() {
    let (server, _file, mut config) = setup(3600).await;
    server.set_delay(Duration::from_secs(3));
    config.timeout = Duration::from_millis(200);
    let source = TokenSource::new(config).expect("source");
    let error = source.token(&cloud_platform()).await.expect_err("timeout");
    assert!(matches!(error, TokenError::Timeout { .. }), "{error:?}");
}

#[tokio::test]
async fn unreachable_endpoints_are_transport_errors() {
    let (server, _file, config) = setup(3600).await;
    server.shutdown().await;
    let source = TokenSource::new(config).expect("source");
    let error = source.token(&cloud_platform()).await.expect_err("refused");
    assert!(matches!(error, TokenError::Transport { .. }), "{error:?}");
}

#[tokio::test]
async fn secrets_never_appear_in_debug_or_display() {
    let (_server, _file, config) = setup(3600).await;
    let source = TokenSource::new(config).expect("source");
    let token = source.token(&cloud_platform()).await.expect("token");
    assert_eq!(format!("{token:?}"), "Token(***)");
    assert_eq!(token.to_string(), "Token(***)");
    let header = token.header_value().expect("header");
    assert_eq!(header.to_str().ok(), Some("Bearer ya29.local-1"));
    assert!(header.is_sensitive());
    assert!(!format!("{header:?}").contains("ya29"));
    let debug = format!("{source:?}");
    assert!(
        !debug.contains("PRIVATE KEY") && !debug.contains("ya29"),
        "{debug}"
    );
    let source = TokenSource::new(TokenSourceConfig::new(CredentialsConfig::Static {
        token: "s3cr3t".into(),
    }))
    .expect("static");
    let static_token = source.token(&cloud_platform()).await.expect("static");
    assert_eq!(static_token.secret(), "s3cr3t");
    assert!(static_token.expires_at().is_none());
    assert!(!format!("{source:?}").contains("s3cr3t"));
    let config = TokenSourceConfig::new(CredentialsConfig::Static {
        token: "s3cr3t".into(),
    });
    assert!(!format!("{config:?}").contains("s3cr3t"));
}

#[tokio::test]
async fn unusable_key_files_fail_at_construction() {
    let missing = TokenSource::new(TokenSourceConfig::new(
        CredentialsConfig::ServiceAccountKey {
            path: "/nonexistent/key.json".into(),
        },
    ));
    assert!(matches!(missing, Err(TokenError::Credentials(_))));
    let empty = TokenSource::new(TokenSourceConfig::new(CredentialsConfig::Static {
        token: " ".into(),
    }));
    assert!(matches!(empty, Err(TokenError::Credentials(_))));
}
