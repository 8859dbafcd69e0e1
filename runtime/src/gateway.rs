//! Serving compiled proxies: base-path routing (longest match), turning
//! hyper requests into flow contexts, graceful shutdown, and a
//! `tower::Service` for embedding a proxy in an existing server.

use crate::body::into_http_response;
use crate::client::OutBody;
use crate::ctx::{ClientVars, Ctx, ProxyUrl, ProxyVars};
use crate::env::Environment;
use crate::fault::{Fault, FaultCategory, codes};
use crate::message::{Body, Message, PathSuffix};
use crate::proxy::{BoxFuture, CompiledProxy};
use crate::request_deadline::{ConnectionDeadline, Watched};
use crate::shared_flow::{CompiledSharedFlow, SharedFlows};
use crate::target::version_text;
use crate::trace::{is_masked_param, masked_header, masked_uri};
use hyper::body::Incoming;
use hyper_util::rt::{TokioExecutor, TokioIo, TokioTimer};
use std::convert::Infallible;
use std::net::SocketAddr;
use std::sync::Arc;
use std::time::{Duration, SystemTime};
use tokio::net::TcpListener;

/// One base path served by one endpoint of one proxy.
#[derive(Clone)]
pub(crate) struct Route {
    segments: Vec<String>,
    pub(crate) proxy: Arc<dyn CompiledProxy>,
    endpoint: usize,
}

/// Where rendered per-request traces go (stderr unless replaced).
pub type TraceSink = Arc<dyn Fn(&str) + Send + Sync>;

/// A set of compiled proxies served together (one environment).
#[derive(Clone)]
pub struct Gateway {
    routes: Arc<Vec<Route>>,
    shared_flows: Arc<SharedFlows>,
    env: Arc<Environment>,
    trace_sink: TraceSink,
}

/// Splits a path into non-empty segments.
fn segments(path: &str) -> impl Iterator<Item = &str> {
    path.split('/').filter(|s| !s.is_empty())
}

/// Whether a request path lies under a base path (segment-wise, `*` matching
/// one segment); returns the number of path segments the base path consumed.
fn base_path_match(base: &[String], path: &str) -> Option<usize> {
    let mut path_segs = segments(path);
    for b in base {
        let p = path_segs.next()?;
        if b != "*" && b != p {
            return None;
        }
    }
    Some(base.len())
}

/// Rejects paths with dot-segments or encoded slashes/dots that could
/// route a request under another proxy's base path.
fn is_safe_path(path: &str) -> bool {
    // This runs for every request. A dot-segment needs a `.` and an encoded
    // character a `%`: a path with neither, and no `\`, is safe. That test
    // has no early exit, so it compiles to a vectorised loop; the exact scan
    // below runs only for paths holding one of the three.
    let bytes = path.as_bytes();
    if !bytes
        .iter()
        .fold(false, |seen, &b| seen | matches!(b, b'.' | b'%' | b'\\'))
    {
        return true;
    }
    let mut segment_start = 0;
    for (i, &b) in bytes.iter().enumerate() {
        match b {
            b'\\' => return false,
            b'%' if matches!(
                (
                    bytes.get(i + 1),
                    bytes.get(i + 2).map(u8::to_ascii_lowercase)
                ),
                (Some(b'2'), Some(b'e' | b'f')) | (Some(b'5'), Some(b'c'))
            ) =>
            {
                return false;
            }
            b'/' => {
                if is_dot_segment(bytes.get(segment_start..i)) {
                    return false;
                }
                segment_start = i + 1;
            }
            _ => {}
        }
    }
    !is_dot_segment(bytes.get(segment_start..))
}

/// Whether a path segment is `.` or `..`.
fn is_dot_segment(segment: Option<&[u8]>) -> bool {
    matches!(segment, Some(b"." | b".."))
}

impl Gateway {
    /// A gateway over `env` serving nothing yet.
    pub fn new(env: Arc<Environment>) -> Self {
        Gateway {
            routes: Arc::new(Vec::new()),
            shared_flows: Arc::new(SharedFlows::new()),
            env,
            trace_sink: Arc::new(|text: &str| eprint!("{text}")),
        }
    }

    /// Sends rendered traces (`trace = true`) to `sink` instead of stderr.
    #[must_use]
    pub fn with_trace_sink(mut self, sink: impl Fn(&str) + Send + Sync + 'static) -> Self {
        self.trace_sink = Arc::new(sink);
        self
    }

