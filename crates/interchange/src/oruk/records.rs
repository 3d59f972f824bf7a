//! ORUK records (3.0 and 1.0) as sendplan's directory records. The schema has already
//! been checked; this reads what the schema cannot (dates, ages, need codes) and names
//! whatever it cannot read, field by field.

use super::text::plain_text;
use sendplan_domain::local_offer::*;
use sendplan_domain::needs::NeedType;
use serde_json::Value;
use time::Date;

/// Which edition of ORUK a record follows.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Edition {
    V3,
    V1,
}

/// A field's text: strings as they are, numbers written out, anything else empty.
pub fn text(v: &Value, key: &str) -> String {
    match v.get(key) {
        Some(Value::String(s)) => s.trim().to_owned(),
        Some(Value::Number(n)) => n.to_string(),
        _ => String::new(),
    }
}

fn array<'a>(v: &'a Value, key: &str) -> &'a [Value] {
    v.get(key)
        .and_then(Value::as_array)
        .map_or(&[], Vec::as_slice)
}

fn number(v: &Value, key: &str) -> Option<f64> {
    match v.get(key)? {
        Value::Number(n) => n.as_f64(),
        Value::String(s) => s.trim().parse().ok(),
        _ => None,
    }
}

/// Reads what the schema cannot check, collecting what is wrong.
struct Reader<'a> {
    problems: &'a mut Vec<String>,
}

impl Reader<'_> {
    fn age(&mut self, v: &Value, key: &str, field: &str) -> Option<f32> {
        let n = number(v, key)?;
        if !(0.0..=120.0).contains(&n) {
            self.problems.push(format!(
                "{field}: an age must be a number of years from 0 to 120, not {n}"
            ));
            return None;
        }
        Some(n as f32)
    }

    fn date(&mut self, v: &Value, key: &str) -> Option<Date> {
        let text = text(v, key);
        if text.is_empty() {
            return None;
        }
        // ISO dates, and date-times of which the date is what matters.
        let day = text.get(..10).unwrap_or(&text);
        match Date::parse(
            day,
            &time::macros::format_description!("[year]-[month]-[day]"),
        ) {
            Ok(d) => Some(d),
            Err(_) => {
                self.problems.push(format!(
                    "{key}: \"{text}\" is not a date written as YYYY-MM-DD"
                ));
                None
            }
        }
    }

    fn coordinate(&mut self, v: &Value, key: &str, field: &str) -> Option<f64> {
        match v.get(key) {
            None | Some(Value::Null) => None,
            Some(Value::String(s)) if s.trim().is_empty() => None,
            Some(_) => {
                let n = number(v, key);
                if n.is_none() {
                    self.problems.push(format!(
                        "{field}.{key}: a coordinate must be a number of degrees"
                    ));
                }
                n
            }
        }
    }
}

/// The organisation a service names, if it carries one.
pub fn organization(v: &Value) -> Organization {
    Organization {
        key: text(v, "id"),
        name: text(v, "name"),
        description: plain_text(&text(v, "description")),
        website: [text(v, "website"), text(v, "url")]
            .into_iter()
            .find(|u| !u.is_empty())
            .unwrap_or_default(),
        email: text(v, "email"),
    }
}

/// A taxonomy term as either edition writes it (3.0 `taxonomy_term`, 1.0 `taxonomy`).
pub fn term(v: &Value) -> TaxonomyTerm {
    let parent = [text(v, "parent_id"), text(v, "parent")]
        .into_iter()
        .find(|p| !p.is_empty());
    TaxonomyTerm {
        key: text(v, "id"),
        name: text(v, "name"),
        parent_key: parent,
        taxonomy: [text(v, "taxonomy"), text(v, "vocabulary")]
            .into_iter()
            .find(|t| !t.is_empty())
            .unwrap_or_default(),
        description: plain_text(&text(v, "description")),
    }
}

/// The service's taxonomy terms as records.
pub fn terms_of(v: &Value, edition: Edition) -> Vec<TaxonomyTerm> {
    match edition {
        Edition::V3 => array(v, "attributes")
            .iter()
            .filter_map(|a| a.get("taxonomy_term"))
            .map(term)
            .collect(),
        Edition::V1 => array(v, "service_taxonomys")
            .iter()
            .filter_map(|a| a.get("taxonomy"))
            .map(term)
            .collect(),
    }
}

