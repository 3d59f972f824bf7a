//! Whether an ORUK 3.0 API answers as the standard says, checked the way the official
//! validator checks a feed: `/`, then the first, a middle and the last page of
//! `/services`, then every service on those pages by its id, then the optional
//! endpoints the same way. Each answer is validated against the vendored schema of its
//! endpoint (`oruk_spec/openapi/schema/`, with their `$ref`s served from the same
//! folder, never fetched) with formats checked (UUIDs, dates, emails, addresses), and a
//! page's envelope against its contents. Used by sendplan's own tests of its API and by
//! `sendplan local-offer check-feed` on anyone's.

use super::schema::problems;
use jsonschema::{Retrieve, Uri, Validator};
use serde_json::Value;
use std::collections::HashMap;
use std::sync::OnceLock;

/// Where the schemas say they live; their `$ref`s are resolved to the vendored copies.
const SCHEMA_BASE: &str = "https://openreferraluk.org/specifications/3.0/schema/";

/// The vendored schemas, by file name.
const SCHEMAS: &[(&str, &str)] = &[
    (
        "accessibility.json",
        include_str!("../../oruk_spec/openapi/schema/accessibility.json"),
    ),
    (
        "address.json",
        include_str!("../../oruk_spec/openapi/schema/address.json"),
    ),
    (
        "api_details.json",
        include_str!("../../oruk_spec/openapi/schema/api_details.json"),
    ),
    (
        "attribute.json",
        include_str!("../../oruk_spec/openapi/schema/attribute.json"),
    ),
    (
        "contact.json",
        include_str!("../../oruk_spec/openapi/schema/contact.json"),
    ),
    (
        "cost_option.json",
        include_str!("../../oruk_spec/openapi/schema/cost_option.json"),
    ),
    (
        "funding.json",
        include_str!("../../oruk_spec/openapi/schema/funding.json"),
    ),
    (
        "language.json",
        include_str!("../../oruk_spec/openapi/schema/language.json"),
    ),
    (
        "location.json",
        include_str!("../../oruk_spec/openapi/schema/location.json"),
    ),
    (
        "organization.json",
        include_str!("../../oruk_spec/openapi/schema/organization.json"),
    ),
    (
        "organization_identifier.json",
        include_str!("../../oruk_spec/openapi/schema/organization_identifier.json"),
    ),
    (
        "organization_list.json",
        include_str!("../../oruk_spec/openapi/schema/organization_list.json"),
    ),
    (
        "phone.json",
        include_str!("../../oruk_spec/openapi/schema/phone.json"),
    ),
    (
        "schedule.json",
        include_str!("../../oruk_spec/openapi/schema/schedule.json"),
    ),
    (
        "service.json",
        include_str!("../../oruk_spec/openapi/schema/service.json"),
    ),
    (
        "service_area.json",
        include_str!("../../oruk_spec/openapi/schema/service_area.json"),
    ),
    (
        "service_at_location.json",
        include_str!("../../oruk_spec/openapi/schema/service_at_location.json"),
    ),
    (
        "service_at_location_list.json",
        include_str!("../../oruk_spec/openapi/schema/service_at_location_list.json"),
    ),
    (
        "service_list.json",
        include_str!("../../oruk_spec/openapi/schema/service_list.json"),
    ),
    (
        "taxonomy.json",
        include_str!("../../oruk_spec/openapi/schema/taxonomy.json"),
    ),
    (
        "taxonomy_list.json",
        include_str!("../../oruk_spec/openapi/schema/taxonomy_list.json"),
    ),
    (
        "taxonomy_term.json",
        include_str!("../../oruk_spec/openapi/schema/taxonomy_term.json"),
    ),
    (
        "taxonomy_term_list.json",
        include_str!("../../oruk_spec/openapi/schema/taxonomy_term_list.json"),
    ),
];

/// Serves the vendored schemas to the validator for their published addresses.
struct Vendored;

impl Retrieve for Vendored {
    fn retrieve(
        &self,
        uri: &Uri<String>,
    ) -> Result<Value, Box<dyn std::error::Error + Send + Sync>> {
        let name = uri
            .as_str()
            .strip_prefix(SCHEMA_BASE)
            .ok_or_else(|| format!("{uri} is not a vendored ORUK schema"))?;
        let text = SCHEMAS
            .iter()
            .find(|(n, _)| *n == name)
            .map(|(_, text)| *text)
            .ok_or_else(|| format!("{uri} is not a vendored ORUK schema"))?;
        Ok(serde_json::from_str(text)?)
    }
}

/// What an answer is: which endpoint gave it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Endpoint {
    ApiDetails,
    ServiceList,
    Service,
    OrganizationList,
    Organization,
    TaxonomyList,
    Taxonomy,
    TaxonomyTermList,
    TaxonomyTerm,
    ServiceAtLocationList,
    ServiceAtLocation,
}

