//! The rolling review programme's records: each partnership's policy, the emails sent in
//! each service's current round, and the links in them that confirm an entry unchanged.
//! What to send when is the domain's (`local_offer::review`); this keeps what was sent,
//! once, and records a confirmation as a new version of the entry.

use super::changes::{entry_in, put_service_version, ServiceEntry};
use crate::audit::{record, Change};
use crate::reminders::{queue_mail, OutgoingMail};
use crate::sql::{date_text, parse_timestamp, timestamp_text, RowExt};
use crate::{Actor, Result, Store, StoreError};
use sendplan_domain::local_offer::review::{ReviewEmail, ReviewPolicy};
use sendplan_domain::local_offer::Organization;
use sendplan_domain::reminders::Recipient;
use sendplan_domain::PartnershipId;
use serde::Serialize;
use std::collections::HashMap;
use time::{Date, OffsetDateTime};

/// A service's place in its current round of review.
#[derive(Debug, Clone)]
pub struct ReviewRound {
    pub entry: ServiceEntry,
    /// The organisation that runs it, if the directory has it.
    pub organisation: Option<Organization>,
    /// The invitation and reminders sent this round, oldest first.
    pub sent: Vec<Date>,
    pub officer_told: bool,
}

/// One email the programme is to send: what it is, to whom, and (for an invitation or a
/// reminder) the hash of the link it holds.
#[derive(Debug, Clone)]
pub struct ReviewEmailToSend<'a> {
    pub service_key: &'a str,
    /// The entry's last check, which names the round.
    pub checked_on: Option<Date>,
    pub kind: ReviewEmail,
    pub recipient: &'a str,
    pub token_hash: Option<&'a str>,
    /// The email, one per recipient (the officers are each sent a copy).
    pub mails: &'a [OutgoingMail],
}

/// What a review link says, and where it stands.
#[derive(Debug, Clone)]
pub struct ReviewLink {
    pub partnership: PartnershipId,
    pub service_key: String,
    pub recipient: String,
    /// The round it belongs to; a check since then has ended it.
    pub checked_on: Option<Date>,
    pub expires_at: OffsetDateTime,
    pub used_at: Option<OffsetDateTime>,
}

#[derive(Serialize)]
struct PolicyAudit {
    months: i32,
    hide_after_days: Option<i64>,
}

fn round_name(checked_on: Option<Date>) -> String {
    checked_on.map(date_text).unwrap_or_default()
}

impl Store {
    /// The partnership's review policy: its own, or the default.
    pub async fn review_policy(&self, partnership: PartnershipId) -> Result<(ReviewPolicy, i64)> {
        let row = sqlx::query(
            "SELECT review_months, hide_after_days, version FROM local_offer_settings WHERE partnership_id = $1",
        )
        .bind(partnership.0)
        .fetch_optional(self.pool())
        .await?;
        Ok(match row {
            None => (ReviewPolicy::default(), 0),
            Some(row) => (
                ReviewPolicy {
                    months: row.int("review_months")? as i32,
                    hide_after_days: row.opt_int("hide_after_days")?,
                    ..ReviewPolicy::default()
                },
                row.int("version")?,
            ),
        })
    }

    /// Sets how long entries stay current and whether overdue ones are hidden, made to
    /// settings `version` (0 before any were saved).
    pub async fn set_review_policy(
        &self,
        actor: Actor,
        partnership: PartnershipId,
        months: i32,
        hide_after_days: Option<i64>,
        version: i64,
    ) -> Result<()> {
        let mut write = self.begin_write().await?;
        let moved = if version == 0 {
            sqlx::query(
                "INSERT INTO local_offer_settings (partnership_id, review_months, hide_after_days, version) VALUES ($1, $2, $3, 1) \
                 ON CONFLICT (partnership_id) DO NOTHING",
            )
            .bind(partnership.0)
            .bind(i64::from(months))
            .bind(hide_after_days)
            .execute(&mut *write.tx)
            .await?
        } else {
            sqlx::query(
                "UPDATE local_offer_settings SET review_months = $1, hide_after_days = $2, version = version + 1 \
                 WHERE partnership_id = $3 AND version = $4",
            )
            .bind(i64::from(months))
            .bind(hide_after_days)
            .bind(partnership.0)
            .bind(version)
            .execute(&mut *write.tx)
            .await?
        };
        if moved.rows_affected() != 1 {
            return Err(StoreError::Conflict);
        }
        record::<(), _>(
            &mut write.tx,
            Change {
                partnership: Some(partnership),
                actor,
                entity: "local_offer",
                entity_id: partnership.0,
                change: "review policy",
                summary: format!(
                    "Local Offer entries are due for review {months} months after they were checked; {}",
                    match hide_after_days {
                        Some(days) => format!("hidden from families {days} days after they fall due"),
                        None => "never hidden".to_owned(),
                    }
                ),
                before: None,
                after: Some(&PolicyAudit {
                    months,
                    hide_after_days,
                }),
            },
        )
        .await?;
        write.commit().await
    }

