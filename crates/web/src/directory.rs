//! The public Local Offer directory's pages: a home page to search from or browse by
//! category, search results with filters, and a service's page with everything a family
//! needs. No JavaScript; every filter is a plain GET form, so a result can be bookmarked
//! and shared. Records come from `domain::local_offer`; search is the domain's.

use crate::views::{Brand, Chrome};
use askama::Template;
use sendplan_domain::input::{long_date, parse_date_parts, FieldError, FieldErrors, RawForm};
use sendplan_domain::local_offer::analytics::{normalise_words, AgeBand, SearchMade};
use sendplan_domain::local_offer::geo::{normalise_postcode, METRES_PER_MILE};
use sendplan_domain::local_offer::review::{is_overdue, ReviewPolicy};
use sendplan_domain::local_offer::search::{age_on, Found, Query, SearchIndex};
use sendplan_domain::local_offer::{
    Day, Directory, Schedule, Service, ServiceStatus, TaxonomyTerm,
};
use sendplan_domain::needs::NeedType;
use time::{Date, OffsetDateTime};

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
    /// The service's id, for the shortlist's checkbox.
    pub key: String,
    /// Whether it is on the family's shortlist.
    pub shortlisted: bool,
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
    /// The need filter's choices, so a family can say it with their first search.
    pub needs: Vec<FilterChoice>,
    /// Where the rating of the Local Offer is sent, and the ratings (code, words).
    pub rate_href: String,
    pub ratings: Vec<(&'static str, &'static str)>,
}

#[derive(Template)]
#[template(path = "local_offer_results.html")]
pub struct ResultsPage {
    pub chrome: Chrome,
    pub partnership: String,
    pub heading: String,
    pub search_href: String,
    pub filters: FilterForm,
    /// Whether the partnership has a postcode table, so distances can be measured.
    pub distances: bool,
    /// Sub-categories of the category browsed, if any.
    pub below: Vec<CategoryLink>,
    pub results: Vec<ServiceCard>,
    /// Near a postcode: services that pass the filters but have no map position.
    pub unplaced: Vec<ServiceCard>,
    /// Links to the other pages of results, if there are more than one.
    pub pages: Option<Pages>,
    /// The family's shortlist (service ids), carried in the address.
    pub shortlist: Vec<String>,
    /// Those of the shortlist not on this page, carried by the shortlist form.
    pub shortlisted_elsewhere: Vec<String>,
    pub shortlist_href: String,
    /// Said above the results: how many, for what.
    pub summary: String,
    /// Says when the filters left out services that match the words better.
    pub hidden: String,
    /// Said about the postcode, when it was placed by its area.
    pub notice: String,
    pub errors: Vec<FieldError>,
    /// How many services the search found, on every page.
    pub found: usize,
}

/// The search and filter form as the family filled it in, to show it again.
#[derive(Default)]
pub struct FilterForm {
    pub words: String,
    pub age: String,
    pub born_day: String,
    pub born_month: String,
    pub born_year: String,
    pub free_only: bool,
    pub needs: Vec<FilterChoice>,
    pub days: Vec<FilterChoice>,
    /// Empty on a category's page: the category is chosen by the page.
    pub categories: Vec<FilterChoice>,
    pub postcode: String,
    pub within: Vec<FilterChoice>,
    pub age_error: String,
    pub born_error: String,
    pub postcode_error: String,
}

impl FilterForm {
    /// Whether any filter beyond the words is set (or wrong), so the filters are shown.
    pub fn any_used(&self) -> bool {
        let chosen =
            |choices: &[FilterChoice]| choices.iter().any(|c| c.selected && !c.value.is_empty());
        !(self.age.is_empty()
            && self.born_day.is_empty()
            && self.born_month.is_empty()
            && self.born_year.is_empty()
            && self.postcode.is_empty())
            || self.free_only
            || chosen(&self.needs)
            || chosen(&self.days)
            || chosen(&self.categories)
            || chosen(&self.within)
    }
}

impl Filters {
    /// The search as the Local Offer's figures keep it, if the family searched (typed
    /// words or chose a filter) rather than browsed: the words written one way, an age
    /// band (never the age or date of birth), the need, the category, the other filters
    /// in words (never the postcode), and how many services it `found`.
    pub fn as_search(
        &self,
        category: &str,
        found: usize,
        at: OffsetDateTime,
    ) -> Option<SearchMade> {
        let q = &self.query;
        if q.words.is_empty() && !self.form.any_used() {
            return None;
        }
        let mut other = Vec::new();
        if q.free_only {
            other.push("free only".to_owned());
        }
        if let Some(day) = q.day {
            other.push(format!("open on {}", day.label()));
        }
        if self.postcode.is_some() {
            other.push(match q.within_metres {
                Some(m) => format!("within {:.0} miles of a postcode", m / METRES_PER_MILE),
                None => "near a postcode".to_owned(),
            });
        }
        Some(SearchMade {
            at,
            words: normalise_words(&q.words),
            age_band: q.age.and_then(AgeBand::of),
            need: q.need,
            category: category.to_owned(),
            other_filters: other.join("; "),
            results: found,
        })
    }
}

