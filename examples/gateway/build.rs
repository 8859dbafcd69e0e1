//! Compiles the example bundles into `$OUT_DIR/proxyc/*.rs`.

fn main() {
    let result = proxyc_compiler::Builder::new()
        .bundle("../bundles/hello")
        .bundle("../bundles/integration")
        .bundle("../bundles/geocoding")
        .compile();
    if let Err(e) = result {
        // Diagnostics are rendered rustc-style; cargo shows them verbatim.
        eprintln!("{e}");
        std::process::exit(1);
    }
}
