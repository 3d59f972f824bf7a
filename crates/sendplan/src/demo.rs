//! The demonstration partnership for `sendplan serve --demo`: the Wolverhampton Written
//! Statement of Action (seed 000) and the inspection letter it answers (seed 001),
//! transcribed in `demo/wolverhampton.json`.
//!
//! The published plan has no progress entries, so the demo adds a few progress updates of
//! its own, each saying plainly that it is illustrative, so the pages have ratings to show.

use anyhow::{Context, Result};
use sendplan_domain::access::Role;
use sendplan_domain::input::*;
use sendplan_domain::inspection::{FindingHeading, FindingKind, Framework, InspectionOutcome};
use sendplan_domain::numbering::ItemNumber;
use sendplan_domain::partnership::OrganisationKind;
use sendplan_domain::plan::{PlanKind, PlanStatus, Resource, ResourceKind};
use sendplan_domain::rating::RatingPreset;
use sendplan_domain::*;
use sendplan_storage::{Actor, Store};
use serde::Deserialize;
use std::collections::HashMap;
use time::Date;

const DEMO_JSON: &str = include_str!("../demo/wolverhampton.json");
/// `.invalid` can never be a real address (RFC 2606).
pub const DEMO_EMAIL: &str = "demo@sendplan.invalid";

#[derive(Deserialize)]
struct Demo {
    partnership: PartnershipJson,
    organisations: Vec<OrganisationJson>,
    people: Vec<PersonJson>,
    inspection: InspectionJson,
    plan: PlanJson,
}

#[derive(Deserialize)]
struct PartnershipJson {
    name: String,
    la_code: String,
}

#[derive(Deserialize)]
struct OrganisationJson {
    key: String,
    name: String,
    kind: String,
}

#[derive(Deserialize)]
struct PersonJson {
    key: String,
    name: Option<String>,
    job_title: String,
    organisation: Option<String>,
    short_code: Option<String>,
}

#[derive(Deserialize)]
struct InspectionJson {
    framework: String,
    start_date: Date,
    end_date: Date,
    published_date: Option<Date>,
    outcome: String,
    inspectors: String,
    main_findings: String,
    findings: Vec<FindingJson>,
}

#[derive(Deserialize)]
struct FindingJson {
    key: String,
    kind: String,
    heading: Option<String>,
    text: String,
}

#[derive(Deserialize)]
struct PlanJson {
    kind: String,
    title: String,
    period_start: Option<Date>,
    period_end: Option<Date>,
    status: String,
    rating_preset: String,
    areas: Vec<AreaJson>,
}

#[derive(Deserialize)]
struct AreaJson {
    number: String,
    title: String,
    findings: Vec<String>,
    senior_responsible_officer: Option<String>,
    outcomes: String,
    actions: Vec<ActionJson>,
}

#[derive(Deserialize)]
struct ActionJson {
    number: String,
    description: String,
    leads: Vec<String>,
    partners: Vec<String>,
    evidence_of_success: Option<String>,
    accountability_measures: Option<String>,
    intended_outcome: Option<String>,
    resources: Vec<ResourceJson>,
    milestones: Vec<MilestoneJson>,
    completion_date: Option<Date>,
    depends_on: Vec<String>,
}

#[derive(Deserialize)]
struct ResourceJson {
    kind: String,
    description: String,
    amount_pence: Option<i64>,
}

#[derive(Deserialize)]
struct MilestoneJson {
    title: String,
    due_date: Option<Date>,
}

fn code<T>(value: &str, parse: fn(&str) -> Option<T>, what: &str) -> Result<T> {
    parse(value).with_context(|| format!("unknown {what} {value:?} in the demo data"))
}

/// Loads the demo partnership if it is not there yet, and gives the demo account a new
/// password. Returns the account's email and password.
pub async fn load(store: &Store) -> Result<(String, String)> {
    let demo: Demo = serde_json::from_str(DEMO_JSON).context("the demo data is not valid")?;
    let password = generate_password();
    let hash = sendplan_web::hash_password(&password).map_err(anyhow::Error::msg)?;
    let user = match store.find_user_by_email(DEMO_EMAIL).await? {
        Some(user) => {
            store.set_password(user.id, &hash).await?;
            user.id
        }
        None => {
            store
                .create_user(DEMO_EMAIL, "Demo administrator", &hash, false)
                .await?
        }
    };
    let existing = store
        .list_partnerships()
        .await?
        .into_iter()
        .find(|p| p.la_code == demo.partnership.la_code);
    if existing.is_none() {
        load_partnership(store, &demo, user).await?;
    }
    Ok((DEMO_EMAIL.to_owned(), password))
}

