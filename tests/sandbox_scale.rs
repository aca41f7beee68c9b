//! The sandbox at scale, over real HTTP on 127.0.0.1: a synthetic account of many thousands of
//! contacts paged with `searchAfter` in `dateUpdated` order, date-range filters as the sync
//! client sends them (ISO or epoch ms, in AND groups), contacts changed, added and removed
//! while a client pages, and the 422 a filter the sandbox does not serve gets.

mod common;

use std::collections::{HashMap, HashSet};
use std::time::Instant;

use ghl_tui::sandbox::{DEMO_TOKEN, RateConfig, Sandbox, SandboxConfig, Seed};
use serde_json::{Value, json};

const VERSION: &str = "2021-07-28";

struct Api {
    sb: Sandbox,
    http: reqwest::Client,
}

impl Api {
    /// A sandbox on `seed` with a burst limit roomy enough to page through everything.
    async fn start(seed: &Seed) -> Api {
        let mut config = SandboxConfig::for_seed(seed);
        config.rate = RateConfig {
            max: 1_000_000,
            daily: 10_000_000,
            ..RateConfig::default()
        };
        Api {
            sb: common::start_with(seed, config).await,
            http: reqwest::Client::new(),
        }
    }

    async fn send(&self, method: reqwest::Method, path: &str, body: Option<Value>) -> (u16, Value) {
        let mut req = self
            .http
            .request(method, format!("{}{path}", self.sb.base_url()))
            .bearer_auth(DEMO_TOKEN)
            .header("Version", VERSION);
        if let Some(b) = body {
            req = req.json(&b);
        }
        let resp = req.send().await.expect("the sandbox answers");
        let status = resp.status().as_u16();
        (status, resp.json().await.unwrap_or(Value::Null))
    }

    async fn search(&self, mut body: Value) -> (u16, Value) {
        body["locationId"] = json!(self.sb.location_id());
        self.send(reqwest::Method::POST, "/contacts/search", Some(body))
            .await
    }

    /// Every page of a search, following `searchAfter` from each page's last contact.
    /// Returns the contacts in order and each page's `total`.
    async fn all(&self, body: Value) -> (Vec<Value>, Vec<u64>) {
        let mut out: Vec<Value> = Vec::new();
        let mut totals = Vec::new();
        loop {
            let mut b = body.clone();
            if let Some(last) = out.last() {
                b["searchAfter"] = last["searchAfter"].clone();
            }
            let (status, page) = self.search(b).await;
            assert_eq!(status, 200, "{page}");
            totals.push(page["total"].as_u64().expect("total"));
            let contacts = page["contacts"].as_array().expect("contacts").clone();
            let short = contacts.len() < body["pageLimit"].as_u64().unwrap_or(20) as usize;
            out.extend(contacts);
            if short {
                return (out, totals);
            }
        }
    }
}

fn ms_of(c: &serde_json::Map<String, Value>, key: &str) -> i64 {
    c.get(key)
        .and_then(Value::as_str)
        .and_then(ghl_tui::api::time::epoch_ms)
        .expect("a date")
}

fn id(c: &Value) -> String {
    c["id"].as_str().expect("id").to_string()
}

/// `(dateUpdated ms, id)` of every contact of the seed, ascending.
fn updated_order(seed: &Seed) -> Vec<(i64, String)> {
    let mut v: Vec<(i64, String)> = seed
        .contacts
        .iter()
        .map(|c| {
            (
                ms_of(c, "dateUpdated"),
                c["id"].as_str().expect("id").into(),
            )
        })
        .collect();
    v.sort();
    v
}

fn range(field: &str, op: &str, value: Value) -> Value {
    json!({"field": field, "operator": "range", "value": {op: value}})
}

fn iso(ms: i64) -> String {
    chrono::DateTime::from_timestamp_millis(ms)
        .expect("a time")
        .to_rfc3339_opts(chrono::SecondsFormat::Millis, true)
}

const BY_UPDATED: &str = "dateUpdated";

