//! Every write endpoint end to end: the typed client against the sandbox over real HTTP, with
//! the bodies the sandbox received checked against what the official schemas allow.

mod common;

use ghl_tui::api::{ApiError, Client, ContactInput, CustomFieldInput, NoteInput, TaskInput};
use ghl_tui::sandbox::{Fault, READONLY_TOKEN, Sandbox, Seed};
use serde_json::{Value, json};

fn first_id(seed: &Seed) -> String {
    seed.contacts[0]["id"].as_str().expect("id").to_string()
}

fn last_body(sb: &Sandbox) -> Value {
    sb.requests()
        .pop()
        .and_then(|r| r.body)
        .expect("a JSON body")
}

fn input(first: &str, email: &str) -> ContactInput {
    ContactInput {
        first_name: Some(first.into()),
        last_name: Some("Tester".into()),
        email: Some(email.into()),
        phone: Some("+1 415 555 0199".into()),
        company_name: Some("Acme Homes".into()),
        ..Default::default()
    }
}

#[tokio::test]
async fn create_read_update_and_delete_a_contact() {
    let seed = common::demo_seed();
    let sb = common::start(&seed).await;
    let client = common::client(&sb);

    let created = client
        .create_contact(&input("Zed", "zed@example.com"))
        .await
        .expect("create");
    let body = last_body(&sb);
    assert_eq!(body["locationId"], sb.location_id());
    assert_eq!(body["companyName"], "Acme Homes");
    assert!(
        body.get("tags").is_none(),
        "tags only go through the tag endpoints"
    );
    let id = created.id().to_string();
    let read = client.contact(&id).await.expect("read back");
    assert_eq!(read.display_name(), "Zed Tester");
    assert_eq!(read.company_name.as_deref(), Some("Acme Homes"));

    let change = ContactInput {
        phone: Some("+14155550123".into()),
        company_name: Some("Ignored On Update".into()),
        custom_fields: vec![CustomFieldInput {
            id: "E1QufhQNB9reosfhypnX".into(),
            field_value: json!("88"),
        }],
        ..Default::default()
    };
    let updated = client.update_contact(&id, &change).await.expect("update");
    let body = last_body(&sb);
    for refused in ["companyName", "locationId", "gender", "tags"] {
        assert!(
            body.get(refused).is_none(),
            "PUT must not send {refused}: {body}"
        );
    }
    assert_eq!(
        body["customFields"],
        json!([{"id": "E1QufhQNB9reosfhypnX", "field_value": "88"}])
    );
    assert_eq!(updated.phone.as_deref(), Some("+14155550123"));
    assert_eq!(
        updated.company_name.as_deref(),
        Some("Acme Homes"),
        "unchanged"
    );
    assert_eq!(updated.custom_fields[0].display(), "88");

    client.delete_contact(&id).await.expect("delete");
    let err = client.contact(&id).await.expect_err("gone");
    assert!(matches!(err, ApiError::NotFound { .. }), "{err:?}");
}

#[tokio::test]
async fn a_duplicate_create_names_the_existing_contact_and_upsert_updates_it() {
    let seed = common::demo_seed();
    let sb = common::start(&seed).await;
    let client = common::client(&sb);
    let first = client
        .create_contact(&input("Dup", "dup@example.com"))
        .await
        .expect("create");
    let err = client
        .create_contact(&input("Dup", "DUP@example.com"))
        .await
        .expect_err("duplicate");
    let ApiError::Duplicate {
        contact_id, field, ..
    } = &err
    else {
        panic!("{err:?}")
    };
    assert_eq!(contact_id.as_deref(), Some(first.id()));
    assert_eq!(field.as_deref(), Some("email"));

    let up = client
        .upsert_contact(&input("Dupe", "dup@example.com"))
        .await
        .expect("upsert");
    assert_eq!(up.created, Some(false));
    assert_eq!(up.contact.id(), first.id());
    assert_eq!(up.contact.first_name.as_deref(), Some("Dupe"));
    // Upsert matches on email or phone, so a new contact needs both new.
    let new_one = ContactInput {
        phone: Some("+1 415 555 0142".into()),
        ..input("New", "new-one@example.com")
    };
    let fresh = client.upsert_contact(&new_one).await.expect("upsert");
    assert_eq!(fresh.created, Some(true));
    assert!(fresh.trace_id.is_some());
}