/// The most services on one shortlist.
pub const MOST_SHORTLISTED: usize = 30;

/// The shortlist a query string carries: each `s`, once, in order, those the directory
/// does not have left out, at most `MOST_SHORTLISTED`.
pub fn shortlist_of(form: &RawForm, directory: &Directory) -> Vec<String> {
    let mut keys: Vec<String> = Vec::new();
    for key in form.all("s") {
        if !keys.iter().any(|k| k == key) && directory.services.iter().any(|s| s.key == key) {
            keys.push(key.to_owned());
        }
    }
    keys.truncate(MOST_SHORTLISTED);
    keys
}

#[derive(Template)]
#[template(path = "local_offer_shortlist.html")]
pub struct ShortlistPage {
    pub chrome: Chrome,
    pub partnership: String,
    pub services: Vec<ShortlistEntry>,
    /// The search page, keeping the shortlist.
    pub search_href: String,
    /// A `mailto:` link with the list in its body, for the family's own email.
    pub email_href: String,
}

/// A service on a shortlist: what a family needs to act on it, and a link without it.
pub struct ShortlistEntry {
    pub card: ServiceCard,
    pub when: Vec<String>,
    pub contact: Vec<String>,
    pub remove_href: String,
}

/// A shortlist's page: each service with how to reach it, a link to email the list to
/// yourself (`address` is the page's own full address, if known) and links to remove each.
pub fn shortlist_page(
    chrome: Chrome,
    partnership: &str,
    directory: &Directory,
    keys: &[String],
    base: &str,
    address: Option<&str>,
) -> ShortlistPage {
    let href_without = |gone: Option<&str>| {
        let mut query = form_urlencoded::Serializer::new(String::new());
        for k in keys.iter().filter(|k| Some(k.as_str()) != gone) {
            query.append_pair("s", k);
        }
        query.finish()
    };
    let services: Vec<ShortlistEntry> = keys
        .iter()
        .filter_map(|k| directory.services.iter().find(|s| &s.key == k))
        .map(|s| ShortlistEntry {
            card: card(directory, s, base, None),
            when: s.schedules.iter().map(Schedule::describe).collect(),
            contact: contact_lines(s),
            remove_href: format!("{base}/shortlist?{}", href_without(Some(&s.key))),
        })
        .collect();
    let mut body = format!("My shortlist from {partnership}'s Local Offer\n");
    for e in &services {
        body.push_str(&format!("\n{}\n", e.card.name));
        for line in &e.contact {
            body.push_str(&format!("{line}\n"));
        }
    }
    if let Some(address) = address {
        body.push_str(&format!("\nThe list: {address}\n"));
    }
    let mut mail = form_urlencoded::Serializer::new(String::new());
    mail.append_pair(
        "subject",
        &format!("My shortlist from {partnership}'s Local Offer"),
    );
    mail.append_pair("body", &body);
    ShortlistPage {
        chrome,
        partnership: partnership.to_owned(),
        // mailto wants %20 for spaces, not the form encoding's +.
        email_href: format!("mailto:?{}", mail.finish().replace('+', "%20")),
        search_href: format!("{base}/search?{}", href_without(None)),
        services,
    }
}

/// How to reach a service, line by line: web address, email and each contact's phones.
fn contact_lines(s: &Service) -> Vec<String> {
    let mut lines = Vec::new();
    if !s.url.is_empty() {
        lines.push(format!("Website: {}", s.url));
    }
    if !s.email.is_empty() {
        lines.push(format!("Email: {}", s.email));
    }
    for c in &s.contacts {
        let who = [c.name.as_str(), c.title.as_str()]
            .iter()
            .filter(|t| !t.is_empty())
            .copied()
            .collect::<Vec<_>>()
            .join(", ");
        if !c.phones.is_empty() {
            let phones = c.phones.join(", ");
            lines.push(if who.is_empty() {
                format!("Phone: {phones}")
            } else {
                format!("Phone ({who}): {phones}")
            });
        }
    }
    lines
}

