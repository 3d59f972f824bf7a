//! Importing a plan from a spreadsheet: upload, check the column mapping and every row,
//! then import all of it in one go. Also the blank template and plan downloads.

use super::{saved, FormPairs};
use crate::auth::{Ctx, SignedIn};
use crate::errors::{AppError, AppResult};
use crate::forms::{Choice, Field};
use crate::pages::{html, html_with_status, FormPage, ImportPage};
use crate::pages::{ImportColumn, ImportSheet, ImportValue};
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
use sendplan_interchange::sheet::tracker::{self, ColumnUse, ImportMapping};
use sendplan_interchange::sheet::{self, Field as Column, PlanDetails, Workbook};
use sendplan_interchange::sheet_export;

fn upload_page(ctx: &Ctx) -> FormPage {
    let mut page = FormPage::new(
        Chrome::for_ctx(ctx, "Import a plan from a spreadsheet", "overview"),
        "Import a plan from a spreadsheet",
        format!("{}/imports/new", ctx.base()),
        vec![Field::file("file", "Spreadsheet or Word document", crate::forms::PLAN_FILES)
            .hint("An Excel workbook (.xlsx), a CSV file, or a Word document (.docx) whose tables hold the plan, up to 10 MB, with one action per row. The next page shows every sheet or table and every column sendplan found before anything is imported.")],
    )
    .submit("Upload")
    .cancel(ctx.base())
    .intro("Bring in an existing action plan or tracker as you keep it: every sheet, title rows, area banner rows, dated rating columns (\"RAG May 20\", \"Q3 2021/22\") and the commentary beside them. sendplan recognises the usual column headers (\"Actions for implementation\", \"Lead Officer\", \"Key Milestones\", \"Completion date\", \"Progress (BRAG)\"...) and keeps dates and leads exactly as written.");
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
        return refuse("Select a spreadsheet or Word document to upload".to_owned());
    };
    let workbook = match sheet::read_workbook(&bytes, &file_name) {
        Ok(workbook) => workbook,
        Err(error) => return refuse(error.to_string()),
    };
    let json = serde_json::to_string(&workbook).map_err(corrupt)?;
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

fn corrupt(e: impl ToString) -> AppError {
    AppError::Store(sendplan_storage::StoreError::Corrupt(e.to_string()))
}

fn detail_fields(file_name: &str, scheme: &str, as_at: Option<&str>) -> Vec<Field> {
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
            "scheme",
            "Rating scheme",
            RatingPreset::ALL
                .iter()
                .map(|r| Choice::new(r.code(), r.label()))
                .collect(),
        )
        .hint("Suggested from the values in the rating columns. Choose another and check again to see its ratings offered for each value.")
        .value(scheme),
        Field::text("as_at", "Date of ratings in a column whose heading has no date (\u{2018}as at\u{2019})")
            .hint("For example 31/03/2022. Only needed when a rating column's heading has no date.")
            .value(as_at.unwrap_or("")),
    ]
}

/// The uses a column can be given, as (value, label) for its select.
fn column_options(rating_headers: &[String]) -> Vec<(String, String)> {
    let mut options: Vec<(String, String)> = Column::ALL
        .iter()
        .filter(|c| !matches!(c, Column::Progress | Column::ProgressNotes))
        .map(|c| (format!("field:{}", c.code()), c.label().to_owned()))
        .collect();
    options.push(("rating".to_owned(), "Progress rating (dated)".to_owned()));
    for header in rating_headers {
        options.push((
            format!("commentary:{header}"),
            format!("Commentary of \u{201c}{header}\u{201d}"),
        ));
    }
    options.push((
        "field:progress_notes".to_owned(),
        "Progress notes (no rating)".to_owned(),
    ));
    options.push(("extra".to_owned(), "Keep as an extra field".to_owned()));
    options.push(("drop".to_owned(), "Leave out".to_owned()));
    options
}

fn use_value(column: &ColumnUse) -> String {
    match column {
        ColumnUse::Field { field } => format!("field:{field}"),
        ColumnUse::Rating { .. } => "rating".to_owned(),
        ColumnUse::Commentary { of } => format!("commentary:{of}"),
        ColumnUse::Extra => "extra".to_owned(),
        ColumnUse::Drop => "drop".to_owned(),
    }
}

