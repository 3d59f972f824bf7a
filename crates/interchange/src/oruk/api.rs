//! Answers of an Open Referral UK 3.0 API over a Local Offer: `/`, `/services`,
//! `/organizations`, `/taxonomies`, `/taxonomy_terms`, `/service_at_locations`, each list
//! paged in ORUK's envelope (or streamed whole with `format=ndjson`) and each record by
//! its id. The standard's parameters are honoured; one that cannot be read is answered
//! with what is wrong, never ignored silently. The web layer only turns these answers
//! into responses.

use super::write;
use sendplan_domain::local_offer::geo::{distance_metres, Point};
use sendplan_domain::local_offer::search::{Query, SearchIndex};
use sendplan_domain::local_offer::*;
use serde_json::Value;
use std::collections::HashMap;
use time::format_description::well_known::Rfc3339;
use time::OffsetDateTime;

/// Records on a page unless `per_page` says otherwise.
pub const DEFAULT_PER_PAGE: usize = 50;
/// The most records on one page.
pub const MOST_PER_PAGE: usize = 500;

/// Each record's place in the directory by its ORUK id, worked out once per directory.
pub struct Ids {
    services: HashMap<String, usize>,
    organizations: HashMap<String, usize>,
    terms: HashMap<String, usize>,
    taxonomies: HashMap<String, String>,
    service_at_locations: HashMap<String, (usize, usize)>,
}

impl Ids {
    pub fn new(directory: &Directory) -> Self {
        let mut service_at_locations = HashMap::new();
        for (i, s) in directory.services.iter().enumerate() {
            for l in 0..s.locations.len() {
                service_at_locations.insert(write::service_at_location_id(s, l), (i, l));
            }
        }
        Ids {
            services: directory
                .services
                .iter()
                .enumerate()
                .map(|(i, s)| (write::service_id(s), i))
                .collect(),
            organizations: directory
                .organizations
                .iter()
                .enumerate()
                .map(|(i, o)| (write::organization_id(&o.key), i))
                .collect(),
            terms: directory
                .terms
                .iter()
                .enumerate()
                .map(|(i, t)| (write::term_id(&t.key), i))
                .collect(),
            taxonomies: directory
                .terms
                .iter()
                .map(|t| {
                    let name = write::taxonomy_of(t).to_owned();
                    (write::taxonomy_id(&name), name)
                })
                .collect(),
            service_at_locations,
        }
    }
}

/// An API answer, for the web layer to send.
#[derive(Debug, Clone, PartialEq)]
pub enum Answer {
    Json(Value),
    /// Newline-delimited JSON: one record per line, every record, no pages.
    Ndjson(String),
    NotFound(String),
    BadRequest(String),
}

/// What a request asked for, read from its query string.
#[derive(Debug, Clone, PartialEq)]
struct Params {
    page: usize,
    per_page: usize,
    full: bool,
    minimal: bool,
    ndjson: bool,
    search: String,
    taxonomy_term_id: Option<String>,
    taxonomy_id: Option<String>,
    organization_id: Option<String>,
    modified_after: Option<OffsetDateTime>,
    proximity: Option<f64>,
    send_extensions: bool,
}

fn flag(name: &str, value: &str) -> Result<bool, String> {
    match value.trim().to_ascii_lowercase().as_str() {
        "true" | "1" | "yes" => Ok(true),
        "false" | "0" | "no" | "" => Ok(false),
        _ => Err(format!("{name} must be true or false, not \"{value}\"")),
    }
}

fn whole_number(name: &str, value: &str, least: usize, most: usize) -> Result<usize, String> {
    value
        .trim()
        .parse::<usize>()
        .ok()
        .filter(|n| (least..=most).contains(n))
        .ok_or_else(|| {
            format!("{name} must be a whole number from {least} to {most}, not \"{value}\"")
        })
}

/// A moment in RFC 3339, or a date (taken as its start, UTC).
fn moment(value: &str) -> Result<OffsetDateTime, String> {
    let value = value.trim();
    OffsetDateTime::parse(value, &Rfc3339)
        .ok()
        .or_else(|| {
            time::Date::parse(value, &time::macros::format_description!("[year]-[month]-[day]"))
                .ok()
                .map(|d| d.midnight().assume_utc())
        })
        .ok_or_else(|| {
            format!("modified_after must be a date (2026-04-01) or a date and time (2026-04-01T09:00:00Z), not \"{value}\"")
        })
}

