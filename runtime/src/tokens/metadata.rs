//! Metadata server (GCE, GKE Workload Identity, Cloud Run): access and ID tokens of the
//! attached service account.

use std::time::{Duration, Instant};

use bytes::Bytes;
use http::{Method, Request, Response};
use http_body_util::Full;
use serde::Deserialize;

use super::error::{TokenError, endpoint_of};
use super::http::send;
use super::token::Token;

/// Header required on every metadata request and present on every genuine response.
const FLAVOR_HEADER: &str = "metadata-flavor";
const FLAVOR_VALUE: &str = "Google";
const ACCOUNT_PATH: &str = "/computeMetadata/v1/instance/service-accounts/default";

#[derive(Deserialize)]
struct AccessTokenResponse {
    access_token: String,
    expires_in: u64,
}

/// `GET {root}/…/default/token[?scopes=a,b]` ⇒ `{access_token, expires_in}`.
pub(crate) async fn access_token(
    root: &str,
    scopes: &[String],
    timeout: Duration,
) -> Result<Token, TokenError> {
    let mut url = format!("{root}{ACCOUNT_PATH}/token");
    if !scopes.is_empty() {
        let query = form_urlencoded::Serializer::new(String::new())
            .append_pair("scopes", &scopes.join(","))
            .finish();
        url = format!("{url}?{query}");
    }
    let started = Instant::now();
    let (endpoint, response) = get(&url, timeout).await?;
    let parsed: AccessTokenResponse = serde_json::from_slice(response.body()).map_err(|_| {
        TokenError::invalid(
            &endpoint,
            "the body is not an {access_token, expires_in} object",
        )
    })?;
    if parsed.access_token.is_empty() {
        return Err(TokenError::invalid(&endpoint, "the access_token is empty"));
    }
    Token::expiring(parsed.access_token, started, parsed.expires_in, &endpoint)
}

/// `GET {root}/…/default/identity?audience=AUD&format=full` ⇒ the JWT as plain text.
pub(crate) async fn id_token(
    root: &str,
    audience: &str,
    timeout: Duration,
) -> Result<Token, TokenError> {
    let query = form_urlencoded::Serializer::new(String::new())
        .append_pair("audience", audience)
        .append_pair("format", "full")
        .finish();
    let url = format!("{root}{ACCOUNT_PATH}/identity?{query}");
    let (endpoint, response) = get(&url, timeout).await?;
    let jwt = std::str::from_utf8(response.body())
        .map_err(|_| TokenError::invalid(&endpoint, "the ID token is not UTF-8 text"))?;
    Token::from_jwt(jwt.to_owned(), &endpoint)
}

/// GETs `url` with `Metadata-Flavor: Google`, requiring a 2xx answer that carries the
/// same header (guards against a non-metadata server answering at that address).
async fn get(url: &str, timeout: Duration) -> Result<(String, Response<Bytes>), TokenError> {
    let request = Request::builder()
        .method(Method::GET)
        .uri(url)
        .header(FLAVOR_HEADER, FLAVOR_VALUE)
        .body(Full::new(Bytes::new()))
        .map_err(|_| TokenError::Credentials(format!("invalid metadata server URL `{url}`")))?;
    let endpoint = endpoint_of(request.uri());
    let response = send(request, timeout).await?;
    if !response.status().is_success() {
        let status = response.status().as_u16();
        return Err(TokenError::rejected(endpoint, status, response.body()));
    }
    let genuine = response
        .headers()
        .get(FLAVOR_HEADER)
        .is_some_and(|v| v.as_bytes() == FLAVOR_VALUE.as_bytes());
    if !genuine {
        return Err(TokenError::invalid(
            &endpoint,
            "the response lacks `Metadata-Flavor: Google`; this is not a metadata server",
        ));
    }
    Ok((endpoint, response))
}
