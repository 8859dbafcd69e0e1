//! A bundle changed on disk is recompiled by the next `cargo build` of a
//! crate that compiles it from build.rs (the Builder's rerun-if-changed
//! lines and write-if-changed output, exercised through real cargo).

use std::path::{Path, PathBuf};
use std::process::Command;

fn write(path: &Path, text: &str) {
    if let Some(dir) = path.parent() {
        std::fs::create_dir_all(dir).expect("mkdir");
    }
    std::fs::write(path, text).expect("write");
}

fn policy(header: &str) -> String {
    format!(
        r#"<AssignMessage name="AM-Mark"><Set><Headers><Header name="{header}">1</Header></Headers></Set></AssignMessage>"#
    )
}

fn build_and_run(dir: &Path, target: &Path) -> String {
    let cargo = std::env::var("CARGO").unwrap_or_else(|_| "cargo".into());
    let status = Command::new(&cargo)
        .args(["build", "--quiet", "--offline"])
        .current_dir(dir)
        .env("CARGO_TARGET_DIR", target)
        .status()
        .expect("cargo runs");
    assert!(status.success(), "cargo build failed");
    let out = Command::new(target.join("debug").join("rebuild-probe"))
        .output()
        .expect("probe runs");
    String::from_utf8_lossy(&out.stdout).into_owned()
}

#[test]
fn editing_a_bundle_file_or_adding_one_recompiles_it() {
    let repo = Path::new(env!("CARGO_MANIFEST_DIR"))
        .parent()
        .expect("repo root")
        .to_owned();
    let dir = tempdir();
    write(
        &dir.join("Cargo.toml"),
        &format!(
            r#"[package]
name = "rebuild-probe"
version = "0.0.0"
edition = "2024"

[workspace]

[build-dependencies]
proxyc-compiler = {{ path = "{}" }}
"#,
            repo.join("compiler").display()
        ),
    );
    // Same versions as the workspace, so the shared target dir is reused.
    std::fs::copy(repo.join("Cargo.lock"), dir.join("Cargo.lock")).expect("lock");
    write(
        &dir.join("build.rs"),
        "fn main() { proxyc_compiler::Builder::new().bundle(\"bundle\").compile().unwrap_or_else(|e| panic!(\"{e}\")); }\n",
    );
    write(
        &dir.join("src/main.rs"),
        "const GENERATED: &str = include_str!(concat!(env!(\"OUT_DIR\"), \"/proxyc/probe.rs\"));\nfn main() { print!(\"{GENERATED}\"); }\n",
    );
    let apiproxy = dir.join("bundle/apiproxy");
    write(&apiproxy.join("probe.xml"), r#"<APIProxy name="probe"/>"#);
    write(
        &apiproxy.join("proxies/default.xml"),
        r#"<ProxyEndpoint name="default"><PreFlow><Request><Step><Name>AM-Mark</Name></Step></Request></PreFlow>
           <HTTPProxyConnection><BasePath>/p</BasePath></HTTPProxyConnection></ProxyEndpoint>"#,
    );
    write(&apiproxy.join("policies/AM-Mark.xml"), &policy("X-First"));

    let target = repo.join("target").join("rebuild-probe");
    assert!(build_and_run(&dir, &target).contains("x-first"));

    // An edited policy is picked up.
    std::thread::sleep(std::time::Duration::from_millis(1100));
    write(&apiproxy.join("policies/AM-Mark.xml"), &policy("X-Second"));
    assert!(build_and_run(&dir, &target).contains("x-second"));

    // A new policy file (and the Step using it) is picked up too.
    std::thread::sleep(std::time::Duration::from_millis(1100));
    write(
        &apiproxy.join("policies/AM-Extra.xml"),
        r#"<AssignMessage name="AM-Extra"><Set><Headers><Header name="X-Extra">1</Header></Headers></Set></AssignMessage>"#,
    );
    write(
        &apiproxy.join("proxies/default.xml"),
        r#"<ProxyEndpoint name="default"><PreFlow><Request><Step><Name>AM-Mark</Name></Step><Step><Name>AM-Extra</Name></Step></Request></PreFlow>
           <HTTPProxyConnection><BasePath>/p</BasePath></HTTPProxyConnection></ProxyEndpoint>"#,
    );
    assert!(build_and_run(&dir, &target).contains("x-extra"));
    let _ = std::fs::remove_dir_all(&dir);
}

fn tempdir() -> PathBuf {
    let dir = std::env::temp_dir().join(format!("proxyc-rebuild-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).expect("temp dir");
    dir
}
