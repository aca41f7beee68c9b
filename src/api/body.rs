//! Reading an answer's body with a cap, checked as it arrives: past the cap the answer is
//! dropped (and with it the connection), so a server that sends without end costs at most the
//! cap in memory.

/// A token endpoint's answer is a few hundred bytes.
pub const TOKEN_ANSWER: usize = 1024 * 1024;

/// The body, or `None` when it was longer than `cap`.
pub async fn capped(
    resp: &mut reqwest::Response,
    cap: usize,
) -> Result<Option<Vec<u8>>, reqwest::Error> {
    if resp.content_length().is_some_and(|n| n > cap as u64) {
        return Ok(None);
    }
    let mut body = Vec::new();
    while let Some(chunk) = resp.chunk().await? {
        if body.len() + chunk.len() > cap {
            return Ok(None);
        }
        body.extend_from_slice(&chunk);
    }
    Ok(Some(body))
}
