//! The public Local Offer at `/local-offer/{partnership}`: no sign-in, no JavaScript
//! needed, the partnership's own look. A partnership without services has no Local
//! Offer page.

use super::publication::{brand_of, named_partnership_at_version};
use super::session::{anonymous_csrf, over_limit, posted_csrf, with_anonymous_csrf};
use crate::auth::client_ip;
use crate::directory::{
    categories, need_options, results_page, service_page, shortlist_of, shortlist_page, Filters,
    HomePage,
};
use crate::errors::{AppError, AppResult};
use crate::forms::{Choice, Field};
use crate::local_offer_analytics::Visitor;
use crate::pages::{html, html_with_status, FormPage, NoticePage};
use crate::views::{Brand, Chrome, PageFeedback};
use crate::AppState;
use axum::extract::{ConnectInfo, Path, Query, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Redirect};
use sendplan_domain::accounts::Limit;
use sendplan_domain::input::RawForm;
use sendplan_domain::local_offer::coverage::heading_of;
use sendplan_domain::local_offer::geo::outcode;
use sendplan_domain::local_offer::problems::{ProblemKind, ProblemReport};
use sendplan_domain::local_offer::review::{shown_to_families, ReviewPolicy};
use sendplan_domain::local_offer::search::SearchIndex;
use sendplan_domain::local_offer::Service;
use sendplan_domain::reminders::Recipient;
use sendplan_domain::PartnershipId;
use sendplan_interchange::oruk::api::Ids;
use sendplan_storage::OutgoingMail;
use sendplan_storage::Placed;
use std::net::SocketAddr;
use std::sync::Arc;

/// How many problem reports one address may send: enough for a family, too few to flood
/// the officers.
const PROBLEMS_PER_CLIENT: Limit = Limit {
    attempts: 10,
    window: time::Duration::hours(1),
};

/// A partnership's Local Offer as its pages and API read it: the directory with its
/// search index and its records' ORUK ids, built once per change to the partnership's
/// data and shared by every request until the next.
pub(super) struct Published {
    pub index: SearchIndex,
    pub ids: Ids,
    /// The partnership's name and look, for the pages' header.
    pub name: String,
    pub brand: Brand,
    /// Whether it has loaded a postcode table, so distances can be measured.
    pub has_postcodes: bool,
    /// Its review programme, which says when an entry may be out of date.
    pub policy: ReviewPolicy,
}

/// The partnership's Local Offer at its data `version`; `public_base` is its public
/// pages' address.
pub(super) async fn published(
    state: &AppState,
    partnership: PartnershipId,
    public_base: &str,
    version: i64,
) -> Result<Arc<Published>, AppError> {
    // Built afresh each day as well: an entry overdue for review may be hidden from
    // families by the partnership's policy, without its data changing.
    let today = time::OffsetDateTime::now_utc().date();
    state
        .fragments
        .get_or_build(
            format!("local-offer/{}/{today}", partnership.0),
            version,
            || async {
                let mut directory = state.store.local_offer(partnership).await?;
                let (policy, _) = state.store.review_policy(partnership).await?;
                directory
                    .services
                    .retain(|s| shown_to_families(s, today, &policy));
                let ids = Ids::new(&directory);
                let name = state.store.get_partnership(partnership).await?.name;
                Ok::<_, AppError>(Published {
                    index: SearchIndex::new(directory),
                    ids,
                    brand: brand_of(state, partnership, &name, public_base).await?,
                    name,
                    has_postcodes: state.store.has_postcodes(partnership).await?,
                    policy,
                })
            },
        )
        .await
}

/// The partnership, its Local Offer and the Local Offer's address; not found without
/// services. An old numeric address moves to the partnership's name.
pub(super) async fn directory_of(
    state: &AppState,
    key: &str,
) -> Result<Result<(PartnershipId, String, Arc<Published>), String>, AppError> {
    let (partnership, public_base, moved, version) =
        named_partnership_at_version(state, key).await?;
    let base = public_base.replacen("/public/", "/local-offer/", 1);
    if moved {
        return Ok(Err(base));
    }
    let published = published(state, partnership, &public_base, version).await?;
    if published.index.directory().services.is_empty() {
        return Err(AppError::NotFound);
    }
    Ok(Ok((partnership, base, published)))
}

pub(super) fn chrome(published: &Published, title: &str) -> (Chrome, String) {
    let mut chrome = Chrome::plain(title, None);
    chrome.brand = Some(published.brand.clone());
    (chrome, published.name.clone())
}

