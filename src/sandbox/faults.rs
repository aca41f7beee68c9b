//! Fault injection: random faults at chosen rates (`--faults`), and a script of faults for the
//! next requests, so tests can say exactly what happens to which request.

use std::collections::VecDeque;
use std::str::FromStr;
use std::time::Duration;

#[derive(Clone, Debug, Default, PartialEq)]
pub struct FaultRates {
    /// Added to every request.
    pub latency: Duration,
    /// Fractions of requests in 0.0..=1.0.
    pub rate_limited: f64,
    pub server_error: f64,
    pub dropped: f64,
}

/// One fault for one request.
#[derive(Clone, Debug, PartialEq)]
pub enum Fault {
    /// Answer with this status and GHL's error body.
    Status(u16),
    /// 429, with `Retry-After: n` when given.
    RateLimited(Option<u64>),
    /// Start an answer and cut the connection, without doing the request.
    Drop,
    /// Do the request, then cut the connection before the answer: the client cannot know
    /// that it worked.
    DropAfter,
    /// 200 with a body that is not JSON.
    Malformed,
    /// 200 with a login page, as a hotel or airport Wi-Fi answers every request.
    CaptivePortal,
    /// Wait before answering normally.
    Delay(Duration),
    /// Do the request, then hold the answer until the test releases it
    /// (`Sandbox::release_answers`): a client that gives up meanwhile has had its request done
    /// (a refresh token spent) without seeing the answer.
    HeldAnswer,
}

#[derive(Debug, Default)]
pub struct Faults {
    pub rates: FaultRates,
    pub script: VecDeque<Fault>,
    /// A fault for every request with this method and path, until taken away: for tests
    /// that need one kind of request to fail however long the rest takes.
    pub standing: Vec<(String, String, Fault)>,
}

impl Faults {
    /// The fault for the next request: a standing one for its method and path first, then
    /// scripted ones, then the random rates.
    pub fn take_next(&mut self, method: &str, path: &str) -> Option<Fault> {
        if let Some((_, _, f)) = self
            .standing
            .iter()
            .find(|(m, p, _)| m == method && p == path)
        {
            return Some(f.clone());
        }
        if let Some(f) = self.script.pop_front() {
            return Some(f);
        }
        let r = &self.rates;
        let roll = fastrand::f64();
        if roll < r.rate_limited {
            Some(Fault::RateLimited(None))
        } else if roll < r.rate_limited + r.server_error {
            Some(Fault::Status(
                *fastrand::choice(&[500u16, 502, 503]).unwrap_or(&500),
            ))
        } else if roll < r.rate_limited + r.server_error + r.dropped {
            Some(Fault::Drop)
        } else {
            None
        }
    }
}

impl FromStr for FaultRates {
    type Err = String;

    /// `latency=200ms,429=0.1,5xx=0.05,drop=0.02` (rates are fractions or percentages).
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        let mut rates = FaultRates::default();
        for part in s.split(',').map(str::trim).filter(|p| !p.is_empty()) {
            let (key, value) = part
                .split_once('=')
                .ok_or_else(|| format!("fault `{part}` needs a value, e.g. 5xx=0.05"))?;
            match key.trim() {
                "latency" => rates.latency = parse_duration(value)?,
                "429" | "ratelimit" => rates.rate_limited = parse_rate(value)?,
                "5xx" | "500" | "error" => rates.server_error = parse_rate(value)?,
                "drop" => rates.dropped = parse_rate(value)?,
                other => return Err(format!("unknown fault `{other}` (latency, 429, 5xx, drop)")),
            }
        }
        if rates.rate_limited + rates.server_error + rates.dropped > 1.0 {
            return Err("fault rates add up to more than 1".into());
        }
        Ok(rates)
    }
}

fn parse_rate(v: &str) -> Result<f64, String> {
    let v = v.trim();
    let (num, scale) = match v.strip_suffix('%') {
        Some(n) => (n, 100.0),
        None => (v, 1.0),
    };
    let r: f64 = num.parse().map_err(|_| format!("`{v}` is not a rate"))?;
    let r = r / scale;
    if (0.0..=1.0).contains(&r) {
        Ok(r)
    } else {
        Err(format!("rate `{v}` is not between 0 and 1"))
    }
}

fn parse_duration(v: &str) -> Result<Duration, String> {
    let v = v.trim();
    let (num, unit) = v
        .find(|c: char| !c.is_ascii_digit() && c != '.')
        .map_or((v, "ms"), |i| v.split_at(i));
    let n: f64 = num
        .parse()
        .map_err(|_| format!("`{v}` is not a duration"))?;
    let ms = match unit {
        "ms" => n,
        "s" => n * 1000.0,
        _ => return Err(format!("`{v}`: use ms or s")),
    };
    if ms.is_finite() && (0.0..=60_000.0).contains(&ms) {
        Ok(Duration::from_secs_f64(ms / 1000.0))
    } else {
        Err(format!("latency `{v}` is out of range"))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_the_cli_form() {
        let r: FaultRates = "latency=200ms,429=0.1,5xx=5%,drop=0.02"
            .parse()
            .expect("parse");
        assert_eq!(r.latency, Duration::from_millis(200));
        assert!((r.rate_limited - 0.1).abs() < 1e-9 && (r.server_error - 0.05).abs() < 1e-9);
        assert!("bogus=1".parse::<FaultRates>().is_err());
        assert!("5xx=2".parse::<FaultRates>().is_err());
        assert!("429=0.6,5xx=0.6".parse::<FaultRates>().is_err());
    }

    #[test]
    fn script_comes_before_rates() {
        let mut f = Faults::default();
        f.script.push_back(Fault::Status(500));
        assert_eq!(f.take_next("GET", "/"), Some(Fault::Status(500)));
        assert_eq!(f.take_next("GET", "/"), None);
    }

    #[test]
    fn a_standing_fault_hits_only_its_requests_until_taken_away() {
        let mut f = Faults::default();
        f.script.push_back(Fault::Status(500));
        f.standing
            .push(("POST".into(), "/contacts/".into(), Fault::Status(503)));
        assert_eq!(f.take_next("POST", "/contacts/"), Some(Fault::Status(503)));
        assert_eq!(f.take_next("POST", "/contacts/"), Some(Fault::Status(503)));
        assert_eq!(f.take_next("GET", "/contacts/"), Some(Fault::Status(500)));
        f.standing.clear();
        assert_eq!(f.take_next("POST", "/contacts/"), None);
    }
}
