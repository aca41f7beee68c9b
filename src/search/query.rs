//! What the user typed in `/`, as terms: words matched fuzzily (fzf-like), `"quoted phrases"`
//! matched as written, numbers matched as digits however a phone is written, and field
//! prefixes (`tag:vip`, `company:acme`, `email:`, `phone:`, `name:`, `field:`). Every term must
//! match (AND).

use super::fold::{digits, fold};

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Field {
    Any,
    Name,
    Email,
    Phone,
    Company,
    Tag,
    Custom,
}

impl Field {
    fn from_prefix(p: &str) -> Option<Field> {
        Some(match p {
            "name" => Field::Name,
            "email" | "mail" => Field::Email,
            "phone" | "tel" => Field::Phone,
            "company" | "co" => Field::Company,
            "tag" | "tags" => Field::Tag,
            "field" | "custom" => Field::Custom,
            _ => return None,
        })
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Kind {
    /// The letters in order, gaps allowed, within one field.
    Fuzzy,
    /// Exactly as written (folded), anywhere in the field.
    Phrase,
    /// These digits, in a phone number however written, or as written elsewhere.
    Digits,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Term {
    pub field: Field,
    pub kind: Kind,
    /// Folded (digits only for `Digits`).
    pub text: String,
}

#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Query {
    pub raw: String,
    pub terms: Vec<Term>,
}

/// A word with a digit is matched as written: `person1` must not find `person21`, and a
/// number is not a spelling to be forgiven.
fn kind_of(word: &str) -> Kind {
    let n = word.chars().filter(char::is_ascii_digit).count();
    let phone_like = word
        .chars()
        .all(|c| c.is_ascii_digit() || "+-(). ".contains(c));
    if phone_like && n >= 3 {
        Kind::Digits
    } else if n > 0 {
        Kind::Phrase
    } else {
        Kind::Fuzzy
    }
}

impl Query {
    pub fn parse(raw: &str) -> Query {
        let mut terms = Vec::new();
        let mut rest = raw.trim_start();
        while !rest.is_empty() {
            let (token, quoted, after) = next_token(rest);
            rest = after.trim_start();
            let (field, text) = match token.split_once(':') {
                Some((p, t)) if !quoted => match Field::from_prefix(&p.to_lowercase()) {
                    Some(f) => (f, t),
                    None => (Field::Any, token),
                },
                _ => (Field::Any, token),
            };
            // A phrase may follow a prefix: `company:"blue harbor"`.
            let (text, quoted) = match text.strip_prefix('"') {
                Some(t) if !quoted => (t.strip_suffix('"').unwrap_or(t), true),
                _ => (text, quoted),
            };
            if text.trim().is_empty() {
                continue;
            }
            let kind = if quoted { Kind::Phrase } else { kind_of(text) };
            let text = match kind {
                Kind::Digits => digits(text),
                _ => fold(text),
            };
            terms.push(Term { field, kind, text });
        }
        Query {
            raw: raw.to_string(),
            terms,
        }
    }

    pub fn is_empty(&self) -> bool {
        self.terms.is_empty()
    }

    /// Every contact this query matches, `prev` matched too: the new text only added to the
    /// old (more letters to the last word, or more words), so the search can look only
    /// through the last results.
    pub fn is_narrowing_of(&self, prev: &Query) -> bool {
        if prev.is_empty()
            || !self.raw.starts_with(&prev.raw)
            || self.terms.len() < prev.terms.len()
        {
            return false;
        }
        let last = prev.terms.len() - 1;
        prev.terms
            .iter()
            .zip(&self.terms)
            .enumerate()
            .all(|(i, (p, n))| {
                if i < last {
                    return p == n;
                }
                let kinds = p.kind == n.kind
                    || (p.kind == Kind::Fuzzy && n.kind != Kind::Fuzzy)
                    || (p.kind == Kind::Phrase
                        && n.kind == Kind::Digits
                        && p.text.chars().all(|c| c.is_ascii_digit()));
                p.field == n.field && kinds && n.text.starts_with(&p.text)
            })
    }
}

/// The next word, or a quoted phrase (an open quote runs to the end).
fn next_token(s: &str) -> (&str, bool, &str) {
    if let Some(inner) = s.strip_prefix('"') {
        return match inner.find('"') {
            Some(end) => (&inner[..end], true, &inner[end + 1..]),
            None => (inner, true, ""),
        };
    }
    // A prefix's quoted phrase keeps its spaces: `tag:"do not call"`.
    if let Some(colon) = s.find(':')
        && s[colon + 1..].starts_with('"')
        && !s[..colon].contains(char::is_whitespace)
    {
        let inner = &s[colon + 2..];
        let end = inner.find('"').map_or(s.len(), |e| colon + 2 + e + 1);
        return (&s[..end], false, &s[end..]);
    }
    let end = s.find(char::is_whitespace).unwrap_or(s.len());
    (&s[..end], false, &s[end..])
}

#[cfg(test)]
mod tests {
    use super::*;

    fn kinds(q: &str) -> Vec<(Field, Kind, String)> {
        Query::parse(q)
            .terms
            .into_iter()
            .map(|t| (t.field, t.kind, t.text))
            .collect()
    }

    #[test]
    fn words_phrases_digits_and_prefixes() {
        assert_eq!(
            kinds("jhn Smt"),
            vec![
                (Field::Any, Kind::Fuzzy, "jhn".into()),
                (Field::Any, Kind::Fuzzy, "smt".into())
            ]
        );
        assert_eq!(
            kinds("\"New York\" tag:VIP company:\"Blue Harbor\" 617-555"),
            vec![
                (Field::Any, Kind::Phrase, "new york".into()),
                (Field::Tag, Kind::Fuzzy, "vip".into()),
                (Field::Company, Kind::Phrase, "blue harbor".into()),
                (Field::Any, Kind::Digits, "617555".into()),
            ]
        );
        assert_eq!(
            kinds("person1"),
            vec![(Field::Any, Kind::Phrase, "person1".into())]
        );
        assert_eq!(kinds("email: "), vec![]);
        assert_eq!(
            kinds("Araújo"),
            vec![(Field::Any, Kind::Fuzzy, "araujo".into())]
        );
        assert_eq!(
            kinds("http://x"),
            vec![(Field::Any, Kind::Fuzzy, "http://x".into())]
        );
    }

    #[test]
    fn narrowing_is_only_what_can_only_shrink() {
        let q = Query::parse;
        assert!(q("jo").is_narrowing_of(&q("j")));
        assert!(q("jo sm").is_narrowing_of(&q("jo")));
        assert!(q("617").is_narrowing_of(&q("61")));
        assert!(!q("j").is_narrowing_of(&q("jo")));
        assert!(!q("tag:").is_narrowing_of(&q("tag")));
        assert!(!q("jo").is_narrowing_of(&q("")));
        assert!(!q("ab").is_narrowing_of(&q("ba")));
    }
}
