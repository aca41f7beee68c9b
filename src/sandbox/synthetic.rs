//! A synthetic account of any size, deterministic for a given seed: names in several scripts
//! (with the accents and dotted capitals search must fold), companies, tags, custom field
//! values, phones written every way people write them, and `dateAdded`/`dateUpdated` spread
//! over the two years before a fixed day (with some exact ties, which the id breaks).

use chrono::{SecondsFormat, TimeZone, Utc};
use serde_json::{Map, Value, json};

type Object = Map<String, Value>;

const FIRST: &[&str] = &[
    "John",
    "Maria",
    "José",
    "Ana",
    "Müller",
    "Zoë",
    "İbrahim",
    "Şahin",
    "Ayşe",
    "Noor",
    "Chloé",
    "François",
    "Søren",
    "Björn",
    "Łukasz",
    "Dvořák",
    "Olga",
    "Дмитрий",
    "Анна",
    "Γιώργος",
    "Ελένη",
    "李",
    "王芳",
    "さくら",
    "太郎",
    "محمد",
    "فاطمة",
    "Priya",
    "Arjun",
    "Kwame",
    "Amara",
    "Liam",
    "Emma",
    "Olivia",
    "Noah",
    "Sofía",
    "Mateo",
    "Núñez",
    "Luca",
    "Giulia",
    "Hannah",
    "Jonas",
    "Mei",
    "Hiroshi",
    "Aarav",
    "Chen",
    "Isabella",
    "Ethan",
    "Mia",
    "Lucas",
    "Camila",
    "Yusuf",
    "Elif",
    "Oliver",
    "Charlotte",
    "James",
    "Amelia",
];
const LAST: &[&str] = &[
    "Smith",
    "Araújo",
    "García",
    "Müller",
    "Schröder",
    "Kaya",
    "Yılmaz",
    "Öztürk",
    "Nguyễn",
    "Kowalski",
    "Novák",
    "Ivanov",
    "Иванова",
    "Papadopoulos",
    "Παπαδόπουλος",
    "Tanaka",
    "田中",
    "Wang",
    "张",
    "Al-Farsi",
    "الحسن",
    "Patel",
    "Sharma",
    "Okafor",
    "Mensah",
    "Johnson",
    "Williams",
    "Brown",
    "Jones",
    "Miller",
    "Davis",
    "Rodríguez",
    "Martínez",
    "Hernández",
    "López",
    "Gonzalez",
    "Wilson",
    "Anderson",
    "Thomas",
    "Taylor",
    "Moore",
    "Jackson",
    "Martin",
    "Lee",
    "Pérez",
    "Thompson",
    "White",
    "Harris",
    "Sánchez",
    "Clark",
    "Ramírez",
    "Lewis",
    "Robinson",
    "Walker",
    "Young",
    "Allen",
    "King",
    "Wright",
    "Scott",
    "Torres",
    "Núñez",
    "Hill",
    "Flores",
    "Green",
    "Adams",
    "Nelson",
    "Baker",
    "Hall",
];
const COMPANY_A: &[&str] = &[
    "Acme",
    "Globex",
    "Initech",
    "Umbrella",
    "Stark",
    "Wayne",
    "Wonka",
    "Hooli",
    "Vandelay",
    "Soylent",
    "Cyberdyne",
    "Tyrell",
    "Aperture",
    "Pied Piper",
    "Sakura",
    "Nordwind",
    "Café Olé",
    "Müller & Söhne",
    "Ōkami",
    "Atlas",
    "Blue Harbor",
    "New York Pizza",
    "Río Grande",
    "Zenith",
    "Evergreen",
    "Northwind",
    "Contoso",
    "Fabrikam",
    "Lakeside",
];
const COMPANY_B: &[&str] = &[
    "Inc",
    "LLC",
    "Ltd",
    "GmbH",
    "Holdings",
    "Realty",
    "Trading",
    "Logistics",
    "Studio",
    "Partners",
    "Group",
    "Labs",
    "Foods",
    "Housing",
    "Dental",
    "Fitness",
    "Legal",
];
const TAGS: &[&str] = &[
    "vip",
    "lead",
    "customer",
    "newsletter",
    "cold",
    "hot",
    "partner",
    "buyer",
    "seller",
    "webinar",
    "referral",
    "churned",
    "trial",
    "enterprise",
    "follow-up",
    "do-not-call",
];
const FIELD_VALUES: &[&str] = &[
    "Gold plan",
    "Silver plan",
    "Bronze",
    "Co-op",
    "Condo",
    "Single family",
    "Referral",
    "Spring campaign",
    "Q3 promo",
    "Downtown",
    "Suburbs",
    "2 bedrooms",
    "Budget 450k",
];
const NOTE_WORDS: &[&str] = &[
    "called",
    "left",
    "voicemail",
    "wants",
    "demo",
    "pricing",
    "follow",
    "up",
    "next",
    "week",
    "budget",
    "approved",
    "contract",
    "signed",
    "renewal",
    "discount",
    "asked",
    "about",
    "São Paulo",
    "München",
    "office",
    "visit",
    "kitchen",
    "remodel",
    "mortgage",
    "pre-approval",
    "viewing",
    "Saturday",
    "morning",
    "email",
    "sent",
    "brochure",
];
const DOMAINS: &[&str] = &[
    "example.com",
    "gmail.test",
    "outlook.test",
    "acme.test",
    "mail.test",
];

/// The day the two years end (the demo's anchor): fixed, so the same `n` is the same account.
fn anchor_ms() -> i64 {
    Utc.with_ymd_and_hms(2026, 11, 22, 12, 0, 0)
        .single()
        .map_or(0, |t| t.timestamp_millis())
}

const TWO_YEARS_MS: i64 = 2 * 365 * 24 * 3600 * 1000;

