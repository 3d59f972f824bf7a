//! A partnership's Local Offer directory: imported whole or not at all, matched by the
//! ids its source gave, with what was added and what changed listed field by field.

pub mod analytics;
mod changes;
mod feedback;
mod measures;
mod problems;
mod reviews;

pub use analytics::UnmetNeed;
pub use changes::{Proposal, ServiceEntry, ServiceVersion};
pub use feedback::{AnswerCounts, Feedback};
pub use problems::Problem;
pub use reviews::{ReviewEmailToSend, ReviewLink, ReviewRound};

use crate::audit::{record, Change};
use crate::sql::{now_text, parse_timestamp, RowExt};
use crate::{Actor, Result, Store, StoreError};
use sendplan_domain::local_offer::geo::{outcode, Point};
use sendplan_domain::local_offer::{Directory, Organization, Service, TaxonomyTerm};
use sendplan_domain::PartnershipId;
use serde::Serialize;
use sqlx::Row;
use std::collections::HashMap;

/// What importing a directory did, or (a trial run) would do.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct DirectoryImport {
    /// Services new to the Local Offer, by name.
    pub added: Vec<String>,
    /// Services whose record changed: the name and the fields that changed.
    pub changed: Vec<(String, Vec<String>)>,
    pub unchanged: usize,
    /// Services the Local Offer has that the feed did not carry: left as they are.
    pub not_in_feed: Vec<String>,
    pub organizations: usize,
    pub terms: usize,
}

fn json<T: Serialize>(value: &T) -> Result<String> {
    serde_json::to_string(value).map_err(|e| StoreError::Corrupt(e.to_string()))
}

fn parse<T: serde::de::DeserializeOwned>(text: &str) -> Result<T> {
    serde_json::from_str(text)
        .map_err(|e| StoreError::Corrupt(format!("a Local Offer record: {e}")))
}

/// The top-level fields of two records that differ, by name.
fn changed_fields(before: &str, after: &str) -> Vec<String> {
    let (Ok(serde_json::Value::Object(b)), Ok(serde_json::Value::Object(a))) = (
        serde_json::from_str::<serde_json::Value>(before),
        serde_json::from_str::<serde_json::Value>(after),
    ) else {
        return vec!["the whole record".to_owned()];
    };
    let mut fields: Vec<String> = a
        .iter()
        .filter(|(k, v)| b.get(*k) != Some(*v))
        .map(|(k, _)| k.clone())
        .chain(b.keys().filter(|k| !a.contains_key(*k)).cloned())
        .collect();
    fields.sort();
    fields.dedup();
    fields
}

impl Store {
    /// Imports `directory` into the partnership's Local Offer in one transaction: records
    /// are matched by their source ids, new ones added, changed ones replaced (a service's
    /// version moves on), and nothing else touched. With `commit` false nothing is kept:
    /// the answer says what an import would do.
    pub async fn import_directory(
        &self,
        actor: Actor,
        partnership: PartnershipId,
        directory: &Directory,
        source: &str,
        commit: bool,
    ) -> Result<DirectoryImport> {
        self.get_partnership(partnership).await?;
        let mut write = self.begin_write().await?;
        let now = now_text();
        let mut outcome = DirectoryImport::default();
        for o in &directory.organizations {
            upsert_simple(
                &mut write.tx,
                "local_offer_organizations",
                partnership,
                &o.key,
                &o.name,
                None,
                &json(o)?,
                &now,
            )
            .await?;
            outcome.organizations += 1;
        }
        for t in &directory.terms {
            upsert_simple(
                &mut write.tx,
                "local_offer_terms",
                partnership,
                &t.key,
                &t.name,
                Some(t.parent_key.as_deref().unwrap_or_default()),
                &json(t)?,
                &now,
            )
            .await?;
            outcome.terms += 1;
        }
        let existing: HashMap<String, (String, String, i64)> = sqlx::query(
            "SELECT key, name, record, version FROM local_offer_services WHERE partnership_id = $1",
        )
        .bind(partnership.0)
        .fetch_all(&mut *write.tx)
        .await?
        .iter()
        .map(|r| {
            Ok((
                r.text("key")?,
                (r.text("name")?, r.text("record")?, r.int("version")?),
            ))
        })
        .collect::<Result<_>>()?;
        let how = format!("imported from {source}");
        for s in &directory.services {
            let record = json(s)?;
            match existing.get(&s.key) {
                None => {
                    changes::put_service_version(&mut write.tx, actor, partnership, s, None, &how)
                        .await?;
                    outcome.added.push(s.name.clone());
                }
                Some((_, before, _)) if *before == record => outcome.unchanged += 1,
                Some((_, before, version)) => {
                    changes::put_service_version(
                        &mut write.tx,
                        actor,
                        partnership,
                        s,
                        Some(*version),
                        &how,
                    )
                    .await?;
                    outcome
                        .changed
                        .push((s.name.clone(), changed_fields(before, &record)));
                }
            }
        }
        let mut absent: Vec<String> = existing
            .iter()
            .filter(|(key, _)| !directory.services.iter().any(|s| &s.key == *key))
            .map(|(_, (name, _, _))| name.clone())
            .collect();
        absent.sort();
        outcome.not_in_feed = absent;
        if !commit {
            // A trial: the transaction is dropped, so nothing is kept.
            return Ok(outcome);
        }
        record::<(), _>(
            &mut write.tx,
            Change {
                partnership: Some(partnership),
                actor,
                entity: "local_offer",
                entity_id: partnership.0,
                change: "imported",
                summary: format!(
                    "Local Offer imported from {source}: {} services added, {} changed, {} unchanged",
                    outcome.added.len(),
                    outcome.changed.len(),
                    outcome.unchanged
                ),
                before: None,
                after: Some(&outcome),
            },
        )
        .await?;
        write.commit().await?;
        Ok(outcome)
    }

