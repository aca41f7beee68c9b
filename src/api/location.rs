//! The location itself (Locations API, scope `locations.readonly`): its name for the status
//! bar, its country (the default region for phone numbers), its timezone, its company (to list
//! its users), and the timezones it offers.

use reqwest::Method;
use serde::Deserialize;
use serde_json::{Map, Value};

use super::client::Client;
use super::error::ApiError;
use super::lenient;

/// `GET /locations/{locationId}`'s `location`, the fields the app uses; the rest kept.
#[derive(Clone, Debug, Default, PartialEq, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct LocationInfo {
    #[serde(default, deserialize_with = "lenient::opt_string")]
    pub id: Option<String>,
    #[serde(default, deserialize_with = "lenient::opt_string")]
    pub company_id: Option<String>,
    #[serde(default, deserialize_with = "lenient::opt_string")]
    pub name: Option<String>,
    #[serde(default, deserialize_with = "lenient::opt_string")]
    pub country: Option<String>,
    #[serde(default, deserialize_with = "lenient::opt_string")]
    pub timezone: Option<String>,
    #[serde(flatten)]
    pub extra: Map<String, Value>,
}

#[derive(Deserialize)]
struct LocationEnvelope {
    #[serde(default, deserialize_with = "lenient::opt_object")]
    location: Option<LocationInfo>,
}

/// The timezones in an answer the spec leaves untyped: a list of names under any key
/// (`timeZones` is what is seen), or of objects naming one (`value`, `name`, `timezone`).
pub fn zones_in(v: &Value) -> Vec<String> {
    fn name_of(item: &Value) -> Option<String> {
        match item {
            Value::String(s) => Some(s.clone()),
            Value::Object(o) => ["value", "timezone", "timeZone", "name", "id"]
                .iter()
                .find_map(|k| o.get(*k).and_then(Value::as_str).map(String::from)),
            _ => None,
        }
    }
    let list = match v {
        Value::Array(items) => Some(items),
        Value::Object(o) => o.values().find_map(Value::as_array),
        _ => None,
    };
    let mut out: Vec<String> = list
        .into_iter()
        .flatten()
        .filter_map(name_of)
        .map(|s| s.trim().to_string())
        // An IANA name: `Area/Place`, or `UTC`.
        .filter(|s| !s.is_empty() && s.len() <= 64 && !s.contains(char::is_whitespace))
        .collect();
    out.sort();
    out.dedup();
    out
}

impl Client {
    /// `GET /locations/{locationId}`.
    pub async fn location(&self) -> Result<LocationInfo, ApiError> {
        let url = self.url(&["locations", self.location_id()]);
        let env: LocationEnvelope = self.call(Method::GET, url, None, true).await?;
        env.location.ok_or(ApiError::Decode {
            status: 200,
            what: "an answer without a location".into(),
        })
    }

    /// `GET /locations/{locationId}/timezones`: the names the location offers.
    pub async fn timezones(&self) -> Result<Vec<String>, ApiError> {
        let url = self.url(&["locations", self.location_id(), "timezones"]);
        let v: Value = self.call(Method::GET, url, None, true).await?;
        Ok(zones_in(&v))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn timezones_are_read_from_any_shape_seen() {
        let zones = zones_in(&json!({"timeZones": ["Europe/Paris", "America/New_York", " UTC "]}));
        assert_eq!(zones, ["America/New_York", "Europe/Paris", "UTC"]);
        let zones = zones_in(&json!([{"value": "Asia/Tokyo", "label": "Tokyo"}, 3, "not a zone"]));
        assert_eq!(zones, ["Asia/Tokyo"]);
        assert!(zones_in(&json!("nothing")).is_empty());
    }
}
