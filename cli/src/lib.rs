//! The `proxyc` command line: check, expand, scaffold and graph Apigee
//! proxy bundles. A thin front-end over `proxyc_compiler`; `main.rs` only
//! calls [`main_entry`].

pub mod args;
pub mod check;
pub mod graph;
pub mod scaffold;
pub mod walk;

use args::Command;
use proxyc_compiler::Options;
use std::io::{IsTerminal, Write};
use std::path::PathBuf;

/// Exit status: no errors.
pub const EXIT_OK: i32 = 0;
/// Exit status: a bundle has errors.
pub const EXIT_ERRORS: i32 = 1;
/// Exit status: proxyc could not run.
pub const EXIT_FAILURE: i32 = 2;

/// Where a run writes: standard output and error (or buffers in tests).
pub struct Output<'a> {
    /// Standard output.
    pub stdout: &'a mut dyn Write,
    /// Standard error.
    pub stderr: &'a mut dyn Write,
    /// Whether stderr is a terminal (progress is shown by default then).
    pub stderr_is_terminal: bool,
}

impl Output<'_> {
    /// Writes to stdout (a closed pipe is not an error worth reporting).
    pub fn out(&mut self, s: &str) {
        let _ = self.stdout.write_all(s.as_bytes());
    }

    /// Writes to stderr.
    pub fn err(&mut self, s: &str) {
        let _ = self.stderr.write_all(s.as_bytes());
    }
}

/// Runs the binary with the process's arguments and standard streams.
pub fn main_entry() -> i32 {
    let args: Result<Vec<String>, _> = std::env::args_os()
        .skip(1)
        .map(std::ffi::OsString::into_string)
        .collect();
    let stdout = std::io::stdout();
    let stderr = std::io::stderr();
    let stderr_is_terminal = stderr.is_terminal();
    let mut out_lock = stdout.lock();
    let mut err_lock = stderr.lock();
    let mut out = Output {
        stdout: &mut out_lock,
        stderr: &mut err_lock,
        stderr_is_terminal,
    };
    let code = match args {
        Ok(args) => run(args, &mut out),
        Err(bad) => {
            out.err(&format!("error: argument {bad:?} is not valid UTF-8\n"));
            EXIT_FAILURE
        }
    };
    let _ = out.stdout.flush();
    code
}

/// Runs one command line (without the program name); returns the exit
/// status.
pub fn run(args: Vec<String>, out: &mut Output<'_>) -> i32 {
    let cli = match args::parse(args) {
        Ok(cli) => cli,
        Err(e) => {
            out.err(&format!(
                "error: {}\n\nRun `proxyc --help` for usage.\n",
                e.0
            ));
            return EXIT_FAILURE;
        }
    };
    let opts = Options {
        allow: cli.allow.clone(),
        java_precedence: cli.java_precedence,
        ..Options::default()
    };
    match cli.command {
        Command::Help(text) => {
            out.out(text);
            EXIT_OK
        }
        Command::Version => {
            out.out(&format!("proxyc {}\n", env!("CARGO_PKG_VERSION")));
            EXIT_OK
        }
        Command::Check {
            ref paths,
            format,
            progress,
        } => {
            let mut bundles = Vec::new();
            for p in paths {
                match walk::bundles(p) {
                    Ok(found) if found.is_empty() => {
                        out.err(&format!(
                            "error: no bundle (apiproxy/, sharedflowbundle/ or .zip) under `{}`\n",
                            p.display()
                        ));
                        return EXIT_FAILURE;
                    }
                    Ok(found) => bundles.extend(found),
                    Err(e) => {
                        out.err(&format!("error: {e}\n"));
                        return EXIT_FAILURE;
                    }
                }
            }
            let progress = progress || (out.stderr_is_terminal && bundles.len() > 1);
            check::run(&bundles, format, progress, &opts, out)
        }
        Command::Expand { ref bundle } => expand(bundle, &opts, out),
        Command::Graph { ref bundle, format } => match proxyc_compiler::analyze(bundle, &opts) {
            Ok((proxy, _)) => {
                out.out(&graph::render(&proxy, format));
                EXIT_OK
            }
            Err(diags) => rejected(&diags, out),
        },
        Command::New {
            ref bundle,
            ref dir,
            ref proxyc_path,
        } => new(bundle, dir.as_ref(), proxyc_path.as_ref(), &opts, out),
    }
}

fn rejected(diags: &proxyc_compiler::Diagnostics, out: &mut Output<'_>) -> i32 {
    out.err(&diags.render());
    if diags.list.is_empty() {
        out.err("error: the bundle could not be compiled\n");
    }
    EXIT_ERRORS
}

fn expand(bundle: &std::path::Path, opts: &Options, out: &mut Output<'_>) -> i32 {
    match proxyc_compiler::compile(bundle, opts) {
        Ok(generated) => {
            out.err(&generated.warnings.render());
            match generated.render() {
                Ok(text) => {
                    out.out(&text);
                    EXIT_OK
                }
                Err(e) => {
                    out.err(&format!("error: cannot format the generated code: {e}\n"));
                    EXIT_FAILURE
                }
            }
        }
        Err(diags) => rejected(&diags, out),
    }
}

fn new(
    bundle: &std::path::Path,
    dir: Option<&PathBuf>,
    proxyc_path: Option<&PathBuf>,
    opts: &Options,
    out: &mut Output<'_>,
) -> i32 {
    let generated = match proxyc_compiler::compile(bundle, opts) {
        Ok(g) => g,
        Err(diags) => return rejected(&diags, out),
    };
    out.err(&generated.warnings.render());
    let dir = dir
        .cloned()
        .unwrap_or_else(|| PathBuf::from(&generated.proxy_name));
    let proxyc = proxyc_path
        .cloned()
        .unwrap_or_else(scaffold::default_proxyc_path);
    let s = scaffold::Scaffold {
        bundle,
        proxy_name: &generated.proxy_name,
        module_name: &generated.module_name,
        dir: &dir,
        proxyc: &proxyc,
    };
    match scaffold::write(&s) {
        Ok(files) => {
            out.out(&format!(
                "created {} ({} files) serving proxy `{}`\n\nnext:\n  cd {}\n  cargo run        # serves on the address in env.toml\n",
                dir.display(),
                files.len(),
                generated.proxy_name,
                dir.display()
            ));
            EXIT_OK
        }
        Err(e) => {
            out.err(&format!("error: {e}\n"));
            EXIT_FAILURE
        }
    }
}
