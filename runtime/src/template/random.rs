//! Random template functions: `createUuid`, `randomLong`, `xeger`.
//!
//! All use `rand::rng()`, a thread-local CSPRNG seeded from the OS.

use rand::RngExt as _;
use regex_syntax::hir::{Class, Hir, HirKind};

/// `createUuid()`: a random (version 4) UUID, lower-case hyphenated.
pub fn create_uuid() -> String {
    uuid::Uuid::new_v4().to_string()
}

/// `randomLong()`, `randomLong(min)`, `randomLong(min,max)`.
///
/// Bounds follow Java's `nextLong(origin, bound)`: `min` inclusive, `max`
/// exclusive; with only `min` the bound is `Long.MAX_VALUE` (exclusive);
/// with neither, any `long`. A non-integer bound or `min >= max` renders "".
/// An unresolved argument counts as absent.
pub fn random_long(min: Option<&str>, max: Option<&str>) -> String {
    let parse = |s: Option<&str>| s.map(|t| t.trim().parse::<i64>().ok());
    let mut rng = rand::rng();
    let value = match (parse(min), parse(max)) {
        (Some(None), _) | (_, Some(None)) => None,
        (None, None) => Some(rng.random::<i64>()),
        (Some(Some(lo)), None) => (lo < i64::MAX).then(|| rng.random_range(lo..i64::MAX)),
        (None, Some(Some(hi))) => (0 < hi).then(|| rng.random_range(0..hi)),
        (Some(Some(lo)), Some(Some(hi))) => (lo < hi).then(|| rng.random_range(lo..hi)),
    };
    value.map(|v| v.to_string()).unwrap_or_default()
}

/// Extra iterations allowed for an unbounded repetition (`*`, `+`, `{n,}`).
const UNBOUNDED_EXTRA: u32 = 8;
/// Output cap in bytes; generation stops there (the result may then not
/// match the pattern — only reachable with huge repetition counts).
const MAX_OUTPUT: usize = 64 * 1024;
/// Cap on generation steps, so nested repetitions of empty matches end too.
const MAX_STEPS: usize = 1 << 20;

/// A `xeger` pattern parsed once from a template literal.
#[derive(Debug)]
pub struct XegerPattern(Option<Hir>);

impl XegerPattern {
    /// Parses `pattern`; an invalid pattern (already rejected by the
    /// compiler) generates "".
    pub fn new(pattern: &str) -> Self {
        Self(regex_syntax::Parser::new().parse(pattern).ok())
    }
}

/// `xeger(regex)` with a pattern from a variable: a random string matching
/// `regex`. Classes prefer printable ASCII members when they have any; `*`
/// and `+` repeat at most 8 extra times; look-arounds and anchors emit nothing.
pub fn xeger(pattern: Option<&str>) -> String {
    pattern.map_or_else(String::new, |p| xeger_compiled(&XegerPattern::new(p)))
}

/// `xeger` with a literal pattern parsed once.
pub fn xeger_compiled(pattern: &XegerPattern) -> String {
    let mut state = Generator {
        rng: rand::rng(),
        out: String::new(),
        steps: 0,
    };
    if let Some(hir) = &pattern.0 {
        state.generate(hir);
    }
    state.out
}

/// Random walk over a pattern's HIR, bounded by [`MAX_OUTPUT`] and [`MAX_STEPS`].
struct Generator<R> {
    rng: R,
    out: String,
    steps: usize,
}

impl<R: rand::Rng> Generator<R> {
    fn exhausted(&self) -> bool {
        self.out.len() >= MAX_OUTPUT || self.steps >= MAX_STEPS
    }

    fn generate(&mut self, hir: &Hir) {
        self.steps += 1;
        if self.exhausted() {
            return;
        }
        let (rng, out) = (&mut self.rng, &mut self.out);
        match hir.kind() {
            HirKind::Empty | HirKind::Look(_) => {}
            HirKind::Literal(lit) => out.push_str(&String::from_utf8_lossy(&lit.0)),
            HirKind::Class(class) => {
                if let Some(c) = pick_from_class(class, rng) {
                    out.push(c);
                }
            }
            HirKind::Repetition(rep) => {
                let max = rep
                    .max
                    .unwrap_or_else(|| rep.min.saturating_add(UNBOUNDED_EXTRA));
                let count = if max > rep.min {
                    rng.random_range(rep.min..=max)
                } else {
                    rep.min
                };
                for _ in 0..count {
                    if self.exhausted() {
                        break;
                    }
                    self.generate(&rep.sub);
                }
            }
            HirKind::Capture(cap) => self.generate(&cap.sub),
            HirKind::Concat(subs) => subs.iter().for_each(|sub| self.generate(sub)),
            HirKind::Alternation(subs) => {
                if !subs.is_empty() {
                    let branch = rng.random_range(0..subs.len());
                    if let Some(sub) = subs.get(branch) {
                        self.generate(sub);
                    }
                }
            }
        }
    }
}

/// Picks a random member of `ranges` (inclusive `u32` pairs) restricted to
/// `within`, or `None` when the restriction leaves nothing.
fn pick_in(ranges: &[(u32, u32)], within: (u32, u32), rng: &mut impl rand::Rng) -> Option<u32> {
    let clipped: Vec<(u32, u32)> = ranges
        .iter()
        .filter_map(|&(lo, hi)| {
            let (lo, hi) = (lo.max(within.0), hi.min(within.1));
            (lo <= hi).then_some((lo, hi))
        })
        .collect();
    let total: u64 = clipped.iter().map(|&(lo, hi)| u64::from(hi - lo) + 1).sum();
    if total == 0 {
        return None;
    }
    let mut index = rng.random_range(0..total);
    for (lo, hi) in clipped {
        let size = u64::from(hi - lo) + 1;
        if index < size {
            return u32::try_from(u64::from(lo) + index).ok();
        }
        index -= size;
    }
    None
}

fn pick_from_class(class: &Class, rng: &mut impl rand::Rng) -> Option<char> {
    let ranges: Vec<(u32, u32)> = match class {
        Class::Unicode(c) => c
            .iter()
            .map(|r| (u32::from(r.start()), u32::from(r.end())))
            .collect(),
        // Byte classes only exist with Unicode mode off; keep the ASCII part.
        Class::Bytes(c) => c
            .iter()
            .map(|r| (u32::from(r.start()), u32::from(r.end().min(0x7f))))
            .collect(),
    };
    [(0x20, 0x7e), (0, 0x7f), (0, u32::from(char::MAX))]
        .into_iter()
        .find_map(|within| pick_in(&ranges, within, rng))
        .and_then(char::from_u32)
}