fn iso(ms: i64) -> String {
    chrono::DateTime::<Utc>::from_timestamp_millis(ms)
        .unwrap_or_default()
        .to_rfc3339_opts(SecondsFormat::Millis, true)
}

fn pick<'a>(rng: &mut fastrand::Rng, from: &[&'a str]) -> &'a str {
    from[rng.usize(..from.len())]
}

/// ASCII for the email's local part (`José Núñez` -> `jose.nunez`); other scripts get `user`.
fn ascii(s: &str) -> String {
    let folded: String = s
        .chars()
        .filter_map(|c| {
            let base = match c {
                'á' | 'à' | 'â' | 'ä' | 'ã' | 'å' => 'a',
                'é' | 'è' | 'ê' | 'ë' | 'ễ' => 'e',
                'í' | 'ì' | 'î' | 'ï' | 'ı' | 'İ' => 'i',
                'ó' | 'ò' | 'ô' | 'ö' | 'õ' | 'ø' | 'Ō' | 'ō' => 'o',
                'ú' | 'ù' | 'û' | 'ü' => 'u',
                'ñ' => 'n',
                'ç' => 'c',
                'ş' | 'Ş' => 's',
                'ł' | 'Ł' => 'l',
                'ř' => 'r',
                'ý' => 'y',
                'ğ' => 'g',
                c if c.is_ascii_alphanumeric() => c.to_ascii_lowercase(),
                _ => return None,
            };
            Some(base)
        })
        .collect();
    if folded.is_empty() {
        "user".into()
    } else {
        folded
    }
}

fn phone(rng: &mut fastrand::Rng) -> Option<String> {
    let (a, b) = (rng.u32(200..990), rng.u32(0..10_000));
    Some(match rng.u8(..10) {
        0 => return None,
        1 => format!("+1 {a}-555-{b:04}"),
        2 => format!("({a}) 555-{b:04}"),
        3 => format!("+44 20 7946 {b:04}"),
        4 => format!("+49 30 {a} {b:04}"),
        5 => format!("{a}.555.{b:04}"),
        _ => format!("+1{a}555{b:04}"),
    })
}

pub fn contact(rng: &mut fastrand::Rng, i: usize, location: &str, field_ids: &[String]) -> Object {
    let first = pick(rng, FIRST);
    let last = pick(rng, LAST);
    let mut c = Object::new();
    c.insert("id".into(), json!(format!("syn{i:017}")));
    c.insert("locationId".into(), json!(location));
    c.insert("firstName".into(), json!(first));
    c.insert("lastName".into(), json!(last));
    c.insert(
        "email".into(),
        json!(format!(
            "{}.{}{i}@{}",
            ascii(first),
            ascii(last),
            pick(rng, DOMAINS)
        )),
    );
    if let Some(p) = phone(rng) {
        c.insert("phone".into(), json!(p));
    }
    if rng.u8(..5) > 0 {
        c.insert(
            "companyName".into(),
            json!(format!("{} {}", pick(rng, COMPANY_A), pick(rng, COMPANY_B))),
        );
    }
    let mut tags: Vec<&str> = (0..rng.usize(0..5)).map(|_| pick(rng, TAGS)).collect();
    tags.sort_unstable();
    tags.dedup();
    c.insert("tags".into(), json!(tags));
    let mut fields: Vec<Value> = Vec::new();
    for id in field_ids {
        if rng.u8(..3) == 0 {
            fields.push(json!({"id": id, "value": pick(rng, FIELD_VALUES)}));
        }
    }
    c.insert("customFields".into(), json!(fields));
    c.insert(
        "type".into(),
        json!(if rng.bool() { "lead" } else { "customer" }),
    );
    c.insert("source".into(), json!("synthetic"));
    c.insert("country".into(), json!("US"));
    // Added somewhere in the two years; updated between then and the end. Every fiftieth
    // shares its neighbour's times to the ms.
    let base = anchor_ms() - TWO_YEARS_MS;
    let spot = if i % 50 == 1 { i - 1 } else { i };
    let mut times = fastrand::Rng::with_seed(spot as u64 ^ 0x5eed);
    let added = base + times.i64(0..TWO_YEARS_MS);
    let mut updated = added + times.i64(0..=(anchor_ms() - added).max(0));
    // One in twenty was last changed by one of a few bulk edits (an import, a workflow): runs
    // of exactly equal `dateUpdated`, which page ends fall inside.
    if i % 20 == 7 {
        let step = TWO_YEARS_MS / 25;
        // The first bulk edit after the contact was added.
        let k = ((added - base) / step + 1).clamp(1, 24);
        updated = (base + step * k).max(added);
    }
    c.insert("dateAdded".into(), json!(iso(added)));
    c.insert("dateUpdated".into(), json!(iso(updated)));
    c
}

/// Notes for about one contact in ten.
pub fn notes(rng: &mut fastrand::Rng, contacts: &[Object]) -> Vec<Object> {
    contacts
        .iter()
        .enumerate()
        .filter(|(i, _)| i % 10 == 3)
        .filter_map(|(i, c)| {
            let id = c.get("id")?.as_str()?;
            let words: Vec<&str> = (0..rng.usize(4..14))
                .map(|_| pick(rng, NOTE_WORDS))
                .collect();
            let mut body = words.join(" ");
            if let Some(first) = body.get_mut(0..1) {
                first.make_ascii_uppercase();
            }
            let mut n = Object::new();
            n.insert("id".into(), json!(format!("synnote{i:013}")));
            n.insert("contactId".into(), json!(id));
            n.insert("body".into(), json!(body));
            n.insert(
                "dateAdded".into(),
                c.get("dateUpdated").cloned().unwrap_or(Value::Null),
            );
            Some(n)
        })
        .collect()
}
