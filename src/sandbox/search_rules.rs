//! The parts of the search body that sync uses (FACTS "Syncing a whole location"): `sort` on
//! `dateAdded` or `dateUpdated`, and `filters` with the `range` operator on the same fields
//! (`gt`, `gte`, `lt`, `lte`; ISO 8601 or epoch ms), alone or in an `AND` group. Anything else
//! is refused as the live API refuses a body it cannot read: a 422 that names the part.

use serde_json::Value;

use super::store::{SortKey, StoredContact};

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Order {
    pub by: SortKey,
    pub ascending: bool,
}

impl Default for Order {
    /// Newest first, as the search endpoint sorts when asked nothing.
    fn default() -> Self {
        Order {
            by: SortKey::Added,
            ascending: false,
        }
    }
}

fn key_of(field: &str) -> Option<SortKey> {
    match field {
        "dateAdded" => Some(SortKey::Added),
        "dateUpdated" => Some(SortKey::Updated),
        _ => None,
    }
}

pub fn sort_of(sort: Option<&Value>) -> Result<Order, String> {
    let first = match sort {
        None | Some(Value::Null) => return Ok(Order::default()),
        Some(Value::Array(a)) if a.is_empty() => return Ok(Order::default()),
        Some(Value::Array(a)) => &a[0],
        Some(_) => return Err("sort must be an array of {field, direction}".into()),
    };
    let field = first.get("field").and_then(Value::as_str).unwrap_or("");
    let by = key_of(field).ok_or_else(|| format!("sort field {field:?} is not supported"))?;
    let ascending = match first.get("direction").and_then(Value::as_str) {
        Some("asc") => true,
        Some("desc") | None => false,
        Some(other) => return Err(format!("sort direction must be asc or desc, not {other:?}")),
    };
    Ok(Order { by, ascending })
}

/// `dateUpdated` within bounds.
#[derive(Clone, Debug, PartialEq)]
pub struct Range {
    by: SortKey,
    gt: Option<i64>,
    gte: Option<i64>,
    lt: Option<i64>,
    lte: Option<i64>,
}

impl Range {
    pub fn holds(&self, c: &StoredContact) -> bool {
        let v = c.key(self.by);
        self.gt.is_none_or(|b| v > b)
            && self.gte.is_none_or(|b| v >= b)
            && self.lt.is_none_or(|b| v < b)
            && self.lte.is_none_or(|b| v <= b)
    }
}

fn time_of(v: &Value) -> Option<i64> {
    match v {
        Value::Number(n) => n.as_i64(),
        Value::String(s) => crate::api::time::epoch_ms(s),
        _ => None,
    }
}

fn filter_of(f: &Value, out: &mut Vec<Range>) -> Result<(), String> {
    if let Some(group) = f.get("group") {
        if group.as_str() != Some("AND") {
            return Err(format!("filter group {group} is not supported (only AND)"));
        }
        for inner in f
            .get("filters")
            .and_then(Value::as_array)
            .into_iter()
            .flatten()
        {
            filter_of(inner, out)?;
        }
        return Ok(());
    }
    let field = f.get("field").and_then(Value::as_str).unwrap_or("");
    let by = key_of(field).ok_or_else(|| format!("filter field {field:?} is not supported"))?;
    let operator = f.get("operator").and_then(Value::as_str).unwrap_or("");
    if operator != "range" {
        return Err(format!(
            "filter operator {operator:?} is not supported on {field}"
        ));
    }
    let value = f
        .get("value")
        .and_then(Value::as_object)
        .ok_or_else(|| format!("a range filter on {field} needs a value object"))?;
    let bound = |name: &str| -> Result<Option<i64>, String> {
        match value.get(name) {
            None | Some(Value::Null) => Ok(None),
            Some(v) => time_of(v)
                .map(Some)
                .ok_or_else(|| format!("{field} {name} must be a date (ISO 8601 or ms)")),
        }
    };
    let range = Range {
        by,
        gt: bound("gt")?,
        gte: bound("gte")?,
        lt: bound("lt")?,
        lte: bound("lte")?,
    };
    if range
        == (Range {
            by,
            gt: None,
            gte: None,
            lt: None,
            lte: None,
        })
    {
        return Err(format!(
            "a range filter on {field} needs gt, gte, lt or lte"
        ));
    }
    out.push(range);
    Ok(())
}

pub fn filters_of(filters: Option<&Value>) -> Result<Vec<Range>, String> {
    let mut out = Vec::new();
    match filters {
        None | Some(Value::Null) => {}
        Some(Value::Array(a)) => {
            for f in a {
                filter_of(f, &mut out)?;
            }
        }
        Some(_) => return Err("filters must be an array".into()),
    }
    Ok(out)
}
