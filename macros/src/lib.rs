//! `proxy!("path/to/bundle")`: compiles an Apigee proxy bundle into a Rust
//! module at the call site. A thin shell over `proxyc_compiler::compile`.
//!
//! The path is resolved against `CARGO_MANIFEST_DIR`; absolute paths are
//! rejected so builds stay relocatable. Every file read is tracked with
//! `include_bytes!`, so editing a file rebuilds — but a macro cannot notice
//! *new* files (e.g. a policy added to `policies/`); use the build.rs
//! `Builder` when that matters.

use proc_macro::TokenStream;
use quote::quote;
use std::path::{Path, PathBuf};
use syn::{LitStr, parse_macro_input};

/// Compiles the bundle at the given path (relative to the crate root) and
/// expands to its module, e.g. `proxy!("bundles/hello")` → `pub mod hello`.
#[proc_macro]
pub fn proxy(input: TokenStream) -> TokenStream {
    let lit = parse_macro_input!(input as LitStr);
    match expand(&lit) {
        Ok(tokens) => tokens.into(),
        Err(e) => e.to_compile_error().into(),
    }
}

fn expand(lit: &LitStr) -> syn::Result<proc_macro2::TokenStream> {
    let rel = lit.value();
    if Path::new(&rel).is_absolute() {
        return Err(syn::Error::new(
            lit.span(),
            "proxy!: the bundle path must be relative to the crate root (CARGO_MANIFEST_DIR)",
        ));
    }
    let root = std::env::var_os("CARGO_MANIFEST_DIR")
        .map(PathBuf::from)
        .ok_or_else(|| syn::Error::new(lit.span(), "proxy!: CARGO_MANIFEST_DIR is not set"))?;
    let path = root.join(&rel);
    match proxyc_compiler::compile(&path, &proxyc_compiler::Options::default()) {
        Ok(generated) => {
            let tokens = generated.tokens;
            let tracked = generated
                .files_read
                .iter()
                .filter(|p| p.is_file())
                .map(|p| p.to_string_lossy().into_owned());
            Ok(quote! {
                #(const _: &[u8] = include_bytes!(#tracked);)*
                #tokens
            })
        }
        Err(diags) => {
            // One error on the path literal whose text carries every
            // diagnostic with its file:line:col.
            let mut text = String::from("proxy!: the bundle has errors\n");
            for d in diags.errors() {
                let loc = diags.location(d).unwrap_or_else(|| rel.clone());
                text.push_str(&format!("{loc}: error[{}]: {}", d.code, d.message));
                if let Some(h) = &d.help {
                    text.push_str(&format!(" (help: {h})"));
                }
                text.push('\n');
            }
            Err(syn::Error::new(lit.span(), text))
        }
    }
}
