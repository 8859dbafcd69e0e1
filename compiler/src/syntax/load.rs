//! Reading a bundle from disk: a folder holding `apiproxy/`, the
//! `apiproxy/` folder itself, or a `.zip` export. Hostile input is bounded
//! by the limits below (documented in README.md, "Hostile input"): file and
//! bundle sizes (checked against the bytes actually read, so a lying zip
//! header or a growing file cannot exceed them), the number of entries,
//! paths and links escaping the bundle, link loops, and files that are not
//! regular files. Every refusal is an error naming the file.

use crate::diagnostics::{Code, Diagnostic, Diagnostics, FileId, Span};
use std::collections::HashSet;
use std::io::Read;
use std::ops::ControlFlow;
use std::path::{Component, Path, PathBuf};

/// Largest single file accepted (bytes).
pub const MAX_FILE_BYTES: u64 = 8 * 1024 * 1024;
/// Largest bundle accepted (bytes of XML read, summed over its files).
pub const MAX_TOTAL_BYTES: u64 = 64 * 1024 * 1024;
/// Most entries accepted: files and folders walked, or zip entries.
pub const MAX_FILES: usize = 10_000;

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
    Some(load_dir(&root_dir, diags))
}

fn is_bundle_root(path: &Path) -> bool {
    path.is_dir()
        && path
            .file_name()
            .is_some_and(|n| n == "apiproxy" || n == "sharedflowbundle")
}

/// What a bundle has used of its limits so far.
#[derive(Default)]
struct Budget {
    entries: usize,
    bytes: u64,
}

/// One file about to be read, and where it comes from.
struct Candidate<'a> {
    /// Path relative to the bundle root (`policies/AM-1.xml`).
    rel: String,
    /// The file on disk (the archive for zipped bundles).
    path: &'a Path,
    /// Size announced by the file system or the zip directory.
    declared: u64,
}

/// An error about a file that could not be loaded. The file is registered
/// with empty text so that the diagnostic names it (`file:1:1`).
fn file_error(
    diags: &mut Diagnostics,
    code: Code,
    name: String,
    path: &Path,
    message: String,
    help: &str,
) {
    let file = diags.sources.add(name, path.to_owned(), String::new());
    diags.push(
        Diagnostic::error(code, message)
            .at(Span { file, range: 0..0 }, "this file")
            .help(help),
    );
}

fn too_many_entries(diags: &mut Diagnostics, root: &str, path: &Path) {
    file_error(
        diags,
        Code::BUNDLE_TOO_LARGE,
        root.to_owned(),
        path,
        format!("the bundle holds more than {MAX_FILES} files and folders"),
        "a bundle is configuration, not data: move large content out of it (proxyc reads at most 10 000 entries)",
    );
}

/// Reads one file through the size limits; `Break` when the bundle as a
/// whole is over its limit (nothing more is read).
fn admit(
    bundle: &mut LoadedBundle,
    budget: &mut Budget,
    diags: &mut Diagnostics,
    file: Candidate<'_>,
    reader: impl Read,
) -> ControlFlow<()> {
    let name = format!("{}/{}", bundle.root, file.rel);
    let too_large = |size: String| {
        format!("`{name}` is too large ({size}; a file may hold at most {MAX_FILE_BYTES} bytes)")
    };
    let help =
        "bundle files are small XML configuration; remove the content or move it out of the bundle";
    if file.declared > MAX_FILE_BYTES {
        let msg = too_large(format!("{} bytes", file.declared));
        file_error(diags, Code::BUNDLE_TOO_LARGE, name, file.path, msg, help);
        return ControlFlow::Continue(());
    }
    // Read at most the limit + 1 bytes: a lying size cannot bomb us.
    let mut bytes = Vec::new();
    if let Err(e) = reader.take(MAX_FILE_BYTES + 1).read_to_end(&mut bytes) {
        let msg = format!("`{name}` cannot be read: {e}");
        let help = "re-export the bundle; the file or archive is damaged";
        file_error(diags, Code::BUNDLE_READ, name, file.path, msg, help);
        return ControlFlow::Continue(());
    }
    let size = bytes.len() as u64;
    if size > MAX_FILE_BYTES {
        let msg = too_large(format!("more than {MAX_FILE_BYTES} bytes"));
        file_error(diags, Code::BUNDLE_TOO_LARGE, name, file.path, msg, help);
        return ControlFlow::Continue(());
    }
    budget.bytes += size;
    if budget.bytes > MAX_TOTAL_BYTES {
        let msg = format!(
            "the bundle is too large: reading `{name}` takes it past {MAX_TOTAL_BYTES} bytes of XML"
        );
        file_error(diags, Code::BUNDLE_TOO_LARGE, name, file.path, msg, help);
        return ControlFlow::Break(());
    }
    add_file(bundle, diags, file.rel, file.path.to_owned(), bytes);
    ControlFlow::Continue(())
}

