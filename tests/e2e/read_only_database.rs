//! After a failover the database address may lead to a read-only server:
//! a standby not yet promoted, or a primary being switched over
//! (`default_transaction_read_only`). A connection found read-only (SQLSTATE
//! 25006) is discarded rather than handed out again, the work succeeds on a
//! fresh one, and a new connection to a read-only server is refused with a
//! message that says so. On the real server, in the test's own database.

use batline_core::db;
use sqlx::Connection;

use crate::support::{TestApp, TestResult};

#[tokio::test]
async fn a_connection_found_read_only_is_discarded_and_the_write_retried() -> TestResult {
    let app = TestApp::spawn().await?;
    // One connection, so the write must meet the one turned read-only.
    let pool = db::connect(&app.config.database_url, 1).await?;
    sqlx::query("SET default_transaction_read_only = on").execute(&pool).await?;
    let write = || async {
        sqlx::query("UPDATE responders SET capacity = capacity WHERE id = $1")
            .bind(app.backstop.id)
            .execute(&pool)
            .await
            .map_err(batline_core::Error::from)
    };
    let refused = write().await.expect_err("a write on a read-only connection must fail");
    assert!(refused.to_string().contains("read-only"), "{refused}");
    assert!(refused.is_transient(), "the work is retried, as after a lost connection");
    write().await?;
    let read_only: String = sqlx::query_scalar("SHOW default_transaction_read_only").fetch_one(&pool).await?;
    assert_eq!(read_only, "off", "the read-only connection was discarded and a fresh one opened");
    Ok(())
}

#[tokio::test]
async fn a_new_connection_to_a_read_only_server_is_refused() -> TestResult {
    let app = TestApp::spawn().await?;
    let name: String = sqlx::query_scalar("SELECT current_database()").fetch_one(&app.pool).await?;
    let mut admin = sqlx::PgConnection::connect(&app.config.database_url).await?;
    sqlx::query(&format!("ALTER DATABASE \"{name}\" SET default_transaction_read_only = on"))
        .execute(&mut admin)
        .await?;
    let refused = db::connect(&app.config.database_url, 1).await.expect_err("a read-only server must be refused");
    assert!(refused.to_string().contains("read-only server"), "{refused}");
    sqlx::query(&format!("ALTER DATABASE \"{name}\" RESET default_transaction_read_only")).execute(&mut admin).await?;
    let pool = db::connect(&app.config.database_url, 1).await?;
    sqlx::query("UPDATE responders SET capacity = capacity WHERE id = $1").bind(app.backstop.id).execute(&pool).await?;
    Ok(())
}
