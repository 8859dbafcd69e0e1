//! HTTP messages as flow variables see them: `request`, `response`, `error`
//! and every message-typed custom variable (ServiceCallout responses, …).

use bytes::Bytes;
use http::header::{AsHeaderName, HeaderMap, HeaderName, HeaderValue};
use http::uri::PathAndQuery;
use std::borrow::Cow;
use std::fmt;

/// Whether a message is a request or a response; checked by policies that
/// need one or the other (`RequestVariableNotRequestMessageType`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum MessageKind {
    /// An HTTP request.
    Request,
    /// An HTTP response.
    Response,
}

/// A message body: absent, held in memory, or still streaming from the peer.
#[derive(Default)]
pub enum Body {
    /// No body.
    #[default]
    Empty,
    /// A body read whole.
    Bytes(Bytes),
    /// A body not read yet (streamed through when no policy needs it).
    Stream(hyper::body::Incoming),
}

impl fmt::Debug for Body {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Body::Empty => f.write_str("Empty"),
            Body::Bytes(b) => write!(f, "Bytes({} bytes)", b.len()),
            Body::Stream(_) => f.write_str("Stream"),
        }
    }
}

/// An HTTP message with the parts Apigee exposes as variables.
///
/// The parts keep hyper's representation (`HeaderMap`, `Method`, the
/// received request target) so a message that no policy edits crosses the
/// proxy without its headers, path or query being copied: a header is
/// converted only when a policy reads or writes it by name.
#[derive(Debug)]
pub struct Message {
    /// Request or response.
    pub kind: MessageKind,
    /// Request verb (responses keep `GET`; `message.verb` reads them as empty).
    pub verb: http::Method,
    /// Request path without the query string, as received (percent-encoded).
    path: PathText,
    /// Query parameters: as received until a policy edits them.
    query: Query,
    /// HTTP version, e.g. `1.1` (borrowed unless a policy sets it, so
    /// building a message allocates nothing for it).
    pub version: Cow<'static, str>,
    /// Response status code; 0 on requests.
    pub status: u16,
    /// Response reason phrase when set explicitly.
    pub reason: Option<String>,
    /// Header lines (names are lowercase, as HTTP/2 and hyper keep them;
    /// lookups ignore case).
    pub headers: HeaderMap,
    /// The body.
    pub body: Body,
}

/// A request path: shared with the received URI until a policy sets it.
#[derive(Debug, Clone)]
enum PathText {
    Received(PathAndQuery),
    Text(Cow<'static, str>),
}

impl PathText {
    fn as_str(&self) -> &str {
        match self {
            PathText::Received(pq) => pq.path(),
            PathText::Text(t) => t,
        }
    }
}

/// A tail of a received request path (`proxy.pathsuffix`), shared with the
/// received URI instead of copied; or text of its own.
#[derive(Debug, Clone, Default)]
pub struct PathSuffix {
    received: Option<PathAndQuery>,
    from: usize,
    text: String,
}

impl PathSuffix {
    /// The received path from byte `from` on (empty if `from` is not a
    /// character boundary within it).
    pub fn received(uri: &http::Uri, from: usize) -> Self {
        PathSuffix {
            received: uri.path_and_query().cloned(),
            from,
            text: String::new(),
        }
    }

    /// The suffix as text.
    pub fn as_str(&self) -> &str {
        match &self.received {
            Some(pq) => pq.path().get(self.from..).unwrap_or_default(),
            None => &self.text,
        }
    }
}

impl From<String> for PathSuffix {
    fn from(text: String) -> Self {
        PathSuffix {
            received: None,
            from: 0,
            text,
        }
    }
}

impl std::ops::Deref for PathSuffix {
    type Target = str;
    fn deref(&self) -> &str {
        self.as_str()
    }
}

/// Query parameters: the received query string, decoded on each read (no
/// copy unless a value is percent-encoded), until a policy edits them; from
/// then on the decoded pairs.
#[derive(Debug, Clone, Default)]
struct Query {
    /// The received request target (only when it has a query).
    received: Option<PathAndQuery>,
    /// The parameters once edited (`received` is then `None`).
    edited: Option<Vec<(String, String)>>,
}

/// Decodes a query string into pairs.
fn decode_query(query: &str) -> form_urlencoded::Parse<'_> {
    form_urlencoded::parse(query.as_bytes())
}

