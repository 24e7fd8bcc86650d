//! Timestamps. Okta resource timestamps are ISO-8601 UTC with the milliseconds always `.000`
//! (`2025-09-29T03:49:50.000Z`), so the fake org stores whole epoch seconds for resources; System
//! Log events carry real milliseconds (`published`).

use std::time::{SystemTime, UNIX_EPOCH};

/// Whole seconds since the epoch for a system time.
pub fn epoch_secs(t: SystemTime) -> i64 {
    t.duration_since(UNIX_EPOCH).map(|d| d.as_secs() as i64).unwrap_or(0)
}

/// Epoch seconds rounded up (for `X-Rate-Limit-Reset`).
pub fn epoch_secs_ceil(t: SystemTime) -> i64 {
    match t.duration_since(UNIX_EPOCH) {
        Ok(d) if d.subsec_nanos() > 0 => d.as_secs() as i64 + 1,
        Ok(d) => d.as_secs() as i64,
        Err(_) => 0,
    }
}

/// Days since 1970-01-01 to (year, month, day); proleptic Gregorian (H. Hinnant's algorithm).
fn civil_from_days(z: i64) -> (i64, u32, u32) {
    let z = z + 719_468;
    let era = if z >= 0 { z } else { z - 146_096 } / 146_097;
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let y = yoe + era * 400;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = (doy - (153 * mp + 2) / 5 + 1) as u32;
    let m = if mp < 10 { mp + 3 } else { mp - 9 } as u32;
    (if m <= 2 { y + 1 } else { y }, m, d)
}

fn days_from_civil(y: i64, m: u32, d: u32) -> i64 {
    let y = if m <= 2 { y - 1 } else { y };
    let era = if y >= 0 { y } else { y - 399 } / 400;
    let yoe = y - era * 400;
    let mp = if m > 2 { m - 3 } else { m + 9 } as i64;
    let doy = (153 * mp + 2) / 5 + d as i64 - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    era * 146_097 + doe - 719_468
}

/// `2025-09-29T03:49:50.000Z`
pub fn iso(secs: i64) -> String {
    let days = secs.div_euclid(86_400);
    let rem = secs.rem_euclid(86_400);
    let (y, m, d) = civil_from_days(days);
    format!("{y:04}-{m:02}-{d:02}T{:02}:{:02}:{:02}.000Z", rem / 3600, (rem % 3600) / 60, rem % 60)
}

/// `2025-09-29T03:49:50.594Z` (System Log `published`).
pub fn iso_ms(ms: i64) -> String {
    let base = iso(ms.div_euclid(1000));
    format!("{}.{:03}Z", &base[..19], ms.rem_euclid(1000))
}

/// Parses `YYYY-MM-DDTHH:MM:SS[.fff][Z|±HH:MM]` (or a bare date) to epoch **milliseconds**.
pub fn parse_iso_ms(s: &str) -> Option<i64> {
    let b = s.as_bytes();
    let num = |r: std::ops::Range<usize>| -> Option<i64> {
        let part = s.get(r)?;
        if part.is_empty() || !part.bytes().all(|c| c.is_ascii_digit()) {
            return None;
        }
        part.parse().ok()
    };
    if b.len() < 10 || b[4] != b'-' || b[7] != b'-' {
        return None;
    }
    let (y, mo, d) = (num(0..4)?, num(5..7)?, num(8..10)?);
    if !(1..=12).contains(&mo) || !(1..=31).contains(&d) {
        return None;
    }
    let mut ms = days_from_civil(y, mo as u32, d as u32) * 86_400_000;
    if b.len() == 10 {
        return Some(ms);
    }
    if b.len() < 19 || (b[10] != b'T' && b[10] != b't' && b[10] != b' ') || b[13] != b':' || b[16] != b':' {
        return None;
    }
    let (h, mi, se) = (num(11..13)?, num(14..16)?, num(17..19)?);
    if h > 23 || mi > 59 || se > 60 {
        return None;
    }
    ms += (h * 3600 + mi * 60 + se) * 1000;
    let mut i = 19;
    if b.get(i) == Some(&b'.') {
        let start = i + 1;
        i = start;
        while i < b.len() && b[i].is_ascii_digit() {
            i += 1;
        }
        if i == start {
            return None;
        }
        let frac = &s[start..i];
        let padded: String = frac.chars().chain("000".chars()).take(3).collect();
        ms += padded.parse::<i64>().ok()?;
    }
    match &s[i..] {
        "Z" | "z" | "" => Some(ms),
        tz if tz.len() == 6 && tz.is_ascii() && matches!(tz.as_bytes()[0], b'+' | b'-') && tz.as_bytes()[3] == b':' => {
            let sign = if tz.starts_with('-') { -1 } else { 1 };
            let oh: i64 = tz.get(1..3)?.parse().ok()?;
            let om: i64 = tz.get(4..6)?.parse().ok()?;
            Some(ms - sign * (oh * 3600 + om * 60) * 1000)
        }
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn round_trip() {
        assert_eq!(iso(0), "1970-01-01T00:00:00.000Z");
        assert_eq!(iso(1_759_117_790), "2025-09-29T03:49:50.000Z");
        assert_eq!(iso_ms(1_759_117_790_594), "2025-09-29T03:49:50.594Z");
        assert_eq!(iso_ms(7), "1970-01-01T00:00:00.007Z");
        assert_eq!(parse_iso_ms("2025-09-29T03:49:50.000Z"), Some(1_759_117_790_000));
        assert_eq!(parse_iso_ms("2025-09-29T03:49:50.5Z"), Some(1_759_117_790_500));
        assert_eq!(parse_iso_ms("2025-09-29T05:49:50.000+02:00"), Some(1_759_117_790_000));
        assert_eq!(parse_iso_ms("2024-02-29"), Some(days_from_civil(2024, 2, 29) * 86_400_000));
        assert_eq!(parse_iso_ms("yesterday"), None);
        assert_eq!(parse_iso_ms("2025-13-01T00:00:00.000Z"), None);
        assert_eq!(parse_iso_ms("2025-01-01T00:00:00.000Q"), None);
        assert_eq!(parse_iso_ms("2025-01-01T00:00:00+é:00"), None);
        assert_eq!(parse_iso_ms("2025-01-01T00:00:0é"), None);
    }
}
