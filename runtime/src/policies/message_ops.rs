//! Copy / Remove / Add / Set on a message, shared by AssignMessage,
//! RaiseFault's FaultResponse and ServiceCallout's Request.

use crate::ctx::Ctx;
use crate::message::{Body, InvalidHeader, Message, MessageKind};
use crate::vars::{MsgSel, check_header_value, message};
use http::header::{Entry as HeaderEntry, HeaderMap, HeaderName, HeaderValue};

/// Which collection an item operation touches.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Collection {
    /// Headers.
    Header,
    /// Query parameters.
    Query,
    /// Form parameters.
    Form,
}

/// Which single-valued part a `Set` writes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Scalar {
    /// Verb.
    Verb,
    /// Path.
    Path,
    /// Version.
    Version,
    /// Status code.
    StatusCode,
    /// Reason phrase.
    ReasonPhrase,
}

/// Which items of a collection an operation selects.
#[derive(Debug, Clone, Copy)]
pub enum PartSel {
    /// None.
    None,
    /// All.
    All,
    /// Named items; index 0 = every value, N = the N-th value (1-based).
    Named(&'static [(&'static str, usize)]),
}

/// `<Copy>`.
#[derive(Debug)]
pub struct CopySpec {
    /// `source`.
    pub source: MsgSel,
    /// Headers.
    pub headers: PartSel,
    /// Query parameters.
    pub query: PartSel,
    /// Form parameters.
    pub form: PartSel,
    /// Payload.
    pub payload: bool,
    /// Path.
    pub path: bool,
    /// Verb.
    pub verb: bool,
    /// Version.
    pub version: bool,
    /// Status code.
    pub status: bool,
    /// Reason phrase.
    pub reason: bool,
}

/// `<Remove>`.
#[derive(Debug)]
pub struct RemoveSpec {
    /// Headers.
    pub headers: PartSel,
    /// Query parameters.
    pub query: PartSel,
    /// Form parameters.
    pub form: PartSel,
    /// Payload.
    pub payload: bool,
}

/// Why an operation could not be applied.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OpError(pub String);

impl std::fmt::Display for OpError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0)
    }
}

impl From<InvalidHeader> for OpError {
    fn from(e: InvalidHeader) -> Self {
        OpError(e.0)
    }
}

fn checked(v: &str) -> Result<(), OpError> {
    check_header_value(v).map_err(|e| OpError(e.to_string()))
}

/// Query and form parameters belong to requests: on a response, `<Set>` and
/// `<Add>` of them do nothing (policies.md §1.4–1.5). The verb is not
/// checked (a policy often sets `<Verb>POST</Verb>` after its form params).
fn request_only(msg: &Message, coll: Collection) -> bool {
    coll != Collection::Header && msg.kind != MessageKind::Request
}

/// `<Set>` of a header or parameter.
pub fn set_item(
    msg: &mut Message,
    coll: Collection,
    name: &str,
    value: String,
) -> Result<(), OpError> {
    if request_only(msg, coll) {
        return Ok(());
    }
    match coll {
        Collection::Header => msg.set_header(name, &value)?,
        Collection::Query => msg.set_query(name, value),
        Collection::Form => {
            let mut params = msg.form_params();
            params.retain(|(n, _)| n != name);
            params.push((name.to_owned(), value));
            msg.set_form_params(&params);
        }
    }
    Ok(())
}

/// `<Add>` of a header or parameter.
pub fn add_item(
    msg: &mut Message,
    coll: Collection,
    name: &str,
    value: String,
) -> Result<(), OpError> {
    if request_only(msg, coll) {
        return Ok(());
    }
    match coll {
        Collection::Header => msg.add_header(name, &value)?,
        Collection::Query => msg.query_mut().push((name.to_owned(), value)),
        Collection::Form => {
            let mut params = msg.form_params();
            params.push((name.to_owned(), value));
            msg.set_form_params(&params);
        }
    }
    Ok(())
}

