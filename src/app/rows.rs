//! The rows of a contact list: their text lives in the search index (one buffer, cleaned for
//! the terminal once, when the contact arrives), and beside it only what the list needs that
//! search does not (when the contact was added and updated, how its name splits). A row of a
//! million-contact list costs about two hundred bytes; the full record of a contact is read
//! when it is opened, not kept for every row.

use std::sync::Arc;

use crate::api::Contact;
use crate::app::state::ContactSet;
use crate::search::{Doc, Index};

/// What a row needs beyond its text: twelve bytes, so a million cost 12 MB.
#[derive(Clone, Copy, Debug, Default, PartialEq)]
pub struct RowMeta {
    /// When the contact was added and last updated, in seconds since 1970 (the list orders
    /// and shows them to the minute).
    added: u32,
    updated: u32,
    /// The name is first and last name, the first this many bytes long; `NO_SPLIT` when it is
    /// a name of its own.
    first_len: u16,
}

const NO_SPLIT: u16 = u16::MAX;

fn secs(raw: Option<&str>) -> u32 {
    raw.and_then(crate::api::time::epoch_ms)
        .map_or(0, |ms| u32::try_from(ms / 1000).unwrap_or(0))
}

/// A contact's name as the list shows it, and how it splits into first and last.
fn name_of(c: &Contact) -> (String, u16) {
    let joined = crate::api::contact::full_name(c.first_name.as_deref(), c.last_name.as_deref());
    for own in [c.name.as_deref(), c.contact_name.as_deref()] {
        if let Some(s) = own.map(str::trim).filter(|s| !s.is_empty())
            && s != joined
        {
            return (s.to_string(), NO_SPLIT);
        }
    }
    let first = c.first_name.as_deref().map_or("", str::trim);
    let split = if first.is_empty() {
        0
    } else {
        u16::try_from(first.len()).unwrap_or(NO_SPLIT)
    };
    (joined, split)
}

/// A contact's custom field values as text.
pub fn field_values(c: &Contact) -> Vec<String> {
    c.custom_fields
        .iter()
        .filter_map(|f| match &f.value {
            serde_json::Value::String(s) if !s.is_empty() => Some(s.clone()),
            serde_json::Value::Number(n) => Some(n.to_string()),
            _ => None,
        })
        .collect()
}

/// One row, as the list draws it.
#[derive(Clone, Copy)]
pub struct Row<'a> {
    ix: &'a Index,
    meta: &'a RowMeta,
    i: usize,
}

impl<'a> Row<'a> {
    pub fn id(&self) -> &'a str {
        self.ix.id(self.i)
    }

    /// The name, else how to reach the contact, else `(no name)`.
    pub fn name(&self) -> &'a str {
        let n = self.ix.name(self.i);
        if !n.is_empty() {
            return n;
        }
        match self.reach() {
            "" => "(no name)",
            r => r,
        }
    }

    /// Whether the name shown is the contact's own (not its email or phone).
    pub fn has_name(&self) -> bool {
        !self.ix.name(self.i).is_empty()
    }

    /// The email, else the phone.
    pub fn reach(&self) -> &'a str {
        match self.ix.email(self.i) {
            "" => self.ix.phone(self.i),
            e => e,
        }
    }

    pub fn company(&self) -> &'a str {
        self.ix.company(self.i)
    }

    /// The tags, as the list shows them.
    pub fn tags(&self) -> String {
        self.ix.tags(self.i).collect::<Vec<_>>().join(", ")
    }

    /// The contact as the list knows it: who, how to reach, company, tags, dates. What the
    /// list does not keep (custom fields, DND, the address) comes with the full record.
    pub fn contact(&self) -> Contact {
        let (ix, i) = (self.ix, self.i);
        let opt = |s: &str| (!s.is_empty()).then(|| s.to_string());
        let name = ix.name(i);
        let (first, last, own) = match self.meta.first_len {
            NO_SPLIT => (None, None, opt(name)),
            n => {
                let n = usize::from(n).min(name.len());
                let (f, l) = name.split_at(if name.is_char_boundary(n) { n } else { 0 });
                (opt(f.trim()), opt(l.trim()), None)
            }
        };
        let date = |s: u32| (s > 0).then(|| crate::api::time::iso_ms(i64::from(s) * 1000));
        Contact {
            id: opt(ix.id(i)),
            first_name: first,
            last_name: last,
            contact_name: own,
            email: opt(ix.email(i)),
            phone: opt(ix.phone(i)),
            company_name: opt(ix.company(i)),
            tags: ix.tags(i).map(String::from).collect(),
            date_added: date(self.meta.added),
            date_updated: date(self.meta.updated),
            ..Default::default()
        }
    }
}

