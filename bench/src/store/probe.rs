//! The durable commit `batline-bench mixed` makes beside its load to see
//! whether PostgreSQL stalled (`stall_watch`). It touches no table.

use sqlx::PgPool;

use batline_core::Result;

/// One transaction that takes a transaction id and commits: a commit with
/// an id writes a commit record and waits for the WAL flush, as every
/// filing's does; a read-only transaction would flush nothing.
#[tracing::instrument(skip(pool))]
pub async fn durable_commit(pool: &PgPool) -> Result<()> {
    let mut tx = pool.begin().await?;
    sqlx::query("SELECT pg_current_xact_id()").execute(&mut *tx).await?;
    tx.commit().await?;
    Ok(())
}
