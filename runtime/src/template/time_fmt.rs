//! `timeFormat`, `timeFormatMs`, `timeFormatUTC`, `timeFormatUTCMs` on the
//! `time` crate.
//!
//! All four render in **UTC**. Apigee documents `timeFormat`/`timeFormatMs`
//! as using the message processor's local zone (its example shows Pacific
//! time); Apigee X processors run in UTC, and a compiled proxy should not
//! depend on the host's zone, so the non-UTC variants are UTC here too.
//! Invalid input (non-integer epoch, out-of-range instant, bad pattern) or an
//! unresolved argument renders as "".

use std::fmt::Write as _;

use time::OffsetDateTime;

use super::time_pattern::{PatternToken, tokenize};

const MONTHS: [&str; 12] = [
    "January",
    "February",
    "March",
    "April",
    "May",
    "June",
    "July",
    "August",
    "September",
    "October",
    "November",
    "December",
];
const DAYS: [&str; 7] = [
    "Monday",
    "Tuesday",
    "Wednesday",
    "Thursday",
    "Friday",
    "Saturday",
    "Sunday",
];

fn push_number(out: &mut String, value: i64, width: usize) {
    let _ = write!(out, "{value:0width$}");
}

/// Text for a name field: full name for 4+ letters, else the first three.
fn push_name(out: &mut String, name: &str, count: usize) {
    if count >= 4 {
        out.push_str(name);
    } else {
        out.push_str(name.get(..3).unwrap_or(name));
    }
}

fn render(tokens: &[PatternToken], at: OffsetDateTime) -> String {
    let mut out = String::new();
    for token in tokens {
        match token {
            PatternToken::Literal(text) => out.push_str(text),
            PatternToken::Field(letter, count) => push_field(&mut out, *letter, *count, at),
        }
    }
    out
}

fn push_field(out: &mut String, letter: char, count: usize, at: OffsetDateTime) {
    match letter {
        'y' if count == 2 => push_number(out, i64::from(at.year()).rem_euclid(100), 2),
        'y' => push_number(out, i64::from(at.year()), count),
        'M' if count >= 3 => {
            let month = usize::from(u8::from(at.month())).saturating_sub(1);
            push_name(out, MONTHS.get(month).copied().unwrap_or_default(), count);
        }
        'M' => push_number(out, i64::from(u8::from(at.month())), count),
        'd' => push_number(out, i64::from(at.day()), count),
        'H' => push_number(out, i64::from(at.hour()), count),
        'h' => {
            let h = at.hour() % 12;
            push_number(out, i64::from(if h == 0 { 12 } else { h }), count);
        }
        'm' => push_number(out, i64::from(at.minute()), count),
        's' => push_number(out, i64::from(at.second()), count),
        'S' => push_number(out, i64::from(at.millisecond()), count),
        'E' => {
            let day = usize::from(at.weekday().number_days_from_monday());
            push_name(out, DAYS.get(day).copied().unwrap_or_default(), count);
        }
        'a' => out.push_str(if at.hour() < 12 { "AM" } else { "PM" }),
        'z' => out.push_str(if count >= 4 {
            "Coordinated Universal Time"
        } else {
            "UTC"
        }),
        'Z' => out.push_str("+0000"),
        'X' => out.push('Z'),
        _ => {}
    }
}

fn format_epoch(pattern: Option<&str>, epoch: Option<&str>, millis: bool) -> String {
    let run = || {
        let tokens = tokenize(pattern?).ok()?;
        let value: i64 = epoch?.trim().parse().ok()?;
        let nanos = i128::from(value) * if millis { 1_000_000 } else { 1_000_000_000 };
        let at = OffsetDateTime::from_unix_timestamp_nanos(nanos).ok()?;
        Some(render(&tokens, at))
    };
    run().unwrap_or_default()
}

/// `timeFormat(format,seconds)` — rendered in UTC (see the module docs).
pub fn time_format(pattern: Option<&str>, epoch_seconds: Option<&str>) -> String {
    format_epoch(pattern, epoch_seconds, false)
}

/// `timeFormatMs(format,millis)` — rendered in UTC (see the module docs).
pub fn time_format_ms(pattern: Option<&str>, epoch_millis: Option<&str>) -> String {
    format_epoch(pattern, epoch_millis, true)
}

/// `timeFormatUTC(format,seconds)`.
pub fn time_format_utc(pattern: Option<&str>, epoch_seconds: Option<&str>) -> String {
    format_epoch(pattern, epoch_seconds, false)
}

/// `timeFormatUTCMs(format,millis)`.
pub fn time_format_utc_ms(pattern: Option<&str>, epoch_millis: Option<&str>) -> String {
    format_epoch(pattern, epoch_millis, true)
}
