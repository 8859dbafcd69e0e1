//! ServiceCallout: preparing the request variable, calling the service
//! (HTTP, or another proxy of this environment in-process), storing the
//! response, fire-and-forget calls, Google authentication, and the faults.
//!
//! Choices where the reference is silent: a request path set on the request
//! message (other than the default `/`) is appended to the URL's path, and
//! its query parameters are appended to the URL's query; with
//! `continueOnError="true"` a 4xx/5xx response is still stored in the
//! `<Response>` variable (flows commonly inspect `….status.code`).

use crate::balancer::LoadBalancer;
use crate::body::{buffer, into_out_body, response_message, set_outbound_host, strip_hop_by_hop};
use crate::client::{ClientError, OutBody};
use crate::ctx::{Ctx, Slot};
use crate::env::Environment;
use crate::fault::{Fault, FaultCategory, codes};
use crate::flow::PolicyMeta;
use crate::gateway::{LocalTarget, dispatch_local};
use crate::message::{Message, MessageKind};
use crate::target::{LOCAL_PROPERTIES, LiteralOrigin, Origin, TargetProperties};
use crate::template::Unresolved;
use crate::tokens::{TokenError, TokenKind};
use crate::value::Value;
use crate::vars::{MsgSel, Var};
use futures_util::FutureExt;
use futures_util::future::Either;
use hyper::body::Incoming;
use std::borrow::Cow;
use std::future::Future;
use std::pin::Pin;
use std::sync::Arc;
use std::time::Duration;

/// A ServiceCallout's configuration (static data in generated code).
#[derive(Debug)]
pub struct Config {
    /// `Request@variable`, as written.
    pub request_var: &'static str,
    /// The request variable.
    pub request: MsgSel,
    /// `Request@clearPayload`.
    pub clear_payload: bool,
    /// `Response`; `None`: fire-and-forget.
    pub response: Option<MsgSel>,
    /// `Timeout` (ms).
    pub timeout_ms: u64,
    /// Where the call goes.
    pub target: Target,
    /// Slot of `servicecallout.{policy}.target.url`.
    pub target_url_slot: usize,
    /// Slot of `servicecallout.requesturi`.
    pub requesturi_slot: usize,
}

/// The callout's destination.
#[derive(Debug)]
pub enum Target {
    /// `HTTPTargetConnection` (the URL is rendered by generated code).
    Http {
        /// `Properties`.
        props: TargetProperties,
        /// `Authentication`.
        auth: Option<Auth>,
    },
    /// `LocalTargetConnection`.
    Local(LocalTarget),
}

/// `Authentication`.
#[derive(Debug)]
pub enum Auth {
    /// `GoogleAccessToken`.
    Access {
        /// `Scopes`.
        scopes: &'static [&'static str],
        /// `LifetimeInSeconds`.
        lifetime_secs: Option<u32>,
        /// `HeaderName` (default `Authorization`).
        header: Option<&'static str>,
    },
    /// `GoogleIDToken`.
    Id {
        /// `Audience`.
        audience: Audience,
        /// `IncludeEmail`.
        include_email: bool,
        /// `HeaderName` (default `Authorization`).
        header: Option<&'static str>,
    },
}

