//! Client-side pacing under GHL's limits: 100 requests per 10 s per location (the burst limit)
//! and 200,000 a day. Every request takes a slot first, so many panes loading at once queue
//! here instead of tripping 429s. The limit follows the `X-RateLimit-*` headers, within sane
//! bounds: a server (or a proxy) that says "1 request per 584 million years" must not stop the
//! app for good. Waits can be cut short (`r`), and what is waited for is reported.

use std::collections::VecDeque;
use std::sync::Mutex;
use std::time::Duration;

use reqwest::header::HeaderMap;
use tokio::sync::Notify;
use tokio::time::Instant;

/// What the status bar shows of the rate-limit budget.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct RateBudget {
    pub remaining: Option<u32>,
    pub max: u32,
    pub daily_remaining: Option<u64>,
    /// The day's whole allowance, as the server says it (`X-RateLimit-Limit-Daily`).
    pub daily_max: Option<u64>,
}

/// Why requests are held back.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Hold {
    /// The burst window is full (by our count or the server's `Remaining: 0`).
    Burst,
    /// The server answered 429.
    RateLimited,
    /// The day's allowance is spent.
    Daily,
}

/// Who a request is for. The user's requests (opening a contact, a write, a server search)
/// go first; sync's pages take only what the user leaves, and leave a few slots of every
/// window free so the next thing the user does goes at once. One window counts both.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum Lane {
    #[default]
    Interactive,
    Background,
}

/// How often a background request waiting behind the user's looks again.
const YIELD_POLL: Duration = Duration::from_millis(20);

/// GHL's documented burst limit.
pub const DEFAULT_MAX: u32 = 100;
pub const DEFAULT_INTERVAL: Duration = Duration::from_secs(10);
/// The longest any burst wait lasts, whatever a header or a 429 says; after it the server is
/// asked again (and may say wait again).
pub const MAX_PAUSE: Duration = Duration::from_secs(60);
/// Bounds for what the headers say: a window between 1 s and a minute, and never fewer than
/// one request a second (a server that asks for less is taken to be wrong, and its 429s
/// still hold the app back when it means it).
const MIN_INTERVAL: Duration = Duration::from_secs(1);
const MAX_MAX: u32 = 10_000;

#[derive(Debug)]
struct State {
    max: u32,
    interval: Duration,
    sent: VecDeque<Instant>,
    blocked_until: Option<(Instant, Hold)>,
    /// The day's allowance is spent until then (an instant, and the wall-clock time to show).
    daily_until: Option<(Instant, chrono::DateTime<chrono::Utc>)>,
    budget: RateBudget,
    /// Requests waiting in `acquire` now.
    waiting: usize,
    /// Of those, the user's.
    interactive_waiting: usize,
    /// When `r` last forgot the holds: an answer to a request sent before then sets none
    /// (a 429 that was on its way must not undo the user's `r`).
    woken_at: Option<Instant>,
}

#[derive(Debug)]
pub struct Pacer {
    state: Mutex<State>,
    /// Wakes every wait at once (`wake`).
    woken: Notify,
}

/// Send times and the server's receive times differ by network jitter; keeping a little under
/// the window avoids counting a request in two different windows on the two sides.
const SAFETY: Duration = Duration::from_millis(100);

/// The spent daily allowance: when it comes back.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct DailySpent {
    pub resets_at: chrono::DateTime<chrono::Utc>,
}

/// GHL does not document when the day's allowance comes back: requests try again at the next
/// midnight UTC or in an hour, whichever is first (a spent day costs one request an hour).
fn next_reset(now: chrono::DateTime<chrono::Utc>) -> chrono::DateTime<chrono::Utc> {
    let hour = now + chrono::Duration::hours(1);
    (now.date_naive() + chrono::Days::new(1))
        .and_hms_opt(0, 0, 0)
        .map(|t| t.and_utc())
        .map_or(hour, |midnight| midnight.min(hour))
}

/// Decrements the waiting count when a wait ends, however it ends (a cancelled request too).
struct Waiting<'a>(&'a Pacer, Lane);

impl Drop for Waiting<'_> {
    fn drop(&mut self) {
        let mut s = self.0.lock();
        s.waiting = s.waiting.saturating_sub(1);
        if self.1 == Lane::Interactive {
            s.interactive_waiting = s.interactive_waiting.saturating_sub(1);
        }
    }
}

