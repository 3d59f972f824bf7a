//! Changes to Local Offer entries after they are in: a provider's proposed change waiting
//! for an officer, who approves it or returns it with a reason; an officer's own edit; and
//! every version a service has had, any of which can be restored as a new version.
//!
//! Each change says which version it was made to. A change to a version that is no longer
//! the current one is refused (`StoreError::Conflict`), so a provider's edit never
//! silently overwrites an officer's, nor an import's.

use super::{json, parse};
use crate::audit::{record, Change};
use crate::sql::{date_text, now_text, parse_timestamp, RowExt};
use crate::{Actor, Result, Store, StoreError, Tx};
use sendplan_domain::local_offer::changes::ProposalState;
use sendplan_domain::local_offer::Service;
use sendplan_domain::{PartnershipId, UserId};
use serde::Serialize;
use sqlx::any::AnyRow;
use time::OffsetDateTime;

/// A service as it stands, with the version a change to it must name.
#[derive(Debug, Clone)]
pub struct ServiceEntry {
    pub service: Service,
    pub version: i64,
}

/// One version a service has had.
#[derive(Debug, Clone)]
pub struct ServiceVersion {
    pub version: i64,
    pub service: Service,
    pub made_at: OffsetDateTime,
    /// Who made it: a name, or "Command line".
    pub made_by: String,
    /// How it came about, in words: "imported", "approved change from ...".
    pub how: String,
}

/// A provider's change to a service.
#[derive(Debug, Clone)]
pub struct Proposal {
    pub id: i64,
    pub service_key: String,
    /// The version of the service it was made to.
    pub base_version: i64,
    pub service: Service,
    pub state: ProposalState,
    pub proposed_by: String,
    pub proposed_at: OffsetDateTime,
    pub decided_by: Option<String>,
    pub decided_at: Option<OffsetDateTime>,
    /// Why it was returned.
    pub reason: String,
}

const SELECT_PROPOSAL: &str = "SELECT p.*, COALESCE(u.display_name, 'Command line') AS proposer, d.display_name AS decider \
     FROM local_offer_proposals p LEFT JOIN users u ON u.id = p.proposed_by LEFT JOIN users d ON d.id = p.decided_by";

fn proposal_from(row: &AnyRow) -> Result<Proposal> {
    Ok(Proposal {
        id: row.int("id")?,
        service_key: row.text("service_key")?,
        base_version: row.int("base_version")?,
        service: parse(&row.text("record")?)?,
        state: row.code("state", ProposalState::from_code)?,
        proposed_by: row.text("proposer")?,
        proposed_at: parse_timestamp(&row.text("proposed_at")?)?,
        decided_by: row.opt_text("decider")?,
        decided_at: row
            .opt_text("decided_at")?
            .map(|t| parse_timestamp(&t))
            .transpose()?,
        reason: row.text("reason")?,
    })
}

/// What an audit entry keeps of a proposal: enough to see what was asked and decided.
#[derive(Serialize)]
struct ProposalAudit<'a> {
    service_key: &'a str,
    base_version: i64,
    state: ProposalState,
    #[serde(skip_serializing_if = "str::is_empty")]
    reason: &'a str,
}