#[tokio::test]
async fn contact_validation_is_the_apis() {
    let seed = common::demo_seed();
    let sb = common::start(&seed).await;
    let client = common::client(&sb);
    let bad = ContactInput {
        email: Some("not-an-email".into()),
        phone: Some("12".into()),
        ..Default::default()
    };
    let err = client.create_contact(&bad).await.expect_err("422");
    let ApiError::Validation {
        status: 422,
        messages,
    } = &err
    else {
        panic!("{err:?}")
    };
    assert!(
        messages.contains(&"email must be an email".to_string()),
        "{messages:?}"
    );
    assert!(
        messages.contains(&"phone must be a valid phone number".to_string()),
        "{messages:?}"
    );
}

#[tokio::test]
async fn tags_are_added_and_removed_through_their_endpoints() {
    let seed = common::demo_seed();
    let sb = common::start(&seed).await;
    let client = common::client(&sb);
    let id = first_id(&seed);
    let before = client.contact(&id).await.expect("contact").tags;
    let tags = client
        .add_tags(
            &id,
            &["Hot Lead".into(), "hot lead".into(), "VIP-2027".into()],
        )
        .await
        .expect("add");
    assert!(
        tags.contains(&"hot lead".to_string()) && tags.contains(&"vip-2027".to_string()),
        "{tags:?}"
    );
    assert_eq!(
        tags.len(),
        before.len() + 2 - usize::from(before.contains(&"hot lead".to_string()))
    );
    let req = sb.requests().pop().expect("request");
    assert_eq!(
        (req.method.as_str(), req.path.as_str()),
        ("POST", format!("/contacts/{id}/tags").as_str())
    );
    let left = client
        .remove_tags(&id, &["vip-2027".into()])
        .await
        .expect("remove");
    assert!(!left.contains(&"vip-2027".to_string()));
    let req = sb.requests().pop().expect("request");
    assert_eq!(req.method, "DELETE");
    assert_eq!(
        req.body,
        Some(json!({"tags": ["vip-2027"]})),
        "a DELETE with a JSON body"
    );
    assert_eq!(client.contact(&id).await.expect("contact").tags, left);
}

#[tokio::test]
async fn tasks_are_created_edited_completed_and_deleted() {
    let seed = common::demo_seed();
    let sb = common::start(&seed).await;
    let client = common::client(&sb);
    let id = first_id(&seed);
    let task = TaskInput {
        title: Some("Call back".into()),
        body: Some("About the offer".into()),
        due_date: Some("2026-12-01T09:00:00.000Z".into()),
        completed: Some(false),
        ..Default::default()
    };
    let created = client.create_task(&id, &task).await.expect("create");
    let task_id = created.id.clone().expect("id");
    assert_eq!(created.title.as_deref(), Some("Call back"));
    let edited = client
        .update_task(
            &id,
            &task_id,
            &TaskInput {
                title: Some("Call back today".into()),
                ..Default::default()
            },
        )
        .await
        .expect("update");
    assert_eq!(edited.title.as_deref(), Some("Call back today"));
    assert_eq!(
        edited.body.as_deref(),
        Some("About the offer"),
        "untouched fields stay"
    );
    let done = client
        .set_task_completed(&id, &task_id, true)
        .await
        .expect("complete");
    assert!(done.is_done());
    assert_eq!(last_body(&sb), json!({"completed": true}));
    assert!(client.task(&id, &task_id).await.expect("read").is_done());
    client.delete_task(&id, &task_id).await.expect("delete");
    assert!(
        client
            .tasks(&id)
            .await
            .expect("tasks")
            .iter()
            .all(|t| t.id.as_deref() != Some(&task_id))
    );
}

#[tokio::test]
async fn task_validation_is_the_apis() {
    let seed = common::demo_seed();
    let sb = common::start(&seed).await;
    let client = common::client(&sb);
    let id = first_id(&seed);
    let bad = TaskInput {
        title: Some(" ".into()),
        due_date: Some("tomorrow".into()),
        ..Default::default()
    };
    let err = client.create_task(&id, &bad).await.expect_err("422");
    let ApiError::Validation { messages, .. } = &err else {
        panic!("{err:?}")
    };
    assert_eq!(
        messages,
        &vec![
            "title should not be empty".to_string(),
            "dueDate must be a valid ISO 8601 date string".to_string(),
            "completed must be a boolean value".to_string()
        ]
    );
    let err = client
        .set_task_completed(&id, "NoSuchTask0000000000", true)
        .await
        .expect_err("missing");
    assert!(matches!(err, ApiError::NotFound { .. }), "{err:?}");
}

