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
use std::collections::BTreeMap;
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
    /// Shared flows compiled in the same build that its FlowCallouts call
    /// directly.
    pub linked_shared_flows: Vec<String>,
    /// Whether the bundle is a shared flow bundle (its module has a
    /// `SharedFlow` type to mount, not a `Proxy`).
    pub is_shared_flow: bool,
}

impl Generated {
    /// The formatted file `Builder` writes.
    pub fn render(&self) -> Result<String, String> {
        render::format(&self.tokens, &self.source)
    }
}

/// Compiles a bundle (a folder holding `apiproxy/` or `sharedflowbundle/`,
/// that folder itself, or a `.zip` export).
pub fn compile(bundle: &Path, opts: &Options) -> Result<Generated, Diagnostics> {
    let mut all = compile_all(&[bundle], opts);
    all.pop().unwrap_or_else(|| Err(Diagnostics::default()))
}

/// Compiles several bundles as one environment: shared flow bundles first
/// (a shared flow another one calls before its caller), so that a
/// FlowCallout naming a shared flow of the same build calls its generated
/// function directly. Results are in the order of `bundles`; each bundle
/// has its own diagnostics.
pub fn compile_all<P: AsRef<Path>>(
    bundles: &[P],
    opts: &Options,
) -> Vec<Result<Generated, Diagnostics>> {
    let mut parsed: Vec<Option<Parsed>> = bundles.iter().map(|b| Some(parse(b.as_ref()))).collect();
    let order = shared_flows_first(&parsed);
    let mut linked = sema::shared_flows::SharedFlowSigs::default();
    let mut results: Vec<Option<Result<Generated, Diagnostics>>> =
        (0..parsed.len()).map(|_| None).collect();
    let mut shared_flow_names: BTreeMap<String, PathBuf> = BTreeMap::new();
    for i in order {
        let Some(mut p) = parsed.get_mut(i).and_then(Option::take) else {
            continue;
        };
        if let Some(bundle) = bundles.get(i) {
            duplicate_shared_flow(&mut p, bundle.as_ref(), &mut shared_flow_names);
        }
        let analysis = analyze_parsed(p, opts, &linked);
        let result = analysis.map(|a| {
            if a.proxy.shared_flow.is_some() {
                linked.add(&a.proxy);
            }
            let mut linked_shared_flows: Vec<String> = a
                .proxy
                .policies
                .iter()
                .filter_map(|p| match &p.body {
                    ir::PolicyBody::FlowCallout(fc)
                        if matches!(fc.call, ir::SharedFlowCall::Compiled { .. }) =>
                    {
                        Some(fc.shared_flow.clone())
                    }
                    _ => None,
                })
                .collect();
            linked_shared_flows.sort();
            linked_shared_flows.dedup();
            Generated {
                linked_shared_flows,
                is_shared_flow: a.proxy.shared_flow.is_some(),
                module_name: codegen::naming::module_of(&a.proxy).to_string(),
                proxy_name: a.proxy.name.clone(),
                tokens: codegen::generate(&a.proxy, opts),
                files_read: a.files_read,
                warnings: a.diagnostics,
                source: a.proxy.source,
            }
        });
        results[i] = Some(result);
    }
    results
        .into_iter()
        .map(|r| r.unwrap_or_else(|| Err(Diagnostics::default())))
        .collect()
}

/// Reports a shared flow bundle whose name another bundle of the build
/// already has (FlowCallouts could not tell them apart).
fn duplicate_shared_flow(p: &mut Parsed, bundle: &Path, seen: &mut BTreeMap<String, PathBuf>) {
    if !p.xml.is_shared_flow() {
        return;
    }
    let Some(d) = &p.xml.descriptor else { return };
    let name = d
        .attr_value("name")
        .unwrap_or_else(|| p.xml.fallback_name.clone());
    match seen.get(&name) {
        Some(first) => p.diags.push(
            Diagnostic::error(
                diagnostics::Code::DUPLICATE_NAME,
                format!(
                    "shared flow `{name}` is also compiled from `{}` in this build",
                    first.display()
                ),
            )
            .at(d.span(), "second shared flow with this name")
            .help(
                "compile only one of them, or rename one (FlowCallout finds shared flows by name)",
            ),
        ),
        None => {
            seen.insert(name, bundle.to_owned());
        }
    }
}

