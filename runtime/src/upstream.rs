//! The environment's outbound connections: rustls configurations built once
//! at start-up per SSLInfo and per TargetServer, pooled clients per TLS
//! configuration and timeouts, LoadBalancers with their live state, and the
//! HealthMonitor tasks watching them.

use crate::balancer::{Balancer, LoadBalancer};
use crate::client::{ClientError, HttpClient, OutBody, Pooling, Sending, dial_addr};
use crate::env::{ConfigError, EnvConfig};
use crate::health::{self, Check};
use crate::proxy::{Connections, ProxyMeta};
use crate::shared_flow::SharedFlowMeta;
use crate::target::TargetProperties;
use crate::target_servers::TargetServerConfig;
use crate::tls::Stores;
use crate::tls_client::{SslInfo, client_config};
use bytes::Bytes;
use hyper::body::Incoming;
use rustls::{ClientConfig, RootCertStore};
use std::borrow::Cow;
use std::collections::{BTreeMap, HashMap};
use std::net::SocketAddr;
use std::sync::{Arc, Mutex, PoisonError, RwLock};
use std::time::{Duration, SystemTime, UNIX_EPOCH};
use tokio::task::JoinSet;

/// How to reach one TargetServer.
#[derive(Debug, Clone)]
pub struct ServerTarget {
    /// `host`.
    pub host: String,
    /// `port`.
    pub port: u16,
    /// TLS configuration when the server is reached over https.
    pub tls: Option<Arc<ClientConfig>>,
}

impl ServerTarget {
    /// `http(s)://host:port`.
    pub fn origin(&self) -> String {
        let scheme = if self.tls.is_some() { "https" } else { "http" };
        format!("{scheme}://{}:{}", self.host, self.port)
    }
}

/// The server a balanced call went to.
#[derive(Debug, Clone)]
pub struct Chosen {
    /// TargetServer name.
    pub name: &'static str,
    /// `http(s)://host:port` of the server.
    pub origin: String,
    /// Whether it is a fallback server.
    pub is_fallback: bool,
    /// Names of the servers that failed before it, in order.
    pub failed: Vec<&'static str>,
}

type Shared<K, V> = RwLock<HashMap<K, V>>;

/// The outbound side of an environment.
pub struct Upstreams {
    overrides: Arc<BTreeMap<String, SocketAddr>>,
    default_roots: Arc<RootCertStore>,
    default_tls: Arc<ClientConfig>,
    stores: Stores,
    servers: BTreeMap<String, TargetServerConfig>,
    /// TLS configuration of each TargetServer with `ssl_info.enabled`.
    server_tls: BTreeMap<String, Arc<ClientConfig>>,
    /// TLS configuration per `&'static SslInfo` (keyed by its address).
    static_tls: Shared<usize, Arc<ClientConfig>>,
    /// Live state per `&'static LoadBalancer` (keyed by its address).
    balancers: Shared<usize, Arc<Balancer<ServerTarget>>>,
    /// The client of most targets (default TLS and pooling): used without
    /// a lookup.
    default_client: HttpClient,
    /// Pooled clients for the other TLS configurations (by address) and
    /// poolings.
    clients: Mutex<HashMap<(usize, Pooling), HttpClient>>,
    monitors: Mutex<JoinSet<()>>,
    /// `organization/environment`, for health-check id headers.
    org_env: String,
}

impl std::fmt::Debug for Upstreams {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Upstreams")
            .field("servers", &self.servers.keys())
            .finish_non_exhaustive()
    }
}

/// Address of a static, as its identity.
fn key<T>(r: &'static T) -> usize {
    std::ptr::from_ref(r) as usize
}