/// Results on one page: enough to choose from on a phone, few enough to load quickly.
pub const RESULTS_PER_PAGE: usize = 20;

/// Links to the pages of a long list of results (the GOV.UK pagination component).
pub struct Pages {
    pub previous: Option<String>,
    pub next: Option<String>,
    /// Each page's number, its address, and whether it is this one; `None` for a gap.
    pub items: Vec<Option<(usize, String, bool)>>,
}

/// Which page of `total` results the query string asks for (from 1), within range.
pub fn page_asked(form: &RawForm, total: usize) -> usize {
    let last = total.div_ceil(RESULTS_PER_PAGE).max(1);
    form.get("page")
        .parse::<usize>()
        .unwrap_or(1)
        .clamp(1, last)
}

/// The pagination for page `current` of `total` results, each link the same search
/// (`form`, without its page) at `href`.
pub fn pages(form: &RawForm, href: &str, current: usize, total: usize) -> Option<Pages> {
    let last = total.div_ceil(RESULTS_PER_PAGE);
    if last <= 1 {
        return None;
    }
    let address = |page: usize| {
        let mut query = form_urlencoded::Serializer::new(String::new());
        for (k, v) in form.0.iter().filter(|(k, _)| k != "page") {
            query.append_pair(k, v);
        }
        if page > 1 {
            query.append_pair("page", &page.to_string());
        }
        let query = query.finish();
        if query.is_empty() {
            href.to_owned()
        } else {
            format!("{href}?{query}")
        }
    };
    // The first, the last, and those next to this one; gaps between.
    let mut items = Vec::new();
    for page in 1..=last {
        if page == 1 || page == last || page.abs_diff(current) <= 1 {
            items.push(Some((page, address(page), page == current)));
        } else if items.last().is_some_and(Option::is_some) {
            items.push(None);
        }
    }
    Some(Pages {
        previous: (current > 1).then(|| address(current - 1)),
        next: (current < last).then(|| address(current + 1)),
        items,
    })
}

/// The distances a family can choose to travel, in miles.
const MILES: [u32; 5] = [1, 2, 5, 10, 20];

/// What a family asked for: the query to search with, the form to show again, and what
/// could not be read.
pub struct Filters {
    pub query: Query,
    pub form: FilterForm,
    /// The postcode typed, written the one way, to be placed by the caller.
    pub postcode: Option<String>,
    pub notice: String,
    pub errors: FieldErrors,
}

impl Filters {
    /// Reads the filters from the query string. An age given wins over a date of birth;
    /// a date of birth is turned into an age on `today`.
    pub fn read(
        form: &RawForm,
        directory: &Directory,
        category: Option<&TaxonomyTerm>,
        today: Date,
    ) -> Filters {
        let mut errors = FieldErrors::default();
        let words: String = form.get("q").trim().chars().take(200).collect();
        let age_text = form.get("age").trim().to_owned();
        let mut age = age_text
            .parse::<f32>()
            .ok()
            .filter(|a| (0.0..=25.0).contains(a));
        let mut f = FilterForm {
            words: words.clone(),
            age: age_text.clone(),
            born_day: form.get("born-day").trim().to_owned(),
            born_month: form.get("born-month").trim().to_owned(),
            born_year: form.get("born-year").trim().to_owned(),
            free_only: form.get("free") == "yes",
            postcode: form.get("postcode").trim().chars().take(20).collect(),
            ..FilterForm::default()
        };
        if !age_text.is_empty() && age.is_none() {
            f.age_error = "Enter the child's age as a number of years from 0 to 25".to_owned();
            errors.add("age", f.age_error.clone());
        }
        if age_text.is_empty() {
            match parse_date_parts(
                &f.born_day,
                &f.born_month,
                &f.born_year,
                "the date of birth",
            ) {
                Ok(Some(born)) => match age_on(born, today) {
                    Some(a) if a <= 25.0 => age = Some(a),
                    Some(_) => f.born_error = "Enter a date of birth in the last 25 years".into(),
                    None => f.born_error = "The date of birth must be today or in the past".into(),
                },
                Ok(None) => {}
                Err((_, message)) => f.born_error = message,
            }
            if !f.born_error.is_empty() {
                errors.add("born-day", f.born_error.clone());
            }
        }
        let need = NeedType::from_any_case(form.get("need"));
        let day = Day::from_code(form.get("day"));
        let chosen_category = match category {
            Some(t) => Some(t.key.clone()),
            None => {
                let key = form.get("category");
                directory
                    .terms
                    .iter()
                    .find(|t| t.key == key)
                    .map(|t| t.key.clone())
            }
        };
        if category.is_none() {
            f.categories = category_options(directory, chosen_category.as_deref());
        }
        f.needs = need_options(need);
        f.days = day_options(day);
        let miles = form
            .get("within")
            .parse::<u32>()
            .ok()
            .filter(|m| MILES.contains(m));
        f.within = std::iter::once(FilterChoice {
            value: String::new(),
            label: "Any distance".into(),
            selected: miles.is_none(),
        })
        .chain(MILES.iter().map(|m| FilterChoice {
            value: m.to_string(),
            label: if *m == 1 {
                "1 mile".into()
            } else {
                format!("{m} miles")
            },
            selected: miles == Some(*m),
        }))
        .collect();
        let postcode = if f.postcode.is_empty() {
            None
        } else {
            let normal = normalise_postcode(&f.postcode);
            if normal.is_none() {
                f.postcode_error =
                    "Enter a postcode, like WV1 1SH, or the first part of one, like WV1".into();
                errors.add("postcode", f.postcode_error.clone());
            }
            normal
        };
        Filters {
            query: Query {
                words,
                age,
                need,
                category: chosen_category,
                free_only: f.free_only,
                day,
                near: None,
                within_metres: miles.map(|m| f64::from(m) * METRES_PER_MILE),
            },
            form: f,
            postcode,
            notice: String::new(),
            errors,
        }
    }

