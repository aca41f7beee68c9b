//! The compact in-memory form of a list of contacts, which both the list and search read:
//! every row's fields back to back in one buffer (one allocation for a million contacts, not
//! six million), each searchable field folded once, the text as shown kept beside it only
//! where folding changed it (a lower-case email is kept once), a mask of the letters and digits
//! in the row that rules most rows out of a query before any matching is done, and the rows of
//! each id.
//!
//! A contact's full record is not here: it is read from the replica (or the server) when the
//! contact is opened.

use super::fold::{digits, fold_into};
use super::query::Field;

/// One contact as the list and search see it, as it came (the index cleans and folds it).
#[derive(Clone, Copy, Debug, Default)]
pub struct Doc<'a> {
    pub id: &'a str,
    /// The contact's name; empty when it has none (the list then shows how to reach it).
    pub name: &'a str,
    pub email: &'a str,
    pub phone: &'a str,
    pub company: &'a str,
    pub tags: &'a [String],
    pub fields: &'a [String],
}

/// Fields are separated by a character no query contains, so a phrase never runs across two.
pub const SEP: char = '\u{1}';
/// Between two tags (which may have spaces in them), for the same reason.
pub const TAG_SEP: char = '\u{2}';

// The segments of a row, in the order they are stored. The searchable ones (folded, each
// ending in `SEP`) come first and together, so a row's whole search text is one slice.
const ID: usize = 0;
const NAME: usize = 1;
const EMAIL: usize = 2;
const PHONE: usize = 3;
const COMPANY: usize = 4;
const TAGS: usize = 5;
const CUSTOM: usize = 6;
// As shown, where that differs from the folded text (empty: the same).
const NAME_SHOWN: usize = 7;
const EMAIL_SHOWN: usize = 8;
const PHONE_SHOWN: usize = 9;
const COMPANY_SHOWN: usize = 10;
const TAGS_SHOWN: usize = 11;
const SEGMENTS: usize = 12;

/// No segment is longer than this (a custom field can hold a page of text), so every row's
/// offsets fit in 16 bits.
const MAX_SEGMENT: usize = 4096;

/// Which characters a row has, to rule it out of a query without reading its text.
#[derive(Clone, Copy, Debug, Default, PartialEq)]
struct Masks {
    /// Letters a-z (bits 0-25), digits (26-35), anything else (36-62, hashed), ASCII-only row
    /// (63), of all the folded fields.
    row: u64,
    /// Letters of each field a loose word is matched in (`word_mask`): name, the email before
    /// its `@`, phone, company. A word must be in one of them whole, and most rows have its
    /// letters in none. (A domain is shared by thousands of contacts: letters found loosely in
    /// `gmail.com` are noise, and reading them was most of the time a search of a million
    /// took.)
    fields: [u32; 4],
    /// Pairs of adjacent characters (`pairs_mask`) of what a word must be in as typed: the
    /// whole email (its domain, or all of it pasted), the tags, the custom fields.
    labels: u64,
    /// Pairs of adjacent digits anywhere in the row (`digit_pairs_mask`): most rows have a
    /// phone number, so which digits they have says little; which follow which says a lot.
    digits: u64,
}

/// The letters of a word (a-z, anything else hashed into the six bits above), as
/// `Masks::fields` holds them.
pub fn word_mask(s: &str) -> u32 {
    s.chars().fold(0, |m, c| {
        m | match c {
            'a'..='z' => 1 << (c as u32 - 'a' as u32),
            c if (c as u32) < 0x80 => 0,
            c => 1 << (26 + (c as u32 % 6)),
        }
    })
}

/// The adjacent pairs of characters of `s`, hashed into 64 bits: a word is in a text only if
/// all of its pairs are.
pub fn pairs_mask(s: &str) -> u64 {
    pairs_where(s, |_, _| true)
}

/// The pairs of adjacent digits of `s` (`pairs_mask` of its runs of digits).
pub fn digit_pairs_mask(s: &str) -> u64 {
    pairs_where(s, |a, b| a.is_ascii_digit() && b.is_ascii_digit())
}