    /// The partnership's whole Local Offer directory, services by name.
    pub async fn local_offer(&self, partnership: PartnershipId) -> Result<Directory> {
        let records = |table: &'static str| {
            sqlx::query(match table {
                "local_offer_organizations" => "SELECT record FROM local_offer_organizations WHERE partnership_id = $1 ORDER BY name, key",
                "local_offer_terms" => "SELECT record FROM local_offer_terms WHERE partnership_id = $1 ORDER BY name, key",
                _ => "SELECT record, updated_at FROM local_offer_services WHERE partnership_id = $1 ORDER BY name, key",
            })
            .bind(partnership.0)
            .fetch_all(self.pool())
        };
        let organizations = records("local_offer_organizations")
            .await?
            .iter()
            .map(|r| parse::<Organization>(&r.text("record")?))
            .collect::<Result<_>>()?;
        let terms = records("local_offer_terms")
            .await?
            .iter()
            .map(|r| parse::<TaxonomyTerm>(&r.text("record")?))
            .collect::<Result<_>>()?;
        let services = records("local_offer_services")
            .await?
            .iter()
            .map(|r| {
                let mut service = parse::<Service>(&r.text("record")?)?;
                service.last_modified = Some(parse_timestamp(&r.text("updated_at")?)?);
                Ok(service)
            })
            .collect::<Result<_>>()?;
        Ok(Directory {
            organizations,
            services,
            terms,
        })
    }
}

/// How many postcodes go in one INSERT: 5 parameters each, well within both engines'
/// limits on parameters in one statement.
const POSTCODES_PER_INSERT: usize = 400;

impl Store {
    /// Replaces the partnership's postcode table with `postcodes` (normalised postcodes
    /// and their centroids), in one transaction; returns how many it holds.
    pub async fn load_postcodes(
        &self,
        actor: Actor,
        partnership: PartnershipId,
        postcodes: &[(String, Point)],
        source: &str,
    ) -> Result<usize> {
        self.get_partnership(partnership).await?;
        let mut write = self.begin_write().await?;
        sqlx::query("DELETE FROM local_offer_postcodes WHERE partnership_id = $1")
            .bind(partnership.0)
            .execute(&mut *write.tx)
            .await?;
        for chunk in postcodes.chunks(POSTCODES_PER_INSERT) {
            let rows: Vec<String> = (0..chunk.len())
                .map(|i| {
                    let n = i * 5;
                    format!(
                        "(${}, ${}, ${}, ${}, ${})",
                        n + 1,
                        n + 2,
                        n + 3,
                        n + 4,
                        n + 5
                    )
                })
                .collect();
            let sql = format!(
                "INSERT INTO local_offer_postcodes (partnership_id, postcode, outcode, latitude, longitude) VALUES {} \
                 ON CONFLICT (partnership_id, postcode) DO NOTHING",
                rows.join(", ")
            );
            let mut query = sqlx::query(&sql);
            for (postcode, point) in chunk {
                query = query
                    .bind(partnership.0)
                    .bind(postcode.clone())
                    .bind(outcode(postcode).to_owned())
                    .bind(point.latitude)
                    .bind(point.longitude);
            }
            query.execute(&mut *write.tx).await?;
        }
        record::<(), ()>(
            &mut write.tx,
            Change {
                partnership: Some(partnership),
                actor,
                entity: "local_offer",
                entity_id: partnership.0,
                change: "postcodes loaded",
                summary: format!(
                    "Postcode table for the Local Offer loaded from {source}: {} postcodes",
                    postcodes.len()
                ),
                before: None,
                after: None,
            },
        )
        .await?;
        write.commit().await?;
        Ok(postcodes.len())
    }

