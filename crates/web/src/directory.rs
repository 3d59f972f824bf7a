//! The public Local Offer directory's pages: a home page to search from or browse by
//! category, search results with filters, and a service's page with everything a family
//! needs. No JavaScript; every filter is a plain GET form, so a result can be bookmarked
//! and shared. Records come from `domain::local_offer`; search is the domain's.

use crate::views::Chrome;
use askama::Template;
use sendplan_domain::input::long_date;
use sendplan_domain::local_offer::coverage::is_current;
use sendplan_domain::local_offer::search::{Query, SearchIndex};
use sendplan_domain::local_offer::{Day, Directory, Service, ServiceStatus, TaxonomyTerm};
use sendplan_domain::needs::NeedType;
use time::Date;

/// A category to browse: its name, address and how many services are under it.
pub struct CategoryLink {
    pub name: String,
    pub href: String,
    pub count: usize,
}

/// A choice in a filter's select, with whether it is the one chosen.
pub struct FilterChoice {
    pub value: String,
    pub label: String,
    pub selected: bool,
}

/// A service as a result: enough to choose it from a list.
pub struct ServiceCard {
    pub name: String,
    pub href: String,
    pub organisation: String,
    pub summary: String,
    pub facts: Vec<String>,
}

#[derive(Template)]
#[template(path = "local_offer_home.html")]
pub struct HomePage {
    pub chrome: Chrome,
    pub partnership: String,
    pub search_href: String,
    pub categories: Vec<CategoryLink>,
    pub total: usize,
}

#[derive(Template)]
#[template(path = "local_offer_results.html")]
pub struct ResultsPage {
    pub chrome: Chrome,
    pub partnership: String,
    pub heading: String,
    pub search_href: String,
    pub words: String,
    pub age: String,
    pub free_only: bool,
    pub needs: Vec<FilterChoice>,
    pub days: Vec<FilterChoice>,
    /// Sub-categories of the category browsed, if any.
    pub below: Vec<CategoryLink>,
    pub results: Vec<ServiceCard>,
    /// Said above the results: how many, for what.
    pub summary: String,
    /// Says when the filters left out services that match the words better.
    pub hidden: String,
    /// What an age could not be read as, if anything.
    pub age_error: String,
}

#[derive(Template)]
#[template(path = "local_offer_service.html")]
pub struct ServicePage {
    pub chrome: Chrome,
    pub partnership: String,
    pub service: Service,
    pub organisation: String,
    pub status: String,
    pub ages: String,
    pub cost: String,
    pub who_for: String,
    pub needs: Vec<String>,
    pub categories: Vec<CategoryLink>,
    pub schedules: Vec<String>,
    pub locations: Vec<(String, String, Vec<String>)>,
    pub checked: String,
    pub out_of_date: bool,
    pub back_href: String,
}

/// "5 to 11 years", "From 16 years", or empty.
pub fn ages(service: &Service) -> String {
    let year = |a: f32| {
        if a.fract() == 0.0 {
            format!("{a:.0}")
        } else {
            format!("{a:.1}")
        }
    };
    match (service.minimum_age, service.maximum_age) {
        (Some(a), Some(b)) => format!("{} to {} years", year(a), year(b)),
        (Some(a), None) => format!("From {} years", year(a)),
        (None, Some(b)) => format!("Up to {} years", year(b)),
        (None, None) => String::new(),
    }
}

/// What it costs, in words.
pub fn cost(service: &Service) -> String {
    if service.is_free() {
        return "Free".to_owned();
    }
    let options: Vec<String> = service
        .cost_options
        .iter()
        .map(|c| match c.amount {
            Some(a) => format!("£{a:.2} {}", c.option).trim().to_owned(),
            None => c.option.clone(),
        })
        .filter(|c| !c.is_empty())
        .collect();
    if !options.is_empty() {
        options.join("; ")
    } else {
        service.fees.clone()
    }
}

/// The first sentence or so of a description, for a list of results.
fn summary_of(text: &str) -> String {
    let first = text.lines().next().unwrap_or_default();
    if first.chars().count() <= 200 {
        return first.to_owned();
    }
    let cut: String = first.chars().take(200).collect();
    match cut.rfind(' ') {
        Some(i) => format!("{}…", &cut[..i]),
        None => format!("{cut}…"),
    }
}

