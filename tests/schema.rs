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
//! Besides the Contacts API: the location, timezones and tasks-search endpoints
//! (`apps/locations.json`), the users (`apps/users.json`) and calendar events
//! (`apps/calendars.json`). Where the spec leaves an answer untyped (timezones, the items of a
//! tasks search) the answer is checked field by field as FACTS.md describes the live API.
//!
//! The sandbox enforces GHL's burst limit (100 requests per 10 s), so the tests wait out 429s;
//! the single-contact test takes about half a minute.

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};
use std::time::Duration;

use ghl_tui::sandbox::{
    BRANCH_LOCATION_ID, DEMO_TOKEN, Grant, RateConfig, SCOPE_EVENTS_READ, SCOPE_LOCATIONS_READ,
    SCOPE_READ, SCOPE_TASKS_READ, SCOPE_USERS_READ, Sandbox, SandboxConfig, Seed,
};
use jsonschema::{Draft, Validator};
use reqwest::{Method, StatusCode};
use serde_json::{Map, Value, json};

const API_VERSION: &str = "2021-07-28";
/// The Calendars API's `Version` (`apps/calendars.json`).
const CALENDARS_VERSION: &str = "2021-04-15";
/// A token for the agency's second location, and an agency (Company) token, both with every
/// read scope of the endpoints under test.
const BRANCH_TOKEN: &str = "test-branch-token";
const AGENCY_TOKEN: &str = "test-agency-token";
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

    /// Whether the spec documents a JSON answer for `method path` with `status`.
    fn documents(&self, path: &str, method: &str, status: u16) -> bool {
        let pointer = format!(
            "/paths/{}/{method}/responses/{status}/content",
            path.replace('~', "~0").replace('/', "~1")
        );
        self.doc.pointer(&pointer).is_some()
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

/// The Locations file with the erratum of the tasks search answer fixed: it types each item of
/// `tasks` as an array, while every answer (FACTS.md, "Across contacts") lists task objects.
/// The items' fields are left untyped, as the spec leaves them; the tests check them by hand.
fn locations_spec() -> Spec {
    let mut spec = Spec::load("apps/locations.json");
    let list = spec.schema_mut("LocationTaskListSuccessfulResponseDto");
    let tasks = list
        .get_mut("properties")
        .and_then(|p| p.get_mut("tasks"))
        .and_then(Value::as_object_mut)
        .expect("LocationTaskListSuccessfulResponseDto has tasks");
    assert_eq!(
        tasks["items"]["type"], "array",
        "erratum changed upstream: revisit the patch"
    );
    tasks.insert("items".into(), json!({"type": "object"}));
    spec
}

/// The Calendars file with the erratum of `CalendarEventDTO` fixed: it types the four times as
/// `object`, yet gives each an ISO 8601 string as its example (JSON has no date type).
fn calendars_spec() -> Spec {
    let mut spec = Spec::load("apps/calendars.json");
    let event = spec.schema_mut("CalendarEventDTO");
    let props = event
        .get_mut("properties")
        .and_then(Value::as_object_mut)
        .expect("CalendarEventDTO has properties");
    for key in ["startTime", "endTime", "dateAdded", "dateUpdated"] {
        assert_eq!(
            props[key]["type"], "object",
            "erratum changed upstream ({key}): revisit the patch"
        );
        assert!(
            props[key]["example"].is_string(),
            "{key}: the example is a string"
        );
        props[key]["type"] = json!("string");
    }
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
    /// Items inside those answers (contacts, tasks, notes, events, users) validated with them.
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
        self.items += ["contacts", "tasks", "notes", "events", "users"]
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
    company: String,
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
        let reader = |location: &str| Grant {
            location_id: location.to_string(),
            scopes: [
                SCOPE_READ,
                SCOPE_LOCATIONS_READ,
                SCOPE_USERS_READ,
                SCOPE_TASKS_READ,
                SCOPE_EVENTS_READ,
            ]
            .map(String::from)
            .to_vec(),
            company_id: seed.company_id.clone(),
            expires_at: None,
        };
        config
            .tokens
            .insert(BRANCH_TOKEN.into(), reader(BRANCH_LOCATION_ID));
        config.tokens.insert(AGENCY_TOKEN.into(), reader(""));
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
            company: seed.company_id.clone(),
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

// --- Locations, users, tasks search and calendar events -------------------------------------

/// The demo's `location.json`.
fn demo_location() -> Value {
    read_json(&manifest_path("assets/demo/location.json"))
}

/// `GET /locations/{id}` for both of the agency's locations: with a token of each, and with the
/// agency's token for both.
#[tokio::test]
async fn locations_match_get_location_by_id_successful_response_dto() {
    let api = Api::start().await;
    let spec = locations_spec();
    // The fields GetLocationByIdSchema lists that a client shows: required here so an answer
    // without them cannot pass (the spec requires none).
    let shown = json!({"location": {"required": [
        "id", "companyId", "name", "address", "city", "state", "country", "postalCode",
        "website", "timezone", "email", "phone"
    ]}});
    let dto = spec.response("/locations/{locationId}", "get", 200, &["location"], shown);
    assert_eq!(dto.name, "GetLocationByIdSuccessfulResponseDto");
    let demo = demo_location();
    let (main, branch) = (&demo["location"], &demo["branchLocation"]);
    assert_eq!(
        branch["id"],
        json!(BRANCH_LOCATION_ID),
        "location.json's branch is the sandbox's second location"
    );
    let mut checker = Checker::default();
    for (token, want) in [
        (DEMO_TOKEN, main),
        (BRANCH_TOKEN, branch),
        (AGENCY_TOKEN, main),
        (AGENCY_TOKEN, branch),
    ] {
        let id = str_field(want, "id", "location.json");
        let path = format!("/locations/{id}");
        let (status, answer) = api
            .call_as(token, API_VERSION, Method::GET, &path, &[], None)
            .await;
        assert_eq!(status, StatusCode::OK, "GET {path} as {token}: {answer}");
        checker.check(&dto, &format!("GET {path} as {token}"), &answer);
        assert_eq!(&answer["location"], want, "{path}: location.json's record");
        assert_eq!(answer["location"]["companyId"], json!(api.company));
    }
    checker.finish("locations");
}

/// `GET /locations/{id}/timezones`: the spec documents no answer body, so the list is checked
/// by hand: IANA names, sorted, once each, covering the demo's contacts and every continent.
#[tokio::test]
async fn timezones_are_a_list_of_iana_names() {
    let api = Api::start().await;
    let spec = locations_spec();
    assert!(
        spec.doc
            .pointer("/paths/~1locations~1{locationId}~1timezones/get/responses/200/content")
            .is_none(),
        "the spec now types the timezones answer: validate against it"
    );
    let answer = api
        .get(&format!("/locations/{}/timezones", api.location), &[])
        .await;
    let zones: Vec<&str> = array(&answer, "timeZones", "timezones")
        .iter()
        .map(|z| z.as_str().expect("each time zone is a string"))
        .collect();
    assert!(zones.len() >= 300, "{} zones", zones.len());
    assert!(zones.windows(2).all(|w| w[0] < w[1]), "sorted, each once");
    for z in &zones {
        assert!(z.parse::<chrono_tz::Tz>().is_ok(), "{z} is an IANA zone");
    }
    let mut wanted: BTreeSet<String> = demo_items("contacts", "contacts")
        .iter()
        .filter_map(|c| c.get("timezone").and_then(Value::as_str).map(String::from))
        .collect();
    wanted.insert(str_field(&demo_location()["location"], "timezone", "location").into());
    wanted.extend(
        [
            "Africa/Lagos",
            "Africa/Cairo",
            "Africa/Johannesburg",
            "America/New_York",
            "America/Los_Angeles",
            "America/Mexico_City",
            "America/Sao_Paulo",
            "Antarctica/McMurdo",
            "Asia/Kolkata",
            "Asia/Shanghai",
            "Asia/Tokyo",
            "Asia/Dubai",
            "Australia/Sydney",
            "Europe/London",
            "Europe/Berlin",
            "Europe/Moscow",
            "Pacific/Auckland",
            "Pacific/Honolulu",
        ]
        .map(String::from),
    );
    let missing: Vec<&String> = wanted
        .iter()
        .filter(|w| !zones.contains(&w.as_str()))
        .collect();
    assert!(missing.is_empty(), "zones missing: {missing:?}");
}

/// Users as `UserSchema` has them, with the fields a client maps ids to names by.
fn user_fields() -> Value {
    json!({"users": {"items": {"required": ["id", "name", "firstName", "lastName", "email"]}}})
}

fn works_in(user: &Value, location: &str) -> bool {
    user["roles"]["locationIds"]
        .as_array()
        .is_some_and(|ids| ids.iter().any(|i| i == location))
}

/// `GET /users/search` (paged, narrowed by location, query and ids), the deprecated
/// `GET /users/` and `GET /users/{id}` for every demo user.
#[tokio::test]
async fn users_match_user_dtos() {
    let api = Api::start().await;
    let spec = Spec::load("apps/users.json");
    let search = spec.response(
        "/users/search",
        "get",
        200,
        &["users", "count"],
        user_fields(),
    );
    assert_eq!(search.name, "SearchUserSuccessfulResponseDto");
    let listed = spec.response("/users/", "get", 200, &["users"], user_fields());
    assert_eq!(listed.name, "LocationSuccessfulResponseDto");
    let one = spec.response(
        "/users/{userId}",
        "get",
        200,
        &["id", "name", "firstName", "lastName", "email"],
        Value::Null,
    );
    assert_eq!(one.name, "UserSuccessfulResponseDto");
    let mut checker = Checker::default();
    let demo = demo_location();
    let users = array(&demo, "users", "location.json");
    let ids_of = |answer: &Value| -> BTreeSet<String> {
        array(answer, "users", "users")
            .iter()
            .map(|u| str_field(u, "id", "user").to_string())
            .collect()
    };
    let demo_ids = |location: &str| -> BTreeSet<String> {
        users
            .iter()
            .filter(|u| location.is_empty() || works_in(u, location))
            .map(|u| str_field(u, "id", "user").to_string())
            .collect()
    };

    // Each token sees its location's users; the agency's sees the company's.
    let company = api.company.clone();
    for (token, location) in [
        (DEMO_TOKEN, api.location.as_str()),
        (BRANCH_TOKEN, BRANCH_LOCATION_ID),
        (AGENCY_TOKEN, ""),
    ] {
        let query = [("companyId", company.as_str())];
        let (status, answer) = api
            .call_as(
                token,
                API_VERSION,
                Method::GET,
                "/users/search",
                &query,
                None,
            )
            .await;
        assert_eq!(status, StatusCode::OK, "search as {token}: {answer}");
        checker.check(&search, &format!("GET /users/search as {token}"), &answer);
        assert_eq!(ids_of(&answer), demo_ids(location), "{token}: its users");
        assert_eq!(answer["count"], json!(demo_ids(location).len()));
    }
    let branch_users = demo_ids(BRANCH_LOCATION_ID);
    assert!(
        !branch_users.is_empty() && branch_users.len() < users.len(),
        "some users work at the branch, not all"
    );
    let query = [
        ("companyId", company.as_str()),
        ("locationId", BRANCH_LOCATION_ID),
    ];
    let (_, answer) = api
        .call_as(
            AGENCY_TOKEN,
            API_VERSION,
            Method::GET,
            "/users/search",
            &query,
            None,
        )
        .await;
    checker.check(&search, "GET /users/search (agency, branch)", &answer);
    assert_eq!(ids_of(&answer), branch_users, "locationId narrows");

    // Paging with skip and limit reaches each user once, in the full answer's order.
    let full = api
        .get("/users/search", &[("companyId", company.as_str())])
        .await;
    let order: Vec<&str> = array(&full, "users", "users")
        .iter()
        .map(|u| str_field(u, "id", "user"))
        .collect();
    let mut paged = Vec::new();
    for skip in (0..).step_by(2) {
        let skip = skip.to_string();
        let query = [
            ("companyId", company.as_str()),
            ("skip", skip.as_str()),
            ("limit", "2"),
        ];
        let page = api.get("/users/search", &query).await;
        checker.check(&search, &format!("GET /users/search {query:?}"), &page);
        let got = array(&page, "users", "users");
        paged.extend(got.iter().map(|u| str_field(u, "id", "user").to_string()));
        assert_eq!(page["count"], json!(order.len()), "count is of all matches");
        if got.len() < 2 {
            break;
        }
    }
    assert_eq!(paged, order, "pages in the same order");

    // `query` matches the name, the email or the phone.
    let first = &users[0];
    for q in [
        str_field(first, "lastName", "user").to_uppercase(),
        str_field(first, "email", "user")
            .split('@')
            .next()
            .unwrap_or("")
            .to_string(),
        str_field(first, "phone", "user")
            .chars()
            .rev()
            .take(4)
            .collect::<String>()
            .chars()
            .rev()
            .collect(),
    ] {
        let query = [("companyId", company.as_str()), ("query", q.as_str())];
        let answer = api.get("/users/search", &query).await;
        checker.check(&search, &format!("GET /users/search {query:?}"), &answer);
        assert!(
            ids_of(&answer).contains(str_field(first, "id", "user")),
            "query {q} finds {first}"
        );
    }

    let answer = api
        .get("/users/", &[("locationId", api.location.as_str())])
        .await;
    checker.check(&listed, "GET /users/", &answer);
    assert_eq!(ids_of(&answer), demo_ids(&api.location));

    for user in users.iter().filter(|u| works_in(u, &api.location)) {
        let path = format!("/users/{}", str_field(user, "id", "user"));
        let answer = api.get(&path, &[]).await;
        checker.check(&one, &format!("GET {path}"), &answer);
        assert_eq!(&answer, user, "{path}: location.json's user");
    }
    checker.finish("users");
}

/// One item of a tasks search, field by field as FACTS.md describes the live API: `_id` (and
/// `id`), the task's own fields as the store has them, `contactDetails` with the contact's
/// names and ways to reach them, `assignedToUserDetails` with the user's id and names.
fn check_search_task(item: &Value, task: &Value, contact: &Value, user: Option<&Value>) {
    let id = str_field(item, "_id", "search item");
    assert_eq!(item["id"], json!(id), "`id` beside `_id`");
    for key in [
        "title",
        "body",
        "dueDate",
        "completed",
        "contactId",
        "assignedTo",
    ] {
        assert_eq!(item.get(key), task.get(key), "{id}: {key} as stored");
    }
    assert!(
        item["title"].is_string() && item["completed"].is_boolean(),
        "{id}"
    );
    let details = item
        .get("contactDetails")
        .and_then(Value::as_object)
        .unwrap_or_else(|| panic!("{id}: no contactDetails object"));
    for key in ["firstName", "lastName", "email", "phone", "companyName"] {
        assert_eq!(
            details.get(key),
            contact.get(key),
            "{id}: contactDetails.{key}"
        );
    }
    match user {
        Some(u) => {
            let details = &item["assignedToUserDetails"];
            for key in ["id", "firstName", "lastName"] {
                assert!(
                    details[key].is_string(),
                    "{id}: assignedToUserDetails.{key}"
                );
                assert_eq!(details[key], u[key], "{id}: assignedToUserDetails.{key}");
            }
        }
        None => assert!(item.get("assignedToUserDetails").is_none(), "{id}"),
    }
}

/// `POST /locations/{id}/tasks/search` paged through every task of the location.
#[tokio::test]
async fn tasks_search_items_are_shaped_as_the_live_api() {
    let api = Api::start().await;
    let spec = locations_spec();
    let dto = spec.response(
        "/locations/{locationId}/tasks/search",
        "post",
        200,
        &["tasks", "total"],
        json!({"total": {"type": "integer"}}),
    );
    assert_eq!(dto.name, "LocationTaskListSuccessfulResponseDto");
    let mut checker = Checker::default();
    let path = format!("/locations/{}/tasks/search", api.location);
    let tasks: BTreeMap<String, Value> = demo_items("tasks", "tasks")
        .into_iter()
        .map(|t| (str_field(&t, "id", "task").to_string(), t))
        .collect();
    let contacts: BTreeMap<String, Value> = demo_items("contacts", "contacts")
        .into_iter()
        .map(|c| (str_field(&c, "id", "contact").to_string(), c))
        .collect();
    let demo = demo_location();
    let users = array(&demo, "users", "location.json");
    let mut seen = Vec::new();
    for skip in (0..).step_by(50) {
        let body = json!({"limit": 50, "skip": skip});
        let (status, answer) = api.call(Method::POST, &path, &[], Some(&body)).await;
        assert_eq!(status, StatusCode::OK, "POST {path} {body}: {answer}");
        checker.check(&dto, &format!("POST {path} {body}"), &answer);
        assert_eq!(answer["total"], json!(tasks.len()), "total: every task");
        let items = array(&answer, "tasks", &path);
        for item in items {
            let id = str_field(item, "_id", "search item");
            let task = &tasks[id];
            let contact = &contacts[str_field(task, "contactId", "task")];
            let user = users
                .iter()
                .find(|u| Some(&u["id"]) == task.get("assignedTo"));
            check_search_task(item, task, contact, user);
            seen.push(id.to_string());
        }
        if items.len() < 50 {
            break;
        }
    }
    assert_eq!(seen.len(), tasks.len(), "every task once");
    assert_eq!(
        seen.iter().collect::<BTreeSet<_>>(),
        tasks.keys().collect::<BTreeSet<_>>()
    );
    checker.finish("tasks search");
}

/// Epoch ms of an appointment time as the demo files write it: ISO, or the zone-less form in
/// the location's zone (America/New_York).
fn demo_ms(raw: &str) -> i64 {
    use chrono::TimeZone;
    if let Ok(t) = chrono::DateTime::parse_from_rfc3339(raw) {
        return t.timestamp_millis();
    }
    let plain = chrono::NaiveDateTime::parse_from_str(raw, "%Y-%m-%d %H:%M:%S")
        .unwrap_or_else(|e| panic!("{raw}: {e}"));
    chrono_tz::America::New_York
        .from_local_datetime(&plain)
        .earliest()
        .expect("a New York time")
        .timestamp_millis()
}

/// "userId - Owner of an appointment": its primary owner (`assignedUserId`) or one of the
/// secondary ones (`users`).
fn owned_by(event: &Value, user: &str) -> bool {
    event["assignedUserId"] == json!(user)
        || event["users"]
            .as_array()
            .is_some_and(|us| us.iter().any(|u| u == user))
}

/// `GET /calendars/events` by user, by calendar and by group over the whole demo, and over one
/// day.
#[tokio::test]
async fn calendar_events_match_get_calendar_events_successful_response_dto() {
    let api = Api::start().await;
    let spec = calendars_spec();
    let dto = spec.response("/calendars/events", "get", 200, &["events"], Value::Null);
    assert_eq!(dto.name, "GetCalendarEventsSuccessfulResponseDTO");
    let mut checker = Checker::default();
    let events = demo_items("appointments", "events");
    let all = |key: &str| -> BTreeSet<String> {
        events
            .iter()
            .map(|e| str_field(e, key, "event").to_string())
            .collect()
    };
    let ever = [("startTime", "0"), ("endTime", "4102444800000")];
    let get = |by: &'static str, id: String, range: [(&'static str, String); 2]| {
        let api = &api;
        async move {
            let mut query = vec![("locationId", api.location.clone()), (by, id)];
            query.extend(range);
            let query: Vec<(&str, &str)> = query.iter().map(|(k, v)| (*k, v.as_str())).collect();
            let (status, answer) = api
                .call_as(
                    DEMO_TOKEN,
                    CALENDARS_VERSION,
                    Method::GET,
                    "/calendars/events",
                    &query,
                    None,
                )
                .await;
            assert_eq!(
                status,
                StatusCode::OK,
                "GET /calendars/events {query:?}: {answer}"
            );
            (format!("GET /calendars/events {query:?}"), answer)
        }
    };
    let ever = ever.map(|(k, v)| (k, v.to_string()));
    let ids = |answer: &Value| -> BTreeSet<String> {
        array(answer, "events", "events")
            .iter()
            .map(|e| str_field(e, "id", "event").to_string())
            .collect()
    };
    for (by, key) in [
        ("userId", "assignedUserId"),
        ("calendarId", "calendarId"),
        ("groupId", "groupId"),
    ] {
        for id in all(key) {
            let (request, answer) = get(by, id.clone(), ever.clone()).await;
            checker.check(&dto, &request, &answer);
            let want: BTreeSet<String> = events
                .iter()
                .filter(|e| e[key] == json!(id) || (by == "userId" && owned_by(e, &id)))
                .map(|e| str_field(e, "id", "event").to_string())
                .collect();
            assert_eq!(ids(&answer), want, "{request}");
            for e in array(&answer, "events", &request) {
                let (start, end) = (
                    str_field(e, "startTime", &request),
                    str_field(e, "endTime", &request),
                );
                let (s, t) = (
                    chrono::DateTime::parse_from_rfc3339(start).expect("ISO startTime"),
                    chrono::DateTime::parse_from_rfc3339(end).expect("ISO endTime"),
                );
                assert!(s < t, "{request}: {start} before {end}");
            }
        }
    }

    // One day: only what overlaps it.
    let day = "2026-11-22";
    let (from, to) = (
        demo_ms(&format!("{day} 00:00:00")),
        demo_ms(&format!("{day} 23:59:59")),
    );
    let range = [("startTime", from.to_string()), ("endTime", to.to_string())];
    for user in all("assignedUserId") {
        let (request, answer) = get("userId", user.clone(), range.clone()).await;
        checker.check(&dto, &request, &answer);
        let want: BTreeSet<String> = events
            .iter()
            .filter(|e| owned_by(e, &user))
            .filter(|e| {
                demo_ms(str_field(e, "startTime", "event")) < to
                    && demo_ms(str_field(e, "endTime", "event")) > from
            })
            .map(|e| str_field(e, "id", "event").to_string())
            .collect();
        assert_eq!(ids(&answer), want, "{request}");
    }
    checker.finish("calendar events");
}

