//! The sandbox's answers, fetched over real HTTP, validated against the official GoHighLevel
//! OpenAPI schemas (CC0, copied byte-for-byte into `tests/fixtures/ghl-openapi/`, provenance in
//! `SOURCE.md` there).
//!
//! The OpenAPI 3.0 documents become JSON Schema (draft 2020-12) like this:
//! - the `components.schemas` of every file a `$ref` points into (`../common/common-schemas.json`)
//!   are merged into the document's own `components.schemas`, and those refs rewritten to
//!   `#/components/schemas/X`, so every ref resolves inside one document;
//! - `nullable: true` adds `"null"` to the schema's `type`;
//! - a validator's root is `{"$ref": <the response schema the spec names for that path, method
//!   and status>, "components": ...}`, so internal refs resolve against it.
//!
//! Strictness: unknown fields are allowed (the live API sends more than the spec lists), but the
//! envelope keys (`contact`, `tasks`, `contacts`, ...) and the error keys (`statusCode`,
//! `message`) are required even where the spec does not say so: an answer without its envelope
//! key would otherwise validate trivially.
//!
//! The sandbox enforces GHL's burst limit (100 requests per 10 s), so the tests wait out 429s;
//! the single-contact test takes about half a minute.

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};
use std::time::Duration;

use ghl_tui::sandbox::{DEMO_TOKEN, RateConfig, Sandbox, SandboxConfig, Seed};
use jsonschema::{Draft, Validator};
use reqwest::{Method, StatusCode};
use serde_json::{Map, Value, json};

const API_VERSION: &str = "2021-07-28";
/// How many contacts with tasks (and with notes) to read the children of.
const CHILD_CONTACTS: usize = 60;

// --- The spec -------------------------------------------------------------------------------

fn manifest_path(rel: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join(rel)
}

fn read_json(path: &Path) -> Value {
    let text =
        std::fs::read_to_string(path).unwrap_or_else(|e| panic!("read {}: {e}", path.display()));
    serde_json::from_str(&text).unwrap_or_else(|e| panic!("parse {}: {e}", path.display()))
}

/// An OpenAPI document turned into one self-contained JSON Schema document.
struct Spec {
    name: &'static str,
    doc: Value,
}

impl Spec {
    /// The current Contacts API file.
    fn current() -> Spec {
        Spec::load("apps/contacts.json")
    }

    /// The 2025-08-26 Contacts API file, the last one that documents the 200 answer of
    /// `POST /contacts/search`.
    fn history() -> Spec {
        Spec::load("history/de87e88/apps/contacts.json")
    }

    fn load(name: &'static str) -> Spec {
        let path = manifest_path("tests/fixtures/ghl-openapi").join(name);
        let mut doc = read_json(&path);
        let dir = path
            .parent()
            .expect("spec file has a directory")
            .to_path_buf();

        // Merge the schemas of every external file referenced, then point the refs inside.
        let mut external = BTreeSet::new();
        collect_external_refs(&doc, &mut external);
        for file in &external {
            let other = read_json(&dir.join(file));
            let theirs = other
                .pointer("/components/schemas")
                .and_then(Value::as_object)
                .unwrap_or_else(|| panic!("{file}: no components.schemas"))
                .clone();
            let ours = doc
                .pointer_mut("/components/schemas")
                .and_then(Value::as_object_mut)
                .unwrap_or_else(|| panic!("{name}: no components.schemas"));
            for (k, v) in theirs {
                assert!(
                    !ours.contains_key(&k),
                    "{name}: schema {k} from {file} collides with a local one"
                );
                ours.insert(k, v);
            }
        }
        openapi_to_json_schema(&mut doc);
        let mut left = BTreeSet::new();
        collect_external_refs(&doc, &mut left);
        assert!(left.is_empty(), "{name}: unresolved external refs {left:?}");
        Spec { name, doc }
    }

    fn schema_mut(&mut self, schema: &str) -> &mut Map<String, Value> {
        let name = self.name;
        self.doc
            .pointer_mut(&format!("/components/schemas/{schema}"))
            .and_then(Value::as_object_mut)
            .unwrap_or_else(|| panic!("{name}: no schema {schema}"))
    }

    /// The `$ref` of the JSON answer the spec documents for `method path` with `status`.
    fn response_ref(&self, path: &str, method: &str, status: u16) -> String {
        let pointer = format!(
            "/paths/{}/{method}/responses/{status}/content/application~1json/schema/$ref",
            path.replace('~', "~0").replace('/', "~1")
        );
        self.doc
            .pointer(&pointer)
            .and_then(Value::as_str)
            .unwrap_or_else(|| {
                panic!(
                    "{}: no {status} JSON schema for {} {path}",
                    self.name,
                    method.to_uppercase()
                )
            })
            .to_string()
    }