impl Params {
    fn read(query: &[(String, String)]) -> Result<Params, String> {
        let mut p = Params {
            page: 1,
            per_page: DEFAULT_PER_PAGE,
            full: false,
            minimal: false,
            ndjson: false,
            search: String::new(),
            taxonomy_term_id: None,
            taxonomy_id: None,
            organization_id: None,
            modified_after: None,
            proximity: None,
            send_extensions: true,
        };
        let some = |v: &str| Some(v.trim().to_ascii_lowercase()).filter(|v| !v.is_empty());
        for (name, value) in query {
            match name.as_str() {
                "page" => p.page = whole_number("page", value, 1, 1_000_000)?,
                "per_page" => p.per_page = whole_number("per_page", value, 1, MOST_PER_PAGE)?,
                "full" | "full_service" => p.full = flag(name, value)?,
                "minimal" => p.minimal = flag(name, value)?,
                "format" => {
                    p.ndjson = match value.trim().to_ascii_lowercase().as_str() {
                        "ndjson" => true,
                        "json" | "" => false,
                        _ => return Err(format!("format must be json or ndjson, not \"{value}\"")),
                    }
                }
                "search" => p.search = value.chars().take(200).collect(),
                "taxonomy_term_id" => p.taxonomy_term_id = some(value),
                "taxonomy_id" => p.taxonomy_id = some(value),
                "organization_id" => p.organization_id = some(value),
                "modified_after" => p.modified_after = Some(moment(value)?),
                "proximity" => {
                    p.proximity = Some(
                        value
                            .trim()
                            .parse::<f64>()
                            .ok()
                            .filter(|m| m.is_finite() && *m > 0.0)
                            .ok_or_else(|| {
                                format!("proximity must be a distance in metres, not \"{value}\"")
                            })?,
                    )
                }
                "send_extensions" => p.send_extensions = flag(name, value)?,
                // Read by the web layer (the postcode's centroid), or not the API's.
                _ => {}
            }
        }
        Ok(p)
    }
}

/// Answers a request for `path` (what follows the API's address: "", "services",
/// "services/{id}", ...) with its query parameters. `near` is the centroid of the
/// `postcode` asked for, found by the caller; `Err` names a postcode it could not find.
pub fn answer(
    index: &SearchIndex,
    ids: &Ids,
    path: &str,
    query: &[(String, String)],
    near: Result<Option<Point>, String>,
) -> Answer {
    let params = match Params::read(query) {
        Ok(p) => p,
        Err(e) => return Answer::BadRequest(e),
    };
    let directory = index.directory();
    let parts: Vec<&str> = path
        .trim_matches('/')
        .split('/')
        .filter(|p| !p.is_empty())
        .collect();
    let not_found =
        |what: &str, id: &str| Answer::NotFound(format!("there is no {what} with id {id}"));
    match parts.as_slice() {
        [] => Answer::Json(write::api_details()),
        ["services"] => {
            let found = services(index, ids, &params);
            if params.ndjson {
                return ndjson(found.iter().map(|s| write::service_full(directory, s, params.send_extensions)));
            }
            let (page, total) = paged(&found, &params);
            let contents = page
                .iter()
                .map(|s| {
                    if params.minimal {
                        let summary = write::service_summary(s);
                        let mut minimal = serde_json::Map::new();
                        for key in ["id", "last_modified"] {
                            if let Some(v) = summary.get(key) {
                                minimal.insert(key.into(), v.clone());
                            }
                        }
                        Value::Object(minimal)
                    } else if params.full {
                        write::service_full(directory, s, params.send_extensions)
                    } else {
                        write::service_summary(s)
                    }
                })
                .collect();
            Answer::Json(write::page(contents, total, params.page, params.per_page))
        }
        ["services", id] => match ids.services.get(*id) {
            Some(&i) => Answer::Json(write::service_full(
                directory,
                &directory.services[i],
                params.send_extensions,
            )),
            None => not_found("service", id),
        },
        ["organizations"] => {
            let found: Vec<&Organization> = directory
                .organizations
                .iter()
                .filter(|o| {
                    params.search.trim().is_empty()
                        || o.name.to_lowercase().contains(&params.search.trim().to_lowercase())
                })
                .collect();
            list(&found, &params, |o| {
                if params.full {
                    write::organization_full(directory, o)
                } else {
                    write::organization(o)
                }
            })
        }
        ["organizations", id] => match ids.organizations.get(*id) {
            Some(&i) => Answer::Json(write::organization_full(directory, &directory.organizations[i])),
            None => not_found("organization", id),
        },
        ["taxonomies"] => {
            let all = write::taxonomies(directory, false);
            list(&all.iter().collect::<Vec<_>>(), &params, |t| (*t).clone())
        }
        ["taxonomies", id] => match ids.taxonomies.get(*id) {
            Some(name) => Answer::Json(write::taxonomy(directory, name, true)),
            None => not_found("taxonomy", id),
        },
        ["taxonomy_terms"] => {
            let found: Vec<&TaxonomyTerm> = directory
                .terms
                .iter()
                .filter(|t| {
                    params
                        .taxonomy_id
                        .as_ref()
                        .is_none_or(|x| &write::taxonomy_id(write::taxonomy_of(t)) == x)
                })
                .collect();
            list(&found, &params, |t| write::taxonomy_term(t))
        }
        ["taxonomy_terms", id] => match ids.terms.get(*id) {
            Some(&i) => Answer::Json(write::taxonomy_term(&directory.terms[i])),
            None => not_found("taxonomy term", id),
        },
        ["service_at_locations"] => {
            let near = match near {
                Ok(near) => near,
                Err(e) => return Answer::BadRequest(e),
            };
            if params.proximity.is_some() && near.is_none() {
                return Answer::BadRequest("proximity needs a postcode to measure from".into());
            }
            let mut found: Vec<(Option<f64>, &Service, usize)> = Vec::new();
            for s in services(index, ids, &params) {
                for (l, location) in s.locations.iter().enumerate() {
                    let distance = near.and_then(|from| {
                        Some(distance_metres(
                            from,
                            Point {
                                latitude: location.latitude?,
                                longitude: location.longitude?,
                            },
                        ))
                    });
                    // Within a proximity only what is known to be within it; without one,
                    // every location, the nearest first and those with no position last.
                    if params.proximity.is_some_and(|most| distance.is_none_or(|d| d > most)) {
                        continue;
                    }
                    found.push((distance, s, l));
                }
            }
            if near.is_some() {
                found.sort_by(|a, b| match (a.0, b.0) {
                    (Some(x), Some(y)) => x.total_cmp(&y),
                    (Some(_), None) => std::cmp::Ordering::Less,
                    (None, Some(_)) => std::cmp::Ordering::Greater,
                    (None, None) => std::cmp::Ordering::Equal,
                });
            }
            if params.ndjson {
                return ndjson(found.iter().map(|(_, s, l)| write::service_at_location(s, *l, true)));
            }
            list(&found, &params, |(_, s, l)| write::service_at_location(s, *l, params.full))
        }
        ["service_at_locations", id] => match ids.service_at_locations.get(*id) {
            Some(&(i, l)) => Answer::Json(write::service_at_location(&directory.services[i], l, true)),
            None => not_found("service at location", id),
        },
        _ => Answer::NotFound(format!(
            "there is no {path} in this API: it answers /, /services, /organizations, /taxonomies, /taxonomy_terms and /service_at_locations"
        )),
    }
}