#[tokio::test]
async fn paging_by_search_after_in_date_updated_order_returns_every_contact_once() {
    let seed = Seed::synthetic(20_000);
    let api = Api::start(&seed).await;
    assert_eq!(api.sb.contact_count(), 20_000);
    let (all, totals) = api
        .all(json!({"pageLimit": 500, "sort": [{"field": BY_UPDATED, "direction": "asc"}]}))
        .await;
    assert_eq!(all.len(), 20_000);
    assert!(totals.iter().all(|t| *t == 20_000), "{totals:?}");
    let keys: Vec<(i64, String)> = all
        .iter()
        .map(|c| {
            let o = c.as_object().expect("object");
            let cursor = &c["searchAfter"];
            assert_eq!(
                cursor[0].as_i64(),
                Some(ms_of(o, "dateUpdated")),
                "{cursor}"
            );
            assert_eq!(cursor[1].as_str(), c["id"].as_str());
            (ms_of(o, "dateUpdated"), id(c))
        })
        .collect();
    assert!(
        keys.windows(2).all(|w| w[0] < w[1]),
        "not in (dateUpdated, id) order"
    );
    assert_eq!(
        keys.iter().map(|k| &k.1).collect::<HashSet<_>>().len(),
        20_000
    );
    assert_eq!(keys, updated_order(&seed));
    // The account has exact ties in dateUpdated, and some run of them is cut by a page end:
    // the id tiebreak is what kept those contacts from being lost or repeated.
    let cut_tie = keys
        .chunks(500)
        .zip(keys.chunks(500).skip(1))
        .any(|(a, b)| a.last().map(|k| k.0) == b.first().map(|k| k.0));
    assert!(cut_tie, "no page boundary fell inside a tie");
}

#[tokio::test]
async fn a_range_filter_returns_exactly_the_contacts_updated_after_it_as_iso_or_ms() {
    let seed = Seed::synthetic(5_000);
    let api = Api::start(&seed).await;
    let order = updated_order(&seed);
    let t = order[order.len() / 2].0;
    let after: HashSet<String> = order
        .iter()
        .filter(|k| k.0 > t)
        .map(|k| k.1.clone())
        .collect();
    let sort = json!([{"field": BY_UPDATED, "direction": "asc"}]);
    for value in [json!(iso(t)), json!(t)] {
        let (got, totals) = api
            .all(json!({
                "pageLimit": 400,
                "sort": sort,
                "filters": [range(BY_UPDATED, "gt", value.clone())],
            }))
            .await;
        let ids: HashSet<String> = got.iter().map(id).collect();
        assert_eq!(ids.len(), got.len(), "a contact came twice");
        assert_eq!(ids, after, "gt {value}");
        assert!(totals.iter().all(|n| *n as usize == after.len()));
    }
    // gte also has the ones updated exactly at T; an AND group of gte and lt is a window.
    let at_t = order.iter().filter(|k| k.0 == t).count();
    let (gte, _) = api
        .all(json!({"pageLimit": 500, "sort": sort,
            "filters": [range(BY_UPDATED, "gte", json!(iso(t)))]}))
        .await;
    assert_eq!(gte.len(), after.len() + at_t);
    let (lo, hi) = (order[1_000].0, order[2_000].0);
    let want = order.iter().filter(|k| k.0 >= lo && k.0 < hi).count();
    let (window, totals) = api
        .all(
            json!({"pageLimit": 300, "sort": sort, "filters": [{"group": "AND", "filters": [
                range(BY_UPDATED, "gte", json!(lo)),
                range(BY_UPDATED, "lt", json!(iso(hi))),
            ]}]}),
        )
        .await;
    assert_eq!(window.len(), want);
    assert_eq!(totals[0] as usize, want);
}

#[tokio::test]
async fn desc_and_default_sorts_page_newest_first() {
    let seed = Seed::synthetic(3_000);
    let api = Api::start(&seed).await;
    let (desc, _) = api
        .all(json!({"pageLimit": 250, "sort": [{"field": BY_UPDATED, "direction": "desc"}]}))
        .await;
    let mut want = updated_order(&seed);
    want.reverse();
    let got: Vec<(i64, String)> = desc
        .iter()
        .map(|c| (c["searchAfter"][0].as_i64().expect("ms"), id(c)))
        .collect();
    assert_eq!(got, want);
    // Without `sort`: newest dateAdded first, the cursor in dateAdded.
    let (default, _) = api.all(json!({"pageLimit": 500})).await;
    let mut added: Vec<(i64, String)> = seed
        .contacts
        .iter()
        .map(|c| (ms_of(c, "dateAdded"), c["id"].as_str().expect("id").into()))
        .collect();
    added.sort();
    added.reverse();
    let got: Vec<(i64, String)> = default
        .iter()
        .map(|c| (c["searchAfter"][0].as_i64().expect("ms"), id(c)))
        .collect();
    assert_eq!(got, added);
}

