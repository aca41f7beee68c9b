//! Running a query over the index: each row is ruled out by its letter mask first, then each
//! term is matched (fuzzily with nucleo's fzf-like scoring, or as written), and the rows that
//! match every term come back best first, equal scores in list order. Large indexes are split
//! over the machine's cores.

use nucleo_matcher::{Config, Matcher, Utf32Str};

use memchr::memmem::Finder;

use super::index::{ASCII_BIT, Index, char_bit, pairs_mask, word_mask};
use super::query::{Field, Kind, Query, Term};

/// Who the contact is, where a loosely spelled word is looked for.
const IDENTITY: [Field; 4] = [Field::Name, Field::Email, Field::Phone, Field::Company];

/// Rows matched a batch at a time, and how far ahead of the one matched their text is asked
/// for.
const BATCH: usize = 512;
const AHEAD: usize = 8;

/// Below this many rows one thread is quicker than starting more.
const PARALLEL_FROM: usize = 20_000;

/// The best this many are ranked exactly (nucleo's optimal alignment); the scan itself scores
/// greedily, which is linear, and the rest follow in the list's order.
const RANKED: usize = 1000;

/// The score of a match as written (a phrase, digits): the same for every row, so those rows
/// keep the list's order.
fn exact_score(t: &Term) -> u32 {
    16 * t.text.chars().count() as u32
}

struct Prepared {
    term: Term,
    needle: Vec<char>,
    ascii: bool,
    mask: u64,
    /// The term's letters, as the per-field masks hold them.
    word: u32,
    /// Its pairs of characters, as the labels' mask holds them.
    pairs: u64,
    /// Searches for the term as written, set up once per query rather than once per row.
    finder: Finder<'static>,
}

impl Prepared {
    fn found_in(&self, hay: &str) -> bool {
        self.finder.find(hay.as_bytes()).is_some()
    }
}

fn prepare(q: &Query) -> Vec<Prepared> {
    q.terms
        .iter()
        .map(|t| Prepared {
            needle: t.text.chars().collect(),
            ascii: t.text.is_ascii(),
            mask: t
                .text
                .chars()
                .filter(|c| !c.is_whitespace())
                .fold(0, |m, c| m | char_bit(c)),
            word: word_mask(&t.text),
            pairs: pairs_mask(&t.text),
            finder: Finder::new(t.text.as_bytes()).into_owned(),
            term: t.clone(),
        })
        .collect()
}

fn config() -> Config {
    let mut c = Config::DEFAULT;
    // The index is folded already, and so is the query.
    c.ignore_case = false;
    c.normalize = false;
    c.prefer_prefix = true;
    c
}

/// Keeps the matchers (and their scratch memory) between queries.
pub struct Searcher {
    matchers: Vec<Matcher>,
}

impl Default for Searcher {
    fn default() -> Self {
        let n = std::thread::available_parallelism()
            .map_or(1, |n| n.get())
            .clamp(1, 8);
        Searcher {
            matchers: (0..n).map(|_| Matcher::new(config())).collect(),
        }
    }
}

