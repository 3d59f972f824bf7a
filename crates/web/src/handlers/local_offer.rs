//! The public Local Offer at `/local-offer/{partnership}`: no sign-in, no JavaScript
//! needed, the partnership's own look. A partnership without services has no Local
//! Offer page.

use super::publication::{brand_of, named_partnership_at_version};
use crate::directory::{
    categories, need_options, results_page, service_page, shortlist_of, shortlist_page, Filters,
    HomePage,
};
use crate::errors::{AppError, AppResult};
use crate::pages::html;
use crate::views::{Brand, Chrome};
use crate::AppState;
use axum::extract::{Path, Query, State};
use axum::response::{IntoResponse, Redirect};
use sendplan_domain::input::RawForm;
use sendplan_domain::local_offer::geo::outcode;
use sendplan_domain::local_offer::review::{shown_to_families, ReviewPolicy};
use sendplan_domain::local_offer::search::SearchIndex;
use sendplan_domain::PartnershipId;
use sendplan_interchange::oruk::api::Ids;
use sendplan_storage::Placed;
use std::sync::Arc;

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
async fn directory_of(
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

fn chrome(published: &Published, title: &str) -> (Chrome, String) {
    let mut chrome = Chrome::plain(title, None);
    chrome.brand = Some(published.brand.clone());
    (chrome, published.name.clone())
}

pub async fn home(State(state): State<AppState>, Path(key): Path<String>) -> AppResult {
    let (_, base, published) = match directory_of(&state, &key).await? {
        Ok(found) => found,
        Err(moved) => return Ok(Redirect::permanent(&moved).into_response()),
    };
    let (chrome, name) = chrome(&published, "Local Offer");
    html(&HomePage {
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
    html(&results_page(
        &published.brand,
        &published.name,
        index,
        filters,
        category_term.as_ref(),
        form,
        &base,
        published.has_postcodes,
    ))
}

pub async fn search(
    State(state): State<AppState>,
    Path(key): Path<String>,
    Query(query): Query<Vec<(String, String)>>,
) -> AppResult {
    results(&state, &key, None, &RawForm(query)).await
}

pub async fn category(
    State(state): State<AppState>,
    Path((key, term)): Path<(String, String)>,
    Query(query): Query<Vec<(String, String)>>,
) -> AppResult {
    results(&state, &key, Some(term), &RawForm(query)).await
}

/// The family's shortlist, carried in the address (`?s=...&s=...`): to print, to email
/// to themselves, or to share. Nothing is kept on the server or in the browser.
pub async fn shortlist(
    State(state): State<AppState>,
    Path(key): Path<String>,
    Query(query): Query<Vec<(String, String)>>,
) -> AppResult {
    let form = RawForm(query);
    let (_, base, published) = match directory_of(&state, &key).await? {
        Ok(found) => found,
        Err(moved) => return Ok(Redirect::permanent(&format!("{moved}/shortlist")).into_response()),
    };
    let directory = published.index.directory();
    let keys = shortlist_of(&form, directory);
    let (chrome, name) = chrome(&published, "Your shortlist");
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
    Path((key, service)): Path<(String, String)>,
) -> AppResult {
    let (_, base, published) = match directory_of(&state, &key).await? {
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
    let (chrome, name) = chrome(&published, &found.name);
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
