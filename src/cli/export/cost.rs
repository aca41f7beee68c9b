//! What a batch job will cost, said before it starts: requests, time at GHL's burst limit, and
//! how many days the daily allowance spreads it over once the team's share is left aside.

use std::time::Duration;

use crate::text::count;

/// GHL's burst limit (100 requests per 10 s): the pace an estimate assumes.
const PER_SECOND: f64 =
    crate::api::pacer::DEFAULT_MAX as f64 / crate::api::pacer::DEFAULT_INTERVAL.as_secs() as f64;

/// A job's cost: `what` (e.g. "100,000 contacts") and the requests it needs.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Estimate {
    pub what: String,
    pub requests: u64,
    pub daily_limit: u64,
    /// Percent of the daily limit left to the rest of the team.
    pub reserve: u8,
}

impl Estimate {
    /// The requests a day may take: the limit less the team's share, at least one.
    pub fn per_day(&self) -> u64 {
        (self.daily_limit - share_of(self.daily_limit, self.reserve)).max(1)
    }

    pub fn days(&self) -> u64 {
        self.requests.div_ceil(self.per_day()).max(1)
    }

    pub fn at_the_limit(&self) -> Duration {
        Duration::from_secs_f64(self.requests as f64 / PER_SECOND)
    }

    /// `100,000 contacts: about 300,000 requests, 8 h 20 min at the limit; daily limit
    /// 200,000: spread over 2 days`, with the team's share named when there is one.
    pub fn line(&self) -> String {
        let share = if self.reserve == 0 {
            String::new()
        } else {
            format!(
                " ({} after the team's {} %)",
                count(self.per_day()),
                self.reserve
            )
        };
        let days = match self.days() {
            1 => "fits in one day".to_string(),
            n => format!("spread over {n} days"),
        };
        format!(
            "{}: about {} requests, {} at the limit; daily limit {}{share}: {days}",
            self.what,
            count(about(self.requests)),
            duration_words(self.at_the_limit()),
            count(self.daily_limit),
        )
    }
}

/// The requests of a day left to the team: `reserve` percent of `limit`, rounded up.
pub fn share_of(limit: u64, reserve: u8) -> u64 {
    (limit * u64::from(reserve)).div_ceil(100)
}

/// Three significant digits: an estimate is not a count (retries, contacts added meanwhile).
fn about(n: u64) -> u64 {
    let mut scale = 1;
    while n / scale >= 1000 {
        scale *= 10;
    }
    (n + scale / 2) / scale * scale
}

/// `40 s`, `1 min 36 s`, `16 min`, `8 h 20 min`, `3 h`.
pub fn duration_words(d: Duration) -> String {
    let s = d.as_secs_f64().round() as u64;
    match s {
        0..60 => format!("{s} s"),
        60..600 if s.is_multiple_of(60) => format!("{} min", s / 60),
        60..600 => format!("{} min {} s", s / 60, s % 60),
        600..3600 => format!("{} min", (s + 30) / 60),
        _ if (s % 3600) / 60 == 0 => format!("{} h", s / 3600),
        _ => format!("{} h {} min", s / 3600, (s % 3600) / 60),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn deep(contacts: u64, reserve: u8) -> Estimate {
        Estimate {
            what: format!("{} contacts", count(contacts)),
            // Three requests a contact, and the pages of 500.
            requests: contacts * 3 + contacts.div_ceil(500),
            daily_limit: 200_000,
            reserve,
        }
    }

    #[test]
    fn the_issue_s_example_word_for_word() {
        assert_eq!(
            deep(100_000, 0).line(),
            "100,000 contacts: about 300,000 requests, 8 h 20 min at the limit; daily limit 200,000: spread over 2 days"
        );
    }

    #[test]
    fn the_team_s_share_is_named_and_counted() {
        assert_eq!(
            deep(100_000, 25).line(),
            "100,000 contacts: about 300,000 requests, 8 h 20 min at the limit; daily limit 200,000 (150,000 after the team's 25 %): spread over 3 days"
        );
        assert_eq!(
            deep(320, 25).line(),
            "320 contacts: about 961 requests, 1 min 36 s at the limit; daily limit 200,000 (150,000 after the team's 25 %): fits in one day"
        );
    }

    #[test]
    fn durations_read_as_people_say_them() {
        let words = |s: u64| duration_words(Duration::from_secs(s));
        assert_eq!(words(0), "0 s");
        assert_eq!(words(59), "59 s");
        assert_eq!(words(60), "1 min");
        assert_eq!(words(96), "1 min 36 s");
        assert_eq!(words(960), "16 min");
        assert_eq!(words(7200), "2 h");
        assert_eq!(words(30_020), "8 h 20 min");
    }

    #[test]
    fn estimates_are_rounded_to_three_digits() {
        assert_eq!(about(961), 961);
        assert_eq!(about(300_200), 300_000);
        assert_eq!(about(123_456), 123_000);
        assert_eq!(about(99_950), 100_000);
    }
}