/// The score of `row` for every term, or `None` if a term does not match.
fn score_row(
    ix: &Index,
    row: usize,
    terms: &[Prepared],
    m: &mut Matcher,
    buf: &mut Vec<char>,
    exact: bool,
) -> Option<u32> {
    let mask = ix.mask(row);
    let mut total = 0u32;
    for p in terms {
        if p.mask & mask != p.mask {
            return None;
        }
        // The text is read only where the masks cannot answer: a row's text is a cache miss
        // away, its masks are not.
        let hay = || ix.field(row, p.term.field);
        // One letter is in most rows: whether it is there is all worth knowing, and a scan
        // that scores 100,000 rows to rank them by one letter would cost a frame.
        let one = p.needle.len() == 1;
        let score = match p.term.kind {
            // The row's mask holds a-z and digits exactly: no need to read the text.
            Kind::Fuzzy
                if one && p.term.field == Field::Any && p.needle[0].is_ascii_alphanumeric() =>
            {
                Some(16)
            }
            Kind::Fuzzy if one => hay().contains(p.needle[0]).then_some(16),
            Kind::Phrase => p.found_in(hay()).then(|| exact_score(&p.term)),
            Kind::Digits => (p.found_in(hay())
                || (matches!(p.term.field, Field::Any | Field::Phone)
                    && digits_in(ix.field(row, Field::Phone), &p.term.text)))
            .then(|| exact_score(&p.term)),
            Kind::Fuzzy => {
                // A word is spelled loosely within one field of who the contact is (its
                // letters never run from the name into the email: that finds noise, and it
                // is what made a million rows slow); in tags and custom fields it must be
                // there as typed.
                let ascii = mask & ASCII_BIT != 0;
                let words = ix.word_masks(row);
                let mut best: Option<u32> = None;
                for (k, &f) in IDENTITY.iter().enumerate() {
                    if !(p.term.field == Field::Any || p.term.field == f)
                        || words[k] & p.word != p.word
                    {
                        continue;
                    }
                    let hay = match f {
                        Field::Email => ix.email_parts(row).0,
                        f => ix.field(row, f),
                    };
                    if ascii && p.ascii && !in_order(hay.as_bytes(), p.term.text.as_bytes()) {
                        continue;
                    }
                    let needle = if p.ascii {
                        Utf32Str::Ascii(p.term.text.as_bytes())
                    } else {
                        Utf32Str::Unicode(&p.needle)
                    };
                    let haystack = if ascii {
                        Utf32Str::Ascii(hay.as_bytes())
                    } else {
                        Utf32Str::new(hay, buf)
                    };
                    let s = if exact {
                        m.fuzzy_match(haystack, needle)
                    } else {
                        m.fuzzy_match_greedy(haystack, needle)
                    };
                    if let Some(s) = s {
                        best = best.max(Some(u32::from(s)));
                    }
                }
                best.or_else(|| match p.term.field {
                    Field::Any => (ix.labels_mask(row) & p.pairs == p.pairs
                        && (p.found_in(ix.labels(row)) || p.found_in(ix.field(row, Field::Email))))
                    .then(|| exact_score(&p.term)),
                    Field::Email => (ix.labels_mask(row) & p.pairs == p.pairs && p.found_in(hay()))
                        .then(|| exact_score(&p.term)),
                    Field::Tag | Field::Custom => (ix.labels_mask(row) & p.pairs == p.pairs
                        && p.found_in(hay()))
                    .then(|| exact_score(&p.term)),
                    _ => None,
                })
            }
        };
        total += score?;
    }
    Some(total)
}

/// Whether `digits` follow one another among the digits of `hay`, whatever is between them
/// (`6175550106` in `+1 (617) 555-0106`). A phone is short: looked at from each digit.
fn digits_in(hay: &str, digits: &str) -> bool {
    let hay: Vec<u8> = hay.bytes().filter(u8::is_ascii_digit).collect();
    let d = digits.as_bytes();
    !d.is_empty() && hay.windows(d.len()).any(|w| w == d)
}

/// Whether `needle`'s bytes come in `hay` in order: most rows fail here, cheaper than asking
/// the matcher.
fn in_order(hay: &[u8], needle: &[u8]) -> bool {
    let mut rest = hay;
    for &b in needle {
        match memchr::memchr(b, rest) {
            Some(i) => rest = &rest[i + 1..],
            None => return false,
        }
    }
    true
}

/// Whether the masks leave `row` in for every term: a test that reads no text.
fn may_match(ix: &Index, row: usize, terms: &[Prepared]) -> bool {
    let mask = ix.mask(row);
    terms.iter().all(|p| {
        if p.mask & mask != p.mask {
            return false;
        }
        match p.term.kind {
            Kind::Digits => ix.digits_mask(row) & p.pairs == p.pairs,
            Kind::Phrase => true,
            Kind::Fuzzy if p.needle.len() == 1 => true,
            Kind::Fuzzy => {
                let words = ix.word_masks(row);
                let loose = IDENTITY.iter().zip(words).any(|(&f, w)| {
                    (p.term.field == Field::Any || p.term.field == f) && w & p.word == p.word
                });
                loose
                    || match p.term.field {
                        Field::Any | Field::Email | Field::Tag | Field::Custom => {
                            ix.labels_mask(row) & p.pairs == p.pairs
                        }
                        Field::Name | Field::Phone | Field::Company => false,
                    }
            }
        }
    })
}

fn scan(
    ix: &Index,
    rows: &mut dyn Iterator<Item = usize>,
    terms: &[Prepared],
    m: &mut Matcher,
) -> Vec<(u32, u32)> {
    let mut buf = Vec::new();
    let mut out = Vec::new();
    // The rows the masks leave in, a batch at a time: each one's text is asked for a few rows
    // before it is read, so the wait for memory overlaps the matching of the rows before it.
    let mut batch: Vec<u32> = Vec::with_capacity(BATCH);
    let mut rows = rows.peekable();
    while rows.peek().is_some() {
        batch.clear();
        batch.extend(
            rows.by_ref()
                .filter(|&r| may_match(ix, r, terms))
                .take(BATCH)
                .map(|r| r as u32),
        );
        for (k, &r) in batch.iter().enumerate() {
            if let Some(&next) = batch.get(k + AHEAD) {
                ix.prefetch(next as usize);
            }
            if let Some(s) = score_row(ix, r as usize, terms, m, &mut buf, false) {
                out.push((s, r));
            }
        }
    }
    out
}

