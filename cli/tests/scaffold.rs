//! `proxyc new` creates a crate that builds and serves its bundle as is:
//! scaffold examples/bundles/hello, `cargo build` it (sharing this
//! workspace's target dir, so only the new crate and the proxyc crates are
//! compiled), start it and send one request.

use std::io::{BufRead, BufReader, Read, Write};
use std::net::TcpStream;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};

fn repo() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("..")
}

/// Kills the served proxy even when an assertion fails.
struct Child(std::process::Child);

impl Drop for Child {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

#[test]
fn scaffold_builds_runs_and_answers() {
    let dir = std::env::temp_dir().join(format!("proxyc-new-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    let out = Command::new(env!("CARGO_BIN_EXE_proxyc"))
        .arg("new")
        .arg(repo().join("examples/bundles/hello"))
        .arg(&dir)
        .output()
        .expect("proxyc runs");
    assert!(
        out.status.success(),
        "proxyc new failed:\n{}",
        String::from_utf8_lossy(&out.stderr)
    );
    for f in [
        "Cargo.toml",
        "build.rs",
        "src/main.rs",
        "env.toml",
        "bundle/apiproxy/hello.xml",
    ] {
        assert!(dir.join(f).is_file(), "{f} missing");
    }
    // A second run refuses to overwrite.
    let again = Command::new(env!("CARGO_BIN_EXE_proxyc"))
        .arg("new")
        .arg(repo().join("examples/bundles/hello"))
        .arg(&dir)
        .output()
        .expect("proxyc runs");
    assert_eq!(again.status.code(), Some(2));

    let target =
        std::env::var_os("CARGO_TARGET_DIR").map_or_else(|| repo().join("target"), PathBuf::from);
    let cargo = std::env::var_os("CARGO").unwrap_or_else(|| "cargo".into());
    let build = Command::new(cargo)
        .args(["build", "--offline", "--quiet"])
        .current_dir(&dir)
        .env("CARGO_TARGET_DIR", &target)
        .status()
        .expect("cargo runs");
    assert!(build.success(), "the scaffold does not build");

    // Serve on a free port (the scaffold's env.toml listens on 8080).
    let env = std::fs::read_to_string(dir.join("env.toml")).expect("env.toml");
    let env = env.replace("127.0.0.1:8080", "127.0.0.1:0");
    std::fs::write(dir.join("test-env.toml"), env).expect("write env");
    let mut child = Child(
        Command::new(target.join("debug").join("hello"))
            .arg("test-env.toml")
            .current_dir(&dir)
            .stdout(Stdio::piped())
            .spawn()
            .expect("the proxy starts"),
    );
    let stdout = child.0.stdout.take().expect("stdout");
    let mut reader = BufReader::new(stdout);
    let mut first = String::new();
    reader.read_line(&mut first).expect("a first line");
    // Keep draining: a closed pipe would make the server's next println! fail.
    std::thread::spawn(move || std::io::copy(&mut reader, &mut std::io::sink()));
    let addr = first
        .trim()
        .strip_prefix("listening on http://")
        .unwrap_or_else(|| panic!("unexpected first line {first:?}"));
    let mut stream = TcpStream::connect(addr).expect("connect");
    stream
        .write_all(
            b"GET /hello/greet/world HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n",
        )
        .expect("send");
    let mut response = String::new();
    stream.read_to_string(&mut response).expect("read");
    assert!(response.starts_with("HTTP/1.1 200"), "{response}");
    drop(child);
    std::fs::remove_dir_all(&dir).expect("clean up");
}