impl Upstreams {
    /// Reads the stores, the TargetServers (environment file and
    /// `target_servers_json` files) and builds their TLS configurations.
    /// Every problem is an error naming the file and the entry.
    pub fn new(config: &EnvConfig) -> Result<Self, ConfigError> {
        let file = config
            .source
            .clone()
            .unwrap_or_else(|| "<environment>".into());
        let default_roots = Arc::new(crate::client::default_roots(config)?);
        let stores = Stores::load(&config.key_stores, &config.trust_stores)?;
        let mut servers = config.target_servers.clone();
        for path in &config.target_servers_json {
            for (name, ts) in crate::target_servers::read_json(path)? {
                if servers.insert(name.clone(), ts).is_some() {
                    return Err(ConfigError {
                        file: path.clone(),
                        message: format!("TargetServer `{name}` is defined twice"),
                    });
                }
            }
        }
        let mut server_tls = BTreeMap::new();
        for (name, ts) in &servers {
            let err = |message: String| ConfigError {
                file: file.clone(),
                message: format!("target_servers.{name}: {message}"),
            };
            if !ts.protocol.eq_ignore_ascii_case("HTTP") {
                return Err(err(format!(
                    "protocol `{}` is not supported; use HTTP",
                    ts.protocol
                )));
            }
            if let Some(ssl) = ts.ssl_info.as_ref().filter(|s| s.enabled) {
                if ssl.ignore_validation_errors {
                    tracing::warn!(
                        target_server = %name,
                        "IgnoreValidationErrors: the server's TLS certificate is NOT verified"
                    );
                }
                let tls = ssl
                    .with_info(|info| client_config(info, &stores, &default_roots))
                    .map_err(err)?;
                server_tls.insert(name.clone(), Arc::new(tls));
            }
        }
        let default_tls =
            client_config(&SslInfo::default(), &stores, &default_roots).map_err(|message| {
                ConfigError {
                    file: file.clone(),
                    message,
                }
            })?;
        let overrides = Arc::new(config.connect_overrides.clone());
        let default_tls = Arc::new(default_tls);
        let default_client = HttpClient::with_tls(
            (*default_tls).clone(),
            Arc::clone(&overrides),
            Pooling::default(),
        );
        Ok(Upstreams {
            overrides,
            default_roots,
            default_tls,
            default_client,
            stores,
            servers,
            server_tls,
            static_tls: RwLock::default(),
            balancers: RwLock::default(),
            clients: Mutex::default(),
            monitors: Mutex::default(),
            org_env: format!("{}/{}", config.organization, config.environment),
        })
    }

    /// Checks what a proxy references against the environment and prepares
    /// its TLS configurations and LoadBalancers, starting their
    /// HealthMonitors (inside a tokio runtime). Errors name the proxy, the
    /// element and the missing or bad entry.
    pub fn register(&self, meta: &'static ProxyMeta) -> Result<(), String> {
        self.register_connections(&format!("proxy `{}`", meta.name), &meta.connections)
    }

    /// Registers a shared flow mounted on its own (see [`Upstreams::register`]).
    pub fn register_shared_flow(&self, meta: &'static SharedFlowMeta) -> Result<(), String> {
        self.register_connections(&format!("shared flow `{}`", meta.name), &meta.connections)
    }

    /// The connections of `owner` (`proxy `x`` or `shared flow `y``) and of
    /// the shared flows compiled into it.
    fn register_connections(&self, owner: &str, meta: &'static Connections) -> Result<(), String> {
        for sf in meta.shared_flows {
            self.register_shared_flow(sf)
                .map_err(|e| format!("{owner}, via FlowCallout: {e}"))?;
        }
        for ts in meta.target_servers {
            if !self.servers.contains_key(*ts) {
                return Err(format!(
                    "{owner} references TargetServer `{ts}`, which the environment does not define (add [target_servers.{ts}] or a targetServers.json entry)"
                ));
            }
        }
        for (site, info) in meta.tls {
            if info.ignore_validation_errors {
                tracing::warn!(
                    owner,
                    site,
                    "IgnoreValidationErrors: the backend's TLS certificate is NOT verified"
                );
            }
            let tls = client_config(info, &self.stores, &self.default_roots)
                .map_err(|e| format!("{owner}, SSLInfo of {site}: {e}"))?;
            write(&self.static_tls).insert(key(*info), Arc::new(tls));
        }
        for (site, lb) in meta.load_balancers {
            if read(&self.balancers).contains_key(&key(*lb)) {
                continue;
            }
            let endpoint_tls = meta
                .tls
                .iter()
                .find(|(s, _)| s == site)
                .and_then(|(_, info)| self.static_config(info));
            let balancer = Balancer::new(lb, |s| -> Result<_, String> {
                let ts = self.servers.get(s.name).ok_or_else(|| {
                    format!(
                        "{owner}, LoadBalancer of {site}: TargetServer `{}` is not defined in the environment",
                        s.name
                    )
                })?;
                if !ts.enabled {
                    return Ok(None);
                }
                // The TargetServer's SSLInfo wins over the endpoint's.
                let tls = match &ts.ssl_info {
                    Some(ssl) if ssl.enabled => self.server_tls.get(s.name).cloned(),
                    Some(_) => None,
                    None => endpoint_tls.clone(),
                };
                Ok(Some(ServerTarget {
                    host: ts.host.clone(),
                    port: ts.port,
                    tls,
                }))
            })?;
            let balancer = Arc::new(balancer);
            write(&self.balancers).insert(key(*lb), Arc::clone(&balancer));
            self.start_monitor(balancer);
        }
        Ok(())
    }

