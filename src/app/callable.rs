//! Whether it is a sensible time to call a contact: their own clock (from the contact's
//! `timezone`), a working day's hours there, and whether DND blocks calls or texts. Pure:
//! the time comes from the state.

use chrono::{NaiveDateTime, TimeZone, Timelike};

use crate::api::Contact;

/// The hours a call is welcome, on the contact's clock.
pub const CALL_HOURS: std::ops::Range<u32> = 9..18;

/// A contact's clock now, and what stands against a call.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Clock {
    pub local: NaiveDateTime,
    /// Outside `CALL_HOURS` there.
    pub after_hours: bool,
    /// DND is on for calls or texts (or for everything).
    pub dnd: bool,
}

impl Clock {
    pub fn callable(&self) -> bool {
        !self.after_hours && !self.dnd
    }

    /// `14:05 local`, with why not to call now.
    pub fn describe(&self) -> String {
        let mut s = format!("{} local", self.local.format("%H:%M"));
        if self.after_hours {
            s.push_str(" · outside 09–18 there");
        }
        if self.dnd {
            s.push_str(" · DND");
        }
        s
    }
}

/// Whether DND blocks calls or texts for `c`.
pub fn dnd_blocks(c: &Contact) -> bool {
    if c.dnd == Some(true) {
        return true;
    }
    c.dnd_channels().iter().any(|(channel, d)| {
        matches!(channel.to_ascii_lowercase().as_str(), "call" | "sms")
            && d.status
                .as_deref()
                .is_some_and(|s| s.eq_ignore_ascii_case("active"))
    })
}

/// The contact's clock at `now_utc`, when its timezone is known.
pub fn clock(c: &Contact, now_utc: NaiveDateTime) -> Option<Clock> {
    clock_in(c.timezone.as_deref()?, dnd_blocks(c), now_utc)
}

/// The clock in the IANA zone `zone` at `now_utc`, when it is one.
pub fn clock_in(zone: &str, dnd: bool, now_utc: NaiveDateTime) -> Option<Clock> {
    let tz: chrono_tz::Tz = zone.trim().parse().ok()?;
    let local = tz.from_utc_datetime(&now_utc).naive_local();
    Some(Clock {
        local,
        after_hours: !CALL_HOURS.contains(&local.hour()),
        dnd,
    })
}

/// Whose call it is now, as a sort key: callable first, then those whose clock is unknown
/// (maybe callable), then those not to call now.
pub fn rank(clock: Option<&Clock>) -> u8 {
    match clock {
        Some(k) if k.callable() => 0,
        None => 1,
        Some(_) => 2,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn at(s: &str) -> NaiveDateTime {
        NaiveDateTime::parse_from_str(s, "%Y-%m-%d %H:%M").expect("a time")
    }

    #[test]
    fn the_contacts_own_clock_says_whether_to_call() {
        let mut c = Contact {
            timezone: Some("America/Chicago".into()),
            ..Default::default()
        };
        // 20:05 UTC in December is 14:05 in Chicago (UTC-6).
        let k = clock(&c, at("2026-12-01 20:05")).expect("a clock");
        assert_eq!(k.describe(), "14:05 local");
        assert!(k.callable());
        let late = clock(&c, at("2026-12-02 03:00")).expect("a clock");
        assert!(late.after_hours && !late.callable(), "{late:?}");
        c.dnd = Some(true);
        assert!(!clock(&c, at("2026-12-01 20:05")).expect("clock").callable());
        c.timezone = Some("Not/AZone".into());
        assert_eq!(clock(&c, at("2026-12-01 20:05")), None);
    }
}
