//! The compact in-memory index of a list of contacts: every row's searchable fields folded
//! once, back to back in one buffer (one allocation for 100,000 contacts, not 600,000), with
//! each field's offsets and a mask of the letters and digits in the row, which rules most rows
//! out of a query before any matching is done.

use super::fold::{digits, fold_into};
use super::query::Field;

/// One contact as search sees it.
#[derive(Clone, Copy, Debug, Default)]
pub struct Doc<'a> {
    pub id: &'a str,
    pub name: &'a str,
    pub email: &'a str,
    pub phone: &'a str,
    pub company: &'a str,
    pub tags: &'a [String],
    pub fields: &'a [String],
}

/// The fields of a row, in the order they are stored.
pub const FIELDS: [Field; 6] = [
    Field::Name,
    Field::Email,
    Field::Phone,
    Field::Company,
    Field::Tag,
    Field::Custom,
];

/// Fields are separated by a character no query contains, so a phrase never runs across two.
pub const SEP: char = '\u{1}';

#[derive(Clone, Debug, Default, PartialEq)]
pub struct Index {
    text: String,
    /// Where each row's fields start, and where the row ends: `[name, email, phone (as
    /// written, then its digits), company, tags, custom fields, end]`.
    starts: Vec<[u32; 7]>,
    /// Letters a-z (bits 0-25), digits (26-35), anything else (36-62, hashed), ASCII-only row
    /// (63).
    masks: Vec<u64>,
    /// Hash of each id with its row, sorted: to find the rows of ids matched elsewhere (note
    /// text) without a map of strings.
    by_id: Vec<(u64, u32)>,
    ids_sorted: bool,
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

fn hash_id(id: &str) -> u64 {
    // FNV-1a: stable, quick, and collisions only cost a comparison.
    id.bytes().fold(0xcbf2_9ce4_8422_2325, |h, b| {
        (h ^ u64::from(b)).wrapping_mul(0x0100_0000_01b3)
    })
}

impl Index {
    pub fn new() -> Index {
        Index::default()
    }

    pub fn with_capacity(rows: usize) -> Index {
        Index {
            text: String::with_capacity(rows * 96),
            starts: Vec::with_capacity(rows),
            masks: Vec::with_capacity(rows),
            by_id: Vec::with_capacity(rows),
            ids_sorted: true,
        }
    }

    pub fn len(&self) -> usize {
        self.starts.len()
    }

    pub fn is_empty(&self) -> bool {
        self.starts.is_empty()
    }

    /// Adds a row at the end.
    pub fn push(&mut self, d: &Doc) {
        let row = self.starts.len() as u32;
        let (starts, mask) = self.append(d);
        self.starts.push(starts);
        self.masks.push(mask);
        let h = hash_id(d.id);
        if self.by_id.last().is_some_and(|&(last, _)| last > h) {
            self.ids_sorted = false;
        }
        self.by_id.push((h, row));
    }

    /// Puts a new version of the contact at `row` (the same id) in place. Its old text stays
    /// in the buffer until the next rebuild: a sync that changes a few contacts must not
    /// rebuild the index of 100,000.
    pub fn replace(&mut self, row: usize, d: &Doc) {
        if row >= self.starts.len() {
            return;
        }
        let (starts, mask) = self.append(d);
        self.starts[row] = starts;
        self.masks[row] = mask;
    }

    /// Custom field values of a row, as folded here (folding them again changes nothing).
    pub fn custom_text(&self, row: usize) -> &str {
        self.field(row, Field::Custom)
    }

    /// Writes a row's fields at the end of the buffer: where they start, and the row's mask.
    fn append(&mut self, d: &Doc) -> ([u32; 7], u64) {
        let mut starts = [0u32; 7];
        let begin = self.text.len();
        let mut field = |i: usize, text: &mut String, f: &dyn Fn(&mut String)| {
            starts[i] = text.len() as u32;
            f(text);
            text.push(SEP);
        };
        field(0, &mut self.text, &|t| fold_into(d.name, t));
        field(1, &mut self.text, &|t| fold_into(d.email, t));
        field(2, &mut self.text, &|t| {
            fold_into(d.phone, t);
            let ds = digits(d.phone);
            if !ds.is_empty() && ds != d.phone {
                t.push(' ');
                t.push_str(&ds);
            }
        });
        field(3, &mut self.text, &|t| fold_into(d.company, t));
        field(4, &mut self.text, &|t| {
            for (i, tag) in d.tags.iter().enumerate() {
                if i > 0 {
                    t.push(' ');
                }
                fold_into(tag, t);
            }
        });
        field(5, &mut self.text, &|t| {
            for (i, v) in d.fields.iter().enumerate() {
                if i > 0 {
                    t.push(' ');
                }
                fold_into(v, t);
            }
        });
        starts[6] = self.text.len() as u32;
        let row_text = &self.text[begin..];
        let mut mask = mask_of(row_text);
        if row_text.is_ascii() {
            mask |= ASCII_BIT;
        }
        (starts, mask)
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
        self.masks[row]
    }

    /// The whole row (every field, separated by `SEP`).
    pub fn row(&self, row: usize) -> &str {
        let s = &self.starts[row];
        &self.text[s[0] as usize..s[6] as usize]
    }

    /// Who the contact is: name, email, phone and company (not tags or custom fields, which
    /// fuzzy words would only find noise in).
    pub fn identity(&self, row: usize) -> &str {
        let s = &self.starts[row];
        &self.text[s[0] as usize..s[4] as usize]
    }

    /// Tags and custom field values.
    pub fn labels(&self, row: usize) -> &str {
        let s = &self.starts[row];
        &self.text[s[4] as usize..s[6] as usize]
    }

    /// One field of a row.
    pub fn field(&self, row: usize, field: Field) -> &str {
        let s = &self.starts[row];
        let i = FIELDS.iter().position(|f| *f == field).unwrap_or(0);
        // The end excludes the separator.
        &self.text[s[i] as usize..(s[i + 1] as usize).saturating_sub(1).max(s[i] as usize)]
    }

    /// The rows of `id` (normally one).
    pub fn rows_of<'a>(&'a self, id: &str, is: impl Fn(u32) -> bool + 'a) -> Option<u32> {
        let h = hash_id(id);
        let from = self.by_id.partition_point(|&(x, _)| x < h);
        self.by_id[from..]
            .iter()
            .take_while(|&&(x, _)| x == h)
            .map(|&(_, r)| r)
            .find(|&r| is(r))
    }

    /// Bytes held on the heap, for the memory figures.
    pub fn heap_bytes(&self) -> usize {
        self.text.capacity()
            + self.starts.capacity() * std::mem::size_of::<[u32; 7]>()
            + self.masks.capacity() * 8
            + self.by_id.capacity() * std::mem::size_of::<(u64, u32)>()
    }
}