/// "Did you find what you were looking for?" for the page at `page` below `base`.
pub(super) fn feedback_box(base: &str, page: &str) -> Option<PageFeedback> {
    Some(PageFeedback {
        action: format!("{base}/feedback"),
        page: page.to_owned(),
        privacy_href: format!("{base}/privacy"),
    })
}

/// A page of the Local Offer, counted as seen (see [`crate::local_offer_analytics`]).
pub(super) struct Seen<'a> {
    pub state: &'a AppState,
    pub partnership: PartnershipId,
    pub key: &'a str,
    pub visitor: &'a Visitor,
}

impl Seen<'_> {
    pub fn page(&self, path: &str, section: &str) {
        self.state
            .use_counter
            .count_view(self.partnership, self.key, self.visitor, path, section);
    }
}

/// The top-level heading a category or service page belongs to, for the figures'
/// "top sections".
fn section_of(directory: &sendplan_domain::local_offer::Directory, term: Option<&str>) -> String {
    term.and_then(|t| heading_of(directory, t))
        .map_or_else(|| "Services".to_owned(), |t| t.name.clone())
}

pub async fn home(
    State(state): State<AppState>,
    visitor: Visitor,
    Path(key): Path<String>,
) -> AppResult {
    let (partnership, base, published) = match directory_of(&state, &key).await? {
        Ok(found) => found,
        Err(moved) => return Ok(Redirect::permanent(&moved).into_response()),
    };
    let (mut chrome, name) = chrome(&published, "Local Offer");
    chrome.feedback = feedback_box(&base, "");
    let seen = Seen {
        state: &state,
        partnership,
        key: &key,
        visitor: &visitor,
    };
    seen.page("", "Home page");
    html(&HomePage {
        rate_href: format!("{base}/feedback"),
        ratings: sendplan_domain::local_offer::feedback::Rating::ALL
            .iter()
            .map(|r| (r.code(), r.label()))
            .collect(),
        chrome,
        partnership: name,
        search_href: format!("{base}/search"),
        categories: categories(&published.index, None, &base),
        total: published.index.directory().services.len(),
        needs: need_options(None),
    })
}

/// Search results, and a category's page (the same list, within the category).
async fn results(
    state: &AppState,
    visitor: &Visitor,
    key: &str,
    category: Option<String>,
    form: &RawForm,
) -> AppResult {
    let (partnership, base, published) = match directory_of(state, key).await? {
        Ok(found) => found,
        Err(moved) => return Ok(Redirect::permanent(&moved).into_response()),
    };
    let index = &published.index;
    let directory = index.directory();
    let category_term = category
        .as_deref()
        .map(|c| {
            directory
                .terms
                .iter()
                .find(|t| t.key == c)
                .cloned()
                .ok_or(AppError::NotFound)
        })
        .transpose()?;
    let today = time::OffsetDateTime::now_utc().date();
    let mut filters = Filters::read(form, directory, category_term.as_ref(), today);
    // Distances only where the partnership has loaded a postcode table.
    if published.has_postcodes {
        if let Some(postcode) = filters.postcode.clone() {
            match state
                .store
                .postcode_centroid(partnership, &postcode)
                .await?
            {
                Some(Placed::Postcode(point)) => filters.query.near = Some(point),
                Some(Placed::Outcode(point)) => {
                    filters.query.near = Some(point);
                    filters.notice = format!(
                        "We do not know the postcode {postcode}, so distances are measured from the middle of {}.",
                        outcode(&postcode)
                    );
                }
                None => filters.unknown_postcode(&postcode),
            }
        }
    }
    // The search as counted: the filters' category if chosen on the search page.
    let chosen = filters
        .query
        .category
        .as_deref()
        .and_then(|c| directory.terms.iter().find(|t| t.key == c))
        .map_or(String::new(), |t| t.name.clone());
    let search = filters.as_search(&chosen, 0, time::OffsetDateTime::now_utc());
    let mut page = results_page(
        &published.brand,
        &published.name,
        index,
        filters,
        category_term.as_ref(),
        form,
        &base,
        published.has_postcodes,
    );
    let (path, section) = match &category_term {
        Some(t) => (
            format!("/categories/{}", t.key),
            section_of(directory, Some(&t.key)),
        ),
        None => ("/search".to_owned(), "Search".to_owned()),
    };
    page.chrome.feedback = feedback_box(&base, &path);
    let seen = Seen {
        state,
        partnership,
        key,
        visitor,
    };
    seen.page(&path, &section);
    // A later page of the same results is not another search.
    if page.pages.as_ref().is_none_or(|p| p.previous.is_none()) {
        if let Some(search) = search {
            state.use_counter.count_search(
                partnership,
                visitor,
                sendplan_domain::local_offer::analytics::SearchMade {
                    results: page.found,
                    ..search
                },
            );
        }
    }
    html(&page)
}

