//! Generic local HTTP/1 server: binds 127.0.0.1:0, records every request, delegates the
//! answer to a [`LocalService`], and stops on drop or [`RunningServer::shutdown`].

use std::convert::Infallible;
use std::io;
use std::net::SocketAddr;
use std::ops::Deref;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::{Arc, Mutex, MutexGuard};
use std::time::Duration;

use bytes::Bytes;
use http::{HeaderMap, Method, Request, Response, StatusCode, header};
use http_body_util::{BodyExt, Full, Limited};
use hyper::body::Incoming;
use hyper::server::conn::http1;
use hyper::service::service_fn;
use hyper_util::rt::TokioIo;
use tokio::net::TcpListener;
use tokio::sync::oneshot;
use tokio::task::{JoinHandle, JoinSet};

/// Largest request body accepted (larger bodies get 413).
const MAX_REQUEST_BYTES: usize = 16 * 1024 * 1024;

/// A request as received by a local server.
#[derive(Clone, Debug)]
pub struct RecordedRequest {
    /// HTTP method.
    pub method: Method,
    /// Path without the query string.
    pub path: String,
    /// Raw query string, if any.
    pub query: Option<String>,
    /// Request headers.
    pub headers: HeaderMap,
    /// Full request body.
    pub body: Bytes,
}

impl RecordedRequest {
    /// Value of header `name` if present and valid UTF-8.
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers.get(name).and_then(|v| v.to_str().ok())
    }

    /// Decoded query parameters, in order.
    pub fn query_pairs(&self) -> Vec<(String, String)> {
        form_urlencoded::parse(self.query.as_deref().unwrap_or("").as_bytes())
            .into_owned()
            .collect()
    }

    /// Decoded `application/x-www-form-urlencoded` body parameters, in order.
    pub fn form_pairs(&self) -> Vec<(String, String)> {
        form_urlencoded::parse(&self.body).into_owned().collect()
    }

    /// The body parsed as JSON, if it is JSON.
    pub fn json(&self) -> Option<serde_json::Value> {
        serde_json::from_slice(&self.body).ok()
    }
}

/// Behaviour of a local server: answers one recorded request.
pub trait LocalService: Send + Sync + 'static {
    /// Builds the response to `request`; `base_url` is `http://127.0.0.1:<port>`.
    fn handle(&self, request: &RecordedRequest, base_url: &str) -> Response<Full<Bytes>>;
}

#[derive(Default)]
struct Shared {
    requests: Mutex<Vec<RecordedRequest>>,
    /// Requests received, recorded or not.
    count: AtomicUsize,
    /// Set by [`RunningServer::forget_requests`].
    unrecorded: AtomicBool,
    delay: Mutex<Duration>,
}

/// A started local server; derefs to its service for configuration and assertions.
pub struct RunningServer<S> {
    addr: SocketAddr,
    service: Arc<S>,
    shared: Arc<Shared>,
    shutdown: Option<oneshot::Sender<()>>,
    task: Option<JoinHandle<()>>,
}

impl<S: LocalService> RunningServer<S> {
    /// Binds 127.0.0.1 on an ephemeral port and serves `service` on the current runtime.
    pub async fn start(service: S) -> io::Result<Self> {
        Self::start_on(service, SocketAddr::from(([127, 0, 0, 1], 0))).await
    }

    /// Binds `addr` and serves `service` on the current runtime.
    pub async fn start_on(service: S, addr: SocketAddr) -> io::Result<Self> {
        let listener = TcpListener::bind(addr).await?;
        let addr = listener.local_addr()?;
        let service = Arc::new(service);
        let shared = Arc::new(Shared::default());
        let (shutdown, stop) = oneshot::channel();
        let base_url = format!("http://{addr}");
        let task = tokio::spawn(accept_loop(
            listener,
            Arc::clone(&service),
            Arc::clone(&shared),
            base_url,
            stop,
        ));
        Ok(RunningServer {
            addr,
            service,
            shared,
            shutdown: Some(shutdown),
            task: Some(task),
        })
    }

    /// Bound address.
    pub fn addr(&self) -> SocketAddr {
        self.addr
    }

    /// `http://127.0.0.1:<port>`.
    pub fn base_url(&self) -> String {
        format!("http://{}", self.addr)
    }

    /// `base_url` followed by `path` (which starts with `/`).
    pub fn url(&self, path: &str) -> String {
        format!("{}{path}", self.base_url())
    }

    /// Every request received so far, in arrival order.
    pub fn requests(&self) -> Vec<RecordedRequest> {
        lock(&self.shared.requests).clone()
    }

    /// Number of requests received so far.
    pub fn request_count(&self) -> usize {
        self.shared.count.load(Ordering::Relaxed)
    }