/// Makes `service` the current version of its entry, keeping it in the history, inside
/// the caller's transaction. `expected` is the version the change was made to (`None` for
/// a new entry); anything else is a conflict. Returns the new version.
pub(crate) async fn put_service_version(
    tx: &mut Tx,
    actor: Actor,
    partnership: PartnershipId,
    service: &Service,
    expected: Option<i64>,
    how: &str,
) -> Result<i64> {
    let record = json(service)?;
    let now = now_text();
    let version = match expected {
        None => {
            sqlx::query(
                "INSERT INTO local_offer_services (partnership_id, key, organization_key, name, assured_date, record, version, updated_at) \
                 VALUES ($1, $2, $3, $4, $5, $6, 1, $7)",
            )
            .bind(partnership.0)
            .bind(service.key.clone())
            .bind(service.organization_key.clone())
            .bind(service.name.clone())
            .bind(service.assured_date.map(date_text))
            .bind(record.clone())
            .bind(now.clone())
            .execute(&mut **tx)
            .await?;
            1
        }
        Some(version) => {
            let moved = sqlx::query(
                "UPDATE local_offer_services SET organization_key = $1, name = $2, assured_date = $3, record = $4, \
                 version = version + 1, updated_at = $5 WHERE partnership_id = $6 AND key = $7 AND version = $8",
            )
            .bind(service.organization_key.clone())
            .bind(service.name.clone())
            .bind(service.assured_date.map(date_text))
            .bind(record.clone())
            .bind(now.clone())
            .bind(partnership.0)
            .bind(service.key.clone())
            .bind(version)
            .execute(&mut **tx)
            .await?;
            if moved.rows_affected() != 1 {
                return Err(StoreError::Conflict);
            }
            version + 1
        }
    };
    sqlx::query(
        "INSERT INTO local_offer_service_versions (partnership_id, service_key, version, record, made_at, made_by, how) \
         VALUES ($1, $2, $3, $4, $5, $6, $7)",
    )
    .bind(partnership.0)
    .bind(service.key.clone())
    .bind(version)
    .bind(record)
    .bind(now)
    .bind(actor.0.map(|u| u.0))
    .bind(how.to_owned())
    .execute(&mut **tx)
    .await?;
    Ok(version)
}

/// One service's entry by its key, as [`entry_from`] reads it.
const SELECT_ENTRY: &str = "SELECT record, version, updated_at FROM local_offer_services WHERE partnership_id = $1 AND key = $2";

pub(super) async fn entry_in(
    tx: &mut Tx,
    partnership: PartnershipId,
    key: &str,
) -> Result<ServiceEntry> {
    let row = sqlx::query(SELECT_ENTRY)
        .bind(partnership.0)
        .bind(key.to_owned())
        .fetch_optional(&mut **tx)
        .await?
        .ok_or(StoreError::NotFound)?;
    entry_from(&row)
}

fn entry_from(row: &AnyRow) -> Result<ServiceEntry> {
    let mut service: Service = parse(&row.text("record")?)?;
    service.last_modified = Some(parse_timestamp(&row.text("updated_at")?)?);
    Ok(ServiceEntry {
        service,
        version: row.int("version")?,
    })
}

/// Records a change to one service in the audit log.
async fn log_service(
    tx: &mut Tx,
    actor: Actor,
    partnership: PartnershipId,
    change: &'static str,
    summary: String,
    before: Option<&Service>,
    after: Option<&Service>,
) -> Result<()> {
    record(
        tx,
        Change {
            partnership: Some(partnership),
            actor,
            entity: "local_offer_service",
            entity_id: partnership.0,
            change,
            summary,
            before,
            after,
        },
    )
    .await
}

impl Store {
    /// One service of the partnership's Local Offer, with its version.
    pub async fn local_offer_service(
        &self,
        partnership: PartnershipId,
        key: &str,
    ) -> Result<ServiceEntry> {
        let row = sqlx::query(SELECT_ENTRY)
            .bind(partnership.0)
            .bind(key.to_owned())
            .fetch_optional(self.pool())
            .await?
            .ok_or(StoreError::NotFound)?;
        entry_from(&row)
    }

    /// The services one organisation runs, by name.
    pub async fn services_of_organisation(
        &self,
        partnership: PartnershipId,
        organisation: &str,
    ) -> Result<Vec<ServiceEntry>> {
        sqlx::query(
            "SELECT record, version, updated_at FROM local_offer_services WHERE partnership_id = $1 AND organization_key = $2 ORDER BY name, key",
        )
        .bind(partnership.0)
        .bind(organisation.to_owned())
        .fetch_all(self.pool())
        .await?
        .iter()
        .map(entry_from)
        .collect()
    }

