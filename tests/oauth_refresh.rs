//! Refreshing OAuth tokens against the sandbox: one refresh for any number of requests, the
//! new pair stored (0600) before use, a spent refresh token refused with a clear message.

mod common;

use std::sync::Arc;
use std::time::Duration;

use ghl_tui::api::{ApiError, Client, Secret};
use ghl_tui::auth::{TokenFile, TokenManager, TokenSet};
use ghl_tui::sandbox::oauth::{DEMO_CLIENT_ID, DEMO_CLIENT_SECRET};
use ghl_tui::sandbox::{Fault, RateConfig, Sandbox, SandboxConfig};

async fn sign_in(sb: &Sandbox) -> TokenSet {
    common::oauth_sign_in(sb, "Location", "contacts.readonly contacts.write").await
}

async fn sandbox(ttl: Duration) -> (Sandbox, ghl_tui::sandbox::Seed) {
    let seed = common::demo_seed();
    let mut cfg = SandboxConfig::for_seed(&seed);
    cfg.oauth.access_ttl = ttl;
    cfg.rate = RateConfig {
        max: 10_000,
        ..RateConfig::default()
    };
    (common::start_with(&seed, cfg).await, seed)
}

fn managed(sb: &Sandbox, set: TokenSet, file: Option<TokenFile>) -> (Arc<TokenManager>, Client) {
    // As `login` does before any session starts: a profile with nothing stored is signed out.
    if let Some(file) = &file
        && file.load().expect("read").is_none()
    {
        file.save(&set).expect("login stores");
    }
    let manager = TokenManager::new(
        format!("{}/oauth/token", sb.base_url()),
        DEMO_CLIENT_ID,
        Secret::new(DEMO_CLIENT_SECRET),
        set,
        file.map(ghl_tui::auth::TokenStore::file_only),
    );
    let mut cfg = common::config(sb, "unused", sb.location_id());
    cfg.source = Some(manager.clone());
    (manager, Client::new(cfg).expect("client"))
}

/// A sandbox, and a sign-in this side takes for expired (the server does not), with an empty
/// token file to keep it in (and the folder that holds it).
async fn expired() -> (
    Sandbox,
    ghl_tui::sandbox::Seed,
    TokenSet,
    TokenFile,
    tempfile::TempDir,
) {
    let (sb, seed) = sandbox(Duration::from_secs(3600)).await;
    let mut set = sign_in(&sb).await;
    set.expires_at = 0;
    let dir = tempfile::tempdir().expect("tempdir");
    let file = TokenFile::new(dir.path().join("t.json"));
    (sb, seed, set, file, dir)
}

/// Starts a read that refreshes first; the server spends the refresh token and holds its
/// answer until `release_answers`. Returns once the refresh has been done.
async fn refresh_held(
    sb: &Sandbox,
    seed: &ghl_tui::sandbox::Seed,
    client: &Client,
) -> tokio::task::JoinHandle<Result<ghl_tui::api::Contact, ApiError>> {
    sb.push_faults([Fault::HeldAnswer]);
    let id = seed.contacts[0]["id"].as_str().expect("id").to_string();
    let client = client.clone();
    let job = tokio::spawn(async move { client.contact(&id).await });
    until(|| sb.refresh_count() == 1).await;
    job
}

async fn fifty_reads(client: &Client, seed: &ghl_tui::sandbox::Seed) {
    let jobs: Vec<_> = (0..50)
        .map(|i| {
            let client = client.clone();
            let id = seed.contacts[i]["id"].as_str().expect("id").to_string();
            tokio::spawn(async move { client.contact(&id).await })
        })
        .collect();
    for job in jobs {
        job.await.expect("join").expect("every request succeeds");
    }
}

#[tokio::test]
async fn fifty_requests_on_an_expired_token_make_one_refresh() {
    let (sb, seed) = sandbox(Duration::from_millis(400)).await;
    let mut set = sign_in(&sb).await;
    // Our clock thinks the token is good for an hour; the server has already let it expire,
    // so every request meets a 401 "expired" first.
    set.expires_at = chrono::Utc::now().timestamp() + 3600;
    let old_refresh = set.refresh_token.clone();
    let dir = tempfile::tempdir().expect("tempdir");
    let file = TokenFile::new(dir.path().join("default.json"));
    let (manager, client) = managed(&sb, set, Some(file.clone()));
    tokio::time::sleep(Duration::from_millis(600)).await;
    fifty_reads(&client, &seed).await;
    assert_eq!(sb.refresh_count(), 1, "one refresh for all of them");
    let stored = file.load().expect("load").expect("the new pair is on disk");
    assert_eq!(stored, manager.current().await);
    assert_ne!(
        stored.refresh_token, old_refresh,
        "the new refresh token replaced the spent one"
    );
    common::assert_private(file.path());
}

