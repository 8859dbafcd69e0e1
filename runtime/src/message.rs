//! HTTP messages as flow variables see them: `request`, `response`, `error`
//! and every message-typed custom variable (ServiceCallout responses, …).

use bytes::Bytes;
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
#[derive(Debug)]
pub struct Message {
    /// Request or response.
    pub kind: MessageKind,
    /// Request verb (`GET`, …); empty on responses.
    pub verb: String,
    /// Request path without the query string, as received (percent-encoded).
    pub path: String,
    /// Decoded query parameters, in order (a name may repeat).
    pub query: Vec<(String, String)>,
    /// HTTP version, e.g. `1.1` (borrowed unless a policy sets it, so
    /// building a message allocates nothing for it).
    pub version: Cow<'static, str>,
    /// Response status code; 0 on requests.
    pub status: u16,
    /// Response reason phrase when set explicitly.
    pub reason: Option<String>,
    /// Header lines in order; names keep their case, lookups ignore it.
    pub headers: Vec<(String, String)>,
    /// The body.
    pub body: Body,
}

impl Message {
    /// An empty request (`GET /`, HTTP/1.1).
    pub fn new_request() -> Self {
        Message {
            kind: MessageKind::Request,
            verb: "GET".into(),
            path: "/".into(),
            query: Vec::new(),
            version: "1.1".into(),
            status: 0,
            reason: None,
            headers: Vec::new(),
            body: Body::Empty,
        }
    }

    /// An empty `200` response.
    pub fn new_response() -> Self {
        Message {
            kind: MessageKind::Response,
            verb: String::new(),
            path: String::new(),
            query: Vec::new(),
            version: "1.1".into(),
            status: 200,
            reason: None,
            headers: Vec::new(),
            body: Body::Empty,
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

    // ----- headers -------------------------------------------------------

    /// Every header line named `name` (case-insensitive), in order.
    pub fn header_lines<'a>(&'a self, name: &str) -> impl Iterator<Item = &'a str> {
        self.headers
            .iter()
            .filter(move |(n, _)| n.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.as_str())
    }

    /// All comma-separated values of a header, across its lines, trimmed.
    pub fn header_values<'a>(&'a self, name: &str) -> impl Iterator<Item = &'a str> {
        self.header_lines(name)
            .flat_map(|line| line.split(','))
            .map(str::trim)
    }

    /// `header.NAME`: the first comma-separated value.
    pub fn header_first(&self, name: &str) -> Option<&str> {
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

    /// Replaces every line of `name` with one line holding `value`.
    pub fn set_header(&mut self, name: &str, value: String) {
        match self
            .headers
            .iter()
            .position(|(n, _)| n.eq_ignore_ascii_case(name))
        {
            Some(first) => {
                // Keep the first line (earlier lines are never removed, so it
                // stays at `first`) and drop the later ones.
                let mut i = 0;
                self.headers.retain(|(n, _)| {
                    let keep = i == first || !n.eq_ignore_ascii_case(name);
                    i += 1;
                    keep
                });
                if let Some(line) = self.headers.get_mut(first) {
                    line.1 = value;
                }
            }
            None => self.headers.push((name.to_owned(), value)),
        }
    }

    /// Adds a header line, keeping existing ones.
    pub fn add_header(&mut self, name: &str, value: String) {
        self.headers.push((name.to_owned(), value));
    }

    /// Removes every line of `name`.
    pub fn remove_header(&mut self, name: &str) {
        self.headers.retain(|(n, _)| !n.eq_ignore_ascii_case(name));
    }

    /// Distinct header names in first-seen order.
    pub fn header_names(&self) -> Vec<&str> {
        let mut names: Vec<&str> = Vec::new();
        for (n, _) in &self.headers {
            if !names.iter().any(|m| m.eq_ignore_ascii_case(n)) {
                names.push(n);
            }
        }
        names
    }

    // ----- query and form parameters --------------------------------------

    /// `queryparam.NAME.N` (1-based) values of a query parameter.
    pub fn query_values<'a>(&'a self, name: &str) -> impl Iterator<Item = &'a str> {
        self.query
            .iter()
            .filter(move |(n, _)| n == name)
            .map(|(_, v)| v.as_str())
    }

    /// Replaces all values of a query parameter.
    pub fn set_query(&mut self, name: &str, value: String) {
        self.query.retain(|(n, _)| n != name);
        self.query.push((name.to_owned(), value));
    }

    /// The raw query string, re-encoded from the parameters (no `?`).
    pub fn query_string(&self) -> String {
        let mut ser = form_urlencoded::Serializer::new(String::new());
        for (n, v) in &self.query {
            ser.append_pair(n, v);
        }
        ser.finish()
    }

    /// Form parameters of an `application/x-www-form-urlencoded` body.
    pub fn form_params(&self) -> Vec<(String, String)> {
        let is_form = self.header_first("content-type").is_some_and(|ct| {
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
        self.set_header("Content-Type", "application/x-www-form-urlencoded".into());
    }

    // ----- content ----------------------------------------------------------

    /// The body as text, when it has been read (lossy for non-UTF-8 bytes).
    pub fn content(&self) -> Option<Cow<'_, str>> {
        match &self.body {
            Body::Empty => Some(Cow::Borrowed("")),
            Body::Bytes(b) => Some(String::from_utf8_lossy(b)),
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
        if self.query.is_empty() {
            self.path.clone()
        } else {
            format!("{}?{}", self.path, self.query_string())
        }
    }
}
