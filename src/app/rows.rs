//! What the contact list draws, computed once per contact when it arrives: sanitised cells and
//! the lowercase text the as-you-type filter searches. Nothing here runs per frame.

use crate::api::Contact;
use crate::sanitize;

#[derive(Clone, Debug, Default, PartialEq)]
pub struct ContactRow {
    pub id: String,
    pub name: String,
    pub reach: String,
    pub company: String,
    pub tags: String,
}

impl ContactRow {
    pub fn from_contact(c: &Contact) -> ContactRow {
        let mut name = sanitize::line(&c.display_name()).trim().to_string();
        if name.is_empty() {
            // A name made only of escape sequences is no name at all.
            name = sanitize::line(c.reach().unwrap_or("(no name)")).into_owned();
        }
        ContactRow {
            id: c.id().to_string(),
            name,
            reach: sanitize::line(c.reach().unwrap_or("")).into_owned(),
            company: sanitize::line(c.company_name.as_deref().unwrap_or("")).into_owned(),
            tags: sanitize::line(&c.tags.join(", ")).into_owned(),
        }
    }
}

/// What `/` searches of a contact: the row as drawn, and the contact's tags and custom
/// field values.
pub fn doc<'a>(
    c: &'a Contact,
    row: &'a ContactRow,
    fields: &'a [String],
) -> crate::search::Doc<'a> {
    crate::search::Doc {
        id: &row.id,
        name: &row.name,
        email: c.email.as_deref().unwrap_or(""),
        phone: c.phone.as_deref().unwrap_or(""),
        company: &row.company,
        tags: &c.tags,
        fields,
    }
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

/// The search index of a list, in its order.
pub fn index_of(contacts: &[Contact], rows: &[ContactRow]) -> crate::search::Index {
    let mut ix = crate::search::Index::with_capacity(rows.len());
    for (c, r) in contacts.iter().zip(rows) {
        ix.push(&doc(c, r, &field_values(c)));
    }
    ix.seal();
    ix
}

/// Builds a list as the replica has it, ready to show: rows drawn, search index built. Pure,
/// and heavy for a large list (half a second for 100,000), so it is made where the replica is
/// read, not in update, one contact at a time as they are read.
#[derive(Default)]
pub struct SetBuilder {
    set: crate::app::state::ContactSet,
    index: crate::search::Index,
}

impl SetBuilder {
    pub fn with_capacity(n: usize) -> SetBuilder {
        let mut b = SetBuilder {
            index: crate::search::Index::with_capacity(n),
            ..Default::default()
        };
        b.set.contacts.reserve_exact(n);
        b.set.rows.reserve_exact(n);
        b
    }

    pub fn push(&mut self, e: crate::store::ListEntry) {
        let row = ContactRow::from_contact(&e.contact);
        // The replica's custom field values as text, which the list's contact lacks.
        self.index.push(&doc(&e.contact, &row, &e.fields));
        // No `seen` set: a list from the replica is never paged, and a set of 100,000 ids
        // would cost 7 MB for nothing.
        self.set.rows.push(row);
        self.set.contacts.push(e.contact);
    }

    pub fn finish(mut self, total: usize) -> crate::app::state::ContactSet {
        self.index.seal();
        self.set.total = Some(total.max(self.set.rows.len()) as u64);
        self.set.index = std::sync::Arc::new(self.index);
        self.set
    }
}

/// `SetBuilder` over entries already read.
pub fn set_from_entries(
    entries: Vec<crate::store::ListEntry>,
    total: usize,
) -> crate::app::state::ContactSet {
    let mut b = SetBuilder::with_capacity(entries.len());
    for e in entries {
        b.push(e);
    }
    b.finish(total)
}

/// The custom field values search knows for row `r` of `c`: the contact's own when it has
/// them, else what the old index had (a list made from the replica carries them only there).
fn fields_for(c: &Contact, old: &crate::search::Index, r: Option<usize>) -> Vec<String> {
    let own = field_values(c);
    if !own.is_empty() {
        return own;
    }
    let at = r.or_else(|| old.rows_of(c.id(), |_| true).map(|x| x as usize));
    at.map(|r| old.custom_text(r))
        .filter(|t| !t.is_empty())
        .map(|t| vec![t.to_string()])
        .unwrap_or_default()
}

/// The index again after rows moved (a contact added or removed), keeping what it knew.
pub fn reindex(set: &mut crate::app::state::ContactSet) {
    let old = set.index.clone();
    let mut ix = crate::search::Index::with_capacity(set.rows.len());
    for (c, r) in set.contacts.iter().zip(&set.rows) {
        ix.push(&doc(c, r, &fields_for(c, &old, None)));
    }
    ix.seal();
    set.index = std::sync::Arc::new(ix);
}

/// Row `i` changed in place: only it is written again.
pub fn reindex_row(set: &mut crate::app::state::ContactSet, i: usize) {
    let (Some(c), Some(r)) = (set.contacts.get(i), set.rows.get(i)) else {
        return;
    };
    let fields = fields_for(c, &set.index, Some(i));
    let d = doc(c, r, &fields);
    std::sync::Arc::make_mut(&mut set.index).replace(i, &d);
}

/// Adds one contact at the end of an index.
pub fn push(ix: &mut std::sync::Arc<crate::search::Index>, c: &Contact, row: &ContactRow) {
    std::sync::Arc::make_mut(ix).push(&doc(c, row, &field_values(c)));
}

#[cfg(test)]
mod tests {
    use super::*;

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
        let row = ContactRow::from_contact(&c);
        let ix = index_of(std::slice::from_ref(&c), std::slice::from_ref(&row));
        let mut s = crate::search::Searcher::default();
        for q in ["zoe", "tag:vip", "gold"] {
            let hits = s.search(&ix, &crate::search::Query::parse(q), None, &[]);
            assert_eq!(hits, vec![0], "{q}");
        }
    }
}