/// A service record read, or everything that is wrong with it.
pub fn service(v: &Value, edition: Edition) -> Result<Service, Vec<String>> {
    let mut problems = Vec::new();
    let mut r = Reader {
        problems: &mut problems,
    };
    let organization_key = match v.get("organization") {
        Some(o) if o.is_object() => text(o, "id"),
        _ => text(v, "organization_id"),
    };
    let status = text(v, "status");
    let (minimum_age, maximum_age) = match edition {
        Edition::V3 => (
            r.age(v, "minimum_age", "minimum_age"),
            r.age(v, "maximum_age", "maximum_age"),
        ),
        // 1.0 keeps ages in "eligibilitys": the widest range given.
        Edition::V1 => {
            let mut min: Option<f32> = None;
            let mut max: Option<f32> = None;
            for (i, e) in array(v, "eligibilitys").iter().enumerate() {
                if let Some(a) = r.age(e, "minimum_age", &format!("eligibilitys[{i}].minimum_age"))
                {
                    min = Some(min.map_or(a, |m| m.min(a)));
                }
                if let Some(a) = r.age(e, "maximum_age", &format!("eligibilitys[{i}].maximum_age"))
                {
                    max = Some(max.map_or(a, |m| m.max(a)));
                }
            }
            (min, max)
        }
    };
    let mut locations = Vec::new();
    for (i, sal) in array(v, "service_at_locations").iter().enumerate() {
        let Some(l) = sal.get("location").filter(|l| l.is_object()) else {
            continue;
        };
        let field = format!("service_at_locations[{i}].location");
        let address = match edition {
            Edition::V3 => array(l, "addresses").first(),
            Edition::V1 => array(l, "physical_addresses").first(),
        };
        let accessibility: Vec<String> = match edition {
            Edition::V3 => array(l, "accessibility")
                .iter()
                .map(|a| {
                    [text(a, "description"), text(a, "accessibility")]
                        .into_iter()
                        .find(|t| !t.is_empty())
                        .unwrap_or_default()
                })
                .collect(),
            Edition::V1 => array(l, "accessibility_for_disabilities")
                .iter()
                .map(|a| text(a, "accessibility"))
                .collect(),
        };
        locations.push(Location {
            key: text(l, "id"),
            name: text(l, "name"),
            address: address
                .map(|a| {
                    ["address_1", "address_2"]
                        .iter()
                        .map(|k| text(a, k))
                        .filter(|t| !t.is_empty())
                        .collect::<Vec<_>>()
                        .join(", ")
                })
                .unwrap_or_default(),
            city: address.map(|a| text(a, "city")).unwrap_or_default(),
            postcode: address.map(|a| text(a, "postal_code")).unwrap_or_default(),
            latitude: r.coordinate(l, "latitude", &field),
            longitude: r.coordinate(l, "longitude", &field),
            accessibility: accessibility
                .into_iter()
                .map(|a| plain_text(&a))
                .filter(|a| !a.is_empty())
                .collect(),
            transportation: plain_text(&text(l, "transportation")),
        });
    }
    let schedules = match edition {
        Edition::V3 => array(v, "schedules")
            .iter()
            .map(|s| Schedule {
                days: days(&text(s, "byday")),
                opens_at: hours(&text(s, "opens_at")),
                closes_at: hours(&text(s, "closes_at")),
                description: [recurrence(s), plain_text(&text(s, "description"))]
                    .into_iter()
                    .filter(|t| !t.is_empty())
                    .collect::<Vec<_>>()
                    .join(". "),
            })
            .collect(),
        Edition::V1 => array(v, "regular_schedules")
            .iter()
            .map(|s| Schedule {
                days: days(&[text(s, "byday"), text(s, "weekday")].join(",")),
                opens_at: hours(&text(s, "opens_at")),
                closes_at: hours(&text(s, "closes_at")),
                description: plain_text(&text(s, "description")),
            })
            .collect(),
    };
    let cost_options = array(v, "cost_options")
        .iter()
        .map(|c| CostOption {
            amount: number(c, "amount"),
            option: [text(c, "option"), text(c, "amount_description")]
                .into_iter()
                .filter(|t| !t.is_empty())
                .collect::<Vec<_>>()
                .join(", "),
        })
        .collect();
    let contacts = array(v, "contacts")
        .iter()
        .map(|c| Contact {
            name: text(c, "name"),
            title: text(c, "title"),
            email: text(c, "email"),
            phones: array(c, "phones")
                .iter()
                .map(|p| text(p, "number"))
                .filter(|n| !n.is_empty())
                .collect(),
        })
        .collect();
    let languages = array(v, "languages")
        .iter()
        .map(|l| match l {
            Value::String(s) => s.trim().to_owned(),
            other => [text(other, "name"), text(other, "language")]
                .into_iter()
                .find(|t| !t.is_empty())
                .unwrap_or_default(),
        })
        .filter(|l| !l.is_empty())
        .collect();
    let service_areas = array(v, "service_areas")
        .iter()
        .map(|a| {
            [text(a, "name"), text(a, "service_area")]
                .into_iter()
                .find(|t| !t.is_empty())
                .unwrap_or_default()
        })
        .filter(|a| !a.is_empty())
        .collect();
    let send = send_details(v, &mut r);
    let service = Service {
        key: text(v, "id"),
        organization_key,
        name: plain_text(&text(v, "name")),
        description: plain_text(&text(v, "description")),
        url: text(v, "url"),
        email: text(v, "email"),
        status: ServiceStatus::from_code(&status.to_lowercase()),
        fees: plain_text(&[text(v, "fees"), text(v, "fees_description")].concat()),
        cost_options,
        minimum_age,
        maximum_age,
        assured_date: r.date(v, "assured_date"),
        assurer_email: text(v, "assurer_email"),
        locations,
        schedules,
        contacts,
        languages,
        service_areas,
        terms: terms_of(v, edition).into_iter().map(|t| t.key).collect(),
        send,
        last_modified: None,
    };
    if problems.is_empty() {
        Ok(service)
    } else {
        Err(problems)
    }
}

