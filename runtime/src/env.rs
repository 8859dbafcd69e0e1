//! The environment the compiled proxies run in: configuration loaded at
//! start-up (listen address, limits, connect overrides, trust anchors) and
//! the shared resources built from it (HTTP client).

use crate::background::BackgroundTasks;
use crate::client::HttpClient;
use crate::gateway::Route;
use crate::target_servers::TargetServerConfig;
use crate::tls::{KeyStoreConfig, TrustStoreConfig};
use crate::tokens::{CredentialsConfig, TokenSource, TokenSourceConfig};
use crate::upstream::Upstreams;
use serde::Deserialize;
use std::collections::BTreeMap;
use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::sync::{PoisonError, RwLock, Weak};
use std::time::Duration;

/// Runtime limits with their defaults.
#[derive(Debug, Clone, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct Limits {
    /// Largest request or response body (bytes): a larger client request
    /// is 413, a larger target response 502 (`protocol.http.TooBigBody`).
    pub max_body_bytes: usize,
    /// Time allowed to read a request's headers, and to wait idle for the
    /// next request on a kept-alive connection (ms); then the connection is closed.
    pub header_read_timeout_ms: u64,
    /// Most header lines in a request (more: 431).
    pub max_headers: usize,
    /// Largest request head, request line and headers together (bytes,
    /// at least 8192; larger: 431).
    pub max_header_bytes: usize,
    /// Time allowed for a whole request through the proxy flows (ms; then
    /// 504 `flow.APITimedOut`).
    pub request_timeout_ms: u64,
    /// Most client connections served at once; further connections wait
    /// in the listen backlog until one closes.
    pub max_connections: usize,
    /// Time allowed for graceful shutdown to drain in-flight requests (ms).
    pub shutdown_grace_ms: u64,
    /// Most fire-and-forget ServiceCallouts in flight at once.
    pub max_background_callouts: usize,
}

impl Default for Limits {
    fn default() -> Self {
        Limits {
            max_body_bytes: 10 * 1024 * 1024,
            header_read_timeout_ms: 30_000,
            max_headers: 100,
            max_header_bytes: 64 * 1024,
            request_timeout_ms: 300_000,
            max_connections: 10_000,
            shutdown_grace_ms: 10_000,
            max_background_callouts: 256,
        }
    }
}

impl Limits {
    /// The smallest `max_header_bytes` the HTTP/1 parser accepts.
    pub const MIN_HEADER_BYTES: usize = 8192;

    /// Rejects limits the server cannot apply.
    fn validate(&self, file: Option<&Path>) -> Result<(), ConfigError> {
        let problem = if self.max_header_bytes < Self::MIN_HEADER_BYTES {
            Some(format!(
                "[limits] max_header_bytes = {} is below the minimum of {}",
                self.max_header_bytes,
                Self::MIN_HEADER_BYTES
            ))
        } else if self.max_connections == 0 {
            Some("[limits] max_connections must be at least 1".to_owned())
        } else {
            None
        };
        problem.map_or(Ok(()), |message| {
            Err(ConfigError {
                file: file.map_or_else(|| "<environment>".into(), Path::to_owned),
                message,
            })
        })
    }
}

/// Where Google tokens come from (`[google]` in the environment file).
#[derive(Debug, Clone, Deserialize, Default)]
#[serde(default, deny_unknown_fields)]
pub struct GoogleConfig {
    /// `metadata`, `adc` (application-default credentials, the default),
    /// `service_account_key` (with `key_file`) or `static` (with `token`).
    pub credentials: Option<String>,
    /// Service-account JSON key file, for `service_account_key`.
    pub key_file: Option<PathBuf>,
    /// A fixed token, for `static` (local runs only).
    pub token: Option<String>,
    /// Metadata server root (default `http://metadata.google.internal`).
    pub metadata_root: Option<String>,
    /// Token endpoint replacing the key file's `token_uri`.
    pub token_uri: Option<String>,
    /// Service account to impersonate (as Apigee's deployment service account).
    pub impersonate: Option<String>,
    /// IAM Credentials API root.
    pub iam_credentials_root: Option<String>,
    /// Application Integration endpoint; `{region}` is replaced by the
    /// integration's region (default `https://{region}-integrations.googleapis.com`).
    pub integration_endpoint: Option<String>,
    /// Time allowed for a synchronous integration execution (default 120 000 ms).
    pub integration_timeout_ms: Option<u64>,
}

