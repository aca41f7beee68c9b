//! Friendly due dates as a rep types them: `tomorrow 15:00`, `+2d`, `fri`, `in 3 days 9am`,
//! `2026-12-01 09:00`, `12/01 9:30`. Pure: the caller passes "now" in the user's local time.

use chrono::{Datelike, Duration, NaiveDate, NaiveDateTime, NaiveTime, Weekday};

/// When no time is given, tasks are due at 9:00.
const DEFAULT_TIME: (u32, u32) = (9, 0);

/// Parses `input` relative to `now` (local time); `Err` says what was not understood.
pub fn parse(input: &str, now: NaiveDateTime) -> Result<NaiveDateTime, String> {
    let text = input.trim().to_lowercase();
    if text.is_empty() {
        return Err("a due date is needed".into());
    }
    for fmt in [
        "%Y-%m-%d %H:%M",
        "%Y-%m-%dT%H:%M",
        "%Y-%m-%d %H:%M:%S",
        "%Y-%m-%dT%H:%M:%S",
    ] {
        if let Ok(t) = NaiveDateTime::parse_from_str(&text, fmt) {
            return Ok(t);
        }
    }
    let words: Vec<&str> = text.split_whitespace().collect();
    // The time, if any, is the last word (`15:00`, `3pm`, `9:30am`) or `at <time>`.
    let (date_words, time) = match words.split_last() {
        Some((last, rest)) if !rest.is_empty() || parse_time(last).is_some() => {
            match parse_time(last) {
                Some(t) => (
                    rest.iter()
                        .copied()
                        .filter(|w| *w != "at")
                        .collect::<Vec<_>>(),
                    Some(t),
                ),
                None => (words.clone(), None),
            }
        }
        _ => (words.clone(), None),
    };
    let today = now.date();
    let date = if date_words.is_empty() {
        // Only a time: today if it is still ahead, else tomorrow.
        let t = time.ok_or("a due date is needed")?;
        if today.and_time(t) > now {
            today
        } else {
            today + Duration::days(1)
        }
    } else {
        parse_day(&date_words, today).ok_or_else(|| {
            format!(
                "can't read “{}” as a date (try tomorrow 15:00, +2d, fri, 2026-12-01 09:00)",
                input.trim()
            )
        })?
    };
    let time = time.unwrap_or_else(|| {
        NaiveTime::from_hms_opt(DEFAULT_TIME.0, DEFAULT_TIME.1, 0).unwrap_or_default()
    });
    Ok(date.and_time(time))
}

fn parse_time(w: &str) -> Option<NaiveTime> {
    let (body, pm) = if let Some(b) = w.strip_suffix("pm") {
        (b, Some(true))
    } else if let Some(b) = w.strip_suffix("am") {
        (b, Some(false))
    } else {
        (w, None)
    };
    let (h, m) = match body.split_once(':') {
        Some((h, m)) => (h.parse::<u32>().ok()?, m.parse::<u32>().ok()?),
        None if pm.is_some() => (body.parse::<u32>().ok()?, 0),
        None => return None,
    };
    let h = match pm {
        Some(true) if (1..12).contains(&h) => h + 12,
        Some(false) if h == 12 => 0,
        Some(_) if !(1..=12).contains(&h) => return None,
        _ => h,
    };
    NaiveTime::from_hms_opt(h, m, 0)
}

/// A weekday by its name or a prefix of at least three letters (`fri`, `thurs`).
fn weekday(w: &str) -> Option<Weekday> {
    const NAMES: [&str; 7] = [
        "monday",
        "tuesday",
        "wednesday",
        "thursday",
        "friday",
        "saturday",
        "sunday",
    ];
    if w.len() < 3 {
        return None;
    }
    let i = NAMES.iter().position(|n| n.starts_with(w))?;
    Weekday::try_from(i as u8).ok()
}

