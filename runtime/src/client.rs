//! The outbound HTTP client used for targets and callouts: hyper-util's
//! pooled client over rustls (verification always on), with connect
//! overrides that send a named `host:port` to a local address while TLS
//! still verifies the original name, and short pool keys
//! ([`crate::pool_keys`]).

use crate::env::{ConfigError, EnvConfig};
use crate::pool_keys::PoolKeys;
use futures_util::FutureExt;
use hyper::body::Incoming;
use hyper_util::client::legacy::connect::{Connected, Connection, HttpConnector};
use hyper_util::client::legacy::{Client, ResponseFuture};
use hyper_util::rt::{TokioExecutor, TokioIo};
use std::collections::BTreeMap;
use std::future::Future;
use std::io;
use std::net::SocketAddr;
use std::pin::Pin;
use std::sync::Arc;
use std::task::{Context, Poll};
use std::time::Duration;
use tokio::net::TcpStream;

/// Error type of outbound bodies.
pub type BoxError = Box<dyn std::error::Error + Send + Sync>;

pub use crate::body::OutBody;

/// Why an outbound call failed.
#[derive(Debug)]
pub enum ClientError {
    /// No connection could be made (refused, unreachable, DNS, TLS handshake).
    Connect(String),
    /// No response head within the timeout.
    Timeout,
    /// The peer broke the exchange (reset, garbage, closed early).
    Protocol(String),
    /// The request could not be built (bad URL or header).
    Request(String),
    /// No server of a LoadBalancer is in rotation.
    NoActiveServer,
}

impl std::fmt::Display for ClientError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            ClientError::Connect(e) => write!(f, "connection failed: {e}"),
            ClientError::Timeout => f.write_str("timed out waiting for the response"),
            ClientError::Protocol(e) => write!(f, "bad response: {e}"),
            ClientError::Request(e) => write!(f, "invalid request: {e}"),
            ClientError::NoActiveServer => f.write_str("no target server is in rotation"),
        }
    }
}

/// TCP connector applying connect overrides before dialling.
#[derive(Clone)]
pub struct OverrideConnector {
    inner: HttpConnector,
    overrides: Arc<BTreeMap<String, SocketAddr>>,
}

impl tower_service::Service<http::Uri> for OverrideConnector {
    type Response = Tcp;
    type Error = <HttpConnector as tower_service::Service<http::Uri>>::Error;
    type Future = Pin<Box<dyn Future<Output = Result<Self::Response, Self::Error>> + Send>>;

    fn poll_ready(&mut self, cx: &mut Context<'_>) -> Poll<Result<(), Self::Error>> {
        self.inner.poll_ready(cx)
    }

    fn call(&mut self, uri: http::Uri) -> Self::Future {
        let target = override_uri(&self.overrides, &uri).unwrap_or(uri);
        Box::pin(self.inner.call(target).map(|dialled| dialled.map(Tcp)))
    }
}

/// An upstream TCP connection. hyper-util's own stream reports the
/// peer's and its own address (`HttpInfo`), which the pool then copies
/// into the extensions of every response: an allocated map per response
/// that nothing here reads. This one reports nothing beyond the
/// connection itself.
pub struct Tcp(TokioIo<TcpStream>);

impl Connection for Tcp {
    fn connected(&self) -> Connected {
        Connected::new()
    }
}

impl hyper::rt::Read for Tcp {
    #[inline]
    fn poll_read(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: hyper::rt::ReadBufCursor<'_>,
    ) -> Poll<io::Result<()>> {
        Pin::new(&mut self.get_mut().0).poll_read(cx, buf)
    }
}

impl hyper::rt::Write for Tcp {
    #[inline]
    fn poll_write(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &[u8],
    ) -> Poll<io::Result<usize>> {
        Pin::new(&mut self.get_mut().0).poll_write(cx, buf)
    }