/// A service's result card.
pub fn card(directory: &Directory, service: &Service, base: &str) -> ServiceCard {
    let mut facts = Vec::new();
    let ages = ages(service);
    if !ages.is_empty() {
        facts.push(ages);
    }
    let cost = cost(service);
    if !cost.is_empty() {
        facts.push(cost);
    }
    if let Some(s) = service.send.suitability {
        facts.push(s.label().to_owned());
    }
    ServiceCard {
        name: service.name.clone(),
        href: format!("{base}/services/{}", service.key),
        organisation: organisation_name(directory, service),
        summary: summary_of(&service.description),
        facts,
    }
}

fn organisation_name(directory: &Directory, service: &Service) -> String {
    directory
        .organizations
        .iter()
        .find(|o| o.key == service.organization_key)
        .map_or(String::new(), |o| o.name.clone())
}

/// Top-level categories (or the children of `parent`), each with its count of services,
/// those with none left out: families browse to services, not to empty headings.
pub fn categories(index: &SearchIndex, parent: Option<&str>, base: &str) -> Vec<CategoryLink> {
    index
        .directory()
        .terms
        .iter()
        .filter(|t| t.parent_key.as_deref() == parent)
        .map(|t| CategoryLink {
            name: t.name.clone(),
            href: format!("{base}/categories/{}", t.key),
            count: index
                .search(&Query {
                    category: Some(t.key.clone()),
                    ..Query::default()
                })
                .services
                .len(),
        })
        .filter(|c| c.count > 0)
        .collect()
}

/// A filter's choices: "any" first, then every value, the chosen one marked.
fn choices<T: Copy + PartialEq>(
    any: &str,
    all: &[T],
    chosen: Option<T>,
    code: fn(T) -> &'static str,
    label: fn(T) -> &'static str,
) -> Vec<FilterChoice> {
    std::iter::once(FilterChoice {
        value: String::new(),
        label: any.to_owned(),
        selected: chosen.is_none(),
    })
    .chain(all.iter().map(|v| FilterChoice {
        value: code(*v).to_owned(),
        label: label(*v).to_owned(),
        selected: chosen == Some(*v),
    }))
    .collect()
}

/// The need filter's choices.
pub fn need_options(chosen: Option<NeedType>) -> Vec<FilterChoice> {
    choices(
        "Any need",
        NeedType::ALL,
        chosen,
        NeedType::code,
        NeedType::label,
    )
}

/// The day filter's choices.
pub fn day_options(chosen: Option<Day>) -> Vec<FilterChoice> {
    choices("Any day", Day::ALL, chosen, Day::code, Day::label)
}

/// Everything a family needs about one service.
pub fn service_page(
    chrome: Chrome,
    partnership: &str,
    directory: &Directory,
    service: &Service,
    base: &str,
    today: Date,
) -> ServicePage {
    let terms: Vec<&TaxonomyTerm> = service
        .terms
        .iter()
        .filter_map(|k| directory.terms.iter().find(|t| &t.key == k))
        .collect();
    ServicePage {
        chrome,
        partnership: partnership.to_owned(),
        organisation: organisation_name(directory, service),
        status: match service.status {
            Some(ServiceStatus::Active) | None => String::new(),
            Some(s) => s.label().to_owned(),
        },
        ages: ages(service),
        cost: cost(service),
        who_for: service
            .send
            .suitability
            .map_or(String::new(), |s| s.label().to_owned()),
        needs: service
            .send
            .needs
            .iter()
            .map(|n| n.label().to_owned())
            .collect(),
        categories: terms
            .iter()
            .map(|t| CategoryLink {
                name: t.name.clone(),
                href: format!("{base}/categories/{}", t.key),
                count: 0,
            })
            .collect(),
        schedules: service
            .schedules
            .iter()
            .map(|s| {
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
            })
            .filter(|s| !s.is_empty())
            .collect(),
        locations: service
            .locations
            .iter()
            .map(|l| {
                let address = [
                    l.name.as_str(),
                    l.address.as_str(),
                    l.city.as_str(),
                    l.postcode.as_str(),
                ]
                .into_iter()
                .filter(|p| !p.is_empty())
                .collect::<Vec<_>>()
                .join(", ");
                let mut about = l.accessibility.clone();
                if !l.transportation.is_empty() {
                    about.push(format!("Getting there: {}", l.transportation));
                }
                let map = match (l.latitude, l.longitude) {
                    (Some(_), Some(_)) => String::new(),
                    _ if !address.is_empty() => "This address has no map position.".to_owned(),
                    _ => String::new(),
                };
                (address, map, about)
            })
            .collect(),
        checked: service.assured_date.map_or(String::new(), long_date),
        out_of_date: !is_current(service, today),
        back_href: format!("{base}/search"),
        service: service.clone(),
    }
}
