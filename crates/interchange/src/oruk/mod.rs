//! Local Offer directories read from Open Referral UK feeds: ORUK 3.0 (a page of
//! `/services?full=true`, a list, one service, or `format=ndjson`), the older ORUK 1.0 most
//! council directories still serve, and ORUK's CSV tables. Each service is checked against
//! the vendored schema of its edition, then read, then checked with the others
//! (`domain::local_offer::check_directory`); every record left out is listed with its
//! reasons. Sizes are checked before anything is read.

pub mod api;
pub mod conformance;
mod records;
mod schema;
pub mod text;
pub mod write;

use records::Edition;
use sendplan_domain::local_offer::*;
use serde_json::Value;
use std::collections::{BTreeMap, HashMap};

/// The largest feed read: 800 services with everything are about 5 MB.
pub const MAX_FEED_BYTES: usize = 64 * 1024 * 1024;
/// The most services read from one feed.
pub const MAX_SERVICES: usize = 50_000;
/// The most reasons listed for one record.
const MOST_REASONS: usize = 8;

/// What kind of feed a file was.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FeedFormat {
    Oruk3,
    Oruk1,
    Csv,
}

impl FeedFormat {
    pub fn label(self) -> &'static str {
        match self {
            FeedFormat::Oruk3 => "Open Referral UK 3.0",
            FeedFormat::Oruk1 => "Open Referral UK 1.0",
            FeedFormat::Csv => "Open Referral UK CSV tables",
        }
    }
}

/// A record left out of a feed, and why.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Rejected {
    /// "service", "organization" or "taxonomy term".
    pub kind: &'static str,
    pub key: String,
    pub name: String,
    /// Each "field: what is wrong".
    pub reasons: Vec<String>,
}

/// A feed read: the records that can be taken, those that cannot, and what the reader
/// noticed on the way (duplicate organisations, services with no coordinates, stale checks).
#[derive(Debug, Clone)]
pub struct FeedRead {
    pub format: FeedFormat,
    pub directory: Directory,
    pub rejected: Vec<Rejected>,
    pub notes: Vec<String>,
}

/// Why a file could not be read as a feed at all.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum FeedError {
    #[error("the feed is {0} MB; the most sendplan reads is {most} MB", most = MAX_FEED_BYTES / 1024 / 1024)]
    TooLarge(usize),
    #[error("the feed is not JSON: {0}")]
    NotJson(String),
    #[error("the file is JSON but not an Open Referral UK feed: {0}")]
    NotOruk(String),
    #[error("the feed has more than {MAX_SERVICES} services")]
    TooManyServices,
    #[error("the CSV tables cannot be read: {0}")]
    Csv(String),
}

/// "1 service has", "3 services have": a count of services and a verb that agrees.
fn services_do(count: usize, one: &str, many: &str) -> String {
    if count == 1 {
        format!("1 service {one}")
    } else {
        format!("{count} services {many}")
    }
}

/// Reads a JSON feed (3.0 or 1.0; a page, a list, one service, or NDJSON).
pub fn read_json(bytes: &[u8]) -> Result<FeedRead, FeedError> {
    read_json_pages(&[bytes])
}

