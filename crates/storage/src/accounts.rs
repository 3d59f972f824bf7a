//! Accounts, partnership memberships, sign-in sessions, password resets and the attempt
//! counts that throttle guessing.
//!
//! Every change of access (an account made, disabled or enabled, a deployment
//! administrator made or unmade, a role given, changed or taken away, a password changed)
//! is written to the audit log in the same transaction. Changes to an account itself are
//! logged with no partnership, as `account` events. Tokens (sessions, reset links) are
//! stored only as hashes, so a copy of the database cannot be used to sign in.

use crate::audit::{record, Change};
use crate::reminders::{queue_mail, OutgoingMail};
use crate::sql::{now_text, parse_timestamp, timestamp_text, RowExt};
use crate::{duplicate_as, Actor, Result, Store, StoreError, Tx};
use sendplan_domain::access::Role;
use sendplan_domain::accounts::{Limit, SessionTimes, LAST_SEEN_EVERY};
use sendplan_domain::partnership::Partnership;
use sendplan_domain::{PartnershipId, PersonId, UserId};
use serde::Serialize;
use sqlx::any::AnyRow;
use time::OffsetDateTime;

/// An account as stored. The password hash never leaves storage and the web layer.
#[derive(Debug, Clone)]
pub struct UserRecord {
    pub id: UserId,
    pub email: String,
    pub display_name: String,
    /// Empty for an account that signs in only through the identity provider.
    pub password_hash: String,
    pub deployment_admin: bool,
    pub disabled: bool,
    pub last_sign_in_at: Option<OffsetDateTime>,
}

/// A signed-in session.
#[derive(Debug, Clone)]
pub struct SessionRecord {
    pub user: UserRecord,
    pub csrf_token: String,
    /// Names the session in "Your sessions" without revealing its token.
    pub handle: String,
    pub expires_at: OffsetDateTime,
}

/// A session about to be stored.
#[derive(Debug, Clone)]
pub struct NewSession<'a> {
    pub token_hash: &'a str,
    pub handle: &'a str,
    pub user: UserId,
    pub csrf_token: &'a str,
    pub user_agent: &'a str,
    pub now: OffsetDateTime,
    pub expires_at: OffsetDateTime,
}

/// One of an account's sessions, as "Your sessions" lists them.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SessionInfo {
    pub handle: String,
    pub user_agent: String,
    pub created_at: OffsetDateTime,
    pub last_seen_at: OffsetDateTime,
}

/// A member of a partnership, as listed to its admins.
#[derive(Debug, Clone, Serialize)]
pub struct Member {
    pub user_id: UserId,
    pub email: String,
    pub display_name: String,
    pub role: Role,
    pub person_id: Option<PersonId>,
    /// For a Local Offer provider, the directory organisation whose services they keep.
    pub organisation: Option<String>,
    pub disabled: bool,
    /// Whether they have been granted casework (case-level data about children).
    pub casework: bool,
}

/// An account as the deployment administrators' list shows it.
#[derive(Debug, Clone)]
pub struct AccountSummary {
    pub user: UserRecord,
    /// The partnerships it belongs to, with its role in each.
    pub memberships: Vec<(String, Role)>,
}

/// What counting an attempt found.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Attempt {
    /// The attempts in the current window, this one included.
    pub count: i64,
    pub window_started: OffsetDateTime,
}

impl Attempt {
    /// Whether this attempt is within `limit`, and so may be checked.
    pub fn allowed(self, limit: Limit) -> bool {
        self.count <= limit.attempts
    }
}

/// What became of a password reset link.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ResetLink {
    /// Unused and in time: the account it resets.
    Usable(UserId),
    Used,
    Expired,
}

/// An account's columns, named: a `SELECT *` prepared before a migration added columns
/// kept its old shape in sqlx's SQLite statement cache and panicked reading the new ones.
const USER: &str =
    "id, email, display_name, password_hash, deployment_admin, disabled_at, last_sign_in_at";

pub(crate) fn user_from(row: &AnyRow) -> Result<UserRecord> {
    Ok(UserRecord {
        id: UserId(row.int("id")?),
        email: row.text("email")?,
        display_name: row.text("display_name")?,
        password_hash: row.text("password_hash")?,
        deployment_admin: row.int("deployment_admin")? != 0,
        disabled: row.opt_text("disabled_at")?.is_some(),
        last_sign_in_at: row
            .opt_text("last_sign_in_at")?
            .map(|t| parse_timestamp(&t))
            .transpose()?,
    })
}

/// An account as its audit entries record it (never the password hash).
#[derive(Serialize)]
struct AccountAudit<'a> {
    email: &'a str,
    display_name: &'a str,
    deployment_admin: bool,
    disabled: bool,
}

impl<'a> From<&'a UserRecord> for AccountAudit<'a> {
    fn from(user: &'a UserRecord) -> Self {
        AccountAudit {
            email: &user.email,
            display_name: &user.display_name,
            deployment_admin: user.deployment_admin,
            disabled: user.disabled,
        }
    }
}