/// The services a request's filters and search words select, best match first (by name
/// without search words).
fn services<'i>(index: &'i SearchIndex, ids: &Ids, params: &Params) -> Vec<&'i Service> {
    let directory = index.directory();
    let term = params
        .taxonomy_term_id
        .as_ref()
        .map(|id| ids.terms.get(id).map(|&i| directory.terms[i].key.as_str()));
    let taxonomy_terms: Option<Vec<&str>> = params.taxonomy_id.as_ref().map(|id| {
        directory
            .terms
            .iter()
            .filter(|t| &write::taxonomy_id(write::taxonomy_of(t)) == id)
            .map(|t| t.key.as_str())
            .collect()
    });
    let organization = params.organization_id.as_ref().map(|id| {
        ids.organizations
            .get(id)
            .map(|&i| directory.organizations[i].key.as_str())
    });
    index
        .search(&Query {
            words: params.search.clone(),
            ..Query::default()
        })
        .services
        .into_iter()
        .filter(|s| {
            term.is_none_or(|t| t.is_some_and(|t| s.terms.iter().any(|k| k == t)))
                && taxonomy_terms
                    .as_ref()
                    .is_none_or(|keys| s.terms.iter().any(|k| keys.contains(&k.as_str())))
                && organization.is_none_or(|o| o == Some(s.organization_key.as_str()))
                && params
                    .modified_after
                    .is_none_or(|after| s.last_modified.is_some_and(|m| m >= after))
        })
        .collect()
}

/// The page asked for, and how many there are in all.
fn paged<'a, T>(all: &'a [T], params: &Params) -> (&'a [T], usize) {
    let start = (params.page - 1)
        .saturating_mul(params.per_page)
        .min(all.len());
    let end = (start + params.per_page).min(all.len());
    (&all[start..end], all.len())
}

fn list<T>(all: &[T], params: &Params, write: impl Fn(&T) -> Value) -> Answer {
    let (page, total) = paged(all, params);
    Answer::Json(write::page(
        page.iter().map(write).collect(),
        total,
        params.page,
        params.per_page,
    ))
}

fn ndjson(records: impl Iterator<Item = Value>) -> Answer {
    let mut out = String::new();
    for r in records {
        out.push_str(&r.to_string());
        out.push('\n');
    }
    Answer::Ndjson(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn q(pairs: &[(&str, &str)]) -> Vec<(String, String)> {
        pairs
            .iter()
            .map(|(a, b)| ((*a).into(), (*b).into()))
            .collect()
    }

    #[test]
    fn parameters_that_cannot_be_read_are_said_so() {
        for (name, value) in [
            ("page", "0"),
            ("page", "two"),
            ("per_page", "100000"),
            ("full", "perhaps"),
            ("format", "xml"),
            ("modified_after", "yesterday"),
            ("proximity", "-5"),
        ] {
            let e = Params::read(&q(&[(name, value)])).unwrap_err();
            assert!(e.starts_with(name), "{e}");
        }
        let p = Params::read(&q(&[
            ("page", "3"),
            ("full", "true"),
            ("modified_after", "2026-04-01"),
        ]))
        .unwrap();
        assert_eq!((p.page, p.full), (3, true));
        assert!(p.modified_after.is_some());
    }
}
