//! A small migrator: migrations are embedded in the binary, applied in order, each in its
//! own transaction, and recorded in `schema_migrations`. (sqlx's own migrator needs its
//! proc-macro crate, which doubles the build; this is all sendplan needs.)

use crate::{Backend, Result, Store};
use sqlx::Row;

/// One schema change, written once per backend.
#[derive(Debug)]
pub struct Migration {
    pub version: i64,
    pub name: &'static str,
    pub sqlite: &'static str,
    pub postgres: &'static str,
    /// SQLite can only change some columns by rebuilding the table, which must run with
    /// foreign keys off (SQLite's documented procedure); the keys are checked before commit.
    pub rebuilds_sqlite_tables: bool,
}

/// Every migration, oldest first. Adding one means adding a file to both folders.
pub const MIGRATIONS: &[Migration] = &[
    Migration {
        version: 1,
        name: "tracker",
        sqlite: include_str!("../migrations/sqlite/0001_tracker.sql"),
        postgres: include_str!("../migrations/postgres/0001_tracker.sql"),
        rebuilds_sqlite_tables: false,
    },
    Migration {
        version: 2,
        name: "plans_as_written",
        sqlite: include_str!("../migrations/sqlite/0002_plans_as_written.sql"),
        postgres: include_str!("../migrations/postgres/0002_plans_as_written.sql"),
        rebuilds_sqlite_tables: false,
    },
    Migration {
        version: 3,
        name: "measures",
        sqlite: include_str!("../migrations/sqlite/0003_measures.sql"),
        postgres: include_str!("../migrations/postgres/0003_measures.sql"),
        rebuilds_sqlite_tables: false,
    },
    Migration {
        version: 4,
        name: "optional_baselines",
        sqlite: include_str!("../migrations/sqlite/0004_optional_baselines.sql"),
        postgres: include_str!("../migrations/postgres/0004_optional_baselines.sql"),
        rebuilds_sqlite_tables: true,
    },
    Migration {
        version: 5,
        name: "surveys",
        sqlite: include_str!("../migrations/sqlite/0005_surveys.sql"),
        postgres: include_str!("../migrations/postgres/0005_surveys.sql"),
        rebuilds_sqlite_tables: false,
    },
    Migration {
        version: 6,
        name: "issued_reports",
        sqlite: include_str!("../migrations/sqlite/0006_issued_reports.sql"),
        postgres: include_str!("../migrations/postgres/0006_issued_reports.sql"),
        rebuilds_sqlite_tables: false,
    },
    Migration {
        version: 7,
        name: "governance",
        sqlite: include_str!("../migrations/sqlite/0007_governance.sql"),
        postgres: include_str!("../migrations/postgres/0007_governance.sql"),
        rebuilds_sqlite_tables: false,
    },
    Migration {
        version: 8,
        name: "publication",
        sqlite: include_str!("../migrations/sqlite/0008_publication.sql"),
        postgres: include_str!("../migrations/postgres/0008_publication.sql"),
        rebuilds_sqlite_tables: false,
    },
    Migration {
        version: 9,
        name: "meetings",
        sqlite: include_str!("../migrations/sqlite/0009_meetings.sql"),
        postgres: include_str!("../migrations/postgres/0009_meetings.sql"),
        rebuilds_sqlite_tables: false,
    },
    Migration {
        version: 10,
        name: "reminders",
        sqlite: include_str!("../migrations/sqlite/0010_reminders.sql"),
        postgres: include_str!("../migrations/postgres/0010_reminders.sql"),
        rebuilds_sqlite_tables: false,
    },
    Migration {
        version: 11,
        name: "publishing_papers",
        sqlite: include_str!("../migrations/sqlite/0011_publishing_papers.sql"),
        postgres: include_str!("../migrations/postgres/0011_publishing_papers.sql"),
        rebuilds_sqlite_tables: false,
    },
    Migration {
        version: 12,
        name: "accounts",
        sqlite: include_str!("../migrations/sqlite/0012_accounts.sql"),
        postgres: include_str!("../migrations/postgres/0012_accounts.sql"),
        rebuilds_sqlite_tables: true,
    },
    Migration {
        version: 13,
        name: "data_version",
        sqlite: include_str!("../migrations/sqlite/0013_data_version.sql"),
        postgres: include_str!("../migrations/postgres/0013_data_version.sql"),
        rebuilds_sqlite_tables: false,
    },
    Migration {
        version: 14,
        name: "form_submissions",
        sqlite: include_str!("../migrations/sqlite/0014_form_submissions.sql"),
        postgres: include_str!("../migrations/postgres/0014_form_submissions.sql"),
        rebuilds_sqlite_tables: false,
    },
    Migration {
        version: 15,
        name: "job_failures",
        sqlite: include_str!("../migrations/sqlite/0015_job_failures.sql"),
        postgres: include_str!("../migrations/postgres/0015_job_failures.sql"),
        rebuilds_sqlite_tables: false,
    },
    Migration {
        version: 16,
        name: "lifecycle",
        sqlite: include_str!("../migrations/sqlite/0016_lifecycle.sql"),
        postgres: include_str!("../migrations/postgres/0016_lifecycle.sql"),
        rebuilds_sqlite_tables: false,
    },
    Migration {
        version: 17,
        name: "tracker_import",
        sqlite: include_str!("../migrations/sqlite/0017_tracker_import.sql"),
        postgres: include_str!("../migrations/postgres/0017_tracker_import.sql"),
        rebuilds_sqlite_tables: false,
    },
    Migration {
        version: 18,
        name: "area_progress",
        sqlite: include_str!("../migrations/sqlite/0018_area_progress.sql"),
        postgres: include_str!("../migrations/postgres/0018_area_progress.sql"),
        rebuilds_sqlite_tables: false,
    },
    Migration {
        version: 19,
        name: "issued_documents",
        sqlite: include_str!("../migrations/sqlite/0019_issued_documents.sql"),
        postgres: include_str!("../migrations/postgres/0019_issued_documents.sql"),
        rebuilds_sqlite_tables: false,
    },
    Migration {
        version: 20,
        name: "public_profiles",
        sqlite: include_str!("../migrations/sqlite/0020_public_profiles.sql"),
        postgres: include_str!("../migrations/postgres/0020_public_profiles.sql"),
        rebuilds_sqlite_tables: false,
    },
    Migration {
        version: 21,
        name: "local_offer",
        sqlite: include_str!("../migrations/sqlite/0021_local_offer.sql"),
        postgres: include_str!("../migrations/postgres/0021_local_offer.sql"),
        rebuilds_sqlite_tables: false,
    },
    Migration {
        version: 22,
        name: "postcodes",
        sqlite: include_str!("../migrations/sqlite/0022_postcodes.sql"),
        postgres: include_str!("../migrations/postgres/0022_postcodes.sql"),
        rebuilds_sqlite_tables: false,
    },
    Migration {
        version: 23,
        name: "local_offer_changes",
        sqlite: include_str!("../migrations/sqlite/0023_local_offer_changes.sql"),
        postgres: include_str!("../migrations/postgres/0023_local_offer_changes.sql"),
        rebuilds_sqlite_tables: false,
    },
    Migration {
        version: 24,
        name: "local_offer_reviews",
        sqlite: include_str!("../migrations/sqlite/0024_local_offer_reviews.sql"),
        postgres: include_str!("../migrations/postgres/0024_local_offer_reviews.sql"),
        rebuilds_sqlite_tables: false,
    },
    Migration {
        version: 25,
        name: "computed_measures",
        sqlite: include_str!("../migrations/sqlite/0025_computed_measures.sql"),
        postgres: include_str!("../migrations/postgres/0025_computed_measures.sql"),
        rebuilds_sqlite_tables: false,
    },
    Migration {
        version: 26,
        name: "local_offer_problems",
        sqlite: include_str!("../migrations/sqlite/0026_local_offer_problems.sql"),
        postgres: include_str!("../migrations/postgres/0026_local_offer_problems.sql"),
        rebuilds_sqlite_tables: false,
    },
    Migration {
        version: 27,
        name: "local_offer_feedback_and_visits",
        sqlite: include_str!("../migrations/sqlite/0027_local_offer_feedback_and_visits.sql"),
        postgres: include_str!("../migrations/postgres/0027_local_offer_feedback_and_visits.sql"),
        rebuilds_sqlite_tables: false,
    },
    Migration {
        version: 28,
        name: "casework",
        sqlite: include_str!("../migrations/sqlite/0028_casework.sql"),
        postgres: include_str!("../migrations/postgres/0028_casework.sql"),
        rebuilds_sqlite_tables: false,
    },
    Migration {
        version: 29,
        name: "casework_access",
        sqlite: include_str!("../migrations/sqlite/0029_casework_access.sql"),
        postgres: include_str!("../migrations/postgres/0029_casework_access.sql"),
        rebuilds_sqlite_tables: false,
    },
    Migration {
        version: 30,
        name: "casework_extracts",
        sqlite: include_str!("../migrations/sqlite/0030_casework_extracts.sql"),
        postgres: include_str!("../migrations/postgres/0030_casework_extracts.sql"),
        rebuilds_sqlite_tables: false,
    },
];

