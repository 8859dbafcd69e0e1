//! The two embedded expression languages: Apigee conditions and message
//! templates. Both are parsed with pest; spans are byte offsets into the
//! expression text, which the caller rebases onto the XML file.

pub mod condition;
pub mod template;

use std::ops::Range;

/// A syntax or type error inside an expression.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ExprError {
    /// Diagnostic code from the catalogue (e.g. `PXC101`).
    pub code: &'static str,
    /// What is wrong, one sentence.
    pub message: String,
    /// Byte range inside the expression text.
    pub span: Range<usize>,
    /// How to fix it.
    pub help: Option<String>,
}

/// A warning about an expression that is valid but suspicious.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ExprWarning {
    /// Diagnostic code from the catalogue (e.g. `PXW101`).
    pub code: &'static str,
    /// What is suspicious.
    pub message: String,
    /// Byte range inside the expression text.
    pub span: Range<usize>,
    /// What to do about it.
    pub help: Option<String>,
}