    /// A validator for the answer to `method path` with `status`, checking also that `required`
    /// keys are present (see the module comment) and any `extra` properties.
    fn response(
        &self,
        path: &str,
        method: &str,
        status: u16,
        required: &[&str],
        extra: Value,
    ) -> Dto {
        let reference = self.response_ref(path, method, status);
        self.dto(&reference, required, extra)
    }

    /// A validator for a named schema, e.g. `#/components/schemas/UnprocessableDTO`.
    fn dto(&self, reference: &str, required: &[&str], extra: Value) -> Dto {
        let mut root = Map::new();
        root.insert("$ref".into(), json!(reference));
        if !required.is_empty() {
            root.insert("required".into(), json!(required));
        }
        if !extra.is_null() {
            root.insert("properties".into(), extra);
        }
        root.insert("components".into(), self.doc["components"].clone());
        let schema = Value::Object(root);
        let validator = jsonschema::options()
            .with_draft(Draft::Draft202012)
            .build(&schema)
            .unwrap_or_else(|e| {
                panic!(
                    "{}: schema for {reference} does not compile: {e}",
                    self.name
                )
            });
        let name = reference
            .rsplit('/')
            .next()
            .unwrap_or(reference)
            .to_string();
        Dto { name, validator }
    }
}

fn collect_external_refs(v: &Value, out: &mut BTreeSet<String>) {
    match v {
        Value::Object(o) => {
            for (k, child) in o {
                match (k.as_str(), child) {
                    ("$ref", Value::String(r)) if !r.starts_with('#') => {
                        out.insert(r.split('#').next().unwrap_or_default().to_string());
                    }
                    ("example" | "examples", _) => {}
                    _ => collect_external_refs(child, out),
                }
            }
        }
        Value::Array(a) => a.iter().for_each(|c| collect_external_refs(c, out)),
        _ => {}
    }
}

/// `$ref: "file#/x"` -> `$ref: "#/x"` (the file's schemas were merged in) and
/// `nullable: true` -> `null` is one more allowed type.
fn openapi_to_json_schema(v: &mut Value) {
    match v {
        Value::Object(o) => {
            if let Some(Value::String(r)) = o.get_mut("$ref")
                && let Some(at) = r.find('#')
            {
                *r = r[at..].to_string();
            }
            if o.remove("nullable") == Some(Value::Bool(true)) {
                match o.get_mut("type") {
                    Some(Value::String(t)) => {
                        let t = std::mem::take(t);
                        o.insert("type".into(), json!([t, "null"]));
                    }
                    Some(Value::Array(types)) => types.push(json!("null")),
                    _ => {
                        // No type of its own (a `$ref` or a combinator): allow null beside it.
                        let inner = Value::Object(std::mem::take(o));
                        o.insert("anyOf".into(), json!([inner, {"type": "null"}]));
                    }
                }
                if let Some(Value::Array(values)) = o.get_mut("enum") {
                    values.push(Value::Null);
                }
            }
            for (k, child) in o.iter_mut() {
                if k != "example" && k != "examples" {
                    openapi_to_json_schema(child);
                }
            }
        }
        Value::Array(a) => a.iter_mut().for_each(openapi_to_json_schema),
        _ => {}
    }
}

/// The history file with its two known errata fixed, and nothing else.
///
/// /work/shared/ghl-openapi/FACTS.md ("Listing and searching"): each search result carries a
/// `searchAfter` cursor `[number, id]` (the schema's own example is `[1234, "102goXVW..."]`, yet
/// it types the items as strings), and search results send `dateOfBirth` as epoch milliseconds.
fn search_spec() -> Spec {
    let mut spec = Spec::history();
    let contact = spec.schema_mut("Contact");
    let props = contact
        .get_mut("properties")
        .and_then(Value::as_object_mut)
        .expect("history Contact schema has properties");
    assert_eq!(
        props["searchAfter"]["items"]["type"], "string",
        "erratum changed upstream: revisit the patch"
    );
    assert_eq!(
        props["dateOfBirth"]["type"], "string",
        "erratum changed upstream: revisit the patch"
    );
    props.insert(
        "searchAfter".into(),
        json!({
            "type": "array",
            "prefixItems": [{"type": "number"}, {"type": "string"}],
            "items": false,
            "minItems": 2
        }),
    );
    props.insert("dateOfBirth".into(), json!({"type": "number"}));
    spec
}

struct Dto {
    name: String,
    validator: Validator,
}

// --- Checking -------------------------------------------------------------------------------

/// One kind of mismatch: where in which schema, how often, and the first case seen.
struct Failure {
    count: usize,
    first_request: String,
    first_message: String,
    first_value: String,
}