/// The search index's view of a contact (`name` as `name_of` gives it), with its custom
/// field values as text.
fn doc<'a>(c: &'a Contact, name: &'a str, fields: &'a [String]) -> Doc<'a> {
    Doc {
        id: c.id(),
        name,
        email: c.email.as_deref().unwrap_or(""),
        phone: c.phone.as_deref().unwrap_or(""),
        company: c.company_name.as_deref().unwrap_or(""),
        tags: &c.tags,
        fields,
    }
}

fn meta_of(c: &Contact, first_len: u16) -> RowMeta {
    RowMeta {
        added: secs(c.date_added.as_deref()),
        updated: secs(c.date_updated.as_deref()),
        first_len,
    }
}

/// `f` on the search index's view of `c`, and the row's other half.
fn with_doc<R>(c: &Contact, fields: &[String], f: impl FnOnce(&Doc) -> R) -> (R, RowMeta) {
    let (name, first_len) = name_of(c);
    (f(&doc(c, &name, fields)), meta_of(c, first_len))
}

impl ContactSet {
    pub fn len(&self) -> usize {
        self.meta.len()
    }

    pub fn is_empty(&self) -> bool {
        self.meta.is_empty()
    }

    pub fn row(&self, i: usize) -> Option<Row<'_>> {
        self.meta.get(i).map(|meta| Row {
            ix: &self.index,
            meta,
            i,
        })
    }

    pub fn rows(&self) -> impl Iterator<Item = Row<'_>> {
        (0..self.len()).filter_map(|i| self.row(i))
    }

    /// The row of `id`, if the list has it.
    pub fn find(&self, id: &str) -> Option<usize> {
        self.index.rows_of(id).map(|r| r as usize)
    }

    /// The contact at row `i`: as the server's page had it, else as the list knows it.
    pub fn contact(&self, i: usize) -> Option<Contact> {
        let r = self.row(i)?;
        Some(match self.pages.get(r.id()) {
            Some(c) => c.clone(),
            None => r.contact(),
        })
    }

    /// Adds a contact from a server page at the end, kept whole.
    pub fn push_page(&mut self, c: &Contact) {
        self.push(c, None);
        self.pages.insert(c.id().to_string(), c.clone());
    }

    /// Adds a contact at the end (`fields`: its custom field values, when the contact does
    /// not carry them).
    pub fn push(&mut self, c: &Contact, fields: Option<&[String]>) {
        let own;
        let fields = match fields {
            Some(f) => f,
            None => {
                own = field_values(c);
                &own
            }
        };
        let ix = Arc::make_mut(&mut self.index);
        let ((), meta) = with_doc(c, fields, |d| ix.push(d));
        self.meta.push(meta);
    }

    /// Row `i` is now `c` (the same contact). Custom field values: `fields`, else the
    /// contact's own, else what the row had (a list from the replica keeps them only there).
    pub fn set(&mut self, i: usize, c: &Contact, fields: Option<&[String]>) {
        if i >= self.len() {
            return;
        }
        let kept;
        let fields = match fields {
            Some(f) => f.to_vec(),
            None => {
                let own = field_values(c);
                if own.is_empty() {
                    kept = self.index.custom_text(i).to_string();
                    if kept.is_empty() { own } else { vec![kept] }
                } else {
                    own
                }
            }
        };
        let old = self.index.id(i).to_string();
        let ix = Arc::make_mut(&mut self.index);
        let ((), meta) = with_doc(c, &fields, |d| ix.replace(i, d));
        self.meta[i] = meta;
        if self.pages.remove(&old).is_some() {
            self.pages.insert(c.id().to_string(), c.clone());
        }
    }

    /// Puts contacts in the list where their date added says (newest first, as it is kept).
    pub fn insert_by_added(&mut self, new: Vec<(Contact, Vec<String>)>) {
        if new.is_empty() {
            return;
        }
        let mut placed: Vec<(usize, usize)> = Vec::with_capacity(new.len());
        let names: Vec<(String, u16)> = new.iter().map(|(c, _)| name_of(c)).collect();
        let metas: Vec<RowMeta> = new
            .iter()
            .zip(&names)
            .map(|((c, _), (_, first_len))| meta_of(c, *first_len))
            .collect();
        // Where each goes in the list as it is now; ties after the rows already there.
        for (k, m) in metas.iter().enumerate() {
            let at = self.meta.partition_point(|x| x.added >= m.added);
            placed.push((at, k));
        }
        placed.sort_unstable();
        let mut meta = Vec::with_capacity(self.len() + new.len());
        let mut positions = Vec::with_capacity(new.len());
        let mut old = 0;
        for &(at, k) in &placed {
            meta.extend_from_slice(&self.meta[old..at]);
            old = at;
            positions.push((meta.len(), k));
            meta.push(metas[k]);
        }
        meta.extend_from_slice(&self.meta[old..]);
        let docs: Vec<(usize, Doc)> = positions
            .iter()
            .map(|&(at, k)| (at, doc(&new[k].0, &names[k].0, &new[k].1)))
            .collect();
        Arc::make_mut(&mut self.index).insert(docs);
        self.meta = meta;
    }

    /// Puts a contact at the top of the list.
    pub fn insert_first(&mut self, c: &Contact) {
        let (name, first_len) = name_of(c);
        let fields = field_values(c);
        Arc::make_mut(&mut self.index).insert(vec![(0, doc(c, &name, &fields))]);
        self.meta.insert(0, meta_of(c, first_len));
    }

    /// Keeps the rows whose id `keep` says so, in order.
    pub fn retain_ids(&mut self, keep: impl Fn(&str) -> bool) {
        let keep: Vec<bool> = (0..self.len()).map(|i| keep(self.index.id(i))).collect();
        let mut k = keep.iter();
        self.meta.retain(|_| *k.next().unwrap_or(&true));
        Arc::make_mut(&mut self.index).retain(|r| keep[r]);
        if !self.pages.is_empty() {
            let ix = &self.index;
            let here: std::collections::HashSet<&str> = (0..ix.len()).map(|r| ix.id(r)).collect();
            self.pages.retain(|id, _| here.contains(id.as_str()));
        }
    }

    pub fn clear_rows(&mut self) {
        self.meta.clear();
        self.pages.clear();
        self.index = Default::default();
    }

    /// Ready to be searched and found by id (after the last `push`).
    pub fn seal(&mut self) {
        if !self.index.is_sealed() {
            Arc::make_mut(&mut self.index).seal();
        }
        self.meta.shrink_to_fit();
    }
}

