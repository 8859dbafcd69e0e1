//! Flow-variable access. The compiler resolves every variable name it sees
//! to a constant [`Var`]; [`read`] and [`write`] are `#[inline]` so that a
//! constant `Var` folds into a direct field or method access.

use crate::ctx::{Ctx, Slot};
use crate::message::{Message, MessageKind};
use crate::value::Value;
use base64::Engine as _;
use std::borrow::Cow;
use std::time::{SystemTime, UNIX_EPOCH};

/// Which message object a message property reads.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum MsgSel {
    /// `request`.
    Request,
    /// `response`.
    Response,
    /// `message`: request or response depending on the phase.
    Message,
    /// `error`: the error response (error phase only).
    Error,
    /// A message-typed user variable in a slot.
    Slot(usize),
}

/// A property of a message object (variables.md §1.1).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum MsgProp {
    /// `content`.
    Content,
    /// `content.as.base64`.
    ContentBase64,
    /// `content.as.url.safe.base64`.
    ContentUrlSafeBase64,
    /// `header.NAME` (first value).
    Header(&'static str),
    /// `header.NAME.N` (1-based).
    HeaderN(&'static str, usize),
    /// `header.NAME.values` / `.values.string`.
    HeaderValuesString(&'static str),
    /// `header.NAME.values.count`.
    HeaderValuesCount(&'static str),
    /// `headers.count`.
    HeadersCount,
    /// `headers.names` / `headers.names.string`.
    HeadersNames,
    /// `verb`.
    Verb,
    /// `version`.
    Version,
    /// `uri`.
    Uri,
    /// `path`.
    Path,
    /// `querystring`.
    QueryString,
    /// `queryparam.NAME`.
    QueryParam(&'static str),
    /// `queryparam.NAME.N`.
    QueryParamN(&'static str, usize),
    /// `queryparam.NAME.values` (as a string).
    QueryParamValues(&'static str),
    /// `queryparam.NAME.values.count`.
    QueryParamValuesCount(&'static str),
    /// `queryparams.count`.
    QueryParamsCount,
    /// `queryparams.names`.
    QueryParamsNames,
    /// `formparam.NAME`.
    FormParam(&'static str),
    /// `formparams.count`.
    FormParamsCount,
    /// `formstring`.
    FormString,
    /// `status.code`.
    StatusCode,
    /// `reason.phrase`.
    ReasonPhrase,
}

/// A flow variable, resolved at compile time.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Var {
    /// A property of a message object.
    Msg(MsgSel, MsgProp),
    /// A message object itself (renders as its content).
    MsgObject(MsgSel),
    /// `proxy.basepath`.
    ProxyBasepath,
    /// `proxy.pathsuffix`.
    ProxyPathsuffix,
    /// `proxy.url`.
    ProxyUrl,
    /// `proxy.name`.
    ProxyName,
    /// `proxy.client.ip`, `client.ip`, `client.resolved.ip`, `client.host`.
    ClientIp,
    /// `client.port`.
    ClientPort,
    /// `client.scheme`.
    ClientScheme,
    /// `client.ssl.enabled`.
    ClientSslEnabled,
    /// `client.received.start.timestamp`.
    ClientReceivedStartTimestamp,
    /// `proxy.flow.name`.
    ProxyFlowName,
    /// `target.url` / `target.evaluated.url`.
    TargetUrl,
    /// `target.name`.
    TargetName,
    /// `target.basepath`.
    TargetBasepath,
    /// `target.copy.pathsuffix`.
    TargetCopyPathsuffix,
    /// `target.copy.queryparams`.
    TargetCopyQueryparams,
    /// `target.header.host`.
    TargetHeaderHost,
    /// `target.host`.
    TargetHost,
    /// `target.port`.
    TargetPort,
    /// `target.scheme`.
    TargetScheme,
    /// `target.flow.name`.
    TargetFlowName,
    /// `target.sent.start.timestamp`.
    TargetSentStartTimestamp,
    /// `target.received.end.timestamp`.
    TargetReceivedEndTimestamp,
    /// `route.name`.
    RouteName,
    /// `route.target`.
    RouteTarget,
    /// `system.time`.
    SystemTime,
    /// `system.timestamp`.
    SystemTimestamp,
    /// `system.time.year` … `.millisecond`.
    SystemTimePart(TimePart),
    /// `system.uuid`.
    SystemUuid,
    /// `messageid`.
    MessageId,
    /// `environment.name`.
    EnvironmentName,
    /// `organization.name`.
    OrganizationName,
    /// `apiproxy.name`.
    ApiproxyName,
    /// `apiproxy.revision`.
    ApiproxyRevision,
    /// `apiproxy.basepath`.
    ApiproxyBasepath,
    /// `current.flow.name`.
    CurrentFlowName,
    /// `is.error`.
    IsError,
    /// `fault.name`.
    FaultName,
    /// `fault.reason`, `error.message`.
    FaultReason,
    /// `fault.category`.
    FaultCategory,
    /// `error.status.code` (the raised fault's status).
    ErrorStatusCode,
    /// A user variable.
    Slot(usize),
}

/// Parts of `system.time.*`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TimePart {
    /// Year.
    Year,
    /// Month (1–12).
    Month,
    /// Day of month.
    Day,
    /// Day of week (1 = Monday … 7 = Sunday; numbering unconfirmed).
    DayOfWeek,
    /// Hour (0–23).
    Hour,
    /// Minute.
    Minute,
    /// Second.
    Second,
    /// Millisecond.
    Millisecond,
}

/// Selects a message object.
#[inline]
pub fn message(ctx: &Ctx, sel: MsgSel) -> Option<&Message> {
    match sel {
        MsgSel::Request => Some(&ctx.request),
        MsgSel::Response | MsgSel::Error => ctx.response.as_ref(),
        MsgSel::Message => ctx.message(),
        MsgSel::Slot(i) => ctx.slot_message(i),
    }
}

/// Selects a message object for writing; `None` when the selector names a
/// slot that does not hold a message.
#[inline]
pub fn message_mut(ctx: &mut Ctx, sel: MsgSel) -> Option<&mut Message> {
    match sel {
        MsgSel::Request => Some(&mut ctx.request),
        MsgSel::Response | MsgSel::Error => Some(ctx.response_mut()),
        MsgSel::Message => Some(ctx.message_mut()),
        MsgSel::Slot(i) => match ctx.slots.get_mut(i) {
            Some(Slot::Message(m)) => Some(m),
            _ => None,
        },
    }
}

fn count(n: usize) -> Value<'static> {
    Value::Int(i32::try_from(n).unwrap_or(i32::MAX))
}

fn owned(s: String) -> Value<'static> {
    Value::Str(Cow::Owned(s))
}

/// Reads a message property.
#[inline]
pub fn read_msg<'a>(msg: &'a Message, prop: MsgProp) -> Value<'a> {
    let is_req = msg.kind == MessageKind::Request;
    match prop {
        MsgProp::Content => msg.content().map_or(Value::Null, Value::Str),
        MsgProp::ContentBase64 => msg.content_bytes().map_or(Value::Null, |b| {
            owned(base64::engine::general_purpose::STANDARD.encode(b))
        }),
        MsgProp::ContentUrlSafeBase64 => msg.content_bytes().map_or(Value::Null, |b| {
            owned(base64::engine::general_purpose::URL_SAFE.encode(b))
        }),
        MsgProp::Header(n) => Value::from_opt_str(msg.header_first(n)),
        MsgProp::HeaderN(n, i) => Value::from_opt_str(msg.header_nth(n, i)),
        MsgProp::HeaderValuesString(n) => msg.header_values_string(n).map_or(Value::Null, owned),
        MsgProp::HeaderValuesCount(n) => count(msg.header_values(n).count()),
        MsgProp::HeadersCount => count(msg.header_names().len()),
        MsgProp::HeadersNames => owned(msg.header_names().join(",")),
        MsgProp::Verb if is_req => Value::str(msg.verb.as_str()),
        MsgProp::Version => Value::str(&msg.version),
        MsgProp::Uri if is_req => owned(msg.uri()),
        MsgProp::Path if is_req => Value::str(msg.path()),
        MsgProp::QueryString if is_req => Value::Str(msg.query_string()),
        MsgProp::QueryParam(n) => msg.query_values(n).next().map_or(Value::Null, Value::Str),
        MsgProp::QueryParamN(n, i) => i
            .checked_sub(1)
            .and_then(|i| msg.query_values(n).nth(i))
            .map_or(Value::Null, Value::Str),
        MsgProp::QueryParamValues(n) => {
            let v: Vec<Cow<'_, str>> = msg.query_values(n).collect();
            if v.is_empty() {
                Value::Null
            } else {
                owned(v.join(","))
            }
        }
        MsgProp::QueryParamValuesCount(n) => count(msg.query_values(n).count()),
        MsgProp::QueryParamsCount => count(msg.query_pairs().count()),
        MsgProp::QueryParamsNames => {
            let mut names: Vec<Cow<'_, str>> = Vec::new();
            for (n, _) in msg.query_pairs() {
                if !names.contains(&n) {
                    names.push(n);
                }
            }
            owned(names.join(","))
        }
        MsgProp::FormParam(n) => msg
            .form_params()
            .into_iter()
            .find(|(k, _)| k == n)
            .map_or(Value::Null, |(_, v)| owned(v)),
        MsgProp::FormParamsCount => count(msg.form_params().len()),
        MsgProp::FormString => {
            let params = msg.form_params();
            if params.is_empty() {
                Value::Null
            } else {
                msg.content().map_or(Value::Null, Value::Str)
            }
        }
        MsgProp::StatusCode if !is_req => Value::Int(i32::from(msg.status)),
        MsgProp::ReasonPhrase if !is_req => Value::from_opt_str(msg.reason_phrase()),
        _ => Value::Null,
    }
}

fn now_ms() -> i64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0, |d| i64::try_from(d.as_millis()).unwrap_or(i64::MAX))
}

