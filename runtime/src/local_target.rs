//! TargetEndpoints with a `LocalTargetConnection`: the request runs
//! through the full flow of another proxy of the environment, in-process,
//! through the gateway's [`dispatch_local`] (shared with ServiceCallout).

use crate::ctx::Ctx;
use crate::fault::{Fault, FaultCategory, codes};
use crate::gateway::{LocalTarget, dispatch_local};
use crate::target::{LOCAL_PROPERTIES, store_response};

/// Sends `ctx.request` to the local proxy `target` and stores its response
/// in `ctx.response`. The other proxy sees the path suffix (and the query,
/// as `target.copy.*` say), the headers and the body; a status outside 1xx–3xx
/// is the `ErrorResponseCode` fault, as for an HTTP target.
pub async fn call(ctx: &mut Ctx, target: &'static LocalTarget) -> Result<(), Fault> {
    let mut request = ctx.request.clone_buffered();
    request.body = std::mem::take(&mut ctx.request.body);
    if ctx.target.copy_pathsuffix && !ctx.proxy.pathsuffix.is_empty() {
        request.set_path(ctx.proxy.pathsuffix.as_str().to_owned());
    } else {
        request.set_path("/");
    }
    if !ctx.target.copy_queryparams {
        request.query_mut().clear();
    }
    if let Some(t) = &mut ctx.trace {
        t.note(format!("→ local target {target:?}"));
    }
    let env = std::sync::Arc::clone(&ctx.env);
    let response = dispatch_local(&env, target, request).await.map_err(|why| {
        Fault::platform(
            codes::SERVICE_UNAVAILABLE,
            503,
            FaultCategory::Messaging,
            format!("The local target is unavailable: {why}"),
        )
        .with_reason("LOCAL_TARGET_NOT_FOUND")
    })?;
    if let Some(t) = &mut ctx.trace {
        t.note(format!("← local target {}", response.status));
    }
    store_response(ctx, response, &LOCAL_PROPERTIES)
}
