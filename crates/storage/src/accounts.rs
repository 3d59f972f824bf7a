//! Accounts, partnership memberships and sign-in sessions.

use crate::audit::{record, Change};
use crate::sql::{now_text, parse_timestamp, RowExt};
use crate::{duplicate_as, Actor, Result, Store, StoreError};
use sendplan_domain::access::Role;
use sendplan_domain::partnership::Partnership;
use sendplan_domain::{PartnershipId, PersonId, UserId};
use serde::Serialize;
use sqlx::any::AnyRow;
use time::format_description::well_known::Rfc3339;
use time::OffsetDateTime;

/// An account as stored. The password hash never leaves storage and the web layer.
#[derive(Debug, Clone)]
pub struct UserRecord {
    pub id: UserId,
    pub email: String,
    pub display_name: String,
    pub password_hash: String,
    pub deployment_admin: bool,
}

/// A signed-in session.
#[derive(Debug, Clone)]
pub struct SessionRecord {
    pub user: UserRecord,
    pub csrf_token: String,
    pub expires_at: OffsetDateTime,
}

/// A member of a partnership, as listed to its admins.
#[derive(Debug, Clone, Serialize)]
pub struct Member {
    pub user_id: UserId,
    pub email: String,
    pub display_name: String,
    pub role: Role,
    pub person_id: Option<PersonId>,
}

fn user_from(row: &AnyRow) -> Result<UserRecord> {
    Ok(UserRecord {
        id: UserId(row.int("id")?),
        email: row.text("email")?,
        display_name: row.text("display_name")?,
        password_hash: row.text("password_hash")?,
        deployment_admin: row.int("deployment_admin")? != 0,
    })
}

#[derive(Serialize)]
struct MembershipAudit<'a> {
    email: &'a str,
    role: Role,
    person_id: Option<PersonId>,
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
        let id: i64 = sqlx::query_scalar(
            "INSERT INTO users (email, display_name, password_hash, deployment_admin, created_at) \
             VALUES ($1, $2, $3, $4, $5) RETURNING id",
        )
        .bind(email.to_lowercase())
        .bind(display_name.to_owned())
        .bind(password_hash.to_owned())
        .bind(i64::from(deployment_admin))
        .bind(now_text())
        .fetch_one(&mut *write.tx)
        .await
        .map_err(duplicate_as(
            "An account with that email address already exists",
        ))?;
        write.commit().await?;
        Ok(UserId(id))
    }

    /// Replaces an account's password hash and signs it out everywhere.
    pub async fn set_password(&self, user: UserId, password_hash: &str) -> Result<()> {
        let mut write = self.begin_write().await?;
        let done = sqlx::query("UPDATE users SET password_hash = $1 WHERE id = $2")
            .bind(password_hash.to_owned())
            .bind(user.0)
            .execute(&mut *write.tx)
            .await?;
        if done.rows_affected() == 0 {
            return Err(StoreError::NotFound);
        }
        sqlx::query("DELETE FROM sessions WHERE user_id = $1")
            .bind(user.0)
            .execute(&mut *write.tx)
            .await?;
        write.commit().await
    }

    pub async fn find_user_by_email(&self, email: &str) -> Result<Option<UserRecord>> {
        let row = sqlx::query("SELECT * FROM users WHERE email = $1")
            .bind(email.trim().to_lowercase())
            .fetch_optional(self.pool())
            .await?;
        row.as_ref().map(user_from).transpose()
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
        let mut write = self.begin_write().await?;
        if let Some(person) = person {
            self.person_in(&mut write.tx, partnership, person).await?;
        }
        let email: String = sqlx::query_scalar("SELECT email FROM users WHERE id = $1")
            .bind(user.0)
            .fetch_optional(&mut *write.tx)
            .await?
            .ok_or(StoreError::NotFound)?;
        sqlx::query(
            "INSERT INTO memberships (user_id, partnership_id, role, person_id) VALUES ($1, $2, $3, $4) \
             ON CONFLICT (user_id, partnership_id) DO UPDATE SET role = excluded.role, person_id = excluded.person_id",
        )
        .bind(user.0)
        .bind(partnership.0)
        .bind(role.code())
        .bind(person.map(|p| p.0))
        .execute(&mut *write.tx)
        .await?;
        let after = MembershipAudit {
            email: &email,
            role,
            person_id: person,
        };
        record::<(), _>(
            &mut write.tx,
            Change {
                partnership: Some(partnership),
                actor,
                entity: "membership",
                entity_id: user.0,
                change: "granted",
                summary: format!("Role {} given to account {}", role.label(), user.0),
                before: None,
                after: Some(&after),
            },
        )
        .await?;
        write.commit().await
    }

    /// The account's role in a partnership and the person it is linked to, if a member.
    pub async fn membership(
        &self,
        user: UserId,
        partnership: PartnershipId,
    ) -> Result<Option<(Role, Option<PersonId>)>> {
        let row = sqlx::query(
            "SELECT role, person_id FROM memberships WHERE user_id = $1 AND partnership_id = $2",
        )
        .bind(user.0)
        .bind(partnership.0)
        .fetch_optional(self.pool())
        .await?;
        match row {
            Some(row) => Ok(Some((
                row.code("role", Role::from_code)?,
                row.opt_int("person_id")?.map(PersonId),
            ))),
            None => Ok(None),
        }
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
            "SELECT u.id, u.email, u.display_name, m.role, m.person_id FROM memberships m JOIN users u ON u.id = m.user_id \
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
                })
            })
            .collect()
    }

    /// Stores a new session under the hash of its token (a stolen database copy cannot be
    /// used to sign in).
    pub async fn create_session(
        &self,
        token_hash: &str,
        user: UserId,
        csrf_token: &str,
        expires_at: OffsetDateTime,
    ) -> Result<()> {
        let mut write = self.begin_write().await?;
        sqlx::query("INSERT INTO sessions (token_hash, user_id, csrf_token, created_at, expires_at) VALUES ($1, $2, $3, $4, $5)")
            .bind(token_hash.to_owned())
            .bind(user.0)
            .bind(csrf_token.to_owned())
            .bind(now_text())
            .bind(expires_at.format(&Rfc3339).unwrap_or_default())
            .execute(&mut *write.tx)
            .await?;
        // Expired sessions are swept whenever someone signs in.
        sqlx::query("DELETE FROM sessions WHERE expires_at < $1")
            .bind(now_text())
            .execute(&mut *write.tx)
            .await?;
        write.commit().await
    }

    /// The live session with this token hash, if any.
    pub async fn find_session(&self, token_hash: &str) -> Result<Option<SessionRecord>> {
        let row = sqlx::query(
            "SELECT s.csrf_token, s.expires_at, u.* FROM sessions s JOIN users u ON u.id = s.user_id WHERE s.token_hash = $1",
        )
        .bind(token_hash.to_owned())
        .fetch_optional(self.pool())
        .await?;
        let Some(row) = row else { return Ok(None) };
        let expires_at = parse_timestamp(&row.text("expires_at")?)?;
        if expires_at < OffsetDateTime::now_utc() {
            return Ok(None);
        }
        Ok(Some(SessionRecord {
            user: user_from(&row)?,
            csrf_token: row.text("csrf_token")?,
            expires_at,
        }))
    }

    pub async fn delete_session(&self, token_hash: &str) -> Result<()> {
        let mut write = self.begin_write().await?;
        sqlx::query("DELETE FROM sessions WHERE token_hash = $1")
            .bind(token_hash.to_owned())
            .execute(&mut *write.tx)
            .await?;
        write.commit().await
    }
}
