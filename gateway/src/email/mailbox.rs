//! Taking the line's mail from a hosted mailbox over IMAP
//! (`BATLINE_IMAP_URL`), for a city whose mail does not pass through a
//! server it runs: the other way in besides the SMTP listener.
//!
//! Each round selects the mailbox, takes every message above the last UID
//! taken (remembered in PostgreSQL with the mailbox's UIDVALIDITY, so a
//! restart takes nothing twice and misses nothing), marks each one filed
//! (flagged seen, or moved to the `?filed=` folder) and records the UID;
//! then it waits with IDLE (RFC 2177) for the server to say new mail came,
//! five minutes at most. A message is taken as the SMTP listener takes one
//! ([`super::receive::take`]): stored with its Message-ID, so even a UID
//! recorded late files nothing twice. When PostgreSQL cannot take a
//! message, the round stops there and the message is taken next round. A
//! lost connection is reconnected with a capped back-off.

use std::{sync::Arc, time::Duration};

use async_imap::{Client, Session, extensions::idle::IdleResponse};
use batline_core::{Error, Result, config::EmailConfig, store};
use futures_util::TryStreamExt;
use secrecy::ExposeSecret;
use tokio::{
    io::{AsyncRead, AsyncWrite},
    net::TcpStream,
};
use tokio_rustls::{TlsConnector, rustls};
use tokio_util::sync::CancellationToken;
use url::Url;

use super::receive::{self, NotTaken};
use crate::state::AppState;

/// How long one IDLE lasts before the mailbox is read again anyway (the
/// RFC asks clients to re-issue it within 29 minutes).
const IDLE_FOR: Duration = Duration::from_secs(300);

/// Longest pause between reconnection attempts.
const MAX_BACK_OFF: Duration = Duration::from_secs(60);

/// Where and how to read.
struct Mailbox {
    url: Url,
    /// The folder to read (the URL's path; `INBOX` without one).
    folder: String,
    /// The folder filed messages move to, if the URL names one.
    filed: Option<String>,
}

impl Mailbox {
    fn parse(raw: &str) -> Result<Mailbox> {
        let url = Url::parse(raw).map_err(|e| Error::Config(format!("BATLINE_IMAP_URL: {e}")))?;
        let path = url.path().trim_start_matches('/');
        let folder = match percent_decode(path) {
            p if p.is_empty() => "INBOX".to_owned(),
            p => p,
        };
        let filed =
            url.query_pairs().find(|(k, _)| k == "filed").map(|(_, v)| v.into_owned()).filter(|v| !v.is_empty());
        Ok(Mailbox { url, folder, filed })
    }

    /// The key its position is kept under: the user, host and folder,
    /// never the password.
    fn key(&self) -> String {
        format!("{}@{}/{}", self.url.username(), self.url.host_str().unwrap_or_default(), self.folder)
    }
}

fn percent_decode(text: &str) -> String {
    url::form_urlencoded::parse(format!("x={}", text.replace('+', "%2B")).as_bytes())
        .next()
        .map(|(_, v)| v.into_owned())
        .unwrap_or_default()
}

/// Reads the mailbox until `shutdown`, reconnecting whenever it is lost.
pub async fn follow(state: AppState, email: EmailConfig, shutdown: CancellationToken) {
    let Some(raw) = email.imap_url.as_ref() else { return };
    let mailbox = match Mailbox::parse(raw.expose_secret()) {
        Ok(mailbox) => mailbox,
        Err(e) => {
            tracing::error!(error = %e, "the IMAP mailbox cannot be read");
            return;
        }
    };
    let mut back_off = Duration::from_secs(1);
    while !shutdown.is_cancelled() {
        match connect_and_read(&state, &email, &mailbox, &shutdown).await {
            Ok(()) => back_off = Duration::from_secs(1),
            Err(e) => {
                tracing::warn!(mailbox = %mailbox.key(), error = %e, retry_in = ?back_off, "IMAP mailbox lost; reconnecting");
                tokio::select! {
                    () = shutdown.cancelled() => {}
                    () = tokio::time::sleep(back_off) => {}
                }
                back_off = (back_off * 2).min(MAX_BACK_OFF);
            }
        }
    }
    tracing::info!("IMAP reader stopped");
}

