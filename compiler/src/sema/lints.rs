//! Warnings beyond validity: variables read but never set (with "did you
//! mean" for typos of built-ins) and conditional flows that can never run.
//! Like every warning they can be silenced with `Options::allow`.

use super::Sema;
use super::vars::{MESSAGES, NAMED_PROPS, builtin_names, plain_prop_names};
use crate::diagnostics::{Code, Diagnostic, Span};
use crate::expr::condition::Expr;
use crate::ir::{self, MessageOp, MsgSel, PolicyBody, Var};
use crate::syntax::xml::Element;
use std::collections::BTreeSet;

impl Sema<'_> {
    /// Records a variable read (condition, template, `Ref`) for the
    /// unset-variable lint.
    pub(super) fn note_read(&mut self, name: &str, span: Span) {
        self.reads.push((name.to_owned(), span));
    }

    /// Warns about ServiceCallout `<Response>` variables nothing reads (the
    /// proxy then waits for a response it never uses: dropping `<Response>`
    /// makes the callout fire-and-forget).
    fn report_unread_callout_responses(&mut self) {
        let names: Vec<String> = self.reads.iter().map(|(n, _)| n.clone()).collect();
        let mut read: BTreeSet<usize> = BTreeSet::new();
        for name in names {
            if let Var::Msg(MsgSel::Slot(i), _) | Var::MsgObject(MsgSel::Slot(i)) =
                self.vars.resolve(&name)
            {
                read.insert(i);
            }
        }
        read.extend(self.policies.iter().flat_map(|p| messages_used(&p.body)));
        let unread: Vec<(String, usize)> = self
            .policies
            .iter()
            .filter_map(|p| match &p.body {
                PolicyBody::ServiceCallout(sc) => match sc.response {
                    Some(MsgSel::Slot(i)) if !read.contains(&i) => Some((p.name.clone(), i)),
                    _ => None,
                },
                _ => None,
            })
            .collect();
        for (policy, slot) in unread {
            let var = self.vars.slot_name(slot).unwrap_or_default().to_owned();
            let span = self.policy_xml.get(&policy).map(|el| {
                el.child("Response")
                    .map_or_else(|| el.span(), Element::span)
            });
            let mut d = Diagnostic::warning(
                Code::UNREAD_CALLOUT_RESPONSE,
                format!("ServiceCallout `{policy}` stores its response in `{var}`, which nothing reads"),
            )
            .help(format!(
                "read it (e.g. `{var}.content`) or remove <Response> so the callout does not hold up the flow"
            ));
            if let Some(span) = span {
                d = d.at(span, "never read");
            }
            self.diags.push(d);
        }
    }

    /// Warns once per name about variables that resolve to a user slot no
    /// compiled policy writes. Run on a bundle without errors only: a
    /// rejected bundle may hold policies whose variables are unknown.
    pub(super) fn report_unset_variables(&mut self) {
        self.report_unread_callout_responses();
        let written = written_slots(&self.policies);
        let written_names: Vec<String> = written
            .iter()
            .filter_map(|&i| self.vars.slot_name(i).map(str::to_owned))
            .collect();
        let mut reported = BTreeSet::new();
        for (name, span) in std::mem::take(&mut self.reads) {
            let Var::Slot(slot) = self.vars.resolve(&name) else {
                continue;
            };
            if written.contains(&slot) || !reported.insert(name.clone()) {
                continue;
            }
            let candidates = self.candidates(&name, &written_names);
            let refs: Vec<&str> = candidates.iter().map(String::as_str).collect();
            let help = match crate::suggest::closest(&name, &refs) {
                Some(s) => format!("did you mean `{s}`?"),
                None => "set it with an AssignMessage <AssignVariable> before it is read, \
                         or check the spelling (built-ins are listed in the README)"
                    .to_owned(),
            };
            self.diags.push(
                Diagnostic::warning(
                    Code::UNSET_VARIABLE,
                    format!(
                        "variable `{name}` is read but never set by a policy and is not a built-in"
                    ),
                )
                .at(span, "always unset (null) here")
                .help(help),
            );
        }
    }

    /// Names a misspelt variable may have meant: built-ins, message
    /// properties of the same (or a near) message, variables policies set.
    fn candidates(&self, name: &str, written: &[String]) -> Vec<String> {
        let mut out: Vec<String> = builtin_names().collect();
        out.extend(written.iter().cloned());
        let Some((_, rest)) = name.split_once('.') else {
            return out;
        };
        // The rest after the first segment: `request.headers.x` → `x`.
        let tail = rest.split_once('.').map(|(_, t)| t);
        let messages = MESSAGES.iter().copied().chain(self.vars.message_names());
        for m in messages {
            out.push(format!("{m}.{rest}"));
            out.extend(plain_prop_names().map(|p| format!("{m}.{p}")));
            if let Some(tail) = tail {
                out.extend(NAMED_PROPS.iter().map(|p| format!("{m}.{p}.{tail}")));
            }
        }
        out.retain(|c| c != name);
        out
    }

    /// Warns about conditional flows after one that always matches.
    /// `flows` holds each Flow element and whether it always matches.
    pub(super) fn report_unreachable_flows(&mut self, flows: &[(&Element, bool)]) {
        let Some(first) = flows.iter().position(|(_, always)| *always) else {
            return;
        };
        let Some((always_el, _)) = flows.get(first) else {
            return;
        };
        let always_span = always_el.span();
        let always_name = flow_name(always_el);
        for (el, _) in flows.iter().skip(first + 1) {
            self.diags.push(
                Diagnostic::warning(
                    Code::UNREACHABLE_FLOW,
                    format!("Flow `{}` can never run", flow_name(el)),
                )
                .at(el.span(), "after a Flow that always matches")
                .also(
                    always_span.clone(),
                    format!("Flow `{always_name}` always matches"),
                )
                .help("only the first matching Flow runs: give the earlier Flow a condition or move it last"),
            );
        }
    }
}