/// `GoogleIDToken/Audience`.
#[derive(Debug)]
pub enum Audience {
    /// Literal text.
    Literal(&'static str),
    /// `ref`.
    Var(Var),
    /// `useTargetUrl` (or none given): the callout URL without its query.
    TargetUrl,
}

/// `steps.servicecallout.ExecutionFailed`.
pub fn execution_failed(meta: &PolicyMeta, reason: impl std::fmt::Display) -> Fault {
    Fault::step(
        "steps.servicecallout.ExecutionFailed",
        format!(
            "Execution of ServiceCallout {} failed. Reason: {reason}",
            meta.name
        ),
    )
}

fn not_message(meta: &PolicyMeta, cfg: &Config) -> Fault {
    Fault::step(
        "steps.servicecallout.RequestVariableNotMessageType",
        format!(
            "ServiceCallout[{}]: request variable {} value is not of type Message",
            meta.name, cfg.request_var
        ),
    )
}

fn not_request(meta: &PolicyMeta, cfg: &Config) -> Fault {
    Fault::step(
        "steps.servicecallout.RequestVariableNotRequestMessageType",
        format!(
            "ServiceCallout[{}]: request variable {} value is not of type Request Message",
            meta.name, cfg.request_var
        ),
    )
}

/// A template in `<Request>` referenced a variable that does not resolve.
pub fn unresolved(meta: &PolicyMeta, u: Unresolved) -> Fault {
    execution_failed(meta, format_args!("Unresolved variable : {}", u.0))
}

/// A `<Request>` operation failed.
pub fn op_failed(meta: &PolicyMeta, what: &str, why: impl std::fmt::Display) -> Fault {
    execution_failed(meta, format_args!("unable to set {what}: {why}"))
}

/// Checks the request variable before the `<Request>` operations run:
/// absent, it is created as a new request; a plain value is
/// `RequestVariableNotMessageType`, a response `RequestVariableNotRequestMessageType`.
pub fn prepare(ctx: &mut Ctx, cfg: &Config, meta: &PolicyMeta) -> Result<(), Fault> {
    let kind = match cfg.request {
        MsgSel::Slot(i) => match ctx.slot(i) {
            None | Some(Slot::Unset) => {
                ctx.set_slot(i, Slot::Message(Box::new(Message::new_request())));
                return Ok(());
            }
            Some(Slot::Value(_)) => return Err(not_message(meta, cfg)),
            Some(Slot::Message(m)) => m.kind,
        },
        sel => crate::vars::message(ctx, sel).map_or(MessageKind::Response, |m| m.kind),
    };
    match kind {
        MessageKind::Request => Ok(()),
        MessageKind::Response => Err(not_request(meta, cfg)),
    }
}

/// The request message the `<Request>` operations modify.
pub fn request<'a>(
    ctx: &'a mut Ctx,
    cfg: &Config,
    meta: &PolicyMeta,
) -> Result<&'a mut Message, Fault> {
    crate::vars::message_mut(ctx, cfg.request).ok_or_else(|| not_message(meta, cfg))
}

/// What goes out, fully resolved, so it can also run in the background.
struct Outgoing {
    env: Arc<Environment>,
    cfg: &'static Config,
    request: OutgoingRequest,
}

/// The request of an [`Outgoing`] call, as its target takes it.
// The HTTP request is the common case and lives only until `call` starts
// it: boxing it to match the local variant's size would cost an allocation
// per callout.
#[allow(clippy::large_enum_variant)]
enum OutgoingRequest {
    /// An HTTP target's request, with its auth settings and the ID-token
    /// audience.
    Http {
        req: http::Request<OutBody>,
        props: &'static TargetProperties,
        auth: Option<&'static Auth>,
        audience: String,
    },
    /// A local target's request message.
    Local {
        target: &'static LocalTarget,
        msg: Box<Message>,
    },
}

/// Why a call produced no response.
enum CallError {
    Token(TokenError),
    Failed(String),
}