#[derive(Serialize)]
struct MembershipAudit<'a> {
    email: &'a str,
    role: Role,
    person_id: Option<PersonId>,
    #[serde(skip_serializing_if = "Option::is_none")]
    organisation: Option<String>,
}

/// Logs a change to an account itself (no partnership).
async fn record_account(
    tx: &mut Tx,
    actor: Actor,
    user: UserId,
    change: &str,
    summary: String,
    before: Option<&AccountAudit<'_>>,
    after: Option<&AccountAudit<'_>>,
) -> Result<()> {
    record(
        tx,
        Change {
            partnership: None,
            actor,
            entity: "account",
            entity_id: user.0,
            change,
            summary,
            before,
            after,
        },
    )
    .await
}

async fn user_in(tx: &mut Tx, user: UserId) -> Result<UserRecord> {
    let row = sqlx::query(&format!("SELECT {USER} FROM users WHERE id = $1"))
        .bind(user.0)
        .fetch_optional(&mut **tx)
        .await?
        .ok_or(StoreError::NotFound)?;
    user_from(&row)
}

async fn end_sessions_in(tx: &mut Tx, user: UserId) -> Result<()> {
    sqlx::query("DELETE FROM sessions WHERE user_id = $1")
        .bind(user.0)
        .execute(&mut **tx)
        .await?;
    Ok(())
}

/// Inserts an account inside the caller's transaction and logs it.
pub(crate) async fn insert_user(
    tx: &mut Tx,
    actor: Actor,
    email: &str,
    display_name: &str,
    password_hash: &str,
    deployment_admin: bool,
    invited: bool,
) -> Result<UserId> {
    let email = email.trim().to_lowercase();
    let id: i64 = sqlx::query_scalar(
        "INSERT INTO users (email, display_name, password_hash, deployment_admin, created_at) \
         VALUES ($1, $2, $3, $4, $5) RETURNING id",
    )
    .bind(email.clone())
    .bind(display_name.to_owned())
    .bind(password_hash.to_owned())
    .bind(i64::from(deployment_admin))
    .bind(now_text())
    .fetch_one(&mut **tx)
    .await
    .map_err(duplicate_as(
        "An account with that email address already exists",
    ))?;
    let after = AccountAudit {
        email: &email,
        display_name,
        deployment_admin,
        disabled: false,
    };
    // An account made by accepting an invitation is made by its owner, not the command line.
    let actor = if actor.0.is_none() && invited {
        Actor(Some(UserId(id)))
    } else {
        actor
    };
    record_account(
        tx,
        actor,
        UserId(id),
        "created",
        format!(
            "Account {id} created{}",
            if deployment_admin {
                " as a deployment administrator"
            } else if invited {
                " by accepting an invitation"
            } else {
                ""
            }
        ),
        None,
        Some(&after),
    )
    .await?;
    Ok(UserId(id))
}

/// Gives an account a role in a partnership (replacing any role it had there) inside the
/// caller's transaction, and logs it.
pub(crate) async fn upsert_membership(
    tx: &mut Tx,
    actor: Actor,
    user: UserId,
    partnership: PartnershipId,
    role: Role,
    person: Option<PersonId>,
    organisation: Option<&str>,
) -> Result<()> {
    let organisation = provider_organisation_in(tx, partnership, role, organisation).await?;
    let email: String = sqlx::query_scalar("SELECT email FROM users WHERE id = $1")
        .bind(user.0)
        .fetch_optional(&mut **tx)
        .await?
        .ok_or(StoreError::NotFound)?;
    let before = membership_in(tx, user, partnership).await?;
    if let Some((Role::Admin, _)) = before {
        if role != Role::Admin {
            keep_an_administrator(tx, partnership, user).await?;
        }
    }
    sqlx::query(
        "INSERT INTO memberships (user_id, partnership_id, role, person_id, organization_key) VALUES ($1, $2, $3, $4, $5) \
         ON CONFLICT (user_id, partnership_id) DO UPDATE SET role = excluded.role, person_id = excluded.person_id, \
         organization_key = excluded.organization_key",
    )
    .bind(user.0)
    .bind(partnership.0)
    .bind(role.code())
    .bind(person.map(|p| p.0))
    .bind(organisation.clone())
    .execute(&mut **tx)
    .await?;
    let before = before.map(|(role, person_id)| MembershipAudit {
        email: &email,
        role,
        person_id,
        organisation: None,
    });
    let after = MembershipAudit {
        email: &email,
        role,
        person_id: person,
        organisation,
    };
    let (change, summary) = match &before {
        None => (
            "granted",
            format!("Role {} given to account {}", role.label(), user.0),
        ),
        Some(_) => (
            "updated",
            format!("Account {}'s role changed to {}", user.0, role.label()),
        ),
    };
    record(
        tx,
        Change {
            partnership: Some(partnership),
            actor,
            entity: "membership",
            entity_id: user.0,
            change,
            summary,
            before: before.as_ref(),
            after: Some(&after),
        },
    )
    .await
}

