//! Cron schedules (backup schedules become Kubernetes CronJobs and Velero schedules):
//! parsed with `croner`, and their worst-case interval (the recovery point objective of
//! a backup) computed from real occurrences.
//!
//! Accepted: the five fields Kubernetes reads (minute hour day-of-month month
//! day-of-week, with lists, ranges, steps and month/weekday names). Not accepted: a
//! seconds or a year field, `@nicknames`, and croner's Quartz extensions (`L`, `W`, `#`,
//! `?`), which a CronJob would refuse.

use chrono::{DateTime, TimeZone, Utc};
use croner::Cron;
use croner::parser::{CronParser, Seconds, Year};

/// Occurrences looked at: enough for a week of minutes, a year of anything coarser.
const MAX_OCCURRENCES: usize = 11_000;

/// Parses a five-field cron expression; `None` when it is not one.
pub(crate) fn parse(cron: &str) -> Option<Cron> {
    let fields: Vec<&str> = cron.split_whitespace().collect();
    if fields.len() != 5 {
        return None;
    }
    let quartz = |f: &str, marks: &[char]| f.to_ascii_uppercase().split(',').any(|p| quartz_part(p, marks));
    if fields.iter().any(|f| f.contains(['#', '?'])) || quartz(fields[2], &['L', 'W']) || quartz(fields[4], &['L']) {
        return None;
    }
    CronParser::builder().seconds(Seconds::Disallowed).year(Year::Disallowed).build().parse(&fields.join(" ")).ok()
}

/// Whether a list part uses a Quartz letter (`L`, `15W`, `5L`) rather than a name
/// (`JUL`, `WED`): a name is three letters.
fn quartz_part(part: &str, marks: &[char]) -> bool {
    let letters = part.chars().filter(char::is_ascii_alphabetic).count();
    letters > 0 && letters < 3 && part.contains(marks)
}

/// The worst-case gap in minutes between two runs of a five-field cron expression
/// (UTC, as a CronJob without `timeZone` runs); `None` when it cannot be parsed.
pub(crate) fn interval_minutes(cron: &str) -> Option<u64> {
    let fields: Vec<&str> = cron.split_whitespace().collect();
    // The schedule repeats every day when the three day fields are `*`, every week when
    // only the weekday is set: two periods hold every gap, the one across a period's end
    // included. Otherwise a year and a month do.
    let days = match fields.as_slice() {
        [_, _, "*", "*", "*"] => 2,
        [_, _, "*", "*", _] => 14,
        _ => 400,
    };
    interval_over(cron, days)
}

/// The widest gap between the runs of the first `days` days (from a fixed start).
fn interval_over(cron: &str, days: i64) -> Option<u64> {
    let cron = parse(cron)?;
    // A fixed, deterministic start (no clock): the first of a non-leap year, a Monday.
    let start: DateTime<Utc> = Utc.with_ymd_and_hms(2029, 1, 1, 0, 0, 0).single()?;
    let end = start + chrono::Duration::days(days);
    let mut previous: Option<DateTime<Utc>> = None;
    let mut widest: i64 = 0;
    for at in cron.iter_from(start, croner::Direction::Forward).take(MAX_OCCURRENCES) {
        if let Some(p) = previous {
            widest = widest.max((at - p).num_minutes());
        }
        if at > end {
            break;
        }
        previous = Some(at);
    }
    previous?;
    u64::try_from(widest).ok().filter(|w| *w > 0)
}

#[cfg(test)]
mod tests {
    use super::{interval_minutes, interval_over};

    #[test]
    fn a_period_of_a_day_or_a_week_gives_the_years_answer() {
        for minute in ["0", "30", "*/15", "5,55", "*"] {
            for hour in ["*", "2", "1,23", "*/6", "9-17", "22"] {
                for weekday in ["*", "0", "SUN", "1-5", "MON,FRI", "6", "*/2"] {
                    let cron = format!("{minute} {hour} * * {weekday}");
                    assert_eq!(interval_minutes(&cron), interval_over(&cron, 400), "{cron}");
                }
            }
        }
    }

    #[test]
    fn intervals() {
        assert_eq!(interval_minutes("0 2 * * *"), Some(1440));
        assert_eq!(interval_minutes("30 2 * * *"), Some(1440));
        assert_eq!(interval_minutes("0 * * * *"), Some(60));
        assert_eq!(interval_minutes("*/15 * * * *"), Some(15));
        assert_eq!(interval_minutes("0 */6 * * *"), Some(360));
        assert_eq!(interval_minutes("0 2,14 * * *"), Some(720));
        assert_eq!(interval_minutes("0 3 * * 0"), Some(7 * 1440));
        assert_eq!(interval_minutes("0 3 * * SUN"), Some(7 * 1440));
        assert_eq!(interval_minutes("0 3 * * 1-5"), Some(3 * 1440));
        assert_eq!(interval_minutes("0 4 1 * *"), Some(31 * 1440));
        assert_eq!(interval_minutes("* * * * *"), Some(1));
        assert_eq!(interval_minutes("0 22 * * *"), Some(1440));
        assert_eq!(interval_minutes("0 1,23 * * *"), Some(22 * 60));
        assert_eq!(interval_minutes("0 9 * * 1,5"), Some(4 * 1440));
        assert_eq!(interval_minutes("0 9 * * FRI"), Some(7 * 1440));
    }

    #[test]
    fn rejected() {
        for cron in [
            "0 2 * *",
            "61 2 * * *",
            "0 25 * * *",
            "0 0 2 * * *",
            "@daily",
            "0 0 L * *",
            "0 0 15W * *",
            "0 0 * * 5L",
            "0 0 * * 1#2",
            "0 0 ? * *",
            "*/0 * * * *",
            "",
        ] {
            assert_eq!(interval_minutes(cron), None, "{cron:?}");
        }
    }
}
