//! Every row checked before anything is sent: what is surely wrong (a malformed email, a
//! value that is not one of a field's options, a row with no email or phone, a second row for
//! the same person) is refused here, with why. What depends on the account (a phone number
//! in its country's rules, the location's duplicate setting) is left to the API, whose reason
//! is reported in the same way. An empty cell changes nothing on the contact.

use std::collections::HashMap;

use serde_json::Value;

use super::fields::{Mapping, Std, Target};
use super::rows::Row;
use crate::api::{ContactInput, CustomFieldDef, CustomFieldInput};

/// A row ready to send: the upsert's body (never with `tags`: upsert replaces them all) and
/// the tags to add after it.
#[derive(Clone, Debug, PartialEq)]
pub struct Prepared {
    /// Its place among the rows of the file.
    pub index: usize,
    pub line: u64,
    pub input: ContactInput,
    pub tags: Vec<String>,
}

impl Prepared {
    /// Requests it costs: the upsert, and the tags.
    pub fn requests(&self) -> u64 {
        1 + u64::from(!self.tags.is_empty())
    }
}

#[derive(Clone, Debug, PartialEq)]
pub struct Refusal {
    pub index: usize,
    pub line: u64,
    pub reason: String,
}

/// Each row, ready or refused, in the file's order.
pub fn prepare(rows: &[Row], mapping: &Mapping) -> Vec<Result<Prepared, Refusal>> {
    let mut emails: HashMap<String, u64> = HashMap::new();
    let mut phones: HashMap<String, u64> = HashMap::new();
    rows.iter()
        .enumerate()
        .map(|(index, row)| {
            let refuse = |reason: String| Refusal {
                index,
                line: row.line,
                reason,
            };
            if let Some(why) = &row.broken {
                return Err(refuse(why.clone()));
            }
            let p = one(index, row, mapping).map_err(refuse)?;
            // Two rows for one person would be two upserts of one contact, the second undoing
            // the first: refused, to be merged into one row.
            let email = p.input.email.as_deref().map(str::to_lowercase);
            let phone = p
                .input
                .phone
                .as_deref()
                .map(digits)
                .filter(|d| d.len() >= 7);
            if let Some(first) = email.as_ref().and_then(|e| emails.get(e)) {
                return Err(refuse(format!(
                    "the same email as line {first}: merge the two rows"
                )));
            }
            if let Some(first) = phone.as_ref().and_then(|d| phones.get(d)) {
                return Err(refuse(format!(
                    "the same phone as line {first}: merge the two rows"
                )));
            }
            if let Some(e) = email {
                emails.insert(e, row.line);
            }
            if let Some(d) = phone {
                phones.insert(d, row.line);
            }
            Ok(p)
        })
        .collect()
}

fn digits(s: &str) -> String {
    s.chars().filter(char::is_ascii_digit).collect()
}

/// A cell as text: strings trimmed, numbers and booleans written out; empty is nothing.
fn text(v: &Value) -> Option<String> {
    let s = match v {
        Value::String(s) => s.trim().to_string(),
        Value::Number(n) => n.to_string(),
        Value::Bool(b) => b.to_string(),
        _ => return None,
    };
    (!s.is_empty()).then_some(s)
}

/// A list in a cell: a JSON list, or text split at commas.
fn list(v: &Value) -> Vec<String> {
    let items: Vec<String> = match v {
        Value::Array(a) => a.iter().filter_map(text).collect(),
        other => text(other)
            .map(|s| s.split(',').map(|t| t.trim().to_string()).collect())
            .unwrap_or_default(),
    };
    let mut out: Vec<String> = Vec::new();
    for i in items {
        if !i.is_empty() && !out.iter().any(|o| o.eq_ignore_ascii_case(&i)) {
            out.push(i);
        }
    }
    out
}

fn one(index: usize, row: &Row, mapping: &Mapping) -> Result<Prepared, String> {
    let mut input = ContactInput::default();
    let mut tags = Vec::new();
    for (col, value) in &row.cells {
        let Some(target) = mapping.targets.get(*col) else {
            continue;
        };
        match target {
            Target::Skip => {}
            Target::Tags => {
                for t in list(value) {
                    if !tags.iter().any(|o: &String| o.eq_ignore_ascii_case(&t)) {
                        tags.push(t);
                    }
                }
            }
            Target::Field(f) => {
                if let Some(s) = text(value) {
                    set(&mut input, *f, s)?;
                }
            }
            Target::Custom(def) => {
                if let Some(v) = custom_value(def, value)? {
                    input.custom_fields.push(CustomFieldInput {
                        id: def.id.clone().unwrap_or_default(),
                        field_value: v,
                    });
                }
            }
            Target::CustomList => input.custom_fields.extend(custom_list(value)?),
        }
    }
    if input.email.is_none() && input.phone.is_none() {
        return Err(
            "no email and no phone: upsert finds a contact by them, so without one each run would make another contact"
                .into(),
        );
    }
    Ok(Prepared {
        index,
        line: row.line,
        input,
        tags,
    })
}

fn set(input: &mut ContactInput, field: Std, s: String) -> Result<(), String> {
    let slot = match field {
        Std::Email => {
            if !is_email(&s) {
                return Err(format!("{s:?} is not an email address"));
            }
            &mut input.email
        }
        Std::Dnd => {
            input.dnd = Some(match s.to_ascii_lowercase().as_str() {
                "true" | "yes" | "y" | "1" => true,
                "false" | "no" | "n" | "0" => false,
                _ => return Err(format!("dnd {s:?} is neither yes nor no")),
            });
            return Ok(());
        }
        Std::FirstName => &mut input.first_name,
        Std::LastName => &mut input.last_name,
        Std::Phone => &mut input.phone,
        Std::CompanyName => &mut input.company_name,
        Std::Address1 => &mut input.address1,
        Std::City => &mut input.city,
        Std::State => &mut input.state,
        Std::PostalCode => &mut input.postal_code,
        Std::Country => &mut input.country,
        Std::Website => &mut input.website,
        Std::Timezone => &mut input.timezone,
        Std::Source => &mut input.source,
    };
    *slot = Some(s);
    Ok(())
}

