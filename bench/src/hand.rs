//! The hand-written baseline: the five benchmark proxies written directly on
//! hyper/tokio, as an engineer would without proxyc, with the HTTP client
//! an engineer reaches for (hyper-util's pooled legacy client; the gateway's
//! runtime pools its connections itself) and the same observable
//! behaviour as the bundles in `bench/bundles/` — the same routing, headers
//! forwarded and set, JSON extraction, status codes and fault bodies
//! (`tests/equivalence.rs` compares the two on every scenario).
//!
//! It is written to be efficient, not to lose: headers are edited in place
//! in hyper's `HeaderMap`, bodies stream unless a step needs their content,
//! JSON is read into small typed structs, and no work is boxed that need not be.
//! It uses nothing from `proxyc_runtime`: the checks and messages it shares
//! with the runtime (safe paths, fault bodies, error chains) are written
//! again here on purpose, so the baseline is independent of what it measures.

use bytes::Bytes;
use http::header::{self, HeaderMap, HeaderName, HeaderValue};
use http::{Method, Request, Response, StatusCode, Uri};
use http_body_util::{BodyExt, Either, Full, Limited};
use hyper::body::Incoming;
use hyper_util::client::legacy::Client;
use hyper_util::client::legacy::connect::HttpConnector;
use hyper_util::rt::TokioExecutor;
use serde::{Deserialize, Serialize};
use std::net::SocketAddr;
use std::time::Duration;

/// Body of requests sent to the backend and of responses sent to clients:
/// streamed from the peer, or built here.
pub type HandBody = Either<Incoming, Full<Bytes>>;

/// `io.timeout.millis` default of an HTTPTargetConnection (and of callouts).
const IO_TIMEOUT: Duration = Duration::from_millis(55_000);
/// Time allowed for a synchronous integration execution.
const INTEGRATION_TIMEOUT: Duration = Duration::from_secs(120);
/// Largest body a step may read whole.
const MAX_BODY: usize = 10 * 1024 * 1024;

/// Headers never forwarded (hop-by-hop, plus framing the sender recomputes).
const HOP_BY_HOP: [HeaderName; 8] = [
    header::CONNECTION,
    HeaderName::from_static("keep-alive"),
    HeaderName::from_static("proxy-connection"),
    header::TE,
    header::TRAILER,
    header::TRANSFER_ENCODING,
    header::UPGRADE,
    header::CONTENT_LENGTH,
];

/// The hand-written gateway: one pooled client and the backend address.
#[derive(Clone)]
pub struct Hand {
    client: Client<HttpConnector, HandBody>,
    /// `http://<backend>` (the `backend.bench` host is dialled here).
    backend: String,
    /// The integration API's `:execute` URI for the echo integration.
    execute_uri: Uri,
    /// `Bearer <token>`.
    bearer: HeaderValue,
}

/// A fault: status, error code, text and optional `detail.reason`.
struct Fault {
    status: StatusCode,
    code: &'static str,
    faultstring: String,
    reason: Option<&'static str>,
}

impl Fault {
    fn new(status: StatusCode, code: &'static str, faultstring: String) -> Self {
        Fault {
            status,
            code,
            faultstring,
            reason: None,
        }
    }

    /// Apigee's default error response.
    fn response(&self) -> Response<HandBody> {
        let mut detail = serde_json::Map::new();
        detail.insert("errorcode".into(), self.code.into());
        if let Some(reason) = self.reason {
            detail.insert("reason".into(), reason.into());
        }
        let body = serde_json::json!({
            "fault": { "faultstring": self.faultstring, "detail": detail }
        })
        .to_string();
        json_response(self.status, Bytes::from(body))
    }
}

fn json_response(status: StatusCode, body: Bytes) -> Response<HandBody> {
    let mut resp = Response::new(Either::Right(Full::new(body)));
    *resp.status_mut() = status;
    resp.headers_mut().insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("application/json"),
    );
    resp
}

