//! Inspections, their findings and revisits.

use crate::audit::{record_created, record_updated, Subject};
use crate::partnerships::missing_or_conflict;
use crate::sql::{date_text, opt_date_text, RowExt};
use crate::{one_or_not_found, Actor, Result, Store, StoreError, Tx};
use sendplan_domain::history::{DatePrecision, RevisitKind};
use sendplan_domain::input::{FindingInput, InspectionInput, RevisitInput};
use sendplan_domain::inspection::*;
use sendplan_domain::{FindingId, InspectionId, PartnershipId, RevisitId};
use sqlx::any::AnyRow;

fn inspection_from(row: &AnyRow) -> Result<Inspection> {
    Ok(Inspection {
        id: InspectionId(row.int("id")?),
        partnership_id: PartnershipId(row.int("partnership_id")?),
        framework: row.code("framework", Framework::from_code)?,
        start_date: row.date("start_date")?,
        end_date: row.date("end_date")?,
        published_date: row.opt_date("published_date")?,
        outcome: row.code("outcome", InspectionOutcome::from_code)?,
        inspectors: row.text("inspectors")?,
        main_findings: row.text("main_findings")?,
        date_precision: row.code("date_precision", DatePrecision::from_code)?,
        version: row.int("version")?,
    })
}

/// The columns [`inspection_from`] reads, named rather than `*` so a migration that adds
/// a column cannot change what a cached statement returns.
macro_rules! inspections_select {
    () => {
        "SELECT id, partnership_id, framework, start_date, end_date, published_date, outcome, inspectors, main_findings, date_precision, version FROM inspections"
    };
}

/// Refuses a finding kind of the other framework: a 2023 inspection has no significant
/// weaknesses, a 2016 one no areas for priority action.
async fn check_kind(tx: &mut Tx, inspection: InspectionId, kind: FindingKind) -> Result<()> {
    let framework: String = sqlx::query_scalar("SELECT framework FROM inspections WHERE id = $1")
        .bind(inspection.0)
        .fetch_one(&mut **tx)
        .await?;
    let framework = Framework::from_code(&framework)
        .ok_or_else(|| StoreError::Corrupt(format!("framework {framework}")))?;
    if kind.belongs_to(framework) {
        Ok(())
    } else {
        Err(StoreError::Rule(format!(
            "An inspection under the {} has no findings of the kind \"{}\": choose one of its own kinds",
            framework.label(),
            kind.label().to_lowercase()
        )))
    }
}

fn finding_from(row: &AnyRow) -> Result<Finding> {
    Ok(Finding {
        id: FindingId(row.int("id")?),
        inspection_id: InspectionId(row.int("inspection_id")?),
        kind: row.code("kind", FindingKind::from_code)?,
        heading: row
            .opt_text("heading")?
            .and_then(|h| FindingHeading::from_code(&h)),
        text: row.text("text")?,
        position: row.int("position")?,
    })
}

impl Store {
    pub async fn list_inspections(&self, partnership: PartnershipId) -> Result<Vec<Inspection>> {
        let rows = sqlx::query(concat!(
            inspections_select!(),
            " WHERE partnership_id = $1 ORDER BY start_date DESC"
        ))
        .bind(partnership.0)
        .fetch_all(self.pool())
        .await?;
        rows.iter().map(inspection_from).collect()
    }

    pub async fn get_inspection(
        &self,
        partnership: PartnershipId,
        id: InspectionId,
    ) -> Result<Inspection> {
        let row = sqlx::query(concat!(
            inspections_select!(),
            " WHERE id = $1 AND partnership_id = $2"
        ))
        .bind(id.0)
        .bind(partnership.0)
        .fetch_optional(self.pool())
        .await?;
        inspection_from(&one_or_not_found(row)?)
    }

    pub async fn create_inspection(
        &self,
        actor: Actor,
        partnership: PartnershipId,
        input: &InspectionInput,
    ) -> Result<InspectionId> {
        let mut write = self.begin_write().await?;
        let created = self
            .insert_inspection(&mut write.tx, actor, partnership, input)
            .await?;
        write.commit().await?;
        Ok(created)
    }