#[tokio::test]
async fn changes_while_a_client_syncs_show_in_the_next_updated_since_search() {
    let seed = Seed::synthetic(2_000);
    let api = Api::start(&seed).await;
    let watermark = updated_order(&seed).last().expect("contacts").0;
    let since = |t: i64| {
        json!({"pageLimit": 100, "sort": [{"field": BY_UPDATED, "direction": "asc"}],
            "filters": [range(BY_UPDATED, "gt", json!(iso(t)))]})
    };
    let (none, _) = api.all(since(watermark)).await;
    assert!(none.is_empty());

    let touched = seed.contacts[17]["id"].as_str().expect("id").to_string();
    api.sb.touch(&touched);
    let (got, _) = api.all(since(watermark)).await;
    assert_eq!(
        got.iter().map(id).collect::<Vec<_>>(),
        vec![touched.clone()]
    );
    assert!(
        got[0]["companyName"]
            .as_str()
            .is_some_and(|c| c.ends_with("(edited)")),
        "{}",
        got[0]["companyName"]
    );
    let new_mark = got[0]["searchAfter"][0].as_i64().expect("ms");
    assert!(new_mark > watermark);

    let added = api.sb.add_contacts(3);
    assert_eq!(added.len(), 3);
    assert_eq!(api.sb.contact_count(), 2_003);
    let (got, _) = api.all(since(watermark)).await;
    let ids: HashSet<String> = got.iter().map(id).collect();
    assert_eq!(ids.len(), 4);
    assert!(ids.contains(&touched) && added.iter().all(|a| ids.contains(a)));

    // A write over the API moves dateUpdated too; a note does not (as on the live API).
    let other = seed.contacts[99]["id"].as_str().expect("id").to_string();
    let (status, _) = api
        .send(
            reqwest::Method::POST,
            &format!("/contacts/{other}/notes"),
            Some(json!({"body": "Called, no answer."})),
        )
        .await;
    assert_eq!(status, 201);
    let (got, _) = api.all(since(watermark)).await;
    assert_eq!(got.len(), 4, "a note moved dateUpdated");
    let (status, _) = api
        .send(
            reqwest::Method::POST,
            &format!("/contacts/{other}/tags"),
            Some(json!({"tags": ["synced"]})),
        )
        .await;
    assert_eq!(status, 201);
    let (got, _) = api.all(since(watermark)).await;
    assert!(got.iter().any(|c| id(c) == other));

    // Removed: gone from every search and from GET; a second removal finds nothing.
    assert!(api.sb.remove_contact(&touched));
    assert!(!api.sb.remove_contact(&touched));
    assert_eq!(api.sb.contact_count(), 2_002);
    let (all, totals) = api
        .all(json!({"pageLimit": 500, "sort": [{"field": BY_UPDATED, "direction": "asc"}]}))
        .await;
    assert_eq!(all.len(), 2_002);
    assert_eq!(totals[0], 2_002);
    assert!(all.iter().all(|c| id(c) != touched));
    let (status, _) = api
        .send(reqwest::Method::GET, &format!("/contacts/{touched}"), None)
        .await;
    assert_eq!(status, 400);
}

#[tokio::test]
async fn filters_and_sorts_the_sandbox_does_not_serve_are_422() {
    let seed = Seed::synthetic(50);
    let api = Api::start(&seed).await;
    let bad = [
        json!({"filters": [range("email", "gt", json!(1))]}),
        json!({"filters": [{"field": BY_UPDATED, "operator": "eq", "value": 1}]}),
        json!({"filters": [range(BY_UPDATED, "after", json!(1))]}),
        json!({"filters": [range(BY_UPDATED, "gt", json!("last tuesday"))]}),
        json!({"filters": [{"group": "AND", "filters": [range("tags", "gt", json!(1))]}]}),
        json!({"filters": {"field": BY_UPDATED}}),
        json!({"sort": [{"field": "email", "direction": "asc"}]}),
        json!({"sort": [{"field": BY_UPDATED, "direction": "up"}]}),
        json!({"searchAfter": ["x", "y"]}),
    ];
    for mut body in bad {
        body["pageLimit"] = json!(10);
        let (status, answer) = api.search(body.clone()).await;
        assert_eq!(status, 422, "{body} -> {answer}");
        assert_eq!(answer["statusCode"], 422);
        assert_eq!(answer["error"], "Unprocessable Entity");
        assert!(answer["message"].as_array().is_some_and(|m| !m.is_empty()));
    }
}

