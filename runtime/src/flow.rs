//! Running one Step: the policy's tracing span, its `<ns>.<name>.failed`
//! flag, `continueOnError`, and the Debug trace entry.

use crate::ctx::{Ctx, FaultVars, Phase, Slot};
use crate::fault::{Fault, FaultResponse};
use crate::value::Value;
use std::time::Instant;

/// Static description of a policy, emitted by the compiler.
#[derive(Debug)]
pub struct PolicyMeta {
    /// `name` attribute.
    pub name: &'static str,
    /// Policy type (root element), e.g. `AssignMessage`.
    pub kind: &'static str,
    /// `continueOnError`.
    pub continue_on_error: bool,
    /// Slot of the `<ns>.<name>.failed` flag.
    pub failed_slot: usize,
}

/// A Step in progress: created before the policy runs, finished after.
pub struct StepGuard {
    meta: &'static PolicyMeta,
    span: tracing::Span,
    /// When the step started; only taken when a subscriber records the
    /// span or the request is traced (nothing else reads the duration).
    start: Option<Instant>,
}

impl StepGuard {
    /// Starts a step: opens the policy's span.
    #[inline]
    pub fn start(ctx: &Ctx, meta: &'static PolicyMeta) -> Self {
        let span = tracing::info_span!(
            "policy",
            proxy = ctx.meta.name,
            flow = ctx.current_flow,
            policy = meta.name,
            kind = meta.kind,
            outcome = tracing::field::Empty,
            duration_us = tracing::field::Empty,
        );
        let timed = !span.is_disabled() || ctx.trace.is_some();
        StepGuard {
            meta,
            span,
            start: timed.then(Instant::now),
        }
    }

    /// Whether a subscriber records the policy's span (when none does,
    /// instrumenting the policy's future would only move it).
    #[inline]
    pub fn is_recorded(&self) -> bool {
        !self.span.is_disabled()
    }

    /// The span to instrument the policy's future with.
    #[inline]
    pub fn span(&self) -> tracing::Span {
        self.span.clone()
    }

    /// Runs a synchronous policy inside the span.
    #[inline]
    pub fn in_scope<R>(&self, f: impl FnOnce() -> R) -> R {
        self.span.in_scope(f)
    }

    /// Finishes the step: sets the failed flag, records the outcome, and
    /// applies `continueOnError` (a failure it covers becomes `Ok`).
    #[inline]
    pub fn finish(self, ctx: &mut Ctx, result: Result<(), Fault>) -> Result<(), Fault> {
        let failed = result.is_err();
        ctx.set_slot(self.meta.failed_slot, Slot::Value(Value::Bool(failed)));
        let outcome = match (&result, self.meta.continue_on_error) {
            (Ok(()), _) => "ok",
            (Err(_), true) => "failed, continued",
            (Err(_), false) => "failed",
        };
        if let Some(start) = self.start {
            let elapsed = start.elapsed();
            self.span.record("outcome", outcome);
            self.span.record(
                "duration_us",
                u64::try_from(elapsed.as_micros()).unwrap_or(u64::MAX),
            );
            if let Some(t) = &mut ctx.trace {
                t.policy(self.meta, outcome, elapsed, result.as_ref().err());
            }
        }
        match result {
            Err(fault) if self.meta.continue_on_error => {
                tracing::debug!(parent: &self.span, code = %fault.code, "fault ignored (continueOnError)");
                Ok(())
            }
            other => other,
        }
    }
}

/// Records the evaluation of a condition in the trace; returns `value`.
#[inline]
pub fn cond(ctx: &mut Ctx, text: &'static str, value: bool) -> bool {
    if let Some(t) = &mut ctx.trace {
        t.condition(text, value);
    }
    value
}

/// Marks entry into a flow (`current.flow.name`, trace).
#[inline]
pub fn enter_flow(ctx: &mut Ctx, name: &'static str) {
    ctx.current_flow = name;
    if let Some(t) = &mut ctx.trace {
        let segment = match ctx.phase {
            Phase::ProxyRequest => "proxy request",
            Phase::TargetRequest => "target request",
            Phase::TargetResponse => "target response",
            Phase::ProxyResponse => "proxy response",
            Phase::Error => "error",
            Phase::PostClient => "post-client",
        };
        t.flow(segment, name);
    }
}

/// Why a flow stopped early: a fault to handle, or a fault already handled
/// by a TargetEndpoint's FaultRules (the ProxyEndpoint only sends the response).
#[derive(Debug)]
pub enum Abort {
    /// A fault to handle.
    Fault(Fault),
    /// The error response is ready.
    Handled,
}

