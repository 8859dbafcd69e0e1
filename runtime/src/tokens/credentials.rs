//! Credential configuration and its resolution into a concrete [`Source`]
//! (key files, Application Default Credentials lookup).

use std::ffi::OsString;
use std::fmt;
use std::path::{Path, PathBuf};

use jsonwebtoken::{Algorithm, EncodingKey};
use serde::Deserialize;

use super::error::TokenError;

/// Default metadata server root.
pub const DEFAULT_METADATA_ROOT: &str = "http://metadata.google.internal";

/// Default OAuth 2.0 token endpoint (used when a key file has no `token_uri`).
pub const DEFAULT_TOKEN_URI: &str = "https://oauth2.googleapis.com/token";

/// Where the runtime identity's credentials come from. `Debug` hides a static token.
#[derive(Clone, PartialEq, Eq)]
pub enum CredentialsConfig {
    /// GCE/GKE/Cloud Run metadata server at `root` (e.g. [`DEFAULT_METADATA_ROOT`]).
    MetadataServer {
        /// Base URL without trailing path, e.g. `http://metadata.google.internal`.
        root: String,
    },
    /// A service-account JSON key file (`client_email`, `private_key`, `private_key_id`, `token_uri`).
    ServiceAccountKey {
        /// Path of the key file.
        path: PathBuf,
    },
    /// Application Default Credentials: `GOOGLE_APPLICATION_CREDENTIALS`, else the gcloud
    /// well-known file, else the metadata server (root from `GCE_METADATA_HOST` if set).
    ApplicationDefault,
    /// A fixed bearer token (local runs; never refreshed).
    Static {
        /// The token value.
        token: String,
    },
}

impl fmt::Debug for CredentialsConfig {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            CredentialsConfig::MetadataServer { root } => write!(f, "MetadataServer({root})"),
            CredentialsConfig::ServiceAccountKey { path } => {
                write!(f, "ServiceAccountKey({})", path.display())
            }
            CredentialsConfig::ApplicationDefault => f.write_str("ApplicationDefault"),
            CredentialsConfig::Static { .. } => f.write_str("Static(***)"),
        }
    }
}

/// A service account able to sign JWT assertions.
pub(crate) struct ServiceAccount {
    pub(crate) client_email: String,
    pub(crate) private_key_id: Option<String>,
    pub(crate) key: EncodingKey,
    pub(crate) token_uri: String,
}

/// gcloud user credentials (`authorized_user`), refreshed with the refresh-token grant.
pub(crate) struct AuthorizedUser {
    pub(crate) client_id: String,
    pub(crate) client_secret: String,
    pub(crate) refresh_token: String,
    pub(crate) token_uri: String,
}

/// Resolved credentials.
pub(crate) enum Source {
    Metadata {
        root: String,
    },
    ServiceAccount(ServiceAccount),
    AuthorizedUser(AuthorizedUser),
    /// A fixed token, kept ready to hand out (cloning it shares it).
    Static {
        token: super::Token,
    },
}

impl fmt::Debug for Source {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Source::Metadata { root } => write!(f, "MetadataServer({root})"),
            Source::ServiceAccount(sa) => write!(f, "ServiceAccount({})", sa.client_email),
            Source::AuthorizedUser(user) => write!(f, "AuthorizedUser({})", user.client_id),
            Source::Static { .. } => f.write_str("Static(***)"),
        }
    }
}

/// Fields of a Google credentials JSON file (service account or authorized user).
#[derive(Deserialize)]
struct CredentialsFile {
    #[serde(rename = "type")]
    kind: Option<String>,
    client_email: Option<String>,
    private_key: Option<String>,
    private_key_id: Option<String>,
    client_id: Option<String>,
    client_secret: Option<String>,
    refresh_token: Option<String>,
    token_uri: Option<String>,
}

impl Source {
    /// Resolves `config`, reading the process environment for ADC.
    pub(crate) fn resolve(
        config: &CredentialsConfig,
        token_uri_override: Option<&str>,
    ) -> Result<Source, TokenError> {
        Self::resolve_with(config, token_uri_override, &|name| std::env::var_os(name))
    }

