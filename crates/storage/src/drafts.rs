//! Spreadsheets uploaded for import, kept between the upload and the confirmation so the
//! person can map columns and fix problems without uploading again. Drafts belong to the
//! person who uploaded them and are removed a day later.

use crate::sql::{now_text, RowExt};
use crate::{Result, Store, StoreError};
use sendplan_domain::{PartnershipId, UserId};
use time::format_description::well_known::Rfc3339;

/// An uploaded table waiting to be imported.
#[derive(Debug, Clone)]
pub struct ImportDraft {
    pub id: i64,
    pub file_name: String,
    /// The table as JSON (the web layer owns its shape).
    pub table_json: String,
}

impl Store {
    /// Keeps an uploaded table, and removes drafts older than a day.
    pub async fn save_import_draft(
        &self,
        partnership: PartnershipId,
        user: UserId,
        file_name: &str,
        table_json: &str,
    ) -> Result<i64> {
        let mut write = self.begin_write().await?;
        let day_ago = (time::OffsetDateTime::now_utc() - time::Duration::days(1))
            .format(&Rfc3339)
            .unwrap_or_default();
        sqlx::query("DELETE FROM import_drafts WHERE created_at < $1")
            .bind(day_ago)
            .execute(&mut *write.tx)
            .await?;
        let id: i64 = sqlx::query_scalar(
            "INSERT INTO import_drafts (partnership_id, user_id, file_name, table_json, created_at) VALUES ($1, $2, $3, $4, $5) RETURNING id",
        )
        .bind(partnership.0)
        .bind(user.0)
        .bind(file_name.to_owned())
        .bind(table_json.to_owned())
        .bind(now_text())
        .fetch_one(&mut *write.tx)
        .await?;
        write.commit().await?;
        Ok(id)
    }

    /// A draft of this person in this partnership.
    pub async fn get_import_draft(
        &self,
        partnership: PartnershipId,
        user: UserId,
        id: i64,
    ) -> Result<ImportDraft> {
        let row = sqlx::query(
            "SELECT * FROM import_drafts WHERE id = $1 AND partnership_id = $2 AND user_id = $3",
        )
        .bind(id)
        .bind(partnership.0)
        .bind(user.0)
        .fetch_optional(self.pool())
        .await?
        .ok_or(StoreError::NotFound)?;
        Ok(ImportDraft {
            id,
            file_name: row.text("file_name")?,
            table_json: row.text("table_json")?,
        })
    }
}

impl Store {
    /// Remembers a partnership's import choices for a tracker layout (replacing earlier
    /// ones), so the next upload of the same layout needs no choices.
    pub async fn save_import_mapping(
        &self,
        partnership: PartnershipId,
        user: UserId,
        layout_key: &str,
        mapping_json: &str,
    ) -> Result<()> {
        let mut write = self.begin_write().await?;
        sqlx::query(
            "INSERT INTO import_mappings (partnership_id, layout_key, mapping_json, updated_at, updated_by) VALUES ($1, $2, $3, $4, $5) \
             ON CONFLICT (partnership_id, layout_key) DO UPDATE SET mapping_json = excluded.mapping_json, updated_at = excluded.updated_at, updated_by = excluded.updated_by",
        )
        .bind(partnership.0)
        .bind(layout_key.to_owned())
        .bind(mapping_json.to_owned())
        .bind(now_text())
        .bind(user.0)
        .execute(&mut *write.tx)
        .await?;
        write.commit().await?;
        Ok(())
    }

    /// The choices remembered for a layout, with when they were made.
    pub async fn get_import_mapping(
        &self,
        partnership: PartnershipId,
        layout_key: &str,
    ) -> Result<Option<(String, String)>> {
        let row = sqlx::query(
            "SELECT mapping_json, updated_at FROM import_mappings WHERE partnership_id = $1 AND layout_key = $2",
        )
        .bind(partnership.0)
        .bind(layout_key.to_owned())
        .fetch_optional(self.pool())
        .await?;
        row.map(|r| Ok((r.text("mapping_json")?, r.text("updated_at")?)))
            .transpose()
    }
}
