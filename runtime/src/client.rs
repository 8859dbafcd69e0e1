//! The outbound HTTP client used for targets and callouts: HTTP/1 over TCP
//! or rustls (verification always on), pooled per origin ([`crate::pool`]),
//! with connect overrides that send a named `host:port` to a local address
//! while TLS still verifies the original name.

use crate::env::{ConfigError, EnvConfig};
use crate::pool::{Origin, Pool, Sender, reap_every_timeout};
use http::uri::{Authority, Scheme};
use hyper::body::Incoming;
use hyper_util::client::legacy::connect::HttpConnector;
use hyper_util::rt::TokioIo;
use std::collections::BTreeMap;
use std::future::Future;
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
    type Response = TokioIo<TcpStream>;
    type Error = <HttpConnector as tower_service::Service<http::Uri>>::Error;
    type Future = <HttpConnector as tower_service::Service<http::Uri>>::Future;

    fn poll_ready(&mut self, cx: &mut Context<'_>) -> Poll<Result<(), Self::Error>> {
        self.inner.poll_ready(cx)
    }

    fn call(&mut self, uri: http::Uri) -> Self::Future {
        let target = override_uri(&self.overrides, &uri).unwrap_or(uri);
        self.inner.call(target)
    }
}

/// The `ip:port` to dial for `host:port`: the override, or `host:port` itself.
pub fn dial_addr(overrides: &BTreeMap<String, SocketAddr>, host: &str, port: u16) -> String {
    let name = format!("{host}:{port}");
    overrides.get(&name).map_or(name, ToString::to_string)
}

/// The port an `https` (or else `http`) URL without one goes to.
pub(crate) fn default_port(https: bool) -> u16 {
    if https { 443 } else { 80 }
}

/// The URI to dial when `uri`'s `host:port` is overridden.
fn override_uri(overrides: &BTreeMap<String, SocketAddr>, uri: &http::Uri) -> Option<http::Uri> {
    let host = uri.host()?;
    let port = uri
        .port_u16()
        .unwrap_or(default_port(uri.scheme() == Some(&Scheme::HTTPS)));
    let addr = overrides.get(&format!("{host}:{port}"))?;
    // The dialled URI only decides the TCP peer; TLS uses the original URI.
    format!("http://{addr}/").parse().ok()
}

/// The connector of `https://` calls.
type TlsConnector = hyper_rustls::HttpsConnector<OverrideConnector>;

/// The pooled outbound client: HTTP/1 connections over TCP for `http://`
/// calls and over rustls for `https://` calls, pooled per origin
/// ([`crate::pool`]). Clones share the pool.
#[derive(Clone)]
pub struct HttpClient(Arc<Shared>);

/// What the clones of an [`HttpClient`] share.
struct Shared {
    pool: Pool,
    plain: OverrideConnector,
    tls: TlsConnector,
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
        let tls = hyper_rustls::HttpsConnectorBuilder::new()
            .with_tls_config(tls)
            .https_only()
            // HTTP/1 only: the pool holds HTTP/1 connections.
            .enable_http1()
            .wrap_connector(tcp(false));
        HttpClient(Arc::new(Shared {
            pool: Pool::new(Duration::from_millis(pooling.keepalive_timeout_ms)),
            plain: tcp(true),
            tls,
        }))
    }

    /// Sends a request (an absolute `http(s)://` URI) and waits up to
    /// `timeout` for the response head (`None`: the caller bounds the whole
    /// exchange with a timer of its own, and this one could never fire
    /// first).
    ///
    /// The returned future owns everything it needs (the exchange is
    /// boxed), so callers can drop the client before awaiting it: it stays
    /// small wherever it is embedded in a flow's future.
    pub fn send(&self, mut req: http::Request<OutBody>, timeout: Option<Duration>) -> Sending {
        let origin = match to_origin_form(&mut req) {
            Ok(origin) => origin,
            Err(refused) => return Sending::failed(refused),
        };
        let sent: Exchange = Box::pin(Arc::clone(&self.0).exchange(origin, req));
        match timeout {
            Some(timeout) => Sending::Timed {
                sent: tokio::time::timeout(timeout, sent),
            },
            None => Sending::Untimed { sent },
        }
    }
}