/// Reads the pages of one JSON feed (each as `read_json` takes it) as one directory, so
/// the rules across records (ids used once, organisations present) see all of it.
pub fn read_json_pages(pages: &[&[u8]]) -> Result<FeedRead, FeedError> {
    let total: usize = pages.iter().map(|p| p.len()).sum();
    if total > MAX_FEED_BYTES {
        return Err(FeedError::TooLarge(total / 1024 / 1024));
    }
    // Each page is services, taxonomy terms (GET /taxonomy_terms) or taxonomies (GET
    // /taxonomies, the vocabularies themselves, which sendplan does not keep).
    let is_term = |r: &Value| {
        r.get("status").is_none()
            && r.get("organization_id").is_none()
            && (r.get("parent_id").is_some()
                || r.get("taxonomy").is_some()
                || r.get("taxonomy_id").is_some())
    };
    let is_vocabulary = |r: &Value| {
        r.get("status").is_none()
            && r.get("organization_id").is_none()
            && r.get("organization").is_none()
            && (r.get("version").is_some() || r.get("uri").is_some())
    };
    let mut services: Vec<Value> = Vec::new();
    let mut terms = Vec::new();
    let mut notes = Vec::new();
    let mut repeated = 0;
    let mut seen: HashMap<String, usize> = HashMap::new();
    for bytes in pages {
        let records = match serde_json::from_slice::<Value>(bytes) {
            Ok(value) => services_of(value)?,
            Err(whole) => ndjson(bytes).map_err(|_| FeedError::NotJson(whole.to_string()))?,
        };
        if !records.is_empty() && records.iter().all(is_term) {
            terms.extend(records.iter().map(records::term));
        } else if !records.is_empty() && records.iter().all(is_vocabulary) {
            notes.push(format!(
                "a list of {} taxonomies (vocabularies) was read and is not kept: their terms are",
                records.len()
            ));
        } else {
            for record in records {
                // The same record twice (a page and the NDJSON of one feed) is one record;
                // two different records with one id are a fault, named later.
                let id = records::text(&record, "id");
                match seen.get(&id) {
                    Some(&i) if services[i] == record => repeated += 1,
                    _ => {
                        seen.insert(id, services.len());
                        services.push(record);
                    }
                }
            }
        }
        if services.len() > MAX_SERVICES {
            return Err(FeedError::TooManyServices);
        }
    }
    if repeated > 0 {
        notes.push(format!(
            "{} more than once exactly the same: each is taken once",
            services_do(repeated, "appears", "appear")
        ));
    }
    // 1.0 services carry fields 3.0 dropped; a feed is one edition or the other.
    let v1_fields = [
        "regular_schedules",
        "holiday_schedules",
        "eligibilitys",
        "service_taxonomys",
        "attending_type",
        "attending_access",
        "deliverable_type",
    ];
    let edition = if services
        .iter()
        .any(|s| v1_fields.iter().any(|f| s.get(*f).is_some()))
    {
        Edition::V1
    } else {
        Edition::V3
    };
    let mut read = assemble_with(services, edition, vec![], terms);
    read.notes.splice(0..0, notes);
    Ok(read)
}

/// The service records of a parsed JSON document, whatever its shape.
fn services_of(value: Value) -> Result<Vec<Value>, FeedError> {
    let records = match value {
        Value::Array(items) => items,
        Value::Object(mut o) => {
            // 3.0's envelope has "contents"; 1.0's (Spring's Page) has "content".
            if let Some(Value::Array(items)) = o.remove("contents").or_else(|| o.remove("content"))
            {
                items
            } else if o.contains_key("id") && o.contains_key("name") {
                vec![Value::Object(o)]
            } else {
                let keys: Vec<&String> = o.keys().take(6).collect();
                return Err(FeedError::NotOruk(format!(
                    "it has no list of services (\"contents\") and is not a service; its fields are {keys:?}"
                )));
            }
        }
        _ => {
            return Err(FeedError::NotOruk(
                "it is a single value, not a list of services".to_owned(),
            ))
        }
    };
    if let Some(i) = records.iter().position(|r| !r.is_object()) {
        return Err(FeedError::NotOruk(format!(
            "item {} of its list is not a record",
            i + 1
        )));
    }
    Ok(records)
}

/// Newline-delimited JSON: one service per line.
fn ndjson(bytes: &[u8]) -> Result<Vec<Value>, FeedError> {
    let text = std::str::from_utf8(bytes).map_err(|e| FeedError::NotJson(e.to_string()))?;
    let mut out = Vec::new();
    for (i, line) in text.lines().enumerate() {
        if line.trim().is_empty() {
            continue;
        }
        let value: Value = serde_json::from_str(line)
            .map_err(|e| FeedError::NotJson(format!("line {}: {e}", i + 1)))?;
        if !value.is_object() {
            return Err(FeedError::NotOruk(format!(
                "line {} is not a record",
                i + 1
            )));
        }
        out.push(value);
        if out.len() > MAX_SERVICES {
            return Err(FeedError::TooManyServices);
        }
    }
    if out.len() < 2 {
        return Err(FeedError::NotJson(
            "not one JSON document, nor one per line".to_owned(),
        ));
    }
    Ok(out)
}

