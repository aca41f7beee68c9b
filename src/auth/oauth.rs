//! The authorization-code grant with the `oauth2` crate: the URL the user approves, and the
//! exchange of the code for tokens. GHL's token endpoint wants the client credentials in the
//! form body and a `user_type` field, and answers with GHL's own fields beside the standard ones.

use oauth2::basic::{
    BasicErrorResponse, BasicRevocationErrorResponse, BasicTokenIntrospectionResponse,
    BasicTokenType,
};
use oauth2::{
    AuthType, AuthUrl, AuthorizationCode, ClientId, ClientSecret, CsrfToken, ExtraTokenFields,
    RedirectUrl, RequestTokenError, Scope, StandardRevocableToken, StandardTokenResponse, TokenUrl,
};
use serde::{Deserialize, Serialize};

use super::token_file::TokenSet;
use crate::api::Secret;

/// GHL's fields in a token answer, beyond the standard ones.
#[derive(Clone, Debug, Default, Serialize, Deserialize)]
pub struct GhlFields {
    #[serde(rename = "userType", default, skip_serializing_if = "Option::is_none")]
    pub user_type: Option<String>,
    #[serde(
        rename = "locationId",
        default,
        skip_serializing_if = "Option::is_none"
    )]
    pub location_id: Option<String>,
    #[serde(rename = "companyId", default, skip_serializing_if = "Option::is_none")]
    pub company_id: Option<String>,
    #[serde(rename = "userId", default, skip_serializing_if = "Option::is_none")]
    pub user_id: Option<String>,
}

impl ExtraTokenFields for GhlFields {}

type GhlTokenResponse = StandardTokenResponse<GhlFields, BasicTokenType>;
/// The client with the authorize and token endpoints set (oauth2's typestates).
type GhlClient = oauth2::Client<
    BasicErrorResponse,
    GhlTokenResponse,
    BasicTokenIntrospectionResponse,
    StandardRevocableToken,
    BasicRevocationErrorResponse,
    oauth2::EndpointSet,
    oauth2::EndpointNotSet,
    oauth2::EndpointNotSet,
    oauth2::EndpointNotSet,
    oauth2::EndpointSet,
>;

/// Who signs in: one sub-account, or an agency that then picks among its locations.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum UserType {
    Location,
    Company,
}

impl UserType {
    pub fn as_str(self) -> &'static str {
        match self {
            UserType::Location => "Location",
            UserType::Company => "Company",
        }
    }
}

/// An OAuth app and the endpoints it signs in with.
#[derive(Clone, Debug)]
pub struct OAuthSettings {
    pub client_id: String,
    pub client_secret: Secret,
    pub authorize_url: String,
    pub token_url: String,
    pub redirect_uri: String,
    pub scopes: Vec<String>,
    pub user_type: UserType,
}

/// A sign-in started: the URL to approve and the `state` the answer must carry back.
#[derive(Debug)]
pub struct Attempt {
    pub url: String,
    pub state: String,
}

fn client(s: &OAuthSettings) -> Result<GhlClient, String> {
    let auth = AuthUrl::new(s.authorize_url.clone())
        .map_err(|e| format!("the authorize URL is not valid: {e}"))?;
    let token = TokenUrl::new(s.token_url.clone())
        .map_err(|e| format!("the token URL is not valid: {e}"))?;
    let redirect = RedirectUrl::new(s.redirect_uri.clone())
        .map_err(|e| format!("the redirect URI is not valid: {e}"))?;
    Ok(oauth2::Client::new(ClientId::new(s.client_id.clone()))
        .set_client_secret(ClientSecret::new(s.client_secret.expose().to_string()))
        .set_auth_uri(auth)
        .set_token_uri(token)
        .set_redirect_uri(redirect)
        // GHL reads the credentials from the form, not from Basic auth.
        .set_auth_type(AuthType::RequestBody))
}