/// The choices the form sends, fitted to the workbook: sheets, then columns (by heading,
/// so a header row changed in the same submission brings its new headings with
/// suggestions), then rating values.
fn mapping_from_form(
    workbook: &Workbook,
    form: &RawForm,
    errors: &mut FieldErrors,
) -> ImportMapping {
    let mut mapping = tracker::suggest(workbook);
    for (i, sheet) in mapping.sheets.iter_mut().enumerate() {
        if form.get(&format!("sheet-{i}-name")) != sheet.name {
            continue;
        }
        sheet.take = form.get(&format!("sheet-{i}-take")) == "1";
        let header = form.get(&format!("sheet-{i}-header"));
        match header.trim().parse::<usize>() {
            // A Word table's heading is row 0, so its own rows count from 1.
            Ok(row) => sheet.header_row = row,
            _ => errors.add(
                format!("sheet-{i}-header"),
                format!("Enter the header row of {} as a number, like 3", sheet.name),
            ),
        }
    }
    let tables = tracker::tables(workbook, &mapping);
    let mut columns = tracker::suggest_columns(&tables);
    let sent: Vec<(String, String, String)> = (0..sent_count(form, "column-"))
        .map(|j| {
            (
                form.get(&format!("column-{j}-header")).to_owned(),
                form.get(&format!("column-{j}")).to_owned(),
                form.get(&format!("column-{j}-date")).to_owned(),
            )
        })
        .collect();
    for (j, column) in columns.iter_mut().enumerate() {
        let Some((_, chosen, date)) = sent.iter().find(|(h, _, _)| *h == column.header) else {
            continue;
        };
        let read = tracker::heading_date(&column.header);
        column.column = match chosen.split_once(':') {
            Some(("field", code)) if Column::from_code(code).is_some() => ColumnUse::Field {
                field: code.to_owned(),
            },
            Some(("commentary", of)) => ColumnUse::Commentary { of: of.to_owned() },
            None if chosen == "rating" => {
                let given = date.trim();
                let date = if given.is_empty() {
                    None
                } else {
                    match tracker::read_day(given) {
                        Some(day) => Some(day.to_string()),
                        None => {
                            errors.add(format!("column-{j}-date"), format!("Enter the date of the ratings in \u{201c}{}\u{201d} as a day, like 31/05/2020", column.header));
                            None
                        }
                    }
                };
                ColumnUse::Rating {
                    date,
                    as_written: read.map(|(w, _)| w),
                }
            }
            None if chosen == "drop" => ColumnUse::Drop,
            None if chosen == "extra" => ColumnUse::Extra,
            // A choice the page did not offer is named, not ignored.
            _ => {
                errors.add(
                    format!("column-{j}"),
                    format!(
                        "Choose what the column \u{201c}{}\u{201d} holds from the list",
                        column.header
                    ),
                );
                continue;
            }
        };
    }
    mapping.columns = columns;
    let scheme = RatingPreset::from_code(form.get("scheme")).unwrap_or(RatingPreset::Rag);
    let scheme_changed = form.get("scheme_was") != scheme.code();
    mapping.scheme = scheme.code().to_owned();
    let as_at = form.get("as_at");
    mapping.as_at = match as_at.trim() {
        "" => None,
        given => match tracker::read_day(given) {
            Some(day) => Some(day.to_string()),
            None => {
                errors.add(
                    "as_at",
                    "Enter the \u{2018}as at\u{2019} date as a day, like 31/03/2022",
                );
                None
            }
        },
    };
    let found = tracker::all_rating_values(workbook, &mapping);
    let ratings = scheme.ratings();
    mapping.ratings = tracker::suggest_ratings(&found, &ratings);
    if !scheme_changed {
        let sent: Vec<(String, String)> = (0..sent_count(form, "value-"))
            .map(|k| {
                (
                    form.get(&format!("value-{k}-key")).to_owned(),
                    form.get(&format!("value-{k}")).to_owned(),
                )
            })
            .collect();
        for choice in &mut mapping.ratings {
            let Some((k, (_, chosen))) = sent
                .iter()
                .enumerate()
                .find(|(_, (key, _))| *key == choice.value)
            else {
                continue;
            };
            choice.rating = match chosen.as_str() {
                "" => None,
                NOT_A_RATING => Some(String::new()),
                label => match ratings.iter().find(|r| r.label == label) {
                    Some(rating) => Some(rating.label.clone()),
                    // A rating the scheme does not have is named, not quietly unchosen.
                    None => {
                        errors.add(
                            format!("value-{k}"),
                            format!(
                                "Choose the rating \u{201c}{}\u{201d} stands for from the list",
                                choice.value
                            ),
                        );
                        None
                    }
                },
            };
        }
    }
    mapping
}