    /// Adds every ProxyEndpoint of a compiled proxy. Two endpoints with the
    /// same base path are an error.
    pub fn mount(mut self, proxy: impl CompiledProxy) -> Result<Self, String> {
        let proxy: Arc<dyn CompiledProxy> = Arc::new(proxy);
        // TargetServers, key and trust stores the proxy names must exist;
        // TLS configurations are built and HealthMonitors start now.
        self.env.upstreams().register(proxy.meta())?;
        let routes = Arc::make_mut(&mut self.routes);
        for (i, ep) in proxy.meta().endpoints.iter().enumerate() {
            let segs: Vec<String> = segments(ep.base_path).map(str::to_owned).collect();
            if let Some(dup) = routes.iter().find(|r| r.segments == segs) {
                return Err(format!(
                    "base path `{}` of proxy `{}` is already served by proxy `{}`",
                    ep.base_path,
                    proxy.meta().name,
                    dup.proxy.meta().name
                ));
            }
            routes.push(Route {
                segments: segs,
                proxy: Arc::clone(&proxy),
                endpoint: i,
            });
        }
        // Longest base path first; literal segments before wildcards.
        routes.sort_by(|a, b| {
            b.segments
                .len()
                .cmp(&a.segments.len())
                .then_with(|| wildcards(&a.segments).cmp(&wildcards(&b.segments)))
        });
        // LocalTargetConnections reach the latest route table.
        self.env.set_routes(Arc::downgrade(&self.routes));
        Ok(self)
    }

    /// Mounts a shared flow bundle for FlowCallouts of proxies compiled in
    /// other builds (those compiled with it call it directly). Two shared
    /// flows with the same name are an error.
    pub fn mount_shared_flow(mut self, flow: impl CompiledSharedFlow) -> Result<Self, String> {
        let name = flow.meta().name;
        self.env.upstreams().register_shared_flow(flow.meta())?;
        let flows = Arc::make_mut(&mut self.shared_flows);
        if flows.insert(name, Arc::new(flow)).is_some() {
            return Err(format!("shared flow `{name}` is mounted twice"));
        }
        self.env
            .set_shared_flows(Arc::downgrade(&self.shared_flows));
        Ok(self)
    }

    /// Checks that every shared flow and local target the mounted proxies
    /// name is served here; the error lists each missing one with the proxy
    /// and policy or endpoint naming it. [`Gateway::serve`] runs it first.
    pub fn check(&self) -> Result<(), String> {
        crate::requirements::check(&self.routes, &self.shared_flows)
    }

    /// The environment.
    pub fn env(&self) -> &Arc<Environment> {
        &self.env
    }

    /// Base paths served, for start-up logs.
    pub fn base_paths(&self) -> Vec<(String, &'static str)> {
        self.routes
            .iter()
            .map(|r| (format!("/{}", r.segments.join("/")), r.proxy.meta().name))
            .collect()
    }

    /// Handles one request end to end, under a `limits.request_timeout_ms`
    /// timer of its own.
    pub async fn handle(
        &self,
        req: http::Request<Incoming>,
        peer: SocketAddr,
    ) -> http::Response<OutBody> {
        self.respond(req, peer, None).await
    }