/// The organisation a membership is tied to: required for a provider, and one of the
/// partnership's Local Offer organisations; nothing for any other role.
pub(crate) async fn provider_organisation_in(
    tx: &mut Tx,
    partnership: PartnershipId,
    role: Role,
    organisation: Option<&str>,
) -> Result<Option<String>> {
    if role != Role::Provider {
        return Ok(None);
    }
    let Some(key) = organisation else {
        return Err(StoreError::Rule(
            "A Local Offer provider keeps one organisation's services: choose the organisation"
                .to_owned(),
        ));
    };
    let known: Option<String> = sqlx::query_scalar(
        "SELECT key FROM local_offer_organizations WHERE partnership_id = $1 AND key = $2",
    )
    .bind(partnership.0)
    .bind(key.to_owned())
    .fetch_optional(&mut **tx)
    .await?;
    known.map(Some).ok_or_else(|| {
        StoreError::Rule("That organisation is not in this partnership's Local Offer".to_owned())
    })
}

async fn membership_in(
    tx: &mut Tx,
    user: UserId,
    partnership: PartnershipId,
) -> Result<Option<(Role, Option<PersonId>)>> {
    let row = sqlx::query(
        "SELECT role, person_id FROM memberships WHERE user_id = $1 AND partnership_id = $2",
    )
    .bind(user.0)
    .bind(partnership.0)
    .fetch_optional(&mut **tx)
    .await?;
    row.map(|row| {
        Ok((
            row.code("role", Role::from_code)?,
            row.opt_int("person_id")?.map(PersonId),
        ))
    })
    .transpose()
}

/// Refuses a change that would leave the partnership without an administrator who can
/// sign in (other than `leaving`).
async fn keep_an_administrator(
    tx: &mut Tx,
    partnership: PartnershipId,
    leaving: UserId,
) -> Result<()> {
    let others: i64 = sqlx::query_scalar(
        "SELECT COUNT(*) FROM memberships m JOIN users u ON u.id = m.user_id \
         WHERE m.partnership_id = $1 AND m.role = 'admin' AND m.user_id <> $2 AND u.disabled_at IS NULL",
    )
    .bind(partnership.0)
    .bind(leaving.0)
    .fetch_one(&mut **tx)
    .await?;
    if others == 0 {
        return Err(StoreError::Rule(
            "A partnership must always have an administrator: make someone else an administrator first"
                .to_owned(),
        ));
    }
    Ok(())
}

impl Store {
    /// Creates an account. The email must not be in use.
    pub async fn create_user(
        &self,
        email: &str,
        display_name: &str,
        password_hash: &str,
        deployment_admin: bool,
    ) -> Result<UserId> {
        let mut write = self.begin_write().await?;
        let id = insert_user(
            &mut write.tx,
            Actor(None),
            email,
            display_name,
            password_hash,
            deployment_admin,
            false,
        )
        .await?;
        write.commit().await?;
        Ok(id)
    }

    /// Replaces an account's password hash and ends its sessions, except the one with
    /// handle `keep` (the person who changed it stays signed in there).
    pub async fn set_password(
        &self,
        actor: Actor,
        user: UserId,
        password_hash: &str,
        keep: Option<&str>,
    ) -> Result<()> {
        let mut write = self.begin_write().await?;
        let done =
            sqlx::query("UPDATE users SET password_hash = $1, version = version + 1 WHERE id = $2")
                .bind(password_hash.to_owned())
                .bind(user.0)
                .execute(&mut *write.tx)
                .await?;
        if done.rows_affected() == 0 {
            return Err(StoreError::NotFound);
        }
        sqlx::query("DELETE FROM sessions WHERE user_id = $1 AND handle <> $2")
            .bind(user.0)
            .bind(keep.unwrap_or("").to_owned())
            .execute(&mut *write.tx)
            .await?;
        record_account(
            &mut write.tx,
            actor,
            user,
            "password",
            format!(
                "Account {}'s password changed; its other sessions ended",
                user.0
            ),
            None,
            None,
        )
        .await?;
        write.commit().await
    }

    pub async fn find_user_by_email(&self, email: &str) -> Result<Option<UserRecord>> {
        let row = sqlx::query(&format!("SELECT {USER} FROM users WHERE email = $1"))
            .bind(email.trim().to_lowercase())
            .fetch_optional(self.pool())
            .await?;
        row.as_ref().map(user_from).transpose()
    }

    pub async fn get_user(&self, user: UserId) -> Result<UserRecord> {
        let row = sqlx::query(&format!("SELECT {USER} FROM users WHERE id = $1"))
            .bind(user.0)
            .fetch_optional(self.pool())
            .await?
            .ok_or(StoreError::NotFound)?;
        user_from(&row)
    }