/// A header value for `<Set>`/`<Add>` of the header written `name` in the
/// bundle (see [`crate::message::header_value`]).
pub fn header_value(name: &str, text: &str) -> Result<HeaderValue, OpError> {
    Ok(crate::message::header_value(name, text)?)
}

/// `<Set>` of a header whose name the compiler validated: replaces every
/// line of `name` with `value`.
pub fn set_header(msg: &mut Message, name: &HeaderName, value: HeaderValue) {
    msg.headers.insert(name.clone(), value);
}

/// `<Add>` of a header whose name the compiler validated: appends a line.
pub fn add_header(msg: &mut Message, name: &HeaderName, value: HeaderValue) {
    msg.headers.append(name.clone(), value);
}

/// `<Set><Payload contentType>`: the content type is a constant the
/// compiler checked.
pub fn set_payload(msg: &mut Message, content_type: Option<&HeaderValue>, payload: String) {
    if let Some(ct) = content_type {
        msg.headers.insert(http::header::CONTENT_TYPE, ct.clone());
    }
    msg.set_content(payload);
}

/// `<Set><StatusCode>` of a literal code the compiler checked (100–599).
pub fn set_status(msg: &mut Message, code: u16) {
    msg.status = code;
}

/// `<Set>` of a scalar part.
pub fn set_scalar(msg: &mut Message, scalar: Scalar, value: String) -> Result<(), OpError> {
    let value = crate::text::trim_owned(value);
    match scalar {
        Scalar::Verb => {
            if value.is_empty() || !value.bytes().all(|b| b.is_ascii_alphabetic()) {
                return Err(OpError(format!("`{value}` is not an HTTP verb")));
            }
            msg.verb = http::Method::from_bytes(value.to_ascii_uppercase().as_bytes())
                .map_err(|_| OpError(format!("`{value}` is not an HTTP verb")))?;
        }
        Scalar::Path => {
            if value.bytes().any(|b| b.is_ascii_control() || b == b' ') {
                return Err(OpError("the path contains forbidden characters".into()));
            }
            msg.set_path(if value.starts_with('/') {
                value
            } else {
                format!("/{value}")
            });
        }
        Scalar::Version => msg.version = value.into(),
        Scalar::StatusCode => {
            msg.status = value
                .parse::<u16>()
                .ok()
                .filter(|c| (100..=599).contains(c))
                .ok_or_else(|| OpError(format!("`{value}` is not a status code")))?;
        }
        Scalar::ReasonPhrase => {
            checked(&value)?;
            msg.reason = Some(value);
        }
    }
    Ok(())
}

fn selected(sel: &PartSel, name: &str) -> Option<usize> {
    match sel {
        PartSel::None => None,
        PartSel::All => Some(0),
        PartSel::Named(items) => items
            .iter()
            .find(|(n, _)| n.eq_ignore_ascii_case(name))
            .map(|(_, i)| *i),
    }
}

/// `<Remove>`.
pub fn remove(msg: &mut Message, spec: &RemoveSpec) {
    remove_headers(msg, &spec.headers);
    if let PartSel::All = spec.query {
        msg.query_mut().clear();
    } else if let PartSel::Named(items) = spec.query {
        for (name, idx) in items {
            remove_nth(msg.query_mut(), name, *idx);
        }
    }
    if !matches!(spec.form, PartSel::None) {
        let mut params = msg.form_params();
        if !params.is_empty() {
            match spec.form {
                PartSel::Named(items) => {
                    for (name, idx) in items {
                        remove_nth(&mut params, name, *idx);
                    }
                }
                _ => params.clear(),
            }
            msg.set_form_params(&params);
        }
    }
    if spec.payload {
        msg.body = Body::Empty;
    }
}

fn remove_headers(msg: &mut Message, sel: &PartSel) {
    match sel {
        PartSel::None => {}
        PartSel::All => msg.headers.clear(),
        PartSel::Named(items) => {
            for (name, idx) in *items {
                remove_header_nth(&mut msg.headers, name, *idx);
            }
        }
    }
}