/// The query parameters of a message, decoded: borrowed from the received
/// query string (copied only where percent-decoding changes them) or from
/// the edited pairs.
pub enum QueryPairs<'a> {
    /// From the received query string.
    Received(form_urlencoded::Parse<'a>),
    /// From the pairs a policy edited.
    Edited(std::slice::Iter<'a, (String, String)>),
}

impl<'a> Iterator for QueryPairs<'a> {
    type Item = (Cow<'a, str>, Cow<'a, str>);

    fn next(&mut self) -> Option<Self::Item> {
        match self {
            QueryPairs::Received(parse) => parse.next(),
            QueryPairs::Edited(pairs) => pairs
                .next()
                .map(|(n, v)| (Cow::Borrowed(n.as_str()), Cow::Borrowed(v.as_str()))),
        }
    }
}

/// A header name or value a policy tried to set that HTTP cannot carry.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct InvalidHeader(pub String);

impl fmt::Display for InvalidHeader {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

/// A header line's text; values that are not UTF-8 (obs-text) read as
/// empty (they are still forwarded byte for byte).
fn value_text(v: &HeaderValue) -> &str {
    std::str::from_utf8(v.as_bytes()).unwrap_or("")
}

/// Why a header value holding CR, LF or NUL is refused.
pub(crate) const SPLITS_LINE: &str = "header values must not contain CR, LF or NUL";

/// Whether `value` holds CR, LF or NUL, which would split a header or
/// request line.
pub(crate) fn splits_line(value: &[u8]) -> bool {
    value.iter().any(|&b| matches!(b, b'\r' | b'\n' | 0))
}

/// `name` as a header name, or the error naming it.
fn header_name(name: &str) -> Result<HeaderName, InvalidHeader> {
    HeaderName::from_bytes(name.as_bytes())
        .map_err(|_| InvalidHeader(format!("invalid header name `{name}`")))
}

/// `text` as the value of the header written `name`, checked once. On
/// failure the error names CR, LF or NUL when the value holds one (worked
/// out only then), and otherwise says HTTP cannot carry it.
pub(crate) fn header_value(name: &str, text: &str) -> Result<HeaderValue, InvalidHeader> {
    HeaderValue::from_str(text).map_err(|_| {
        InvalidHeader(if splits_line(text.as_bytes()) {
            SPLITS_LINE.to_owned()
        } else {
            format!("invalid value for header `{name}`")
        })
    })
}

/// A header line named at run time: the value is checked first (so its
/// error names CR, LF or NUL), then the name.
fn header_line(name: &str, value: &str) -> Result<(HeaderName, HeaderValue), InvalidHeader> {
    let value = header_value(name, value)?;
    Ok((header_name(name)?, value))
}

impl Message {
    /// An empty request (`GET /`, HTTP/1.1).
    pub fn new_request() -> Self {
        Message {
            kind: MessageKind::Request,
            verb: http::Method::GET,
            path: PathText::Text(Cow::Borrowed("/")),
            query: Query::default(),
            version: Cow::Borrowed("1.1"),
            status: 0,
            reason: None,
            headers: HeaderMap::new(),
            body: Body::Empty,
        }
    }

    /// An empty `200` response.
    pub fn new_response() -> Self {
        Message {
            kind: MessageKind::Response,
            verb: http::Method::GET,
            path: PathText::Text(Cow::Borrowed("")),
            query: Query::default(),
            version: Cow::Borrowed("1.1"),
            status: 200,
            reason: None,
            headers: HeaderMap::new(),
            body: Body::Empty,
        }
    }

    /// The request message for a received request's head: the path and
    /// query stay shared with `uri`, the headers are moved, not copied.
    pub fn received_request(
        method: http::Method,
        uri: &http::Uri,
        version: Cow<'static, str>,
        headers: HeaderMap,
        body: Body,
    ) -> Self {
        let pq = uri.path_and_query().cloned();
        Message {
            kind: MessageKind::Request,
            verb: method,
            path: match &pq {
                Some(pq) => PathText::Received(pq.clone()),
                None => PathText::Text(Cow::Borrowed("/")),
            },
            query: Query {
                received: pq.filter(|pq| pq.query().is_some()),
                edited: None,
            },
            version,
            status: 0,
            reason: None,
            headers,
            body,
        }
    }

    /// The response message for a received response's head.
    pub fn received_response(
        status: u16,
        version: Cow<'static, str>,
        headers: HeaderMap,
        body: Body,
    ) -> Self {
        Message {
            status,
            version,
            headers,
            body,
            ..Message::new_response()
        }
    }

    /// Copies everything but a streaming body (which cannot be copied).
    pub fn clone_buffered(&self) -> Message {
        Message {
            kind: self.kind,
            verb: self.verb.clone(),
            path: self.path.clone(),
            query: self.query.clone(),
            version: self.version.clone(),
            status: self.status,
            reason: self.reason.clone(),
            headers: self.headers.clone(),
            body: match &self.body {
                Body::Bytes(b) => Body::Bytes(b.clone()),
                _ => Body::Empty,
            },
        }
    }

    // ----- path -------------------------------------------------------------

    /// The request path (no query string), percent-encoded.
    pub fn path(&self) -> &str {
        self.path.as_str()
    }

    /// Replaces the request path.
    pub fn set_path(&mut self, path: impl Into<Cow<'static, str>>) {
        self.path = PathText::Text(path.into());
    }

    // ----- headers -------------------------------------------------------

    /// Every header line named `name` (case-insensitive), in order.
    pub fn header_lines(&self, name: impl AsHeaderName) -> impl Iterator<Item = &str> {
        self.headers.get_all(name).iter().map(value_text)
    }

    /// All comma-separated values of a header, across its lines, trimmed.
    pub fn header_values(&self, name: impl AsHeaderName) -> impl Iterator<Item = &str> {
        self.header_lines(name)
            .flat_map(|line| line.split(','))
            .map(crate::text::trim)
    }

    /// `header.NAME`: the first comma-separated value. A name known when
    /// the runtime is written is best given as a `HeaderName` constant
    /// (it is not parsed then).
    pub fn header_first(&self, name: impl AsHeaderName) -> Option<&str> {
        self.header_values(name).next()
    }

    /// `header.NAME.N`: the N-th value, 1-based.
    pub fn header_nth(&self, name: &str, n: usize) -> Option<&str> {
        n.checked_sub(1)
            .and_then(|i| self.header_values(name).nth(i))
    }

    /// `header.NAME.values.string`: all lines joined as received.
    pub fn header_values_string(&self, name: &str) -> Option<String> {
        let lines: Vec<&str> = self.header_lines(name).collect();
        (!lines.is_empty()).then(|| lines.join(", "))
    }

    /// Replaces every line of `name` with one line holding `value`. A name
    /// or value HTTP cannot carry (CR, LF, NUL, …) is an error naming it.
    pub fn set_header(&mut self, name: &str, value: &str) -> Result<(), InvalidHeader> {
        let (name, value) = header_line(name, value)?;
        self.headers.insert(name, value);
        Ok(())
    }

    /// Adds a header line, keeping existing ones (errors as [`Self::set_header`]).
    pub fn add_header(&mut self, name: &str, value: &str) -> Result<(), InvalidHeader> {
        let (name, value) = header_line(name, value)?;
        self.headers.append(name, value);
        Ok(())
    }

    /// Removes every line of `name`.
    pub fn remove_header(&mut self, name: &str) {
        self.headers.remove(name);
    }

    /// Distinct header names in first-seen order.
    pub fn header_names(&self) -> Vec<&str> {
        self.headers.keys().map(HeaderName::as_str).collect()
    }

    // ----- query and form parameters --------------------------------------

    /// Every query parameter, decoded, in order (a name may repeat).
    pub fn query_pairs(&self) -> QueryPairs<'_> {
        match &self.query.edited {
            Some(pairs) => QueryPairs::Edited(pairs.iter()),
            None => QueryPairs::Received(decode_query(self.received_query())),
        }
    }

    fn received_query(&self) -> &str {
        self.query
            .received
            .as_ref()
            .and_then(PathAndQuery::query)
            .unwrap_or_default()
    }

    /// `queryparam.NAME.N` (1-based) values of a query parameter.
    pub fn query_values<'a>(&'a self, name: &'a str) -> impl Iterator<Item = Cow<'a, str>> {
        self.query_pairs()
            .filter(move |(n, _)| n == name)
            .map(|(_, v)| v)
    }

    /// The query parameters as pairs a policy may edit (decoded once).
    pub fn query_mut(&mut self) -> &mut Vec<(String, String)> {
        let received = self.query.received.take();
        self.query.edited.get_or_insert_with(|| {
            received
                .as_ref()
                .and_then(PathAndQuery::query)
                .map(|q| {
                    decode_query(q)
                        .map(|(n, v)| (n.into_owned(), v.into_owned()))
                        .collect()
                })
                .unwrap_or_default()
        })
    }

    /// Replaces all values of a query parameter.
    pub fn set_query(&mut self, name: &str, value: String) {
        let query = self.query_mut();
        query.retain(|(n, _)| n != name);
        query.push((name.to_owned(), value));
    }

    /// The query string (no `?`): as received when no policy edited the
    /// parameters, otherwise re-encoded from them.
    pub fn query_string(&self) -> Cow<'_, str> {
        match &self.query.edited {
            None => Cow::Borrowed(self.received_query()),
            Some(pairs) => {
                let mut ser = form_urlencoded::Serializer::new(String::new());
                for (n, v) in pairs {
                    ser.append_pair(n, v);
                }
                Cow::Owned(ser.finish())
            }
        }
    }

    /// Form parameters of an `application/x-www-form-urlencoded` body.
    pub fn form_params(&self) -> Vec<(String, String)> {
        let is_form = self
            .header_first(&http::header::CONTENT_TYPE)
            .is_some_and(|ct| {
                ct.to_ascii_lowercase()
                    .starts_with("application/x-www-form-urlencoded")
            });
        match (&self.body, is_form) {
            (Body::Bytes(b), true) => form_urlencoded::parse(b)
                .map(|(k, v)| (k.into_owned(), v.into_owned()))
                .collect(),
            _ => Vec::new(),
        }
    }

    /// Replaces the form body with these parameters and sets the content type.
    pub fn set_form_params(&mut self, params: &[(String, String)]) {
        let mut ser = form_urlencoded::Serializer::new(String::new());
        for (n, v) in params {
            ser.append_pair(n, v);
        }
        self.body = Body::Bytes(Bytes::from(ser.finish()));
        self.headers.insert(
            http::header::CONTENT_TYPE,
            HeaderValue::from_static("application/x-www-form-urlencoded"),
        );
    }

    // ----- content ----------------------------------------------------------

    /// The body as text, when it has been read (lossy for non-UTF-8 bytes).
    pub fn content(&self) -> Option<Cow<'_, str>> {
        match &self.body {
            Body::Empty => Some(Cow::Borrowed("")),
            // `from_utf8` first: its validation is much faster than the
            // lossy decoder's, and almost every body is valid UTF-8.
            Body::Bytes(b) => Some(match std::str::from_utf8(b) {
                Ok(text) => Cow::Borrowed(text),
                Err(_) => String::from_utf8_lossy(b),
            }),
            Body::Stream(_) => None,
        }
    }

    /// The body bytes, when read.
    pub fn content_bytes(&self) -> Option<&[u8]> {
        match &self.body {
            Body::Empty => Some(&[]),
            Body::Bytes(b) => Some(b),
            Body::Stream(_) => None,
        }
    }

    /// Replaces the body.
    pub fn set_content(&mut self, content: impl Into<Bytes>) {
        self.body = Body::Bytes(content.into());
    }

    /// The response reason phrase: the explicit one or the standard phrase.
    pub fn reason_phrase(&self) -> Option<&str> {
        self.reason.as_deref().or_else(|| {
            http::StatusCode::from_u16(self.status)
                .ok()
                .and_then(|s| s.canonical_reason())
        })
    }

    /// `uri`: path plus query string.
    pub fn uri(&self) -> String {
        let query = self.query_string();
        if query.is_empty() {
            self.path().to_owned()
        } else {
            format!("{}?{query}", self.path())
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn received(target: &str, headers: &[(&str, &str)]) -> Message {
        let mut map = HeaderMap::new();
        for (n, v) in headers {
            map.append(
                HeaderName::from_bytes(n.as_bytes()).unwrap(), // ok: unit test
                HeaderValue::from_str(v).unwrap(),             // ok: unit test
            );
        }
        let uri: http::Uri = target.parse().unwrap(); // ok: unit test
        Message::received_request(http::Method::GET, &uri, "1.1".into(), map, Body::Empty)
    }

    #[test]
    fn the_received_query_is_kept_as_sent_until_a_policy_edits_it() {
        let mut m = received("/a/b?x=1&y=a%20b&x=2&flag", &[]);
        assert_eq!(m.path(), "/a/b");
        assert_eq!(m.query_string(), "x=1&y=a%20b&x=2&flag");
        let xs: Vec<Cow<'_, str>> = m.query_values("x").collect();
        assert_eq!(xs, ["1", "2"]);
        assert_eq!(m.query_values("y").next().as_deref(), Some("a b"));
        assert_eq!(m.query_values("flag").next().as_deref(), Some(""));
        m.set_query("x", "3".into());
        assert_eq!(m.query_string(), "y=a+b&flag=&x=3");
        assert_eq!(m.uri(), "/a/b?y=a+b&flag=&x=3");
    }

    #[test]
    fn headers_are_read_across_lines_and_names_ignore_case() {
        let m = received("/", &[("Accept", "a, b"), ("accept", "c"), ("X-One", "1")]);
        assert_eq!(m.header_first("ACCEPT"), Some("a"));
        assert_eq!(m.header_nth("accept", 3), Some("c"));
        assert_eq!(m.header_values("accept").count(), 3);
        assert_eq!(m.header_values_string("accept").as_deref(), Some("a, b, c"));
        assert_eq!(m.header_names(), ["accept", "x-one"]);
        assert_eq!(m.header_first("bad name"), None);
    }

    #[test]
    fn setting_a_header_http_cannot_carry_is_an_error_and_changes_nothing() {
        let mut m = received("/", &[("x-a", "1")]);
        let err = m.set_header("x-a", "1\r\nInjected: yes");
        assert_eq!(err, Err(InvalidHeader(SPLITS_LINE.into())));
        let err = m.set_header("x-a", "bell \u{7}");
        assert_eq!(
            err,
            Err(InvalidHeader("invalid value for header `x-a`".into()))
        );
        assert_eq!(
            m.add_header("bad name", "v"),
            Err(InvalidHeader("invalid header name `bad name`".into()))
        );
        assert_eq!(
            m.add_header("bad name", "\n"),
            Err(InvalidHeader(SPLITS_LINE.into())),
            "the value is checked first"
        );
        assert_eq!(m.header_first("x-a"), Some("1"));
        assert_eq!(m.headers.len(), 1);
        m.set_header("X-A", "2").unwrap(); // ok: unit test
        m.add_header("x-a", "3").unwrap(); // ok: unit test
        assert_eq!(m.header_lines("x-a").collect::<Vec<_>>(), ["2", "3"]);
    }

    #[test]
    fn a_path_set_by_a_policy_replaces_the_received_one() {
        let mut m = received("/in?q=1", &[]);
        m.set_path("/out");
        assert_eq!(m.uri(), "/out?q=1");
        assert_eq!(Message::new_request().uri(), "/");
    }
}
