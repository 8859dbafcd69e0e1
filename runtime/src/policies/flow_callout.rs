//! FlowCallout: parameters, then the shared flow on the caller's context.
//!
//! Each bundle has its own user-variable slots. Calling a shared flow swaps
//! the caller's slot array for one of the shared flow's size, moving each
//! shared variable in (by a slot map the compiler computed, or by name for a
//! mounted shared flow) and back out afterwards, whatever the outcome.
//! Values are moved, never copied.

use crate::ctx::{Ctx, Slots};
use crate::fault::{Fault, FaultCategory};
use crate::flow::PolicyMeta;
use crate::value::Value;
use crate::vars::{Var, read, write};

/// Fault code when a mounted shared flow is missing at run time.
pub const SHARED_FLOW_NOT_FOUND: &str = "flow.SharedFlowNotFound";

/// The caller's slots while a shared flow runs.
#[derive(Debug)]
pub struct CallerSlots {
    slots: Slots,
    names: &'static [&'static str],
}

/// Sets a parameter from its literal text.
pub fn set_literal(
    ctx: &mut Ctx,
    meta: &PolicyMeta,
    target: &Var,
    value: &'static str,
) -> Result<(), Fault> {
    write(ctx, target, Value::str(value)).map_err(|e| param_fault(meta, &e))
}

/// Sets a parameter from another variable (`ref`); an unset variable
/// leaves the parameter unset.
pub fn set_ref(ctx: &mut Ctx, meta: &PolicyMeta, target: &Var, source: &Var) -> Result<(), Fault> {
    let value = read(ctx, source).into_owned();
    if matches!(value, Value::Null) {
        return Ok(());
    }
    write(ctx, target, value).map_err(|e| param_fault(meta, &e))
}

fn param_fault(meta: &PolicyMeta, why: &dyn std::fmt::Display) -> Fault {
    Fault::step(
        "steps.flowcallout.ExecutionFailed",
        format!(
            "FlowCallout {}: a parameter cannot be set: {why}",
            meta.name
        ),
    )
}

/// Before a compiled-in shared flow: `map[i]` is the caller's slot for the
/// shared flow's slot `i`; `names` are the shared flow's slot names.
pub fn enter(ctx: &mut Ctx, map: &[usize], names: &'static [&'static str]) -> CallerSlots {
    swap_in(ctx, map.iter().map(|&i| Some(i)), names)
}

/// After a compiled-in shared flow (success or fault): moves the shared
/// variables back and restores the caller's slots.
pub fn leave(ctx: &mut Ctx, caller: CallerSlots, map: &[usize]) {
    swap_out(ctx, caller, map.iter().map(|&i| Some(i)));
}

fn swap_in(
    ctx: &mut Ctx,
    map: impl ExactSizeIterator<Item = Option<usize>>,
    names: &'static [&'static str],
) -> CallerSlots {
    let mut inner = Slots::with_capacity(map.len());
    for outer in map {
        let value = outer
            .and_then(|i| ctx.slots.get_mut(i))
            .map(std::mem::take)
            .unwrap_or_default();
        inner.push(value);
    }
    let slots = std::mem::replace(&mut ctx.slots, inner);
    let names = std::mem::replace(&mut ctx.slot_names, names);
    CallerSlots { slots, names }
}

fn swap_out(ctx: &mut Ctx, caller: CallerSlots, map: impl Iterator<Item = Option<usize>>) {
    let mut inner = std::mem::replace(&mut ctx.slots, caller.slots);
    ctx.slot_names = caller.names;
    for (value, outer) in inner.iter_mut().zip(map) {
        if let Some(slot) = outer.and_then(|i| ctx.slots.get_mut(i)) {
            *slot = std::mem::take(value);
        }
    }
}

/// Runs a shared flow mounted on the gateway (compiled in another build):
/// variables are shared by name; those the caller has no slot for do not
/// outlive the call.
pub async fn call_mounted(ctx: &mut Ctx, name: &'static str) -> Result<(), Fault> {
    let Some(flow) = ctx.env.shared_flow(name) else {
        return Err(Fault::platform(
            SHARED_FLOW_NOT_FOUND,
            500,
            FaultCategory::Step,
            format!("Shared flow {name} is not mounted in this environment"),
        ));
    };
    let callee = flow.meta().slots;
    let map: Vec<Option<usize>> = callee
        .iter()
        .map(|n| ctx.slot_names.iter().position(|c| c == n))
        .collect();
    let caller = swap_in(ctx, map.iter().copied(), callee);
    let result = flow.run(ctx).await;
    swap_out(ctx, caller, map.into_iter());
    result
}

/// Reads the request (and the response, when there is one) whole, for a
/// shared flow whose policies read message content.
pub async fn buffer_content(ctx: &mut Ctx, request: bool, response: bool) -> Result<(), Fault> {
    let limit = ctx.env.max_body_bytes();
    if request {
        crate::body::buffer(&mut ctx.request, limit).await?;
    }
    if response && let Some(resp) = ctx.response.as_mut() {
        crate::body::buffer(resp, limit).await?;
    }
    Ok(())
}