async fn connect_and_read(
    state: &AppState,
    email: &EmailConfig,
    mailbox: &Mailbox,
    shutdown: &CancellationToken,
) -> Result<()> {
    let host = mailbox.url.host_str().unwrap_or_default().to_owned();
    let tls = mailbox.url.scheme() == "imaps";
    let port = mailbox.url.port().unwrap_or(if tls { 993 } else { 143 });
    let tcp = TcpStream::connect((host.as_str(), port)).await.map_err(|e| unavailable(&format!("{host}:{port}"), e))?;
    if tls {
        let mut roots = rustls::RootCertStore::empty();
        roots.extend(webpki_roots::TLS_SERVER_ROOTS.iter().cloned());
        let config = rustls::ClientConfig::builder_with_provider(Arc::new(rustls::crypto::ring::default_provider()))
            .with_safe_default_protocol_versions()
            .map_err(|e| Error::Config(format!("TLS for BATLINE_IMAP_URL: {e}")))?
            .with_root_certificates(roots)
            .with_no_client_auth();
        let name = rustls::pki_types::ServerName::try_from(host.clone())
            .map_err(|e| Error::Config(format!("BATLINE_IMAP_URL's host {host}: {e}")))?;
        let stream = TlsConnector::from(Arc::new(config))
            .connect(name, tcp)
            .await
            .map_err(|e| unavailable("the IMAP server's TLS", e))?;
        read(state, email, mailbox, Client::new(stream), shutdown).await
    } else {
        read(state, email, mailbox, Client::new(tcp), shutdown).await
    }
}

fn unavailable(what: &str, e: impl std::fmt::Display) -> Error {
    Error::MailUnavailable(format!("IMAP: {what}: {e}"))
}

async fn read<T>(
    state: &AppState,
    email: &EmailConfig,
    mailbox: &Mailbox,
    mut client: Client<T>,
    shutdown: &CancellationToken,
) -> Result<()>
where
    T: AsyncRead + AsyncWrite + Unpin + std::fmt::Debug + Send,
{
    client.read_response().await.map_err(|e| unavailable("greeting", e))?;
    let password = percent_decode(mailbox.url.password().unwrap_or_default());
    let user = percent_decode(mailbox.url.username());
    let mut session = client.login(&user, &password).await.map_err(|(e, _)| unavailable("login", e))?;
    if let Some(folder) = &mailbox.filed {
        // Made once; "already exists" is fine.
        let _ = session.create(folder).await;
    }
    tracing::info!(mailbox = %mailbox.key(), "reading the line's mail over IMAP");
    loop {
        take_new(state, email, mailbox, &mut session).await?;
        if shutdown.is_cancelled() {
            let _ = session.logout().await;
            return Ok(());
        }
        let mut idle = session.idle();
        idle.init().await.map_err(|e| unavailable("IDLE", e))?;
        let (wait, stop) = idle.wait_with_timeout(IDLE_FOR);
        let outcome = tokio::select! {
            outcome = wait => Some(outcome),
            () = shutdown.cancelled() => None,
        };
        drop(stop);
        match outcome {
            Some(Ok(IdleResponse::NewData(_) | IdleResponse::Timeout | IdleResponse::ManualInterrupt)) | None => {}
            Some(Err(e)) => return Err(unavailable("IDLE", e)),
        }
        session = idle.done().await.map_err(|e| unavailable("DONE", e))?;
    }
}

