//! Connecting to PostgreSQL: create the database if it is missing, apply the
//! migrations, and say plainly what to do when the server is not there.
//!
//! A failover: sqlx knows one address, so a city runs PostgreSQL behind one
//! stable address (a virtual IP, HAProxy, PgBouncer) that is moved to the
//! promoted standby. Connections opened before the move may still reach a
//! server that is read-only: the old primary, restarted as a standby, or the
//! standby before its promotion. Such a server refuses every write with
//! SQLSTATE 25006, and a pool would keep handing those connections out
//! forever. So: a new connection that lands on a read-only server is
//! refused (the pool tries again, and the caller's work is retried as after
//! any lost connection), and once any query has met 25006 every connection
//! opened before that moment is discarded when next acquired.

use std::{
    str::FromStr,
    sync::Mutex,
    time::{Duration, Instant},
};

use sqlx::{
    ConnectOptions, Connection, PgConnection, PgPool,
    postgres::{PgConnectOptions, PgPoolOptions},
};

use crate::{Error, Result};

/// The embedded migrations from the workspace's `migrations/` folder.
pub static MIGRATOR: sqlx::migrate::Migrator = sqlx::migrate!("../migrations");

/// SQLSTATE `read_only_sql_transaction`: a write on a read-only server.
pub const READ_ONLY_SQLSTATE: &str = "25006";

/// When a query of this process last met a read-only server.
static READ_ONLY_SEEN: Mutex<Option<Instant>> = Mutex::new(None);

/// Records that `e` came from a read-only server, so the pools discard the
/// connections opened before now. Called for every database error (the
/// crate's `From<sqlx::Error>`).
pub fn notice_read_only(e: &sqlx::Error) {
    if let sqlx::Error::Database(db) = e
        && db.code().as_deref() == Some(READ_ONLY_SQLSTATE)
    {
        let mut seen = READ_ONLY_SEEN.lock().unwrap_or_else(|p| p.into_inner());
        if seen.is_none() {
            tracing::warn!("the database refused a write as read-only: discarding connections opened before now");
        }
        *seen = Some(Instant::now());
    }
}

/// Whether a connection `age` old was opened before the last read-only
/// refusal, and so may be talking to the server that refused.
fn opened_before_read_only(age: Duration) -> bool {
    let seen = *READ_ONLY_SEEN.lock().unwrap_or_else(|p| p.into_inner());
    seen.is_some_and(|seen| Instant::now().checked_sub(age).is_none_or(|opened| opened <= seen))
}

/// Why a connection was refused: the server behind the address is read-only.
#[derive(Debug)]
struct ReadOnlyServer;

impl std::fmt::Display for ReadOnlyServer {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(
            "the database address leads to a read-only server (a standby, or a primary being switched over): \
             refusing the connection until it leads to the primary",
        )
    }
}

impl std::error::Error for ReadOnlyServer {}

/// The pool options every service's pool shares: see the module's text on failover.
fn pool_options(max_connections: u32) -> PgPoolOptions {
    PgPoolOptions::new()
        .max_connections(max_connections)
        .acquire_timeout(Duration::from_secs(10))
        .after_connect(|conn, _| {
            Box::pin(async move {
                // On a standby, and on a primary an operator is switching
                // over (`default_transaction_read_only`), this is on.
                let read_only: bool = sqlx::query_scalar("SELECT current_setting('transaction_read_only') = 'on'")
                    .fetch_one(&mut *conn)
                    .await?;
                if read_only {
                    // As an I/O error: like a refused connection, the pool
                    // tries again and the work counts it as transient.
                    return Err(sqlx::Error::Io(std::io::Error::new(
                        std::io::ErrorKind::ConnectionRefused,
                        ReadOnlyServer,
                    )));
                }
                Ok(())
            })
        })
        .before_acquire(|_, meta| Box::pin(async move { Ok(!opened_before_read_only(meta.age)) }))
}

/// Connects a pool to `database_url`, creating the database first if needed.
pub async fn connect(database_url: &str, max_connections: u32) -> Result<PgPool> {
    let options = PgConnectOptions::from_str(database_url)
        .map_err(|e| Error::Config(format!("DATABASE_URL is not a PostgreSQL URL: {e}")))?;
    create_database_if_missing(&options).await?;
    refuse_read_only_server(&options).await?;
    pool_options(max_connections)
        .connect_with(options.clone().log_statements(tracing::log::LevelFilter::Trace))
        .await
        .map_err(|e| unreachable_hint(&options, e))
}