    /// The Local Offer's organisations as (key, name), by name: the choices a provider
    /// can be tied to.
    pub async fn local_offer_organisations(
        &self,
        partnership: PartnershipId,
    ) -> Result<Vec<(String, String)>> {
        sqlx::query(
            "SELECT key, name FROM local_offer_organizations WHERE partnership_id = $1 ORDER BY name, key",
        )
        .bind(partnership.0)
        .fetch_all(self.pool())
        .await?
        .iter()
        .map(|r| Ok((r.text("key")?, r.text("name")?)))
        .collect()
    }

    /// The names of the Local Offer's organisations and taxonomy terms, by key.
    pub async fn local_offer_names(
        &self,
        partnership: PartnershipId,
    ) -> Result<std::collections::HashMap<String, String>> {
        sqlx::query(
            "SELECT key, name FROM local_offer_organizations WHERE partnership_id = $1 \
             UNION ALL SELECT key, name FROM local_offer_terms WHERE partnership_id = $1",
        )
        .bind(partnership.0)
        .fetch_all(self.pool())
        .await?
        .iter()
        .map(|r| Ok((r.text("key")?, r.text("name")?)))
        .collect()
    }

    /// The organisation a provider keeps the services of, if the account is one here.
    pub async fn provider_organisation(
        &self,
        user: UserId,
        partnership: PartnershipId,
    ) -> Result<Option<String>> {
        Ok(sqlx::query_scalar(
            "SELECT organization_key FROM memberships WHERE user_id = $1 AND partnership_id = $2 AND role = 'provider'",
        )
        .bind(user.0)
        .bind(partnership.0)
        .fetch_optional(self.pool())
        .await?
        .flatten())
    }

    /// A provider proposes `service` as the new version of its entry, made to version
    /// `base_version`. It waits for an officer; a change already waiting for the service
    /// is replaced by this one. `organisation` limits the provider to their own services.
    pub async fn propose_service_change(
        &self,
        actor: Actor,
        partnership: PartnershipId,
        organisation: Option<&str>,
        service: &Service,
        base_version: i64,
    ) -> Result<i64> {
        let mut write = self.begin_write().await?;
        let current = entry_in(&mut write.tx, partnership, &service.key).await?;
        if organisation.is_some_and(|o| o != current.service.organization_key)
            || service.organization_key != current.service.organization_key
        {
            return Err(StoreError::NotFound);
        }
        if current.version != base_version {
            return Err(StoreError::Conflict);
        }
        if json(service)? == json(&current.service)? {
            return Err(StoreError::Rule(
                "Nothing has changed: change what needs changing, then send it".to_owned(),
            ));
        }
        let now = now_text();
        let waiting: Option<i64> = sqlx::query_scalar(
            "SELECT id FROM local_offer_proposals WHERE partnership_id = $1 AND service_key = $2 AND state = 'waiting'",
        )
        .bind(partnership.0)
        .bind(service.key.clone())
        .fetch_optional(&mut *write.tx)
        .await?;
        let id = match waiting {
            Some(id) => {
                sqlx::query(
                    "UPDATE local_offer_proposals SET record = $1, base_version = $2, proposed_by = $3, proposed_at = $4 WHERE id = $5",
                )
                .bind(json(service)?)
                .bind(base_version)
                .bind(actor.0.map(|u| u.0))
                .bind(now)
                .bind(id)
                .execute(&mut *write.tx)
                .await?;
                id
            }
            None => sqlx::query_scalar(
                "INSERT INTO local_offer_proposals (partnership_id, service_key, base_version, record, state, proposed_by, proposed_at) \
                 VALUES ($1, $2, $3, $4, 'waiting', $5, $6) RETURNING id",
            )
            .bind(partnership.0)
            .bind(service.key.clone())
            .bind(base_version)
            .bind(json(service)?)
            .bind(actor.0.map(|u| u.0))
            .bind(now)
            .fetch_one(&mut *write.tx)
            .await
            .map_err(crate::duplicate_as(
                "A change to this service was sent at the same moment: open it again to see it",
            ))?,
        };
        log_service(
            &mut write.tx,
            actor,
            partnership,
            "change proposed",
            format!(
                "Change {id} to \"{}\" sent for approval (made to version {base_version})",
                current.service.name
            ),
            Some(&current.service),
            Some(service),
        )
        .await?;
        write.commit().await?;
        Ok(id)
    }