async fn load_partnership(store: &Store, demo: &Demo, user: UserId) -> Result<()> {
    let actor = Actor(None);
    let partnership = store
        .create_partnership(
            actor,
            &PartnershipInput {
                name: demo.partnership.name.clone(),
                la_code: demo.partnership.la_code.clone(),
            },
        )
        .await?;
    let mut organisations = HashMap::new();
    for o in &demo.organisations {
        let kind = code(&o.kind, OrganisationKind::from_code, "organisation kind")?;
        let id = store
            .create_organisation(
                actor,
                partnership,
                &OrganisationInput {
                    name: o.name.clone(),
                    kind,
                },
            )
            .await?;
        organisations.insert(o.key.clone(), id);
    }
    let mut people = HashMap::new();
    for p in &demo.people {
        let input = PersonInput {
            name: p.name.clone().unwrap_or_default(),
            job_title: p.job_title.clone(),
            organisation_id: p
                .organisation
                .as_ref()
                .and_then(|o| organisations.get(o).copied()),
            short_code: p.short_code.clone().unwrap_or_default(),
            email: String::new(),
        };
        people.insert(
            p.key.clone(),
            store.create_person(actor, partnership, &input).await?,
        );
    }
    let i = &demo.inspection;
    let inspection = store
        .create_inspection(
            actor,
            partnership,
            &InspectionInput {
                framework: code(&i.framework, Framework::from_code, "framework")?,
                start_date: i.start_date,
                end_date: i.end_date,
                published_date: i.published_date,
                outcome: code(&i.outcome, InspectionOutcome::from_code, "outcome")?,
                inspectors: i.inspectors.clone(),
                main_findings: i.main_findings.clone(),
            },
        )
        .await?;
    let mut findings = HashMap::new();
    for f in &i.findings {
        let input = FindingInput {
            kind: code(&f.kind, FindingKind::from_code, "finding kind")?,
            heading: f
                .heading
                .as_deref()
                .map(|h| code(h, FindingHeading::from_code, "heading"))
                .transpose()?,
            text: f.text.clone(),
        };
        findings.insert(
            f.key.clone(),
            store
                .add_finding(actor, partnership, inspection, &input)
                .await?,
        );
    }
    let p = &demo.plan;
    let preset = code(&p.rating_preset, RatingPreset::from_code, "rating preset")?;
    let plan = store
        .create_plan(
            actor,
            partnership,
            &PlanInput {
                kind: code(&p.kind, PlanKind::from_code, "plan kind")?,
                title: p.title.clone(),
                period_start: p.period_start,
                period_end: p.period_end,
                inspection_id: Some(inspection),
                status: code(&p.status, PlanStatus::from_code, "plan status")?,
                stale_after_days: sendplan_domain::plan::DEFAULT_STALE_AFTER_DAYS,
                rating_preset: Some(preset),
            },
            &preset.ratings(),
        )
        .await?;
    let created_on = p.period_start.unwrap_or(i.end_date);
    let mut actions = Vec::new();
    let mut numbers = HashMap::new();
    for a in &p.areas {
        let area = store
            .create_area(
                actor,
                partnership,
                plan,
                &AreaInput {
                    number: ItemNumber::parse(&a.number)?,
                    title: a.title.clone(),
                    senior_responsible_officer: a
                        .senior_responsible_officer
                        .as_ref()
                        .and_then(|k| people.get(k).copied()),
                    outcomes: a.outcomes.clone(),
                    findings: a
                        .findings
                        .iter()
                        .filter_map(|k| findings.get(k).copied())
                        .collect(),
                },
            )
            .await?;
        for action in &a.actions {
            let mut impact = Vec::new();
            if let Some(measures) = action
                .accountability_measures
                .as_deref()
                .filter(|m| !m.is_empty())
            {
                impact.push(format!("Accountability measures: {measures}"));
            }
            if let Some(outcome) = action.intended_outcome.as_deref().filter(|o| !o.is_empty()) {
                impact.push(format!("Intended outcome and impact: {outcome}"));
            }
            let input = ActionInput {
                objective_id: None,
                number: ItemNumber::parse(&action.number)?,
                description: action.description.clone(),
                leads: action
                    .leads
                    .iter()
                    .filter_map(|k| people.get(k).copied())
                    .collect(),
                partner_people: Vec::new(),
                partner_organisations: action
                    .partners
                    .iter()
                    .filter_map(|k| organisations.get(k).copied())
                    .collect(),
                resources: action
                    .resources
                    .iter()
                    .map(|r| Resource {
                        kind: if r.kind == "additional" {
                            ResourceKind::Additional
                        } else {
                            ResourceKind::Existing
                        },
                        description: r.description.clone(),
                        amount_pence: r.amount_pence,
                    })
                    .collect(),
                evidence_of_success: action.evidence_of_success.clone().unwrap_or_default(),
                impact_measures: impact.join("\n\n"),
                start_date: None,
                completion_date: action.completion_date,
                depends_on: action
                    .depends_on
                    .iter()
                    .filter_map(|n| numbers.get(n).copied())
                    .collect(),
            };
            let id = store
                .create_action(actor, partnership, area, &input, created_on)
                .await?;
            numbers.insert(action.number.clone(), id);
            for m in &action.milestones {
                let milestone = MilestoneInput {
                    title: m.title.clone(),
                    due_date: m.due_date,
                    success_criteria: String::new(),
                    done_date: None,
                };
                store
                    .create_milestone(actor, partnership, id, &milestone)
                    .await?;
            }
            actions.push((
                id,
                action.leads.first().and_then(|k| people.get(k).copied()),
            ));
        }
    }
    // The demo account administers the partnership and stands for the most frequent lead, so that
    // "My actions" has something to show.
    let mut lead_counts: HashMap<PersonId, usize> = HashMap::new();
    for (_, lead) in &actions {
        if let Some(lead) = lead {
            *lead_counts.entry(*lead).or_default() += 1;
        }
    }
    let busiest = lead_counts
        .into_iter()
        .max_by_key(|(id, n)| (*n, std::cmp::Reverse(id.0)))
        .map(|(id, _)| id);
    store
        .grant_role(actor, user, partnership, Role::Admin, busiest)
        .await?;
    add_illustrative_updates(store, partnership, plan, user, &actions).await
}

