//! The sandbox's location, users, tasks-search and calendar-events endpoints over real HTTP on
//! 127.0.0.1: required parameters (422), scopes (401), the `Version` of each API family, the
//! tasks search's filters and paging over the same store the contact's task endpoints write,
//! OAuth tokens carrying the new scopes, and the demo's day.

mod common;

use std::collections::{BTreeMap, BTreeSet};

use chrono::{DateTime, Duration, NaiveDate, TimeZone, Utc};
use ghl_tui::sandbox::{
    BRANCH_LOCATION_ID, BRANCH_LOCATION_NAME, DEMO_TOKEN, NARROW_TOKEN, READONLY_TOKEN, RateConfig,
    SCOPE_EVENTS_READ, SCOPE_LOCATIONS_READ, SCOPE_READ, SCOPE_TASKS_READ, SCOPE_USERS_READ,
    Sandbox, SandboxConfig, Seed,
};
use reqwest::Method;
use serde_json::{Value, json};

const CONTACTS_VERSION: &str = "2021-07-28";
const CALENDARS_VERSION: &str = "2021-04-15";
const SCOPE_MESSAGE: &str = "The token is not authorized for this scope.";

/// A sandbox with a burst limit roomy enough for paging tests, and a plain HTTP client.
struct Api {
    sb: Sandbox,
    seed: Seed,
    http: reqwest::Client,
}

impl Api {
    async fn start(seed: Seed) -> Api {
        let mut config = SandboxConfig::for_seed(&seed);
        config.rate = RateConfig {
            max: 100_000,
            ..RateConfig::default()
        };
        let sb = common::start_with(&seed, config).await;
        Api {
            sb,
            seed,
            http: reqwest::Client::new(),
        }
    }

    async fn demo() -> Api {
        Api::start(common::demo_seed()).await
    }

    fn location(&self) -> &str {
        self.sb.location_id()
    }

    fn company(&self) -> &str {
        &self.seed.company_id
    }

    async fn send(
        &self,
        token: &str,
        version: Option<&str>,
        method: Method,
        path: &str,
        query: &[(&str, &str)],
        body: Option<&Value>,
    ) -> (u16, Value) {
        let mut req = self
            .http
            .request(method.clone(), format!("{}{path}", self.sb.base_url()))
            .bearer_auth(token)
            .query(query);
        if let Some(v) = version {
            req = req.header("Version", v);
        }
        if let Some(b) = body {
            req = req.json(b);
        }
        let resp = req.send().await.expect("the sandbox answers");
        let status = resp.status().as_u16();
        let json = resp.json().await.unwrap_or(Value::Null);
        (status, json)
    }

    async fn get(&self, path: &str, query: &[(&str, &str)]) -> (u16, Value) {
        let version = if path.starts_with("/calendars/") {
            CALENDARS_VERSION
        } else {
            CONTACTS_VERSION
        };
        self.send(DEMO_TOKEN, Some(version), Method::GET, path, query, None)
            .await
    }

    async fn post(&self, path: &str, body: &Value) -> (u16, Value) {
        self.send(
            DEMO_TOKEN,
            Some(CONTACTS_VERSION),
            Method::POST,
            path,
            &[],
            Some(body),
        )
        .await
    }

    fn tasks_path(&self) -> String {
        format!("/locations/{}/tasks/search", self.location())
    }

    /// A tasks search that must succeed.
    async fn tasks(&self, body: Value) -> Value {
        let (status, answer) = self.post(&self.tasks_path(), &body).await;
        assert_eq!(status, 200, "tasks search {body}: {answer}");
        answer
    }

    /// Every task the search finds for `filters`, paged with `limit` until a short page.
    async fn all_tasks(&self, filters: Value, limit: usize) -> Vec<Value> {
        let mut found = Vec::new();
        loop {
            let mut body = filters.clone();
            body["limit"] = json!(limit);
            body["skip"] = json!(found.len());
            let answer = self.tasks(body).await;
            let page = items(&answer, "tasks");
            found.extend(page.iter().cloned());
            if page.len() < limit {
                return found;
            }
        }
    }
}

