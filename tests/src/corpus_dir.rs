//! Where the shared corpus of public bundles is: `$PROXYC_CORPUS`, or
//! `../shared/corpus` beside the repository (as in CI). Shared by build.rs
//! (which compiles every corpus bundle that passes the compiler) and
//! tests/corpus.rs (which snapshots the outcome for every bundle).

use std::path::{Path, PathBuf};

/// The environment variable that overrides the corpus location (the
/// folder holding `bundles/`).
pub const ENV: &str = "PROXYC_CORPUS";

/// The corpus `bundles/` folder for the crate at `manifest_dir` (the
/// `tests/` crate), or `None` when it is absent.
pub fn bundles_dir(manifest_dir: &Path) -> Option<PathBuf> {
    let root = match std::env::var_os(ENV) {
        Some(dir) => PathBuf::from(dir),
        None => manifest_dir.join("../../shared/corpus"),
    };
    Some(root.join("bundles")).filter(|d| d.is_dir())
}