fn load_dir(root_dir: &Path, diags: &mut Diagnostics) -> LoadedBundle {
    let root_name = root_dir
        .file_name()
        .map_or_else(|| "apiproxy".into(), |n| n.to_string_lossy().into_owned());
    let mut bundle = LoadedBundle {
        root: root_name.clone(),
        ..LoadedBundle::default()
    };
    let canonical_root = root_dir
        .canonicalize()
        .unwrap_or_else(|_| root_dir.to_owned());
    // Folders already walked, by canonical path: a link back up is a loop.
    let mut walked = HashSet::from([canonical_root.clone()]);
    let mut budget = Budget::default();
    let mut stack = vec![root_dir.to_owned()];
    while let Some(dir) = stack.pop() {
        bundle.tracked.push(dir.clone());
        let mut entries: Vec<PathBuf> = match std::fs::read_dir(&dir) {
            Ok(rd) => rd.filter_map(|e| e.ok().map(|e| e.path())).collect(),
            Err(e) => {
                diags.push(
                    Diagnostic::error(
                        Code::BUNDLE_READ,
                        format!("cannot read folder `{}`: {e}", dir.display()),
                    )
                    .help("make the folder readable by the build"),
                );
                continue;
            }
        };
        entries.sort();
        for p in entries {
            budget.entries += 1;
            if budget.entries > MAX_FILES {
                too_many_entries(diags, &root_name, root_dir);
                bundle.files.sort();
                return bundle;
            }
            let rel = p
                .strip_prefix(root_dir)
                .map(|r| r.to_string_lossy().replace('\\', "/"))
                .unwrap_or_default();
            let name = format!("{root_name}/{rel}");
            let inside = p
                .canonicalize()
                .ok()
                .filter(|c| c.starts_with(&canonical_root));
            let (Some(canonical), Ok(meta)) = (inside, std::fs::metadata(&p)) else {
                let msg = format!("`{name}` points outside the bundle (or to nothing)");
                let help = "remove the symbolic link; a bundle must be self-contained";
                file_error(diags, Code::BUNDLE_READ, name, &p, msg, help);
                continue;
            };
            if meta.is_dir() {
                // Resources are not compiled; only XML configuration is read.
                if p.file_name().is_some_and(|n| n == "resources") {
                    continue;
                }
                if !walked.insert(canonical) {
                    let msg = format!("`{name}` links to a folder that is already read");
                    let help = "remove the symbolic link; a bundle must not contain link loops";
                    file_error(diags, Code::BUNDLE_READ, name, &p, msg, help);
                    continue;
                }
                stack.push(p);
                continue;
            }
            if !p.extension().is_some_and(|e| e.eq_ignore_ascii_case("xml")) {
                continue;
            }
            bundle.tracked.push(p.clone());
            if !meta.is_file() {
                let msg = format!("`{name}` is not a regular file");
                let help = "bundle files must be regular files, not devices, pipes or sockets";
                file_error(diags, Code::BUNDLE_READ, name, &p, msg, help);
                continue;
            }
            let file = match std::fs::File::open(&p) {
                Ok(f) => f,
                Err(e) => {
                    let msg = format!("cannot read `{name}`: {e}");
                    let help = "make the file readable by the build";
                    file_error(diags, Code::BUNDLE_READ, name, &p, msg, help);
                    continue;
                }
            };
            let candidate = Candidate {
                rel,
                path: &p,
                declared: meta.len(),
            };
            if admit(&mut bundle, &mut budget, diags, candidate, file).is_break() {
                bundle.files.sort();
                return bundle;
            }
        }
    }
    bundle.files.sort();
    bundle
}

