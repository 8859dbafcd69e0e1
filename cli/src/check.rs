//! `proxyc check`: compile-check bundles and report every diagnostic.

use crate::Output;
use crate::args::CheckFormat;
use proxyc_compiler::diagnostics::SourceMap;
use proxyc_compiler::{Diagnostics, Options};
use std::path::{Path, PathBuf};

/// The outcome of checking one bundle.
#[derive(Debug)]
pub struct Checked {
    /// The bundle path as found.
    pub bundle: PathBuf,
    /// Whether it compiles.
    pub compiled: bool,
    /// Its diagnostics, file names prefixed with the bundle path.
    pub diagnostics: Diagnostics,
}

/// Checks one bundle.
pub fn check_one(bundle: &Path, opts: &Options) -> Checked {
    let (compiled, diags) = match proxyc_compiler::compile(bundle, opts) {
        Ok(g) => (true, g.warnings),
        Err(d) => (false, d),
    };
    Checked {
        bundle: bundle.to_owned(),
        compiled,
        diagnostics: relocate(&diags, bundle),
    }
}

/// Rewrites the file names of diagnostics (`apiproxy/policies/AM.xml`) to
/// paths a terminal or editor can open (`my-proxy/apiproxy/policies/AM.xml`).
fn relocate(diags: &Diagnostics, bundle: &Path) -> Diagnostics {
    let is_zip = bundle.is_file();
    let base = if !is_zip
        && bundle
            .file_name()
            .is_some_and(|n| n == "apiproxy" || n == "sharedflowbundle")
    {
        bundle.parent().unwrap_or(Path::new(""))
    } else {
        bundle
    };
    let mut sources = SourceMap::default();
    for f in diags.sources.files() {
        let name = if is_zip {
            format!("{}!/{}", base.display(), f.name)
        } else {
            base.join(&f.name).display().to_string()
        };
        sources.add(name, f.path.clone(), f.text.clone());
    }
    Diagnostics {
        list: diags.list.clone(),
        sources,
    }
}

/// Runs `proxyc check` over already-found bundles; returns the exit status.
pub fn run(
    bundles: &[PathBuf],
    format: CheckFormat,
    progress: bool,
    opts: &Options,
    out: &mut Output<'_>,
) -> i32 {
    let total = bundles.len();
    let mut results = Vec::with_capacity(total);
    for (i, bundle) in bundles.iter().enumerate() {
        if progress {
            out.err(&format!(
                "[{}/{total}] checking {}\n",
                i + 1,
                bundle.display()
            ));
        }
        let checked = check_one(bundle, opts);
        if format == CheckFormat::Human {
            out.out(&human(&checked));
        }
        results.push(checked);
    }
    let rejected = results.iter().filter(|c| !c.compiled).count();
    match format {
        CheckFormat::Human => {
            let warnings: usize = results
                .iter()
                .map(|c| c.diagnostics.warnings().count())
                .sum();
            if total > 1 {
                out.out(&format!(
                    "checked {total} bundles: {} compile, {rejected} rejected, {}\n",
                    total - rejected,
                    plural(warnings, "warning")
                ));
            }
        }
        CheckFormat::Json => out.out(&format!("{}\n", json(&results))),
    }
    i32::from(rejected > 0)
}

fn human(c: &Checked) -> String {
    let errors = c.diagnostics.errors().count();
    let warnings = c.diagnostics.warnings().count();
    let mut text = c.diagnostics.render();
    let status = if c.compiled { "ok" } else { "rejected" };
    let mut counts = Vec::new();
    if errors > 0 {
        counts.push(plural(errors, "error"));
    }
    if warnings > 0 {
        counts.push(plural(warnings, "warning"));
    }
    let counts = if counts.is_empty() {
        String::new()
    } else {
        format!(" ({})", counts.join(", "))
    };
    text.push_str(&format!("{}: {status}{counts}\n", c.bundle.display()));
    if !c.diagnostics.list.is_empty() {
        text.push('\n');
    }
    text
}

fn plural(n: usize, what: &str) -> String {
    if n == 1 {
        format!("1 {what}")
    } else {
        format!("{n} {what}s")
    }
}

/// The JSON document of a run: `[{bundle, status, diagnostics}]`.
pub fn json(results: &[Checked]) -> String {
    let items: Vec<serde_json::Value> = results
        .iter()
        .map(|c| {
            let diagnostics: serde_json::Value = serde_json::from_str(&c.diagnostics.render_json())
                .unwrap_or(serde_json::Value::Array(Vec::new()));
            serde_json::json!({
                "bundle": c.bundle.display().to_string(),
                "status": if c.compiled { "compiled" } else { "rejected" },
                "diagnostics": diagnostics,
            })
        })
        .collect();
    serde_json::to_string_pretty(&items).unwrap_or_else(|_| "[]".into())
}
