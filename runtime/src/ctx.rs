//! The flow context: everything one request's flow variables can see.

use crate::env::Environment;
use crate::fault::{Fault, FaultCategory, FaultResponse};
use crate::message::Message;
use crate::message::PathSuffix;
use crate::proxy::ProxyMeta;
use crate::trace::Trace;
use crate::value::Value;
use std::borrow::Cow;
use std::net::SocketAddr;
use std::sync::Arc;
use std::time::SystemTime;

/// Which message `message` aliases, and which FaultRules apply.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Phase {
    /// ProxyEndpoint request flows.
    ProxyRequest,
    /// TargetEndpoint request flows.
    TargetRequest,
    /// TargetEndpoint response flows.
    TargetResponse,
    /// ProxyEndpoint response flows.
    ProxyResponse,
    /// FaultRules and DefaultFaultRule (`message` = `error`).
    Error,
    /// After the response went to the client.
    PostClient,
}

impl Phase {
    /// Whether `message` means the request in this phase.
    pub fn is_request(self) -> bool {
        matches!(self, Phase::ProxyRequest | Phase::TargetRequest)
    }
}

/// A user variable's storage: unset, a value, or a message object.
#[derive(Debug, Default)]
pub enum Slot {
    /// Never set (reads as null).
    #[default]
    Unset,
    /// A plain value.
    Value(Value<'static>),
    /// A message (ServiceCallout response, AssignMessage `AssignTo`, …).
    Message(Box<Message>),
}

/// `proxy.*` variables.
#[derive(Debug, Clone)]
pub struct ProxyVars {
    /// `proxy.basepath`.
    pub basepath: &'static str,
    /// `proxy.pathsuffix`.
    pub pathsuffix: PathSuffix,
    /// `proxy.url`.
    pub url: ProxyUrl,
    /// `proxy.name` (the ProxyEndpoint).
    pub name: &'static str,
    /// `proxy.flow.name`.
    pub flow_name: &'static str,
}

/// `proxy.url`: `http://<Host><path>?<query>` of the request as received.
/// For requests from a client it is formatted on first read, from the
/// received URI and Host header, which are kept as cheap reference-counted
/// clones, and only for a proxy whose flows can read it ([`Reads`]).
///
/// [`Reads`]: crate::proxy::Reads
#[derive(Debug, Clone)]
pub struct ProxyUrl {
    received: Option<(http::Uri, Option<http::HeaderValue>)>,
    text: std::sync::OnceLock<String>,
}

impl ProxyUrl {
    /// A URL known up front.
    pub fn new(text: String) -> Self {
        ProxyUrl {
            received: None,
            text: std::sync::OnceLock::from(text),
        }
    }

    /// The URL of a proxy whose flows never read it: reads as empty.
    pub fn unread() -> Self {
        ProxyUrl {
            received: None,
            text: std::sync::OnceLock::new(),
        }
    }

    /// The URL of a request received with `uri` and `host`, formatted when read.
    pub fn received(uri: http::Uri, host: Option<http::HeaderValue>) -> Self {
        ProxyUrl {
            received: Some((uri, host)),
            text: std::sync::OnceLock::new(),
        }
    }