/// Sends the request. `url` is the rendered `<URL>` (HTTP targets). With a
/// `<Response>` the flow waits and the response is stored once read whole;
/// without, the call runs in the background and its outcome is only logged.
pub async fn execute(
    ctx: &mut Ctx,
    cfg: &'static Config,
    meta: &'static PolicyMeta,
    url: Option<Cow<'static, str>>,
) -> Result<(), Fault> {
    let out = outgoing(ctx, cfg, meta, url)?;
    let Some(response_var) = cfg.response else {
        let env = Arc::clone(&ctx.env);
        env.background().spawn(meta.name, async move {
            match call(out).await {
                Ok(resp) => tracing::debug!(
                    policy = meta.name,
                    status = resp.status,
                    "background callout done"
                ),
                Err(CallError::Token(e)) => {
                    tracing::warn!(policy = meta.name, error = %e, "background callout: no token")
                }
                Err(CallError::Failed(why)) => {
                    tracing::warn!(policy = meta.name, %why, "background callout failed")
                }
            }
        });
        return Ok(());
    };
    let resp = match call(out).await {
        Ok(resp) => resp,
        Err(CallError::Token(e)) => return Err(token_fault(&e)),
        Err(CallError::Failed(why)) => return Err(execution_failed(meta, why)),
    };
    let status = resp.status;
    store_response(ctx, response_var, resp);
    let success = match &cfg.target {
        Target::Http { props, .. } => props.is_success(status),
        Target::Local(_) => LOCAL_PROPERTIES.is_success(status),
    };
    if success {
        Ok(())
    } else {
        Err(execution_failed(
            meta,
            format_args!("ResponseCode {status} is treated as error"),
        ))
    }
}

/// The call to make, fully resolved, with `servicecallout.{policy}.*`
/// (target URL and request URI) set.
fn outgoing(
    ctx: &mut Ctx,
    cfg: &'static Config,
    meta: &'static PolicyMeta,
    url: Option<Cow<'static, str>>,
) -> Result<Outgoing, Fault> {
    let msg = take_request(ctx, cfg, meta)?;
    let request = match &cfg.target {
        Target::Http { auth, props } => {
            let url = url_override(ctx, cfg)
                .map(Cow::Owned)
                .or(url)
                .unwrap_or_default();
            let literal = match &url {
                Cow::Borrowed(l) => Some(*l),
                Cow::Owned(_) => None,
            };
            let (uri, origin) = match props.balancer {
                // The server's origin is chosen when the call is made.
                Some(_) => (
                    http::Uri::try_from(join_url(&url, &msg).into_owned())
                        .map_err(|_| execution_failed(meta, format!("invalid Path `{url}`")))?,
                    None,
                ),
                None => checked_uri(&url, literal, &msg, &props.origin)
                    .map_err(|why| execution_failed(meta, why))?,
            };
            ctx.set_slot(
                cfg.requesturi_slot,
                Slot::Value(Value::Str(request_uri(&uri, literal))),
            );
            // Only an ID token has an audience.
            let audience = match auth {
                Some(Auth::Id {
                    audience: Audience::Literal(a),
                    ..
                }) => (*a).to_owned(),
                Some(Auth::Id {
                    audience: Audience::Var(v),
                    ..
                }) => crate::vars::read(ctx, v).to_string(),
                Some(Auth::Id {
                    audience: Audience::TargetUrl,
                    ..
                }) => url.split('?').next().unwrap_or_default().to_owned(),
                Some(Auth::Access { .. }) | None => String::new(),
            };
            // From a literal URL, the `Host` header borrows from the binary.
            let host = origin.and_then(|o| o.host_header.clone());
            ctx.set_slot(cfg.target_url_slot, Slot::Value(Value::Str(url)));
            let req = http_request(msg, uri, host);
            OutgoingRequest::Http {
                req,
                props,
                auth: auth.as_ref(),
                audience,
            }
        }
        Target::Local(target) => {
            ctx.set_slot(
                cfg.requesturi_slot,
                Slot::Value(Value::Str(msg.uri().into())),
            );
            OutgoingRequest::Local { target, msg }
        }
    };
    Ok(Outgoing {
        env: Arc::clone(&ctx.env),
        cfg,
        request,
    })
}

/// `servicecallout.{policy}.target.url` set before the policy ran.
fn url_override(ctx: &Ctx, cfg: &Config) -> Option<String> {
    match ctx.slot(cfg.target_url_slot) {
        Some(Slot::Value(v)) if !v.is_null() => Some(v.to_string()).filter(|s| !s.is_empty()),
        _ => None,
    }
}