/// Takes every message above the last UID taken, in UID order.
async fn take_new<T>(state: &AppState, email: &EmailConfig, mailbox: &Mailbox, session: &mut Session<T>) -> Result<()>
where
    T: AsyncRead + AsyncWrite + Unpin + std::fmt::Debug + Send,
{
    let selected = session.select(&mailbox.folder).await.map_err(|e| unavailable("SELECT", e))?;
    let validity = i64::from(selected.uid_validity.unwrap_or(0));
    let key = mailbox.key();
    let last = match store::email::imap_position(&state.pool, &key).await? {
        Some((stored, last)) if stored == validity => last,
        // A new mailbox, or one the server renumbered: from the start.
        _ => 0,
    };
    let mut uids: Vec<u32> = session
        .uid_search(format!("UID {}:*", last + 1))
        .await
        .map_err(|e| unavailable("SEARCH", e))?
        .into_iter()
        // `n:*` always includes the newest message, even below n.
        .filter(|uid| i64::from(*uid) > last)
        .collect();
    uids.sort_unstable();
    let recipients = [email.from.clone()];
    for uid in uids {
        let fetched: Vec<_> = session
            .uid_fetch(uid.to_string(), "(UID BODY.PEEK[])")
            .await
            .map_err(|e| unavailable("FETCH", e))?
            .try_collect()
            .await
            .map_err(|e| unavailable("FETCH", e))?;
        let raw = fetched.iter().find_map(|f| f.body()).map(<[u8]>::to_vec).unwrap_or_default();
        if raw.len() > email.max_bytes {
            tracing::warn!(
                uid,
                bytes = raw.len(),
                "a message in the mailbox is over BATLINE_MAIL_MAX_BYTES: left there"
            );
            mark(session, mailbox, uid, "\\Flagged").await?;
        } else {
            match receive::take(state, &raw, None, &recipients).await {
                Ok(taken) => {
                    tracing::debug!(uid, ?taken, "taken from the mailbox");
                    mark(session, mailbox, uid, "\\Seen").await?;
                }
                Err(NotTaken::Refused(why)) => {
                    tracing::warn!(uid, %why, "a message in the mailbox cannot be filed: flagged and left there");
                    mark(session, mailbox, uid, "\\Flagged").await?;
                }
                // Stored nothing: taken next round, from this UID.
                Err(NotTaken::Later(why)) => return Err(Error::MailUnavailable(why)),
            }
        }
        store::email::set_imap_position(&state.pool, &key, validity, i64::from(uid)).await?;
    }
    Ok(())
}

/// Marks message `uid` handled: `flag` set, and a filed message moved to
/// the `?filed=` folder when the URL names one.
async fn mark<T>(session: &mut Session<T>, mailbox: &Mailbox, uid: u32, flag: &str) -> Result<()>
where
    T: AsyncRead + AsyncWrite + Unpin + std::fmt::Debug + Send,
{
    let _: Vec<_> = session
        .uid_store(uid.to_string(), format!("+FLAGS ({flag})"))
        .await
        .map_err(|e| unavailable("STORE", e))?
        .try_collect()
        .await
        .map_err(|e| unavailable("STORE", e))?;
    if let (Some(folder), "\\Seen") = (&mailbox.filed, flag) {
        session.uid_mv(uid.to_string(), folder).await.map_err(|e| unavailable("MOVE", e))?;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_url_names_the_folder_and_where_filed_mail_goes() -> Result<()> {
        let mailbox = Mailbox::parse("imaps://palvelu%40hel.fi:s%3Acret@imap.example.fi/Saapuneet?filed=Batline")?;
        assert_eq!(mailbox.folder, "Saapuneet");
        assert_eq!(mailbox.filed.as_deref(), Some("Batline"));
        assert_eq!(mailbox.key(), "palvelu%40hel.fi@imap.example.fi/Saapuneet");
        assert_eq!(percent_decode(mailbox.url.password().unwrap_or_default()), "s:cret");
        assert_eq!(Mailbox::parse("imap://u:p@localhost")?.folder, "INBOX");
        Ok(())
    }
}