    /// The URL text.
    pub fn get(&self) -> &str {
        self.text.get_or_init(|| {
            let Some((uri, host)) = &self.received else {
                return String::new();
            };
            let host = match (host, uri.authority()) {
                (Some(h), _) => String::from_utf8_lossy(h.as_bytes()).into_owned(),
                (None, Some(a)) => a.as_str().to_owned(),
                (None, None) => "localhost".to_owned(),
            };
            let mut url = format!("http://{host}{}", uri.path());
            // The query as received (as the request message holds it).
            if let Some(query) = uri.query().filter(|q| !q.is_empty()) {
                url.push('?');
                url.push_str(query);
            }
            url
        })
    }
}

/// `target.*` and `route.*` variables.
#[derive(Debug, Clone)]
pub struct TargetVars {
    /// `target.url` (scheme, host, base path; no suffix, no query): the
    /// bundle's literal URL is borrowed, not copied.
    pub url: Option<Cow<'static, str>>,
    /// `target.name`.
    pub name: Option<&'static str>,
    /// `target.copy.pathsuffix` (default true).
    pub copy_pathsuffix: bool,
    /// `target.copy.queryparams` (default true).
    pub copy_queryparams: bool,
    /// `target.header.host`.
    pub host_header: Option<String>,
    /// `target.host` (after the call; borrowed from a literal URL).
    pub host: Option<Cow<'static, str>>,
    /// `target.port` (after the call).
    pub port: Option<u16>,
    /// `target.scheme`.
    pub scheme: Option<&'static str>,
    /// `target.flow.name`.
    pub flow_name: Option<&'static str>,
    /// `route.name`.
    pub route_name: Option<&'static str>,
    /// `route.target`.
    pub route_target: Option<&'static str>,
    /// `target.sent.start.timestamp` (ms).
    pub sent_start_ms: Option<i64>,
    /// `target.received.end.timestamp` (ms).
    pub received_end_ms: Option<i64>,
    /// The TargetServer a LoadBalancer chose (`loadbalancing.*`).
    pub balanced: Option<crate::upstream::Chosen>,
}

impl Default for TargetVars {
    fn default() -> Self {
        TargetVars {
            url: None,
            name: None,
            copy_pathsuffix: true,
            copy_queryparams: true,
            host_header: None,
            host: None,
            port: None,
            scheme: None,
            flow_name: None,
            route_name: None,
            route_target: None,
            sent_start_ms: None,
            received_end_ms: None,
            balanced: None,
        }
    }
}

/// `client.*` variables.
#[derive(Debug, Clone)]
pub struct ClientVars {
    /// Peer address.
    pub addr: SocketAddr,
    /// `HTTP` or `HTTPS`.
    pub scheme: &'static str,
    /// When the request arrived (`None` when the proxy never reads it:
    /// [`crate::proxy::Reads`]).
    pub received_start: Option<SystemTime>,
}

/// `fault.*` variables, set when a fault is raised.
#[derive(Debug, Clone)]
pub struct FaultVars {
    /// Full error code.
    code: Cow<'static, str>,
    /// Where `fault.name` starts in `code` (after its last `.`): found once,
    /// when the fault is raised, not at each read.
    name_at: usize,
    /// `fault.reason` / `error.message`.
    pub reason: String,
    /// `fault.category`.
    pub category: FaultCategory,
    /// `error.status.code` of the raised fault.
    pub status: u16,
}

impl FaultVars {
    /// The variables of a fault raised with these parts.
    pub fn new(
        code: Cow<'static, str>,
        reason: String,
        category: FaultCategory,
        status: u16,
    ) -> Self {
        // A byte search: `.` is ASCII, so the byte after it starts a char.
        let name_at = memchr::memrchr(b'.', code.as_bytes()).map_or(0, |dot| dot + 1);
        FaultVars {
            code,
            name_at,
            reason,
            category,
            status,
        }
    }

    /// `fault.name`: the code after its last `.`.
    pub fn name(&self) -> &str {
        self.code.get(self.name_at..).unwrap_or_default()
    }

    /// The fault these variables describe, raised again (a `Step` fault
    /// with the same code, reason, status and category).
    pub(crate) fn reraise(self) -> Fault {
        let mut fault = Fault::step(self.code, self.reason);
        fault.status = self.status;
        fault.category = self.category;
        fault
    }
}

/// Slots held in the context itself: a proxy with this many variables or
/// fewer allocates nothing for them.
pub const INLINE_SLOTS: usize = 16;

/// A flow's user variables (see [`Ctx::slots`]).
pub type Slots = smallvec::SmallVec<[Slot; INLINE_SLOTS]>;

/// Everything one request's flow can read and write.
pub struct Ctx {
    /// `request`.
    pub request: Message,
    /// `response` (also `error` in the error phase).
    pub response: Option<Message>,
    /// Current phase (decides what `message` aliases).
    pub phase: Phase,
    /// User variables, indexed by compile-time slot numbers.
    pub slots: Slots,
    /// Names of `slots` (the proxy's, or a running shared flow's).
    pub slot_names: &'static [&'static str],
    /// `proxy.*`.
    pub proxy: ProxyVars,
    /// `target.*`, `route.*`.
    pub target: TargetVars,
    /// `client.*`.
    pub client: ClientVars,
    /// `fault.*` once a fault was raised.
    pub fault: Option<FaultVars>,
    /// `messageid`, made on first read (most requests never read it).
    message_id: std::sync::OnceLock<String>,
    /// The compiled proxy's static description.
    pub meta: &'static ProxyMeta,
    /// The environment (config, HTTP client, tokens).
    pub env: Arc<Environment>,
    /// Debug trace of this request, when tracing is on.
    pub trace: Option<Trace>,
    /// `current.flow.name`.
    pub current_flow: &'static str,
}

impl Ctx {
    /// A context for one inbound request.
    pub fn new(
        request: Message,
        meta: &'static ProxyMeta,
        env: Arc<Environment>,
        client: ClientVars,
        proxy: ProxyVars,
    ) -> Self {
        let trace = env.trace_enabled().then(Trace::default);
        let slots = std::iter::repeat_with(Slot::default)
            .take(meta.slots.len())
            .collect();
        Ctx {
            request,
            response: None,
            phase: Phase::ProxyRequest,
            slots,
            slot_names: meta.slots,
            proxy,
            target: TargetVars::default(),
            client,
            fault: None,
            message_id: std::sync::OnceLock::new(),
            meta,
            env,
            trace,
            current_flow: "PreFlow",
        }
    }

    /// `messageid`: a fresh unique id for this request.
    pub fn message_id(&self) -> &str {
        self.message_id
            .get_or_init(|| uuid::Uuid::new_v4().to_string())
    }

