//! Rendering diagnostics: rustc style through codespan-reporting, and JSON.

use super::{Diagnostics, Severity};
use codespan_reporting::diagnostic::{Diagnostic as CsDiagnostic, Label as CsLabel};
use codespan_reporting::files::SimpleFiles;
use codespan_reporting::term::{self, Config};

pub(super) fn human(diags: &Diagnostics) -> String {
    let mut files = SimpleFiles::new();
    for f in diags.sources.files() {
        files.add(f.name.clone(), f.text.clone());
    }
    let config = Config::default();
    let mut out = String::new();
    for d in &diags.list {
        let mut cs = match d.severity {
            Severity::Error => CsDiagnostic::error(),
            Severity::Warning => CsDiagnostic::warning(),
        }
        .with_code(d.code)
        .with_message(&d.message);
        let mut labels = Vec::new();
        if let Some(p) = &d.primary {
            labels.push(
                CsLabel::primary(p.span.file.0, p.span.range.clone()).with_message(&p.message),
            );
        }
        for s in &d.secondary {
            labels.push(
                CsLabel::secondary(s.span.file.0, s.span.range.clone()).with_message(&s.message),
            );
        }
        cs = cs.with_labels(labels);
        if let Some(h) = &d.help {
            cs = cs.with_notes(vec![format!("help: {h}")]);
        }
        let mut buf = String::new();
        if term::emit_to_string(&mut buf, &config, &files, &cs).is_err() {
            // A span outside its file: fall back to the location line.
            buf = format!(
                "{}[{}]: {}\n  --> {}\n",
                if d.severity == Severity::Error {
                    "error"
                } else {
                    "warning"
                },
                d.code,
                d.message,
                diags.location(d).unwrap_or_default()
            );
        }
        out.push_str(&buf);
    }
    out
}

pub(super) fn json(diags: &Diagnostics) -> String {
    let items: Vec<serde_json::Value> = diags
        .list
        .iter()
        .map(|d| {
            let (file, line, column) = d
                .primary
                .as_ref()
                .and_then(|p| {
                    let f = diags.sources.get(p.span.file)?;
                    let (l, c) = diags.sources.line_col(p.span.file, p.span.range.start);
                    Some((Some(f.name.clone()), Some(l), Some(c)))
                })
                .unwrap_or((None, None, None));
            serde_json::json!({
                "code": d.code,
                "severity": if d.severity == Severity::Error { "error" } else { "warning" },
                "message": d.message,
                "file": file,
                "line": line,
                "column": column,
                "help": d.help,
            })
        })
        .collect();
    serde_json::Value::Array(items).to_string()
}
