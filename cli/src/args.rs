//! Command-line parsing and help texts.
//!
//! Hand-written rather than clap: four subcommands with a handful of flags
//! do not justify a dependency that doubles the crate's build time, and the
//! help texts below are written for a newcomer, with examples.

use std::path::PathBuf;

/// Output format of `proxyc check`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CheckFormat {
    /// rustc-style diagnostics with snippets.
    Human,
    /// One JSON document for the whole run.
    Json,
}

/// Output format of `proxyc graph`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum GraphFormat {
    /// A Mermaid flowchart (renders in GitHub Markdown).
    Mermaid,
    /// Graphviz DOT.
    Dot,
}

/// What to do.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Command {
    /// Compile-check bundles.
    Check {
        /// Bundles or folders to search.
        paths: Vec<PathBuf>,
        /// Output format.
        format: CheckFormat,
        /// Force progress lines on stderr.
        progress: bool,
    },
    /// Print the generated Rust of one bundle.
    Expand {
        /// The bundle.
        bundle: PathBuf,
    },
    /// Scaffold a crate serving a bundle.
    New {
        /// The bundle.
        bundle: PathBuf,
        /// The crate folder (default `./<proxy name>`).
        dir: Option<PathBuf>,
        /// The proxyc checkout the crate depends on.
        proxyc_path: Option<PathBuf>,
    },
    /// Print the flow pipeline of one bundle.
    Graph {
        /// The bundle.
        bundle: PathBuf,
        /// Output format.
        format: GraphFormat,
    },
    /// Print a help text.
    Help(&'static str),
    /// Print the version.
    Version,
}

/// A parsed command line.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Cli {
    /// The subcommand.
    pub command: Command,
    /// Warning codes to silence (`--allow`).
    pub allow: Vec<String>,
    /// `--java-precedence`.
    pub java_precedence: bool,
}

/// The top-level help.
pub const HELP: &str = "\
proxyc — compile Apigee proxy bundles to Rust

A bundle is a folder holding apiproxy/ (as in an Apigee repository), the
apiproxy/ folder itself, or a .zip export from the Apigee console.

Usage:
  proxyc check <bundle|folder>...   check bundles; folders are searched for bundles
  proxyc expand <bundle>            print the Rust code proxyc generates
  proxyc new <bundle> [dir]         create a Rust crate that serves the bundle
  proxyc graph <bundle>             draw the bundle's flows (Mermaid or DOT)
  proxyc help <command>             more about one command

Options for every command:
  --allow <CODE>        silence a warning, e.g. --allow PXW005 (repeat, or
                        separate codes with commas). A file named proxyc.allow
                        beside a bundle's apiproxy/ folder silences codes for
                        that bundle alone, one code per line.
  --java-precedence     in conditions `and` binds tighter than `or` (Java's
                        rule) instead of the default, where `or` binds tighter
  -h, --help            this text
  -V, --version         the version

Exit status: 0 no errors (warnings allowed), 1 a bundle has errors,
2 proxyc could not run (bad arguments, no bundle found, I/O failure).

Examples:
  proxyc check apiproxy/
  proxyc check --format json bundles/ > report.json
  proxyc graph my-proxy/ > flows.mmd
  proxyc new my-proxy/ server/ && cd server && cargo run
";

const HELP_CHECK: &str = "\
proxyc check — check bundles without building anything

Usage: proxyc check [options] <bundle|folder>...

Each argument is a bundle (a folder holding apiproxy/ or sharedflowbundle/,
such a folder itself, or a .zip export) or a folder that is searched
recursively for bundles. Every problem of every bundle is reported, rustc
style: file:line:col, the offending lines and a help line.

