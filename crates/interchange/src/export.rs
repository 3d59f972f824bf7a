//! Writing a stored plan out as an interchange document. Keys are made from positions
//! (`o1`, `p3`, `f12`), so exporting, importing and exporting again gives the same file.

use crate::document::*;
use sendplan_domain::input::long_date;
use sendplan_domain::plan::format_pounds;
use sendplan_domain::{PartnershipId, PlanId};
use sendplan_storage::{Store, StoreError};
use std::collections::HashMap;
use time::Date;

fn some(text: &str) -> Option<String> {
    (!text.is_empty()).then(|| text.to_owned())
}

/// The date text to write: the words the plan used, else the date itself.
fn written(text: &str, date: Option<Date>) -> Option<String> {
    some(text).or_else(|| date.map(|d| d.to_string()))
}

/// The document for one plan of a partnership, with everything it refers to: its
/// inspection and the interventions that concern it.
pub async fn export_plan(
    store: &Store,
    partnership: PartnershipId,
    plan_id: PlanId,
) -> Result<Document, StoreError> {
    let plan = store.get_plan(partnership, plan_id).await?;
    let inspections: Vec<_> = plan.inspection_id.into_iter().collect();
    let source = plan.title.clone();
    export(store, partnership, vec![plan], inspections, false, &source).await
}

/// The document for a partnership's whole history: every inspection with its findings,
/// revisits and monitoring inspections, every plan (archived ones too) and every
/// intervention and review.
pub async fn export_partnership(
    store: &Store,
    partnership: PartnershipId,
) -> Result<Document, StoreError> {
    let plans = store.list_every_plan(partnership).await?;
    let mut inspections = store.list_inspections(partnership).await?;
    inspections.sort_by_key(|i| (i.start_date, i.id));
    let source = format!(
        "{}: the partnership's history",
        store.get_partnership(partnership).await?.name
    );
    export(
        store,
        partnership,
        plans,
        inspections.iter().map(|i| i.id).collect(),
        true,
        &source,
    )
    .await
}

async fn export(
    store: &Store,
    partnership: PartnershipId,
    plans: Vec<sendplan_domain::plan::Plan>,
    inspection_ids: Vec<sendplan_domain::InspectionId>,
    every_intervention: bool,
    source: &str,
) -> Result<Document, StoreError> {
    let p = store.get_partnership(partnership).await?;
    let organisations = store.list_organisations(partnership).await?;
    let people = store.list_people(partnership).await?;
    let organisation_keys: HashMap<_, _> = organisations
        .iter()
        .enumerate()
        .map(|(i, o)| (o.id, format!("o{}", i + 1)))
        .collect();
    let person_keys: HashMap<_, _> = people
        .iter()
        .enumerate()
        .map(|(i, x)| (x.id, format!("p{}", i + 1)))
        .collect();

    let mut inspections = Vec::new();
    let mut inspection_keys = HashMap::new();
    let mut finding_keys = HashMap::new();
    for (n, inspection_id) in inspection_ids.iter().enumerate() {
        let key = format!("i{}", n + 1);
        inspection_keys.insert(*inspection_id, key.clone());
        inspections.push(
            export_inspection(store, partnership, *inspection_id, key, &mut finding_keys).await?,
        );
    }
    let plan_keys: HashMap<_, _> = plans
        .iter()
        .enumerate()
        .map(|(n, plan)| (plan.id, format!("plan{}", n + 1)))
        .collect();
    let keys = Keys {
        person: &person_keys,
        organisation: &organisation_keys,
        inspection: &inspection_keys,
        finding: &finding_keys,
    };
    let mut plan_documents = Vec::new();
    for plan in &plans {
        plan_documents.push(
            export_one_plan(store, partnership, plan, plan_keys[&plan.id].clone(), &keys).await?,
        );
    }
    let interventions = store
        .list_interventions(partnership)
        .await?
        .into_iter()
        .filter(|x| every_intervention || x.plan_id.is_some_and(|p| plan_keys.contains_key(&p)))
        .map(|x| Intervention {
            kind: x.kind.code().to_owned(),
            by: x.by.code().to_owned(),
            date: x.date.to_string(),
            title: some(&x.title),
            outcome: some(&x.outcome),
            notes: some(&x.notes),
            documents: x.documents.clone(),
            plan: x.plan_id.and_then(|p| plan_keys.get(&p).cloned()),
        })
        .collect();

    Ok(Document {
        format: FORMAT.to_owned(),
        version: VERSION,
        source: Some(format!(
            "Exported from sendplan: {source}, {}",
            long_date(time::OffsetDateTime::now_utc().date())
        )),
        partnership: Partnership {
            name: p.name.clone(),
            la_code: p.la_code.clone(),
        },
        organisations: organisations
            .iter()
            .map(|o| Organisation {
                key: organisation_keys[&o.id].clone(),
                name: o.name.clone(),
                kind: o.kind.code().to_owned(),
            })
            .collect(),
        people: people
            .iter()
            .map(|x| Person {
                key: person_keys[&x.id].clone(),
                name: some(&x.name),
                job_title: some(&x.job_title),
                organisation: x
                    .organisation_id
                    .and_then(|o| organisation_keys.get(&o).cloned()),
                short_code: some(&x.short_code),
                email: some(&x.email),
                to_review: x.to_review,
            })
            .collect(),
        inspections,
        plans: plan_documents,
        interventions,
    })
}