fn parse_day(words: &[&str], today: NaiveDate) -> Option<NaiveDate> {
    match words {
        ["today"] | ["tod"] => Some(today),
        ["tomorrow"] | ["tom"] | ["tmr"] => Some(today + Duration::days(1)),
        ["next", "week"] => Some(today + Duration::days(7)),
        [w] if w.starts_with('+') => offset(&w[1..], today),
        ["in", n, unit] => offset(&format!("{n}{}", unit.chars().next()?), today),
        ["next", day] => weekday(day).map(|d| next_weekday(today, d) + Duration::days(7)),
        [day] if weekday(day).is_some() => weekday(day).map(|d| next_weekday(today, d)),
        [date] => {
            if let Ok(d) = NaiveDate::parse_from_str(date, "%Y-%m-%d") {
                return Some(d);
            }
            // Month/day without a year: the next such day.
            let (m, d) = date.split_once('/')?;
            let (m, d) = (m.parse().ok()?, d.parse().ok()?);
            let this_year = NaiveDate::from_ymd_opt(today.year(), m, d)?;
            Some(if this_year >= today {
                this_year
            } else {
                NaiveDate::from_ymd_opt(today.year() + 1, m, d)?
            })
        }
        _ => None,
    }
}

/// `2d`, `3w`, `1m`(onth), `4h` is not a day count and is refused.
fn offset(spec: &str, today: NaiveDate) -> Option<NaiveDate> {
    let split = spec.find(|c: char| !c.is_ascii_digit())?;
    let (n, unit) = spec.split_at(split);
    let n: i64 = n.parse().ok().filter(|n| *n <= 3650)?;
    // `split_at` above is on a char boundary: `find` returned the first non-digit's index.
    match unit {
        "d" | "day" | "days" => Some(today + Duration::days(n)),
        "w" | "wk" | "week" | "weeks" => Some(today + Duration::weeks(n)),
        "m" | "mo" | "month" | "months" => {
            today.checked_add_months(chrono::Months::new(u32::try_from(n).ok()?))
        }
        _ => None,
    }
}

/// The next `day` after today (a week ahead when today is that day).
fn next_weekday(today: NaiveDate, day: Weekday) -> NaiveDate {
    let ahead =
        (7 + day.num_days_from_monday() as i64 - today.weekday().num_days_from_monday() as i64) % 7;
    today + Duration::days(if ahead == 0 { 7 } else { ahead })
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Sunday 22 November 2026, 12:00.
    fn now() -> NaiveDateTime {
        NaiveDate::from_ymd_opt(2026, 11, 22)
            .and_then(|d| d.and_hms_opt(12, 0, 0))
            .expect("date")
    }

    fn at(s: &str) -> String {
        parse(s, now())
            .map(|t| t.format("%a %Y-%m-%d %H:%M").to_string())
            .unwrap_or_else(|e| format!("error: {e}"))
    }

    #[test]
    fn understands_what_reps_type() {
        assert_eq!(at("tomorrow 15:00"), "Mon 2026-11-23 15:00");
        assert_eq!(at("tomorrow"), "Mon 2026-11-23 09:00");
        assert_eq!(at("+2d"), "Tue 2026-11-24 09:00");
        assert_eq!(at("+1w 8:30"), "Sun 2026-11-29 08:30");
        assert_eq!(at("fri"), "Fri 2026-11-27 09:00");
        assert_eq!(at("Friday 3pm"), "Fri 2026-11-27 15:00");
        assert_eq!(
            at("sun"),
            "Sun 2026-11-29 09:00",
            "today's weekday means next week"
        );
        assert_eq!(at("next mon"), "Mon 2026-11-30 09:00");
        assert_eq!(at("in 3 days at 10am"), "Wed 2026-11-25 10:00");
        assert_eq!(at("2026-12-01 09:00"), "Tue 2026-12-01 09:00");
        assert_eq!(at("2026-12-01"), "Tue 2026-12-01 09:00");
        assert_eq!(at("12/01 9:30"), "Tue 2026-12-01 09:30");
        assert_eq!(at("1/15"), "Fri 2027-01-15 09:00");
        assert_eq!(
            at("17:00"),
            "Sun 2026-11-22 17:00",
            "a time still ahead is today"
        );
        assert_eq!(
            at("11:00"),
            "Mon 2026-11-23 11:00",
            "a time passed is tomorrow"
        );
        assert_eq!(at("12am"), "Mon 2026-11-23 00:00");
        assert_eq!(at("+1m"), "Tue 2026-12-22 09:00");
    }

    #[test]
    fn refuses_what_it_cannot_read() {
        for bad in [
            "in 3 é",
            "in 3 日",
            "+3é",
            "é",
            "in",
            "+",
            "next",
            "",
            "soonish",
            "+2h",
            "fr",
            "2026-13-01",
            "25:00",
            "13pm",
            "next blursday",
            "2/30",
        ] {
            assert!(parse(bad, now()).is_err(), "{bad:?} should not parse");
        }
    }
}
