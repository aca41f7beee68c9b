//! Where contacts are: countries (ISO 3166-1, by code or name), timezones (the location's list,
//! else every IANA name), and phone numbers in E.164 (`+12125550199`) when they parse with the
//! contact's country, or the location's, as the default region.

use std::sync::OnceLock;

const ISO3166: &str = include_str!("../../assets/iso3166.tsv");

/// `(code, name)` for every country, by code.
pub fn countries() -> &'static [(&'static str, &'static str)] {
    static LIST: OnceLock<Vec<(&'static str, &'static str)>> = OnceLock::new();
    LIST.get_or_init(|| {
        ISO3166
            .lines()
            .filter(|l| !l.starts_with('#'))
            .filter_map(|l| l.split_once('\t'))
            .map(|(c, n)| (c.trim(), n.trim()))
            .filter(|(c, _)| c.len() == 2)
            .collect()
    })
}

fn fold(s: &str) -> String {
    s.trim().to_lowercase()
}

/// The code of a country typed as its code (`us`) or its name (`united states`).
pub fn country_code(typed: &str) -> Option<&'static str> {
    let t = fold(typed);
    countries()
        .iter()
        .find(|(c, n)| c.eq_ignore_ascii_case(&t) || fold(n) == t)
        .map(|(c, _)| *c)
}

pub fn country_name(code: &str) -> Option<&'static str> {
    countries()
        .iter()
        .find(|(c, _)| c.eq_ignore_ascii_case(code))
        .map(|(_, n)| *n)
}

/// Countries for what is typed: names that start with it, then those that contain it; a code
/// typed whole comes first.
pub fn country_candidates(typed: &str) -> Vec<(&'static str, &'static str)> {
    let t = fold(typed);
    if t.is_empty() {
        return Vec::new();
    }
    let mut out: Vec<(&str, &str)> = countries()
        .iter()
        .filter(|(c, _)| c.eq_ignore_ascii_case(&t))
        .copied()
        .collect();
    for pass in [true, false] {
        for &(c, n) in countries() {
            let name = fold(n);
            let hit = if pass {
                name.starts_with(&t)
            } else {
                !name.starts_with(&t) && name.contains(&t)
            };
            if hit && !out.iter().any(|(x, _)| *x == c) {
                out.push((c, n));
            }
        }
    }
    out
}

/// Every IANA timezone name, for when the location's own list cannot be read.
pub fn iana_zones() -> Vec<String> {
    chrono_tz::TZ_VARIANTS
        .iter()
        .map(|z| z.name().to_string())
        .collect()
}

/// The zone as the list spells it, for one typed in any case (`america/new_york`).
pub fn zone(typed: &str, known: &[String]) -> Option<String> {
    let t = fold(typed);
    let find = |list: &[String]| list.iter().find(|z| fold(z) == t).cloned();
    if known.is_empty() {
        find(&iana_zones())
    } else {
        find(known)
    }
}

/// Zones for what is typed (`york`, `europe/pa`): those that start with it, then those that
/// contain it.
pub fn zone_candidates(typed: &str, known: &[String]) -> Vec<String> {
    let t = fold(typed).replace(' ', "_");
    if t.is_empty() {
        return Vec::new();
    }
    let all;
    let list: &[String] = if known.is_empty() {
        all = iana_zones();
        &all
    } else {
        known
    };
    let mut out: Vec<String> = list
        .iter()
        .filter(|z| fold(z).starts_with(&t))
        .cloned()
        .collect();
    out.extend(
        list.iter()
            .filter(|z| !fold(z).starts_with(&t) && fold(z).contains(&t))
            .cloned(),
    );
    out
}

/// `+1 (212) 555-0199` as E.164 (`+12125550199`), when it is a valid number read with
/// `region` (a country code) as the default; `None` when it does not parse (the caller keeps
/// what was typed).
pub fn e164(typed: &str, region: Option<&str>) -> Option<String> {
    let id = region.and_then(|r| {
        r.trim()
            .to_uppercase()
            .parse::<phonenumber::country::Id>()
            .ok()
    });
    let number = phonenumber::parse(id, typed.trim()).ok()?;
    phonenumber::is_valid(&number)
        .then(|| number.format().mode(phonenumber::Mode::E164).to_string())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn countries_by_code_or_name() {
        assert_eq!(country_code("us"), Some("US"));
        assert_eq!(country_code("United Kingdom"), Some("GB"));
        assert_eq!(country_code("ZZ"), None);
        assert_eq!(country_name("de"), Some("Germany"));
        let names: Vec<&str> = country_candidates("united")
            .iter()
            .map(|(c, _)| *c)
            .collect();
        assert!(
            names.starts_with(&["AE", "GB", "US"]) || names.contains(&"US"),
            "{names:?}"
        );
        assert_eq!(
            country_candidates("us")[0].0,
            "US",
            "a code typed whole first"
        );
        assert!(countries().len() >= 249);
    }

    #[test]
    fn zones_are_checked_and_completed() {
        assert_eq!(
            zone("america/new_york", &[]),
            Some("America/New_York".into())
        );
        assert_eq!(zone("Mars/Olympus", &[]), None);
        let known = vec!["Europe/Paris".to_string(), "Europe/Berlin".to_string()];
        assert_eq!(
            zone("america/new_york", &known),
            None,
            "the location's list wins"
        );
        assert!(zone_candidates("york", &[]).contains(&"America/New_York".to_string()));
        assert_eq!(zone_candidates("europe/p", &known), ["Europe/Paris"]);
    }

    #[test]
    fn phones_in_e164_where_they_parse() {
        assert_eq!(
            e164("+1 (212) 555-0199", None).as_deref(),
            Some("+12125550199")
        );
        assert_eq!(
            e164("(212) 555-0199", Some("US")).as_deref(),
            Some("+12125550199")
        );
        assert_eq!(
            e164("030 901820", Some("DE")).as_deref(),
            Some("+4930901820")
        );
        assert_eq!(e164("555-0199", None), None, "no region, no country code");
        assert_eq!(e164("12", Some("US")), None);
    }
}
