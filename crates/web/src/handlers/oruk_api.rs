//! The Local Offer's Open Referral UK 3.0 API at `/api/oruk/{partnership}/`: anonymous,
//! readable from any web page (`Access-Control-Allow-Origin: *`), answered by
//! `interchange::oruk::api` from the same cached directory the public pages use. Only
//! the `postcode` parameter is read here, since placing it needs the partnership's
//! postcode table.

use super::local_offer::published;
use super::publication::named_partnership;
use crate::errors::AppError;
use crate::AppState;
use axum::extract::{Path, Query, State};
use axum::http::{header, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Redirect, Response};
use sendplan_domain::local_offer::geo::{normalise_postcode, Point};
use sendplan_interchange::oruk::api::{answer, Answer};

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

fn json_error(status: StatusCode, message: &str) -> Response {
    let body = serde_json::json!({ "error": message }).to_string();
    (
        status,
        [(header::CONTENT_TYPE, "application/json; charset=utf-8")],
        body,
    )
        .into_response()
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
    let (partnership, base, moved) = match named_partnership(&state, &key).await {
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
    let result = async {
        let published = published(&state, partnership).await?;
        let near = near(&state, partnership, &query).await?;
        Ok::<_, AppError>(answer(
            &published.index,
            &published.ids,
            &rest,
            &query,
            near,
        ))
    }
    .await;
    let response = match result {
        Ok(Answer::Json(value)) => (
            [(header::CONTENT_TYPE, "application/json; charset=utf-8")],
            value.to_string(),
        )
            .into_response(),
        Ok(Answer::Ndjson(lines)) => (
            [(header::CONTENT_TYPE, "application/x-ndjson; charset=utf-8")],
            lines,
        )
            .into_response(),
        Ok(Answer::NotFound(message)) => json_error(StatusCode::NOT_FOUND, &message),
        Ok(Answer::BadRequest(message)) => json_error(StatusCode::BAD_REQUEST, &message),
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
