//! ServiceCallout code: the configuration as a `static`, the `<Request>`
//! operations, the rendered URL, and one call into the runtime.

use super::super::Gen;
use super::super::vars;
use super::message_ops::OpsTarget;
use crate::ir::{Audience, CalloutAuth, CalloutConnection, ServiceCallout};
use proc_macro2::{Ident, TokenStream};
use quote::quote;

fn opt_str(s: Option<&String>) -> TokenStream {
    match s {
        Some(s) => quote!(Some(#s)),
        None => quote!(None),
    }
}

fn auth(a: &CalloutAuth) -> TokenStream {
    match a {
        CalloutAuth::Access {
            scopes,
            lifetime_secs,
            header,
        } => {
            let lifetime = match lifetime_secs {
                Some(l) => quote!(Some(#l)),
                None => quote!(None),
            };
            let header = opt_str(header.as_ref());
            quote!(Some(__rt::sc::Auth::Access { scopes: &[#(#scopes),*], lifetime_secs: #lifetime, header: #header }))
        }
        CalloutAuth::Id {
            audience,
            include_email,
            header,
        } => {
            let audience = match audience {
                Audience::Literal(a) => quote!(__rt::sc::Audience::Literal(#a)),
                Audience::Ref(v) => {
                    let v = vars::var(v);
                    quote!(__rt::sc::Audience::Var(#v))
                }
                Audience::TargetUrl => quote!(__rt::sc::Audience::TargetUrl),
            };
            let header = opt_str(header.as_ref());
            quote!(Some(__rt::sc::Auth::Id { audience: #audience, include_email: #include_email, header: #header }))
        }
    }
}

impl Gen<'_> {
    pub(super) fn service_callout(
        &self,
        meta: &Ident,
        policy_name: &str,
        sc: &ServiceCallout,
    ) -> TokenStream {
        let request_var = &sc.request_var;
        let request = vars::msg_sel(sc.request);
        let clear = sc.clear_payload;
        let response = match sc.response {
            Some(sel) => {
                let sel = vars::msg_sel(sel);
                quote!(Some(#sel))
            }
            None => quote!(None),
        };
        let timeout = sc.timeout_ms;
        let (url_slot, uri_slot) = (sc.target_url_slot, sc.requesturi_slot);
        let on_unresolved = quote!(|u| __rt::sc::unresolved(&#meta, u));
        let (target, url) = match &sc.connection {
            CalloutConnection::Http {
                url,
                props,
                auth: a,
            } => {
                let props = super::super::transport::props(
                    props,
                    &super::super::transport::Site::callout(policy_name),
                );
                let a = a.as_ref().map_or_else(|| quote!(None), auth);
                let url = self.template_cow(url, sc.ignore_unresolved, &on_unresolved);
                (
                    quote!(__rt::sc::Target::Http {
                        props: #props,
                        auth: #a,
                    }),
                    quote!(Some(#url)),
                )
            }
            CalloutConnection::Local(local) => {
                let local = super::super::local_target::local_target(local);
                (quote!(__rt::sc::Target::Local(#local)), quote!(None))
            }
        };
        let ops = self.message_ops(
            &sc.ops,
            &OpsTarget {
                message: quote!(__rt::sc::request(ctx, &SC, &#meta)?),
                unresolved: quote!(__rt::sc::unresolved),
                op_failed: quote!(__rt::sc::op_failed),
                meta: quote!(#meta),
                ignore_unresolved: sc.ignore_unresolved,
                unresolved_code: "steps.servicecallout.ExecutionFailed",
            },
        );
        quote! {
            static SC: __rt::sc::Config = __rt::sc::Config {
                request_var: #request_var,
                request: #request,
                clear_payload: #clear,
                response: #response,
                timeout_ms: #timeout,
                target: #target,
                target_url_slot: #url_slot,
                requesturi_slot: #uri_slot,
            };
            __rt::sc::prepare(ctx, &SC, &#meta)?;
            #ops
            let url = #url;
            __rt::sc::execute(ctx, &SC, &#meta, url).await
        }
    }
}
