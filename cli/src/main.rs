//! The `proxyc` binary; everything is in the library (see `proxyc --help`).

fn main() {
    std::process::exit(proxyc::main_entry());
}
