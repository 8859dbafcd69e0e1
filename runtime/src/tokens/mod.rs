//! Google access and ID tokens for the `<Authentication>` element and IntegrationCallout.
//!
//! A [`TokenSource`] is built once from a [`TokenSourceConfig`] (credentials, optional
//! impersonation) and shared; [`TokenSource::token`] returns a cached token, refreshing it
//! (once for all concurrent callers) when less than the refresh margin remains.
//! Failures surface as [`TokenError`], i.e. Apigee's [`FAULT_CODE`] (HTTP 500).
//! Token values and key material are never logged nor printed.

mod cache;
mod credentials;
mod error;
mod http;
mod impersonate;
mod metadata;
mod oauth;
mod token;

use std::borrow::Cow;
use std::fmt;
use std::sync::Arc;
use std::time::Duration;

pub use credentials::{CredentialsConfig, DEFAULT_METADATA_ROOT, DEFAULT_TOKEN_URI};
pub use error::{FAULT_CODE, FAULT_STATUS, TokenError};
pub use impersonate::DEFAULT_IAM_CREDENTIALS_ROOT;
pub use token::Token;

use cache::TokenCache;
use credentials::Source;
use impersonate::Impersonation;
use oauth::Grant;

/// Scope used when a [`TokenKind::Access`] lists none, and for the impersonation base token.
pub const CLOUD_PLATFORM_SCOPE: &str = "https://www.googleapis.com/auth/cloud-platform";

/// Default time before expiry at which a cached token is refreshed.
pub const DEFAULT_REFRESH_MARGIN: Duration = Duration::from_secs(60);

/// Default timeout of each HTTP call made to obtain a token.
pub const DEFAULT_TIMEOUT: Duration = Duration::from_secs(10);

/// The kind of token requested (also the cache key).
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub enum TokenKind {
    /// OAuth 2.0 access token (`GoogleAccessToken`).
    Access {
        /// Scopes; empty means [`CLOUD_PLATFORM_SCOPE`].
        scopes: Vec<String>,
        /// Requested lifetime; only honoured with impersonation (default 3600 s).
        lifetime_secs: Option<u32>,
    },
    /// OpenID Connect ID token (`GoogleIDToken`).
    Id {
        /// The `aud` of the token.
        audience: String,
        /// Add `email`/`email_verified` claims; only honoured with impersonation
        /// (the metadata server always uses `format=full`).
        include_email: bool,
    },
}

/// How to build a [`TokenSource`].
#[derive(Clone, Debug)]
pub struct TokenSourceConfig {
    /// The runtime identity.
    pub credentials: CredentialsConfig,
    /// Service account to impersonate through the IAM Credentials API, if any.
    pub impersonate: Option<String>,
    /// IAM Credentials API root (default [`DEFAULT_IAM_CREDENTIALS_ROOT`]).
    pub iam_credentials_root: String,
    /// Replaces the key file's `token_uri` (also used as the assertion `aud`).
    pub token_uri_override: Option<String>,
    /// Refresh a cached token when less than this remains (default 60 s).
    pub refresh_margin: Duration,
    /// Timeout of each HTTP call (default 10 s).
    pub timeout: Duration,
}

impl TokenSourceConfig {
    /// Defaults for everything but the credentials.
    pub fn new(credentials: CredentialsConfig) -> Self {
        TokenSourceConfig {
            credentials,
            impersonate: None,
            iam_credentials_root: DEFAULT_IAM_CREDENTIALS_ROOT.to_owned(),
            token_uri_override: None,
            refresh_margin: DEFAULT_REFRESH_MARGIN,
            timeout: DEFAULT_TIMEOUT,
        }
    }
}

/// Cache key: a requested token, or the base identity's token used for impersonation.
#[derive(Clone, PartialEq, Eq, Hash)]
enum CacheKey {
    Target(TokenKind),
    ImpersonationBase,
}

struct Inner {
    source: Source,
    impersonation: Option<Impersonation>,
    timeout: Duration,
    cache: TokenCache<CacheKey>,
}

/// Mints and caches Google tokens; cheap to clone (shared state).
#[derive(Clone)]
pub struct TokenSource {
    inner: Arc<Inner>,
}

impl fmt::Debug for TokenSource {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("TokenSource")
            .field("credentials", &self.inner.source)
            .field(
                "impersonate",
                &self
                    .inner
                    .impersonation
                    .as_ref()
                    .map(|i| &i.service_account),
            )
            .finish_non_exhaustive()
    }
}

impl TokenSource {
    /// Resolves the credentials (reading key files and, for ADC, the environment) and
    /// validates the key; no network call is made.
    pub fn new(config: TokenSourceConfig) -> Result<Self, TokenError> {
        let source = Source::resolve(&config.credentials, config.token_uri_override.as_deref())?;
        let impersonation = config
            .impersonate
            .as_deref()
            .map(|sa| Impersonation::new(sa, &config.iam_credentials_root))
            .transpose()?;
        Ok(TokenSource {
            inner: Arc::new(Inner {
                source,
                impersonation,
                timeout: config.timeout,
                cache: TokenCache::new(config.refresh_margin),
            }),
        })
    }