/// How many rows of a list the form sent (`{prefix}{i}-header` or `-key` fields).
fn sent_count(form: &RawForm, prefix: &str) -> usize {
    form.0
        .iter()
        .filter(|(k, _)| k.starts_with(prefix) && (k.ends_with("-header") || k.ends_with("-key")))
        .count()
}

/// The option for a value that is not a rating (the cell is left unrated).
const NOT_A_RATING: &str = "-";

/// The page for a workbook and its mapping.
fn import_page(
    ctx: &Ctx,
    draft_id: i64,
    file_name: &str,
    workbook: &Workbook,
    mapping: &ImportMapping,
) -> ImportPage {
    let tables = tracker::tables(workbook, mapping);
    let update_tables = tracker::update_tables(workbook, mapping);
    let sheets = workbook
        .sheets
        .iter()
        .map(|grid| {
            let choice = mapping.sheets.iter().find(|s| s.name == grid.name);
            let table = tables.iter().find(|t| t.sheet == grid.name);
            let updates = update_tables.iter().find(|t| t.sheet == grid.name);
            let note = match (choice.is_some_and(|c| c.take), table.or(updates)) {
                (true, Some(t)) if updates.is_some() => format!(
                    "{}, each added to its action's history",
                    count(t.rows.len(), "progress update", "progress updates")
                ),
                (true, Some(t)) => format!(
                    "{} below the header{}",
                    count(t.rows.len(), "row", "rows"),
                    if t.banners.is_empty() {
                        String::new()
                    } else {
                        format!(
                            ", under {}",
                            count(t.banners.len(), "banner row", "banner rows")
                        )
                    }
                ),
                (true, None) => "No table found at that header row".to_owned(),
                (false, _) if grid.hidden => "Hidden in the workbook; left out".to_owned(),
                (false, _) => format!(
                    "{} with something in them; left out",
                    count(grid.rows.len(), "row", "rows")
                ),
            };
            ImportSheet {
                name: grid.name.clone(),
                hidden: grid.hidden,
                take: choice.is_some_and(|c| c.take),
                header_row: choice.map_or(grid.first_line, |c| c.header_row),
                note,
            }
        })
        .collect();
    let rating_headers: Vec<String> = mapping
        .columns
        .iter()
        .filter(|c| matches!(c.column, ColumnUse::Rating { .. }))
        .map(|c| c.header.clone())
        .collect();
    let options = column_options(&rating_headers);
    let columns = mapping
        .columns
        .iter()
        .map(|choice| {
            let mut found = Vec::new();
            let mut sample = String::new();
            for table in &tables {
                let position = table.headers.iter().enumerate().position(|(i, h)| {
                    *h == choice.header
                        || (h.is_empty()
                            && choice.header
                                == format!("Column {}", sheet::column_name(table.first_column + i)))
                });
                if let Some(i) = position {
                    found.push(format!("{}, {}", table.sheet, table.column(i).0));
                    if sample.is_empty() {
                        sample = table
                            .rows
                            .iter()
                            .map(|r| r.cells[i].as_str())
                            .find(|c| !c.is_empty())
                            .unwrap_or("")
                            .chars()
                            .take(120)
                            .collect();
                    }
                }
            }
            let (date, date_note) = match &choice.column {
                ColumnUse::Rating { date, as_written } => (
                    Some(date.clone().unwrap_or_default()),
                    match (date, as_written) {
                        (Some(_), Some(written)) => format!("Read from \u{201c}{written}\u{201d}"),
                        (Some(_), None) => "As given".to_owned(),
                        (None, _) => "No date in the heading: the \u{2018}as at\u{2019} date below"
                            .to_owned(),
                    },
                ),
                _ => (None, String::new()),
            };
            ImportColumn {
                header: choice.header.clone(),
                found: if found.len() > 3 {
                    format!(
                        "{} and {} more sheets",
                        found[..2].join("; "),
                        found.len() - 2
                    )
                } else {
                    found.join("; ")
                },
                chosen: use_value(&choice.column),
                options: options.clone(),
                date,
                date_note,
                sample,
            }
        })
        .collect();
    let values = mapping
        .ratings
        .iter()
        .map(|choice| ImportValue {
            key: choice.value.clone(),
            shown: match choice.value.strip_prefix("fill #") {
                Some(rgb) => format!("Cell coloured #{rgb}, no text"),
                None => format!("\u{201c}{}\u{201d}", choice.value),
            },
            swatch: choice.value.strip_prefix("fill #").map(str::to_owned),
            chosen: match choice.rating.as_deref() {
                Some("") => NOT_A_RATING.to_owned(),
                Some(label) => label.to_owned(),
                None => String::new(),
            },
        })
        .collect();
    let scheme = RatingPreset::from_code(&mapping.scheme).unwrap_or(RatingPreset::Rag);
    let mut rating_options: Vec<(String, String)> = scheme
        .ratings()
        .iter()
        .map(|r| (r.label.clone(), format!("{} ({})", r.label, r.meaning)))
        .collect();
    rating_options.push((
        NOT_A_RATING.to_owned(),
        "Not a rating: leave the cell unrated".to_owned(),
    ));
    let mut details = detail_fields(file_name, scheme.code(), mapping.as_at.as_deref());
    details.push(Field::hidden("scheme_was", scheme.code()));
    ImportPage {
        chrome: Chrome::for_ctx(ctx, "Check the spreadsheet", "overview"),
        file_name: file_name.to_owned(),
        action: format!("{}/imports/{draft_id}", ctx.base()),
        errors: Vec::new(),
        problems: Vec::new(),
        ready: Vec::new(),
        remembered: None,
        sheets,
        columns,
        values,
        rating_options,
        details,
        cancel: format!("{}/imports/new", ctx.base()),
    }
}