#[derive(Default)]
struct Checker {
    /// Answers validated, per schema.
    answers: BTreeMap<String, usize>,
    /// Items inside those answers (contacts, tasks, notes, events) validated with them.
    items: usize,
    /// Keyed by schema, generalised instance path, schema keyword and the JSON type sent.
    failures: BTreeMap<(String, String, String, &'static str), Failure>,
}

fn is_index(segment: &str) -> bool {
    !segment.is_empty() && segment.bytes().all(|b| b.is_ascii_digit())
}

/// `/contacts/17/customFields/2/value` -> `/contacts/*/customFields/*/value`
fn generalise(path: &str) -> String {
    path.split('/')
        .map(|s| if is_index(s) { "*" } else { s })
        .collect::<Vec<_>>()
        .join("/")
}

fn json_type(v: &Value) -> &'static str {
    match v {
        Value::Null => "null",
        Value::Bool(_) => "boolean",
        Value::Number(_) => "number",
        Value::String(_) => "string",
        Value::Array(_) => "array",
        Value::Object(_) => "object",
    }
}

fn excerpt(v: &Value) -> String {
    let s = v.to_string();
    if s.chars().count() > 200 {
        format!("{}...", s.chars().take(200).collect::<String>())
    } else {
        s
    }
}

impl Checker {
    fn check(&mut self, dto: &Dto, request: &str, answer: &Value) {
        *self.answers.entry(dto.name.clone()).or_default() += 1;
        self.items += ["contacts", "tasks", "notes", "events"]
            .iter()
            .filter_map(|k| answer.get(*k).and_then(Value::as_array))
            .map(Vec::len)
            .sum::<usize>();
        for e in dto.validator.iter_errors(answer) {
            let key = (
                dto.name.clone(),
                generalise(e.instance_path().as_str()),
                e.schema_path().as_str().to_string(),
                json_type(e.instance()),
            );
            let f = self.failures.entry(key).or_insert_with(|| Failure {
                count: 0,
                first_request: request.to_string(),
                first_message: e.to_string(),
                first_value: excerpt(e.instance()),
            });
            f.count += 1;
        }
    }

    fn finish(self, test: &str) {
        let answers: usize = self.answers.values().sum();
        println!(
            "{test}: validated {answers} answers holding {} list items: {:?}",
            self.items, self.answers
        );
        if self.failures.is_empty() {
            return;
        }
        let mut report = String::new();
        for ((dto, path, keyword, sent), f) in &self.failures {
            report.push_str(&format!(
                "\n- {dto} at instance path {path} (schema {keyword}), sent a {sent}: {} time(s); first in {}: {}\n  offending value: {}",
                f.count, f.first_request, f.first_message, f.first_value
            ));
        }
        panic!("{test}: sandbox answers do not match the official schemas:{report}");
    }
}

// --- The sandbox over HTTP ------------------------------------------------------------------

struct Api {
    _sandbox: Sandbox,
    http: reqwest::Client,
    base: String,
    location: String,
}

impl Api {
    async fn start() -> Api {
        let seed = Seed::demo().expect("demo seed");
        // Shapes are under test here, not the burst limit: a roomy limit keeps the run short.
        let mut config = SandboxConfig::for_seed(&seed);
        config.rate = RateConfig {
            max: 100_000,
            ..RateConfig::default()
        };
        let sandbox = Sandbox::start(&seed, config, ([127, 0, 0, 1], 0).into())
            .await
            .expect("sandbox starts");
        let http = reqwest::Client::builder()
            .timeout(Duration::from_secs(30))
            .build()
            .expect("HTTP client");
        Api {
            base: sandbox.base_url(),
            location: sandbox.location_id().to_string(),
            _sandbox: sandbox,
            http,
        }
    }

    /// Sends one request with the demo token, waiting out the sandbox's burst limit.
    async fn call(
        &self,
        method: Method,
        path: &str,
        query: &[(&str, &str)],
        body: Option<&Value>,
    ) -> (StatusCode, Value) {
        self.call_as(DEMO_TOKEN, API_VERSION, method, path, query, body)
            .await
    }

    async fn get(&self, path: &str, query: &[(&str, &str)]) -> Value {
        let (status, body) = self.call(Method::GET, path, query, None).await;
        assert_eq!(status, StatusCode::OK, "GET {path} {query:?}: {body}");
        body
    }

    async fn search(&self, body: Value) -> Value {
        let (status, answer) = self
            .call(Method::POST, "/contacts/search", &[], Some(&body))
            .await;
        assert_eq!(
            status,
            StatusCode::OK,
            "POST /contacts/search {body}: {answer}"
        );
        answer
    }

