//! Bringing a directory into the Local Offer from the pages, as `sendplan local-offer
//! import` does from the command line: an Open Referral UK feed file (3.0 or 1.0, a page
//! or a list of services, or NDJSON) is checked record by record and what an import would
//! do is shown first; then it is imported whole, or (when the officer chose it) every
//! record that can be taken, with each one left out listed.

use super::{saved, FormPairs};
use crate::auth::Ctx;
use crate::errors::{AppError, AppResult};
use crate::feeds::{fetch_feed, Reach};
use crate::forms::{Choice, Field};
use crate::pages::{html, FormPage, NoticePage, TableBlock};
use crate::upload::{Upload, Uploaded};
use crate::views::{Cell, Chrome, PostButton};
use crate::AppState;
use axum::extract::{Path, State};
use sendplan_domain::access::Capability;
use sendplan_domain::input::FieldErrors;
use sendplan_domain::local_offer::Directory;
use sendplan_interchange::oruk::{read_json_pages, FeedRead, Rejected};
use sendplan_storage::DirectoryImport;
use serde::{Deserialize, Serialize};

/// A checked feed kept between the check and the import (as an import draft).
#[derive(Serialize, Deserialize)]
struct Checked {
    directory: Directory,
    file_name: String,
}

fn import_href(ctx: &Ctx) -> String {
    format!("{}/local-offer/import", ctx.base())
}

fn upload_page(ctx: &Ctx) -> FormPage {
    let mut page = FormPage::new(
        Chrome::for_ctx(ctx, "Import a directory", "local-offer"),
        "Import a directory",
        import_href(ctx),
        vec![
            Field::file("file", "Open Referral UK feed file", ".json,.ndjson,application/json")
                .hint("A JSON file of an Open Referral UK 3.0 or 1.0 feed: a page of services, a list of them, or NDJSON. For a folder of CSV tables, use sendplan local-offer import."),
            Field::text("address", "Or the feed's web address")
                .input_type("url")
                .hint("For example, https://directory.example.org/api/ (its services are read page by page). Only addresses on the public internet."),
            Field::checkboxes(
                "skip_invalid",
                "If some records cannot be taken",
                vec![Choice::new("yes", "Import the others, and list each one left out with why")],
            )
            .hint("Otherwise nothing is imported until every record can be taken."),
        ],
    )
    .caption("Local Offer")
    .intro("Choose a file, or give a feed's address. Records are matched by their ids, so the same feed can be imported again: new services are added, changed ones become new versions, and services the file does not have are left as they are. You will see what the import will do before anything changes.")
    .submit("Check the file")
    .cancel(format!("{}/local-offer", ctx.base()));
    page.multipart = true;
    page
}

pub async fn new_import(State(_): State<AppState>, ctx: Ctx) -> AppResult {
    ctx.require(Capability::ManageLocalOffer)?;
    html(&upload_page(&ctx))
}

/// Each record that cannot be taken: which, and why.
fn rejected_table(heading: &str, rejected: &[Rejected]) -> TableBlock {
    TableBlock {
        heading: heading.to_owned(),
        head: vec!["Record", "What is wrong"],
        rows: rejected
            .iter()
            .map(|r| {
                let name = if r.name.is_empty() {
                    r.key.clone()
                } else {
                    format!("{} ({})", r.name, r.key)
                };
                vec![
                    Cell::text(format!("{} {name}", capitalised(r.kind))),
                    Cell::text(r.reasons.join("\n")),
                ]
            })
            .collect(),
        empty: "Every record can be taken.".to_owned(),
    }
}

fn capitalised(kind: &str) -> String {
    let mut chars = kind.chars();
    chars
        .next()
        .map(|c| c.to_uppercase().chain(chars).collect())
        .unwrap_or_default()
}

/// What the import did or would do, as tables.
fn outcome_tables(outcome: &DirectoryImport) -> Vec<TableBlock> {
    vec![
        TableBlock {
            heading: format!("{} services to add", outcome.added.len()),
            head: vec!["Service"],
            rows: outcome
                .added
                .iter()
                .map(|n| vec![Cell::text(n.clone())])
                .collect(),
            empty: "None.".to_owned(),
        },
        TableBlock {
            heading: format!("{} services changed", outcome.changed.len()),
            head: vec!["Service", "What changed"],
            rows: outcome
                .changed
                .iter()
                .map(|(n, fields)| vec![Cell::text(n.clone()), Cell::text(fields.join(", "))])
                .collect(),
            empty: "None.".to_owned(),
        },
        TableBlock {
            heading: format!(
                "{} services the file does not have (left as they are)",
                outcome.not_in_feed.len()
            ),
            head: vec!["Service"],
            rows: outcome
                .not_in_feed
                .iter()
                .map(|n| vec![Cell::text(n.clone())])
                .collect(),
            empty: "None.".to_owned(),
        },
    ]
}

