//! Proxying the request to a TargetEndpoint's HTTPTargetConnection (or a
//! RouteRule URL) and storing the backend's response.

use crate::balancer::LoadBalancer;
use crate::body::{OutBody, into_out_body, response_message, set_outbound_host, strip_hop_by_hop};
use crate::client::{ClientError, Pooling, default_port};
use crate::ctx::Ctx;
use crate::fault::{Fault, FaultCategory, FaultResponse, codes};
use crate::message::Body;
use crate::tls_client::SslInfo;
use std::borrow::Cow;
use std::sync::OnceLock;
use std::time::{SystemTime, UNIX_EPOCH};

/// Transport settings of an HTTPTargetConnection: its properties (literal
/// values only), SSLInfo and LoadBalancer.
#[derive(Debug)]
pub struct TargetProperties {
    /// `connect.timeout.millis` (default 3000).
    pub connect_timeout_ms: u64,
    /// `io.timeout.millis` (default 55000).
    pub io_timeout_ms: u64,
    /// `keepalive.timeout.millis` (default 60000).
    pub keepalive_timeout_ms: u64,
    /// `success.codes`: status ranges treated as success (default 1xx–3xx).
    pub success_codes: &'static [(u16, u16)],
    /// `request.retain.headers.enabled` / `request.retain.headers`.
    pub retain_request_headers: Retain,
    /// `response.retain.headers.enabled` / `response.retain.headers`.
    pub retain_response_headers: Retain,
    /// `retain.queryparams.enabled` / `retain.queryparams`.
    pub retain_query_params: Retain,
    /// `SSLInfo`.
    pub tls: Option<&'static SslInfo<'static>>,
    /// `LoadBalancer` (the URL is then the `Path`).
    pub balancer: Option<&'static LoadBalancer>,
    /// What calls to the connection's literal URL share, worked out on the
    /// first call.
    pub origin: LiteralOrigin,
}

/// Which headers or query parameters pass to the other side: all when
/// `enabled` (the default), else only those named.
#[derive(Debug, Clone, Copy)]
pub struct Retain {
    /// `*.retain.*.enabled`.
    pub enabled: bool,
    /// The names kept when not enabled (case-insensitive).
    pub names: &'static [&'static str],
}

impl Retain {
    /// Everything passes (the default).
    pub const ALL: Retain = Retain {
        enabled: true,
        names: &[],
    };

    /// Whether `name` passes.
    pub fn keeps(&self, name: &str) -> bool {
        self.enabled || self.names.iter().any(|n| n.eq_ignore_ascii_case(name))
    }
}

/// The default success codes: 1xx, 2xx, 3xx.
pub const DEFAULT_SUCCESS_CODES: &[(u16, u16)] = &[(100, 399)];

/// The properties of an in-process call (a LocalTargetConnection): the
/// documented defaults, made once (it has no URL, so its
/// [`LiteralOrigin`] stays empty).
pub(crate) static LOCAL_PROPERTIES: TargetProperties = TargetProperties::defaults();

impl TargetProperties {
    /// The documented defaults (for a `static`: each value has its own
    /// [`LiteralOrigin`]).
    pub const fn defaults() -> TargetProperties {
        TargetProperties {
            connect_timeout_ms: 3000,
            io_timeout_ms: 55_000,
            keepalive_timeout_ms: 60_000,
            success_codes: DEFAULT_SUCCESS_CODES,
            retain_request_headers: Retain::ALL,
            retain_response_headers: Retain::ALL,
            retain_query_params: Retain::ALL,
            tls: None,
            balancer: None,
            origin: LiteralOrigin::new(),
        }
    }

    /// Connection pooling settings.
    pub fn pooling(&self) -> Pooling {
        Pooling {
            connect_timeout_ms: self.connect_timeout_ms,
            keepalive_timeout_ms: self.keepalive_timeout_ms,
        }
    }

