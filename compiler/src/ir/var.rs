//! Flow variables resolved at compile time. Mirrors the runtime's `Var`.

/// Which message object a message property reads.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum MsgSel {
    /// `request`.
    Request,
    /// `response`.
    Response,
    /// `message` (request or response by phase).
    Message,
    /// `error`.
    Error,
    /// A message-typed user variable.
    Slot(usize),
}

/// A message property: the runtime `MsgProp` variant name and its operands.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum MsgProp {
    /// A property without operands (`Content`, `Verb`, …).
    Plain(&'static str),
    /// A property of a named header/parameter (`Header("content-type")`).
    Named(&'static str, String),
    /// An indexed value (`HeaderN("x", 2)`).
    Indexed(&'static str, String, usize),
}

/// A resolved flow variable.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Var {
    /// A message property.
    Msg(MsgSel, MsgProp),
    /// A message object itself.
    MsgObject(MsgSel),
    /// A built-in: the runtime `Var` variant name.
    Builtin(&'static str),
    /// `system.time.*`: the runtime `TimePart` variant name.
    TimePart(&'static str),
    /// A user variable slot.
    Slot(usize),
}

impl Var {
    /// Whether reading this variable needs the message content buffered,
    /// and for which message (`true` = request side).
    pub fn content_need(&self) -> Option<MsgSel> {
        match self {
            Var::Msg(sel, MsgProp::Plain(p))
                if matches!(
                    *p,
                    "Content"
                        | "ContentBase64"
                        | "ContentUrlSafeBase64"
                        | "FormString"
                        | "FormParamsCount"
                ) =>
            {
                Some(*sel)
            }
            Var::Msg(sel, MsgProp::Named("FormParam", _)) => Some(*sel),
            Var::MsgObject(sel) => Some(*sel),
            _ => None,
        }
    }
}