/// Checks and reads `services` (each with its organisation and terms where it carries
/// them), with `organizations` and `terms` read from elsewhere (the CSV form's tables).
fn assemble_with(
    services: Vec<Value>,
    edition: Edition,
    organizations: Vec<Organization>,
    terms: Vec<TaxonomyTerm>,
) -> FeedRead {
    let validator = match edition {
        Edition::V3 => schema::service_v3(),
        Edition::V1 => schema::service_v1(),
    };
    let mut rejected = Vec::new();
    let mut notes = Vec::new();
    let mut orgs: BTreeMap<String, Organization> = organizations
        .into_iter()
        .map(|o| (o.key.clone(), o))
        .collect();
    let mut term_map: BTreeMap<String, TaxonomyTerm> =
        terms.into_iter().map(|t| (t.key.clone(), t)).collect();
    let mut read = Vec::new();
    for value in &services {
        let key = records::text(value, "id");
        let name = text::plain_text(&records::text(value, "name"));
        let mut reasons = schema::problems(validator, value, MOST_REASONS);
        let service = records::service(value, edition);
        if let Err(more) = &service {
            reasons.extend(more.iter().cloned());
        }
        match service {
            Ok(s) if reasons.is_empty() => {
                if let Some(o) = value.get("organization").filter(|o| o.is_object()) {
                    let o = records::organization(o);
                    if !o.key.is_empty() {
                        orgs.entry(o.key.clone()).or_insert(o);
                    }
                }
                for t in records::terms_of(value, edition) {
                    term_map.entry(t.key.clone()).or_insert(t);
                }
                read.push(s);
            }
            _ => {
                reasons.truncate(MOST_REASONS);
                rejected.push(Rejected {
                    kind: "service",
                    key,
                    name,
                    reasons,
                });
            }
        }
    }
    let mut directory = Directory {
        organizations: orgs.into_values().collect(),
        services: read,
        terms: term_map.into_values().collect(),
    };
    // Rules across records: each service with a problem is left out with its reasons.
    let problems = check_directory(&directory);
    let mut by_service: HashMap<String, Vec<String>> = HashMap::new();
    for p in problems {
        if p.kind == "service" {
            by_service
                .entry(p.key.clone())
                .or_default()
                .push(format!("{}: {}", p.field, p.message));
        } else {
            rejected.push(Rejected {
                kind: p.kind,
                key: p.key,
                name: p.name,
                reasons: vec![format!("{}: {}", p.field, p.message)],
            });
        }
    }
    directory
        .services
        .retain(|s| match by_service.remove(&s.key) {
            None => true,
            Some(reasons) => {
                rejected.push(Rejected {
                    kind: "service",
                    key: s.key.clone(),
                    name: s.name.clone(),
                    reasons,
                });
                false
            }
        });
    // What a reader should know, though nothing is wrong with the records.
    let mut names: BTreeMap<String, Vec<&str>> = BTreeMap::new();
    for o in &directory.organizations {
        names.entry(o.name.to_lowercase()).or_default().push(&o.key);
    }
    for (name, keys) in names.iter().filter(|(_, k)| k.len() > 1) {
        notes.push(format!(
            "{} organisations are called \"{name}\" ({}): kept apart, as the feed gives them different ids",
            keys.len(),
            keys.join(", ")
        ));
    }
    let unplaced = directory
        .services
        .iter()
        .filter(|s| !s.locations.is_empty() && s.locations.iter().all(|l| l.latitude.is_none()))
        .count();
    if unplaced > 0 {
        notes.push(format!(
            "{} an address but no coordinates: they are listed, and a search by distance says so rather than leaving them out",
            services_do(unplaced, "has", "have")
        ));
    }
    let unchecked = directory
        .services
        .iter()
        .filter(|s| s.assured_date.is_none())
        .count();
    if unchecked > 0 {
        notes.push(format!(
            "{} not say when they were last checked (assured_date)",
            services_do(unchecked, "does", "do")
        ));
    }
    FeedRead {
        format: match edition {
            Edition::V3 => FeedFormat::Oruk3,
            Edition::V1 => FeedFormat::Oruk1,
        },
        directory,
        rejected,
        notes,
    }
}

