//! TargetEndpoints with a `LocalTargetConnection`: the request goes through
//! another proxy of the environment in-process (its full flow, no socket).

use super::Sema;
use crate::ir;
use crate::syntax::xml::Element;

impl Sema<'_> {
    /// A TargetEndpoint whose connection is `local` (a
    /// `LocalTargetConnection`): its flows and fault handling as for an
    /// HTTP target, and the proxy (`APIProxy` + `ProxyEndpoint`) or base
    /// path (`Path`) it calls. The names are literal; the gateway checks at
    /// start-up that they are served.
    pub(super) fn local_target_endpoint(
        &mut self,
        ep: &Element,
        name: String,
        local: &Element,
    ) -> Option<ir::TargetEndpoint> {
        let target = self.callout_local(local)?;
        Some(ir::TargetEndpoint {
            name,
            flows: self.flows(ep),
            connection: ir::TargetConnection::Local(target),
            faults: self.fault_handling(ep, false),
            source: self.source_ref(&ep.span()),
        })
    }
}