fn pairs_where(s: &str, keep: impl Fn(char, char) -> bool) -> u64 {
    let mut m = 0;
    let mut prev: Option<char> = None;
    for c in s.chars() {
        if let Some(p) = prev.filter(|&p| keep(p, c)) {
            let h = (p as u32)
                .wrapping_mul(31)
                .wrapping_add(c as u32)
                .wrapping_mul(0x9E37_79B1);
            m |= 1 << (h >> 26);
        }
        prev = Some(c);
    }
    m
}

/// Where a row's text starts, and where each of its segments ends (from that start).
#[derive(Clone, Copy, Debug, Default, PartialEq)]
struct Head {
    start: u32,
    ends: [u16; SEGMENTS],
}

#[derive(Clone, Debug, Default, PartialEq)]
pub struct Index {
    text: String,
    heads: Vec<Head>,
    masks: Vec<Masks>,
    /// Hash of each id with its row, sorted by hash: the row of an id without a map of
    /// strings. Collisions cost a comparison with the id kept in the row.
    by_id: Vec<(u32, u32)>,
    ids_sorted: bool,
    /// Bytes of `text` no row points at any more (rows replaced or removed).
    garbage: usize,
}

pub const ASCII_BIT: u64 = 1 << 63;

pub fn char_bit(c: char) -> u64 {
    match c {
        'a'..='z' => 1 << (c as u32 - 'a' as u32),
        '0'..='9' => 1 << (26 + c as u32 - '0' as u32),
        c if (c as u32) < 0x80 => 0,
        c => 1 << (36 + (c as u32 % 27)),
    }
}

pub fn mask_of(s: &str) -> u64 {
    s.chars().fold(0, |m, c| m | char_bit(c))
}

fn hash_id(id: &str) -> u32 {
    // FNV-1a: stable and quick.
    id.bytes().fold(0x811c_9dc5, |h, b| {
        (h ^ u32::from(b)).wrapping_mul(0x0100_0193)
    })
}

/// `s` cut to at most `max` bytes, on a character boundary.
fn capped(s: &str, max: usize) -> &str {
    if s.len() <= max {
        return s;
    }
    let mut end = max;
    while !s.is_char_boundary(end) {
        end -= 1;
    }
    &s[..end]
}

/// An email before its `@`, and from it on (`@example.com`).
fn split_email(e: &str) -> (&str, &str) {
    match memchr::memchr(b'@', e.as_bytes()) {
        Some(at) => e.split_at(at),
        None => (e, ""),
    }
}

/// What the index keeps of one field: the text as shown (cleaned for the terminal, on one
/// line) and folded for search.
fn shown(s: &str) -> String {
    let clean = crate::sanitize::line(capped(s.trim(), MAX_SEGMENT));
    clean.trim().to_string()
}

fn folded(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    fold_into(s, &mut out);
    out
}

impl Index {
    pub fn new() -> Index {
        Index::default()
    }

    pub fn with_capacity(rows: usize) -> Index {
        Index {
            text: String::with_capacity(rows * 150),
            heads: Vec::with_capacity(rows),
            masks: Vec::with_capacity(rows),
            by_id: Vec::with_capacity(rows),
            ids_sorted: true,
            garbage: 0,
        }
    }

    pub fn len(&self) -> usize {
        self.heads.len()
    }

    pub fn is_empty(&self) -> bool {
        self.heads.is_empty()
    }

    /// Adds a row at the end.
    pub fn push(&mut self, d: &Doc) {
        let row = self.heads.len() as u32;
        let (head, mask) = self.append(d);
        self.heads.push(head);
        self.masks.push(mask);
        let h = hash_id(d.id);
        if self.by_id.last().is_some_and(|&(last, _)| last > h) {
            self.ids_sorted = false;
        }
        self.by_id.push((h, row));
    }