/// Error answers of the endpoints beyond contacts: 401 for a bad token and a missing scope, 400
/// for a wrong `Version` (each family has its own), 422 for missing parameters.
#[tokio::test]
async fn location_users_tasks_and_events_errors_match_common_error_dtos() {
    let api = Api::start().await;
    let locations = locations_spec();
    let users = Spec::load("apps/users.json");
    let calendars = calendars_spec();
    let mut checker = Checker::default();
    let keys = ["statusCode", "message"];
    let location = api.location.clone();
    let company = api.company.clone();
    let user = str_field(&demo_location()["users"][0], "id", "user").to_string();
    let empty = json!({});
    let endpoints = [
        Endpoint::get(
            &locations,
            "/locations/{locationId}",
            format!("/locations/{location}"),
        ),
        Endpoint::get(
            &locations,
            "/locations/{locationId}/timezones",
            format!("/locations/{location}/timezones"),
        ),
        Endpoint {
            method: Method::POST,
            body: Some(&empty),
            ..Endpoint::get(
                &locations,
                "/locations/{locationId}/tasks/search",
                format!("/locations/{location}/tasks/search"),
            )
        },
        Endpoint {
            query: vec![("companyId", company.as_str())],
            ..Endpoint::get(&users, "/users/search", "/users/search".into())
        },
        Endpoint {
            query: vec![("locationId", location.as_str())],
            ..Endpoint::get(&users, "/users/", "/users/".into())
        },
        Endpoint::get(&users, "/users/{userId}", format!("/users/{user}")),
        Endpoint {
            query: vec![
                ("locationId", location.as_str()),
                ("userId", user.as_str()),
                ("startTime", "0"),
                ("endTime", "4102444800000"),
            ],
            ..Endpoint::get(&calendars, "/calendars/events", "/calendars/events".into())
        },
    ];
    for e in &endpoints {
        let (method, path) = (&e.method, &e.path);
        let right = if path.starts_with("/calendars/") {
            CALENDARS_VERSION
        } else {
            API_VERSION
        };
        let wrong = if right == API_VERSION {
            CALENDARS_VERSION
        } else {
            API_VERSION
        };
        // It works as asked, so the errors below are the ones asked for.
        let (status, answer) = api
            .call_as(DEMO_TOKEN, right, method.clone(), path, &e.query, e.body)
            .await;
        assert_eq!(status, StatusCode::OK, "{method} {path}: {answer}");

        let unauthorized = e
            .spec
            .response(e.template, &e.method_name(), 401, &keys, Value::Null);
        assert_eq!(unauthorized.name, "UnauthorizedDTO");
        for token in ["pit-not-a-real-token", ghl_tui::sandbox::NARROW_TOKEN] {
            let (status, answer) = api
                .call_as(token, right, method.clone(), path, &e.query, e.body)
                .await;
            assert_eq!(
                status,
                StatusCode::UNAUTHORIZED,
                "{method} {path} as {token}: {answer}"
            );
            checker.check(
                &unauthorized,
                &format!("{method} {path} as {token}"),
                &answer,
            );
        }

        let bad = e
            .spec
            .response(e.template, &e.method_name(), 400, &keys, Value::Null);
        assert_eq!(bad.name, "BadRequestDTO");
        let (status, answer) = api
            .call_as(DEMO_TOKEN, wrong, method.clone(), path, &e.query, e.body)
            .await;
        assert_eq!(
            status,
            StatusCode::BAD_REQUEST,
            "{method} {path} Version {wrong}: {answer}"
        );
        assert!(
            answer["message"]
                .as_str()
                .is_some_and(|m| m.contains(right)),
            "{method} {path}: the message names the Version to send: {answer}"
        );
        checker.check(&bad, &format!("{method} {path} (Version {wrong})"), &answer);
    }

    // 422: the required parameters. `/calendars/events` documents no 422: there the common
    // DTO is used by name, as for the contacts search.
    let unprocessable = users.dto("#/components/schemas/UnprocessableDTO", &keys, Value::Null);
    let bad_filters = json!({"completed": "yes", "contactId": "one", "limit": 0});
    let missing = [
        Endpoint::get(&users, "/users/search", "/users/search".into()),
        Endpoint {
            query: vec![
                ("locationId", location.as_str()),
                ("startTime", "0"),
                ("endTime", "1"),
            ],
            ..Endpoint::get(&calendars, "/calendars/events", "/calendars/events".into())
        },
        Endpoint {
            query: vec![("locationId", location.as_str()), ("userId", user.as_str())],
            ..Endpoint::get(&calendars, "/calendars/events", "/calendars/events".into())
        },
        Endpoint {
            method: Method::POST,
            body: Some(&bad_filters),
            ..Endpoint::get(
                &locations,
                "/locations/{locationId}/tasks/search",
                format!("/locations/{location}/tasks/search"),
            )
        },
    ];
    for e in &missing {
        let (method, path, query) = (&e.method, &e.path, &e.query);
        let version = if path.starts_with("/calendars/") {
            CALENDARS_VERSION
        } else {
            API_VERSION
        };
        let documented = e.spec.documents(e.template, &e.method_name(), 422);
        let dto = if documented {
            &e.spec
                .response(e.template, &e.method_name(), 422, &keys, Value::Null)
        } else {
            &unprocessable
        };
        assert_eq!(documented, !path.starts_with("/calendars/"), "{path}");
        let (status, answer) = api
            .call_as(DEMO_TOKEN, version, method.clone(), path, query, e.body)
            .await;
        assert_eq!(
            status,
            StatusCode::UNPROCESSABLE_ENTITY,
            "{method} {path} {query:?}: {answer}"
        );
        assert!(answer["message"].is_array(), "{answer}");
        checker.check(dto, &format!("{method} {path} {query:?}"), &answer);
    }
    checker.finish("location, users, tasks and events errors");
}