/// Removes every line of header `name` (idx 0) or its idx-th line; the
/// other lines keep their order and place.
fn remove_header_nth(headers: &mut HeaderMap, name: &str, idx: usize) {
    let Ok(name) = HeaderName::from_bytes(name.as_bytes()) else {
        return; // a name HTTP cannot carry is in no message
    };
    if idx == 0 {
        headers.remove(&name);
        return;
    }
    let HeaderEntry::Occupied(entry) = headers.entry(name) else {
        return;
    };
    if entry.iter().nth(idx - 1).is_none() {
        return;
    }
    let kept: Vec<HeaderValue> = entry
        .iter()
        .enumerate()
        .filter(|(i, _)| i + 1 != idx)
        .map(|(_, v)| v.clone())
        .collect();
    replace_lines(HeaderEntry::Occupied(entry), kept);
}

/// Makes `lines` the lines of an entry's name, in place when it exists
/// (no lines: the name is removed).
fn replace_lines(entry: HeaderEntry<'_, HeaderValue>, lines: Vec<HeaderValue>) {
    let mut lines = lines.into_iter();
    let Some(first) = lines.next() else {
        if let HeaderEntry::Occupied(e) = entry {
            e.remove_entry_mult();
        }
        return;
    };
    let mut entry = match entry {
        HeaderEntry::Occupied(mut e) => {
            e.insert(first);
            e
        }
        HeaderEntry::Vacant(e) => e.insert_entry(first),
    };
    for v in lines {
        entry.append(v);
    }
}

/// Removes every value of parameter `name` (idx 0) or its idx-th value.
fn remove_nth(list: &mut Vec<(String, String)>, name: &str, idx: usize) {
    if idx == 0 {
        list.retain(|(n, _)| n != name);
        return;
    }
    let mut seen = 0;
    list.retain(|(n, _)| {
        if n == name {
            seen += 1;
            seen != idx
        } else {
            true
        }
    });
}

/// Copies the selected parameters (all values, or the idx-th of a name)
/// over those of the same names in `dst`.
fn copy_items(src: &[(String, String)], dst: &mut Vec<(String, String)>, sel: &PartSel) {
    if matches!(sel, PartSel::None) {
        return;
    }
    let mut counts: Vec<(&str, usize)> = Vec::new();
    let mut picked: Vec<(String, String)> = Vec::new();
    for (n, v) in src {
        let count = match counts.iter_mut().find(|(k, _)| k == n) {
            Some(c) => {
                c.1 += 1;
                c.1
            }
            None => {
                counts.push((n, 1));
                1
            }
        };
        if selected(sel, n).is_some_and(|idx| idx == 0 || idx == count) {
            picked.push((n.clone(), v.clone()));
        }
    }
    for (n, _) in &picked {
        dst.retain(|(m, _)| m != n);
    }
    dst.extend(picked);
}

/// Copies the selected header lines (all lines, or the idx-th line of a
/// name) over those of the same names in `dst`.
fn copy_headers(src: &HeaderMap, dst: &mut HeaderMap, sel: &PartSel) {
    if matches!(sel, PartSel::None) {
        return;
    }
    for name in src.keys() {
        let Some(idx) = selected(sel, name.as_str()) else {
            continue;
        };
        let picked: Vec<HeaderValue> = src
            .get_all(name)
            .iter()
            .enumerate()
            .filter(|(i, _)| idx == 0 || idx == i + 1)
            .map(|(_, v)| v.clone())
            .collect();
        if !picked.is_empty() {
            replace_lines(dst.entry(name.clone()), picked);
        }
    }
}

/// The source message of a `<Copy>`, cloned (source and destination may
/// both live in the flow context); `None` when the source does not exist.
pub fn copy_source(ctx: &Ctx, spec: &CopySpec) -> Option<Message> {
    message(ctx, spec.source).map(Message::clone_buffered)
}

