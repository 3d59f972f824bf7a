//! Importing a plan from a spreadsheet: upload, check the column mapping and every row,
//! then import all of it in one go. Also the blank template and plan downloads.

use super::{saved, FormPairs};
use crate::auth::{Ctx, SignedIn};
use crate::errors::{AppError, AppResult};
use crate::forms::{with_none, Choice, Field};
use crate::pages::{html, html_with_status, FormPage, ImportPage};
use crate::upload::{Upload, Uploaded};
use crate::views::Chrome;
use crate::AppState;
use axum::extract::{Path, Query, State};
use axum::http::{header, StatusCode};
use axum::response::{IntoResponse, Response};
use sendplan_domain::access::Capability;
use sendplan_domain::input::{FieldErrors, FormReader, RawForm, SHORT_TEXT};
use sendplan_domain::plan::{PlanKind, PlanStatus};
use sendplan_domain::rating::RatingPreset;
use sendplan_domain::PlanId;
use sendplan_interchange::sheet::{self, Field as Column, Mapping, PlanDetails, Table};
use sendplan_interchange::sheet_export;

fn upload_page(ctx: &Ctx) -> FormPage {
    let mut page = FormPage::new(
        Chrome::for_ctx(ctx, "Import a plan from a spreadsheet", "overview"),
        "Import a plan from a spreadsheet",
        format!("{}/imports/new", ctx.base()),
        vec![Field::file("file", "Spreadsheet", crate::forms::SPREADSHEETS)
            .hint("An Excel workbook (.xlsx) or CSV file, up to 10 MB, with one action per row. The next page shows what sendplan found before anything is imported.")],
    )
    .submit("Upload")
    .cancel(ctx.base())
    .intro("Bring in an existing action plan or tracker. sendplan recognises the usual column headers (\"Actions for implementation\", \"Lead Officer\", \"Key Milestones\", \"Completion date\", \"Progress (BRAG)\"...) and keeps dates and leads exactly as written.");
    page.multipart = true;
    page.links.push((
        "Download the blank template (.xlsx)".to_owned(),
        "/template.xlsx".to_owned(),
    ));
    page
}

pub async fn new_import(ctx: Ctx) -> AppResult {
    ctx.require(Capability::EditPlans)?;
    html(&upload_page(&ctx))
}

pub async fn upload_import(State(state): State<AppState>, ctx: Ctx, upload: Upload) -> AppResult {
    ctx.require(Capability::EditPlans)?;
    let Uploaded { file, .. } = upload.read().await?;
    let refuse = |message: String| {
        upload_page(&ctx).with_errors(&RawForm::default(), FieldErrors::single("file", message))
    };
    let Some((file_name, bytes)) = file else {
        return refuse("Select a spreadsheet to upload".to_owned());
    };
    let table = match sheet::read_table(&bytes, &file_name) {
        Ok(table) => table,
        Err(error) => return refuse(error.to_string()),
    };
    let json = serde_json::to_string(&table)
        .map_err(|e| AppError::Store(sendplan_storage::StoreError::Corrupt(e.to_string())))?;
    let id = state
        .store
        .save_import_draft(ctx.pid(), ctx.signed_in.user.id, &file_name, &json)
        .await?;
    Ok((
        StatusCode::SEE_OTHER,
        [(header::LOCATION, format!("{}/imports/{id}", ctx.base()))],
    )
        .into_response())
}

fn column_label(table: &Table, i: usize) -> String {
    let mut letters = String::new();
    let mut n = i;
    loop {
        letters.insert(0, (b'A' + (n % 26) as u8) as char);
        if n < 26 {
            break;
        }
        n = n / 26 - 1;
    }
    format!(
        "Column {letters}: {}",
        table.headers.get(i).map_or("", String::as_str)
    )
}

