//! What the Local Offer tells the plan: how fresh it is and where its gaps are. One
//! definition each, for the plan's measures, the officers' pages and board papers.

use super::model::*;
use std::collections::HashMap;
use time::Date;

/// How long a service's entry stays current after it was last checked: three months, as
/// the ORUK compliance guidance asks.
pub const REVIEW_MONTHS: i32 = 3;

/// Whether `service` was checked within `REVIEW_MONTHS` before `today`: not yet due for
/// review under the default programme (one rule, the review programme's).
pub fn is_current(service: &Service, today: Date) -> bool {
    !super::review::is_overdue(service, today, &super::review::ReviewPolicy::default())
}

/// The services that are not closed for good: what the Local Offer's figures count.
pub fn running(directory: &Directory) -> impl Iterator<Item = &Service> {
    directory
        .services
        .iter()
        .filter(|s| !matches!(s.status, Some(ServiceStatus::Defunct)))
}

/// The share of running services checked within the review period, as a percentage, or
/// `None` for a directory with no running services.
pub fn share_current(directory: &Directory, today: Date) -> Option<f64> {
    let running: Vec<&Service> = running(directory).collect();
    if running.is_empty() {
        return None;
    }
    let current = running.iter().filter(|s| is_current(s, today)).count();
    Some(100.0 * current as f64 / running.len() as f64)
}

/// Each top-level category (a term with no parent) with how many running services are filed under
/// it or anything below it, in the taxonomy's order. A category with none is a gap.
pub fn services_by_heading(directory: &Directory) -> Vec<(&TaxonomyTerm, usize)> {
    let parent: HashMap<&str, &str> = directory
        .terms
        .iter()
        .filter_map(|t| t.parent_key.as_deref().map(|p| (t.key.as_str(), p)))
        .collect();
    let mut counts: HashMap<String, usize> = HashMap::new();
    for s in running(directory) {
        let mut heads: Vec<String> = s
            .terms
            .iter()
            .map(|t| top_of(&parent, t.as_str()).to_owned())
            .collect();
        heads.sort();
        heads.dedup();
        for h in heads {
            *counts.entry(h).or_default() += 1;
        }
    }
    directory
        .terms
        .iter()
        .filter(|t| t.parent_key.is_none())
        .map(|t| (t, counts.get(&t.key).copied().unwrap_or(0)))
        .collect()
}

/// The top-level heading a term is filed under (itself, if it has no parent): the
/// "section" a page of that term or a service filed under it belongs to.
pub fn heading_of<'a>(directory: &'a Directory, term: &str) -> Option<&'a TaxonomyTerm> {
    // Called for every page view counted: walks up the parents without building a map.
    let mut at = directory.terms.iter().find(|t| t.key == term)?;
    for _ in 0..64 {
        match at.parent_key.as_deref() {
            Some(parent) => match directory.terms.iter().find(|t| t.key == parent) {
                Some(up) => at = up,
                None => break,
            },
            None => break,
        }
    }
    Some(at)
}

/// The top of a term's branch. Loops were refused when the directory was read; the step
/// limit keeps a bad record from hanging this.
fn top_of<'a>(parent: &HashMap<&'a str, &'a str>, mut key: &'a str) -> &'a str {
    for _ in 0..64 {
        match parent.get(key) {
            Some(p) => key = p,
            None => break,
        }
    }
    key
}

#[cfg(test)]
mod tests {
    use super::*;
    use time::macros::date;

    fn term(key: &str, parent: Option<&str>) -> TaxonomyTerm {
        TaxonomyTerm {
            key: key.into(),
            name: key.into(),
            parent_key: parent.map(str::to_owned),
            ..TaxonomyTerm::default()
        }
    }

    #[test]
    fn a_service_is_current_for_three_months_after_it_was_checked() {
        let today = date!(2026 - 12 - 03);
        let checked = |d| Service {
            assured_date: Some(d),
            ..Service::default()
        };
        assert!(is_current(&checked(date!(2026 - 09 - 04)), today));
        assert!(
            !is_current(&checked(date!(2026 - 09 - 03)), today),
            "due for review today"
        );
        assert!(!is_current(&Service::default(), today), "never checked");
        let directory = Directory {
            services: vec![
                checked(date!(2026 - 11 - 01)),
                checked(date!(2025 - 01 - 01)),
            ],
            ..Directory::default()
        };
        assert_eq!(share_current(&directory, today), Some(50.0));
        assert_eq!(share_current(&Directory::default(), today), None);
    }

    #[test]
    fn each_heading_counts_the_services_below_it_and_a_heading_with_none_is_a_gap() {
        let directory = Directory {
            terms: vec![
                term("leisure", None),
                term("short-breaks", Some("leisure")),
                term("travel", None),
            ],
            services: vec![
                Service {
                    terms: vec!["short-breaks".into(), "leisure".into()],
                    ..Service::default()
                },
                Service {
                    terms: vec!["leisure".into()],
                    ..Service::default()
                },
            ],
            ..Directory::default()
        };
        let counts: Vec<(&str, usize)> = services_by_heading(&directory)
            .into_iter()
            .map(|(t, n)| (t.key.as_str(), n))
            .collect();
        assert_eq!(
            counts,
            vec![("leisure", 2), ("travel", 0)],
            "counted once each"
        );
    }
}
