//! The location's users (Users API, scope `users.readonly`), to show people by name where the
//! API gives ids (`assignedTo`, a note's `userId`).

use reqwest::Method;
use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};

use super::client::Client;
use super::error::ApiError;
use super::lenient;

#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct User {
    #[serde(default, deserialize_with = "lenient::string")]
    pub id: String,
    #[serde(default, deserialize_with = "lenient::opt_string")]
    pub name: Option<String>,
    #[serde(default, deserialize_with = "lenient::opt_string")]
    pub first_name: Option<String>,
    #[serde(default, deserialize_with = "lenient::opt_string")]
    pub last_name: Option<String>,
    #[serde(default, deserialize_with = "lenient::opt_string")]
    pub email: Option<String>,
    #[serde(flatten)]
    pub extra: Map<String, Value>,
}

impl User {
    /// The name to show: as given, else first and last, else the email, else the id.
    pub fn display_name(&self) -> String {
        let joined =
            super::contact::full_name(self.first_name.as_deref(), self.last_name.as_deref());
        [
            self.name.as_deref(),
            Some(joined.as_str()),
            self.email.as_deref(),
        ]
        .into_iter()
        .flatten()
        .map(str::trim)
        .find(|s| !s.is_empty())
        .unwrap_or(&self.id)
        .to_string()
    }
}

#[derive(Deserialize)]
struct UsersEnvelope {
    #[serde(default, deserialize_with = "lenient::lenient_list")]
    users: Vec<User>,
    #[serde(default, deserialize_with = "lenient::opt_f64")]
    count: Option<f64>,
}

const PAGE: usize = 100;
const MAX_PAGES: usize = 50;

impl Client {
    /// The location's users: `GET /users/search` page by page when the company is known (the
    /// current endpoint needs it), else the deprecated `GET /users/?locationId=`.
    pub async fn users(&self, company_id: Option<&str>) -> Result<Vec<User>, ApiError> {
        let Some(company) = company_id.filter(|c| !c.is_empty()) else {
            let mut url = self.url(&["users", ""]);
            url.query_pairs_mut()
                .append_pair("locationId", self.location_id());
            let env: UsersEnvelope = self.call(Method::GET, url, None, true).await?;
            return Ok(env.users);
        };
        let mut all: Vec<User> = Vec::new();
        let mut skip = 0;
        for _ in 0..MAX_PAGES {
            let mut url = self.url(&["users", "search"]);
            url.query_pairs_mut()
                .append_pair("companyId", company)
                .append_pair("locationId", self.location_id())
                .append_pair("skip", &skip.to_string())
                .append_pair("limit", &PAGE.to_string());
            let page: UsersEnvelope = self.call(Method::GET, url, None, true).await?;
            let got = page.users.len();
            skip += got;
            let before = all.len();
            for u in page.users {
                if !u.id.is_empty() && !all.iter().any(|x| x.id == u.id) {
                    all.push(u);
                }
            }
            let total = page.count.map_or(usize::MAX, |c| c.max(0.0) as usize);
            if got < PAGE || skip >= total || all.len() == before {
                break;
            }
        }
        Ok(all)
    }
}