fn system_time_part(part: TimePart) -> Value<'static> {
    let now = time::OffsetDateTime::now_utc();
    let v = match part {
        TimePart::Year => now.year(),
        TimePart::Month => i32::from(u8::from(now.month())),
        TimePart::Day => i32::from(now.day()),
        TimePart::DayOfWeek => i32::from(now.weekday().number_from_monday()),
        TimePart::Hour => i32::from(now.hour()),
        TimePart::Minute => i32::from(now.minute()),
        TimePart::Second => i32::from(now.second()),
        TimePart::Millisecond => i32::from(now.millisecond()),
    };
    Value::Int(v)
}

/// Reads a flow variable; unresolved variables read as [`Value::Null`].
///
/// A user variable is read right here: generated code names its slot as a
/// constant, so once this is inlined the read is a bounds check and a
/// match. Every other variable goes through [`read_builtin`].
#[inline(always)]
pub fn read<'a>(ctx: &'a Ctx, var: &Var) -> Value<'a> {
    match *var {
        Var::Slot(i) => read_slot(ctx, i),
        _ => read_builtin(ctx, var),
    }
}

/// A user variable's value: a value as is (text borrowed), a message as
/// its content.
#[inline]
fn read_slot(ctx: &Ctx, i: usize) -> Value<'_> {
    match ctx.slot(i) {
        Some(Slot::Value(v)) => match v {
            Value::Str(s) => Value::str(s),
            other => other.clone(),
        },
        Some(Slot::Message(m)) => m.content().map_or(Value::Null, Value::Str),
        _ => Value::Null,
    }
}