    /// The message `message` aliases in the current phase.
    pub fn message(&self) -> Option<&Message> {
        if self.phase.is_request() {
            Some(&self.request)
        } else {
            self.response.as_ref()
        }
    }

    /// Mutable access to the message `message` aliases; creates the response
    /// when a response-phase policy writes it first.
    pub fn message_mut(&mut self) -> &mut Message {
        if self.phase.is_request() {
            &mut self.request
        } else {
            self.response.get_or_insert_with(Message::new_response)
        }
    }

    /// The response, created empty if absent.
    pub fn response_mut(&mut self) -> &mut Message {
        self.response.get_or_insert_with(Message::new_response)
    }

    /// A user variable slot (`None` for an out-of-range index, which the
    /// compiler never emits).
    pub fn slot(&self, index: usize) -> Option<&Slot> {
        self.slots.get(index)
    }

    /// Stores a value in a user variable slot.
    pub fn set_slot(&mut self, index: usize, slot: Slot) {
        if let Some(s) = self.slots.get_mut(index) {
            *s = slot;
        }
    }

    /// The message held by a user variable slot, if it holds one.
    pub fn slot_message(&self, index: usize) -> Option<&Message> {
        match self.slots.get(index) {
            Some(Slot::Message(m)) => Some(m),
            _ => None,
        }
    }

    /// Records a condition's result in the trace; returns it.
    #[inline]
    pub fn trace_cond(&mut self, text: &'static str, value: bool) -> bool {
        crate::flow::cond(self, text, value)
    }

    /// Enters the error state for `fault`: records `fault.*`, switches to the
    /// error phase and makes the fault's default response the error message.
    pub fn enter_fault(&mut self, mut fault: Fault) -> bool {
        if let Some(t) = &mut self.trace {
            t.fault(&fault);
        }
        self.phase = Phase::Error;
        let keep = matches!(fault.response, FaultResponse::InContext) && self.response.is_some();
        if !keep {
            self.response = Some(fault.default_response());
        }
        self.fault = Some(FaultVars::new(
            fault.code,
            fault.faultstring,
            fault.category,
            fault.status,
        ));
        fault.raised
    }
}

/// A proxy for unit tests: no endpoints, variables or connections.
#[cfg(test)]
pub(crate) const TEST_PROXY: ProxyMeta = ProxyMeta {
    name: "p",
    revision: "1",
    endpoints: &[],
    slots: &[],
    connections: crate::proxy::Connections {
        target_servers: &[],
        tls: &[],
        load_balancers: &[],
        shared_flows: &[],
    },
    reads: crate::proxy::Reads::ALL,
};

/// A context for unit tests: a GET of `http://localhost/` from
/// 127.0.0.1 to the proxy `meta`, in a default environment.
#[cfg(test)]
pub(crate) fn test_ctx(meta: &'static ProxyMeta) -> Ctx {
    let env = Environment::new(crate::env::EnvConfig::default()).unwrap(); // ok: unit test
    Ctx::new(
        Message::new_request(),
        meta,
        Arc::new(env),
        ClientVars {
            addr: ([127, 0, 0, 1], 1).into(),
            scheme: "HTTP",
            received_start: Some(std::time::UNIX_EPOCH),
        },
        ProxyVars {
            basepath: "/",
            pathsuffix: Default::default(),
            url: ProxyUrl::new("http://localhost/".into()),
            name: "default",
            flow_name: "PreFlow",
        },
    )
}

#[cfg(test)]
mod tests {
    use super::{FaultVars, ProxyUrl};
    use crate::fault::FaultCategory;

    #[test]
    fn fault_name_is_the_code_after_its_last_dot() {
        for (code, name) in [
            ("steps.raisefault.RaiseFault", "RaiseFault"),
            ("ErrorResponseCode", "ErrorResponseCode"),
            ("a.", ""),
            ("é.ü", "ü"),
        ] {
            let vars = FaultVars::new(code.into(), String::new(), FaultCategory::Step, 0);
            assert_eq!(vars.name(), code.rsplit('.').next().unwrap_or(code)); // the definition
            assert_eq!(vars.name(), name);
        }
    }

    #[test]
    fn proxy_url_from_the_received_request() {
        let host = Some(http::HeaderValue::from_static("api.example.com"));
        let url = ProxyUrl::received("/v1/items?a=1&b=x%20y".parse().unwrap(), host); // ok: unit test
        assert_eq!(url.get(), "http://api.example.com/v1/items?a=1&b=x%20y");
        let absolute = ProxyUrl::received("http://h:8080/p".parse().unwrap(), None); // ok: unit test
        assert_eq!(absolute.get(), "http://h:8080/p");
        let bare = ProxyUrl::received("/".parse().unwrap(), None); // ok: unit test
        assert_eq!(bare.get(), "http://localhost/");
        assert_eq!(ProxyUrl::new("http://x/y".into()).get(), "http://x/y");
    }
}