/// Takes the request out of its variable (`clearPayload`), or a copy of it.
fn take_request(ctx: &mut Ctx, cfg: &Config, meta: &PolicyMeta) -> Result<Box<Message>, Fault> {
    if let (true, MsgSel::Slot(i)) = (cfg.clear_payload, cfg.request) {
        return match ctx.slots.get_mut(i).map(std::mem::take) {
            Some(Slot::Message(m)) => Ok(m),
            Some(other) => {
                ctx.set_slot(i, other);
                Err(not_message(meta, cfg))
            }
            None => Err(not_message(meta, cfg)),
        };
    }
    crate::vars::message(ctx, cfg.request)
        .map(|m| Box::new(m.clone_buffered()))
        .ok_or_else(|| not_message(meta, cfg))
}

/// Stores the response in the `<Response>` variable.
fn store_response(ctx: &mut Ctx, sel: MsgSel, resp: Box<Message>) {
    match sel {
        MsgSel::Slot(i) => ctx.set_slot(i, Slot::Message(resp)),
        other => {
            if let Some(m) = crate::vars::message_mut(ctx, other) {
                *m = *resp;
            }
        }
    }
}

/// The URI to call: the URL, plus the message's path (when set) and query.
pub fn callout_uri(url: &str, msg: &Message) -> Result<http::Uri, String> {
    // The message names the URL with secret-looking query values masked.
    let invalid = || {
        let full = join_url(url, msg);
        format!("invalid URL `{}`", crate::trace::masked_uri(&full, &[]))
    };
    // `try_from(String)` keeps the string's buffer (no copy).
    let uri = http::Uri::try_from(join_url(url, msg).into_owned()).map_err(|_| invalid())?;
    match (uri.scheme_str(), uri.host()) {
        (Some("http" | "https"), Some(h)) if !h.is_empty() => Ok(uri),
        _ => Err(invalid()),
    }
}

/// [`callout_uri`] of `url`, and when `url` is the bundle's `literal` URL
/// its origin, whose checks (made on the first call) stand for those of
/// `callout_uri`.
fn checked_uri<'o>(
    url: &str,
    literal: Option<&'static str>,
    msg: &Message,
    origins: &'o LiteralOrigin,
) -> Result<(http::Uri, Option<&'o Origin>), String> {
    if let Some(l) = literal
        && let Ok(uri) = literal_uri(l, msg)
        && let Some(origin) = origins.of(l, &uri)
    {
        return Ok((uri, Some(origin)));
    }
    callout_uri(url, msg).map(|uri| (uri, None))
}

/// [`join_url`] of a literal URL, parsed; borrowed from the binary when
/// the message adds neither path nor query (the common callout).
fn literal_uri(literal: &'static str, msg: &Message) -> Result<http::Uri, http::uri::InvalidUri> {
    match join_url(literal, msg) {
        Cow::Borrowed(url) => {
            http::Uri::from_maybe_shared(bytes::Bytes::from_static(url.as_bytes()))
        }
        Cow::Owned(url) => http::Uri::try_from(url),
    }
}

