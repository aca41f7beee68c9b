//! The typed client against the sandbox over real HTTP on 127.0.0.1: every read endpoint,
//! paging, error mapping, retries, pacing and unknown-field round trips.

mod common;

use std::collections::HashSet;
use std::time::{Duration, Instant};

use ghl_tui::api::{ApiError, Client, Contact, ListQuery, SearchRequest, paging};
use ghl_tui::sandbox::{Fault, Grant, READONLY_TOKEN, RateConfig, SandboxConfig, Seed};
use serde_json::{Value, json};

fn id_of(v: &serde_json::Map<String, Value>, key: &str) -> String {
    v.get(key).and_then(Value::as_str).expect("id").to_string()
}

/// A contact of the seed that has tasks, notes and appointments.
fn busy_contact(seed: &Seed) -> String {
    let with = |items: &[serde_json::Map<String, Value>]| -> HashSet<String> {
        items.iter().map(|i| id_of(i, "contactId")).collect()
    };
    let (t, n, e) = (with(&seed.tasks), with(&seed.notes), with(&seed.events));
    t.iter()
        .find(|id| n.contains(*id) && e.contains(*id))
        .expect("a contact with tasks, notes and events")
        .clone()
}

#[tokio::test]
async fn reads_one_contact_and_its_tasks_notes_and_appointments() {
    let seed = common::demo_seed();
    let sb = common::start(&seed).await;
    let client = common::client(&sb);
    let id = busy_contact(&seed);

    let contact = client.contact(&id).await.expect("contact");
    assert_eq!(contact.id(), id);
    assert!(!contact.display_name().is_empty());
    assert!(
        contact.dnd_settings.is_some(),
        "the single-contact answer carries dndSettings"
    );

    let tasks = client.tasks(&id).await.expect("tasks");
    let want = seed
        .tasks
        .iter()
        .filter(|t| id_of(t, "contactId") == id)
        .count();
    assert_eq!(tasks.len(), want);
    let task_id = tasks[0].id.clone().expect("task id");
    let task = client.task(&id, &task_id).await.expect("task");
    assert_eq!(task, tasks[0]);
    assert!(task.due().is_some(), "due dates parse");

    let notes = client.notes(&id).await.expect("notes");
    assert_eq!(
        notes.len(),
        seed.notes
            .iter()
            .filter(|n| id_of(n, "contactId") == id)
            .count()
    );
    let note = client
        .note(&id, notes[0].id.as_deref().expect("note id"))
        .await
        .expect("note");
    assert_eq!(note, notes[0]);

    let events = client.appointments(&id).await.expect("appointments");
    assert_eq!(
        events.len(),
        seed.events
            .iter()
            .filter(|e| id_of(e, "contactId") == id)
            .count()
    );
    assert!(
        events
            .iter()
            .all(|e| e.start().is_some() && e.end().is_some()),
        "both time forms parse"
    );
}

#[tokio::test]
async fn appointment_times_in_both_forms_parse_from_the_wire() {
    let seed = common::demo_seed();
    let sb = common::start(&seed).await;
    let client = common::client(&sb);
    let mut forms = HashSet::new();
    for e in seed.events.iter().take(60) {
        let raw = e
            .get("startTime")
            .and_then(Value::as_str)
            .expect("startTime");
        forms.insert(raw.contains('T'));
        let got = client
            .appointments(&id_of(e, "contactId"))
            .await
            .expect("appointments");
        let same = got
            .iter()
            .find(|a| a.id.as_deref() == e.get("id").and_then(Value::as_str))
            .expect("event");
        assert!(same.start().is_some(), "{raw} parses");
    }
    assert_eq!(
        forms.len(),
        2,
        "the demo data has both ISO and `YYYY-MM-DD HH:MM:SS` times"
    );
}

async fn search_all(
    client: &Client,
    location: &str,
    page_limit: u32,
    query: Option<&str>,
) -> (Vec<Contact>, usize) {
    let mut req = Some(SearchRequest {
        location_id: location.into(),
        page_limit,
        page: Some(1),
        query: query.map(String::from),
        search_after: None,
        ..Default::default()
    });
    let (mut all, mut requests) = (Vec::new(), 0);
    while let Some(r) = req {
        let page = client.search(&r).await.expect("search page");
        requests += 1;
        all.extend(page.contacts.iter().cloned());
        req = paging::next_search(&r, &page.contacts, all.len() as u64, page.total);
        assert!(requests < 1_000, "paging must end");
    }
    (all, requests)
}

