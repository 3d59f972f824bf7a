//! Impact measures, their data points (revisions keep the value they replace) and the
//! comparator figures they are shown against.

use crate::audit::{record, record_created, record_updated, Change, Subject};
use crate::sql::{date_text, now_text, RowExt};
use crate::{one_or_not_found, Actor, Result, Store, StoreError, Tx};
use sendplan_domain::dates::Span;
use sendplan_domain::measures::*;
use sendplan_domain::periods::{Frequency, Period};
use sendplan_domain::*;
use sqlx::any::AnyRow;
use sqlx::Row;

/// A plan's measures and the current value of each for every period.
#[derive(Debug, Clone)]
pub struct PlanMeasures {
    pub measures: Vec<Measure>,
    pub values: std::collections::HashMap<MeasureId, Vec<DataPoint>>,
}

impl PlanMeasures {
    /// A measure's current values in period order (none if it has none).
    pub fn values_of(&self, measure: MeasureId) -> &[DataPoint] {
        self.values.get(&measure).map_or(&[], Vec::as_slice)
    }
}

fn real(row: &AnyRow, column: &str) -> Result<f64> {
    Ok(row.try_get::<f64, _>(column)?)
}

fn data_point_from(row: &AnyRow) -> Result<DataPoint> {
    Ok(DataPoint {
        id: DataPointId(row.int("id")?),
        measure_id: MeasureId(row.int("measure_id")?),
        period: Period {
            label: row.text("period")?,
            span: Span {
                start: row.date("period_start")?,
                end: row.date("period_end")?,
            },
        },
        value: real(row, "value")?,
        status: row.code("status", DataStatus::from_code)?,
        note: row.text("note")?,
        replaced_by: row.opt_int("replaced_by")?.map(DataPointId),
        recorded_by: row.opt_int("recorded_by")?.map(UserId),
        recorded_at: row.text("recorded_at")?,
    })
}

/// The rows of `rows` that belong to measure `id`.
fn rows_of(rows: &[AnyRow], id: i64) -> Vec<&AnyRow> {
    rows.iter()
        .filter(|r| r.int("measure_id").ok() == Some(id))
        .collect()
}

/// A measure from its row, its target rows and its link rows.
fn measure_from(row: &AnyRow, targets: &[&AnyRow], links: &[&AnyRow]) -> Result<Measure> {
    let id = row.int("id")?;
    let polarity = row.code("polarity", Polarity::from_code)?;
    let trajectory = Trajectory {
        baseline: match row.opt_date("baseline_date")? {
            Some(date) => Some(Point {
                date,
                value: real(row, "baseline_value")?,
            }),
            None => None,
        },
        targets: targets
            .iter()
            .map(|t| {
                Ok(Point {
                    date: t.date("target_date")?,
                    value: real(t, "value")?,
                })
            })
            .collect::<Result<_>>()?,
        polarity,
        tolerance: real(row, "tolerance")?,
    };
    Ok(Measure {
        id: MeasureId(id),
        plan_id: PlanId(row.int("plan_id")?),
        name: row.text("name")?,
        definition: row.text("definition")?,
        unit: row.code("unit", Unit::from_code)?,
        frequency: row.code("frequency", Frequency::from_code)?,
        trajectory,
        owner: row.opt_int("owner_person_id")?.map(PersonId),
        source: row.code("source", MeasureSource::from_code)?,
        areas: links
            .iter()
            .filter_map(|l| l.opt_int("area_id").ok().flatten())
            .map(AreaId)
            .collect(),
        actions: links
            .iter()
            .filter_map(|l| l.opt_int("action_id").ok().flatten())
            .map(ActionId)
            .collect(),
        version: row.int("version")?,
    })
}

impl Store {
    /// Adds a measure to a plan, with its targets and the areas and actions it belongs to.
    pub async fn create_measure(
        &self,
        actor: Actor,
        partnership: PartnershipId,
        plan: PlanId,
        input: &MeasureInput,
    ) -> Result<MeasureId> {
        self.get_plan(partnership, plan).await?;
        let mut write = self.begin_write().await?;
        let id = self
            .insert_measure(&mut write.tx, actor, partnership, plan, input)
            .await?;
        write.commit().await?;
        Ok(id)
    }