/// sendplan's SEND extension properties (docs/local-offer.md), where a feed has them.
fn send_details(v: &Value, r: &mut Reader<'_>) -> SendDetails {
    let suitability = text(v, "send_suitability");
    let suitability = if suitability.is_empty() {
        None
    } else {
        let found = Suitability::from_code(&suitability.to_lowercase());
        if found.is_none() {
            r.problems.push(format!(
                "send_suitability: \"{suitability}\" is not one of specialist, inclusive or universal"
            ));
        }
        found
    };
    let mut needs = Vec::new();
    for code in array(v, "send_needs") {
        let code = code.as_str().unwrap_or_default();
        match NeedType::from_any_case(code) {
            Some(n) => needs.push(n),
            None => r.problems.push(format!(
                "send_needs: \"{code}\" is not an SEN2 need type (such as ASD, SEMH or SLCN)"
            )),
        }
    }
    SendDetails {
        suitability,
        needs,
        ehc_plan_required: v.get("ehc_plan_required").and_then(Value::as_bool),
        how_to_access: plain_text(&text(v, "how_to_access")),
        easy_read: plain_text(&text(v, "easy_read_description")),
        family_words: array(v, "family_words")
            .iter()
            .filter_map(Value::as_str)
            .map(|w| w.trim().to_owned())
            .filter(|w| !w.is_empty())
            .collect(),
    }
}

/// Days from iCalendar's "MO,TU" or names ("Monday"), in week order, each once.
fn days(text: &str) -> Vec<Day> {
    let mut found: Vec<Day> = text
        .split([',', ' ', ';'])
        .filter_map(|d| {
            // "1WE" (the first Wednesday) and "-1TH" (the last Thursday) name a day too.
            let d = d
                .trim()
                .trim_start_matches(|c: char| c.is_ascii_digit() || c == '-' || c == '+')
                .to_ascii_uppercase();
            Day::from_code(d.get(..2)?)
        })
        .collect();
    found.sort();
    found.dedup();
    found
}

/// A schedule that is not simply weekly, in words: "Every 2 weeks", "Monthly: the first
/// Wednesday", "From 1 April 2026 to 31 August 2026", so a fortnightly group or a holiday
/// scheme never reads as every week.
fn recurrence(s: &Value) -> String {
    let mut parts = Vec::new();
    let interval = number(s, "interval").filter(|i| *i > 1.0);
    match (text(s, "freq").to_uppercase().as_str(), interval) {
        ("WEEKLY", Some(n)) => parts.push(format!("Every {n} weeks")),
        ("MONTHLY", n) => {
            let which: Vec<String> = text(s, "byday")
                .split(',')
                .filter_map(|d| {
                    let d = d.trim();
                    let day =
                        Day::from_code(&d.get(d.len().saturating_sub(2)..)?.to_ascii_uppercase())?;
                    let nth = match d.get(..d.len() - 2)? {
                        "1" | "+1" => "first",
                        "2" | "+2" => "second",
                        "3" | "+3" => "third",
                        "4" | "+4" => "fourth",
                        "-1" => "last",
                        _ => return Some(day.label().to_owned()),
                    };
                    Some(format!("the {nth} {}", day.label()))
                })
                .collect();
            let every = n.map_or("Monthly".to_owned(), |n| format!("Every {n} months"));
            parts.push(if which.is_empty() {
                every
            } else {
                format!("{every}: {}", which.join(" and "))
            });
        }
        _ => {}
    }
    let (from, to) = (text(s, "valid_from"), text(s, "valid_to"));
    if !from.is_empty() && !to.is_empty() {
        parts.push(format!("From {from} to {to}"));
    }
    parts.join(". ")
}

