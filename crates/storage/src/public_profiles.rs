//! A partnership's public presentation (`domain::public_profile`): one row each, made when
//! first saved, changed only by a form that saw the current version.

use crate::audit::{record_updated, Subject};
use crate::sql::{now_text, RowExt};
use crate::{Actor, Result, Store, StoreError};
use sendplan_domain::public_profile::{LogoChange, PublicProfile, PublicProfileInput};
use sendplan_domain::PartnershipId;

/// A logo as kept: its type and bytes.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Logo {
    pub content_type: String,
    pub bytes: Vec<u8>,
}

impl Store {
    /// The partnership's public profile; an empty one (version 0) until first saved.
    pub async fn get_public_profile(&self, partnership: PartnershipId) -> Result<PublicProfile> {
        let row = sqlx::query(
            "SELECT colour, website, contact_email, contact_phone, contact_text, local_offer_url, \
             feedback_url, logo_type, version FROM public_profiles WHERE partnership_id = $1",
        )
        .bind(partnership.0)
        .fetch_optional(self.pool())
        .await?;
        let Some(row) = row else {
            return Ok(PublicProfile::default());
        };
        Ok(PublicProfile {
            colour: row.text("colour")?,
            website: row.text("website")?,
            contact_email: row.text("contact_email")?,
            contact_phone: row.text("contact_phone")?,
            contact_text: row.text("contact_text")?,
            local_offer_url: row.text("local_offer_url")?,
            feedback_url: row.text("feedback_url")?,
            logo_type: row.text("logo_type")?,
            version: row.int("version")?,
        })
    }

    /// The partnership's logo, if it has one.
    pub async fn get_public_logo(&self, partnership: PartnershipId) -> Result<Option<Logo>> {
        let row = sqlx::query(
            "SELECT logo_type, logo FROM public_profiles WHERE partnership_id = $1 AND logo_type <> ''",
        )
        .bind(partnership.0)
        .fetch_optional(self.pool())
        .await?;
        let Some(row) = row else { return Ok(None) };
        let bytes: Option<Vec<u8>> = sqlx::Row::try_get(&row, "logo")?;
        Ok(bytes.map(|bytes| Logo {
            content_type: row.text("logo_type").unwrap_or_default(),
            bytes,
        }))
    }

    /// Saves the profile the form read, refused with [`StoreError::Conflict`] when someone
    /// else saved it since the form was shown.
    pub async fn save_public_profile(
        &self,
        actor: Actor,
        partnership: PartnershipId,
        input: &PublicProfileInput,
    ) -> Result<()> {
        let before = self.get_public_profile(partnership).await?;
        if before.version != input.profile.version {
            return Err(StoreError::Conflict);
        }
        let mut write = self.begin_write().await?;
        if before.version == 0 {
            // The first save makes the row; a second first save collides on the key.
            sqlx::query(
                "INSERT INTO public_profiles (partnership_id, version, updated_at) VALUES ($1, 0, $2)",
            )
            .bind(partnership.0)
            .bind(now_text())
            .execute(&mut *write.tx)
            .await
            .map_err(crate::conflict_on_duplicate)?;
        }
        let p = &input.profile;
        let done = sqlx::query(
            "UPDATE public_profiles SET colour = $1, website = $2, contact_email = $3, contact_phone = $4, \
             contact_text = $5, local_offer_url = $6, feedback_url = $7, version = version + 1, updated_at = $8 \
             WHERE partnership_id = $9 AND version = $10",
        )
        .bind(p.colour.clone())
        .bind(p.website.clone())
        .bind(p.contact_email.clone())
        .bind(p.contact_phone.clone())
        .bind(p.contact_text.clone())
        .bind(p.local_offer_url.clone())
        .bind(p.feedback_url.clone())
        .bind(now_text())
        .bind(partnership.0)
        .bind(before.version)
        .execute(&mut *write.tx)
        .await?;
        if done.rows_affected() == 0 {
            return Err(StoreError::Conflict);
        }
        let logo_type = match &input.logo {
            LogoChange::Keep => before.logo_type.clone(),
            LogoChange::Remove => String::new(),
            LogoChange::Replace(bytes, kind) => {
                sqlx::query("UPDATE public_profiles SET logo_type = $1, logo = $2 WHERE partnership_id = $3")
                    .bind(kind.to_string())
                    .bind(bytes.clone())
                    .bind(partnership.0)
                    .execute(&mut *write.tx)
                    .await?;
                kind.to_string()
            }
        };
        if input.logo == LogoChange::Remove {
            sqlx::query(
                "UPDATE public_profiles SET logo_type = '', logo = NULL WHERE partnership_id = $1",
            )
            .bind(partnership.0)
            .execute(&mut *write.tx)
            .await?;
        }
        let after = PublicProfile {
            logo_type,
            version: before.version + 1,
            ..p.clone()
        };
        record_updated(
            &mut write.tx,
            Subject {
                partnership,
                actor,
                entity: "public_profile",
                id: partnership.0,
            },
            "The public pages' colour, contact details and links edited".to_owned(),
            &before,
            &after,
        )
        .await?;
        write.commit().await
    }
}