    fn static_config(&self, info: &'static SslInfo<'static>) -> Option<Arc<ClientConfig>> {
        read(&self.static_tls).get(&key(info)).cloned()
    }

    /// The pooled client for a TLS configuration and pooling settings.
    fn client(&self, tls: &Arc<ClientConfig>, pooling: Pooling) -> HttpClient {
        if Arc::ptr_eq(tls, &self.default_tls) && pooling == Pooling::default() {
            return self.default_client.clone();
        }
        let mut clients = self.clients.lock().unwrap_or_else(PoisonError::into_inner);
        clients
            .entry((Arc::as_ptr(tls) as usize, pooling))
            .or_insert_with(|| {
                HttpClient::with_tls((**tls).clone(), Arc::clone(&self.overrides), pooling)
            })
            .clone()
    }

    /// The default client (web PKI and `trust_anchors`, default timeouts).
    pub fn default_client(&self) -> HttpClient {
        self.default_client.clone()
    }

    /// Sends `req` (an absolute URI) with the endpoint's TLS settings and
    /// timeouts, waiting up to `io.timeout.millis` for the response head.
    /// `outer`: a timeout the caller started before this call and runs the
    /// whole exchange under; when it is not longer than `io.timeout.millis`,
    /// that timer could never fire first and is left out.
    pub fn send(
        &self,
        props: &TargetProperties,
        req: http::Request<OutBody>,
        outer: Option<Duration>,
    ) -> Sending {
        let io = Duration::from_millis(props.io_timeout_ms);
        let timeout = outer.is_none_or(|outer| outer > io).then_some(io);
        // The client is chosen (and its request started) now, so the
        // future holds neither `self` nor a client while it waits.
        match self.client_for(props) {
            Ok(client) => client.send(req, timeout),
            Err(e) => Sending::failed(e),
        }
    }