    /// Every account, with the partnerships each belongs to, by name.
    pub async fn list_accounts(&self) -> Result<Vec<AccountSummary>> {
        let users = sqlx::query(&format!(
            "SELECT {USER} FROM users ORDER BY display_name, email"
        ))
        .fetch_all(self.pool())
        .await?;
        let memberships = sqlx::query(
            "SELECT m.user_id, m.role, p.name FROM memberships m JOIN partnerships p ON p.id = m.partnership_id ORDER BY p.name",
        )
        .fetch_all(self.pool())
        .await?;
        let mut accounts = users
            .iter()
            .map(|row| {
                Ok(AccountSummary {
                    user: user_from(row)?,
                    memberships: Vec::new(),
                })
            })
            .collect::<Result<Vec<_>>>()?;
        for row in &memberships {
            let user = UserId(row.int("user_id")?);
            if let Some(account) = accounts.iter_mut().find(|a| a.user.id == user) {
                account
                    .memberships
                    .push((row.text("name")?, row.code("role", Role::from_code)?));
            }
        }
        Ok(accounts)
    }

    /// The partnerships one account belongs to, by name, with its role in each.
    pub async fn memberships_of(&self, user: UserId) -> Result<Vec<(String, Role)>> {
        sqlx::query(
            "SELECT p.name, m.role FROM memberships m JOIN partnerships p ON p.id = m.partnership_id \
             WHERE m.user_id = $1 ORDER BY p.name",
        )
        .bind(user.0)
        .fetch_all(self.pool())
        .await?
        .iter()
        .map(|row| Ok((row.text("name")?, row.code("role", Role::from_code)?)))
        .collect()
    }

    /// The deployment administrators who can still sign in, by name.
    pub async fn deployment_admins(&self) -> Result<Vec<UserRecord>> {
        sqlx::query(&format!(
            "SELECT {USER} FROM users WHERE deployment_admin = 1 AND disabled_at IS NULL ORDER BY display_name"
        ))
        .fetch_all(self.pool())
        .await?
        .iter()
        .map(user_from)
        .collect()
    }

    /// Disables or enables an account. Disabling ends its sessions at once; an account
    /// already in the state asked for is left as it is, so the form is safe to send twice.
    /// The last deployment administrator cannot be disabled.
    pub async fn set_account_disabled(
        &self,
        actor: Actor,
        user: UserId,
        disabled: bool,
    ) -> Result<bool> {
        let mut write = self.begin_write().await?;
        let before = user_in(&mut write.tx, user).await?;
        if before.disabled == disabled {
            return Ok(false);
        }
        if disabled && before.deployment_admin {
            self.keep_a_deployment_admin(&mut write.tx, user).await?;
        }
        sqlx::query("UPDATE users SET disabled_at = $1, version = version + 1 WHERE id = $2")
            .bind(disabled.then(now_text))
            .bind(user.0)
            .execute(&mut *write.tx)
            .await?;
        if disabled {
            end_sessions_in(&mut write.tx, user).await?;
        }
        let after = UserRecord {
            disabled,
            ..before.clone()
        };
        record_account(
            &mut write.tx,
            actor,
            user,
            if disabled { "disabled" } else { "enabled" },
            format!(
                "Account {} {}",
                user.0,
                if disabled {
                    "disabled and signed out everywhere"
                } else {
                    "enabled"
                }
            ),
            Some(&AccountAudit::from(&before)),
            Some(&AccountAudit::from(&after)),
        )
        .await?;
        write.commit().await?;
        Ok(true)
    }

    /// Makes an account a deployment administrator, or no longer one. The last one who
    /// can sign in stays one. Safe to send twice.
    pub async fn set_deployment_admin(
        &self,
        actor: Actor,
        user: UserId,
        admin: bool,
    ) -> Result<bool> {
        let mut write = self.begin_write().await?;
        let before = user_in(&mut write.tx, user).await?;
        if before.deployment_admin == admin {
            return Ok(false);
        }
        if !admin {
            self.keep_a_deployment_admin(&mut write.tx, user).await?;
        }
        sqlx::query("UPDATE users SET deployment_admin = $1, version = version + 1 WHERE id = $2")
            .bind(i64::from(admin))
            .bind(user.0)
            .execute(&mut *write.tx)
            .await?;
        let after = UserRecord {
            deployment_admin: admin,
            ..before.clone()
        };
        record_account(
            &mut write.tx,
            actor,
            user,
            "deployment_admin",
            format!(
                "Account {} {} a deployment administrator",
                user.0,
                if admin { "made" } else { "is no longer" }
            ),
            Some(&AccountAudit::from(&before)),
            Some(&AccountAudit::from(&after)),
        )
        .await?;
        write.commit().await?;
        Ok(true)
    }

    async fn keep_a_deployment_admin(&self, tx: &mut Tx, leaving: UserId) -> Result<()> {
        let others: i64 = sqlx::query_scalar(
            "SELECT COUNT(*) FROM users WHERE deployment_admin = 1 AND disabled_at IS NULL AND id <> $1",
        )
        .bind(leaving.0)
        .fetch_one(&mut **tx)
        .await?;
        if others == 0 {
            return Err(StoreError::Rule(
                "There must always be a deployment administrator who can sign in: make someone else one first"
                    .to_owned(),
            ));
        }
        Ok(())
    }