/// The mapping and plan details fields, filled with `values` (suggestions, or what was sent).
fn mapping_fields(table: &Table, mapping: &Mapping) -> Vec<Field> {
    Column::ALL
        .iter()
        .map(|column| {
            let options = with_none(
                "Not in this spreadsheet",
                (0..table.headers.len())
                    .map(|i| Choice::new(i, column_label(table, i)))
                    .collect(),
            );
            Field::select(&format!("map-{}", column.code()), column.label(), options).value(
                mapping
                    .get(column)
                    .map(ToString::to_string)
                    .unwrap_or_default(),
            )
        })
        .collect()
}

fn detail_fields(file_name: &str) -> Vec<Field> {
    let title = file_name
        .rsplit_once('.')
        .map_or(file_name, |(stem, _)| stem);
    vec![
        Field::text("title", "Title of the plan").value(title),
        Field::radios(
            "kind",
            "Kind of plan",
            PlanKind::ALL
                .iter()
                .map(|k| Choice::new(k.code(), k.label()))
                .collect(),
        )
        .value(PlanKind::Wsoa.code()),
        Field::radios(
            "status",
            "Status",
            PlanStatus::ALL
                .iter()
                .map(|s| Choice::new(s.code(), s.label()))
                .collect(),
        )
        .value(PlanStatus::Active.code()),
        Field::radios(
            "rating_preset",
            "Rating scheme",
            RatingPreset::ALL
                .iter()
                .map(|r| Choice::new(r.code(), r.label()))
                .collect(),
        )
        .hint("The Progress column's values must be ratings of this scheme.")
        .value(RatingPreset::Rag.code()),
    ]
}

fn import_page(
    ctx: &Ctx,
    draft_id: i64,
    file_name: &str,
    table: &Table,
    mapping: &Mapping,
) -> ImportPage {
    ImportPage {
        chrome: Chrome::for_ctx(ctx, "Check the spreadsheet", "overview"),
        file_name: file_name.to_owned(),
        action: format!("{}/imports/{draft_id}", ctx.base()),
        errors: Vec::new(),
        problems: Vec::new(),
        ready: Vec::new(),
        preview_head: table.headers.clone(),
        preview_rows: table.rows.iter().take(5).map(|r| r.cells.clone()).collect(),
        total_rows: table.rows.len(),
        mapping: mapping_fields(table, mapping),
        details: detail_fields(file_name),
        cancel: format!("{}/imports/new", ctx.base()),
    }
}

async fn draft(state: &AppState, ctx: &Ctx, id: i64) -> Result<(String, Table), AppError> {
    let draft = state
        .store
        .get_import_draft(ctx.pid(), ctx.signed_in.user.id, id)
        .await?;
    let table: Table = serde_json::from_str(&draft.table_json)
        .map_err(|e| AppError::Store(sendplan_storage::StoreError::Corrupt(e.to_string())))?;
    Ok((draft.file_name, table))
}

pub async fn show_import(
    State(state): State<AppState>,
    ctx: Ctx,
    Path((_, id)): Path<(i64, i64)>,
) -> AppResult {
    ctx.require(Capability::EditPlans)?;
    let (file_name, table) = draft(&state, &ctx, id).await?;
    let mapping = sheet::suggest_mapping(&table);
    html(&import_page(&ctx, id, &file_name, &table, &mapping))
}

/// Where a second "Import the plan" goes: the plan is there already, once.
fn already_imported(state: &AppState, ctx: &Ctx) -> axum::response::Response {
    saved(
        state,
        &ctx.base(),
        "This spreadsheet has been imported already: its plan is listed here",
    )
}

