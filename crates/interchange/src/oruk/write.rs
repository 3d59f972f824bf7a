//! A Local Offer written as Open Referral UK 3.0, the shapes its API serves: services (as
//! a list's one-to-one fields, or fully nested), organisations, taxonomies and their
//! terms, and services at locations. Empty fields are left out; fields the standard
//! requires are always written. sendplan's SEND extensions are extra properties on a
//! service (docs/local-offer.md), written only when asked for.

use sendplan_domain::local_offer::*;
use serde_json::{json, Map, Value};
use sha2::{Digest, Sha256};
use time::format_description::well_known::Rfc3339;

/// The name of the taxonomy a term belongs to when its source named none.
pub const OWN_TAXONOMY: &str = "Local Offer";

/// Whether `text` is a UUID written the usual way (8-4-4-4-12 hexadecimal digits).
pub fn is_uuid(text: &str) -> bool {
    text.len() == 36
        && text.char_indices().all(|(i, c)| match i {
            8 | 13 | 18 | 23 => c == '-',
            _ => c.is_ascii_hexdigit(),
        })
}

/// The ORUK id of a record: its own id where that is already a UUID (ORUK 3.0 asks for
/// UUIDs), else a UUID derived from its kind and id. A feed whose ids are numbers or
/// words (most 1.0 and CSV feeds) so gets ids the standard accepts, the same on every
/// request and after every restart.
pub fn record_id(kind: &str, key: &str) -> String {
    if is_uuid(key) {
        return key.to_ascii_lowercase();
    }
    let digest = Sha256::digest(format!("sendplan/{kind}/{key}").as_bytes());
    let mut b = [0u8; 16];
    b.copy_from_slice(&digest[..16]);
    // RFC 9562's version 8 (a name-based UUID of the application's own making).
    b[6] = (b[6] & 0x0f) | 0x80;
    b[8] = (b[8] & 0x3f) | 0x80;
    let hex: String = b.iter().map(|x| format!("{x:02x}")).collect();
    format!(
        "{}-{}-{}-{}-{}",
        &hex[..8],
        &hex[8..12],
        &hex[12..16],
        &hex[16..20],
        &hex[20..]
    )
}

/// The id of the `index`th part of a kind (a schedule, a contact) of the record `owner`:
/// parts have no ids of their own in sendplan, so theirs are derived from their place.
fn part_id(kind: &str, owner: &str, index: usize) -> String {
    record_id(kind, &format!("{owner}/{index}"))
}

/// A service's id.
pub fn service_id(s: &Service) -> String {
    record_id("service", &s.key)
}

/// An organisation's id, from its key.
pub fn organization_id(key: &str) -> String {
    record_id("organization", key)
}

/// A taxonomy term's id, from its key.
pub fn term_id(key: &str) -> String {
    record_id("taxonomy_term", key)
}

/// A taxonomy's id, from its name.
pub fn taxonomy_id(name: &str) -> String {
    record_id("taxonomy", name)
}

/// The taxonomy a term belongs to.
pub fn taxonomy_of(term: &TaxonomyTerm) -> &str {
    if term.taxonomy.trim().is_empty() {
        OWN_TAXONOMY
    } else {
        term.taxonomy.trim()
    }
}

/// A location's id: its own where it has one, else its place in its service.
pub fn location_id(s: &Service, index: usize) -> String {
    match s.locations.get(index) {
        Some(l) if !l.key.is_empty() => record_id("location", &l.key),
        _ => part_id("location", &s.key, index),
    }
}

/// The id of a service at its `index`th location.
pub fn service_at_location_id(s: &Service, index: usize) -> String {
    part_id("service_at_location", &s.key, index)
}

/// A JSON object built field by field, empty values left out.
#[derive(Default)]
struct Record(Map<String, Value>);