    /// Changes made to an account itself, newest first.
    pub async fn account_history(&self, user: UserId) -> Result<Vec<crate::AuditEvent>> {
        let rows = sqlx::query(
            "SELECT e.*, COALESCE(u.display_name, 'Command line') AS actor_name FROM audit_events e \
             LEFT JOIN users u ON u.id = e.actor_user_id \
             WHERE e.partnership_id IS NULL AND e.entity = 'account' AND e.entity_id = $1 ORDER BY e.id DESC LIMIT 100",
        )
        .bind(user.0)
        .fetch_all(self.pool())
        .await?;
        rows.iter().map(crate::audit::event_from).collect()
    }

    /// Gives an account a role in a partnership (replacing any role it had there), linked
    /// to the person it is in plans, so "my actions" can find what it leads.
    pub async fn grant_role(
        &self,
        actor: Actor,
        user: UserId,
        partnership: PartnershipId,
        role: Role,
        person: Option<PersonId>,
    ) -> Result<()> {
        self.write_membership(actor, user, partnership, role, person, None, false)
            .await
    }

    /// Makes an account a Local Offer provider for one of the partnership's directory
    /// organisations.
    pub async fn grant_provider(
        &self,
        actor: Actor,
        user: UserId,
        partnership: PartnershipId,
        organisation: &str,
    ) -> Result<()> {
        self.write_membership(
            actor,
            user,
            partnership,
            Role::Provider,
            None,
            Some(organisation),
            false,
        )
        .await
    }

    /// Changes a member's role, linked person and (for a provider) organisation. A
    /// partnership keeps an administrator.
    pub async fn change_role(
        &self,
        actor: Actor,
        partnership: PartnershipId,
        user: UserId,
        role: Role,
        person: Option<PersonId>,
        organisation: Option<&str>,
    ) -> Result<()> {
        self.write_membership(actor, user, partnership, role, person, organisation, true)
            .await
    }

    /// Sets a membership in one transaction; `must_exist` refuses to add one (a change of
    /// role for someone removed meanwhile must not bring them back).
    #[allow(clippy::too_many_arguments)]
    async fn write_membership(
        &self,
        actor: Actor,
        user: UserId,
        partnership: PartnershipId,
        role: Role,
        person: Option<PersonId>,
        organisation: Option<&str>,
        must_exist: bool,
    ) -> Result<()> {
        let mut write = self.begin_write().await?;
        if must_exist
            && membership_in(&mut write.tx, user, partnership)
                .await?
                .is_none()
        {
            return Err(StoreError::NotFound);
        }
        if let Some(person) = person {
            self.person_in(&mut write.tx, partnership, person).await?;
        }
        upsert_membership(
            &mut write.tx,
            actor,
            user,
            partnership,
            role,
            person,
            organisation,
        )
        .await?;
        write.commit().await
    }

    /// Takes a member out of a partnership and ends the account's sessions at once, so a
    /// leaver's open browser is refused on its next request. A partnership keeps an
    /// administrator. Removing someone already removed changes nothing.
    pub async fn remove_member(
        &self,
        actor: Actor,
        partnership: PartnershipId,
        user: UserId,
    ) -> Result<bool> {
        let mut write = self.begin_write().await?;
        let Some((role, person_id)) = membership_in(&mut write.tx, user, partnership).await? else {
            return Ok(false);
        };
        if role == Role::Admin {
            keep_an_administrator(&mut write.tx, partnership, user).await?;
        }
        let email: String = sqlx::query_scalar("SELECT email FROM users WHERE id = $1")
            .bind(user.0)
            .fetch_one(&mut *write.tx)
            .await?;
        sqlx::query("DELETE FROM memberships WHERE user_id = $1 AND partnership_id = $2")
            .bind(user.0)
            .bind(partnership.0)
            .execute(&mut *write.tx)
            .await?;
        end_sessions_in(&mut write.tx, user).await?;
        let before = MembershipAudit {
            email: &email,
            role,
            person_id,
            organisation: None,
        };
        record::<_, ()>(
            &mut write.tx,
            Change {
                partnership: Some(partnership),
                actor,
                entity: "membership",
                entity_id: user.0,
                change: "removed",
                summary: format!(
                    "Account {} removed from the partnership and signed out everywhere",
                    user.0
                ),
                before: Some(&before),
                after: None,
            },
        )
        .await?;
        write.commit().await?;
        Ok(true)
    }

    /// The account's role in a partnership and the person it is linked to, if a member.
    pub async fn membership(
        &self,
        user: UserId,
        partnership: PartnershipId,
    ) -> Result<Option<(Role, Option<PersonId>)>> {
        Ok(self
            .membership_with_casework(user, partnership)
            .await?
            .map(|(role, person, _)| (role, person)))
    }

    /// The account's role in the partnership, the person it is in the plans, and whether
    /// it has been granted casework, in one read (every page of a partnership asks).
    pub async fn membership_with_casework(
        &self,
        user: UserId,
        partnership: PartnershipId,
    ) -> Result<Option<(Role, Option<PersonId>, bool)>> {
        let row = sqlx::query(
            "SELECT role, person_id, casework FROM memberships WHERE user_id = $1 AND partnership_id = $2",
        )
        .bind(user.0)
        .bind(partnership.0)
        .fetch_optional(self.pool())
        .await?;
        match row {
            Some(row) => Ok(Some((
                row.code("role", Role::from_code)?,
                row.opt_int("person_id")?.map(PersonId),
                row.int("casework")? != 0,
            ))),
            None => Ok(None),
        }
    }