fn items<'a>(v: &'a Value, key: &str) -> &'a Vec<Value> {
    v.get(key)
        .and_then(Value::as_array)
        .unwrap_or_else(|| panic!("no `{key}` list in {v}"))
}

fn text<'a>(v: &'a Value, key: &str) -> &'a str {
    v.get(key).and_then(Value::as_str).unwrap_or("")
}

fn ids(list: &[Value]) -> BTreeSet<String> {
    list.iter().map(|i| text(i, "id").to_string()).collect()
}

/// The seed's tasks, as JSON values.
fn seed_tasks(seed: &Seed) -> Vec<Value> {
    seed.tasks.iter().cloned().map(Value::Object).collect()
}

fn unprocessable(status: u16, answer: &Value, what: &str) {
    assert_eq!(status, 422, "{what}: {answer}");
    assert_eq!(answer["statusCode"], 422, "{what}");
    assert!(
        answer["message"].as_array().is_some_and(|m| !m.is_empty()),
        "{what}: a list of messages: {answer}"
    );
}

#[tokio::test]
async fn required_parameters_answer_422() {
    let api = Api::demo().await;
    let loc = api.location().to_string();
    let user = "KGpOyQNcdOyZbkBFTFoO";

    let (status, answer) = api.get("/users/search", &[]).await;
    unprocessable(status, &answer, "users search without companyId");
    assert_eq!(answer["message"], json!(["companyId should not be empty"]));
    let (status, answer) = api
        .get(
            "/users/search",
            &[("companyId", api.company()), ("limit", "many")],
        )
        .await;
    unprocessable(
        status,
        &answer,
        "users search with a limit that is no number",
    );
    let (status, answer) = api.get("/users/", &[]).await;
    unprocessable(status, &answer, "users list without locationId");

    let events = "/calendars/events";
    let range = [("startTime", "0"), ("endTime", "4102444800000")];
    let (status, answer) = api.get(events, &range).await;
    unprocessable(status, &answer, "events without locationId nor owner");
    let messages = answer["message"].to_string();
    assert!(
        messages.contains("locationId") && messages.contains("userId"),
        "{messages}"
    );
    let (status, answer) = api
        .get(events, &[("locationId", &loc), range[0], range[1]])
        .await;
    unprocessable(
        status,
        &answer,
        "events without userId, calendarId or groupId",
    );
    let (status, answer) = api
        .get(events, &[("locationId", &loc), ("userId", user)])
        .await;
    unprocessable(status, &answer, "events without a time range");
    let (status, answer) = api
        .get(
            events,
            &[
                ("locationId", &loc),
                ("userId", user),
                ("startTime", "today"),
                ("endTime", "1"),
            ],
        )
        .await;
    unprocessable(status, &answer, "events with a startTime that is no number");
    for (by, id) in [
        ("userId", user),
        ("calendarId", "oITE459LyMwSOXM9NL5C"),
        ("groupId", "tHqxMrkZI6S6Zv3xP0Xk"),
    ] {
        let (status, answer) = api
            .get(
                events,
                &[("locationId", &loc), (by, id), range[0], range[1]],
            )
            .await;
        assert_eq!(status, 200, "{by} is enough: {answer}");
    }

    for body in [
        json!({"completed": "yes"}),
        json!({"contactId": "one"}),
        json!({"assignedTo": [1]}),
        json!({"limit": 0}),
        json!({"skip": -1}),
        json!({"query": 5}),
    ] {
        let (status, answer) = api.post(&api.tasks_path(), &body).await;
        unprocessable(status, &answer, &format!("tasks search {body}"));
    }
}

