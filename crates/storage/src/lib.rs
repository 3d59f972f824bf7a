//! Persistence for sendplan.
//!
//! One [`Store`] serves both databases. The backend is chosen from the URL at start-up
//! (`sqlite://...` or `postgres://...`) and never guessed. All SQL is written in the
//! common subset of SQLite and PostgreSQL (`$1` parameters, `RETURNING`, TEXT dates,
//! INTEGER/BIGINT flags) and run through sqlx's `Any` driver, so every query exists once;
//! the schemas differ only in DDL and live side by side in `migrations/{sqlite,postgres}`,
//! kept in lockstep by a test. The same behaviour suite runs against both backends.
//!
//! Every write that changes a partnership's records appends to the audit log in the same
//! transaction, and every record read is scoped by partnership id, so no query can
//! return another partnership's data.

mod accounts;
mod audit;
mod cache;
mod casework;
mod corrections;
mod drafts;
mod governance;
mod history;
mod import;
mod inspections;
mod invitations;
mod jobs;
mod lifecycle;
mod local_offer;
mod measures;
mod migrate;
mod overview;
mod partnerships;
mod plans;
mod progress;
mod public_profiles;
mod publication;
mod reminders;
mod reports;
mod sql;
mod submissions;
mod surveys;

pub use accounts::{
    AccountSummary, Attempt, Member, NewSession, ResetLink, SessionInfo, SessionRecord, UserRecord,
};
pub use audit::{AuditEvent, AuditFilter};
pub use cache::ReadCache;
pub use casework::{CaseworkFile, CaseworkImport};
pub use drafts::ImportDraft;
pub use governance::ActionArising;
pub use invitations::{Accepting, Invitation};
pub use jobs::{Job, JobFailure};
pub use lifecycle::{DeletedRecord, DeletionPreview, PlanArchive};
pub use local_offer::analytics::{SEARCHES_KEPT_MONTHS, VIEWS_KEPT_DAYS};
pub use local_offer::{
    AnswerCounts, DirectoryImport, Feedback, Placed, Problem, Proposal, ReviewEmailToSend,
    ReviewLink, ReviewRound, ServiceEntry, ServiceVersion, UnmetNeed,
};
pub use measures::PlanMeasures;
pub use migrate::MIGRATIONS;
pub use overview::{ActionRow, PartnershipSummary, PlanOverview, PlanSummary};
pub use partnerships::PERSON_REFERENCES;
pub use public_profiles::Logo;
pub use reminders::{Mail, OutgoingMail};
pub use reports::{
    format_name, IssuedDocument, IssuedReport, PaperContent, PaperCorrection, ReportData,
};
pub use submissions::Claim;

use sqlx::any::{AnyPoolOptions, AnyRow};
use sqlx::{AnyPool, Executor, Transaction};
use std::sync::Arc;
use std::time::Duration;

/// Which database engine a [`Store`] talks to.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Backend {
    Sqlite,
    Postgres,
}

impl Backend {
    /// Chooses the backend from a database URL, refusing anything else.
    pub fn from_url(url: &str) -> Result<Self, StoreError> {
        if url.starts_with("sqlite:") {
            Ok(Backend::Sqlite)
        } else if url.starts_with("postgres:") || url.starts_with("postgresql:") {
            Ok(Backend::Postgres)
        } else {
            Err(StoreError::Config(
                "the database URL must start with sqlite:// or postgres://".to_owned(),
            ))
        }
    }
}

/// What can go wrong in storage, as callers need to tell it apart.
#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    /// No such record in this partnership.
    #[error("not found")]
    NotFound,
    /// The record changed since the caller read it (optimistic concurrency).
    #[error("the record was changed by someone else")]
    Conflict,
    /// A value that must be unique is already taken; the text says which.
    #[error("{0}")]
    Duplicate(String),
    /// A rule that needs the database to check (e.g. a dependency loop); worded for people.
    #[error("{0}")]
    Rule(String),
    /// The database could not be configured or reached.
    #[error("{0}")]
    Config(String),
    #[error(transparent)]
    Database(#[from] sqlx::Error),
    #[error("stored data could not be read: {0}")]
    Corrupt(String),
}

pub type Result<T, E = StoreError> = std::result::Result<T, E>;

/// Who made a change, for the audit log. `None` is the command line.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Actor(pub Option<sendplan_domain::UserId>);

/// The handle to sendplan's database. Cheap to clone.
#[derive(Clone)]
pub struct Store {
    pool: AnyPool,
    backend: Backend,
    /// SQLite allows one writer at a time and fails (rather than waits) when a read
    /// transaction tries to become a write; serialising writers in-process avoids that.
    write_lock: Arc<tokio::sync::Mutex<()>>,
    cache: Arc<cache::ReadCache<overview::CacheKey>>,
    /// Moves on with every write this process commits, so what is kept in memory of the
    /// data versions is dropped the moment this process changes anything.
    writes: Arc<std::sync::atomic::AtomicU64>,
    /// Every partnership's id, name and data version, as last read, with when and at
    /// which count of `writes` (see [`Store::partnership_versions`]).
    versions: Arc<std::sync::Mutex<Option<overview::KeptVersions>>>,
}

impl std::fmt::Debug for Store {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Store")
            .field("backend", &self.backend)
            .finish()
    }
}

/// A transaction on either backend.
pub(crate) type Tx = Transaction<'static, sqlx::Any>;

/// A write transaction, holding the in-process writer lock on SQLite.
pub(crate) struct WriteTx {
    pub tx: Tx,
    _guard: Option<tokio::sync::OwnedMutexGuard<()>>,
    writes: Arc<std::sync::atomic::AtomicU64>,
}