/// What the echo backend's JSON tells the `mediate` and `callout` steps.
#[derive(Deserialize)]
struct EchoDoc {
    path: Option<serde_json::Value>,
    headers: Option<EchoHeaders>,
}

#[derive(Deserialize)]
struct EchoHeaders {
    #[serde(rename = "x-proxy")]
    x_proxy: Option<serde_json::Value>,
    #[serde(rename = "x-lookup")]
    x_lookup: Option<serde_json::Value>,
}

/// JSONPath's view of a found value as variable text (strings unquoted,
/// `null` empty, anything else as JSON).
fn json_text(v: Option<&serde_json::Value>) -> String {
    match v {
        Some(serde_json::Value::String(s)) => s.clone(),
        Some(serde_json::Value::Null) | None => String::new(),
        Some(other) => other.to_string(),
    }
}

/// Parses an echo document; a valid JSON document of another shape has
/// nothing to extract. `policy` names the step in the fault.
fn echo_doc(body: &[u8], policy: &str) -> Result<Option<EchoDoc>, Fault> {
    let failed = |why: String| {
        Fault::new(
            StatusCode::INTERNAL_SERVER_ERROR,
            "steps.extractvariables.ExecutionFailed",
            format!("Failed to execute the ExtractVariables: {policy} ({why})"),
        )
    };
    let text = std::str::from_utf8(body).map_err(|e| failed(format!("malformed JSON: {e}")))?;
    if text.trim().is_empty() {
        return Err(failed("the JSON payload is empty".into()));
    }
    match serde_json::from_str::<EchoDoc>(text) {
        Ok(doc) => Ok(Some(doc)),
        Err(_) => match serde_json::from_str::<serde::de::IgnoredAny>(text) {
            Ok(_) => Ok(None),
            Err(e) => Err(failed(format!("malformed JSON: {e}"))),
        },
    }
}

/// The SetIntegrationRequest body for the echo integration.
#[derive(Serialize)]
struct ExecuteRequest<'a> {
    #[serde(rename = "inputParameters")]
    input_parameters: Inputs<'a>,
    #[serde(rename = "requestId")]
    request_id: String,
    #[serde(rename = "triggerId")]
    trigger_id: &'static str,
}

#[derive(Serialize)]
struct Inputs<'a> {
    #[serde(rename = "customerId")]
    customer_id: StringValue<'a>,
    express: BooleanValue,
}

#[derive(Serialize)]
struct StringValue<'a> {
    #[serde(rename = "stringValue")]
    string_value: &'a str,
}

#[derive(Serialize)]
struct BooleanValue {
    #[serde(rename = "booleanValue")]
    boolean_value: bool,
}

/// Removes hop-by-hop headers, those the `Connection` header names, and
/// (`x_apigee`) client-sent `X-Apigee-*` headers.
fn strip_headers(headers: &mut HeaderMap, x_apigee: bool) {
    let named: Vec<HeaderName> = headers
        .get_all(header::CONNECTION)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(','))
        .filter_map(|t| HeaderName::from_bytes(t.trim().as_bytes()).ok())
        .collect();
    for name in named.iter().chain(HOP_BY_HOP.iter()) {
        headers.remove(name);
    }
    if x_apigee && headers.keys().any(|n| n.as_str().starts_with("x-apigee-")) {
        let old = std::mem::take(headers);
        let mut name = None;
        for (n, v) in old {
            name = n.or(name);
            if let Some(n) = &name
                && !n.as_str().starts_with("x-apigee-")
            {
                headers.append(n.clone(), v);
            }
        }
    }
}

/// Rejects dot-segments and encoded slashes, dots and backslashes.
fn is_safe_path(path: &str) -> bool {
    let lower = path.to_ascii_lowercase();
    !path.split('/').any(|s| s == "." || s == "..")
        && !lower.contains("%2e")
        && !lower.contains("%2f")
        && !lower.contains("%5c")
        && !path.contains('\\')
}

