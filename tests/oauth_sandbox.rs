//! The sandbox's OAuth 2.0 endpoints over real HTTP: the authorization code flow, single-use
//! refresh tokens, expiring access tokens, and agency tokens with their locations.

mod common;

use std::time::Duration;

use ghl_tui::api::{ApiError, Client, SearchRequest};
use ghl_tui::sandbox::oauth::{DEMO_CLIENT_ID, DEMO_CLIENT_SECRET};
use ghl_tui::sandbox::{Sandbox, SandboxConfig};
use serde_json::Value;

const REDIRECT: &str = "http://127.0.0.1:9/callback";

fn http() -> reqwest::Client {
    reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .expect("client")
}

/// Runs the authorize step and returns the code from the redirect.
async fn code(sb: &Sandbox, scope: &str) -> String {
    let resp = http()
        .get(format!("{}/oauth/chooselocation", sb.base_url()))
        .query(&[
            ("response_type", "code"),
            ("client_id", DEMO_CLIENT_ID),
            ("redirect_uri", REDIRECT),
            ("scope", scope),
            ("state", "xyz 123"),
        ])
        .send()
        .await
        .expect("authorize");
    assert_eq!(resp.status(), 302);
    let location = resp.headers()["location"]
        .to_str()
        .expect("location")
        .to_string();
    assert!(location.starts_with(REDIRECT), "{location}");
    assert!(
        location.ends_with("&state=xyz%20123"),
        "the state comes back: {location}"
    );
    common::code_of(&location)
}

async fn token(sb: &Sandbox, form: &[(&str, &str)]) -> (u16, Value) {
    let resp = http()
        .post(format!("{}/oauth/token", sb.base_url()))
        .form(form)
        .send()
        .await
        .expect("token");
    let status = resp.status().as_u16();
    (status, resp.json().await.expect("json"))
}

async fn exchange(sb: &Sandbox, code: &str, user_type: &str) -> Value {
    let (status, body) = token(
        sb,
        &[
            ("client_id", DEMO_CLIENT_ID),
            ("client_secret", DEMO_CLIENT_SECRET),
            ("grant_type", "authorization_code"),
            ("code", code),
            ("user_type", user_type),
            ("redirect_uri", REDIRECT),
        ],
    )
    .await;
    assert_eq!(status, 200, "{body}");
    body
}

fn client_for(sb: &Sandbox, access: &str, location: &str) -> Client {
    Client::new(common::config(sb, access, location)).expect("client")
}

async fn can_search(client: &Client) -> Result<(), ApiError> {
    let req = SearchRequest {
        location_id: client.location_id().into(),
        page_limit: 5,
        page: Some(1),
        ..Default::default()
    };
    client.search(&req).await.map(drop)
}

#[tokio::test]
async fn the_code_flow_gives_a_token_that_reads_contacts() {
    let seed = common::demo_seed();
    let sb = common::start(&seed).await;
    let code = code(&sb, "contacts.readonly").await;
    let body = exchange(&sb, &code, "Location").await;
    assert_eq!(body["token_type"], "Bearer");
    assert_eq!(body["scope"], "contacts.readonly");
    assert_eq!(body["userType"], "Location");
    assert_eq!(body["locationId"], sb.location_id());
    assert!(body["expires_in"].as_u64().is_some_and(|s| s > 3600));
    let access = body["access_token"].as_str().expect("access token");
    can_search(&client_for(&sb, access, sb.location_id()))
        .await
        .expect("reads");
    // A code works once.
    let (status, again) = token(
        &sb,
        &[
            ("client_id", DEMO_CLIENT_ID),
            ("client_secret", DEMO_CLIENT_SECRET),
            ("grant_type", "authorization_code"),
            ("code", &code),
            ("redirect_uri", REDIRECT),
        ],
    )
    .await;
    assert_eq!(
        (status, again["error"].as_str()),
        (400, Some("invalid_grant"))
    );
}

#[tokio::test]
async fn a_read_only_login_cannot_write() {
    let seed = common::demo_seed();
    let sb = common::start(&seed).await;
    let body = exchange(&sb, &code(&sb, "contacts.readonly").await, "Location").await;
    let client = client_for(
        &sb,
        body["access_token"].as_str().expect("token"),
        sb.location_id(),
    );
    let id = seed.contacts[0]["id"].as_str().expect("id");
    let err = client
        .add_tags(id, &["x".into()])
        .await
        .expect_err("refused");
    assert!(matches!(err, ApiError::MissingScope { .. }), "{err:?}");
}

