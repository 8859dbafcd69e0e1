//! proxyc's compiler: Apigee proxy bundles in, Rust handlers out.
//!
//! One entry point, [`compile`], does the whole pipeline
//! (load → syntax → sema → ir → codegen); the build.rs [`Builder`], the
//! `proxy!` macro and the CLI are thin front-ends over it.

pub mod builder;
pub mod codegen;
pub mod diagnostics;
pub mod expr;
pub mod ir;
pub mod render;
pub mod sema;
mod suggest;
pub mod syntax;

pub use builder::Builder;
pub use diagnostics::{Diagnostic, Diagnostics};

use proc_macro2::TokenStream;
use std::path::{Path, PathBuf};

/// Compilation options; the only differences between front-ends.
#[derive(Debug, Clone)]
pub struct Options {
    /// Path of the runtime crate in generated code.
    pub runtime_path: String,
    /// Java precedence for `and`/`or` instead of the default OR-binds-tighter.
    pub java_precedence: bool,
    /// Warning codes to silence.
    pub allow: Vec<String>,
}

impl Default for Options {
    fn default() -> Self {
        Options {
            runtime_path: "::proxyc_runtime".into(),
            java_precedence: false,
            allow: Vec::new(),
        }
    }
}

/// The result of compiling one bundle.
#[derive(Debug)]
pub struct Generated {
    /// `apiproxy.name`.
    pub proxy_name: String,
    /// The Rust module name (`proxyc_runtime::include_proxy!` file stem).
    pub module_name: String,
    /// Generated tokens.
    pub tokens: TokenStream,
    /// Every file and folder read (for rebuild tracking).
    pub files_read: Vec<PathBuf>,
    /// Warnings (errors abort the compilation).
    pub warnings: Diagnostics,
    /// Descriptor location, for the generated header.
    pub source: String,
}

impl Generated {
    /// The formatted file `Builder` writes.
    pub fn render(&self) -> Result<String, String> {
        render::format(&self.tokens, &self.source)
    }
}

/// Compiles a bundle (a folder holding `apiproxy/`, the folder itself, or a
/// `.zip` export).
pub fn compile(bundle: &Path, opts: &Options) -> Result<Generated, Diagnostics> {
    let Analysis {
        proxy,
        diagnostics,
        files_read,
    } = analyze_bundle(bundle, opts)?;
    let tokens = codegen::generate(&proxy, opts);
    Ok(Generated {
        module_name: codegen::naming::module(&proxy.name).to_string(),
        proxy_name: proxy.name.clone(),
        tokens,
        files_read,
        warnings: diagnostics,
        source: proxy.source,
    })
}

/// Loads and validates a bundle without generating code: the validated
/// model and its warnings (for tools such as `proxyc graph`), or every
/// diagnostic when the bundle has errors.
pub fn analyze(bundle: &Path, opts: &Options) -> Result<(ir::Proxy, Diagnostics), Diagnostics> {
    analyze_bundle(bundle, opts).map(|a| (a.proxy, a.diagnostics))
}

/// The result of [`analyze_bundle`].
struct Analysis {
    proxy: ir::Proxy,
    diagnostics: Diagnostics,
    files_read: Vec<PathBuf>,
}

fn analyze_bundle(bundle: &Path, opts: &Options) -> Result<Analysis, Diagnostics> {
    let mut diags = Diagnostics::default();
    let Some(loaded) = syntax::load::load(bundle, &mut diags) else {
        return Err(diags);
    };
    let xml = syntax::parse_bundle(&loaded, &mut diags);
    let proxy = sema::analyze(&xml, opts, &mut diags);
    let mut files_read = loaded.tracked;
    let bundle_allow = allow_file(bundle, &mut files_read);
    diags.list.retain(|d| {
        d.severity == diagnostics::Severity::Error
            || !opts.allow.iter().chain(&bundle_allow).any(|a| a == d.code)
    });
    match proxy.filter(|_| !diags.has_errors()) {
        Some(proxy) => Ok(Analysis {
            proxy,
            diagnostics: diags,
            files_read,
        }),
        None => Err(diags),
    }
}

/// The name of the per-bundle file listing warning codes to silence.
pub const ALLOW_FILE: &str = "proxyc.allow";

/// Warning codes silenced by the bundle's [`ALLOW_FILE`], a file beside its
/// `apiproxy/` folder: one code per line, `#` starts a comment (`.zip`
/// exports have none). The file is tracked for rebuilds when it exists.
fn allow_file(bundle: &Path, files_read: &mut Vec<PathBuf>) -> Vec<String> {
    if !bundle.is_dir() {
        return Vec::new();
    }
    let is_root = bundle
        .file_name()
        .is_some_and(|n| n == "apiproxy" || n == "sharedflowbundle");
    let dir = if is_root {
        bundle.parent().unwrap_or(bundle)
    } else {
        bundle
    };
    let path = dir.join(ALLOW_FILE);
    let Ok(text) = std::fs::read_to_string(&path) else {
        return Vec::new();
    };
    files_read.push(path);
    text.lines()
        .map(|l| {
            l.split('#')
                .next()
                .unwrap_or("")
                .trim()
                .to_ascii_uppercase()
        })
        .filter(|c| !c.is_empty())
        .collect()
}
