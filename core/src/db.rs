//! Connecting to PostgreSQL: create the database if it is missing, apply the
//! migrations, and say plainly what to do when the server is not there.

use std::{str::FromStr, time::Duration};

use sqlx::{
    ConnectOptions, Connection, PgConnection, PgPool,
    postgres::{PgConnectOptions, PgPoolOptions},
};

use crate::{Error, Result};

/// The embedded migrations from the workspace's `migrations/` folder.
pub static MIGRATOR: sqlx::migrate::Migrator = sqlx::migrate!("../migrations");

/// Connects a pool to `database_url`, creating the database first if needed.
pub async fn connect(database_url: &str, max_connections: u32) -> Result<PgPool> {
    let options = PgConnectOptions::from_str(database_url)
        .map_err(|e| Error::Config(format!("DATABASE_URL is not a PostgreSQL URL: {e}")))?;
    create_database_if_missing(&options).await?;
    PgPoolOptions::new()
        .max_connections(max_connections)
        .acquire_timeout(Duration::from_secs(10))
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
