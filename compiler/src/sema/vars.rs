//! Resolving flow-variable names at compile time: built-ins become direct
//! accessors, message-typed variables (`calloutResponse.content`) become
//! message properties, everything else gets a slot.

use crate::ir::{MsgProp, MsgSel, Var};
use std::collections::{BTreeMap, BTreeSet};

/// Built-in scalar variables and the runtime `Var` variant each maps to.
const BUILTINS: &[(&str, &str)] = &[
    ("proxy.basepath", "ProxyBasepath"),
    ("proxy.pathsuffix", "ProxyPathsuffix"),
    ("proxy.url", "ProxyUrl"),
    ("proxy.name", "ProxyName"),
    ("proxy.client.ip", "ClientIp"),
    ("proxy.flow.name", "ProxyFlowName"),
    ("client.ip", "ClientIp"),
    ("client.resolved.ip", "ClientIp"),
    ("client.host", "ClientIp"),
    ("client.port", "ClientPort"),
    ("client.scheme", "ClientScheme"),
    ("client.ssl.enabled", "ClientSslEnabled"),
    (
        "client.received.start.timestamp",
        "ClientReceivedStartTimestamp",
    ),
    ("target.url", "TargetUrl"),
    ("target.evaluated.url", "TargetUrl"),
    ("target.name", "TargetName"),
    ("target.basepath", "TargetBasepath"),
    ("target.copy.pathsuffix", "TargetCopyPathsuffix"),
    ("target.copy.queryparams", "TargetCopyQueryparams"),
    ("target.header.host", "TargetHeaderHost"),
    ("target.host", "TargetHost"),
    ("target.port", "TargetPort"),
    ("target.scheme", "TargetScheme"),
    ("target.flow.name", "TargetFlowName"),
    ("target.sent.start.timestamp", "TargetSentStartTimestamp"),
    (
        "target.received.end.timestamp",
        "TargetReceivedEndTimestamp",
    ),
    ("route.name", "RouteName"),
    ("route.target", "RouteTarget"),
    ("system.time", "SystemTime"),
    ("system.timestamp", "SystemTimestamp"),
    ("system.uuid", "SystemUuid"),
    ("messageid", "MessageId"),
    ("environment.name", "EnvironmentName"),
    ("organization.name", "OrganizationName"),
    ("apiproxy.name", "ApiproxyName"),
    ("apiproxy.revision", "ApiproxyRevision"),
    ("apiproxy.basepath", "ApiproxyBasepath"),
    ("current.flow.name", "CurrentFlowName"),
    ("is.error", "IsError"),
    ("fault.name", "FaultName"),
    ("fault.reason", "FaultReason"),
    ("fault.category", "FaultCategory"),
    ("error.message", "FaultReason"),
    ("error.status.code", "ErrorStatusCode"),
];

/// `system.time.*` parts.
const TIME_PARTS: &[(&str, &str)] = &[
    ("year", "Year"),
    ("month", "Month"),
    ("day", "Day"),
    ("dayofweek", "DayOfWeek"),
    ("hour", "Hour"),
    ("minute", "Minute"),
    ("second", "Second"),
    ("millisecond", "Millisecond"),
];

/// Writable built-ins (everything else built-in is read-only).
const WRITABLE_BUILTINS: &[&str] = &[
    "TargetUrl",
    "TargetCopyPathsuffix",
    "TargetCopyQueryparams",
    "TargetHeaderHost",
];

/// Message properties that can be written by name.
const WRITABLE_PROPS: &[&str] = &[
    "Content",
    "Header",
    "QueryParam",
    "Verb",
    "Path",
    "Version",
    "StatusCode",
    "ReasonPhrase",
];

/// The variable table of one proxy.
#[derive(Debug, Default)]
pub struct VarTable {
    slots: Vec<String>,
    index: BTreeMap<String, usize>,
    messages: BTreeSet<String>,
}

impl VarTable {
    /// Declares a message-typed variable (before any resolution).
    pub fn declare_message(&mut self, name: &str) {
        if !matches!(name, "request" | "response" | "message" | "error") {
            self.messages.insert(name.to_owned());
            self.slot(name);
        }
    }

    /// Message-typed user variables declared so far.
    pub fn message_names(&self) -> impl Iterator<Item = &str> {
        self.messages.iter().map(String::as_str)
    }

    /// The name of a slot.
    pub fn slot_name(&self, slot: usize) -> Option<&str> {
        self.slots.get(slot).map(String::as_str)
    }

    /// Slot names, index = slot.
    pub fn into_slots(self) -> Vec<String> {
        self.slots
    }

    /// The slot of a user variable, allocating it on first use.
    pub fn slot(&mut self, name: &str) -> usize {
        if let Some(&i) = self.index.get(name) {
            return i;
        }
        let i = self.slots.len();
        self.slots.push(name.to_owned());
        self.index.insert(name.to_owned(), i);
        i
    }

    /// The message selector for a message variable name, if it is one.
    pub fn message_sel(&mut self, name: &str) -> Option<MsgSel> {
        match name {
            "request" => Some(MsgSel::Request),
            "response" => Some(MsgSel::Response),
            "message" => Some(MsgSel::Message),
            "error" => Some(MsgSel::Error),
            n if self.messages.contains(n) => Some(MsgSel::Slot(self.slot(n))),
            _ => None,
        }
    }