#[tokio::test]
async fn each_refresh_token_works_once() {
    let seed = common::demo_seed();
    let sb = common::start(&seed).await;
    let first = exchange(
        &sb,
        &code(&sb, "contacts.readonly contacts.write").await,
        "Location",
    )
    .await;
    let refresh = first["refresh_token"]
        .as_str()
        .expect("refresh")
        .to_string();
    let sb = &sb;
    let grant = |r: String| async move {
        token(
            sb,
            &[
                ("client_id", DEMO_CLIENT_ID),
                ("client_secret", DEMO_CLIENT_SECRET),
                ("grant_type", "refresh_token"),
                ("refresh_token", &r),
            ],
        )
        .await
    };
    let (status, second) = grant(refresh.clone()).await;
    assert_eq!(status, 200, "{second}");
    assert_ne!(
        second["refresh_token"], first["refresh_token"],
        "a new refresh token every time"
    );
    assert_eq!(second["scope"], "contacts.readonly contacts.write");
    let (status, reused) = grant(refresh).await;
    assert_eq!(
        (status, reused["error"].as_str()),
        (400, Some("invalid_grant"))
    );
    assert_eq!(sb.refresh_count(), 2);
    let fresh = client_for(
        sb,
        second["access_token"].as_str().expect("token"),
        sb.location_id(),
    );
    can_search(&fresh)
        .await
        .expect("the new access token works");
}

#[tokio::test]
async fn an_access_token_stops_working_when_it_expires() {
    let seed = common::demo_seed();
    let mut cfg = SandboxConfig::for_seed(&seed);
    cfg.oauth.access_ttl = Duration::from_millis(500);
    let sb = common::start_with(&seed, cfg).await;
    let body = exchange(&sb, &code(&sb, "contacts.readonly").await, "Location").await;
    let client = client_for(
        &sb,
        body["access_token"].as_str().expect("token"),
        sb.location_id(),
    );
    tokio::time::sleep(Duration::from_millis(700)).await;
    let err = can_search(&client).await.expect_err("expired");
    let ApiError::Unauthorized { message } = &err else {
        panic!("{err:?}")
    };
    assert!(message.contains("expired"), "{message}");
}

#[tokio::test]
async fn bad_client_credentials_and_redirects_are_refused() {
    let seed = common::demo_seed();
    let sb = common::start(&seed).await;
    let code = code(&sb, "contacts.readonly").await;
    let (status, body) = token(
        &sb,
        &[
            ("client_id", DEMO_CLIENT_ID),
            ("client_secret", "wrong"),
            ("grant_type", "authorization_code"),
            ("code", &code),
        ],
    )
    .await;
    assert_eq!(
        (status, body["error"].as_str()),
        (401, Some("invalid_client"))
    );
    let (status, body) = token(
        &sb,
        &[
            ("client_id", DEMO_CLIENT_ID),
            ("client_secret", DEMO_CLIENT_SECRET),
            ("grant_type", "authorization_code"),
            ("code", &code),
            ("redirect_uri", "http://127.0.0.1:9/elsewhere"),
        ],
    )
    .await;
    assert_eq!(
        (status, body["error"].as_str()),
        (400, Some("invalid_grant"))
    );
}

#[tokio::test]
async fn an_agency_token_lists_locations_and_gets_a_location_token() {
    let seed = common::demo_seed();
    let sb = common::start(&seed).await;
    let body = exchange(
        &sb,
        &code(&sb, "oauth.readonly oauth.write contacts.readonly").await,
        "Company",
    )
    .await;
    assert_eq!(body["userType"], "Company");
    assert!(body.get("locationId").is_none());
    let company = body["companyId"].as_str().expect("company").to_string();
    let agency = body["access_token"].as_str().expect("token").to_string();
    let auth = |r: reqwest::RequestBuilder| r.bearer_auth(&agency).header("Version", "2021-07-28");
    let list: Value = auth(
        http()
            .get(format!("{}/oauth/installedLocations", sb.base_url()))
            .query(&[("companyId", company.as_str()), ("appId", "demo")]),
    )
    .send()
    .await
    .expect("locations")
    .json()
    .await
    .expect("json");
    assert_eq!(list["locations"][0]["_id"], sb.location_id());
    assert_eq!(
        list["locations"][1]["_id"],
        ghl_tui::sandbox::BRANCH_LOCATION_ID
    );
    assert_eq!(list["count"], 2);
    // companyId and appId are required, as in the spec.
    let without_app = auth(
        http()
            .get(format!("{}/oauth/installedLocations", sb.base_url()))
            .query(&[("companyId", company.as_str())]),
    )
    .send()
    .await
    .expect("locations");
    assert_eq!(without_app.status(), 422);
    let resp = auth(http().post(format!("{}/oauth/locationToken", sb.base_url())))
        .form(&[
            ("companyId", company.as_str()),
            ("locationId", sb.location_id()),
        ])
        .send()
        .await
        .expect("location token");
    assert_eq!(resp.status(), 200);
    let located: Value = resp.json().await.expect("json");
    assert!(
        located.get("refresh_token").is_none(),
        "location tokens have no refresh token"
    );
    let client = client_for(
        &sb,
        located["access_token"].as_str().expect("token"),
        sb.location_id(),
    );
    can_search(&client)
        .await
        .expect("the location token reads that location");
}