    pub(crate) async fn insert_inspection(
        &self,
        tx: &mut Tx,
        actor: Actor,
        partnership: PartnershipId,
        input: &InspectionInput,
    ) -> Result<InspectionId> {
        let id: i64 = sqlx::query_scalar(
            "INSERT INTO inspections (partnership_id, framework, start_date, end_date, published_date, outcome, inspectors, main_findings, date_precision) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9) RETURNING id",
        )
        .bind(partnership.0)
        .bind(input.framework.code())
        .bind(date_text(input.start_date))
        .bind(date_text(input.end_date))
        .bind(opt_date_text(input.published_date))
        .bind(input.outcome.code())
        .bind(input.inspectors.clone())
        .bind(input.main_findings.clone())
        .bind(input.date_precision.code())
        .fetch_one(&mut **tx)
        .await?;
        let after = Inspection {
            id: InspectionId(id),
            partnership_id: partnership,
            framework: input.framework,
            start_date: input.start_date,
            end_date: input.end_date,
            published_date: input.published_date,
            outcome: input.outcome,
            inspectors: input.inspectors.clone(),
            main_findings: input.main_findings.clone(),
            date_precision: input.date_precision,
            version: 1,
        };
        record_created(
            tx,
            Subject {
                partnership,
                actor,
                entity: "inspection",
                id,
            },
            format!("Inspection recorded: {}", after.title()),
            &after,
        )
        .await?;
        Ok(after.id)
    }

    pub async fn update_inspection(
        &self,
        actor: Actor,
        partnership: PartnershipId,
        id: InspectionId,
        version: i64,
        input: &InspectionInput,
    ) -> Result<()> {
        let before = self.get_inspection(partnership, id).await?;
        let mut write = self.begin_write().await?;
        let done = sqlx::query(
            "UPDATE inspections SET framework = $1, start_date = $2, end_date = $3, published_date = $4, outcome = $5, \
             inspectors = $6, main_findings = $7, date_precision = $11, version = version + 1 WHERE id = $8 AND partnership_id = $9 AND version = $10",
        )
        .bind(input.framework.code())
        .bind(date_text(input.start_date))
        .bind(date_text(input.end_date))
        .bind(opt_date_text(input.published_date))
        .bind(input.outcome.code())
        .bind(input.inspectors.clone())
        .bind(input.main_findings.clone())
        .bind(id.0)
        .bind(partnership.0)
        .bind(version)
        .bind(input.date_precision.code())
        .execute(&mut *write.tx)
        .await?;
        if done.rows_affected() == 0 || before.version != version {
            return Err(missing_or_conflict(&mut write.tx, "inspections", id.0, partnership).await);
        }
        // Changing the framework must not leave findings of the other framework behind.
        if input.framework != before.framework {
            for finding in self.list_findings(partnership, Some(id)).await? {
                check_kind(&mut write.tx, id, finding.kind).await?;
            }
        }
        let after = Inspection {
            framework: input.framework,
            start_date: input.start_date,
            end_date: input.end_date,
            published_date: input.published_date,
            outcome: input.outcome,
            inspectors: input.inspectors.clone(),
            main_findings: input.main_findings.clone(),
            date_precision: input.date_precision,
            version: version + 1,
            ..before.clone()
        };
        record_updated(
            &mut write.tx,
            Subject {
                partnership,
                actor,
                entity: "inspection",
                id: id.0,
            },
            format!("Inspection edited: {}", after.title()),
            &before,
            &after,
        )
        .await?;
        write.commit().await
    }

    /// Findings of one inspection, or of every inspection of the partnership.
    pub async fn list_findings(
        &self,
        partnership: PartnershipId,
        inspection: Option<InspectionId>,
    ) -> Result<Vec<Finding>> {
        let rows = sqlx::query(
            "SELECT * FROM findings WHERE partnership_id = $1 AND ($2 = 0 OR inspection_id = $2) ORDER BY inspection_id, position, id",
        )
        .bind(partnership.0)
        .bind(inspection.map_or(0, |i| i.0))
        .fetch_all(self.pool())
        .await?;
        rows.iter().map(finding_from).collect()
    }

