//! Invitations to join a partnership with a role, and the email domains that sign in
//! through a partnership's identity provider.
//!
//! An invitation is a single-use link: only the hash of its token is stored, it expires
//! after seven days, it can be sent again (with a new link, the old one stops working) or
//! withdrawn, and accepting it is one conditional update, so a link used twice at once
//! gives one account one role. Its email goes through the outbox with everything else.

use crate::accounts::{insert_user, upsert_membership};
use crate::audit::{record, Change};
use crate::reminders::{queue_mail, OutgoingMail};
use crate::sql::{parse_timestamp, timestamp_text, RowExt};
use crate::{Actor, Result, Store, StoreError, Tx};
use sendplan_domain::access::Role;
use sendplan_domain::accounts::{InvitationInput, InvitationState, INVITATION_VALID_FOR};
use sendplan_domain::{PartnershipId, PersonId, UserId};
use serde::Serialize;
use sqlx::any::AnyRow;
use time::OffsetDateTime;

/// An invitation as its partnership's administrators see it.
#[derive(Debug, Clone)]
pub struct Invitation {
    pub id: i64,
    pub partnership_id: PartnershipId,
    pub email: String,
    pub role: Role,
    pub person_id: Option<PersonId>,
    /// For a Local Offer provider, the directory organisation whose services they keep.
    pub organisation: Option<String>,
    pub invited_by: String,
    pub sent_at: OffsetDateTime,
    pub expires_at: OffsetDateTime,
    pub accepted_at: Option<OffsetDateTime>,
    pub withdrawn_at: Option<OffsetDateTime>,
    /// Where its latest email stands ("Sent", "Waiting to be sent"...), if one was queued.
    pub email_state: Option<String>,
}

impl Invitation {
    pub fn state(&self, now: OffsetDateTime) -> InvitationState {
        InvitationState::of(
            self.accepted_at.is_some(),
            self.withdrawn_at.is_some(),
            self.expires_at,
            now,
        )
    }
}

/// Who accepts an invitation.
#[derive(Debug, Clone)]
pub enum Accepting<'a> {
    /// An account that exists, signed in (its email must be the invitation's).
    Account(UserId),
    /// A new account for the invitation's email address. An empty hash makes an account
    /// that signs in only through the identity provider.
    NewAccount {
        display_name: &'a str,
        password_hash: &'a str,
    },
}

#[derive(Serialize)]
struct InvitationAudit<'a> {
    email: &'a str,
    role: Role,
    person_id: Option<PersonId>,
    expires_at: String,
}

fn opt_stamp(row: &AnyRow, column: &str) -> Result<Option<OffsetDateTime>> {
    row.opt_text(column)?
        .map(|t| parse_timestamp(&t))
        .transpose()
}

fn invitation_from(row: &AnyRow) -> Result<Invitation> {
    let email_state = match row.opt_int("outbox_id")? {
        None => None,
        Some(_) => Some(
            match (
                row.opt_text("mail_sent_at")?,
                row.opt_text("mail_failed_at")?,
                row.opt_int("mail_attempts")?.unwrap_or(0),
            ) {
                (Some(_), _, _) => "Email sent".to_owned(),
                (None, Some(_), _) => "The mail server refused the address".to_owned(),
                (None, None, 0) => "Email waiting to be sent".to_owned(),
                (None, None, n) => format!("Email not sent yet: {n} failed attempts"),
            },
        ),
    };
    Ok(Invitation {
        id: row.int("id")?,
        partnership_id: PartnershipId(row.int("partnership_id")?),
        email: row.text("email")?,
        role: row.code("role", Role::from_code)?,
        person_id: row.opt_int("person_id")?.map(PersonId),
        organisation: row.opt_text("organization_key")?,
        invited_by: row.text("invited_by_name")?,
        sent_at: parse_timestamp(&row.text("sent_at")?)?,
        expires_at: parse_timestamp(&row.text("expires_at")?)?,
        accepted_at: opt_stamp(row, "accepted_at")?,
        withdrawn_at: opt_stamp(row, "withdrawn_at")?,
        email_state,
    })
}