/// Applies a `<Copy>` from a cloned source.
pub fn copy_into(src: Message, dst: &mut Message, spec: &CopySpec) {
    copy_headers(&src.headers, &mut dst.headers, &spec.headers);
    if !matches!(spec.query, PartSel::None) {
        let src_query: Vec<(String, String)> = src
            .query_pairs()
            .map(|(n, v)| (n.into_owned(), v.into_owned()))
            .collect();
        copy_items(&src_query, dst.query_mut(), &spec.query);
    }
    if !matches!(spec.form, PartSel::None) {
        let mut params = dst.form_params();
        copy_items(&src.form_params(), &mut params, &spec.form);
        if !params.is_empty() {
            dst.set_form_params(&params);
        }
    }
    if spec.path {
        dst.set_path(src.path().to_owned());
    }
    if spec.payload {
        dst.body = src.body;
    }
    if spec.verb {
        dst.verb = src.verb;
    }
    if spec.version {
        dst.version = src.version;
    }
    if spec.status {
        dst.status = src.status;
    }
    if spec.reason {
        dst.reason = src.reason;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn headers(lines: &[(&'static str, &'static str)]) -> HeaderMap {
        let mut map = HeaderMap::new();
        for (n, v) in lines {
            map.append(*n, HeaderValue::from_static(v));
        }
        map
    }

    fn lines(map: &HeaderMap) -> Vec<(String, String)> {
        map.iter()
            .map(|(n, v)| (n.to_string(), v.to_str().unwrap_or("").to_owned()))
            .collect()
    }

    #[test]
    fn a_header_named_at_run_time_is_checked_value_first_then_name() {
        let mut m = Message::new_request();
        set_item(&mut m, Collection::Header, "x-a", "1".into()).unwrap(); // ok: unit test
        add_item(&mut m, Collection::Header, "x-a", "2".into()).unwrap(); // ok: unit test
        set_item(&mut m, Collection::Header, "x-b", "3".into()).unwrap(); // ok: unit test
        assert_eq!(
            lines(&m.headers),
            [("x-a", "1"), ("x-a", "2"), ("x-b", "3")].map(|(n, v)| (n.to_owned(), v.to_owned()))
        );
        let err = |r: Result<(), OpError>| r.unwrap_err().0; // ok: unit test
        let crlf = err(set_item(
            &mut m,
            Collection::Header,
            "bad name",
            "a\r\nb".into(),
        ));
        assert!(crlf.contains("CR"), "{crlf}");
        assert_eq!(
            err(add_item(&mut m, Collection::Header, "x-c", "\u{7f}".into())),
            "invalid value for header `x-c`"
        );
        assert_eq!(
            err(set_item(&mut m, Collection::Header, "bad name", "v".into())),
            "invalid header name `bad name`"
        );
        assert_eq!(m.headers.len(), 3, "a refused line is not added");
    }

    #[test]
    fn the_nth_header_line_is_removed_and_the_others_kept_in_order() {
        let mut map = headers(&[("a", "1"), ("b", "x"), ("a", "2"), ("a", "3")]);
        remove_header_nth(&mut map, "A", 2);
        assert_eq!(
            lines(&map),
            [("a", "1"), ("a", "3"), ("b", "x")].map(|(n, v)| (n.into(), v.into()))
        );
        remove_header_nth(&mut map, "a", 9);
        assert_eq!(map.get_all("a").iter().count(), 2);
        remove_header_nth(&mut map, "a", 0);
        assert_eq!(lines(&map), [("b".to_owned(), "x".to_owned())]);
    }

    #[test]
    fn copied_header_lines_replace_those_of_the_same_name() {
        let src = headers(&[("a", "1"), ("a", "2"), ("b", "x")]);
        let mut dst = headers(&[("a", "old"), ("c", "keep")]);
        copy_headers(&src, &mut dst, &PartSel::Named(&[("A", 2)]));
        assert_eq!(
            lines(&dst),
            [("a", "2"), ("c", "keep")].map(|(n, v)| (n.into(), v.into()))
        );
        copy_headers(&src, &mut dst, &PartSel::All);
        assert_eq!(dst.get_all("a").iter().count(), 2);
        assert_eq!(dst.get("b").and_then(|v| v.to_str().ok()), Some("x"));
        assert_eq!(dst.get("c").and_then(|v| v.to_str().ok()), Some("keep"));
    }
}