#[tokio::test]
async fn notes_are_created_edited_and_deleted() {
    let seed = common::demo_seed();
    let sb = common::start(&seed).await;
    let client = common::client(&sb);
    let id = first_id(&seed);
    let note = client
        .create_note(
            &id,
            &NoteInput {
                body: Some("Met at the open house.\nWants 3 bedrooms.".into()),
                ..Default::default()
            },
        )
        .await
        .expect("create");
    let note_id = note.id.clone().expect("id");
    assert!(note.added().is_some(), "the server stamps dateAdded");
    let edited = client
        .update_note(
            &id,
            &note_id,
            &NoteInput {
                body: Some("Wants 4 bedrooms.".into()),
                ..Default::default()
            },
        )
        .await
        .expect("update");
    assert_eq!(edited.body.as_deref(), Some("Wants 4 bedrooms."));
    assert_eq!(
        client.note(&id, &note_id).await.expect("read").body,
        edited.body
    );
    client.delete_note(&id, &note_id).await.expect("delete");
    let err = client.note(&id, &note_id).await.expect_err("gone");
    assert!(matches!(err, ApiError::NotFound { .. }), "{err:?}");
    let err = client
        .create_note(&id, &NoteInput::default())
        .await
        .expect_err("422");
    assert!(
        err.one_line().contains("body should not be empty"),
        "{}",
        err.one_line()
    );
}

#[tokio::test]
async fn a_read_only_token_is_refused_every_write() {
    let seed = common::demo_seed();
    let sb = common::start(&seed).await;
    let ro = Client::new(common::config(&sb, READONLY_TOKEN, sb.location_id())).expect("client");
    let id = first_id(&seed);
    let task = TaskInput {
        title: Some("t".into()),
        due_date: Some("2026-12-01T09:00:00Z".into()),
        completed: Some(false),
        ..Default::default()
    };
    let results = vec![
        ro.create_contact(&input("R", "r@example.com"))
            .await
            .map(drop),
        ro.update_contact(&id, &ContactInput::default())
            .await
            .map(drop),
        ro.add_tags(&id, &["x".into()]).await.map(drop),
        ro.create_task(&id, &task).await.map(drop),
        ro.create_note(
            &id,
            &NoteInput {
                body: Some("n".into()),
                ..Default::default()
            },
        )
        .await
        .map(drop),
        ro.delete_contact(&id).await,
    ];
    for r in results {
        let err = r.expect_err("refused");
        assert!(matches!(err, ApiError::MissingScope { .. }), "{err:?}");
    }
    ro.contact(&id)
        .await
        .expect("the contact is still there and readable");
}

#[tokio::test]
async fn a_create_is_not_retried_after_a_server_error_but_an_update_is() {
    let seed = common::demo_seed();
    let sb = common::start(&seed).await;
    let client = common::client(&sb);
    let id = first_id(&seed);
    sb.push_faults([Fault::Status(500)]);
    let note = NoteInput {
        body: Some("once".into()),
        ..Default::default()
    };
    let err = client
        .create_note(&id, &note)
        .await
        .expect_err("not retried");
    assert!(
        matches!(err, ApiError::Server { status: 500, .. }),
        "{err:?}"
    );
    assert_eq!(
        sb.requests().len(),
        1,
        "a create that may have happened is not sent blindly again"
    );

    sb.push_faults([Fault::Status(502)]);
    client
        .update_contact(
            &id,
            &ContactInput {
                city: Some("Austin".into()),
                ..Default::default()
            },
        )
        .await
        .expect("retried");
    assert_eq!(sb.requests().len(), 3);

    // A 429 means the server did nothing: even a create goes again.
    sb.push_faults([Fault::RateLimited(Some(0))]);
    client
        .create_note(&id, &note)
        .await
        .expect("sent again after the 429");
}
