//! `sendplan import` for spreadsheets: the columns are mapped from their headers, and what
//! a spreadsheet does not say (which partnership, the plan's title and rating scheme) comes
//! from the command's options.

use crate::SheetOptions;
use anyhow::{bail, Context, Result};
use sendplan_domain::rating::RatingPreset;
use sendplan_domain::PartnershipId;
use sendplan_interchange::document::Document;
use sendplan_interchange::sheet::{
    read_table, suggest_mapping, table_to_document, target_in, Field, PlanDetails,
};
use sendplan_storage::Store;

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
    let Some(preset) = RatingPreset::from_code(&options.ratings) else {
        bail!(
            "unknown rating scheme {:?}: use wolverhampton, warwickshire, rag or five_step",
            options.ratings
        )
    };
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
    let table = read_table(bytes, name)
        .with_context(|| format!("{name} was not imported; nothing was changed"))?;
    let mapping = suggest_mapping(&table);
    table_to_document(&table, &mapping, &target).map_err(|problems| {
        let recognised: Vec<String> = mapping.iter().map(|(field, column)| format!("{} = \"{}\"", field.label(), table.headers[*column])).collect();
        let lines: Vec<String> = problems.iter().map(|p| format!("  {p}")).collect();
        anyhow::anyhow!(
            "{name} was not imported; nothing was changed. {} problem(s):\n{}\nColumns recognised: {}.\nRequired: {}.",
            problems.len(),
            lines.join("\n"),
            if recognised.is_empty() { "none".to_owned() } else { recognised.join(", ") },
            Field::REQUIRED.iter().map(|f| f.label()).collect::<Vec<_>>().join(", ")
        )
    })
}