    async fn call_as(
        &self,
        token: &str,
        version: &str,
        method: Method,
        path: &str,
        query: &[(&str, &str)],
        body: Option<&Value>,
    ) -> (StatusCode, Value) {
        for _ in 0..400 {
            let mut req = self
                .http
                .request(method.clone(), format!("{}{path}", self.base))
                .header("Authorization", format!("Bearer {token}"))
                .header("Version", version)
                .query(query);
            if let Some(b) = body {
                req = req.json(b);
            }
            let resp = req
                .send()
                .await
                .unwrap_or_else(|e| panic!("{method} {path}: {e}"));
            let status = resp.status();
            if status == StatusCode::TOO_MANY_REQUESTS {
                tokio::time::sleep(Duration::from_millis(250)).await;
                continue;
            }
            let text = resp
                .text()
                .await
                .unwrap_or_else(|e| panic!("{method} {path}: body: {e}"));
            let json = serde_json::from_str(&text)
                .unwrap_or_else(|e| panic!("{method} {path}: not JSON ({e}): {text}"));
            return (status, json);
        }
        panic!("{method} {path}: still rate limited after 100 s");
    }
}

fn str_field<'a>(v: &'a Value, key: &str, what: &str) -> &'a str {
    v.get(key)
        .and_then(Value::as_str)
        .unwrap_or_else(|| panic!("{what}: no string `{key}` in {}", excerpt(v)))
}

fn array<'a>(v: &'a Value, key: &str, what: &str) -> &'a Vec<Value> {
    v.get(key)
        .and_then(Value::as_array)
        .unwrap_or_else(|| panic!("{what}: no array `{key}` in {}", excerpt(v)))
}

/// The demo data file `assets/demo/{file}.json`, its `key` list.
fn demo_items(file: &str, key: &str) -> Vec<Value> {
    let v = read_json(&manifest_path(&format!("assets/demo/{file}.json")));
    array(&v, key, file).clone()
}

/// Distinct `contactId`s of a demo file, in file order.
fn contacts_with(file: &str, key: &str) -> Vec<String> {
    let mut seen = BTreeSet::new();
    demo_items(file, key)
        .iter()
        .map(|i| str_field(i, "contactId", file).to_string())
        .filter(|id| seen.insert(id.clone()))
        .collect()
}

/// Every contact id of the location, by paging the search endpoint.
async fn all_contact_ids(api: &Api) -> Vec<String> {
    let mut ids = Vec::new();
    for page in 1.. {
        let answer = api
            .search(json!({"locationId": api.location, "pageLimit": 100, "page": page}))
            .await;
        let contacts = array(&answer, "contacts", "search");
        if contacts.is_empty() {
            break;
        }
        ids.extend(
            contacts
                .iter()
                .map(|c| str_field(c, "id", "search").to_string()),
        );
    }
    ids
}

fn location_contact_count(location: &str) -> usize {
    demo_items("contacts", "contacts")
        .iter()
        .filter(|c| {
            c.get("locationId")
                .and_then(Value::as_str)
                .is_none_or(|l| l == location)
        })
        .count()
}

// --- Tests ----------------------------------------------------------------------------------

/// `POST /contacts/search`, every contact of the location, paged both by `page` and by the
/// `searchAfter` cursor.
#[tokio::test]
async fn search_answers_match_search_contact_success_response_dto() {
    let api = Api::start().await;
    let spec = search_spec();
    let dto = spec.response(
        "/contacts/search",
        "post",
        200,
        &["contacts", "total"],
        Value::Null,
    );
    assert_eq!(dto.name, "SearchContactSuccessResponseDto");
    let mut checker = Checker::default();
    let expected = location_contact_count(&api.location);

    let mut by_page = Vec::new();
    for page in 1.. {
        let body = json!({"locationId": api.location, "pageLimit": 100, "page": page});
        let answer = api.search(body.clone()).await;
        checker.check(&dto, &format!("POST /contacts/search {body}"), &answer);
        assert_eq!(
            answer["total"].as_u64(),
            Some(expected as u64),
            "search total"
        );
        let contacts = array(&answer, "contacts", "search");
        if contacts.is_empty() {
            break;
        }
        by_page.extend(
            contacts
                .iter()
                .map(|c| str_field(c, "id", "search").to_string()),
        );
    }

    let mut by_cursor = Vec::new();
    let mut cursor = Value::Null;
    loop {
        let mut body = json!({"locationId": api.location, "pageLimit": 100});
        if !cursor.is_null() {
            body["searchAfter"] = cursor.clone();
        }
        let answer = api.search(body.clone()).await;
        checker.check(&dto, &format!("POST /contacts/search {body}"), &answer);
        let contacts = array(&answer, "contacts", "search");
        let Some(last) = contacts.last() else { break };
        by_cursor.extend(
            contacts
                .iter()
                .map(|c| str_field(c, "id", "search").to_string()),
        );
        cursor = last
            .get("searchAfter")
            .cloned()
            .expect("search results carry searchAfter (FACTS.md)");
    }

    // A query narrows the results; those are validated too.
    for query in ["a", "realty", "buyer", "+1"] {
        let body = json!({"locationId": api.location, "pageLimit": 500, "query": query});
        let answer = api.search(body.clone()).await;
        checker.check(&dto, &format!("POST /contacts/search {body}"), &answer);
    }

    assert_eq!(
        by_page.len(),
        expected,
        "paging by page reaches every contact once"
    );
    assert_eq!(
        by_page.iter().collect::<BTreeSet<_>>().len(),
        expected,
        "no contact twice"
    );
    assert_eq!(
        by_cursor, by_page,
        "cursor paging sees the same contacts in the same order"
    );
    checker.finish("search");
}

