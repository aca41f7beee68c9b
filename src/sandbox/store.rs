//! The sandbox's in-memory data: contacts as JSON objects exactly as the API shows them, with
//! what search needs precomputed.

use std::collections::HashMap;

use serde_json::{Map, Value, json};

use super::seed::Seed;

pub type Object = Map<String, Value>;

#[derive(Clone, Debug)]
pub struct StoredContact {
    pub id: String,
    pub location_id: String,
    pub added_ms: i64,
    /// `dateUpdated` as ms (else `added_ms`), which sync sorts and filters on.
    pub updated_ms: i64,
    pub business_id: Option<String>,
    /// Lowercased name, email, phone digits, company and tags, for `query`.
    pub haystack: String,
    pub json: Object,
}

/// What search results are ordered by, and which way.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum SortKey {
    Added,
    Updated,
}

impl StoredContact {
    pub fn key(&self, by: SortKey) -> i64 {
        match by {
            SortKey::Added => self.added_ms,
            SortKey::Updated => self.updated_ms,
        }
    }
}

/// A location's contacts in one order, ascending by (key, id); kept until the next write.
type Order = std::sync::Arc<Vec<usize>>;

#[derive(Debug, Default)]
pub struct Db {
    pub contacts: Vec<StoredContact>,
    index: HashMap<String, usize>,
    /// Sorted once per write, not once per request: a sync of 100,000 contacts asks for 200
    /// pages in a row, and each is then a binary search and a slice.
    orders: std::sync::Mutex<HashMap<(String, SortKey), Order>>,
    pub tasks: HashMap<String, Vec<Object>>,
    pub notes: HashMap<String, Vec<Object>>,
    pub events: HashMap<String, Vec<Object>>,
}

fn text<'a>(o: &'a Object, key: &str) -> &'a str {
    o.get(key).and_then(Value::as_str).unwrap_or("")
}

impl StoredContact {
    pub fn new(mut json: Object, default_location: &str) -> Option<StoredContact> {
        let id = json.get("id")?.as_str()?.to_string();
        if !json.contains_key("locationId") {
            json.insert("locationId".into(), json!(default_location));
        }
        let mut stored = StoredContact {
            id,
            location_id: String::new(),
            added_ms: 0,
            updated_ms: 0,
            business_id: None,
            haystack: String::new(),
            json,
        };
        stored.refresh();
        Some(stored)
    }

    /// Recomputes what the live API derives from a contact's fields (`name` and the lowercase
    /// copies) and what search needs, after the contact was created or changed.
    pub fn refresh(&mut self) {
        let json = &mut self.json;
        let first = text(json, "firstName").trim().to_string();
        let last = text(json, "lastName").trim().to_string();
        let full = [first.as_str(), last.as_str()]
            .into_iter()
            .filter(|s| !s.is_empty())
            .collect::<Vec<_>>()
            .join(" ");
        let email = json
            .get("email")
            .and_then(Value::as_str)
            .map(str::to_lowercase);
        let derived = [
            ("name", (!full.is_empty()).then(|| full.clone())),
            (
                "firstNameLowerCase",
                (!first.is_empty()).then(|| first.to_lowercase()),
            ),
            (
                "lastNameLowerCase",
                (!last.is_empty()).then(|| last.to_lowercase()),
            ),
            (
                "fullNameLowerCase",
                (!full.is_empty()).then(|| full.to_lowercase()),
            ),
            ("emailLowerCase", email),
        ];
        for (k, v) in derived {
            match v {
                Some(v) => {
                    json.insert(k.into(), json!(v));
                }
                None => {
                    json.remove(k);
                }
            }
        }
        self.location_id = text(&self.json, "locationId").to_string();
        self.added_ms = crate::api::time::epoch_ms(text(&self.json, "dateAdded")).unwrap_or(0);
        self.updated_ms =
            crate::api::time::epoch_ms(text(&self.json, "dateUpdated")).unwrap_or(self.added_ms);
        self.business_id = self
            .json
            .get("businessId")
            .and_then(Value::as_str)
            .map(String::from);
        self.reindex();
    }

    pub fn reindex(&mut self) {
        let j = &self.json;
        let digits: String = text(j, "phone")
            .chars()
            .filter(char::is_ascii_digit)
            .collect();
        let tags = j.get("tags").and_then(Value::as_array).map(|t| {
            t.iter()
                .filter_map(Value::as_str)
                .collect::<Vec<_>>()
                .join(" ")
        });
        self.haystack = [
            text(j, "firstName"),
            text(j, "lastName"),
            text(j, "name"),
            text(j, "email"),
            text(j, "phone"),
            &digits,
            text(j, "companyName"),
            tags.as_deref().unwrap_or(""),
        ]
        .join(" ")
        .to_lowercase();
    }