#[tokio::test]
async fn search_pages_237_contacts_by_100_each_once() {
    let seed = common::demo_seed().truncate(237);
    let sb = common::start(&seed).await;
    let client = common::client(&sb);
    let (all, requests) = search_all(&client, sb.location_id(), 100, None).await;
    assert_eq!(requests, 3);
    let ids: HashSet<&str> = all.iter().map(Contact::id).collect();
    assert_eq!(all.len(), 237);
    assert_eq!(ids.len(), 237, "no contact twice");
    // Search results carry the search shape: contactName, address and a cursor.
    assert!(all.iter().all(|c| c.search_after.is_some()));
    assert!(
        all.iter()
            .any(|c| c.contact_name.is_some() && c.name.is_none())
    );
}

#[tokio::test]
async fn deprecated_list_pages_237_contacts_by_100_with_start_after() {
    let seed = common::demo_seed().truncate(237);
    let sb = common::start(&seed).await;
    let client = common::client(&sb);
    let mut q = ListQuery {
        limit: Some(100),
        ..Default::default()
    };
    let mut ids = Vec::new();
    for _ in 0..10 {
        let page = client.list_contacts(&q).await.expect("list page");
        assert_eq!(page.total, Some(237));
        ids.extend(page.contacts.iter().map(|c| c.id().to_string()));
        if page.contacts.len() < 100 {
            break;
        }
        let meta = page.meta.expect("meta");
        q.start_after_id = meta.start_after_id;
        q.start_after = meta.start_after.map(|v| v as i64);
    }
    let distinct: HashSet<&String> = ids.iter().collect();
    assert_eq!(ids.len(), 237);
    assert_eq!(distinct.len(), 237);
}

#[tokio::test]
async fn deep_search_switches_to_search_after_past_ten_thousand() {
    let seed = Seed::synthetic(10_700);
    let sb = common::start(&seed).await;
    let client = common::client(&sb);
    let (all, requests) = search_all(&client, sb.location_id(), 500, None).await;
    assert_eq!(requests, 22);
    assert_eq!(
        all.iter().map(Contact::id).collect::<HashSet<_>>().len(),
        10_700
    );
    let bodies: Vec<_> = sb
        .requests()
        .into_iter()
        .filter(|r| r.path == "/contacts/search")
        .collect();
    assert_eq!(bodies.len(), 22);
}

#[tokio::test]
async fn search_query_finds_by_name_email_phone_and_company() {
    let seed = common::demo_seed();
    let sb = common::start(&seed).await;
    let client = common::client(&sb);
    let c = &seed.contacts[7];
    let email = c.get("email").and_then(Value::as_str).expect("email");
    let (hits, _) = search_all(&client, sb.location_id(), 100, Some(email)).await;
    assert!(hits.iter().any(|h| h.id() == id_of(c, "id")));
    let (none, _) = search_all(&client, sb.location_id(), 100, Some("zzzz-no-such-person")).await;
    assert!(none.is_empty());
}

#[tokio::test]
async fn business_contacts_are_listed() {
    let seed = common::demo_seed();
    let sb = common::start(&seed).await;
    let client = common::client(&sb);
    let with_business: Vec<_> = seed
        .contacts
        .iter()
        .filter(|c| c.get("businessId").and_then(Value::as_str).is_some())
        .collect();
    let business = id_of(with_business[0], "businessId");
    let want = with_business
        .iter()
        .filter(|c| id_of(c, "businessId") == business)
        .count();
    let page = client
        .business_contacts(&business, Some(100), None, None)
        .await
        .expect("business contacts");
    assert_eq!(page.contacts.len(), want);
    assert_eq!(page.total, Some(want as u64));
}

#[tokio::test]
async fn custom_field_names_come_from_the_locations_api() {
    let seed = common::demo_seed();
    let sb = common::start(&seed).await;
    let defs = common::client(&sb)
        .custom_fields()
        .await
        .expect("custom fields");
    assert_eq!(defs.len(), seed.custom_fields.len());
    assert!(defs.iter().all(|d| d.id.is_some() && d.name.is_some()));
    let req = sb.requests().pop().expect("request");
    assert_eq!(
        req.path,
        format!("/locations/{}/customFields", sb.location_id())
    );
    assert_eq!(req.query, "model=contact");
}

