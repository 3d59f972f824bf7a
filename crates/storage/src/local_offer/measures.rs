//! The Local Offer's figures held as a plan's measures: added to a plan once each, and
//! their value for the current period recorded from the directory whenever it differs
//! from the one held (so a day that changes nothing writes nothing).

use crate::sql::RowExt;
use crate::{Actor, Result, Store, StoreError};
use sendplan_domain::local_offer::measures::LocalOfferMeasure;
use sendplan_domain::local_offer::performance::{Period, PeriodFigures};
use sendplan_domain::measures::{DataPointInput, DataStatus};
use sendplan_domain::{MeasureId, PartnershipId, PlanId};
use time::Date;

impl Store {
    /// Adds a measure sendplan works out itself (`from`: its source and what it is), once
    /// to a plan.
    pub(crate) async fn insert_computed_measure(
        &self,
        actor: Actor,
        partnership: PartnershipId,
        plan: PlanId,
        input: &sendplan_domain::measures::MeasureInput,
        from: (&str, &str),
    ) -> Result<MeasureId> {
        self.get_plan(partnership, plan).await?;
        let mut write = self.begin_write().await?;
        let id = self
            .insert_measure(&mut write.tx, actor, partnership, plan, input)
            .await?;
        sqlx::query(
            "INSERT INTO computed_measures (measure_id, partnership_id, plan_id, source, computed_from) VALUES ($1, $2, $3, $4, $5)",
        )
        .bind(id.0)
        .bind(partnership.0)
        .bind(plan.0)
        .bind(from.0.to_owned())
        .bind(from.1.to_owned())
        .execute(&mut *write.tx)
        .await
        .map_err(crate::duplicate_as(&format!(
            "This plan already has the measure \"{}\"",
            input.name
        )))?;
        write.commit().await?;
        Ok(id)
    }

    /// Adds one of the Local Offer's figures to a plan as a computed measure, with its
    /// value today. A plan holds each at most once.
    pub async fn add_local_offer_measure(
        &self,
        actor: Actor,
        partnership: PartnershipId,
        plan: PlanId,
        what: LocalOfferMeasure,
        today: Date,
    ) -> Result<MeasureId> {
        let id = self
            .insert_computed_measure(
                actor,
                partnership,
                plan,
                &what.input(),
                ("local_offer", what.code()),
            )
            .await?;
        self.refresh_local_offer_measures(partnership, today)
            .await?;
        Ok(id)
    }

    /// The Local Offer measures each of the partnership's plans holds, by plan.
    pub async fn local_offer_measures(
        &self,
        partnership: PartnershipId,
    ) -> Result<Vec<(PlanId, MeasureId, LocalOfferMeasure)>> {
        self.computed_measures_from(partnership, "local_offer", LocalOfferMeasure::from_code)
            .await
    }

    /// The computed measures of one `source` each of the partnership's plans holds, with
    /// what each is worked out from.
    pub(crate) async fn computed_measures_from<T>(
        &self,
        partnership: PartnershipId,
        source: &str,
        parse: fn(&str) -> Option<T>,
    ) -> Result<Vec<(PlanId, MeasureId, T)>> {
        sqlx::query(
            "SELECT c.plan_id, c.measure_id, c.computed_from FROM computed_measures c \
             JOIN measures m ON m.id = c.measure_id WHERE c.partnership_id = $1 AND c.source = $2 ORDER BY c.measure_id",
        )
        .bind(partnership.0)
        .bind(source.to_owned())
        .fetch_all(self.pool())
        .await?
        .iter()
        .map(|r| {
            Ok((
                PlanId(r.int("plan_id")?),
                MeasureId(r.int("measure_id")?),
                r.code("computed_from", parse)?,
            ))
        })
        .collect()
    }

    /// Records each Local Offer measure's value for the period holding `today`, where it
    /// differs from the value held. Returns how many values were recorded.
    pub async fn refresh_local_offer_measures(
        &self,
        partnership: PartnershipId,
        today: Date,
    ) -> Result<usize> {
        let measures = self.local_offer_measures(partnership).await?;
        if measures.is_empty() {
            return Ok(0);
        }
        let directory = self.local_offer(partnership).await?;
        let mut recorded = 0;
        // Figures of use, by month, worked out once however many measures read them.
        let mut months: Vec<(Period, PeriodFigures)> = Vec::new();
        for (_, id, what) in measures {
            let measure = self.get_measure(partnership, id).await?;
            let Some(period) = measure.frequency.period_containing(today) else {
                continue;
            };
            // A measure of use is recorded for its period so far, and once more for the
            // period before (its last hour comes in after the period has turned).
            let mut readings = Vec::new();
            if what.key_figure().is_some() {
                let mut spans = vec![period.clone()];
                if let Some(before) = period
                    .span
                    .start
                    .previous_day()
                    .and_then(|d| measure.frequency.period_containing(d))
                {
                    spans.push(before);
                }
                for p in spans {
                    let days = Period {
                        from: p.span.start,
                        to: p.span.end,
                    };
                    let figures = match months.iter().find(|(d, _)| *d == days) {
                        Some((_, f)) => f.clone(),
                        None => {
                            let f = self.period_figures(partnership, days).await?;
                            months.push((days, f.clone()));
                            f
                        }
                    };
                    if let Some(reading) = what.reading_of_use(&figures) {
                        readings.push((p, reading));
                    }
                }
            } else if let Some(reading) = what.reading(&directory, today) {
                readings.push((period, reading));
            }
            for (period, (value, note)) in readings {
                let held = self
                    .list_data_points(partnership, id, false)
                    .await?
                    .into_iter()
                    .find(|p| p.period == period);
                if held.is_some_and(|p| p.value == value && p.note == note) {
                    continue;
                }
                match self
                    .record_data_point(
                        Actor(None),
                        partnership,
                        id,
                        &DataPointInput {
                            period,
                            value,
                            status: DataStatus::Provisional,
                            note,
                        },
                    )
                    .await
                {
                    Ok(_) => recorded += 1,
                    // Deleted meanwhile: nothing to record.
                    Err(StoreError::NotFound) => {}
                    Err(error) => return Err(error),
                }
            }
        }
        Ok(recorded)
    }
}