    /// Handles one request end to end. `connection` is the state of the
    /// HTTP/1 connection it arrived on, whose timer then enforces
    /// `limits.request_timeout_ms` (see [`crate::request_deadline`]).
    async fn respond(
        &self,
        req: http::Request<Incoming>,
        peer: SocketAddr,
        connection: Option<&ConnectionDeadline>,
    ) -> http::Response<OutBody> {
        let path = req.uri().path();
        if !is_safe_path(path) {
            return fault_response(Fault::platform(
                codes::APPLICATION_NOT_FOUND,
                404,
                FaultCategory::Messaging,
                format!("Unable to identify proxy for host: default and url: {path}"),
            ));
        }
        // Routes whose first base-path segment differs are passed over
        // without splitting the path again for each.
        let first = segments(path).next().unwrap_or_default();
        let Some((route, consumed)) = self
            .routes
            .iter()
            .filter(|r| r.segments.first().is_none_or(|b| b == "*" || b == first))
            .find_map(|r| base_path_match(&r.segments, path).map(|n| (r, n)))
        else {
            return fault_response(Fault::platform(
                codes::APPLICATION_NOT_FOUND,
                404,
                FaultCategory::Messaging,
                format!("Unable to identify proxy for host: default and url: {path}"),
            ));
        };
        let pathsuffix = PathSuffix::received(req.uri(), suffix_start(path, consumed));
        let meta = route.proxy.meta();
        let ep = meta.endpoints.get(route.endpoint);
        let url = if meta.reads.proxy_url {
            ProxyUrl::received(
                req.uri().clone(),
                req.headers().get(http::header::HOST).cloned(),
            )
        } else {
            ProxyUrl::unread()
        };
        let request = request_message(req);
        let mut ctx = new_ctx(&self.env, route, request, pathsuffix, url, peer);
        let mask = &self.env.config().trace_mask;
        // The path as received, for the trace's title (policies may change it).
        let traced_path = ctx.trace.is_some().then(|| ctx.request.path().to_owned());
        if let Some(t) = &mut ctx.trace {
            t.note(format!("request {}", masked_uri(&ctx.request.uri(), mask)));
            for (name, value) in ctx.request.query_pairs() {
                if is_masked_param(&name, mask) {
                    t.secret(&value);
                }
            }
            for (name, value) in &ctx.request.headers {
                let (name, value) = (name.as_str(), String::from_utf8_lossy(value.as_bytes()));
                let value = value.as_ref();
                let shown = masked_header("request", name, value, mask);
                if shown != value {
                    t.secret(value);
                }
                t.note(format!("request header {name}: {shown}"));
            }
        }
        let limit = Duration::from_millis(self.env.config().limits.request_timeout_ms);
        let handled = {
            // Pinned where it is made: the handler's future is polled in
            // place, not moved again into the timeout's future.
            let flows = std::pin::pin!(route.proxy.handle(route.endpoint, &mut ctx));
            match connection {
                Some(connection) => connection.within(limit, flows).await,
                None => tokio::time::timeout(limit, flows).await.ok(),
            }
        };
        let response = match handled {
            Some(()) => ctx.response.take().unwrap_or_else(Message::new_response),
            None => api_timed_out(limit).default_response(),
        };
        if let Some(t) = &mut ctx.trace {
            t.note(format!("response {}", response.status));
            for (name, value) in &response.headers {
                let (name, value) = (name.as_str(), String::from_utf8_lossy(value.as_bytes()));
                let value = value.as_ref();
                let shown = masked_header("response", name, value, mask);
                if shown != value {
                    t.secret(value);
                }
                t.note(format!("response header {name}: {shown}"));
            }
            let path = traced_path.as_deref().unwrap_or_default();
            (self.trace_sink)(&t.render(&format!("{} {} ({})", ctx.request.verb, path, meta.name)));
        }
        if ep.is_some_and(|e| e.has_post_client_flow) {
            ctx.response = Some(response.clone_buffered());
            let proxy = Arc::clone(&route.proxy);
            let endpoint = route.endpoint;
            tokio::spawn(async move {
                proxy.post_client(endpoint, &mut ctx).await;
            });
        }
        into_http_response(response)
    }

