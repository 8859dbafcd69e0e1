//! Compiles every fixture bundle (tests/bundles/*) and every example bundle
//! (examples/bundles/*), so each snapshotted bundle is also built and run.

use std::path::Path;

fn main() {
    let mut builder = proxyc_compiler::Builder::new();
    for dir in ["bundles", "../examples/bundles"] {
        println!("cargo:rerun-if-changed={dir}");
        let Ok(entries) = std::fs::read_dir(dir) else {
            continue;
        };
        let mut paths: Vec<_> = entries.filter_map(|e| e.ok().map(|e| e.path())).collect();
        paths.sort();
        for p in paths {
            if Path::new(&p).join("apiproxy").is_dir() {
                builder = builder.bundle(p);
            }
        }
    }
    if let Err(e) = builder.compile() {
        eprintln!("{e}");
        std::process::exit(1);
    }
}
