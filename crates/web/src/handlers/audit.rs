//! The audit log, for administrators: each change in words (the fields it altered, before
//! and after), in UK time, linked to its record, and filtered by person, record and date.

use crate::audit_words::{field_changes, record_href, record_kind, FieldChange};
use crate::auth::Ctx;
use crate::errors::AppResult;
use crate::forms::{refill, with_none, Choice, Field};
use crate::pages::html;
use crate::views::Chrome;
use crate::AppState;
use askama::Template;
use axum::extract::{Query, State};
use sendplan_domain::access::Capability;
use sendplan_domain::input::{uk_date_time, FieldError, FormReader, RawForm};
use sendplan_domain::UserId;
use sendplan_storage::AuditFilter;

const PAGE_SIZE: i64 = 100;

/// One entry as the page shows it.
struct EntryView {
    when: String,
    who: String,
    summary: String,
    /// "Action 12", with the address of its page where it has one.
    record: String,
    record_href: String,
    /// The log narrowed to this record.
    history_href: String,
    /// A new record: its fields are shown as given, not as changes from nothing.
    created: bool,
    changes: Vec<FieldChange>,
}

#[derive(Template)]
#[template(path = "audit.html")]
struct AuditPage {
    chrome: Chrome,
    caption: String,
    errors: Vec<FieldError>,
    fields: Vec<Field>,
    filtered: bool,
    clear_href: String,
    entries: Vec<EntryView>,
    more_href: String,
}

pub async fn show_audit_log(
    State(state): State<AppState>,
    ctx: Ctx,
    Query(query): Query<Vec<(String, String)>>,
) -> AppResult {
    ctx.require(Capability::ViewAudit)?;
    let query = RawForm(query);
    let (people, kinds) = state.store.audit_choices(ctx.pid()).await?;
    let mut f = FormReader::new(&query);
    let actor: Option<i64> = f.optional_id("person", "the person");
    let asked = query.get("record");
    // Only a kind of record the log has; a record's id narrows only within its kind.
    let entity = kinds.iter().find(|k| *k == asked).cloned();
    if !asked.is_empty() && entity.is_none() {
        f.error("record", "Choose a kind of record from the list");
    }
    let from = f.date("from", "the first day", false);
    let to = f.date("to", "the last day", false);
    if let (Some(from), Some(to)) = (from, to) {
        if to < from {
            f.error("to-day", "The last day must be on or after the first day");
        }
    }
    let errors = f.finish(()).err().unwrap_or_default();
    let filter = AuditFilter {
        actor: actor.map(UserId),
        entity_id: entity.as_ref().and_then(|_| query.get("id").parse().ok()),
        entity,
        from,
        to,
    };
    let before = query.get("before").parse().ok();
    let events = state
        .store
        .list_audit_filtered(ctx.pid(), before, PAGE_SIZE, &filter)
        .await?;
    let base = ctx.base();
    // The same filters on the next page of entries.
    let kept: String = query
        .0
        .iter()
        .filter(|(k, _)| k != "before")
        .map(|(k, v)| {
            format!(
                "&{}={}",
                crate::views::url_encode(k),
                crate::views::url_encode(v)
            )
        })
        .collect();
    let more_href = match events.last() {
        Some(last) if events.len() as i64 == PAGE_SIZE => {
            format!("{base}/audit?before={}{kept}", last.id)
        }
        _ => String::new(),
    };
    let entries = events
        .iter()
        .map(|e| EntryView {
            when: uk_date_time(e.at),
            who: e.actor_name.clone(),
            summary: e.summary.clone(),
            record: format!("{} {}", record_kind(&e.entity), e.entity_id),
            record_href: record_href(&base, &e.entity, e.entity_id).unwrap_or_default(),
            history_href: format!("{base}/audit?record={}&id={}", e.entity, e.entity_id),
            created: e.before.is_none() && e.after.is_some(),
            changes: field_changes(e.before.as_deref(), e.after.as_deref()),
        })
        .collect();
    let mut fields = vec![
        Field::select(
            "person",
            "Who",
            with_none(
                "Anyone",
                people
                    .iter()
                    .map(|(id, name)| Choice::new(id.0, name.clone()))
                    .collect(),
            ),
        ),
        Field::select(
            "record",
            "Kind of record",
            with_none(
                "Any",
                kinds
                    .iter()
                    .map(|k| Choice::new(k, record_kind(k)))
                    .collect(),
            ),
        ),
        Field::date("from", "From (optional)"),
        Field::date("to", "To (optional)"),
    ];
    refill(&mut fields, &query, &errors);
    let filtered = filter != AuditFilter::default();
    html(&AuditPage {
        chrome: Chrome::for_ctx(&ctx, "Audit log", "audit"),
        caption: ctx.partnership.name.clone(),
        errors: errors.0,
        fields,
        filtered,
        clear_href: format!("{base}/audit"),
        entries,
        more_href,
    })
}