    /// Stops keeping received requests (and drops those kept), for a
    /// long-running server such as the example gateway's embedded backend,
    /// whose memory would otherwise grow with every request;
    /// [`RunningServer::request_count`] still counts.
    pub fn forget_requests(&self) {
        self.shared.unrecorded.store(true, Ordering::Relaxed);
        lock(&self.shared.requests).clear();
    }

    /// Delays every subsequent response by `delay` (to exercise timeouts and concurrency).
    pub fn set_delay(&self, delay: Duration) {
        *lock(&self.shared.delay) = delay;
    }

    /// Stops accepting, closes open connections and waits for the server task.
    pub async fn shutdown(mut self) {
        if let Some(stop) = self.shutdown.take() {
            // The task may already be gone; nothing to signal then.
            let _ = stop.send(());
        }
        if let Some(task) = self.task.take() {
            let _ = task.await;
        }
    }
}

impl<S> Deref for RunningServer<S> {
    type Target = S;
    fn deref(&self) -> &S {
        &self.service
    }
}

impl<S> Drop for RunningServer<S> {
    fn drop(&mut self) {
        if let Some(task) = self.task.take() {
            task.abort();
        }
    }
}

async fn accept_loop<S: LocalService>(
    listener: TcpListener,
    service: Arc<S>,
    shared: Arc<Shared>,
    base_url: String,
    mut stop: oneshot::Receiver<()>,
) {
    let base_url: Arc<str> = base_url.into();
    // Dropping the set (on shutdown or abort) aborts every open connection.
    let mut connections = JoinSet::new();
    loop {
        let accepted = tokio::select! {
            _ = &mut stop => break,
            accepted = listener.accept() => accepted,
            Some(_) = connections.join_next(), if !connections.is_empty() => continue,
        };
        let Ok((stream, _)) = accepted else {
            // Back off instead of spinning on a persistent accept error (e.g. EMFILE).
            tokio::time::sleep(Duration::from_millis(10)).await;
            continue;
        };
        let (service, shared, base_url) = (
            Arc::clone(&service),
            Arc::clone(&shared),
            Arc::clone(&base_url),
        );
        connections.spawn(async move {
            let handler = service_fn(move |req| {
                let (service, shared, base_url) =
                    (Arc::clone(&service), Arc::clone(&shared), Arc::clone(&base_url));
                async move { Ok::<_, Infallible>(respond(req, &*service, &shared, &base_url).await) }
            });
            // Connection errors (client went away) are irrelevant for a test server.
            let _ = http1::Builder::new()
                .serve_connection(TokioIo::new(stream), handler)
                .await;
        });
    }
}

async fn respond<S: LocalService>(
    req: Request<Incoming>,
    service: &S,
    shared: &Shared,
    base_url: &str,
) -> Response<Full<Bytes>> {
    let (parts, body) = req.into_parts();
    let body = match Limited::new(body, MAX_REQUEST_BYTES).collect().await {
        Ok(collected) => collected.to_bytes(),
        Err(_) => return text_response(StatusCode::PAYLOAD_TOO_LARGE, "request body too large"),
    };
    let recorded = RecordedRequest {
        method: parts.method,
        path: parts.uri.path().to_owned(),
        query: parts.uri.query().map(str::to_owned),
        headers: parts.headers,
        body,
    };
    shared.count.fetch_add(1, Ordering::Relaxed);
    if !shared.unrecorded.load(Ordering::Relaxed) {
        lock(&shared.requests).push(recorded.clone());
    }
    let delay = *lock(&shared.delay);
    if !delay.is_zero() {
        tokio::time::sleep(delay).await;
    }
    service.handle(&recorded, base_url)
}

/// Locks `mutex`, ignoring poisoning (test state stays usable after a panicking test).
pub(crate) fn lock<T>(mutex: &Mutex<T>) -> MutexGuard<'_, T> {
    match mutex.lock() {
        Ok(guard) => guard,
        Err(poisoned) => poisoned.into_inner(),
    }
}

/// A response with a JSON body.
pub(crate) fn json_response(status: StatusCode, body: &serde_json::Value) -> Response<Full<Bytes>> {
    let mut response = Response::new(Full::new(Bytes::from(body.to_string())));
    *response.status_mut() = status;
    response.headers_mut().insert(
        header::CONTENT_TYPE,
        header::HeaderValue::from_static("application/json; charset=UTF-8"),
    );
    response
}

/// A response with a plain-text body.
pub(crate) fn text_response(status: StatusCode, body: &str) -> Response<Full<Bytes>> {
    let mut response = Response::new(Full::new(Bytes::from(body.to_owned())));
    *response.status_mut() = status;
    response.headers_mut().insert(
        header::CONTENT_TYPE,
        header::HeaderValue::from_static("text/plain; charset=utf-8"),
    );
    response
}