/// Whether a compiled flow condition always holds (`None` = no condition).
pub(super) fn always_matches(condition: Option<&ir::Condition>) -> bool {
    condition.is_none_or(|c| matches!(c.expr, Expr::Const(true, _)))
}

fn flow_name(el: &Element) -> String {
    el.attr("name")
        .map_or_else(String::new, |n| n.trimmed().to_owned())
}

/// Slots some compiled policy writes: `failed` flags and assigned variables.
///
/// Every policy type that sets flow variables must be listed here (the
/// match is exhaustive on purpose), or reads of its variables are reported
/// as unset.
/// Message slots a policy reads as a whole (Copy sources, request
/// variables, extraction sources).
fn messages_used(body: &PolicyBody) -> Vec<usize> {
    let copy_sources = |ops: &[MessageOp]| -> Vec<usize> {
        ops.iter()
            .filter_map(|op| match op {
                MessageOp::Copy(c) => match c.source {
                    MsgSel::Slot(i) => Some(i),
                    _ => None,
                },
                _ => None,
            })
            .collect()
    };
    match body {
        PolicyBody::AssignMessage(am) => copy_sources(&am.ops),
        PolicyBody::RaiseFault(rf) => copy_sources(&rf.ops),
        PolicyBody::ServiceCallout(sc) => {
            let mut v = copy_sources(&sc.ops);
            if let MsgSel::Slot(i) = sc.request {
                v.push(i);
            }
            v
        }
        PolicyBody::ExtractVariables(ev) => match ev.source {
            ir::EvSource::Message(MsgSel::Slot(i)) => vec![i],
            _ => Vec::new(),
        },
        PolicyBody::IntegrationCallout(ic) => match ic.request.1 {
            Var::Slot(i) | Var::MsgObject(MsgSel::Slot(i)) => vec![i],
            _ => Vec::new(),
        },
        PolicyBody::SetIntegrationRequest(_) => Vec::new(),
        // A shared flow compiled in the build may read any of its variables.
        PolicyBody::FlowCallout(fc) => shared_flow_slots(fc),
    }
}

/// The caller's slots a compiled-in shared flow shares (none are known for
/// a mounted one).
fn shared_flow_slots(fc: &ir::FlowCallout) -> Vec<usize> {
    match &fc.call {
        ir::SharedFlowCall::Compiled { slot_map, .. } => slot_map.clone(),
        ir::SharedFlowCall::Mounted => Vec::new(),
    }
}

fn written_slots(policies: &[ir::Policy]) -> BTreeSet<usize> {
    let mut out = BTreeSet::new();
    for p in policies {
        out.insert(p.failed_slot);
        let ops = match &p.body {
            PolicyBody::AssignMessage(am) => &am.ops,
            PolicyBody::RaiseFault(rf) => &rf.ops,
            PolicyBody::SetIntegrationRequest(sir) => {
                out.insert(sir.request_slot);
                let v = &sir.vars;
                for var in [&v.project, &v.name, &v.region, &v.trigger] {
                    if let Var::Slot(i) = var {
                        out.insert(*i);
                    }
                }
                continue;
            }
            PolicyBody::IntegrationCallout(ic) => {
                if let MsgSel::Slot(i) = ic.response {
                    out.insert(i);
                }
                continue;
            }
            PolicyBody::ServiceCallout(sc) => {
                for sel in std::iter::once(sc.request).chain(sc.response) {
                    if let MsgSel::Slot(i) = sel {
                        out.insert(i);
                    }
                }
                out.extend([sc.target_url_slot, sc.requesturi_slot]);
                for op in &sc.ops {
                    if let MessageOp::AssignVariable(av) = op
                        && let Var::Slot(i) = av.target
                    {
                        out.insert(i);
                    }
                }
                continue;
            }
            PolicyBody::ExtractVariables(ev) => {
                out.extend(ev.targets.iter().filter_map(|(_, v)| match v {
                    Var::Slot(i) => Some(*i),
                    _ => None,
                }));
                continue;
            }
            PolicyBody::FlowCallout(fc) => {
                // Parameters, and whatever the shared flow may set.
                out.extend(fc.params.iter().filter_map(|p| match p.target {
                    Var::Slot(i) => Some(i),
                    _ => None,
                }));
                out.extend(shared_flow_slots(fc));
                continue;
            }
        };
        for op in ops {
            if let MessageOp::AssignVariable(av) = op
                && let Var::Slot(i) = av.target
            {
                out.insert(i);
            }
        }
    }
    out
}