#[tokio::test]
async fn missing_scopes_answer_401_with_ghls_message() {
    let api = Api::demo().await;
    let loc = api.location().to_string();
    let company = api.company().to_string();
    let search = api.tasks_path();
    // The scope each needs, and a request that works with it. The tasks search is the one POST.
    let calls = [
        (SCOPE_LOCATIONS_READ, format!("/locations/{loc}"), vec![]),
        (
            SCOPE_LOCATIONS_READ,
            format!("/locations/{loc}/timezones"),
            vec![],
        ),
        (
            SCOPE_USERS_READ,
            "/users/search".into(),
            vec![("companyId", company.as_str())],
        ),
        (
            SCOPE_USERS_READ,
            "/users/".into(),
            vec![("locationId", loc.as_str())],
        ),
        (
            SCOPE_USERS_READ,
            "/users/KGpOyQNcdOyZbkBFTFoO".into(),
            vec![],
        ),
        (SCOPE_TASKS_READ, search.clone(), vec![]),
        (
            SCOPE_EVENTS_READ,
            "/calendars/events".into(),
            vec![
                ("locationId", loc.as_str()),
                ("userId", "KGpOyQNcdOyZbkBFTFoO"),
                ("startTime", "0"),
                ("endTime", "1"),
            ],
        ),
    ];
    let body = json!({});
    for (scope, path, query) in &calls {
        let (method, body) = if *path == search {
            (Method::POST, Some(&body))
        } else {
            (Method::GET, None)
        };
        let version = if path.starts_with("/calendars/") {
            CALENDARS_VERSION
        } else {
            CONTACTS_VERSION
        };
        let (status, answer) = api
            .send(DEMO_TOKEN, Some(version), method.clone(), path, query, body)
            .await;
        assert_eq!(status, 200, "the demo token has {scope}: {path}: {answer}");
        for token in [NARROW_TOKEN, READONLY_TOKEN] {
            let (status, answer) = api
                .send(token, Some(version), method.clone(), path, query, body)
                .await;
            assert_eq!(status, 401, "{token} lacks {scope}: {method} {path}");
            assert_eq!(
                answer,
                json!({"statusCode": 401, "message": SCOPE_MESSAGE}),
                "{method} {path}"
            );
        }
    }
    // The narrow token is a working token: it reads and writes contacts.
    let (status, _) = api
        .send(
            NARROW_TOKEN,
            Some(CONTACTS_VERSION),
            Method::POST,
            "/contacts/search",
            &[],
            Some(&json!({"locationId": loc, "pageLimit": 1})),
        )
        .await;
    assert_eq!(status, 200);
}

#[tokio::test]
async fn each_api_family_takes_its_own_version() {
    let api = Api::demo().await;
    let loc = api.location().to_string();
    let query = [
        ("locationId", loc.as_str()),
        ("userId", "KGpOyQNcdOyZbkBFTFoO"),
        ("startTime", "0"),
        ("endTime", "4102444800000"),
    ];
    let events = |version: Option<&'static str>| {
        api.send(
            DEMO_TOKEN,
            version,
            Method::GET,
            "/calendars/events",
            &query,
            None,
        )
    };
    let (status, answer) = events(Some(CONTACTS_VERSION)).await;
    assert_eq!(status, 400, "calendars with the contacts Version: {answer}");
    assert_eq!(
        answer,
        json!({"statusCode": 400,
               "message": "Version header is missing or not supported; send Version: 2021-04-15"})
    );
    let (status, _) = events(None).await;
    assert_eq!(status, 400, "calendars without a Version");
    let (status, answer) = events(Some(CALENDARS_VERSION)).await;
    assert_eq!(status, 200, "{answer}");
    assert!(!items(&answer, "events").is_empty());

    // Locations (tasks search included) and users keep the contacts' Version.
    let search = api.tasks_path();
    let body = json!({});
    for (method, path, query) in [
        (Method::POST, search.as_str(), vec![]),
        (
            Method::GET,
            "/users/search",
            vec![("companyId", api.company())],
        ),
    ] {
        let b = (method == Method::POST).then_some(&body);
        let (status, answer) = api
            .send(
                DEMO_TOKEN,
                Some(CALENDARS_VERSION),
                method.clone(),
                path,
                &query,
                b,
            )
            .await;
        assert_eq!(status, 400, "{path} with the calendars Version");
        assert!(text(&answer, "message").ends_with("send Version: 2021-07-28"));
        let (status, _) = api
            .send(DEMO_TOKEN, Some(CONTACTS_VERSION), method, path, &query, b)
            .await;
        assert_eq!(status, 200, "{path}");
    }
}

/// RFC 3339 due dates in milliseconds; `None` for a task without one.
fn due_ms(task: &Value) -> Option<i64> {
    task.get("dueDate")
        .and_then(Value::as_str)
        .and_then(|d| DateTime::parse_from_rfc3339(d).ok())
        .map(|d| d.timestamp_millis())
}