/// `servicecallout.requesturi`: the path and query of `uri`, borrowed from
/// the literal URL it was made from when they are its end.
fn request_uri(uri: &http::Uri, literal: Option<&'static str>) -> Cow<'static, str> {
    let pq = uri.path_and_query().map_or("/", |p| p.as_str());
    if pq == "/" {
        return Cow::Borrowed("/");
    }
    literal
        .and_then(|l| l.strip_suffix(pq).and_then(|head| l.get(head.len()..)))
        .map_or_else(|| Cow::Owned(pq.to_owned()), Cow::Borrowed)
}

/// The URL plus the message's path (when set) and query; `url` itself when
/// the message adds neither (and `url` ends in no empty query to drop),
/// found without scanning it.
fn join_url<'u>(url: &'u str, msg: &Message) -> Cow<'u, str> {
    let path = msg.path();
    let adds_path = path != "/" && !path.is_empty();
    let msg_query = msg.query_string();
    if !adds_path && msg_query.is_empty() && !url.ends_with('?') {
        return Cow::Borrowed(url);
    }
    let (base, query) = url.split_once('?').unwrap_or((url, ""));
    let mut full = base.to_owned();
    if adds_path {
        if full.ends_with('/') {
            full.pop();
        }
        if !path.starts_with('/') {
            full.push('/');
        }
        full.push_str(path);
    }
    let mut sep = '?';
    for part in [query, &msg_query] {
        if !part.is_empty() {
            full.push(sep);
            full.push_str(part);
            sep = '&';
        }
    }
    Cow::Owned(full)
}

/// The outbound request for `msg`, without hop-by-hop headers; its `Host`
/// is `host` (else the client derives it from `uri`).
fn http_request(
    mut msg: Box<Message>,
    uri: http::Uri,
    host: Option<http::HeaderValue>,
) -> http::Request<OutBody> {
    let mut headers = std::mem::take(&mut msg.headers);
    strip_hop_by_hop(&mut headers);
    set_outbound_host(&mut headers, host);
    let mut req = http::Request::new(into_out_body(std::mem::take(&mut msg.body)));
    *req.method_mut() = msg.verb;
    *req.uri_mut() = uri;
    *req.headers_mut() = headers;
    req
}

fn token_fault(e: &TokenError) -> Fault {
    Fault::platform(
        codes::GOOGLE_TOKEN_GENERATION_FAILURE,
        crate::tokens::FAULT_STATUS,
        FaultCategory::Messaging,
        format!("Failed to generate Google token: {e}"),
    )
}

/// Performs the call within the `<Timeout>` and reads the response whole.
/// (A plain function returning the timed future: as an `async fn` it would
/// also keep `out` in its state, beside the future that took it.)
/// The response is boxed where it is made, as its flow variable holds it,
/// so it is not copied on its way there.
///
/// Each kind of call gets a future holding only what it needs. An HTTP
/// call without a Google token, the usual kind, hands its request to the
/// client here, so its future holds the client's small future and not the
/// request as well: a future keeps room for every value it held across an
/// await, moved or not, and each level moves the whole future when it
/// starts it. Calls that fetch a token first, and in-process calls, are
/// boxed: their futures are large, and embedding them would make every
/// callout's future (and each move of it) that much larger.
fn call(out: Outgoing) -> impl Future<Output = Result<Box<Message>, CallError>> + Send + 'static {
    let timeout = Duration::from_millis(out.cfg.timeout_ms);
    let limit = out.env.max_body_bytes();
    let cfg = out.cfg;
    let env = out.env;
    let exchange = match out.request {
        OutgoingRequest::Http {
            req,
            props,
            auth: None,
            ..
        } => {
            let sent = send_http(&env, props, req, timeout);
            Either::Left(async move { received(sent.await, cfg, limit).await })
        }
        OutgoingRequest::Http {
            mut req,
            props,
            auth: Some(auth),
            audience,
        } => Either::Right(Box::pin(async move {
            authorize(&env, auth, audience, req.headers_mut()).await?;
            received(send_http(&env, props, req, timeout).await, cfg, limit).await
        }) as BoxedCall),
        OutgoingRequest::Local { target, msg } => Either::Right(Box::pin(async move {
            let mut resp = Box::new(
                dispatch_local(&env, target, *msg)
                    .await
                    .map_err(CallError::Failed)?,
            );
            buffer(&mut resp, limit)
                .await
                .map_err(|f| CallError::Failed(f.faultstring))?;
            Ok(resp)
        }) as BoxedCall),
    };
    tokio::time::timeout(timeout, exchange)
        .map(move |done| done.unwrap_or_else(|_| Err(timed_out(cfg))))
}