/// The deprecated `GET /contacts/` (with its `meta`) and `GET /contacts/business/{id}`.
#[tokio::test]
async fn list_and_business_answers_match_contacts_search_successful_response_dto() {
    let api = Api::start().await;
    let spec = Spec::current();
    // `meta` is not in the spec's DTO but every answer carries it (FACTS.md): require it and
    // check it against the spec's own ContactsMetaSchema.
    let list = spec.response(
        "/contacts/",
        "get",
        200,
        &["contacts", "count", "meta"],
        json!({"meta": {"$ref": "#/components/schemas/ContactsMetaSchema"}}),
    );
    assert_eq!(list.name, "ContactsSearchSuccessfulResponseDto");
    let business = spec.response(
        "/contacts/business/{businessId}",
        "get",
        200,
        &["contacts", "count"],
        Value::Null,
    );
    assert_eq!(business.name, "ContactsSearchSuccessfulResponseDto");
    let mut checker = Checker::default();
    let expected = location_contact_count(&api.location);

    let mut ids = Vec::new();
    let mut after: Option<(String, String)> = None;
    loop {
        let mut query = vec![("locationId", api.location.as_str()), ("limit", "100")];
        if let Some((ms, id)) = &after {
            query.push(("startAfter", ms));
            query.push(("startAfterId", id));
        }
        let answer = api.get("/contacts/", &query).await;
        checker.check(&list, &format!("GET /contacts/ {query:?}"), &answer);
        let contacts = array(&answer, "contacts", "list");
        ids.extend(
            contacts
                .iter()
                .map(|c| str_field(c, "id", "list").to_string()),
        );
        let meta = &answer["meta"];
        if contacts.is_empty() || meta["nextPage"].is_null() {
            break;
        }
        let ms = meta["startAfter"]
            .as_i64()
            .expect("meta.startAfter is a number");
        let id = str_field(meta, "startAfterId", "meta").to_string();
        after = Some((ms.to_string(), id));
    }
    assert_eq!(ids.len(), expected, "the list pages reach every contact");
    assert_eq!(
        ids.iter().collect::<BTreeSet<_>>().len(),
        expected,
        "no contact twice"
    );

    let location = read_json(&manifest_path("assets/demo/location.json"));
    let contacts = demo_items("contacts", "contacts");
    for b in array(&location, "businesses", "location.json") {
        let id = str_field(b, "id", "business");
        let path = format!("/contacts/business/{id}");
        let query = [("locationId", api.location.as_str()), ("limit", "100")];
        let answer = api.get(&path, &query).await;
        checker.check(&business, &format!("GET {path}"), &answer);
        let members = contacts
            .iter()
            .filter(|c| c.get("businessId").and_then(Value::as_str) == Some(id))
            .count();
        assert_eq!(
            array(&answer, "contacts", &path).len(),
            members,
            "{path}: the business's contacts"
        );
    }
    checker.finish("list and business");
}

/// `GET /contacts/{id}` for every contact of the location.
#[tokio::test]
async fn every_single_contact_matches_contacts_by_id_successful_response_dto() {
    let api = Api::start().await;
    let spec = Spec::current();
    let dto = spec.response(
        "/contacts/{contactId}",
        "get",
        200,
        &["contact"],
        Value::Null,
    );
    assert_eq!(dto.name, "ContactsByIdSuccessfulResponseDto");
    let mut checker = Checker::default();
    let ids = all_contact_ids(&api).await;
    assert_eq!(ids.len(), location_contact_count(&api.location));
    for id in &ids {
        let path = format!("/contacts/{id}");
        let answer = api.get(&path, &[]).await;
        checker.check(&dto, &format!("GET {path}"), &answer);
        assert_eq!(
            answer["contact"]["id"],
            json!(id),
            "{path}: the contact asked for"
        );
    }
    checker.finish("single contacts");
}