/// Client, sandbox and spec agree: the sandbox's own rules (`ghl_tui::sandbox::rules`) are the
/// documented ones (the `Version` and scope each served path takes, the paging defaults the
/// spec states; what only FACTS.md states, the search's limits, is pinned to its numbers), and
/// the client's own copies (`ghl_tui::api::rules`, the envelopes' limits) are the sandbox's.
#[test]
fn client_sandbox_and_spec_agree() {
    use ghl_tui::sandbox::rules;
    let contacts = Spec::current();
    let history = Spec::history();
    let locations = Spec::load("apps/locations.json");
    let users = Spec::load("apps/users.json");
    let calendars = Spec::load("apps/calendars.json");
    let served: [(&Spec, &str, &str, &str); 14] = [
        (&contacts, "/contacts/", "get", rules::SCOPE_READ),
        (&contacts, "/contacts/", "post", rules::SCOPE_WRITE),
        (&contacts, "/contacts/search", "post", rules::SCOPE_READ),
        (&contacts, "/contacts/{contactId}", "get", rules::SCOPE_READ),
        (
            &contacts,
            "/contacts/{contactId}/tasks",
            "post",
            rules::SCOPE_WRITE,
        ),
        (
            &locations,
            "/locations/{locationId}",
            "get",
            rules::SCOPE_LOCATIONS_READ,
        ),
        (
            &locations,
            "/locations/{locationId}/timezones",
            "get",
            rules::SCOPE_LOCATIONS_READ,
        ),
        (
            &locations,
            "/locations/{locationId}/tasks/search",
            "post",
            rules::SCOPE_TASKS_READ,
        ),
        (
            &locations,
            "/locations/{locationId}/customFields",
            "get",
            rules::SCOPE_FIELDS_READ,
        ),
        (
            &locations,
            "/locations/{locationId}/tags",
            "get",
            rules::SCOPE_TAGS_READ,
        ),
        (&users, "/users/search", "get", rules::SCOPE_USERS_READ),
        (&users, "/users/", "get", rules::SCOPE_USERS_READ),
        (&users, "/users/{userId}", "get", rules::SCOPE_USERS_READ),
        (
            &calendars,
            "/calendars/events",
            "get",
            rules::SCOPE_EVENTS_READ,
        ),
    ];
    for (spec, path, method, scope) in served {
        let op = spec
            .doc
            .pointer(&format!("/paths/{}/{method}", path.replace('/', "~1")))
            .unwrap_or_else(|| panic!("{}: no {method} {path}", spec.name));
        let version = op["parameters"]
            .as_array()
            .and_then(|ps| ps.iter().find(|p| p["name"] == "Version"))
            .map(|p| p["schema"]["enum"].clone());
        assert_eq!(
            version,
            Some(json!([rules::version_for(path)])),
            "{method} {path}: the Version the sandbox checks"
        );
        let scopes: Vec<&Value> = op["security"]
            .as_array()
            .into_iter()
            .flatten()
            .filter_map(Value::as_object)
            .flat_map(|s| s.values())
            .filter_map(Value::as_array)
            .flatten()
            .collect();
        assert!(
            scopes.contains(&&json!(scope)),
            "{method} {path}: the spec names {scope}, not only {scopes:?}"
        );
    }
    assert_eq!(rules::CONTACTS_VERSION, API_VERSION);
    assert_eq!(rules::CALENDARS_VERSION, CALENDARS_VERSION);
    // The client keeps its own copy of each rule: it must say the same as the sandbox, which
    // says what the spec says (just above).
    use ghl_tui::api::envelopes as client_limits;
    use ghl_tui::api::rules as client;
    for (_, path, _, _) in served {
        assert_eq!(
            client::version_for(path),
            rules::version_for(path),
            "{path}: the Version the client sends"
        );
    }
    let scopes = [
        (client::SCOPE_CONTACTS_READ, rules::SCOPE_READ),
        (client::SCOPE_CONTACTS_WRITE, rules::SCOPE_WRITE),
        (client::SCOPE_FIELDS_READ, rules::SCOPE_FIELDS_READ),
        (client::SCOPE_TAGS_READ, rules::SCOPE_TAGS_READ),
        (client::SCOPE_LOCATIONS_READ, rules::SCOPE_LOCATIONS_READ),
        (client::SCOPE_USERS_READ, rules::SCOPE_USERS_READ),
        (client::SCOPE_TASKS_READ, rules::SCOPE_TASKS_READ),
        (client::SCOPE_EVENTS_READ, rules::SCOPE_EVENTS_READ),
    ];
    for (asked, checked) in scopes {
        assert_eq!(
            asked, checked,
            "the scope the client asks for is the one checked"
        );
    }
    assert_eq!(
        (
            client_limits::MAX_PAGE_LIMIT,
            client_limits::PAGE_WINDOW,
            client_limits::MAX_LIST_LIMIT,
            client_limits::MAX_QUERY_CHARS,
        ),
        (
            rules::MAX_PAGE_LIMIT,
            rules::PAGE_WINDOW,
            rules::MAX_LIST_LIMIT,
            rules::MAX_QUERY_CHARS,
        ),
        "the client's limits are the server's"
    );

    let param = |spec: &Spec, path: &str, name: &str| -> Value {
        spec.doc
            .pointer(&format!(
                "/paths/{}/get/parameters",
                path.replace('/', "~1")
            ))
            .and_then(Value::as_array)
            .and_then(|ps| ps.iter().find(|p| p["name"] == name))
            .cloned()
            .unwrap_or_else(|| panic!("{path}: no parameter {name}"))
    };
    let list_limit = param(&contacts, "/contacts/", "limit");
    assert_eq!(
        list_limit["schema"]["default"],
        json!(rules::DEFAULT_LIST_LIMIT)
    );
    assert!(
        list_limit["description"]
            .as_str()
            .is_some_and(|d| d.contains(&format!("up to {}", rules::MAX_LIST_LIMIT))),
        "{list_limit}"
    );
    assert_eq!(
        param(&users, "/users/search", "limit")["schema"]["default"],
        json!(rules::USERS_SEARCH_DEFAULT_LIMIT.to_string())
    );
    assert_eq!(
        locations.doc["components"]["schemas"]["TaskSearchParamsDto"]["properties"]["limit"]["default"],
        json!(rules::TASKS_SEARCH_DEFAULT_LIMIT)
    );
    // FACTS.md, "Listing and searching": pageLimit up to 500, page x pageLimit up to 10,000,
    // query up to 75 characters. The history file's search body is untyped.
    assert_eq!(
        history.doc["components"]["schemas"]["SearchBodyV2DTO"]["properties"],
        json!({}),
        "the spec now types the search body: pin the limits to it"
    );
    assert_eq!(
        (
            rules::MAX_PAGE_LIMIT,
            rules::PAGE_WINDOW,
            rules::MAX_QUERY_CHARS
        ),
        (500, 10_000, 75)
    );
}