#[tokio::test]
async fn a_token_about_to_expire_is_refreshed_before_use_once() {
    let (sb, seed) = sandbox(Duration::from_secs(3600)).await;
    let mut set = sign_in(&sb).await;
    set.expires_at = chrono::Utc::now().timestamp() + 10; // inside the 30 s margin
    let (_, client) = managed(&sb, set, None);
    fifty_reads(&client, &seed).await;
    assert_eq!(sb.refresh_count(), 1);
    let expired_401s = sb
        .requests()
        .iter()
        .filter(|r| r.path.starts_with("/contacts/"))
        .count();
    assert_eq!(
        expired_401s, 50,
        "no request was sent with the old token and refused"
    );
}

#[tokio::test]
async fn a_spent_refresh_token_asks_the_user_to_sign_in_again() {
    let (sb, seed) = sandbox(Duration::from_secs(3600)).await;
    let mut set = sign_in(&sb).await;
    set.expires_at = 0;
    // Spend the refresh token elsewhere first.
    let (first, _) = managed(&sb, set.clone(), None);
    ghl_tui::api::TokenSource::bearer(first.as_ref())
        .await
        .expect("first refresh");
    let dir = tempfile::tempdir().expect("tempdir");
    let file = TokenFile::new(dir.path().join("t.json"));
    let (_, client) = managed(&sb, set, Some(file.clone()));
    let id = seed.contacts[0]["id"].as_str().expect("id");
    let err = client.contact(id).await.expect_err("refused");
    let ApiError::SignedOut { why: message, .. } = &err else {
        panic!("{err:?}")
    };
    assert!(message.contains("refresh was refused"), "{message}");
    assert!(
        err.one_line().contains("ghl-tui login"),
        "{}",
        err.one_line()
    );
    assert!(
        !message.contains("refresh-"),
        "no token in the message: {message}"
    );
    // Ended means ended: no more refresh calls with a dead token...
    let refreshes = sb.refresh_count();
    let again = client.contact(id).await.expect_err("still signed out");
    assert!(matches!(again, ApiError::SignedOut { .. }), "{again:?}");
    assert_eq!(sb.refresh_count(), refreshes);
    // ...until a new login (another terminal) stores tokens: the running app takes them.
    file.save(&sign_in(&sb).await).expect("login stores");
    client.contact(id).await.expect("works again after login");
}

/// Two copies of the app on one profile (say two terminals): the first refreshes and spends
/// the refresh token both hold; the second takes the stored pair instead of failing.
#[tokio::test]
async fn a_second_session_takes_the_pair_the_first_one_stored() {
    let (sb, seed, set, file, _dir) = expired().await;
    file.save(&set).expect("login stores");
    let (_, first) = managed(&sb, set.clone(), Some(file.clone()));
    let (_, second) = managed(&sb, set, Some(file.clone()));
    let id = seed.contacts[0]["id"].as_str().expect("id");
    first.contact(id).await.expect("the first refreshes");
    assert_eq!(sb.refresh_count(), 1);
    second
        .contact(id)
        .await
        .expect("the second uses the stored pair");
    assert_eq!(
        sb.refresh_count(),
        1,
        "no second refresh, so no spent token sent"
    );
}

/// A stale copy in the store (an older pair of the same sign-in) is never taken over the
/// newer pair in hand: the manager refreshes with its own.
#[tokio::test]
async fn an_older_stored_pair_is_not_taken() {
    let (sb, seed) = sandbox(Duration::from_secs(3600)).await;
    let old = sign_in(&sb).await;
    let mut newer = sign_in(&sb).await;
    newer.expires_at = 0;
    let mut stale = old.clone();
    stale.expires_at = -100;
    let dir = tempfile::tempdir().expect("tempdir");
    let file = TokenFile::new(dir.path().join("t.json"));
    file.save(&stale).expect("a stale copy");
    let (manager, client) = managed(&sb, newer.clone(), Some(file.clone()));
    let id = seed.contacts[0]["id"].as_str().expect("id");
    client
        .contact(id)
        .await
        .expect("refreshed with its own pair");
    assert_eq!(sb.refresh_count(), 1);
    let now = manager.current().await;
    assert_ne!(now.access_token, stale.access_token);
    assert_eq!(
        file.load().expect("read"),
        Some(now),
        "the refreshed pair is stored"
    );
}

/// Two copies of the app refresh at the same moment: the profile's lock lets one refresh and
/// the other take what it stored, so one refresh token is spent once.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn two_sessions_refreshing_at_once_spend_the_token_once() {
    let (sb, seed, set, file, _dir) = expired().await;
    file.save(&set).expect("login stores");
    let (_, first) = managed(&sb, set.clone(), Some(file.clone()));
    let (_, second) = managed(&sb, set, Some(file.clone()));
    let id = seed.contacts[0]["id"].as_str().expect("id");
    let (a, b) = tokio::join!(first.contact(id), second.contact(id));
    a.expect("first");
    b.expect("second");
    assert_eq!(sb.refresh_count(), 1);
}

