//! HTTPS endpoints go through rustls with certificate verification always on.

use std::sync::Arc;

use proxyc_runtime::tokens::{
    CredentialsConfig, TokenError, TokenKind, TokenSource, TokenSourceConfig,
};
use proxyc_testkit::google::keys::ServiceAccountKey;
use tokio::net::TcpListener;
use tokio_rustls::TlsAcceptor;
use tokio_rustls::rustls::ServerConfig;
use tokio_rustls::rustls::pki_types::{PrivateKeyDer, PrivatePkcs8KeyDer};

#[tokio::test]
async fn self_signed_https_endpoints_are_refused() {
    let certified = rcgen::generate_simple_self_signed(vec!["127.0.0.1".to_owned()]).expect("cert");
    let key = PrivateKeyDer::Pkcs8(PrivatePkcs8KeyDer::from(
        certified.signing_key.serialize_der(),
    ));
    let provider = Arc::new(tokio_rustls::rustls::crypto::ring::default_provider());
    let config = ServerConfig::builder_with_provider(provider)
        .with_safe_default_protocol_versions()
        .expect("versions")
        .with_no_client_auth()
        .with_single_cert(vec![certified.cert.der().clone()], key)
        .expect("server config");
    let acceptor = TlsAcceptor::from(Arc::new(config));
    let listener = TcpListener::bind(("127.0.0.1", 0)).await.expect("bind");
    let addr = listener.local_addr().expect("addr");
    let server = tokio::spawn(async move {
        if let Ok((stream, _)) = listener.accept().await {
            // The client aborts the handshake: the outcome is irrelevant here.
            let _ = acceptor.accept(stream).await;
        }
    });

    let sa = ServiceAccountKey::shared().expect("key");
    let file = sa
        .write_key_file(&format!("https://{addr}/token"))
        .expect("file");
    let source = TokenSource::new(TokenSourceConfig::new(
        CredentialsConfig::ServiceAccountKey {
            path: file.path().to_owned(),
        },
    ))
    .expect("source");
    let kind = TokenKind::Access {
        scopes: vec![],
        lifetime_secs: None,
    };
    match source.token(&kind).await {
        Err(TokenError::Transport { message, endpoint }) => {
            assert_eq!(endpoint, format!("https://{addr}/token"));
            assert!(message.to_lowercase().contains("certificate"), "{message}");
        }
        other => panic!("unexpected {other:?}"),
    }
    server.abort();
}
