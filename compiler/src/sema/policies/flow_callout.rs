//! FlowCallout: runs a shared flow with `<Parameters>` set first. A shared
//! flow compiled in the same build is called directly (its slots mapped
//! onto the caller's at compile time, see [`crate::sema::shared_flows`]);
//! any other is looked up among the shared flows mounted on the gateway,
//! which checks at start-up that it is there.

use super::super::Sema;
use crate::diagnostics::{Code, Diagnostic};
use crate::ir::{FlowCallout, FlowParam, FlowParamValue, SharedFlowCall};
use crate::syntax::xml::Element;

impl Sema<'_> {
    pub(super) fn flow_callout(&mut self, el: &Element) -> Option<FlowCallout> {
        self.check_children(el, &["DisplayName", "SharedFlowBundle", "Parameters"]);
        let Some(sf_text) = el
            .child_text("SharedFlowBundle")
            .filter(|t| !t.trimmed().is_empty())
        else {
            self.missing(
                el,
                "SharedFlowBundle",
                "name the shared flow to run: <SharedFlowBundle>my-shared-flow</SharedFlowBundle>",
            );
            return None;
        };
        let shared_flow = sf_text.trimmed().to_owned();
        if self.shared_flow_name.as_deref() == Some(shared_flow.as_str()) {
            self.diags.push(
                Diagnostic::error(
                    Code::FLOW_CALLOUT_SELF,
                    format!("shared flow `{shared_flow}` calls itself"),
                )
                .at(sf_text.span(), "the bundle this policy belongs to")
                .help("a shared flow cannot call itself; move the repeated Steps into a flow of their own"),
            );
            return None;
        }
        let params = self.flow_params(el);
        let call = match self.linked.flows.get(&shared_flow) {
            Some(sig) => {
                let slots = sig.slots.clone();
                SharedFlowCall::Compiled {
                    module: sig.module.clone(),
                    slot_map: slots.iter().map(|n| self.vars.slot(n)).collect(),
                }
            }
            None => {
                let known: Vec<&str> = self.linked.flows.keys().map(String::as_str).collect();
                let help = match crate::suggest::closest(&shared_flow, &known) {
                    Some(s) => format!("did you mean `{s}`?"),
                    None => "compile the shared flow bundle in the same build (Builder::bundle), \
                             or mount it with Gateway::mount_shared_flow"
                        .to_owned(),
                };
                self.diags.push(
                    Diagnostic::warning(
                        Code::SHARED_FLOW_NOT_IN_BUILD,
                        format!(
                            "shared flow `{shared_flow}` is not compiled in this build; the gateway must mount it (checked at start-up)"
                        ),
                    )
                    .at(sf_text.span(), "not in this build")
                    .help(help),
                );
                SharedFlowCall::Mounted
            }
        };
        Some(FlowCallout {
            shared_flow,
            params,
            call,
        })
    }

    /// `<Parameters><Parameter name="x">literal</Parameter><Parameter name="y" ref="v"/>`.
    fn flow_params(&mut self, el: &Element) -> Vec<FlowParam> {
        let Some(list) = el.child("Parameters") else {
            return Vec::new();
        };
        self.check_children(list, &["Parameter"]);
        let mut out = Vec::new();
        for p in list.children_named("Parameter") {
            let Some(name) = self.required_attr(
                p,
                "name",
                Code::MISSING_ELEMENT,
                "<Parameter> has no name attribute".into(),
                "unnamed parameter",
                "name the flow variable it sets: <Parameter name=\"my.var\">value</Parameter>",
            ) else {
                continue;
            };
            let Some(target) = self.writable_var(
                &name,
                p.span(),
                "cannot be set by a parameter",
                "pass the value in a variable of your own",
            ) else {
                continue;
            };
            let value = match p.attr("ref").filter(|r| !r.trimmed().is_empty()) {
                Some(r) => {
                    let var_name = r.trimmed().to_owned();
                    self.note_read(&var_name, r.span());
                    let var = self.vars.resolve(&var_name);
                    self.note_content_need(&var);
                    FlowParamValue::Ref(var)
                }
                None => FlowParamValue::Literal(p.text_str().to_owned()),
            };
            out.push(FlowParam {
                name,
                target,
                value,
            });
        }
        out
    }
}