/// Splits `/base/rest` into `base` and the path suffix `/rest`.
fn split_base(path: &str) -> (&str, &str) {
    let rest = path.trim_start_matches('/');
    match rest.find('/') {
        Some(i) => (&rest[..i], &rest[i..]), // ok: i is a char boundary from find
        None => (rest, ""),
    }
}

fn not_found(path: &str) -> Response<HandBody> {
    Fault::new(
        StatusCode::NOT_FOUND,
        "messaging.adaptors.http.flow.ApplicationNotFound",
        format!("Unable to identify proxy for host: default and url: {path}"),
    )
    .response()
}

fn unavailable(reason: &'static str) -> Fault {
    Fault {
        reason: Some(reason),
        ..Fault::new(
            StatusCode::SERVICE_UNAVAILABLE,
            "messaging.adaptors.http.flow.ServiceUnavailable",
            "The Service is temporarily unavailable".into(),
        )
    }
}

/// A target call that could not complete.
fn transport_fault(e: Option<hyper_util::client::legacy::Error>) -> Fault {
    match e {
        None => Fault {
            reason: Some("TARGET_READ_TIMEOUT"),
            ..Fault::new(
                StatusCode::GATEWAY_TIMEOUT,
                "messaging.adaptors.http.flow.GatewayTimeout",
                "Gateway Timeout".into(),
            )
        },
        Some(e) if e.is_connect() => unavailable("TARGET_CONNECT_FAILED"),
        Some(_) => unavailable("TARGET_READ_ERROR"),
    }
}

/// An error with its sources, as callout faults report it.
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

/// Reads a body whole, as a step that needs its content does.
async fn read_body(body: Incoming) -> Result<Bytes, Fault> {
    match Limited::new(body, MAX_BODY).collect().await {
        Ok(c) => Ok(c.to_bytes()),
        Err(e) if e.is::<http_body_util::LengthLimitError>() => Err(Fault::new(
            StatusCode::PAYLOAD_TOO_LARGE,
            "protocol.http.TooBigBody",
            format!("Body exceeds the limit of {MAX_BODY} bytes"),
        )),
        Err(e) => Err(Fault {
            reason: Some("READ_ERROR"),
            ..Fault::new(
                StatusCode::SERVICE_UNAVAILABLE,
                "messaging.adaptors.http.flow.ServiceUnavailable",
                format!("Error reading the message body: {e}"),
            )
        }),
    }
}

/// A header value from text the proxy computed (never fails for the
/// values these scenarios produce; an invalid one is the header fault).
fn header_value(text: String) -> Result<HeaderValue, Fault> {
    HeaderValue::try_from(text).map_err(|_| invalid_header())
}

fn invalid_header() -> Fault {
    Fault::new(
        StatusCode::INTERNAL_SERVER_ERROR,
        "protocol.http.InvalidHeaderValue",
        "The response could not be sent: invalid header value".into(),
    )
}

impl Hand {
    /// A handler calling the backend (and its integration API) at `backend`.
    pub fn new(backend: SocketAddr) -> Result<Self, String> {
        let mut http = HttpConnector::new();
        http.set_connect_timeout(Some(Duration::from_secs(3)));
        http.set_nodelay(true);
        let client = Client::builder(TokioExecutor::new())
            .pool_idle_timeout(Duration::from_secs(60))
            .build(http);
        let execute_uri = format!(
            "http://{backend}/v1/projects/bench/locations/us-central1/integrations/echo:execute"
        )
        .parse()
        .map_err(|e| format!("integration URL: {e}"))?;
        let bearer = HeaderValue::try_from(format!("Bearer {}", crate::INTEGRATION_TOKEN))
            .map_err(|e| e.to_string())?;
        Ok(Hand {
            client,
            backend: format!("http://{backend}"),
            execute_uri,
            bearer,
        })
    }

