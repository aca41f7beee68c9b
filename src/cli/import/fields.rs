//! Which contact field each column fills: by its header (`First Name`, `first_name` and
//! `firstName` are one field), a custom field by its name or key, or as `--map COLUMN=FIELD`
//! says. A CSV column that matches nothing stops the import before anything is sent, since a
//! typo (`Emial`) would otherwise drop a column silently.

use crate::api::CustomFieldDef;

/// A field upsert takes.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Std {
    FirstName,
    LastName,
    Email,
    Phone,
    CompanyName,
    Address1,
    City,
    State,
    PostalCode,
    Country,
    Website,
    Timezone,
    Source,
    Dnd,
}

/// What a column becomes.
#[derive(Clone, Debug, PartialEq)]
pub enum Target {
    Field(Std),
    /// Tags, comma-separated (or a JSON list), added through the tags endpoint.
    Tags,
    Custom(CustomFieldDef),
    /// `[{id, value}]`, as an export writes custom fields it could not name.
    CustomList,
    Skip,
}

/// Letters and digits only, lower-cased: how headers are compared.
pub fn folded(name: &str) -> String {
    name.chars()
        .filter(|c| c.is_alphanumeric())
        .flat_map(char::to_lowercase)
        .collect()
}

/// A field by any of its usual names.
fn standard(name: &str) -> Option<Target> {
    use Std::*;
    let std = match folded(name).as_str() {
        "firstname" | "first" | "givenname" => FirstName,
        "lastname" | "last" | "surname" | "familyname" => LastName,
        "email" | "emailaddress" | "mail" => Email,
        "phone" | "phonenumber" | "mobile" | "mobilephone" | "cell" => Phone,
        "companyname" | "company" | "organization" | "organisation" => CompanyName,
        "address1" | "address" | "street" | "streetaddress" => Address1,
        "city" | "town" => City,
        "state" | "province" | "region" => State,
        "postalcode" | "zip" | "zipcode" | "postcode" => PostalCode,
        "country" => Country,
        "website" | "web" | "url" => Website,
        "timezone" => Timezone,
        "source" | "leadsource" => Source,
        "dnd" | "donotdisturb" => Dnd,
        "tags" | "tag" => return Some(Target::Tags),
        "customfields" => return Some(Target::CustomList),
        _ => return None,
    };
    Some(Target::Field(std))
}

/// Fields an export writes that upsert does not set here: passed over, and said once.
fn read_only(name: &str) -> bool {
    matches!(
        folded(name).as_str(),
        "id" | "type"
            | "assignedto"
            | "dateofbirth"
            | "dateadded"
            | "dateupdated"
            | "locationid"
            | "searchafter"
            | "businessid"
    )
}

/// The column of the refused rows file that says why; a re-run of that file passes over it.
pub const ERROR_COLUMN: &str = "import_error";

/// A whole name cannot be split safely (`María de los Ángeles Fernández`).
fn whole_name(name: &str) -> bool {
    matches!(folded(name).as_str(), "name" | "fullname" | "contactname")
}

fn custom(name: &str, defs: &[CustomFieldDef]) -> Option<Target> {
    let want = folded(name);
    defs.iter()
        .find(|d| {
            d.name.as_deref().map(folded) == Some(want.clone())
                || d.field_key.as_deref().is_some_and(|k| {
                    folded(k) == want || folded(k.strip_prefix("contact.").unwrap_or(k)) == want
                })
                || d.id.as_deref() == Some(name)
        })
        .cloned()
        .map(Target::Custom)
}

/// Whether `name` needs the custom fields' names to be understood.
pub fn needs_custom(name: &str) -> bool {
    standard(name).is_none() && !read_only(name) && name != ERROR_COLUMN && !whole_name(name)
}

/// What each column becomes, and the columns passed over (to say so).
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Mapping {
    pub targets: Vec<Target>,
    pub passed_over: Vec<String>,
}

/// `COLUMN=FIELD` (the last `=`: headers may hold one, field names do not).
pub fn parse_map(arg: &str) -> Result<(String, String), String> {
    arg.rsplit_once('=')
        .map(|(c, f)| (c.trim().to_string(), f.trim().to_string()))
        .filter(|(c, _)| !c.is_empty())
        .ok_or_else(|| format!("--map {arg:?}: write COLUMN=FIELD (or COLUMN= to pass it over)"))
}

