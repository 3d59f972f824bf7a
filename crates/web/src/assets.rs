//! Static assets compiled into the binary, so a single file is the whole deployment.

use axum::extract::Path;
use axum::http::{header, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use axum::Router;

struct Asset {
    path: &'static str,
    content_type: &'static str,
    body: &'static [u8],
}

const ASSETS: &[Asset] = &[
    Asset {
        path: "govuk-frontend.min.css",
        content_type: "text/css; charset=utf-8",
        body: include_bytes!("../assets/govuk/govuk-frontend.min.css"),
    },
    Asset {
        path: "govuk-frontend.min.js",
        content_type: "text/javascript; charset=utf-8",
        body: include_bytes!("../assets/govuk/govuk-frontend.min.js"),
    },
    Asset {
        path: "sendplan.css",
        content_type: "text/css; charset=utf-8",
        body: include_bytes!("../assets/sendplan.css"),
    },
    Asset {
        path: "sendplan.js",
        content_type: "text/javascript; charset=utf-8",
        body: include_bytes!("../assets/sendplan.js"),
    },
];

async fn serve_asset(Path(path): Path<String>) -> Response {
    match ASSETS.iter().find(|a| a.path == path) {
        Some(asset) => (
            [
                (header::CONTENT_TYPE, asset.content_type),
                (header::CACHE_CONTROL, "public, max-age=3600"),
            ],
            asset.body,
        )
            .into_response(),
        None => StatusCode::NOT_FOUND.into_response(),
    }
}

pub fn routes<S: Clone + Send + Sync + 'static>() -> Router<S> {
    Router::new().route("/assets/{*path}", get(serve_asset))
}
