//! AssignMessage: choosing the message it writes (`AssignTo`), and its faults.

use crate::ctx::{Ctx, Slot};
use crate::fault::Fault;
use crate::flow::PolicyMeta;
use crate::message::{Message, MessageKind};
use crate::template::Unresolved;
use crate::value::Value;
use crate::vars::{MsgSel, Var, WriteError};

/// Kind of a message AssignMessage creates.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum NewKind {
    /// A request.
    Request,
    /// A response.
    Response,
    /// A request in request flows, a response otherwise.
    ByFlow,
}

/// `<AssignTo>`.
#[derive(Debug)]
pub enum AssignTo {
    /// The ambient `message`.
    Ambient,
    /// A new message replacing the ambient one.
    ReplaceAmbient(NewKind),
    /// A named message variable.
    Var {
        /// Which message.
        sel: MsgSel,
        /// `createNew`.
        create_new: Option<bool>,
        /// `type`.
        kind: NewKind,
    },
}

fn new_message(ctx: &Ctx, kind: NewKind) -> Message {
    let request = match kind {
        NewKind::Request => true,
        NewKind::Response => false,
        NewKind::ByFlow => ctx.phase.is_request(),
    };
    if request {
        Message::new_request()
    } else {
        Message::new_response()
    }
}

/// Prepares the destination message before the operations run.
pub fn prepare(ctx: &mut Ctx, to: &AssignTo, meta: &PolicyMeta) -> Result<(), Fault> {
    match *to {
        AssignTo::Ambient => Ok(()),
        AssignTo::ReplaceAmbient(kind) => {
            let msg = new_message(ctx, kind);
            if msg.kind == MessageKind::Request && ctx.phase.is_request() {
                ctx.request = msg;
            } else {
                ctx.response = Some(msg);
            }
            Ok(())
        }
        AssignTo::Var {
            sel: MsgSel::Slot(i),
            create_new,
            kind,
        } => {
            let holds_message = matches!(ctx.slot(i), Some(Slot::Message(_)));
            match create_new {
                Some(true) => ctx.set_slot(i, Slot::Message(Box::new(new_message(ctx, kind)))),
                Some(false) if !holds_message => {
                    return Err(Fault::step(
                        "steps.assignmessage.VariableOfNonMsgType",
                        format!(
                            "AssignMessage[{}]: value of variable is not of type Message",
                            meta.name
                        ),
                    ));
                }
                None if !holds_message => {
                    ctx.set_slot(i, Slot::Message(Box::new(new_message(ctx, kind))))
                }
                _ => {}
            }
            Ok(())
        }
        AssignTo::Var {
            sel: MsgSel::Response | MsgSel::Error,
            create_new: Some(true),
            kind: _,
        } => {
            ctx.response = Some(Message::new_response());
            Ok(())
        }
        AssignTo::Var {
            sel: MsgSel::Request,
            create_new: Some(true),
            kind: _,
        } => {
            ctx.request = Message::new_request();
            Ok(())
        }
        AssignTo::Var { .. } => Ok(()),
    }
}

/// The destination message.
pub fn target<'a>(
    ctx: &'a mut Ctx,
    to: &AssignTo,
    meta: &PolicyMeta,
) -> Result<&'a mut Message, Fault> {
    let sel = match *to {
        AssignTo::Ambient | AssignTo::ReplaceAmbient(_) => MsgSel::Message,
        AssignTo::Var { sel, .. } => sel,
    };
    crate::vars::message_mut(ctx, sel).ok_or_else(|| {
        Fault::step(
            "steps.assignmessage.VariableOfNonMsgType",
            format!(
                "AssignMessage[{}]: value of variable is not of type Message",
                meta.name
            ),
        )
    })
}

/// `steps.assignmessage.UnresolvedVariable`.
pub fn unresolved(meta: &PolicyMeta, u: Unresolved) -> Fault {
    Fault::step(
        "steps.assignmessage.UnresolvedVariable",
        format!(
            "AssignMessage[{}]: unable to resolve variable {}",
            meta.name, u.0
        ),
    )
}

/// `steps.assignmessage.SetVariableFailed` for a failed operation.
pub fn op_failed(meta: &PolicyMeta, what: &str, why: impl std::fmt::Display) -> Fault {
    Fault::step(
        "steps.assignmessage.SetVariableFailed",
        format!("AssignMessage[{}]: unable to set {what}: {why}", meta.name),
    )
}

/// `<AssignVariable>`: writes the first available source (Template, Ref,
/// Value); nothing available is `UnresolvedVariable` unless ignored.
pub fn assign_variable(
    ctx: &mut Ctx,
    meta: &PolicyMeta,
    name: &'static str,
    target: &Var,
    value: Option<Value<'static>>,
    ignore_unresolved: bool,
    unresolved_code: &'static str,
) -> Result<(), Fault> {
    if let (Some(t), Some(v)) = (&mut ctx.trace, &value) {
        let text = v.to_string();
        let shown = crate::trace::masked(name, &text, &ctx.env.config().trace_mask);
        if shown != text {
            t.secret(&text);
        }
        t.note(format!("set {name} = {shown}"));
    }
    match value {
        Some(v) => crate::vars::write(ctx, target, v).map_err(|e: WriteError| {
            Fault::step(
                "steps.assignmessage.SetVariableFailed",
                format!(
                    "{}[{}]: unable to set variable {name}: {e}",
                    meta.kind, meta.name
                ),
            )
        }),
        None if ignore_unresolved => Ok(()),
        None => Err(Fault::step(
            unresolved_code,
            format!(
                "{}[{}]: unable to resolve the value of variable {name}",
                meta.kind, meta.name
            ),
        )),
    }
}