/// Waits until `done` holds; the bound only stops a broken build from hanging CI.
async fn until(mut done: impl FnMut() -> bool) {
    let waiting = async {
        while !done() {
            tokio::time::sleep(Duration::from_millis(10)).await;
        }
    };
    tokio::time::timeout(Duration::from_secs(60), waiting)
        .await
        .expect("the condition never held");
}

/// Moving on from a contact cancels its requests, maybe one that is refreshing: the server
/// has spent the refresh token by then, so the new pair must still be stored and used.
#[tokio::test]
async fn a_request_cancelled_mid_refresh_keeps_the_new_pair() {
    let (sb, seed, set, file, _dir) = expired().await;
    let (manager, client) = managed(&sb, set.clone(), Some(file.clone()));
    // The refresh is done at once; its answer is held until the request is cancelled.
    let job = refresh_held(&sb, &seed, &client).await;
    job.abort();
    sb.release_answers();
    let id = seed.contacts[0]["id"].as_str().expect("id");
    client
        .contact(id)
        .await
        .expect("the next request uses the pair the cancelled one was getting");
    assert_eq!(
        sb.refresh_count(),
        1,
        "the spent refresh token was not sent again"
    );
    let held = manager.current().await;
    assert_ne!(held.refresh_token, set.refresh_token);
    assert_eq!(file.load().expect("read"), Some(held), "and it is stored");
}

/// `ghl-tui logout` in another terminal while a session runs: the session's next refresh or
/// location change must not put the tokens back.
#[tokio::test]
async fn a_logout_elsewhere_is_not_undone_by_a_running_session() {
    let (sb, seed, set, file, _dir) = expired().await;
    let (manager, client) = managed(&sb, set, Some(file.clone()));
    let store = ghl_tui::auth::TokenStore::file_only(file.clone());
    ghl_tui::auth::commands::logout(&store).expect("logout");
    let id = seed.contacts[0]["id"].as_str().expect("id");
    let err = client.contact(id).await.expect_err("signed out");
    assert!(
        matches!(&err, ApiError::SignedOut { why, .. } if why.contains("signed out")),
        "{err:?}"
    );
    assert_eq!(sb.refresh_count(), 0, "no refresh after the logout");
    manager.set_location(sb.location_id()).await;
    assert!(!file.path().exists(), "nothing was stored again");
    // Signing in again (to the same account) brings the session back.
    file.save(&sign_in(&sb).await).expect("login stores");
    client.contact(id).await.expect("works after login");
}

/// A login to another account on the same profile is not overwritten by a session still
/// open on the first one.
#[tokio::test]
async fn another_account_signed_in_on_the_profile_is_kept() {
    let (sb, seed, set, file, _dir) = expired().await;
    let (_, client) = managed(&sb, set, Some(file.clone()));
    let mut other = sign_in(&sb).await;
    other.location_id = Some("AnotherLocation0001".into());
    file.save(&other).expect("the other login stores");
    let id = seed.contacts[0]["id"].as_str().expect("id");
    let err = client.contact(id).await.expect_err("this sign-in ended");
    assert!(
        matches!(&err, ApiError::SignedOut { why, .. } if why.contains("another account")),
        "{err:?}"
    );
    assert_eq!(sb.refresh_count(), 0);
    assert_eq!(
        file.load().expect("read"),
        Some(other),
        "the other sign-in stays"
    );
}

/// At exit: a refresh under way is waited for and stored, and none starts after.
#[tokio::test]
async fn closing_waits_for_a_refresh_under_way_and_starts_none() {
    let (sb, seed, set, file, _dir) = expired().await;
    let (manager, client) = managed(&sb, set.clone(), Some(file.clone()));
    let job = refresh_held(&sb, &seed, &client).await;
    let closing = tokio::spawn({
        let manager = manager.clone();
        async move { manager.close().await }
    });
    sb.release_answers();
    assert!(closing.await.expect("join"), "the refreshed pair is stored");
    let held = manager.current().await;
    assert_ne!(held.access_token, set.access_token);
    assert_eq!(file.load().expect("read"), Some(held.clone()));
    job.await
        .expect("join")
        .expect("the request itself succeeded");
    let err = ghl_tui::api::TokenSource::renew(manager.as_ref(), held.access_token)
        .await
        .expect_err("no refresh while closing");
    assert!(!matches!(err, ApiError::SignedOut { .. }), "{err:?}");
    assert_eq!(sb.refresh_count(), 1);
}
