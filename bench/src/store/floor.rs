//! The scratch table of `batline-bench mixed`'s machine floor: one durable
//! commit per message, with none of Batline's logic, to compare Batline
//! against. Created and dropped by the benchmark; never part of the schema.

use sqlx::PgExecutor;

use batline_core::Result;

fn valid(table: &str) -> Result<()> {
    // The name is built by the benchmark, never by input; still, it goes
    // into SQL text, so hold it to a plain identifier.
    if table.starts_with("bench_floor_") && table.chars().all(|c| c.is_ascii_alphanumeric() || c == '_') {
        Ok(())
    } else {
        Err(batline_core::Error::Invalid(format!("{table:?} is not a floor table name")))
    }
}

/// Creates the scratch table.
#[tracing::instrument(skip(e))]
pub async fn create(e: impl PgExecutor<'_>, table: &str) -> Result<()> {
    valid(table)?;
    sqlx::query(&format!("CREATE TABLE {table} (id bigint PRIMARY KEY, payload jsonb NOT NULL, at timestamptz NOT NULL DEFAULT clock_timestamp())"))
        .execute(e)
        .await?;
    Ok(())
}

/// Stores one message, committed on its own (autocommit).
#[tracing::instrument(skip(e, payload))]
pub async fn insert(e: impl PgExecutor<'_>, table: &str, id: i64, payload: &serde_json::Value) -> Result<()> {
    valid(table)?;
    sqlx::query(&format!("INSERT INTO {table} (id, payload) VALUES ($1, $2) ON CONFLICT (id) DO NOTHING"))
        .bind(id)
        .bind(payload)
        .execute(e)
        .await?;
    Ok(())
}

/// Drops the scratch table.
#[tracing::instrument(skip(e))]
pub async fn drop(e: impl PgExecutor<'_>, table: &str) -> Result<()> {
    valid(table)?;
    sqlx::query(&format!("DROP TABLE IF EXISTS {table}")).execute(e).await?;
    Ok(())
}
