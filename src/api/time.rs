//! The API writes times in two forms: ISO 8601 (`2021-07-02T05:18:26.704Z`) and, for
//! appointments, `2021-07-16 11:00:00`. Both parse here; the space form carries no zone and is
//! kept as the wall-clock time the API gave.

use chrono::{DateTime, NaiveDate, NaiveDateTime, Utc};

/// A point in time as the API gave it, reduced to a naive UTC-or-wall-clock value for display
/// and sorting.
pub fn parse(raw: &str) -> Option<NaiveDateTime> {
    let s = raw.trim();
    if s.is_empty() {
        return None;
    }
    if let Ok(dt) = DateTime::parse_from_rfc3339(s) {
        return Some(dt.with_timezone(&Utc).naive_utc());
    }
    for fmt in [
        "%Y-%m-%d %H:%M:%S",
        "%Y-%m-%dT%H:%M:%S%.f",
        "%Y-%m-%d %H:%M:%S%.f",
        "%Y-%m-%d %H:%M",
    ] {
        if let Ok(dt) = NaiveDateTime::parse_from_str(s, fmt) {
            return Some(dt);
        }
    }
    if let Ok(d) = NaiveDate::parse_from_str(s, "%Y-%m-%d") {
        return d.and_hms_opt(0, 0, 0);
    }
    // Epoch milliseconds, as search results send dates.
    if let Ok(ms) = s.parse::<i64>() {
        return DateTime::<Utc>::from_timestamp_millis(ms).map(|d| d.naive_utc());
    }
    None
}

/// The time as the user's clock shows it, in `zone`: ISO times (UTC or with an offset) are
/// moved there; the zone-less `YYYY-MM-DD HH:MM:SS` form is already wall-clock time.
pub fn local(raw: &str, zone: chrono::FixedOffset) -> Option<NaiveDateTime> {
    let s = raw.trim();
    if let Ok(dt) = DateTime::parse_from_rfc3339(s) {
        return Some(dt.with_timezone(&zone).naive_local());
    }
    if s.parse::<i64>().is_ok() {
        return parse(s)
            .map(|utc| utc + chrono::Duration::seconds(i64::from(zone.local_minus_utc())));
    }
    parse(s)
}

/// Milliseconds since the epoch for an ISO time, as the deprecated list endpoint pages by.
pub fn epoch_ms(raw: &str) -> Option<i64> {
    parse(raw).map(|t| t.and_utc().timestamp_millis())
}

/// An epoch-ms time as the API writes it (`2021-07-16T11:00:00.000Z`).
pub fn iso_ms(ms: i64) -> String {
    chrono::DateTime::<chrono::Utc>::from_timestamp_millis(ms)
        .unwrap_or_default()
        .to_rfc3339_opts(chrono::SecondsFormat::Millis, true)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_both_forms_the_api_sends() {
        let iso = parse("2021-07-16T11:00:00.000Z").expect("iso");
        let plain = parse("2021-07-16 11:00:00").expect("plain");
        assert_eq!(iso, plain);
        assert_eq!(parse("2021-07-16T13:00:00+02:00"), Some(iso));
        assert_eq!(
            parse("2021-07-16").map(|d| d.to_string()),
            Some("2021-07-16 00:00:00".into())
        );
        assert_eq!(parse("1626433200000"), Some(iso));
    }

    #[test]
    fn local_time_keeps_wall_clock_times_and_moves_zoned_ones() {
        let lisbon_summer = chrono::FixedOffset::east_opt(3600).expect("offset");
        let plain = local("2021-07-16 11:00:00", lisbon_summer).expect("plain");
        assert_eq!(
            plain.to_string(),
            "2021-07-16 11:00:00",
            "no zone: shown as given"
        );
        let zoned = local("2021-07-16T11:00:00Z", lisbon_summer).expect("zoned");
        assert_eq!(zoned.to_string(), "2021-07-16 12:00:00");
    }

    #[test]
    fn garbage_is_none() {
        assert_eq!(parse(""), None);
        assert_eq!(parse("next tuesday"), None);
        assert_eq!(parse("2021-13-45 99:00:00"), None);
    }
}