    /// The partnerships whose Local Offer has services.
    pub async fn partnerships_with_local_offers(&self) -> Result<Vec<PartnershipId>> {
        Ok(sqlx::query_scalar::<_, i64>(
            "SELECT DISTINCT partnership_id FROM local_offer_services ORDER BY partnership_id",
        )
        .fetch_all(self.pool())
        .await?
        .into_iter()
        .map(PartnershipId)
        .collect())
    }

    /// Every service with where its current round of review stands.
    pub async fn review_rounds(&self, partnership: PartnershipId) -> Result<Vec<ReviewRound>> {
        let directory = self.local_offer(partnership).await?;
        let versions: HashMap<String, i64> =
            sqlx::query("SELECT key, version FROM local_offer_services WHERE partnership_id = $1")
                .bind(partnership.0)
                .fetch_all(self.pool())
                .await?
                .iter()
                .map(|r| Ok((r.text("key")?, r.int("version")?)))
                .collect::<Result<_>>()?;
        let mut emails: HashMap<(String, String), (Vec<Date>, bool)> = HashMap::new();
        for row in sqlx::query(
            "SELECT service_key, checked_on, kind, sent_on FROM local_offer_review_emails WHERE partnership_id = $1 ORDER BY sent_on, id",
        )
        .bind(partnership.0)
        .fetch_all(self.pool())
        .await?
        {
            let round = emails
                .entry((row.text("service_key")?, row.text("checked_on")?))
                .or_default();
            match row.code("kind", ReviewEmail::from_code)? {
                ReviewEmail::OfficerTold => round.1 = true,
                _ => round.0.push(row.date("sent_on")?),
            }
        }
        Ok(directory
            .services
            .iter()
            .map(|service| {
                let (sent, officer_told) = emails
                    .remove(&(service.key.clone(), round_name(service.assured_date)))
                    .unwrap_or_default();
                ReviewRound {
                    organisation: directory
                        .organizations
                        .iter()
                        .find(|o| o.key == service.organization_key)
                        .cloned(),
                    entry: ServiceEntry {
                        version: versions.get(&service.key).copied().unwrap_or(0),
                        service: service.clone(),
                    },
                    sent,
                    officer_told,
                }
            })
            .collect())
    }

    /// Records one of the programme's emails and queues it, in one transaction. Returns
    /// false, sending nothing, when the same email was already sent today (two servers, or
    /// a round run twice).
    pub async fn send_review_email(
        &self,
        partnership: PartnershipId,
        email: &ReviewEmailToSend<'_>,
        now: OffsetDateTime,
    ) -> Result<bool> {
        let mut write = self.begin_write().await?;
        let inserted: Option<i64> = sqlx::query_scalar(
            "INSERT INTO local_offer_review_emails (partnership_id, service_key, checked_on, kind, sent_on, recipient, token_hash, expires_at) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8) \
             ON CONFLICT (partnership_id, service_key, checked_on, kind, sent_on) DO NOTHING RETURNING id",
        )
        .bind(partnership.0)
        .bind(email.service_key.to_owned())
        .bind(round_name(email.checked_on))
        .bind(email.kind.code())
        .bind(date_text(now.date()))
        .bind(email.recipient.to_owned())
        .bind(email.token_hash.map(str::to_owned))
        .bind(email.token_hash.map(|_| {
            timestamp_text(
                now + time::Duration::days(sendplan_domain::local_offer::review::LINK_VALID_DAYS),
            )
        }))
        .fetch_optional(&mut *write.tx)
        .await?;
        let Some(id) = inserted else {
            return Ok(false);
        };
        for (i, mail) in email.mails.iter().enumerate() {
            let outbox = queue_mail(&mut write.tx, mail, now).await?;
            if i == 0 {
                sqlx::query("UPDATE local_offer_review_emails SET outbox_id = $1 WHERE id = $2")
                    .bind(outbox)
                    .bind(id)
                    .execute(&mut *write.tx)
                    .await?;
            }
        }
        write.commit().await?;
        Ok(true)
    }