/// Reads a built-in variable (anything but a user variable's slot).
fn read_builtin<'a>(ctx: &'a Ctx, var: &Var) -> Value<'a> {
    match *var {
        Var::Msg(sel, prop) => message(ctx, sel).map_or(Value::Null, |m| read_msg(m, prop)),
        Var::MsgObject(sel) => message(ctx, sel)
            .and_then(Message::content)
            .map_or(Value::Null, Value::Str),
        Var::ProxyBasepath => Value::str(ctx.proxy.basepath),
        Var::ProxyPathsuffix => Value::str(&ctx.proxy.pathsuffix),
        Var::ProxyUrl => Value::str(ctx.proxy.url.get()),
        Var::ProxyName => Value::str(ctx.proxy.name),
        Var::ProxyFlowName => Value::str(ctx.proxy.flow_name),
        Var::ClientIp => owned(ctx.client.addr.ip().to_string()),
        Var::ClientPort => Value::Int(i32::from(ctx.client.addr.port())),
        Var::ClientScheme => Value::str(ctx.client.scheme),
        Var::ClientSslEnabled => Value::str(if ctx.client.scheme == "HTTPS" {
            "true"
        } else {
            "false"
        }),
        Var::ClientReceivedStartTimestamp => ctx.client.received_start.map_or(Value::Null, |t| {
            Value::Long(
                t.duration_since(UNIX_EPOCH)
                    .map_or(0, |d| i64::try_from(d.as_millis()).unwrap_or(i64::MAX)),
            )
        }),
        Var::TargetUrl => Value::from_opt_str(ctx.target.url.as_deref()),
        Var::TargetName => Value::from_opt_str(ctx.target.name),
        Var::TargetBasepath => ctx
            .target
            .url
            .as_deref()
            .and_then(|u| u.parse::<http::Uri>().ok())
            .map(|u| u.path().to_owned())
            .filter(|p| !p.is_empty() && p != "/")
            .map_or(Value::Null, owned),
        Var::TargetCopyPathsuffix => Value::Bool(ctx.target.copy_pathsuffix),
        Var::TargetCopyQueryparams => Value::Bool(ctx.target.copy_queryparams),
        Var::TargetHeaderHost => Value::from_opt_str(ctx.target.host_header.as_deref()),
        Var::TargetHost => Value::from_opt_str(ctx.target.host.as_deref()),
        Var::TargetPort => ctx
            .target
            .port
            .map_or(Value::Null, |p| Value::Int(i32::from(p))),
        Var::TargetScheme => Value::from_opt_str(ctx.target.scheme),
        Var::TargetFlowName => Value::from_opt_str(ctx.target.flow_name),
        Var::TargetSentStartTimestamp => ctx.target.sent_start_ms.map_or(Value::Null, Value::Long),
        Var::TargetReceivedEndTimestamp => {
            ctx.target.received_end_ms.map_or(Value::Null, Value::Long)
        }
        Var::RouteName => Value::from_opt_str(ctx.target.route_name),
        Var::RouteTarget => Value::from_opt_str(ctx.target.route_target),
        Var::SystemTime => owned(crate::time_fmt::rfc1123_now()),
        Var::SystemTimestamp => Value::Long(now_ms()),
        Var::SystemTimePart(p) => system_time_part(p),
        Var::SystemUuid => Value::str(ctx.env.system_uuid()),
        Var::MessageId => Value::str(ctx.message_id()),
        Var::EnvironmentName => Value::str(ctx.env.environment_name()),
        Var::OrganizationName => Value::str(ctx.env.organization_name()),
        Var::ApiproxyName => Value::str(ctx.meta.name),
        Var::ApiproxyRevision => Value::str(ctx.meta.revision),
        Var::ApiproxyBasepath => Value::str(ctx.proxy.basepath),
        Var::CurrentFlowName => Value::str(ctx.current_flow),
        Var::IsError => Value::Bool(ctx.fault.is_some()),
        Var::FaultName => ctx
            .fault
            .as_ref()
            .map_or(Value::Null, |f| Value::str(f.name())),
        Var::FaultReason => ctx
            .fault
            .as_ref()
            .map_or(Value::Null, |f| Value::str(&f.reason)),
        Var::FaultCategory => ctx
            .fault
            .as_ref()
            .map_or(Value::Null, |f| Value::str(f.category.as_str())),
        Var::ErrorStatusCode => ctx
            .fault
            .as_ref()
            .map_or(Value::Null, |f| Value::Int(i32::from(f.status))),
        Var::Slot(i) => read_slot(ctx, i),
    }
}