impl GoogleConfig {
    /// The token source this configuration describes.
    pub fn token_source(&self, file: &Path) -> Result<TokenSource, ConfigError> {
        let err = |message: String| ConfigError {
            file: file.to_owned(),
            message,
        };
        let credentials = match self.credentials.as_deref().unwrap_or("adc") {
            "adc" => CredentialsConfig::ApplicationDefault,
            "metadata" => CredentialsConfig::MetadataServer {
                root: self
                    .metadata_root
                    .clone()
                    .unwrap_or_else(|| crate::tokens::DEFAULT_METADATA_ROOT.to_owned()),
            },
            "service_account_key" => CredentialsConfig::ServiceAccountKey {
                path: self.key_file.clone().ok_or_else(|| {
                    err("[google] credentials = \"service_account_key\" needs key_file".into())
                })?,
            },
            "static" => CredentialsConfig::Static {
                token: self
                    .token
                    .clone()
                    .ok_or_else(|| err("[google] credentials = \"static\" needs token".into()))?,
            },
            other => {
                return Err(err(format!(
                    "[google] credentials = \"{other}\": expected adc, metadata, service_account_key or static"
                )));
            }
        };
        let mut cfg = TokenSourceConfig::new(credentials);
        cfg.impersonate.clone_from(&self.impersonate);
        cfg.token_uri_override.clone_from(&self.token_uri);
        if let Some(root) = &self.iam_credentials_root {
            cfg.iam_credentials_root.clone_from(root);
        }
        TokenSource::new(cfg).map_err(|e| err(format!("[google]: {e}")))
    }

    /// The Application Integration URL of `integration` in `project` and
    /// `region`, for `method` (`execute` or `schedule`): the endpoint with
    /// `{region}` replaced, then `/v1/projects/…:method`. (IntegrationCallout
    /// builds it only when its target changes.)
    pub fn integration_url(
        &self,
        project: &str,
        region: &str,
        integration: &str,
        method: &str,
    ) -> String {
        let endpoint = self
            .integration_endpoint
            .as_deref()
            .unwrap_or("https://{region}-integrations.googleapis.com")
            .replace("{region}", region);
        format!(
            "{}/v1/projects/{project}/locations/{region}/integrations/{integration}:{method}",
            endpoint.trim_end_matches('/')
        )
    }
}

/// The environment configuration file (TOML); see the README for the format.
#[derive(Debug, Clone, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct EnvConfig {
    /// `environment.name`.
    pub environment: String,
    /// `organization.name`.
    pub organization: String,
    /// Address the gateway listens on.
    pub listen: SocketAddr,
    /// Print an Apigee-Debug-style timeline of every request to stderr.
    pub trace: bool,
    /// Variables whose values traces mask (in addition to Authorization
    /// headers and tokens, which are always masked).
    pub trace_mask: Vec<String>,
    /// `host:port` a bundle names → local `ip:port` to connect to instead
    /// (like curl's `--resolve`); TLS still verifies the original host name.
    pub connect_overrides: BTreeMap<String, SocketAddr>,
    /// Extra PEM files with CA certificates trusted for outbound TLS.
    pub trust_anchors: Vec<PathBuf>,
    /// Limits.
    pub limits: Limits,
    /// The file this configuration was loaded from (for error messages).
    #[serde(skip)]
    pub source: Option<PathBuf>,
    /// Google tokens and the Application Integration endpoint.
    pub google: GoogleConfig,
    /// TargetServers by name.
    pub target_servers: BTreeMap<String, TargetServerConfig>,
    /// Apigee tooling `targetServers.json` files with more TargetServers.
    pub target_servers_json: Vec<PathBuf>,
    /// Key stores (certificate chain and key per alias) for mutual TLS.
    pub key_stores: BTreeMap<String, KeyStoreConfig>,
    /// Trust stores (CA certificates) named by SSLInfo `TrustStore`.
    pub trust_stores: BTreeMap<String, TrustStoreConfig>,
}