    /// The review link a token's hash names, if there is one.
    pub async fn review_link(&self, token_hash: &str) -> Result<Option<ReviewLink>> {
        let row = sqlx::query(
            "SELECT partnership_id, service_key, recipient, checked_on, expires_at, used_at FROM local_offer_review_emails WHERE token_hash = $1",
        )
        .bind(token_hash.to_owned())
        .fetch_optional(self.pool())
        .await?;
        row.map(|row| {
            let checked_on = row
                .opt_text("checked_on")?
                .filter(|t| !t.is_empty())
                .map(|_| row.date("checked_on"))
                .transpose()?;
            Ok(ReviewLink {
                partnership: PartnershipId(row.int("partnership_id")?),
                service_key: row.text("service_key")?,
                recipient: row.text("recipient")?,
                checked_on,
                expires_at: parse_timestamp(&row.text("expires_at")?)?,
                used_at: row
                    .opt_text("used_at")?
                    .map(|t| parse_timestamp(&t))
                    .transpose()?,
            })
        })
        .transpose()
    }

    /// Confirms through a review link that the entry, as its version `version` says, has
    /// not changed: it is recorded as checked `today` by the link's recipient, as a new
    /// version, and every link of the round stops working. Refused (`Conflict`) if the
    /// entry changed after the page was shown; `Rule` if the link no longer works.
    pub async fn confirm_unchanged(
        &self,
        token_hash: &str,
        version: i64,
        now: OffsetDateTime,
    ) -> Result<ServiceEntry> {
        let link = self
            .review_link(token_hash)
            .await?
            .ok_or(StoreError::NotFound)?;
        let mut write = self.begin_write().await?;
        let ServiceEntry {
            mut service,
            version: current,
        } = entry_in(&mut write.tx, link.partnership, &link.service_key).await?;
        if link.used_at.is_some() || service.assured_date != link.checked_on {
            return Err(StoreError::Rule(
                "This entry has been checked since this email was sent, so there is nothing more to do".to_owned(),
            ));
        }
        if now >= link.expires_at {
            return Err(StoreError::Rule(
                "This link has expired. The Local Offer team will send a new one, or you can contact them".to_owned(),
            ));
        }
        if current != version {
            return Err(StoreError::Conflict);
        }
        service.assured_date = Some(now.date());
        service.assurer_email = link.recipient.clone();
        let version = put_service_version(
            &mut write.tx,
            Actor(None),
            link.partnership,
            &service,
            Some(current),
            &format!("confirmed unchanged by {}", link.recipient),
        )
        .await?;
        sqlx::query(
            "UPDATE local_offer_review_emails SET used_at = $1 WHERE partnership_id = $2 AND service_key = $3 AND checked_on = $4 AND used_at IS NULL",
        )
        .bind(timestamp_text(now))
        .bind(link.partnership.0)
        .bind(link.service_key.clone())
        .bind(round_name(link.checked_on))
        .execute(&mut *write.tx)
        .await?;
        record::<(), ()>(
            &mut write.tx,
            Change {
                partnership: Some(link.partnership),
                actor: Actor(None),
                entity: "local_offer_service",
                entity_id: link.partnership.0,
                change: "checked",
                summary: format!(
                    "\"{}\" confirmed unchanged through its review email: now version {version}",
                    service.name
                ),
                before: None,
                after: None,
            },
        )
        .await?;
        write.commit().await?;
        Ok(ServiceEntry { service, version })
    }

    /// Who is told when a service's contact does not answer: the partnership's Local Offer
    /// officers, or its administrators if it has none.
    pub async fn local_offer_officers(&self, partnership: PartnershipId) -> Result<Vec<Recipient>> {
        let rows = sqlx::query(
            "SELECT u.display_name, u.email, m.role FROM memberships m JOIN users u ON u.id = m.user_id \
             WHERE m.partnership_id = $1 AND m.role IN ('local_offer_officer', 'admin') AND u.disabled_at IS NULL ORDER BY u.display_name",
        )
        .bind(partnership.0)
        .fetch_all(self.pool())
        .await?;
        let mut officers = Vec::new();
        let mut admins = Vec::new();
        for row in rows {
            let recipient = Recipient {
                name: row.text("display_name")?,
                email: row.text("email")?,
            };
            if row.text("role")? == "admin" {
                admins.push(recipient);
            } else {
                officers.push(recipient);
            }
        }
        Ok(if officers.is_empty() {
            admins
        } else {
            officers
        })
    }

    /// The provider accounts that keep an organisation's services, to be told of problems
    /// families report with them.
    pub async fn local_offer_providers(
        &self,
        partnership: PartnershipId,
        organization: &str,
    ) -> Result<Vec<Recipient>> {
        sqlx::query(
            "SELECT u.display_name, u.email FROM memberships m JOIN users u ON u.id = m.user_id \
             WHERE m.partnership_id = $1 AND m.role = 'provider' AND m.organization_key = $2 AND u.disabled_at IS NULL \
             ORDER BY u.display_name",
        )
        .bind(partnership.0)
        .bind(organization.to_owned())
        .fetch_all(self.pool())
        .await?
        .iter()
        .map(|row| {
            Ok(Recipient {
                name: row.text("display_name")?,
                email: row.text("email")?,
            })
        })
        .collect()
    }
}
