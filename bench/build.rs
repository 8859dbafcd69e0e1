//! Compiles the benchmark bundles into `$OUT_DIR/proxyc/*.rs`.

fn main() {
    let result = proxyc_compiler::Builder::new()
        .bundle("bundles/pass")
        .bundle("bundles/mediate")
        .bundle("bundles/callout")
        .bundle("bundles/integration")
        .bundle("bundles/fault")
        .compile();
    if let Err(e) = result {
        eprintln!("{e}");
        std::process::exit(1);
    }
}
