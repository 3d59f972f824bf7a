//! The Local Offer's Open Referral UK 3.0 API at `/api/oruk/{partnership}/`: anonymous,
//! readable from any web page (`Access-Control-Allow-Origin: *`), answered by
//! `interchange::oruk::api` from the same cached directory the public pages use. Only
//! the `postcode` parameter is read here, since placing it needs the partnership's
//! postcode table.

use super::local_offer::published;
use super::publication::named_partnership_at_version;
use crate::errors::AppError;
use crate::AppState;
use axum::extract::{Path, Query, State};
use axum::http::{header, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Redirect, Response};
use sendplan_domain::local_offer::geo::{normalise_postcode, Point};
use sendplan_interchange::oruk::api::{answer, Answer};
use std::sync::Arc;

/// Adds what lets any web page read the API.
fn open_to_all(mut response: Response) -> Response {
    let headers = response.headers_mut();
    headers.insert(
        header::ACCESS_CONTROL_ALLOW_ORIGIN,
        HeaderValue::from_static("*"),
    );
    headers.insert(
        header::CACHE_CONTROL,
        HeaderValue::from_static("public, max-age=60"),
    );
    response
}

/// The largest answer kept to be sent again: a page of 500 full services is about 3 MB.
const MOST_KEPT_BYTES: usize = 512 * 1024;

const JSON: &str = "application/json; charset=utf-8";

fn json_error(status: StatusCode, message: &str) -> Response {
    let body = serde_json::json!({ "error": message }).to_string();
    (status, [(header::CONTENT_TYPE, JSON)], body).into_response()
}

/// An answer as it is sent: kept whole, so it can be sent again as it is.
struct Answered {
    status: StatusCode,
    content_type: &'static str,
    body: axum::body::Bytes,
}

impl From<Answer> for Answered {
    fn from(answer: Answer) -> Self {
        let (status, content_type, body) = match answer {
            Answer::Json(value) => (StatusCode::OK, JSON, value.to_string()),
            Answer::Ndjson(lines) => (StatusCode::OK, "application/x-ndjson; charset=utf-8", lines),
            Answer::NotFound(message) => (
                StatusCode::NOT_FOUND,
                JSON,
                serde_json::json!({ "error": message }).to_string(),
            ),
            Answer::BadRequest(message) => (
                StatusCode::BAD_REQUEST,
                JSON,
                serde_json::json!({ "error": message }).to_string(),
            ),
        };
        Answered {
            status,
            content_type,
            body: body.into(),
        }
    }
}

/// Where the `postcode` parameter places the family, if one was given.
async fn near(
    state: &AppState,
    partnership: sendplan_domain::PartnershipId,
    query: &[(String, String)],
) -> Result<Result<Option<Point>, String>, AppError> {
    let Some((_, typed)) = query.iter().find(|(k, _)| k == "postcode") else {
        return Ok(Ok(None));
    };
    if typed.trim().is_empty() {
        return Ok(Ok(None));
    }
    let Some(postcode) = normalise_postcode(typed) else {
        return Ok(Err(format!("postcode \"{typed}\" is not a UK postcode")));
    };
    Ok(
        match state
            .store
            .postcode_centroid(partnership, &postcode)
            .await?
        {
            Some(placed) => Ok(Some(placed.point())),
            None => Err(format!(
                "postcode {postcode} is not one this directory knows, nor is its area"
            )),
        },
    )
}

async fn respond(
    state: AppState,
    key: String,
    rest: String,
    query: Vec<(String, String)>,
) -> Response {
    let (partnership, base, moved, version) = match named_partnership_at_version(&state, &key).await
    {
        Ok(found) => found,
        Err(AppError::NotFound) => {
            return open_to_all(json_error(
                StatusCode::NOT_FOUND,
                &format!("there is no Local Offer called {key}"),
            ))
        }
        Err(e) => return e.into_response(),
    };
    if moved {
        let name = base.trim_start_matches("/public/");
        return Redirect::permanent(&format!("/api/oruk/{name}/{rest}")).into_response();
    }
    // Answers are kept by address until the partnership's data changes: the same page
    // asked for again is sent as it was, without being worked out again.
    // The day is part of it: an entry overdue for review may be hidden from tomorrow.
    let address = format!(
        "{}|{}|{rest}|{}",
        partnership.0,
        time::OffsetDateTime::now_utc().date(),
        query
            .iter()
            .map(|(k, v)| format!("{k}={v}"))
            .collect::<Vec<_>>()
            .join("&")
    );
    let answered = async {
        if let Some(kept) = state.api_answers.get::<Answered>(&address, version) {
            return Ok(kept);
        }
        let published = published(&state, partnership, &base, version).await?;
        let near = near(&state, partnership, &query).await?;
        let fresh = Arc::new(Answered::from(answer(
            &published.index,
            &published.ids,
            &rest,
            &query,
            near,
        )));
        // A whole feed as NDJSON can be tens of megabytes: worked out each time instead.
        if fresh.body.len() <= MOST_KEPT_BYTES {
            state.api_answers.put(address, version, fresh.clone());
        }
        Ok::<_, AppError>(fresh)
    }
    .await;
    let response = match answered {
        Ok(a) => (
            a.status,
            [(header::CONTENT_TYPE, a.content_type)],
            a.body.clone(),
        )
            .into_response(),
        Err(e) => return e.into_response(),
    };
    open_to_all(response)
}

/// `GET /api/oruk/{partnership}/`.
pub async fn root(
    State(state): State<AppState>,
    Path(key): Path<String>,
    Query(query): Query<Vec<(String, String)>>,
) -> Response {
    respond(state, key, String::new(), query).await
}

/// `GET /api/oruk/{partnership}/{path...}`.
pub async fn path(
    State(state): State<AppState>,
    Path((key, rest)): Path<(String, String)>,
    Query(query): Query<Vec<(String, String)>>,
) -> Response {
    respond(state, key, rest, query).await
}

/// A browser's preflight: any origin may read with GET.
pub async fn preflight() -> Response {
    open_to_all(
        (
            StatusCode::NO_CONTENT,
            [
                (header::ACCESS_CONTROL_ALLOW_METHODS, "GET, OPTIONS"),
                (header::ACCESS_CONTROL_ALLOW_HEADERS, "Accept, Content-Type"),
                (header::ACCESS_CONTROL_MAX_AGE, "86400"),
            ],
        )
            .into_response(),
    )
}
