//! Operator spellings, reserved words and "did you mean" suggestions.

use super::ast::CmpOp;

/// One accepted spelling of a comparison operator.
pub(crate) struct Spelling {
    /// As written (words are matched case-insensitively).
    pub text: &'static str,
    pub op: CmpOp,
    /// A negated symbol form (`!~`, `!~~`, `!~/`, `!=|`).
    pub negated: bool,
    /// Not in the reference's operator table (warning PXW102).
    pub unconfirmed: bool,
}

const fn sp(text: &'static str, op: CmpOp, negated: bool, unconfirmed: bool) -> Spelling {
    Spelling {
        text,
        op,
        negated,
        unconfirmed,
    }
}

/// Every comparison operator spelling the grammar accepts (the negated word
/// forms `not <word>` are built from the negatable words).
pub(crate) const SPELLINGS: &[Spelling] = &[
    sp("=", CmpOp::Eq, false, false),
    sp("==", CmpOp::Eq, false, false),
    sp("Equals", CmpOp::Eq, false, false),
    sp("Is", CmpOp::Eq, false, false),
    sp("!=", CmpOp::Ne, false, false),
    sp("NotEquals", CmpOp::Ne, false, false),
    sp("IsNot", CmpOp::Ne, false, false),
    sp(":=", CmpOp::EqCi, false, false),
    sp("EqualsCaseInsensitive", CmpOp::EqCi, false, false),
    sp(">", CmpOp::Gt, false, false),
    sp("GreaterThan", CmpOp::Gt, false, false),
    sp(">=", CmpOp::Ge, false, false),
    sp("GreaterThanOrEquals", CmpOp::Ge, false, false),
    sp("<", CmpOp::Lt, false, false),
    sp("LesserThan", CmpOp::Lt, false, false),
    sp("<=", CmpOp::Le, false, false),
    sp("LesserThanOrEquals", CmpOp::Le, false, false),
    sp("=|", CmpOp::StartsWith, false, false),
    sp("StartsWith", CmpOp::StartsWith, false, false),
    sp("~", CmpOp::Matches, false, false),
    sp("Matches", CmpOp::Matches, false, false),
    sp("Like", CmpOp::Matches, false, false),
    sp("~~", CmpOp::JavaRegex, false, false),
    sp("JavaRegex", CmpOp::JavaRegex, false, false),
    sp("~/", CmpOp::MatchesPath, false, false),
    sp("MatchesPath", CmpOp::MatchesPath, false, false),
    sp("LikePath", CmpOp::MatchesPath, false, false),
    sp(":~", CmpOp::MatchesCi, false, true),
    sp("MatchesCaseInsensitive", CmpOp::MatchesCi, false, true),
    sp("LikeCaseInsensitive", CmpOp::MatchesCi, false, true),
    sp("!~", CmpOp::Matches, true, true),
    sp("!~~", CmpOp::JavaRegex, true, true),
    sp("!~/", CmpOp::MatchesPath, true, true),
    sp("!=|", CmpOp::StartsWith, true, true),
];

/// Logical operator spellings, for suggestions.
const LOGIC_WORDS: &[&str] = &["and", "or", "not", "&&", "||", "!"];

/// Reserved words other than operator spellings.
const LITERAL_WORDS: &[&str] = &["null", "true", "false"];

/// The spelling `text` stands for (words case-insensitively).
pub(crate) fn lookup(text: &str) -> Option<&'static Spelling> {
    SPELLINGS.iter().find(|s| s.text.eq_ignore_ascii_case(text))
}

/// Whether `word` is reserved (an operator word, `and`/`or`/`not`,
/// `null`/`true`/`false`), case-insensitively.
pub(crate) fn is_keyword(word: &str) -> bool {
    let is_word = |s: &&str| s.chars().all(|c| c.is_ascii_alphabetic());
    SPELLINGS
        .iter()
        .map(|s| s.text)
        .chain(LOGIC_WORDS.iter().copied())
        .chain(LITERAL_WORDS.iter().copied())
        .filter(is_word)
        .any(|k| k.eq_ignore_ascii_case(word))
}

/// A character allowed inside a bare variable name.
pub(crate) fn is_name_char(c: char) -> bool {
    c.is_ascii_alphanumeric() || matches!(c, '_' | '-' | '.' | '$')
}

/// A character that can be part of a symbolic operator.
pub(crate) fn is_op_char(c: char) -> bool {
    matches!(c, '=' | '!' | '<' | '>' | ':' | '~' | '/' | '|' | '&')
}

/// Whether `name` can be written without quotes.
pub(crate) fn is_bare_name(name: &str) -> bool {
    let mut chars = name.chars();
    chars
        .next()
        .is_some_and(|c| c.is_ascii_alphabetic() || c == '_')
        && chars.all(is_name_char)
        && !is_keyword(name)
}

