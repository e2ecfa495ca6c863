//! A fresh database per test, migrated as the services migrate it.

use batline_core::{
    db,
    domain::{DutyStatus, Language, Role},
    store::{
        self,
        responders::{NewResponder, Responder},
    },
};
use sqlx::PgPool;
use uuid::Uuid;

pub type TestResult<T = ()> = anyhow::Result<T>;

/// A migrated database on the machine's PostgreSQL, dropped by [`Self::drop`].
pub struct Database {
    pub pool: PgPool,
    url: String,
}

impl Database {
    pub async fn fresh() -> TestResult<Self> {
        let url = format!("postgres://postgres@127.0.0.1:5432/batline_fast_{}", Uuid::new_v4().simple());
        let pool = db::connect_and_migrate(&url, 4).await?;
        Ok(Database { pool, url })
    }

    /// A responder who may own cases; the password hash is never checked here.
    pub async fn responder(
        &self,
        username: &str,
        languages: &[Language],
        duty: DutyStatus,
        capacity: i32,
    ) -> TestResult<Responder> {
        let new = NewResponder {
            username: username.to_owned(),
            display_name: username.to_owned(),
            password_hash: "unused".to_owned(),
            phone: None,
            languages: languages.to_vec(),
            areas: vec![],
            topics: vec![],
            capacity,
            duty_status: duty,
            is_backstop: false,
            role: Role::Responder,
        };
        Ok(store::responders::insert(&self.pool, &new).await?)
    }

    /// The designated backstop, off duty as a mayor usually is.
    pub async fn backstop(&self, username: &str) -> TestResult<Responder> {
        let new = NewResponder {
            username: username.to_owned(),
            display_name: username.to_owned(),
            password_hash: "unused".to_owned(),
            phone: None,
            languages: vec![Language::Fi],
            areas: vec![],
            topics: vec![],
            capacity: 10,
            duty_status: DutyStatus::Off,
            is_backstop: true,
            role: Role::Mayor,
        };
        Ok(store::responders::insert(&self.pool, &new).await?)
    }

    pub async fn drop(self) -> TestResult {
        self.pool.close().await;
        db::drop_database(&self.url).await?;
        Ok(())
    }
}
