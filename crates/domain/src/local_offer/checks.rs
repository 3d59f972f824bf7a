//! Rules a directory must keep that a JSON Schema cannot state: each finding names the
//! record and the field, in plain English, so an officer can put the source right.

use super::model::*;
use std::collections::{HashMap, HashSet};

/// Something wrong with one record of a directory.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Problem {
    /// "service", "organization" or "taxonomy term".
    pub kind: &'static str,
    /// The record's id in its source.
    pub key: String,
    /// Its name, where it has one, to find it by.
    pub name: String,
    pub field: String,
    pub message: String,
}

/// Checks every record of `directory` against the others: coordinates on the Earth, ages
/// in order, a service's organisation and terms present, no taxonomy term its own
/// ancestor, no two records of one kind with the same id.
pub fn check_directory(directory: &Directory) -> Vec<Problem> {
    let mut problems = Vec::new();
    let organizations: HashSet<&str> = directory
        .organizations
        .iter()
        .map(|o| o.key.as_str())
        .collect();
    let terms: HashMap<&str, &TaxonomyTerm> = directory
        .terms
        .iter()
        .map(|t| (t.key.as_str(), t))
        .collect();
    duplicates(
        directory.organizations.iter().map(|o| (&o.key, &o.name)),
        "organization",
        &mut problems,
    );
    duplicates(
        directory.services.iter().map(|s| (&s.key, &s.name)),
        "service",
        &mut problems,
    );
    duplicates(
        directory.terms.iter().map(|t| (&t.key, &t.name)),
        "taxonomy term",
        &mut problems,
    );
    for service in &directory.services {
        let mut problem = |field: &str, message: String| {
            problems.push(Problem {
                kind: "service",
                key: service.key.clone(),
                name: service.name.clone(),
                field: field.to_owned(),
                message,
            })
        };
        if service.name.trim().is_empty() {
            problem("name", "The service has no name".to_owned());
        }
        if !organizations.contains(service.organization_key.as_str()) {
            problem(
                "organization_id",
                if service.organization_key.is_empty() {
                    "The service names no organisation that runs it".to_owned()
                } else {
                    format!(
                        "The service's organisation \"{}\" is not in the feed",
                        service.organization_key
                    )
                },
            );
        }
        // Only web addresses become links: "javascript:" and the like never do.
        if !service.url.is_empty() && !is_web_address(&service.url) {
            problem(
                "url",
                format!(
                    "\"{}\" is not a web address starting with https:// or http://",
                    service.url
                ),
            );
        }
        if let (Some(min), Some(max)) = (service.minimum_age, service.maximum_age) {
            if min > max {
                problem(
                    "minimum_age",
                    format!("The minimum age ({min}) is above the maximum age ({max})"),
                );
            }
        }
        for (i, location) in service.locations.iter().enumerate() {
            let at = |what: &str| format!("service_at_locations[{i}].location.{what}");
            if location
                .latitude
                .is_some_and(|v| !(-90.0..=90.0).contains(&v) || !v.is_finite())
            {
                problem(
                    &at("latitude"),
                    format!(
                        "A latitude must be between -90 and 90 degrees, not {}",
                        location.latitude.unwrap_or_default()
                    ),
                );
            }
            if location
                .longitude
                .is_some_and(|v| !(-180.0..=180.0).contains(&v) || !v.is_finite())
            {
                problem(
                    &at("longitude"),
                    format!(
                        "A longitude must be between -180 and 180 degrees, not {}",
                        location.longitude.unwrap_or_default()
                    ),
                );
            }
            if location.latitude.is_some() != location.longitude.is_some() {
                problem(
                    &at("latitude"),
                    "A location needs both a latitude and a longitude, or neither".to_owned(),
                );
            }
        }
        for term in &service.terms {
            if !terms.contains_key(term.as_str()) {
                problem(
                    "attributes",
                    format!("The service is filed under taxonomy term \"{term}\", which is not in the feed"),
                );
            }
        }
    }
    // A term whose parents lead back to itself would make browsing by category endless.
    for term in &directory.terms {
        let mut seen = HashSet::from([term.key.as_str()]);
        let mut parent = term.parent_key.as_deref();
        while let Some(key) = parent {
            if !seen.insert(key) {
                problems.push(Problem {
                    kind: "taxonomy term",
                    key: term.key.clone(),
                    name: term.name.clone(),
                    field: "parent_id".to_owned(),
                    message: "The term is among its own parents: the taxonomy loops".to_owned(),
                });
                break;
            }
            parent = terms.get(key).and_then(|t| t.parent_key.as_deref());
        }
    }
    problems
}

