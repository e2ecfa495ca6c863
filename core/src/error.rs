//! The one error type of `batline-core`. Services wrap it in their own error
//! type, which decides what a client gets to see.

/// Everything that can go wrong inside `batline-core`.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    /// The configuration read at start-up is unusable; the text says which
    /// setting and how to fix it.
    #[error("configuration: {0}")]
    Config(String),
    /// PostgreSQL failed or refused a query.
    #[error("database: {0}")]
    Database(#[source] sqlx::Error),
    /// Applying migrations failed.
    #[error("migrations: {0}")]
    Migrate(#[from] sqlx::migrate::MigrateError),
    /// No live connection to RabbitMQ right now; the supervisor is reconnecting.
    #[error("message bus unavailable: {0}")]
    BusUnavailable(String),
    /// RabbitMQ returned a protocol or connection error.
    #[error("message bus: {0}")]
    Bus(#[from] lapin::Error),
    /// A mandatory message reached no queue, or the broker refused it.
    #[error("message bus refused the message: {0}")]
    BusRefused(String),
    /// A JSON payload could not be encoded or decoded.
    #[error("json: {0}")]
    Json(#[from] serde_json::Error),
    /// Twilio answered with a final error (a 4xx other than 429).
    #[error("Twilio refused the request ({status}, code {code:?}): {message}")]
    TwilioRejected {
        /// HTTP status Twilio answered with.
        status: u16,
        /// Twilio's own error code, when its body carried one.
        code: Option<i64>,
        /// Twilio's explanation.
        message: String,
    },
    /// Twilio could not be reached or kept failing after every retry.
    #[error("Twilio unavailable: {0}")]
    TwilioUnavailable(String),
    /// A mail server (the IMAP mailbox, the SMTP relay) could not be reached
    /// or failed mid-conversation.
    #[error("mail server unavailable: {0}")]
    MailUnavailable(String),
    /// There is no designated backstop responder, so a case could end up unowned.
    #[error(
        "no backstop responder is designated: add one with `batline responder add --backstop` \
         (for a demo, `batline up` without a Twilio account, or with BATLINE_DEMO=true, seeds a demo city)"
    )]
    NoBackstop,
    /// The thing asked for does not exist.
    #[error("{0} not found")]
    NotFound(&'static str),
    /// The request conflicts with the current state (e.g. resolving a resolved case).
    #[error("{0}")]
    Conflict(String),
    /// Input failed validation; the text says what to change.
    #[error("{0}")]
    Invalid(String),
    /// A roster import was refused; the problem names its row.
    #[error(transparent)]
    Roster(#[from] crate::roster::RosterProblem),
    /// Hashing or checking a password failed for a reason other than a mismatch.
    #[error("password hashing: {0}")]
    PasswordHash(String),
    /// Work handed to a blocking thread did not finish (it panicked).
    #[error("background task: {0}")]
    Task(String),
}

impl From<sqlx::Error> for Error {
    /// Every database error of the process passes here, so this is where a
    /// write refused by a read-only server (a standby the database address
    /// now points at, or the old primary after a failover) is noticed: the
    /// pool then discards the connections it had (see [`crate::db`]).
    fn from(e: sqlx::Error) -> Self {
        crate::db::notice_read_only(&e);
        Error::Database(e)
    }
}

/// `Result` with [`Error`].
pub type Result<T, E = Error> = std::result::Result<T, E>;

impl Error {
    /// True when retrying the same work later may succeed (the database or the
    /// broker was briefly away), false when it never will.
    pub fn is_transient(&self) -> bool {
        match self {
            Error::Database(e) => database_error_is_transient(e),
            // Without a backstop nothing can be filed; keep the contact and retry
            // until an admin designates one rather than dead-lettering it.
            Error::BusUnavailable(_)
            | Error::Bus(_)
            | Error::TwilioUnavailable(_)
            | Error::MailUnavailable(_)
            | Error::NoBackstop => true,
            _ => false,
        }
    }

    /// True when PostgreSQL refused a text it cannot store: a NUL (SQLSTATE
    /// 22021 in a text column, 22P05 in jsonb). The extractors blank control
    /// characters ([`crate::plain_text`]), so this is the backstop for text
    /// that arrives some other way: the request's fault, never a 500.
    pub fn is_unstorable_text(&self) -> bool {
        matches!(self, Error::Database(sqlx::Error::Database(db))
            if matches!(db.code().as_deref(), Some("22021" | "22P05")))
    }
}

/// Connection trouble, a restarting server, a deadlock or a serialization
/// failure pass; a violated constraint or bad data never will.
fn database_error_is_transient(e: &sqlx::Error) -> bool {
    match e {
        sqlx::Error::Io(_) | sqlx::Error::PoolTimedOut | sqlx::Error::PoolClosed | sqlx::Error::WorkerCrashed => true,
        sqlx::Error::Database(db) => {
            let code = db.code().unwrap_or_default();
            // 08: connection exception; 40: transaction rollback (deadlock,
            // serialization); 53: insufficient resources; 57: operator
            // intervention (a server shutting down or restarting); 55P03: lock
            // not available; 25006: a read-only server (a standby, during a
            // failover), whose connections the pool is now discarding.
            ["08", "40", "53", "57"].iter().any(|class| code.starts_with(class))
                || code == "55P03"
                || code == crate::db::READ_ONLY_SQLSTATE
        }
        _ => false,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lost_connections_are_transient_bad_data_is_not() {
        let io = Error::Database(sqlx::Error::Io(std::io::Error::from(std::io::ErrorKind::ConnectionReset)));
        assert!(io.is_transient());
        assert!(Error::Database(sqlx::Error::PoolTimedOut).is_transient());
        assert!(!Error::Database(sqlx::Error::RowNotFound).is_transient());
        assert!(!Error::Invalid("x".into()).is_transient());
        assert!(Error::NoBackstop.is_transient());
    }
}
