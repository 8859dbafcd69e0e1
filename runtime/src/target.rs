//! Proxying the request to a TargetEndpoint's HTTPTargetConnection (or a
//! RouteRule URL) and storing the backend's response.

use crate::body::{header_map, into_out_body, response_message};
use crate::client::ClientError;
use crate::ctx::Ctx;
use crate::fault::{Fault, FaultCategory, codes};
use std::time::{Duration, SystemTime, UNIX_EPOCH};

/// Transport properties of an HTTPTargetConnection (literal values only).
#[derive(Debug)]
pub struct TargetProperties {
    /// `connect.timeout.millis` (default 3000).
    pub connect_timeout_ms: u64,
    /// `io.timeout.millis` (default 55000).
    pub io_timeout_ms: u64,
    /// `success.codes`: status ranges treated as success (default 1xx–3xx).
    pub success_codes: &'static [(u16, u16)],
}

/// The default success codes: 1xx, 2xx, 3xx.
pub const DEFAULT_SUCCESS_CODES: &[(u16, u16)] = &[(100, 399)];

impl TargetProperties {
    /// The documented defaults.
    pub const DEFAULT: TargetProperties = TargetProperties {
        connect_timeout_ms: 3000,
        io_timeout_ms: 55_000,
        success_codes: DEFAULT_SUCCESS_CODES,
    };

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

/// Joins the target base URL, the path suffix and the query string.
/// The scheme always comes from the configured URL and must be http(s).
pub fn target_uri(ctx: &Ctx, base: &str) -> Result<http::Uri, Fault> {
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
    for part in [base_query.to_owned(), query_if(ctx)] {
        if !part.is_empty() {
            url.push(sep);
            url.push_str(&part);
            sep = '&';
        }
    }
    let uri: http::Uri = url.parse().map_err(|_| bad_url(&url))?;
    match uri.scheme_str() {
        Some("http" | "https") if uri.host().is_some() => Ok(uri),
        _ => Err(bad_url(&url)),
    }
}

fn query_if(ctx: &Ctx) -> String {
    if ctx.target.copy_queryparams {
        ctx.request.query_string()
    } else {
        String::new()
    }
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

/// Sends `ctx.request` to `base_url` (+ suffix and query as the
/// `target.copy.*` variables say) and stores the backend response in
/// `ctx.response`. A status outside `success.codes` is the
/// `ErrorResponseCode` fault carrying the backend response.
pub async fn call(ctx: &mut Ctx, base_url: &str, props: &TargetProperties) -> Result<(), Fault> {
    let uri = target_uri(ctx, base_url)?;
    ctx.target.url = Some(base_url.to_owned());
    ctx.target.scheme = Some(if uri.scheme_str() == Some("https") {
        "https"
    } else {
        "http"
    });
    ctx.target.host = uri.host().map(str::to_owned);
    ctx.target.port = uri
        .port_u16()
        .or(Some(if uri.scheme_str() == Some("https") {
            443
        } else {
            80
        }));

    let mut headers = header_map(&ctx.request, &["host"]).map_err(header_fault)?;
    if let Some(host) = &ctx.target.host_header {
        let v = http::HeaderValue::from_str(host)
            .map_err(|_| header_fault("invalid target.header.host".into()))?;
        headers.insert(http::header::HOST, v);
    }
    let method = http::Method::from_bytes(ctx.request.verb.as_bytes())
        .map_err(|_| header_fault(format!("invalid verb `{}`", ctx.request.verb)))?;
    let body = into_out_body(std::mem::take(&mut ctx.request.body));
    let mut req = http::Request::new(body);
    *req.method_mut() = method;
    *req.uri_mut() = uri;
    *req.headers_mut() = headers;

    if let Some(t) = &mut ctx.trace {
        let uri = crate::trace::masked_uri(&req.uri().to_string(), &ctx.env.config().trace_mask);
        t.note(format!("→ target {} {uri}", req.method()));
    }
    ctx.target.sent_start_ms = Some(now_ms());
    let timeout = Duration::from_millis(props.io_timeout_ms);
    let resp = ctx
        .env
        .client()
        .send(req, timeout)
        .await
        .map_err(client_fault)?;
    ctx.target.received_end_ms = Some(now_ms());

    let status = resp.status().as_u16();
    if let Some(t) = &mut ctx.trace {
        t.note(format!("← target {status}"));
    }
    let msg = response_message(resp);
    if props.is_success(status) {
        ctx.response = Some(msg);
        Ok(())
    } else {
        let mut fault = Fault::platform(
            codes::ERROR_RESPONSE_CODE,
            status,
            FaultCategory::Messaging,
            format!("Received {status} Response from target"),
        );
        fault.response = Some(Box::new(msg));
        Err(fault)
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
    }
}