    #[inline]
    fn poll_write_vectored(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        bufs: &[io::IoSlice<'_>],
    ) -> Poll<io::Result<usize>> {
        Pin::new(&mut self.get_mut().0).poll_write_vectored(cx, bufs)
    }

    #[inline]
    fn is_write_vectored(&self) -> bool {
        self.0.is_write_vectored()
    }

    #[inline]
    fn poll_flush(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        Pin::new(&mut self.get_mut().0).poll_flush(cx)
    }

    #[inline]
    fn poll_shutdown(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        Pin::new(&mut self.get_mut().0).poll_shutdown(cx)
    }
}

/// The `ip:port` to dial for `host:port`: the override, or `host:port` itself.
pub fn dial_addr(overrides: &BTreeMap<String, SocketAddr>, host: &str, port: u16) -> String {
    let name = format!("{host}:{port}");
    overrides.get(&name).map_or(name, ToString::to_string)
}

/// The URI to dial when `uri`'s `host:port` is overridden.
fn override_uri(overrides: &BTreeMap<String, SocketAddr>, uri: &http::Uri) -> Option<http::Uri> {
    let host = uri.host()?;
    let port = uri.port_u16().unwrap_or(match uri.scheme_str() {
        Some("https") => 443,
        _ => 80,
    });
    let addr = overrides.get(&format!("{host}:{port}"))?;
    // The dialled URI only decides the TCP peer; TLS uses the original URI.
    format!("http://{addr}/").parse().ok()
}

/// The connector of `https://` calls.
type TlsConnector = hyper_rustls::HttpsConnector<OverrideConnector>;

/// A connector behind one `Arc`, dialling the origin behind a pool key.
/// hyper-util clones its client, connector included, for every request it
/// sends; the connectors hold two to four `Arc`s each (TCP settings,
/// overrides, TLS config, server-name resolver), and this makes that
/// per-request clone one reference count. The connector itself is cloned
/// only to dial a new connection.
struct SharedConnector<C>(Arc<Dialler<C>>);

/// What [`SharedConnector`] shares: the connector and its client's pool keys.
struct Dialler<C> {
    connector: C,
    keys: Arc<PoolKeys>,
}

impl<C> SharedConnector<C> {
    fn new(connector: C, keys: &Arc<PoolKeys>) -> Self {
        SharedConnector(Arc::new(Dialler {
            connector,
            keys: Arc::clone(keys),
        }))
    }
}

impl<C> Clone for SharedConnector<C> {
    fn clone(&self) -> Self {
        SharedConnector(Arc::clone(&self.0))
    }
}

impl<C> tower_service::Service<http::Uri> for SharedConnector<C>
where
    C: tower_service::Service<http::Uri> + Clone + Send + 'static,
    C::Future: Send,
{
    type Response = C::Response;
    type Error = C::Error;
    type Future = Pin<Box<dyn Future<Output = Result<Self::Response, Self::Error>> + Send>>;

    /// Always ready: readiness is awaited on the dialling clone in `call`.
    fn poll_ready(&mut self, _: &mut Context<'_>) -> Poll<Result<(), Self::Error>> {
        Poll::Ready(Ok(()))
    }

    fn call(&mut self, dst: http::Uri) -> Self::Future {
        let uri = self.0.keys.dial(dst);
        let mut connector = C::clone(&self.0.connector);
        Box::pin(async move {
            std::future::poll_fn(|cx| connector.poll_ready(cx)).await?;
            connector.call(uri).await
        })
    }
}

/// The pooled outbound client: one pool for `http://` calls, which read
/// and write the TCP stream directly, and one for `https://` calls, both
/// keyed by the origins' aliases.
#[derive(Clone)]
pub struct HttpClient {
    plain: Client<SharedConnector<OverrideConnector>, OutBody>,
    tls: Client<SharedConnector<TlsConnector>, OutBody>,
    keys: Arc<PoolKeys>,
}

/// The roots trusted when an SSLInfo names no trust store: the web PKI
/// plus the configured `trust_anchors`.
pub fn default_roots(config: &EnvConfig) -> Result<rustls::RootCertStore, ConfigError> {
    let mut roots = rustls::RootCertStore::empty();
    roots.extend(webpki_roots::TLS_SERVER_ROOTS.iter().cloned());
    for path in &config.trust_anchors {
        for cert in crate::tls::read_certs(path)? {
            roots.add(cert).map_err(|e| ConfigError {
                file: path.clone(),
                message: format!("not a usable CA certificate: {e}"),
            })?;
        }
    }
    Ok(roots)
}

/// Where and how long to connect, and how long idle connections stay pooled.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct Pooling {
    /// `connect.timeout.millis`.
    pub connect_timeout_ms: u64,
    /// `keepalive.timeout.millis`.
    pub keepalive_timeout_ms: u64,
}

impl Default for Pooling {
    fn default() -> Self {
        Pooling {
            connect_timeout_ms: 3000,
            keepalive_timeout_ms: 60_000,
        }
    }
}