/// `GET /contacts/{id}/tasks` and `GET /contacts/{id}/tasks/{taskId}` for every task of
/// `CHILD_CONTACTS` contacts.
#[tokio::test]
async fn tasks_match_task_dtos() {
    let api = Api::start().await;
    let spec = Spec::current();
    let list = spec.response(
        "/contacts/{contactId}/tasks",
        "get",
        200,
        &["tasks"],
        Value::Null,
    );
    assert_eq!(list.name, "TasksListSuccessfulResponseDto");
    let one = spec.response(
        "/contacts/{contactId}/tasks/{taskId}",
        "get",
        200,
        &["task"],
        Value::Null,
    );
    assert_eq!(one.name, "TaskByIsSuccessfulResponseDto");
    let mut checker = Checker::default();
    let contacts = contacts_with("tasks", "tasks");
    assert!(
        contacts.len() >= CHILD_CONTACTS,
        "{} contacts with tasks",
        contacts.len()
    );
    for contact in contacts.iter().take(CHILD_CONTACTS) {
        let path = format!("/contacts/{contact}/tasks");
        let answer = api.get(&path, &[]).await;
        checker.check(&list, &format!("GET {path}"), &answer);
        let tasks = array(&answer, "tasks", &path);
        assert!(!tasks.is_empty(), "{path}: the demo data has tasks here");
        for task in tasks {
            let path = format!("{path}/{}", str_field(task, "id", &path));
            let answer = api.get(&path, &[]).await;
            checker.check(&one, &format!("GET {path}"), &answer);
            assert_eq!(
                &answer["task"], task,
                "{path}: the same task as in the list"
            );
        }
    }
    checker.finish("tasks");
}

/// `GET /contacts/{id}/notes` and `GET /contacts/{id}/notes/{id}` for every note of
/// `CHILD_CONTACTS` contacts.
#[tokio::test]
async fn notes_match_note_dtos() {
    let api = Api::start().await;
    let spec = Spec::current();
    let list = spec.response(
        "/contacts/{contactId}/notes",
        "get",
        200,
        &["notes"],
        Value::Null,
    );
    assert_eq!(list.name, "GetNotesListSuccessfulResponseDto");
    let one = spec.response(
        "/contacts/{contactId}/notes/{id}",
        "get",
        200,
        &["note"],
        Value::Null,
    );
    assert_eq!(one.name, "GetCreateUpdateNoteSuccessfulResponseDto");
    let mut checker = Checker::default();
    let contacts = contacts_with("notes", "notes");
    assert!(
        contacts.len() >= CHILD_CONTACTS,
        "{} contacts with notes",
        contacts.len()
    );
    for contact in contacts.iter().take(CHILD_CONTACTS) {
        let path = format!("/contacts/{contact}/notes");
        let answer = api.get(&path, &[]).await;
        checker.check(&list, &format!("GET {path}"), &answer);
        let notes = array(&answer, "notes", &path);
        assert!(!notes.is_empty(), "{path}: the demo data has notes here");
        for note in notes {
            let path = format!("{path}/{}", str_field(note, "id", &path));
            let answer = api.get(&path, &[]).await;
            checker.check(&one, &format!("GET {path}"), &answer);
            assert_eq!(
                &answer["note"], note,
                "{path}: the same note as in the list"
            );
        }
    }
    checker.finish("notes");
}

/// `GET /contacts/{id}/appointments` for every contact that has appointments.
#[tokio::test]
async fn appointments_match_get_events_successful_response_dto() {
    let api = Api::start().await;
    let spec = Spec::current();
    let dto = spec.response(
        "/contacts/{contactId}/appointments",
        "get",
        200,
        &["events"],
        Value::Null,
    );
    assert_eq!(dto.name, "GetEventsSuccessfulResponseDto");
    let mut checker = Checker::default();
    let contacts = contacts_with("appointments", "events");
    assert!(
        contacts.len() >= 50,
        "{} contacts with appointments",
        contacts.len()
    );
    for contact in &contacts {
        let path = format!("/contacts/{contact}/appointments");
        let answer = api.get(&path, &[]).await;
        checker.check(&dto, &format!("GET {path}"), &answer);
        assert!(
            !array(&answer, "events", &path).is_empty(),
            "{path}: the demo data has events here"
        );
    }
    // A contact without appointments answers an empty list, which must validate too.
    let ids = all_contact_ids(&api).await;
    let with: BTreeSet<&String> = contacts.iter().collect();
    let without = ids
        .iter()
        .find(|id| !with.contains(id))
        .expect("a contact without appointments");
    let path = format!("/contacts/{without}/appointments");
    let answer = api.get(&path, &[]).await;
    checker.check(&dto, &format!("GET {path}"), &answer);
    checker.finish("appointments");
}

/// A read endpoint: the spec documenting it, its path template there, and a real request.
struct Endpoint<'a> {
    spec: &'a Spec,
    template: &'static str,
    method: Method,
    path: String,
    query: Vec<(&'static str, &'a str)>,
    body: Option<&'a Value>,
}

impl<'a> Endpoint<'a> {
    fn get(spec: &'a Spec, template: &'static str, path: String) -> Self {
        Endpoint {
            spec,
            template,
            method: Method::GET,
            path,
            query: Vec::new(),
            body: None,
        }
    }

    /// The method as the spec's `paths` spell it.
    fn method_name(&self) -> String {
        self.method.as_str().to_lowercase()
    }
}

