//! How much work Batline gave PostgreSQL: transactions in its database
//! (`pg_stat_database`, always there) and SQL statements
//! (`pg_stat_statements`, when the server loads it: `shared_preload_libraries
//! = 'pg_stat_statements'`; the benchmark then creates the extension in its
//! own database only). PostgreSQL's backends report their counts about once
//! a second, so read them a moment after the work stops.

use sqlx::PgExecutor;

use batline_core::Result;

/// Transactions ended in the current database so far.
#[tracing::instrument(skip(e))]
pub async fn transactions(e: impl PgExecutor<'_>) -> Result<i64> {
    Ok(sqlx::query_scalar(
        "SELECT (xact_commit + xact_rollback)::bigint FROM pg_stat_database WHERE datname = current_database()",
    )
    .fetch_one(e)
    .await?)
}

/// Creates `pg_stat_statements` in the current database where the server
/// loads it, and empties its counts for this database; returns whether
/// statements are counted.
#[tracing::instrument(skip(pool))]
pub async fn start_counting_statements(pool: &sqlx::PgPool) -> Result<bool> {
    let loaded: bool =
        sqlx::query_scalar("SELECT current_setting('shared_preload_libraries') LIKE '%pg_stat_statements%'")
            .fetch_one(pool)
            .await?;
    if !loaded {
        return Ok(false);
    }
    sqlx::query("CREATE EXTENSION IF NOT EXISTS pg_stat_statements").execute(pool).await?;
    sqlx::query(
        "SELECT pg_stat_statements_reset(0, (SELECT oid FROM pg_database WHERE datname = current_database()), 0)",
    )
    .execute(pool)
    .await?;
    Ok(true)
}

/// One statement's share of the work, as `pg_stat_statements` counts it.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct StatementWork {
    /// The statement, normalised (constants as `$n`), on one line.
    pub query: String,
    /// Times run.
    pub calls: i64,
    /// Time PostgreSQL spent running it, in milliseconds.
    pub total_ms: f64,
}

/// The `limit` statements PostgreSQL spent the most time on in the current
/// database since [`start_counting_statements`].
#[tracing::instrument(skip(e))]
pub async fn costliest_statements(e: impl PgExecutor<'_>, limit: i64) -> Result<Vec<StatementWork>> {
    Ok(sqlx::query_as(
        "SELECT regexp_replace(query, '\\s+', ' ', 'g') AS query, calls::bigint AS calls,
                total_exec_time AS total_ms
           FROM pg_stat_statements
          WHERE dbid = (SELECT oid FROM pg_database WHERE datname = current_database())
          ORDER BY total_exec_time DESC LIMIT $1",
    )
    .bind(limit)
    .fetch_all(e)
    .await?)
}

/// Whether the server runs without autovacuum (a CI machine's setting):
/// then the benchmark's fresh tables are never analysed, and every query is
/// planned on PostgreSQL's guesses for tables it has no statistics of.
#[tracing::instrument(skip(e))]
pub async fn autovacuum_off(e: impl PgExecutor<'_>) -> Result<bool> {
    Ok(sqlx::query_scalar("SELECT current_setting('autovacuum') = 'off'").fetch_one(e).await?)
}

/// Statements run in the current database so far, by `pg_stat_statements`
/// (once [`start_counting_statements`] said it counts them).
#[tracing::instrument(skip(e))]
pub async fn statements(e: impl PgExecutor<'_>) -> Result<i64> {
    Ok(sqlx::query_scalar(
        "SELECT coalesce(sum(calls), 0)::bigint FROM pg_stat_statements
          WHERE dbid = (SELECT oid FROM pg_database WHERE datname = current_database())",
    )
    .fetch_one(e)
    .await?)
}