impl Endpoint {
    const ALL: [Endpoint; 11] = [
        Endpoint::ApiDetails,
        Endpoint::ServiceList,
        Endpoint::Service,
        Endpoint::OrganizationList,
        Endpoint::Organization,
        Endpoint::TaxonomyList,
        Endpoint::Taxonomy,
        Endpoint::TaxonomyTermList,
        Endpoint::TaxonomyTerm,
        Endpoint::ServiceAtLocationList,
        Endpoint::ServiceAtLocation,
    ];

    fn schema(self) -> &'static str {
        match self {
            Endpoint::ApiDetails => "api_details.json",
            Endpoint::ServiceList => "service_list.json",
            Endpoint::Service => "service.json",
            Endpoint::OrganizationList => "organization_list.json",
            Endpoint::Organization => "organization.json",
            Endpoint::TaxonomyList => "taxonomy_list.json",
            Endpoint::Taxonomy => "taxonomy.json",
            Endpoint::TaxonomyTermList => "taxonomy_term_list.json",
            Endpoint::TaxonomyTerm => "taxonomy_term.json",
            Endpoint::ServiceAtLocationList => "service_at_location_list.json",
            Endpoint::ServiceAtLocation => "service_at_location.json",
        }
    }

    fn is_list(self) -> bool {
        matches!(
            self,
            Endpoint::ServiceList
                | Endpoint::OrganizationList
                | Endpoint::TaxonomyList
                | Endpoint::TaxonomyTermList
                | Endpoint::ServiceAtLocationList
        )
    }
}

fn validator(endpoint: Endpoint) -> &'static Validator {
    static VALIDATORS: OnceLock<HashMap<Endpoint, Validator>> = OnceLock::new();
    let all = VALIDATORS.get_or_init(|| {
        Endpoint::ALL
            .into_iter()
            .map(|e| {
                let text = SCHEMAS
                    .iter()
                    .find(|(n, _)| *n == e.schema())
                    .expect("every endpoint's schema is vendored")
                    .1;
                let schema: Value =
                    serde_json::from_str(text).expect("the vendored schema is JSON");
                let validator = jsonschema::options()
                    .with_base_uri(format!("{SCHEMA_BASE}{}", e.schema()))
                    .with_retriever(Vendored)
                    .should_validate_formats(true)
                    .build(&schema)
                    .expect("the vendored schema compiles");
                (e, validator)
            })
            .collect()
    });
    &all[&endpoint]
}

/// What is wrong with `answer` as `endpoint`'s answer: each "field: what is wrong".
/// A list's page envelope is checked against its contents too.
pub fn check(endpoint: Endpoint, answer: &Value) -> Vec<String> {
    let mut found = problems(validator(endpoint), answer, 20);
    if endpoint.is_list() {
        found.extend(envelope_problems(answer));
    }
    found
}

/// A page's envelope that does not agree with itself or its contents.
fn envelope_problems(page: &Value) -> Vec<String> {
    let mut found = Vec::new();
    let Some(contents) = page.get("contents").and_then(Value::as_array) else {
        return vec!["contents: a page must carry its records in contents".into()];
    };
    let number = |k: &str| page.get(k).and_then(Value::as_u64);
    let flag = |k: &str| page.get(k).and_then(Value::as_bool);
    match flag("empty") {
        None => found.push("empty: a page must say whether it is empty".into()),
        Some(e) if e != contents.is_empty() => found.push(format!(
            "empty: says {e} but the page has {} records",
            contents.len()
        )),
        _ => {}
    }
    if let Some(size) = number("size") {
        if size as usize != contents.len() {
            found.push(format!(
                "size: says {size} but the page has {} records",
                contents.len()
            ));
        }
    }
    if let (Some(page_number), Some(total_pages)) = (number("page_number"), number("total_pages")) {
        if flag("first_page").is_some_and(|f| f != (page_number == 1)) {
            found.push(format!("first_page: wrong for page {page_number}"));
        }
        if flag("last_page").is_some_and(|l| l != (page_number >= total_pages)) {
            found.push(format!(
                "last_page: wrong for page {page_number} of {total_pages}"
            ));
        }
    }
    if let (Some(items), Some(pages)) = (number("total_items"), number("total_pages")) {
        if items > 0 && pages == 0 {
            found.push(format!("total_pages: 0 pages cannot hold {items} records"));
        }
    }
    found
}

/// What a walk of an API found: each address asked and what was wrong with its answer.
#[derive(Debug, Clone, Default)]
pub struct Walk {
    /// Every address asked, in order.
    pub asked: Vec<String>,
    /// "address: what is wrong", for every problem found.
    pub problems: Vec<String>,
    /// Optional endpoints the API does not offer.
    pub not_offered: Vec<String>,
    /// The services read, for counting.
    pub services: usize,
}

/// An answer fetched: its HTTP status and body.
pub type Fetched = Result<(u16, Vec<u8>), String>;

