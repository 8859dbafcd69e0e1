//! Times proxyc's code generation: compiles `--bundle` through the
//! `Builder` (load, analysis, codegen, formatting, write) `--runs` times
//! into `--out` and prints each duration in milliseconds as a JSON array.
//!
//! ```text
//! bench-codegen --bundle /tmp/gen1000/apiproxy/.. --out /tmp/out --runs 5
//! ```

use proxyc_bench::serve::Args;
use std::path::PathBuf;
use std::time::Instant;

fn main() {
    if let Err(e) = run() {
        eprintln!("bench-codegen: {e}");
        std::process::exit(1);
    }
}

fn run() -> Result<(), String> {
    let args = Args::parse()?;
    let bundle: PathBuf = args.get("bundle")?;
    let out: PathBuf = args.get("out")?;
    let runs: usize = args.get_or("runs", 5)?;
    let mut ms = Vec::with_capacity(runs);
    for _ in 0..runs {
        // A fresh directory each time so the write-if-changed check always writes.
        let _ = std::fs::remove_dir_all(&out);
        let start = Instant::now();
        proxyc_compiler::Builder::new()
            .bundle(&bundle)
            .out_dir(&out)
            .emit_rerun_if_changed(false)
            .compile()
            .map_err(|e| e.to_string())?;
        ms.push(format!("{:.1}", start.elapsed().as_secs_f64() * 1000.0));
    }
    println!("[{}]", ms.join(","));
    Ok(())
}