    pub async fn get_finding(&self, partnership: PartnershipId, id: FindingId) -> Result<Finding> {
        let row = sqlx::query("SELECT * FROM findings WHERE id = $1 AND partnership_id = $2")
            .bind(id.0)
            .bind(partnership.0)
            .fetch_optional(self.pool())
            .await?;
        finding_from(&one_or_not_found(row)?)
    }

    pub async fn add_finding(
        &self,
        actor: Actor,
        partnership: PartnershipId,
        inspection: InspectionId,
        input: &FindingInput,
    ) -> Result<FindingId> {
        self.get_inspection(partnership, inspection).await?;
        let mut write = self.begin_write().await?;
        let created = self
            .insert_finding(&mut write.tx, actor, partnership, inspection, input)
            .await?;
        write.commit().await?;
        Ok(created)
    }

    pub(crate) async fn insert_finding(
        &self,
        tx: &mut Tx,
        actor: Actor,
        partnership: PartnershipId,
        inspection: InspectionId,
        input: &FindingInput,
    ) -> Result<FindingId> {
        check_kind(tx, inspection, input.kind).await?;
        let position: i64 =
            sqlx::query_scalar("SELECT COUNT(*) FROM findings WHERE inspection_id = $1")
                .bind(inspection.0)
                .fetch_one(&mut **tx)
                .await?;
        let id: i64 = sqlx::query_scalar(
            "INSERT INTO findings (partnership_id, inspection_id, kind, heading, text, position) VALUES ($1, $2, $3, $4, $5, $6) RETURNING id",
        )
        .bind(partnership.0)
        .bind(inspection.0)
        .bind(input.kind.code())
        .bind(input.heading.map(|h| h.code()))
        .bind(input.text.clone())
        .bind(position + 1)
        .fetch_one(&mut **tx)
        .await?;
        let after = Finding {
            id: FindingId(id),
            inspection_id: inspection,
            kind: input.kind,
            heading: input.heading,
            text: input.text.clone(),
            position: position + 1,
        };
        record_created(
            tx,
            Subject {
                partnership,
                actor,
                entity: "finding",
                id,
            },
            format!("{} added to inspection {}", input.kind.label(), inspection),
            &after,
        )
        .await?;
        Ok(after.id)
    }

    /// Findings have no version: they are short texts transcribed once from a letter, and
    /// an edit is checked against the text the editor saw instead.
    pub async fn update_finding(
        &self,
        actor: Actor,
        partnership: PartnershipId,
        id: FindingId,
        text_seen: &str,
        input: &FindingInput,
    ) -> Result<()> {
        let before = self.get_finding(partnership, id).await?;
        if before.text != text_seen {
            return Err(StoreError::Conflict);
        }
        let mut write = self.begin_write().await?;
        check_kind(&mut write.tx, before.inspection_id, input.kind).await?;
        let done = sqlx::query("UPDATE findings SET kind = $1, heading = $2, text = $3 WHERE id = $4 AND partnership_id = $5 AND text = $6")
            .bind(input.kind.code())
            .bind(input.heading.map(|h| h.code()))
            .bind(input.text.clone())
            .bind(id.0)
            .bind(partnership.0)
            .bind(text_seen.to_owned())
            .execute(&mut *write.tx)
            .await?;
        if done.rows_affected() == 0 {
            return Err(StoreError::Conflict);
        }
        let after = Finding {
            kind: input.kind,
            heading: input.heading,
            text: input.text.clone(),
            ..before.clone()
        };
        record_updated(
            &mut write.tx,
            Subject {
                partnership,
                actor,
                entity: "finding",
                id: id.0,
            },
            format!("{} edited", input.kind.label()),
            &before,
            &after,
        )
        .await?;
        write.commit().await
    }