    /// Puts a new version of the contact at `row` (the same id) in place. Its old text stays
    /// in the buffer until there is enough of it to be worth a compaction: a sync that changes
    /// a few contacts must not rewrite the text of a million.
    pub fn replace(&mut self, row: usize, d: &Doc) {
        if row >= self.heads.len() {
            return;
        }
        self.garbage += self.row_bytes(row);
        let renamed = self.id(row) != d.id;
        let (head, mask) = self.append(d);
        self.heads[row] = head;
        self.masks[row] = mask;
        if renamed {
            // A contact made here got the server's id.
            self.reindex_ids();
        }
        self.compact_if_worth_it();
    }

    /// Adds rows at positions of the list as it will be (`at` ascending, each counted after
    /// the ones before it are in). Rows move, but no text is copied: only the offsets shift.
    pub fn insert(&mut self, mut new: Vec<(usize, Doc)>) {
        if new.is_empty() {
            return;
        }
        new.sort_by_key(|(at, _)| *at);
        let n = self.heads.len() + new.len();
        let mut heads = Vec::with_capacity(n);
        let mut masks = Vec::with_capacity(n);
        let mut old = 0;
        for (at, d) in &new {
            while heads.len() < *at && old < self.heads.len() {
                heads.push(self.heads[old]);
                masks.push(self.masks[old]);
                old += 1;
            }
            let (head, mask) = self.append(d);
            heads.push(head);
            masks.push(mask);
        }
        heads.extend_from_slice(&self.heads[old..]);
        masks.extend_from_slice(&self.masks[old..]);
        self.heads = heads;
        self.masks = masks;
        self.reindex_ids();
    }

    /// Keeps the rows for which `keep` says so, in order.
    pub fn retain(&mut self, mut keep: impl FnMut(usize) -> bool) {
        let mut heads = Vec::with_capacity(self.heads.len());
        let mut masks = Vec::with_capacity(self.heads.len());
        for row in 0..self.heads.len() {
            if keep(row) {
                heads.push(self.heads[row]);
                masks.push(self.masks[row]);
            } else {
                self.garbage += self.row_bytes(row);
            }
        }
        let changed = heads.len() != self.heads.len();
        self.heads = heads;
        self.masks = masks;
        if changed {
            self.reindex_ids();
            self.compact_if_worth_it();
        }
    }

    fn reindex_ids(&mut self) {
        self.by_id = (0..self.heads.len())
            .map(|r| (hash_id(self.id(r)), r as u32))
            .collect();
        self.by_id.sort_unstable();
        self.ids_sorted = true;
    }

    fn row_bytes(&self, row: usize) -> usize {
        usize::from(self.heads[row].ends[SEGMENTS - 1])
    }

    /// Writes the text again when more than half of it is rows no longer there.
    fn compact_if_worth_it(&mut self) {
        if self.garbage < (1 << 20) || self.garbage < self.text.len() / 2 {
            return;
        }
        let mut text = String::with_capacity(self.text.len() - self.garbage);
        for h in &mut self.heads {
            let from = h.start as usize;
            let to = from + usize::from(h.ends[SEGMENTS - 1]);
            h.start = text.len() as u32;
            text.push_str(&self.text[from..to]);
        }
        self.text = text;
        self.garbage = 0;
    }

