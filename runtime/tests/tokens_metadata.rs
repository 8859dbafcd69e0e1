//! Metadata-server flow against the local metadata server.

use std::time::Duration;

use proxyc_runtime::tokens::{
    CredentialsConfig, TokenError, TokenKind, TokenSource, TokenSourceConfig,
};
use proxyc_testkit::google::RunningServer;
use proxyc_testkit::google::metadata_server::{self, ACCOUNTS_PATH, MetadataServer};

const EMAIL: &str = "runtime@proxyc-local.iam.gserviceaccount.com";

async fn setup(server: MetadataServer) -> (RunningServer<MetadataServer>, TokenSource) {
    let server = metadata_server::start(server).await.expect("start");
    let source = TokenSource::new(TokenSourceConfig::new(CredentialsConfig::MetadataServer {
        root: format!("{}/", server.base_url()),
    }))
    .expect("source");
    (server, source)
}

#[tokio::test]
async fn access_tokens_come_from_the_token_endpoint_with_scopes() {
    let (server, source) = setup(MetadataServer::new(EMAIL).with_expires_in(1967)).await;
    let kind = TokenKind::Access {
        scopes: vec!["https://a/s1".into(), "https://a/s2".into()],
        lifetime_secs: Some(600),
    };
    let token = source.token(&kind).await.expect("token");
    assert_eq!(token.secret(), "ya29.metadata-1");
    let left = token.expires_in().expect("expires").as_secs();
    assert!((1960..=1967).contains(&left), "{left}");
    source.token(&kind).await.expect("cached");
    assert_eq!(server.issued_count(), 1);

    let request = &server.requests()[0];
    assert_eq!(request.path, format!("{ACCOUNTS_PATH}default/token"));
    assert_eq!(request.header("metadata-flavor"), Some("Google"));
    assert_eq!(
        request.query_pairs(),
        vec![("scopes".to_owned(), "https://a/s1,https://a/s2".to_owned())]
    );
}

#[tokio::test]
async fn id_tokens_use_the_identity_endpoint_in_full_format() {
    let (server, source) = setup(MetadataServer::new(EMAIL)).await;
    let kind = TokenKind::Id {
        audience: "https://svc.example/path".into(),
        include_email: true,
    };
    let token = source.token(&kind).await.expect("token");
    let claims = server.verify_id_token(token.secret()).expect("genuine");
    assert_eq!(claims["aud"], "https://svc.example/path");
    assert_eq!(claims["email"], EMAIL);
    let request = &server.requests()[0];
    assert_eq!(request.path, format!("{ACCOUNTS_PATH}default/identity"));
    assert_eq!(
        request.query_pairs(),
        vec![
            ("audience".to_owned(), "https://svc.example/path".to_owned()),
            ("format".to_owned(), "full".to_owned()),
        ]
    );
}

#[tokio::test]
async fn short_lived_metadata_tokens_are_refreshed() {
    let (server, source) = setup(MetadataServer::new(EMAIL).with_expires_in(45)).await;
    let kind = TokenKind::Access {
        scopes: vec![],
        lifetime_secs: None,
    };
    source.token(&kind).await.expect("token");
    source.token(&kind).await.expect("token");
    assert_eq!(server.issued_count(), 2);
}

#[tokio::test]
async fn responses_without_the_flavor_header_are_rejected() {
    let (server, source) = setup(MetadataServer::new(EMAIL)).await;
    server.set_omit_flavor_header(true);
    let kind = TokenKind::Access {
        scopes: vec![],
        lifetime_secs: None,
    };
    let error = source.token(&kind).await.expect_err("impostor");
    match error {
        TokenError::InvalidResponse { message, .. } => assert!(message.contains("Metadata-Flavor")),
        other => panic!("unexpected {other:?}"),
    }
}

#[tokio::test]
async fn metadata_failures_are_token_errors_and_not_cached() {
    let (server, source) = setup(MetadataServer::new(EMAIL)).await;
    server.fail_with(500);
    let kind = TokenKind::Id {
        audience: "aud".into(),
        include_email: false,
    };
    let error = source.token(&kind).await.expect_err("fails");
    assert!(
        matches!(error, TokenError::Rejected { status: 500, .. }),
        "{error:?}"
    );
    server.recover();
    source.token(&kind).await.expect("recovered");
    assert_eq!(server.issued_count(), 1);
}

#[tokio::test]
async fn metadata_calls_time_out() {
    let server = metadata_server::start(MetadataServer::new(EMAIL))
        .await
        .expect("start");
    server.set_delay(Duration::from_secs(3));
    let mut config = TokenSourceConfig::new(CredentialsConfig::MetadataServer {
        root: server.base_url(),
    });
    config.timeout = Duration::from_millis(150);
    let source = TokenSource::new(config).expect("source");
    let kind = TokenKind::Access {
        scopes: vec![],
        lifetime_secs: None,
    };
    let error = source.token(&kind).await.expect_err("timeout");
    assert!(matches!(error, TokenError::Timeout { .. }), "{error:?}");
}