    /// The partnership's proposed changes: those waiting first (oldest first), then the
    /// latest decided.
    pub async fn list_proposals(&self, partnership: PartnershipId) -> Result<Vec<Proposal>> {
        sqlx::query(&format!(
            "{SELECT_PROPOSAL} WHERE p.partnership_id = $1 \
             ORDER BY CASE WHEN p.state = 'waiting' THEN 0 ELSE 1 END, \
             CASE WHEN p.state = 'waiting' THEN p.id ELSE -p.id END LIMIT 200"
        ))
        .bind(partnership.0)
        .fetch_all(self.pool())
        .await?
        .iter()
        .map(proposal_from)
        .collect()
    }

    /// The latest proposed change to each of an organisation's services (for its
    /// provider's list).
    pub async fn latest_proposals(
        &self,
        partnership: PartnershipId,
        organisation: &str,
    ) -> Result<Vec<Proposal>> {
        sqlx::query(&format!(
            "{SELECT_PROPOSAL} JOIN local_offer_services s ON s.partnership_id = p.partnership_id AND s.key = p.service_key \
             WHERE p.partnership_id = $1 AND s.organization_key = $2 \
             AND p.id = (SELECT MAX(q.id) FROM local_offer_proposals q WHERE q.partnership_id = p.partnership_id AND q.service_key = p.service_key)"
        ))
        .bind(partnership.0)
        .bind(organisation.to_owned())
        .fetch_all(self.pool())
        .await?
        .iter()
        .map(proposal_from)
        .collect()
    }

    pub async fn get_proposal(&self, partnership: PartnershipId, id: i64) -> Result<Proposal> {
        let row = sqlx::query(&format!(
            "{SELECT_PROPOSAL} WHERE p.partnership_id = $1 AND p.id = $2"
        ))
        .bind(partnership.0)
        .bind(id)
        .fetch_optional(self.pool())
        .await?
        .ok_or(StoreError::NotFound)?;
        proposal_from(&row)
    }

    /// Approves a waiting change: it becomes the entry families see, as a new version.
    /// Refused (`Conflict`) when the entry has changed since the change was made to it.
    pub async fn approve_proposal(
        &self,
        actor: Actor,
        partnership: PartnershipId,
        id: i64,
    ) -> Result<()> {
        self.decide(actor, partnership, id, ProposalState::Approved, "")
            .await
    }

    /// Returns a waiting change to its provider with a reason; the entry is unchanged.
    pub async fn return_proposal(
        &self,
        actor: Actor,
        partnership: PartnershipId,
        id: i64,
        reason: &str,
    ) -> Result<()> {
        self.decide(actor, partnership, id, ProposalState::Returned, reason)
            .await
    }