/// The patched and newly loaded schemas still reject what the spec rejects, so a patch or a
/// conversion bug cannot make every answer pass.
#[test]
fn location_users_tasks_and_events_schemas_reject_what_they_should() {
    let locations = locations_spec();
    let location = locations.response(
        "/locations/{locationId}",
        "get",
        200,
        &["location"],
        json!({"location": {"required": ["id", "phone"]}}),
    );
    assert!(
        location
            .validator
            .is_valid(&json!({"location": {"id": "x", "phone": "+1"}}))
    );
    assert!(
        !location
            .validator
            .is_valid(&json!({"location": {"id": "x"}})),
        "extra required"
    );
    assert!(
        !location
            .validator
            .is_valid(&json!({"location": {"id": "x", "phone": "+1", "settings": {"allowDuplicateContact": "no"}}})),
        "nested schemas are checked"
    );
    let tasks = locations.response(
        "/locations/{locationId}/tasks/search",
        "post",
        200,
        &["tasks"],
        Value::Null,
    );
    assert!(tasks.validator.is_valid(&json!({"tasks": [{"_id": "t"}]})));
    assert!(
        !tasks.validator.is_valid(&json!({"tasks": [["t"]]})),
        "items are objects"
    );

    let users = Spec::load("apps/users.json");
    let search = users.response(
        "/users/search",
        "get",
        200,
        &["users", "count"],
        user_fields(),
    );
    let user =
        json!({"id": "u", "name": "A B", "firstName": "A", "lastName": "B", "email": "a@b.c"});
    assert!(
        search
            .validator
            .is_valid(&json!({"users": [user], "count": 1}))
    );
    assert!(
        !search
            .validator
            .is_valid(&json!({"users": [{"id": "u"}], "count": 1})),
        "names required"
    );
    let mut bad = user.clone();
    bad["roles"] = json!({"locationIds": "L"});
    assert!(
        !search
            .validator
            .is_valid(&json!({"users": [bad], "count": 1})),
        "roles typed"
    );

    let calendars = calendars_spec();
    let events = calendars.response("/calendars/events", "get", 200, &["events"], Value::Null);
    let event = json!({
        "id": "e", "title": "t", "calendarId": "c", "locationId": "l", "contactId": "k",
        "groupId": "g", "appointmentStatus": "confirmed", "assignedUserId": "u", "users": ["u"],
        "startTime": "2026-11-22T13:00:00-05:00", "endTime": "2026-11-22T14:00:00-05:00",
        "dateAdded": "2026-11-20T10:00:00-05:00", "dateUpdated": "2026-11-20T10:00:00-05:00"
    });
    assert!(events.validator.is_valid(&json!({"events": [event]})));
    let mut no_calendar = event.clone();
    no_calendar.as_object_mut().map(|e| e.remove("calendarId"));
    assert!(
        !events.validator.is_valid(&json!({"events": [no_calendar]})),
        "required kept"
    );
    let mut numeric = event.clone();
    numeric["startTime"] = json!(1_700_000_000_000_i64);
    assert!(
        !events.validator.is_valid(&json!({"events": [numeric]})),
        "times are strings"
    );
}