    /// Grants or withdraws a member's casework access, audited. Granting it twice changes
    /// nothing and records nothing.
    pub async fn set_casework_access(
        &self,
        actor: Actor,
        partnership: PartnershipId,
        user: UserId,
        granted: bool,
    ) -> Result<()> {
        let mut write = self.begin_write().await?;
        let held: Option<i64> = sqlx::query_scalar(
            "SELECT casework FROM memberships WHERE user_id = $1 AND partnership_id = $2",
        )
        .bind(user.0)
        .bind(partnership.0)
        .fetch_optional(&mut *write.tx)
        .await?;
        let Some(held) = held else {
            return Err(StoreError::NotFound);
        };
        if (held != 0) == granted {
            return Ok(());
        }
        sqlx::query(
            "UPDATE memberships SET casework = $1 WHERE user_id = $2 AND partnership_id = $3",
        )
        .bind(i64::from(granted))
        .bind(user.0)
        .bind(partnership.0)
        .execute(&mut *write.tx)
        .await?;
        record(
            &mut write.tx,
            Change {
                partnership: Some(partnership),
                actor,
                entity: "membership",
                entity_id: user.0,
                change: if granted {
                    "casework granted"
                } else {
                    "casework withdrawn"
                },
                summary: if granted {
                    format!("Account {} given casework access", user.0)
                } else {
                    format!("Account {}'s casework access withdrawn", user.0)
                },
                before: Some(&(held != 0)),
                after: Some(&granted),
            },
        )
        .await?;
        write.commit().await
    }

    /// The partnerships an account can open: all of them for a deployment admin.
    pub async fn partnerships_for(
        &self,
        user: &UserRecord,
    ) -> Result<Vec<(Partnership, Option<Role>)>> {
        let rows = if user.deployment_admin {
            sqlx::query(
                "SELECT p.*, m.role FROM partnerships p LEFT JOIN memberships m ON m.partnership_id = p.id AND m.user_id = $1 ORDER BY p.name",
            )
        } else {
            sqlx::query(
                "SELECT p.*, m.role FROM partnerships p JOIN memberships m ON m.partnership_id = p.id AND m.user_id = $1 ORDER BY p.name",
            )
        }
        .bind(user.id.0)
        .fetch_all(self.pool())
        .await?;
        rows.iter()
            .map(|r| {
                let role = r.opt_text("role")?.and_then(|c| Role::from_code(&c));
                Ok((crate::partnerships::partnership_from(r)?, role))
            })
            .collect()
    }

    /// Everyone with a role in the partnership.
    pub async fn list_members(&self, partnership: PartnershipId) -> Result<Vec<Member>> {
        let rows = sqlx::query(
            "SELECT u.id, u.email, u.display_name, u.disabled_at, m.role, m.person_id, m.organization_key, m.casework FROM memberships m JOIN users u ON u.id = m.user_id \
             WHERE m.partnership_id = $1 ORDER BY u.display_name",
        )
        .bind(partnership.0)
        .fetch_all(self.pool())
        .await?;
        rows.iter()
            .map(|r| {
                Ok(Member {
                    user_id: UserId(r.int("id")?),
                    email: r.text("email")?,
                    display_name: r.text("display_name")?,
                    role: r.code("role", Role::from_code)?,
                    person_id: r.opt_int("person_id")?.map(PersonId),
                    organisation: r.opt_text("organization_key")?,
                    disabled: r.opt_text("disabled_at")?.is_some(),
                    casework: r.int("casework")? != 0,
                })
            })
            .collect()
    }

    /// Stores a new session under the hash of its token (a stolen database copy cannot be
    /// used to sign in), and notes when the account last signed in.
    pub async fn create_session(&self, session: &NewSession<'_>) -> Result<()> {
        let mut write = self.begin_write().await?;
        let now = timestamp_text(session.now);
        sqlx::query(
            "INSERT INTO sessions (token_hash, user_id, csrf_token, created_at, expires_at, handle, user_agent, last_seen_at) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8)",
        )
        .bind(session.token_hash.to_owned())
        .bind(session.user.0)
        .bind(session.csrf_token.to_owned())
        .bind(now.clone())
        .bind(timestamp_text(session.expires_at))
        .bind(session.handle.to_owned())
        .bind(session.user_agent.chars().take(300).collect::<String>())
        .bind(now.clone())
        .execute(&mut *write.tx)
        .await?;
        sqlx::query("UPDATE users SET last_sign_in_at = $1 WHERE id = $2")
            .bind(now.clone())
            .bind(session.user.0)
            .execute(&mut *write.tx)
            .await?;
        // Expired sessions and finished attempt windows are swept whenever someone signs in.
        sqlx::query("DELETE FROM sessions WHERE expires_at < $1")
            .bind(now.clone())
            .execute(&mut *write.tx)
            .await?;
        sqlx::query("DELETE FROM attempt_counts WHERE window_started_at < $1")
            .bind(timestamp_text(session.now - time::Duration::days(1)))
            .execute(&mut *write.tx)
            .await?;
        write.commit().await
    }

