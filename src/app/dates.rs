//! Friendly due dates as a rep types them: `tomorrow 15:00`, `+2d`, `fri`, `next monday`,
//! `in 3 days 9am`, `dec 3`, `3 december 2026`, `2026-12-01 09:00`, `12/01 9:30` (month/day or
//! day/month as the user's `date_order` says). Pure: the caller passes "now" in the user's
//! local time.

use chrono::{Datelike, Duration, NaiveDate, NaiveDateTime, NaiveTime, Weekday};

/// When no time is given, tasks are due at 9:00.
const DEFAULT_TIME: (u32, u32) = (9, 0);

/// How the user writes a date in numbers: `12/01` is 1 December in `Mdy`, 12 January in `Dmy`.
/// `Ymd` writes the year first (`2026/12/01`); without a year it reads month/day.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, serde::Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum DateOrder {
    #[default]
    Mdy,
    Dmy,
    Ymd,
}

impl DateOrder {
    /// From the locale (`LC_ALL`, then `LC_TIME`, then `LANG`): month first in the US and a few
    /// other places, year first in East Asia and a few others, day first everywhere else.
    pub fn from_locale(get: impl Fn(&str) -> Option<String>) -> DateOrder {
        let locale = ["LC_ALL", "LC_TIME", "LANG"]
            .iter()
            .filter_map(|k| get(k))
            .find(|v| !v.trim().is_empty())
            .unwrap_or_default();
        let tag = locale
            .split(['.', '@'])
            .next()
            .unwrap_or("")
            .replace('-', "_");
        let (lang, region) = tag.split_once('_').unwrap_or((tag.as_str(), ""));
        match (lang, region) {
            ("" | "C" | "POSIX", _) => DateOrder::Mdy,
            (_, "US" | "PH" | "FM" | "MH" | "PW") => DateOrder::Mdy,
            ("en", "") => DateOrder::Mdy,
            ("ja" | "zh" | "ko" | "hu" | "lt" | "mn" | "sv" | "eu", _) => DateOrder::Ymd,
            (_, "CA") if lang == "en" => DateOrder::Mdy,
            _ => DateOrder::Dmy,
        }
    }

    /// `month/day` or `day/month`, for hints.
    pub fn hint(self) -> &'static str {
        match self {
            DateOrder::Mdy | DateOrder::Ymd => "12/01 is 1 Dec",
            DateOrder::Dmy => "01/12 is 1 Dec",
        }
    }
}

impl std::str::FromStr for DateOrder {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        match s.trim().to_ascii_lowercase().as_str() {
            "mdy" => Ok(DateOrder::Mdy),
            "dmy" => Ok(DateOrder::Dmy),
            "ymd" => Ok(DateOrder::Ymd),
            other => Err(format!("date_order is mdy, dmy or ymd, not “{other}”")),
        }
    }
}

/// Parses `input` relative to `now` (local time), with numeric dates read month first;
/// `Err` says what was not understood.
pub fn parse(input: &str, now: NaiveDateTime) -> Result<NaiveDateTime, String> {
    parse_in(input, now, DateOrder::Mdy)
}