fn add_file(
    bundle: &mut LoadedBundle,
    diags: &mut Diagnostics,
    rel: String,
    path: PathBuf,
    bytes: Vec<u8>,
) {
    let name = format!("{}/{rel}", bundle.root);
    match String::from_utf8(bytes) {
        Ok(mut text) => {
            if text.starts_with('\u{feff}') {
                text.drain(..'\u{feff}'.len_utf8());
            }
            let id = diags.sources.add(name, path, text);
            bundle.files.push((rel, id));
        }
        Err(e) => {
            // Keep the text (bad bytes replaced) so the error points at the
            // first bad byte's line and column.
            let at = e.utf8_error().valid_up_to();
            let text = String::from_utf8_lossy(e.as_bytes()).into_owned();
            let file = diags.sources.add(name.clone(), path, text);
            diags.push(
                Diagnostic::error(
                    Code::NOT_UTF8,
                    format!("`{name}` is not UTF-8 (invalid byte at offset {at})"),
                )
                .at(
                    Span {
                        file,
                        range: at..at + '\u{fffd}'.len_utf8(),
                    },
                    "not UTF-8",
                )
                .help("save the file as UTF-8"),
            );
        }
    }
}

fn load_zip(path: &Path, diags: &mut Diagnostics) -> Option<LoadedBundle> {
    let zip_name = path
        .file_name()
        .map_or_else(|| "bundle.zip".into(), |n| n.to_string_lossy().into_owned());
    let damaged = "re-export the bundle from Apigee (or zip the apiproxy/ folder again)";
    let file = match std::fs::File::open(path) {
        Ok(f) => f,
        Err(e) => {
            let msg = format!("cannot open `{}`: {e}", path.display());
            file_error(diags, Code::ZIP_INVALID, zip_name, path, msg, damaged);
            return None;
        }
    };
    let mut archive = match zip::ZipArchive::new(file) {
        Ok(a) => a,
        Err(e) => {
            let msg = format!("`{}` is not a valid zip file: {e}", path.display());
            file_error(diags, Code::ZIP_INVALID, zip_name, path, msg, damaged);
            return None;
        }
    };
    if archive.len() > MAX_FILES {
        too_many_entries(diags, &zip_name, path);
        return None;
    }
    let mut bundle = LoadedBundle {
        tracked: vec![path.to_owned()],
        ..LoadedBundle::default()
    };
    let mut budget = Budget::default();
    let damaged_entry = |diags: &mut Diagnostics, msg: String| {
        file_error(
            diags,
            Code::ZIP_INVALID,
            zip_name.clone(),
            path,
            msg,
            damaged,
        );
    };
    for i in 0..archive.len() {
        let entry = match archive.by_index(i) {
            Ok(e) => e,
            Err(e) => {
                damaged_entry(
                    diags,
                    format!("entry {i} of `{zip_name}` cannot be read: {e}"),
                );
                continue;
            }
        };
        if entry.is_dir() {
            continue;
        }
        let name = match entry.name() {
            Ok(n) => n.into_owned(),
            Err(e) => {
                damaged_entry(
                    diags,
                    format!("entry {i} of `{zip_name}` has an unreadable name: {e}"),
                );
                continue;
            }
        };
        let safe = Path::new(&name)
            .components()
            .all(|c| matches!(c, Component::Normal(_)));
        if !safe || entry.is_symlink() {
            let msg = format!("zip entry `{name}` escapes the bundle folder");
            let help =
                "a bundle export must only hold relative paths below apiproxy/, and no links";
            file_error(diags, Code::ZIP_INVALID, name, path, msg, help);
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
        let candidate = Candidate {
            rel,
            path,
            declared: entry.size(),
        };
        if admit(&mut bundle, &mut budget, diags, candidate, entry).is_break() {
            break;
        }
    }
    if bundle.root.is_empty() {
        let msg = format!("`{}` holds no apiproxy/ folder", path.display());
        let help = "zip the folder that holds apiproxy/ so that entries start with `apiproxy/`";
        file_error(diags, Code::ZIP_INVALID, zip_name, path, msg, help);
        return None;
    }
    bundle.files.sort();
    Some(bundle)
}