/// Reads the file, checks every record, and shows what an import would do, keeping the
/// checked directory for the import itself.
pub async fn check_import(State(state): State<AppState>, ctx: Ctx, upload: Upload) -> AppResult {
    ctx.require(Capability::ManageLocalOffer)?;
    let page = upload_page(&ctx);
    let Uploaded { form, file } = upload.read().await?;
    let address = form.get("address").trim().to_owned();
    let read = match (file, address.is_empty()) {
        (Some(_), false) => Err((
            "address",
            "Choose a file or give a feed's address, not both".to_owned(),
        )),
        (None, true) => Err((
            "file",
            "Select the feed file to import, or give its address".to_owned(),
        )),
        (Some((file_name, bytes)), true) => read_json_pages(&[&bytes])
            .map(|feed| (file_name.clone(), feed))
            .map_err(|error| ("file", format!("{file_name} cannot be imported: {error}"))),
        (None, false) => fetch_feed(&address, Reach::PublicOnly)
            .await
            .map(|feed| (address.clone(), feed))
            .map_err(|error| ("address", format!("The feed cannot be imported: {error}"))),
    };
    let (file_name, feed): (String, FeedRead) = match read {
        Ok(read) => read,
        Err((field, message)) => {
            return page.with_errors(&form, FieldErrors::single(field, message))
        }
    };
    let skip_invalid = form.get("skip_invalid") == "yes";
    let chrome = Chrome::for_ctx(&ctx, "Import a directory", "local-offer");
    let summary = format!(
        "{file_name}: {} with {} services, {} organisations and {} taxonomy terms that can be taken.",
        feed.format.label(),
        feed.directory.services.len(),
        feed.directory.organizations.len(),
        feed.directory.terms.len()
    );
    if !feed.rejected.is_empty() && !skip_invalid {
        let mut page = NoticePage::new(chrome, "The file cannot be imported yet")
            .say(summary)
            .say(format!(
                "{} records cannot be taken, so nothing has been imported. Correct them in the file, or import again choosing to take the others.",
                feed.rejected.len()
            ))
            .link("Choose a file", import_href(&ctx));
        page.caption = "Local Offer".to_owned();
        page.wide = true;
        page.tables.push(rejected_table(
            "Records that cannot be taken",
            &feed.rejected,
        ));
        return html(&page);
    }
    let trial = state
        .store
        .import_directory(ctx.actor(), ctx.pid(), &feed.directory, &file_name, false)
        .await?;
    let checked = Checked {
        directory: feed.directory,
        file_name: file_name.clone(),
    };
    let draft = state
        .store
        .save_import_draft(
            ctx.pid(),
            ctx.signed_in.user.id,
            &file_name,
            &serde_json::to_string(&checked).map_err(|e| AppError::Unreadable(e.to_string()))?,
        )
        .await?;
    let mut page = NoticePage::new(chrome, "Check what the import will do").say(summary);
    for note in &feed.notes {
        page = page.say(format!("Note: {note}."));
    }
    page.caption = "Local Offer".to_owned();
    page.wide = true;
    page.tables.extend(outcome_tables(&trial));
    if !feed.rejected.is_empty() {
        page.tables.push(rejected_table(
            &format!("{} records left out", feed.rejected.len()),
            &feed.rejected,
        ));
    }
    page.posts.push(PostButton::new(
        "Import",
        format!("{}/{draft}", import_href(&ctx)),
    ));
    page.links
        .push(("Choose another file".to_owned(), import_href(&ctx)));
    html(&page)
}

/// Imports the directory checked a moment ago, whole, in one transaction.
pub async fn run_import(
    State(state): State<AppState>,
    ctx: Ctx,
    Path((_, draft)): Path<(i64, i64)>,
    axum::Form(_): FormPairs,
) -> AppResult {
    ctx.require(Capability::ManageLocalOffer)?;
    let kept = state
        .store
        .get_import_draft(ctx.pid(), ctx.signed_in.user.id, draft)
        .await?;
    let checked: Checked = serde_json::from_str(&kept.table_json).map_err(|_| {
        AppError::Unreadable(
            "The checked file could not be read again: choose it again.".to_owned(),
        )
    })?;
    let done = state
        .store
        .import_directory(
            ctx.actor(),
            ctx.pid(),
            &checked.directory,
            &checked.file_name,
            true,
        )
        .await?;
    Ok(saved(
        &state,
        &format!("{}/local-offer", ctx.base()),
        &format!(
            "Imported {}: {} services added, {} changed, {} unchanged",
            checked.file_name,
            done.added.len(),
            done.changed.len(),
            done.unchanged
        ),
    ))
}