    /// Writes a row's segments at the end of the buffer: its head and its mask.
    fn append(&mut self, d: &Doc) -> (Head, Masks) {
        if self.text.len() > (u32::MAX as usize) - SEGMENTS * MAX_SEGMENT * 2 {
            // Never in practice (4 GB of text); kept from wrapping the offsets all the same.
            self.garbage = self.garbage.max(1 << 20).max(self.text.len() / 2);
            self.compact_if_worth_it();
        }
        let start = self.text.len();
        let mut ends = [0u16; SEGMENTS];
        let text = &mut self.text;
        let mut seg = |k: usize, text: &mut String, s: &str, sep: bool| {
            let from = text.len();
            text.push_str(capped(s, MAX_SEGMENT));
            if sep {
                text.push(SEP);
            }
            debug_assert!(text.len() - from <= MAX_SEGMENT + 1);
            ends[k] = (text.len() - start) as u16;
        };
        let name = shown(d.name);
        let email = shown(d.email);
        let phone = shown(d.phone);
        let company = shown(d.company);
        let tags: Vec<String> = d
            .tags
            .iter()
            .map(|t| shown(t))
            .filter(|t| !t.is_empty())
            .collect();
        let tags = tags.join(&TAG_SEP.to_string());
        let custom: Vec<String> = d
            .fields
            .iter()
            .map(|v| folded(&shown(v)))
            .filter(|v| !v.is_empty())
            .collect();
        let (name_f, email_f, phone_f, company_f, tags_f) = (
            folded(&name),
            folded(&email),
            folded(&phone),
            folded(&company),
            folded(&tags),
        );
        seg(ID, text, capped(d.id, 255), false);
        seg(NAME, text, &name_f, true);
        seg(EMAIL, text, &email_f, true);
        seg(PHONE, text, &phone_f, true);
        seg(COMPANY, text, &company_f, true);
        seg(TAGS, text, &tags_f, true);
        seg(CUSTOM, text, &custom.join(" "), true);
        let differs = |a: &String, b: &String| if a == b { String::new() } else { a.clone() };
        seg(NAME_SHOWN, text, &differs(&name, &name_f), false);
        seg(EMAIL_SHOWN, text, &differs(&email, &email_f), false);
        seg(PHONE_SHOWN, text, &differs(&phone, &phone_f), false);
        seg(COMPANY_SHOWN, text, &differs(&company, &company_f), false);
        seg(TAGS_SHOWN, text, &differs(&tags, &tags_f), false);
        let head = Head {
            start: start as u32,
            ends,
        };
        let searchable =
            &self.text[start + usize::from(ends[ID])..start + usize::from(ends[CUSTOM])];
        let mut row = mask_of(searchable);
        if searchable.is_ascii() {
            row |= ASCII_BIT;
        }
        let (local, _) = split_email(&email_f);
        let labels = pairs_mask(&email_f)
            | tags_f.split(TAG_SEP).fold(0, |m, t| m | pairs_mask(t))
            | custom.iter().fold(0, |m, v| m | pairs_mask(v));
        let fields = [
            word_mask(&name_f),
            word_mask(local),
            word_mask(&phone_f),
            word_mask(&company_f),
        ];
        // A phone's digits follow one another however it is written.
        let digits = digit_pairs_mask(searchable) | pairs_mask(&digits(&phone_f));
        (
            head,
            Masks {
                row,
                fields,
                labels,
                digits,
            },
        )
    }

    /// Whether `seal` has nothing to do.
    pub fn is_sealed(&self) -> bool {
        self.ids_sorted
    }

    /// Ready to find rows by id (after the last `push`).
    pub fn seal(&mut self) {
        if !self.ids_sorted {
            self.by_id.sort_unstable();
            self.ids_sorted = true;
        }
        self.text.shrink_to_fit();
        self.heads.shrink_to_fit();
        self.masks.shrink_to_fit();
        self.by_id.shrink_to_fit();
    }