    /// Adds a measure within a transaction (creating one, or importing a plan).
    pub(crate) async fn insert_measure(
        &self,
        tx: &mut Tx,
        actor: Actor,
        partnership: PartnershipId,
        plan: PlanId,
        input: &MeasureInput,
    ) -> Result<MeasureId> {
        if let Some(owner) = input.owner {
            self.person_in(tx, partnership, owner).await?;
        }
        let t = &input.trajectory;
        let id: i64 = sqlx::query_scalar(
            "INSERT INTO measures (partnership_id, plan_id, name, definition, unit, polarity, frequency, baseline_date, baseline_value, \
             tolerance, owner_person_id, source, created_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13) RETURNING id",
        )
        // Prepared afresh each time: sqlx 0.8's Any driver types a null f64 as a 4-byte
        // float on PostgreSQL, so a cached statement first run with a null would refuse a
        // real value afterwards ("incorrect binary data format").
        .persistent(false)
        .bind(partnership.0)
        .bind(plan.0)
        .bind(input.name.clone())
        .bind(input.definition.clone())
        .bind(input.unit.code())
        .bind(t.polarity.code())
        .bind(input.frequency.code())
        .bind(t.baseline.map(|b| date_text(b.date)))
        .bind(t.baseline.map(|b| b.value))
        .bind(t.tolerance)
        .bind(input.owner.map(|p| p.0))
        .bind(input.source.code())
        .bind(now_text())
        .fetch_one(&mut **tx)
        .await?;
        for target in &t.targets {
            sqlx::query(
                "INSERT INTO measure_targets (measure_id, target_date, value) VALUES ($1, $2, $3)",
            )
            .bind(id)
            .bind(date_text(target.date))
            .bind(target.value)
            .execute(&mut **tx)
            .await?;
        }
        self.write_measure_links(tx, partnership, plan, MeasureId(id), input)
            .await?;
        record_created(
            tx,
            Subject {
                partnership,
                actor,
                entity: "measure",
                id,
            },
            format!("Measure added: {}", input.name),
            &input.name,
        )
        .await?;
        Ok(MeasureId(id))
    }

    /// Changes a measure: every field, its targets and what it belongs to. Its recorded
    /// values stay; so its unit cannot change once it has any, as they were recorded in it.
    pub async fn update_measure(
        &self,
        actor: Actor,
        partnership: PartnershipId,
        id: MeasureId,
        version: i64,
        input: &MeasureInput,
    ) -> Result<()> {
        let before = self.get_measure(partnership, id).await?;
        let mut write = self.begin_write().await?;
        if let Some(owner) = input.owner {
            self.person_in(&mut write.tx, partnership, owner).await?;
        }
        if input.unit != before.unit {
            let values: i64 =
                sqlx::query_scalar("SELECT COUNT(*) FROM data_points WHERE measure_id = $1")
                    .bind(id.0)
                    .fetch_one(&mut *write.tx)
                    .await?;
            if values > 0 {
                return Err(StoreError::Rule(format!(
                    "The unit cannot change: {values} values are recorded in {}. Add a new measure instead.",
                    before.unit.label().to_lowercase()
                )));
            }
        }
        let t = &input.trajectory;
        let done = sqlx::query(
            "UPDATE measures SET name = $1, definition = $2, unit = $3, polarity = $4, frequency = $5, baseline_date = $6, \
             baseline_value = $7, tolerance = $8, owner_person_id = $9, version = version + 1 \
             WHERE id = $10 AND partnership_id = $11 AND version = $12",
        )
        // Prepared afresh, as in insert_measure: a null f64 must not fix the statement's type.
        .persistent(false)
        .bind(input.name.clone())
        .bind(input.definition.clone())
        .bind(input.unit.code())
        .bind(t.polarity.code())
        .bind(input.frequency.code())
        .bind(t.baseline.map(|b| date_text(b.date)))
        .bind(t.baseline.map(|b| b.value))
        .bind(t.tolerance)
        .bind(input.owner.map(|p| p.0))
        .bind(id.0)
        .bind(partnership.0)
        .bind(version)
        .execute(&mut *write.tx)
        .await?;
        if done.rows_affected() == 0 {
            return Err(StoreError::Conflict);
        }
        sqlx::query("DELETE FROM measure_targets WHERE measure_id = $1")
            .bind(id.0)
            .execute(&mut *write.tx)
            .await?;
        for target in &t.targets {
            sqlx::query(
                "INSERT INTO measure_targets (measure_id, target_date, value) VALUES ($1, $2, $3)",
            )
            .bind(id.0)
            .bind(date_text(target.date))
            .bind(target.value)
            .execute(&mut *write.tx)
            .await?;
        }
        sqlx::query("DELETE FROM measure_links WHERE measure_id = $1")
            .bind(id.0)
            .execute(&mut *write.tx)
            .await?;
        self.write_measure_links(&mut write.tx, partnership, before.plan_id, id, input)
            .await?;
        let after = Measure {
            name: input.name.clone(),
            definition: input.definition.clone(),
            unit: input.unit,
            frequency: input.frequency,
            trajectory: input.trajectory.clone(),
            owner: input.owner,
            areas: input.areas.clone(),
            actions: input.actions.clone(),
            version: version + 1,
            ..before.clone()
        };
        record_updated(
            &mut write.tx,
            Subject {
                partnership,
                actor,
                entity: "measure",
                id: id.0,
            },
            format!("Measure edited: {}", input.name),
            &before,
            &after,
        )
        .await?;
        write.commit().await
    }