    /// Whether a backend status counts as success.
    pub fn is_success(&self, status: u16) -> bool {
        self.success_codes
            .iter()
            .any(|&(lo, hi)| (lo..=hi).contains(&status))
    }
}

fn now_ms() -> i64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0, |d| i64::try_from(d.as_millis()).unwrap_or(i64::MAX))
}

/// Now, for `target.sent.start.timestamp` or `target.received.end.timestamp`
/// when the proxy reads them ([`crate::proxy::Reads`]); no clock read else.
fn target_timestamp(ctx: &Ctx) -> Option<i64> {
    ctx.meta.reads.target_timestamps.then(now_ms)
}

/// Joins the target base URL, the path suffix and the query string.
/// The scheme always comes from the configured URL and must be http(s).
pub fn target_uri(ctx: &Ctx, base: &str, query: Retain) -> Result<http::Uri, Fault> {
    // `try_from(String)` keeps the string's buffer (no copy).
    let uri = http::Uri::try_from(join_url(ctx, base, query))
        .map_err(|_| bad_url(&join_url(ctx, base, query)))?;
    match uri.scheme_str() {
        // (A URI has a host exactly when it has an authority.)
        Some("http" | "https") if uri.authority().is_some() => Ok(uri),
        _ => Err(bad_url(&uri.to_string())),
    }
}

/// `base` + path suffix + query, as the `target.copy.*` variables and
/// `retain.queryparams` say.
fn join_url(ctx: &Ctx, base: &str, query: Retain) -> String {
    let (base_path, base_query) = base.split_once('?').unwrap_or((base, ""));
    let mut url = String::with_capacity(base.len() + ctx.proxy.pathsuffix.len() + 32);
    url.push_str(base_path);
    if ctx.target.copy_pathsuffix && !ctx.proxy.pathsuffix.is_empty() {
        if url.ends_with('/') {
            url.pop();
        }
        url.push_str(&ctx.proxy.pathsuffix);
    }
    let mut sep = '?';
    for part in [Cow::Borrowed(base_query), query_if(ctx, query)] {
        if !part.is_empty() {
            url.push(sep);
            url.push_str(&part);
            sep = '&';
        }
    }
    url
}

/// The request's query string for the target: as the message holds it, or
/// only the parameters `retain` keeps.
fn query_if(ctx: &Ctx, retain: Retain) -> Cow<'_, str> {
    if !ctx.target.copy_queryparams {
        return Cow::Borrowed("");
    }
    if retain.enabled {
        return ctx.request.query_string();
    }
    let mut ser = form_urlencoded::Serializer::new(String::new());
    for (n, v) in ctx.request.query_pairs().filter(|(n, _)| retain.keeps(n)) {
        ser.append_pair(&n, &v);
    }
    Cow::Owned(ser.finish())
}

fn bad_url(url: &str) -> Fault {
    Fault::platform(
        codes::SERVICE_UNAVAILABLE,
        503,
        FaultCategory::Messaging,
        format!("Invalid target URL `{url}`"),
    )
    .with_reason("INVALID_TARGET_URL")
}

/// What the target call does with the request's headers, as the compiler
/// decided from everything that runs after it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RequestHeaders {
    /// Something later may read them (`request.header.*`, a copy of the
    /// request, a shared flow, …): the target gets a copy.
    Keep,
    /// Nothing later reads them: they move into the outbound request and
    /// the request message is left without headers.
    Move,
}