impl HttpClient {
    /// A client with one TLS configuration (https URLs) and plain http,
    /// dialling through `overrides`.
    pub fn with_tls(
        tls: rustls::ClientConfig,
        overrides: Arc<BTreeMap<String, SocketAddr>>,
        pooling: Pooling,
    ) -> Self {
        let tcp = |enforce_http: bool| {
            let mut http = HttpConnector::new();
            // The TLS connector hands `https://` URIs to its TCP connector.
            http.enforce_http(enforce_http);
            http.set_connect_timeout(Some(Duration::from_millis(pooling.connect_timeout_ms)));
            http.set_nodelay(true);
            OverrideConnector {
                inner: http,
                overrides: Arc::clone(&overrides),
            }
        };
        let https = hyper_rustls::HttpsConnectorBuilder::new()
            .with_tls_config(tls)
            .https_only()
            // HTTP/1 only: pool keys (`crate::pool_keys`) rely on requests
            // carrying their target in origin form, not in `:authority`.
            .enable_http1()
            .wrap_connector(tcp(false));
        let mut builder = Client::builder(TokioExecutor::new());
        builder
            .pool_idle_timeout(Duration::from_millis(pooling.keepalive_timeout_ms))
            // `PoolKeys::key` sets it from the real URI, before aliasing.
            .set_host(false);
        let keys = Arc::new(PoolKeys::default());
        HttpClient {
            plain: builder.build(SharedConnector::new(tcp(true), &keys)),
            tls: builder.build(SharedConnector::new(https, &keys)),
            keys,
        }
    }

    /// Sends a request and waits up to `timeout` for the response head
    /// (`None`: the caller bounds the whole exchange with a timer of its
    /// own, and this one could never fire first).
    ///
    /// The returned future owns everything it needs (hyper's own request
    /// future is boxed), so callers can drop the client before awaiting it:
    /// it stays small wherever it is embedded in a flow's future.
    pub fn send(&self, mut req: http::Request<OutBody>, timeout: Option<Duration>) -> Sending {
        if let Err(refused) = self.keys.key(&mut req) {
            return Sending::failed(refused);
        }
        let sent = if req.uri().scheme() == Some(&http::uri::Scheme::HTTPS) {
            self.tls.request(req)
        } else {
            self.plain.request(req)
        };
        match timeout {
            Some(timeout) => Sending::Timed {
                sent: tokio::time::timeout(timeout, sent),
            },
            None => Sending::Untimed { sent },
        }
    }
}

pin_project_lite::pin_project! {
    /// The future of [`HttpClient::send`]: hyper-util's response future,
    /// under a timer when one was given, or an error found before sending.
    /// One future with one small `poll`, where a stack of combinators
    /// (`Either`, `Map`, `Timeout`) had code of its own for every layer.
    #[project = SendingProj]
    pub enum Sending {
        /// Waiting for the response head until the timer fires.
        Timed { #[pin] sent: tokio::time::Timeout<ResponseFuture> },
        /// Waiting for the response head; the caller's timer bounds it.
        Untimed { sent: ResponseFuture },
        /// Failed before anything was sent (the error is taken when polled).
        Failed { error: Option<ClientError> },
    }
}

impl Sending {
    /// A send that failed before it started.
    pub fn failed(error: ClientError) -> Self {
        Sending::Failed { error: Some(error) }
    }
}

impl Future for Sending {
    type Output = Result<http::Response<Incoming>, ClientError>;

    fn poll(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Self::Output> {
        match self.project() {
            SendingProj::Timed { sent } => match sent.poll(cx) {
                Poll::Ready(Ok(sent)) => Poll::Ready(sent.map_err(client_error)),
                Poll::Ready(Err(_elapsed)) => Poll::Ready(Err(ClientError::Timeout)),
                Poll::Pending => Poll::Pending,
            },
            SendingProj::Untimed { sent } => Pin::new(sent).poll(cx).map_err(client_error),
            SendingProj::Failed { error } => Poll::Ready(Err(error.take().unwrap_or_else(|| {
                ClientError::Request("the send was polled again after it failed".into())
            }))),
        }
    }
}

/// A hyper client error as a [`ClientError`].
fn client_error(e: hyper_util::client::legacy::Error) -> ClientError {
    if e.is_connect() {
        ClientError::Connect(error_chain(&e))
    } else {
        ClientError::Protocol(error_chain(&e))
    }
}

/// An error with its sources, for fault reasons and logs.
fn error_chain(e: &dyn std::error::Error) -> String {
    let mut s = e.to_string();
    let mut src = e.source();
    while let Some(inner) = src {
        s.push_str(": ");
        s.push_str(&inner.to_string());
        src = inner.source();
    }
    s
}
