//! Tokenizer for the Java `SimpleDateFormat` pattern subset that
//! `timeFormat*` supports: letters `y M d H h m s S E a z Z X`, `'quoted'`
//! literals (`''` is one apostrophe), any other non-letter is literal.
//!
//! Dependency-free so that the compiler can include this very file (with
//! `#[path]`) to check literal patterns at build time.

/// One token of a date pattern.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum PatternToken {
    /// Text copied as is.
    Literal(String),
    /// A run of one pattern letter, e.g. `yyyy` = `Field('y', 4)`.
    Field(char, usize),
}

/// Why a pattern is rejected, with the byte offset of the problem.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PatternError {
    /// Byte offset inside the pattern.
    pub offset: usize,
    /// One-sentence description.
    pub message: String,
}

/// The pattern letters implemented.
pub const SUPPORTED_LETTERS: &str = "yMdHhmsSEazZX";

/// Splits `pattern` into literal runs and letter fields.
pub fn tokenize(pattern: &str) -> Result<Vec<PatternToken>, PatternError> {
    let mut tokens = Vec::new();
    let mut literal = String::new();
    let mut chars = pattern.char_indices().peekable();
    while let Some((at, c)) = chars.next() {
        if c == '\'' {
            if chars.next_if(|&(_, n)| n == '\'').is_some() {
                literal.push('\'');
                continue;
            }
            loop {
                match chars.next() {
                    Some((_, '\'')) => {
                        if chars.next_if(|&(_, n)| n == '\'').is_some() {
                            literal.push('\'');
                        } else {
                            break;
                        }
                    }
                    Some((_, q)) => literal.push(q),
                    None => {
                        return Err(PatternError {
                            offset: at,
                            message: "unterminated quote in date pattern".into(),
                        });
                    }
                }
            }
        } else if c.is_ascii_alphabetic() {
            if !SUPPORTED_LETTERS.contains(c) {
                return Err(PatternError {
                    offset: at,
                    message: format!(
                        "unsupported date pattern letter `{c}` (supported: {SUPPORTED_LETTERS}; quote literal text with '…')"
                    ),
                });
            }
            let mut count = 1;
            while chars.next_if(|&(_, n)| n == c).is_some() {
                count += 1;
            }
            if c == 'X' && count > 3 {
                return Err(PatternError {
                    offset: at,
                    message: "`X` may be repeated at most 3 times".into(),
                });
            }
            if !literal.is_empty() {
                tokens.push(PatternToken::Literal(std::mem::take(&mut literal)));
            }
            tokens.push(PatternToken::Field(c, count));
        } else {
            literal.push(c);
        }
    }
    if !literal.is_empty() {
        tokens.push(PatternToken::Literal(literal));
    }
    Ok(tokens)
}