/// Sends `ctx.request` to `base_url` (+ suffix and query as the
/// `target.copy.*` variables say) and stores the backend response in
/// `ctx.response`. With a LoadBalancer, `base_url` is its `Path` and the
/// server comes from the balancer. A status outside `success.codes` is the
/// `ErrorResponseCode` fault carrying the backend response.
pub async fn call(
    ctx: &mut Ctx,
    base_url: Cow<'static, str>,
    props: &TargetProperties,
    after: RequestHeaders,
) -> Result<(), Fault> {
    let headers = target_headers(ctx, props, after);
    // Everything but the wait is done by plain functions, so this future
    // holds little more than the client's; the balanced path (rare, and
    // larger) is boxed.
    let resp = match props.balancer {
        None => {
            let req = direct_request(ctx, base_url, props, headers)?;
            ctx.env
                .upstreams()
                .send(props, req, None)
                .await
                .map_err(client_fault)?
        }
        Some(lb) => Box::pin(call_balanced(ctx, base_url, props, lb, headers)).await?,
    };
    ctx.target.received_end_ms = target_timestamp(ctx);

    let status = resp.status().as_u16();
    if let Some(t) = &mut ctx.trace {
        t.note(format!("← target {status}"));
    }
    let mut msg = response_message(resp);
    let keep = props.retain_response_headers;
    retain_headers(&mut msg.headers, keep);
    store_response(ctx, msg, props)
}

/// The headers sent to the target: the request's (moved or copied, as
/// `after` says) without hop-by-hop ones, as `request.retain.headers`
/// says. Their `Host` is decided by [`set_host`].
fn target_headers(
    ctx: &mut Ctx,
    props: &TargetProperties,
    after: RequestHeaders,
) -> http::HeaderMap {
    let mut headers = match after {
        RequestHeaders::Keep => ctx.request.headers.clone(),
        RequestHeaders::Move => std::mem::take(&mut ctx.request.headers),
    };
    strip_hop_by_hop(&mut headers);
    retain_headers(&mut headers, props.retain_request_headers);
    headers
}

/// Sets the target request's `Host`: `target.header.host` when set, else
/// `derived` (from a literal URL), else none (the client then derives it
/// from the URI). The client's `Host` is never forwarded.
fn set_host(
    ctx: &Ctx,
    headers: &mut http::HeaderMap,
    derived: Option<http::HeaderValue>,
) -> Result<(), Fault> {
    let explicit = match &ctx.target.host_header {
        Some(host) => Some(
            http::HeaderValue::from_str(host)
                .map_err(|_| header_fault("invalid target.header.host".into()))?,
        ),
        None => None,
    };
    set_outbound_host(headers, explicit.or(derived));
    Ok(())
}

/// The request for a direct (not balanced) target; sets the `target.*`
/// variables for the URI called and notes the send time.
fn direct_request(
    ctx: &mut Ctx,
    base_url: Cow<'static, str>,
    props: &TargetProperties,
    mut headers: http::HeaderMap,
) -> Result<http::Request<OutBody>, Fault> {
    let uri = target_uri(ctx, &base_url, props.retain_query_params)?;
    let literal = match base_url {
        Cow::Borrowed(literal) => props.origin.of(literal, &uri),
        Cow::Owned(_) => None,
    };
    match literal {
        // From the literal, `target.host` and `Host` borrow from the binary.
        Some(origin) => {
            let host = origin.called.host.map(Cow::Borrowed);
            set_host(ctx, &mut headers, origin.host_header.clone())?;
            set_target_vars(ctx, &origin.called, host);
        }
        None => {
            let called = Called::of(&uri);
            set_host(ctx, &mut headers, None)?;
            set_target_vars(ctx, &called, called.owned_host());
        }
    }
    ctx.target.url = Some(base_url);
    let body = into_out_body(std::mem::take(&mut ctx.request.body));
    let mut req = http::Request::new(body);
    *req.method_mut() = ctx.request.verb.clone();
    *req.uri_mut() = uri;
    *req.headers_mut() = headers;
    if let Some(t) = &mut ctx.trace {
        let uri = crate::trace::masked_uri(&req.uri().to_string(), &ctx.env.config().trace_mask);
        t.note(format!("→ target {} {uri}", req.method()));
    }
    ctx.target.sent_start_ms = target_timestamp(ctx);
    Ok(req)
}

