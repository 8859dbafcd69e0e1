//! Endpoints and flows as straight-line async code.

use super::{Gen, naming};
use crate::ir::{self, FaultHandling, Flows, RouteTarget, Step, TargetConnection};
use proc_macro2::{Ident, TokenStream};
use quote::{format_ident, quote};

/// Which half of a flow pair.
#[derive(Clone, Copy)]
enum Half {
    Request,
    Response,
}

impl Gen<'_> {
    /// One Step, optionally guarded by its condition.
    fn step(&mut self, step: &Step) -> TokenStream {
        let Some(policy) = self.proxy.policies.get(step.policy) else {
            return TokenStream::new();
        };
        let func = naming::ident("policy_", &policy.name);
        let meta = naming::constant("P_", &policy.name);
        let call = if policy.is_async() {
            quote!(if guard.is_recorded() { #func(ctx).instrument(guard.span()).await } else { #func(ctx).await })
        } else {
            quote!(guard.in_scope(|| #func(ctx)))
        };
        let run = quote! {
            let guard = __rt::StepGuard::start(ctx, &#meta);
            let result = #call;
            guard.finish(ctx, result)?;
        };
        match &step.condition {
            Some(c) => {
                let cond = self.condition(c);
                quote!(if #cond { #run })
            }
            None => quote!({ #run }),
        }
    }

    pub(super) fn steps(&mut self, steps: &[Step]) -> TokenStream {
        let s: Vec<TokenStream> = steps.iter().map(|s| self.step(s)).collect();
        quote!(#(#s)*)
    }

    /// PreFlow, the first matching conditional flow, PostFlow — one half.
    fn segment(&mut self, flows: &Flows, half: Half, set_flow_name: &TokenStream) -> TokenStream {
        let pick = |f: &ir::FlowSteps| match half {
            Half::Request => f.request.clone(),
            Half::Response => f.response.clone(),
        };
        let pre = self.steps(&pick(&flows.pre));
        let post = self.steps(&pick(&flows.post));
        let mut chain = TokenStream::new();
        let mut unconditional = false;
        for (i, f) in flows.conditional.iter().enumerate() {
            if unconditional {
                break;
            }
            let name = &f.name;
            let body = self.steps(&pick(&f.steps));
            let enter = quote! {
                __rt::enter_flow(ctx, #name);
                #set_flow_name
                #body
            };
            let arm = match &f.condition {
                Some(c) => {
                    let cond = self.condition(c);
                    quote!(if #cond { #enter })
                }
                None => {
                    unconditional = true;
                    quote!({ #enter })
                }
            };
            if i == 0 {
                chain = arm;
            } else {
                chain = quote!(#chain else #arm);
            }
        }
        quote! {
            __rt::enter_flow(ctx, "PreFlow");
            #pre
            #chain
            __rt::enter_flow(ctx, "PostFlow");
            #post
        }
    }

    /// FaultRules and DefaultFaultRule of an endpoint.
    fn fault_handler(&mut self, name: &Ident, faults: &FaultHandling) -> TokenStream {
        let mut rules = TokenStream::new();
        for (i, r) in faults.rules.iter().enumerate() {
            let steps = self.steps(&r.steps);
            let body = quote! {
                state.rule_matched();
                let result: Result<(), __rt::Fault> = async { #steps Ok(()) }.await;
                state.rule_done(ctx, result, false);
            };
            let arm = match &r.condition {
                Some(c) => {
                    let cond = self.condition(c);
                    quote!(if #cond { #body })
                }
                None => quote!({ #body }),
            };
            rules = if i == 0 {
                arm
            } else {
                quote!(#rules else #arm)
            };
        }
        let default = faults.default.as_ref().map(|d| {
            let always = d.always_enforce;
            let steps = self.steps(&d.rule.steps);
            let cond = match &d.rule.condition {
                Some(c) => {
                    let c = self.condition(c);
                    quote!(&& #c)
                }
                None => TokenStream::new(),
            };
            quote! {
                if state.default_may_run(#always) #cond {
                    let result: Result<(), __rt::Fault> = async { #steps Ok(()) }.await;
                    state.rule_done(ctx, result, true);
                }
            }
        });
        quote! {
            /// Error flow: FaultRules, then the DefaultFaultRule. Returns
            /// whether a FaultRule or the DefaultFaultRule handled the fault.
            async fn #name(ctx: &mut __rt::Ctx, fault: __rt::Fault) -> bool {
                let mut state = __rt::FaultState::enter(ctx, fault);
                #rules
                #default
                state.handled()
            }
        }
    }

    /// A ProxyEndpoint: its run function, flows, routes and error flow.
    pub(crate) fn proxy_endpoint(&mut self, index: usize) -> TokenStream {
        let Some(ep) = self.proxy.endpoints.get(index) else {
            return TokenStream::new();
        };
        let ep = ep.clone();
        let run = naming::ident("proxy_endpoint_", &ep.name);
        let flow = format_ident!("{run}_flow");
        let faults = format_ident!("{run}_faults");
        let post_client = format_ident!("{run}_post_client");
        let set_name = quote!(ctx.proxy.flow_name = ctx.current_flow;);
        let request = self.segment(&ep.flows, Half::Request, &set_name);
        let response = self.segment(&ep.flows, Half::Response, &set_name);
        let routes = self.routes(&ep.routes);
        let fault_fn = self.fault_handler(&faults, &ep.faults);
        let post_client_steps = self.steps(&ep.post_client);
        let buffer_request = self
            .proxy
            .needs_request_content
            .then(|| quote!(__rt::buffer_body(&mut ctx.request, ctx.env.max_body_bytes()).await?;));
        // Only a RouteRule's own `<URL>` leaves the response streaming here: a
        // TargetEndpoint buffers it after its call, an integration route reads
        // it whole, and a null route has none.
        let url_route = ep
            .routes
            .iter()
            .any(|r| matches!(r.target, RouteTarget::Url(_)));
        let buffer_response = (self.proxy.needs_response_content && url_route).then(|| {
            quote! {
                if let Some(resp) = ctx.response.as_mut() {
                    __rt::buffer_body(resp, ctx.env.max_body_bytes()).await?;
                }
            }
        });
        let doc = format!(
            " ProxyEndpoint `{}` (base path `{}`), {}.",
            ep.name, ep.base_path, ep.source
        );
        quote! {
            #[doc = #doc]
            async fn #run(ctx: &mut __rt::Ctx) {
                if let Err(__rt::Abort::Fault(fault)) = #flow(ctx).await {
                    #faults(ctx, fault).await;
                }
            }

            /// Request flows, route, response flows.
            async fn #flow(ctx: &mut __rt::Ctx) -> Result<(), __rt::Abort> {
                ctx.phase = __rt::Phase::ProxyRequest;
                #buffer_request
                #request
                #routes
                ctx.phase = __rt::Phase::ProxyResponse;
                #buffer_response
                #response
                Ok(())
            }

            #fault_fn

            /// PostClientFlow: runs after the response was sent.
            async fn #post_client(ctx: &mut __rt::Ctx) {
                ctx.phase = __rt::Phase::PostClient;
                let result: Result<(), __rt::Abort> = async {
                    __rt::enter_flow(ctx, "PostClientFlow");
                    #post_client_steps
                    Ok(())
                }
                .await;
                if let Err(__rt::Abort::Fault(fault)) = result {
                    __rt::log_post_client_fault(ctx, &fault);
                }
            }
        }
    }

    /// RouteRules: the first whose condition holds wins.
    fn routes(&mut self, routes: &[ir::RouteRule]) -> TokenStream {
        let mut chain = TokenStream::new();
        let mut unconditional = false;
        for (i, r) in routes.iter().enumerate() {
            if unconditional {
                break;
            }
            let name = &r.name;
            let action = match &r.target {
                RouteTarget::Endpoint(t) => {
                    let Some(target) = self.proxy.targets.get(*t) else {
                        continue;
                    };
                    let tname = &target.name;
                    let f = naming::ident("target_endpoint_", tname);
                    quote! {
                        ctx.target.route_name = Some(#name);
                        ctx.target.route_target = Some(#tname);
                        #f(ctx).await?;
                    }
                }
                RouteTarget::Url(u) => {
                    let url = self.template_cow(u, true, &TokenStream::new());
                    quote! {
                        ctx.target.route_name = Some(#name);
                        static ROUTE_PROPS: __rt::TargetProperties = __rt::TargetProperties::defaults();
                        __rt::call_target(ctx, #url, &ROUTE_PROPS, REQUEST_HEADERS_AFTER_TARGET).await?;
                    }
                }
                RouteTarget::Integration(route) => {
                    let call = self.integration_route(route);
                    let tname = &route.name;
                    quote! {
                        ctx.target.route_name = Some(#name);
                        ctx.target.route_target = Some(#tname);
                        #call
                    }
                }
                RouteTarget::Null => quote! {
                    ctx.target.route_name = Some(#name);
                    ctx.response.get_or_insert_with(__rt::Message::new_response);
                },
            };
            let arm = match &r.condition {
                Some(c) => {
                    let cond = self.condition(c);
                    quote!(if #cond { #action })
                }
                None => {
                    unconditional = true;
                    quote!({ #action })
                }
            };
            chain = if i == 0 {
                arm
            } else {
                quote!(#chain else #arm)
            };
        }
        if unconditional {
            chain
        } else if routes.is_empty() {
            // No RouteRule at all: nothing to call (a null route).
            quote!(ctx.response.get_or_insert_with(__rt::Message::new_response);)
        } else {
            quote!(#chain else { return Err(__rt::Abort::Fault(__rt::no_route())); })
        }
    }

    /// A TargetEndpoint: request flows, the backend call, response flows,
    /// and its own error flow.
    pub(crate) fn target_endpoint(&mut self, index: usize) -> TokenStream {
        let Some(te) = self.proxy.targets.get(index) else {
            return TokenStream::new();
        };
        let te = te.clone();
        let run = naming::ident("target_endpoint_", &te.name);
        let flow = format_ident!("{run}_flow");
        let faults = format_ident!("{run}_faults");
        let props = format_ident!("{}", naming::constant("TARGET_PROPS_", &te.name));
        let set_name = quote!(ctx.target.flow_name = Some(ctx.current_flow););
        let request = self.segment(&te.flows, Half::Request, &set_name);
        let response = self.segment(&te.flows, Half::Response, &set_name);
        let name = &te.name;
        let (statics, set_url, call) = match &te.connection {
            TargetConnection::Http { url, props: p } => {
                let url = self.template_cow(url, true, &TokenStream::new());
                let props_value =
                    super::transport::props(p, &super::transport::Site::target(&te.name));
                (
                    quote!(static #props: __rt::TargetProperties = #props_value;),
                    quote!(ctx.target.url = Some(#url);),
                    quote! {
                        let url = ctx.target.url.clone().unwrap_or_default();
                        __rt::call_target(ctx, url, &#props, REQUEST_HEADERS_AFTER_TARGET).await?;
                    },
                )
            }
            TargetConnection::Local(local) => {
                let constant = naming::constant("LOCAL_TARGET_", &te.name);
                let (statics, call) = self.local_connection(&constant, local);
                (statics, TokenStream::new(), call)
            }
        };
        let buffer_response = self.proxy.needs_response_content.then(|| {
            quote! {
                if let Some(resp) = ctx.response.as_mut() {
                    __rt::buffer_body(resp, ctx.env.max_body_bytes()).await?;
                }
            }
        });
        let body = quote! {
            ctx.target.name = Some(#name);
            #set_url
            ctx.phase = __rt::Phase::TargetRequest;
            #request
            #call
            ctx.phase = __rt::Phase::TargetResponse;
            #buffer_response
            #response
            Ok(())
        };
        let doc = format!(" TargetEndpoint `{}`, {}.", te.name, te.source);
        if te.faults.rules.is_empty() && te.faults.default.is_none() {
            // Without an error flow of its own, the endpoint is its flows: a
            // fault goes on, as raised, to the ProxyEndpoint's error flow.
            return quote! {
                #statics

                #[doc = #doc]
                /// Request flows, backend call, response flows; it has no
                /// FaultRules, so a fault goes on to the ProxyEndpoint's.
                async fn #run(ctx: &mut __rt::Ctx) -> Result<(), __rt::Abort> {
                    #body
                }
            };
        }
        let fault_fn = self.fault_handler(&faults, &te.faults);
        quote! {
            #statics

            #[doc = #doc]
            async fn #run(ctx: &mut __rt::Ctx) -> Result<(), __rt::Abort> {
                match #flow(ctx).await {
                    Err(__rt::Abort::Fault(fault)) => {
                        if #faults(ctx, fault).await {
                            Err(__rt::Abort::Handled)
                        } else {
                            // No target FaultRule handled it: the ProxyEndpoint's
                            // error flow runs (with the target's error response).
                            Err(__rt::Abort::Fault(__rt::refault(ctx)))
                        }
                    }
                    other => other,
                }
            }

            /// Request flows, backend call, response flows.
            async fn #flow(ctx: &mut __rt::Ctx) -> Result<(), __rt::Abort> {
                #body
            }

            #fault_fn
        }
    }
}