#[tokio::test]
async fn tasks_search_filters_and_pages() {
    let api = Api::demo().await;
    let all = seed_tasks(&api.seed);
    let count = |keep: &dyn Fn(&Value) -> bool| all.iter().filter(|t| keep(t)).count();

    // No filter: every task, 25 to a page by default, sorted by due date (none last).
    let first = api.tasks(json!({})).await;
    assert_eq!(first["total"], json!(all.len()));
    assert_eq!(items(&first, "tasks").len(), 25, "the default limit");
    let everything = api.all_tasks(json!({}), 7).await;
    assert_eq!(
        everything.len(),
        all.len(),
        "paging with skip reaches every task"
    );
    assert_eq!(ids(&everything), ids(&all), "each task once");
    let dues: Vec<Option<i64>> = everything.iter().map(due_ms).collect();
    let key = |d: &Option<i64>| (d.is_none(), *d);
    assert!(
        dues.windows(2).all(|w| key(&w[0]) <= key(&w[1])),
        "by due date, those without one last"
    );
    assert!(
        dues.last().is_some_and(Option::is_none),
        "the demo has tasks without a due date"
    );

    // completed splits the tasks in two.
    for done in [true, false] {
        let found = api.all_tasks(json!({"completed": done}), 50).await;
        assert!(found.iter().all(|t| t["completed"] == done));
        assert_eq!(
            found.len(),
            count(&|t| t["completed"] == done),
            "completed {done}"
        );
    }

    // assignedTo: one user, then two.
    let users = ["KGpOyQNcdOyZbkBFTFoO", "xtzHq8STZHE6svi34zWH"];
    let mine = api.all_tasks(json!({"assignedTo": [users[0]]}), 50).await;
    assert!(mine.iter().all(|t| t["assignedTo"] == users[0]));
    assert_eq!(mine.len(), count(&|t| t["assignedTo"] == users[0]));
    let ours = api.all_tasks(json!({"assignedTo": users}), 50).await;
    assert_eq!(
        ours.len(),
        count(&|t| users.iter().any(|u| t["assignedTo"] == *u))
    );
    let open_mine = api
        .all_tasks(json!({"assignedTo": [users[0]], "completed": false}), 50)
        .await;
    assert_eq!(
        open_mine.len(),
        count(&|t| t["assignedTo"] == users[0] && t["completed"] == false),
        "filters combine"
    );

    // contactId: the tasks of those contacts only.
    let contacts: Vec<&str> = all.iter().take(3).map(|t| text(t, "contactId")).collect();
    let theirs = api.all_tasks(json!({"contactId": contacts}), 50).await;
    assert_eq!(
        ids(&theirs),
        ids(&all
            .iter()
            .filter(|t| contacts.contains(&text(t, "contactId")))
            .cloned()
            .collect::<Vec<_>>())
    );
    assert!(theirs.iter().all(|t| t["contactDetails"].is_object()));

    // query: in the title or the body, any case.
    let matches = |t: &Value, q: &str| {
        [text(t, "title"), text(t, "body")]
            .iter()
            .any(|s| s.to_lowercase().contains(q))
    };
    for q in ["PHOTO", "lender", "kitchen"] {
        let found = api.all_tasks(json!({"query": q}), 50).await;
        let want = count(&|t| matches(t, &q.to_lowercase()));
        assert!(want > 0, "the demo has tasks about {q}");
        assert_eq!(found.len(), want, "query {q}");
    }

    // businessId: tasks of the business's contacts.
    let business = "6510f4b5c9c80f1573eea856";
    let members: BTreeSet<&str> = api
        .seed
        .contacts
        .iter()
        .filter(|c| c.get("businessId").and_then(Value::as_str) == Some(business))
        .filter_map(|c| c.get("id")?.as_str())
        .collect();
    let found = api.all_tasks(json!({"businessId": business}), 50).await;
    let want = count(&|t| members.contains(text(t, "contactId")));
    assert!(want > 0, "the business's contacts have tasks");
    assert_eq!(found.len(), want);

    // Another location's path is not this token's.
    let (status, answer) = api
        .post(
            &format!("/locations/{BRANCH_LOCATION_ID}/tasks/search"),
            &json!({}),
        )
        .await;
    assert_eq!(status, 401, "{answer}");
}

