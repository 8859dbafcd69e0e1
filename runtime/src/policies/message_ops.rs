//! Copy / Remove / Add / Set on a message, shared by AssignMessage,
//! RaiseFault's FaultResponse and ServiceCallout's Request.

use crate::ctx::Ctx;
use crate::message::{Body, Message, MessageKind};
use crate::vars::{MsgSel, check_header_value, message};

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
        Collection::Header => {
            checked(&value)?;
            msg.set_header(name, value);
        }
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
        Collection::Header => {
            checked(&value)?;
            msg.add_header(name, value);
        }
        Collection::Query => msg.query.push((name.to_owned(), value)),
        Collection::Form => {
            let mut params = msg.form_params();
            params.push((name.to_owned(), value));
            msg.set_form_params(&params);
        }
    }
    Ok(())
}

/// `<Set><Payload contentType>`.
pub fn set_payload(
    msg: &mut Message,
    content_type: Option<&str>,
    payload: String,
) -> Result<(), OpError> {
    if let Some(ct) = content_type {
        checked(ct)?;
        msg.set_header("Content-Type", ct.to_owned());
    }
    msg.set_content(payload);
    Ok(())
}

/// `<Set>` of a scalar part.
pub fn set_scalar(msg: &mut Message, scalar: Scalar, value: String) -> Result<(), OpError> {
    let value = value.trim().to_owned();
    match scalar {
        Scalar::Verb => {
            if value.is_empty() || !value.bytes().all(|b| b.is_ascii_alphabetic()) {
                return Err(OpError(format!("`{value}` is not an HTTP verb")));
            }
            msg.verb = value.to_ascii_uppercase();
        }
        Scalar::Path => {
            if value.bytes().any(|b| b.is_ascii_control() || b == b' ') {
                return Err(OpError("the path contains forbidden characters".into()));
            }
            msg.path = if value.starts_with('/') {
                value
            } else {
                format!("/{value}")
            };
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
        msg.query.clear();
    } else if let PartSel::Named(items) = spec.query {
        for (name, idx) in items {
            remove_nth(&mut msg.query, name, *idx, false);
        }
    }
    if !matches!(spec.form, PartSel::None) {
        let mut params = msg.form_params();
        if !params.is_empty() {
            match spec.form {
                PartSel::Named(items) => {
                    for (name, idx) in items {
                        remove_nth(&mut params, name, *idx, false);
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
                remove_nth(&mut msg.headers, name, *idx, true);
            }
        }
    }
}

/// Removes every value of `name` (idx 0) or its idx-th value.
fn remove_nth(list: &mut Vec<(String, String)>, name: &str, idx: usize, ci: bool) {
    let eq = |n: &str| {
        if ci {
            n.eq_ignore_ascii_case(name)
        } else {
            n == name
        }
    };
    if idx == 0 {
        list.retain(|(n, _)| !eq(n));
        return;
    }
    let mut seen = 0;
    list.retain(|(n, _)| {
        if eq(n) {
            seen += 1;
            seen != idx
        } else {
            true
        }
    });
}

fn copy_items(src: &[(String, String)], dst: &mut Vec<(String, String)>, sel: &PartSel, ci: bool) {
    if matches!(sel, PartSel::None) {
        return;
    }
    let mut counts: Vec<(String, usize)> = Vec::new();
    let mut picked: Vec<(String, String)> = Vec::new();
    for (n, v) in src {
        let key = if ci {
            n.to_ascii_lowercase()
        } else {
            n.clone()
        };
        let count = match counts.iter_mut().find(|(k, _)| *k == key) {
            Some(c) => {
                c.1 += 1;
                c.1
            }
            None => {
                counts.push((key, 1));
                1
            }
        };
        if selected(sel, n).is_some_and(|idx| idx == 0 || idx == count) {
            picked.push((n.clone(), v.clone()));
        }
    }
    for (n, _) in &picked {
        let eq = |m: &str| {
            if ci {
                m.eq_ignore_ascii_case(n)
            } else {
                m == n
            }
        };
        dst.retain(|(m, _)| !eq(m));
    }
    dst.extend(picked);
}

/// The source message of a `<Copy>`, cloned (source and destination may
/// both live in the flow context); `None` when the source does not exist.
pub fn copy_source(ctx: &Ctx, spec: &CopySpec) -> Option<Message> {
    message(ctx, spec.source).map(Message::clone_buffered)
}

/// Applies a `<Copy>` from a cloned source.
pub fn copy_into(src: Message, dst: &mut Message, spec: &CopySpec) {
    copy_items(&src.headers, &mut dst.headers, &spec.headers, true);
    copy_items(&src.query, &mut dst.query, &spec.query, false);
    if !matches!(spec.form, PartSel::None) {
        let mut params = dst.form_params();
        copy_items(&src.form_params(), &mut params, &spec.form, false);
        if !params.is_empty() {
            dst.set_form_params(&params);
        }
    }
    if spec.payload {
        dst.body = src.body;
    }
    if spec.path {
        dst.path = src.path;
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