#[tokio::test]
async fn every_request_sends_version_user_agent_and_bearer() {
    let seed = common::demo_seed();
    let sb = common::start(&seed).await;
    let client = common::client(&sb);
    client
        .contact(&id_of(&seed.contacts[0], "id"))
        .await
        .expect("contact");
    let r = &sb.requests()[0];
    assert_eq!(r.version.as_deref(), Some("2021-07-28"));
    assert_eq!(
        r.user_agent.as_deref(),
        Some(concat!("ghl-tui/", env!("CARGO_PKG_VERSION")))
    );
    // A wrong token is refused, which shows the bearer was what let the first one in.
    let bad = Client::new(common::config(&sb, "not-a-token", sb.location_id())).expect("client");
    let err = bad
        .contact(&id_of(&seed.contacts[0], "id"))
        .await
        .expect_err("refused");
    assert!(matches!(err, ApiError::Unauthorized { .. }), "{err:?}");
    assert!(
        err.one_line().starts_with("Token refused: Invalid JWT"),
        "{}",
        err.one_line()
    );
}

#[tokio::test]
async fn missing_scope_maps_to_its_own_error() {
    let seed = common::demo_seed();
    let mut cfg = SandboxConfig::for_seed(&seed);
    cfg.tokens.insert(
        "pit-calendars-only".into(),
        Grant {
            location_id: seed.location_id.clone(),
            scopes: vec!["calendars.readonly".into()],
            ..Default::default()
        },
    );
    let sb = common::start_with(&seed, cfg).await;
    let client =
        Client::new(common::config(&sb, "pit-calendars-only", sb.location_id())).expect("client");
    let err = client
        .contact(&id_of(&seed.contacts[0], "id"))
        .await
        .expect_err("refused");
    assert!(matches!(err, ApiError::MissingScope { .. }), "{err:?}");
    // The read-only token reads fine.
    let ro = Client::new(common::config(&sb, READONLY_TOKEN, sb.location_id())).expect("client");
    ro.contact(&id_of(&seed.contacts[0], "id"))
        .await
        .expect("read-only token reads");
}

#[tokio::test]
async fn validation_errors_keep_every_server_message() {
    let seed = common::demo_seed();
    let sb = common::start(&seed).await;
    let client = common::client(&sb);
    let req = SearchRequest {
        location_id: String::new(),
        page_limit: 501,
        ..Default::default()
    };
    let err = client.search(&req).await.expect_err("422");
    let ApiError::Validation { status, messages } = &err else {
        panic!("{err:?}")
    };
    assert_eq!(*status, 422);
    assert!(
        messages.iter().any(|m| m.contains("locationId")),
        "{messages:?}"
    );
    assert!(
        messages
            .iter()
            .any(|m| m.contains("pageLimit must not be greater than 500")),
        "{messages:?}"
    );
    assert!(err.one_line().starts_with("Rejected: "));
}

#[tokio::test]
async fn other_location_and_missing_contact_are_clear_errors() {
    let seed = common::demo_seed();
    let sb = common::start(&seed).await;
    let client = common::client(&sb);
    let err = client
        .contact("NoSuchContact0000000")
        .await
        .expect_err("missing");
    assert!(matches!(err, ApiError::NotFound { .. }), "{err:?}");
    let other = Client::new(common::config(
        &sb,
        ghl_tui::sandbox::DEMO_TOKEN,
        "SomeOtherLocation000",
    ))
    .expect("client");
    let req = SearchRequest {
        location_id: "SomeOtherLocation000".into(),
        page_limit: 10,
        page: Some(1),
        ..Default::default()
    };
    let err = other.search(&req).await.expect_err("refused");
    assert!(matches!(err, ApiError::Unauthorized { .. }), "{err:?}");
    assert!(
        err.one_line()
            .contains("does not have access to this location"),
        "{}",
        err.one_line()
    );
    // Path segments are encoded: an id cannot climb to another endpoint.
    let err = client
        .contact("../contacts/search")
        .await
        .expect_err("encoded");
    assert!(matches!(err, ApiError::NotFound { .. }), "{err:?}");
}

