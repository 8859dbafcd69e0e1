//! Impersonation through the local IAM Credentials API.

use proxyc_runtime::tokens::{
    CLOUD_PLATFORM_SCOPE, CredentialsConfig, TokenError, TokenKind, TokenSource, TokenSourceConfig,
};
use proxyc_testkit::google::iam_server::{self, IamServer};
use proxyc_testkit::google::keys::ServiceAccountKey;
use proxyc_testkit::google::token_server::{self, TOKEN_PATH, TokenServer};
use serde_json::json;

const TARGET: &str = "deployed@proxyc-local.iam.gserviceaccount.com";

fn impersonating(credentials: CredentialsConfig, iam_root: String) -> TokenSourceConfig {
    let mut config = TokenSourceConfig::new(credentials);
    config.impersonate = Some(TARGET.to_owned());
    config.iam_credentials_root = iam_root;
    config
}

#[tokio::test]
async fn access_and_id_tokens_are_generated_for_the_target_account() {
    let iam = iam_server::start(IamServer::new()).await.expect("start");
    iam.allow_token("base-token");
    iam.allow_service_account(TARGET);
    let source = TokenSource::new(impersonating(
        CredentialsConfig::Static {
            token: "base-token".into(),
        },
        iam.base_url(),
    ))
    .expect("source");

    let access = TokenKind::Access {
        scopes: vec![CLOUD_PLATFORM_SCOPE.into()],
        lifetime_secs: Some(1200),
    };
    let token = source.token(&access).await.expect("access");
    assert_eq!(token.secret(), "ya29.impersonated-1");
    let left = token.expires_in().expect("expires").as_secs();
    assert!((1190..=1200).contains(&left), "{left}");

    let id = TokenKind::Id {
        audience: "https://svc.example".into(),
        include_email: true,
    };
    let id_token = source.token(&id).await.expect("id");
    let claims = iam.verify_id_token(id_token.secret()).expect("genuine");
    assert_eq!(claims["aud"], "https://svc.example");
    assert_eq!(claims["email"], TARGET);

    source.token(&access).await.expect("cached");
    source.token(&id).await.expect("cached");
    assert_eq!(iam.issued_count(), 2);

    let requests = iam.requests();
    assert_eq!(
        requests[0].path,
        format!("/v1/projects/-/serviceAccounts/{TARGET}:generateAccessToken")
    );
    assert_eq!(
        requests[0].header("authorization"),
        Some("Bearer base-token")
    );
    assert_eq!(
        requests[0].json(),
        Some(json!({"scope": [CLOUD_PLATFORM_SCOPE], "lifetime": "1200s", "delegates": []}))
    );
    assert_eq!(
        requests[1].path,
        format!("/v1/projects/-/serviceAccounts/{TARGET}:generateIdToken")
    );
    assert_eq!(
        requests[1].json(),
        Some(json!({"audience": "https://svc.example", "includeEmail": true}))
    );
}

#[tokio::test]
async fn the_base_token_comes_from_the_key_and_is_cached() {
    let key = ServiceAccountKey::shared().expect("key");
    let tokens = token_server::start(TokenServer::for_key(key).expect("server"))
        .await
        .expect("start");
    let file = key.write_key_file(&tokens.url(TOKEN_PATH)).expect("file");
    let iam = iam_server::start(IamServer::new()).await.expect("start");
    iam.allow_token("ya29.local-1");
    iam.allow_service_account(TARGET);
    let source = TokenSource::new(impersonating(
        CredentialsConfig::ServiceAccountKey {
            path: file.path().to_owned(),
        },
        iam.base_url(),
    ))
    .expect("source");
    for scope in ["s1", "s2", "s3"] {
        let kind = TokenKind::Access {
            scopes: vec![scope.into()],
            lifetime_secs: None,
        };
        source.token(&kind).await.expect("token");
    }
    assert_eq!(
        tokens.issued_count(),
        1,
        "one base token for all impersonated tokens"
    );
    assert_eq!(tokens.assertions()[0].claims["scope"], CLOUD_PLATFORM_SCOPE);
    assert_eq!(iam.issued_count(), 3);
    assert_eq!(
        iam.requests()[0].json().map(|b| b["lifetime"].clone()),
        Some(json!("3600s"))
    );
}

#[tokio::test]
async fn missing_permission_is_a_token_error() {
    let iam = iam_server::start(IamServer::new()).await.expect("start");
    iam.allow_token("base-token");
    let source = TokenSource::new(impersonating(
        CredentialsConfig::Static {
            token: "base-token".into(),
        },
        iam.base_url(),
    ))
    .expect("source");
    let kind = TokenKind::Access {
        scopes: vec![],
        lifetime_secs: None,
    };
    match source.token(&kind).await {
        Err(TokenError::Rejected {
            status: 403,
            reason,
            ..
        }) => {
            assert!(reason.starts_with("PERMISSION_DENIED"), "{reason}");
        }
        other => panic!("unexpected {other:?}"),
    }
}

#[tokio::test]
async fn invalid_target_accounts_are_refused_at_construction() {
    let result = TokenSource::new(TokenSourceConfig {
        impersonate: Some("not an email/..".into()),
        ..TokenSourceConfig::new(CredentialsConfig::Static { token: "t".into() })
    });
    assert!(matches!(result, Err(TokenError::Credentials(_))));
}
