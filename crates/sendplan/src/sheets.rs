//! `sendplan import` for spreadsheets: the columns are mapped from their headers, and what
//! a spreadsheet does not say (which partnership, the plan's title and rating scheme) comes
//! from the command's options.

use crate::SheetOptions;
use anyhow::{bail, Context, Result};
use sendplan_domain::rating::RatingPreset;
use sendplan_domain::PartnershipId;
use sendplan_interchange::document::{Document, Organisation, Partnership, Person};
use sendplan_interchange::sheet::{
    read_table, suggest_mapping, table_to_document, Field, SheetTarget,
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
    let partnership = store
        .get_partnership(PartnershipId(partnership))
        .await
        .map_err(|_| {
            anyhow::anyhow!(
                "there is no partnership with id {partnership} (see `sendplan partnerships`)"
            )
        })?;
    let table = read_table(bytes, name)
        .with_context(|| format!("{name} was not imported; nothing was changed"))?;
    let mapping = suggest_mapping(&table);
    let people = store.list_people(partnership.id).await?;
    let organisations = store.list_organisations(partnership.id).await?;
    let target = SheetTarget {
        partnership: Partnership {
            name: partnership.name.clone(),
            la_code: partnership.la_code.clone(),
        },
        people: people
            .iter()
            .map(|p| Person {
                key: format!("known{}", p.id),
                name: (!p.name.is_empty()).then(|| p.name.clone()),
                job_title: (!p.job_title.is_empty()).then(|| p.job_title.clone()),
                organisation: p.organisation_id.map(|o| format!("org{o}")),
                short_code: (!p.short_code.is_empty()).then(|| p.short_code.clone()),
                email: (!p.email.is_empty()).then(|| p.email.clone()),
                to_review: p.to_review,
            })
            .collect(),
        organisations: organisations
            .iter()
            .map(|o| Organisation {
                key: format!("org{}", o.id),
                name: o.name.clone(),
                kind: o.kind.code().to_owned(),
            })
            .collect(),
        title,
        kind: options.kind.clone(),
        status: options.status.clone(),
        ratings: preset.ratings(),
        as_at: time::OffsetDateTime::now_utc().date(),
    };
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
