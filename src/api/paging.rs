//! Which search page comes next. `page` x `pageLimit` reaches at most 10,000 records; past that
//! the next page is asked for with the last contact's `searchAfter` and no `page`.

use super::contact::Contact;
use super::envelopes::{PAGE_WINDOW, SearchRequest};

/// The request for the page after `prev`, which returned `got` (its contacts), with `loaded`
/// contacts held in all and `total` reported; `None` when there is nothing more.
pub fn next_search(
    prev: &SearchRequest,
    got: &[Contact],
    loaded: u64,
    total: Option<u64>,
) -> Option<SearchRequest> {
    if got.is_empty() || total.is_some_and(|t| loaded >= t) {
        return None;
    }
    let short = (got.len() as u32) < prev.page_limit;
    if short && total.is_none() {
        return None;
    }
    let mut next = prev.clone();
    let next_page = prev.page.unwrap_or(1) + 1;
    // A short page while the total says there is more means the server pages by a smaller
    // size than asked: page numbers would skip records, the cursor does not.
    if !short
        && prev.search_after.is_none()
        && u64::from(next_page) * u64::from(prev.page_limit) <= PAGE_WINDOW
    {
        next.page = Some(next_page);
        return Some(next);
    }
    // The last contact with a usable cursor: one that came without (or with a broken one) is
    // kept, and paging goes on from the one before it.
    let cursor = got.iter().rev().find_map(|c| c.search_after.clone())?;
    next.page = None;
    next.search_after = Some(cursor);
    Some(next)
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn contacts(n: usize) -> Vec<Contact> {
        (0..n)
            .map(|i| Contact {
                id: Some(format!("c{i}")),
                search_after: Some(vec![json!(i), json!(format!("c{i}"))]),
                ..Default::default()
            })
            .collect()
    }

    fn req(page: Option<u32>) -> SearchRequest {
        SearchRequest {
            location_id: "L".into(),
            page_limit: 500,
            page,
            ..Default::default()
        }
    }

    #[test]
    fn pages_until_the_window_then_switches_to_search_after() {
        let got = contacts(500);
        let n = next_search(&req(Some(19)), &got, 9_500, Some(50_000)).expect("page 20");
        assert_eq!(n.page, Some(20));
        let n = next_search(&req(Some(20)), &got, 10_000, Some(50_000)).expect("cursor");
        assert_eq!(n.page, None);
        assert_eq!(n.search_after, Some(vec![json!(499), json!("c499")]));
        // Once on the cursor, stay on it.
        let n2 = next_search(&n, &got, 10_500, Some(50_000)).expect("cursor again");
        assert_eq!(n2.page, None);
    }

    #[test]
    fn a_contact_without_a_usable_cursor_is_kept_and_paging_goes_on_before_it() {
        let page = serde_json::json!({"contacts": [
            {"id": "a", "searchAfter": [1, "a"]},
            {"id": "b", "searchAfter": [2, "b"]},
            {"id": "c", "searchAfter": "not-a-pair"},
            {"id": "d", "searchAfter": [3]}
        ], "total": 9});
        let env: crate::api::envelopes::SearchEnvelope =
            serde_json::from_value(page).expect("the page reads");
        assert_eq!(env.contacts.len(), 4, "every contact kept");
        assert!(env.contacts[2].search_after.is_none());
        let mut prev = req(None);
        prev.page_limit = 4;
        prev.search_after = Some(vec![json!(0), json!("z")]);
        let n = next_search(&prev, &env.contacts, 4, Some(9)).expect("more");
        assert_eq!(n.search_after, Some(vec![json!(2), json!("b")]));
    }

    #[test]
    fn a_short_page_below_the_total_goes_on_by_cursor() {
        let n = next_search(&req(Some(1)), &contacts(100), 100, Some(250)).expect("more");
        assert_eq!((n.page, n.search_after.is_some()), (None, true));
    }

    #[test]
    fn stops_on_a_short_page_or_at_the_total() {
        assert!(next_search(&req(Some(1)), &contacts(10), 10, None).is_none());
        assert!(next_search(&req(Some(1)), &contacts(10), 10, Some(10)).is_none());
        assert!(next_search(&req(Some(1)), &contacts(500), 500, Some(500)).is_none());
        assert!(next_search(&req(Some(1)), &[], 0, None).is_none());
    }
}