/// Maps every column. `strict`: a column that matches nothing is an error (CSV) rather than
/// passed over (JSON lines, whose keys are the API's own, many of them not settable).
pub fn map_columns(
    columns: &[String],
    maps: &[(String, String)],
    defs: &[CustomFieldDef],
    strict: bool,
) -> Result<Mapping, String> {
    for (col, _) in maps {
        if !columns.iter().any(|c| c == col || folded(c) == folded(col)) {
            return Err(format!("--map {col:?}: the file has no such column"));
        }
    }
    let mut out = Mapping::default();
    let mut unknown = Vec::new();
    for col in columns {
        let asked = maps
            .iter()
            .find(|(c, _)| c == col)
            .or_else(|| maps.iter().find(|(c, _)| folded(c) == folded(col)));
        let target = match asked {
            Some((_, f)) if f.is_empty() => Target::Skip,
            Some((_, f)) => standard(f).or_else(|| custom(f, defs)).ok_or_else(|| {
                format!("--map {col:?}={f:?}: {f:?} is not a contact field or a custom field")
            })?,
            None if col == ERROR_COLUMN => Target::Skip,
            None => match standard(col).or_else(|| custom(col, defs)) {
                Some(t) => t,
                None if read_only(col) || !strict => {
                    out.passed_over.push(col.clone());
                    Target::Skip
                }
                None if whole_name(col) => {
                    return Err(format!(
                        "column {col:?}: upsert takes firstName and lastName, not a whole name: split it into two columns, or pass it over with --map {col:?}="
                    ));
                }
                None => {
                    unknown.push(col.clone());
                    Target::Skip
                }
            },
        };
        out.targets.push(target);
    }
    if !unknown.is_empty() {
        let list = unknown
            .iter()
            .map(|c| format!("{c:?}"))
            .collect::<Vec<_>>()
            .join(", ");
        let first = &unknown[0];
        return Err(format!(
            "no contact field or custom field is named {list}: say which with --map {first:?}=FIELD, or pass it over with --map {first:?}="
        ));
    }
    let mut seen: Vec<(&Target, &String)> = Vec::new();
    for (t, col) in out.targets.iter().zip(columns) {
        if matches!(t, Target::Field(_) | Target::Custom(_))
            && let Some((_, other)) = seen.iter().find(|(s, _)| *s == t)
        {
            return Err(format!(
                "columns {other:?} and {col:?} fill the same field: pass one over with --map {col:?}="
            ));
        }
        seen.push((t, col));
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn defs() -> Vec<CustomFieldDef> {
        vec![CustomFieldDef {
            id: Some("f1".into()),
            name: Some("Lead score".into()),
            field_key: Some("contact.lead_score".into()),
            ..Default::default()
        }]
    }

    fn cols(names: &[&str]) -> Vec<String> {
        names.iter().map(|s| s.to_string()).collect()
    }

    #[test]
    fn headers_match_fields_by_their_usual_names() {
        let m = map_columns(
            &cols(&["First Name", "e-mail", "Zip", "lead_score", "Tags", "id"]),
            &[],
            &defs(),
            true,
        )
        .expect("mapped");
        assert_eq!(m.targets[0], Target::Field(Std::FirstName));
        assert_eq!(m.targets[1], Target::Field(Std::Email));
        assert_eq!(m.targets[2], Target::Field(Std::PostalCode));
        assert!(matches!(m.targets[3], Target::Custom(_)));
        assert_eq!(m.targets[4], Target::Tags);
        assert_eq!(m.passed_over, ["id"]);
    }

    #[test]
    fn unknown_columns_stop_the_import_unless_mapped() {
        let e = map_columns(&cols(&["Emial"]), &[], &defs(), true).expect_err("unknown");
        assert!(e.contains("--map \"Emial\"=FIELD"), "{e}");
        let ok = map_columns(
            &cols(&["Emial", "Notes"]),
            &[
                ("Emial".into(), "email".into()),
                ("notes".into(), String::new()),
            ],
            &defs(),
            true,
        )
        .expect("mapped");
        assert_eq!(ok.targets, vec![Target::Field(Std::Email), Target::Skip]);
        let lenient = map_columns(&cols(&["emailLowerCase"]), &[], &defs(), false).expect("json");
        assert_eq!(lenient.passed_over, ["emailLowerCase"]);
        let twice = map_columns(&cols(&["email", "E-mail"]), &[], &defs(), true);
        assert!(twice.is_err(), "two columns for one field");
        let name = map_columns(&cols(&["Name"]), &[], &defs(), true).expect_err("a whole name");
        assert!(name.contains("firstName and lastName"), "{name}");
        assert!(
            map_columns(
                &cols(&["a"]),
                &[("b".into(), "email".into())],
                &defs(),
                true
            )
            .is_err()
        );
    }

    #[test]
    fn map_arguments_split_at_the_last_equals_sign() {
        assert_eq!(
            parse_map("a=b=email").expect("parsed"),
            ("a=b".to_string(), "email".to_string())
        );
        assert_eq!(
            parse_map("Notes=").expect("parsed"),
            ("Notes".to_string(), String::new())
        );
        assert!(parse_map("email").is_err());
    }
}