#[tokio::test]
async fn a_429_is_waited_out_then_retried() {
    let seed = common::demo_seed();
    let sb = common::start(&seed).await;
    let client = common::client(&sb);
    sb.push_faults([Fault::RateLimited(Some(1))]);
    let started = Instant::now();
    client
        .contact(&id_of(&seed.contacts[0], "id"))
        .await
        .expect("succeeds after the wait");
    assert!(
        started.elapsed() >= Duration::from_secs(1),
        "Retry-After was honoured"
    );
    assert_eq!(sb.requests().len(), 2);
}

#[tokio::test]
async fn server_errors_and_dropped_connections_are_retried() {
    let seed = common::demo_seed();
    let sb = common::start(&seed).await;
    let client = common::client(&sb);
    sb.push_faults([Fault::Status(500), Fault::Drop, Fault::Status(503)]);
    let tasks = client
        .tasks(&busy_contact(&seed))
        .await
        .expect("succeeds on the fourth try");
    assert!(!tasks.is_empty());
    assert_eq!(sb.requests().len(), 4);
}

#[tokio::test]
async fn retries_are_bounded() {
    let seed = common::demo_seed();
    let sb = common::start(&seed).await;
    let client = common::client(&sb);
    sb.push_faults(std::iter::repeat_n(Fault::Status(500), 10));
    let err = client
        .contact(&id_of(&seed.contacts[0], "id"))
        .await
        .expect_err("gives up");
    assert!(
        matches!(err, ApiError::Server { status: 500, .. }),
        "{err:?}"
    );
    assert_eq!(sb.requests().len(), 4, "one try and three retries");
}

#[tokio::test]
async fn an_unreadable_answer_is_described_never_shown() {
    let seed = common::demo_seed();
    let sb = common::start(&seed).await;
    let client = common::client(&sb);
    let id = id_of(&seed.contacts[0], "id");
    sb.push_faults([Fault::Malformed]);
    let err = client.contact(&id).await.expect_err("malformed");
    let ApiError::Decode { status, what } = &err else {
        panic!("{err:?}")
    };
    assert_eq!(*status, 200);
    assert_eq!(what, "JSON cut short (21 bytes)");
    assert!(!err.one_line().contains("contacts"), "{}", err.one_line());

    sb.push_faults([Fault::CaptivePortal]);
    let err = client.contact(&id).await.expect_err("a portal page");
    assert_eq!(
        err.one_line(),
        "Unreadable answer from the API (HTTP 200): an HTML page, not JSON: a captive portal or proxy?"
    );
}

#[tokio::test]
async fn a_slow_answer_times_out_and_the_retry_succeeds() {
    let seed = common::demo_seed();
    let sb = common::start(&seed).await;
    let mut cfg = common::config(&sb, ghl_tui::sandbox::DEMO_TOKEN, sb.location_id());
    cfg.request_timeout = Duration::from_millis(300);
    cfg.retry.max_retries = 0;
    let impatient = Client::new(cfg.clone()).expect("client");
    sb.push_faults([Fault::Delay(Duration::from_secs(3))]);
    let err = impatient
        .contact(&id_of(&seed.contacts[0], "id"))
        .await
        .expect_err("timeout");
    assert_eq!(err, ApiError::Timeout);
    cfg.retry.max_retries = 1;
    let patient = Client::new(cfg).expect("client");
    sb.push_faults([Fault::Delay(Duration::from_secs(3))]);
    patient
        .contact(&id_of(&seed.contacts[0], "id"))
        .await
        .expect("second try is quick");
}

#[tokio::test]
async fn many_requests_at_once_stay_under_the_burst_limit_and_all_succeed() {
    let seed = common::demo_seed();
    let mut cfg = SandboxConfig::for_seed(&seed);
    cfg.rate = RateConfig {
        max: 5,
        interval: Duration::from_secs(1),
        daily: 200_000,
    };
    let sb = common::start_with(&seed, cfg).await;
    let client = common::client(&sb);
    // The first answer teaches the client the server's limit through its headers.
    client
        .contact(&id_of(&seed.contacts[0], "id"))
        .await
        .expect("first");
    assert_eq!(client.budget().max, 5);
    let started = Instant::now();
    let jobs: Vec<_> = seed.contacts[..20]
        .iter()
        .map(|c| {
            let (client, id) = (client.clone(), id_of(c, "id"));
            tokio::spawn(async move { client.contact(&id).await })
        })
        .collect();
    for job in jobs {
        job.await.expect("join").expect("every request succeeds");
    }
    // 21 requests at 5 a second cannot finish in under 3 seconds unless pacing was skipped.
    assert!(
        started.elapsed() >= Duration::from_secs(3),
        "{:?}",
        started.elapsed()
    );
}