    /// The live session with this token hash, if any: not past its absolute end, used
    /// within the idle time-out, and of an account that is not disabled. Notes that it
    /// was used, at most once a minute.
    pub async fn find_session(
        &self,
        token_hash: &str,
        times: SessionTimes,
        now: OffsetDateTime,
    ) -> Result<Option<SessionRecord>> {
        let row = sqlx::query(
            "SELECT s.csrf_token, s.expires_at, s.handle, s.created_at AS session_created_at, s.last_seen_at, \
             u.id, u.email, u.display_name, u.password_hash, u.deployment_admin, u.disabled_at, u.last_sign_in_at \
             FROM sessions s JOIN users u ON u.id = s.user_id WHERE s.token_hash = $1 AND u.disabled_at IS NULL",
        )
        .bind(token_hash.to_owned())
        .fetch_optional(self.pool())
        .await?;
        let Some(row) = row else { return Ok(None) };
        let expires_at = parse_timestamp(&row.text("expires_at")?)?;
        let created = parse_timestamp(&row.text("session_created_at")?)?;
        let last_seen = parse_timestamp(&row.text("last_seen_at")?)?;
        if now >= expires_at || !times.alive(created, last_seen, now) {
            return Ok(None);
        }
        if now - last_seen >= LAST_SEEN_EVERY {
            let mut write = self.begin_write().await?;
            sqlx::query("UPDATE sessions SET last_seen_at = $1 WHERE token_hash = $2")
                .bind(timestamp_text(now))
                .bind(token_hash.to_owned())
                .execute(&mut *write.tx)
                .await?;
            write.commit().await?;
        }
        Ok(Some(SessionRecord {
            user: user_from(&row)?,
            csrf_token: row.text("csrf_token")?,
            handle: row.text("handle")?,
            expires_at,
        }))
    }

    /// An account's sessions, most recently used first.
    pub async fn list_sessions(&self, user: UserId) -> Result<Vec<SessionInfo>> {
        let rows = sqlx::query(
            "SELECT handle, user_agent, created_at, last_seen_at FROM sessions WHERE user_id = $1 ORDER BY last_seen_at DESC, created_at DESC",
        )
        .bind(user.0)
        .fetch_all(self.pool())
        .await?;
        rows.iter()
            .map(|r| {
                Ok(SessionInfo {
                    handle: r.text("handle")?,
                    user_agent: r.text("user_agent")?,
                    created_at: parse_timestamp(&r.text("created_at")?)?,
                    last_seen_at: parse_timestamp(&r.text("last_seen_at")?)?,
                })
            })
            .collect()
    }

    /// Ends one of an account's sessions, named by its handle. Ending one already ended
    /// changes nothing.
    pub async fn end_session(&self, user: UserId, handle: &str) -> Result<()> {
        let mut write = self.begin_write().await?;
        sqlx::query("DELETE FROM sessions WHERE user_id = $1 AND handle = $2")
            .bind(user.0)
            .bind(handle.to_owned())
            .execute(&mut *write.tx)
            .await?;
        write.commit().await
    }

    /// Ends every session of an account; all but the one with handle `keep`, if given.
    pub async fn end_sessions(&self, user: UserId, keep: Option<&str>) -> Result<()> {
        let mut write = self.begin_write().await?;
        sqlx::query("DELETE FROM sessions WHERE user_id = $1 AND handle <> $2")
            .bind(user.0)
            .bind(keep.unwrap_or("").to_owned())
            .execute(&mut *write.tx)
            .await?;
        write.commit().await
    }

    pub async fn delete_session(&self, token_hash: &str) -> Result<()> {
        let mut write = self.begin_write().await?;
        sqlx::query("DELETE FROM sessions WHERE token_hash = $1")
            .bind(token_hash.to_owned())
            .execute(&mut *write.tx)
            .await?;
        write.commit().await
    }

