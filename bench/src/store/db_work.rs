//! How much work Batline gave PostgreSQL: transactions in its database
//! (`pg_stat_database`, always there) and SQL statements
//! (`pg_stat_statements`, when the server loads it: `shared_preload_libraries
//! = 'pg_stat_statements'` and `CREATE EXTENSION pg_stat_statements` in the
//! benchmark's database only). PostgreSQL's backends report their counts
//! about once a second, so read them a moment after the work stops.

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

/// Whether `pg_stat_statements` can be read here.
#[tracing::instrument(skip(e))]
pub async fn statements_counted(e: impl PgExecutor<'_>) -> Result<bool> {
    Ok(sqlx::query_scalar(
        "SELECT to_regclass('pg_stat_statements') IS NOT NULL
            AND current_setting('shared_preload_libraries') LIKE '%pg_stat_statements%'",
    )
    .fetch_one(e)
    .await?)
}

/// Statements run in the current database so far, by `pg_stat_statements`.
#[tracing::instrument(skip(e))]
pub async fn statements(e: impl PgExecutor<'_>) -> Result<i64> {
    Ok(sqlx::query_scalar(
        "SELECT coalesce(sum(calls), 0)::bigint FROM pg_stat_statements
          WHERE dbid = (SELECT oid FROM pg_database WHERE datname = current_database())",
    )
    .fetch_one(e)
    .await?)
}