    async fn write_measure_links(
        &self,
        tx: &mut Tx,
        partnership: PartnershipId,
        plan: PlanId,
        measure: MeasureId,
        input: &MeasureInput,
    ) -> Result<()> {
        for area in &input.areas {
            let n: i64 = sqlx::query_scalar(
                "SELECT COUNT(*) FROM areas WHERE id = $1 AND plan_id = $2 AND partnership_id = $3",
            )
            .bind(area.0)
            .bind(plan.0)
            .bind(partnership.0)
            .fetch_one(&mut **tx)
            .await?;
            if n == 0 {
                return Err(StoreError::Rule("Choose areas of this plan".to_owned()));
            }
            sqlx::query("INSERT INTO measure_links (measure_id, area_id) VALUES ($1, $2)")
                .bind(measure.0)
                .bind(area.0)
                .execute(&mut **tx)
                .await?;
        }
        for action in &input.actions {
            let n: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM actions WHERE id = $1 AND plan_id = $2 AND partnership_id = $3")
                .bind(action.0)
                .bind(plan.0)
                .bind(partnership.0)
                .fetch_one(&mut **tx)
                .await?;
            if n == 0 {
                return Err(StoreError::Rule("Choose actions of this plan".to_owned()));
            }
            sqlx::query("INSERT INTO measure_links (measure_id, action_id) VALUES ($1, $2)")
                .bind(measure.0)
                .bind(action.0)
                .execute(&mut **tx)
                .await?;
        }
        Ok(())
    }

    /// A plan's measures, by name: three queries however many measures there are.
    pub async fn list_measures(
        &self,
        partnership: PartnershipId,
        plan: PlanId,
    ) -> Result<Vec<Measure>> {
        let rows = sqlx::query(
            "SELECT * FROM measures WHERE plan_id = $1 AND partnership_id = $2 ORDER BY name, id",
        )
        .bind(plan.0)
        .bind(partnership.0)
        .fetch_all(self.pool())
        .await?;
        let targets = sqlx::query(
            "SELECT t.* FROM measure_targets t JOIN measures m ON m.id = t.measure_id \
             WHERE m.plan_id = $1 AND m.partnership_id = $2 ORDER BY t.measure_id, t.target_date",
        )
        .bind(plan.0)
        .bind(partnership.0)
        .fetch_all(self.pool())
        .await?;
        let links = sqlx::query(
            "SELECT l.* FROM measure_links l JOIN measures m ON m.id = l.measure_id \
             WHERE m.plan_id = $1 AND m.partnership_id = $2",
        )
        .bind(plan.0)
        .bind(partnership.0)
        .fetch_all(self.pool())
        .await?;
        rows.iter()
            .map(|row| {
                let id = row.int("id")?;
                measure_from(row, &rows_of(&targets, id), &rows_of(&links, id))
            })
            .collect()
    }