/// The keys records are referred to by within one document.
struct Keys<'a> {
    person: &'a HashMap<sendplan_domain::PersonId, String>,
    organisation: &'a HashMap<sendplan_domain::OrganisationId, String>,
    inspection: &'a HashMap<sendplan_domain::InspectionId, String>,
    finding: &'a HashMap<sendplan_domain::FindingId, String>,
}

/// One inspection with its findings (keyed `f1`, `f2`... across the document) and revisits.
async fn export_inspection(
    store: &Store,
    partnership: PartnershipId,
    inspection_id: sendplan_domain::InspectionId,
    key: String,
    finding_keys: &mut HashMap<sendplan_domain::FindingId, String>,
) -> Result<Inspection, StoreError> {
    use sendplan_domain::history::DatePrecision;
    let inspection = store.get_inspection(partnership, inspection_id).await?;
    let findings = store
        .list_findings(partnership, Some(inspection_id))
        .await?;
    for f in &findings {
        let n = finding_keys.len() + 1;
        finding_keys.insert(f.id, format!("f{n}"));
    }
    let revisits = store.list_revisits(partnership, inspection_id).await?;
    let (dates_known, start_date, end_date) = match inspection.date_precision {
        DatePrecision::Days => (
            None,
            inspection.start_date.to_string(),
            Some(inspection.end_date.to_string()),
        ),
        DatePrecision::FirstDay => (
            Some(DatePrecision::FirstDay),
            inspection.start_date.to_string(),
            None,
        ),
        DatePrecision::Month => (
            Some(DatePrecision::Month),
            format!(
                "{:04}-{:02}",
                inspection.start_date.year(),
                u8::from(inspection.start_date.month())
            ),
            None,
        ),
    };
    Ok(Inspection {
        key,
        framework: inspection.framework.code().to_owned(),
        dates_known: dates_known.map(|d| d.code().to_owned()),
        start_date,
        end_date,
        published_date: inspection.published_date.map(|d| d.to_string()),
        outcome: inspection.outcome.code().to_owned(),
        inspectors: some(&inspection.inspectors),
        main_findings: some(&inspection.main_findings),
        findings: findings
            .iter()
            .map(|f| Finding {
                key: finding_keys[&f.id].clone(),
                kind: f.kind.code().to_owned(),
                heading: f.heading.map(|h| h.code().to_owned()),
                text: f.text.clone(),
            })
            .collect(),
        revisits: revisits
            .iter()
            .map(|r| Revisit {
                date: r.date.to_string(),
                summary: some(&r.summary),
                judgements: r
                    .judgements
                    .iter()
                    .map(|j| Judgement {
                        finding: finding_keys[&j.finding_id].clone(),
                        sufficient_progress: j.sufficient_progress,
                        commentary: some(&j.commentary),
                    })
                    .collect(),
            })
            .collect(),
    })
}

