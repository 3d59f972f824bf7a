//! The directory's records. Each keeps the id its source gave it (`key`), so importing
//! the same feed again matches records instead of duplicating them.

use crate::needs::NeedType;
use serde::{Deserialize, Serialize};
use time::Date;

crate::coded_enum! {
    /// Who a service is for, as far as SEND goes: the filter families use most.
    Suitability {
        /// Only for children and young people with SEND.
        Specialist => ("specialist", "For children and young people with SEND"),
        /// For everyone, and suitable for children and young people with SEND.
        Inclusive => ("inclusive", "For everyone, and suitable for SEND"),
        /// For everyone; nothing said about SEND.
        Universal => ("universal", "For everyone"),
    }
}

crate::coded_enum! {
    /// Whether a service is running (ORUK's `status`).
    ServiceStatus {
        Active => ("active", "Running"),
        Inactive => ("inactive", "Not running at the moment"),
        Defunct => ("defunct", "Closed"),
        TemporarilyClosed => ("temporarily closed", "Temporarily closed"),
    }
}

crate::coded_enum! {
    /// A day of the week, as ORUK schedules name them (iCalendar's two letters).
    Day {
        Monday => ("MO", "Monday"),
        Tuesday => ("TU", "Tuesday"),
        Wednesday => ("WE", "Wednesday"),
        Thursday => ("TH", "Thursday"),
        Friday => ("FR", "Friday"),
        Saturday => ("SA", "Saturday"),
        Sunday => ("SU", "Sunday"),
    }
}

/// An organisation that runs services.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct Organization {
    pub key: String,
    pub name: String,
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub description: String,
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub website: String,
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub email: String,
}

/// Where a service is delivered.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct Location {
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub key: String,
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub name: String,
    /// Street address lines, joined with ", ".
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub address: String,
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub city: String,
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub postcode: String,
    /// Degrees; `None` when the source gave none (such a service is shown, never dropped).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub latitude: Option<f64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub longitude: Option<f64>,
    /// What the source says about access: step-free entrance, hearing loop, parking.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub accessibility: Vec<String>,
    /// How to get there.
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub transportation: String,
}

/// When a service is open: on these days, between these times (as "09:30").
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Schedule {
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub days: Vec<Day>,
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub opens_at: String,
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub closes_at: String,
    /// The schedule in the source's own words ("Term time only").
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub description: String,
}

impl Schedule {
    /// When a service is open, in words: "Monday, Wednesday, 09:30 to 15:00. Term time only".
    pub fn describe(&self) -> String {
        let s = self;
        let days = if s.days.len() == Day::ALL.len() {
            "Every day".to_owned()
        } else {
            s.days
                .iter()
                .map(|d| d.label())
                .collect::<Vec<_>>()
                .join(", ")
        };
        let hours = match (s.opens_at.as_str(), s.closes_at.as_str()) {
            ("", "") => String::new(),
            ("00:00", "23:59") => ", all day and night".to_owned(),
            (o, c) => format!(", {o} to {c}"),
        };
        let when = format!("{days}{hours}");
        [when, s.description.clone()]
            .into_iter()
            .filter(|t| !t.trim().is_empty() && t != ", ")
            .collect::<Vec<_>>()
            .join(". ")
    }
}

/// What a service costs.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct CostOption {
    /// In pounds; `None` where the source gives only words.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub amount: Option<f64>,
    /// What the amount is for ("per session"), or the cost in words ("Free").
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub option: String,
}

/// Someone to contact about a service.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Contact {
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub name: String,
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub title: String,
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub email: String,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub phones: Vec<String>,
}

/// sendplan's SEND extensions to an ORUK service (documented in docs/local-offer.md).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct SendDetails {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub suitability: Option<Suitability>,
    /// The needs it serves; empty for all needs.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub needs: Vec<NeedType>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub ehc_plan_required: Option<bool>,
    /// How to get a place or a referral.
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub how_to_access: String,
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub easy_read: String,
    /// What families call what it helps with ("can't sleep", "meltdowns"), for search.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub family_words: Vec<String>,
}

/// A service in the directory.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct Service {
    pub key: String,
    pub organization_key: String,
    pub name: String,
    /// Plain text (HTML from a feed is reduced to text when it is read).
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub description: String,
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub url: String,
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub email: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub status: Option<ServiceStatus>,
    /// What it costs, in the source's words.
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub fees: String,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub cost_options: Vec<CostOption>,
    /// In years; fractions are real (1.5 for a group from 18 months).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub minimum_age: Option<f32>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub maximum_age: Option<f32>,
    /// When, and by whom, the entry was last checked as right.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub assured_date: Option<Date>,
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub assurer_email: String,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub locations: Vec<Location>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub schedules: Vec<Schedule>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub contacts: Vec<Contact>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub languages: Vec<String>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub service_areas: Vec<String>,
    /// The taxonomy terms it is filed under, by key.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub terms: Vec<String>,
    #[serde(default)]
    pub send: SendDetails,
    /// When the record last changed in sendplan (ORUK's `last_modified`): kept by storage
    /// beside the record, not part of it, so importing the same feed again changes nothing.
    #[serde(skip)]
    pub last_modified: Option<time::OffsetDateTime>,
}

impl Service {
    /// Whether it costs nothing: a cost option of £0 or "free", or fees that say so.
    pub fn is_free(&self) -> bool {
        let says_free = |text: &str| text.trim().to_lowercase().starts_with("free");
        self.cost_options
            .iter()
            .any(|c| c.amount == Some(0.0) || says_free(&c.option))
            || says_free(&self.fees)
    }

    /// Whether it takes a child of `age` years: within its age range, where it has one.
    pub fn takes_age(&self, age: f32) -> bool {
        self.minimum_age.is_none_or(|min| age >= min)
            && self.maximum_age.is_none_or(|max| age <= max)
    }
}

/// A term of the directory's taxonomy (its categories), in a tree by `parent_key`.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct TaxonomyTerm {
    pub key: String,
    pub name: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub parent_key: Option<String>,
    /// The vocabulary it belongs to, as the source names it.
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub taxonomy: String,
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub description: String,
}

/// A whole directory, as read from a feed or held for a partnership.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct Directory {
    pub organizations: Vec<Organization>,
    pub services: Vec<Service>,
    pub terms: Vec<TaxonomyTerm>,
}

/// The headings of what Schedule 2 of the SEND Regulations 2014 says a Local Offer must
/// include: the default top level of a partnership's taxonomy, and what its gaps are
/// measured against.
pub const SCHEDULE_2_HEADINGS: [&str; 8] = [
    "Education: schools, colleges and early years settings",
    "Identifying and supporting SEND in settings",
    "Health",
    "Social care",
    "Requesting an EHC needs assessment",
    "Travel and transport",
    "Moving on and preparing for adulthood",
    "Information, advice and support (including childcare and leisure)",
];

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cost_and_age_are_read_as_families_mean_them() {
        let mut s = Service {
            fees: "Free for families".into(),
            minimum_age: Some(5.0),
            maximum_age: Some(11.0),
            ..Service::default()
        };
        assert!(s.is_free());
        assert!(s.takes_age(9.0) && !s.takes_age(4.5) && !s.takes_age(12.0));
        s.fees = "£5 a session".into();
        assert!(!s.is_free());
        s.cost_options.push(CostOption {
            amount: Some(0.0),
            option: "Siblings".into(),
        });
        assert!(s.is_free());
        let any_age = Service::default();
        assert!(any_age.takes_age(0.0) && any_age.takes_age(25.0));
    }
}
