//! Read models for the pages that summarise a plan: every action with its current rating
//! and derived flags, and per-plan counts for the partnership home.

use crate::sql::RowExt;
use crate::{Result, Store};
use sendplan_domain::flags::{ActionFacts, ActionFlags, PlanCounts};
use sendplan_domain::numbering::ItemNumber;
use sendplan_domain::plan::{Area, Objective, Plan, Rating};
use sendplan_domain::rating::ClassCounts;
use sendplan_domain::*;
use std::collections::HashMap;
use std::sync::atomic::Ordering;
use std::sync::Arc;
use std::time::Instant;
use time::Date;

/// A milestone's due date and the date it was done.
type DueAndDone = (Option<Date>, Option<Date>);

/// One action as the plan page lists it.
#[derive(Debug, Clone)]
pub struct ActionRow {
    pub id: ActionId,
    pub area_id: AreaId,
    pub objective_id: Option<ObjectiveId>,
    pub number: ItemNumber,
    pub description: String,
    pub leads: Vec<PersonId>,
    pub completion_date: Option<Date>,
    /// The rating of the latest update, if any.
    pub rating: Option<Rating>,
    pub latest_update: Option<Date>,
    pub flags: ActionFlags,
}

/// A plan with everything its page shows.
#[derive(Debug, Clone)]
pub struct PlanOverview {
    pub plan: Plan,
    pub ratings: Vec<Rating>,
    pub areas: Vec<Area>,
    pub objectives: Vec<Objective>,
    pub actions: Vec<ActionRow>,
}

impl PlanOverview {
    /// Actions by rating class.
    pub fn counts(&self) -> ClassCounts {
        let mut counts = ClassCounts::default();
        for row in &self.actions {
            counts.add(row.rating.as_ref().map(|r| r.class));
        }
        counts
    }

    /// What needs attention, counted by the one definition every page uses.
    pub fn attention(&self) -> PlanCounts {
        PlanCounts::of(
            self.actions
                .iter()
                .map(|a| (&a.flags, a.rating.as_ref().map(|r| r.class))),
        )
    }
}

/// A plan's line on the partnership home.
#[derive(Debug, Clone)]
pub struct PlanSummary {
    pub plan: Plan,
    pub counts: ClassCounts,
    pub attention: PlanCounts,
}

/// Every plan of a partnership with its counts.
#[derive(Debug, Clone)]
pub struct PartnershipSummary {
    pub plans: Vec<PlanSummary>,
}

/// What the read cache holds.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub(crate) enum CacheKey {
    Overview(PartnershipId, PlanId, Date),
    People(PartnershipId),
    Measures(PartnershipId, PlanId),
}

/// How long the data versions read for the public pages are kept before being read
/// again, when this process has changed nothing.
pub const VERSIONS_KEPT_FOR: std::time::Duration = std::time::Duration::from_secs(1);

/// The data versions as last read (see [`Store::partnership_versions`]).
#[derive(Debug, Clone)]
pub(crate) struct KeptVersions {
    versions: Arc<Vec<(PartnershipId, String, i64)>>,
    writes: u64,
    read_at: Instant,
}

impl Store {
    /// A number that moves on, in order, whenever any of the partnership's records change:
    /// a counter moved in the same transaction as each change (see migration 0013).
    /// Every partnership's id, name and data version, in one query: what a public page
    /// needs to find the partnership its address names and whether what it keeps of it
    /// is still current.
    ///
    /// Public pages ask this on every request, so the answer is kept in memory: dropped
    /// the moment this process commits any change, and otherwise read again after
    /// [`VERSIONS_KEPT_FOR`], which is how long a change made by another server sharing
    /// the database (PostgreSQL) can take to reach this one's public pages.
    pub async fn partnership_versions(&self) -> Result<Arc<Vec<(PartnershipId, String, i64)>>> {
        let writes = self.writes.load(Ordering::SeqCst);
        if let Some(kept) = self.versions.lock().ok().and_then(|k| k.clone()) {
            if kept.writes == writes && kept.read_at.elapsed() < VERSIONS_KEPT_FOR {
                return Ok(kept.versions);
            }
        }
        let rows = sqlx::query(
            "SELECT p.id, p.name, COALESCE(v.version, 0) AS version FROM partnerships p \
             LEFT JOIN data_versions v ON v.partnership_id = p.id ORDER BY p.name",
        )
        .fetch_all(self.pool())
        .await?;
        let versions: Arc<Vec<_>> = Arc::new(
            rows.iter()
                .map(|r| {
                    Ok((
                        PartnershipId(r.int("id")?),
                        r.text("name")?,
                        r.int("version")?,
                    ))
                })
                .collect::<Result<_>>()?,
        );
        // Kept against the count of writes read before the query: a write committed
        // while it ran makes it stale at once.
        if let Ok(mut kept) = self.versions.lock() {
            *kept = Some(KeptVersions {
                versions: versions.clone(),
                writes,
                read_at: Instant::now(),
            });
        }
        Ok(versions)
    }

    pub async fn data_version(&self, partnership: PartnershipId) -> Result<i64> {
        Ok(sqlx::query_scalar::<_, i64>(
            "SELECT COALESCE(MAX(version), 0) FROM data_versions WHERE partnership_id = $1",
        )
        .bind(partnership.0)
        .fetch_one(self.pool())
        .await?)
    }

    /// The plan page's model as it stands on `today`, from the read cache when nothing in
    /// the partnership has changed since it was built.
    pub async fn plan_overview(
        &self,
        partnership: PartnershipId,
        plan_id: PlanId,
        today: Date,
    ) -> Result<Arc<PlanOverview>> {
        let version = self.data_version(partnership).await?;
        let key = CacheKey::Overview(partnership, plan_id, today);
        self.cache
            .get_or_build(key, version, || {
                self.load_plan_overview(partnership, plan_id, today)
            })
            .await
    }