    /// Serves on `listener` until `shutdown` resolves, then drains in-flight
    /// requests and background calls for up to the configured grace period
    /// each (background calls still running then are aborted).
    pub async fn serve(
        self,
        listener: TcpListener,
        shutdown: impl std::future::Future<Output = ()> + Send,
    ) -> std::io::Result<()> {
        self.check()
            .map_err(|e| std::io::Error::new(std::io::ErrorKind::InvalidInput, e))?;
        let limits = self.env.config().limits.clone();
        let graceful = hyper_util::server::graceful::GracefulShutdown::new();
        let header_timeout = Duration::from_millis(limits.header_read_timeout_ms);
        let mut builder = hyper_util::server::conn::auto::Builder::new(TokioExecutor::new());
        builder
            .http1()
            .timer(TokioTimer::new())
            .header_read_timeout(header_timeout)
            .max_headers(limits.max_headers)
            .max_buf_size(limits.max_header_bytes);
        builder
            .http2()
            .timer(TokioTimer::new())
            .max_header_list_size(u32::try_from(limits.max_header_bytes).unwrap_or(u32::MAX));
        // One permit per open connection: at the limit, further connections
        // wait in the listen backlog until one closes.
        let slots = Arc::new(tokio::sync::Semaphore::new(limits.max_connections));
        let gateway = Arc::new(self.clone());
        tokio::pin!(shutdown);
        loop {
            let permit = tokio::select! {
                permit = Arc::clone(&slots).acquire_owned() => match permit {
                    Ok(p) => p,
                    Err(_) => break,
                },
                () = &mut shutdown => break,
            };
            let (stream, peer) = tokio::select! {
                accepted = listener.accept() => match accepted {
                    Ok(a) => a,
                    Err(e) => {
                        tracing::warn!(error = %e, "accept failed");
                        tokio::time::sleep(Duration::from_millis(50)).await;
                        continue;
                    }
                },
                () = &mut shutdown => break,
            };
            let _ = stream.set_nodelay(true);
            let gw = Arc::clone(&gateway);
            let deadline = ConnectionDeadline::new();
            let requests_deadline = Arc::clone(&deadline);
            let svc = hyper::service::service_fn(move |req: http::Request<Incoming>| {
                let gw = Arc::clone(&gw);
                let deadline = Arc::clone(&requests_deadline);
                async move {
                    // HTTP/2 polls each request in a task of its own, out of
                    // reach of the connection's timer.
                    let connection = (req.version() != http::Version::HTTP_2).then_some(&*deadline);
                    Ok::<_, Infallible>(gw.respond(req, peer, connection).await)
                }
            });
            let watcher = graceful.watcher();
            let builder = builder.clone();
            tokio::spawn(async move {
                // HTTP/1-or-2 detection waits for the first bytes with no
                // timeout of its own (hyper's header-read timer starts after
                // it): a connection that stays silent is closed after the same time.
                let mut probe = [0u8; 1];
                let first = tokio::time::timeout(header_timeout, stream.peek(&mut probe)).await;
                if matches!(first, Ok(Ok(n)) if n > 0) {
                    let conn = builder.serve_connection(TokioIo::new(stream), svc);
                    if let Err(e) = Watched::new(watcher.watch(conn), deadline).await {
                        tracing::debug!(error = %e, "connection closed with an error");
                    }
                }
                drop(permit);
            });
        }
        drop(listener);
        let grace = self.env.shutdown_grace();
        if tokio::time::timeout(grace, graceful.shutdown())
            .await
            .is_err()
        {
            tracing::warn!("shutdown grace period elapsed with connections still open");
        }
        self.env.background().shutdown(grace).await;
        self.env.upstreams().shutdown();
        Ok(())
    }
}

/// The flow context for a request routed to `route`.
fn new_ctx(
    env: &Arc<Environment>,
    route: &Route,
    request: Message,
    pathsuffix: PathSuffix,
    url: ProxyUrl,
    peer: SocketAddr,
) -> Ctx {
    let meta = route.proxy.meta();
    let ep = meta.endpoints.get(route.endpoint);
    Ctx::new(
        request,
        meta,
        Arc::clone(env),
        ClientVars {
            addr: peer,
            scheme: "HTTP",
            received_start: meta.reads.client_received_start.then(SystemTime::now),
        },
        ProxyVars {
            basepath: ep.map_or("/", |e| e.base_path),
            pathsuffix,
            url,
            name: ep.map_or("default", |e| e.name),
            flow_name: "PreFlow",
        },
    )
}

