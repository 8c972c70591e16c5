use super::cron_interval_minutes;

#[test]
fn cron_intervals() {
    assert_eq!(cron_interval_minutes("0 2 * * *"), Some(1440));
    assert_eq!(cron_interval_minutes("0 * * * *"), Some(60));
    assert_eq!(cron_interval_minutes("*/15 * * * *"), Some(15));
    assert_eq!(cron_interval_minutes("0 2,14 * * *"), Some(720));
    assert_eq!(cron_interval_minutes("0 3 * * 0"), Some(7 * 1440));
    assert_eq!(cron_interval_minutes("0 2 * *"), None);
    assert_eq!(cron_interval_minutes("61 2 * * *"), None);
}