impl Default for EnvConfig {
    fn default() -> Self {
        EnvConfig {
            environment: "local".into(),
            organization: "local".into(),
            listen: SocketAddr::from(([127, 0, 0, 1], 8080)),
            trace: false,
            trace_mask: Vec::new(),
            connect_overrides: BTreeMap::new(),
            trust_anchors: Vec::new(),
            limits: Limits::default(),
            source: None,
            google: GoogleConfig::default(),
            target_servers: BTreeMap::new(),
            target_servers_json: Vec::new(),
            key_stores: BTreeMap::new(),
            trust_stores: BTreeMap::new(),
        }
    }
}

/// A configuration problem found at start-up.
#[derive(Debug)]
pub struct ConfigError {
    /// The file (or entry) concerned.
    pub file: PathBuf,
    /// What is wrong.
    pub message: String,
}

impl std::fmt::Display for ConfigError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}: {}", self.file.display(), self.message)
    }
}

impl std::error::Error for ConfigError {}

impl EnvConfig {
    /// Loads and validates a configuration file.
    pub fn load(path: &Path) -> Result<Self, ConfigError> {
        let text = std::fs::read_to_string(path).map_err(|e| ConfigError {
            file: path.to_owned(),
            message: format!("cannot read: {e}"),
        })?;
        let mut cfg: EnvConfig = toml::from_str(&text).map_err(|e| ConfigError {
            file: path.to_owned(),
            message: e.to_string(),
        })?;
        let base = path.parent().unwrap_or(Path::new("."));
        let files = cfg
            .trust_anchors
            .iter_mut()
            .chain(&mut cfg.target_servers_json)
            .chain(cfg.trust_stores.values_mut().flat_map(|t| &mut t.certs))
            .chain(
                cfg.key_stores
                    .values_mut()
                    .flat_map(|k| k.aliases.values_mut())
                    .flat_map(|a| [&mut a.cert, &mut a.key]),
            );
        for file in files {
            if file.is_relative() {
                *file = base.join(&*file);
            }
        }
        if let Some(key) = &mut cfg.google.key_file
            && key.is_relative()
        {
            *key = base.join(&*key);
        }
        cfg.source = Some(path.to_owned());
        Ok(cfg)
    }
}

/// The environment shared by every request.
pub struct Environment {
    config: EnvConfig,
    upstreams: Upstreams,
    client: HttpClient,
    tokens: TokenSource,
    system_uuid: String,
    background: BackgroundTasks,
    /// The route table of the gateway serving this environment, for
    /// in-process calls (LocalTargetConnection); set when proxies are mounted.
    routes: RwLock<Weak<Vec<Route>>>,
    /// The shared flows mounted on that gateway (FlowCallouts to shared
    /// flows compiled in other builds).
    shared_flows: RwLock<Weak<crate::shared_flow::SharedFlows>>,
}

impl std::fmt::Debug for Environment {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Environment")
            .field("environment", &self.config.environment)
            .finish_non_exhaustive()
    }
}