Options:
  --format human|json   json prints one document for the run: an array of
                        {\"bundle\", \"status\", \"diagnostics\"} (for CI)
  --progress            print [n/total] progress on stderr (default: only
                        when stderr is a terminal)
  --allow <CODE>        silence a warning code (see `proxyc --help`)

Exit status: 0 when every bundle compiles, 1 when one has errors, 2 when
proxyc could not run.
";

const HELP_EXPAND: &str = "\
proxyc expand — print the generated Rust of a bundle

Usage: proxyc expand <bundle>

Prints exactly the file the build.rs Builder writes to $OUT_DIR/proxyc/.
Diagnostics go to stderr; the exit status is 1 when the bundle has errors.
";

const HELP_NEW: &str = "\
proxyc new — create a crate that serves a bundle

Usage: proxyc new [--proxyc-path <repo>] <bundle> [dir]

Creates [dir] (default ./<proxy name>) with:
  Cargo.toml   depends on proxyc-runtime and (build) proxyc-compiler by path
  build.rs     compiles bundle/ with proxyc_compiler::Builder
  src/main.rs  serves the proxy with the gateway of proxyc-runtime
  env.toml     the environment file: listen address, backends, limits
  bundle/      a copy of the bundle

Options:
  --proxyc-path <repo>  the proxyc checkout to depend on (default: the one
                        this proxyc binary was built from)

Then: cd <dir> && cargo run    (serves on the address in env.toml)
";

const HELP_GRAPH: &str = "\
proxyc graph — draw a bundle's flow pipeline

Usage: proxyc graph [--format mermaid|dot] <bundle>

Prints the ProxyEndpoints and TargetEndpoints with their PreFlow, conditional
flows (with conditions), PostFlow, Steps, RouteRules, FaultRules and the
backends they call. Mermaid (the default) renders in GitHub Markdown inside a
```mermaid block; DOT renders with Graphviz: proxyc graph --format dot b/ | dot -Tsvg
";

/// A command-line mistake (exit status 2).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct UsageError(pub String);

/// Parses the arguments (without the program name).
pub fn parse(args: Vec<String>) -> Result<Cli, UsageError> {
    let mut cli = Cli {
        command: Command::Help(HELP),
        allow: Vec::new(),
        java_precedence: false,
    };
    let mut it = args.into_iter();
    let Some(sub) = it.next() else {
        return Ok(cli);
    };
    let mut positional: Vec<String> = Vec::new();
    let mut format: Option<String> = None;
    let mut progress = false;
    let mut proxyc_path = None;
    let mut help = false;
    while let Some(a) = it.next() {
        let (flag, inline) = match a.split_once('=') {
            Some((f, v)) if f.starts_with("--") => (f.to_owned(), Some(v.to_owned())),
            _ => (a.clone(), None),
        };
        let mut value = |name: &str| {
            inline
                .clone()
                .or_else(|| it.next())
                .ok_or_else(|| UsageError(format!("{name} needs a value")))
        };
        match flag.as_str() {
            "--allow" => cli.allow.extend(
                value("--allow")?
                    .split(',')
                    .map(|c| c.trim().to_ascii_uppercase())
                    .filter(|c| !c.is_empty()),
            ),
            "--java-precedence" => cli.java_precedence = true,
            "--format" => format = Some(value("--format")?),
            "--progress" => progress = true,
            "--proxyc-path" => proxyc_path = Some(PathBuf::from(value("--proxyc-path")?)),
            "-h" | "--help" => help = true,
            f if f.starts_with('-') && f.len() > 1 => {
                return Err(UsageError(format!("unknown option `{f}`")));
            }
            _ => positional.push(a),
        }
    }
    let command_help = match sub.as_str() {
        "check" => HELP_CHECK,
        "expand" => HELP_EXPAND,
        "new" => HELP_NEW,
        "graph" => HELP_GRAPH,
        _ => HELP,
    };
    if help {
        cli.command = Command::Help(command_help);
        return Ok(cli);
    }
    cli.command = match sub.as_str() {
        "-h" | "--help" => Command::Help(HELP),
        "help" => Command::Help(match positional.first().map(String::as_str) {
            Some("check") => HELP_CHECK,
            Some("expand") => HELP_EXPAND,
            Some("new") => HELP_NEW,
            Some("graph") => HELP_GRAPH,
            _ => HELP,
        }),
        "-V" | "--version" => Command::Version,
        "check" => {
            if positional.is_empty() {
                return Err(UsageError(
                    "check needs at least one bundle or folder".into(),
                ));
            }
            Command::Check {
                paths: positional.into_iter().map(PathBuf::from).collect(),
                format: match format.as_deref() {
                    None | Some("human") => CheckFormat::Human,
                    Some("json") => CheckFormat::Json,
                    Some(f) => {
                        return Err(UsageError(format!(
                            "unknown format `{f}` (expected human or json)"
                        )));
                    }
                },
                progress,
            }
        }
        "expand" => Command::Expand {
            bundle: one_bundle("expand", positional)?,
        },
        "graph" => Command::Graph {
            bundle: one_bundle("graph", positional)?,
            format: match format.as_deref() {
                None | Some("mermaid") => GraphFormat::Mermaid,
                Some("dot") => GraphFormat::Dot,
                Some(f) => {
                    return Err(UsageError(format!(
                        "unknown format `{f}` (expected mermaid or dot)"
                    )));
                }
            },
        },
        "new" => {
            let mut p = positional.into_iter();
            let bundle = p
                .next()
                .ok_or_else(|| UsageError("new needs a bundle".into()))?;
            let dir = p.next().map(PathBuf::from);
            if let Some(extra) = p.next() {
                return Err(UsageError(format!("unexpected argument `{extra}`")));
            }
            Command::New {
                bundle: bundle.into(),
                dir,
                proxyc_path,
            }
        }
        other => {
            return Err(UsageError(format!(
                "unknown command `{other}` (expected check, expand, new or graph)"
            )));
        }
    };
    Ok(cli)
}

fn one_bundle(command: &str, positional: Vec<String>) -> Result<PathBuf, UsageError> {
    match <[String; 1]>::try_from(positional) {
        Ok([bundle]) => Ok(bundle.into()),
        Err(v) if v.is_empty() => Err(UsageError(format!("{command} needs a bundle"))),
        Err(_) => Err(UsageError(format!("{command} takes exactly one bundle"))),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn args(s: &str) -> Vec<String> {
        s.split_whitespace().map(str::to_owned).collect()
    }

    #[test]
    fn parses_check_with_flags() {
        let cli = parse(args(
            "check a b --format=json --allow pxw005,PXW011 --progress",
        ))
        .expect("valid"); // ok: unit test
        assert_eq!(cli.allow, ["PXW005", "PXW011"]);
        assert_eq!(
            cli.command,
            Command::Check {
                paths: vec!["a".into(), "b".into()],
                format: CheckFormat::Json,
                progress: true
            }
        );
    }

    #[test]
    fn reports_usage_errors() {
        assert!(parse(args("check")).is_err());
        assert!(parse(args("expand a b")).is_err());
        assert!(parse(args("graph a --format svg")).is_err());
        assert!(parse(args("check a --bogus")).is_err());
        assert!(parse(args("frobnicate")).is_err());
    }

    #[test]
    fn help_everywhere() {
        assert_eq!(parse(vec![]).map(|c| c.command), Ok(Command::Help(HELP)));
        assert_eq!(
            parse(args("check --help")).map(|c| c.command),
            Ok(Command::Help(HELP_CHECK))
        );
        assert_eq!(
            parse(args("help graph")).map(|c| c.command),
            Ok(Command::Help(HELP_GRAPH))
        );
    }
}