async fn draft(state: &AppState, ctx: &Ctx, id: i64) -> Result<(String, Workbook), AppError> {
    let draft = state
        .store
        .get_import_draft(ctx.pid(), ctx.signed_in.user.id, id)
        .await?;
    let workbook: Workbook = serde_json::from_str(&draft.table_json).map_err(corrupt)?;
    Ok((draft.file_name, workbook))
}

/// The key a partnership's choices for a layout are remembered by.
fn layout_key(workbook: &Workbook) -> String {
    use sha2::Digest;
    let digest = sha2::Sha256::digest(tracker::layout_signature(workbook).as_bytes());
    digest.iter().map(|b| format!("{b:02x}")).collect()
}

pub async fn show_import(
    State(state): State<AppState>,
    ctx: Ctx,
    Path((_, id)): Path<(i64, i64)>,
) -> AppResult {
    ctx.require(Capability::EditPlans)?;
    let (file_name, workbook) = draft(&state, &ctx, id).await?;
    let remembered = state
        .store
        .get_import_mapping(ctx.pid(), &layout_key(&workbook))
        .await?;
    let (mapping, note) = match remembered.and_then(|(json, at)| tracker::read_mapping(&json).ok().map(|m| (m, at))) {
        Some((mapping, at)) => (
            tracker::fit(&mapping, &workbook),
            Some(format!(
                "These are the choices made when a file laid out like this one was last imported ({}). Check them and import.",
                at.get(..10).unwrap_or(&at)
            )),
        ),
        None => (tracker::suggest(&workbook), None),
    };
    let mut page = import_page(&ctx, id, &file_name, &workbook, &mapping);
    page.remembered = note;
    html(&page)
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
    let (file_name, workbook) = match draft(&state, &ctx, id).await {
        Ok(found) => found,
        // "Import the plan" sent again after it worked: the draft went with the import.
        Err(AppError::Store(sendplan_storage::StoreError::NotFound))
            if form.get("confirm") == "1" =>
        {
            return Ok(already_imported(&state, &ctx));
        }
        Err(other) => return Err(other),
    };
    let mut errors = FieldErrors::default();
    let mapping = mapping_from_form(&workbook, &form, &mut errors);
    if form.get("download") == "mapping" {
        let stem = file_name
            .rsplit_once('.')
            .map_or(file_name.as_str(), |(s, _)| s);
        let safe: String = stem
            .chars()
            .map(|c| if c.is_ascii_alphanumeric() { c } else { '-' })
            .collect();
        return Ok(download(
            "application/json",
            &format!("{safe}-mapping.json"),
            serde_json::to_vec_pretty(&mapping).map_err(corrupt)?,
        ));
    }
    let mut page = import_page(&ctx, id, &file_name, &workbook, &mapping);
    let mut reader = FormReader::new(&form);
    let title = reader.required("title", "the plan's title", SHORT_TEXT);
    let kind = reader.choice("kind", "the kind of plan", PlanKind::from_code);
    let status = reader.choice("status", "the plan's status", PlanStatus::from_code);
    let details = match reader.finish((kind, status)) {
        Ok((Some(kind), Some(status))) if errors.is_empty() => PlanDetails {
            title,
            kind: kind.code().to_owned(),
            status: status.code().to_owned(),
            ratings: RatingPreset::from_code(&mapping.scheme)
                .unwrap_or(RatingPreset::Rag)
                .ratings(),
            as_at: ctx.today,
        },
        Ok(_) if !errors.is_empty() => return refill(page, &form, errors),
        Ok(_) => {
            return refill(
                page,
                &form,
                FieldErrors::single("title", "Choose the kind and status of the plan"),
            )
        }
        Err(more) => {
            for (field, message) in more.0.iter().map(|e| (e.field.clone(), e.message.clone())) {
                errors.add(field, message);
            }
            return refill(page, &form, errors);
        }
    };
    let target = sheet::target_in(&state.store, ctx.pid(), details).await?;
    let (document, notes) = match tracker::to_document(&workbook, &mapping, &target) {
        Ok(built) => (built.document, built.notes),
        Err(problems) => {
            page.problems = problems
                .iter()
                .map(|p| (p.place(), p.message.clone()))
                .collect();
            let summary = FieldErrors::single(
                "problems",
                format!(
                    "The spreadsheet has {}: they are listed below",
                    count(problems.len(), "problem", "problems")
                ),
            );
            return refill(page, &form, summary);
        }
    };
    let json = serde_json::to_string(&document).map_err(corrupt)?;
    let (document, import) = match sendplan_interchange::read(&json) {
        Ok(read) => read,
        Err(sendplan_interchange::ReadError::Problems(problems)) => {
            page.problems = problems
                .iter()
                .map(|p| (p.at.clone(), p.message.clone()))
                .collect();
            return refill(
                page,
                &form,
                FieldErrors::single(
                    "problems",
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
        let mapping_json = serde_json::to_string(&mapping).map_err(corrupt)?;
        state
            .store
            .save_import_mapping(
                ctx.pid(),
                ctx.signed_in.user.id,
                &layout_key(&workbook),
                &mapping_json,
            )
            .await?;
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
    page.ready = ready_lines(&document, &mapping);
    page.ready
        .splice(page.ready.len() - 1..page.ready.len() - 1, notes);
    refill(page, &form, FieldErrors::default())
}

/// What the import will create, and what it leaves out, in words.
fn ready_lines(
    document: &sendplan_interchange::document::Document,
    mapping: &ImportMapping,
) -> Vec<String> {
    let plan = &document.plans[0];
    let milestones: usize = plan.actions.iter().map(|a| a.milestones.len()).sum();
    let updates: usize = plan.actions.iter().map(|a| a.updates.len()).sum();
    let extra: usize = plan.actions.iter().map(|a| a.extra_fields.len()).sum();
    let to_review = document
        .people
        .iter()
        .filter(|p| p.to_review && p.key.starts_with("review"))
        .count();
    let left_out: Vec<&str> = mapping
        .columns
        .iter()
        .filter(|c| c.column == ColumnUse::Drop)
        .map(|c| c.header.as_str())
        .collect();
    let sheets_left: Vec<&str> = mapping
        .sheets
        .iter()
        .filter(|s| !s.take)
        .map(|s| s.name.as_str())
        .collect();
    let mut lines = vec![
        format!(
            "{} in {}",
            count(plan.actions.len(), "action", "actions"),
            count(plan.areas.len(), "area", "areas")
        ),
        format!(
            "{} and {}",
            count(milestones, "milestone", "milestones"),
            count(updates, "dated progress rating", "dated progress ratings")
        ),
        format!(
            "{} kept from columns sendplan has no field for",
            count(extra, "extra value", "extra values")
        ),
        format!(
            "{} not yet known, to be added for review",
            count(to_review, "lead", "leads")
        ),
    ];
    if !left_out.is_empty() {
        lines.push(format!(
            "Columns left out by your choice: {}",
            left_out.join(", ")
        ));
    }
    if !sheets_left.is_empty() {
        lines.push(format!("Sheets left out: {}", sheets_left.join(", ")));
    }
    lines.push("Choose \u{2018}Import the plan\u{2019} at the end of this page.".to_owned());
    lines
}

/// Shows the page with what was chosen kept and any errors (status 422 when there are).
fn refill(mut page: ImportPage, form: &RawForm, errors: FieldErrors) -> AppResult {
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

pub(super) fn download(content_type: &'static str, file_name: &str, bytes: Vec<u8>) -> Response {
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
            sheet_export::plan_to_xlsx(&sheet_export::plan_sheets(&document))
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
