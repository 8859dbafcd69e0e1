//! Reading a bundle from disk: a folder holding `apiproxy/`, the
//! `apiproxy/` folder itself, or a `.zip` export. Hostile input is bounded:
//! file sizes, entry counts, paths escaping the bundle, symlinks.

use crate::diagnostics::{Code, Diagnostic, Diagnostics, FileId};
use std::io::Read;
use std::path::{Component, Path, PathBuf};

/// Largest single file accepted.
const MAX_FILE_BYTES: u64 = 8 * 1024 * 1024;
/// Largest bundle accepted (sum of files).
const MAX_TOTAL_BYTES: u64 = 64 * 1024 * 1024;
/// Most files accepted.
const MAX_FILES: usize = 10_000;

/// The files of a bundle, relative to its root folder (`apiproxy/…`).
#[derive(Debug, Default)]
pub struct LoadedBundle {
    /// `apiproxy` (or `sharedflowbundle`).
    pub root: String,
    /// `(path relative to the root, e.g. "policies/AM-1.xml", file id)`, sorted.
    pub files: Vec<(String, FileId)>,
    /// Files and folders read (for rebuild tracking).
    pub tracked: Vec<PathBuf>,
}

/// Loads a bundle; problems go to `diags`. Returns `None` when nothing
/// could be loaded.
pub fn load(path: &Path, diags: &mut Diagnostics) -> Option<LoadedBundle> {
    if path
        .extension()
        .is_some_and(|e| e.eq_ignore_ascii_case("zip"))
        && path.is_file()
    {
        return load_zip(path, diags);
    }
    let root_dir = if is_bundle_root(path) {
        path.to_owned()
    } else if let Some(root) = ["apiproxy", "sharedflowbundle"]
        .iter()
        .map(|r| path.join(r))
        .find(|p| p.is_dir())
    {
        root
    } else {
        diags.push(
            Diagnostic::error(Code::BUNDLE_NOT_FOUND, format!("no bundle at `{}`", path.display()))
                .help("point proxyc at a folder holding `apiproxy/`, at the `apiproxy/` folder itself, or at a .zip export"),
        );
        return None;
    };
    let root_name = root_dir
        .file_name()
        .map_or_else(|| "apiproxy".into(), |n| n.to_string_lossy().into_owned());
    let mut bundle = LoadedBundle {
        root: root_name.clone(),
        ..LoadedBundle::default()
    };
    let canonical_root = root_dir.canonicalize().unwrap_or_else(|_| root_dir.clone());
    let mut total = 0u64;
    let mut stack = vec![root_dir.clone()];
    while let Some(dir) = stack.pop() {
        bundle.tracked.push(dir.clone());
        let mut entries: Vec<PathBuf> = match std::fs::read_dir(&dir) {
            Ok(rd) => rd.filter_map(|e| e.ok().map(|e| e.path())).collect(),
            Err(e) => {
                diags.push(Diagnostic::error(
                    Code::BUNDLE_READ,
                    format!("cannot read folder `{}`: {e}", dir.display()),
                ));
                continue;
            }
        };
        entries.sort();
        for p in entries {
            let escapes = p
                .canonicalize()
                .map(|c| !c.starts_with(&canonical_root))
                .unwrap_or(true);
            if escapes {
                diags.push(
                    Diagnostic::error(
                        Code::BUNDLE_READ,
                        format!("`{}` points outside the bundle", p.display()),
                    )
                    .help("remove the symbolic link; a bundle must be self-contained"),
                );
                continue;
            }
            if p.is_dir() {
                // Resources are not compiled; only XML configuration is read.
                if p.file_name().is_some_and(|n| n != "resources") {
                    stack.push(p);
                }
                continue;
            }
            if !p.extension().is_some_and(|e| e.eq_ignore_ascii_case("xml")) {
                continue;
            }
            if bundle.files.len() >= MAX_FILES {
                diags.push(Diagnostic::error(
                    Code::BUNDLE_TOO_LARGE,
                    format!("the bundle has more than {MAX_FILES} files"),
                ));
                return Some(bundle);
            }
            let rel = p
                .strip_prefix(&root_dir)
                .map(|r| r.to_string_lossy().replace('\\', "/"))
                .unwrap_or_default();
            let size = p.metadata().map(|m| m.len()).unwrap_or(0);
            total += size;
            if size > MAX_FILE_BYTES || total > MAX_TOTAL_BYTES {
                diags.push(Diagnostic::error(
                    Code::BUNDLE_TOO_LARGE,
                    format!("`{root_name}/{rel}` is too large ({size} bytes; files are limited to {MAX_FILE_BYTES} bytes, bundles to {MAX_TOTAL_BYTES})"),
                ));
                continue;
            }
            match std::fs::read(&p) {
                Ok(bytes) => add_file(&mut bundle, diags, &root_name, rel, p.clone(), bytes),
                Err(e) => diags.push(Diagnostic::error(
                    Code::BUNDLE_READ,
                    format!("cannot read `{}`: {e}", p.display()),
                )),
            }
            bundle.tracked.push(p);
        }
    }
    bundle.files.sort();
    Some(bundle)
}

