//! Compiles the benchmark bundles into `$OUT_DIR/proxyc/*.rs`.
//!
//! With `PROXYC_BENCH_EXTRA_BUNDLE=<dir>` (set by `bench/run.sh` to time
//! rustc on a generated 1,000-policy bundle) that bundle is compiled too
//! and included as `proxyc_bench::generated::extra`.

fn main() {
    println!("cargo::rustc-check-cfg=cfg(proxyc_bench_extra)");
    println!("cargo::rerun-if-env-changed=PROXYC_BENCH_EXTRA_BUNDLE");
    let mut builder = proxyc_compiler::Builder::new()
        .bundle("bundles/pass")
        .bundle("bundles/mediate")
        .bundle("bundles/callout")
        .bundle("bundles/integration")
        .bundle("bundles/fault");
    if let Some(extra) = std::env::var_os("PROXYC_BENCH_EXTRA_BUNDLE") {
        builder = builder.bundle(extra);
        println!("cargo::rustc-cfg=proxyc_bench_extra");
    }
    if let Err(e) = builder.compile() {
        eprintln!("{e}");
        std::process::exit(1);
    }
}