pub async fn check_import(
    State(state): State<AppState>,
    ctx: Ctx,
    Path((_, id)): Path<(i64, i64)>,
    axum::Form(pairs): FormPairs,
) -> AppResult {
    ctx.require(Capability::EditPlans)?;
    let form = RawForm(pairs);
    let (file_name, table) = match draft(&state, &ctx, id).await {
        Ok(found) => found,
        // "Import the plan" sent again after it worked: the draft went with the import.
        Err(AppError::Store(sendplan_storage::StoreError::NotFound))
            if form.get("confirm") == "1" =>
        {
            return Ok(already_imported(&state, &ctx));
        }
        Err(other) => return Err(other),
    };
    let mapping: Mapping = Column::ALL
        .iter()
        .filter_map(|c| {
            form.get(&format!("map-{}", c.code()))
                .parse::<usize>()
                .ok()
                .filter(|i| *i < table.headers.len())
                .map(|i| (*c, i))
        })
        .collect();
    let mut page = import_page(&ctx, id, &file_name, &table, &mapping);
    let mut reader = FormReader::new(&form);
    let title = reader.required("title", "the plan's title", SHORT_TEXT);
    let kind = reader.choice("kind", "the kind of plan", PlanKind::from_code);
    let status = reader.choice("status", "the plan's status", PlanStatus::from_code);
    let preset = reader.choice("rating_preset", "a rating scheme", RatingPreset::from_code);
    let details = match reader.finish((kind, status, preset)) {
        Ok((Some(kind), Some(status), Some(preset))) => PlanDetails {
            title,
            kind: kind.code().to_owned(),
            status: status.code().to_owned(),
            ratings: preset.ratings(),
            as_at: ctx.today,
        },
        Ok(_) => {
            return refill(
                page,
                &form,
                FieldErrors::single(
                    "title",
                    "Choose the kind, status and rating scheme of the plan",
                ),
            )
        }
        Err(errors) => return refill(page, &form, errors),
    };
    let target = sheet::target_in(&state.store, ctx.pid(), details).await?;
    let document = match sheet::table_to_document(&table, &mapping, &target) {
        Ok(document) => document,
        Err(problems) => {
            page.problems = problems
                .iter()
                .map(|p| {
                    (
                        if p.row == 0 {
                            "All".to_owned()
                        } else {
                            p.row.to_string()
                        },
                        p.column.clone(),
                        p.message.clone(),
                    )
                })
                .collect();
            let summary = FieldErrors::single(
                "map-number",
                format!(
                    "The spreadsheet has {}: they are listed below",
                    count(problems.len(), "problem", "problems")
                ),
            );
            return refill(page, &form, summary);
        }
    };
    let json = serde_json::to_string(&document)
        .map_err(|e| AppError::Store(sendplan_storage::StoreError::Corrupt(e.to_string())))?;
    let (document, import) = match sendplan_interchange::read(&json) {
        Ok(read) => read,
        Err(sendplan_interchange::ReadError::Problems(problems)) => {
            page.problems = problems
                .iter()
                .map(|p| ("All".to_owned(), p.at.clone(), p.message.clone()))
                .collect();
            return refill(
                page,
                &form,
                FieldErrors::single(
                    "title",
                    "The plan could not be built: see the problems below",
                ),
            );
        }
        Err(other) => return refill(page, &form, FieldErrors::single("title", other.to_string())),
    };
    if form.get("confirm") == "1" {
        // The draft is used up in the import's own transaction, so the same form sent
        // twice, however close together, imports once.
        let Some(summary) = state
            .store
            .import_plan_from_draft(ctx.actor(), id, &import, ctx.today)
            .await?
        else {
            return Ok(already_imported(&state, &ctx));
        };
        let plan = summary
            .plans
            .first()
            .map(|p| format!("{}/plans/{p}", ctx.base()))
            .unwrap_or_else(|| ctx.base());
        let review = if summary.people_to_review > 0 {
            format!(
                " {} people are listed for review on the People page.",
                summary.people_to_review
            )
        } else {
            String::new()
        };
        return Ok(saved(
            &state,
            &plan,
            &format!(
                "Imported {} actions from {file_name}.{review}",
                summary.actions
            ),
        ));
    }
    let plan = &document.plans[0];
    let milestones: usize = plan.actions.iter().map(|a| a.milestones.len()).sum();
    let updates: usize = plan.actions.iter().map(|a| a.updates.len()).sum();
    let to_review = document
        .people
        .iter()
        .filter(|p| p.to_review && p.key.starts_with("review"))
        .count();
    page.ready = vec![
        format!(
            "{} in {}",
            count(plan.actions.len(), "action", "actions"),
            count(plan.areas.len(), "area", "areas")
        ),
        format!(
            "{} and {}",
            count(milestones, "milestone", "milestones"),
            count(updates, "progress rating", "progress ratings")
        ),
        format!(
            "{} not yet known, to be added for review",
            count(to_review, "lead", "leads")
        ),
        "Choose \u{2018}Import the plan\u{2019} at the end of this page.".to_owned(),
    ];
    refill(page, &form, FieldErrors::default()).map(|mut response| {
        *response.status_mut() = StatusCode::OK;
        response
    })
}

