//! Answers in GHL's shapes: `{statusCode, message, error}` with `message` a string or a list.

use axum::Json;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use serde_json::{Value, json};

pub fn ok(body: Value) -> Response {
    (StatusCode::OK, Json(body)).into_response()
}

pub fn bad_request(message: &str) -> Response {
    let body = json!({"statusCode": 400, "message": message});
    (StatusCode::BAD_REQUEST, Json(body)).into_response()
}

pub fn unauthorized(message: &str) -> Response {
    let body = json!({"statusCode": 401, "message": message, "error": "Unauthorized"});
    (StatusCode::UNAUTHORIZED, Json(body)).into_response()
}

/// GHL answers a missing scope with 401 and no `error` field.
pub fn missing_scope() -> Response {
    let body = json!({"statusCode": 401, "message": "The token is not authorized for this scope."});
    (StatusCode::UNAUTHORIZED, Json(body)).into_response()
}

pub fn unprocessable(messages: Vec<String>) -> Response {
    let body = json!({"statusCode": 422, "message": messages, "error": "Unprocessable Entity"});
    (StatusCode::UNPROCESSABLE_ENTITY, Json(body)).into_response()
}

pub fn not_found(message: &str) -> Response {
    let body = json!({"statusCode": 404, "message": message, "error": "Not Found"});
    (StatusCode::NOT_FOUND, Json(body)).into_response()
}

pub fn too_many_requests() -> Response {
    let body = json!({"statusCode": 429, "message": "Too Many Requests"});
    (StatusCode::TOO_MANY_REQUESTS, Json(body)).into_response()
}

pub fn server_error(status: u16) -> Response {
    let code = StatusCode::from_u16(status).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
    let body = json!({"statusCode": code.as_u16(), "message": code.canonical_reason().unwrap_or("Internal Server Error")});
    (code, Json(body)).into_response()
}
