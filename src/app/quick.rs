//! Quick-add (`a`): one line becomes a task or a note. `Call @jane tmrw 3pm about the offer`
//! is a task for the contact `@jane` finds (fuzzily, best match first), due tomorrow at 15:00
//! on the user's clock, titled with the rest; `note @acme Sent the contract` is a note. Pure:
//! the line, the clock and the list in, what it means out.

use chrono::NaiveDateTime;

use super::dates::{self, DateOrder};
use super::state::ContactSet;

/// What a quick-add line says.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Quick {
    /// A note rather than a task (the line starts with `note`).
    pub note: bool,
    /// The contact `@…` found (the one picked among the matches): id and name.
    pub who: Option<(String, String)>,
    /// The best matches of the `@` word, best first: id, name, and how to tell them apart
    /// (company, email or phone).
    pub matches: Vec<(String, String, String)>,
    /// Which of `matches` is `who` (Tab moves it).
    pub pick: usize,
    /// Other contacts that match the `@` word as well.
    pub others: usize,
    /// How many contacts match the `@` word.
    pub total: usize,
    /// The `@` word is too short to search a list this large for.
    pub short: bool,
    /// The `@` word as typed (without `@`).
    pub asked: Option<String>,
    /// The task's title, or the note's text.
    pub text: String,
    /// When the task is due, on the user's clock (from the words that read as a date).
    pub due: Option<NaiveDateTime>,
}

/// The most matches of an `@` word offered to pick from.
pub const MATCHES: usize = 9;

/// The most words a date is read from (`next fri at 3pm`).
const DATE_WORDS: usize = 4;

/// The longest run of words (after the first) that reads as a date, and the date.
fn date_in(
    words: &[&str],
    now: NaiveDateTime,
    order: DateOrder,
) -> Option<(usize, usize, NaiveDateTime)> {
    for len in (1..=DATE_WORDS.min(words.len())).rev() {
        // The first word is the verb (`Call`, `Email`), never the date.
        for start in 1..=words.len().saturating_sub(len) {
            let span = words[start..start + len].join(" ");
            if let Ok(t) = dates::parse_in(&span, now, order) {
                return Some((start, len, t));
            }
        }
    }
    None
}

fn at_word(words: &[&str]) -> Option<usize> {
    words.iter().position(|w| w.len() > 1 && w.starts_with('@'))
}

fn bare(word: &str) -> String {
    word[1..].trim_end_matches([',', '.', ':', ';']).to_string()
}

/// The fewest letters of an `@` word a list larger than `INLINE_ROWS` is searched for: a
/// letter or two would match most of a million contacts, and cost a frame per key.
pub const MIN_LETTERS_LARGE: usize = 3;

/// Reads `line`, seen at `now` (the user's clock), finding `@` contacts in `set`. `before`
/// is the last reading of the line: its matches are kept while the `@` word is the same (the
/// rest of the line is typed without searching again), and so is the one picked among them.
pub fn parse(
    line: &str,
    now: NaiveDateTime,
    order: DateOrder,
    set: &ContactSet,
    before: Option<&Quick>,
) -> Quick {
    let mut words: Vec<&str> = line.split_whitespace().collect();
    let mut q = Quick::default();
    if words
        .first()
        .is_some_and(|w| w.eq_ignore_ascii_case("note"))
    {
        q.note = true;
        words.remove(0);
    }
    let at = at_word(&words);
    if let Some(i) = at {
        let asked = bare(words[i]);
        let same = before.filter(|b| b.asked.as_deref() == Some(asked.as_str()));
        if let Some(b) = same {
            q.matches = b.matches.clone();
            q.total = b.total;
            q.short = b.short;
        } else if set.len() > super::update::INLINE_ROWS
            && asked.chars().count() < MIN_LETTERS_LARGE
        {
            q.short = true;
        } else {
            let hits = super::update::search_list(set, &asked);
            q.total = hits.len();
            q.matches = hits
                .iter()
                .take(MATCHES)
                .filter_map(|&i| set.row(i as usize))
                .map(|row| {
                    let apart = match row.company() {
                        "" => row.reach(),
                        c => c,
                    };
                    (
                        row.id().to_string(),
                        row.name().to_string(),
                        apart.to_string(),
                    )
                })
                .collect();
        }
        let pick = same.map_or(0, |b| b.pick);
        q.pick = if q.matches.is_empty() {
            0
        } else {
            pick % q.matches.len()
        };
        if let Some((id, name, _)) = q.matches.get(q.pick) {
            q.who = Some((id.clone(), name.clone()));
            q.others = q.total.saturating_sub(1);
        }
        q.asked = Some(asked);
    }
    let mut date_span = None;
    if !q.note {
        // Dates are looked for in the words other than the `@` one.
        let rest: Vec<(usize, &str)> = words
            .iter()
            .copied()
            .enumerate()
            .filter(|(i, _)| Some(*i) != at)
            .collect();
        let only: Vec<&str> = rest.iter().map(|(_, w)| *w).collect();
        if let Some((start, len, t)) = date_in(&only, now, order) {
            q.due = Some(t);
            date_span = Some(rest[start].0..rest[start + len - 1].0 + 1);
        }
    }
    let name = q.who.as_ref().map(|(_, n)| n.clone());
    let text: Vec<String> = words
        .iter()
        .enumerate()
        .filter(|(i, _)| !date_span.as_ref().is_some_and(|s| s.contains(i)))
        .filter_map(|(i, w)| match (Some(i) == at, &name) {
            // A note is about the contact already; a task's title names them.
            (true, _) if q.note => None,
            (true, Some(n)) => Some(n.clone()),
            (true, None) => Some(w.trim_start_matches('@').to_string()),
            (false, _) => Some(w.to_string()),
        })
        .collect();
    q.text = text.join(" ");
    q
}