    async fn decide(
        &self,
        actor: Actor,
        partnership: PartnershipId,
        id: i64,
        state: ProposalState,
        reason: &str,
    ) -> Result<()> {
        let mut write = self.begin_write().await?;
        let row = sqlx::query(&format!(
            "{SELECT_PROPOSAL} WHERE p.partnership_id = $1 AND p.id = $2"
        ))
        .bind(partnership.0)
        .bind(id)
        .fetch_optional(&mut *write.tx)
        .await?
        .ok_or(StoreError::NotFound)?;
        let proposal = proposal_from(&row)?;
        if proposal.state != ProposalState::Waiting {
            return Err(StoreError::Rule(format!(
                "This change was {} on {} by {}: there is nothing more to decide",
                proposal.state.label().to_lowercase(),
                proposal
                    .decided_at
                    .map(|at| sendplan_domain::input::long_date(at.date()))
                    .unwrap_or_default(),
                proposal.decided_by.clone().unwrap_or_default()
            )));
        }
        let current = entry_in(&mut write.tx, partnership, &proposal.service_key).await?;
        if state == ProposalState::Approved {
            put_service_version(
                &mut write.tx,
                actor,
                partnership,
                &proposal.service,
                Some(proposal.base_version),
                &format!("approved change from {}", proposal.proposed_by),
            )
            .await?;
        }
        sqlx::query(
            "UPDATE local_offer_proposals SET state = $1, decided_by = $2, decided_at = $3, reason = $4 WHERE id = $5 AND state = 'waiting'",
        )
        .bind(state.code())
        .bind(actor.0.map(|u| u.0))
        .bind(now_text())
        .bind(reason.to_owned())
        .bind(id)
        .execute(&mut *write.tx)
        .await?;
        let audit = ProposalAudit {
            service_key: &proposal.service_key,
            base_version: proposal.base_version,
            state,
            reason,
        };
        record::<(), _>(
            &mut write.tx,
            Change {
                partnership: Some(partnership),
                actor,
                entity: "local_offer_proposal",
                entity_id: id,
                change: state.code(),
                summary: format!(
                    "Change {id} to \"{}\" from {} {}",
                    current.service.name,
                    proposal.proposed_by,
                    state.label().to_lowercase()
                ),
                before: None,
                after: Some(&audit),
            },
        )
        .await?;
        write.commit().await
    }

    /// An officer's own change to an entry, made to `base_version`: the entry families
    /// see at once, as a new version.
    pub async fn edit_service(
        &self,
        actor: Actor,
        partnership: PartnershipId,
        service: &Service,
        base_version: i64,
    ) -> Result<i64> {
        self.supersede(
            actor,
            partnership,
            service,
            base_version,
            "edited",
            "edited".to_owned(),
        )
        .await
    }

    /// Makes an earlier version the current one again, as a new version made to
    /// `base_version` (history is added to, never rewritten).
    pub async fn restore_service_version(
        &self,
        actor: Actor,
        partnership: PartnershipId,
        key: &str,
        version: i64,
        base_version: i64,
    ) -> Result<i64> {
        let old = self
            .service_versions(partnership, key)
            .await?
            .into_iter()
            .find(|v| v.version == version)
            .ok_or(StoreError::NotFound)?;
        self.supersede(
            actor,
            partnership,
            &old.service,
            base_version,
            "restored",
            format!("restored version {version}"),
        )
        .await
    }

    async fn supersede(
        &self,
        actor: Actor,
        partnership: PartnershipId,
        service: &Service,
        base_version: i64,
        change: &'static str,
        how: String,
    ) -> Result<i64> {
        let mut write = self.begin_write().await?;
        let current = entry_in(&mut write.tx, partnership, &service.key).await?;
        if current.version != base_version {
            return Err(StoreError::Conflict);
        }
        let version = put_service_version(
            &mut write.tx,
            actor,
            partnership,
            service,
            Some(base_version),
            &how,
        )
        .await?;
        log_service(
            &mut write.tx,
            actor,
            partnership,
            change,
            format!("\"{}\" {how}: now version {version}", service.name),
            Some(&current.service),
            Some(service),
        )
        .await?;
        write.commit().await?;
        Ok(version)
    }

    /// Every version a service has had, newest first.
    pub async fn service_versions(
        &self,
        partnership: PartnershipId,
        key: &str,
    ) -> Result<Vec<ServiceVersion>> {
        sqlx::query(
            "SELECT v.*, COALESCE(u.display_name, 'Command line') AS maker FROM local_offer_service_versions v \
             LEFT JOIN users u ON u.id = v.made_by WHERE v.partnership_id = $1 AND v.service_key = $2 ORDER BY v.version DESC",
        )
        .bind(partnership.0)
        .bind(key.to_owned())
        .fetch_all(self.pool())
        .await?
        .iter()
        .map(|r| {
            Ok(ServiceVersion {
                version: r.int("version")?,
                service: parse(&r.text("record")?)?,
                made_at: parse_timestamp(&r.text("made_at")?)?,
                made_by: r.text("maker")?,
                how: r.text("how")?,
            })
        })
        .collect()
    }
}
