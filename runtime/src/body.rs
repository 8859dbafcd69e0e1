//! Moving bodies between hyper and messages: reading them whole when a
//! policy needs the content, streaming them through otherwise.

use crate::client::{BoxError, OutBody};
use crate::fault::{Fault, FaultCategory};
use crate::message::{Body, Message, MessageKind};
use bytes::Bytes;
use http_body_util::{BodyExt, Empty, Full, Limited};

/// Reads a streaming body whole (up to `limit` bytes) so policies can see it.
/// Over the limit is `protocol.http.TooBigBody`, as Apigee answers it: 413
/// for a request, 502 for a response (the backend sent too much).
pub async fn buffer(msg: &mut Message, limit: usize) -> Result<(), Fault> {
    let body = std::mem::take(&mut msg.body);
    // Already read (e.g. by the TargetEndpoint's response flow): keep it.
    let Body::Stream(incoming) = body else {
        msg.body = body;
        return Ok(());
    };
    let collected = Limited::new(incoming, limit).collect().await;
    match collected {
        Ok(c) => msg.body = Body::Bytes(c.to_bytes()),
        Err(e)
            if e.downcast_ref::<http_body_util::LengthLimitError>()
                .is_some() =>
        {
            return Err(too_big(msg.kind));
        }
        Err(e) => {
            return Err(Fault::platform(
                crate::fault::codes::SERVICE_UNAVAILABLE,
                503,
                FaultCategory::Transport,
                format!("Error reading the message body: {e}"),
            )
            .with_reason("READ_ERROR"));
        }
    }
    Ok(())
}

/// `protocol.http.TooBigBody` for a body over the limit.
fn too_big(kind: MessageKind) -> Fault {
    let status = match kind {
        MessageKind::Request => 413,
        MessageKind::Response => 502,
    };
    Fault::platform(
        crate::fault::codes::TOO_BIG_BODY,
        status,
        FaultCategory::System,
        "Body buffer overflow",
    )
}

/// Turns a message body into an outbound hyper body.
pub fn into_out_body(body: Body) -> OutBody {
    match body {
        Body::Empty => Empty::<Bytes>::new().map_err(|e| match e {}).boxed(),
        Body::Bytes(b) => Full::new(b).map_err(|e| match e {}).boxed(),
        Body::Stream(s) => s.map_err(|e| -> BoxError { Box::new(e) }).boxed(),
    }
}

/// Hop-by-hop headers, never forwarded (RFC 9110 §7.6.1).
const HOP_BY_HOP: &[&str] = &[
    "connection",
    "keep-alive",
    "proxy-connection",
    "te",
    "trailer",
    "transfer-encoding",
    "upgrade",
];

/// Whether a header must not be forwarded: hop-by-hop, named by
/// `Connection`, or a framing header the sender recomputes.
pub fn is_hop_by_hop(name: &str, connection_tokens: &[String]) -> bool {
    HOP_BY_HOP.iter().any(|h| name.eq_ignore_ascii_case(h))
        || name.eq_ignore_ascii_case("content-length")
        || connection_tokens
            .iter()
            .any(|t| name.eq_ignore_ascii_case(t))
}

/// The header names listed in a message's `Connection` header.
pub fn connection_tokens(msg: &Message) -> Vec<String> {
    msg.header_values("connection")
        .filter(|t| !t.is_empty())
        .map(str::to_ascii_lowercase)
        .collect()
}

/// Builds a `HeaderMap` from a message's headers, skipping hop-by-hop ones.
/// A name or value that is not valid HTTP is an error naming it.
pub fn header_map(msg: &Message, skip: &[&str]) -> Result<http::HeaderMap, String> {
    let tokens = connection_tokens(msg);
    let mut map = http::HeaderMap::with_capacity(msg.headers.len());
    for (name, value) in &msg.headers {
        if is_hop_by_hop(name, &tokens) || skip.iter().any(|s| name.eq_ignore_ascii_case(s)) {
            continue;
        }
        let n = http::HeaderName::from_bytes(name.as_bytes())
            .map_err(|_| format!("invalid header name `{name}`"))?;
        let v = http::HeaderValue::from_str(value)
            .map_err(|_| format!("invalid value for header `{name}`"))?;
        map.append(n, v);
    }
    Ok(map)
}

/// Copies a `HeaderMap` into message header lines (values that are not
/// visible ASCII are kept lossily).
pub fn headers_from_map(map: &http::HeaderMap) -> Vec<(String, String)> {
    map.iter()
        .map(|(n, v)| {
            (
                n.as_str().to_owned(),
                String::from_utf8_lossy(v.as_bytes()).into_owned(),
            )
        })
        .collect()
}

/// The `response`-kind message for a backend's hyper response (its body
/// left streaming).
pub fn response_message(resp: http::Response<hyper::body::Incoming>) -> Message {
    let (parts, incoming) = resp.into_parts();
    Message {
        kind: crate::message::MessageKind::Response,
        verb: String::new(),
        path: String::new(),
        query: Vec::new(),
        version: crate::target::version_text(parts.version).into(),
        status: parts.status.as_u16(),
        reason: None,
        headers: headers_from_map(&parts.headers),
        body: Body::Stream(incoming),
    }
}

/// Converts a message into the hyper response sent to the client.
pub fn into_http_response(mut msg: Message) -> http::Response<OutBody> {
    let status =
        http::StatusCode::from_u16(msg.status).unwrap_or(http::StatusCode::INTERNAL_SERVER_ERROR);
    let headers = match header_map(&msg, &[]) {
        Ok(h) => h,
        Err(why) => {
            let mut fault = Fault::platform(
                crate::fault::codes::INVALID_HEADER_VALUE,
                500,
                FaultCategory::Messaging,
                format!("The response could not be sent: {why}"),
            );
            return into_http_response(fault.default_response());
        }
    };
    let body = into_out_body(std::mem::take(&mut msg.body));
    let mut resp = http::Response::new(body);
    *resp.status_mut() = status;
    *resp.headers_mut() = headers;
    resp
}
