//! Diagnostics: one type for every problem the compiler reports, collected
//! in an accumulator so one run reports everything, rendered rustc-style
//! (with a snippet) or as JSON for CI.

mod catalogue;
mod render;

pub use catalogue::Code;

use std::ops::Range;
use std::path::PathBuf;

/// Index of a file in the [`SourceMap`].
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct FileId(pub usize);

/// A byte range in a file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Span {
    /// The file.
    pub file: FileId,
    /// Byte range.
    pub range: Range<usize>,
}

/// How serious a diagnostic is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Severity {
    /// Valid but suspicious.
    Warning,
    /// The bundle cannot be compiled.
    Error,
}

/// A labelled span.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Label {
    /// Where.
    pub span: Span,
    /// What about it (may be empty).
    pub message: String,
}

/// One problem found in a bundle.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Diagnostic {
    /// Error or warning.
    pub severity: Severity,
    /// Catalogue code, e.g. `PXC012`.
    pub code: &'static str,
    /// One-sentence description.
    pub message: String,
    /// The main location, when there is one.
    pub primary: Option<Label>,
    /// Related locations.
    pub secondary: Vec<Label>,
    /// How to fix it.
    pub help: Option<String>,
}

impl Diagnostic {
    /// An error with a code from the catalogue.
    pub fn error(code: Code, message: impl Into<String>) -> Self {
        Diagnostic {
            severity: Severity::Error,
            code: code.0,
            message: message.into(),
            primary: None,
            secondary: Vec::new(),
            help: None,
        }
    }

    /// A warning with a code from the catalogue.
    pub fn warning(code: Code, message: impl Into<String>) -> Self {
        Diagnostic {
            severity: Severity::Warning,
            ..Diagnostic::error(code, message)
        }
    }

    /// Sets the primary location.
    pub fn at(mut self, span: Span, label: impl Into<String>) -> Self {
        self.primary = Some(Label {
            span,
            message: label.into(),
        });
        self
    }

    /// Adds a related location.
    pub fn also(mut self, span: Span, label: impl Into<String>) -> Self {
        self.secondary.push(Label {
            span,
            message: label.into(),
        });
        self
    }

    /// Sets the help line.
    pub fn help(mut self, help: impl Into<String>) -> Self {
        self.help = Some(help.into());
        self
    }
}

/// The files a compilation read, for rendering snippets and for rebuild
/// tracking.
#[derive(Debug, Default, Clone)]
pub struct SourceMap {
    files: Vec<SourceFile>,
}

/// One file read.
#[derive(Debug, Clone)]
pub struct SourceFile {
    /// Path shown in diagnostics (relative to the bundle root's parent, e.g.
    /// `apiproxy/policies/AM-1.xml`).
    pub name: String,
    /// Path on disk (the zip file for zipped bundles).
    pub path: PathBuf,
    /// Contents.
    pub text: String,
}

impl SourceMap {
    /// Adds a file, returning its id.
    pub fn add(&mut self, name: String, path: PathBuf, text: String) -> FileId {
        self.files.push(SourceFile { name, path, text });
        FileId(self.files.len() - 1)
    }

    /// A file by id.
    pub fn get(&self, id: FileId) -> Option<&SourceFile> {
        self.files.get(id.0)
    }

    /// All files.
    pub fn files(&self) -> &[SourceFile] {
        &self.files
    }

    /// 1-based line and column (in characters) of a byte offset.
    pub fn line_col(&self, id: FileId, offset: usize) -> (usize, usize) {
        let Some(file) = self.get(id) else {
            return (1, 1);
        };
        let offset = offset.min(file.text.len());
        let before = file.text.get(..offset).unwrap_or("");
        let line = before.matches('\n').count() + 1;
        let line_start = before.rfind('\n').map_or(0, |i| i + 1);
        let col = before.get(line_start..).map_or(0, |s| s.chars().count()) + 1;
        (line, col)
    }
}

/// Every diagnostic of one compilation, with the sources they point into.
#[derive(Debug, Default, Clone)]
pub struct Diagnostics {
    /// The diagnostics, in the order found.
    pub list: Vec<Diagnostic>,
    /// The files.
    pub sources: SourceMap,
}

impl Diagnostics {
    /// Adds a diagnostic.
    pub fn push(&mut self, d: Diagnostic) {
        self.list.push(d);
    }

    /// Whether any error was reported.
    pub fn has_errors(&self) -> bool {
        self.list.iter().any(|d| d.severity == Severity::Error)
    }

    /// The errors.
    pub fn errors(&self) -> impl Iterator<Item = &Diagnostic> {
        self.list.iter().filter(|d| d.severity == Severity::Error)
    }

    /// The warnings.
    pub fn warnings(&self) -> impl Iterator<Item = &Diagnostic> {
        self.list.iter().filter(|d| d.severity == Severity::Warning)
    }

    /// `file:line:col` of a diagnostic's primary location.
    pub fn location(&self, d: &Diagnostic) -> Option<String> {
        let label = d.primary.as_ref()?;
        let file = self.sources.get(label.span.file)?;
        let (line, col) = self
            .sources
            .line_col(label.span.file, label.span.range.start);
        Some(format!("{}:{line}:{col}", file.name))
    }

    /// rustc-style rendering with snippets (no colours).
    pub fn render(&self) -> String {
        render::human(self)
    }

    /// JSON rendering for CI: an array of objects with code, severity,
    /// message, file, line, column, help.
    pub fn render_json(&self) -> String {
        render::json(self)
    }
}

impl std::fmt::Display for Diagnostics {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.render())
    }
}

impl std::error::Error for Diagnostics {}