/// Parses `input` relative to `now` (local time), numeric dates in `order`.
pub fn parse_in(
    input: &str,
    now: NaiveDateTime,
    order: DateOrder,
) -> Result<NaiveDateTime, String> {
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
        parse_day(&date_words, today, order).ok_or_else(|| {
            format!(
                "can't read “{}” as a date (try tomorrow 15:00, +2d, fri, dec 3, 2026-12-01 09:00)",
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

fn parse_day(words: &[&str], today: NaiveDate, order: DateOrder) -> Option<NaiveDate> {
    // "the 3rd of december", "dec. 3,": the small words and punctuation carry nothing.
    let cleaned: Vec<String> = words
        .iter()
        .map(|w| w.trim_end_matches([',', '.']).to_string())
        .filter(|w| !matches!(w.as_str(), "of" | "the" | "on" | ""))
        .collect();
    let words: Vec<&str> = cleaned.iter().map(String::as_str).collect();
    match words.as_slice() {
        ["today"] | ["tod"] => Some(today),
        ["tomorrow"] | ["tom"] | ["tmr"] | ["tmrw"] => Some(today + Duration::days(1)),
        ["next", "week"] => Some(today + Duration::days(7)),
        [w] if w.starts_with('+') => offset(&w[1..], today),
        ["in", n, unit] => offset(&format!("{n}{}", unit.chars().next()?), today),
        // The day of the coming week (weeks start on Sunday): on Tuesday 1 December, "next
        // monday" is the 7th and "next friday" the 11th; "friday" alone is the 4th.
        ["next", day] => weekday(day).map(|d| in_next_week(today, d)),
        ["this", day] => weekday(day).map(|d| next_weekday(today, d)),
        [day] if weekday(day).is_some() => weekday(day).map(|d| next_weekday(today, d)),
        [date] => {
            if let Ok(d) = NaiveDate::parse_from_str(date, "%Y-%m-%d") {
                return Some(d);
            }
            numeric(date, today, order)
        }
        // Month names: `dec 3`, `3 december`, `december 3rd 2026`, `3 dec 2026`.
        [a, b] => named(a, b, None, today),
        [a, b, y] => named(a, b, Some(y), today),
        _ => None,
    }
}

/// `12/01`, `12/01/2026`, `1.12.`, `01-12-2026`, `2026/12/01`, read in `order`.
fn numeric(date: &str, today: NaiveDate, order: DateOrder) -> Option<NaiveDate> {
    let parts: Vec<&str> = date
        .split(['/', '.', '-'])
        .filter(|p| !p.is_empty())
        .collect();
    let nums: Vec<u32> = parts
        .iter()
        .map(|p| p.parse().ok())
        .collect::<Option<_>>()?;
    let (m, d, y) = match (nums.as_slice(), order) {
        ([y, m, d], _) if parts[0].len() == 4 => (*m, *d, Some(*y as i32)),
        ([a, b], DateOrder::Dmy) => (*b, *a, None),
        ([a, b], _) => (*a, *b, None),
        ([a, b, y], DateOrder::Dmy) => (*b, *a, Some(full_year(*y))),
        ([a, b, y], _) => (*a, *b, Some(full_year(*y))),
        _ => return None,
    };
    on(m, d, y, today)
}

fn full_year(y: u32) -> i32 {
    if y < 100 { 2000 + y as i32 } else { y as i32 }
}

/// The date; without a year, the next such day (this year or the next).
fn on(m: u32, d: u32, y: Option<i32>, today: NaiveDate) -> Option<NaiveDate> {
    if let Some(y) = y {
        return NaiveDate::from_ymd_opt(y, m, d);
    }
    let this_year = NaiveDate::from_ymd_opt(today.year(), m, d)?;
    Some(if this_year >= today {
        this_year
    } else {
        NaiveDate::from_ymd_opt(today.year() + 1, m, d)?
    })
}

/// A month by its name or its first three letters or more (`dec`, `sept`, `december`).
fn month(w: &str) -> Option<u32> {
    const NAMES: [&str; 12] = [
        "january",
        "february",
        "march",
        "april",
        "may",
        "june",
        "july",
        "august",
        "september",
        "october",
        "november",
        "december",
    ];
    if w.len() < 3 {
        return None;
    }
    NAMES
        .iter()
        .position(|n| n.starts_with(w))
        .map(|i| i as u32 + 1)
}

/// `3`, `3rd`, `21st`.
fn day_number(w: &str) -> Option<u32> {
    let digits = w.trim_end_matches(|c: char| c.is_ascii_alphabetic());
    let suffix = &w[digits.len()..];
    if !matches!(suffix, "" | "st" | "nd" | "rd" | "th") {
        return None;
    }
    digits.parse().ok().filter(|d| (1..=31).contains(d))
}

fn named(a: &str, b: &str, y: Option<&&str>, today: NaiveDate) -> Option<NaiveDate> {
    let year = match y {
        Some(y) => Some(
            y.parse::<i32>()
                .ok()
                .filter(|y| (1970..=9999).contains(y))?,
        ),
        None => None,
    };
    let (m, d) = match (month(a), month(b)) {
        (Some(m), None) => (m, day_number(b)?),
        (None, Some(m)) => (m, day_number(a)?),
        _ => return None,
    };
    on(m, d, year, today)
}

/// `day` in the week after this one, weeks starting on Sunday.
fn in_next_week(today: NaiveDate, day: Weekday) -> NaiveDate {
    let sunday = today + Duration::days(7 - i64::from(today.weekday().num_days_from_sunday()));
    sunday + Duration::days(i64::from(day.num_days_from_sunday()))
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
        assert_eq!(at("dec 3"), "Thu 2026-12-03 09:00");
        assert_eq!(at("3 december 14:00"), "Thu 2026-12-03 14:00");
        assert_eq!(at("December 3rd, 2027"), "Fri 2027-12-03 09:00");
        assert_eq!(at("the 21st of jan"), "Thu 2027-01-21 09:00");
        assert_eq!(at("nov 1"), "Mon 2027-11-01 09:00", "passed: next year");
        assert_eq!(at("12/01/2026"), "Tue 2026-12-01 09:00");
        assert_eq!(at("2026/12/01"), "Tue 2026-12-01 09:00");
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

    /// Tuesday 1 December 2026, as the issue saw it.
    fn tuesday() -> NaiveDateTime {
        NaiveDate::from_ymd_opt(2026, 12, 1)
            .and_then(|d| d.and_hms_opt(10, 0, 0))
            .expect("date")
    }

    #[test]
    fn next_weekday_is_in_the_coming_week() {
        let on = |s: &str| {
            parse(s, tuesday())
                .map(|t| t.format("%a %d").to_string())
                .unwrap_or_else(|e| e)
        };
        assert_eq!(on("next monday"), "Mon 07");
        assert_eq!(on("next friday"), "Fri 11");
        assert_eq!(on("friday"), "Fri 04");
        assert_eq!(on("this friday"), "Fri 04");
        assert_eq!(on("next tuesday"), "Tue 08");
    }

    #[test]
    fn numeric_dates_follow_the_order_the_user_writes() {
        let on = |s: &str, o: DateOrder| {
            parse_in(s, tuesday(), o)
                .map(|t| t.format("%Y-%m-%d").to_string())
                .unwrap_or_else(|e| e)
        };
        assert_eq!(on("12/01", DateOrder::Mdy), "2026-12-01");
        assert_eq!(on("12/01", DateOrder::Dmy), "2027-01-12");
        assert_eq!(on("01.12.", DateOrder::Dmy), "2026-12-01");
        assert_eq!(on("3/12/27", DateOrder::Dmy), "2027-12-03");
        assert_eq!(on("2026/12/24", DateOrder::Ymd), "2026-12-24");
        assert_eq!(on("12/24", DateOrder::Ymd), "2026-12-24");
        assert_eq!(
            on("dec 3", DateOrder::Dmy),
            "2026-12-03",
            "names mean the same in any order"
        );
    }

    #[test]
    fn the_order_comes_from_the_locale() {
        let env = |v: &'static str| move |k: &str| (k == "LANG").then(|| v.to_string());
        assert_eq!(DateOrder::from_locale(env("en_US.UTF-8")), DateOrder::Mdy);
        assert_eq!(DateOrder::from_locale(env("en_GB.UTF-8")), DateOrder::Dmy);
        assert_eq!(DateOrder::from_locale(env("de_DE.UTF-8")), DateOrder::Dmy);
        assert_eq!(DateOrder::from_locale(env("ja_JP.UTF-8")), DateOrder::Ymd);
        assert_eq!(DateOrder::from_locale(env("C.UTF-8")), DateOrder::Mdy);
        assert_eq!(DateOrder::from_locale(|_| None), DateOrder::Mdy);
        let lc_time = |k: &str| match k {
            "LC_TIME" => Some("fr_FR.UTF-8".to_string()),
            "LANG" => Some("en_US.UTF-8".to_string()),
            _ => None,
        };
        assert_eq!(DateOrder::from_locale(lc_time), DateOrder::Dmy);
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
            "dec 32",
            "3 smarch",
            "13/13",
            "dec 3 12345",
        ] {
            assert!(parse(bad, now()).is_err(), "{bad:?} should not parse");
        }
    }
}