/// One plan, its scheme, structure, actions, measures, surveys and approval.
async fn export_one_plan(
    store: &Store,
    partnership: PartnershipId,
    plan: &sendplan_domain::plan::Plan,
    key: String,
    keys: &Keys<'_>,
) -> Result<Plan, StoreError> {
    let plan_id = plan.id;
    let person_keys = keys.person;
    let organisation_keys = keys.organisation;
    let finding_keys = keys.finding;
    let ratings = store.list_ratings(partnership, plan_id).await?;
    let rating_labels: HashMap<_, _> = ratings.iter().map(|r| (r.id, r.label.clone())).collect();
    let areas = store.list_areas(partnership, plan_id).await?;
    let objectives = store.list_objectives(partnership, plan_id).await?;
    let area_progress = store.list_area_progress(partnership, plan_id).await?;
    // Progress of an area (objective `None`) or one objective, as document updates.
    let progress_of = |area: sendplan_domain::AreaId,
                       objective: Option<sendplan_domain::ObjectiveId>|
     -> Vec<Update> {
        area_progress
            .iter()
            .filter(|p| p.area_id == area && p.objective_id == objective)
            .map(|p| Update {
                date: p.update_date.to_string(),
                rating: p
                    .rating_id
                    .and_then(|r| ratings.iter().find(|x| x.id == r))
                    .map(|r| r.label.clone())
                    .unwrap_or_default(),
                narrative: p.narrative.clone(),
                author: (!p.author_name.is_empty()).then(|| p.author_name.clone()),
                evidence_links: vec![],
                as_written: None,
                superseded: None,
            })
            .collect()
    };
    let stored_actions = store.list_actions(partnership, plan_id).await?;
    let numbers: HashMap<_, _> = stored_actions
        .iter()
        .map(|a| (a.id, a.number.to_string()))
        .collect();
    let area_numbers: HashMap<_, _> = areas.iter().map(|a| (a.id, a.number.to_string())).collect();
    let measures = export_measures(
        store,
        partnership,
        plan_id,
        &area_numbers,
        &numbers,
        person_keys,
    )
    .await?;
    let mut milestones_of: HashMap<_, Vec<_>> = HashMap::new();
    for m in store.list_plan_milestones(partnership, plan_id).await? {
        milestones_of.entry(m.action_id).or_default().push(m);
    }
    let mut updates_of: HashMap<_, Vec<_>> = HashMap::new();
    // The whole history: corrected and withdrawn updates too, each saying so.
    for u in store.list_plan_history(partnership, plan_id).await? {
        updates_of.entry(u.action_id).or_default().push(u);
    }
    let mut extra_of = store.list_plan_extra_fields(partnership, plan_id).await?;
    let mut actions = Vec::new();
    for action in stored_actions {
        let milestones = milestones_of.remove(&action.id).unwrap_or_default();
        let updates = updates_of.remove(&action.id).unwrap_or_default();
        let area_number = areas
            .iter()
            .find(|a| a.id == action.area_id)
            .map(|a| a.number.to_string())
            .unwrap_or_default();
        actions.push(Action {
            number: action.number.to_string(),
            area: area_number,
            objective: action
                .objective_id
                .and_then(|o| objectives.iter().find(|x| x.id == o))
                .map(|o| o.number.to_string()),
            description: action.description.clone(),
            leads: action
                .leads
                .iter()
                .filter_map(|p| person_keys.get(p).cloned())
                .collect(),
            lead_text: some(&action.written.lead),
            partner_people: action
                .partner_people
                .iter()
                .filter_map(|p| person_keys.get(p).cloned())
                .collect(),
            partner_organisations: action
                .partner_organisations
                .iter()
                .filter_map(|o| organisation_keys.get(o).cloned())
                .collect(),
            partners_text: some(&action.written.partners),
            resources: action
                .resources
                .iter()
                .map(|r| Resource {
                    kind: r.kind.code().to_owned(),
                    description: r.description.clone(),
                    amount_pence: r.amount_pence,
                })
                .collect(),
            evidence_of_success: some(&action.evidence_of_success),
            accountability_measures: some(&action.written.accountability_measures),
            intended_outcome: some(&action.written.intended_outcome),
            impact_measures: some(&action.impact_measures),
            start: written(&action.written.start, action.start_date),
            completion: written(&action.written.completion, action.completion_date),
            milestones: milestones
                .iter()
                .map(|m| Milestone {
                    title: m.title.clone(),
                    due: written(&m.due_text, m.due_date),
                    success_criteria: some(&m.success_criteria),
                    done: m.done_date.map(|d| d.to_string()),
                    done_evidence: some(&m.done_evidence),
                })
                .collect(),
            depends_on: action
                .depends_on
                .iter()
                .filter_map(|d| numbers.get(d).cloned())
                .collect(),
            updates: updates
                .iter()
                .map(|u| Update {
                    date: u.update_date.to_string(),
                    rating: rating_labels.get(&u.rating_id).cloned().unwrap_or_default(),
                    narrative: u.narrative.clone(),
                    author: some(&u.author_name),
                    evidence_links: u.evidence_links.clone(),
                    as_written: u.as_written.clone(),
                    superseded: u.superseded.as_ref().map(|s| Superseded {
                        reason: s.reason.clone(),
                        by: some(&s.by_name),
                        at: s
                            .at
                            .format(&time::format_description::well_known::Rfc3339)
                            .unwrap_or_default(),
                        corrected_by: s
                            .replacement
                            .and_then(|r| updates.iter().position(|x| x.id == r)),
                    }),
                })
                .collect(),
            extra_fields: extra_of
                .remove(&action.id)
                .unwrap_or_default()
                .into_iter()
                .map(|(name, value)| ExtraField { name, value })
                .collect(),
        });
    }

    let (approval, _) = store.plan_approval(partnership, plan_id).await?;
    let text = |d: Option<sendplan_domain::history::PartialDate>| d.map(|d| d.to_string());
    let approval = (!approval.is_empty()).then(|| Approval {
        submission_due: text(approval.submission_due),
        submitted: text(approval.submitted_on),
        approved: text(approval.approved_on),
        approved_by: some(&approval.approved_by),
        published: text(approval.published_on),
    });
    Ok(Plan {
        key,
        kind: plan.kind.code().to_owned(),
        title: plan.title.clone(),
        period_start: plan.period_start.map(|d| d.to_string()),
        period_end: plan.period_end.map(|d| d.to_string()),
        inspection: plan
            .inspection_id
            .and_then(|i| keys.inspection.get(&i).cloned()),
        status: plan.status.code().to_owned(),
        stale_after_days: plan.stale_after_days,
        ratings: ratings
            .iter()
            .map(|r| Rating {
                label: r.label.clone(),
                colour: r.colour.code().to_owned(),
                meaning: r.meaning.clone(),
                class: r.class.code().to_owned(),
            })
            .collect(),
        areas: areas
            .iter()
            .map(|a| Area {
                number: a.number.to_string(),
                title: a.title.clone(),
                findings: a
                    .findings
                    .iter()
                    .filter_map(|f| finding_keys.get(f).cloned())
                    .collect(),
                senior_responsible_officer: a
                    .senior_responsible_officer
                    .and_then(|p| person_keys.get(&p).cloned()),
                outcomes: some(&a.outcomes),
                objectives: objectives
                    .iter()
                    .filter(|o| o.area_id == a.id)
                    .map(|o| Objective {
                        number: o.number.to_string(),
                        title: o.title.clone(),
                        i_statement: some(&o.i_statement),
                        impact_indicators: some(&o.impact_indicators),
                        milestones: some(&o.milestones),
                        progress: progress_of(a.id, Some(o.id)),
                    })
                    .collect(),
                progress: progress_of(a.id, None),
            })
            .collect(),
        actions,
        measures,
        surveys: export_surveys(store, partnership, plan_id).await?,
        approval,
    })
}