    /// GHL's search matches every word of the query somewhere in the contact.
    pub fn matches(&self, query: &str) -> bool {
        query.split_whitespace().all(|w| {
            let w = w.to_lowercase();
            if self.haystack.contains(&w) {
                return true;
            }
            // A phone number typed with spaces or dashes still finds the stored E.164 form.
            let phone_like = w
                .chars()
                .all(|c| c.is_ascii_digit() || "+-(). ".contains(c));
            let digits: String = w.chars().filter(char::is_ascii_digit).collect();
            phone_like && digits.len() >= 3 && self.haystack.contains(&digits)
        })
    }
}

impl Db {
    pub fn from_seed(seed: &Seed) -> Db {
        let mut db = Db::default();
        for c in &seed.contacts {
            if let Some(stored) = StoredContact::new(c.clone(), &seed.location_id) {
                db.insert(stored);
            }
        }
        let group = |items: &[Object]| {
            let mut map: HashMap<String, Vec<Object>> = HashMap::new();
            for item in items {
                if let Some(cid) = item.get("contactId").and_then(Value::as_str) {
                    map.entry(cid.to_string()).or_default().push(item.clone());
                }
            }
            map
        };
        // The agency's second location: every seventh contact, copied under a new id.
        for c in seed.contacts.iter().step_by(7) {
            let mut copy = c.clone();
            let Some(id) = copy.get("id").and_then(Value::as_str).map(String::from) else {
                continue;
            };
            let branch_id: String = std::iter::once('B').chain(id.chars().take(19)).collect();
            copy.insert("id".into(), Value::String(branch_id));
            copy.insert(
                "locationId".into(),
                Value::String(super::oauth::BRANCH_LOCATION_ID.into()),
            );
            if let Some(stored) = StoredContact::new(copy, super::oauth::BRANCH_LOCATION_ID) {
                db.insert(stored);
            }
        }
        db.tasks = group(&seed.tasks);
        db.notes = group(&seed.notes);
        db.events = group(&seed.events);
        db
    }

    fn changed(&mut self) {
        crate::private::lock(&self.orders).clear();
    }

    /// The location's contacts ascending by (`by`, id).
    pub fn ordered(&self, location: &str, by: SortKey) -> Order {
        let mut orders = crate::private::lock(&self.orders);
        orders
            .entry((location.to_string(), by))
            .or_insert_with(|| {
                let mut ix: Vec<usize> = (0..self.contacts.len())
                    .filter(|&i| self.contacts[i].location_id == location)
                    .collect();
                ix.sort_by(|&a, &b| {
                    let (a, b) = (&self.contacts[a], &self.contacts[b]);
                    (a.key(by), &a.id).cmp(&(b.key(by), &b.id))
                });
                std::sync::Arc::new(ix)
            })
            .clone()
    }

    pub fn insert(&mut self, c: StoredContact) {
        self.changed();
        match self.index.get(&c.id) {
            Some(&i) => self.contacts[i] = c,
            None => {
                self.index.insert(c.id.clone(), self.contacts.len());
                self.contacts.push(c);
            }
        }
    }

    pub fn contact(&self, id: &str) -> Option<&StoredContact> {
        self.index.get(id).map(|&i| &self.contacts[i])
    }

    pub fn contact_mut(&mut self, id: &str) -> Option<&mut StoredContact> {
        self.changed();
        self.index.get(id).map(|&i| &mut self.contacts[i])
    }

    /// Removes a contact and everything that belongs to it.
    pub fn remove(&mut self, id: &str) -> bool {
        let Some(i) = self.index.remove(id) else {
            return false;
        };
        self.changed();
        self.contacts.remove(i);
        for v in self.index.values_mut() {
            if *v > i {
                *v -= 1;
            }
        }
        self.tasks.remove(id);
        self.notes.remove(id);
        self.events.remove(id);
        true
    }

    /// A contact of the location with the same email (any case) or the same phone digits.
    pub fn duplicate_of(
        &self,
        location: &str,
        email: Option<&str>,
        phone: Option<&str>,
        except: Option<&str>,
    ) -> Option<(&StoredContact, &'static str)> {
        let email = email.map(str::to_lowercase).filter(|e| !e.is_empty());
        let digits = |p: &str| p.chars().filter(char::is_ascii_digit).collect::<String>();
        let phone = phone.map(digits).filter(|p| p.len() >= 7);
        self.contacts
            .iter()
            .filter(|c| c.location_id == location && Some(c.id.as_str()) != except)
            .find_map(|c| {
                if email.is_some()
                    && c.json
                        .get("email")
                        .and_then(Value::as_str)
                        .map(str::to_lowercase)
                        == email
                {
                    return Some((c, "email"));
                }
                if phone.is_some()
                    && c.json.get("phone").and_then(Value::as_str).map(digits) == phone
                {
                    return Some((c, "phone"));
                }
                None
            })
    }
}
