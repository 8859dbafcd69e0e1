//! ExtractVariables code: the whole configuration is one `static`; literal
//! JSONPaths are parsed once (`LazyLock`), templated ones rendered per call.

use super::super::Gen;
use super::super::vars;
use crate::ir::{
    EvItem, EvJsonPath, EvPattern, EvPiece, EvSource, EvStep, EvType, ExtractVariables,
};
use proc_macro2::{Ident, TokenStream};
use quote::{format_ident, quote};

fn ty(t: EvType) -> TokenStream {
    let id = format_ident!("{}", format!("{t:?}"));
    quote!(__rt::ev::Type::#id)
}

fn patterns(ps: &[EvPattern]) -> TokenStream {
    let ps = ps.iter().map(|p| {
        let pieces = p.pieces.iter().map(|piece| match piece {
            EvPiece::Lit(s) => quote!(__rt::ev::Piece::Lit(#s)),
            EvPiece::Capture(i) => quote!(__rt::ev::Piece::Capture(#i)),
            EvPiece::Star => quote!(__rt::ev::Piece::Star),
            EvPiece::DoubleStar => quote!(__rt::ev::Piece::DoubleStar),
        });
        let (ci, segs) = (p.ignore_case, p.segments);
        quote!(__rt::ev::Pattern { pieces: &[#(#pieces),*], ignore_case: #ci, segments: #segs })
    });
    quote!(&[#(#ps),*])
}

fn item(i: &EvItem) -> TokenStream {
    match i {
        EvItem::First(n) => quote!(__rt::ev::Item::First(#n)),
        EvItem::Nth(n, i) => quote!(__rt::ev::Item::Nth(#n, #i)),
        EvItem::Values(n) => quote!(__rt::ev::Item::Values(#n)),
    }
}

impl Gen<'_> {
    pub(super) fn extract_variables(&self, meta: &Ident, ev: &ExtractVariables) -> TokenStream {
        let source = match &ev.source {
            EvSource::Message(sel) => {
                let sel = vars::msg_sel(*sel);
                quote!(__rt::ev::Source::Message(#sel))
            }
            EvSource::Var(v) => {
                let v = vars::var(v);
                quote!(__rt::ev::Source::Var(#v))
            }
        };
        let targets = ev.targets.iter().map(|(name, v)| {
            let v = vars::var(v);
            quote!(__rt::ev::Target { name: #name, var: #v })
        });
        let mut json_statics = TokenStream::new();
        let mut rendered = Vec::new();
        let on_unresolved = quote!(|u| __rt::ev::unresolved(&#meta, u));
        let mut json_count = 0usize;
        let mut json_payloads = 0usize;
        let mut steps: Vec<TokenStream> = Vec::new();
        for step in &ev.steps {
            steps.push(match step {
                EvStep::UriPath(ps) => {
                    let ps = patterns(ps);
                    quote!(__rt::ev::Step::UriPath(#ps))
                }
                EvStep::Query(i, ps) | EvStep::Header(i, ps) | EvStep::Form(i, ps) => {
                    let variant = match step {
                        EvStep::Query(..) => quote!(Query),
                        EvStep::Header(..) => quote!(Header),
                        _ => quote!(Form),
                    };
                    let (i, ps) = (item(i), patterns(ps));
                    quote!(__rt::ev::Step::#variant(#i, #ps))
                }
                EvStep::Variable(v, ps) => {
                    let (v, ps) = (vars::var(v), patterns(ps));
                    quote!(__rt::ev::Step::Variable(#v, #ps))
                }
                EvStep::Json(jvars) => {
                    let mut items = Vec::new();
                    for j in jvars {
                        let path = match &j.path {
                            EvJsonPath::Literal(p) => {
                                let name = format_ident!("JSON_PATH_{}", json_count);
                                json_count += 1;
                                json_statics.extend(quote! {
                                    static #name: ::std::sync::LazyLock<__rt::ev::CompiledJsonPath> =
                                        ::std::sync::LazyLock::new(|| __rt::ev::CompiledJsonPath::new(#p));
                                });
                                quote!(__rt::ev::JsonPathSrc::Static(&#name))
                            }
                            EvJsonPath::Template(t) => {
                                let i = rendered.len();
                                rendered.push(self.template_string(
                                    t,
                                    ev.ignore_unresolved,
                                    &on_unresolved,
                                ));
                                quote!(__rt::ev::JsonPathSrc::Rendered(#i))
                            }
                        };
                        let (target, t) = (j.target, ty(j.ty));
                        items.push(quote!(__rt::ev::JsonVar { target: #target, ty: #t, path: #path }));
                    }
                    let name = format_ident!("JSON_PAYLOAD_{}", json_payloads);
                    json_payloads += 1;
                    json_statics.extend(quote! {
                        static #name: __rt::ev::JsonPayload = __rt::ev::JsonPayload::new(&[#(#items),*]);
                    });
                    quote!(__rt::ev::Step::Json(&#name))
                }
                EvStep::Xml { stop, namespaces, vars: xvars } => {
                    let xvars = xvars.iter().map(|x| {
                        let (target, t, xp) = (x.target, ty(x.ty), &x.xpath);
                        quote!(__rt::ev::XmlVar { target: #target, ty: #t, xpath: #xp })
                    });
                    quote!(__rt::ev::Step::Xml(__rt::ev::XmlPayload {
                        stop: #stop,
                        namespaces: &[#(#namespaces),*],
                        vars: &[#(#xvars),*],
                    }))
                }
            });
        }
        let run = if rendered.is_empty() {
            quote!(__rt::ev::run(ctx, &CONFIG, &#meta, &[]))
        } else {
            quote! {
                let paths = [#(#rendered),*];
                __rt::ev::run(ctx, &CONFIG, &#meta, &paths)
            }
        };
        let (name, clear, ignore) = (&ev.source_name, ev.clear_payload, ev.ignore_unresolved);
        quote! {
            #json_statics
            static CONFIG: __rt::ev::Config = __rt::ev::Config {
                source: #source,
                source_name: #name,
                clear_payload: #clear,
                ignore_unresolved: #ignore,
                targets: &[#(#targets),*],
                steps: &[#(#steps),*],
            };
            #run
        }
    }
}
