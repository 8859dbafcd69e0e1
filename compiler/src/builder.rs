//! The build.rs API, in the prost/tonic style:
//!
//! ```no_run
//! // build.rs
//! proxyc_compiler::Builder::new()
//!     .bundle("bundles/hello")
//!     .compile()
//!     .unwrap_or_else(|e| panic!("{e}")); // ok: a build script fails by panicking
//! ```
//!
//! writes `$OUT_DIR/proxyc/<proxy>.rs` (only when it changed) and prints
//! `cargo:rerun-if-changed` for every file and folder read.
//!
//! The bundles of one `Builder` form one environment: a shared flow bundle
//! (`sharedflowbundle/`, written as `sf_<name>.rs`) is compiled before the
//! proxies, and their FlowCallouts call it directly. Include the proxy and
//! shared flow modules side by side (in the same parent module).

use crate::{Options, compile_all};
use std::fmt;
use std::path::{Path, PathBuf};

/// Compiles bundles from a build script.
#[derive(Debug, Default)]
pub struct Builder {
    bundles: Vec<PathBuf>,
    out_dir: Option<PathBuf>,
    options: Options,
    no_rerun: bool,
}

/// Why a build failed: diagnostics of a bundle, or an I/O problem.
#[derive(Debug)]
pub enum BuildError {
    /// The bundle has errors (rendered rustc-style).
    Bundle(String),
    /// `OUT_DIR` missing, unwritable, …
    Io(String),
}

impl fmt::Display for BuildError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            BuildError::Bundle(s) | BuildError::Io(s) => f.write_str(s),
        }
    }
}

impl std::error::Error for BuildError {}

/// What a successful build wrote.
#[derive(Debug)]
pub struct Built {
    /// `(proxy name, module name, file written)` per bundle.
    pub proxies: Vec<(String, String, PathBuf)>,
}

impl Builder {
    /// A builder with default options.
    pub fn new() -> Self {
        Builder::default()
    }

    /// Adds a bundle: an API proxy or a shared flow bundle, found by its
    /// folder (relative paths are relative to the crate root, as in build.rs).
    pub fn bundle(mut self, path: impl AsRef<Path>) -> Self {
        self.bundles.push(path.as_ref().to_owned());
        self
    }

    /// Writes to `dir` instead of `$OUT_DIR/proxyc`.
    pub fn out_dir(mut self, dir: impl AsRef<Path>) -> Self {
        self.out_dir = Some(dir.as_ref().to_owned());
        self
    }

    /// Path of the runtime crate in generated code (default `::proxyc_runtime`).
    pub fn runtime_path(mut self, path: impl Into<String>) -> Self {
        self.options.runtime_path = path.into();
        self
    }

    /// Java precedence for `and`/`or` in conditions.
    pub fn java_precedence(mut self, yes: bool) -> Self {
        self.options.java_precedence = yes;
        self
    }

    /// Silences a warning code (e.g. `PXW005`).
    pub fn allow(mut self, code: impl Into<String>) -> Self {
        self.options.allow.push(code.into());
        self
    }

    /// Do not print `cargo:rerun-if-changed` lines.
    pub fn emit_rerun_if_changed(mut self, yes: bool) -> Self {
        self.no_rerun = !yes;
        self
    }

    /// Adds a shared flow bundle (`sharedflowbundle/`); the same as
    /// [`Builder::bundle`], which recognises the folder, but says what it is.
    pub fn shared_flow(self, path: impl AsRef<Path>) -> Self {
        self.bundle(path)
    }

    /// Compiles every bundle as one environment; all diagnostics of all
    /// bundles are reported.
    pub fn compile(self) -> Result<Built, BuildError> {
        let out_dir = match &self.out_dir {
            Some(d) => d.clone(),
            None => std::env::var_os("OUT_DIR")
                .map(|d| PathBuf::from(d).join("proxyc"))
                .ok_or_else(|| {
                    BuildError::Io(
                        "OUT_DIR is not set: call Builder::compile from build.rs or set out_dir"
                            .into(),
                    )
                })?,
        };
        let mut errors = String::new();
        let mut built = Built {
            proxies: Vec::new(),
        };
        let results = compile_all(&self.bundles, &self.options);
        for (bundle, result) in self.bundles.iter().zip(results) {
            match result {
                Ok(generated) => {
                    self.rerun(&generated.files_read);
                    for w in generated.warnings.warnings() {
                        let loc = generated.warnings.location(w).unwrap_or_default();
                        println!("cargo:warning=warning[{}]: {} ({loc})", w.code, w.message);
                    }
                    let text = generated.render().map_err(BuildError::Io)?;
                    let path = out_dir.join(format!("{}.rs", generated.module_name));
                    crate::render::write_if_changed(&path, &text).map_err(|e| {
                        BuildError::Io(format!("cannot write {}: {e}", path.display()))
                    })?;
                    built
                        .proxies
                        .push((generated.proxy_name, generated.module_name, path));
                }
                Err(diags) => {
                    self.rerun(
                        &diags
                            .sources
                            .files()
                            .iter()
                            .map(|f| f.path.clone())
                            .collect::<Vec<_>>(),
                    );
                    self.rerun(std::slice::from_ref(bundle));
                    errors.push_str(&diags.render());
                }
            }
        }
        if errors.is_empty() {
            Ok(built)
        } else {
            Err(BuildError::Bundle(errors))
        }
    }

    fn rerun(&self, paths: &[PathBuf]) {
        if self.no_rerun {
            return;
        }
        for p in paths {
            println!("cargo:rerun-if-changed={}", p.display());
        }
    }
}