    /// Resolves a variable name.
    pub fn resolve(&mut self, name: &str) -> Var {
        if let Some(&(_, v)) = BUILTINS.iter().find(|(n, _)| *n == name) {
            return Var::Builtin(v);
        }
        if let Some(part) = name.strip_prefix("system.time.")
            && let Some(&(_, v)) = TIME_PARTS.iter().find(|(n, _)| *n == part)
        {
            return Var::TimePart(v);
        }
        if let Some(sel) = self.message_sel(name) {
            return Var::MsgObject(sel);
        }
        // Longest prefix naming a message object, rest a property path.
        let mut cut = name.len();
        while let Some(dot) = name.get(..cut).and_then(|s| s.rfind('.')) {
            let (prefix, rest) = (&name[..dot], &name[dot + 1..]); // ok: dot is a char boundary from rfind
            if let Some(sel) = self.message_sel(prefix) {
                if let Some(prop) = parse_msg_prop(rest) {
                    return Var::Msg(sel, prop);
                }
                break;
            }
            cut = dot;
        }
        Var::Slot(self.slot(name))
    }

    /// Whether a variable is a built-in that policies may not assign.
    pub fn is_read_only(var: &Var) -> bool {
        match var {
            Var::Builtin(b) => !WRITABLE_BUILTINS.contains(b),
            Var::TimePart(_) | Var::MsgObject(_) => true,
            Var::Msg(_, MsgProp::Plain(p) | MsgProp::Named(p, _) | MsgProp::Indexed(p, _, _)) => {
                !WRITABLE_PROPS.contains(p)
            }
            Var::Slot(_) => false,
        }
    }
}

/// Message properties without operands: the name after `<message>.` and
/// the runtime `MsgProp` variant.
const PLAIN_PROPS: &[(&str, &str)] = &[
    ("content", "Content"),
    ("content.as.base64", "ContentBase64"),
    ("content.as.url.safe.base64", "ContentUrlSafeBase64"),
    ("headers.count", "HeadersCount"),
    ("headers.names", "HeadersNames"),
    ("headers.names.string", "HeadersNames"),
    ("verb", "Verb"),
    ("version", "Version"),
    ("uri", "Uri"),
    ("path", "Path"),
    ("querystring", "QueryString"),
    ("queryparams.count", "QueryParamsCount"),
    ("queryparams.names", "QueryParamsNames"),
    ("queryparams.names.string", "QueryParamsNames"),
    ("formparams.count", "FormParamsCount"),
    ("formstring", "FormString"),
    ("status.code", "StatusCode"),
    ("reason.phrase", "ReasonPhrase"),
];

/// Message properties naming a header or parameter (`<message>.header.<name>`).
pub const NAMED_PROPS: &[&str] = &["header", "queryparam", "formparam"];

/// The names of the message objects every proxy has.
pub const MESSAGES: &[&str] = &["request", "response", "message", "error"];

/// Every built-in scalar variable name (`system.time.*` parts included).
pub fn builtin_names() -> impl Iterator<Item = String> {
    BUILTINS
        .iter()
        .map(|(n, _)| (*n).to_owned())
        .chain(TIME_PARTS.iter().map(|(p, _)| format!("system.time.{p}")))
}

/// Every message property without operands (`content`, `status.code`, …).
pub fn plain_prop_names() -> impl Iterator<Item = &'static str> {
    PLAIN_PROPS.iter().map(|(n, _)| *n)
}

/// Parses a message property path (`header.Content-Type.values.count`, …).
pub fn parse_msg_prop(rest: &str) -> Option<MsgProp> {
    if let Some(&(_, p)) = PLAIN_PROPS.iter().find(|(n, _)| *n == rest) {
        return Some(MsgProp::Plain(p));
    }
    if let Some(h) = rest.strip_prefix("header.") {
        return Some(named_prop(
            h,
            true,
            "Header",
            "HeaderN",
            "HeaderValuesString",
            "HeaderValuesCount",
        ));
    }
    if let Some(q) = rest.strip_prefix("queryparam.") {
        return Some(named_prop(
            q,
            false,
            "QueryParam",
            "QueryParamN",
            "QueryParamValues",
            "QueryParamValuesCount",
        ));
    }
    if let Some(f) = rest.strip_prefix("formparam.") {
        return Some(MsgProp::Named("FormParam", f.to_owned()));
    }
    None
}

fn named_prop(
    spec: &str,
    lowercase: bool,
    first: &'static str,
    nth: &'static str,
    values: &'static str,
    count: &'static str,
) -> MsgProp {
    let norm = |s: &str| {
        if lowercase {
            s.to_ascii_lowercase()
        } else {
            s.to_owned()
        }
    };
    if let Some(n) = spec.strip_suffix(".values.count") {
        return MsgProp::Named(count, norm(n));
    }
    if let Some(n) = spec
        .strip_suffix(".values.string")
        .or_else(|| spec.strip_suffix(".values"))
    {
        return MsgProp::Named(values, norm(n));
    }
    if let Some((n, idx)) = spec.rsplit_once('.')
        && let Some(i) = idx.parse::<usize>().ok().filter(|i| *i > 0)
    {
        return MsgProp::Indexed(nth, norm(n), i);
    }
    MsgProp::Named(first, norm(spec))
}

/// The name of a policy type's `failed` flag variable.
pub fn failed_flag(kind: &str, policy: &str) -> String {
    match kind {
        "RaiseFault" => "raisefault.failed".to_owned(),
        "IntegrationCallout" | "SetIntegrationRequest" => format!("{kind}.{policy}.failed"),
        other => format!("{}.{policy}.failed", other.to_ascii_lowercase()),
    }
}