/// `POST /contacts/bulk/tags/update/{type}`: the answer, with a contact that fails among ones
/// that succeed, matches `UpdateTagsResponseDTO`; a body without tags is the common 422.
///
/// The spec contradicts itself here: `responses` is typed as strings, while its own example
/// and description give one object per contact (`contactId`, `message`, `type`, `oldTags`,
/// `tagsAdded`, `tagsRemoved`), the only shape that can report partial success. The sandbox
/// answers with the example's objects; the check holds every other part of the DTO and each
/// line to the example's keys.
#[tokio::test]
async fn bulk_tags_answers_match_update_tags_response_dto() {
    let api = Api::start().await;
    let mut spec = Spec::current();
    let items = "/components/schemas/UpdateTagsResponseDTO/properties/responses/items";
    let documented = spec.doc.pointer(items).cloned();
    assert_eq!(
        documented,
        Some(json!({"type": "string"})),
        "the spec as read"
    );
    if let Some(slot) = spec.doc.pointer_mut(items) {
        *slot = json!({
            "type": "object",
            "required": ["contactId", "message", "type"],
            "properties": {
                "contactId": {"type": "string"},
                "message": {"type": "string"},
                "type": {"enum": ["success", "error"]},
                "oldTags": {"type": "array", "items": {"type": "string"}},
                "tagsAdded": {"type": "array", "items": {"type": "string"}},
                "tagsRemoved": {"type": "array", "items": {"type": "string"}}
            }
        });
    }
    let dto = spec.response(
        "/contacts/bulk/tags/update/{type}",
        "post",
        201,
        &["succeded", "errorCount", "responses"],
        Value::Null,
    );
    assert_eq!(dto.name, "UpdateTagsResponseDTO");
    let location = Seed::demo().expect("demo seed").location_id;
    let ids: Vec<String> = demo_items("contacts", "contacts")
        .iter()
        .filter(|c| c["locationId"] == location.as_str())
        .take(2)
        .map(|c| str_field(c, "id", "contact").to_string())
        .collect();
    let mut checker = Checker::default();
    for kind in ["add", "remove"] {
        let path = format!("/contacts/bulk/tags/update/{kind}");
        let body = json!({
            "contacts": [ids[0], ids[1], "no-such-contact"],
            "tags": ["bulk-schema"],
            "locationId": location,
        });
        let (status, answer) = api.call(Method::POST, &path, &[], Some(&body)).await;
        assert_eq!(status, StatusCode::CREATED, "{path}: {answer}");
        checker.check(&dto, &format!("POST {path}"), &answer);
        assert_eq!(answer["errorCount"], 1, "{answer}");
        assert_eq!(answer["succeded"], false);
        let lines = array(&answer, "responses", &path);
        assert_eq!(lines.len(), 3);
        assert_eq!(lines[2]["type"], "error");
    }
    checker.finish("bulk tags");
    let (status, answer) = api
        .call(
            Method::POST,
            "/contacts/bulk/tags/update/add",
            &[],
            Some(&json!({ "contacts": [ids[0]], "locationId": location })),
        )
        .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{answer}");
}