#[tokio::test]
async fn a_task_made_through_the_contact_is_found_at_once() {
    let api = Api::demo().await;
    let contact = api
        .seed
        .contacts
        .iter()
        .find(|c| c.get("email").is_some() && c.get("lastName").is_some())
        .and_then(|c| c.get("id")?.as_str())
        .expect("a demo contact with a name and an email")
        .to_string();
    let title = "Bring the keys to the Zebrawood Lane closing";
    let (status, created) = api
        .post(
            &format!("/contacts/{contact}/tasks"),
            &json!({"title": title, "dueDate": "2026-11-23T15:00:00.000Z", "completed": false,
                    "assignedTo": "TY2xA6bznBRkirAgsXOh"}),
        )
        .await;
    assert_eq!(status, 201, "{created}");
    let task_id = text(&created["task"], "id").to_string();

    let found = api.tasks(json!({"query": "zebrawood"})).await;
    let hits = items(&found, "tasks");
    assert_eq!(hits.len(), 1, "{found}");
    let hit = &hits[0];
    assert_eq!(hit["_id"], json!(task_id));
    assert_eq!(hit["contactId"], json!(contact));
    let stored = api
        .seed
        .contacts
        .iter()
        .find(|c| c.get("id").and_then(Value::as_str) == Some(&contact))
        .expect("the contact");
    assert_eq!(hit["contactDetails"]["firstName"], stored["firstName"]);
    assert_eq!(hit["contactDetails"]["lastName"], stored["lastName"]);
    assert_eq!(hit["assignedToUserDetails"]["firstName"], "Ethan");
    assert_eq!(found["total"], 1);

    // Completed through the contact: the search sees it at once.
    let (status, _) = api
        .send(
            DEMO_TOKEN,
            Some(CONTACTS_VERSION),
            Method::PUT,
            &format!("/contacts/{contact}/tasks/{task_id}/completed"),
            &[],
            Some(&json!({"completed": true})),
        )
        .await;
    assert_eq!(status, 200);
    let open = api
        .tasks(json!({"query": "zebrawood", "completed": false}))
        .await;
    assert!(items(&open, "tasks").is_empty(), "{open}");
    let done = api
        .tasks(json!({"query": "zebrawood", "completed": true}))
        .await;
    assert_eq!(items(&done, "tasks").len(), 1, "{done}");

    // Deleted through the contact: gone from the search.
    let (status, _) = api
        .send(
            DEMO_TOKEN,
            Some(CONTACTS_VERSION),
            Method::DELETE,
            &format!("/contacts/{contact}/tasks/{task_id}"),
            &[],
            None,
        )
        .await;
    assert_eq!(status, 200);
    let gone = api.tasks(json!({"query": "zebrawood"})).await;
    assert_eq!(gone["total"], 0, "{gone}");
}

/// The token answer of the sandbox's code flow, as `login` would get it.
async fn sign_in(api: &Api, user_type: &str, scope: &str) -> Value {
    common::oauth_answer(&api.sb, user_type, scope).await
}

