//! HealthMonitors: background checks of a LoadBalancer's servers (a TCP
//! connect or an HTTP request) that take failing servers out of rotation
//! and bring them back once they answer again.

use crate::balancer::Balancer;
use crate::client::{HttpClient, OutBody};
use bytes::Bytes;

use std::future::Future;
use std::sync::Arc;
use std::time::Duration;

/// An enabled `HealthMonitor` (static data in generated code).
#[derive(Debug)]
pub struct HealthMonitor {
    /// `IntervalInSec`.
    pub interval_secs: u64,
    /// `TCPMonitor` or `HTTPMonitor`.
    pub check: Check,
}

/// The kind of check.
#[derive(Debug)]
pub enum Check {
    /// `TCPMonitor`.
    Tcp {
        /// `ConnectTimeoutInSec`.
        connect_timeout_secs: u64,
        /// `Port` (default: the server's port).
        port: Option<u16>,
    },
    /// `HTTPMonitor`.
    Http(HttpCheck),
}

/// `HTTPMonitor`.
#[derive(Debug)]
pub struct HttpCheck {
    /// `Request/ConnectTimeoutInSec` (0 = 30 s).
    pub connect_timeout_secs: u64,
    /// `Request/SocketReadTimeoutInSec` (0 = 30 s).
    pub read_timeout_secs: u64,
    /// `Request/Port` (default: the server's port).
    pub port: Option<u16>,
    /// `Request/Verb` (default GET).
    pub verb: &'static str,
    /// `Request/Path`.
    pub path: &'static str,
    /// `Request/Header`s.
    pub headers: &'static [(&'static str, &'static str)],
    /// `Request/Payload`.
    pub payload: Option<&'static str>,
    /// `Request/IsSSL`: https (with the default trust) instead of http.
    pub is_ssl: bool,
    /// `Request/UseTargetServerSSLInfo`: https with the server's own TLS settings.
    pub use_target_server_ssl_info: bool,
    /// `Request/IncludeHealthCheckIdHeader`: send `X-Apigee-Healthcheck-Id`.
    pub include_health_check_id_header: bool,
    /// `SuccessResponse/ResponseCode`s (empty = any 2xx).
    pub success_codes: &'static [u16],
    /// `SuccessResponse/Header`s the response must carry.
    pub success_headers: &'static [(&'static str, &'static str)],
}

/// `0 ⇒ 30 s`.
pub fn secs_or_default(secs: u64) -> Duration {
    Duration::from_secs(if secs == 0 { 30 } else { secs })
}

/// Whether a TCP connection to `addr` opens within `timeout`.
pub async fn tcp_check(addr: &str, timeout: Duration) -> bool {
    matches!(
        tokio::time::timeout(timeout, tokio::net::TcpStream::connect(addr)).await,
        Ok(Ok(_))
    )
}

/// Sends the HTTPMonitor request to `uri` and checks the answer against
/// `SuccessResponse`. `id` is the health-check id header value, if sent.
pub async fn http_check(
    client: &HttpClient,
    check: &HttpCheck,
    uri: http::Uri,
    id: Option<String>,
) -> bool {
    let body = OutBody::from(Bytes::from_static(
        check.payload.unwrap_or_default().as_bytes(),
    ));
    let mut req = http::Request::new(body);
    let Ok(method) = http::Method::from_bytes(check.verb.as_bytes()) else {
        return false;
    };
    *req.method_mut() = method;
    *req.uri_mut() = uri;
    for (name, value) in check.headers {
        let (Ok(n), Ok(v)) = (
            http::HeaderName::from_bytes(name.as_bytes()),
            http::HeaderValue::from_str(value),
        ) else {
            return false;
        };
        req.headers_mut().append(n, v);
    }
    if let Some(v) = id.and_then(|id| http::HeaderValue::from_str(&id).ok()) {
        req.headers_mut().insert("x-apigee-healthcheck-id", v);
    }
    let timeout = secs_or_default(check.read_timeout_secs);
    let Ok(resp) = client.send(req, Some(timeout)).await else {
        return false;
    };
    let status = resp.status().as_u16();
    let code_ok = if check.success_codes.is_empty() {
        (200..300).contains(&status)
    } else {
        check.success_codes.contains(&status)
    };
    let headers_ok = check.success_headers.iter().all(|(n, v)| {
        resp.headers()
            .get_all(*n)
            .iter()
            .any(|h| h.to_str().is_ok_and(|h| h == *v))
    });
    code_ok && headers_ok
}

/// Checks every member of `balancer` each `IntervalInSec`, forever (the
/// task is aborted at shutdown): a passed check brings a server back, a
/// failed one counts towards `MaxFailures`.
pub async fn watch<T, F, Fut>(balancer: Arc<Balancer<T>>, interval: Duration, check: F)
where
    F: Fn(Arc<Balancer<T>>, usize) -> Fut,
    Fut: Future<Output = bool>,
{
    let mut ticker = tokio::time::interval(interval.max(Duration::from_millis(100)));
    ticker.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
    ticker.tick().await;
    loop {
        ticker.tick().await;
        for i in 0..balancer.members().len() {
            if check(Arc::clone(&balancer), i).await {
                balancer.succeeded(i);
            } else {
                balancer.failed(i);
            }
        }
    }
}