const SELECT_INVITATION: &str = "SELECT i.*, COALESCE(u.display_name, 'Command line') AS invited_by_name, \
     o.sent_at AS mail_sent_at, o.failed_at AS mail_failed_at, o.attempts AS mail_attempts \
     FROM invitations i LEFT JOIN users u ON u.id = i.invited_by LEFT JOIN outbox o ON o.id = i.outbox_id";

async fn log_invitation(
    tx: &mut Tx,
    actor: Actor,
    invitation: &Invitation,
    change: &str,
    summary: String,
) -> Result<()> {
    let after = InvitationAudit {
        email: &invitation.email,
        role: invitation.role,
        person_id: invitation.person_id,
        expires_at: timestamp_text(invitation.expires_at),
    };
    record::<(), _>(
        tx,
        Change {
            partnership: Some(invitation.partnership_id),
            actor,
            entity: "invitation",
            entity_id: invitation.id,
            change,
            summary,
            before: None,
            after: Some(&after),
        },
    )
    .await
}

async fn invitation_in(tx: &mut Tx, partnership: PartnershipId, id: i64) -> Result<Invitation> {
    let row = sqlx::query(&format!(
        "{SELECT_INVITATION} WHERE i.id = $1 AND i.partnership_id = $2"
    ))
    .bind(id)
    .bind(partnership.0)
    .fetch_optional(&mut **tx)
    .await?
    .ok_or(StoreError::NotFound)?;
    invitation_from(&row)
}

impl Store {
    /// Invites `input.email` to the partnership, storing the link's token by its hash and
    /// queuing `mail` (when there is a mail server) in the same transaction. An earlier
    /// invitation to the same address that has expired is replaced; one still waiting is
    /// left alone and the caller is told to send it again instead.
    pub async fn create_invitation(
        &self,
        actor: Actor,
        partnership: PartnershipId,
        input: &InvitationInput,
        token_hash: &str,
        now: OffsetDateTime,
        mail: Option<&OutgoingMail>,
    ) -> Result<i64> {
        let mut write = self.begin_write().await?;
        if let Some(person) = input.person {
            self.person_in(&mut write.tx, partnership, person).await?;
        }
        let organisation = crate::accounts::provider_organisation_in(
            &mut write.tx,
            partnership,
            input.role,
            input.organisation.as_deref(),
        )
        .await?;
        let member: i64 = sqlx::query_scalar(
            "SELECT COUNT(*) FROM memberships m JOIN users u ON u.id = m.user_id WHERE m.partnership_id = $1 AND u.email = $2",
        )
        .bind(partnership.0)
        .bind(input.email.clone())
        .fetch_one(&mut *write.tx)
        .await?;
        if member > 0 {
            return Err(StoreError::Rule(format!(
                "{} is already a member of this partnership: change their role from the Members page instead",
                input.email
            )));
        }
        let open = sqlx::query(&format!(
            "{SELECT_INVITATION} WHERE i.partnership_id = $1 AND i.email = $2 AND i.accepted_at IS NULL AND i.withdrawn_at IS NULL"
        ))
        .bind(partnership.0)
        .bind(input.email.clone())
        .fetch_optional(&mut *write.tx)
        .await?;
        if let Some(open) = open {
            let open = invitation_from(&open)?;
            if open.state(now) == InvitationState::Waiting {
                return Err(StoreError::Duplicate(format!(
                    "{} was invited on {} and has not accepted yet: send that invitation again from the Members page instead",
                    open.email,
                    sendplan_domain::input::long_date(open.sent_at.date())
                )));
            }
            sqlx::query("UPDATE invitations SET withdrawn_at = $1 WHERE id = $2")
                .bind(timestamp_text(now))
                .bind(open.id)
                .execute(&mut *write.tx)
                .await?;
            log_invitation(
                &mut write.tx,
                actor,
                &open,
                "withdrawn",
                format!("Expired invitation {} replaced by a new one", open.id),
            )
            .await?;
        }
        let outbox = match mail {
            Some(mail) => Some(queue_mail(&mut write.tx, mail, now).await?),
            None => None,
        };
        let id: i64 = sqlx::query_scalar(
            "INSERT INTO invitations (partnership_id, email, role, person_id, token_hash, invited_by, created_at, sent_at, expires_at, outbox_id, organization_key) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, $7, $8, $9, $10) RETURNING id",
        )
        .bind(partnership.0)
        .bind(input.email.clone())
        .bind(input.role.code())
        .bind(input.person.map(|p| p.0))
        .bind(token_hash.to_owned())
        .bind(actor.0.map(|u| u.0))
        .bind(timestamp_text(now))
        .bind(timestamp_text(now + INVITATION_VALID_FOR))
        .bind(outbox)
        .bind(organisation)
        .fetch_one(&mut *write.tx)
        .await
        .map_err(crate::duplicate_as(
            "That address was invited at the same moment elsewhere: see the Members page",
        ))?;
        let created = invitation_in(&mut write.tx, partnership, id).await?;
        log_invitation(
            &mut write.tx,
            actor,
            &created,
            "created",
            format!(
                "Invitation {id} to join as {}",
                input.role.label().to_lowercase()
            ),
        )
        .await?;
        write.commit().await?;
        Ok(id)
    }