impl Shared {
    /// Sends `req` on a pooled connection to `origin`, or on a new one when
    /// none is ready, and gives the connection back once the response head
    /// has arrived. A pooled connection found closed before the request
    /// went out (the server closed it while idle) is replaced by a new one.
    async fn exchange(
        self: Arc<Self>,
        origin: Origin,
        mut req: http::Request<OutBody>,
    ) -> Result<http::Response<Incoming>, ClientError> {
        if let Some(mut pooled) = self.pool.checkout(&origin) {
            match pooled.try_send_request(req).await {
                Ok(response) => {
                    self.pool.give_back(origin, pooled);
                    return Ok(response);
                }
                Err(mut failed) => match failed.take_message() {
                    Some(unsent) => req = unsent,
                    None => return Err(ClientError::Protocol(error_chain(failed.error()))),
                },
            }
        }
        let mut fresh = self.connect(&origin).await?;
        let response = fresh
            .send_request(req)
            .await
            .map_err(|e| ClientError::Protocol(error_chain(&e)))?;
        self.pool.give_back(origin, fresh);
        Ok(response)
    }

    /// Opens a connection to `origin` (TCP, and TLS for https) and spawns
    /// the task driving it; the first connection starts the pool's reaper.
    async fn connect(self: &Arc<Self>, origin: &Origin) -> Result<Sender, ClientError> {
        let uri = http::Uri::builder()
            .scheme(origin.scheme.clone())
            .authority(origin.authority.clone())
            .path_and_query("/")
            .build()
            .map_err(|e| ClientError::Request(e.to_string()))?;
        let sender = if origin.scheme == Scheme::HTTPS {
            handshake(self.tls.clone(), uri).await?
        } else {
            handshake(self.plain.clone(), uri).await?
        };
        if self.pool.starts_reaper() {
            tokio::spawn(reap_every_timeout(Arc::downgrade(self), |s: &Shared| {
                &s.pool
            }));
        }
        Ok(sender)
    }
}

/// Dials `uri` with `connector`, makes an HTTP/1 connection of the stream
/// and spawns the task that drives it (it ends when the connection closes).
async fn handshake<C>(mut connector: C, uri: http::Uri) -> Result<Sender, ClientError>
where
    C: tower_service::Service<http::Uri>,
    C::Response: hyper::rt::Read + hyper::rt::Write + Send + Unpin + 'static,
    C::Error: Into<BoxError>,
{
    let connect_error = |e: BoxError| ClientError::Connect(error_chain(&*e));
    std::future::poll_fn(|cx| connector.poll_ready(cx))
        .await
        .map_err(|e| connect_error(e.into()))?;
    let stream = connector
        .call(uri)
        .await
        .map_err(|e| connect_error(e.into()))?;
    let (sender, connection) = hyper::client::conn::http1::handshake(stream)
        .await
        .map_err(|e| ClientError::Connect(error_chain(&e)))?;
    tokio::spawn(async move {
        if let Err(e) = connection.await {
            tracing::debug!(error = %error_chain(&e), "upstream connection closed with an error");
        }
    });
    Ok(sender)
}

/// Prepares an absolute request URI for HTTP/1: sets the `Host` header
/// from it when the request has none, leaves the URI in origin form
/// (`/path?query`) and returns the origin it named.
fn to_origin_form<B>(req: &mut http::Request<B>) -> Result<Origin, ClientError> {
    let parts = std::mem::take(req.uri_mut()).into_parts();
    let (Some(scheme), Some(authority)) = (parts.scheme, parts.authority) else {
        return Err(ClientError::Request(
            "the target URL has no scheme and host".into(),
        ));
    };
    if scheme != Scheme::HTTP && scheme != Scheme::HTTPS {
        return Err(ClientError::Connect(format!(
            "invalid URL, scheme `{scheme}` is not http or https"
        )));
    }
    if !req.headers().contains_key(http::header::HOST) {
        let host = host_header(&scheme, &authority)?;
        req.headers_mut().insert(http::header::HOST, host);
    }
    // A URI without a path (`http://host`) is sent with `/` all the same.
    if let Some(path) = parts.path_and_query {
        *req.uri_mut() = http::Uri::from(path);
    }
    Ok(Origin { scheme, authority })
}

/// The `Host` header of a URI: the host, with the port unless it is the
/// scheme's default.
fn host_header(scheme: &Scheme, authority: &Authority) -> Result<http::HeaderValue, ClientError> {
    let text = match authority.port_u16() {
        Some(port) if port != default_port(*scheme == Scheme::HTTPS) => {
            format!("{}:{port}", authority.host())
        }
        _ => authority.host().to_owned(),
    };
    http::HeaderValue::try_from(text).map_err(|e| ClientError::Request(e.to_string()))
}