/// Sends the request through LoadBalancer `lb` (`base_url` is its `Path`)
/// and sets the `target.*` variables for the server chosen.
async fn call_balanced(
    ctx: &mut Ctx,
    base_url: Cow<'static, str>,
    props: &TargetProperties,
    lb: &'static LoadBalancer,
    mut headers: http::HeaderMap,
) -> Result<http::Response<hyper::body::Incoming>, Fault> {
    set_host(ctx, &mut headers, None)?;
    // A retry sends the request again: read the body first.
    crate::body::buffer(&mut ctx.request, ctx.env.max_body_bytes()).await?;
    let body = match std::mem::take(&mut ctx.request.body) {
        Body::Bytes(b) => b,
        _ => bytes::Bytes::new(),
    };
    let path = join_url(ctx, &base_url, props.retain_query_params);
    let (mut parts, ()) = http::Request::new(()).into_parts();
    parts.method = ctx.request.verb.clone();
    parts.headers = headers;
    ctx.target.sent_start_ms = target_timestamp(ctx);
    let (resp, chosen) = ctx
        .env
        .upstreams()
        .send_balanced(lb, props, &parts, &path, body)
        .await
        .map_err(client_fault)?;
    ctx.target.url = Some(Cow::Owned(format!("{}{base_url}", chosen.origin)));
    if let Ok(uri) = format!("{}{path}", chosen.origin).parse::<http::Uri>() {
        let called = Called::of(&uri);
        set_target_vars(ctx, &called, called.owned_host());
    }
    if let Some(t) = &mut ctx.trace {
        t.note(format!(
            "→ target server {} ({})",
            chosen.name, chosen.origin
        ));
    }
    ctx.target.balanced = Some(chosen);
    Ok(resp)
}

/// Stores a target's response in `ctx.response`; a status outside
/// `success.codes` is the `ErrorResponseCode` fault, raised with that
/// response (it stays in `ctx.response`).
pub(crate) fn store_response(
    ctx: &mut Ctx,
    msg: crate::message::Message,
    props: &TargetProperties,
) -> Result<(), Fault> {
    let status = msg.status;
    ctx.response = Some(msg);
    if props.is_success(status) {
        return Ok(());
    }
    // Concatenated, not `format!`ed: this runs for every error response.
    let mut reason = String::with_capacity(34);
    reason.push_str("Received ");
    reason.push_str(itoa::Buffer::new().format(status));
    reason.push_str(" Response from target");
    let mut fault = Fault::platform(
        codes::ERROR_RESPONSE_CODE,
        status,
        FaultCategory::Messaging,
        reason,
    );
    fault.response = FaultResponse::InContext;
    Err(fault)
}

/// Drops the headers `retain` does not keep.
fn retain_headers(headers: &mut http::HeaderMap, retain: Retain) {
    if retain.enabled {
        return;
    }
    let drop: Vec<http::HeaderName> = headers
        .keys()
        .filter(|n| !retain.keeps(n.as_str()))
        .cloned()
        .collect();
    for n in drop {
        headers.remove(n);
    }
}

/// What the target variables and the `Host` header need of the URI
/// called, each part parsed out of it once.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Called<'u> {
    https: bool,
    host: Option<&'u str>,
    port: Option<u16>,
}

impl<'u> Called<'u> {
    fn of(uri: &'u http::Uri) -> Self {
        Called {
            https: uri.scheme_str() == Some("https"),
            host: uri.host(),
            port: uri.port_u16(),
        }
    }

    /// The same, read from `host_port` (the URI's authority without
    /// userinfo, as [`literal_host_port`] finds it) without parsing the URI
    /// again.
    fn of_host_port(uri: &http::Uri, host_port: &'u str) -> Option<Self> {
        // An IPv6 host keeps its brackets, as `Uri::host` gives it.
        let host_end = match host_port.strip_prefix('[') {
            Some(v6) => v6.find(']')? + 2,
            None => host_port
                .bytes()
                .rposition(|b| b == b':')
                .unwrap_or(host_port.len()),
        };
        let (host, port) = match host_port.get(host_end..)? {
            "" => (host_port, None),
            rest => (
                host_port.get(..host_end)?,
                rest.strip_prefix(':')?.parse().ok(),
            ),
        };
        Some(Called {
            https: uri.scheme_str() == Some("https"),
            host: Some(host),
            port,
        })
    }