    pub async fn get_measure(&self, partnership: PartnershipId, id: MeasureId) -> Result<Measure> {
        let row = sqlx::query("SELECT * FROM measures WHERE id = $1 AND partnership_id = $2")
            .bind(id.0)
            .bind(partnership.0)
            .fetch_optional(self.pool())
            .await?;
        let row = one_or_not_found(row)?;
        let targets =
            sqlx::query("SELECT * FROM measure_targets WHERE measure_id = $1 ORDER BY target_date")
                .bind(id.0)
                .fetch_all(self.pool())
                .await?;
        let links = sqlx::query("SELECT * FROM measure_links WHERE measure_id = $1")
            .bind(id.0)
            .fetch_all(self.pool())
            .await?;
        measure_from(
            &row,
            &targets.iter().collect::<Vec<_>>(),
            &links.iter().collect::<Vec<_>>(),
        )
    }

    /// A plan's measures with each one's current values, from the read cache when nothing
    /// in the partnership has changed: the dashboard, the measures list and action pages
    /// rate every measure on every request.
    pub async fn plan_measures(
        &self,
        partnership: PartnershipId,
        plan: PlanId,
    ) -> Result<std::sync::Arc<PlanMeasures>> {
        let version = self.data_version(partnership).await?;
        let key = crate::overview::CacheKey::Measures(partnership, plan);
        self.cache
            .get_or_build(key, version, || self.load_plan_measures(partnership, plan))
            .await
    }

    async fn load_plan_measures(
        &self,
        partnership: PartnershipId,
        plan: PlanId,
    ) -> Result<PlanMeasures> {
        let measures = self.list_measures(partnership, plan).await?;
        let rows = sqlx::query(
            "SELECT d.* FROM data_points d JOIN measures m ON m.id = d.measure_id \
             WHERE m.plan_id = $1 AND d.partnership_id = $2 AND d.replaced_by IS NULL \
             ORDER BY d.measure_id, d.period_end",
        )
        .bind(plan.0)
        .bind(partnership.0)
        .fetch_all(self.pool())
        .await?;
        let mut values: std::collections::HashMap<MeasureId, Vec<DataPoint>> =
            std::collections::HashMap::new();
        for row in &rows {
            let point = data_point_from(row)?;
            values.entry(point.measure_id).or_default().push(point);
        }
        Ok(PlanMeasures { measures, values })
    }

    /// Records the value for a period. A period that already has a value is revised: the
    /// earlier value stays, marked as replaced, and the new one is marked revised.
    pub async fn record_data_point(
        &self,
        actor: Actor,
        partnership: PartnershipId,
        measure: MeasureId,
        input: &DataPointInput,
    ) -> Result<DataPointId> {
        let m = self.get_measure(partnership, measure).await?;
        let mut write = self.begin_write().await?;
        let id = self
            .insert_data_point(
                &mut write.tx,
                actor,
                partnership,
                (measure, &m.name, m.unit),
                input,
                None,
            )
            .await?;
        write.commit().await?;
        Ok(id)
    }

    /// Replaces a measure's targets (a targets file), if it is still at `version`: the
    /// trajectory is checked whole, and the change is audited with the targets before and
    /// after.
    pub async fn set_targets(
        &self,
        actor: Actor,
        partnership: PartnershipId,
        measure: MeasureId,
        version: i64,
        targets: Vec<Point>,
    ) -> Result<()> {
        let before = self.get_measure(partnership, measure).await?;
        let t = &before.trajectory;
        let trajectory = Trajectory::new(t.baseline, targets, t.polarity, t.tolerance)
            .map_err(StoreError::Rule)?;
        let mut write = self.begin_write().await?;
        let done = sqlx::query(
            "UPDATE measures SET version = version + 1 WHERE id = $1 AND partnership_id = $2 AND version = $3",
        )
        .bind(measure.0)
        .bind(partnership.0)
        .bind(version)
        .execute(&mut *write.tx)
        .await?;
        if done.rows_affected() == 0 || before.version != version {
            return Err(crate::partnerships::missing_or_conflict(
                &mut write.tx,
                "measures",
                measure.0,
                partnership,
            )
            .await);
        }
        sqlx::query("DELETE FROM measure_targets WHERE measure_id = $1")
            .bind(measure.0)
            .execute(&mut *write.tx)
            .await?;
        for target in &trajectory.targets {
            sqlx::query(
                "INSERT INTO measure_targets (measure_id, target_date, value) VALUES ($1, $2, $3)",
            )
            .bind(measure.0)
            .bind(date_text(target.date))
            .bind(target.value)
            .execute(&mut *write.tx)
            .await?;
        }
        let after = Measure {
            trajectory,
            version: version + 1,
            ..before.clone()
        };
        crate::audit::record_updated(
            &mut write.tx,
            Subject {
                partnership,
                actor,
                entity: "measure",
                id: measure.0,
            },
            format!("Targets replaced: {}", after.name),
            &before,
            &after,
        )
        .await?;
        write.commit().await
    }

