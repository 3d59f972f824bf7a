//! Files into and out of a measure: spreadsheets of its values and of its targets (all
//! rows or none, every problem by row), and the DfE's published EHC plan statistics as
//! comparators.

use super::measures::may_record;
use super::saved;
use crate::auth::Ctx;
use crate::errors::{AppError, AppResult};
use crate::forms::{Choice, Field, SPREADSHEETS};
use crate::pages::FormPage;
use crate::upload::{Upload, Uploaded};
use crate::views::Chrome;
use crate::AppState;
use axum::extract::{Path, State};
use sendplan_domain::access::Capability;
use sendplan_domain::input::{FieldErrors, RawForm};
use sendplan_domain::measures::{
    parse_target_rows, parse_value_rows, DataPointInput, DataStatus, Measure,
};
use sendplan_domain::periods::Frequency;
use sendplan_domain::MeasureId;
use sendplan_interchange::dfe::{self, Statistic, StatisticsPeriod};

/// Reads the uploaded spreadsheet's rows with `columns` and checks them with `check`: the
/// result, or the errors to show against the file field (every problem by its row).
fn checked_rows<R, T>(
    file: Option<(String, Vec<u8>)>,
    missing: &str,
    columns: fn(&sendplan_interchange::sheet::Table) -> Result<Vec<R>, String>,
    check: impl FnOnce(&[R]) -> Result<T, Vec<(usize, String)>>,
) -> Result<(String, T), FieldErrors> {
    let Some((file_name, bytes)) = file else {
        return Err(FieldErrors::single("file", missing));
    };
    let rows = sendplan_interchange::sheet::read_table(&bytes, &file_name)
        .map_err(|e| e.to_string())
        .and_then(|table| columns(&table))
        .map_err(|message| FieldErrors::single("file", message))?;
    check(&rows)
        .map(|checked| (file_name, checked))
        .map_err(|problems| {
            let mut errors = FieldErrors::default();
            for (line, message) in problems {
                errors.add("file", format!("Row {line}: {message}"));
            }
            errors
        })
}

/// An upload form about `measure`: its name as the caption, back to the measure on cancel.
fn measure_upload_page(
    ctx: &Ctx,
    measure: &Measure,
    (title, heading): (&str, &str),
    path: &str,
    fields: Vec<Field>,
    (submit, intro): (&str, &str),
) -> FormPage {
    let mut page = FormPage::new(
        Chrome::for_ctx(ctx, title, "overview"),
        heading,
        format!("{}/{path}", measure_href(ctx, measure)),
        fields,
    )
    .caption(measure.name.clone())
    .submit(submit)
    .cancel(measure_href(ctx, measure))
    .intro(intro);
    page.multipart = true;
    page
}

/// The measure `id`, for someone who may edit plans.
async fn editable_measure(state: &AppState, ctx: &Ctx, id: i64) -> Result<Measure, AppError> {
    ctx.require(Capability::EditPlans)?;
    Ok(state.store.get_measure(ctx.pid(), MeasureId(id)).await?)
}

fn measure_href(ctx: &Ctx, measure: &Measure) -> String {
    format!("{}/measures/{}", ctx.base(), measure.id)
}

fn values_page(ctx: &Ctx, measure: &Measure) -> FormPage {
    let file = Field::file("file", "Spreadsheet of values", SPREADSHEETS).hint(&format!(
        "An Excel workbook (.xlsx) or CSV file with a column headed Period (written like {}) and one headed Value, in {}. Status (provisional or final) and Note columns are read if they are there.",
        measure.frequency.example(),
        measure.unit.label().to_lowercase()
    ));
    measure_upload_page(
        ctx,
        measure,
        ("Import values", "Import values from a spreadsheet"),
        "values/import",
        vec![file],
        ("Import the values", "Every row is checked first: if any row has a problem, nothing is recorded and each problem is listed by its row. A period that already has a value is revised, and the earlier value is kept. The file this measure downloads can be edited and imported again."),
    )
}

pub async fn new_values_import(
    State(state): State<AppState>,
    ctx: Ctx,
    Path((_, id)): Path<(i64, i64)>,
) -> AppResult {
    let measure = state.store.get_measure(ctx.pid(), MeasureId(id)).await?;
    if !may_record(&state, &ctx, &measure).await? {
        return Err(ctx.refuse(Capability::UpdateAnyAction));
    }
    crate::pages::html(&values_page(&ctx, &measure))
}