/// Error answers: 401 for a bad token on every read endpoint, 422 for out-of-range limits, 400
/// for a missing contact and for a wrong `Version`.
#[tokio::test]
async fn error_answers_match_common_error_dtos() {
    let api = Api::start().await;
    let current = Spec::current();
    let history = Spec::history();
    let mut checker = Checker::default();
    // Every error answer carries these (FACTS.md, "Errors"); the common DTOs list them without
    // requiring them.
    let keys = ["statusCode", "message"];

    let task = demo_items("tasks", "tasks")
        .first()
        .cloned()
        .expect("a demo task");
    let note = demo_items("notes", "notes")
        .first()
        .cloned()
        .expect("a demo note");
    let (task_contact, task_id) = (
        str_field(&task, "contactId", "task"),
        str_field(&task, "id", "task"),
    );
    let (note_contact, note_id) = (
        str_field(&note, "contactId", "note"),
        str_field(&note, "id", "note"),
    );
    let contact = task_contact;
    let business = "6510f4b5c9c80f1573eea856";
    let location = api.location.clone();
    let search_body = json!({"locationId": location, "pageLimit": 10});

    let endpoints = [
        Endpoint::get(
            &current,
            "/contacts/{contactId}",
            format!("/contacts/{contact}"),
        ),
        Endpoint::get(
            &current,
            "/contacts/{contactId}/tasks",
            format!("/contacts/{task_contact}/tasks"),
        ),
        Endpoint::get(
            &current,
            "/contacts/{contactId}/tasks/{taskId}",
            format!("/contacts/{task_contact}/tasks/{task_id}"),
        ),
        Endpoint::get(
            &current,
            "/contacts/{contactId}/notes",
            format!("/contacts/{note_contact}/notes"),
        ),
        Endpoint::get(
            &current,
            "/contacts/{contactId}/notes/{id}",
            format!("/contacts/{note_contact}/notes/{note_id}"),
        ),
        Endpoint::get(
            &current,
            "/contacts/{contactId}/appointments",
            format!("/contacts/{contact}/appointments"),
        ),
        Endpoint {
            query: vec![("locationId", location.as_str())],
            ..Endpoint::get(&current, "/contacts/", "/contacts/".into())
        },
        Endpoint {
            query: vec![("locationId", location.as_str())],
            ..Endpoint::get(
                &current,
                "/contacts/business/{businessId}",
                format!("/contacts/business/{business}"),
            )
        },
        Endpoint {
            method: Method::POST,
            body: Some(&search_body),
            ..Endpoint::get(&history, "/contacts/search", "/contacts/search".into())
        },
    ];

    // 401: a token the API does not know, on every read endpoint.
    for e in &endpoints {
        let (method, path) = (&e.method, &e.path);
        let dto = e
            .spec
            .response(e.template, &e.method_name(), 401, &keys, Value::Null);
        assert_eq!(dto.name, "UnauthorizedDTO");
        let (status, answer) = api
            .call_as(
                "pit-not-a-real-token",
                API_VERSION,
                method.clone(),
                path,
                &e.query,
                e.body,
            )
            .await;
        assert_eq!(
            status,
            StatusCode::UNAUTHORIZED,
            "{method} {path} with a bad token: {answer}"
        );
        assert_eq!(
            answer["statusCode"],
            json!(401),
            "{method} {path}: statusCode mirrors the status"
        );
        checker.check(&dto, &format!("{method} {path} (bad token)"), &answer);
    }

    // 400: a `Version` the API does not accept, on every read endpoint (all document a 400).
    for e in &endpoints {
        let (method, path) = (&e.method, &e.path);
        let dto = e
            .spec
            .response(e.template, &e.method_name(), 400, &keys, Value::Null);
        assert_eq!(dto.name, "BadRequestDTO");
        let (status, answer) = api
            .call_as(
                DEMO_TOKEN,
                "2021-04-15",
                method.clone(),
                path,
                &e.query,
                e.body,
            )
            .await;
        assert_eq!(
            status,
            StatusCode::BAD_REQUEST,
            "{method} {path} with a wrong Version: {answer}"
        );
        assert_eq!(
            answer["statusCode"],
            json!(400),
            "{method} {path}: statusCode mirrors the status"
        );
        checker.check(&dto, &format!("{method} {path} (wrong Version)"), &answer);
    }

    // 400: a contact that does not exist, on the contact and its child lists.
    let missing = "NoSuchContact0000000";
    for (spec_path, path) in [
        ("/contacts/{contactId}", format!("/contacts/{missing}")),
        (
            "/contacts/{contactId}/tasks",
            format!("/contacts/{missing}/tasks"),
        ),
        (
            "/contacts/{contactId}/notes",
            format!("/contacts/{missing}/notes"),
        ),
        (
            "/contacts/{contactId}/appointments",
            format!("/contacts/{missing}/appointments"),
        ),
    ] {
        let dto = current.response(spec_path, "get", 400, &keys, Value::Null);
        assert_eq!(dto.name, "BadRequestDTO");
        let (status, answer) = api.call(Method::GET, &path, &[], None).await;
        assert_eq!(status, StatusCode::BAD_REQUEST, "GET {path}: {answer}");
        assert_eq!(
            answer["statusCode"],
            json!(400),
            "GET {path}: statusCode mirrors the status"
        );
        checker.check(&dto, &format!("GET {path} (missing contact)"), &answer);
    }

    // 422: search with pageLimit over 500. Neither spec file lists a 422 for search, so the
    // common UnprocessableDTO is used by name.
    let unprocessable = current.dto("#/components/schemas/UnprocessableDTO", &keys, Value::Null);
    for body in [
        json!({"locationId": location, "pageLimit": 501}),
        json!({"locationId": location}),
        json!({"pageLimit": 10}),
    ] {
        let (status, answer) = api
            .call(Method::POST, "/contacts/search", &[], Some(&body))
            .await;
        assert_eq!(
            status,
            StatusCode::UNPROCESSABLE_ENTITY,
            "POST /contacts/search {body}: {answer}"
        );
        assert_eq!(
            answer["statusCode"],
            json!(422),
            "search {body}: statusCode mirrors the status"
        );
        checker.check(
            &unprocessable,
            &format!("POST /contacts/search {body}"),
            &answer,
        );
    }

    // 422: list endpoints with a limit over 100, as their specs document.
    for (spec_path, path) in [
        ("/contacts/", "/contacts/".to_string()),
        (
            "/contacts/business/{businessId}",
            format!("/contacts/business/{business}"),
        ),
    ] {
        let dto = current.response(spec_path, "get", 422, &keys, Value::Null);
        assert_eq!(dto.name, "UnprocessableDTO");
        let query = [("locationId", location.as_str()), ("limit", "101")];
        let (status, answer) = api.call(Method::GET, &path, &query, None).await;
        assert_eq!(
            status,
            StatusCode::UNPROCESSABLE_ENTITY,
            "GET {path} limit 101: {answer}"
        );
        assert_eq!(
            answer["statusCode"],
            json!(422),
            "GET {path}: statusCode mirrors the status"
        );
        checker.check(&dto, &format!("GET {path} limit=101"), &answer);
    }
    checker.finish("errors");
}