    /// The partnership's invitations, newest first.
    pub async fn list_invitations(&self, partnership: PartnershipId) -> Result<Vec<Invitation>> {
        sqlx::query(&format!(
            "{SELECT_INVITATION} WHERE i.partnership_id = $1 ORDER BY i.id DESC LIMIT 200"
        ))
        .bind(partnership.0)
        .fetch_all(self.pool())
        .await?
        .iter()
        .map(invitation_from)
        .collect()
    }

    pub async fn get_invitation(&self, partnership: PartnershipId, id: i64) -> Result<Invitation> {
        let row = sqlx::query(&format!(
            "{SELECT_INVITATION} WHERE i.id = $1 AND i.partnership_id = $2"
        ))
        .bind(id)
        .bind(partnership.0)
        .fetch_optional(self.pool())
        .await?
        .ok_or(StoreError::NotFound)?;
        invitation_from(&row)
    }

    /// The invitation a link leads to, with its partnership's name.
    pub async fn invitation_by_token(
        &self,
        token_hash: &str,
    ) -> Result<Option<(Invitation, String)>> {
        let row = sqlx::query(&format!(
            "SELECT q.*, p.name AS partnership_name FROM ({SELECT_INVITATION} WHERE i.token_hash = $1) q \
             JOIN partnerships p ON p.id = q.partnership_id"
        ))
        .bind(token_hash.to_owned())
        .fetch_optional(self.pool())
        .await?;
        row.map(|r| Ok((invitation_from(&r)?, r.text("partnership_name")?)))
            .transpose()
    }

    /// Sends an invitation again with a new link (the old one stops working) and seven
    /// more days. Only an invitation not yet accepted or withdrawn can be sent again.
    pub async fn resend_invitation(
        &self,
        actor: Actor,
        partnership: PartnershipId,
        id: i64,
        token_hash: &str,
        now: OffsetDateTime,
        mail: Option<&OutgoingMail>,
    ) -> Result<()> {
        let mut write = self.begin_write().await?;
        let invitation = invitation_in(&mut write.tx, partnership, id).await?;
        if !invitation.state(now).is_open() {
            return Err(StoreError::Rule(format!(
                "This invitation was {} and cannot be sent again: invite them afresh if needed",
                invitation.state(now).label().to_lowercase()
            )));
        }
        let outbox = match mail {
            Some(mail) => Some(queue_mail(&mut write.tx, mail, now).await?),
            None => None,
        };
        sqlx::query(
            "UPDATE invitations SET token_hash = $1, sent_at = $2, expires_at = $3, outbox_id = $4 WHERE id = $5 AND partnership_id = $6",
        )
        .bind(token_hash.to_owned())
        .bind(timestamp_text(now))
        .bind(timestamp_text(now + INVITATION_VALID_FOR))
        .bind(outbox)
        .bind(id)
        .bind(partnership.0)
        .execute(&mut *write.tx)
        .await?;
        let resent = invitation_in(&mut write.tx, partnership, id).await?;
        log_invitation(
            &mut write.tx,
            actor,
            &resent,
            "resent",
            format!("Invitation {id} sent again with a new link"),
        )
        .await?;
        write.commit().await
    }

