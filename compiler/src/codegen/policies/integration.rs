//! SetIntegrationRequest, IntegrationCallout and IntegrationEndpoint routes:
//! configuration as `static` data, behaviour in `__rt::sir` / `__rt::ic`.

use super::super::Gen;
use super::super::vars;
use crate::ir::{
    IntegrationCallout, IntegrationParam, IntegrationRoute, IntegrationVars, ParamType, RefOrText,
    SetIntegrationRequest, Var,
};
use proc_macro2::{Ident, TokenStream};
use quote::quote;

fn reference(r: &Option<(String, Var)>) -> TokenStream {
    match r {
        Some((name, var)) => {
            let var = vars::var(var);
            quote!(Some((#name, #var)))
        }
        None => quote!(None),
    }
}

fn prop(p: &RefOrText) -> TokenStream {
    let reference = reference(&p.reference);
    let text = &p.text;
    quote!(__rt::sir::Prop { reference: #reference, text: #text })
}

/// The request object's path when the project, region and name are all
/// literal text (the runtime builds the same path per request otherwise).
fn literal_path(sir: &SetIntegrationRequest) -> TokenStream {
    let literal =
        |p: &RefOrText| (p.reference.is_none() && !p.text.is_empty()).then_some(p.text.clone());
    let path = (|| {
        let name = match &sir.name {
            Some(p) => literal(p)?,
            None => "-".to_owned(),
        };
        let (project, region) = (literal(&sir.project)?, literal(&sir.region)?);
        Some(format!(
            "/v1/projects/{project}/locations/{region}/integrations/{name}:execute"
        ))
    })();
    match path {
        Some(path) => quote!(Some(#path)),
        None => quote!(None),
    }
}

fn opt_prop(p: Option<&RefOrText>) -> TokenStream {
    match p {
        Some(p) => {
            let p = prop(p);
            quote!(Some(#p))
        }
        None => quote!(None),
    }
}

fn param(p: &IntegrationParam) -> TokenStream {
    let name = &p.name;
    let kind = match p.kind {
        ParamType::String => quote!(String),
        ParamType::Integer => quote!(Integer),
        ParamType::Boolean => quote!(Boolean),
        ParamType::Double => quote!(Double),
        ParamType::Json => quote!(Json),
    };
    let array = p.array;
    let value = prop(&p.value);
    let values = p.values.iter().map(prop);
    quote! {
        __rt::sir::Param {
            name: #name,
            kind: __rt::sir::ParamType::#kind,
            array: #array,
            value: #value,
            values: &[#(#values),*],
        }
    }
}

/// The `integration.*` variables the callout reads.
fn target_vars(v: &IntegrationVars) -> TokenStream {
    let (project, name, region) = (
        vars::var(&v.project),
        vars::var(&v.name),
        vars::var(&v.region),
    );
    quote!(__rt::ic::TargetVars { project: #project, name: #name, region: #region })
}

fn request(r: &(String, Var)) -> TokenStream {
    let (name, var) = (&r.0, vars::var(&r.1));
    quote!((#name, #var))
}

impl Gen<'_> {
    pub(super) fn set_integration_request(
        &self,
        meta: &Ident,
        sir: &SetIntegrationRequest,
    ) -> TokenStream {
        let project = prop(&sir.project);
        let name = opt_prop(sir.name.as_ref());
        let region = prop(&sir.region);
        let trigger = prop(&sir.trigger);
        let schedule_time = opt_prop(sir.schedule_time.as_ref());
        let params = sir.params.iter().map(param);
        let key_order = &sir.key_order;
        let slot = sir.request_slot;
        let path = literal_path(sir);
        let v = &sir.vars;
        let set = [&v.project, &v.name, &v.region, &v.trigger].map(vars::var);
        quote! {
            static CONFIG: __rt::sir::Config = __rt::sir::Config {
                project: #project,
                name: #name,
                region: #region,
                trigger: #trigger,
                schedule_time: #schedule_time,
                params: &[#(#params),*],
                key_order: &[#(#key_order),*],
                request_slot: #slot,
                literal_path: #path,
                vars: [#(#set),*],
            };
            __rt::sir::execute(ctx, &#meta, &CONFIG)
        }
    }

    pub(super) fn integration_callout(&self, meta: &Ident, ic: &IntegrationCallout) -> TokenStream {
        let request = request(&ic.request);
        let clear = ic.clear_payload;
        let is_async = ic.async_execution;
        let response = vars::msg_sel(ic.response);
        let target = target_vars(&ic.vars);
        quote! {
            static CONFIG: __rt::ic::Config = __rt::ic::Config {
                request: #request,
                clear_payload: #clear,
                async_execution: #is_async,
                response: #response,
                target: #target,
            };
            __rt::ic::execute(ctx, &#meta, &CONFIG).await
        }
    }

    /// A RouteRule's IntegrationEndpoint call (the result becomes `response`).
    pub(crate) fn integration_route(&self, route: &IntegrationRoute) -> TokenStream {
        let name = &route.name;
        let is_async = route.async_execution;
        let request = request(&route.request);
        let target = target_vars(&route.vars);
        quote! {
            static ENDPOINT: __rt::ic::EndpointConfig = __rt::ic::EndpointConfig {
                name: #name,
                async_execution: #is_async,
                request: #request,
                target: #target,
            };
            __rt::ic::call_endpoint(ctx, &ENDPOINT).await?;
        }
    }
}
