//! Client-side pacing under GHL's burst limit (100 requests per 10 s per location by default).
//! Every request takes a slot first, so many panes loading at once queue here instead of
//! tripping 429s. The limit follows the `X-RateLimit-*` headers when the server sends them.

use std::collections::VecDeque;
use std::sync::Mutex;
use std::time::Duration;

use reqwest::header::HeaderMap;
use tokio::time::Instant;

/// What the status bar shows of the rate-limit budget.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct RateBudget {
    pub remaining: Option<u32>,
    pub max: u32,
    pub daily_remaining: Option<u64>,
}

#[derive(Debug)]
struct State {
    max: u32,
    interval: Duration,
    sent: VecDeque<Instant>,
    blocked_until: Option<Instant>,
    budget: RateBudget,
}

#[derive(Debug)]
pub struct Pacer {
    state: Mutex<State>,
}

/// Send times and the server's receive times differ by network jitter; keeping a little under
/// the window avoids counting a request in two different windows on the two sides.
const SAFETY: Duration = Duration::from_millis(100);

impl Pacer {
    pub fn new(max: u32, interval: Duration) -> Self {
        Pacer {
            state: Mutex::new(State {
                max: max.max(1),
                interval,
                sent: VecDeque::new(),
                blocked_until: None,
                budget: RateBudget {
                    remaining: None,
                    max,
                    daily_remaining: None,
                },
            }),
        }
    }

    /// GHL's documented burst limit.
    pub fn ghl_default() -> Self {
        Pacer::new(100, Duration::from_secs(10))
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, State> {
        // A panic while holding this lock cannot leave the queue inconsistent in a way that
        // matters more than stopping all requests would.
        self.state.lock().unwrap_or_else(|p| p.into_inner())
    }

    /// Waits for a slot in the window, then takes it.
    pub async fn acquire(&self) {
        loop {
            let wait_until = {
                let mut s = self.lock();
                let now = Instant::now();
                let window = s.interval + SAFETY;
                while s
                    .sent
                    .front()
                    .is_some_and(|t| now.duration_since(*t) >= window)
                {
                    s.sent.pop_front();
                }
                match s.blocked_until {
                    Some(until) if until > now => until,
                    _ => {
                        s.blocked_until = None;
                        if (s.sent.len() as u32) < s.max {
                            s.sent.push_back(now);
                            return;
                        }
                        // The window is full: the oldest send frees the next slot.
                        s.sent.front().map_or(now, |t| *t + window)
                    }
                }
            };
            tokio::time::sleep_until(wait_until).await;
        }
    }

    /// Reads `X-RateLimit-*` headers from an answer.
    pub fn observe(&self, headers: &HeaderMap) {
        let num =
            |name: &str| -> Option<u64> { headers.get(name)?.to_str().ok()?.trim().parse().ok() };
        let mut s = self.lock();
        if let Some(max) = num("x-ratelimit-max").filter(|m| *m > 0) {
            s.max = u32::try_from(max).unwrap_or(u32::MAX);
            s.budget.max = s.max;
        }
        if let Some(ms) = num("x-ratelimit-interval-milliseconds").filter(|m| *m > 0) {
            s.interval = Duration::from_millis(ms);
        }
        if let Some(remaining) = num("x-ratelimit-remaining") {
            s.budget.remaining = Some(u32::try_from(remaining).unwrap_or(u32::MAX));
            if remaining == 0 {
                // The server has no room left; another request now would only earn a 429.
                let until = Instant::now() + s.interval;
                s.blocked_until = Some(s.blocked_until.map_or(until, |b| b.max(until)));
            }
        }
        if let Some(daily) = num("x-ratelimit-daily-remaining") {
            s.budget.daily_remaining = Some(daily);
        }
    }

    /// After a 429: nobody sends until the server's wait (or one interval) is over.
    pub fn pause(&self, wait: Option<Duration>) -> Duration {
        let mut s = self.lock();
        let wait = wait.unwrap_or(s.interval);
        let until = Instant::now() + wait;
        s.blocked_until = Some(s.blocked_until.map_or(until, |b| b.max(until)));
        s.budget.remaining = Some(0);
        wait
    }

    pub fn budget(&self) -> RateBudget {
        self.lock().budget
    }

    pub fn interval(&self) -> Duration {
        self.lock().interval
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test(start_paused = true)]
    async fn never_more_than_max_in_a_window() {
        let pacer = std::sync::Arc::new(Pacer::new(5, Duration::from_secs(1)));
        let start = Instant::now();
        let mut handles = Vec::new();
        for _ in 0..12 {
            let p = pacer.clone();
            handles.push(tokio::spawn(async move {
                p.acquire().await;
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
        let mut h = HeaderMap::new();
        h.insert("x-ratelimit-max", "3".parse().expect("hv"));
        h.insert(
            "x-ratelimit-interval-milliseconds",
            "2000".parse().expect("hv"),
        );
        h.insert("x-ratelimit-remaining", "0".parse().expect("hv"));
        h.insert("x-ratelimit-daily-remaining", "199000".parse().expect("hv"));
        pacer.observe(&h);
        assert_eq!(
            pacer.budget(),
            RateBudget {
                remaining: Some(0),
                max: 3,
                daily_remaining: Some(199_000)
            }
        );
        let start = Instant::now();
        pacer.acquire().await;
        assert!(Instant::now().duration_since(start) >= Duration::from_secs(2));
    }
}