    /// The postcode is not in the partnership's table, nor is its area: said on the
    /// field, and the search runs without distances.
    pub fn unknown_postcode(&mut self, postcode: &str) {
        self.form.postcode_error = format!(
            "We do not know the postcode {postcode} or its area. Check it, or leave it out to see services anywhere"
        );
        self.errors
            .add("postcode", self.form.postcode_error.clone());
        self.query.within_metres = None;
    }
}

/// Every category as a choice, each under its parent ("Leisure: Short breaks").
fn category_options(directory: &Directory, chosen: Option<&str>) -> Vec<FilterChoice> {
    let name_of = |key: &str| {
        directory
            .terms
            .iter()
            .find(|t| t.key == key)
            .map(|t| t.name.as_str())
    };
    let mut options: Vec<FilterChoice> = directory
        .terms
        .iter()
        .map(|t| FilterChoice {
            value: t.key.clone(),
            label: match t.parent_key.as_deref().and_then(name_of) {
                Some(parent) => format!("{parent}: {}", t.name),
                None => t.name.clone(),
            },
            selected: chosen == Some(t.key.as_str()),
        })
        .collect();
    options.sort_by(|a, b| a.label.cmp(&b.label));
    options.insert(
        0,
        FilterChoice {
            value: String::new(),
            label: "Any category".into(),
            selected: chosen.is_none(),
        },
    );
    options
}

/// How many services were found, for what.
pub fn results_summary(found: &Found<'_>, query: &Query) -> String {
    let shown = found.services.len() + found.unplaced.len();
    match shown {
        0 => "No services match. Try fewer or other words, or fewer filters.".to_owned(),
        1 => "1 service".to_owned(),
        n if !query.words.is_empty() => format!("{n} services, the closest match first"),
        n if query.near.is_some() => format!("{n} services, the nearest first"),
        n => format!("{n} services"),
    }
}