impl Record {
    fn new(id: String) -> Self {
        let mut r = Record::default();
        r.0.insert("id".into(), Value::String(id));
        r
    }
    /// Written even when empty: the standard requires it.
    fn required(mut self, key: &str, value: impl Into<Value>) -> Self {
        self.0.insert(key.into(), value.into());
        self
    }
    fn text(mut self, key: &str, value: &str) -> Self {
        if !value.trim().is_empty() {
            self.0.insert(key.into(), Value::String(value.to_owned()));
        }
        self
    }
    fn some<T: Into<Value>>(mut self, key: &str, value: Option<T>) -> Self {
        if let Some(v) = value {
            self.0.insert(key.into(), v.into());
        }
        self
    }
    fn list(mut self, key: &str, values: Vec<Value>) -> Self {
        if !values.is_empty() {
            self.0.insert(key.into(), Value::Array(values));
        }
        self
    }
    fn done(self) -> Value {
        Value::Object(self.0)
    }
}

/// Ages are whole years in most feeds: 5, not 5.0; 1.5 stays 1.5.
fn age(value: Option<f32>) -> Option<Value> {
    value.map(|a| {
        if a.fract() == 0.0 {
            json!(a as i64)
        } else {
            json!((a as f64 * 100.0).round() / 100.0)
        }
    })
}

fn date_text(date: time::Date) -> String {
    format!(
        "{:04}-{:02}-{:02}",
        date.year(),
        u8::from(date.month()),
        date.day()
    )
}

/// An organisation's one-to-one fields. ORUK requires a description: where the source
/// gave none, its name is it.
pub fn organization(o: &Organization) -> Value {
    let description = if o.description.trim().is_empty() {
        &o.name
    } else {
        &o.description
    };
    Record::new(organization_id(&o.key))
        .required("name", o.name.as_str())
        .required("description", description.as_str())
        .text("email", &o.email)
        .text("website", &o.website)
        .done()
}

/// An organisation with the ids and names of its services (`/organizations/{id}`).
pub fn organization_full(directory: &Directory, o: &Organization) -> Value {
    let mut value = organization(o);
    let services: Vec<Value> = directory
        .services
        .iter()
        .filter(|s| s.organization_key == o.key)
        .map(|s| json!({"id": service_id(s), "name": s.name}))
        .collect();
    if !services.is_empty() {
        value["services"] = Value::Array(services);
    }
    value
}

/// A taxonomy term. ORUK requires a description: where the source gave none, its name.
pub fn taxonomy_term(t: &TaxonomyTerm) -> Value {
    let description = if t.description.trim().is_empty() {
        &t.name
    } else {
        &t.description
    };
    Record::new(term_id(&t.key))
        .required("name", t.name.as_str())
        .required("description", description.as_str())
        .some("parent_id", t.parent_key.as_deref().map(term_id))
        .required("taxonomy", taxonomy_of(t))
        .required("taxonomy_id", taxonomy_id(taxonomy_of(t)))
        .done()
}

/// The taxonomies of a directory, by name, each with its terms when `with_terms`.
pub fn taxonomies(directory: &Directory, with_terms: bool) -> Vec<Value> {
    let mut names: Vec<&str> = directory.terms.iter().map(taxonomy_of).collect();
    names.sort_unstable();
    names.dedup();
    names
        .into_iter()
        .map(|name| taxonomy(directory, name, with_terms))
        .collect()
}

/// One taxonomy.
pub fn taxonomy(directory: &Directory, name: &str, with_terms: bool) -> Value {
    let description = if name == OWN_TAXONOMY {
        "The partnership's own categories for its Local Offer; the headings of Schedule 2 of the SEND Regulations 2014 are its top level"
    } else {
        name
    };
    let terms = if with_terms {
        directory
            .terms
            .iter()
            .filter(|t| taxonomy_of(t) == name)
            .map(taxonomy_term)
            .collect()
    } else {
        Vec::new()
    };
    Record::new(taxonomy_id(name))
        .required("name", name)
        .required("description", description)
        .list("taxonomy_terms", terms)
        .done()
}