/// An agency signs in over OAuth asking for the new scopes, and buys a token for the branch.
#[tokio::test]
async fn oauth_tokens_carry_the_new_scopes_and_reach_both_locations() {
    let api = Api::demo().await;
    let scopes = [
        SCOPE_READ,
        SCOPE_LOCATIONS_READ,
        SCOPE_USERS_READ,
        SCOPE_TASKS_READ,
        SCOPE_EVENTS_READ,
        "oauth.readonly",
        "oauth.write",
    ]
    .join(" ");
    let agency = sign_in(&api, "Company", &scopes).await;
    assert_eq!(text(&agency, "scope"), scopes, "granted as asked");
    let agency_token = text(&agency, "access_token").to_string();

    // The agency's token reads both locations; a location token only its own.
    for (id, name) in [
        (api.location().to_string(), api.seed.location_name.clone()),
        (
            BRANCH_LOCATION_ID.to_string(),
            BRANCH_LOCATION_NAME.to_string(),
        ),
    ] {
        let (status, answer) = api
            .send(
                &agency_token,
                Some(CONTACTS_VERSION),
                Method::GET,
                &format!("/locations/{id}"),
                &[],
                None,
            )
            .await;
        assert_eq!(status, 200, "{answer}");
        assert_eq!(answer["location"]["name"], json!(name));
    }
    let (status, answer) = api
        .get(&format!("/locations/{BRANCH_LOCATION_ID}"), &[])
        .await;
    assert_eq!(status, 401, "the demo token is the main location's");
    assert_eq!(
        answer["message"],
        "The token does not have access to this location."
    );
    let (status, _) = api
        .send(
            &agency_token,
            Some(CONTACTS_VERSION),
            Method::GET,
            "/locations/NoSuchLocation000000",
            &[],
            None,
        )
        .await;
    assert_eq!(status, 400, "a location the agency does not have");

    let resp = reqwest::Client::new()
        .post(format!("{}/oauth/locationToken", api.sb.base_url()))
        .bearer_auth(&agency_token)
        .header("Version", CONTACTS_VERSION)
        .form(&[
            ("companyId", api.company()),
            ("locationId", BRANCH_LOCATION_ID),
        ])
        .send()
        .await
        .expect("location token");
    assert_eq!(resp.status(), 200);
    let located: Value = resp.json().await.expect("json");
    let granted: BTreeSet<&str> = text(&located, "scope").split(' ').collect();
    for scope in [
        SCOPE_LOCATIONS_READ,
        SCOPE_USERS_READ,
        SCOPE_TASKS_READ,
        SCOPE_EVENTS_READ,
    ] {
        assert!(granted.contains(scope), "{scope} in {granted:?}");
    }
    let branch = text(&located, "access_token").to_string();
    let (status, answer) = api
        .send(
            &branch,
            Some(CONTACTS_VERSION),
            Method::GET,
            &format!("/locations/{BRANCH_LOCATION_ID}"),
            &[],
            None,
        )
        .await;
    assert_eq!(status, 200, "{answer}");
    assert_eq!(answer["location"]["id"], BRANCH_LOCATION_ID);
    assert!(text(&answer["location"], "city").len() > 1);
    let (status, answer) = api
        .send(
            &branch,
            Some(CONTACTS_VERSION),
            Method::GET,
            "/users/search",
            &[("companyId", api.company())],
            None,
        )
        .await;
    assert_eq!(status, 200, "{answer}");
    let branch_users = items(&answer, "users");
    assert!(!branch_users.is_empty());
    assert!(branch_users.iter().all(|u| {
        u["roles"]["locationIds"]
            .as_array()
            .is_some_and(|l| l.iter().any(|l| l == BRANCH_LOCATION_ID))
    }));
    let (status, answer) = api
        .send(
            &branch,
            Some(CALENDARS_VERSION),
            Method::GET,
            "/calendars/events",
            &[
                ("locationId", BRANCH_LOCATION_ID),
                ("userId", text(&branch_users[0], "id")),
                ("startTime", "0"),
                ("endTime", "4102444800000"),
            ],
            None,
        )
        .await;
    assert_eq!(status, 200, "{answer}");
    // The signed-in user is one of the demo's users, so names resolve.
    let me = text(&agency, "userId");
    let (status, answer) = api.get(&format!("/users/{me}"), &[]).await;
    assert_eq!(status, 200, "{answer}");
}

#[tokio::test]
async fn users_answer_their_company_and_location() {
    let api = Api::demo().await;
    let (status, answer) = api
        .get("/users/search", &[("companyId", "SomeOtherCompany0000")])
        .await;
    assert_eq!(status, 401, "another company: {answer}");
    let (status, answer) = api
        .get(
            "/users/search",
            &[
                ("companyId", api.company()),
                ("locationId", BRANCH_LOCATION_ID),
            ],
        )
        .await;
    assert_eq!(
        status, 401,
        "a location token asking for another location: {answer}"
    );
    let (status, answer) = api.get("/users/NoSuchUser0000000000", &[]).await;
    assert_eq!(status, 400, "{answer}");
    let (status, answer) = api
        .get(
            "/users/search",
            &[("companyId", api.company()), ("query", "zzz-nobody")],
        )
        .await;
    assert_eq!((status, answer["count"].clone()), (200, json!(0)));
    // Sorted by first then last name, as the spec says the default is.
    let (_, answer) = api
        .get("/users/search", &[("companyId", api.company())])
        .await;
    let names: Vec<(String, String)> = items(&answer, "users")
        .iter()
        .map(|u| {
            (
                text(u, "firstName").to_lowercase(),
                text(u, "lastName").to_lowercase(),
            )
        })
        .collect();
    let mut sorted = names.clone();
    sorted.sort();
    assert_eq!(names, sorted);
}

