//! The two OAuth endpoints an agency (Company) token uses: the locations that installed the
//! app, and a token for one of them.

use reqwest::Method;
use serde::Deserialize;

use super::client::{Body, Client};
use super::error::ApiError;
use super::lenient;
use super::secret::Secret;

/// A sub-account the agency's app is installed in.
#[derive(Clone, Debug, Default, PartialEq, Eq, Deserialize)]
pub struct InstalledLocation {
    #[serde(rename = "_id", default, deserialize_with = "lenient::string")]
    pub id: String,
    #[serde(default, deserialize_with = "lenient::string")]
    pub name: String,
    #[serde(default, deserialize_with = "lenient::string")]
    pub address: String,
}

#[derive(Deserialize)]
struct InstalledEnvelope {
    #[serde(default, deserialize_with = "lenient::lenient_list")]
    locations: Vec<InstalledLocation>,
    #[serde(default, deserialize_with = "lenient::opt_f64")]
    count: Option<f64>,
}

/// A location token: no refresh token comes with it; the agency token buys a new one.
#[derive(Clone, Debug, Deserialize)]
pub struct LocationToken {
    pub access_token: Secret,
    #[serde(default, deserialize_with = "lenient::opt_f64")]
    pub expires_in: Option<f64>,
    #[serde(default, deserialize_with = "lenient::string")]
    pub scope: String,
    #[serde(rename = "locationId", default, deserialize_with = "lenient::string")]
    pub location_id: String,
}

const PAGE: usize = 100;
const MAX_PAGES: usize = 200;

impl Client {
    /// `GET /oauth/installedLocations`, every page. `app_id` is the marketplace app's id.
    pub async fn installed_locations(
        &self,
        company_id: &str,
        app_id: &str,
    ) -> Result<Vec<InstalledLocation>, ApiError> {
        let mut all: Vec<InstalledLocation> = Vec::new();
        let mut skip = 0;
        // GHL's largest page is not documented: go on until an empty page or the count, and
        // never without end.
        for _ in 0..MAX_PAGES {
            let mut url = self.url(&["oauth", "installedLocations"]);
            url.query_pairs_mut()
                .append_pair("companyId", company_id)
                .append_pair("appId", app_id)
                .append_pair("isInstalled", "true")
                .append_pair("skip", &skip.to_string())
                .append_pair("limit", &PAGE.to_string());
            let page: InstalledEnvelope = self.call_with(Method::GET, url, None, true).await?;
            let got = page.locations.len();
            skip += got;
            let before = all.len();
            for l in page.locations {
                if !l.id.is_empty() && !all.iter().any(|x| x.id == l.id) {
                    all.push(l);
                }
            }
            let total = page.count.map_or(usize::MAX, |c| c.max(0.0) as usize);
            // A page that adds nothing (a server ignoring `skip`) ends it too.
            if got == 0 || skip >= total || all.len() == before {
                break;
            }
        }
        Ok(all)
    }

    /// `POST /oauth/locationToken`: a token for one of the agency's locations, and when it
    /// stops working (seconds from now).
    pub async fn location_token(
        &self,
        company_id: &str,
        location_id: &str,
    ) -> Result<(Secret, i64), ApiError> {
        let url = self.url(&["oauth", "locationToken"]);
        let form = [("companyId", company_id), ("locationId", location_id)];
        // Not retried on a lost answer: each call mints a token, and the next request asks again.
        let t: LocationToken = self
            .call_with(Method::POST, url, Some(Body::Form(&form)), false)
            .await
            .map_err(|e| match e {
                // An answer of another shape may still hold a token: none of it is shown.
                ApiError::Decode { status, .. } => ApiError::Decode {
                    status,
                    what: "a token answer of another shape (not shown)".into(),
                },
                other => other,
            })?;
        let ttl =
            crate::auth::token_file::lifetime(t.expires_in.map(serde_json::Value::from).as_ref());
        Ok((t.access_token, ttl))
    }
}