/// The conversion itself: a few hand-made instances the schemas must accept or reject, so a
/// conversion bug cannot make every answer pass.
#[test]
fn converted_schemas_accept_and_reject_as_the_spec_says() {
    let spec = Spec::current();
    let contact = spec.response(
        "/contacts/{contactId}",
        "get",
        200,
        &["contact"],
        Value::Null,
    );
    assert!(
        contact
            .validator
            .is_valid(&json!({"contact": {"id": "x", "tags": ["a"]}}))
    );
    assert!(
        !contact.validator.is_valid(&json!({})),
        "the envelope key is required"
    );
    assert!(
        !contact.validator.is_valid(&json!({"contact": {"id": 5}})),
        "types are checked"
    );
    assert!(
        !contact
            .validator
            .is_valid(&json!({"contact": {"tags": [1]}})),
        "array items are checked"
    );
    let dnd = json!({"contact": {"dndSettings": {"SMS": {"status": "sometimes"}}}});
    assert!(
        !contact.validator.is_valid(&dnd),
        "refs into components resolve, enums hold"
    );
    // `nullable: true` admits null; a property without it does not.
    let source = json!({"contact": {"attributionSource": {"url": "u", "campaign": null}}});
    assert!(contact.validator.is_valid(&source));
    assert!(
        !contact
            .validator
            .is_valid(&json!({"contact": {"attributionSource": {"url": null}}}))
    );
    // Refs into the common file resolve.
    let unauthorized = spec.response(
        "/contacts/{contactId}",
        "get",
        401,
        &["statusCode", "message"],
        Value::Null,
    );
    assert!(
        unauthorized
            .validator
            .is_valid(&json!({"statusCode": 401, "message": "no"}))
    );
    assert!(
        !unauthorized
            .validator
            .is_valid(&json!({"statusCode": "401", "message": "no"}))
    );

    let search = search_spec();
    let dto = search.response(
        "/contacts/search",
        "post",
        200,
        &["contacts", "total"],
        Value::Null,
    );
    let hit = |after: Value, dob: Value| json!({"contacts": [{"id": "x", "searchAfter": after, "dateOfBirth": dob}], "total": 1});
    assert!(
        dto.validator
            .is_valid(&hit(json!([1234, "x"]), json!(631152000000_i64)))
    );
    assert!(
        !dto.validator.is_valid(&hit(json!(["1234", "x"]), json!(0))),
        "searchAfter starts with a number"
    );
    assert!(
        !dto.validator
            .is_valid(&hit(json!([1234, "x"]), json!("1990-01-01"))),
        "dateOfBirth is epoch ms"
    );
}