/// A spread of ratings across the plan, dated over the last three months. Every one says
/// it is illustrative: the published plan records no progress.
async fn add_illustrative_updates(
    store: &Store,
    partnership: PartnershipId,
    plan: PlanId,
    user: UserId,
    actions: &[(ActionId, Option<PersonId>)],
) -> Result<()> {
    let ratings = store.list_ratings(partnership, plan).await?;
    let by_label = |label: &str| ratings.iter().find(|r| r.label == label).map(|r| r.id);
    let pattern = [
        "GREEN", "AMBER", "GREEN", "BLUE", "RED", "GREEN", "PINK", "", "AMBER", "GREEN",
    ];
    let today = time::OffsetDateTime::now_utc().date();
    for (n, (action, _)) in actions.iter().enumerate() {
        let Some(rating) = by_label(pattern[n % pattern.len()]) else {
            continue;
        };
        let days_ago = (n * 37 % 90) as i64;
        let input = UpdateInput {
            update_date: today - time::Duration::days(days_ago),
            rating_id: rating,
            narrative: "Illustrative update added by the sendplan demonstration: the published plan records no progress.".to_owned(),
            evidence_links: Vec::new(),
        };
        store
            .add_update(Actor(Some(user)), partnership, *action, &input)
            .await?;
    }
    Ok(())
}

/// A password of 20 characters from an alphabet without look-alike characters.
fn generate_password() -> String {
    const ALPHABET: &[u8] = b"abcdefghjkmnpqrstuvwxyzABCDEFGHJKMNPQRSTUVWXYZ23456789";
    let mut bytes = [0u8; 20];
    getrandom::fill(&mut bytes)
        .expect("the operating system's random number generator is available");
    bytes
        .iter()
        .map(|b| ALPHABET[*b as usize % ALPHABET.len()] as char)
        .collect()
}