/// The plan's measures, each with every value recorded (oldest first, so importing them
/// in order rebuilds the revisions) and its comparators.
async fn export_measures(
    store: &Store,
    partnership: PartnershipId,
    plan_id: PlanId,
    area_numbers: &HashMap<sendplan_domain::AreaId, String>,
    action_numbers: &HashMap<sendplan_domain::ActionId, String>,
    person_keys: &HashMap<sendplan_domain::PersonId, String>,
) -> Result<Vec<Measure>, StoreError> {
    let dated = |p: &sendplan_domain::measures::Point| DatedValue {
        date: p.date.to_string(),
        value: p.value,
    };
    let mut measures = Vec::new();
    for m in store.list_measures(partnership, plan_id).await? {
        let mut values = store.list_data_points(partnership, m.id, true).await?;
        values.sort_by_key(|v| v.id);
        let comparators = store.list_comparators(partnership, m.id).await?;
        measures.push(Measure {
            name: m.name.clone(),
            definition: some(&m.definition),
            unit: m.unit.code().to_owned(),
            polarity: m.trajectory.polarity.code().to_owned(),
            frequency: m.frequency.code().to_owned(),
            baseline: m.trajectory.baseline.as_ref().map(dated),
            targets: m.trajectory.targets.iter().map(dated).collect(),
            tolerance: m.trajectory.tolerance,
            owner: m.owner.and_then(|p| person_keys.get(&p).cloned()),
            source: m.source.code().to_owned(),
            areas: m
                .areas
                .iter()
                .filter_map(|a| area_numbers.get(a).cloned())
                .collect(),
            actions: m
                .actions
                .iter()
                .filter_map(|a| action_numbers.get(a).cloned())
                .collect(),
            values: values
                .iter()
                .map(|v| Value {
                    period: v.period.label.clone(),
                    value: v.value,
                    status: v.status.code().to_owned(),
                    note: some(&v.note),
                    recorded_at: Some(v.recorded_at.clone()),
                })
                .collect(),
            comparators: comparators
                .iter()
                .map(|c| Comparator {
                    series: c.series.clone(),
                    period: c.period.clone(),
                    period_end: c.period_end.to_string(),
                    value: c.value,
                    source: c.source.clone(),
                })
                .collect(),
        });
    }
    Ok(measures)
}