/// Whether `text` is an http(s) address with a host, and nothing that could be script.
pub fn is_web_address(text: &str) -> bool {
    let lower = text.trim().to_ascii_lowercase();
    let rest = lower
        .strip_prefix("https://")
        .or_else(|| lower.strip_prefix("http://"));
    rest.is_some_and(|r| {
        !r.is_empty()
            && !r.starts_with('/')
            && !r.contains(char::is_whitespace)
            && !r.contains(['<', '>', '"'])
    })
}

fn duplicates<'a>(
    records: impl Iterator<Item = (&'a String, &'a String)>,
    kind: &'static str,
    problems: &mut Vec<Problem>,
) {
    let mut seen = HashSet::new();
    for (key, name) in records {
        if !seen.insert(key.as_str()) {
            problems.push(Problem {
                kind,
                key: key.clone(),
                name: name.clone(),
                field: "id".to_owned(),
                message: format!("Another {kind} in the feed has the same id"),
            });
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn directory() -> Directory {
        Directory {
            organizations: vec![Organization {
                key: "org-1".into(),
                name: "Bluebell Short Breaks".into(),
                ..Organization::default()
            }],
            services: vec![Service {
                key: "svc-1".into(),
                organization_key: "org-1".into(),
                name: "Saturday club".into(),
                terms: vec!["t-2".into()],
                ..Service::default()
            }],
            terms: vec![
                TaxonomyTerm {
                    key: "t-1".into(),
                    name: "Leisure".into(),
                    ..TaxonomyTerm::default()
                },
                TaxonomyTerm {
                    key: "t-2".into(),
                    name: "Short breaks".into(),
                    parent_key: Some("t-1".into()),
                    ..TaxonomyTerm::default()
                },
            ],
        }
    }

    #[test]
    fn a_sound_directory_has_no_problems() {
        assert_eq!(check_directory(&directory()), vec![]);
    }

    #[test]
    fn each_fault_is_named_by_record_and_field() {
        let mut d = directory();
        d.services[0].minimum_age = Some(12.0);
        d.services[0].maximum_age = Some(5.0);
        d.services[0].locations.push(Location {
            latitude: Some(123.4),
            longitude: Some(-500.0),
            ..Location::default()
        });
        d.services.push(Service {
            key: "svc-2".into(),
            organization_key: "nobody".into(),
            name: "Orphan".into(),
            ..Service::default()
        });
        d.terms[0].parent_key = Some("t-2".into());
        let found: Vec<(String, String)> = check_directory(&d)
            .into_iter()
            .map(|p| (p.key, p.field))
            .collect();
        for expected in [
            ("svc-1", "minimum_age"),
            ("svc-1", "service_at_locations[0].location.latitude"),
            ("svc-1", "service_at_locations[0].location.longitude"),
            ("svc-2", "organization_id"),
            ("t-1", "parent_id"),
            ("t-2", "parent_id"),
        ] {
            assert!(
                found.contains(&(expected.0.to_owned(), expected.1.to_owned())),
                "{expected:?} in {found:?}"
            );
        }
    }

    #[test]
    fn only_web_addresses_are_taken_as_links() {
        assert!(is_web_address("https://example.org/short-breaks"));
        assert!(!is_web_address("javascript:alert(1)"));
        assert!(!is_web_address("https:///nohost") && !is_web_address("http://a b"));
        let mut d = directory();
        d.services[0].url = "javascript:alert(1)".into();
        assert_eq!(check_directory(&d)[0].field, "url");
    }

    #[test]
    fn a_second_record_with_an_id_already_used_is_named() {
        let mut d = directory();
        d.organizations.push(d.organizations[0].clone());
        let problems = check_directory(&d);
        assert_eq!(problems.len(), 1);
        assert_eq!(problems[0].kind, "organization");
    }
}
