//! Serving compiled proxies: base-path routing (longest match), turning
//! hyper requests into flow contexts, graceful shutdown, and a
//! `tower::Service` for embedding a proxy in an existing server.

use crate::body::{headers_from_map, into_http_response};
use crate::client::OutBody;
use crate::ctx::{ClientVars, Ctx, ProxyUrl, ProxyVars};
use crate::env::Environment;
use crate::fault::{Fault, FaultCategory, codes};
use crate::message::{Body, Message, MessageKind};
use crate::proxy::{BoxFuture, CompiledProxy};
use crate::target::version_text;
use crate::trace::{is_secret_header, masked};
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
    proxy: Arc<dyn CompiledProxy>,
    endpoint: usize,
}

/// A set of compiled proxies served together (one environment).
#[derive(Clone)]
pub struct Gateway {
    routes: Arc<Vec<Route>>,
    env: Arc<Environment>,
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
    let lower = path.to_ascii_lowercase();
    !segments(path).any(|s| s == "." || s == "..")
        && !lower.contains("%2e")
        && !lower.contains("%2f")
        && !lower.contains("%5c")
        && !path.contains('\\')
}

impl Gateway {
    /// A gateway over `env` serving nothing yet.
    pub fn new(env: Arc<Environment>) -> Self {
        Gateway {
            routes: Arc::new(Vec::new()),
            env,
        }
    }