    /// Records many values in one transaction, all or none (a values file). A period whose
    /// current value is already the same is left alone, so importing a file twice changes
    /// nothing. Returns (recorded, unchanged).
    pub async fn record_data_points(
        &self,
        actor: Actor,
        partnership: PartnershipId,
        measure: MeasureId,
        inputs: &[DataPointInput],
    ) -> Result<(usize, usize)> {
        let m = self.get_measure(partnership, measure).await?;
        let mut write = self.begin_write().await?;
        let (mut recorded, mut unchanged) = (0, 0);
        for input in inputs {
            let current: Option<f64> = sqlx::query_scalar(
                "SELECT value FROM data_points WHERE measure_id = $1 AND period = $2 AND replaced_by IS NULL",
            )
            .bind(measure.0)
            .bind(input.period.label.clone())
            .fetch_optional(&mut *write.tx)
            .await?;
            if current == Some(input.value) {
                unchanged += 1;
                continue;
            }
            self.insert_data_point(
                &mut write.tx,
                actor,
                partnership,
                (measure, &m.name, m.unit),
                input,
                None,
            )
            .await?;
            recorded += 1;
        }
        write.commit().await?;
        Ok((recorded, unchanged))
    }

    /// Records a value within a transaction; `recorded_at` keeps an imported value's time.
    pub(crate) async fn insert_data_point(
        &self,
        tx: &mut Tx,
        actor: Actor,
        partnership: PartnershipId,
        (measure, name, unit): (MeasureId, &str, Unit),
        input: &DataPointInput,
        recorded_at: Option<&str>,
    ) -> Result<DataPointId> {
        let (period, value, note) = (&input.period, input.value, input.note.as_str());
        let current: Option<i64> = sqlx::query_scalar("SELECT id FROM data_points WHERE measure_id = $1 AND period = $2 AND replaced_by IS NULL")
            .bind(measure.0)
            .bind(period.label.clone())
            .fetch_optional(&mut **tx)
            .await?;
        let status = if current.is_some() {
            DataStatus::Revised
        } else {
            input.status
        };
        // One current value per period (a unique index): the value being revised is retired
        // first, pointing at itself until its replacement exists.
        if let Some(old) = current {
            sqlx::query("UPDATE data_points SET replaced_by = id WHERE id = $1")
                .bind(old)
                .execute(&mut **tx)
                .await?;
        }
        let id: i64 = sqlx::query_scalar(
            "INSERT INTO data_points (partnership_id, measure_id, period, period_start, period_end, value, status, note, recorded_by, recorded_at) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10) RETURNING id",
        )
        .bind(partnership.0)
        .bind(measure.0)
        .bind(period.label.clone())
        .bind(date_text(period.span.start))
        .bind(date_text(period.span.end))
        .bind(value)
        .bind(status.code())
        .bind(note.to_owned())
        .bind(actor.0.map(|u| u.0))
        .bind(recorded_at.map_or_else(now_text, str::to_owned))
        .fetch_one(&mut **tx)
        .await?;
        if let Some(old) = current {
            sqlx::query("UPDATE data_points SET replaced_by = $1 WHERE id = $2")
                .bind(id)
                .bind(old)
                .execute(&mut **tx)
                .await?;
        }
        record::<(), _>(
            tx,
            Change {
                partnership: Some(partnership),
                actor,
                entity: "data_point",
                entity_id: id,
                change: if current.is_some() {
                    "revised"
                } else {
                    "added"
                },
                summary: format!("{}: {} for {}", name, unit.format(value), period.label),
                before: None,
                after: Some(&(&period.label, value, status)),
            },
        )
        .await?;
        Ok(DataPointId(id))
    }