    /// Resolves `config` with `env` as the environment lookup.
    pub(crate) fn resolve_with(
        config: &CredentialsConfig,
        token_uri_override: Option<&str>,
        env: &dyn Fn(&str) -> Option<OsString>,
    ) -> Result<Source, TokenError> {
        match config {
            CredentialsConfig::MetadataServer { root } => Ok(Source::Metadata {
                root: root.trim_end_matches('/').to_owned(),
            }),
            CredentialsConfig::ServiceAccountKey { path } => {
                let source = from_file(path, token_uri_override)?;
                match source {
                    Source::ServiceAccount(_) => Ok(source),
                    _ => Err(TokenError::Credentials(format!(
                        "{} is not a service_account key file",
                        path.display()
                    ))),
                }
            }
            CredentialsConfig::Static { token } if token.trim().is_empty() => {
                Err(TokenError::Credentials("the static token is empty".into()))
            }
            CredentialsConfig::Static { token } => Ok(Source::Static {
                token: super::Token::new(token.trim().to_owned(), None),
            }),
            CredentialsConfig::ApplicationDefault => application_default(token_uri_override, env),
        }
    }
}

fn application_default(
    token_uri_override: Option<&str>,
    env: &dyn Fn(&str) -> Option<OsString>,
) -> Result<Source, TokenError> {
    if let Some(path) = env("GOOGLE_APPLICATION_CREDENTIALS").filter(|p| !p.is_empty()) {
        return from_file(Path::new(&path), token_uri_override);
    }
    if let Some(path) = well_known_file(env)
        && path.is_file()
    {
        return from_file(&path, token_uri_override);
    }
    let root = match env("GCE_METADATA_HOST").filter(|h| !h.is_empty()) {
        Some(host) => format!("http://{}", host.to_string_lossy()),
        None => DEFAULT_METADATA_ROOT.to_owned(),
    };
    Ok(Source::Metadata { root })
}

/// gcloud's ADC file: `$CLOUDSDK_CONFIG` or `~/.config/gcloud` (`%APPDATA%\gcloud` on Windows).
fn well_known_file(env: &dyn Fn(&str) -> Option<OsString>) -> Option<PathBuf> {
    let dir = match env("CLOUDSDK_CONFIG").filter(|d| !d.is_empty()) {
        Some(dir) => PathBuf::from(dir),
        None if cfg!(windows) => PathBuf::from(env("APPDATA")?).join("gcloud"),
        None => PathBuf::from(env("HOME")?).join(".config").join("gcloud"),
    };
    Some(dir.join("application_default_credentials.json"))
}