    /// Counts an attempt against `bucket` and says how many there have been in its
    /// window. The count and its reading are one transaction holding the bucket's row, so
    /// parallel attempts (on one server or many sharing the database) each see a different
    /// count: no more than the limit can ever be allowed through.
    pub async fn count_attempt(
        &self,
        bucket: &str,
        limit: Limit,
        now: OffsetDateTime,
    ) -> Result<Attempt> {
        let mut write = self.begin_write().await?;
        let now_text = timestamp_text(now);
        let window_over = timestamp_text(now - limit.window);
        sqlx::query(
            "INSERT INTO attempt_counts (bucket, window_started_at, attempts) VALUES ($1, $2, 1) \
             ON CONFLICT (bucket) DO UPDATE SET \
             attempts = CASE WHEN attempt_counts.window_started_at <= $3 THEN 1 ELSE attempt_counts.attempts + 1 END, \
             window_started_at = CASE WHEN attempt_counts.window_started_at <= $3 THEN $2 ELSE attempt_counts.window_started_at END",
        )
        .bind(bucket.to_owned())
        .bind(now_text)
        .bind(window_over)
        .execute(&mut *write.tx)
        .await?;
        // Read back inside the same transaction, which still holds the row (PostgreSQL's
        // row lock, SQLite's single writer), so no other attempt can land in between.
        let row =
            sqlx::query("SELECT attempts, window_started_at FROM attempt_counts WHERE bucket = $1")
                .bind(bucket.to_owned())
                .fetch_one(&mut *write.tx)
                .await?;
        write.commit().await?;
        Ok(Attempt {
            count: row.int("attempts")?,
            window_started: parse_timestamp(&row.text("window_started_at")?)?,
        })
    }

    /// Forgets the attempts against `bucket` (after a correct password).
    pub async fn clear_attempts(&self, bucket: &str) -> Result<()> {
        let mut write = self.begin_write().await?;
        sqlx::query("DELETE FROM attempt_counts WHERE bucket = $1")
            .bind(bucket.to_owned())
            .execute(&mut *write.tx)
            .await?;
        write.commit().await
    }

    /// Stores a password reset link (by the hash of its token) and queues the email that
    /// carries it, in one transaction. Earlier unused links for the account stop working.
    pub async fn create_password_reset(
        &self,
        user: UserId,
        token_hash: &str,
        now: OffsetDateTime,
        expires_at: OffsetDateTime,
        mail: Option<&OutgoingMail>,
    ) -> Result<()> {
        let mut write = self.begin_write().await?;
        sqlx::query(
            "UPDATE password_resets SET used_at = $1 WHERE user_id = $2 AND used_at IS NULL",
        )
        .bind(timestamp_text(now))
        .bind(user.0)
        .execute(&mut *write.tx)
        .await?;
        sqlx::query(
            "INSERT INTO password_resets (token_hash, user_id, created_at, expires_at) VALUES ($1, $2, $3, $4)",
        )
        .bind(token_hash.to_owned())
        .bind(user.0)
        .bind(timestamp_text(now))
        .bind(timestamp_text(expires_at))
        .execute(&mut *write.tx)
        .await?;
        if let Some(mail) = mail {
            queue_mail(&mut write.tx, mail, now).await?;
        }
        write.commit().await
    }

    /// What a reset link leads to, without using it.
    pub async fn password_reset(
        &self,
        token_hash: &str,
        now: OffsetDateTime,
    ) -> Result<Option<ResetLink>> {
        let row = sqlx::query(
            "SELECT r.user_id, r.expires_at, r.used_at, u.disabled_at FROM password_resets r JOIN users u ON u.id = r.user_id WHERE r.token_hash = $1",
        )
        .bind(token_hash.to_owned())
        .fetch_optional(self.pool())
        .await?;
        let Some(row) = row else { return Ok(None) };
        Ok(Some(if row.opt_text("used_at")?.is_some() {
            ResetLink::Used
        } else if now >= parse_timestamp(&row.text("expires_at")?)?
            || row.opt_text("disabled_at")?.is_some()
        {
            ResetLink::Expired
        } else {
            ResetLink::Usable(UserId(row.int("user_id")?))
        }))
    }

    /// Uses a reset link to set a new password, once: the link is marked used in the same
    /// statement that checks it, so two submissions cannot both succeed. Every session of
    /// the account ends. Returns the account, or what became of the link.
    pub async fn use_password_reset(
        &self,
        token_hash: &str,
        password_hash: &str,
        now: OffsetDateTime,
    ) -> Result<Result<UserId, ResetLink>> {
        let mut write = self.begin_write().await?;
        let now_text = timestamp_text(now);
        let user: Option<i64> = sqlx::query_scalar(
            "UPDATE password_resets SET used_at = $1 WHERE token_hash = $2 AND used_at IS NULL AND expires_at > $1 \
             AND user_id IN (SELECT id FROM users WHERE disabled_at IS NULL) RETURNING user_id",
        )
        .bind(now_text)
        .bind(token_hash.to_owned())
        .fetch_optional(&mut *write.tx)
        .await?;
        let Some(user) = user.map(UserId) else {
            drop(write);
            return Ok(Err(self
                .password_reset(token_hash, now)
                .await?
                .unwrap_or(ResetLink::Expired)));
        };
        sqlx::query("UPDATE users SET password_hash = $1, version = version + 1 WHERE id = $2")
            .bind(password_hash.to_owned())
            .bind(user.0)
            .execute(&mut *write.tx)
            .await?;
        end_sessions_in(&mut write.tx, user).await?;
        record_account(
            &mut write.tx,
            Actor(Some(user)),
            user,
            "password",
            format!(
                "Account {}'s password reset with an emailed link; its sessions ended",
                user.0
            ),
            None,
            None,
        )
        .await?;
        write.commit().await?;
        Ok(Ok(user))
    }
}
