//! RaiseFault: builds the fault response and enters the error state.

use crate::fault::{Fault, FaultCategory, FaultResponse};
use crate::flow::PolicyMeta;
use crate::message::Message;
use crate::template::Unresolved;

/// The error code RaiseFault raises.
pub const CODE: &str = "steps.raisefault.RaiseFault";

/// A fresh fault response (status 500) for the FaultResponse operations.
pub fn new_response() -> Message {
    let mut msg = Message::new_response();
    msg.status = 500;
    msg
}

/// The fault a RaiseFault policy raises. Without a FaultResponse the client
/// gets the default JSON body; with one, the built message as it is (no body
/// when it set none — policies.md §6).
pub fn raise(meta: &PolicyMeta, response: Option<Message>, short_reason: bool) -> Fault {
    let faultstring = if short_reason {
        meta.name.to_owned()
    } else {
        format!("Raising fault. Fault name : {}", meta.name)
    };
    let mut fault = Fault::step(CODE, faultstring);
    fault.category = FaultCategory::Step;
    fault.raised = true;
    if let Some(msg) = response {
        fault.status = msg.status;
        fault.response = FaultResponse::Prepared(Box::new(msg));
    }
    fault
}

/// An unresolved variable while building the fault response.
pub fn unresolved(meta: &PolicyMeta, u: Unresolved) -> Fault {
    Fault::step(
        crate::fault::codes::ENTITIES_UNRESOLVED_VARIABLE,
        format!(
            "RaiseFault[{}]: unable to resolve variable {}",
            meta.name, u.0
        ),
    )
}

/// A FaultResponse operation that could not be applied.
pub fn op_failed(meta: &PolicyMeta, what: &str, why: impl std::fmt::Display) -> Fault {
    Fault::step(
        CODE,
        format!("RaiseFault[{}]: unable to set {what}: {why}", meta.name),
    )
}