pub async fn import_values(
    State(state): State<AppState>,
    ctx: Ctx,
    Path((_, id)): Path<(i64, i64)>,
    upload: Upload,
) -> AppResult {
    let measure = state.store.get_measure(ctx.pid(), MeasureId(id)).await?;
    if !may_record(&state, &ctx, &measure).await? {
        return Err(ctx.refuse(Capability::UpdateAnyAction));
    }
    let page = values_page(&ctx, &measure);
    let Uploaded { form, file } = upload.read().await?;
    let refuse = |page: FormPage, errors: FieldErrors| page.with_errors(&form, errors);
    let checked = checked_rows(
        file,
        "Select a spreadsheet of values to upload",
        sendplan_interchange::measure_sheet::value_rows,
        |rows| parse_value_rows(rows, measure.unit, measure.frequency),
    );
    let (file_name, inputs) = match checked {
        Ok(checked) => checked,
        Err(errors) => return refuse(page, errors),
    };
    let (recorded, unchanged) = state
        .store
        .record_data_points(ctx.actor(), ctx.pid(), measure.id, &inputs)
        .await?;
    Ok(saved(
        &state,
        &measure_href(&ctx, &measure),
        &format!(
            "{recorded} value{} recorded from {file_name}{}",
            if recorded == 1 { "" } else { "s" },
            if unchanged > 0 {
                format!("; {unchanged} already had the same value")
            } else {
                String::new()
            }
        ),
    ))
}

fn comparators_page(ctx: &Ctx, measure: &Measure) -> FormPage {
    let mut fields = vec![
        Field::radios(
            "statistic",
            "Which statistic does this measure compare with?",
            Statistic::ALL.iter().map(|s| Choice::new(s.code(), s.label())).collect(),
        ),
        Field::text("others", "Other local authorities to compare with (optional)").hint(
            "Their codes, such as your statistical neighbours', separated by commas: E08000025, E08000029. Each is shown, and with two or more, their average.",
        ),
        Field::file("file", "The DfE data file (CSV)", ".csv,text/csv").hint(
            "From the Department for Education's \"Education, health and care plans\" statistics on explore-education-statistics.service.gov.uk: the timeliness file for the 20-week measures, the requests file for requests, the caseload file for plans in place.",
        ),
    ];
    if measure.frequency == Frequency::CalendarYear {
        fields.push(Field::checkboxes(
            "record_local",
            "Your local authority's figures",
            vec![Choice::new(
                "yes",
                "Also record the local authority's published figures as this measure's values",
            )],
        ));
    }
    measure_upload_page(
        ctx,
        measure,
        ("Compare with national statistics", "Compare with national statistics"),
        "comparators/new",
        fields,
        ("Add the comparators", "sendplan reads England's figures and your region's from the file and shows them on the measure's chart and table, with your local authority's own published figures beside them (or recorded as the measure's values, if you choose). Figures the DfE suppressed stay blank, never zero. Loading a file again replaces the figures for the same periods."),
    )
}

pub async fn new_comparators(
    State(state): State<AppState>,
    ctx: Ctx,
    Path((_, id)): Path<(i64, i64)>,
) -> AppResult {
    let measure = editable_measure(&state, &ctx, id).await?;
    crate::pages::html(&comparators_page(&ctx, &measure))
}

pub async fn add_comparators(
    State(state): State<AppState>,
    ctx: Ctx,
    Path((_, id)): Path<(i64, i64)>,
    upload: Upload,
) -> AppResult {
    let measure = editable_measure(&state, &ctx, id).await?;
    let page = comparators_page(&ctx, &measure);
    let Uploaded { form, file } = upload.read().await?;
    let mut errors = FieldErrors::default();
    let statistic = Statistic::from_code(form.get("statistic"));
    if statistic.is_none() {
        errors.add(
            "statistic",
            "Choose the statistic this measure compares with",
        );
    }
    if file.is_none() {
        errors.add("file", "Select the DfE data file to upload");
    }
    let (Some(statistic), Some((file_name, bytes))) = (statistic, file) else {
        return page.with_errors(&form, errors);
    };
    let la_code = state.store.get_partnership(ctx.pid()).await?.la_code;
    let text = String::from_utf8_lossy(&bytes);
    let source = format!("DfE, {file_name}");
    let figures = match dfe::read_statistics(&text, statistic) {
        Ok(figures) => figures,
        Err(e) => return page.with_errors(&form, FieldErrors::single("file", e.to_string())),
    };
    let comparison = match dfe::comparison(&figures, &la_code, &source) {
        Ok(c) => c,
        Err(message) => return page.with_errors(&form, FieldErrors::single("file", message)),
    };
    let others: Vec<&str> = form
        .get("others")
        .split([',', ' ', ';'])
        .map(str::trim)
        .filter(|c| !c.is_empty())
        .collect();
    let chosen = if others.is_empty() {
        vec![]
    } else {
        match dfe::chosen_authorities(&figures, &others, &source) {
            Ok(chosen) => chosen,
            Err(message) => return page.with_errors(&form, FieldErrors::single("others", message)),
        }
    };
    if let Some(bad) = comparison
        .comparators
        .iter()
        .chain(&comparison.published)
        .filter_map(|c| c.value)
        .find(|v| measure.unit.check(*v).is_err())
    {
        return page.with_errors(
            &form,
            FieldErrors::single(
                "statistic",
                format!(
                    "The file's figures (such as {bad}) are not {}: choose the statistic that matches this measure",
                    measure.unit.label().to_lowercase()
                ),
            ),
        );
    }
    // The authority's own published figures are either its values or, for a measure
    // counted its own way, one more comparator.
    let record_local =
        form.get("record_local") == "yes" && measure.frequency == Frequency::CalendarYear;
    let mut comparators = comparison.comparators.clone();
    if !record_local {
        comparators.extend(comparison.published.iter().cloned());
    }
    comparators.extend(chosen);
    let loaded = state
        .store
        .set_comparators(ctx.actor(), ctx.pid(), measure.id, &comparators)
        .await?;
    let mut message = format!("{loaded} comparator figures added from {file_name}");
    if record_local {
        let inputs: Vec<DataPointInput> = comparison
            .local
            .iter()
            .filter_map(|(period, value)| match (period, value) {
                (StatisticsPeriod::Calendar(year), Some(value)) => Some((year, *value)),
                _ => None,
            })
            .filter_map(|(year, value)| {
                Some(DataPointInput {
                    period: Frequency::CalendarYear
                        .parse_period(&year.to_string())
                        .ok()?,
                    value,
                    status: DataStatus::Final,
                    note: format!("{} published figure ({source})", comparison.name),
                })
            })
            .collect();
        let (recorded, _) = state
            .store
            .record_data_points(ctx.actor(), ctx.pid(), measure.id, &inputs)
            .await?;
        message.push_str(&format!(", and {recorded} values recorded"));
    }
    Ok(saved(&state, &measure_href(&ctx, &measure), &message))
}