pub async fn search(
    State(state): State<AppState>,
    visitor: Visitor,
    Path(key): Path<String>,
    Query(query): Query<Vec<(String, String)>>,
) -> AppResult {
    results(&state, &visitor, &key, None, &RawForm(query)).await
}

pub async fn category(
    State(state): State<AppState>,
    visitor: Visitor,
    Path((key, term)): Path<(String, String)>,
    Query(query): Query<Vec<(String, String)>>,
) -> AppResult {
    results(&state, &visitor, &key, Some(term), &RawForm(query)).await
}

/// The family's shortlist, carried in the address (`?s=...&s=...`): to print, to email
/// to themselves, or to share. Nothing is kept on the server or in the browser.
pub async fn shortlist(
    State(state): State<AppState>,
    visitor: Visitor,
    Path(key): Path<String>,
    Query(query): Query<Vec<(String, String)>>,
) -> AppResult {
    let form = RawForm(query);
    let (partnership, base, published) = match directory_of(&state, &key).await? {
        Ok(found) => found,
        Err(moved) => return Ok(Redirect::permanent(&format!("{moved}/shortlist")).into_response()),
    };
    let directory = published.index.directory();
    let keys = shortlist_of(&form, directory);
    let (mut chrome, name) = chrome(&published, "Your shortlist");
    chrome.feedback = feedback_box(&base, "/shortlist");
    Seen {
        state: &state,
        partnership,
        key: &key,
        visitor: &visitor,
    }
    .page("/shortlist", "Shortlist");
    let address = state.config.base_url.as_deref().map(|site| {
        let query = keys
            .iter()
            .fold(
                form_urlencoded::Serializer::new(String::new()),
                |mut q, k| {
                    q.append_pair("s", k);
                    q
                },
            )
            .finish();
        format!("{}{base}/shortlist?{query}", site.trim_end_matches('/'))
    });
    html(&shortlist_page(
        chrome,
        &name,
        directory,
        &keys,
        &base,
        address.as_deref(),
    ))
}

pub async fn service(
    State(state): State<AppState>,
    visitor: Visitor,
    Path((key, service)): Path<(String, String)>,
) -> AppResult {
    let (partnership, base, published) = match directory_of(&state, &key).await? {
        Ok(found) => found,
        Err(moved) => {
            return Ok(Redirect::permanent(&format!("{moved}/services/{service}")).into_response())
        }
    };
    let directory = published.index.directory();
    let found = directory
        .services
        .iter()
        .find(|s| s.key == service)
        .ok_or(AppError::NotFound)?;
    let (mut chrome, name) = chrome(&published, &found.name);
    let path = format!("/services/{}", found.key);
    chrome.feedback = feedback_box(&base, &path);
    Seen {
        state: &state,
        partnership,
        key: &key,
        visitor: &visitor,
    }
    .page(
        &path,
        &section_of(directory, found.terms.first().map(String::as_str)),
    );
    let today = time::OffsetDateTime::now_utc().date();
    html(&service_page(
        chrome,
        &name,
        directory,
        found,
        &base,
        today,
        &published.policy,
    ))
}

/// The service a problem is reported about, in a Local Offer found by its address.
async fn reported_service(
    state: &AppState,
    key: &str,
    service: &str,
) -> Result<(PartnershipId, String, Arc<Published>, Service), AppError> {
    let (partnership, base, published) = match directory_of(state, key).await? {
        Ok(found) => found,
        Err(_) => return Err(AppError::NotFound),
    };
    let found = published
        .index
        .directory()
        .services
        .iter()
        .find(|s| s.key == service)
        .cloned()
        .ok_or(AppError::NotFound)?;
    Ok((partnership, base, published, found))
}

fn problem_page(published: &Published, base: &str, service: &Service, csrf: String) -> FormPage {
    let (mut chrome, _) = chrome(published, "Report a problem");
    chrome.csrf = csrf;
    let here = format!("{base}/services/{}", service.key);
    FormPage::new(
        chrome,
        "Report a problem with this information",
        format!("{here}/problem"),
        vec![
            Field::radios(
                "kind",
                "What is wrong?",
                ProblemKind::ALL
                    .iter()
                    .map(|k| Choice::new(k.code(), k.label()))
                    .collect(),
            ),
            Field::textarea("details", "Tell us more (optional)")
                .rows(4)
                .hint("Do not include personal details such as your name, email address or phone number: we cannot reply to you."),
            Field::hidden("website", ""),
        ],
    )
    .caption(service.name.clone())
    .intro("The Local Offer team will check the entry and put it right, and the service sees your report too. We cannot answer questions here: to ask about a place, use the service's own contact details.")
    .submit("Send")
    .cancel(here)
}