/// The PostgreSQL advisory lock key held while migrating ("sendplan" in ASCII).
const MIGRATION_LOCK: i64 = 0x73656e64706c616e;

async fn record_applied(tx: &mut sqlx::AnyConnection, migration: &Migration) -> Result<()> {
    sqlx::query("INSERT INTO schema_migrations (version, name, applied_at) VALUES ($1, $2, $3)")
        .bind(migration.version)
        .bind(migration.name)
        .bind(crate::sql::now_text())
        .execute(&mut *tx)
        .await?;
    Ok(())
}

impl Store {
    /// Applies a SQLite migration that rebuilds tables: on one connection with foreign
    /// keys off (they cannot be switched off inside a transaction), in one transaction that
    /// commits only if `foreign_key_check` finds nothing broken.
    async fn rebuild_sqlite_tables(&self, migration: &Migration) -> Result<()> {
        use sqlx::Connection;
        let _only_writer = self.write_lock.clone().lock_owned().await;
        let mut connection = self.pool().acquire().await?;
        sqlx::raw_sql("PRAGMA foreign_keys = OFF")
            .execute(&mut *connection)
            .await?;
        let outcome = async {
            let mut tx = connection.begin().await?;
            sqlx::raw_sql(migration.sqlite).execute(&mut *tx).await?;
            let broken = sqlx::query("PRAGMA foreign_key_check")
                .fetch_all(&mut *tx)
                .await?;
            if !broken.is_empty() {
                return Err(crate::StoreError::Corrupt(format!(
                    "migration {} would leave {} rows pointing at nothing; nothing was changed",
                    migration.version,
                    broken.len()
                )));
            }
            record_applied(&mut tx, migration).await?;
            tx.commit().await?;
            Ok(())
        }
        .await;
        sqlx::raw_sql("PRAGMA foreign_keys = ON")
            .execute(&mut *connection)
            .await?;
        outcome
    }