    /// A measure's values in period order: the current ones, or with every revision.
    pub async fn list_data_points(
        &self,
        partnership: PartnershipId,
        measure: MeasureId,
        with_history: bool,
    ) -> Result<Vec<DataPoint>> {
        let sql = if with_history {
            "SELECT * FROM data_points WHERE measure_id = $1 AND partnership_id = $2 ORDER BY period_end, id"
        } else {
            "SELECT * FROM data_points WHERE measure_id = $1 AND partnership_id = $2 AND replaced_by IS NULL ORDER BY period_end, id"
        };
        let rows = sqlx::query(sql)
            .bind(measure.0)
            .bind(partnership.0)
            .fetch_all(self.pool())
            .await?;
        rows.iter().map(data_point_from).collect()
    }

    /// Sets a comparator figure for a period, replacing the one there was.
    pub async fn set_comparator(
        &self,
        partnership: PartnershipId,
        measure: MeasureId,
        comparator: &Comparator,
    ) -> Result<()> {
        self.get_measure(partnership, measure).await?;
        let mut write = self.begin_write().await?;
        Self::upsert_comparator(&mut write.tx, partnership, measure, comparator).await?;
        write.commit().await
    }

    /// Sets many comparator figures in one transaction (a DfE series), all or none.
    pub async fn set_comparators(
        &self,
        actor: Actor,
        partnership: PartnershipId,
        measure: MeasureId,
        comparators: &[Comparator],
    ) -> Result<usize> {
        let m = self.get_measure(partnership, measure).await?;
        let mut write = self.begin_write().await?;
        for comparator in comparators {
            Self::upsert_comparator(&mut write.tx, partnership, measure, comparator).await?;
        }
        record::<(), _>(
            &mut write.tx,
            Change {
                partnership: Some(partnership),
                actor,
                entity: "measure",
                entity_id: measure.0,
                change: "comparators",
                summary: format!(
                    "{}: {} comparator figures loaded",
                    m.name,
                    comparators.len()
                ),
                before: None,
                after: Some(&comparators),
            },
        )
        .await?;
        write.commit().await?;
        Ok(comparators.len())
    }

    pub(crate) async fn upsert_comparator(
        tx: &mut Tx,
        partnership: PartnershipId,
        measure: MeasureId,
        comparator: &Comparator,
    ) -> Result<()> {
        sqlx::query(
            "INSERT INTO comparators (partnership_id, measure_id, series, period, period_end, value, source) VALUES ($1, $2, $3, $4, $5, $6, $7) \
             ON CONFLICT (measure_id, series, period) DO UPDATE SET value = excluded.value, source = excluded.source, period_end = excluded.period_end",
        )
        // Prepared afresh each time: sqlx 0.8's Any driver types a null f64 as a 4-byte
        // float on PostgreSQL, so a cached statement first run with a null would refuse a
        // real value afterwards ("incorrect binary data format").
        .persistent(false)
        .bind(partnership.0)
        .bind(measure.0)
        .bind(comparator.series.clone())
        .bind(comparator.period.clone())
        .bind(date_text(comparator.period_end))
        .bind(comparator.value)
        .bind(comparator.source.clone())
        .execute(&mut **tx)
        .await?;
        Ok(())
    }

    /// A measure's comparator figures, by series and then period.
    pub async fn list_comparators(
        &self,
        partnership: PartnershipId,
        measure: MeasureId,
    ) -> Result<Vec<Comparator>> {
        let rows = sqlx::query("SELECT * FROM comparators WHERE measure_id = $1 AND partnership_id = $2 ORDER BY series, period_end")
            .bind(measure.0)
            .bind(partnership.0)
            .fetch_all(self.pool())
            .await?;
        rows.iter()
            .map(|r| {
                Ok(Comparator {
                    series: r.text("series")?,
                    period: r.text("period")?,
                    period_end: r.date("period_end")?,
                    value: r.try_get::<Option<f64>, _>("value")?,
                    source: r.text("source")?,
                })
            })
            .collect()
    }
}
