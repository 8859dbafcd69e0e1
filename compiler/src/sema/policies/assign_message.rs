//! AssignMessage (policies.md §1).

use super::super::Sema;
use crate::diagnostics::{Code, Diagnostic};
use crate::ir::{AssignMessage, AssignTo, MsgKind, MsgSel};
use crate::syntax::xml::Element;

impl Sema<'_> {
    pub(super) fn assign_message(&mut self, el: &Element) -> Option<AssignMessage> {
        let ignore_unresolved = self.bool_text(el.child("IgnoreUnresolvedVariables"), false);
        let assign_to = self.assign_to(el.child("AssignTo"))?;
        let ops = self.message_ops(
            el,
            &[
                "DisplayName",
                "Description",
                "IgnoreUnresolvedVariables",
                "AssignTo",
                "Properties",
                "FaultRules",
            ],
        );
        Some(AssignMessage {
            assign_to,
            ignore_unresolved,
            ops,
        })
    }

    fn assign_to(&mut self, el: Option<&Element>) -> Option<AssignTo> {
        let Some(el) = el else {
            return Some(AssignTo::Ambient);
        };
        let create_new = el
            .attr("createNew")
            .map(|_| self.attr_bool(el, "createNew", false));
        if let Some(t) = el.attr("transport")
            && !t.trimmed().eq_ignore_ascii_case("http")
        {
            {
                self.diags.push(
                    Diagnostic::error(
                        Code::INVALID_VALUE,
                        format!("transport=\"{}\" is not supported; only http", t.trimmed()),
                    )
                    .at(t.span(), "unsupported transport")
                    .help("remove the transport attribute; http is the only transport"),
                );
                return None;
            }
        }
        let kind = match el.attr("type").map(|t| t.trimmed().to_ascii_lowercase()) {
            None => MsgKind::ByFlow,
            Some(t) if t == "request" => MsgKind::Request,
            Some(t) if t == "response" => MsgKind::Response,
            Some(other) => {
                self.diags.push(
                    Diagnostic::error(
                        Code::INVALID_VALUE,
                        format!("type=\"{other}\" must be request or response"),
                    )
                    .at(el.span(), "invalid type")
                    .help("write type=\"request\" or type=\"response\", or leave it out"),
                );
                return None;
            }
        };
        let var = el.text_str();
        if var.is_empty() {
            return Some(if create_new == Some(true) {
                AssignTo::ReplaceAmbient(kind)
            } else {
                AssignTo::Ambient
            });
        }
        let sel = self.vars.message_sel(var).unwrap_or(MsgSel::Request);
        Some(AssignTo::Var {
            sel,
            create_new,
            kind,
        })
    }
}