    /// Returns a token of `kind`, from the cache while more than the refresh margin
    /// remains, else freshly minted.
    pub async fn token(&self, kind: &TokenKind) -> Result<Token, TokenError> {
        if let Source::Static { token } = &self.inner.source
            && self.inner.impersonation.is_none()
        {
            return Ok(token.clone());
        }
        let kind = normalized(kind);
        let key = CacheKey::Target(kind.clone().into_owned());
        // Minting is boxed: its future is large, and it only runs when the
        // cache has no usable token, so a cache hit's future stays small.
        self.inner
            .cache
            .get(&key, || async {
                let token = Box::pin(self.mint(&kind)).await?;
                log_refresh(&kind, &token);
                Ok(token)
            })
            .await
    }

    /// Mints a token of `kind`, impersonating if configured.
    async fn mint(&self, kind: &TokenKind) -> Result<Token, TokenError> {
        let inner = &self.inner;
        let Some(target) = &inner.impersonation else {
            return self.mint_direct(kind).await;
        };
        let base_kind = TokenKind::Access {
            scopes: vec![CLOUD_PLATFORM_SCOPE.to_owned()],
            lifetime_secs: None,
        };
        let base = inner
            .cache
            .get(&CacheKey::ImpersonationBase, || {
                self.mint_direct(&base_kind)
            })
            .await?;
        match kind {
            TokenKind::Access {
                scopes,
                lifetime_secs,
            } => {
                target
                    .access_token(&base, scopes, *lifetime_secs, inner.timeout)
                    .await
            }
            TokenKind::Id {
                audience,
                include_email,
            } => {
                target
                    .id_token(&base, audience, *include_email, inner.timeout)
                    .await
            }
        }
    }

    /// Mints a token of `kind` with the base credentials.
    async fn mint_direct(&self, kind: &TokenKind) -> Result<Token, TokenError> {
        let timeout = self.inner.timeout;
        match (&self.inner.source, kind) {
            (Source::Static { token }, _) => Ok(token.clone()),
            (Source::Metadata { root }, TokenKind::Access { scopes, .. }) => {
                metadata::access_token(root, scopes, timeout).await
            }
            (Source::Metadata { root }, TokenKind::Id { audience, .. }) => {
                metadata::id_token(root, audience, timeout).await
            }
            (Source::ServiceAccount(sa), TokenKind::Access { scopes, .. }) => {
                oauth::service_account_token(sa, Grant::Access { scopes }, timeout).await
            }
            (Source::ServiceAccount(sa), TokenKind::Id { audience, .. }) => {
                oauth::service_account_token(sa, Grant::Id { audience }, timeout).await
            }
            (Source::AuthorizedUser(user), TokenKind::Access { .. }) => {
                oauth::user_access_token(user, timeout).await
            }
            (Source::AuthorizedUser(_), TokenKind::Id { .. }) => Err(TokenError::Unsupported(
                "user credentials cannot mint ID tokens for an arbitrary audience; \
                 configure a service account or impersonation"
                    .into(),
            )),
        }
    }
}

/// Applies defaults: no scopes means cloud-platform.
fn normalized(kind: &TokenKind) -> Cow<'_, TokenKind> {
    match kind {
        TokenKind::Access {
            scopes,
            lifetime_secs,
        } if scopes.is_empty() => Cow::Owned(TokenKind::Access {
            scopes: vec![CLOUD_PLATFORM_SCOPE.to_owned()],
            lifetime_secs: *lifetime_secs,
        }),
        _ => Cow::Borrowed(kind),
    }
}

fn log_refresh(kind: &TokenKind, token: &Token) {
    let kind = match kind {
        TokenKind::Access { .. } => "access",
        TokenKind::Id { .. } => "id",
    };
    let expires_in_secs = token.expires_in().map(|d| d.as_secs());
    tracing::debug!(kind, ?expires_in_secs, "google token refreshed");
}

#[cfg(test)]
mod tests {
    use super::credentials::AuthorizedUser;
    use super::*;
    use proxyc_testkit::google::keys::ServiceAccountKey;
    use proxyc_testkit::google::token_server::{self, TOKEN_PATH, TokenServer};

    #[tokio::test]
    async fn user_credentials_refresh_into_access_tokens_only() {
        let key = ServiceAccountKey::shared().expect("key"); // ok: unit test
        let server = TokenServer::for_key(key)
            .expect("server") // ok: unit test
            .with_refresh_token("cid", "csecret", "rtoken");
        let server = token_server::start(server).await.expect("start"); // ok: unit test
        let source = TokenSource {
            inner: Arc::new(Inner {
                source: Source::AuthorizedUser(AuthorizedUser {
                    client_id: "cid".into(),
                    client_secret: "csecret".into(),
                    refresh_token: "rtoken".into(),
                    token_uri: server.url(TOKEN_PATH),
                }),
                impersonation: None,
                timeout: DEFAULT_TIMEOUT,
                cache: TokenCache::new(DEFAULT_REFRESH_MARGIN),
            }),
        };
        let access = TokenKind::Access {
            scopes: vec![],
            lifetime_secs: None,
        };
        let token = source.token(&access).await.expect("token"); // ok: unit test
        assert_eq!(token.secret(), "ya29.local-1");
        let form = server.requests()[0].form_pairs();
        assert!(form.contains(&("grant_type".into(), "refresh_token".into())));
        assert!(form.contains(&("refresh_token".into(), "rtoken".into())));

        let id = TokenKind::Id {
            audience: "a".into(),
            include_email: false,
        };
        assert!(matches!(
            source.token(&id).await,
            Err(TokenError::Unsupported(_))
        ));
    }
}