/// "09:30:00" as "09:30".
fn hours(text: &str) -> String {
    text.get(..5)
        .filter(|t| t.contains(':'))
        .unwrap_or(text)
        .to_owned()
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn a_3_0_service_is_read_with_its_send_extensions() {
        let v = json!({
            "id": "s1", "name": "Saturday <b>club</b>", "status": "active",
            "organization_id": "o1", "minimum_age": 5, "maximum_age": 11,
            "assured_date": "2026-10-01",
            "schedules": [{"byday": "SA,SU", "opens_at": "10:00:00", "closes_at": "12:30:00"}],
            "cost_options": [{"amount": 0, "option": "Free"}],
            "service_at_locations": [{"id": "x", "location": {"id": "l1", "location_type": "physical", "latitude": 52.58, "longitude": -2.13,
                "addresses": [{"address_1": "1 High Street", "city": "Wolverhampton", "postal_code": "WV1 1AA"}]}}],
            "attributes": [{"id": "a", "taxonomy_term": {"id": "t1", "name": "Short breaks"}}],
            "send_suitability": "specialist", "send_needs": ["asd", "SLCN"], "family_words": ["respite"]
        });
        let s = service(&v, Edition::V3).expect("read");
        assert_eq!(s.name, "Saturday club");
        assert_eq!((s.minimum_age, s.maximum_age), (Some(5.0), Some(11.0)));
        assert_eq!(s.schedules[0].days, vec![Day::Saturday, Day::Sunday]);
        assert_eq!(s.schedules[0].opens_at, "10:00");
        assert!(s.is_free());
        assert_eq!(s.locations[0].postcode, "WV1 1AA");
        assert_eq!(s.terms, vec!["t1"]);
        assert_eq!(s.send.needs, vec![NeedType::Asd, NeedType::Slcn]);
        assert_eq!(s.send.suitability, Some(Suitability::Specialist));
    }

    #[test]
    fn what_cannot_be_read_is_named_by_field() {
        let v = json!({"id": "s1", "name": "n", "minimum_age": -1, "assured_date": "last week",
            "send_needs": ["ADHD"], "service_at_locations": [{"location": {"latitude": "north"}}]});
        let problems = service(&v, Edition::V3).unwrap_err();
        for field in [
            "minimum_age",
            "assured_date",
            "send_needs",
            "service_at_locations[0].location.latitude",
        ] {
            assert!(
                problems.iter().any(|p| p.starts_with(field)),
                "{field} in {problems:?}"
            );
        }
    }

    #[test]
    fn a_1_0_service_is_read_from_its_own_field_names() {
        let v = json!({"id": "s1", "name": "Youth club", "organization": {"id": "o1", "name": "Org"},
            "eligibilitys": [{"minimum_age": 11, "maximum_age": 18}],
            "regular_schedules": [{"weekday": "Tuesday", "opens_at": "18:00", "closes_at": "20:00"}],
            "service_at_locations": [{"location": {"id": "l", "physical_addresses": [{"address_1": "Hall", "postal_code": "WV2 2AA"}]}}],
            "service_taxonomys": [{"taxonomy": {"id": "t", "name": "Leisure", "vocabulary": "Local Offer"}}]});
        let s = service(&v, Edition::V1).expect("read");
        assert_eq!(
            (s.organization_key.as_str(), s.minimum_age, s.maximum_age),
            ("o1", Some(11.0), Some(18.0))
        );
        assert_eq!(s.schedules[0].days, vec![Day::Tuesday]);
        assert_eq!(s.locations[0].latitude, None);
        assert_eq!(terms_of(&v, Edition::V1)[0].taxonomy, "Local Offer");
    }
}
