//! `proxyc new`: a crate that compiles a bundle in build.rs and serves it.

use std::path::{Path, PathBuf};

/// The proxyc checkout this binary was built from (the default of
/// `--proxyc-path`).
pub fn default_proxyc_path() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .parent()
        .map_or_else(|| PathBuf::from(env!("CARGO_MANIFEST_DIR")), Path::to_owned)
}

/// What `proxyc new` needs to know about the bundle.
#[derive(Debug)]
pub struct Scaffold<'a> {
    /// The bundle (folder or .zip).
    pub bundle: &'a Path,
    /// `apiproxy.name`.
    pub proxy_name: &'a str,
    /// The generated module name (`include_proxy!` argument).
    pub module_name: &'a str,
    /// The crate folder to create.
    pub dir: &'a Path,
    /// The proxyc checkout to depend on.
    pub proxyc: &'a Path,
}

/// Writes the crate; returns the files written (relative to `dir`).
pub fn write(s: &Scaffold<'_>) -> Result<Vec<String>, String> {
    if s.dir.exists()
        && std::fs::read_dir(s.dir)
            .map_err(|e| format!("cannot read `{}`: {e}", s.dir.display()))?
            .next()
            .is_some()
    {
        return Err(format!(
            "`{}` exists and is not empty; choose another folder",
            s.dir.display()
        ));
    }
    let proxyc = std::path::absolute(s.proxyc)
        .map_err(|e| format!("--proxyc-path `{}`: {e}", s.proxyc.display()))?;
    for krate in ["runtime", "compiler"] {
        if !proxyc.join(krate).join("Cargo.toml").is_file() {
            return Err(format!(
                "`{}` is not a proxyc checkout (no {krate}/Cargo.toml); pass --proxyc-path <repo>",
                proxyc.display()
            ));
        }
    }
    let mut written = Vec::new();
    let bundle_rel = copy_bundle(s.bundle, s.dir, &mut written)?;
    let crate_name = crate_name(s.proxy_name);
    let files = [
        ("Cargo.toml", cargo_toml(&crate_name, &proxyc)),
        ("build.rs", build_rs(&bundle_rel)),
        ("src/main.rs", main_rs(s.proxy_name, s.module_name)),
        ("env.toml", ENV_TOML.to_owned()),
        (".gitignore", "/target\n".to_owned()),
    ];
    for (rel, text) in files {
        put(s.dir, rel, text.as_bytes())?;
        written.push(rel.to_owned());
    }
    // The same dependency versions as the checkout: builds reuse its
    // compiled dependencies and work offline.
    if let Ok(lock) = std::fs::read(proxyc.join("Cargo.lock")) {
        put(s.dir, "Cargo.lock", &lock)?;
        written.push("Cargo.lock".into());
    }
    Ok(written)
}

fn put(dir: &Path, rel: &str, bytes: &[u8]) -> Result<(), String> {
    let path = dir.join(rel);
    if let Some(parent) = path.parent() {
        std::fs::create_dir_all(parent)
            .map_err(|e| format!("cannot create `{}`: {e}", parent.display()))?;
    }
    std::fs::write(&path, bytes).map_err(|e| format!("cannot write `{}`: {e}", path.display()))
}

/// Copies the bundle into `dir/bundle/` (or `dir/bundle.zip`); returns the
/// path build.rs names.
fn copy_bundle(bundle: &Path, dir: &Path, written: &mut Vec<String>) -> Result<String, String> {
    if bundle.is_file() {
        let bytes = std::fs::read(bundle)
            .map_err(|e| format!("cannot read `{}`: {e}", bundle.display()))?;
        put(dir, "bundle.zip", &bytes)?;
        written.push("bundle.zip".into());
        return Ok("bundle.zip".into());
    }
    let root = if bundle
        .file_name()
        .is_some_and(|n| n == "apiproxy" || n == "sharedflowbundle")
    {
        bundle.to_owned()
    } else {
        ["apiproxy", "sharedflowbundle"]
            .iter()
            .map(|r| bundle.join(r))
            .find(|p| p.is_dir())
            .ok_or_else(|| format!("no apiproxy/ folder in `{}`", bundle.display()))?
    };
    let root_name = root
        .file_name()
        .map_or_else(|| "apiproxy".into(), |n| n.to_string_lossy().into_owned());
    let mut stack = vec![root.clone()];
    while let Some(d) = stack.pop() {
        let entries =
            std::fs::read_dir(&d).map_err(|e| format!("cannot read `{}`: {e}", d.display()))?;
        for entry in entries {
            let p = entry
                .map_err(|e| format!("cannot read `{}`: {e}", d.display()))?
                .path();
            if p.symlink_metadata().is_ok_and(|m| m.is_symlink()) {
                continue;
            }
            if p.is_dir() {
                stack.push(p);
                continue;
            }
            let rel = p
                .strip_prefix(&root)
                .map_err(|_| format!("`{}` is outside the bundle", p.display()))?;
            let bytes =
                std::fs::read(&p).map_err(|e| format!("cannot read `{}`: {e}", p.display()))?;
            let dest = format!(
                "bundle/{root_name}/{}",
                rel.to_string_lossy().replace('\\', "/")
            );
            put(dir, &dest, &bytes)?;
            written.push(dest);
        }
    }
    Ok("bundle".into())
}