    /// The partnership's people, from the read cache when nothing has changed.
    pub async fn people(
        &self,
        partnership: PartnershipId,
    ) -> Result<Arc<Vec<sendplan_domain::partnership::Person>>> {
        let version = self.data_version(partnership).await?;
        self.cache
            .get_or_build(CacheKey::People(partnership), version, || {
                self.list_people(partnership)
            })
            .await
    }

    async fn load_plan_overview(
        &self,
        partnership: PartnershipId,
        plan_id: PlanId,
        today: Date,
    ) -> Result<PlanOverview> {
        let plan = self.get_plan(partnership, plan_id).await?;
        let ratings = self.list_ratings(partnership, plan_id).await?;
        let areas = self.list_areas(partnership, plan_id).await?;
        let objectives = self.list_objectives(partnership, plan_id).await?;
        let pool = self.pool();
        let by_plan = |sql: &'static str| sqlx::query(sql).bind(plan_id.0).fetch_all(pool);
        let action_rows = by_plan(
            "SELECT id, area_id, objective_id, number, description, start_date, completion_date, created_on \
             FROM actions WHERE plan_id = $1 ORDER BY sort_key",
        )
        .await?;
        let lead_rows =
            by_plan("SELECT l.action_id, l.person_id FROM action_leads l JOIN actions a ON a.id = l.action_id WHERE a.plan_id = $1").await?;
        let milestone_rows =
            by_plan("SELECT action_id, due_date, done_date FROM milestones WHERE plan_id = $1")
                .await?;
        // The latest update of each action, found through the (action, date, id) index
        // rather than by reading the whole history.
        let latest_rows = by_plan(
            "SELECT u.action_id, u.update_date, u.rating_id FROM actions a JOIN updates u ON u.id = \
             (SELECT u2.id FROM updates u2 WHERE u2.action_id = a.id \
             AND NOT EXISTS (SELECT 1 FROM update_supersessions s WHERE s.update_id = u2.id) \
             ORDER BY u2.update_date DESC, u2.id DESC LIMIT 1) \
             WHERE a.plan_id = $1",
        )
        .await?;
        let dependency_rows = by_plan(
            "SELECT d.action_id, d.depends_on_id FROM action_dependencies d JOIN actions a ON a.id = d.action_id WHERE a.plan_id = $1",
        )
        .await?;

        let ratings_by_id: HashMap<i64, &Rating> = ratings.iter().map(|r| (r.id.0, r)).collect();
        let mut leads: HashMap<i64, Vec<PersonId>> = HashMap::new();
        for row in &lead_rows {
            leads
                .entry(row.int("action_id")?)
                .or_default()
                .push(PersonId(row.int("person_id")?));
        }
        let mut milestones: HashMap<i64, Vec<DueAndDone>> = HashMap::new();
        for row in &milestone_rows {
            milestones
                .entry(row.int("action_id")?)
                .or_default()
                .push((row.opt_date("due_date")?, row.opt_date("done_date")?));
        }
        let mut latest: HashMap<i64, (Date, Option<&Rating>)> = HashMap::new();
        for row in &latest_rows {
            latest.insert(
                row.int("action_id")?,
                (
                    row.date("update_date")?,
                    ratings_by_id.get(&row.int("rating_id")?).copied(),
                ),
            );
        }
        let complete = |action: i64| {
            latest
                .get(&action)
                .and_then(|(_, r)| *r)
                .is_some_and(|r| r.class.is_complete())
        };
        let mut incomplete_dependencies: HashMap<i64, usize> = HashMap::new();
        for row in &dependency_rows {
            if !complete(row.int("depends_on_id")?) {
                *incomplete_dependencies
                    .entry(row.int("action_id")?)
                    .or_default() += 1;
            }
        }

        let mut actions = Vec::with_capacity(action_rows.len());
        for row in &action_rows {
            let id = row.int("id")?;
            let latest_update = latest.get(&id).copied();
            let rating = latest_update.and_then(|(_, r)| r).cloned();
            let facts = ActionFacts {
                start_date: row.opt_date("start_date")?,
                completion_date: row.opt_date("completion_date")?,
                created_on: row.date("created_on")?,
                latest_update: latest_update.and_then(|(date, r)| r.map(|r| (date, r.class))),
                milestones: milestones.remove(&id).unwrap_or_default(),
                incomplete_dependencies: incomplete_dependencies.get(&id).copied().unwrap_or(0),
            };
            actions.push(ActionRow {
                id: ActionId(id),
                area_id: AreaId(row.int("area_id")?),
                objective_id: row.opt_int("objective_id")?.map(ObjectiveId),
                number: row.number("number")?,
                description: row.text("description")?,
                leads: leads.remove(&id).unwrap_or_default(),
                completion_date: facts.completion_date,
                rating,
                latest_update: latest_update.map(|(date, _)| date),
                flags: ActionFlags::compute(&facts, plan.stale_after_days, today),
            });
        }
        Ok(PlanOverview {
            plan,
            ratings,
            areas,
            objectives,
            actions,
        })
    }

    /// Every plan of the partnership with its counts, for the partnership home.
    pub async fn partnership_summary(
        &self,
        partnership: PartnershipId,
        today: Date,
    ) -> Result<PartnershipSummary> {
        let mut plans = Vec::new();
        for plan in self.list_plans(partnership).await? {
            let overview = self.plan_overview(partnership, plan.id, today).await?;
            plans.push(PlanSummary {
                counts: overview.counts(),
                attention: overview.attention(),
                plan,
            });
        }
        Ok(PartnershipSummary { plans })
    }
}
