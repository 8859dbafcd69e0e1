//! Minimal HTTP(S) client used to talk to token endpoints. Kept behind one function
//! ([`send`]) so it can later be replaced by the runtime's shared client.

use std::sync::{Arc, OnceLock};
use std::time::Duration;

use bytes::Bytes;
use http::{Request, Response};
use http_body_util::{BodyExt, Full, Limited};
use hyper_rustls::HttpsConnector;
use hyper_util::client::legacy::Client;
use hyper_util::client::legacy::connect::HttpConnector;
use hyper_util::rt::TokioExecutor;

use super::error::{TokenError, endpoint_of};

/// Largest response body accepted from a token endpoint.
const MAX_BODY_BYTES: usize = 1024 * 1024;

type HttpsClient = Client<HttpsConnector<HttpConnector>, Full<Bytes>>;

/// Process-wide client (connection pool), created on first use.
static CLIENT: OnceLock<HttpsClient> = OnceLock::new();

/// Sends `req` and reads the whole response body, all within `timeout`.
/// `https` URLs use rustls (ring, webpki roots, certificate verification always on);
/// `http` URLs (metadata server, local test servers) go over plain TCP.
pub(crate) async fn send(
    req: Request<Full<Bytes>>,
    timeout: Duration,
) -> Result<Response<Bytes>, TokenError> {
    let endpoint = endpoint_of(req.uri());
    let client = client(&endpoint)?;
    let exchange = async {
        let response = client
            .request(req)
            .await
            .map_err(|e| TokenError::Transport {
                endpoint: endpoint.clone(),
                message: transport_message(&e),
            })?;
        let (parts, body) = response.into_parts();
        let body = Limited::new(body, MAX_BODY_BYTES)
            .collect()
            .await
            .map_err(|e| TokenError::Transport {
                endpoint: endpoint.clone(),
                message: format!("reading the response body failed: {e}"),
            })?
            .to_bytes();
        Ok(Response::from_parts(parts, body))
    };
    match tokio::time::timeout(timeout, exchange).await {
        Ok(result) => result,
        Err(_) => Err(TokenError::Timeout {
            endpoint,
            after: timeout,
        }),
    }
}

fn client(endpoint: &str) -> Result<&'static HttpsClient, TokenError> {
    if let Some(client) = CLIENT.get() {
        return Ok(client);
    }
    let provider = Arc::new(rustls::crypto::ring::default_provider());
    let connector = hyper_rustls::HttpsConnectorBuilder::new()
        .with_provider_and_webpki_roots(provider)
        .map_err(|e| TokenError::Transport {
            endpoint: endpoint.to_owned(),
            message: format!("TLS configuration failed: {e}"),
        })?
        .https_or_http()
        .enable_http1()
        .build();
    let client = Client::builder(TokioExecutor::new())
        .pool_idle_timeout(Duration::from_secs(60))
        .build(connector);
    Ok(CLIENT.get_or_init(|| client))
}

/// Describes a client error including its source chain (connect refused, TLS, ...).
fn transport_message(error: &hyper_util::client::legacy::Error) -> String {
    let mut message = error.to_string();
    let mut source = std::error::Error::source(error);
    while let Some(cause) = source {
        message.push_str(": ");
        message.push_str(&cause.to_string());
        source = cause.source();
    }
    message
}
