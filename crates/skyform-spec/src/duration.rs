//! Durations as the platform file and the CLI write them: `90s`, `5m`, `1h30m`, `7d`,
//! `2w`, or a bare number of seconds (`300`).
//!
//! One parser for the whole product (the model's TTLs, intervals and timeouts, and the
//! binary's `--timeout`). It is deliberately smaller than `humantime`: the values end up
//! in Kubernetes objects and operator settings, so only whole units of seconds, minutes,
//! hours, days and weeks are accepted, without spaces.

use std::time::Duration;

/// Why a text is not a duration.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct DurationError {
    pub text: String,
}

impl std::fmt::Display for DurationError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "`{}` is not a duration (e.g. 90s, 5m, 1h30m, 7d)", self.text)
    }
}

impl std::error::Error for DurationError {}

/// Parses a duration: one or more `NUMBER UNIT` groups (`s`, `m`, `h`, `d`, `w`) such as
/// `1h30m`, or a bare number of seconds. Surrounding whitespace is ignored.
pub fn parse(text: &str) -> Result<Duration, DurationError> {
    let err = || DurationError { text: text.trim().to_string() };
    let s = text.trim();
    if s.is_empty() {
        return Err(err());
    }
    if s.bytes().all(|b| b.is_ascii_digit()) {
        return s.parse::<u64>().map(Duration::from_secs).map_err(|_| err());
    }
    let mut total: u64 = 0;
    let mut rest = s;
    while !rest.is_empty() {
        let digits = rest.find(|c: char| !c.is_ascii_digit()).unwrap_or(rest.len());
        let n: u64 = rest[..digits].parse().map_err(|_| err())?;
        let mut units = rest[digits..].chars();
        let scale = match units.next() {
            Some('s') => 1,
            Some('m') => 60,
            Some('h') => 3_600,
            Some('d') => 86_400,
            Some('w') => 604_800,
            _ => return Err(err()),
        };
        total = n.checked_mul(scale).and_then(|x| total.checked_add(x)).ok_or_else(err)?;
        rest = units.as_str();
    }
    Ok(Duration::from_secs(total))
}

/// A duration written with its unit(s) (`30m`, `1h30m`; not a bare number), rounded up
/// to whole minutes: how the platform file's TTLs and intervals are read.
pub fn parse_minutes(text: &str) -> Result<u64, DurationError> {
    if text.trim().ends_with(|c: char| c.is_ascii_digit()) {
        return Err(DurationError { text: text.trim().to_string() });
    }
    parse(text).map(|d| d.as_secs().div_ceil(60))
}

#[cfg(test)]
mod tests {
    use super::{parse, parse_minutes};
    use std::time::Duration;

    #[test]
    fn accepted_forms() {
        for (text, secs) in [
            ("90s", 90),
            ("5m", 300),
            ("1h", 3_600),
            ("300", 300),
            (" 1h30m ", 5_400),
            ("7d", 604_800),
            ("2w", 1_209_600),
            ("0s", 0),
            ("1d12h", 129_600),
        ] {
            assert_eq!(parse(text), Ok(Duration::from_secs(secs)), "{text}");
        }
    }

    #[test]
    fn rejected_forms() {
        for text in ["", "m", "5", "1h 30m", "5x", "1.5h", "-5m", "5mm", "h1", "99999999999999999999s", "1y"] {
            let rejected = if text == "5" { parse_minutes(text).is_err() } else { parse(text).is_err() };
            assert!(rejected, "{text:?} must be rejected");
        }
        assert_eq!(parse("5mm").unwrap_err().to_string(), "`5mm` is not a duration (e.g. 90s, 5m, 1h30m, 7d)");
    }

    #[test]
    fn minutes_round_up_and_need_a_unit() {
        assert_eq!(parse_minutes("90s"), Ok(2));
        assert_eq!(parse_minutes("720h"), Ok(43_200));
        assert_eq!(parse_minutes("0s"), Ok(0));
        assert!(parse_minutes("300").is_err());
    }
}
