//! The start-up check of a gateway: every shared flow and local target the
//! mounted proxies name (and the build could not link) is served.

use crate::gateway::{Route, resolve_local};
use crate::shared_flow::SharedFlows;
use std::collections::BTreeSet;

/// One line per missing name, naming the proxy and the policy or endpoint.
pub(crate) fn check(routes: &[Route], shared_flows: &SharedFlows) -> Result<(), String> {
    let mut problems = BTreeSet::new();
    for route in routes {
        let proxy = route.proxy.meta().name;
        let needs = route.proxy.requirements();
        for r in needs.shared_flows {
            if !shared_flows.contains_key(r.shared_flow) {
                problems.insert(format!(
                    "proxy `{proxy}`: FlowCallout `{}` calls shared flow `{}`, which is not mounted \
                     (compile it with the proxy or mount it with Gateway::mount_shared_flow)",
                    r.policy, r.shared_flow
                ));
            }
        }
        for r in needs.local_targets {
            if let Err(why) = resolve_local(routes, &r.target, String::new()) {
                problems.insert(format!(
                    "proxy `{proxy}`: {} has a LocalTargetConnection: {why}",
                    r.from
                ));
            }
        }
    }
    if problems.is_empty() {
        Ok(())
    } else {
        let list: Vec<String> = problems.into_iter().collect();
        Err(format!(
            "the environment is incomplete:\n  {}",
            list.join("\n  ")
        ))
    }
}