    /// Routes a request by its base path and runs that proxy.
    pub async fn handle(&self, req: Request<Incoming>) -> Response<HandBody> {
        let path = req.uri().path();
        if !is_safe_path(path) {
            return not_found(path);
        }
        let (base, suffix) = split_base(path);
        let suffix_at = path.len() - suffix.len();
        let result = match base {
            "pass" => self.pass(req, suffix_at).await,
            "mediate" => self.mediate(req, suffix_at).await,
            "callout" => self.callout(req, suffix_at).await,
            "integration" => self.integration(req).await,
            "fault" => self.fault(req, suffix_at).await,
            _ => return not_found(path),
        };
        result.unwrap_or_else(|f| f.response())
    }

    /// Sends the client's request to `http://backend.bench<base><suffix>?<query>`.
    async fn forward(
        &self,
        req: Request<Incoming>,
        suffix_at: usize,
        base: &str,
        edit: impl FnOnce(&mut HeaderMap),
    ) -> Result<Response<Incoming>, Fault> {
        let (mut parts, body) = req.into_parts();
        let suffix = &parts.uri.path()[suffix_at..];
        let query = parts.uri.query();
        let mut url = String::with_capacity(
            self.backend.len() + base.len() + suffix.len() + query.map_or(0, |q| q.len() + 1),
        );
        url.push_str(&self.backend);
        url.push_str(base);
        url.push_str(suffix);
        if let Some(q) = query.filter(|q| !q.is_empty()) {
            url.push('?');
            url.push_str(q);
        }
        let uri = Uri::try_from(url).map_err(|_| unavailable("INVALID_TARGET_URL"))?;
        strip_headers(&mut parts.headers, true);
        parts
            .headers
            .insert(header::HOST, HeaderValue::from_static(crate::BACKEND_HOST));
        edit(&mut parts.headers);
        parts.uri = uri;
        let req = Request::from_parts(parts, Either::Left(body));
        match tokio::time::timeout(IO_TIMEOUT, self.client.request(req)).await {
            Ok(Ok(resp)) => Ok(resp),
            Ok(Err(e)) => Err(transport_fault(Some(e))),
            Err(_) => Err(transport_fault(None)),
        }
    }

    /// `/pass`: the backend's answer, whatever its status.
    async fn pass(&self, req: Request<Incoming>, at: usize) -> Result<Response<HandBody>, Fault> {
        let resp = self.forward(req, at, "", |_| {}).await?;
        let (mut parts, body) = resp.into_parts();
        strip_headers(&mut parts.headers, false);
        Ok(Response::from_parts(parts, Either::Left(body)))
    }

    /// `/mediate`: request headers set; for `GET /items/*`, the response's
    /// JSON `path` and `headers.x-proxy` copied into response headers.
    async fn mediate(
        &self,
        req: Request<Incoming>,
        at: usize,
    ) -> Result<Response<HandBody>, Fault> {
        let suffix = &req.uri().path()[at..];
        let items = req.method() == Method::GET
            && suffix
                .strip_prefix("/items/")
                .is_some_and(|rest| !rest.contains('/'));
        let admin = !items && suffix.starts_with("/admin");
        let verb = HeaderValue::from_str(req.method().as_str()).map_err(|_| invalid_header())?;
        let resp = self
            .forward(req, at, "", |h| {
                h.insert("x-proxy", HeaderValue::from_static("proxyc"));
                h.insert("x-client-verb", verb);
                if admin {
                    h.insert("x-admin", HeaderValue::from_static("true"));
                }
            })
            .await?;
        let (mut parts, body) = resp.into_parts();
        strip_headers(&mut parts.headers, false);
        if !items || !(100..400).contains(&parts.status.as_u16()) {
            return Ok(Response::from_parts(parts, Either::Left(body)));
        }
        let content = read_body(body).await?;
        let doc = echo_doc(&content, "EV-Echo")?;
        let path = json_text(doc.as_ref().and_then(|d| d.path.as_ref()));
        let proxy = json_text(
            doc.as_ref()
                .and_then(|d| d.headers.as_ref())
                .and_then(|h| h.x_proxy.as_ref()),
        );
        parts.headers.insert("x-echo-path", header_value(path)?);
        parts.headers.insert("x-echo-proxy", header_value(proxy)?);
        parts
            .headers
            .insert("x-powered-by", HeaderValue::from_static("proxyc"));
        Ok(Response::from_parts(
            parts,
            Either::Right(Full::new(content)),
        ))
    }