fn is_bundle_root(path: &Path) -> bool {
    path.is_dir()
        && path
            .file_name()
            .is_some_and(|n| n == "apiproxy" || n == "sharedflowbundle")
}

fn add_file(
    bundle: &mut LoadedBundle,
    diags: &mut Diagnostics,
    root: &str,
    rel: String,
    path: PathBuf,
    bytes: Vec<u8>,
) {
    let name = format!("{root}/{rel}");
    match String::from_utf8(bytes) {
        Ok(text) => {
            let text = text
                .strip_prefix('\u{feff}')
                .map(str::to_owned)
                .unwrap_or(text);
            let id = diags.sources.add(name, path, text);
            bundle.files.push((rel, id));
        }
        Err(e) => diags.push(
            Diagnostic::error(
                Code::NOT_UTF8,
                format!(
                    "`{name}` is not UTF-8 (invalid byte at offset {})",
                    e.utf8_error().valid_up_to()
                ),
            )
            .help("save the file as UTF-8"),
        ),
    }
}

fn load_zip(path: &Path, diags: &mut Diagnostics) -> Option<LoadedBundle> {
    let zip_err = |msg: String| Diagnostic::error(Code::ZIP_INVALID, msg);
    let file = match std::fs::File::open(path) {
        Ok(f) => f,
        Err(e) => {
            diags.push(zip_err(format!("cannot open `{}`: {e}", path.display())));
            return None;
        }
    };
    let mut archive = match zip::ZipArchive::new(file) {
        Ok(a) => a,
        Err(e) => {
            diags.push(zip_err(format!(
                "`{}` is not a valid zip file: {e}",
                path.display()
            )));
            return None;
        }
    };
    if archive.len() > MAX_FILES {
        diags.push(Diagnostic::error(
            Code::BUNDLE_TOO_LARGE,
            format!("the zip holds more than {MAX_FILES} entries"),
        ));
        return None;
    }
    let mut bundle = LoadedBundle {
        tracked: vec![path.to_owned()],
        ..LoadedBundle::default()
    };
    let mut total = 0u64;
    for i in 0..archive.len() {
        let mut entry = match archive.by_index(i) {
            Ok(e) => e,
            Err(e) => {
                diags.push(zip_err(format!("zip entry {i} cannot be read: {e}")));
                continue;
            }
        };
        if entry.is_dir() {
            continue;
        }
        let name = match entry.name() {
            Ok(n) => n.into_owned(),
            Err(e) => {
                diags.push(zip_err(format!(
                    "zip entry {i} has an unreadable name: {e}"
                )));
                continue;
            }
        };
        let rel_path = Path::new(&name);
        let safe = rel_path
            .components()
            .all(|c| matches!(c, Component::Normal(_)));
        if !safe || entry.is_symlink() {
            diags.push(
                zip_err(format!("zip entry `{name}` escapes the bundle folder"))
                    .help("a bundle export must only hold relative paths below apiproxy/"),
            );
            continue;
        }
        let mut comps = name.split('/');
        let Some(root) = comps.next() else { continue };
        if root != "apiproxy" && root != "sharedflowbundle" {
            continue;
        }
        let rel: String = comps.collect::<Vec<_>>().join("/");
        if !rel.ends_with(".xml") || rel.starts_with("resources/") {
            continue;
        }
        if bundle.root.is_empty() {
            bundle.root = root.to_owned();
        }
        let declared = entry.size();
        if declared > MAX_FILE_BYTES {
            diags.push(Diagnostic::error(
                Code::BUNDLE_TOO_LARGE,
                format!("zip entry `{name}` is too large ({declared} bytes)"),
            ));
            continue;
        }
        // Read at most the limit + 1 bytes: a lying header cannot bomb us.
        let mut bytes = Vec::new();
        if let Err(e) = (&mut entry)
            .take(MAX_FILE_BYTES + 1)
            .read_to_end(&mut bytes)
        {
            diags.push(zip_err(format!(
                "zip entry `{name}` cannot be decompressed: {e}"
            )));
            continue;
        }
        total += bytes.len() as u64;
        if bytes.len() as u64 > MAX_FILE_BYTES || total > MAX_TOTAL_BYTES {
            diags.push(Diagnostic::error(
                Code::BUNDLE_TOO_LARGE,
                format!("zip entry `{name}` expands beyond the size limits"),
            ));
            return Some(bundle);
        }
        let root_name = bundle.root.clone();
        add_file(&mut bundle, diags, &root_name, rel, path.to_owned(), bytes);
    }
    if bundle.root.is_empty() {
        diags.push(zip_err(format!(
            "`{}` holds no apiproxy/ folder",
            path.display()
        )));
        return None;
    }
    bundle.files.sort();
    Some(bundle)
}
