//! The audit log, for administrators.

use crate::auth::Ctx;
use crate::errors::AppResult;
use crate::pages::{html, TablePage};
use crate::views::{Cell, Chrome};
use crate::AppState;
use axum::extract::{Query, State};
use sendplan_domain::access::Capability;
use sendplan_domain::input::RawForm;

const PAGE_SIZE: i64 = 100;

pub async fn show_audit_log(
    State(state): State<AppState>,
    ctx: Ctx,
    Query(query): Query<Vec<(String, String)>>,
) -> AppResult {
    ctx.require(Capability::ViewAudit)?;
    let before = RawForm(query).get("before").parse().ok();
    let events = state.store.list_audit(ctx.pid(), before, PAGE_SIZE).await?;
    let format = time::macros::format_description!(
        "[day] [month repr:short] [year] [hour]:[minute]:[second] UTC"
    );
    let more_href = match events.last() {
        Some(last) if events.len() as i64 == PAGE_SIZE => {
            format!("{}/audit?before={}", ctx.base(), last.id)
        }
        _ => String::new(),
    };
    let rows = events
        .iter()
        .map(|e| {
            let detail = match (&e.before, &e.after) {
                (Some(before), Some(after)) => format!("Before:\n{before}\n\nAfter:\n{after}"),
                (None, Some(after)) => after.clone(),
                (Some(before), None) => before.clone(),
                (None, None) => String::new(),
            };
            vec![
                Cell::text(e.at.format(&format).unwrap_or_default()),
                Cell::text(e.actor_name.clone()),
                Cell::text(e.summary.clone()).with_detail(detail),
            ]
        })
        .collect();
    html(&TablePage {
        chrome: Chrome::for_ctx(&ctx, "Audit log", "audit"),
        heading: "Audit log".to_owned(),
        caption: ctx.partnership.name.clone(),
        intro: "Every change to this partnership's records, newest first. Entries can never be changed or removed.".to_owned(),
        buttons: vec![],
        head: vec!["When", "Who", "What changed"],
        rows,
        empty: "Nothing has changed yet.".to_owned(),
        more_href,
    })
}
