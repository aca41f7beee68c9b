//! What the contact list draws, computed once per contact when it arrives: sanitised cells and
//! a lowercase haystack for the as-you-type filter. Nothing here runs per frame.

use crate::api::Contact;
use crate::sanitize;

#[derive(Clone, Debug, Default, PartialEq)]
pub struct ContactRow {
    pub id: String,
    pub name: String,
    pub reach: String,
    pub company: String,
    pub tags: String,
    haystack: String,
}

impl ContactRow {
    pub fn from_contact(c: &Contact) -> ContactRow {
        let mut name = sanitize::line(&c.display_name()).trim().to_string();
        if name.is_empty() {
            // A name made only of escape sequences is no name at all.
            name = sanitize::line(c.reach().unwrap_or("(no name)")).into_owned();
        }
        let email = c.email.as_deref().unwrap_or("");
        let phone = c.phone.as_deref().unwrap_or("");
        let reach = sanitize::line(c.reach().unwrap_or("")).into_owned();
        let company = sanitize::line(c.company_name.as_deref().unwrap_or("")).into_owned();
        let tags = sanitize::line(&c.tags.join(", ")).into_owned();
        let haystack = format!("{name}\n{email}\n{phone}\n{company}\n{tags}").to_lowercase();
        ContactRow {
            id: c.id().to_string(),
            name,
            reach,
            company,
            tags,
            haystack,
        }
    }

    /// Every word of the (already lowercased) query appears somewhere in the row.
    pub fn matches(&self, words: &[String]) -> bool {
        words.iter().all(|w| self.haystack.contains(w.as_str()))
    }
}

/// Splits a typed filter into lowercase words.
pub fn filter_words(query: &str) -> Vec<String> {
    query.split_whitespace().map(str::to_lowercase).collect()
}

/// Indices of the rows that match, narrowing `previous` when the new query only adds to the old
/// one (the common case while typing), which keeps each keystroke cheap on 100,000 rows.
pub fn filter(rows: &[ContactRow], words: &[String], previous: Option<&[u32]>) -> Vec<u32> {
    match previous {
        Some(prev) => prev
            .iter()
            .copied()
            .filter(|&i| rows[i as usize].matches(words))
            .collect(),
        None => (0..rows.len() as u32)
            .filter(|&i| rows[i as usize].matches(words))
            .collect(),
    }
}