fn targets_page(ctx: &Ctx, measure: &Measure) -> FormPage {
    let file = Field::file("file", "Spreadsheet of targets", SPREADSHEETS).hint(&format!(
        "An Excel workbook (.xlsx) or CSV file with a column headed Date (written as plans write dates, like June 2023, or 2023-06-30) and one headed Value, in {}.",
        measure.unit.label().to_lowercase()
    ));
    measure_upload_page(
        ctx,
        measure,
        ("Import targets", "Import targets from a spreadsheet"),
        "targets/import",
        vec![Field::hidden("version", measure.version), file],
        ("Replace the targets", "The file's targets replace the measure's targets and interim trajectory points. Every row is checked first, and the targets must come after the baseline; if anything is wrong, nothing changes. The measure's history keeps the targets it had."),
    )
}

pub async fn new_targets_import(
    State(state): State<AppState>,
    ctx: Ctx,
    Path((_, id)): Path<(i64, i64)>,
) -> AppResult {
    let measure = editable_measure(&state, &ctx, id).await?;
    crate::pages::html(&targets_page(&ctx, &measure))
}

pub async fn import_targets(
    State(state): State<AppState>,
    ctx: Ctx,
    Path((_, id)): Path<(i64, i64)>,
    upload: Upload,
) -> AppResult {
    let measure = editable_measure(&state, &ctx, id).await?;
    let page = targets_page(&ctx, &measure);
    let Uploaded { form, file } = upload.read().await?;
    let checked = checked_rows(
        file,
        "Select a spreadsheet of targets to upload",
        sendplan_interchange::measure_sheet::target_rows,
        |rows| parse_target_rows(rows, measure.unit),
    );
    let (file_name, targets) = match checked {
        Ok(checked) => checked,
        Err(errors) => return page.with_errors(&form, errors),
    };
    let version = form.get("version").parse().unwrap_or(-1);
    let count = targets.len();
    match state
        .store
        .set_targets(ctx.actor(), ctx.pid(), measure.id, version, targets)
        .await
    {
        Ok(()) => Ok(saved(
            &state,
            &measure_href(&ctx, &measure),
            &format!("{count} target{} set from {file_name}", if count == 1 { "" } else { "s" }),
        )),
        Err(sendplan_storage::StoreError::Rule(message)) => {
            page.with_errors(&form, FieldErrors::single("file", message))
        }
        Err(sendplan_storage::StoreError::Conflict) => page.with_errors(
            &form,
            FieldErrors::single(
                "file",
                "Someone changed this measure after you opened this page: look at its targets, then upload the file again",
            ),
        ),
        Err(other) => Err(other.into()),
    }
}

/// A measure's targets as CSV or Excel, in the layout the targets import reads.
pub async fn export_targets(
    State(state): State<AppState>,
    ctx: Ctx,
    Path((_, id)): Path<(i64, i64)>,
    axum::extract::Query(query): axum::extract::Query<Vec<(String, String)>>,
) -> AppResult {
    let measure = state.store.get_measure(ctx.pid(), MeasureId(id)).await?;
    let head = ["Date", "Value"];
    let rows: Vec<Vec<String>> = measure
        .trajectory
        .targets
        .iter()
        .map(|t| vec![t.date.to_string(), t.value.to_string()])
        .collect();
    super::measures::download(
        &format!("measure-{}-targets", measure.id),
        "Targets",
        &head,
        &rows,
        RawForm(query).get("format"),
    )
}
