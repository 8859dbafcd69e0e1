//! Finding bundles: a path is a bundle (a folder holding `apiproxy/` or
//! `sharedflowbundle/`, such a folder itself, or a `.zip` export) or a
//! folder searched recursively for bundles.

use std::path::{Path, PathBuf};

/// Folders never searched (build output, dependencies, VCS metadata).
const SKIPPED: &[&str] = &["target", "node_modules"];

/// Whether `path` is a bundle by itself.
pub fn is_bundle(path: &Path) -> bool {
    if path.is_dir() {
        let named_root = path
            .file_name()
            .is_some_and(|n| n == "apiproxy" || n == "sharedflowbundle");
        named_root || path.join("apiproxy").is_dir() || path.join("sharedflowbundle").is_dir()
    } else {
        is_zip(path)
    }
}

fn is_zip(path: &Path) -> bool {
    path.is_file()
        && path
            .extension()
            .is_some_and(|e| e.eq_ignore_ascii_case("zip"))
}

/// Every bundle at or under `path`, sorted; an error when `path` cannot be
/// read. Symbolic links to folders are not followed (no loops).
pub fn bundles(path: &Path) -> Result<Vec<PathBuf>, String> {
    if !path.exists() {
        return Err(format!("`{}` does not exist", path.display()));
    }
    let mut out = Vec::new();
    if is_bundle(path) {
        out.push(path.to_owned());
        return Ok(out);
    }
    if !path.is_dir() {
        return Err(format!(
            "`{}` is neither a bundle, a .zip export nor a folder",
            path.display()
        ));
    }
    search(path, &mut out)?;
    out.sort();
    Ok(out)
}

fn search(dir: &Path, out: &mut Vec<PathBuf>) -> Result<(), String> {
    let entries = std::fs::read_dir(dir)
        .map_err(|e| format!("cannot read folder `{}`: {e}", dir.display()))?;
    let mut paths: Vec<PathBuf> = entries.filter_map(|e| e.ok().map(|e| e.path())).collect();
    paths.sort();
    for p in paths {
        let hidden_or_skipped = p.file_name().is_some_and(|n| {
            n.to_string_lossy().starts_with('.') || SKIPPED.iter().any(|s| n == *s)
        });
        let is_link = p.symlink_metadata().is_ok_and(|m| m.is_symlink());
        if hidden_or_skipped || is_link {
            continue;
        }
        if is_bundle(&p) {
            out.push(p);
        } else if p.is_dir() {
            search(&p, out)?;
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn finds_folders_and_zips() {
        let root = std::env::temp_dir().join(format!("proxyc-walk-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&root);
        for d in [
            "a/apiproxy",
            "b/c/sharedflowbundle",
            "d/target/x/apiproxy",
            "e",
        ] {
            std::fs::create_dir_all(root.join(d)).unwrap(); // ok: unit test
        }
        std::fs::write(root.join("e/export.ZIP"), b"PK").unwrap(); // ok: unit test
        std::fs::write(root.join("e/notes.txt"), b"").unwrap(); // ok: unit test
        let found: Vec<String> = bundles(&root)
            .unwrap() // ok: unit test
            .iter()
            .map(|p| p.strip_prefix(&root).unwrap().display().to_string()) // ok: unit test
            .collect();
        assert_eq!(found, ["a", "b/c", "e/export.ZIP"]);
        assert_eq!(bundles(&root.join("a/apiproxy")).unwrap().len(), 1); // ok: unit test
        assert!(bundles(&root.join("missing")).is_err());
        std::fs::remove_dir_all(&root).unwrap(); // ok: unit test
    }
}