/// A call's future, boxed (see [`call`]).
type BoxedCall = Pin<Box<dyn Future<Output = Result<Box<Message>, CallError>> + Send>>;

/// The outcome of an HTTP call: the response read whole, or why there is
/// none.
async fn received(
    sent: Result<Box<Message>, ClientError>,
    cfg: &Config,
    limit: usize,
) -> Result<Box<Message>, CallError> {
    let mut resp = sent.map_err(|e| match e {
        ClientError::Timeout => timed_out(cfg),
        other => CallError::Failed(other.to_string()),
    })?;
    buffer(&mut resp, limit)
        .await
        .map_err(|f| CallError::Failed(f.faultstring))?;
    Ok(resp)
}

fn timed_out(cfg: &Config) -> CallError {
    CallError::Failed(format!("Timeout occurred after {} ms", cfg.timeout_ms))
}

/// Sends the request directly, started now (the future owns the request,
/// not a copy beside it), or through the LoadBalancer (the URI then holds
/// only the path and query; that rarer, larger path is boxed). `timeout` is
/// the callout's own, already running around the exchange.
fn send_http(
    env: &Arc<Environment>,
    props: &'static TargetProperties,
    req: http::Request<OutBody>,
    timeout: Duration,
) -> impl Future<Output = Result<Box<Message>, ClientError>> + Send + use<> {
    let sent = match props.balancer {
        None => Either::Left(env.upstreams().send(props, req, Some(timeout))),
        Some(lb) => {
            let env = Arc::clone(env);
            Either::Right(Box::pin(async move {
                send_balanced(&env, props, lb, req).await
            }))
        }
    };
    sent.map(|resp| resp.map(|resp| Box::new(response_message(resp))))
}

/// Sends the request through LoadBalancer `lb`.
async fn send_balanced(
    env: &Environment,
    props: &TargetProperties,
    lb: &'static LoadBalancer,
    req: http::Request<OutBody>,
) -> Result<http::Response<Incoming>, ClientError> {
    let (parts, body) = req.into_parts();
    // Bodies of callout requests are already read whole (bounded).
    let body = http_body_util::BodyExt::collect(body)
        .await
        .map_err(|e| ClientError::Request(format!("request body: {e}")))?
        .to_bytes();
    let path = parts
        .uri
        .path_and_query()
        .map_or("/", |p| p.as_str())
        .to_owned();
    let (resp, _) = env
        .upstreams()
        .send_balanced(lb, props, &parts, &path, body)
        .await?;
    Ok(resp)
}