    /// Adds every ProxyEndpoint of a compiled proxy. Two endpoints with the
    /// same base path are an error.
    pub fn mount(mut self, proxy: impl CompiledProxy) -> Result<Self, String> {
        let proxy: Arc<dyn CompiledProxy> = Arc::new(proxy);
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

    /// Handles one request end to end.
    pub async fn handle(
        &self,
        req: http::Request<Incoming>,
        peer: SocketAddr,
    ) -> http::Response<OutBody> {
        let path = req.uri().path().to_owned();
        if !is_safe_path(&path) {
            return fault_response(Fault::platform(
                codes::APPLICATION_NOT_FOUND,
                404,
                FaultCategory::Messaging,
                format!("Unable to identify proxy for host: default and url: {path}"),
            ));
        }
        let Some((route, consumed)) = self
            .routes
            .iter()
            .find_map(|r| base_path_match(&r.segments, &path).map(|n| (r, n)))
        else {
            return fault_response(Fault::platform(
                codes::APPLICATION_NOT_FOUND,
                404,
                FaultCategory::Messaging,
                format!("Unable to identify proxy for host: default and url: {path}"),
            ));
        };
        let pathsuffix = path_suffix(&path, consumed);
        let meta = route.proxy.meta();
        let ep = meta.endpoints.get(route.endpoint);
        let url = ProxyUrl::received(
            req.uri().clone(),
            req.headers().get(http::header::HOST).cloned(),
        );
        let request = request_message(req);
        let mut ctx = new_ctx(&self.env, route, request, pathsuffix, url, peer);
        let mask = &self.env.config().trace_mask;
        if let Some(t) = &mut ctx.trace {
            for (name, value) in &ctx.request.headers {
                let shown = if is_secret_header(name) {
                    "***"
                } else {
                    masked(name, value, mask)
                };
                t.note(format!("request header {name}: {shown}"));
            }
        }
        route.proxy.handle(route.endpoint, &mut ctx).await;
        let response = ctx.response.take().unwrap_or_else(Message::new_response);
        if let Some(t) = &mut ctx.trace {
            t.note(format!("response {}", response.status));
            eprint!(
                "{}",
                t.render(&format!("{} {} ({})", ctx.request.verb, path, meta.name))
            );
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
        let limits = self.env.config().limits.clone();
        let graceful = hyper_util::server::graceful::GracefulShutdown::new();
        let mut builder = hyper_util::server::conn::auto::Builder::new(TokioExecutor::new());
        builder
            .http1()
            .timer(TokioTimer::new())
            .header_read_timeout(Duration::from_millis(limits.header_read_timeout_ms))
            .max_headers(limits.max_headers);
        tokio::pin!(shutdown);
        loop {
            tokio::select! {
                accepted = listener.accept() => {
                    let (stream, peer) = match accepted {
                        Ok(a) => a,
                        Err(e) => {
                            tracing::warn!(error = %e, "accept failed");
                            tokio::time::sleep(Duration::from_millis(50)).await;
                            continue;
                        }
                    };
                    let _ = stream.set_nodelay(true);
                    let gw = self.clone();
                    let svc = hyper::service::service_fn(move |req| {
                        let gw = gw.clone();
                        async move { Ok::<_, Infallible>(gw.handle(req, peer).await) }
                    });
                    let conn = builder.serve_connection(TokioIo::new(stream), svc).into_owned();
                    let conn = graceful.watch(conn);
                    tokio::spawn(async move {
                        if let Err(e) = conn.await {
                            tracing::debug!(error = %e, "connection closed with an error");
                        }
                    });
                }
                () = &mut shutdown => break,
            }
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
        Ok(())
    }
}

/// The flow context for a request routed to `route`.
fn new_ctx(
    env: &Arc<Environment>,
    route: &Route,
    request: Message,
    pathsuffix: String,
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
            received_start: SystemTime::now(),
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

/// Runs `request` through the full flow of another proxy mounted in the
/// same environment, in-process, and returns its response. The request's
/// path is the path suffix (appended to `Path` for a path target).
/// An unknown proxy, endpoint or path is an error naming it.
pub async fn dispatch_local(
    env: &Arc<Environment>,
    target: &LocalTarget,
    mut request: Message,
) -> Result<Message, String> {
    let routes = env
        .routes()
        .ok_or("no gateway serves this environment; local targets are unavailable")?;
    let suffix = if request.path == "/" {
        String::new()
    } else {
        std::mem::take(&mut request.path)
    };
    let (route, pathsuffix, full) = match target {
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
    };
    request.path = if full.is_empty() { "/".into() } else { full };
    let route = route.clone();
    drop(routes);
    let url = ProxyUrl::new(format!(
        "http://{}{}",
        request.header_first("host").unwrap_or("localhost"),
        request.uri()
    ));
    let mut ctx = new_ctx(
        env,
        &route,
        request,
        pathsuffix,
        url,
        SocketAddr::from(([127, 0, 0, 1], 0)),
    );
    route.proxy.handle(route.endpoint, &mut ctx).await;
    Ok(ctx.response.take().unwrap_or_else(Message::new_response))
}

fn wildcards(segs: &[String]) -> usize {
    segs.iter().filter(|s| *s == "*").count()
}

/// The request path after the first `consumed` segments of the base path.
fn path_suffix(path: &str, consumed: usize) -> String {
    let mut rest = path;
    for _ in 0..consumed {
        rest = rest.trim_start_matches('/');
        rest = rest.find('/').map_or("", |i| &rest[i..]); // ok: i is a char boundary from find
    }
    rest.to_owned()
}

/// Converts a hyper request into the `request` message (body left streaming).
/// Client-sent `X-Apigee-*` headers are stripped, as Apigee does.
pub fn request_message(req: http::Request<Incoming>) -> Message {
    let (parts, body) = req.into_parts();
    let query = parts
        .uri
        .query()
        .map(|q| {
            form_urlencoded::parse(q.as_bytes())
                .map(|(k, v)| (k.into_owned(), v.into_owned()))
                .collect()
        })
        .unwrap_or_default();
    let mut headers = headers_from_map(&parts.headers);
    headers.retain(|(n, _)| !is_apigee_header(n));
    if !headers.iter().any(|(n, _)| n.eq_ignore_ascii_case("host"))
        && let Some(a) = parts.uri.authority()
    {
        headers.push(("host".into(), a.as_str().to_owned()));
    }
    Message {
        kind: MessageKind::Request,
        verb: parts.method.as_str().to_owned(),
        path: parts.uri.path().to_owned(),
        query,
        version: version_text(parts.version).into(),
        status: 0,
        reason: None,
        headers,
        body: Body::Stream(body),
    }
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
    use super::is_apigee_header;

    #[test]
    fn apigee_headers_in_any_case() {
        assert!(is_apigee_header("x-apigee-secret"));
        assert!(is_apigee_header("X-Apigee-Proxy"));
        assert!(!is_apigee_header("x-apigee"));
        assert!(!is_apigee_header("x-apigeex"));
        assert!(!is_apigee_header("x-api"));
    }
}