/// Shows the page with what was chosen kept and any errors (status 422 when there are).
fn refill(mut page: ImportPage, form: &RawForm, errors: FieldErrors) -> AppResult {
    crate::forms::refill(&mut page.mapping, form, &errors);
    crate::forms::refill(&mut page.details, form, &errors);
    page.chrome.has_errors = !errors.is_empty();
    page.errors = errors.0;
    let status = if page.errors.is_empty() {
        StatusCode::OK
    } else {
        StatusCode::UNPROCESSABLE_ENTITY
    };
    html_with_status(status, &page)
}

/// "1 action", "2 actions".
fn count(n: usize, one: &str, many: &str) -> String {
    format!("{n} {}", if n == 1 { one } else { many })
}

fn download(content_type: &'static str, file_name: &str, bytes: Vec<u8>) -> Response {
    (
        [
            (header::CONTENT_TYPE, content_type.to_owned()),
            (
                header::CONTENT_DISPOSITION,
                format!("attachment; filename=\"{file_name}\""),
            ),
        ],
        bytes,
    )
        .into_response()
}

const XLSX: &str = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet";

/// The blank template: the columns sendplan reads, and a sheet of guidance.
pub async fn download_template(_signed_in: SignedIn) -> AppResult {
    let bytes = sheet_export::to_xlsx(&[])
        .map_err(|e| AppError::Store(sendplan_storage::StoreError::Corrupt(e.to_string())))?;
    Ok(download(XLSX, "sendplan-plan-template.xlsx", bytes))
}

/// A plan as JSON (the interchange format), Excel or CSV.
pub async fn export_plan(
    State(state): State<AppState>,
    ctx: Ctx,
    Path((_, id)): Path<(i64, i64)>,
    Query(query): Query<Vec<(String, String)>>,
) -> AppResult {
    let plan = state.store.get_plan(ctx.pid(), PlanId(id)).await?;
    let document = sendplan_interchange::export_plan(&state.store, ctx.pid(), plan.id).await?;
    let stem: String = plan
        .title
        .chars()
        .map(|c| if c.is_ascii_alphanumeric() { c } else { '-' })
        .collect::<String>()
        .split('-')
        .filter(|s| !s.is_empty())
        .collect::<Vec<_>>()
        .join("-");
    let stem = if stem.is_empty() {
        format!("plan-{id}")
    } else {
        stem.chars().take(80).collect()
    };
    let corrupt = |e: String| AppError::Store(sendplan_storage::StoreError::Corrupt(e));
    Ok(match RawForm(query).get("format") {
        "xlsx" => download(
            XLSX,
            &format!("{stem}.xlsx"),
            sheet_export::to_xlsx(&sheet_export::rows(&document))
                .map_err(|e| corrupt(e.to_string()))?,
        ),
        "csv" => download(
            "text/csv; charset=utf-8",
            &format!("{stem}.csv"),
            sheet_export::to_csv(&sheet_export::rows(&document)),
        ),
        "json" => download(
            "application/json",
            &format!("{stem}.json"),
            serde_json::to_vec_pretty(&document).map_err(|e| corrupt(e.to_string()))?,
        ),
        _ => return Err(AppError::NotFound),
    })
}