/// Loads and validates a bundle without generating code: the validated
/// model and its warnings (for tools such as `proxyc graph`), or every
/// diagnostic when the bundle has errors.
pub fn analyze(bundle: &Path, opts: &Options) -> Result<(ir::Proxy, Diagnostics), Diagnostics> {
    analyze_parsed(
        parse(bundle),
        opts,
        &sema::shared_flows::SharedFlowSigs::default(),
    )
    .map(|a| (a.proxy, a.diagnostics))
}

/// The result of [`analyze_parsed`].
struct Analysis {
    proxy: ir::Proxy,
    diagnostics: Diagnostics,
    files_read: Vec<PathBuf>,
}

/// A bundle read and parsed, not yet analysed.
struct Parsed {
    /// Whether anything could be loaded.
    loaded: bool,
    xml: sema::BundleXml,
    diags: Diagnostics,
    files_read: Vec<PathBuf>,
    allow: Vec<String>,
}

/// Loads and parses a bundle.
fn parse(bundle: &Path) -> Parsed {
    let mut diags = Diagnostics::default();
    let Some(loaded) = syntax::load::load(bundle, &mut diags) else {
        return Parsed {
            loaded: false,
            xml: sema::BundleXml::default(),
            diags,
            files_read: Vec::new(),
            allow: Vec::new(),
        };
    };
    let xml = syntax::parse_bundle(&loaded, &mut diags);
    let mut files_read = loaded.tracked;
    let allow = allow_file(bundle, &mut files_read);
    Parsed {
        loaded: true,
        xml,
        diags,
        files_read,
        allow,
    }
}

fn analyze_parsed(
    parsed: Parsed,
    opts: &Options,
    linked: &sema::shared_flows::SharedFlowSigs,
) -> Result<Analysis, Diagnostics> {
    let Parsed {
        loaded,
        xml,
        mut diags,
        files_read,
        allow,
    } = parsed;
    if !loaded {
        return Err(diags);
    }
    let proxy = sema::analyze(&xml, opts, linked, &mut diags);
    diags.list.retain(|d| {
        d.severity == diagnostics::Severity::Error
            || !opts.allow.iter().chain(&allow).any(|a| a == d.code)
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

/// Orders shared flow bundles so that one called by another's FlowCallout
/// comes first (a cycle is broken arbitrarily: its back edge is then a
/// call through the gateway's mounted shared flows).
fn shared_flows_first(parsed: &[Option<Parsed>]) -> Vec<usize> {
    let name_of = |i: usize| -> Option<String> {
        let p = parsed.get(i)?.as_ref()?;
        let d = p.xml.descriptor.as_ref()?;
        Some(
            d.attr_value("name")
                .unwrap_or_else(|| p.xml.fallback_name.clone()),
        )
    };
    let calls = |i: usize| -> Vec<String> {
        parsed
            .get(i)
            .and_then(Option::as_ref)
            .map(|p| {
                p.xml
                    .policies
                    .iter()
                    .filter(|el| el.name == "FlowCallout")
                    .filter_map(|el| el.child_text("SharedFlowBundle"))
                    .map(|t| t.trimmed().to_owned())
                    .collect()
            })
            .unwrap_or_default()
    };
    let shared: Vec<usize> = (0..parsed.len())
        .filter(|&i| {
            parsed
                .get(i)
                .and_then(Option::as_ref)
                .is_some_and(|p| p.xml.is_shared_flow())
        })
        .collect();
    let mut out = Vec::with_capacity(parsed.len());
    let mut state = vec![0u8; parsed.len()]; // 0 new, 1 visiting, 2 done
    fn visit(
        i: usize,
        shared: &[usize],
        state: &mut [u8],
        out: &mut Vec<usize>,
        name_of: &dyn Fn(usize) -> Option<String>,
        calls: &dyn Fn(usize) -> Vec<String>,
    ) {
        if state.get(i).copied() != Some(0) {
            return;
        }
        state[i] = 1;
        for callee in calls(i) {
            if let Some(&j) = shared
                .iter()
                .find(|&&j| name_of(j).as_deref() == Some(callee.as_str()))
            {
                visit(j, shared, state, out, name_of, calls);
            }
        }
        state[i] = 2;
        out.push(i);
    }
    for &i in &shared {
        visit(i, &shared, &mut state, &mut out, &name_of, &calls);
    }
    out.extend((0..parsed.len()).filter(|i| !shared.contains(i)));
    out
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