/// The API's own rule (`email must be an email`), as the editor checks it; a file's cell
/// may also carry control characters, which no email has.
fn is_email(s: &str) -> bool {
    crate::app::form::valid_email(s) && !s.chars().any(char::is_control)
}

/// A custom field's value as its type takes it: a number for numeric fields, one of the
/// options (spelt as the field spells it) for option fields, a list for multiple choices.
fn custom_value(def: &CustomFieldDef, v: &Value) -> Result<Option<Value>, String> {
    let name = def.name.as_deref().unwrap_or("a custom field");
    let kind = def.data_type.as_deref().unwrap_or("").to_ascii_uppercase();
    let multiple = matches!(kind.as_str(), "MULTIPLE_OPTIONS" | "CHECKBOX");
    let options = |values: Vec<String>| -> Result<Vec<String>, String> {
        if def.picklist_options.is_empty() {
            return Ok(values);
        }
        values
            .into_iter()
            .map(|v| {
                def.picklist_options
                    .iter()
                    .find(|o| o.trim().eq_ignore_ascii_case(&v))
                    .cloned()
                    .ok_or_else(|| {
                        format!(
                            "{name}: {v:?} is not one of {}",
                            def.picklist_options.join(", ")
                        )
                    })
            })
            .collect()
    };
    if multiple {
        let values = options(list(v))?;
        return Ok((!values.is_empty()).then(|| Value::from(values)));
    }
    let Some(s) = text(v) else {
        return Ok(None);
    };
    match kind.as_str() {
        "NUMERICAL" | "MONETORY" | "MONETARY" if s.parse::<f64>().is_err() => {
            Err(format!("{name}: {s:?} is not a number"))
        }
        "SINGLE_OPTIONS" | "RADIO" => Ok(options(vec![s])?.pop().map(Value::String)),
        _ => Ok(Some(Value::String(s))),
    }
}

/// `[{id, value}]` (or `field_value`), as JSON in a cell or a JSON line's own list.
fn custom_list(v: &Value) -> Result<Vec<CustomFieldInput>, String> {
    let parsed;
    let items = match v {
        Value::Array(a) => a,
        Value::String(s) if s.trim().is_empty() => return Ok(Vec::new()),
        Value::String(s) => {
            parsed = serde_json::from_str::<Value>(s)
                .map_err(|e| format!("customFields is not JSON ({e})"))?;
            parsed
                .as_array()
                .ok_or("customFields is not a list of {id, value}")?
        }
        _ => return Err("customFields is not a list of {id, value}".into()),
    };
    Ok(items
        .iter()
        .filter_map(|f| {
            let id = f.get("id")?.as_str()?.to_string();
            let value = f.get("field_value").or_else(|| f.get("value"))?.clone();
            Some(CustomFieldInput {
                id,
                field_value: value,
            })
        })
        .collect())
}

#[cfg(test)]
mod tests {
    use super::super::fields::map_columns;
    use super::super::rows::Raw;
    use super::*;

    fn rows(cells: &[&[&str]]) -> Vec<Row> {
        cells
            .iter()
            .enumerate()
            .map(|(i, r)| Row {
                line: i as u64 + 2,
                cells: r
                    .iter()
                    .enumerate()
                    .map(|(c, v)| (c, Value::String(v.to_string())))
                    .collect(),
                raw: Raw::Line(String::new()),
                broken: None,
            })
            .collect()
    }

    fn defs() -> Vec<CustomFieldDef> {
        vec![CustomFieldDef {
            id: Some("f2".into()),
            name: Some("Property type".into()),
            data_type: Some("SINGLE_OPTIONS".into()),
            picklist_options: vec!["Condo".into(), "Land".into()],
            ..Default::default()
        }]
    }

    #[test]
    fn good_duplicate_and_invalid_rows() {
        let cols: Vec<String> = ["email", "phone", "tags", "Property type"]
            .iter()
            .map(|s| s.to_string())
            .collect();
        let m = map_columns(&cols, &[], &defs(), true).expect("mapped");
        let got = prepare(
            &rows(&[
                &["Ann@x.io", "", "vip, Hot,vip", "condo"],
                &["bo@x.io", "+1 212 555 0199", "", ""],
                &["ann@X.io", "", "", ""],
                &["", "+1 (212) 555-0199", "", ""],
                &["not-an-email", "", "", ""],
                &["", "", "vip", ""],
                &["cy@x.io", "", "", "Castle"],
            ]),
            &m,
        );
        let first = got[0].as_ref().expect("good");
        assert_eq!(first.tags, ["vip", "Hot"]);
        assert!(first.input.tags.is_empty(), "never upsert's tags");
        assert_eq!(
            first.input.custom_fields[0].field_value,
            Value::from("Condo")
        );
        assert_eq!(first.requests(), 2);
        assert!(got[1].is_ok());
        let reason = |i: usize| got[i].as_ref().expect_err("refused").reason.clone();
        assert_eq!(reason(2), "the same email as line 2: merge the two rows");
        assert_eq!(reason(3), "the same phone as line 3: merge the two rows");
        assert!(reason(4).contains("not an email"));
        assert!(reason(5).starts_with("no email and no phone"));
        assert!(
            reason(6).contains("is not one of Condo, Land"),
            "{}",
            reason(6)
        );
    }
}
