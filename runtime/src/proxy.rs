//! The interface a compiled proxy implements, and its static description.

use crate::balancer::LoadBalancer;
use crate::ctx::Ctx;
use crate::shared_flow::SharedFlowMeta;
use crate::tls_client::SslInfo;
use std::future::Future;
use std::pin::Pin;

/// A boxed, sendable future.
pub type BoxFuture<'a, T> = Pin<Box<dyn Future<Output = T> + Send + 'a>>;

/// How many bytes of a handler future's state [`HandlerFuture`] holds
/// inline. The endpoint futures of the benchmark bundles take 488 (pass
/// through) to 1,600 bytes (ServiceCallout with mediation).
pub const HANDLER_INLINE_BYTES: usize = 2048;

/// The dyn-compatible form of a proxy's handler: its future stored in place
/// when its state fits in [`HANDLER_INLINE_BYTES`] (no heap allocation per
/// request), boxed otherwise.
pub type HandlerFuture<'a> = stackfuture::StackFuture<'a, (), HANDLER_INLINE_BYTES>;

/// Static description of a compiled proxy.
#[derive(Debug)]
pub struct ProxyMeta {
    /// `apiproxy.name`.
    pub name: &'static str,
    /// `apiproxy.revision`.
    pub revision: &'static str,
    /// The ProxyEndpoints, in a fixed order (the index is the endpoint id).
    pub endpoints: &'static [EndpointMeta],
    /// Names of the user-variable slots (index = slot number).
    pub slots: &'static [&'static str],
    /// Its HTTP connections' needs from the environment.
    pub connections: Connections,
    /// The per-request values its flows can read that cost something to
    /// record (only those are recorded).
    pub reads: Reads,
}

/// Which per-request values that cost something to record a proxy's flows
/// can read. The compiler finds their readers in the generated code, and a
/// value nothing reads is not recorded: a clock read (tens of nanoseconds)
/// for each timestamp, reference-counted clones of the received URI and
/// `Host` header for `proxy.url`. A timestamp left out reads as null,
/// `proxy.url` as empty.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Reads {
    /// `client.received.start.timestamp`.
    pub client_received_start: bool,
    /// `target.sent.start.timestamp` and `target.received.end.timestamp`.
    pub target_timestamps: bool,
    /// `proxy.url`.
    pub proxy_url: bool,
}

impl Reads {
    /// Every value recorded.
    pub const ALL: Reads = Reads {
        client_received_start: true,
        target_timestamps: true,
        proxy_url: true,
    };
}

/// What the HTTP connections of a compiled bundle (a proxy or a shared
/// flow) need from the environment: checked, and their TLS configurations
/// and LoadBalancers prepared, when the bundle is mounted.
#[derive(Debug)]
pub struct Connections {
    /// TargetServer names the bundle references.
    pub target_servers: &'static [&'static str],
    /// Every SSLInfo, with where it is (`TargetEndpoint `x`` or
    /// `ServiceCallout `y``).
    pub tls: &'static [(&'static str, &'static SslInfo<'static>)],
    /// Every LoadBalancer, with where it is (the same site names as `tls`).
    pub load_balancers: &'static [(&'static str, &'static LoadBalancer)],
    /// Shared flows compiled into the bundle's FlowCallouts (called
    /// directly, so their connections are prepared with the bundle's).
    pub shared_flows: &'static [&'static SharedFlowMeta],
}

/// Static description of one ProxyEndpoint.
#[derive(Debug)]
pub struct EndpointMeta {
    /// `proxy.name`.
    pub name: &'static str,
    /// `HTTPProxyConnection/BasePath` (may hold `*` segments).
    pub base_path: &'static str,
    /// Whether the endpoint has a PostClientFlow.
    pub has_post_client_flow: bool,
}

/// A proxy compiled by proxyc.
pub trait CompiledProxy: Send + Sync + 'static {
    /// The proxy's static description.
    fn meta(&self) -> &'static ProxyMeta;

    /// Runs the request and response flows of endpoint `endpoint` (index into
    /// [`ProxyMeta::endpoints`]); on return `ctx.response` holds what the
    /// client gets.
    fn handle<'a>(&'a self, endpoint: usize, ctx: &'a mut Ctx) -> HandlerFuture<'a>;

    /// Runs the PostClientFlow of `endpoint`, after the response was sent.
    fn post_client<'a>(&'a self, endpoint: usize, ctx: &'a mut Ctx) -> HandlerFuture<'a>;

    /// Shared flows and local targets the proxy needs from its environment
    /// (the gateway checks them at start-up); none by default.
    fn requirements(&self) -> &'static crate::shared_flow::Requirements {
        &crate::shared_flow::Requirements::NONE
    }
}
