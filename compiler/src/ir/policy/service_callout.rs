//! ServiceCallout in the validated model.

use super::super::{MessageOp, MsgSel, TargetProps, Template, Var};

/// ServiceCallout.
#[derive(Debug, Clone)]
pub struct ServiceCallout {
    /// `Request@variable` (default `servicecallout.request`), as written.
    pub request_var: String,
    /// The request variable (a slot unless it is a built-in message).
    pub request: MsgSel,
    /// `Request@clearPayload` (default true).
    pub clear_payload: bool,
    /// `Request/IgnoreUnresolvedVariables` (default false).
    pub ignore_unresolved: bool,
    /// `Request/{Remove,Copy,Add,Set,AssignVariable}` in document order.
    pub ops: Vec<MessageOp>,
    /// `Response`: the message variable receiving the response; `None`
    /// means fire-and-forget.
    pub response: Option<MsgSel>,
    /// `Timeout` in ms (default 55000).
    pub timeout_ms: u64,
    /// Where the call goes.
    pub connection: CalloutConnection,
    /// Slot of `servicecallout.{policy}.target.url`.
    pub target_url_slot: usize,
    /// Slot of `servicecallout.requesturi`.
    pub requesturi_slot: usize,
}

/// The callout's destination.
#[derive(Debug, Clone)]
pub enum CalloutConnection {
    /// `HTTPTargetConnection`.
    Http {
        /// `URL`.
        url: Template,
        /// `Properties`, `SSLInfo`, `LoadBalancer`.
        props: Box<TargetProps>,
        /// `Authentication`.
        auth: Option<CalloutAuth>,
    },
    /// `LocalTargetConnection`.
    Local(LocalTarget),
}

/// `LocalTargetConnection`.
#[derive(Debug, Clone)]
pub enum LocalTarget {
    /// `APIProxy` (+ optional `ProxyEndpoint`).
    Proxy {
        /// Proxy name.
        proxy: String,
        /// ProxyEndpoint name (first endpoint when absent).
        endpoint: Option<String>,
    },
    /// `Path`: the base path of a proxy in the same environment.
    Path(String),
}

/// `HTTPTargetConnection/Authentication`.
#[derive(Debug, Clone)]
pub enum CalloutAuth {
    /// `GoogleAccessToken`.
    Access {
        /// `Scopes/Scope`.
        scopes: Vec<String>,
        /// `LifetimeInSeconds`.
        lifetime_secs: Option<u32>,
        /// `HeaderName` (default `Authorization`).
        header: Option<String>,
    },
    /// `GoogleIDToken`.
    Id {
        /// `Audience`.
        audience: Audience,
        /// `IncludeEmail`.
        include_email: bool,
        /// `HeaderName` (default `Authorization`).
        header: Option<String>,
    },
}

/// `GoogleIDToken/Audience`.
#[derive(Debug, Clone)]
pub enum Audience {
    /// Literal text.
    Literal(String),
    /// `ref="var"`.
    Ref(Var),
    /// `useTargetUrl="true"` (or no audience at all).
    TargetUrl,
}
