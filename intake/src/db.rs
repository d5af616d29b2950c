//! The data layer's connection: one handle over SQLite (the default) or PostgreSQL, through
//! sqlx's `Any` driver so that every query in this crate is written once and runs on both.
//!
//! Portable SQL only: `$1` placeholders (SQLite reads them too), `RETURNING`, `ON CONFLICT`,
//! TEXT timestamps (see [`crate::clock::stamp`]), BIGINT/INTEGER for numbers and 0/1 flags.
//!
//! SQLite must be durable before a submission is acknowledged: WAL with `synchronous=FULL` on
//! every connection, read back at start; the server refuses to start otherwise. Writes go
//! through a single connection (SQLite has one writer anyway), so writers queue in the pool
//! instead of spinning in SQLite's busy handler; reads use a pool of their own.

use std::path::{Path, PathBuf};
use std::str::FromStr;
use std::time::Duration;

use sqlx::any::{AnyConnectOptions, AnyPoolOptions};
use sqlx::{Any, AnyPool, Connection, Executor, Row, Transaction};

/// A transaction on the writer; commit it or it rolls back when dropped.
pub type Tx = Transaction<'static, Any>;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Backend {
    Sqlite,
    Postgres,
}

#[derive(Debug, thiserror::Error)]
pub enum DbError {
    #[error("cannot open database {url}: {source}")]
    Open { url: String, source: sqlx::Error },
    #[error("cannot create folder {}: {source}", dir.display())]
    Folder {
        dir: PathBuf,
        source: std::io::Error,
    },
    #[error("database {url} is not durable: {what} (expected {expected})")]
    NotDurable {
        url: String,
        what: String,
        expected: &'static str,
    },
    #[error("migrating database {url}: {source}")]
    Migrate {
        url: String,
        source: sqlx::migrate::MigrateError,
    },
}

/// The database: a writer and a reader pool (the same pool on PostgreSQL).
#[derive(Clone, Debug)]
pub struct Db {
    writer: AnyPool,
    reader: AnyPool,
    backend: Backend,
    /// The SQLite file, when the back end is SQLite.
    file: Option<PathBuf>,
}

static SQLITE_MIGRATIONS: sqlx::migrate::Migrator = sqlx::migrate!("./migrations/sqlite");
static POSTGRES_MIGRATIONS: sqlx::migrate::Migrator = sqlx::migrate!("./migrations/postgres");

/// Whether a `--db` argument names a PostgreSQL database.
pub fn is_postgres(db: &str) -> bool {
    parse_target(db).0 == Backend::Postgres
}

/// How a `--db` argument names a database: a PostgreSQL URL, a `sqlite:` URL or a file path.
fn parse_target(db: &str) -> (Backend, String, Option<PathBuf>) {
    if db.starts_with("postgres://") || db.starts_with("postgresql://") {
        return (Backend::Postgres, db.to_string(), None);
    }
    let path = db
        .strip_prefix("sqlite://")
        .or_else(|| db.strip_prefix("sqlite:"))
        .unwrap_or(db);
    let path = path.split('?').next().unwrap_or(path);
    if path == ":memory:" {
        // Only ever refused (no WAL in memory), but it should be refused for that reason.
        return (Backend::Sqlite, "sqlite::memory:".to_string(), None);
    }
    (
        Backend::Sqlite,
        format!("sqlite://{path}?mode=rwc"),
        Some(PathBuf::from(path)),
    )
}