fn from_file(path: &Path, token_uri_override: Option<&str>) -> Result<Source, TokenError> {
    let text = std::fs::read(path)
        .map_err(|e| TokenError::Credentials(format!("cannot read {}: {e}", path.display())))?;
    // serde_json's messages may quote values: report only the position.
    let file: CredentialsFile = serde_json::from_slice(&text).map_err(|e| {
        TokenError::Credentials(format!(
            "{} is not a valid credentials JSON file (line {}, column {})",
            path.display(),
            e.line(),
            e.column()
        ))
    })?;
    let token_uri = token_uri_override
        .map(str::to_owned)
        .or(file.token_uri.clone())
        .unwrap_or_else(|| DEFAULT_TOKEN_URI.to_owned());
    let missing =
        |field: &str| TokenError::Credentials(format!("{} has no `{field}`", path.display()));
    match file.kind.as_deref() {
        Some("service_account") | None => {
            let private_key = file.private_key.ok_or_else(|| missing("private_key"))?;
            let key = EncodingKey::from_rsa_pem(private_key.as_bytes()).map_err(|_| {
                TokenError::Credentials(format!(
                    "the private_key of {} is not an RSA PEM key",
                    path.display()
                ))
            })?;
            // Fail at start-up rather than on the first request if the key cannot sign.
            jsonwebtoken::crypto::sign(b"probe", &key, Algorithm::RS256).map_err(|_| {
                TokenError::Credentials(format!(
                    "the private_key of {} cannot produce RS256 signatures",
                    path.display()
                ))
            })?;
            Ok(Source::ServiceAccount(ServiceAccount {
                client_email: file.client_email.ok_or_else(|| missing("client_email"))?,
                private_key_id: file.private_key_id.filter(|id| !id.is_empty()),
                key,
                token_uri,
            }))
        }
        Some("authorized_user") => Ok(Source::AuthorizedUser(AuthorizedUser {
            client_id: file.client_id.ok_or_else(|| missing("client_id"))?,
            client_secret: file.client_secret.ok_or_else(|| missing("client_secret"))?,
            refresh_token: file.refresh_token.ok_or_else(|| missing("refresh_token"))?,
            token_uri,
        })),
        Some(other) => Err(TokenError::Credentials(format!(
            "{} has credentials type `{other}`; supported: service_account, authorized_user",
            path.display()
        ))),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proxyc_testkit::google::keys::ServiceAccountKey;
    use std::collections::HashMap;

    fn env(vars: &[(&str, &Path)]) -> impl Fn(&str) -> Option<OsString> {
        let map: HashMap<String, OsString> = vars
            .iter()
            .map(|(k, v)| ((*k).to_owned(), v.as_os_str().to_owned()))
            .collect();
        move |name| map.get(name).cloned()
    }

    fn scratch_dir(name: &str) -> PathBuf {
        let dir = std::env::temp_dir().join(format!("proxyc-adc-{name}-{}", std::process::id()));
        std::fs::create_dir_all(&dir).expect("create scratch dir"); // ok: unit test
        dir
    }

    #[test]
    fn adc_prefers_the_environment_variable() {
        let key = ServiceAccountKey::shared().expect("key"); // ok: unit test
        let file = key
            .write_key_file("https://example.test/token")
            .expect("write key"); // ok: unit test
        let source = Source::resolve_with(
            &CredentialsConfig::ApplicationDefault,
            None,
            &env(&[("GOOGLE_APPLICATION_CREDENTIALS", file.path())]),
        )
        .expect("resolves"); // ok: unit test
        match source {
            Source::ServiceAccount(sa) => {
                assert_eq!(sa.client_email, key.client_email);
                assert_eq!(sa.token_uri, "https://example.test/token");
                assert_eq!(
                    sa.private_key_id.as_deref(),
                    Some(key.private_key_id.as_str())
                );
            }
            other => panic!("unexpected {other:?}"), // ok: unit test
        }
    }

    #[test]
    fn adc_reads_the_gcloud_well_known_user_file() {
        let home = scratch_dir("home");
        let gcloud = home.join(".config").join("gcloud");
        std::fs::create_dir_all(&gcloud).expect("mkdir"); // ok: unit test
        let user = r#"{"type":"authorized_user","client_id":"cid","client_secret":"cs","refresh_token":"rt"}"#;
        std::fs::write(gcloud.join("application_default_credentials.json"), user).expect("write"); // ok: unit test
        let source = Source::resolve_with(
            &CredentialsConfig::ApplicationDefault,
            None,
            &env(&[("HOME", &home), ("CLOUDSDK_CONFIG", Path::new(""))]),
        )
        .expect("resolves"); // ok: unit test
        std::fs::remove_dir_all(&home).ok();
        match source {
            Source::AuthorizedUser(user) => {
                assert_eq!(user.client_id, "cid");
                assert_eq!(user.token_uri, DEFAULT_TOKEN_URI);
            }
            other => panic!("unexpected {other:?}"), // ok: unit test
        }
    }

    #[test]
    fn adc_falls_back_to_the_metadata_server() {
        let empty = scratch_dir("empty");
        let source = Source::resolve_with(
            &CredentialsConfig::ApplicationDefault,
            None,
            &env(&[
                ("HOME", &empty),
                ("GCE_METADATA_HOST", Path::new("127.0.0.1:8089")),
            ]),
        )
        .expect("resolves"); // ok: unit test
        assert_eq!(
            format!("{source:?}"),
            "MetadataServer(http://127.0.0.1:8089)"
        );
        let default = Source::resolve_with(&CredentialsConfig::ApplicationDefault, None, &env(&[]))
            .expect("resolves"); // ok: unit test
        assert_eq!(
            format!("{default:?}"),
            "MetadataServer(http://metadata.google.internal)"
        );
        std::fs::remove_dir_all(&empty).ok();
    }

    #[test]
    fn bad_files_are_reported_without_content() {
        let dir = scratch_dir("bad");
        let path = dir.join("k.json");
        std::fs::write(
            &path,
            r#"{"type":"service_account","private_key":"SECRET-PEM","client_email":"a@b"}"#,
        )
        .expect("write"); // ok: unit test
        let err = Source::resolve(
            &CredentialsConfig::ServiceAccountKey { path: path.clone() },
            None,
        )
        .expect_err("not a PEM key");
        assert!(!err.to_string().contains("SECRET"), "{err}");
        std::fs::write(&path, r#"{"type":"external_account"}"#).expect("write"); // ok: unit test
        let err = Source::resolve(
            &CredentialsConfig::ServiceAccountKey { path: path.clone() },
            None,
        )
        .expect_err("unsupported type");
        assert!(err.to_string().contains("external_account"), "{err}");
        std::fs::write(&path, r#"{"private_key": 12, "#).expect("write"); // ok: unit test
        let err = Source::resolve(&CredentialsConfig::ServiceAccountKey { path }, None)
            .expect_err("bad json");
        assert!(err.to_string().contains("line 1"), "{err}");
        std::fs::remove_dir_all(&dir).ok();
    }
}
