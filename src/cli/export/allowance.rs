//! The team's share of the daily allowance. Every app signed in to a location draws on the
//! same daily requests, so a batch job stops (resumably) while that share is still whole,
//! instead of spending the day and leaving the team's own apps refused until it turns.

use crate::api::RateBudget;

use super::cost::share_of;

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Allowance {
    /// Requests a day (GHL's 200,000 unless the location's plan says otherwise).
    pub daily_limit: u64,
    /// Percent of it left to the rest of the team.
    pub reserve: u8,
    /// Requests this job has started.
    started: u64,
    /// The first remaining count the headers said, and how many of ours were answered then:
    /// from it, our own count says what is left at most, whatever order answers arrive in.
    first: Option<(u64, u64)>,
    /// The lowest remaining count the headers have said (the team's use shows there).
    lowest: Option<u64>,
}

impl Allowance {
    pub fn new(daily_limit: u64, reserve: u8) -> Allowance {
        Allowance {
            daily_limit,
            reserve,
            started: 0,
            first: None,
            lowest: None,
        }
    }

    /// The requests kept for the team.
    pub fn kept(&self) -> u64 {
        share_of(self.daily_limit, self.reserve)
    }

    /// Counts `n` requests started.
    pub fn started(&mut self, n: u64) {
        self.started += n;
    }

    /// Whether `more` requests may start while `in_flight` started ones are not answered
    /// yet. A server that has not said what is left (no answer yet, or no header) holds
    /// nothing back.
    pub fn may_send(&mut self, budget: RateBudget, in_flight: u64, more: u64) -> bool {
        let Some(said) = budget.daily_remaining else {
            return true;
        };
        let answered = self.started.saturating_sub(in_flight);
        let (first, answered_then) = *self.first.get_or_insert((said, answered));
        let lowest = self.lowest.map_or(said, |l| l.min(said));
        self.lowest = Some(lowest);
        let by_headers = lowest.saturating_sub(in_flight);
        let by_count = first.saturating_sub(self.started - answered_then);
        by_headers.min(by_count) >= self.kept() + more
    }
}

/// When GHL's day probably turns: GHL does not document it, so midnight UTC, as the pacer
/// assumes too; said in local time.
pub fn day_turns(now: chrono::DateTime<chrono::Utc>) -> String {
    let midnight = (now.date_naive() + chrono::Days::new(1))
        .and_hms_opt(0, 0, 0)
        .map(|t| t.and_utc())
        .unwrap_or(now);
    midnight
        .with_timezone(&chrono::Local)
        .format("%a %H:%M")
        .to_string()
}

/// The line a job ends with when it stops for the team's share.
pub fn paused(reserve: u8) -> String {
    format!(
        "paused to leave {reserve} % of today's allowance; run again after {} to go on",
        day_turns(chrono::Utc::now())
    )
}

/// The line a job ends with when the day's allowance is spent.
pub fn spent(resets_at: chrono::DateTime<chrono::Utc>) -> String {
    format!(
        "the day's API allowance is spent; run again after {} to go on",
        resets_at.with_timezone(&chrono::Local).format("%a %H:%M")
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    fn seen(left: u64) -> RateBudget {
        RateBudget {
            remaining: Some(50),
            max: 100,
            daily_remaining: Some(left),
            daily_max: None,
        }
    }

    #[test]
    fn stops_before_the_team_s_share_counting_what_is_in_flight() {
        let mut a = Allowance::new(1000, 25);
        assert_eq!(a.kept(), 250);
        assert!(a.may_send(RateBudget::default(), 0, 3), "nothing said yet");
        a.started(1);
        assert!(a.may_send(seen(253), 0, 3));
        a.started(3);
        assert!(!a.may_send(seen(253), 3, 3), "three answers still to come");
        assert!(!a.may_send(seen(250), 0, 3));
    }

    #[test]
    fn answers_out_of_order_do_not_spend_the_share() {
        let mut a = Allowance::new(1000, 25);
        a.started(1);
        assert!(a.may_send(seen(300), 0, 3));
        a.started(48);
        // The headers last seen came with an old answer: our own count knows better.
        assert!(!a.may_send(seen(299), 0, 3));
        let mut b = Allowance::new(1000, 25);
        b.started(1);
        assert!(b.may_send(seen(300), 0, 3));
        b.started(3);
        // The team spent some meanwhile: the headers know better.
        assert!(!b.may_send(seen(251), 0, 3));
        assert!(!b.may_send(seen(400), 0, 3), "the lowest seen holds");
    }

    #[test]
    fn the_reserve_is_rounded_up_and_may_be_none() {
        assert_eq!(Allowance::new(200_000, 25).kept(), 50_000);
        assert_eq!(Allowance::new(7, 50).kept(), 4);
        let mut none_kept = Allowance::new(1000, 0);
        assert!(none_kept.may_send(seen(3), 0, 3));
        assert!(!none_kept.may_send(seen(2), 0, 3));
    }
}