/// The proxy a `LocalTargetConnection` names.
#[derive(Debug)]
pub enum LocalTarget {
    /// `APIProxy` and optional `ProxyEndpoint` (the first endpoint when absent).
    Proxy {
        /// The proxy name.
        proxy: &'static str,
        /// The ProxyEndpoint name.
        endpoint: Option<&'static str>,
    },
    /// `Path`: a base path served in this environment.
    Path(&'static str),
}

/// Deepest chain of in-process calls (LocalTargetConnections calling
/// proxies that call others): a cycle between bundles (A → B → A) is a
/// run-time error instead of unbounded recursion. Apigee documents no
/// limit; 16 is far beyond any real chain.
pub const MAX_LOCAL_DEPTH: u8 = 16;

tokio::task_local! {
    /// How many in-process calls the current request is inside.
    static LOCAL_DEPTH: u8;
}

/// Runs `request` through the full flow of another proxy mounted in the
/// same environment, in-process, and returns its response. The request's
/// path is the path suffix (appended to `Path` for a path target).
/// An unknown proxy, endpoint or path, or a chain deeper than
/// [`MAX_LOCAL_DEPTH`], is an error naming it.
pub async fn dispatch_local(
    env: &Arc<Environment>,
    target: &LocalTarget,
    mut request: Message,
) -> Result<Message, String> {
    let depth = LOCAL_DEPTH.try_with(|d| *d).unwrap_or(0);
    if depth >= MAX_LOCAL_DEPTH {
        return Err(format!(
            "more than {MAX_LOCAL_DEPTH} nested local target calls (a LocalTargetConnection cycle?)"
        ));
    }
    let routes = env
        .routes()
        .ok_or("no gateway serves this environment; local targets are unavailable")?;
    let suffix = match request.path() {
        "/" => String::new(),
        path => path.to_owned(),
    };
    let (route, pathsuffix, full) = resolve_local(&routes, target, suffix)?;
    request.set_path(if full.is_empty() { "/".into() } else { full });
    let route = route.clone();
    drop(routes);
    let url = if route.proxy.meta().reads.proxy_url {
        ProxyUrl::new(format!(
            "http://{}{}",
            request
                .header_first(&http::header::HOST)
                .unwrap_or("localhost"),
            request.uri()
        ))
    } else {
        ProxyUrl::unread()
    };
    let mut ctx = new_ctx(
        env,
        &route,
        request,
        pathsuffix.into(),
        url,
        SocketAddr::from(([127, 0, 0, 1], 0)),
    );
    LOCAL_DEPTH
        .scope(depth + 1, route.proxy.handle(route.endpoint, &mut ctx))
        .await;
    Ok(ctx.response.take().unwrap_or_else(Message::new_response))
}

/// The route a LocalTargetConnection names, the path suffix the other proxy
/// sees and the full request path (`suffix` is the caller's path suffix).
pub(crate) fn resolve_local<'r>(
    routes: &'r [Route],
    target: &LocalTarget,
    suffix: String,
) -> Result<(&'r Route, String, String), String> {
    Ok(match target {
        LocalTarget::Proxy { proxy, endpoint } => {
            let route = routes
                .iter()
                .filter(|r| r.proxy.meta().name == *proxy)
                .filter(|r| {
                    endpoint.is_none_or(|e| {
                        r.proxy.meta().endpoints.get(r.endpoint).map(|m| m.name) == Some(e)
                    })
                })
                .min_by_key(|r| r.endpoint)
                .ok_or_else(|| match endpoint {
                    Some(e) => format!("no local proxy `{proxy}` with ProxyEndpoint `{e}`"),
                    None => format!("no local proxy `{proxy}`"),
                })?;
            let base = route
                .proxy
                .meta()
                .endpoints
                .get(route.endpoint)
                .map_or("", |e| e.base_path);
            let full = format!("{}{suffix}", base.trim_end_matches('/'));
            (route, suffix, full)
        }
        LocalTarget::Path(path) => {
            let full = format!("{}{suffix}", path.trim_end_matches('/'));
            let (route, consumed) = routes
                .iter()
                .find_map(|r| base_path_match(&r.segments, &full).map(|n| (r, n)))
                .ok_or_else(|| format!("no local proxy serves the path `{path}`"))?;
            (route, path_suffix(&full, consumed), full)
        }
    })
}

fn wildcards(segs: &[String]) -> usize {
    segs.iter().filter(|s| *s == "*").count()
}

/// The request path after the first `consumed` segments of the base path.
fn path_suffix(path: &str, consumed: usize) -> String {
    path.get(suffix_start(path, consumed)..)
        .unwrap_or_default()
        .to_owned()
}

/// Where the path suffix starts: the byte after the first `consumed`
/// segments of the base path.
fn suffix_start(path: &str, consumed: usize) -> usize {
    // Byte loops: segments are short, and `/` is ASCII.
    let bytes = path.as_bytes();
    let mut at = 0;
    for _ in 0..consumed {
        while bytes.get(at) == Some(&b'/') {
            at += 1;
        }
        at = bytes
            .iter()
            .skip(at)
            .position(|&b| b == b'/')
            .map_or(bytes.len(), |i| at + i);
    }
    at
}

/// Converts a hyper request into the `request` message (body left streaming).
/// Client-sent `X-Apigee-*` headers are stripped, as Apigee does.
pub fn request_message(req: http::Request<Incoming>) -> Message {
    let (mut parts, body) = req.into_parts();
    strip_apigee_headers(&mut parts.headers);
    if !parts.headers.contains_key(http::header::HOST)
        && let Some(v) = parts
            .uri
            .authority()
            .and_then(|a| http::HeaderValue::from_str(a.as_str()).ok())
    {
        parts.headers.insert(http::header::HOST, v);
    }
    Message::received_request(
        parts.method,
        &parts.uri,
        version_text(parts.version).into(),
        parts.headers,
        Body::Stream(body),
    )
}

