//! Fuzzes the `.zip` export path: the input is the archive, written to a
//! file and compiled as `Builder` would (zip parsing, entry names, sizes,
//! decompression, then the whole compiler), rendering the generated code
//! when the compile succeeds. Any panic is a bug.

#![no_main]

use libfuzzer_sys::fuzz_target;
use std::path::PathBuf;
use std::sync::LazyLock;

/// One archive path per fuzzing process, rewritten on every input.
static ZIP: LazyLock<PathBuf> = LazyLock::new(|| {
    std::env::temp_dir().join(format!("proxyc-fuzz-zip-{}.zip", std::process::id()))
});

fuzz_target!(|data: &[u8]| {
    std::fs::write(&*ZIP, data).expect("write archive"); // ok: the fuzzer's own scratch file; failing to write it is a broken setup, not an input
    match proxyc_compiler::compile(&ZIP, &proxyc_compiler::Options::default()) {
        Ok(generated) => {
            let _ = generated.render();
        }
        Err(diags) => {
            assert!(diags.has_errors());
            let _ = diags.render();
        }
    }
});
