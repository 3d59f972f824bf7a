//! Writing a whole imported plan in one transaction: all of it, or (on any error) none.

use crate::audit::{record, Change};
use crate::sql::{date_text, now_text};
use crate::{Actor, Result, Store, StoreError, Tx};
use sendplan_domain::import::{ImportSummary, PlanImport};
use sendplan_domain::input::{AreaInput, RevisitInput};
use sendplan_domain::*;
use time::Date;

/// The account that imported updates are recorded against; it cannot sign in.
const IMPORT_ACCOUNT: &str = "import@sendplan.invalid";

/// Rows of updates written by one statement (10 values each, well inside SQLite's and
/// PostgreSQL's limits on a statement's parameters).
const UPDATES_PER_STATEMENT: usize = 300;

impl Store {
    /// Stores everything in `import`. A partnership with the same local authority code is
    /// reused (its identical organisations and people too); everything else is created.
    pub async fn import_plan(
        &self,
        actor: Actor,
        import: &PlanImport,
        today: Date,
    ) -> Result<ImportSummary> {
        let mut write = self.begin_write().await?;
        let summary = self.import_in(&mut write.tx, actor, import, today).await?;
        write.commit().await?;
        Ok(summary)
    }

    /// Imports a plan built from an uploaded draft, using the draft up in the same
    /// transaction: a second submission (even one racing the first, which waits on the
    /// draft's row) finds it gone and imports nothing. `None` when it was already used.
    pub async fn import_plan_from_draft(
        &self,
        actor: Actor,
        draft: i64,
        import: &PlanImport,
        today: Date,
    ) -> Result<Option<ImportSummary>> {
        let mut write = self.begin_write().await?;
        let taken = sqlx::query("DELETE FROM import_drafts WHERE id = $1")
            .bind(draft)
            .execute(&mut *write.tx)
            .await?;
        if taken.rows_affected() != 1 {
            return Ok(None);
        }
        let summary = self.import_in(&mut write.tx, actor, import, today).await?;
        write.commit().await?;
        Ok(Some(summary))
    }

