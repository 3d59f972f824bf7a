//! `sendplan import` for spreadsheets: the sheets, columns and rating values are mapped as
//! the check page maps them (suggested, or from `--mapping`), the mapping is printed, and
//! what a spreadsheet does not say (which partnership, the plan's title) comes from the
//! command's options.

use crate::SheetOptions;
use anyhow::{bail, Context, Result};
use sendplan_domain::rating::RatingPreset;
use sendplan_domain::PartnershipId;
use sendplan_interchange::document::Document;
use sendplan_interchange::sheet::tracker::{self, ImportMapping};
use sendplan_interchange::sheet::{read_workbook, target_in, PlanDetails};
use sendplan_storage::Store;

/// The mapping to import with: the file given (fitted to this workbook), else the
/// suggestion, with the command's scheme and "as at" date over either.
fn mapping_for(
    workbook: &sendplan_interchange::sheet::Workbook,
    options: &SheetOptions,
) -> Result<ImportMapping> {
    let mut mapping = match &options.mapping {
        Some(path) => {
            let text = std::fs::read_to_string(path)
                .with_context(|| format!("cannot read the mapping file {}", path.display()))?;
            let given = tracker::read_mapping(&text)
                .map_err(|e| anyhow::anyhow!("{}: {e}", path.display()))?;
            tracker::fit(&given, workbook)
        }
        None => tracker::suggest(workbook),
    };
    if let Some(code) = &options.ratings {
        let Some(preset) = RatingPreset::from_code(code) else {
            bail!(
                "unknown rating scheme {code:?}: use wolverhampton, warwickshire, rag or five_step"
            )
        };
        if preset.code() != mapping.scheme {
            mapping.scheme = preset.code().to_owned();
            let found = tracker::all_rating_values(workbook, &mapping);
            mapping.ratings = tracker::suggest_ratings(&found, &preset.ratings());
        }
    }
    if let Some(as_at) = &options.as_at {
        let day = time::Date::parse(as_at, &time::format_description::well_known::Iso8601::DATE)
            .map_err(|_| {
                anyhow::anyhow!("--as-at {as_at:?} is not a date; write it as 2022-03-31")
            })?;
        mapping.as_at = Some(day.to_string());
    }
    Ok(mapping)
}

pub async fn to_document(
    store: &Store,
    bytes: &[u8],
    name: &str,
    options: &SheetOptions,
) -> Result<Document> {
    let Some(partnership) = options.partnership else {
        bail!("say which partnership the plan belongs to: --partnership ID (see `sendplan partnerships`)")
    };
    let Some(title) = options.title.clone() else {
        bail!("give the plan a title: --title \"...\"")
    };
    let workbook = read_workbook(bytes, name)
        .with_context(|| format!("{name} was not imported; nothing was changed"))?;
    let mapping = mapping_for(&workbook, options)?;
    println!("How {name} is read:");
    for line in tracker::describe(&mapping) {
        println!("  {line}");
    }
    if let Some(path) = &options.save_mapping {
        std::fs::write(path, serde_json::to_vec_pretty(&mapping)?)
            .with_context(|| format!("cannot write the mapping to {}", path.display()))?;
        println!(
            "The mapping is written to {}; change it and import again with --mapping.",
            path.display()
        );
    }
    let preset = RatingPreset::from_code(&mapping.scheme).unwrap_or(RatingPreset::Rag);
    let details = PlanDetails {
        title,
        kind: options.kind.clone(),
        status: options.status.clone(),
        ratings: preset.ratings(),
        as_at: time::OffsetDateTime::now_utc().date(),
    };
    let target = target_in(store, PartnershipId(partnership), details)
        .await
        .map_err(|_| {
            anyhow::anyhow!(
                "there is no partnership with id {partnership} (see `sendplan partnerships`)"
            )
        })?;
    let built = tracker::to_document(&workbook, &mapping, &target).map_err(|problems| {
        let lines: Vec<String> = problems.iter().map(|p| format!("  {p}")).collect();
        anyhow::anyhow!(
            "{name} was not imported; nothing was changed. {} problem(s):\n{}\nChange the file, or write the mapping with --save-mapping, change it and import with --mapping.",
            problems.len(),
            lines.join("\n"),
        )
    })?;
    for note in &built.notes {
        println!("  {note}");
    }
    Ok(built.document)
}