/// Reads ORUK's CSV form: a set of tables named as the standard names them (services.csv,
/// organizations.csv, service_at_location.csv, locations.csv, addresses.csv, schedules.csv,
/// cost_options.csv, contacts.csv, phones.csv, attributes.csv, taxonomy_terms.csv ...).
/// Each service is put together as a 3.0 record and read as one.
pub fn read_csv_tables(files: &[(String, Vec<u8>)]) -> Result<FeedRead, FeedError> {
    let total: usize = files.iter().map(|(_, b)| b.len()).sum();
    if total > MAX_FEED_BYTES {
        return Err(FeedError::TooLarge(total / 1024 / 1024));
    }
    let mut tables: HashMap<String, Vec<serde_json::Map<String, Value>>> = HashMap::new();
    for (name, bytes) in files {
        let stem = name
            .rsplit('/')
            .next()
            .unwrap_or(name)
            .trim_end_matches(".csv")
            .to_lowercase();
        let mut reader = csv::ReaderBuilder::new()
            .flexible(false)
            .from_reader(bytes.as_slice());
        let head: Vec<String> = reader
            .headers()
            .map_err(|e| FeedError::Csv(format!("{name}: {e}")))?
            .iter()
            .map(|h| h.trim().trim_start_matches('\u{feff}').to_owned())
            .collect();
        let mut rows = Vec::new();
        for (i, row) in reader.records().enumerate() {
            let row = row.map_err(|e| FeedError::Csv(format!("{name}, row {}: {e}", i + 2)))?;
            let mut record = serde_json::Map::new();
            for (h, cell) in head.iter().zip(row.iter()) {
                if !cell.trim().is_empty() {
                    record.insert(h.clone(), Value::String(cell.trim().to_owned()));
                }
            }
            rows.push(record);
        }
        // The standard's own examples name some tables in the singular, some plural.
        let key = match stem.as_str() {
            "schedule" => "schedules",
            "address" => "addresses",
            "attribute" => "attributes",
            "service_at_locations" => "service_at_location",
            "taxonomy_term" => "taxonomy_terms",
            other => other,
        }
        .to_owned();
        tables.entry(key).or_default().extend(rows);
    }
    let Some(service_rows) = tables.get("services") else {
        return Err(FeedError::Csv(
            "there is no services.csv among the tables".to_owned(),
        ));
    };
    if service_rows.len() > MAX_SERVICES {
        return Err(FeedError::TooManyServices);
    }
    let rows_of = |table: &str, column: &str, id: &str| -> Vec<Value> {
        tables
            .get(table)
            .map(|rows| {
                rows.iter()
                    .filter(|r| r.get(column).and_then(Value::as_str) == Some(id))
                    .map(|r| Value::Object(r.clone()))
                    .collect()
            })
            .unwrap_or_default()
    };
    // CSV cells are text; the schema's numbers are read as numbers.
    let numbers = [
        "minimum_age",
        "maximum_age",
        "latitude",
        "longitude",
        "amount",
        "interval",
        "count",
    ];
    let typed = |mut v: Value| {
        if let Value::Object(o) = &mut v {
            for key in numbers {
                if let Some(Value::String(s)) = o.get(key) {
                    if let Ok(n) = s.parse::<f64>() {
                        o.insert(key.to_owned(), serde_json::json!(n));
                    }
                }
            }
        }
        v
    };
    let terms: Vec<TaxonomyTerm> = tables
        .get("taxonomy_terms")
        .map(|rows| {
            rows.iter()
                .map(|r| records::term(&Value::Object(r.clone())))
                .collect()
        })
        .unwrap_or_default();
    let organizations: Vec<Organization> = tables
        .get("organizations")
        .map(|rows| {
            rows.iter()
                .map(|r| records::organization(&Value::Object(r.clone())))
                .collect()
        })
        .unwrap_or_default();
    let mut services = Vec::new();
    for row in service_rows {
        let mut service = typed(Value::Object(row.clone()));
        let id = records::text(&service, "id");
        let locations: Vec<Value> = rows_of("service_at_location", "service_id", &id)
            .into_iter()
            .map(|sal| {
                let location_id = records::text(&sal, "location_id");
                let location = tables
                    .get("locations")
                    .and_then(|rows| {
                        rows.iter()
                            .find(|r| r.get("id").and_then(Value::as_str) == Some(&location_id))
                    })
                    .map(|l| {
                        let mut l = typed(Value::Object(l.clone()));
                        l["addresses"] =
                            Value::Array(rows_of("addresses", "location_id", &location_id));
                        l["accessibility"] =
                            Value::Array(rows_of("accessibility", "location_id", &location_id));
                        l
                    });
                let mut sal = sal;
                if let Some(l) = location {
                    sal["location"] = l;
                }
                sal
            })
            .collect();
        let contacts: Vec<Value> = rows_of("contacts", "service_id", &id)
            .into_iter()
            .map(|mut c| {
                let contact_id = records::text(&c, "id");
                c["phones"] = Value::Array(rows_of("phones", "contact_id", &contact_id));
                c
            })
            .collect();
        let attributes: Vec<Value> = rows_of("attributes", "link_id", &id)
            .into_iter()
            .filter_map(|a| {
                let term_id = records::text(&a, "taxonomy_term_id");
                let term = terms.iter().find(|t| t.key == term_id)?;
                let mut t = serde_json::json!({"id": term.key, "name": term.name,
                    "description": term.description, "taxonomy": term.taxonomy});
                if let Some(parent) = &term.parent_key {
                    t["parent_id"] = Value::String(parent.clone());
                }
                Some(serde_json::json!({"id": records::text(&a, "id"), "taxonomy_term": t}))
            })
            .collect();
        service["service_at_locations"] = Value::Array(locations);
        service["schedules"] = Value::Array(
            rows_of("schedules", "service_id", &id)
                .into_iter()
                .map(typed)
                .collect(),
        );
        service["cost_options"] = Value::Array(
            rows_of("cost_options", "service_id", &id)
                .into_iter()
                .map(typed)
                .collect(),
        );
        service["contacts"] = Value::Array(contacts);
        service["service_areas"] = Value::Array(rows_of("service_areas", "service_id", &id));
        service["attributes"] = Value::Array(attributes);
        // The CSV form carries no nested organisation: it is found by id instead.
        if let Value::Object(o) = &mut service {
            o.retain(|_, v| !matches!(v, Value::Array(a) if a.is_empty()));
        }
        services.push(service);
    }
    let mut read = assemble_with(services, Edition::V3, organizations, terms);
    read.format = FeedFormat::Csv;
    Ok(read)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn example(name: &str) -> Vec<u8> {
        std::fs::read(format!(
            "{}/../../fixtures/oruk_examples/{name}",
            env!("CARGO_MANIFEST_DIR")
        ))
        .expect("example")
    }

    #[test]
    fn the_profiles_own_example_is_read_and_its_impossible_coordinates_named() {
        let read = read_json(&example("service_full.json")).expect("a feed");
        assert_eq!(read.format, FeedFormat::Oruk3);
        // The profile's example places its location at latitude 100, longitude 101.
        assert_eq!(read.directory.services.len(), 0);
        let reasons = &read.rejected[0].reasons;
        assert!(
            reasons
                .iter()
                .any(|r| r.contains("latitude must be between -90 and 90")),
            "{reasons:?}"
        );
    }

    #[test]
    fn what_is_not_a_feed_is_said_plainly() {
        assert!(matches!(
            read_json(b"{\"type\": \"FeatureCollection\"}"),
            Err(FeedError::NotOruk(_))
        ));
        assert!(matches!(
            read_json(b"{\"contents\": [1, 2]}"),
            Err(FeedError::NotOruk(_))
        ));
        assert!(matches!(
            read_json(b"{\"contents\": [{\"id\": "),
            Err(FeedError::NotJson(_))
        ));
    }

    #[test]
    fn the_profiles_csv_tables_are_read_as_one_service() {
        let dir = format!(
            "{}/../../fixtures/oruk_examples/csv",
            env!("CARGO_MANIFEST_DIR")
        );
        let files: Vec<(String, Vec<u8>)> = std::fs::read_dir(&dir)
            .expect("csv")
            .map(|e| {
                let path = e.expect("entry").path();
                (
                    path.display().to_string(),
                    std::fs::read(&path).expect("read"),
                )
            })
            .collect();
        let read = read_csv_tables(&files).expect("tables");
        assert_eq!(read.format, FeedFormat::Csv);
        assert_eq!(read.directory.services.len() + read.rejected.len(), 1);
    }
}