impl Db {
    /// Opens (creating if needed) and migrates the database, then checks durability.
    pub async fn connect(db: &str) -> Result<Db, DbError> {
        sqlx::any::install_default_drivers();
        let (backend, url, file) = parse_target(db);
        let shown = match backend {
            Backend::Sqlite => db.to_string(),
            // Never log a password that may be in the URL.
            Backend::Postgres => redact(db),
        };
        if let Some(dir) = file.as_deref().and_then(Path::parent) {
            if !dir.as_os_str().is_empty() {
                std::fs::create_dir_all(dir).map_err(|source| DbError::Folder {
                    dir: dir.to_path_buf(),
                    source,
                })?;
            }
        }
        let options = AnyConnectOptions::from_str(&url).map_err(|source| DbError::Open {
            url: shown.clone(),
            source,
        })?;
        let open = |source| DbError::Open {
            url: shown.clone(),
            source,
        };
        let (writer, reader) = match backend {
            Backend::Sqlite => {
                let pool = |max: u32| {
                    AnyPoolOptions::new()
                        .max_connections(max)
                        .min_connections(1)
                        .acquire_timeout(Duration::from_secs(30))
                        .after_connect(|conn, _meta| {
                            Box::pin(async move {
                                // WAL survives in the file; synchronous and the rest are per
                                // connection, so every new connection sets them.
                                conn.execute("PRAGMA journal_mode = WAL").await?;
                                conn.execute("PRAGMA synchronous = FULL").await?;
                                conn.execute("PRAGMA busy_timeout = 10000").await?;
                                conn.execute("PRAGMA foreign_keys = ON").await?;
                                Ok(())
                            })
                        })
                };
                let writer = pool(1).connect_with(options.clone()).await.map_err(open)?;
                let reader = pool(8).connect_with(options).await.map_err(open)?;
                (writer, reader)
            }
            Backend::Postgres => {
                let pool = AnyPoolOptions::new()
                    .max_connections(16)
                    .acquire_timeout(Duration::from_secs(30))
                    .connect_with(options)
                    .await
                    .map_err(open)?;
                (pool.clone(), pool)
            }
        };
        let db = Db {
            writer,
            reader,
            backend,
            file,
        };
        let migrator = match backend {
            Backend::Sqlite => &SQLITE_MIGRATIONS,
            Backend::Postgres => &POSTGRES_MIGRATIONS,
        };
        migrator
            .run(&db.writer)
            .await
            .map_err(|source| DbError::Migrate {
                url: shown.clone(),
                source,
            })?;
        if backend == Backend::Sqlite {
            db.check_durable(&shown).await?;
        }
        Ok(db)
    }

    /// Reads back the journal mode and the synchronous level on a writer and a reader connection.
    async fn check_durable(&self, url: &str) -> Result<(), DbError> {
        for pool in [&self.writer, &self.reader] {
            let mut conn = pool.acquire().await.map_err(|source| DbError::Open {
                url: url.to_string(),
                source,
            })?;
            let mode: String = sqlx::query("PRAGMA journal_mode")
                .fetch_one(&mut *conn)
                .await
                .and_then(|r| r.try_get(0))
                .map_err(|source| DbError::Open {
                    url: url.to_string(),
                    source,
                })?;
            if !mode.eq_ignore_ascii_case("wal") {
                return Err(DbError::NotDurable {
                    url: url.to_string(),
                    what: format!("journal_mode = {mode}"),
                    expected: "wal",
                });
            }
            let sync: i64 = sqlx::query("PRAGMA synchronous")
                .fetch_one(&mut *conn)
                .await
                .and_then(|r| r.try_get(0))
                .map_err(|source| DbError::Open {
                    url: url.to_string(),
                    source,
                })?;
            // 2 is FULL, 3 is EXTRA (stricter still).
            if sync < 2 {
                return Err(DbError::NotDurable {
                    url: url.to_string(),
                    what: format!("synchronous = {sync}"),
                    expected: "2 (FULL)",
                });
            }
        }
        Ok(())
    }

    pub fn backend(&self) -> Backend {
        self.backend
    }

    /// The SQLite file, if the back end is SQLite.
    pub fn sqlite_file(&self) -> Option<&Path> {
        self.file.as_deref()
    }

    /// The pool for reads.
    pub fn reader(&self) -> &AnyPool {
        &self.reader
    }

    /// Begins a write transaction. On SQLite it takes the write lock at once (`BEGIN
    /// IMMEDIATE`), so a transaction that reads first cannot fail later for want of the lock.
    pub async fn begin(&self) -> Result<Tx, sqlx::Error> {
        match self.backend {
            Backend::Sqlite => self.writer.begin_with("BEGIN IMMEDIATE").await,
            Backend::Postgres => self.writer.begin().await,
        }
    }

    pub async fn close(&self) {
        self.writer.close().await;
        self.reader.close().await;
    }

    /// Checks that the database answers (for `/healthz`).
    pub async fn ping(&self) -> Result<(), sqlx::Error> {
        let mut conn = self.reader.acquire().await?;
        conn.ping().await
    }
}

/// Why `intake backup` did not write a copy.
#[derive(Debug, thiserror::Error)]
pub enum BackupError {
    #[error("{} already exists: a backup never overwrites a file (choose a new name)", .0.display())]
    Exists(PathBuf),
    #[error(
        "intake backup copies SQLite databases only; back up PostgreSQL with its own tool while \
         the service runs: `pg_dump --format=custom --file {out} <the --db URL>` (a consistent \
         snapshot; restore with pg_restore into an empty database, then check it with \
         `intake --db <restored URL> audit verify`)"
    )]
    Postgres { out: String },
    #[error("backing up to {}: {source}", path.display())]
    Io {
        path: PathBuf,
        source: std::io::Error,
    },
    #[error("backing up the database: {0}")]
    Sql(#[from] sqlx::Error),
    #[error("the copy {} failed its integrity check: {why}", path.display())]
    Corrupt { path: PathBuf, why: String },
}