impl Searcher {
    /// The rows matching `q`, best first. `within`: only these rows can match (the last
    /// results, when the query narrows them). `extra`: rows matched elsewhere (note text),
    /// shown after the direct matches.
    pub fn search(
        &mut self,
        ix: &Index,
        q: &Query,
        within: Option<&[u32]>,
        extra: &[u32],
    ) -> Vec<u32> {
        if q.is_empty() {
            return (0..ix.len() as u32).collect();
        }
        let terms = prepare(q);
        let n = within.map_or(ix.len(), <[u32]>::len);
        let threads = if n >= PARALLEL_FROM {
            self.matchers.len()
        } else {
            1
        };
        let chunk = n.div_ceil(threads.max(1)).max(1);
        let hits: Vec<(u32, u32)> = if threads <= 1 {
            let m = &mut self.matchers[0];
            match within {
                Some(w) => scan(ix, &mut w.iter().map(|&r| r as usize), &terms, m),
                None => scan(ix, &mut (0..n), &terms, m),
            }
        } else {
            std::thread::scope(|s| {
                let handles: Vec<_> = self
                    .matchers
                    .iter_mut()
                    .enumerate()
                    .map(|(i, m)| {
                        let terms = &terms;
                        s.spawn(move || {
                            let (from, to) = ((i * chunk).min(n), ((i + 1) * chunk).min(n));
                            match within {
                                Some(w) => {
                                    scan(ix, &mut w[from..to].iter().map(|&r| r as usize), terms, m)
                                }
                                None => scan(ix, &mut (from..to), terms, m),
                            }
                        })
                    })
                    .collect();
                handles
                    .into_iter()
                    .flat_map(|h| h.join().unwrap_or_default())
                    .collect()
            })
        };
        let mut out = rank(ix, hits, &terms, &mut self.matchers[0]);
        if !extra.is_empty() {
            let seen: std::collections::HashSet<u32> = out.iter().copied().collect();
            let mut more: Vec<u32> = extra
                .iter()
                .copied()
                .filter(|r| !seen.contains(r))
                .collect();
            more.sort_unstable();
            more.dedup();
            out.extend(more);
        }
        out
    }
}

/// Best first; equal scores keep the list's order. Only the best `RANKED` are sorted (and
/// scored exactly); the rest follow in the list's order, found but not worth sorting.
fn rank(ix: &Index, mut hits: Vec<(u32, u32)>, terms: &[Prepared], m: &mut Matcher) -> Vec<u32> {
    let by_score = |a: &(u32, u32), b: &(u32, u32)| b.0.cmp(&a.0).then(a.1.cmp(&b.1));
    let mut rest = Vec::new();
    if hits.len() > RANKED {
        hits.select_nth_unstable_by(RANKED, by_score);
        rest = hits.split_off(RANKED);
        rest.sort_unstable_by_key(|h| h.1);
    }
    let fuzzy = terms.iter().any(|t| t.term.kind == Kind::Fuzzy);
    if fuzzy {
        let mut buf = Vec::new();
        for h in hits.iter_mut() {
            h.0 = score_row(ix, h.1 as usize, terms, m, &mut buf, true).unwrap_or(h.0);
        }
    }
    hits.sort_unstable_by(by_score);
    hits.into_iter().chain(rest).map(|(_, r)| r).collect()
}

/// Where the query's letters fall in `name` (char indices), for highlighting: each term's
/// first contiguous occurrence, else its letters in order.
pub fn highlight(name: &str, q: &Query) -> Vec<usize> {
    let folded: Vec<char> = name.chars().map(super::fold::fold_char).collect();
    let mut marks = Vec::new();
    for t in &q.terms {
        if !matches!(t.field, Field::Any | Field::Name) || t.kind == Kind::Digits {
            continue;
        }
        let needle: Vec<char> = t.text.chars().collect();
        if needle.is_empty() || needle.len() > folded.len() {
            continue;
        }
        if let Some(at) = folded
            .windows(needle.len())
            .position(|w| w == needle.as_slice())
        {
            marks.extend(at..at + needle.len());
            continue;
        }
        if t.kind == Kind::Fuzzy {
            let mut found = Vec::new();
            let mut k = 0;
            for (i, c) in folded.iter().enumerate() {
                if k < needle.len() && *c == needle[k] {
                    found.push(i);
                    k += 1;
                }
            }
            if k == needle.len() {
                marks.extend(found);
            }
        }
    }
    marks.sort_unstable();
    marks.dedup();
    marks
}