    /// How many postcodes the partnership's table holds.
    pub async fn postcode_count(&self, partnership: PartnershipId) -> Result<i64> {
        Ok(sqlx::query_scalar::<_, i64>(
            "SELECT COUNT(*) FROM local_offer_postcodes WHERE partnership_id = $1",
        )
        .bind(partnership.0)
        .fetch_one(self.pool())
        .await?)
    }

    /// Whether the partnership's Local Offer has any services (one indexed lookup).
    pub async fn has_local_offer(&self, partnership: PartnershipId) -> Result<bool> {
        Ok(sqlx::query(
            "SELECT 1 AS one FROM local_offer_services WHERE partnership_id = $1 LIMIT 1",
        )
        .bind(partnership.0)
        .fetch_optional(self.pool())
        .await?
        .is_some())
    }

    /// Whether the partnership has loaded a postcode table (one indexed lookup).
    pub async fn has_postcodes(&self, partnership: PartnershipId) -> Result<bool> {
        Ok(sqlx::query(
            "SELECT 1 AS one FROM local_offer_postcodes WHERE partnership_id = $1 LIMIT 1",
        )
        .bind(partnership.0)
        .fetch_optional(self.pool())
        .await?
        .is_some())
    }

    /// Where a postcode is: its own centroid, or when the table does not have it, the
    /// middle of its outward code's postcodes. `postcode` is normalised
    /// (`geo::normalise_postcode`); an outward code alone is placed the second way.
    pub async fn postcode_centroid(
        &self,
        partnership: PartnershipId,
        postcode: &str,
    ) -> Result<Option<Placed>> {
        let exact = sqlx::query(
            "SELECT latitude, longitude FROM local_offer_postcodes WHERE partnership_id = $1 AND postcode = $2",
        )
        .bind(partnership.0)
        .bind(postcode.to_owned())
        .fetch_optional(self.pool())
        .await?;
        if let Some(row) = exact {
            return Ok(Some(Placed::Postcode(Point {
                latitude: row.try_get::<f64, _>("latitude")?,
                longitude: row.try_get::<f64, _>("longitude")?,
            })));
        }
        let area = sqlx::query(
            "SELECT AVG(latitude) AS latitude, AVG(longitude) AS longitude, COUNT(*) AS n \
             FROM local_offer_postcodes WHERE partnership_id = $1 AND outcode = $2",
        )
        .bind(partnership.0)
        .bind(outcode(postcode).to_owned())
        .fetch_one(self.pool())
        .await?;
        if area.try_get::<i64, _>("n")? == 0 {
            return Ok(None);
        }
        Ok(Some(Placed::Outcode(Point {
            latitude: area.try_get::<f64, _>("latitude")?,
            longitude: area.try_get::<f64, _>("longitude")?,
        })))
    }
}

/// Where a postcode was placed, and how exactly.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Placed {
    /// At its own centroid.
    Postcode(Point),
    /// At the middle of its outward code: the postcode itself is not in the table.
    Outcode(Point),
}

impl Placed {
    pub fn point(self) -> Point {
        match self {
            Placed::Postcode(p) | Placed::Outcode(p) => p,
        }
    }
}

/// Adds or replaces an organisation or taxonomy term by its source id.
#[allow(clippy::too_many_arguments)]
async fn upsert_simple(
    tx: &mut crate::Tx,
    table: &'static str,
    partnership: PartnershipId,
    key: &str,
    name: &str,
    parent: Option<&str>,
    record: &str,
    now: &str,
) -> Result<()> {
    let sql = match table {
        "local_offer_terms" => "INSERT INTO local_offer_terms (partnership_id, key, name, record, updated_at, parent_key) VALUES ($1, $2, $3, $4, $5, $6) \
             ON CONFLICT (partnership_id, key) DO UPDATE SET name = excluded.name, record = excluded.record, updated_at = excluded.updated_at, parent_key = excluded.parent_key",
        _ => "INSERT INTO local_offer_organizations (partnership_id, key, name, record, updated_at) VALUES ($1, $2, $3, $4, $5) \
             ON CONFLICT (partnership_id, key) DO UPDATE SET name = excluded.name, record = excluded.record, updated_at = excluded.updated_at",
    };
    let mut query = sqlx::query(sql)
        .bind(partnership.0)
        .bind(key.to_owned())
        .bind(name.to_owned())
        .bind(record.to_owned())
        .bind(now.to_owned());
    if table == "local_offer_terms" {
        query = query.bind(parent.filter(|p| !p.is_empty()).map(str::to_owned));
    }
    query.execute(&mut **tx).await?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_fields_that_changed_are_named() {
        assert_eq!(
            changed_fields(
                r#"{"name":"a","fees":"Free","url":"x"}"#,
                r#"{"name":"a","fees":"£5","email":"e"}"#
            ),
            vec!["email", "fees", "url"]
        );
    }
}