/// What a backup wrote.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Backup {
    pub path: PathBuf,
    pub bytes: u64,
    pub cases: i64,
    pub events: i64,
}

/// Removes a half-written copy when the backup stops before it is in place.
struct Partial(PathBuf);

impl Drop for Partial {
    fn drop(&mut self) {
        let _ = std::fs::remove_file(&self.0);
    }
}

impl Db {
    /// Writes a consistent copy of the SQLite database to `out` while the service runs
    /// (`intake backup --out FILE`). `VACUUM INTO` reads one snapshot (a WAL read transaction:
    /// writers carry on, and the copy holds exactly the transactions committed before it
    /// began, so every acknowledged submission up to then, with its audit events). The copy
    /// is written beside `out` under a temporary name, checked (`PRAGMA integrity_check`),
    /// synced, and put in place with a hard link, which fails rather than replace a file that
    /// appeared meanwhile: `out` is either absent or a whole, checked copy. An existing `out`
    /// is refused up front. PostgreSQL has its own tool, `pg_dump`; the error says how.
    pub async fn backup(&self, out: &Path) -> Result<Backup, BackupError> {
        if self.backend == Backend::Postgres {
            return Err(BackupError::Postgres {
                out: out.display().to_string(),
            });
        }
        let io = |path: &Path| {
            let path = path.to_path_buf();
            move |source| BackupError::Io { path, source }
        };
        if std::fs::symlink_metadata(out).is_ok() {
            return Err(BackupError::Exists(out.to_path_buf()));
        }
        let dir = match out.parent() {
            Some(d) if !d.as_os_str().is_empty() => d.to_path_buf(),
            _ => PathBuf::from("."),
        };
        let name = out
            .file_name()
            .ok_or_else(|| BackupError::Io {
                path: out.to_path_buf(),
                source: std::io::Error::other("not a file name"),
            })?
            .to_string_lossy()
            .into_owned();
        let mut random = [0u8; 6];
        rand::RngCore::fill_bytes(&mut rand::rngs::OsRng, &mut random);
        let tmp = dir.join(format!(".{name}.{}.partial", hex::encode(random)));
        let partial = Partial(tmp.clone());
        sqlx::query("VACUUM INTO $1")
            .bind(tmp.display().to_string())
            .execute(&self.reader)
            .await?;

        // Check the copy as the service will open it.
        let options = AnyConnectOptions::from_str(&format!("sqlite://{}?mode=ro", tmp.display()))?;
        let mut conn = sqlx::AnyConnection::connect_with(&options).await?;
        let check: String = sqlx::query("PRAGMA integrity_check")
            .fetch_one(&mut conn)
            .await?
            .try_get(0)?;
        if check != "ok" {
            return Err(BackupError::Corrupt {
                path: out.to_path_buf(),
                why: check,
            });
        }
        let cases: i64 = sqlx::query("SELECT COUNT(*) FROM cases")
            .fetch_one(&mut conn)
            .await?
            .try_get(0)?;
        let events: i64 = sqlx::query("SELECT COUNT(*) FROM events")
            .fetch_one(&mut conn)
            .await?
            .try_get(0)?;
        conn.close().await?;

        let file = std::fs::File::open(&tmp).map_err(io(&tmp))?;
        file.sync_all().map_err(io(&tmp))?;
        let bytes = file.metadata().map_err(io(&tmp))?.len();
        drop(file);
        match std::fs::hard_link(&tmp, out) {
            Ok(()) => {}
            Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists => {
                return Err(BackupError::Exists(out.to_path_buf()))
            }
            Err(e) => return Err(io(out)(e)),
        }
        drop(partial); // the temporary name goes; the copy stays under `out`
        std::fs::File::open(&dir)
            .and_then(|d| d.sync_all())
            .map_err(io(&dir))?;
        Ok(Backup {
            path: out.to_path_buf(),
            bytes,
            cases,
            events,
        })
    }
}

/// A PostgreSQL URL without its password.
fn redact(url: &str) -> String {
    match (url.find("://"), url.rfind('@')) {
        (Some(s), Some(at)) if at > s => {
            let creds = &url[s + 3..at];
            let user = creds.split(':').next().unwrap_or("");
            format!("{}://{}:***@{}", &url[..s], user, &url[at + 1..])
        }
        _ => url.to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn targets() {
        assert_eq!(
            parse_target("data/intake.sqlite3").1,
            "sqlite://data/intake.sqlite3?mode=rwc"
        );
        assert_eq!(parse_target("postgres://a:b@h/db").0, Backend::Postgres);
        assert_eq!(
            redact("postgres://a:secret@h:5432/db"),
            "postgres://a:***@h:5432/db"
        );
    }
}