/// Removes client-sent `X-Apigee-*` headers (names are lowercase in a
/// `HeaderMap`); a request without any is left untouched.
fn strip_apigee_headers(headers: &mut http::HeaderMap) {
    if !headers.keys().any(|n| is_apigee_header(n.as_str())) {
        return;
    }
    let old = std::mem::take(headers);
    let mut name = None;
    for (n, v) in old {
        // `None` continues the previous name's values.
        name = n.or(name);
        if let Some(n) = &name
            && !is_apigee_header(n.as_str())
        {
            headers.append(n.clone(), v);
        }
    }
}

/// `flow.APITimedOut` (504): the proxy flows took longer than the limit.
fn api_timed_out(limit: Duration) -> Fault {
    Fault::platform(
        codes::API_TIMED_OUT,
        504,
        FaultCategory::Messaging,
        format!("API timed out after {} ms", limit.as_millis()),
    )
    .with_reason("API_TIMEOUT")
}

/// `X-Apigee-*` in any letter case (without allocating a lowercase copy).
fn is_apigee_header(name: &str) -> bool {
    name.as_bytes()
        .get(..9)
        .is_some_and(|p| p.eq_ignore_ascii_case(b"x-apigee-"))
}

fn fault_response(mut fault: Fault) -> http::Response<OutBody> {
    into_http_response(fault.default_response())
}

/// A compiled proxy's whole gateway as a `tower::Service`, for embedding in
/// an existing hyper/axum server (the peer address is not known there, so
/// `client.ip` reads `0.0.0.0`).
impl tower_service::Service<http::Request<Incoming>> for Gateway {
    type Response = http::Response<OutBody>;
    type Error = Infallible;
    type Future = BoxFuture<'static, Result<Self::Response, Infallible>>;

    fn poll_ready(
        &mut self,
        _: &mut std::task::Context<'_>,
    ) -> std::task::Poll<Result<(), Infallible>> {
        std::task::Poll::Ready(Ok(()))
    }

    fn call(&mut self, req: http::Request<Incoming>) -> Self::Future {
        let gw = self.clone();
        Box::pin(async move { Ok(gw.handle(req, SocketAddr::from(([0, 0, 0, 0], 0))).await) })
    }
}

#[cfg(test)]
mod tests {
    use super::{is_apigee_header, is_safe_path, segments, suffix_start};

    /// Every string of up to `len` characters from `alphabet`.
    fn all_strings(alphabet: &[char], len: usize) -> Vec<String> {
        let mut all = vec![String::new()];
        let mut last = vec![String::new()];
        for _ in 0..len {
            last = last
                .iter()
                .flat_map(|s| alphabet.iter().map(move |c| format!("{s}{c}")))
                .collect();
            all.extend(last.iter().cloned());
        }
        all
    }

    #[test]
    fn safe_path_check_agrees_with_its_definition() {
        // The definition: no encoded dot, slash or backslash, no backslash,
        // no `.` or `..` segment.
        let defined = |path: &str| {
            let lower = path.to_ascii_lowercase();
            !["%2e", "%2f", "%5c"].iter().any(|e| lower.contains(e))
                && !path.contains('\\')
                && !segments(path).any(|s| s == "." || s == "..")
        };
        let alphabet = ['/', '.', '%', '2', '5', 'e', 'E', 'f', 'c', 'C', '\\', 'a'];
        for path in all_strings(&alphabet, 5) {
            assert_eq!(is_safe_path(&path), defined(&path), "{path:?}");
        }
    }

    #[test]
    fn suffix_starts_after_the_consumed_segments() {
        let defined = |path: &str, consumed: usize| {
            let mut rest = path;
            for _ in 0..consumed {
                rest = rest.trim_start_matches('/');
                rest = rest.find('/').map_or("", |i| &rest[i..]);
            }
            path.len() - rest.len()
        };
        for path in all_strings(&['/', 'a', 'é'], 6) {
            for consumed in 0..4 {
                assert_eq!(
                    suffix_start(&path, consumed),
                    defined(&path, consumed),
                    "{path:?} {consumed}"
                );
            }
        }
    }

    #[test]
    fn apigee_headers_in_any_case() {
        assert!(is_apigee_header("x-apigee-secret"));
        assert!(is_apigee_header("X-Apigee-Proxy"));
        assert!(!is_apigee_header("x-apigee"));
        assert!(!is_apigee_header("x-apigeex"));
        assert!(!is_apigee_header("x-api"));
    }
}