/// The boxed exchange a [`Sending`] waits for.
type Exchange = Pin<Box<dyn Future<Output = Result<http::Response<Incoming>, ClientError>> + Send>>;

pin_project_lite::pin_project! {
    /// The future of [`HttpClient::send`]: the exchange, under a timer when
    /// one was given, or an error found before sending. One future with one
    /// small `poll`, where a stack of combinators (`Either`, `Map`,
    /// `Timeout`) had code of its own for every layer.
    #[project = SendingProj]
    pub enum Sending {
        /// Waiting for the response head until the timer fires.
        Timed { #[pin] sent: tokio::time::Timeout<Exchange> },
        /// Waiting for the response head; the caller's timer bounds it.
        Untimed { sent: Exchange },
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
                Poll::Ready(Ok(sent)) => Poll::Ready(sent),
                Poll::Ready(Err(_elapsed)) => Poll::Ready(Err(ClientError::Timeout)),
                Poll::Pending => Poll::Pending,
            },
            SendingProj::Untimed { sent } => sent.as_mut().poll(cx),
            SendingProj::Failed { error } => Poll::Ready(Err(error.take().unwrap_or_else(|| {
                ClientError::Request("the send was polled again after it failed".into())
            }))),
        }
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

#[cfg(test)]
mod tests {
    use super::*;
    use crate::tls_client::{SslInfo, client_config};
    use bytes::Bytes;
    use http_body_util::BodyExt;
    use std::sync::Mutex;
    use tokio::io::{AsyncReadExt, AsyncWriteExt};
    use tokio::net::TcpListener;
    use tokio::sync::Notify;

    /// What the test server saw on each connection it accepted.
    #[derive(Default)]
    struct Seen {
        /// The request heads, per connection.
        heads: Mutex<Vec<Vec<String>>>,
        /// Connections the client closed.
        closed: Mutex<usize>,
        closing: Notify,
    }

    /// How the test server answers.
    #[derive(Clone, Copy, PartialEq)]
    enum Answer {
        /// `200` with a 2-byte body; the connection stays open.
        KeepAlive,
        /// The same, then the server closes the connection (without saying so).
        ThenClose,
        /// A chunked `200` whose body never ends.
        Endless,
    }

    /// A raw HTTP/1.1 server on 127.0.0.1 recording what it receives.
    async fn server(answer: Answer) -> (SocketAddr, Arc<Seen>) {
        let listener = TcpListener::bind("127.0.0.1:0").await.unwrap(); // ok: test
        let addr = listener.local_addr().unwrap(); // ok: test
        let seen = Arc::new(Seen::default());
        let shared = Arc::clone(&seen);
        tokio::spawn(async move {
            while let Ok((mut stream, _)) = listener.accept().await {
                let seen = Arc::clone(&shared);
                let index = {
                    let mut heads = seen.heads.lock().unwrap(); // ok: test
                    heads.push(Vec::new());
                    heads.len() - 1
                };
                tokio::spawn(async move {
                    let mut buf = Vec::new();
                    let mut chunk = [0u8; 1024];
                    loop {
                        let Some(end) = buf.windows(4).position(|w| w == b"\r\n\r\n") else {
                            match stream.read(&mut chunk).await {
                                Ok(0) | Err(_) => break,
                                Ok(n) => buf.extend_from_slice(&chunk[..n]),
                            }
                            continue;
                        };
                        let head: Vec<u8> = buf.drain(..end + 4).collect();
                        seen.heads.lock().unwrap()[index] // ok: test
                            .push(String::from_utf8_lossy(&head).into_owned());
                        let reply: &[u8] = match answer {
                            Answer::Endless => {
                                b"HTTP/1.1 200 OK\r\ntransfer-encoding: chunked\r\n\r\n2\r\nok\r\n"
                            }
                            _ => b"HTTP/1.1 200 OK\r\ncontent-length: 2\r\n\r\nok",
                        };
                        if stream.write_all(reply).await.is_err() || answer == Answer::ThenClose {
                            return;
                        }
                    }
                    *seen.closed.lock().unwrap() += 1; // ok: test
                    seen.closing.notify_one();
                });
            }
        });
        (addr, seen)
    }

    fn client(keepalive_timeout_ms: u64) -> HttpClient {
        let mut roots = rustls::RootCertStore::empty();
        roots.extend(webpki_roots::TLS_SERVER_ROOTS.iter().cloned());
        let roots = Arc::new(roots);
        let tls =
            client_config(&SslInfo::default(), &crate::tls::Stores::default(), &roots).unwrap(); // ok: test
        let pooling = Pooling {
            connect_timeout_ms: 3000,
            keepalive_timeout_ms,
        };
        HttpClient::with_tls(tls, Arc::default(), pooling)
    }

    /// Sends a GET and returns the status and the body.
    async fn get(client: &HttpClient, uri: String) -> Result<(u16, Bytes), ClientError> {
        let req = http::Request::get(uri)
            .body(OutBody::from(Bytes::new()))
            .unwrap(); // ok: test
        let response = client.send(req, Some(Duration::from_secs(5))).await?;
        let status = response.status().as_u16();
        let body = response.into_body().collect().await.unwrap().to_bytes(); // ok: test
        Ok((status, body))
    }

    #[tokio::test]
    async fn sequential_requests_reuse_one_connection_in_origin_form() {
        let (addr, seen) = server(Answer::KeepAlive).await;
        let client = client(60_000);
        for path in ["/a?x=1", "/b", ""] {
            let got = get(&client, format!("http://{addr}{path}")).await.unwrap(); // ok: test
            assert_eq!(got, (200, Bytes::from_static(b"ok")));
        }
        let heads = seen.heads.lock().unwrap().clone(); // ok: test
        assert_eq!(heads.len(), 1, "one connection: {heads:?}");
        let lines: Vec<&str> = heads[0].iter().filter_map(|h| h.lines().next()).collect();
        assert_eq!(
            lines,
            ["GET /a?x=1 HTTP/1.1", "GET /b HTTP/1.1", "GET / HTTP/1.1"]
        );
        assert!(
            heads[0][0].contains(&format!("host: {addr}\r\n")),
            "{}",
            heads[0][0]
        );
    }

    #[tokio::test]
    async fn a_connection_the_server_closed_is_not_reused() {
        let (addr, seen) = server(Answer::ThenClose).await;
        let client = client(60_000);
        for _ in 0..3 {
            let got = get(&client, format!("http://{addr}/")).await.unwrap(); // ok: test
            assert_eq!(got.0, 200);
        }
        assert_eq!(seen.heads.lock().unwrap().len(), 3); // ok: test
    }

    #[tokio::test]
    async fn a_connection_still_sending_a_body_is_passed_over() {
        let (addr, seen) = server(Answer::Endless).await;
        let client = client(60_000);
        let req = || {
            let uri = format!("http://{addr}/");
            http::Request::get(uri)
                .body(OutBody::from(Bytes::new()))
                .unwrap() // ok: test
        };
        let first = client.send(req(), None).await.unwrap(); // ok: test
        // The first response's body is still open: its connection is busy.
        let second = tokio::time::timeout(Duration::from_secs(5), client.send(req(), None)).await;
        let second = second.unwrap().unwrap(); // ok: test
        assert_eq!(
            (first.status(), second.status()),
            (http::StatusCode::OK, http::StatusCode::OK)
        );
        assert_eq!(seen.heads.lock().unwrap().len(), 2); // ok: test
    }

    #[tokio::test]
    async fn idle_connections_close_after_the_keepalive_timeout() {
        let (addr, seen) = server(Answer::KeepAlive).await;
        let client = client(100);
        get(&client, format!("http://{addr}/")).await.unwrap(); // ok: test
        // The reaper closes the idle connection within two timeouts.
        tokio::time::timeout(Duration::from_secs(5), seen.closing.notified())
            .await
            .expect("the idle connection was not closed"); // ok: test
        assert_eq!(*seen.closed.lock().unwrap(), 1); // ok: test
        get(&client, format!("http://{addr}/")).await.unwrap(); // ok: test
        assert_eq!(seen.heads.lock().unwrap().len(), 2); // ok: test
    }

    #[tokio::test]
    async fn refused_connections_and_relative_urls_are_errors() {
        let port = {
            let l = std::net::TcpListener::bind("127.0.0.1:0").unwrap(); // ok: test
            l.local_addr().unwrap().port() // ok: test
        };
        let client = client(60_000);
        let refused = get(&client, format!("http://127.0.0.1:{port}/")).await;
        assert!(
            matches!(refused, Err(ClientError::Connect(_))),
            "{refused:?}"
        );
        let relative = get(&client, "/no/origin".into()).await;
        assert!(
            matches!(relative, Err(ClientError::Request(_))),
            "{relative:?}"
        );
    }
}