    /// Applies every migration not yet applied. Safe to run at every start-up, and by
    /// several servers starting at once on one PostgreSQL database (an upgrade rolled out
    /// to all of them): one migrates while the others wait on an advisory lock, then find
    /// nothing left to do. Without it, two servers creating the same table at once made
    /// one fail to start.
    pub async fn migrate(&self) -> Result<Vec<i64>> {
        let mut lock_holder = None;
        if self.backend() == Backend::Postgres {
            let mut connection = self.pool().acquire().await?;
            sqlx::query("SELECT pg_advisory_lock($1)")
                .bind(MIGRATION_LOCK)
                .execute(&mut *connection)
                .await?;
            lock_holder = Some(connection);
        }
        let applied = self.apply_migrations().await;
        if let Some(mut connection) = lock_holder {
            // Ending the session would release it too; a failure here is not the
            // migration's.
            if sqlx::query("SELECT pg_advisory_unlock($1)")
                .bind(MIGRATION_LOCK)
                .execute(&mut *connection)
                .await
                .is_err()
            {
                connection.close_on_drop();
            }
        }
        applied
    }

    async fn apply_migrations(&self) -> Result<Vec<i64>> {
        let mut write = self.begin_write().await?;
        sqlx::query(
            "CREATE TABLE IF NOT EXISTS schema_migrations (version BIGINT PRIMARY KEY, name TEXT NOT NULL, applied_at TEXT NOT NULL)",
        )
        .execute(&mut *write.tx)
        .await?;
        write.commit().await?;
        let applied: Vec<i64> = sqlx::query("SELECT version FROM schema_migrations")
            .fetch_all(self.pool())
            .await?
            .iter()
            .map(|row| row.try_get::<i64, _>("version"))
            .collect::<Result<_, _>>()?;
        let mut newly_applied = Vec::new();
        for migration in MIGRATIONS.iter().filter(|m| !applied.contains(&m.version)) {
            let sql = match self.backend() {
                Backend::Sqlite => migration.sqlite,
                Backend::Postgres => migration.postgres,
            };
            if migration.rebuilds_sqlite_tables && self.backend() == Backend::Sqlite {
                self.rebuild_sqlite_tables(migration).await?;
            } else {
                let mut write = self.begin_write().await?;
                sqlx::raw_sql(sql).execute(&mut *write.tx).await?;
                record_applied(&mut write.tx, migration).await?;
                write.commit().await?;
            }
            tracing::info!(
                version = migration.version,
                name = migration.name,
                "applied migration"
            );
            newly_applied.push(migration.version);
        }
        Ok(newly_applied)
    }

    /// The columns of every table, for checking that both backends' schemas agree.
    pub async fn describe_schema(&self) -> Result<Vec<(String, String)>> {
        let sql = match self.backend() {
            Backend::Sqlite => {
                "SELECT m.name AS table_name, p.name AS column_name FROM sqlite_master m \
                 JOIN pragma_table_info(m.name) p WHERE m.type = 'table' AND m.name NOT LIKE 'sqlite_%' \
                 ORDER BY 1, 2"
            }
            Backend::Postgres => {
                "SELECT table_name::text AS table_name, column_name::text AS column_name FROM information_schema.columns \
                 WHERE table_schema = current_schema() ORDER BY 1, 2"
            }
        };
        let rows = sqlx::query(sql).fetch_all(self.pool()).await?;
        rows.iter()
            .map(|r| {
                Ok((
                    r.try_get::<String, _>("table_name")?,
                    r.try_get::<String, _>("column_name")?,
                ))
            })
            .collect()
    }
}