pub async fn problem_form(
    State(state): State<AppState>,
    headers: HeaderMap,
    Path((key, service)): Path<(String, String)>,
) -> AppResult {
    let (csrf, new_cookie) = anonymous_csrf(&state, &headers);
    let (_, base, published, found) = reported_service(&state, &key, &service).await?;
    Ok(with_anonymous_csrf(
        html(&problem_page(&published, &base, &found, csrf))?,
        new_cookie,
    ))
}

/// Keeps the report and tells the Local Offer's officers; a robot filling the trap field
/// is thanked and ignored.
pub async fn report_problem(
    State(state): State<AppState>,
    ConnectInfo(peer): ConnectInfo<SocketAddr>,
    headers: HeaderMap,
    Path((key, service)): Path<(String, String)>,
    axum::Form(pairs): super::FormPairs,
) -> AppResult {
    let form = RawForm(pairs);
    let csrf = posted_csrf(&headers);
    let (partnership, base, published, found) = reported_service(&state, &key, &service).await?;
    let now = time::OffsetDateTime::now_utc();
    let client = client_ip(&state, peer, &headers).to_string();
    if let Some(minutes) = over_limit(
        &state,
        &[("problem-client", &client, PROBLEMS_PER_CLIENT)],
        now,
    )
    .await?
    {
        let (mut chrome, _) = chrome(&published, "Too many reports");
        chrome.csrf = csrf;
        return html_with_status(
            StatusCode::TOO_MANY_REQUESTS,
            &NoticePage::new(chrome, "Too many reports").say(format!(
                "Too many reports have been sent from here. Wait {minutes} minutes and try again."
            )),
        );
    }
    let page = problem_page(&published, &base, &found, csrf.clone());
    let report = match ProblemReport::parse(&form) {
        Ok(report) => report,
        Err(errors) => return page.with_errors(&form, errors),
    };
    if let Some(report) = report {
        // The officers, and the provider accounts that keep the service.
        let mails = match state.config.mailer {
            Some(_) => {
                let officers = state.store.local_offer_officers(partnership).await?;
                let providers = state
                    .store
                    .local_offer_providers(partnership, &found.organization_key)
                    .await?;
                let (officers_page, providers_page) = (
                    format!("/p/{}/local-offer", partnership.0),
                    format!("/p/{}/provide", partnership.0),
                );
                officers
                    .into_iter()
                    .map(|o| (o, officers_page.as_str()))
                    .chain(providers.into_iter().map(|p| (p, providers_page.as_str())))
                    .map(|(person, page)| {
                        problem_mail(&state, partnership, &found, &report, person, page)
                    })
                    .collect()
            }
            None => vec![],
        };
        state
            .store
            .report_problem(partnership, &found.key, &report, &mails)
            .await?;
        state.mail_waiting.notify_one();
    }
    let (mut chrome, _) = chrome(&published, "Thank you");
    chrome.csrf = csrf;
    html(
        &NoticePage::new(chrome, "Thank you")
            .say(format!(
                "The Local Offer team will check {}'s entry and put it right.",
                found.name
            ))
            .link(
                format!("Back to {}", found.name),
                format!("{base}/services/{}", found.key),
            ),
    )
}

/// The email telling an officer (or the service's provider) of a report, with a link to
/// their `page` in sendplan.
fn problem_mail(
    state: &AppState,
    partnership: PartnershipId,
    service: &Service,
    report: &ProblemReport,
    to: Recipient,
    page: &str,
) -> OutgoingMail {
    let details = if report.flagged {
        "(The report's words may hold someone's contact details, so they are shown only in sendplan.)".to_owned()
    } else if report.details.is_empty() {
        String::new()
    } else {
        format!("They wrote:\n{}", report.details)
    };
    OutgoingMail {
        partnership: Some(partnership),
        purpose: "local_offer_problem",
        subject: format!("Problem reported with {} in the Local Offer", service.name),
        body: format!(
            "Hello {},\n\nSomeone using the Local Offer reported a problem with {}: {}.\n\n{details}\n\nSee it in sendplan: {}\n\nsendplan",
            to.name,
            service.name,
            report.kind.label().to_lowercase(),
            super::session::link_to(state, page),
        ),
        to,
        secret: false,
    }
}