/// The most records fetched one by one in a walk: enough to judge any feed.
const MOST_BY_ID: usize = 2_000;

/// Walks an API as the official validator does. `fetch` asks for an address relative to
/// the API's own ("services?page=2") and gives the status and body.
pub fn walk(fetch: &mut dyn FnMut(&str) -> Fetched) -> Walk {
    let mut w = Walk::default();
    let mut get =
        |w: &mut Walk, address: &str, endpoint: Endpoint, optional: bool| -> Option<Value> {
            w.asked.push(address.to_owned());
            let (status, body) = match fetch(address) {
                Ok(answer) => answer,
                Err(e) => {
                    w.problems.push(format!("/{address}: {e}"));
                    return None;
                }
            };
            if optional && status == 404 {
                w.not_offered.push(format!("/{address}"));
                return None;
            }
            if status != 200 {
                w.problems
                    .push(format!("/{address}: answered HTTP {status}, not 200"));
                return None;
            }
            let value: Value = match serde_json::from_slice(&body) {
                Ok(v) => v,
                Err(e) => {
                    w.problems.push(format!("/{address}: not JSON ({e})"));
                    return None;
                }
            };
            for p in check(endpoint, &value) {
                w.problems.push(format!("/{address}: {p}"));
            }
            Some(value)
        };
    get(&mut w, "", Endpoint::ApiDetails, false);
    let lists = [
        ("services", Endpoint::ServiceList, Endpoint::Service, false),
        (
            "taxonomies",
            Endpoint::TaxonomyList,
            Endpoint::Taxonomy,
            true,
        ),
        (
            "taxonomy_terms",
            Endpoint::TaxonomyTermList,
            Endpoint::TaxonomyTerm,
            true,
        ),
        (
            "organizations",
            Endpoint::OrganizationList,
            Endpoint::Organization,
            true,
        ),
        (
            "service_at_locations",
            Endpoint::ServiceAtLocationList,
            Endpoint::ServiceAtLocation,
            true,
        ),
    ];
    for (path, list, one, optional) in lists {
        let Some(first) = get(&mut w, &format!("{path}?page=1"), list, optional) else {
            continue;
        };
        let total_pages = first
            .get("total_pages")
            .and_then(Value::as_u64)
            .unwrap_or(1)
            .max(1);
        let mut pages = vec![first];
        let middle = total_pages.div_ceil(2);
        for page in [middle, total_pages] {
            if page > 1 && !(page == middle && middle == total_pages && pages.len() > 1) {
                if let Some(p) = get(&mut w, &format!("{path}?page={page}"), list, false) {
                    pages.push(p);
                }
            }
        }
        let mut ids: Vec<String> = pages
            .iter()
            .flat_map(|p| {
                p.get("contents")
                    .and_then(Value::as_array)
                    .cloned()
                    .unwrap_or_default()
            })
            .filter_map(|r| r.get("id").and_then(Value::as_str).map(str::to_owned))
            .collect();
        ids.sort();
        ids.dedup();
        if path == "services" {
            w.services = ids.len();
        }
        for id in ids.iter().take(MOST_BY_ID) {
            if let Some(record) = get(&mut w, &format!("{path}/{id}"), one, false) {
                if record.get("id").and_then(Value::as_str) != Some(id.as_str()) {
                    w.problems
                        .push(format!("/{path}/{id}: answered with another record"));
                }
            }
        }
    }
    w
}

#[cfg(test)]
mod tests {
    use super::*;

    fn mock(folder: &str, name: &str) -> Value {
        let path = format!(
            "{}/oruk_spec/validator_mocks/{folder}/{name}",
            env!("CARGO_MANIFEST_DIR")
        );
        serde_json::from_str(&std::fs::read_to_string(path).unwrap()).unwrap()
    }

    #[test]
    fn the_validators_own_examples_pass_and_fail_as_it_says() {
        for (name, endpoint) in [
            ("api_details.json", Endpoint::ApiDetails),
            ("service_full.json", Endpoint::Service),
            ("taxonomy_term.json", Endpoint::TaxonomyTerm),
        ] {
            let found = check(endpoint, &mock("Default", name));
            assert!(found.is_empty(), "{name}: {found:?}");
        }
        for (name, endpoint) in [
            ("api_details.json", Endpoint::ApiDetails),
            ("service_full.json", Endpoint::Service),
            ("service_list.json", Endpoint::ServiceList),
        ] {
            assert!(
                !check(endpoint, &mock("Fail", name)).is_empty(),
                "{name} should fail"
            );
        }
    }

    #[test]
    fn an_envelope_that_disagrees_with_its_page_is_found() {
        let page = serde_json::json!({"total_items": 3, "total_pages": 1, "page_number": 1, "size": 2,
            "first_page": true, "last_page": false, "empty": true, "contents": [{"id": "x"}]});
        let found = envelope_problems(&page);
        assert_eq!(found.len(), 3, "{found:?}");
    }
}
