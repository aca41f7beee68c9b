//! The burst limit as GHL enforces it: a sliding window per location, reported on every answer
//! in `X-RateLimit-*` headers and enforced with 429.

use std::collections::{HashMap, VecDeque};
use std::time::{Duration, Instant};

use axum::http::{HeaderMap, HeaderValue};

#[derive(Clone, Copy, Debug)]
pub struct RateConfig {
    pub max: u32,
    pub interval: Duration,
    pub daily: u64,
}

impl Default for RateConfig {
    fn default() -> Self {
        RateConfig {
            max: 100,
            interval: Duration::from_secs(10),
            daily: 200_000,
        }
    }
}

#[derive(Debug, Default)]
pub struct Limiter {
    windows: HashMap<String, VecDeque<Instant>>,
    daily_used: HashMap<String, u64>,
}

pub struct Verdict {
    pub allowed: bool,
    pub remaining: u32,
    pub daily_remaining: u64,
}

impl Limiter {
    pub fn check(&mut self, cfg: &RateConfig, location: &str) -> Verdict {
        let now = Instant::now();
        let window = self.windows.entry(location.to_string()).or_default();
        while window
            .front()
            .is_some_and(|t| now.duration_since(*t) >= cfg.interval)
        {
            window.pop_front();
        }
        let used_today = self.daily_used.entry(location.to_string()).or_default();
        let allowed = (window.len() as u32) < cfg.max && *used_today < cfg.daily;
        if allowed {
            window.push_back(now);
            *used_today += 1;
        }
        Verdict {
            allowed,
            remaining: cfg.max.saturating_sub(window.len() as u32),
            daily_remaining: cfg.daily.saturating_sub(*used_today),
        }
    }
}

pub fn headers(cfg: &RateConfig, v: &Verdict, into: &mut HeaderMap) {
    let mut put = |k: &'static str, n: u64| {
        if let Ok(h) = HeaderValue::from_str(&n.to_string()) {
            into.insert(k, h);
        }
    };
    put("x-ratelimit-max", u64::from(cfg.max));
    put("x-ratelimit-remaining", u64::from(v.remaining));
    put(
        "x-ratelimit-interval-milliseconds",
        cfg.interval.as_millis() as u64,
    );
    put("x-ratelimit-limit-daily", cfg.daily);
    put("x-ratelimit-daily-remaining", v.daily_remaining);
}