/// `[from, to)` of an event in epoch ms, as the sandbox reads the demo's times (the zone-less
/// form in New York).
fn event_ms(e: &Value, key: &str) -> i64 {
    let raw = text(e, key);
    if let Ok(t) = DateTime::parse_from_rfc3339(raw) {
        return t.timestamp_millis();
    }
    let plain = chrono::NaiveDateTime::parse_from_str(raw, "%Y-%m-%d %H:%M:%S").expect(raw);
    chrono_tz::America::New_York
        .from_local_datetime(&plain)
        .earliest()
        .expect("a New York time")
        .timestamp_millis()
}

#[tokio::test]
async fn calendar_events_overlap_the_range_and_follow_the_owner() {
    let api = Api::demo().await;
    let loc = api.location().to_string();
    let event = api
        .seed
        .events
        .iter()
        .map(|e| Value::Object(e.clone()))
        .find(|e| text(e, "startTime").contains(' '))
        .expect("an event in the zone-less form");
    let (start, end) = (event_ms(&event, "startTime"), event_ms(&event, "endTime"));
    let owner = text(&event, "assignedUserId").to_string();
    let calendar = text(&event, "calendarId").to_string();
    let fetch = |by: &'static str, id: String, from: i64, to: i64| {
        let api = &api;
        let loc = loc.clone();
        async move {
            let (from, to) = (from.to_string(), to.to_string());
            let (status, answer) = api
                .get(
                    "/calendars/events",
                    &[
                        ("locationId", &loc),
                        (by, &id),
                        ("startTime", &from),
                        ("endTime", &to),
                    ],
                )
                .await;
            assert_eq!(status, 200, "{answer}");
            ids(items(&answer, "events"))
        }
    };
    let id = text(&event, "id").to_string();
    assert!(
        fetch("userId", owner.clone(), start + 1, start + 2)
            .await
            .contains(&id),
        "under way during the range"
    );
    assert!(
        !fetch("userId", owner.clone(), start - 3_600_000, start)
            .await
            .contains(&id),
        "a range that ends as it starts does not hold it"
    );
    assert!(
        !fetch("userId", owner.clone(), end, end + 3_600_000)
            .await
            .contains(&id),
        "a range that starts as it ends does not hold it"
    );
    assert!(
        fetch("calendarId", calendar.clone(), start, end)
            .await
            .contains(&id)
    );
    assert!(
        !fetch("calendarId", "NoSuchCalendar000000".into(), start, end)
            .await
            .contains(&id)
    );
    let others: Vec<String> = api
        .seed
        .users
        .iter()
        .filter_map(|u| u.get("id")?.as_str().map(String::from))
        .filter(|u| {
            *u != owner
                && !event["users"]
                    .as_array()
                    .is_some_and(|us| us.iter().any(|x| x == u.as_str()))
        })
        .collect();
    for other in others {
        assert!(
            !fetch("userId", other, start, end).await.contains(&id),
            "not theirs"
        );
    }
    // The answer gives ISO times with the location's offset, the same instant as stored.
    let (_, answer) = api
        .get(
            "/calendars/events",
            &[
                ("locationId", &loc),
                ("calendarId", &calendar),
                ("startTime", &start.to_string()),
                ("endTime", &end.to_string()),
            ],
        )
        .await;
    let sent = items(&answer, "events")
        .iter()
        .find(|e| e["id"] == json!(id))
        .expect("the event");
    let iso = DateTime::parse_from_rfc3339(text(sent, "startTime")).expect("ISO startTime");
    assert_eq!(iso.timestamp_millis(), start);
    let (status, _) = api
        .get(
            "/calendars/events",
            &[
                ("locationId", BRANCH_LOCATION_ID),
                ("userId", &owner),
                ("startTime", "0"),
                ("endTime", "1"),
            ],
        )
        .await;
    assert_eq!(status, 401, "another location");
}