    /// Withdraws an invitation, so its link stops working. Withdrawing one already
    /// withdrawn changes nothing; an accepted one cannot be withdrawn (remove the member).
    pub async fn withdraw_invitation(
        &self,
        actor: Actor,
        partnership: PartnershipId,
        id: i64,
        now: OffsetDateTime,
    ) -> Result<()> {
        let mut write = self.begin_write().await?;
        let invitation = invitation_in(&mut write.tx, partnership, id).await?;
        match invitation.state(now) {
            InvitationState::Withdrawn => return Ok(()),
            InvitationState::Accepted => {
                return Err(StoreError::Rule(
                    "This invitation has been accepted: remove the member instead".to_owned(),
                ))
            }
            InvitationState::Waiting | InvitationState::Expired => {}
        }
        sqlx::query("UPDATE invitations SET withdrawn_at = $1 WHERE id = $2")
            .bind(timestamp_text(now))
            .bind(id)
            .execute(&mut *write.tx)
            .await?;
        log_invitation(
            &mut write.tx,
            actor,
            &invitation,
            "withdrawn",
            format!("Invitation {id} withdrawn"),
        )
        .await?;
        write.commit().await
    }

    /// Accepts the invitation a link leads to: marks it accepted (only if it is still
    /// waiting, in the same statement, so a link works once), makes the account if needed,
    /// and gives it the role. Returns the account and the partnership; `Ok(None)` when the
    /// link no longer works.
    pub async fn accept_invitation(
        &self,
        token_hash: &str,
        accepting: Accepting<'_>,
        now: OffsetDateTime,
    ) -> Result<Option<(UserId, PartnershipId)>> {
        let mut write = self.begin_write().await?;
        let Some(row) = sqlx::query(&format!("{SELECT_INVITATION} WHERE i.token_hash = $1"))
            .bind(token_hash.to_owned())
            .fetch_optional(&mut *write.tx)
            .await?
        else {
            return Ok(None);
        };
        let invitation = invitation_from(&row)?;
        if invitation.state(now) != InvitationState::Waiting {
            return Ok(None);
        }
        let user = match accepting {
            Accepting::Account(user) => {
                let email: String = sqlx::query_scalar("SELECT email FROM users WHERE id = $1")
                    .bind(user.0)
                    .fetch_one(&mut *write.tx)
                    .await?;
                if email != invitation.email {
                    return Err(StoreError::Rule(format!(
                        "This invitation is for {}: sign in with that address to accept it",
                        invitation.email
                    )));
                }
                user
            }
            Accepting::NewAccount {
                display_name,
                password_hash,
            } => {
                insert_user(
                    &mut write.tx,
                    Actor(None),
                    &invitation.email,
                    display_name,
                    password_hash,
                    false,
                    true,
                )
                .await?
            }
        };
        let taken = sqlx::query(
            "UPDATE invitations SET accepted_at = $1, accepted_by = $2 WHERE id = $3 AND accepted_at IS NULL AND withdrawn_at IS NULL AND expires_at > $1",
        )
        .bind(timestamp_text(now))
        .bind(user.0)
        .bind(invitation.id)
        .execute(&mut *write.tx)
        .await?;
        if taken.rows_affected() != 1 {
            return Ok(None);
        }
        let actor = Actor(Some(user));
        let partnership = invitation.partnership_id;
        let person = match invitation.person_id {
            Some(person) => self
                .person_in(&mut write.tx, partnership, person)
                .await
                .ok()
                .map(|()| person),
            None => None,
        };
        upsert_membership(
            &mut write.tx,
            actor,
            user,
            partnership,
            invitation.role,
            person,
            invitation.organisation.as_deref(),
        )
        .await?;
        log_invitation(
            &mut write.tx,
            actor,
            &invitation,
            "accepted",
            format!(
                "Invitation {} accepted by account {}",
                invitation.id, user.0
            ),
        )
        .await?;
        write.commit().await?;
        Ok(Some((user, partnership)))
    }