/// A Cargo package name from a proxy name.
fn crate_name(proxy: &str) -> String {
    let mut name: String = proxy
        .chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() {
                c.to_ascii_lowercase()
            } else {
                '-'
            }
        })
        .collect();
    name = name.trim_matches('-').to_owned();
    if name.is_empty() {
        name = "proxy".into();
    } else if name.starts_with(|c: char| c.is_ascii_digit()) {
        name.insert_str(0, "proxy-");
    }
    name
}

fn toml_str(s: &str) -> String {
    format!("\"{}\"", s.replace('\\', "\\\\").replace('"', "\\\""))
}

fn cargo_toml(name: &str, proxyc: &Path) -> String {
    let dep = |krate: &str| toml_str(&proxyc.join(krate).display().to_string());
    format!(
        r#"[package]
name = "{name}"
version = "0.1.0"
edition = "2024"
publish = false

[dependencies]
proxyc-runtime = {{ path = {runtime} }}
tokio = {{ version = "1.54", features = ["full"] }}

[build-dependencies]
proxyc-compiler = {{ path = {compiler} }}

# The same as the proxyc workspace, so its compiled dependencies are reused.
[profile.dev.package."*"]
opt-level = 1

# A crate of its own, even when created inside another workspace.
[workspace]
"#,
        runtime = dep("runtime"),
        compiler = dep("compiler"),
    )
}

fn build_rs(bundle: &str) -> String {
    format!(
        r#"//! Compiles the bundle into `$OUT_DIR/proxyc/*.rs`; edits to it rebuild.
//! Silence a warning with `.allow("PXW005")`.

fn main() {{
    let result = proxyc_compiler::Builder::new().bundle({bundle:?}).compile();
    if let Err(e) = result {{
        // Diagnostics are rendered rustc-style; cargo shows them verbatim.
        eprintln!("{{e}}");
        std::process::exit(1);
    }}
}}
"#
    )
}

fn main_rs(proxy: &str, module: &str) -> String {
    format!(
        r#"//! Serves the `{proxy}` proxy, compiled from the bundle by build.rs.
//!
//! ```text
//! cargo run -- [env.toml]
//! ```

use proxyc_runtime::{{EnvConfig, Environment, Gateway}};
use std::path::PathBuf;
use std::sync::Arc;

proxyc_runtime::include_proxy!("{module}");

#[tokio::main]
async fn main() {{
    if let Err(e) = run().await {{
        eprintln!("error: {{e}}");
        std::process::exit(1);
    }}
}}

async fn run() -> Result<(), String> {{
    let file = std::env::args_os()
        .nth(1)
        .map_or_else(|| PathBuf::from("env.toml"), PathBuf::from);
    let config = EnvConfig::load(&file).map_err(|e| e.to_string())?;
    let listen = config.listen;
    let env = Arc::new(Environment::new(config).map_err(|e| e.to_string())?);
    let gateway = Gateway::new(env).mount({module}::Proxy)?;
    let listener = tokio::net::TcpListener::bind(listen)
        .await
        .map_err(|e| format!("cannot listen on {{listen}}: {{e}}"))?;
    let addr = listener.local_addr().map_err(|e| e.to_string())?;
    println!("listening on http://{{addr}}");
    for (path, proxy) in gateway.base_paths() {{
        println!("  {{path}} -> proxy {{proxy}}");
    }}
    let shutdown = async {{
        let _ = tokio::signal::ctrl_c().await;
    }};
    gateway
        .serve(listener, shutdown)
        .await
        .map_err(|e| e.to_string())
}}
"#
    )
}

const ENV_TOML: &str = r#"# The environment the proxy runs in (see the proxyc README for every field).

# environment.name and organization.name as the proxy sees them.
environment = "local"
organization = "local"

# Where the gateway listens ("127.0.0.1:0" picks a free port).
listen = "127.0.0.1:8080"

# Print an Apigee-Debug-style timeline of every request to stderr.
trace = false

# Send a host:port the bundle names to another address (like curl --resolve):
# [connect_overrides]
# "backend.example.com:443" = "127.0.0.1:9443"
"#;

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn crate_names_are_valid() {
        assert_eq!(crate_name("Hello World_v1"), "hello-world-v1");
        assert_eq!(crate_name("1st"), "proxy-1st");
        assert_eq!(crate_name("%%"), "proxy");
    }
}