/// The sign-in URL for `settings`, with a fresh random `state`.
pub fn start(settings: &OAuthSettings) -> Result<Attempt, String> {
    let (url, state) = client(settings)?
        .authorize_url(CsrfToken::new_random)
        .add_scopes(settings.scopes.iter().cloned().map(Scope::new))
        .url();
    Ok(Attempt {
        url: url.to_string(),
        state: state.secret().clone(),
    })
}

/// Trades an authorization code for tokens, received at `now` (seconds since the epoch).
pub async fn exchange(settings: &OAuthSettings, code: &str, now: i64) -> Result<TokenSet, String> {
    let http = http_client()?;
    let send = |req: oauth2::HttpRequest| send(&http, req);
    let answer = client(settings)?
        .exchange_code(AuthorizationCode::new(code.trim().to_string()))
        .add_extra_param("user_type", settings.user_type.as_str())
        .request_async(&send)
        .await
        .map_err(|e| describe(&e))?;
    // One reading of token answers for login and refresh alike.
    let raw = serde_json::to_value(&answer)
        .map_err(|e| format!("the token answer could not be read: {e}"))?;
    let mut set = TokenSet::from_answer(&raw, now)
        .ok_or_else(|| "the token answer had no access token".to_string())?;
    if set.user_type.is_empty() {
        set.user_type = settings.user_type.as_str().into();
    }
    set.client_id = Some(settings.client_id.clone());
    set.client_secret = Some(settings.client_secret.clone());
    Ok(set)
}

/// No redirects: a token endpoint that redirects is misconfigured or hostile, and following it
/// would resend the code.
pub fn http_client() -> Result<reqwest::Client, String> {
    reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .connect_timeout(std::time::Duration::from_secs(10))
        .timeout(std::time::Duration::from_secs(30))
        .build()
        .map_err(|e| format!("can't start HTTP: {e}"))
}

async fn send(
    http: &reqwest::Client,
    req: oauth2::HttpRequest,
) -> Result<oauth2::HttpResponse, reqwest::Error> {
    let (parts, body) = req.into_parts();
    let mut resp = http
        .request(parts.method, parts.uri.to_string())
        .headers(parts.headers)
        .body(body)
        .send()
        .await?;
    let mut out = http::Response::builder().status(resp.status());
    if let Some(headers) = out.headers_mut() {
        headers.extend(resp.headers().clone());
    }
    // An answer too large to be a token answer is read as none at all (and so refused).
    let bytes = crate::api::body::capped(&mut resp, crate::api::body::TOKEN_ANSWER)
        .await?
        .unwrap_or_default();
    // The builder only fails on invalid parts, and these came from a parsed response.
    Ok(out
        .body(bytes.to_vec())
        .unwrap_or_else(|_| http::Response::new(Vec::new())))
}

/// One line for the user; the server's own words where it gave some, never a token.
fn describe(e: &RequestTokenError<reqwest::Error, BasicErrorResponse>) -> String {
    match e {
        RequestTokenError::ServerResponse(r) => {
            let why = r
                .error_description()
                .cloned()
                .unwrap_or_else(|| r.error().to_string());
            format!(
                "the sign-in was refused ({}): {}",
                r.error(),
                crate::sanitize::line(&why)
            )
        }
        RequestTokenError::Request(e) => {
            format!("could not reach the token endpoint: {}", without_url(e))
        }
        RequestTokenError::Parse(_, body) => format!(
            "the token endpoint answered something that is not a token ({} bytes)",
            body.len()
        ),
        RequestTokenError::Other(why) => {
            format!("the sign-in failed: {}", crate::sanitize::line(why))
        }
    }
}

/// reqwest errors name the URL; ours carry no secrets, but the query of a future one might.
fn without_url(e: &reqwest::Error) -> String {
    let mut e = e.to_string();
    if let Some(i) = e.find(" for url (") {
        e.truncate(i);
    }
    e
}
