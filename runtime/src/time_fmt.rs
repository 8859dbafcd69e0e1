//! Time renderings used by built-in variables.

use time::OffsetDateTime;
use time::format_description::well_known::Rfc2822;

/// `system.time`: RFC 1123 style, e.g. `Wed, 21 Aug 2013 19:16:47 GMT`.
pub fn rfc1123_now() -> String {
    rfc1123(OffsetDateTime::now_utc())
}

/// RFC 1123 rendering of a UTC instant.
pub fn rfc1123(t: OffsetDateTime) -> String {
    // RFC 2822 renders `+0000`; RFC 1123 (HTTP) writes `GMT`.
    t.format(&Rfc2822)
        .map(|s| s.replace(" +0000", " GMT"))
        .unwrap_or_default()
}