/// Why a variable could not be written.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum WriteError {
    /// The variable is read-only.
    ReadOnly,
    /// The value is not acceptable for the variable (e.g. a status code that
    /// is not a number, or a header value with CR/LF).
    BadValue(String),
    /// The message the variable belongs to does not exist.
    NoMessage,
}

impl std::fmt::Display for WriteError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            WriteError::ReadOnly => f.write_str("the variable is read-only"),
            WriteError::BadValue(why) => f.write_str(why),
            WriteError::NoMessage => f.write_str("the message object does not exist"),
        }
    }
}

/// Rejects values that would split a header or request line.
pub fn check_header_value(v: &str) -> Result<(), WriteError> {
    if crate::message::splits_line(v.as_bytes()) {
        Err(WriteError::BadValue(crate::message::SPLITS_LINE.into()))
    } else {
        Ok(())
    }
}

fn parse_bool(v: &Value<'_>) -> Result<bool, WriteError> {
    match v {
        Value::Bool(b) => Ok(*b),
        Value::Str(s) if s.eq_ignore_ascii_case("true") => Ok(true),
        Value::Str(s) if s.eq_ignore_ascii_case("false") => Ok(false),
        other => Err(WriteError::BadValue(format!("`{other}` is not a boolean"))),
    }
}