    pub async fn list_revisits(
        &self,
        partnership: PartnershipId,
        inspection: InspectionId,
    ) -> Result<Vec<Revisit>> {
        let rows = sqlx::query("SELECT id, kind, revisit_date, summary FROM revisits WHERE partnership_id = $1 AND inspection_id = $2 ORDER BY revisit_date")
            .bind(partnership.0)
            .bind(inspection.0)
            .fetch_all(self.pool())
            .await?;
        let judgements = sqlx::query(
            "SELECT j.* FROM revisit_judgements j JOIN revisits r ON r.id = j.revisit_id WHERE r.partnership_id = $1 AND r.inspection_id = $2",
        )
        .bind(partnership.0)
        .bind(inspection.0)
        .fetch_all(self.pool())
        .await?;
        rows.iter()
            .map(|r| {
                let id = r.int("id")?;
                Ok(Revisit {
                    id: RevisitId(id),
                    inspection_id: inspection,
                    kind: r.code("kind", RevisitKind::from_code)?,
                    date: r.date("revisit_date")?,
                    summary: r.text("summary")?,
                    judgements: judgements
                        .iter()
                        .filter(|j| j.int("revisit_id").ok() == Some(id))
                        .map(|j| {
                            Ok(RevisitJudgement {
                                finding_id: FindingId(j.int("finding_id")?),
                                sufficient_progress: j.int("sufficient_progress")? != 0,
                                commentary: j.text("commentary")?,
                            })
                        })
                        .collect::<Result<_>>()?,
                })
            })
            .collect()
    }

    pub async fn add_revisit(
        &self,
        actor: Actor,
        partnership: PartnershipId,
        inspection: InspectionId,
        input: &RevisitInput,
    ) -> Result<RevisitId> {
        self.get_inspection(partnership, inspection).await?;
        let mut write = self.begin_write().await?;
        let created = self
            .insert_revisit(&mut write.tx, actor, partnership, inspection, input)
            .await?;
        write.commit().await?;
        Ok(created)
    }

    pub(crate) async fn insert_revisit(
        &self,
        tx: &mut Tx,
        actor: Actor,
        partnership: PartnershipId,
        inspection: InspectionId,
        input: &RevisitInput,
    ) -> Result<RevisitId> {
        // A 2016 inspection is followed by a revisit, a 2023 one by a monitoring inspection.
        let framework: String =
            sqlx::query_scalar("SELECT framework FROM inspections WHERE id = $1")
                .bind(inspection.0)
                .fetch_one(&mut **tx)
                .await?;
        let kind = RevisitKind::following(
            Framework::from_code(&framework)
                .ok_or_else(|| StoreError::Corrupt(format!("framework {framework}")))?,
        );
        let id: i64 = sqlx::query_scalar("INSERT INTO revisits (partnership_id, inspection_id, revisit_date, summary, kind) VALUES ($1, $2, $3, $4, $5) RETURNING id")
            .bind(partnership.0)
            .bind(inspection.0)
            .bind(date_text(input.date))
            .bind(input.summary.clone())
            .bind(kind.code())
            .fetch_one(&mut **tx)
            .await?;
        for (finding, sufficient, commentary) in &input.judgements {
            sqlx::query("INSERT INTO revisit_judgements (revisit_id, finding_id, sufficient_progress, commentary) VALUES ($1, $2, $3, $4)")
                .bind(id)
                .bind(finding.0)
                .bind(i64::from(*sufficient))
                .bind(commentary.clone())
                .execute(&mut **tx)
                .await?;
        }
        let after = Revisit {
            id: RevisitId(id),
            inspection_id: inspection,
            kind,
            date: input.date,
            summary: input.summary.clone(),
            judgements: input
                .judgements
                .iter()
                .map(|(f, s, c)| RevisitJudgement {
                    finding_id: *f,
                    sufficient_progress: *s,
                    commentary: c.clone(),
                })
                .collect(),
        };
        let sufficient = input.judgements.iter().filter(|j| j.1).count();
        record_created(
            tx,
            Subject {
                partnership,
                actor,
                entity: "revisit",
                id,
            },
            format!(
                "{} recorded: {sufficient} of {} judged \"{}\"",
                kind.label(),
                input.judgements.len(),
                kind.judgement(true).to_lowercase()
            ),
            &after,
        )
        .await?;
        Ok(after.id)
    }
}