impl From<Fault> for Abort {
    fn from(f: Fault) -> Self {
        Abort::Fault(f)
    }
}

/// Progress through an endpoint's FaultRules and DefaultFaultRule.
#[derive(Debug, Default)]
pub struct FaultState {
    executed: bool,
    default_ran: bool,
    raised_in_rule: bool,
}

impl FaultState {
    /// Enters the error flow for `fault`.
    pub fn enter(ctx: &mut Ctx, fault: Fault) -> Self {
        ctx.enter_fault(fault);
        FaultState::default()
    }

    /// A FaultRule matched (it counts as executed even if its Steps don't run).
    pub fn rule_matched(&mut self) {
        self.executed = true;
    }

    /// Whether a FaultRule or the DefaultFaultRule handled the fault. A
    /// TargetEndpoint fault its own error flow handled does not reach the
    /// ProxyEndpoint's FaultRules (bundle.md §5.2; the community report that
    /// the ProxyEndpoint's DefaultFaultRule runs as well is not followed).
    pub fn handled(&self) -> bool {
        self.executed || self.default_ran
    }

    /// Whether the DefaultFaultRule may run: no FaultRule executed, or it
    /// is AlwaysEnforce and no FaultRule raised a fault with RaiseFault.
    pub fn default_may_run(&self, always_enforce: bool) -> bool {
        (!self.executed || always_enforce) && !self.raised_in_rule
    }

    /// Ends a FaultRule: a RaiseFault inside it replaces the error response;
    /// another failing policy raises a new fault.
    pub fn rule_done(&mut self, ctx: &mut Ctx, result: Result<(), Fault>, is_default: bool) {
        self.default_ran |= is_default;
        if let Err(fault) = result {
            if fault.raised && !is_default {
                self.raised_in_rule = true;
            }
            ctx.enter_fault(fault);
        }
    }
}

/// The fault for "no RouteRule matched" (bundle.md §2.1).
pub fn no_route() -> Fault {
    Fault::platform(
        crate::fault::codes::ROUTE_FAILED,
        500,
        crate::fault::FaultCategory::Messaging,
        "Unable to route the message to a Target Endpoint",
    )
}

/// Re-raises the fault a TargetEndpoint's error flow did not handle, keeping
/// its code, reason, status, category and error response, so the
/// ProxyEndpoint's error flow can handle it.
pub fn refault(ctx: &mut Ctx) -> Fault {
    // Taken, not copied: the ProxyEndpoint's error flow records the
    // re-raised fault again before anything reads `fault.*`.
    let mut fault = ctx
        .fault
        .take()
        .map_or_else(|| Fault::step("", ""), FaultVars::reraise);
    if ctx.response.is_some() {
        fault.response = FaultResponse::InContext;
    }
    fault
}

/// A fault in the PostClientFlow cannot change the response any more; it
/// is logged.
pub fn log_post_client_fault(ctx: &Ctx, fault: &Fault) {
    tracing::warn!(proxy = ctx.meta.name, code = %fault.code, "fault in PostClientFlow");
}

#[cfg(test)]
mod tests {
    use super::{PolicyMeta, StepGuard};
    static POLICY: PolicyMeta = PolicyMeta {
        name: "SC-1",
        kind: "ServiceCallout",
        continue_on_error: false,
        failed_slot: 0,
    };

    /// Generated code instruments an async policy's future only when its
    /// span is recorded: a span no subscriber wants would be entered as a
    /// no-op on every poll, so skipping it changes nothing.
    #[test]
    fn a_step_span_is_recorded_only_when_a_subscriber_wants_it() {
        let ctx = crate::ctx::test_ctx(&crate::ctx::TEST_PROXY);
        assert!(!StepGuard::start(&ctx, &POLICY).is_recorded());
        let everything = tracing_subscriber::registry();
        tracing::subscriber::with_default(everything, || {
            let guard = StepGuard::start(&ctx, &POLICY);
            assert!(guard.is_recorded());
            assert!(guard.start.is_some(), "a recorded step is timed");
        });
        let errors_only = tracing_subscriber::fmt()
            .with_max_level(tracing::Level::ERROR)
            .finish();
        tracing::subscriber::with_default(errors_only, || {
            assert!(!StepGuard::start(&ctx, &POLICY).is_recorded());
        });
    }
}
