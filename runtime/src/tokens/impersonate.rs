//! Service-account impersonation through the IAM Credentials API
//! (`generateAccessToken` / `generateIdToken`), authenticated with the base identity's
//! cloud-platform access token.

use std::time::{Duration, Instant};

use bytes::Bytes;
use http::{Method, Request, header};
use http_body_util::Full;
use serde::Deserialize;
use serde_json::json;
use time::OffsetDateTime;
use time::format_description::well_known::Rfc3339;

use super::error::{TokenError, endpoint_of};
use super::http::send;
use super::token::Token;

/// Default IAM Credentials API root.
pub const DEFAULT_IAM_CREDENTIALS_ROOT: &str = "https://iamcredentials.googleapis.com";

/// `lifetime` sent when the token kind does not specify one.
const DEFAULT_LIFETIME_SECS: u32 = 3600;

/// Target service account and API root.
pub(crate) struct Impersonation {
    pub(crate) service_account: String,
    pub(crate) root: String,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct AccessTokenResponse {
    access_token: String,
    expire_time: String,
}

#[derive(Deserialize)]
struct IdTokenResponse {
    token: String,
}

impl Impersonation {
    /// Validates the target e-mail (it becomes part of the URL path).
    pub(crate) fn new(service_account: &str, root: &str) -> Result<Self, TokenError> {
        let valid = service_account.contains('@')
            && service_account
                .chars()
                .all(|c| c.is_ascii_alphanumeric() || "@.-_".contains(c));
        if !valid {
            return Err(TokenError::Credentials(format!(
                "`{service_account}` is not a service-account e-mail"
            )));
        }
        Ok(Impersonation {
            service_account: service_account.to_owned(),
            root: root.trim_end_matches('/').to_owned(),
        })
    }

    /// `:generateAccessToken` with `{"scope":[…],"lifetime":"Ns","delegates":[]}`.
    pub(crate) async fn access_token(
        &self,
        base: &Token,
        scopes: &[String],
        lifetime_secs: Option<u32>,
        timeout: Duration,
    ) -> Result<Token, TokenError> {
        let lifetime = lifetime_secs.unwrap_or(DEFAULT_LIFETIME_SECS);
        let body = json!({
            "scope": scopes,
            "lifetime": format!("{lifetime}s"),
            "delegates": [],
        });
        let (endpoint, bytes) = self
            .call("generateAccessToken", base, &body, timeout)
            .await?;
        let parsed: AccessTokenResponse = serde_json::from_slice(&bytes).map_err(|_| {
            TokenError::invalid(
                &endpoint,
                "the body is not an {accessToken, expireTime} object",
            )
        })?;
        let expire_time = OffsetDateTime::parse(&parsed.expire_time, &Rfc3339).map_err(|_| {
            TokenError::invalid(&endpoint, "expireTime is not an RFC 3339 timestamp")
        })?;
        let remaining = expire_time - OffsetDateTime::now_utc();
        let remaining = u64::try_from(remaining.whole_seconds())
            .ok()
            .filter(|s| *s > 0)
            .ok_or_else(|| {
                TokenError::invalid(&endpoint, "the access token has already expired")
            })?;
        if parsed.access_token.is_empty() {
            return Err(TokenError::invalid(&endpoint, "the accessToken is empty"));
        }
        Token::expiring(parsed.access_token, Instant::now(), remaining, &endpoint)
    }

    /// `:generateIdToken` with `{"audience":…,"includeEmail":…}`; expiry from the JWT.
    pub(crate) async fn id_token(
        &self,
        base: &Token,
        audience: &str,
        include_email: bool,
        timeout: Duration,
    ) -> Result<Token, TokenError> {
        let body = json!({ "audience": audience, "includeEmail": include_email });
        let (endpoint, bytes) = self.call("generateIdToken", base, &body, timeout).await?;
        let parsed: IdTokenResponse = serde_json::from_slice(&bytes)
            .map_err(|_| TokenError::invalid(&endpoint, "the body is not a {token} object"))?;
        Token::from_jwt(parsed.token, &endpoint)
    }

    async fn call(
        &self,
        method: &str,
        base: &Token,
        body: &serde_json::Value,
        timeout: Duration,
    ) -> Result<(String, Bytes), TokenError> {
        let url = format!(
            "{}/v1/projects/-/serviceAccounts/{}:{method}",
            self.root, self.service_account
        );
        let request = Request::builder()
            .method(Method::POST)
            .uri(&url)
            .header(header::AUTHORIZATION, base.header_value()?)
            .header(header::CONTENT_TYPE, "application/json")
            .body(Full::new(Bytes::from(body.to_string())))
            .map_err(|_| TokenError::Credentials(format!("invalid IAM Credentials URL `{url}`")))?;
        let endpoint = endpoint_of(request.uri());
        let response = send(request, timeout).await?;
        if !response.status().is_success() {
            let status = response.status().as_u16();
            return Err(TokenError::rejected(endpoint, status, response.body()));
        }
        Ok((endpoint, response.into_body()))
    }
}