/// Whether a spelling is made of symbols only.
fn is_symbolic(text: &str) -> bool {
    !text.chars().any(|c| c.is_ascii_alphabetic())
}

/// A short description of an operator spelling for help texts:
/// `` `~~` (JavaRegex) ``, `` `!~` (not Matches) `` or `` `Matches` ``.
fn describe(text: &str) -> String {
    let Some(spelling) = lookup(text).filter(|_| is_symbolic(text)) else {
        return format!("`{text}`");
    };
    match SPELLINGS
        .iter()
        .find(|w| w.op == spelling.op && !is_symbolic(w.text))
    {
        Some(word) if spelling.negated => format!("`{text}` (not {})", word.text),
        Some(word) => format!("`{text}` ({})", word.text),
        None => format!("`{text}`"),
    }
}

/// Known operators closest to an unknown one, described for a help line;
/// `None` when nothing is reasonably close. Among the closest, those using
/// every character of the unknown spelling are preferred (`=>` → `>=`).
pub(crate) fn nearest(unknown: &str) -> Option<String> {
    let unknown_lc = unknown.to_ascii_lowercase();
    let symbolic = is_symbolic(unknown);
    let scored: Vec<(usize, &str)> = SPELLINGS
        .iter()
        .map(|s| s.text)
        .chain(LOGIC_WORDS.iter().copied())
        .filter(|c| symbolic == is_symbolic(c))
        .map(|c| (distance(&unknown_lc, &c.to_ascii_lowercase()), c))
        .collect();
    let best = scored.iter().map(|(d, _)| *d).min()?;
    let limit = if symbolic {
        1
    } else {
        (unknown.len() / 3).max(1)
    };
    if best > limit || (!symbolic && best >= unknown.chars().count()) {
        return None;
    }
    let closest: Vec<&str> = scored
        .iter()
        .filter(|(d, _)| *d == best)
        .map(|(_, c)| *c)
        .collect();
    let uses_all = |c: &&str| {
        unknown_lc
            .chars()
            .all(|u| c.to_ascii_lowercase().contains(u))
    };
    let preferred: Vec<&str> = closest.iter().copied().filter(uses_all).collect();
    let chosen = if preferred.is_empty() {
        closest
    } else {
        preferred
    };
    let names: Vec<String> = chosen.into_iter().take(5).map(describe).collect();
    Some(names.join(", "))
}

/// Edit distance over characters (optimal string alignment: insertions,
/// deletions, substitutions and adjacent transpositions cost 1).
fn distance(a: &str, b: &str) -> usize {
    let a: Vec<char> = a.chars().collect();
    let b: Vec<char> = b.chars().collect();
    let width = b.len() + 1;
    let mut d: Vec<usize> = (0..(a.len() + 1) * width)
        .map(|k| if k < width { k } else { 0 })
        .collect();
    for i in 1..=a.len() {
        if let Some(cell) = d.get_mut(i * width) {
            *cell = i;
        }
        for j in 1..=b.len() {
            let at = |i: usize, j: usize| d.get(i * width + j).copied().unwrap_or(usize::MAX - 1);
            let (ca, cb) = (a.get(i - 1), b.get(j - 1));
            let mut best = (at(i - 1, j) + 1)
                .min(at(i, j - 1) + 1)
                .min(at(i - 1, j - 1) + usize::from(ca != cb));
            if i > 1 && j > 1 && ca == b.get(j - 2) && a.get(i - 2) == cb {
                best = best.min(at(i - 2, j - 2) + 1);
            }
            if let Some(cell) = d.get_mut(i * width + j) {
                *cell = best;
            }
        }
    }
    d.last().copied().unwrap_or(0)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn distance_counts_edits() {
        assert_eq!(distance("=~", "~"), 1);
        assert_eq!(distance("equal", "equals"), 1);
        assert_eq!(distance("", "abc"), 3);
        assert_eq!(distance("=>", ">="), 1);
    }

    #[test]
    fn nearest_describes_candidates() {
        let near = nearest("=~").unwrap_or_default();
        assert!(near.contains("`~` (Matches)"), "{near}");
        assert_eq!(nearest("Equal").as_deref(), Some("`Equals`"));
        assert!(nearest("Foobarbaz").is_none());
        assert!(nearest("b").is_none());
        assert_eq!(nearest("=>").as_deref(), Some("`>=` (GreaterThanOrEquals)"));
        assert_eq!(nearest("&").as_deref(), Some("`&&`"));
        let negated = nearest("!~~~").unwrap_or_default();
        assert!(negated.contains("(not JavaRegex)"), "{negated}");
    }

    #[test]
    fn keywords_and_names() {
        assert!(is_keyword("LIKEPATH"));
        assert!(is_keyword("null"));
        assert!(!is_keyword("notes"));
        assert!(is_bare_name("request.header.content-type"));
        assert!(!is_bare_name("and"));
        assert!(!is_bare_name("help!me"));
        assert!(!is_bare_name("9lives"));
    }
}