impl WriteTx {
    pub async fn commit(self) -> Result<()> {
        self.tx.commit().await?;
        self.writes
            .fetch_add(1, std::sync::atomic::Ordering::SeqCst);
        Ok(())
    }

    /// Commits rows that no page's cached data depends on (the Local Offer's page views
    /// and searches), so the data versions this server keeps in memory stay valid.
    pub async fn commit_unseen(self) -> Result<()> {
        self.tx.commit().await?;
        Ok(())
    }

    /// Rolls back now, before the writer lock is let go. Dropping a transaction rolls it
    /// back too, but only when its connection is next used; after a statement that failed
    /// part-way, SQLite would hold its write lock until then and the next writer would wait.
    pub async fn rollback(self) -> Result<()> {
        self.tx.rollback().await?;
        Ok(())
    }
}

impl Store {
    /// Connects to the database named by `url`, creating a SQLite file if needed, and
    /// brings its schema up to date.
    pub async fn open(url: &str) -> Result<Self> {
        let store = Self::connect(url).await?;
        store.migrate().await?;
        Ok(store)
    }

    /// Connects without migrating.
    pub async fn connect(url: &str) -> Result<Self> {
        sqlx::any::install_default_drivers();
        let backend = Backend::from_url(url)?;
        let url = match backend {
            Backend::Sqlite if !url.contains("mode=") => {
                let separator = if url.contains('?') { '&' } else { '?' };
                format!("{url}{separator}mode=rwc")
            }
            _ => url.to_owned(),
        };
        let pool = AnyPoolOptions::new()
            .max_connections(match backend {
                Backend::Sqlite => 8,
                Backend::Postgres => 16,
            })
            .acquire_timeout(Duration::from_secs(10))
            .after_connect(move |conn, _meta| {
                Box::pin(async move {
                    if backend == Backend::Sqlite {
                        // WAL lets readers run beside the writer; synchronous=FULL makes each
                        // commit durable before it is acknowledged; foreign keys are off in
                        // SQLite unless asked for.
                        conn.execute(
                            "PRAGMA journal_mode = WAL; PRAGMA synchronous = FULL; \
                             PRAGMA foreign_keys = ON; PRAGMA busy_timeout = 10000;",
                        )
                        .await?;
                    }
                    Ok(())
                })
            })
            .connect(&url)
            .await
            .map_err(|e| {
                StoreError::Config(format!(
                    "could not connect to the {backend:?} database: {e}"
                ))
            })?;
        Ok(Store {
            pool,
            backend,
            write_lock: Arc::new(tokio::sync::Mutex::new(())),
            cache: Arc::new(cache::ReadCache::new()),
            writes: Arc::new(std::sync::atomic::AtomicU64::new(0)),
            versions: Arc::new(std::sync::Mutex::new(None)),
        })
    }

    /// The backend in use.
    pub fn backend(&self) -> Backend {
        self.backend
    }

    /// Whether the database answers (for `/health`).
    pub async fn ping(&self) -> Result<()> {
        sqlx::query("SELECT 1").fetch_one(&self.pool).await?;
        Ok(())
    }

    /// Closes every connection (lets SQLite checkpoint its WAL on shutdown).
    pub async fn close(&self) {
        self.pool.close().await;
    }

    /// Runs SQL with no parameters outside the typed API: for administration (creating
    /// test databases) and for tests that prove the database refuses to rewrite history.
    pub async fn execute_unchecked(&self, sql: &str) -> Result<()> {
        sqlx::raw_sql(sql).execute(&self.pool).await?;
        Ok(())
    }

    pub(crate) fn pool(&self) -> &AnyPool {
        &self.pool
    }

    pub(crate) async fn begin_write(&self) -> Result<WriteTx> {
        let guard = match self.backend {
            Backend::Sqlite => Some(self.write_lock.clone().lock_owned().await),
            Backend::Postgres => None,
        };
        let tx = self.pool.begin().await?;
        Ok(WriteTx {
            tx,
            _guard: guard,
            writes: self.writes.clone(),
        })
    }

    /// Writes a consistent copy of a SQLite database to `path` while it is in use.
    pub async fn backup_to(&self, path: &str) -> Result<()> {
        if self.backend != Backend::Sqlite {
            return Err(StoreError::Config(
                "backup copies SQLite databases; use pg_dump for PostgreSQL".to_owned(),
            ));
        }
        if std::path::Path::new(path).exists() {
            return Err(StoreError::Config(format!(
                "{path} already exists; choose a new file"
            )));
        }
        // VACUUM INTO reads one snapshot, so the copy is consistent even mid-write.
        sqlx::query("VACUUM INTO $1")
            .bind(path.to_owned())
            .execute(&self.pool)
            .await?;
        Ok(())
    }
}

/// Maps a unique-constraint violation to a message for people; other errors pass through.
pub(crate) fn duplicate_as(message: &str) -> impl FnOnce(sqlx::Error) -> StoreError + '_ {
    move |error| match &error {
        sqlx::Error::Database(db) if db.is_unique_violation() => {
            StoreError::Duplicate(message.to_owned())
        }
        _ => StoreError::Database(error),
    }
}

/// A second insert of what must be made once (a first save, a correction) is a
/// conflict: someone else did it first.
pub(crate) fn conflict_on_duplicate(error: sqlx::Error) -> StoreError {
    match &error {
        sqlx::Error::Database(db) if db.is_unique_violation() => StoreError::Conflict,
        _ => StoreError::Database(error),
    }
}

pub(crate) fn one_or_not_found(row: Option<AnyRow>) -> Result<AnyRow> {
    row.ok_or(StoreError::NotFound)
}