    fn owned_host(&self) -> Option<Cow<'static, str>> {
        self.host.map(|h| Cow::Owned(h.to_owned()))
    }

    fn default_port(&self) -> u16 {
        default_port(self.https)
    }
}

/// `target.scheme`, `target.host`, `target.port` from the URI called.
fn set_target_vars(ctx: &mut Ctx, called: &Called<'_>, host: Option<Cow<'static, str>>) {
    ctx.target.scheme = Some(if called.https { "https" } else { "http" });
    ctx.target.host = host;
    ctx.target.port = Some(called.port.unwrap_or(called.default_port()));
}

/// `uri`'s authority, and its host and port (the authority without
/// userinfo), as written in `literal`, the bundle's URL `uri` was built
/// from: found by position (`uri` starts with `literal`'s scheme and
/// authority), not searched for.
fn literal_host_port(
    literal: &'static str,
    uri: &http::Uri,
) -> Option<(&'static str, &'static str)> {
    let start = uri.scheme_str()?.len() + "://".len();
    let authority = uri.authority()?.as_str();
    let text = literal
        .get(start..start + authority.len())
        .filter(|a| *a == authority)?;
    // (A byte search: authorities are short.)
    let host_port = match text.bytes().rposition(|b| b == b'@') {
        Some(at) => &text[at + 1..], // ok: `@` is ASCII, so `at + 1` is a char boundary
        None => text,
    };
    Some((text, host_port))
}

/// The `Host` header the client would derive from the URI called (host, plus the
/// port unless it is the scheme's default), borrowed from the literal URL's
/// `host_port` so no copy is made; `None` leaves it to the client.
fn static_host_header(host_port: &'static str, called: &Called<'_>) -> Option<http::HeaderValue> {
    let text = match called.port {
        Some(p) if p == called.default_port() => {
            let host = called.host?;
            host_port.get(..host.len()).filter(|h| *h == host)?
        }
        _ => host_port,
    };
    http::HeaderValue::from_maybe_shared(bytes::Bytes::from_static(text.as_bytes())).ok()
}

/// What every call to one literal URL (a TargetEndpoint's or a
/// ServiceCallout's `<URL>`) derives from it, worked out on the first call
/// instead of on each: where it goes (`target.*`) and its `Host` header,
/// both borrowed from the binary.
#[derive(Debug)]
pub struct LiteralOrigin(OnceLock<Option<Box<Origin>>>);

/// A literal URL's scheme and authority, read once.
#[derive(Debug)]
pub(crate) struct Origin {
    /// The literal it was read from.
    literal: &'static str,
    /// Its authority (with userinfo), as the URIs made from it carry it.
    authority: &'static str,
    /// Where the calls go.
    pub(crate) called: Called<'static>,
    /// The `Host` header the client would derive; `None` leaves it to the
    /// client.
    pub(crate) host_header: Option<http::HeaderValue>,
}

impl LiteralOrigin {
    /// Nothing worked out yet.
    pub const fn new() -> Self {
        LiteralOrigin(OnceLock::new())
    }

    /// The origin of `uri`, made from the literal URL `literal` (a path
    /// and query appended, which leave its scheme and authority as they
    /// are); `None` for a URL that is not an `http(s)` URL with a host, or
    /// when `uri` does not start with the literal's scheme and authority.
    pub(crate) fn of(&self, literal: &'static str, uri: &http::Uri) -> Option<&Origin> {
        let origin = self
            .0
            .get_or_init(|| Origin::read(literal, uri).map(Box::new))
            .as_ref()?;
        let same = std::ptr::eq(origin.literal, literal)
            && uri.authority().map(http::uri::Authority::as_str) == Some(origin.authority)
            && (uri.scheme() == Some(&http::uri::Scheme::HTTPS)) == origin.called.https;
        same.then_some(origin)
    }
}