    /// `/callout`: a GET to the backend's `/lookup` naming the path suffix;
    /// the answer's JSON shapes the proxy's own response.
    async fn callout(
        &self,
        req: Request<Incoming>,
        at: usize,
    ) -> Result<Response<HandBody>, Fault> {
        let failed = |reason: String| {
            Fault::new(
                StatusCode::INTERNAL_SERVER_ERROR,
                "steps.servicecallout.ExecutionFailed",
                format!("Execution of ServiceCallout SC-Lookup failed. Reason: {reason}"),
            )
        };
        let suffix = &req.uri().path()[at..];
        let mut lookup = Request::new(Either::Right(Full::new(Bytes::new())));
        *lookup.uri_mut() =
            Uri::try_from(format!("{}/lookup", self.backend)).map_err(|e| failed(e.to_string()))?;
        let headers = lookup.headers_mut();
        headers.insert(header::HOST, HeaderValue::from_static(crate::BACKEND_HOST));
        headers.insert(
            "x-lookup",
            HeaderValue::from_str(suffix).map_err(|e| failed(e.to_string()))?,
        );
        let resp = match tokio::time::timeout(IO_TIMEOUT, self.client.request(lookup)).await {
            Ok(Ok(resp)) => resp,
            Ok(Err(e)) => return Err(failed(error_chain(&e))),
            Err(_) => return Err(failed("timed out waiting for the response".into())),
        };
        let status = resp.status().as_u16();
        let content = read_body(resp.into_body()).await?;
        if !(100..400).contains(&status) {
            return Err(failed(format!("ResponseCode {status} is treated as error")));
        }
        let doc = echo_doc(&content, "EV-Lookup")?;
        let key = json_text(
            doc.as_ref()
                .and_then(|d| d.headers.as_ref())
                .and_then(|h| h.x_lookup.as_ref()),
        );
        let path = json_text(doc.as_ref().and_then(|d| d.path.as_ref()));
        let body = format!(r#"{{"key":"{key}","path":"{path}"}}"#);
        let mut resp = json_response(StatusCode::OK, Bytes::from(body));
        resp.headers_mut()
            .insert("x-lookup-path", header_value(path)?);
        Ok(resp)
    }

    /// `/integration`: runs the echo integration synchronously and answers
    /// with the API's response.
    async fn integration(&self, req: Request<Incoming>) -> Result<Response<HandBody>, Fault> {
        let failed = |why: String| {
            Fault::new(
                StatusCode::INTERNAL_SERVER_ERROR,
                "steps.integrationcallout.ExecutionFailed",
                format!("IntegrationCallout[IC-Echo]: Execution failed: {why}"),
            )
        };
        let customer = req
            .uri()
            .query()
            .and_then(|q| {
                form_urlencoded::parse(q.as_bytes())
                    .find(|(k, _)| k == "customer")
                    .map(|(_, v)| v)
            })
            .unwrap_or(std::borrow::Cow::Borrowed("C-1001"));
        let body = serde_json::to_vec(&ExecuteRequest {
            input_parameters: Inputs {
                customer_id: StringValue {
                    string_value: &customer,
                },
                express: BooleanValue {
                    boolean_value: true,
                },
            },
            request_id: uuid::Uuid::new_v4().to_string(),
            trigger_id: "api_trigger/echo",
        })
        .map_err(|e| failed(e.to_string()))?;
        let mut call = Request::new(Either::Right(Full::new(Bytes::from(body))));
        *call.method_mut() = Method::POST;
        *call.uri_mut() = self.execute_uri.clone();
        let headers = call.headers_mut();
        headers.insert(header::AUTHORIZATION, self.bearer.clone());
        headers.insert(
            header::CONTENT_TYPE,
            HeaderValue::from_static("application/json"),
        );
        headers.insert(
            "x-server-timeout",
            HeaderValue::from(INTEGRATION_TIMEOUT.as_secs()),
        );
        let endpoint = self.execute_uri.to_string();
        let resp = match tokio::time::timeout(INTEGRATION_TIMEOUT, self.client.request(call)).await
        {
            Ok(Ok(resp)) => resp,
            Ok(Err(e)) => {
                let why = if e.is_connect() {
                    format!("connection failed: {}", error_chain(&e))
                } else {
                    format!("bad response: {}", error_chain(&e))
                };
                return Err(failed(format!("calling {endpoint}: {why}")));
            }
            Err(_) => {
                return Err(failed(format!(
                    "calling {endpoint}: timed out waiting for the response"
                )));
            }
        };
        let status = resp.status().as_u16();
        let content = read_body(resp.into_body()).await?;
        if !(200..300).contains(&status) {
            return Err(failed(format!(
                "the integration API answered {status}: {}",
                api_error_message(&content)
            )));
        }
        let mut resp = json_response(StatusCode::OK, content);
        resp.headers_mut()
            .insert("x-integration", HeaderValue::from_static("echo"));
        Ok(resp)
    }

    /// `/fault`: the backend's `/status/503`; a status outside 1xx–3xx
    /// becomes the `ErrorResponseCode` fault, whose response (the backend's)
    /// gets the fault's name and a JSON body.
    async fn fault(&self, req: Request<Incoming>, at: usize) -> Result<Response<HandBody>, Fault> {
        let resp = match self.forward(req, at, "/status/503", |_| {}).await {
            Ok(resp) => resp,
            Err(f) => return Ok(fault_rule(f.name(), f.response())),
        };
        let (mut parts, body) = resp.into_parts();
        strip_headers(&mut parts.headers, false);
        if (100..400).contains(&parts.status.as_u16()) {
            return Ok(Response::from_parts(parts, Either::Left(body)));
        }
        let status = parts.status.as_u16();
        let resp = Response::from_parts(parts, Either::Left(body));
        Ok(fault_rule_with_status("ErrorResponseCode", resp, status))
    }
}

impl Fault {
    /// `fault.name`: the last dot-separated segment of the code.
    fn name(&self) -> &'static str {
        self.code.rsplit('.').next().unwrap_or(self.code)
    }
}