fn text(v: Value<'static>) -> String {
    match v {
        Value::Str(s) => s.into_owned(),
        Value::Null => String::new(),
        other => other.to_string(),
    }
}

/// Writes a message property.
pub fn write_msg(msg: &mut Message, prop: MsgProp, v: Value<'static>) -> Result<(), WriteError> {
    match prop {
        MsgProp::Content => msg.set_content(text(v)),
        MsgProp::Header(n) => msg
            .set_header(n, &text(v))
            .map_err(|e| WriteError::BadValue(e.0))?,
        MsgProp::QueryParam(n) => msg.set_query(n, text(v)),
        MsgProp::Verb => {
            let verb = text(v);
            msg.verb = http::Method::from_bytes(verb.as_bytes())
                .map_err(|_| WriteError::BadValue(format!("`{verb}` is not an HTTP verb")))?;
        }
        MsgProp::Path => msg.set_path(text(v)),
        MsgProp::Version => msg.version = text(v).into(),
        MsgProp::StatusCode => {
            let s = text(v);
            msg.status = s
                .trim()
                .parse::<u16>()
                .ok()
                .filter(|c| (100..=999).contains(c))
                .ok_or_else(|| WriteError::BadValue(format!("`{s}` is not a status code")))?;
        }
        MsgProp::ReasonPhrase => {
            let v = text(v);
            check_header_value(&v)?;
            msg.reason = Some(v);
        }
        _ => return Err(WriteError::ReadOnly),
    }
    Ok(())
}

/// Writes a flow variable (AssignVariable, ExtractVariables, …).
///
/// A user variable is written right here (see [`read`]); every other
/// variable goes through [`write_builtin`].
#[inline(always)]
pub fn write(ctx: &mut Ctx, var: &Var, v: Value<'static>) -> Result<(), WriteError> {
    match *var {
        Var::Slot(i) => {
            write_slot(ctx, i, v);
            Ok(())
        }
        _ => write_builtin(ctx, var, v),
    }
}

/// Stores a value in a user variable's slot.
#[inline]
fn write_slot(ctx: &mut Ctx, i: usize, v: Value<'static>) {
    ctx.set_slot(i, Slot::Value(v));
}

/// Writes a built-in variable (anything but a user variable's slot).
fn write_builtin(ctx: &mut Ctx, var: &Var, v: Value<'static>) -> Result<(), WriteError> {
    match *var {
        Var::Msg(sel, prop) => {
            let msg = message_mut(ctx, sel).ok_or(WriteError::NoMessage)?;
            write_msg(msg, prop, v)
        }
        Var::TargetUrl => {
            ctx.target.url = Some(Cow::Owned(text(v)));
            Ok(())
        }
        Var::TargetCopyPathsuffix => {
            ctx.target.copy_pathsuffix = parse_bool(&v)?;
            Ok(())
        }
        Var::TargetCopyQueryparams => {
            ctx.target.copy_queryparams = parse_bool(&v)?;
            Ok(())
        }
        Var::TargetHeaderHost => {
            let v = text(v);
            check_header_value(&v)?;
            ctx.target.host_header = Some(v);
            Ok(())
        }
        Var::Slot(i) => {
            write_slot(ctx, i, v);
            Ok(())
        }
        _ => Err(WriteError::ReadOnly),
    }
}
