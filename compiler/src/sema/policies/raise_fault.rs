//! RaiseFault (policies.md §6).

use super::super::Sema;
use crate::ir::RaiseFault;
use crate::syntax::xml::Element;

impl Sema<'_> {
    pub(super) fn raise_fault(&mut self, el: &Element) -> Option<RaiseFault> {
        self.check_children(
            el,
            &[
                "DisplayName",
                "Description",
                "IgnoreUnresolvedVariables",
                "ShortFaultReason",
                "FaultResponse",
                "Properties",
                "FaultRules",
            ],
        );
        // Default believed true (policies.md §6, unconfirmed).
        let ignore_unresolved = self.bool_text(el.child("IgnoreUnresolvedVariables"), true);
        let short_reason = self.bool_text(el.child("ShortFaultReason"), false);
        let fr = el.child("FaultResponse");
        let ops = fr.map(|fr| self.message_ops(fr, &[])).unwrap_or_default();
        Some(RaiseFault {
            ignore_unresolved,
            short_reason,
            has_fault_response: fr.is_some(),
            ops,
        })
    }
}
