//! Moving bodies between hyper and messages: reading them whole when a
//! policy needs the content, streaming them through otherwise.

use crate::client::BoxError;
use crate::fault::{Fault, FaultCategory};
use crate::message::{Body, Message, MessageKind};
use bytes::Bytes;
use http_body_util::{BodyExt, Limited};
use hyper::body::{Frame, Incoming, SizeHint};
use std::pin::Pin;
use std::task::{Context, Poll};

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

/// Body of outbound requests and of responses sent to clients: nothing,
/// bytes held in memory, or a peer's body streamed through. An enum rather
/// than a boxed body, so sending a message allocates nothing for its body.
#[derive(Debug)]
pub enum OutBody {
    /// No body.
    Empty,
    /// Bytes held in memory (taken when sent).
    Full(Option<Bytes>),
    /// A peer's body, streamed through.
    Stream(Incoming),
}

impl From<Bytes> for OutBody {
    fn from(bytes: Bytes) -> Self {
        OutBody::Full(Some(bytes))
    }
}

impl hyper::body::Body for OutBody {
    type Data = Bytes;
    type Error = BoxError;

    fn poll_frame(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
    ) -> Poll<Option<Result<Frame<Bytes>, BoxError>>> {
        match self.get_mut() {
            OutBody::Empty => Poll::Ready(None),
            OutBody::Full(bytes) => Poll::Ready(
                bytes
                    .take()
                    .filter(|b| !b.is_empty())
                    .map(|b| Ok(Frame::data(b))),
            ),
            OutBody::Stream(incoming) => Pin::new(incoming)
                .poll_frame(cx)
                .map_err(|e| -> BoxError { Box::new(e) }),
        }
    }

    fn is_end_stream(&self) -> bool {
        match self {
            OutBody::Empty => true,
            OutBody::Full(bytes) => bytes.as_ref().is_none_or(Bytes::is_empty),
            OutBody::Stream(incoming) => incoming.is_end_stream(),
        }
    }

    fn size_hint(&self) -> SizeHint {
        match self {
            OutBody::Empty => SizeHint::with_exact(0),
            OutBody::Full(bytes) => {
                SizeHint::with_exact(bytes.as_ref().map_or(0, |b| b.len() as u64))
            }
            OutBody::Stream(incoming) => incoming.size_hint(),
        }
    }
}

/// Turns a message body into an outbound hyper body.
pub fn into_out_body(body: Body) -> OutBody {
    match body {
        Body::Empty => OutBody::Empty,
        Body::Bytes(b) => OutBody::from(b),
        Body::Stream(s) => OutBody::Stream(s),
    }
}

const NOT_FORWARDED_COUNT: usize = 8;

/// Hop-by-hop headers, never forwarded (RFC 9110 §7.6.1), and the framing
/// header the sender recomputes.
static NOT_FORWARDED: [http::HeaderName; NOT_FORWARDED_COUNT] = [
    http::header::CONNECTION,
    http::HeaderName::from_static("keep-alive"),
    http::HeaderName::from_static("proxy-connection"),
    http::header::TE,
    http::header::TRAILER,
    http::header::TRANSFER_ENCODING,
    http::header::UPGRADE,
    http::header::CONTENT_LENGTH,
];

/// Removes the headers that must not be forwarded: hop-by-hop ones, those
/// the `Connection` header names, and `Content-Length`.
pub fn strip_hop_by_hop(headers: &mut http::HeaderMap) {
    // One pass over the (few) names present instead of a hash lookup per
    // listed name: most messages carry one or two of them at most.
    let mut present = [false; NOT_FORWARDED_COUNT];
    let mut any = false;
    for name in headers.keys() {
        if let Some(i) = not_forwarded_index(name) {
            present[i] = true;
            any = true;
        }
    }
    if !any {
        return;
    }
    if present[0] {
        let named: Vec<http::HeaderName> = headers
            .get_all(http::header::CONNECTION)
            .iter()
            .filter_map(|v| v.to_str().ok())
            .flat_map(|v| v.split(','))
            .filter_map(|t| http::HeaderName::from_bytes(t.trim().as_bytes()).ok())
            .collect();
        for name in &named {
            headers.remove(name);
        }
    }
    for (name, present) in NOT_FORWARDED.iter().zip(present) {
        if present {
            headers.remove(name);
        }
    }
}

/// The position of `name` in [`NOT_FORWARDED`], by its text (a length
/// switch and at most one comparison, where comparing header names one by
/// one would take several).
fn not_forwarded_index(name: &http::HeaderName) -> Option<usize> {
    match name.as_str() {
        "connection" => Some(0),
        "keep-alive" => Some(1),
        "proxy-connection" => Some(2),
        "te" => Some(3),
        "trailer" => Some(4),
        "transfer-encoding" => Some(5),
        "upgrade" => Some(6),
        "content-length" => Some(7),
        _ => None,
    }
}

/// Sets the `Host` of a request going to another host: `host`, else none
/// (the client then derives it from the URI). Whatever `Host` the headers
/// held is replaced, never forwarded; one insert does it, with no remove
/// first.
pub fn set_outbound_host(headers: &mut http::HeaderMap, host: Option<http::HeaderValue>) {
    match host {
        Some(host) => {
            headers.insert(http::header::HOST, host);
        }
        None => {
            headers.remove(http::header::HOST);
        }
    }
}

/// The `response`-kind message for a backend's hyper response (its body
/// left streaming, its headers moved).
pub fn response_message(resp: http::Response<hyper::body::Incoming>) -> Message {
    let (parts, incoming) = resp.into_parts();
    Message::received_response(
        parts.status.as_u16(),
        crate::target::version_text(parts.version).into(),
        parts.headers,
        Body::Stream(incoming),
    )
}

/// Converts a message into the hyper response sent to the client.
pub fn into_http_response(mut msg: Message) -> http::Response<OutBody> {
    let status =
        http::StatusCode::from_u16(msg.status).unwrap_or(http::StatusCode::INTERNAL_SERVER_ERROR);
    let mut headers = std::mem::take(&mut msg.headers);
    strip_hop_by_hop(&mut headers);
    let body = into_out_body(std::mem::take(&mut msg.body));
    let mut resp = http::Response::new(body);
    *resp.status_mut() = status;
    *resp.headers_mut() = headers;
    resp
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn each_listed_name_is_found_at_its_position_and_no_other_is() {
        for (i, name) in NOT_FORWARDED.iter().enumerate() {
            assert_eq!(not_forwarded_index(name), Some(i), "{name}");
        }
        for other in [
            "host",
            "content-type",
            "x-connection",
            "tes",
            "keep-alive-x",
        ] {
            let name = http::HeaderName::from_static(other);
            assert_eq!(not_forwarded_index(&name), None, "{other}");
        }
    }

    #[test]
    fn hop_by_hop_and_connection_named_headers_are_removed() {
        let mut headers = http::HeaderMap::new();
        for (n, v) in [
            ("connection", "keep-alive, x-hop"),
            ("keep-alive", "timeout=5"),
            ("x-hop", "1"),
            ("content-length", "3"),
            ("x-kept", "1"),
            ("host", "h"),
        ] {
            headers.append(
                http::HeaderName::from_static(n),
                http::HeaderValue::from_static(v),
            );
        }
        strip_hop_by_hop(&mut headers);
        let mut left: Vec<&str> = headers.keys().map(http::HeaderName::as_str).collect();
        left.sort_unstable();
        assert_eq!(left, ["host", "x-kept"]);
    }
}
