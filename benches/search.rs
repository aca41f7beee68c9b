//! Search over the whole replica as the user types: a fixed set of queries (1 to 12
//! characters, typos, prefixes, field prefixes) over 100,000 and 1,000,000 synthetic contacts.
//! Prints the median and 95th percentile per keystroke over the set, the index's size and
//! the process's resident memory, then hands a few to criterion.
//!
//! `cargo bench --bench search` (GHL_BENCH_MILLION=0 skips the million).

#[path = "support/rss.rs"]
mod rss;
use rss::rss_mb;
use std::hint::black_box;
use std::time::{Duration, Instant};

use criterion::{Criterion, criterion_group, criterion_main};
use ghl_tui::sandbox::Seed;
use ghl_tui::search::{Doc, Index, Query, Searcher};
use serde_json::Value;

/// The set: what reps type, keystroke by keystroke or whole.
pub const QUERIES: &[&str] = &[
    "a",
    "jo",
    "smi",
    "jhn smt",
    "araujo",
    "mueller",
    "muller",
    "ibrahim kaya",
    "tag:vip",
    "tag:vip tag:hot",
    "company:acme",
    "6175550",
    "617-555",
    "@gmail",
    "\"new york\"",
    "garcia",
    "nguyen",
    "olivia brwn",
    "sofia",
    "kowalsky",
    "hernandez gold",
    "field:downtown",
    "zoe scott",
    "taylor",
    "li",
    "chen wang",
    "patel",
    "sakura",
    "email:gmail",
    "partner",
];

struct Owned {
    id: String,
    name: String,
    email: String,
    phone: String,
    company: String,
    tags: Vec<String>,
    fields: Vec<String>,
}

fn text(c: &serde_json::Map<String, Value>, k: &str) -> String {
    c.get(k).and_then(Value::as_str).unwrap_or("").to_string()
}

fn owned(n: usize) -> Vec<Owned> {
    Seed::synthetic(n)
        .contacts
        .into_iter()
        .map(|c| Owned {
            id: text(&c, "id"),
            name: format!("{} {}", text(&c, "firstName"), text(&c, "lastName")),
            email: text(&c, "email"),
            phone: text(&c, "phone"),
            company: text(&c, "companyName"),
            tags: c
                .get("tags")
                .and_then(Value::as_array)
                .map(|t| {
                    t.iter()
                        .filter_map(|x| x.as_str().map(String::from))
                        .collect()
                })
                .unwrap_or_default(),
            fields: c
                .get("customFields")
                .and_then(Value::as_array)
                .map(|t| {
                    t.iter()
                        .filter_map(|x| x.get("value")?.as_str().map(String::from))
                        .collect()
                })
                .unwrap_or_default(),
        })
        .collect()
}

fn build(people: &[Owned]) -> Index {
    Index::build(people.iter().map(|p| Doc {
        id: &p.id,
        name: &p.name,
        email: &p.email,
        phone: &p.phone,
        company: &p.company,
        tags: &p.tags,
        fields: &p.fields,
    }))
}

fn percentile(sorted: &[Duration], p: f64) -> Duration {
    let i = ((sorted.len() as f64 - 1.0) * p).round() as usize;
    sorted[i.min(sorted.len() - 1)]
}

/// Every query in the set, fresh (not narrowed), a few rounds; the median and p95 of all.
fn figures(label: &str, ix: &Index, min_chars: usize) {
    let mut s = Searcher::default();
    let mut times = Vec::new();
    let mut each = Vec::new();
    for round in 0..5 {
        for raw in QUERIES.iter().filter(|q| q.chars().count() >= min_chars) {
            let q = Query::parse(raw);
            let t = Instant::now();
            black_box(s.search(ix, &q, None, &[]));
            times.push(t.elapsed());
            if round == 0 {
                each.push((t.elapsed(), *raw));
            }
        }
    }
    times.sort();
    each.sort();
    each.reverse();
    let slowest: Vec<String> = each
        .iter()
        .take(4)
        .map(|(t, q)| format!("{q:?} {:.1} ms", t.as_secs_f64() * 1000.0))
        .collect();
    println!("slowest {label}: {}", slowest.join(", "));
    // Typing one letter after another narrows the last results.
    let mut narrow = Vec::new();
    for word in ["johnson", "hernandez", "araujo"] {
        let mut prev: Option<(Query, Vec<u32>)> = None;
        for end in 1..=word.len() {
            let q = Query::parse(&word[..end]);
            let t = Instant::now();
            let within = prev
                .as_ref()
                .filter(|(p, _)| q.is_narrowing_of(p))
                .map(|(_, r)| r.as_slice());
            let hits = s.search(ix, &q, within, &[]);
            narrow.push(t.elapsed());
            prev = Some((q, hits));
        }
    }
    narrow.sort();
    println!(
        "search {label}: median {:.2} ms, p95 {:.2} ms over {} runs; typing (narrowing) median {:.2} ms, p95 {:.2} ms",
        percentile(&times, 0.5).as_secs_f64() * 1000.0,
        percentile(&times, 0.95).as_secs_f64() * 1000.0,
        times.len(),
        percentile(&narrow, 0.5).as_secs_f64() * 1000.0,
        percentile(&narrow, 0.95).as_secs_f64() * 1000.0,
    );
}

/// An index of `n` synthetic contacts, with how long it took and what it holds.
fn indexed(n: usize, label: &str) -> Index {
    let people = owned(n);
    let t = Instant::now();
    let ix = build(&people);
    let built = t.elapsed();
    drop(people);
    println!(
        "index {label}: built in {:.0} ms, {:.1} MB on the heap, process RSS {:.0} MB",
        built.as_secs_f64() * 1000.0,
        ix.heap_bytes() as f64 / 1e6,
        rss_mb()
    );
    ix
}

fn bench_search(c: &mut Criterion) {
    let ix = indexed(100_000, "100k");
    figures("100k, all queries", &ix, 1);
    let mut s = Searcher::default();
    for q in ["a", "jhn smt", "tag:vip", "6175550"] {
        let parsed = Query::parse(q);
        c.bench_function(&format!("search 100k {q:?}"), |b| {
            b.iter(|| s.search(&ix, &parsed, None, &[]))
        });
    }
    drop(ix);
    if std::env::var("GHL_BENCH_MILLION").as_deref() != Ok("0") {
        let ix = indexed(1_000_000, "1M");
        figures("1M, queries of 3+ characters", &ix, 3);
    }
}

criterion_group! {
    name = benches;
    config = Criterion::default()
        .warm_up_time(Duration::from_millis(500))
        .measurement_time(Duration::from_secs(2))
        .sample_size(20);
    targets = bench_search
}
criterion_main!(benches);