impl Default for LiteralOrigin {
    fn default() -> Self {
        Self::new()
    }
}

impl Origin {
    /// Reads the origin of `literal` from `uri`, the first URI made from it.
    fn read(literal: &'static str, uri: &http::Uri) -> Option<Origin> {
        if !matches!(uri.scheme_str(), Some("http" | "https")) {
            return None;
        }
        let (authority, host_port) = literal_host_port(literal, uri)?;
        let called = Called::of_host_port(uri, host_port)?;
        called.host.filter(|h| !h.is_empty())?;
        Some(Origin {
            literal,
            authority,
            called,
            host_header: static_host_header(host_port, &called),
        })
    }
}

/// `1.1`-style version text.
pub fn version_text(v: http::Version) -> &'static str {
    match v {
        http::Version::HTTP_09 => "0.9",
        http::Version::HTTP_10 => "1.0",
        http::Version::HTTP_2 => "2.0",
        http::Version::HTTP_3 => "3.0",
        _ => "1.1",
    }
}

fn header_fault(why: String) -> Fault {
    Fault::platform(
        codes::INVALID_HEADER_VALUE,
        500,
        FaultCategory::Messaging,
        format!("The target request could not be built: {why}"),
    )
}

/// Maps a client error to Apigee's platform fault.
pub fn client_fault(e: ClientError) -> Fault {
    match e {
        ClientError::Timeout => Fault::platform(
            codes::GATEWAY_TIMEOUT,
            504,
            FaultCategory::Transport,
            "Gateway Timeout",
        )
        .with_reason("TARGET_READ_TIMEOUT"),
        ClientError::Connect(_) => Fault::platform(
            codes::SERVICE_UNAVAILABLE,
            503,
            FaultCategory::Transport,
            "The Service is temporarily unavailable",
        )
        .with_reason("TARGET_CONNECT_FAILED"),
        ClientError::Protocol(_) => Fault::platform(
            codes::SERVICE_UNAVAILABLE,
            503,
            FaultCategory::Transport,
            "The Service is temporarily unavailable",
        )
        .with_reason("TARGET_READ_ERROR"),
        ClientError::Request(why) => header_fault(why),
        ClientError::NoActiveServer => Fault::platform(
            codes::SERVICE_UNAVAILABLE,
            503,
            FaultCategory::Transport,
            "The Service is temporarily unavailable",
        )
        .with_reason("NO_ACTIVE_TARGETSERVER"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn host_and_port_read_from_the_literal_are_those_the_uri_gives() {
        for base in [
            "http://a.test",
            "https://a.test:8443",
            "http://127.0.0.1:9/p",
            "http://u:pw@h.test:81/x",
            "http://h.test:/x",
            "http://h.test:99999",
            "http://[::1]:80/x",
            "HTTP://Up.Test:80",
        ] {
            let uri: http::Uri = format!("{base}/y?z=1").parse().unwrap(); // ok: unit test
            let parsed = Called::of(&uri);
            let Some((_, hp)) = literal_host_port(base, &uri) else {
                continue;
            };
            if let Some(read) = Called::of_host_port(&uri, hp) {
                assert_eq!(
                    (read.https, read.host, read.port),
                    (parsed.https, parsed.host, parsed.port),
                    "{base}"
                );
            }
        }
    }

    #[test]
    fn the_host_header_is_what_the_client_would_derive() {
        let host = |base: &'static str| {
            let uri: http::Uri = format!("{base}/x?y=1").parse().unwrap(); // ok: unit test
            let origin = LiteralOrigin::new();
            origin
                .of(base, &uri)
                .and_then(|o| o.host_header.as_ref())
                .map(|v| v.to_str().unwrap().to_owned()) // ok: unit test
        };
        assert_eq!(host("http://a.test").as_deref(), Some("a.test"));
        assert_eq!(host("http://a.test:80").as_deref(), Some("a.test"));
        assert_eq!(host("https://a.test:443").as_deref(), Some("a.test"));
        assert_eq!(host("https://a.test:8443").as_deref(), Some("a.test:8443"));
        assert_eq!(host("http://u:p@a.test:81").as_deref(), Some("a.test:81"));
        assert_eq!(host("http://[::1]:8080").as_deref(), Some("[::1]:8080"));
        let uri: http::Uri = "http://u@h.test:81/p?q".parse().unwrap(); // ok: unit test
        assert_eq!(
            literal_host_port("http://u@h.test:81", &uri).map(|(_, hp)| hp),
            Some("h.test:81")
        );
        assert_eq!(literal_host_port("http://other:81", &uri), None);
    }

    #[test]
    fn a_literal_origin_is_read_once_and_stands_only_for_its_own_uris() {
        let origin = LiteralOrigin::new();
        let base = "https://u@a.test:8443/base";
        let uri = |text: &str| text.parse::<http::Uri>().unwrap(); // ok: unit test
        let first = origin.of(base, &uri("https://u@a.test:8443/base/x?y=1"));
        let first = first.map(|o| (o.called.host, o.called.port, o.called.https));
        assert_eq!(first, Some((Some("a.test"), Some(8443), true)));
        // Other paths and queries share it.
        assert!(
            origin
                .of(base, &uri("https://u@a.test:8443/base"))
                .is_some()
        );
        // Another authority or scheme, or another literal, does not.
        assert!(
            origin
                .of(base, &uri("https://u@b.test:8443/base"))
                .is_none()
        );
        assert!(origin.of(base, &uri("http://u@a.test:8443/base")).is_none());
        let other: &'static str = "https://u@a.test:8443/other";
        assert!(
            origin
                .of(other, &uri("https://u@a.test:8443/other"))
                .is_none()
        );
        // No origin for what is not an http(s) URL with a host.
        for (literal, made) in [
            ("ftp://h.test/x", "ftp://h.test/x"),
            ("http://:80/x", "http://:80/x"),
        ] {
            if let Ok(made) = made.parse::<http::Uri>() {
                assert!(
                    LiteralOrigin::new().of(literal, &made).is_none(),
                    "{literal}"
                );
            }
        }
    }

    #[test]
    fn retain_keeps_everything_or_the_names_given() {
        assert!(Retain::ALL.keeps("x-anything"));
        let some = Retain {
            enabled: false,
            names: &["User-Agent", "accept"],
        };
        assert!(some.keeps("user-agent") && some.keeps("Accept") && !some.keeps("cookie"));
        let mut headers = http::HeaderMap::new();
        headers.insert("user-agent", http::HeaderValue::from_static("t"));
        headers.insert("cookie", http::HeaderValue::from_static("c"));
        retain_headers(&mut headers, some);
        assert_eq!(headers.len(), 1);
        assert!(headers.contains_key("user-agent"));
    }

    #[test]
    fn a_status_outside_the_success_codes_is_error_response_code_with_that_response() {
        static PROPS: TargetProperties = TargetProperties::defaults();
        let mut ctx = crate::ctx::test_ctx(&crate::ctx::TEST_PROXY);
        let mut ok = crate::message::Message::new_response();
        ok.status = 204;
        assert!(store_response(&mut ctx, ok, &PROPS).is_ok());
        for status in [400u16, 503, 599] {
            let mut resp = crate::message::Message::new_response();
            resp.status = status;
            let fault = store_response(&mut ctx, resp, &PROPS).unwrap_err(); // ok: unit test
            assert_eq!(fault.code, codes::ERROR_RESPONSE_CODE);
            assert_eq!(fault.status, status);
            assert_eq!(fault.category, FaultCategory::Messaging);
            assert_eq!(
                fault.faultstring,
                format!("Received {status} Response from target")
            );
            assert!(matches!(fault.response, FaultResponse::InContext));
            assert_eq!(ctx.response.as_ref().map(|r| r.status), Some(status));
        }
    }
}
