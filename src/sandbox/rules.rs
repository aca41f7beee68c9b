//! The API's rules as the official OpenAPI files and FACTS.md state them, kept here rather than
//! borrowed from the client (`crate::api`): the sandbox stands for the server, so a client that
//! gets a limit wrong must be caught by it, not agree with it. Tests pin these to the spec.

/// `Version` of the Contacts, Locations (incl. tasks search) and Users APIs: the only value
/// their paths allow.
pub const CONTACTS_VERSION: &str = "2021-07-28";
pub const LOCATIONS_VERSION: &str = "2021-07-28";
pub const USERS_VERSION: &str = "2021-07-28";
/// `Version` of the Calendars API (`/calendars/...`).
pub const CALENDARS_VERSION: &str = "2021-04-15";

/// The most records `page` x `pageLimit` of `POST /contacts/search` reach; past them only
/// `searchAfter` pages on.
pub const PAGE_WINDOW: u64 = 10_000;
/// The largest `pageLimit` of `POST /contacts/search`.
pub const MAX_PAGE_LIMIT: u32 = 500;
/// The largest `limit` of the deprecated `GET /contacts/` and of `GET /contacts/business/{id}`.
pub const MAX_LIST_LIMIT: u32 = 100;
/// The default `limit` of those two.
pub const DEFAULT_LIST_LIMIT: usize = 20;
/// The longest `query` of `POST /contacts/search`.
pub const MAX_QUERY_CHARS: usize = 75;
/// The default `limit` of `POST /locations/{id}/tasks/search` (TaskSearchParamsDto).
pub const TASKS_SEARCH_DEFAULT_LIMIT: usize = 25;
/// The default `limit` of `GET /users/search`.
pub const USERS_SEARCH_DEFAULT_LIMIT: usize = 25;

pub const SCOPE_READ: &str = "contacts.readonly";
pub const SCOPE_WRITE: &str = "contacts.write";
pub const SCOPE_FIELDS_READ: &str = "locations/customFields.readonly";
pub const SCOPE_TAGS_READ: &str = "locations/tags.readonly";
/// `GET /locations/{id}` and `/locations/{id}/timezones`.
pub const SCOPE_LOCATIONS_READ: &str = "locations.readonly";
/// `GET /users/search`, `/users/`, `/users/{id}`.
pub const SCOPE_USERS_READ: &str = "users.readonly";
/// `POST /locations/{id}/tasks/search`.
pub const SCOPE_TASKS_READ: &str = "locations/tasks.readonly";
/// `GET /calendars/events`.
pub const SCOPE_EVENTS_READ: &str = "calendars/events.readonly";

/// The `Version` header the API family of `path` takes. Paths the sandbox does not serve get
/// the Contacts one, so their 404 comes after the usual header checks.
pub fn version_for(path: &str) -> &'static str {
    if path == "/calendars" || path.starts_with("/calendars/") {
        CALENDARS_VERSION
    } else if path.starts_with("/locations/") {
        LOCATIONS_VERSION
    } else if path == "/users" || path.starts_with("/users/") {
        USERS_VERSION
    } else {
        CONTACTS_VERSION
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn each_family_has_its_version() {
        assert_eq!(version_for("/contacts/search"), "2021-07-28");
        assert_eq!(version_for("/locations/x/tasks/search"), "2021-07-28");
        assert_eq!(version_for("/users/search"), "2021-07-28");
        assert_eq!(version_for("/calendars/events"), "2021-04-15");
        assert_eq!(version_for("/calendarsx"), "2021-07-28");
    }
}
