//! Okta's timestamps (`2026-11-30T10:00:00.000Z`), written and read: polling cursors, and the
//! `created` a lost create's lookup compares with the action's start.

use std::time::SystemTime;
use time::format_description::well_known::Rfc3339;

/// Okta's timestamp form: `2026-11-30T10:00:00.000Z`.
pub fn iso(t: SystemTime) -> String {
    let t = time::OffsetDateTime::from(t);
    format!(
        "{:04}-{:02}-{:02}T{:02}:{:02}:{:02}.{:03}Z",
        t.year(),
        u8::from(t.month()),
        t.day(),
        t.hour(),
        t.minute(),
        t.second(),
        t.millisecond()
    )
}

/// Epoch milliseconds of an RFC 3339 timestamp.
pub fn parse_iso(text: &str) -> Option<i64> {
    let t = time::OffsetDateTime::parse(text, &Rfc3339).ok()?;
    i64::try_from(t.unix_timestamp_nanos() / 1_000_000).ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn timestamps_round_trip() {
        let t = std::time::UNIX_EPOCH + std::time::Duration::from_millis(1_764_496_800_123);
        assert_eq!(iso(t), "2025-11-30T10:00:00.123Z");
        assert_eq!(parse_iso("2025-11-30T10:00:00.123Z"), Some(1_764_496_800_123));
        assert_eq!(parse_iso("yesterday"), None);
    }
}