/// Connects and applies every pending migration.
pub async fn connect_and_migrate(database_url: &str, max_connections: u32) -> Result<PgPool> {
    let pool = connect(database_url, max_connections).await?;
    MIGRATOR.run(&pool).await?;
    Ok(pool)
}

/// At start-up, says plainly that `DATABASE_URL` leads to a read-only
/// server, rather than letting the pool refuse its connections until it
/// times out.
async fn refuse_read_only_server(options: &PgConnectOptions) -> Result<()> {
    let mut conn = PgConnection::connect_with(options).await.map_err(|e| unreachable_hint(options, e))?;
    let read_only: bool =
        sqlx::query_scalar("SELECT current_setting('transaction_read_only') = 'on'").fetch_one(&mut conn).await?;
    conn.close().await?;
    if read_only {
        return Err(Error::Config(format!(
            "PostgreSQL at {}:{}: {ReadOnlyServer}. Point DATABASE_URL at the primary",
            options.get_host(),
            options.get_port()
        )));
    }
    Ok(())
}

async fn create_database_if_missing(options: &PgConnectOptions) -> Result<()> {
    let Some(name) = options.get_database().map(str::to_owned) else {
        return Ok(());
    };
    let maintenance = options.clone().database("postgres");
    let mut conn = PgConnection::connect_with(&maintenance).await.map_err(|e| unreachable_hint(options, e))?;
    let exists: bool = sqlx::query_scalar("SELECT EXISTS (SELECT 1 FROM pg_database WHERE datname = $1)")
        .bind(&name)
        .fetch_one(&mut conn)
        .await?;
    if !exists {
        let quoted = format!("\"{}\"", name.replace('"', "\"\""));
        match sqlx::query(&format!("CREATE DATABASE {quoted}")).execute(&mut conn).await {
            Ok(_) => tracing::info!(database = %name, "created database"),
            // Another process created it between our check and our CREATE.
            Err(sqlx::Error::Database(e)) if e.code().as_deref() == Some("42P04") => {}
            Err(e) => return Err(e.into()),
        }
    }
    conn.close().await?;
    Ok(())
}

/// Drops a database; used by test harnesses to leave nothing behind.
pub async fn drop_database(database_url: &str) -> Result<()> {
    let options = PgConnectOptions::from_str(database_url)
        .map_err(|e| Error::Config(format!("DATABASE_URL is not a PostgreSQL URL: {e}")))?;
    let Some(name) = options.get_database().map(str::to_owned) else {
        return Ok(());
    };
    let mut conn = PgConnection::connect_with(&options.clone().database("postgres")).await?;
    let quoted = format!("\"{}\"", name.replace('"', "\"\""));
    sqlx::query(&format!("DROP DATABASE IF EXISTS {quoted} WITH (FORCE)")).execute(&mut conn).await?;
    Ok(())
}

fn unreachable_hint(options: &PgConnectOptions, e: sqlx::Error) -> Error {
    match e {
        sqlx::Error::Io(_) | sqlx::Error::PoolTimedOut | sqlx::Error::Tls(_) => Error::Config(format!(
            "cannot reach PostgreSQL at {}:{} ({e}). Is it running? On Debian or Ubuntu: \
             `sudo apt-get install postgresql` then `sudo pg_ctlcluster $(ls /etc/postgresql) main start`; \
             or point DATABASE_URL at your server",
            options.get_host(),
            options.get_port()
        )),
        other => Error::Database(other),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn connections_opened_before_a_read_only_refusal_are_discarded() {
        *READ_ONLY_SEEN.lock().unwrap_or_else(|p| p.into_inner()) = Some(Instant::now());
        assert!(opened_before_read_only(Duration::from_secs(60)), "opened a minute ago: before the refusal");
        std::thread::sleep(Duration::from_millis(20));
        assert!(!opened_before_read_only(Duration::from_millis(1)), "opened after the refusal: kept");
    }
}