#[tokio::test]
async fn a_burst_into_an_unknown_limit_recovers_from_429s() {
    let seed = common::demo_seed();
    let mut cfg = SandboxConfig::for_seed(&seed);
    cfg.rate = RateConfig {
        max: 4,
        interval: Duration::from_millis(500),
        daily: 200_000,
    };
    let sb = common::start_with(&seed, cfg).await;
    let client = common::client(&sb);
    let jobs: Vec<_> = seed.contacts[..12]
        .iter()
        .map(|c| {
            let (client, id) = (client.clone(), id_of(c, "id"));
            tokio::spawn(async move { client.contact(&id).await })
        })
        .collect();
    for job in jobs {
        job.await
            .expect("join")
            .expect("every request succeeds in the end");
    }
    assert!(sb.rate_limited_count() > 0, "the burst did hit the limit");
}

#[tokio::test]
async fn unknown_fields_and_nulls_survive_a_round_trip() {
    let mut seed = common::demo_seed().truncate(1);
    let extra = json!({
        "additionalEmails": ["second@example.com"],
        "someFutureField": {"nested": [1, 2, 3]},
        "email": null,
        "tags": null,
        "customFields": null,
        "dnd": "true",
    });
    for (k, v) in extra.as_object().expect("object") {
        seed.contacts[0].insert(k.clone(), v.clone());
    }
    let sb = common::start(&seed).await;
    let client = common::client(&sb);
    let contact = client
        .contact(&id_of(&seed.contacts[0], "id"))
        .await
        .expect("contact");
    assert_eq!(contact.email, None);
    assert!(contact.tags.is_empty() && contact.custom_fields.is_empty());
    assert_eq!(contact.dnd, Some(true));
    let back = serde_json::to_value(&contact).expect("serialise");
    assert_eq!(back["additionalEmails"], json!(["second@example.com"]));
    assert_eq!(back["someFutureField"], json!({"nested": [1, 2, 3]}));
    assert_eq!(back["firstName"], seed.contacts[0]["firstName"]);
}

#[tokio::test]
async fn location_tags_list_every_tag_in_use_once() {
    let seed = common::demo_seed();
    let sb = common::start(&seed).await;
    let tags = common::client(&sb).location_tags().await.expect("tags");
    let mut want: Vec<String> = seed
        .contacts
        .iter()
        .flat_map(|c| {
            c.get("tags")
                .and_then(Value::as_array)
                .cloned()
                .unwrap_or_default()
        })
        .filter_map(|t| t.as_str().map(str::to_lowercase))
        .collect();
    want.sort();
    want.dedup();
    assert_eq!(tags, want);
}

/// When the day's allowance is spent the client stops asking: the next request fails at once
/// with when it comes back, and the sandbox sees nothing more.
#[tokio::test]
async fn a_spent_day_stops_requests_until_it_resets() {
    let seed = common::demo_seed();
    let mut cfg = ghl_tui::sandbox::SandboxConfig::for_seed(&seed);
    cfg.rate.daily = 3;
    let sb = common::start_with(&seed, cfg).await;
    let client = common::client(&sb);
    let id = id_of(&seed.contacts[0], "id");
    for _ in 0..3 {
        client
            .contact(&id)
            .await
            .expect("within the day's allowance");
    }
    assert_eq!(client.budget().daily_remaining, Some(0));
    let err = client.contact(&id).await.expect_err("the day is spent");
    let ApiError::DailyLimit { resets_at } = err else {
        panic!("{err:?}")
    };
    assert!(resets_at > chrono::Utc::now());
    assert!(resets_at <= chrono::Utc::now() + chrono::Duration::hours(1));
    assert_eq!(
        sb.requests().len(),
        3,
        "nothing sent once the day was spent"
    );
    assert!(client.waiting().daily_resets.is_some());
}