#[test]
fn the_synthetic_account_is_deterministic_and_varied() {
    let a = Seed::synthetic(5_000);
    let b = Seed::synthetic(5_000);
    assert_eq!(a.contacts, b.contacts);
    assert_eq!(a.notes, b.notes);
    let text = |c: &serde_json::Map<String, Value>, k: &str| {
        c.get(k).and_then(Value::as_str).unwrap_or("").to_string()
    };
    let names: Vec<String> = a
        .contacts
        .iter()
        .map(|c| format!("{} {}", text(c, "firstName"), text(c, "lastName")))
        .collect();
    let has = |f: fn(char) -> bool| names.iter().any(|n| n.chars().any(f));
    assert!(has(|c| ('\u{0400}'..='\u{04FF}').contains(&c)), "Cyrillic");
    assert!(has(|c| ('\u{0370}'..='\u{03FF}').contains(&c)), "Greek");
    assert!(has(|c| ('\u{4E00}'..='\u{9FFF}').contains(&c)), "CJK");
    assert!(has(|c| ('\u{0600}'..='\u{06FF}').contains(&c)), "Arabic");
    assert!(
        names.iter().any(|n| n.contains("İ") || n.contains("Ş")),
        "Turkish"
    );
    assert!(
        names
            .iter()
            .any(|n| n.contains('ü') || n.contains('ñ') || n.contains('ú'))
    );
    let emails: Vec<String> = a.contacts.iter().map(|c| text(c, "email")).collect();
    assert!(emails.iter().all(|e| e.is_ascii()));
    assert!(emails.iter().all(|e| e.contains('@')));
    let phones: Vec<String> = a.contacts.iter().map(|c| text(c, "phone")).collect();
    assert!(phones.iter().any(String::is_empty));
    assert!(phones.iter().any(|p| p.starts_with('(')));
    assert!(phones.iter().any(|p| p.starts_with("+44 ")));
    assert!(
        phones
            .iter()
            .any(|p| p.starts_with("+1") && !p.contains(' '))
    );
    let companies: HashSet<String> = a.contacts.iter().map(|c| text(c, "companyName")).collect();
    assert!(companies.len() > 150 && companies.contains(""));
    let mut per_tag: HashMap<String, usize> = HashMap::new();
    for c in &a.contacts {
        let tags = c["tags"].as_array().expect("tags");
        assert!(tags.len() <= 4);
        for t in tags {
            *per_tag.entry(t.as_str().expect("tag").into()).or_default() += 1;
        }
    }
    assert!(per_tag.contains_key("vip") && per_tag.contains_key("newsletter"));
    assert!(a.contacts.iter().all(|c| {
        let fields = c["customFields"].as_array().expect("customFields");
        fields
            .iter()
            .all(|f| f["id"].is_string() && f["value"].is_string())
    }));
    assert!(
        a.contacts
            .iter()
            .all(|c| ms_of(c, "dateUpdated") >= ms_of(c, "dateAdded"))
    );
    let with_notes: HashSet<&str> = a
        .notes
        .iter()
        .filter_map(|n| n["contactId"].as_str())
        .collect();
    assert!(
        (300..=700).contains(&with_notes.len()),
        "{}",
        with_notes.len()
    );
    let bodies: HashSet<&str> = a.notes.iter().filter_map(|n| n["body"].as_str()).collect();
    assert!(
        bodies.len() > a.notes.len() / 2,
        "note bodies repeat too much"
    );
}

/// The figures in the report: `cargo test --release --test sandbox_scale -- --ignored
/// --nocapture`.
#[tokio::test]
#[ignore = "a measurement; run in release"]
async fn measure_generation_and_paging_at_scale() {
    for n in [100_000, 1_000_000] {
        let t = Instant::now();
        let seed = Seed::synthetic(n);
        println!("Seed::synthetic({n}): {:?}", t.elapsed());
        let t = Instant::now();
        let api = Api::start(&seed).await;
        println!("sandbox start on {n}: {:?}", t.elapsed());
        let t = Instant::now();
        let mut cursor = Value::Null;
        for _ in 0..200 {
            let (status, page) = api
                .search(json!({"pageLimit": 500, "searchAfter": cursor,
                    "sort": [{"field": BY_UPDATED, "direction": "asc"}],
                    "filters": [range(BY_UPDATED, "gt", json!("2000-01-01T00:00:00Z"))]}))
                .await;
            assert_eq!(status, 200);
            let contacts = page["contacts"].as_array().expect("contacts");
            assert_eq!(contacts.len(), 500);
            cursor = contacts[499]["searchAfter"].clone();
        }
        println!(
            "200 pages of 500 by searchAfter over {n}: {:?}",
            t.elapsed()
        );
    }
}