/// Adds `Bearer <token>` to `Authorization` (or `HeaderName`).
async fn authorize(
    env: &Environment,
    auth: &Auth,
    audience: String,
    headers: &mut http::HeaderMap,
) -> Result<(), CallError> {
    let (kind, header) = match auth {
        Auth::Access {
            scopes,
            lifetime_secs,
            header,
        } => (
            TokenKind::Access {
                scopes: scopes.iter().map(|s| (*s).to_owned()).collect(),
                lifetime_secs: *lifetime_secs,
            },
            header,
        ),
        Auth::Id {
            include_email,
            header,
            ..
        } => (
            TokenKind::Id {
                audience,
                include_email: *include_email,
            },
            header,
        ),
    };
    let token = env.tokens().token(&kind).await.map_err(CallError::Token)?;
    let value = token.header_value().map_err(CallError::Token)?;
    let name = match header {
        Some(h) => http::HeaderName::from_bytes(h.as_bytes())
            .map_err(|_| CallError::Failed(format!("invalid HeaderName `{h}`")))?,
        None => http::header::AUTHORIZATION,
    };
    headers.insert(name, value);
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn req(path: &str, query: &[(&str, &str)]) -> Message {
        let mut m = Message::new_request();
        m.set_path(path.to_owned());
        *m.query_mut() = query
            .iter()
            .map(|(k, v)| ((*k).to_owned(), (*v).to_owned()))
            .collect();
        m
    }

    #[test]
    fn uri_appends_query_params_to_the_url() {
        let uri = callout_uri(
            "http://maps.example/geo/json?a=1",
            &req("/", &[("address", "1 Main St"), ("sensor", "false")]),
        )
        .unwrap(); // ok: unit test
        assert_eq!(
            uri.to_string(),
            "http://maps.example/geo/json?a=1&address=1+Main+St&sensor=false"
        );
    }

    #[test]
    fn the_url_is_borrowed_only_when_the_message_adds_nothing() {
        let root = req("/", &[]);
        for (url, msg, joined, borrowed) in [
            ("http://h/lookup", &root, "http://h/lookup", true),
            ("http://h/a?x=1", &req("", &[]), "http://h/a?x=1", true),
            ("http://h/a?", &root, "http://h/a", false),
            ("http://h/a/", &req("/x", &[]), "http://h/a/x", false),
            (
                "http://h/a?x=1",
                &req("/", &[("q", "1")]),
                "http://h/a?x=1&q=1",
                false,
            ),
        ] {
            let got = join_url(url, msg);
            assert_eq!(got, joined, "{url}");
            assert_eq!(matches!(got, Cow::Borrowed(_)), borrowed, "{url}");
        }
    }

    #[test]
    fn a_literal_uri_is_the_joined_url_parsed() {
        let literals = [
            "http://h/lookup",
            "http://h",
            "http://h/",
            "https://h:8443/a/b?x=1",
            "http://h/a?",
            "http://h/a/?",
        ];
        let msgs = [
            req("/", &[]),
            req("", &[]),
            req("/x", &[]),
            req("/", &[("q", "1")]),
        ];
        for l in literals {
            for m in &msgs {
                let joined = http::Uri::try_from(join_url(l, m).into_owned()).unwrap(); // ok: unit test
                let uri = literal_uri(l, m).unwrap(); // ok: unit test
                assert_eq!(uri, joined, "{l} with {} {}", m.path(), m.query_string());
                // Borrowed or not, the request URI is the URI's path and query.
                let pq = joined.path_and_query().map_or("/", |p| p.as_str());
                assert_eq!(request_uri(&uri, Some(l)), pq, "{l}");
                assert_eq!(request_uri(&uri, None), pq, "{l}");
            }
        }
        let lookup = literal_uri("http://h/lookup", &msgs[0]).unwrap(); // ok: unit test
        let borrowed = request_uri(&lookup, Some("http://h/lookup"));
        assert!(matches!(borrowed, Cow::Borrowed("/lookup")));
    }

    #[test]
    fn uri_appends_a_set_path() {
        let uri = callout_uri("http://h:81/base/", &req("/x/y", &[])).unwrap(); // ok: unit test
        assert_eq!(uri.to_string(), "http://h:81/base/x/y");
    }

    #[test]
    fn uri_rejects_non_http_and_hostless_urls() {
        assert!(callout_uri("ftp://h/x", &req("/", &[])).is_err());
        assert!(callout_uri("http:///x", &req("/", &[])).is_err());
        assert!(callout_uri("not a url", &req("/", &[])).is_err());
    }

    #[test]
    fn faultstrings_follow_the_reference() {
        let meta = PolicyMeta {
            name: "SC-1",
            kind: "ServiceCallout",
            continue_on_error: false,
            failed_slot: 0,
        };
        let f = execution_failed(&meta, "ResponseCode 404 is treated as error");
        assert_eq!(f.code, "steps.servicecallout.ExecutionFailed");
        assert_eq!(f.status, 500);
        assert_eq!(
            f.faultstring,
            "Execution of ServiceCallout SC-1 failed. Reason: ResponseCode 404 is treated as error"
        );
    }
}
