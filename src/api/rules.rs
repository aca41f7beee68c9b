//! What the client must send, as the official OpenAPI files state it: the `Version` each API
//! family takes and the scopes each call needs. Written here, not shared with the sandbox
//! (`sandbox::rules`), so a mistake on one side is caught by the other; a test pins both to
//! the spec (`tests/schema.rs`, `client_sandbox_and_spec_agree`).

/// `Version` of the Contacts, Locations (tasks search included), Users, Custom Fields and
/// OAuth (installed locations, location tokens) APIs.
pub const CONTACTS_VERSION: &str = "2021-07-28";
/// `Version` of the Calendars API.
pub const CALENDARS_VERSION: &str = "2021-04-15";

/// The `Version` a request to `path` (the API path, from `/`) carries.
pub fn version_for(path: &str) -> &'static str {
    let first = path.trim_start_matches('/').split('/').next().unwrap_or("");
    if first == "calendars" {
        CALENDARS_VERSION
    } else {
        CONTACTS_VERSION
    }
}

pub const SCOPE_CONTACTS_READ: &str = "contacts.readonly";
pub const SCOPE_CONTACTS_WRITE: &str = "contacts.write";
/// Custom field names (`GET /locations/{id}/customFields`).
pub const SCOPE_FIELDS_READ: &str = "locations/customFields.readonly";
/// The location's tags, to complete from (`GET /locations/{id}/tags`).
pub const SCOPE_TAGS_READ: &str = "locations/tags.readonly";
/// The location's name, zone and timezones (`GET /locations/{id}`, `.../timezones`).
pub const SCOPE_LOCATIONS_READ: &str = "locations.readonly";
/// Names for user ids (`GET /users/`, `/users/search`).
pub const SCOPE_USERS_READ: &str = "users.readonly";
/// Tasks across contacts (`POST /locations/{id}/tasks/search`).
pub const SCOPE_TASKS_READ: &str = "locations/tasks.readonly";
/// The calendar's events (`GET /calendars/events`).
pub const SCOPE_EVENTS_READ: &str = "calendars/events.readonly";

/// Every scope the app reads with: contacts, and the extras that put names to ids.
pub const READ_SCOPES: [&str; 7] = [
    SCOPE_CONTACTS_READ,
    SCOPE_FIELDS_READ,
    SCOPE_TAGS_READ,
    SCOPE_LOCATIONS_READ,
    SCOPE_USERS_READ,
    SCOPE_TASKS_READ,
    SCOPE_EVENTS_READ,
];

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn calendars_take_their_own_version() {
        assert_eq!(version_for("/calendars/events"), "2021-04-15");
        assert_eq!(version_for("/calendars"), "2021-04-15");
        assert_eq!(version_for("/contacts/search"), "2021-07-28");
        assert_eq!(version_for("/calendarsx/y"), "2021-07-28");
        assert_eq!(version_for("/oauth/installedLocations"), "2021-07-28");
    }
}