/// A location as ORUK writes one: physical, with its address, position and access.
fn location(s: &Service, index: usize) -> Value {
    let l = &s.locations[index];
    let id = location_id(s, index);
    let has_address = !(l.address.is_empty() && l.city.is_empty() && l.postcode.is_empty());
    let addresses = if has_address {
        vec![Record::new(part_id("address", &id, 0))
            .required("location_id", id.as_str())
            .required("address_1", l.address.as_str())
            .required("city", l.city.as_str())
            // England has no states or provinces; ORUK requires the field.
            .required("state_province", "")
            .required("postal_code", l.postcode.as_str())
            .required("country", "GB")
            .required("address_type", "physical")
            .done()]
    } else {
        Vec::new()
    };
    let accessibility = l
        .accessibility
        .iter()
        .enumerate()
        .map(|(i, a)| {
            Record::new(part_id("accessibility", &id, i))
                .required("location_id", id.as_str())
                .text("description", a)
                .done()
        })
        .collect();
    Record::new(id.clone())
        .required("location_type", "physical")
        .text("name", &l.name)
        .some("latitude", l.latitude)
        .some("longitude", l.longitude)
        .text("transportation", &l.transportation)
        .list("addresses", addresses)
        .list("accessibility", accessibility)
        .done()
}

/// A service at one of its locations: the link, and with `full` the location itself.
pub fn service_at_location(s: &Service, index: usize, full: bool) -> Value {
    let mut r = Record::new(service_at_location_id(s, index))
        .required("service_id", service_id(s))
        .required("location_id", location_id(s, index));
    if full {
        r = r.required("location", location(s, index));
    }
    r.done()
}

/// A service's one-to-one fields, as a page of `/services` lists them.
pub fn service_summary(s: &Service) -> Value {
    Record::new(service_id(s))
        .text(
            "organization_id",
            &if s.organization_key.is_empty() {
                String::new()
            } else {
                organization_id(&s.organization_key)
            },
        )
        .required("name", s.name.as_str())
        .text("description", &s.description)
        .text("url", &s.url)
        .text("email", &s.email)
        .required("status", s.status.unwrap_or(ServiceStatus::Active).code())
        .text("fees", &s.fees)
        .some("minimum_age", age(s.minimum_age))
        .some("maximum_age", age(s.maximum_age))
        .some("assured_date", s.assured_date.map(date_text))
        .text("assurer_email", &s.assurer_email)
        .some(
            "last_modified",
            s.last_modified.and_then(|m| m.format(&Rfc3339).ok()),
        )
        .done()
}

/// A service with everything about it (`/services/{id}`, `full=true`, NDJSON lines).
/// `send_extensions` adds sendplan's SEND properties.
pub fn service_full(directory: &Directory, s: &Service, send_extensions: bool) -> Value {
    let id = service_id(s);
    let mut value = service_summary(s);
    let object = value.as_object_mut().expect("a service is an object");
    let mut put = |key: &str, items: Vec<Value>| {
        if !items.is_empty() {
            object.insert(key.into(), Value::Array(items));
        }
    };
    put(
        "schedules",
        s.schedules
            .iter()
            .enumerate()
            .map(|(i, sc)| {
                let days: Vec<&str> = sc.days.iter().map(|d| d.code()).collect();
                Record::new(part_id("schedule", &s.key, i))
                    .required("service_id", id.as_str())
                    .text("freq", if days.is_empty() { "" } else { "WEEKLY" })
                    .text("byday", &days.join(","))
                    .text("opens_at", &sc.opens_at)
                    .text("closes_at", &sc.closes_at)
                    .text("description", &sc.description)
                    .done()
            })
            .collect(),
    );
    put(
        "service_areas",
        s.service_areas
            .iter()
            .enumerate()
            .map(|(i, a)| {
                Record::new(part_id("service_area", &s.key, i))
                    .required("service_id", id.as_str())
                    .required("name", a.as_str())
                    .done()
            })
            .collect(),
    );
    put(
        "service_at_locations",
        (0..s.locations.len())
            .map(|i| service_at_location(s, i, true))
            .collect(),
    );
    put(
        "languages",
        s.languages
            .iter()
            .enumerate()
            .map(|(i, l)| {
                Record::new(part_id("language", &s.key, i))
                    .required("service_id", id.as_str())
                    .required("name", l.as_str())
                    .done()
            })
            .collect(),
    );
    put(
        "cost_options",
        s.cost_options
            .iter()
            .enumerate()
            .map(|(i, c)| {
                Record::new(part_id("cost_option", &s.key, i))
                    .required("service_id", id.as_str())
                    .text("option", &c.option)
                    .some("amount", c.amount)
                    .text("currency", if c.amount.is_some() { "GBP" } else { "" })
                    .done()
            })
            .collect(),
    );
    put(
        "contacts",
        s.contacts
            .iter()
            .enumerate()
            .map(|(i, c)| {
                let contact = part_id("contact", &s.key, i);
                let phones = c
                    .phones
                    .iter()
                    .enumerate()
                    .map(|(j, p)| {
                        Record::new(part_id("phone", &contact, j))
                            .required("contact_id", contact.as_str())
                            .required("number", p.as_str())
                            .done()
                    })
                    .collect();
                Record::new(contact.clone())
                    .required("service_id", id.as_str())
                    .text("name", &c.name)
                    .text("title", &c.title)
                    .text("email", &c.email)
                    .list("phones", phones)
                    .done()
            })
            .collect(),
    );
    put(
        "attributes",
        s.terms
            .iter()
            .filter_map(|key| directory.terms.iter().find(|t| &t.key == key))
            .map(|t| {
                Record::new(record_id("attribute", &format!("{}/{}", s.key, t.key)))
                    .required("link_id", id.as_str())
                    .required("link_type", "service")
                    .required("link_entity", "service")
                    .required("taxonomy_term_id", term_id(&t.key))
                    .required("taxonomy_term", taxonomy_term(t))
                    .done()
            })
            .collect(),
    );
    if let Some(o) = directory
        .organizations
        .iter()
        .find(|o| o.key == s.organization_key)
    {
        object.insert("organization".into(), organization(o));
    }
    if send_extensions {
        let send = &s.send;
        let extra = Record::default()
            .some("send_suitability", send.suitability.map(|x| x.code()))
            .list(
                "send_needs",
                send.needs.iter().map(|n| json!(n.code())).collect(),
            )
            .some("ehc_plan_required", send.ehc_plan_required)
            .text("how_to_access", &send.how_to_access)
            .text("easy_read_description", &send.easy_read)
            .list(
                "family_words",
                send.family_words.iter().map(|w| json!(w)).collect(),
            );
        object.extend(extra.0);
    }
    value
}