/// How much money an export's plan commits, for summaries.
pub fn total_resources(document: &Document) -> String {
    let pence: i64 = document
        .plans
        .iter()
        .flat_map(|p| &p.actions)
        .flat_map(|a| &a.resources)
        .filter_map(|r| r.amount_pence)
        .fold(0, i64::saturating_add);
    format_pounds(pence)
}

/// The plan's surveys, whole.
async fn export_surveys(
    store: &Store,
    partnership: PartnershipId,
    plan_id: PlanId,
) -> Result<Vec<Survey>, StoreError> {
    let mut surveys = Vec::new();
    let mut listed = store.list_surveys(partnership).await?;
    listed.sort_by_key(|s| s.id);
    for listed in listed.into_iter().filter(|s| s.plan_id == plan_id) {
        let s = store.get_survey(partnership, listed.id).await?.survey;
        surveys.push(Survey {
            series: (s.series != s.title).then(|| s.series.clone()),
            title: s.title,
            run_by: s.run_by,
            audience: s.audience,
            period: s.period,
            respondents: s.respondents,
            quotes: s.quotes,
            questions: s
                .questions
                .into_iter()
                .map(|q| SurveyQuestion {
                    number: q.number,
                    topic: some(&q.topic),
                    text: q.text,
                    multiple: q.multiple,
                    answered: q.answered,
                    notes: some(&q.notes),
                    options: q
                        .options
                        .into_iter()
                        .map(|o| SurveyOption {
                            label: o.label,
                            percent: o.percent,
                            count: o.count,
                        })
                        .collect(),
                })
                .collect(),
        });
    }
    Ok(surveys)
}