    pub fn build<'a>(docs: impl IntoIterator<Item = Doc<'a>>) -> Index {
        let docs = docs.into_iter();
        let mut ix = Index::with_capacity(docs.size_hint().0);
        for d in docs {
            ix.push(&d);
        }
        ix.seal();
        ix
    }

    pub fn mask(&self, row: usize) -> u64 {
        self.masks[row].row
    }

    /// The letters of the name, email (before `@`), phone and company of a row (`word_mask`).
    pub fn word_masks(&self, row: usize) -> [u32; 4] {
        self.masks[row].fields
    }

    /// Asks the CPU to start bringing a row's text into its cache, so that reading it a few
    /// rows later does not wait for memory.
    pub fn prefetch(&self, row: usize) {
        #[cfg(target_arch = "x86_64")]
        if let Some(h) = self.heads.get(row) {
            let p = self.text.as_ptr().wrapping_add(h.start as usize);
            // SAFETY: a prefetch is a hint; it never faults, whatever the address.
            unsafe {
                core::arch::x86_64::_mm_prefetch::<{ core::arch::x86_64::_MM_HINT_T0 }>(p.cast());
            }
        }
    }

    /// The pairs of adjacent digits of a row (`digit_pairs_mask`).
    pub fn digits_mask(&self, row: usize) -> u64 {
        self.masks[row].digits
    }

    /// The pairs of characters of a row's email, tags and custom fields (`pairs_mask`).
    pub fn labels_mask(&self, row: usize) -> u64 {
        self.masks[row].labels
    }

    /// Segments `from..=to` of a row, as stored.
    fn span(&self, row: usize, from: usize, to: usize) -> &str {
        let h = &self.heads[row];
        let at = |k: usize| {
            h.start as usize
                + if k == 0 {
                    0
                } else {
                    usize::from(h.ends[k - 1])
                }
        };
        &self.text[at(from)..h.start as usize + usize::from(h.ends[to])]
    }

    /// A segment without the separator it ends in.
    fn folded_seg(&self, row: usize, from: usize, to: usize) -> &str {
        let s = self.span(row, from, to);
        s.strip_suffix(SEP).unwrap_or(s)
    }

    /// The whole row as search reads it (every field, separated by `SEP`).
    pub fn row(&self, row: usize) -> &str {
        self.span(row, NAME, CUSTOM)
    }

    /// Who the contact is: name, email, phone and company (not tags or custom fields, which
    /// fuzzy words would only find noise in).
    pub fn identity(&self, row: usize) -> &str {
        self.span(row, NAME, COMPANY)
    }

    /// Tags and custom field values.
    pub fn labels(&self, row: usize) -> &str {
        self.span(row, TAGS, CUSTOM)
    }

    /// One field of a row, folded.
    pub fn field(&self, row: usize, field: Field) -> &str {
        match field {
            Field::Any => self.row(row),
            Field::Name => self.folded_seg(row, NAME, NAME),
            Field::Email => self.folded_seg(row, EMAIL, EMAIL),
            Field::Phone => self.folded_seg(row, PHONE, PHONE),
            Field::Company => self.folded_seg(row, COMPANY, COMPANY),
            Field::Tag => self.folded_seg(row, TAGS, TAGS),
            Field::Custom => self.folded_seg(row, CUSTOM, CUSTOM),
        }
    }

    /// The folded email before its `@`, and from it on.
    pub fn email_parts(&self, row: usize) -> (&str, &str) {
        split_email(self.field(row, Field::Email))
    }

    /// Custom field values of a row, as folded here (folding them again changes nothing).
    pub fn custom_text(&self, row: usize) -> &str {
        self.field(row, Field::Custom)
    }

    pub fn id(&self, row: usize) -> &str {
        self.span(row, ID, ID)
    }

    /// A field as shown: the text kept for the screen where folding changed it.
    fn shown_or(&self, row: usize, shown: usize, folded: usize) -> &str {
        let s = self.span(row, shown, shown);
        if s.is_empty() {
            self.folded_seg(row, folded, folded)
        } else {
            s
        }
    }

    /// The name as the contact has it (cleaned for the terminal); empty when it has none.
    pub fn name(&self, row: usize) -> &str {
        self.shown_or(row, NAME_SHOWN, NAME)
    }

    pub fn email(&self, row: usize) -> &str {
        self.shown_or(row, EMAIL_SHOWN, EMAIL)
    }

    pub fn phone(&self, row: usize) -> &str {
        self.shown_or(row, PHONE_SHOWN, PHONE)
    }

    pub fn company(&self, row: usize) -> &str {
        self.shown_or(row, COMPANY_SHOWN, COMPANY)
    }

    /// The tags as shown, in their order.
    pub fn tags(&self, row: usize) -> impl Iterator<Item = &str> {
        let all = self.shown_or(row, TAGS_SHOWN, TAGS);
        all.split(TAG_SEP).filter(|t| !t.is_empty())
    }

    /// The row of `id`.
    pub fn rows_of(&self, id: &str) -> Option<u32> {
        if !self.ids_sorted {
            return (0..self.len())
                .find(|&r| self.id(r) == id)
                .map(|r| r as u32);
        }
        let h = hash_id(id);
        let from = self.by_id.partition_point(|&(x, _)| x < h);
        self.by_id[from..]
            .iter()
            .take_while(|&&(x, _)| x == h)
            .map(|&(_, r)| r)
            .find(|&r| self.id(r as usize) == id)
    }

    /// Bytes held on the heap, for the memory figures.
    pub fn heap_bytes(&self) -> usize {
        self.text.capacity()
            + self.heads.capacity() * std::mem::size_of::<Head>()
            + self.masks.capacity() * std::mem::size_of::<Masks>()
            + self.by_id.capacity() * std::mem::size_of::<(u32, u32)>()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn doc<'a>(id: &'a str, name: &'a str, tags: &'a [String]) -> Doc<'a> {
        Doc {
            id,
            name,
            email: "Ana@Example.com",
            phone: "+1 (617) 555-0106",
            company: "Acme",
            tags,
            fields: &[],
        }
    }

    #[test]
    fn a_row_is_shown_as_it_came_and_searched_folded() {
        let tags = vec!["vip".to_string(), "follow up".to_string()];
        let ix = Index::build([doc("c1", "Ana Araújo\x1b[31m", &tags)]);
        assert_eq!(ix.id(0), "c1");
        assert_eq!(ix.name(0), "Ana Araújo");
        assert_eq!(ix.field(0, Field::Name), "ana araujo");
        assert_eq!(ix.email(0), "Ana@Example.com");
        assert_eq!(ix.field(0, Field::Email), "ana@example.com");
        assert_eq!(ix.phone(0), "+1 (617) 555-0106");
        assert_eq!(ix.field(0, Field::Phone), "+1 (617) 555-0106");
        assert_eq!(ix.company(0), "Acme");
        assert_eq!(ix.tags(0).collect::<Vec<_>>(), ["vip", "follow up"]);
        assert!(
            !ix.row(0).contains("vip follow"),
            "a phrase never runs across two tags"
        );
    }

    #[test]
    fn rows_move_without_losing_their_text() {
        let none: Vec<String> = Vec::new();
        let mut ix = Index::build([doc("a", "Ann", &none), doc("b", "Bob", &none)]);
        ix.insert(vec![
            (0, doc("n", "New", &none)),
            (2, doc("m", "Mid", &none)),
        ]);
        let ids: Vec<&str> = (0..ix.len()).map(|r| ix.id(r)).collect();
        assert_eq!(ids, ["n", "a", "m", "b"]);
        ix.replace(1, &doc("a", "Anna", &none));
        ix.retain(|r| r != 2);
        let names: Vec<&str> = (0..ix.len()).map(|r| ix.name(r)).collect();
        assert_eq!(names, ["New", "Anna", "Bob"]);
        assert_eq!(ix.rows_of("b"), Some(2));
        assert_eq!(ix.rows_of("m"), None);
    }

    #[test]
    fn replaced_rows_are_compacted_away() {
        let none: Vec<String> = Vec::new();
        let long = "x".repeat(3000);
        let mut ix = Index::build([doc("a", &long, &none)]);
        for _ in 0..1000 {
            ix.replace(0, &doc("a", &long, &none));
        }
        assert!(ix.heap_bytes() < 4 << 20, "{}", ix.heap_bytes());
        assert_eq!(ix.name(0), long);
    }

    #[test]
    fn a_huge_field_is_cut_not_wrapped() {
        let none: Vec<String> = Vec::new();
        let huge = "é".repeat(40_000);
        let d = Doc {
            fields: std::slice::from_ref(&huge),
            ..doc("a", &huge, &none)
        };
        let ix = Index::build([d]);
        assert!(ix.name(0).len() <= MAX_SEGMENT);
        assert_eq!(ix.company(0), "Acme");
    }
}