/// ORUK's page envelope around `contents`, the `page_number`th page of `total_items`
/// records `per_page` at a time.
pub fn page(
    contents: Vec<Value>,
    total_items: usize,
    page_number: usize,
    per_page: usize,
) -> Value {
    let total_pages = total_items.div_ceil(per_page.max(1)).max(1);
    json!({
        "total_items": total_items,
        "total_pages": total_pages,
        "page_number": page_number,
        "size": contents.len(),
        "first_page": page_number == 1,
        "last_page": page_number >= total_pages,
        "empty": contents.is_empty(),
        "contents": contents,
    })
}

/// What `GET /` answers: the standard's version and profile.
pub fn api_details() -> Value {
    json!({
        "version": "HSDS-UK-3.0",
        "profile": "https://github.com/OpenReferralUK/uk-profile/blob/main/docs/index.md",
        "openapi_url": "https://openreferraluk.org/specifications/3.0/openapi.json",
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ids_are_uuids_kept_or_derived_the_same_every_time() {
        let own = "50E84EC5-6FD5-5759-B4C4-5BBA6D694576";
        assert_eq!(record_id("service", own), own.to_ascii_lowercase());
        let derived = record_id("service", "1234");
        assert!(is_uuid(&derived), "{derived}");
        assert_eq!(derived, record_id("service", "1234"));
        assert_ne!(derived, record_id("organization", "1234"));
        assert_eq!(&derived[14..15], "8", "version 8");
        assert!(!is_uuid("not-a-uuid"));
    }

    #[test]
    fn empty_fields_are_left_out_and_required_ones_written() {
        let s = Service {
            key: "7".into(),
            name: "Saturday club".into(),
            minimum_age: Some(5.0),
            maximum_age: Some(1.5),
            ..Service::default()
        };
        let v = service_summary(&s);
        assert_eq!(v["status"], "active");
        assert_eq!(v["minimum_age"], json!(5));
        assert_eq!(v["maximum_age"], json!(1.5));
        assert!(v.get("description").is_none() && v.get("url").is_none());
        let page = page(vec![v], 101, 3, 50);
        assert_eq!(page["total_pages"], 3);
        assert_eq!(page["last_page"], true);
        assert_eq!(page["first_page"], false);
    }
}