impl Environment {
    /// Builds the environment, validating what the configuration names
    /// (trust anchors, key and trust stores must be readable PEM files;
    /// TargetServers' TLS settings must be usable).
    pub fn new(config: EnvConfig) -> Result<Self, ConfigError> {
        config.limits.validate(config.source.as_deref())?;
        let upstreams = Upstreams::new(&config)?;
        let client = upstreams.default_client();
        let file = config
            .source
            .clone()
            .unwrap_or_else(|| "<environment>".into());
        let tokens = config.google.token_source(&file)?;
        let background = BackgroundTasks::new(config.limits.max_background_callouts);
        Ok(Environment {
            config,
            upstreams,
            client,
            tokens,
            system_uuid: uuid::Uuid::new_v4().to_string(),
            background,
            routes: RwLock::new(Weak::new()),
            shared_flows: RwLock::new(Weak::new()),
        })
    }

    /// The configuration.
    pub fn config(&self) -> &EnvConfig {
        &self.config
    }

    /// The outbound HTTP client (default TLS settings and timeouts).
    pub fn client(&self) -> &HttpClient {
        &self.client
    }

    /// Outbound connections: TLS settings, LoadBalancers, HealthMonitors.
    pub fn upstreams(&self) -> &Upstreams {
        &self.upstreams
    }

    /// The Google token source (tokens are minted lazily, on first use).
    pub fn tokens(&self) -> &TokenSource {
        &self.tokens
    }

    /// Fire-and-forget work (bounded by `limits.max_background_callouts`).
    pub fn background(&self) -> &BackgroundTasks {
        &self.background
    }

    /// Records the route table of the gateway serving this environment.
    pub(crate) fn set_routes(&self, routes: Weak<Vec<Route>>) {
        *self.routes.write().unwrap_or_else(PoisonError::into_inner) = routes;
    }

    /// The route table of the gateway serving this environment, if any.
    pub(crate) fn routes(&self) -> Option<std::sync::Arc<Vec<Route>>> {
        self.routes
            .read()
            .unwrap_or_else(PoisonError::into_inner)
            .upgrade()
    }

    /// Records the shared flows mounted on the gateway serving this environment.
    pub(crate) fn set_shared_flows(&self, flows: Weak<crate::shared_flow::SharedFlows>) {
        *self
            .shared_flows
            .write()
            .unwrap_or_else(PoisonError::into_inner) = flows;
    }

    /// A shared flow mounted on the gateway serving this environment.
    pub fn shared_flow(
        &self,
        name: &str,
    ) -> Option<std::sync::Arc<dyn crate::shared_flow::CompiledSharedFlow>> {
        self.shared_flows
            .read()
            .unwrap_or_else(PoisonError::into_inner)
            .upgrade()?
            .get(name)
            .cloned()
    }

    /// Whether per-request traces are recorded.
    pub fn trace_enabled(&self) -> bool {
        self.config.trace
    }

    /// `system.uuid`: stable for the life of the process.
    pub fn system_uuid(&self) -> &str {
        &self.system_uuid
    }

    /// `environment.name`.
    pub fn environment_name(&self) -> &str {
        &self.config.environment
    }

    /// `organization.name`.
    pub fn organization_name(&self) -> &str {
        &self.config.organization
    }

    /// The body-size limit.
    pub fn max_body_bytes(&self) -> usize {
        self.config.limits.max_body_bytes
    }

    /// The shutdown grace period.
    pub fn shutdown_grace(&self) -> Duration {
        Duration::from_millis(self.config.limits.shutdown_grace_ms)
    }
}

#[cfg(test)]
mod tests {
    use super::GoogleConfig;

    #[test]
    fn integration_urls_fill_the_region_in_and_drop_trailing_slashes() {
        let mut google = GoogleConfig::default();
        assert_eq!(
            google.integration_url("p", "us-east1", "orders", "execute"),
            "https://us-east1-integrations.googleapis.com/v1/projects/p/locations/us-east1/integrations/orders:execute"
        );
        google.integration_endpoint = Some("http://127.0.0.1:9/{region}/x/{region}//".into());
        assert_eq!(
            google.integration_url("p", "eu", "-", "schedule"),
            "http://127.0.0.1:9/eu/x/eu/v1/projects/p/locations/eu/integrations/-:schedule"
        );
    }
}
