//! Rust code for a condition: a `bool` expression that calls
//! `#rt::__private::cond`.

use std::ops::Range;

use proc_macro2::{Literal, TokenStream};
use quote::{ToTokens, quote};

use super::ast::{CmpOp, Expr, Number, Operand};
use super::patterns::{self, GlobPart, PathSeg, Pattern};

/// Generates a Rust expression of type `bool` for `expr`.
///
/// `and`/`or` become `&&`/`||` (short-circuiting); comparisons call
/// `#rt::__private::cond::{eq, ne, eq_ci, gt, ge, lt, le, starts_with}` on
/// two `#rt::__private::Value`s (`eq_str`/`ne_str` on a value and the text
/// of a string literal for `=`/`!=` against one); a pattern becomes a block-local constant
/// (`GlobPattern`, `PathPattern`) or `static` `LazyLock<Regex>` (compiled
/// once) inside the matcher call's second argument, so no generated
/// expression starts with a block. `var(name, span)` must return an
/// expression of type `#rt::__private::Value<'_>` that can take a prefix
/// `&` (a path, call, method call, block or parenthesised expression).
///
/// `expr` is expected to come from [`super::parse`], which validated every
/// pattern; for a hand-built tree with an invalid pattern (or a variable as
/// a pattern) the output contains a `compile_error!` instead.
pub fn codegen(
    expr: &Expr,
    rt: &TokenStream,
    var: &mut dyn FnMut(&str, Range<usize>) -> TokenStream,
) -> TokenStream {
    Gen { rt, var }.expr(expr, Context::Top)
}

/// Where a generated expression sits, to parenthesise only where needed
/// (generated code must not trip `unused_parens`).
#[derive(Clone, Copy, PartialEq, Eq)]
enum Context {
    Top,
    And,
    Or,
    Not,
}

struct Gen<'a> {
    rt: &'a TokenStream,
    var: &'a mut dyn FnMut(&str, Range<usize>) -> TokenStream,
}