/// Says that the filters hid services that match the words better than any shown (or
/// at all, when none is shown), if they did.
pub fn hidden_summary(hidden: usize, any_shown: bool) -> String {
    let better = if any_shown { " better" } else { "" };
    match hidden {
        0 => String::new(),
        1 => format!("1 service that matches your words{better} is not shown because of the filters you chose."),
        n => format!("{n} services that match your words{better} are not shown because of the filters you chose."),
    }
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
    /// Where a family reports a problem with the entry.
    pub problem_href: String,
    /// How many months an entry stays current, for "not checked in the last 3 months".
    pub review_months: i32,
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

/// A service's result card, with how far away it is when that was measured.
pub fn card(
    directory: &Directory,
    service: &Service,
    base: &str,
    distance: Option<f64>,
) -> ServiceCard {
    let mut facts = Vec::new();
    if let Some(metres) = distance {
        let miles = metres / METRES_PER_MILE;
        facts.push(if miles < 0.1 {
            "Less than 0.1 miles away".to_owned()
        } else {
            format!("{miles:.1} miles away")
        });
    }
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
        key: service.key.clone(),
        shortlisted: false,
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
fn day_options(chosen: Option<Day>) -> Vec<FilterChoice> {
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
    policy: &ReviewPolicy,
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
            .map(Schedule::describe)
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
        out_of_date: is_overdue(service, today, policy),
        review_months: policy.months,
        back_href: format!("{base}/search"),
        problem_href: format!("{base}/services/{}/problem", service.key),
        service: service.clone(),
    }
}

/// A page of search results (or of a category's services): the search run with the
/// family's `filters`, the page the address asks for, the shortlist ticked, and the
/// filters shown again. `distances` says whether the partnership has a postcode table.
#[allow(clippy::too_many_arguments)]
pub fn results_page(
    brand: &Brand,
    partnership: &str,
    index: &SearchIndex,
    filters: Filters,
    category: Option<&TaxonomyTerm>,
    form: &RawForm,
    base: &str,
    distances: bool,
) -> ResultsPage {
    let directory = index.directory();
    let found = index.search(&filters.query);
    // One page of the list: the ranked services, then those with no map position.
    let total = found.services.len() + found.unplaced.len();
    let page = page_asked(form, total);
    let first = (page - 1) * RESULTS_PER_PAGE;
    let shortlist = shortlist_of(form, directory);
    let mut results: Vec<ServiceCard> = found
        .services
        .iter()
        .zip(
            found
                .distances
                .iter()
                .copied()
                .chain(std::iter::repeat(None)),
        )
        .skip(first)
        .take(RESULTS_PER_PAGE)
        .map(|(s, distance)| card(directory, s, base, distance))
        .collect();
    let mut unplaced: Vec<ServiceCard> = found
        .unplaced
        .iter()
        .skip(first.saturating_sub(found.services.len()))
        .take(RESULTS_PER_PAGE - results.len())
        .map(|s| card(directory, s, base, None))
        .collect();
    for c in results.iter_mut().chain(unplaced.iter_mut()) {
        c.shortlisted = shortlist.contains(&c.key);
    }
    let on_page: Vec<&str> = results
        .iter()
        .chain(unplaced.iter())
        .map(|c| c.key.as_str())
        .collect();
    let shortlisted_elsewhere = shortlist
        .iter()
        .filter(|k| !on_page.contains(&k.as_str()))
        .cloned()
        .collect();
    let heading = match (&category, filters.query.words.is_empty()) {
        (Some(t), _) => t.name.clone(),
        (None, false) => format!("Services for \"{}\"", filters.query.words),
        (None, true) => "All services".to_owned(),
    };
    let mut chrome = Chrome::plain(&heading, None);
    chrome.brand = Some(brand.clone());
    chrome.has_errors = !filters.errors.is_empty();
    let search_href = match &category {
        Some(t) => format!("{base}/categories/{}", t.key),
        None => format!("{base}/search"),
    };
    ResultsPage {
        chrome,
        partnership: partnership.to_owned(),
        heading,
        pages: pages(form, &search_href, page, total),
        shortlist,
        shortlisted_elsewhere,
        shortlist_href: format!("{base}/shortlist"),
        search_href,
        summary: results_summary(&found, &filters.query),
        hidden: hidden_summary(
            found.hidden_by_filters,
            !(found.services.is_empty() && found.unplaced.is_empty()),
        ),
        below: category
            .map(|t| categories(index, Some(t.key.as_str()), base))
            .unwrap_or_default(),
        results,
        unplaced,
        distances,
        filters: filters.form,
        notice: filters.notice,
        errors: filters.errors.0,
        found: total,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn long_results_are_paged_with_links_that_keep_the_search() {
        let form = RawForm(vec![
            ("q".into(), "short breaks".into()),
            ("page".into(), "3".into()),
        ]);
        assert_eq!(page_asked(&form, 200), 3);
        assert_eq!(page_asked(&form, 30), 2, "a page past the end is the last");
        let p = pages(&form, "/local-offer/w/search", 3, 200).expect("10 pages");
        assert_eq!(
            p.previous.as_deref(),
            Some("/local-offer/w/search?q=short+breaks&page=2")
        );
        let numbers: Vec<Option<usize>> = p
            .items
            .iter()
            .map(|i| i.as_ref().map(|(n, _, _)| *n))
            .collect();
        assert_eq!(
            numbers,
            vec![Some(1), Some(2), Some(3), Some(4), None, Some(10)]
        );
        assert_eq!(
            p.items[0].as_ref().unwrap().1,
            "/local-offer/w/search?q=short+breaks",
            "page 1 has no number"
        );
        assert!(p.items[2].as_ref().unwrap().2, "this page is marked");
        assert!(
            pages(&form, "/x", 1, RESULTS_PER_PAGE).is_none(),
            "one page needs no links"
        );
    }
}