    async fn import_in(
        &self,
        tx: &mut Tx,
        actor: Actor,
        import: &PlanImport,
        today: Date,
    ) -> Result<ImportSummary> {
        let mut summary = ImportSummary::default();
        let existing: Option<i64> =
            sqlx::query_scalar("SELECT id FROM partnerships WHERE la_code = $1")
                .bind(import.partnership.la_code.clone())
                .fetch_optional(&mut **tx)
                .await?;
        let partnership = match existing {
            Some(id) => PartnershipId(id),
            None => {
                self.insert_partnership(tx, actor, &import.partnership)
                    .await?
            }
        };
        summary.partnership = Some(partnership);

        let mut organisations = Vec::new();
        for organisation in &import.organisations {
            let found: Option<i64> = sqlx::query_scalar("SELECT id FROM organisations WHERE partnership_id = $1 AND name = $2 AND kind = $3")
                .bind(partnership.0)
                .bind(organisation.name.clone())
                .bind(organisation.kind.code())
                .fetch_optional(&mut **tx)
                .await?;
            organisations.push(match found {
                Some(id) => OrganisationId(id),
                None => {
                    self.insert_organisation(tx, actor, partnership, organisation)
                        .await?
                }
            });
        }
        let mut people = Vec::new();
        for (person, organisation) in &import.people {
            let mut input = person.clone();
            input.organisation_id = organisation.map(|o| organisations[o]);
            let found: Option<i64> = sqlx::query_scalar(
                "SELECT id FROM people WHERE partnership_id = $1 AND name = $2 AND job_title = $3 AND short_code = $4",
            )
            .bind(partnership.0)
            .bind(input.name.clone())
            .bind(input.job_title.clone())
            .bind(input.short_code.clone())
            .fetch_optional(&mut **tx)
            .await?;
            people.push(match found {
                Some(id) => PersonId(id),
                None => {
                    summary.people += 1;
                    summary.people_to_review += usize::from(input.to_review);
                    self.insert_person(tx, actor, partnership, &input).await?
                }
            });
        }
        let mut inspections = Vec::new();
        let mut findings: Vec<Vec<FindingId>> = Vec::new();
        for inspection in &import.inspections {
            let id = self
                .insert_inspection(tx, actor, partnership, &inspection.inspection)
                .await?;
            let mut ids = Vec::new();
            for finding in &inspection.findings {
                ids.push(
                    self.insert_finding(tx, actor, partnership, id, finding)
                        .await?,
                );
            }
            summary.findings += ids.len();
            for revisit in &inspection.revisits {
                let input = RevisitInput {
                    date: revisit.date,
                    summary: revisit.summary.clone(),
                    judgements: revisit
                        .judgements
                        .iter()
                        .map(|(f, ok, text)| (ids[*f], *ok, text.clone()))
                        .collect(),
                };
                self.insert_revisit(tx, actor, partnership, id, &input)
                    .await?;
            }
            inspections.push(id);
            findings.push(ids);
        }

        let author = self.import_account(tx).await?;
        for plan in &import.plans {
            let mut input = plan.plan.clone();
            input.inspection_id = plan.inspection.map(|i| inspections[i]);
            let plan_id = self
                .insert_plan(tx, actor, partnership, &input, &plan.ratings)
                .await?;
            summary.plans.push(plan_id);
            let ratings: Vec<i64> = sqlx::query_scalar(
                "SELECT id FROM ratings WHERE plan_id = $1 ORDER BY position, id",
            )
            .bind(plan_id.0)
            .fetch_all(&mut **tx)
            .await?;
            let mut areas = Vec::new();
            let mut objectives: Vec<Vec<ObjectiveId>> = Vec::new();
            for area in &plan.areas {
                let input = AreaInput {
                    findings: area
                        .findings
                        .iter()
                        .map(|(i, f)| findings[*i][*f])
                        .collect(),
                    senior_responsible_officer: area.senior_responsible_officer.map(|p| people[p]),
                    ..area.area.clone()
                };
                let area_id = self
                    .insert_area(tx, actor, partnership, plan_id, &input)
                    .await?;
                let mut ids = Vec::new();
                for objective in &area.objectives {
                    ids.push(
                        self.insert_objective(tx, actor, partnership, plan_id, area_id, objective)
                            .await?,
                    );
                }
                summary.objectives += ids.len();
                for progress in &area.progress {
                    let input = sendplan_domain::input::AreaProgressInput {
                        objective_id: progress.objective.map(|o| ids[o]),
                        update_date: progress.date,
                        rating_id: progress
                            .rating
                            .and_then(|r| ratings.get(r))
                            .map(|r| sendplan_domain::RatingId(*r)),
                        narrative: progress.narrative.clone(),
                    };
                    self.insert_area_progress(
                        tx,
                        actor,
                        partnership,
                        area_id,
                        &input,
                        &progress.recorded_by,
                    )
                    .await?;
                }
                areas.push(area_id);
                objectives.push(ids);
            }
            summary.areas += areas.len();
            let mut actions = Vec::new();
            for action in &plan.actions {
                let mut input = action.action.clone();
                input.objective_id = action.objective.map(|o| objectives[action.area][o]);
                input.leads = action.leads.iter().map(|p| people[*p]).collect();
                input.partner_people = action.partner_people.iter().map(|p| people[*p]).collect();
                input.partner_organisations = action
                    .partner_organisations
                    .iter()
                    .map(|o| organisations[*o])
                    .collect();
                input.depends_on = Vec::new();
                let id = self
                    .insert_action(
                        tx,
                        actor,
                        partnership,
                        plan_id,
                        areas[action.area],
                        &input,
                        today,
                    )
                    .await?;
                let number = input.number.to_string();
                for (position, (name, value)) in action.extra_fields.iter().enumerate() {
                    sqlx::query("INSERT INTO action_extra_fields (action_id, partnership_id, position, name, value) VALUES ($1, $2, $3, $4, $5)")
                        .bind(id.0)
                        .bind(partnership.0)
                        .bind(position as i64)
                        .bind(name.clone())
                        .bind(value.clone())
                        .execute(&mut **tx)
                        .await?;
                }
                for milestone in &action.milestones {
                    self.insert_milestone(tx, actor, partnership, id, plan_id, &number, milestone)
                        .await?;
                }
                summary.milestones += action.milestones.len();
                summary.dates_to_review += usize::from(action.dates_need_review);
                actions.push(id);
            }
            summary.actions += actions.len();
            for (action, imported) in actions.iter().zip(&plan.actions) {
                for (position, dependency) in imported.depends_on.iter().enumerate() {
                    sqlx::query("INSERT INTO action_dependencies (action_id, depends_on_id, position) VALUES ($1, $2, $3) ON CONFLICT DO NOTHING")
                        .bind(action.0)
                        .bind(actions[*dependency].0)
                        .bind(position as i64)
                        .execute(&mut **tx)
                        .await?;
                }
                // An action's history is written a few hundred updates to a statement: a
                // tracker brings a dozen dated ratings for each of thousands of actions.
                let mut update_ids: Vec<i64> = Vec::new();
                for chunk in imported.updates.chunks(UPDATES_PER_STATEMENT) {
                    let mut sql = String::from(
                        "INSERT INTO updates (partnership_id, plan_id, action_id, update_date, author_user_id, rating_id, narrative, evidence_links, created_at, recorded_by) VALUES ",
                    );
                    for row in 0..chunk.len() {
                        let first = row * 10;
                        if row > 0 {
                            sql.push_str(", ");
                        }
                        let placeholders: Vec<String> =
                            (1..=10).map(|c| format!("${}", first + c)).collect();
                        sql.push_str(&format!("({})", placeholders.join(", ")));
                    }
                    sql.push_str(" RETURNING id");
                    let mut query = sqlx::query_scalar::<_, i64>(&sql);
                    for update in chunk {
                        let rating = *ratings.get(update.rating).ok_or_else(|| {
                            StoreError::Rule(
                                "An update names a rating the plan does not have".to_owned(),
                            )
                        })?;
                        query = query
                            .bind(partnership.0)
                            .bind(plan_id.0)
                            .bind(action.0)
                            .bind(date_text(update.date))
                            .bind(author)
                            .bind(rating)
                            .bind(update.narrative.clone())
                            .bind(update.evidence_links.join("\n"))
                            .bind(now_text())
                            .bind(update.recorded_by.clone());
                    }
                    // Ids are given in the order the rows are written; RETURNING need not
                    // list them in that order.
                    let mut ids = query.fetch_all(&mut **tx).await?;
                    ids.sort_unstable();
                    update_ids.extend(ids);
                }
                summary.updates += update_ids.len();
                let headings: Vec<(i64, &str)> = update_ids
                    .iter()
                    .zip(&imported.updates)
                    .filter(|(_, u)| !u.as_written.is_empty())
                    .map(|(id, u)| (*id, u.as_written.as_str()))
                    .collect();
                for chunk in headings.chunks(UPDATES_PER_STATEMENT) {
                    let values: Vec<String> = (0..chunk.len())
                        .map(|row| format!("(${}, ${})", row * 2 + 1, row * 2 + 2))
                        .collect();
                    let sql = format!(
                        "INSERT INTO update_headings (update_id, as_written) VALUES {}",
                        values.join(", ")
                    );
                    let mut query = sqlx::query(&sql);
                    for (id, written) in chunk {
                        query = query.bind(*id).bind((*written).to_owned());
                    }
                    query.execute(&mut **tx).await?;
                }
                // One audit entry for an action's imported history (a tracker brings a
                // dozen dated ratings per action; an entry each made a 24,000-update
                // import take most of its time writing the log), naming every update.
                if let (Some(first), Some(last)) = (update_ids.first(), update_ids.last()) {
                    let after: Vec<(String, &str)> = imported
                        .updates
                        .iter()
                        .map(|u| (date_text(u.date), u.narrative.as_str()))
                        .collect();
                    record::<(), _>(
                        tx,
                        Change {
                            partnership: Some(partnership),
                            actor,
                            entity: "update",
                            entity_id: *first,
                            change: "added",
                            summary: if first == last {
                                format!("Update imported on action {}", imported.action.number)
                            } else {
                                format!(
                                    "{} updates imported on action {} (ids {first} to {last})",
                                    update_ids.len(),
                                    imported.action.number
                                )
                            },
                            before: None,
                            after: Some(&after),
                        },
                    )
                    .await?;
                }
                // Corrections and withdrawals, once every update they name is in.
                for (update, id) in imported.updates.iter().zip(&update_ids) {
                    let Some(s) = &update.superseded else {
                        continue;
                    };
                    let replacement = s.corrected_by.and_then(|i| update_ids.get(i).copied());
                    sqlx::query(
                        "INSERT INTO update_supersessions (update_id, partnership_id, replacement_id, reason, by_user_id, by_name, at) \
                         VALUES ($1, $2, $3, $4, NULL, $5, $6)",
                    )
                    .bind(*id)
                    .bind(partnership.0)
                    .bind(replacement)
                    .bind(s.reason.clone())
                    .bind(s.by.clone())
                    .bind(s.at.clone())
                    .execute(&mut **tx)
                    .await?;
                }
            }
            for imported in &plan.measures {
                let mut input = imported.measure.clone();
                input.owner = imported.owner.map(|o| people[o]);
                input.areas = imported.areas.iter().map(|a| areas[*a]).collect();
                input.actions = imported.actions.iter().map(|a| actions[*a]).collect();
                let measure = self
                    .insert_measure(tx, actor, partnership, plan_id, &input)
                    .await?;
                for (value, recorded_at) in &imported.values {
                    self.insert_data_point(
                        tx,
                        actor,
                        partnership,
                        (measure, &input.name, input.unit),
                        value,
                        recorded_at.as_deref(),
                    )
                    .await?;
                }
                for comparator in &imported.comparators {
                    Self::upsert_comparator(tx, partnership, measure, comparator).await?;
                }
                summary.measures += 1;
                summary.values += imported.values.len();
            }
            for survey in &plan.surveys {
                self.insert_survey(tx, actor, partnership, plan_id, survey)
                    .await?;
                summary.surveys += 1;
            }
            if !plan.approval.is_empty() {
                self.insert_plan_approval(tx, partnership, plan_id, &plan.approval)
                    .await?;
            }
        }
        for (intervention, plan) in &import.interventions {
            let mut input = intervention.clone();
            input.plan_id = plan.map(|p| summary.plans[p]);
            self.insert_intervention(tx, actor, partnership, &input)
                .await?;
            summary.interventions += 1;
        }
        Ok(summary)
    }

    /// The account imported updates are attributed to (with the source's name for the
    /// reporter kept on the update itself). Its password hash matches no password.
    async fn import_account(&self, tx: &mut Tx) -> Result<i64> {
        sqlx::query(
            "INSERT INTO users (email, display_name, password_hash, deployment_admin, created_at) VALUES ($1, $2, '!', 0, $3) \
             ON CONFLICT (email) DO NOTHING",
        )
        .bind(IMPORT_ACCOUNT)
        .bind("Imported from a plan document")
        .bind(now_text())
        .execute(&mut **tx)
        .await?;
        Ok(sqlx::query_scalar("SELECT id FROM users WHERE email = $1")
            .bind(IMPORT_ACCOUNT)
            .fetch_one(&mut **tx)
            .await?)
    }
}