impl Gen<'_> {
    fn expr(&mut self, expr: &Expr, ctx: Context) -> TokenStream {
        let rt = self.rt;
        match expr {
            Expr::Const(b, _) => quote!(#b),
            Expr::And { lhs, rhs, .. } | Expr::Or { lhs, rhs, .. } => {
                let (own, op) = if matches!(expr, Expr::And { .. }) {
                    (Context::And, quote!(&&))
                } else {
                    (Context::Or, quote!(||))
                };
                let l = self.expr(lhs, own);
                let r = self.expr(rhs, own);
                if ctx == Context::Top || ctx == own {
                    quote!(#l #op #r)
                } else {
                    quote!((#l #op #r))
                }
            }
            Expr::Not(inner, _) => {
                let inner = self.expr(inner, Context::Not);
                quote!(!#inner)
            }
            Expr::Truthy(operand) => {
                let v = self.operand(operand);
                quote!(#rt::__private::cond::truthy(&#v))
            }
            Expr::Cmp {
                op,
                negated,
                lhs,
                rhs,
                ..
            } => {
                let l = self.operand(lhs);
                let call = if op.is_pattern() {
                    self.pattern(*op, &l, rhs)
                } else if let (CmpOp::Eq | CmpOp::Ne, Operand::Str(s, _)) = (op, rhs) {
                    // Against a string literal: text is compared directly.
                    let f = if *op == CmpOp::Eq {
                        quote!(eq_str)
                    } else {
                        quote!(ne_str)
                    };
                    quote!(#rt::__private::cond::#f(&#l, #s))
                } else {
                    let r = self.operand(rhs);
                    let f = match op {
                        CmpOp::Eq => quote!(eq),
                        CmpOp::Ne => quote!(ne),
                        CmpOp::EqCi => quote!(eq_ci),
                        CmpOp::Gt => quote!(gt),
                        CmpOp::Ge => quote!(ge),
                        CmpOp::Lt => quote!(lt),
                        CmpOp::Le => quote!(le),
                        _ => quote!(starts_with),
                    };
                    quote!(#rt::__private::cond::#f(&#l, &#r))
                };
                if *negated { quote!(!#call) } else { call }
            }
        }
    }

    fn operand(&mut self, operand: &Operand) -> TokenStream {
        let rt = self.rt;
        match operand {
            Operand::Var { name, span } => (self.var)(name, span.clone()),
            Operand::Str(s, _) => quote!(#rt::__private::Value::str(#s)),
            Operand::Bool(b, _) => quote!(#rt::__private::Value::Bool(#b)),
            Operand::Null(_) => quote!(#rt::__private::Value::Null),
            Operand::Num(n, _) => {
                let (variant, lit) = number(*n);
                quote!(#rt::__private::Value::#variant(#lit))
            }
        }
    }

    fn pattern(&mut self, op: CmpOp, lhs: &TokenStream, rhs: &Operand) -> TokenStream {
        let rt = self.rt;
        let compiled = patterns::pattern_text(rhs)
            .ok_or_else(|| "pattern operand is not a string literal".to_owned())
            .and_then(|text| patterns::compile(op, &text).map_err(|e| e.message));
        match compiled {
            Ok(Pattern::Glob(parts)) => {
                let parts = parts.iter().map(|p| match p {
                    GlobPart::Lit(s) => quote!(#rt::__private::cond::GlobPart::Lit(#s)),
                    GlobPart::Star => quote!(#rt::__private::cond::GlobPart::Star),
                });
                let f = if op == CmpOp::MatchesCi {
                    quote!(glob_match_ci)
                } else {
                    quote!(glob_match)
                };
                quote!(#rt::__private::cond::#f(&#lhs, {
                    const PATTERN: #rt::__private::cond::GlobPattern<'static> =
                        #rt::__private::cond::GlobPattern(&[#(#parts),*]);
                    &PATTERN
                }))
            }
            Ok(Pattern::Path(segs)) => {
                let segs = segs.iter().map(|s| match s {
                    PathSeg::Lit(l) => quote!(#rt::__private::cond::Seg::Lit(#l)),
                    PathSeg::One => quote!(#rt::__private::cond::Seg::One),
                    PathSeg::Many => quote!(#rt::__private::cond::Seg::Many),
                });
                quote!(#rt::__private::cond::path_match(&#lhs, {
                    const PATTERN: #rt::__private::cond::PathPattern<'static> =
                        #rt::__private::cond::PathPattern(&[#(#segs),*]);
                    &PATTERN
                }))
            }
            Ok(Pattern::Regex(re)) => quote!(#rt::__private::cond::regex_match(&#lhs, {
                /// ok: proxyc compiled this pattern at build time with the same `regex` version.
                static RE: ::std::sync::LazyLock<#rt::__private::Regex> =
                    ::std::sync::LazyLock::new(|| {
                        #rt::__private::Regex::new(#re).expect("JavaRegex pattern validated at build time") // ok: the pattern compiled at build time
                    });
                &RE
            })),
            Err(message) => {
                let message = format!("invalid condition pattern: {message}");
                quote!(::core::compile_error!(#message))
            }
        }
    }
}

/// `magnitude`, negated when `negative` (a negative value is written
/// `-<literal>`, which also covers `i32::MIN`).
fn signed(negative: bool, magnitude: impl ToTokens) -> TokenStream {
    if negative {
        quote!(-#magnitude)
    } else {
        magnitude.into_token_stream()
    }
}

/// The `Value` variant and literal tokens of a number.
fn number(n: Number) -> (TokenStream, TokenStream) {
    match n {
        Number::Int(i) => (
            quote!(Int),
            signed(i < 0, Literal::u32_unsuffixed(i.unsigned_abs())),
        ),
        Number::Long(l) => (
            quote!(Long),
            signed(l < 0, Literal::u64_unsuffixed(l.unsigned_abs())),
        ),
        Number::Float(x) => (
            quote!(Float),
            float(f64::from(x), quote!(f32), || {
                Literal::f32_unsuffixed(x.abs())
            }),
        ),
        Number::Double(x) => (
            quote!(Double),
            float(x, quote!(f64), || Literal::f64_unsuffixed(x.abs())),
        ),
    }
}

/// A floating-point literal; `NAN`/`INFINITY` constants for the values a
/// literal cannot spell (never produced by the parser).
fn float(x: f64, ty: TokenStream, magnitude: impl FnOnce() -> Literal) -> TokenStream {
    if x.is_nan() {
        quote!(#ty::NAN)
    } else if x.is_infinite() {
        signed(x < 0.0, quote!(#ty::INFINITY))
    } else {
        signed(x.is_sign_negative(), magnitude())
    }
}
