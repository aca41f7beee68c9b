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
    pub access_token: String,
    #[serde(default, deserialize_with = "lenient::opt_f64")]
    pub expires_in: Option<f64>,
    #[serde(default, deserialize_with = "lenient::string")]
    pub scope: String,
    #[serde(rename = "locationId", default, deserialize_with = "lenient::string")]
    pub location_id: String,
}

const PAGE: usize = 100;

impl Client {
    /// `GET /oauth/installedLocations`, every page. `app_id` is the marketplace app's id.
    pub async fn installed_locations(
        &self,
        company_id: &str,
        app_id: &str,
    ) -> Result<Vec<InstalledLocation>, ApiError> {
        let mut all: Vec<InstalledLocation> = Vec::new();
        loop {
            let mut url = self.url(&["oauth", "installedLocations"]);
            url.query_pairs_mut()
                .append_pair("companyId", company_id)
                .append_pair("appId", app_id)
                .append_pair("isInstalled", "true")
                .append_pair("skip", &all.len().to_string())
                .append_pair("limit", &PAGE.to_string());
            let page: InstalledEnvelope = self.call_with(Method::GET, url, None, true).await?;
            let got = page.locations.len();
            all.extend(page.locations.into_iter().filter(|l| !l.id.is_empty()));
            let total = page.count.map_or(usize::MAX, |c| c.max(0.0) as usize);
            if got < PAGE || all.len() >= total {
                return Ok(all);
            }
        }
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
            .await?;
        let ttl = t.expires_in.map_or(3600, |s| s as i64);
        Ok((Secret::new(t.access_token), ttl))
    }
}