impl Quick {
    /// What the line will do, said before `Enter`.
    pub fn preview(&self) -> String {
        let who = match (&self.who, &self.asked) {
            (Some((_, n)), _) => n.clone(),
            (None, Some(_)) if self.short => {
                return format!("Type at least {MIN_LETTERS_LARGE} letters after @ (a large list)");
            }
            (None, Some(a)) => return format!("No contact matches @{a}"),
            (None, None) => return "@name says for whom (the best match in the list)".into(),
        };
        let more = match self.others {
            0 => String::new(),
            n => format!(
                " · {} of {} matching @{} (Tab: the next)",
                self.pick + 1,
                n + 1,
                self.asked.as_deref().unwrap_or("")
            ),
        };
        if self.note {
            return format!("Note for {who}: “{}”{more}", self.text);
        }
        let due = self
            .due
            .map(|d| d.format("%a %d %b %H:%M").to_string())
            .unwrap_or_else(|| "tomorrow 09:00 (no date in the line)".into());
        format!("Task for {who}, due {due}: “{}”{more}", self.text)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::api::Contact;

    fn set(n: usize) -> ContactSet {
        let mut set = ContactSet::default();
        for i in 0..n {
            set.push_page(&Contact {
                id: Some(format!("c{i}")),
                first_name: Some(if i % 2 == 0 { "Jane" } else { "Janet" }.into()),
                last_name: Some(format!("Doe{i}")),
                ..Default::default()
            });
        }
        set
    }

    fn now() -> NaiveDateTime {
        NaiveDateTime::parse_from_str("2026-12-01 12:00", "%Y-%m-%d %H:%M").expect("time")
    }

    #[test]
    fn the_matches_and_the_pick_stay_while_the_at_word_does() {
        let s = set(40);
        let first = parse("Call @jane", now(), DateOrder::default(), &s, None);
        assert!(first.matches.len() > 1 && first.total >= first.matches.len());
        let mut picked = first.clone();
        picked.pick = 1;
        // The rest of the line is typed: the same matches, the same pick, no new search
        // (a list emptied in between would have found nobody).
        let empty = ContactSet::default();
        let on = parse(
            "Call @jane tmrw about it",
            now(),
            DateOrder::default(),
            &empty,
            Some(&picked),
        );
        assert_eq!(on.matches, first.matches);
        assert_eq!(on.pick, 1);
        assert_eq!(on.who.as_ref().map(|w| &w.0), Some(&first.matches[1].0));
        // Another `@` word searches again, from the best match.
        let other = parse("Call @doe3", now(), DateOrder::default(), &s, Some(&picked));
        assert_eq!(other.pick, 0);
        assert_ne!(other.matches, first.matches);
    }

    #[test]
    fn a_large_list_waits_for_three_letters() {
        let s = set(crate::app::update::INLINE_ROWS + 1);
        let short = parse("Call @ja", now(), DateOrder::default(), &s, None);
        assert!(short.short && short.who.is_none());
        assert!(
            short.preview().contains("at least 3 letters"),
            "{}",
            short.preview()
        );
        let long = parse("Call @jan", now(), DateOrder::default(), &s, None);
        assert!(!long.short && long.who.is_some());
    }
}