    /// The pooled client for an endpoint's TLS settings and pooling.
    fn client_for(&self, props: &TargetProperties) -> Result<Cow<'_, HttpClient>, ClientError> {
        let pooling = props.pooling();
        if props.tls.is_none() && pooling == Pooling::default() {
            return Ok(Cow::Borrowed(&self.default_client));
        }
        let tls = match props.tls {
            Some(info) => match self.static_config(info) {
                Some(tls) => tls,
                // Not registered through a gateway (an embedded proxy):
                // build once now and keep it.
                None => {
                    let built = client_config(info, &self.stores, &self.default_roots)
                        .map_err(ClientError::Connect)?;
                    let tls = Arc::new(built);
                    write(&self.static_tls).insert(key(info), Arc::clone(&tls));
                    tls
                }
            },
            None => Arc::clone(&self.default_tls),
        };
        Ok(Cow::Owned(self.client(&tls, pooling)))
    }

    /// Sends a request through LoadBalancer `lb`: `path_and_query` is
    /// appended to the chosen server's origin; failures count towards
    /// `MaxFailures` and, with `RetryEnabled`, the next server is tried.
    pub async fn send_balanced(
        &self,
        lb: &'static LoadBalancer,
        props: &TargetProperties,
        parts: &http::request::Parts,
        path_and_query: &str,
        body: Bytes,
    ) -> Result<(http::Response<Incoming>, Chosen), ClientError> {
        let balancer = read(&self.balancers)
            .get(&key(lb))
            .cloned()
            .ok_or(ClientError::NoActiveServer)?;
        let mut tried = Vec::new();
        let mut failed = Vec::new();
        loop {
            let Some(i) = balancer.pick(&tried) else {
                return Err(ClientError::NoActiveServer);
            };
            tried.push(i);
            let member = &balancer.members()[i];
            let uri: http::Uri = format!("{}{path_and_query}", member.target.origin())
                .parse()
                .map_err(|_| ClientError::Request(format!("invalid path `{path_and_query}`")))?;
            let mut req = http::Request::new(full(body.clone()));
            *req.method_mut() = parts.method.clone();
            *req.uri_mut() = uri;
            *req.headers_mut() = parts.headers.clone();
            let outcome = {
                let _in_flight = balancer.begin(i);
                let tls = member.target.tls.as_ref().unwrap_or(&self.default_tls);
                self.client(tls, props.pooling())
                    .send(req, Some(Duration::from_millis(props.io_timeout_ms)))
                    .await
            };
            let retry = lb.retry_enabled && balancer.any_left(&tried);
            let chosen = || Chosen {
                name: member.name,
                origin: member.target.origin(),
                is_fallback: lb
                    .servers
                    .iter()
                    .any(|s| s.name == member.name && s.is_fallback),
                failed: failed.clone(),
            };
            match outcome {
                Ok(resp) if !balancer.is_unhealthy(resp.status().as_u16()) => {
                    balancer.succeeded(i);
                    return Ok((resp, chosen()));
                }
                Ok(resp) => {
                    balancer.failed(i);
                    if !retry {
                        return Ok((resp, chosen()));
                    }
                }
                Err(e) => {
                    balancer.failed(i);
                    if !retry || matches!(e, ClientError::Request(_)) {
                        return Err(e);
                    }
                }
            }
            tracing::debug!(server = member.name, "retrying on another target server");
            failed.push(member.name);
        }
    }

    fn start_monitor(&self, balancer: Arc<Balancer<ServerTarget>>) {
        let Some(monitor) = &balancer.config().health else {
            return;
        };
        let Ok(handle) = tokio::runtime::Handle::try_current() else {
            tracing::warn!("no tokio runtime at mount: HealthMonitor not started");
            return;
        };
        let interval = Duration::from_secs(monitor.interval_secs);
        let overrides = Arc::clone(&self.overrides);
        let default_tls = Arc::clone(&self.default_tls);
        let org_env = self.org_env.clone();
        let http_client = |tls: &Arc<ClientConfig>, secs: u64| {
            self.client(
                tls,
                Pooling {
                    connect_timeout_ms: health::secs_or_default(secs).as_millis() as u64,
                    ..Pooling::default()
                },
            )
        };
        // Clients for the HTTP checks, made now so the task owns them.
        let clients: Vec<HttpClient> = balancer
            .members()
            .iter()
            .map(|m| match &monitor.check {
                Check::Http(h) if h.use_target_server_ssl_info => http_client(
                    m.target.tls.as_ref().unwrap_or(&default_tls),
                    h.connect_timeout_secs,
                ),
                Check::Http(h) => http_client(&default_tls, h.connect_timeout_secs),
                Check::Tcp { .. } => self.default_client(),
            })
            .collect();
        let task = health::watch(balancer, interval, move |b, i| {
            let overrides = Arc::clone(&overrides);
            let client = clients[i].clone();
            let org_env = org_env.clone();
            async move {
                let m = &b.members()[i];
                let Some(check) = &b.config().health else {
                    return false;
                };
                match &check.check {
                    Check::Tcp {
                        connect_timeout_secs,
                        port,
                    } => {
                        let addr =
                            dial_addr(&overrides, &m.target.host, port.unwrap_or(m.target.port));
                        health::tcp_check(&addr, health::secs_or_default(*connect_timeout_secs))
                            .await
                    }
                    Check::Http(h) => {
                        let https =
                            h.is_ssl || (h.use_target_server_ssl_info && m.target.tls.is_some());
                        let scheme = if https { "https" } else { "http" };
                        let uri = format!(
                            "{scheme}://{}:{}{}",
                            m.target.host,
                            h.port.unwrap_or(m.target.port),
                            h.path
                        );
                        let Ok(uri) = uri.parse() else { return false };
                        let id = h
                            .include_health_check_id_header
                            .then(|| format!("{org_env}/{}/{}", uuid::Uuid::new_v4(), now_ms()));
                        health::http_check(&client, h, uri, id).await
                    }
                }
            }
        });
        let mut monitors = self.monitors.lock().unwrap_or_else(PoisonError::into_inner);
        monitors.spawn_on(task, &handle);
    }

    /// Stops the HealthMonitors (at shutdown).
    pub fn shutdown(&self) {
        self.monitors
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .abort_all();
    }
}

fn full(body: Bytes) -> OutBody {
    OutBody::from(body)
}

fn now_ms() -> u128 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0, |d| d.as_millis())
}

fn read<K, V>(lock: &Shared<K, V>) -> std::sync::RwLockReadGuard<'_, HashMap<K, V>> {
    lock.read().unwrap_or_else(PoisonError::into_inner)
}

fn write<K, V>(lock: &Shared<K, V>) -> std::sync::RwLockWriteGuard<'_, HashMap<K, V>> {
    lock.write().unwrap_or_else(PoisonError::into_inner)
}