/// The slots of each window that background work leaves to the user: a twentieth, at least one.
fn reserve(max: u32) -> u32 {
    (max / 20).max(1).min(max.saturating_sub(1))
}

impl Pacer {
    pub fn new(max: u32, interval: Duration) -> Self {
        Pacer {
            state: Mutex::new(State {
                max: max.max(1),
                interval,
                sent: VecDeque::new(),
                blocked_until: None,
                daily_until: None,
                budget: RateBudget {
                    remaining: None,
                    max,
                    daily_remaining: None,
                    daily_max: None,
                },
                waiting: 0,
                interactive_waiting: 0,
                woken_at: None,
            }),
            woken: Notify::new(),
        }
    }

    pub fn ghl_default() -> Self {
        Pacer::new(DEFAULT_MAX, DEFAULT_INTERVAL)
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, State> {
        crate::private::lock(&self.state)
    }

    /// Waits for a slot in the window, then takes it. Fails at once while the day's allowance
    /// is spent: a wait of hours belongs to the caller (the outbox keeps writes), not here.
    pub async fn acquire(&self) -> Result<(), DailySpent> {
        self.acquire_in(Lane::Interactive).await
    }

    /// As `acquire`, in `lane`: a background request waits while any of the user's waits,
    /// and while the window has no more than the user's reserve left.
    pub async fn acquire_in(&self, lane: Lane) -> Result<(), DailySpent> {
        let mut counted = None;
        loop {
            // Made ready before the state is read, so a wake in between is not missed.
            let woken = self.woken.notified();
            tokio::pin!(woken);
            woken.as_mut().enable();
            let wait_until = {
                let mut s = self.lock();
                let now = Instant::now();
                if let Some((until, resets_at)) = s.daily_until {
                    if until > now {
                        return Err(DailySpent { resets_at });
                    }
                    s.daily_until = None;
                }
                let window = s.interval + SAFETY;
                while s
                    .sent
                    .front()
                    .is_some_and(|t| now.duration_since(*t) >= window)
                {
                    s.sent.pop_front();
                }
                let keep = match lane {
                    Lane::Interactive => 0,
                    Lane::Background => reserve(s.max),
                };
                match s.blocked_until {
                    Some((until, _)) if until > now => until,
                    _ if lane == Lane::Background && s.interactive_waiting > 0 => now + YIELD_POLL,
                    _ => {
                        s.blocked_until = None;
                        if (s.sent.len() as u32) + keep < s.max {
                            s.sent.push_back(now);
                            return Ok(());
                        }
                        // The window is full: the oldest send frees the next slot.
                        s.sent.front().map_or(now, |t| *t + window)
                    }
                }
            };
            if counted.is_none() {
                let mut s = self.lock();
                s.waiting += 1;
                if lane == Lane::Interactive {
                    s.interactive_waiting += 1;
                }
                counted = Some(Waiting(self, lane));
            }
            tokio::select! {
                () = tokio::time::sleep_until(wait_until) => {}
                () = &mut woken => {}
            }
        }
    }

    /// Sleeps `wait` (a backoff before a retry), or less if woken.
    pub async fn nap(&self, wait: Duration) {
        let woken = self.woken.notified();
        tokio::select! {
            () = tokio::time::sleep(wait) => {}
            () = woken => {}
        }
    }

    /// Reads `X-RateLimit-*` headers from an answer. `ok`: the request succeeded, which with
    /// room left ends a burst hold (a healthy answer overrides what an odd one said). A 429's
    /// wait is not ended so: an answer to a request sent before it proves nothing.
    pub fn observe(&self, headers: &HeaderMap, ok: bool) {
        self.observe_from(headers, ok, Instant::now());
    }

    /// `observe` of the answer to a request sent at `sent`.
    pub fn observe_from(&self, headers: &HeaderMap, ok: bool, sent: Instant) {
        if self.lock().woken_at.is_some_and(|w| sent < w) {
            return;
        }
        let released = self.read_headers(headers, ok);
        if released {
            self.woken.notify_waiters();
        }
    }

    /// Returns whether a hold ended, so the waits can look again.
    fn read_headers(&self, headers: &HeaderMap, ok: bool) -> bool {
        let num =
            |name: &str| -> Option<u64> { headers.get(name)?.to_str().ok()?.trim().parse().ok() };
        let mut released = false;
        let mut s = self.lock();
        if let Some(ms) = num("x-ratelimit-interval-milliseconds").filter(|m| *m > 0) {
            s.interval = Duration::from_millis(ms).clamp(MIN_INTERVAL, MAX_PAUSE);
        }
        if let Some(max) = num("x-ratelimit-max").filter(|m| *m > 0) {
            let floor = s.interval.as_secs().max(1);
            s.max = max.clamp(floor, u64::from(MAX_MAX)) as u32;
            s.budget.max = s.max;
        }
        if let Some(remaining) = num("x-ratelimit-remaining") {
            // Never more than the window holds, whatever is claimed.
            s.budget.remaining = Some(u32::try_from(remaining).unwrap_or(u32::MAX).min(s.max));
            if remaining == 0 {
                // The server has no room left; another request now would only earn a 429.
                let until = Instant::now() + s.interval.min(MAX_PAUSE);
                s.blocked_until = Some(later(s.blocked_until, (until, Hold::Burst)));
            } else if ok && matches!(s.blocked_until, Some((_, Hold::Burst))) {
                s.blocked_until = None;
                released = true;
            }
        }
        if let Some(max) = num("x-ratelimit-limit-daily").filter(|m| *m > 0) {
            s.budget.daily_max = Some(max);
        }
        if let Some(daily) = num("x-ratelimit-daily-remaining") {
            s.budget.daily_remaining = Some(daily);
            if daily == 0 {
                if s.daily_until.is_none() {
                    let now = chrono::Utc::now();
                    let resets_at = next_reset(now);
                    let wait = (resets_at - now).to_std().unwrap_or(MAX_PAUSE);
                    tracing::warn!(%resets_at, "the day's API allowance is spent");
                    s.daily_until = Some((Instant::now() + wait, resets_at));
                }
            } else if ok && s.daily_until.is_some() {
                s.daily_until = None;
                released = true;
            }
        }
        released
    }

    /// After a 429: nobody sends until the server's wait (at most `MAX_PAUSE`) is over.
    /// Returns the wait.
    pub fn pause(&self, wait: Duration) -> Duration {
        self.pause_from(wait, Instant::now())
    }

    /// `pause` for a 429 to a request sent at `sent`; one sent before the last `wake` holds
    /// nobody back (its own request still waits the wait it returns).
    pub fn pause_from(&self, wait: Duration, sent: Instant) -> Duration {
        let mut s = self.lock();
        let wait = wait.min(MAX_PAUSE);
        if s.woken_at.is_some_and(|w| sent < w) {
            return wait;
        }
        let until = Instant::now() + wait;
        s.blocked_until = Some(later(s.blocked_until, (until, Hold::RateLimited)));
        s.budget.remaining = Some(0);
        wait
    }

    /// `r`: forget every hold and what the headers said, and wake every wait to try now.
    pub fn wake(&self) {
        {
            let mut s = self.lock();
            s.woken_at = Some(Instant::now());
            s.blocked_until = None;
            s.daily_until = None;
            s.max = DEFAULT_MAX;
            s.interval = DEFAULT_INTERVAL;
            s.budget.max = DEFAULT_MAX;
        }
        self.woken.notify_waiters();
    }

    pub fn budget(&self) -> RateBudget {
        self.lock().budget
    }

    pub fn interval(&self) -> Duration {
        self.lock().interval
    }

    /// What requests wait for now, if any wait: the hold and when it ends.
    pub fn holding(&self) -> Option<(Hold, Instant)> {
        let s = self.lock();
        let now = Instant::now();
        if let Some((until, _)) = s.daily_until.filter(|(u, _)| *u > now) {
            return Some((Hold::Daily, until));
        }
        match s.blocked_until {
            // The server said to wait: worth saying even before anything waits.
            Some((until, Hold::RateLimited)) if until > now => Some((Hold::RateLimited, until)),
            _ if s.waiting == 0 => None,
            Some((until, hold)) if until > now => Some((hold, until)),
            _ => s
                .sent
                .front()
                .map(|t| (Hold::Burst, *t + s.interval + SAFETY)),
        }
    }

    /// When the day's allowance comes back, while it is spent.
    pub fn daily_spent(&self) -> Option<chrono::DateTime<chrono::Utc>> {
        let s = self.lock();
        s.daily_until
            .filter(|(u, _)| *u > Instant::now())
            .map(|(_, at)| at)
    }
}

fn later(a: Option<(Instant, Hold)>, b: (Instant, Hold)) -> (Instant, Hold) {
    match a {
        Some(a) if a.0 > b.0 => a,
        _ => b,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn headers(pairs: &[(&'static str, &str)]) -> HeaderMap {
        let mut h = HeaderMap::new();
        for (k, v) in pairs {
            h.insert(*k, v.parse().expect("header value"));
        }
        h
    }

    #[tokio::test(start_paused = true)]
    async fn background_work_leaves_the_user_a_slot_and_lets_the_user_go_first() {
        let pacer = std::sync::Arc::new(Pacer::new(10, Duration::from_secs(1)));
        // Background takes all but the reserve, then waits.
        for _ in 0..9 {
            pacer.acquire_in(Lane::Background).await.expect("slot");
        }
        let blocked = {
            let p = pacer.clone();
            tokio::spawn(async move { p.acquire_in(Lane::Background).await })
        };
        tokio::time::sleep(Duration::from_millis(100)).await;
        assert!(!blocked.is_finished(), "the last slot is the user's");
        let start = Instant::now();
        pacer
            .acquire()
            .await
            .expect("the user's request goes at once");
        assert_eq!(Instant::now(), start);
        blocked.abort();

        // The window is full and both wait: the user's request, asked after, goes first.
        let order = std::sync::Arc::new(Mutex::new(Vec::new()));
        let spawn = |lane: Lane, name: &'static str| {
            let (p, order) = (pacer.clone(), order.clone());
            tokio::spawn(async move {
                p.acquire_in(lane).await.expect("slot");
                crate::private::lock(&order).push(name);
            })
        };
        let bg = spawn(Lane::Background, "sync");
        tokio::time::sleep(Duration::from_millis(10)).await;
        let fg = spawn(Lane::Interactive, "user");
        let (a, b) = tokio::join!(bg, fg);
        a.expect("bg");
        b.expect("fg");
        assert_eq!(*crate::private::lock(&order), vec!["user", "sync"]);
    }

    #[tokio::test(start_paused = true)]
    async fn never_more_than_max_in_a_window() {
        let pacer = std::sync::Arc::new(Pacer::new(5, Duration::from_secs(1)));
        let start = Instant::now();
        let mut handles = Vec::new();
        for _ in 0..12 {
            let p = pacer.clone();
            handles.push(tokio::spawn(async move {
                p.acquire().await.expect("slot");
                Instant::now()
            }));
        }
        let mut times = Vec::new();
        for h in handles {
            times.push(h.await.expect("task"));
        }
        times.sort();
        for (i, t) in times.iter().enumerate() {
            let in_window = times[i..]
                .iter()
                .filter(|u| u.duration_since(*t) < Duration::from_secs(1))
                .count();
            assert!(in_window <= 5, "{in_window} sends within one window");
        }
        // 12 sends at 5 per window need at least two full windows of waiting.
        assert!(times[11].duration_since(start) >= Duration::from_secs(2));
    }

    #[tokio::test(start_paused = true)]
    async fn headers_shape_the_limit_and_zero_remaining_blocks() {
        let pacer = Pacer::ghl_default();
        pacer.observe(
            &headers(&[
                ("x-ratelimit-max", "3"),
                ("x-ratelimit-interval-milliseconds", "2000"),
                ("x-ratelimit-remaining", "0"),
                ("x-ratelimit-daily-remaining", "199000"),
                ("x-ratelimit-limit-daily", "250000"),
            ]),
            true,
        );
        assert_eq!(
            pacer.budget(),
            RateBudget {
                remaining: Some(0),
                max: 3,
                daily_remaining: Some(199_000),
                daily_max: Some(250_000),
            }
        );
        let start = Instant::now();
        pacer.acquire().await.expect("slot");
        assert!(Instant::now().duration_since(start) >= Duration::from_secs(2));
    }

    #[tokio::test(start_paused = true)]
    async fn absurd_headers_are_held_to_sane_bounds() {
        let pacer = Pacer::ghl_default();
        pacer.observe(
            &headers(&[
                ("x-ratelimit-max", "1"),
                ("x-ratelimit-interval-milliseconds", "18446744073709551615"),
                ("x-ratelimit-remaining", "0"),
            ]),
            false,
        );
        assert_eq!(pacer.interval(), MAX_PAUSE);
        let start = Instant::now();
        pacer.acquire().await.expect("slot");
        let waited = Instant::now().duration_since(start);
        assert!(waited <= MAX_PAUSE + SAFETY, "waited {waited:?}");
        // One request a second at the least, never one a minute.
        for _ in 0..59 {
            pacer.acquire().await.expect("slot");
        }
        assert!(Instant::now().duration_since(start) <= MAX_PAUSE * 2 + SAFETY);
    }

    #[tokio::test(start_paused = true)]
    async fn a_healthy_answer_and_a_wake_end_a_hold() {
        let pacer = std::sync::Arc::new(Pacer::ghl_default());
        pacer.pause(Duration::from_secs(3600));
        assert_eq!(
            pacer.holding().map(|h| h.0),
            Some(Hold::RateLimited),
            "said before anything waits"
        );
        let p = pacer.clone();
        let waiter = tokio::spawn(async move { p.acquire().await });
        tokio::task::yield_now().await;
        let (hold, until) = pacer.holding().expect("a wait");
        assert_eq!(hold, Hold::RateLimited);
        assert!(
            until <= Instant::now() + MAX_PAUSE,
            "a long Retry-After is capped"
        );
        pacer.wake();
        waiter.await.expect("task").expect("slot");
        assert_eq!(pacer.holding(), None);

        pacer.observe(&headers(&[("x-ratelimit-remaining", "0")]), false);
        let p = pacer.clone();
        let waiter = tokio::spawn(async move { p.acquire().await });
        tokio::task::yield_now().await;
        assert_eq!(pacer.holding().map(|h| h.0), Some(Hold::Burst));
        let start = Instant::now();
        pacer.observe(&headers(&[("x-ratelimit-remaining", "57")]), true);
        waiter.await.expect("task").expect("slot");
        assert_eq!(
            Instant::now(),
            start,
            "a healthy answer lets the wait go at once"
        );

        // A 429's wait is not ended by an answer to a request sent before it.
        pacer.pause(Duration::from_secs(30));
        pacer.observe(&headers(&[("x-ratelimit-remaining", "57")]), true);
        assert_eq!(pacer.holding().map(|h| h.0), Some(Hold::RateLimited));
    }

    #[tokio::test(start_paused = true)]
    async fn an_answer_to_a_request_sent_before_r_holds_nobody_back() {
        let pacer = Pacer::ghl_default();
        let sent = Instant::now();
        tokio::time::advance(Duration::from_secs(1)).await;
        pacer.wake();
        // A 429 (and its `remaining: 0`) that was on its way when the user pressed `r`.
        pacer.observe_from(&headers(&[("x-ratelimit-remaining", "0")]), false, sent);
        pacer.pause_from(Duration::from_secs(3600), sent);
        assert_eq!(pacer.holding(), None);
        // One sent after `r` still holds everyone.
        pacer.pause_from(Duration::from_secs(30), Instant::now());
        assert_eq!(pacer.holding().map(|h| h.0), Some(Hold::RateLimited));
    }

    #[tokio::test(start_paused = true)]
    async fn a_spent_day_fails_at_once_and_says_when_it_resets() {
        let pacer = Pacer::ghl_default();
        pacer.observe(&headers(&[("x-ratelimit-daily-remaining", "0")]), true);
        let spent = pacer.acquire().await.expect_err("the day is spent");
        assert!(spent.resets_at > chrono::Utc::now());
        assert_eq!(pacer.holding().map(|h| h.0), Some(Hold::Daily));
        pacer.wake();
        pacer.acquire().await.expect("r lets one request find out");
    }

    #[test]
    fn a_spent_day_is_tried_again_at_midnight_utc_or_in_an_hour() {
        let at = |s: &str| {
            chrono::DateTime::parse_from_rfc3339(s)
                .expect("time")
                .with_timezone(&chrono::Utc)
        };
        assert_eq!(
            next_reset(at("2026-12-01T14:05:00Z")),
            at("2026-12-01T15:05:00Z"),
            "an hour, when midnight is further"
        );
        assert_eq!(
            next_reset(at("2026-12-01T23:30:00Z")),
            at("2026-12-02T00:00:00Z")
        );
    }
}