/// The demo moved to today: overdue, today's (spread over the working day), tomorrow's, later
/// and undated tasks for several users, and appointments this afternoon in every status.
#[tokio::test]
async fn the_demo_day_is_believable_whenever_it_runs() {
    let seed = Seed::demo_today().expect("demo seed");
    let today: NaiveDate = seed.anchor;
    let api = Api::start(seed).await;
    let start_of = |d: NaiveDate| {
        Utc.from_utc_datetime(&d.and_hms_opt(0, 0, 0).expect("midnight"))
            .timestamp_millis()
    };
    let (day, tomorrow, after) = (
        start_of(today),
        start_of(today + Duration::days(1)),
        start_of(today + Duration::days(2)),
    );
    let open = api.all_tasks(json!({"completed": false}), 100).await;
    let when = |from: i64, to: i64| -> Vec<&Value> {
        open.iter()
            .filter(|t| due_ms(t).is_some_and(|d| (from..to).contains(&d)))
            .collect()
    };
    let overdue = when(i64::MIN, day);
    let due_today = when(day, tomorrow);
    let due_tomorrow = when(tomorrow, after);
    let later = when(after, i64::MAX);
    let undated = open.iter().filter(|t| due_ms(t).is_none()).count();
    assert!(overdue.len() >= 3, "{} overdue", overdue.len());
    assert!(due_today.len() >= 6, "{} due today", due_today.len());
    assert!(
        due_tomorrow.len() >= 2,
        "{} due tomorrow",
        due_tomorrow.len()
    );
    assert!(!later.is_empty() && undated >= 2, "later and undated tasks");
    let hours: Vec<i64> = due_today
        .iter()
        .filter_map(|t| due_ms(t))
        .map(|d| (d - day) / 3_600_000)
        .collect();
    let (first, last) = (
        hours.iter().min().copied().unwrap_or(0),
        hours.iter().max().copied().unwrap_or(0),
    );
    assert!(
        last - first >= 6,
        "spread over the working day: {hours:?} (UTC hours)"
    );
    let assignees: BTreeSet<&str> = due_today.iter().map(|t| text(t, "assignedTo")).collect();
    assert!(
        assignees.len() >= 4,
        "today's tasks for several users: {assignees:?}"
    );

    // Appointments this afternoon (12:00 to 18:00 in the location's zone), per user.
    let ny = chrono_tz::America::New_York;
    let at = |h: u32| {
        ny.from_local_datetime(&today.and_hms_opt(h, 0, 0).expect("hour"))
            .earliest()
            .expect("a New York time")
            .timestamp_millis()
            .to_string()
    };
    let (noon, evening) = (at(12), at(18));
    let mut statuses: BTreeMap<String, usize> = BTreeMap::new();
    let mut owners = BTreeSet::new();
    let users: Vec<String> = api
        .seed
        .users
        .iter()
        .filter_map(|u| u.get("id")?.as_str().map(String::from))
        .collect();
    let loc = api.location().to_string();
    for user in &users {
        let (status, answer) = api
            .get(
                "/calendars/events",
                &[
                    ("locationId", &loc),
                    ("userId", user),
                    ("startTime", &noon),
                    ("endTime", &evening),
                ],
            )
            .await;
        assert_eq!(status, 200, "{answer}");
        for e in items(&answer, "events") {
            if e["assignedUserId"] == json!(user) {
                owners.insert(user.clone());
                *statuses
                    .entry(text(e, "appointmentStatus").to_string())
                    .or_default() += 1;
            }
        }
    }
    assert!(
        owners.len() >= 4,
        "this afternoon's appointments for {owners:?}"
    );
    for status in ["confirmed", "showed", "noshow", "cancelled"] {
        assert!(statuses.contains_key(status), "{status} in {statuses:?}");
    }
    assert!(
        statuses.contains_key("new") || statuses.contains_key("booked"),
        "a new booking in {statuses:?}"
    );
}