    /// The email domains a partnership signs in through the identity provider, and
    /// whether password sign-in is still allowed for them.
    pub async fn sign_in_domains(&self, partnership: PartnershipId) -> Result<(Vec<String>, bool)> {
        let rows = sqlx::query(
            "SELECT domain, password_allowed FROM sign_in_domains WHERE partnership_id = $1 ORDER BY domain",
        )
        .bind(partnership.0)
        .fetch_all(self.pool())
        .await?;
        let mut allowed = true;
        let mut domains = Vec::new();
        for row in &rows {
            domains.push(row.text("domain")?);
            allowed &= row.int("password_allowed")? != 0;
        }
        Ok((domains, allowed))
    }

    /// Whether accounts at `domain` may sign in with a password (false when a partnership
    /// sends that domain through the identity provider only).
    pub async fn password_allowed_for(&self, domain: &str) -> Result<bool> {
        let allowed: Option<i64> =
            sqlx::query_scalar("SELECT password_allowed FROM sign_in_domains WHERE domain = $1")
                .bind(domain.to_owned())
                .fetch_optional(self.pool())
                .await?;
        Ok(allowed.is_none_or(|a| a != 0))
    }

    /// Whether a partnership names `domain` as one that signs in through the identity provider.
    pub async fn is_single_sign_on_domain(&self, domain: &str) -> Result<bool> {
        let n: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM sign_in_domains WHERE domain = $1")
            .bind(domain.to_owned())
            .fetch_one(self.pool())
            .await?;
        Ok(n > 0)
    }

    /// Replaces the partnership's single sign-on domains. A domain belongs to one partnership.
    pub async fn set_sign_in_domains(
        &self,
        actor: Actor,
        partnership: PartnershipId,
        domains: &[String],
        password_allowed: bool,
    ) -> Result<()> {
        #[derive(Serialize)]
        struct Domains<'a> {
            domains: &'a [String],
            password_allowed: bool,
        }
        let mut write = self.begin_write().await?;
        let (before, before_allowed) = self.sign_in_domains(partnership).await?;
        sqlx::query("DELETE FROM sign_in_domains WHERE partnership_id = $1")
            .bind(partnership.0)
            .execute(&mut *write.tx)
            .await?;
        for domain in domains {
            sqlx::query(
                "INSERT INTO sign_in_domains (domain, partnership_id, password_allowed) VALUES ($1, $2, $3)",
            )
            .bind(domain.clone())
            .bind(partnership.0)
            .bind(i64::from(password_allowed))
            .execute(&mut *write.tx)
            .await
            .map_err(crate::duplicate_as(&format!(
                "{domain} already signs in to another partnership: a domain can belong to one partnership"
            )))?;
        }
        record(
            &mut write.tx,
            Change {
                partnership: Some(partnership),
                actor,
                entity: "sign_in",
                entity_id: partnership.0,
                change: "updated",
                summary: "Single sign-on domains changed".to_owned(),
                before: Some(&Domains {
                    domains: &before,
                    password_allowed: before_allowed,
                }),
                after: Some(&Domains {
                    domains,
                    password_allowed,
                }),
            },
        )
        .await?;
        write.commit().await
    }
}