/// Builds a list as the replica has it, ready to show. Pure, and heavy for a large list, so
/// it is made where the replica is read, not in update, one contact at a time as they are
/// read.
#[derive(Default)]
pub struct SetBuilder {
    set: ContactSet,
}

impl SetBuilder {
    pub fn with_capacity(n: usize) -> SetBuilder {
        let mut b = SetBuilder::default();
        b.set.index = Arc::new(Index::with_capacity(n));
        b.set.meta.reserve_exact(n);
        b
    }

    pub fn push(&mut self, e: crate::store::ListEntry) {
        // No `seen` set: a list from the replica is never paged, and a set of 100,000 ids
        // would cost 7 MB for nothing.
        self.set.push(&e.contact, Some(&e.fields));
    }

    pub fn finish(mut self, total: usize) -> ContactSet {
        self.set.seal();
        self.set.total = Some(total.max(self.set.len()) as u64);
        self.set
    }
}

/// `SetBuilder` over entries already read.
pub fn set_from_entries(entries: Vec<crate::store::ListEntry>, total: usize) -> ContactSet {
    let mut b = SetBuilder::with_capacity(entries.len());
    for e in entries {
        b.push(e);
    }
    b.finish(total)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn contact(id: &str, first: &str, last: &str, added: &str) -> Contact {
        Contact {
            id: Some(id.into()),
            first_name: Some(first.into()),
            last_name: Some(last.into()),
            email: Some(format!("{first}@example.com")),
            date_added: Some(added.into()),
            ..Default::default()
        }
    }

    #[test]
    fn the_index_covers_tags_and_custom_fields() {
        let c = Contact {
            id: Some("c1".into()),
            first_name: Some("Zoë".into()),
            tags: vec!["vip".into()],
            custom_fields: vec![crate::api::contact::CustomFieldValue {
                id: Some("f".into()),
                value: serde_json::json!("Gold plan"),
                extra: Default::default(),
            }],
            ..Default::default()
        };
        let mut set = ContactSet::default();
        set.push(&c, None);
        set.seal();
        let mut s = crate::search::Searcher::default();
        for q in ["zoe", "tag:vip", "gold"] {
            let hits = s.search(&set.index, &crate::search::Query::parse(q), None, &[]);
            assert_eq!(hits, vec![0], "{q}");
        }
    }

    #[test]
    fn a_row_gives_back_the_contact_the_list_knew() {
        let mut c = contact("c1", "Ana", "de la Cruz", "2026-01-02T03:04:05.000Z");
        c.tags = vec!["vip".into(), "follow up".into()];
        c.company_name = Some("Acme\x07".into());
        let mut set = ContactSet::default();
        set.push(&c, None);
        let back = set.contact(0).expect("row");
        assert_eq!(back.first_name.as_deref(), Some("Ana"));
        assert_eq!(back.last_name.as_deref(), Some("de la Cruz"));
        assert_eq!(back.display_name(), "Ana de la Cruz");
        // Cleaned for the terminal once, when it came.
        assert_eq!(back.company_name.as_deref(), Some("Acme␇"));
        assert_eq!(back.tags, ["vip", "follow up"]);
        assert_eq!(back.date_added, c.date_added);
        assert_eq!(
            set.row(0).map(|r| r.tags()).as_deref(),
            Some("vip, follow up")
        );
    }

    #[test]
    fn inserts_go_by_date_added_and_removals_keep_the_order() {
        let mut set = ContactSet::default();
        for (id, d) in [("c", "2026-03-01T00:00:00Z"), ("a", "2026-01-01T00:00:00Z")] {
            set.push(&contact(id, id, "x", d), None);
        }
        set.seal();
        set.insert_by_added(vec![
            (contact("b", "b", "x", "2026-02-01T00:00:00Z"), vec![]),
            (
                contact("d", "d", "x", "2026-04-01T00:00:00Z"),
                vec!["gold".into()],
            ),
        ]);
        let ids: Vec<&str> = set.rows().map(|r| r.id()).collect();
        assert_eq!(ids, ["d", "c", "b", "a"]);
        assert_eq!(set.find("b"), Some(2));
        set.retain_ids(|id| id != "c");
        let ids: Vec<&str> = set.rows().map(|r| r.id()).collect();
        assert_eq!(ids, ["d", "b", "a"]);
        assert_eq!(set.index.custom_text(0), "gold");
        set.insert_first(&contact("l", "Local", "x", ""));
        assert_eq!(set.row(0).map(|r| r.name()), Some("Local x"));
        assert_eq!(set.find("a"), Some(3));
    }
}