/// The `fault` proxy's DefaultFaultRule (AM-Fault) applied to `resp`.
fn fault_rule(name: &str, resp: Response<HandBody>) -> Response<HandBody> {
    let status = resp.status().as_u16();
    fault_rule_with_status(name, resp, status)
}

fn fault_rule_with_status(name: &str, resp: Response<HandBody>, status: u16) -> Response<HandBody> {
    let (mut parts, _) = resp.into_parts();
    let body = format!(r#"{{"error":"{name}","status":{status}}}"#);
    if let Ok(v) = HeaderValue::from_str(name) {
        parts.headers.insert("x-fault", v);
    }
    parts.headers.insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("application/json"),
    );
    Response::from_parts(parts, Either::Right(Full::new(Bytes::from(body))))
}

/// `error.status: error.message` of a Google error envelope, else a bounded
/// excerpt of the body.
fn api_error_message(body: &[u8]) -> String {
    #[derive(Deserialize)]
    struct Envelope {
        error: Option<ApiError>,
    }
    #[derive(Deserialize)]
    struct ApiError {
        status: Option<String>,
        message: Option<String>,
    }
    let error = serde_json::from_slice::<Envelope>(body)
        .ok()
        .and_then(|e| e.error);
    match error {
        Some(ApiError {
            status: Some(s),
            message: Some(m),
        }) => format!("{s}: {m}"),
        Some(ApiError {
            message: Some(m), ..
        }) => m,
        _ => String::from_utf8_lossy(body).chars().take(200).collect(),
    }
}
