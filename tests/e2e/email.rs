//! Email (issue 20) through real mail software: the city's relay is an
//! aiosmtpd server (`tests/email/relay.py`) that relays the line's domain
//! to Batline's SMTP listener and delivers everything else to a maildir,
//! the resident's mailbox. The resident's mail program is lettre.
//!
//! An email reaches a named owner and the resident gets an answer naming
//! the owner, in the same thread; a reply joins the case with only its new
//! words; the same Message-ID files once; an out-of-office and a bounce are
//! noted and never answered; the listener refuses other domains and
//! oversize mail with 5xx.

use std::{path::PathBuf, time::Duration};

use anyhow::Context as _;
use batline_core::domain::{DutyStatus, Language};
use lettre::{AsyncSmtpTransport, AsyncTransport, Tokio1Executor, address::Envelope};
use mail_parser::MessageParser;
use serde_json::json;

use batline_test_kit::mail_relay::MailRelay;

use crate::support::{Options, TestApp, TestResult, eventually};

const LINE: &str = "palvelu@hel.test";
const ANNA: &str = "anna@example.fi";

/// Batline with email on, behind a running relay.
struct Mail {
    app: TestApp,
    /// The relay's port: where residents' mail programs send.
    relay: u16,
    /// Batline's own SMTP listener.
    listener: u16,
    maildir: PathBuf,
    relay_process: MailRelay,
}

impl Mail {
    async fn start(max_bytes: Option<u32>) -> TestResult<Mail> {
        Self::start_with(max_bytes, Vec::new()).await
    }

    /// As [`Mail::start`], with more settings.
    async fn start_with(max_bytes: Option<u32>, more: Vec<(&'static str, String)>) -> TestResult<Mail> {
        // Bound here and handed to the gateway, so the relay knows where to
        // relay before Batline starts.
        let smtp = tokio::net::TcpListener::bind("127.0.0.1:0").await?;
        let listener = smtp.local_addr()?.port();
        let maildir = std::env::temp_dir().join(format!("batline-mail-{}", uuid::Uuid::new_v4().simple()));
        let relay_process = MailRelay::start("hel.test", &format!("127.0.0.1:{listener}"), &maildir).await?;
        let relay = relay_process.port;

        let mut env =
            vec![("BATLINE_MAIL_FROM", LINE.to_owned()), ("BATLINE_SMTP_RELAY", format!("smtp://127.0.0.1:{relay}"))];
        if let Some(max) = max_bytes {
            env.push(("BATLINE_MAIL_MAX_BYTES", max.to_string()));
        }
        env.extend(more);
        let app = TestApp::spawn_with(Options { env, smtp_listener: Some(smtp), ..Options::default() }).await?;
        Ok(Mail { app, relay, listener, maildir, relay_process })
    }

    /// Sends `raw` from `from` to `to` through `port` (the relay, or Batline's listener).
    /// The outer result is the test's own trouble; the inner one what the server said.
    async fn send(
        &self,
        port: u16,
        from: Option<&str>,
        to: &str,
        raw: &str,
    ) -> TestResult<Result<(), lettre::transport::smtp::Error>> {
        let transport = AsyncSmtpTransport::<Tokio1Executor>::builder_dangerous("127.0.0.1").port(port).build();
        let from = from.map(str::parse).transpose()?;
        let envelope = Envelope::new(from, vec![to.parse()?])?;
        Ok(transport.send_raw(&envelope, raw.as_bytes()).await.map(|_| ()))
    }

    async fn finish(self) -> TestResult {
        // The relay first, so nothing lands in a mailbox being removed.
        self.relay_process.stop().await;
        let _ = std::fs::remove_dir_all(&self.maildir);
        self.app.teardown().await
    }

    /// The emails in the resident's mailbox, oldest first, as raw text.
    fn mailbox(&self) -> TestResult<Vec<String>> {
        let mut found = Vec::new();
        for dir in ["new", "cur"] {
            let Ok(entries) = std::fs::read_dir(self.maildir.join(dir)) else { continue };
            for entry in entries {
                let entry = entry?;
                found.push((entry.metadata()?.modified()?, std::fs::read_to_string(entry.path())?));
            }
        }
        found.sort_by_key(|(at, _)| *at);
        Ok(found.into_iter().map(|(_, text)| text).collect())
    }

    async fn wait_for_mail(&self, count: usize) -> TestResult<Vec<String>> {
        eventually(&format!("{count} emails in the resident's mailbox"), Duration::from_secs(20), || async {
            let mails = self.mailbox()?;
            Ok((mails.len() >= count).then_some(mails))
        })
        .await
    }
}

fn email(headers: &str, body: &str) -> String {
    format!(
        "From: Anna Virtanen <{ANNA}>\r\nTo: {LINE}\r\nDate: Fri, 4 Dec 2026 10:00:00 +0200\r\n{headers}\r\n\
         MIME-Version: 1.0\r\nContent-Type: text/plain; charset=utf-8\r\nContent-Transfer-Encoding: 8bit\r\n\r\n{body}\r\n"
    )
}

fn header(raw: &str, name: &str) -> String {
    MessageParser::default()
        .parse(raw.as_bytes())
        .and_then(|m| m.header_raw(name).map(|v| v.trim().to_owned()))
        .unwrap_or_default()
}

fn text_part(raw: &str) -> String {
    MessageParser::default()
        .parse(raw.as_bytes())
        .and_then(|m| m.body_text(0).map(|t| t.into_owned()))
        .unwrap_or_default()
}

async fn inbound_bodies(app: &TestApp, case_id: uuid::Uuid) -> TestResult<Vec<String>> {
    Ok(sqlx::query_scalar("SELECT body FROM messages WHERE case_id = $1 AND direction = 'inbound' ORDER BY created_at")
        .bind(case_id)
        .fetch_all(&app.pool)
        .await?)
}

#[tokio::test]
async fn an_email_reaches_a_named_owner_and_the_thread_holds() -> TestResult {
    let mail = Mail::start(None).await?;
    let app = &mail.app;
    app.add_responder("aino", "Aino", &[Language::Fi], DutyStatus::OnDuty).await?;

    // A resident writes to the line through the city's mail server.
    let first = email(
        "Subject: Katuvalo rikki\r\nMessage-ID: <first@example.fi>",
        "Katuvalo on rikki Fleminginkadun ja Helsinginkadun kulmassa.\r\n\r\n-- \r\nAnna",
    );
    mail.send(mail.relay, Some(ANNA), LINE, &first).await??;
    let case: batline_core::store::cases::Case = eventually("the email's case", Duration::from_secs(20), || async {
        Ok(sqlx::query_as("SELECT * FROM cases WHERE channel = 'email'").fetch_optional(&app.pool).await?)
    })
    .await?;
    let owner: String = sqlx::query_scalar("SELECT display_name FROM responders WHERE id = $1")
        .bind(case.owner_id)
        .fetch_one(&app.pool)
        .await?;
    assert_eq!(owner, "Aino");
    assert_eq!(case.topic.as_deref(), Some("streets"), "the subject and words tell the topic");
    let email_of: Option<String> = sqlx::query_scalar("SELECT email FROM residents WHERE id = $1")
        .bind(case.resident_id)
        .fetch_one(&app.pool)
        .await?;
    assert_eq!(email_of.as_deref(), Some(ANNA));

    // The first answer names the owner and the promise, in the same thread.
    let answers = mail.wait_for_mail(1).await?;
    let answer = &answers[0];
    let code = &case.tracking_code;
    assert_eq!(header(answer, "Subject"), format!("Re: Katuvalo rikki [{code}]"));
    assert_eq!(header(answer, "In-Reply-To"), "<first@example.fi>");
    assert_eq!(header(answer, "Auto-Submitted"), "auto-replied");
    assert!(header(answer, "From").contains(LINE), "{answer}");
    let words = text_part(answer);
    assert!(words.contains("Aino") && words.contains(code.as_str()) && words.contains("minuutin"), "{words}");
    assert!(answer.contains("text/html"), "an HTML part too: {answer}");
    let ours = header(answer, "Message-ID");
    assert!(ours.ends_with("@hel.test>"), "{ours}");

    // The resident's reply joins the case with only its new words.
    let reply = email(
        &format!(
            "Subject: Re: Katuvalo rikki [{code}]\r\nMessage-ID: <second@example.fi>\r\nIn-Reply-To: {ours}\r\n\
             References: <first@example.fi> {ours}"
        ),
        "Se on yhä pimeänä.\r\n\r\nOn Fri, 4 Dec 2026, Helsingin kaupunki wrote:\r\n> Hei, olen Aino.",
    );
    mail.send(mail.relay, Some(ANNA), LINE, &reply).await??;
    let bodies = eventually("the reply in the case", Duration::from_secs(20), || async {
        let bodies = inbound_bodies(app, case.id).await?;
        Ok((bodies.len() == 2).then_some(bodies))
    })
    .await?;
    assert_eq!(bodies[1], "Se on yhä pimeänä.");
    // Sent again (a relay's retry), it files once.
    mail.send(mail.relay, Some(ANNA), LINE, &reply).await??;

    // The owner answers from the console: a person's email, threaded.
    let aino = app.sign_in("aino").await?;
    let (status, _) =
        aino.post(&format!("/api/v1/cases/{}/replies", case.id), json!({ "body": "Korjaamme sen huomenna." })).await?;
    assert_eq!(status, 201);
    let answers = mail.wait_for_mail(2).await?;
    let second = &answers[1];
    assert_eq!(header(second, "Subject"), format!("Re: Katuvalo rikki [{code}]"));
    assert_eq!(header(second, "In-Reply-To"), "<second@example.fi>");
    let references = header(second, "References");
    assert!(references.contains("<first@example.fi>") && references.contains(&ours), "{references}");
    assert_eq!(header(second, "Auto-Submitted"), "", "a person wrote it");
    assert!(text_part(second).contains("Korjaamme sen huomenna.") && text_part(second).contains("Aino"));
    let second_id = header(second, "Message-ID");

    // An out-of-office answer is noted on the case, never answered.
    let away = format!(
        "From: {ANNA}\r\nTo: {LINE}\r\nSubject: Automaattinen vastaus: Re: Katuvalo rikki\r\nMessage-ID: <away@example.fi>\r\n\
         Auto-Submitted: auto-replied\r\nIn-Reply-To: {second_id}\r\nContent-Type: text/plain\r\n\r\nOlen lomalla.\r\n"
    );
    mail.send(mail.relay, Some(ANNA), LINE, &away).await??;
    eventually("the out-of-office on the timeline", Duration::from_secs(20), || async {
        let n: i64 =
            sqlx::query_scalar("SELECT count(*) FROM case_events WHERE case_id = $1 AND kind = 'email_auto_reply'")
                .bind(case.id)
                .fetch_one(&app.pool)
                .await?;
        Ok((n == 1).then_some(()))
    })
    .await?;

    // A bounce of Batline's second email marks it failed, like a failed SMS.
    let bounced_id = second_id.trim_matches(['<', '>']);
    let bounce = format!(
        "From: Mail Delivery System <MAILER-DAEMON@mx.example.fi>\r\nTo: {LINE}\r\nSubject: Undelivered Mail Returned to Sender\r\n\
         Message-ID: <bounce1@mx.example.fi>\r\nMIME-Version: 1.0\r\n\
         Content-Type: multipart/report; report-type=delivery-status; boundary=\"b\"\r\n\r\n\
         --b\r\nContent-Type: text/plain\r\n\r\nThe mail could not be delivered.\r\n\
         --b\r\nContent-Type: message/delivery-status\r\n\r\nReporting-MTA: dns; mx.example.fi\r\n\r\n\
         Final-Recipient: rfc822; {ANNA}\r\nAction: failed\r\nStatus: 5.2.2\r\nDiagnostic-Code: smtp; 552 mailbox full\r\n\
         --b\r\nContent-Type: text/rfc822-headers\r\n\r\nMessage-ID: <{bounced_id}>\r\nSubject: Re: Katuvalo rikki\r\n--b--\r\n"
    );
    mail.send(mail.relay, None, LINE, &bounce).await??;
    let (status, error): (String, Option<String>) = eventually("the bounce marked", Duration::from_secs(20), || async {
        Ok(sqlx::query_as(
            "SELECT delivery_status, delivery_error FROM messages WHERE provider_id = $1 AND delivery_status = 'failed'",
        )
        .bind(bounced_id)
        .fetch_optional(&app.pool)
        .await?)
    })
    .await?;
    assert_eq!(status, "failed");
    assert!(error.unwrap_or_default().contains("5.2.2"));

    // Nothing was answered to the machines, and the resent reply filed once.
    tokio::time::sleep(Duration::from_millis(500)).await;
    assert_eq!(mail.mailbox()?.len(), 2, "no answer to an out-of-office or a bounce");
    assert_eq!(inbound_bodies(app, case.id).await?.len(), 2);
    let cases: i64 = sqlx::query_scalar("SELECT count(*) FROM cases").fetch_one(&app.pool).await?;
    assert_eq!(cases, 1);
    mail.finish().await
}

#[tokio::test]
async fn the_listener_refuses_what_is_not_the_lines_with_5xx() -> TestResult {
    let mail = Mail::start(Some(4096)).await?;
    let app = &mail.app;

    // Another domain: the listener is not an open relay.
    let elsewhere = mail.send(mail.listener, Some(ANNA), "someone@elsewhere.fi", &email("Subject: x", "y")).await?;
    let refused = elsewhere.err().context("mail for another domain was taken")?;
    assert!(refused.is_permanent(), "{refused}");
    assert!(refused.to_string().contains("550") || refused.to_string().contains("relay"), "{refused}");

    // Over the size limit.
    let big = email("Subject: iso\r\nMessage-ID: <big@example.fi>", &"Pitkä viesti. ".repeat(600));
    let refused = mail.send(mail.listener, Some(ANNA), LINE, &big).await?.err().context("oversize mail was taken")?;
    assert!(refused.is_permanent(), "{refused}");

    // A resident whose address cannot be answered.
    let nobody = "To: palvelu@hel.test\r\nSubject: hei\r\nMessage-ID: <nofrom@example.fi>\r\n\r\nhei\r\n";
    let refused =
        mail.send(mail.listener, Some(ANNA), LINE, nobody).await?.err().context("mail without From was taken")?;
    assert!(refused.is_permanent(), "{refused}");

    let intake: i64 = sqlx::query_scalar("SELECT count(*) FROM intake").fetch_one(&app.pool).await?;
    assert_eq!(intake, 0, "nothing refused was stored");
    // And a proper email still goes through the same session kind.
    mail.send(mail.listener, Some(ANNA), LINE, &email("Subject: Penkki\r\nMessage-ID: <ok@example.fi>", "Rikki."))
        .await??;
    app.wait_all_filed(Duration::from_secs(20)).await?;
    mail.finish().await
}

/// A Dovecot IMAP server of the test's own (Debian's `dovecot-imapd`, which
/// `scripts/test` installs), with one mailbox, `palvelu`, kept as a maildir
/// the test delivers into as a mail delivery agent would.
struct Dovecot {
    dir: PathBuf,
    port: u16,
    process: tokio::process::Child,
}

impl Dovecot {
    const PASSWORD: &'static str = "dovecot-secret";

    async fn start() -> TestResult<Dovecot> {
        let dir = std::env::temp_dir().join(format!("batline-dovecot-{}", uuid::Uuid::new_v4().simple()));
        let maildir = dir.join("home/palvelu/Maildir");
        for sub in ["new", "cur", "tmp"] {
            std::fs::create_dir_all(maildir.join(sub))?;
        }
        std::fs::write(dir.join("passwd"), format!("palvelu:{{PLAIN}}{}\n", Self::PASSWORD))?;
        // Dovecot never reads mail as root: as root, the mailbox belongs to
        // Debian's `mail` user; otherwise to whoever runs the test.
        let (uid, gid, login_user, internal_user) = if running_as_root() {
            let (uid, gid) = (8, 8);
            chown_tree(&dir.join("home"), uid, gid)?;
            (uid, gid, "dovenull".to_owned(), "dovecot".to_owned())
        } else {
            let me = std::env::var("USER").unwrap_or_default();
            let (uid, gid) = current_ids()?;
            (uid, gid, me.clone(), me)
        };
        let mut last_error = String::new();
        for _ in 0..3 {
            let port = std::net::TcpListener::bind("127.0.0.1:0")?.local_addr()?.port();
            let d = dir.display();
            let config = format!(
                "protocols = imap\nlisten = 127.0.0.1\nbase_dir = {d}/run\nstate_dir = {d}/state\n\
                 log_path = {d}/dovecot.log\nssl = no\ndisable_plaintext_auth = no\nauth_mechanisms = plain login\n\
                 first_valid_uid = 1\ndefault_login_user = {login_user}\ndefault_internal_user = {internal_user}\n\
                 passdb {{\n  driver = passwd-file\n  args = {d}/passwd\n}}\n\
                 userdb {{\n  driver = static\n  args = uid={uid} gid={gid} home={d}/home/%u\n}}\n\
                 mail_location = maildir:~/Maildir\n\
                 service anvil {{\n  chroot =\n}}\n\
                 service imap-login {{\n  chroot =\n  inet_listener imap {{\n    port = {port}\n  }}\n\
                 inet_listener imaps {{\n    port = 0\n  }}\n}}\n"
            );
            std::fs::write(dir.join("dovecot.conf"), config)?;
            let mut process = tokio::process::Command::new("/usr/sbin/dovecot")
                .arg("-F")
                .arg("-c")
                .arg(dir.join("dovecot.conf"))
                .kill_on_drop(true)
                .spawn()
                .context("starting Dovecot (/usr/sbin/dovecot; scripts/test installs dovecot-imapd)")?;
            let deadline = tokio::time::Instant::now() + Duration::from_secs(10);
            let up = loop {
                if process.try_wait()?.is_some() {
                    break false;
                }
                if tokio::net::TcpStream::connect(("127.0.0.1", port)).await.is_ok() {
                    break true;
                }
                anyhow::ensure!(tokio::time::Instant::now() < deadline, "Dovecot did not listen within 10 s");
                tokio::time::sleep(Duration::from_millis(50)).await;
            };
            if up {
                return Ok(Dovecot { dir, port, process });
            }
            last_error = std::fs::read_to_string(dir.join("dovecot.log")).unwrap_or_default();
        }
        anyhow::bail!("Dovecot did not start: {last_error}")
    }

    fn url(&self) -> String {
        format!("imap://palvelu:{}@127.0.0.1:{}/INBOX", Self::PASSWORD, self.port)
    }

    /// Delivers `raw` into the mailbox as a delivery agent does: written
    /// in `tmp`, then renamed into `new`.
    fn deliver(&self, name: &str, raw: &str) -> TestResult {
        let maildir = self.dir.join("home/palvelu/Maildir");
        let tmp = maildir.join("tmp").join(name);
        std::fs::write(&tmp, raw)?;
        std::fs::rename(&tmp, maildir.join("new").join(name))?;
        Ok(())
    }

    /// Messages Dovecot has flagged seen (`:2,…S…` in the maildir name).
    fn seen(&self) -> TestResult<usize> {
        let cur = self.dir.join("home/palvelu/Maildir/cur");
        Ok(std::fs::read_dir(cur)?
            .filter_map(|e| e.ok())
            .filter(|e| {
                e.file_name().to_string_lossy().rsplit_once(":2,").is_some_and(|(_, flags)| flags.contains('S'))
            })
            .count())
    }

    async fn stop(mut self) {
        let _ = self.process.kill().await;
        let _ = std::fs::remove_dir_all(&self.dir);
    }
}

fn running_as_root() -> bool {
    current_ids().is_ok_and(|(uid, _)| uid == 0)
}

/// This process's uid and gid, from `/proc/self/status`.
fn current_ids() -> TestResult<(u32, u32)> {
    let status = std::fs::read_to_string("/proc/self/status")?;
    let field = |name: &str| -> TestResult<u32> {
        let line = status.lines().find(|l| l.starts_with(name)).context("no such field in /proc/self/status")?;
        Ok(line.split_whitespace().nth(1).context("an id")?.parse()?)
    };
    Ok((field("Uid:")?, field("Gid:")?))
}

fn chown_tree(path: &std::path::Path, uid: u32, gid: u32) -> TestResult {
    std::os::unix::fs::chown(path, Some(uid), Some(gid))?;
    if path.is_dir() {
        for entry in std::fs::read_dir(path)? {
            chown_tree(&entry?.path(), uid, gid)?;
        }
    }
    Ok(())
}

fn resident_email(from: &str, id: &str, subject: &str, body: &str) -> String {
    format!(
        "From: {from}\r\nTo: {LINE}\r\nSubject: {subject}\r\nMessage-ID: <{id}>\r\n\
         MIME-Version: 1.0\r\nContent-Type: text/plain; charset=utf-8\r\n\r\n{body}\r\n"
    )
}

async fn filed(app: &TestApp, n: i64) -> TestResult {
    eventually(&format!("{n} emails filed"), Duration::from_secs(20), || async {
        let cases: i64 =
            sqlx::query_scalar("SELECT count(*) FROM cases WHERE channel = 'email'").fetch_one(&app.pool).await?;
        Ok((cases == n).then_some(()))
    })
    .await
}

async fn intake_count(app: &TestApp) -> TestResult<i64> {
    Ok(sqlx::query_scalar("SELECT count(*) FROM intake WHERE channel = 'email'").fetch_one(&app.pool).await?)
}

#[tokio::test]
async fn a_hosted_mailbox_is_read_over_imap_once_whatever_the_restarts() -> TestResult {
    let dovecot = Dovecot::start().await?;
    // Two emails waiting before Batline starts.
    dovecot.deliver("1.eml", &resident_email("anna@example.fi", "m1@example.fi", "Penkki rikki", "Kalliossa."))?;
    dovecot
        .deliver("2.eml", &resident_email("bertta@example.fi", "m2@example.fi", "Roskis täynnä", "Hakaniemessä."))?;
    let mail = Mail::start_with(None, vec![("BATLINE_IMAP_URL", dovecot.url())]).await?;
    let app = &mail.app;
    app.add_responder("aino", "Aino", &[Language::Fi], DutyStatus::OnDuty).await?;
    filed(app, 2).await?;
    // A third arrives while Batline waits in IDLE: taken at once, not at
    // the next five-minute round.
    dovecot.deliver("3.eml", &resident_email("cecilia@example.fi", "m3@example.fi", "Lumi", "Aura kadut."))?;
    filed(app, 3).await?;
    eventually("all three flagged seen", Duration::from_secs(10), || async {
        Ok((dovecot.seen()? == 3).then_some(()))
    })
    .await?;
    let answers = mail.wait_for_mail(3).await?;
    // The two waiting mails may be filed before Aino is added, and then go
    // to the backstop: whoever owns a case, its answer names them.
    for answer in &answers {
        let to = header(answer, "To");
        let owner: String = sqlx::query_scalar(
            "SELECT r.display_name FROM cases c
               JOIN residents res ON res.id = c.resident_id
               JOIN responders r ON r.id = c.owner_id
              WHERE strpos(lower($1), res.email) > 0",
        )
        .bind(&to)
        .fetch_one(&app.pool)
        .await?;
        assert!(text_part(answer).contains(&owner), "{to} is answered by their owner, {owner}: {answer}");
    }

    // A second gateway starts, as after a restart, having lost its place:
    // it reads the whole mailbox again and files nothing twice.
    sqlx::query("UPDATE imap_positions SET last_uid = 0").execute(&app.pool).await?;
    app.start_gateway().await?;
    dovecot.deliver("4.eml", &resident_email("daniel@example.fi", "m4@example.fi", "Katuvalo", "Pimeä."))?;
    filed(app, 4).await?;
    tokio::time::sleep(Duration::from_secs(1)).await;
    assert_eq!(intake_count(app).await?, 4, "each message once, with two readers and a lost position");
    let last: i64 = sqlx::query_scalar("SELECT last_uid FROM imap_positions").fetch_one(&app.pool).await?;
    assert_eq!(last, 4);
    dovecot.stop().await;
    mail.finish().await
}

/// A city app's reporter who gave their address hears from the named owner
/// by email: the first answer naming the owner, then the owner's reply and
/// the resolution, while the app reads the same as `status_notes`.
#[tokio::test]
async fn an_open311_reporter_with_an_address_is_answered_by_email() -> TestResult {
    let mail = Mail::start(None).await?;
    let app = &mail.app;
    let aino = app.add_responder("aino", "Aino", &[Language::Fi], DutyStatus::OnDuty).await?;
    let key = app.add_open311_client("Palautesovellus", aino.id).await?;
    let report = [
        ("api_key", key.as_str()),
        ("service_code", "parks"),
        ("address_string", "Fleminginkatu 12"),
        ("description", "Puiston penkki on rikki"),
        ("first_name", "Anna"),
        ("email", "Anna@Example.fi"),
    ];
    let posted = app.http.post(format!("{}/open311/v2/requests.json", app.gateway)).form(&report).send().await?;
    assert_eq!(posted.status(), 200);
    let posted: serde_json::Value = posted.json().await?;
    let number = posted[0]["service_request_id"].as_str().context("request id")?.to_owned();
    let case: batline_core::store::cases::Case = eventually("the report's case", Duration::from_secs(20), || async {
        Ok(sqlx::query_as("SELECT * FROM cases WHERE channel = 'open311'").fetch_optional(&app.pool).await?)
    })
    .await?;
    let known: Option<String> = sqlx::query_scalar("SELECT email FROM residents WHERE id = $1")
        .bind(case.resident_id)
        .fetch_one(&app.pool)
        .await?;
    assert_eq!(known.as_deref(), Some(ANNA), "the reporter is the resident known by the address");

    let first = mail.wait_for_mail(1).await?;
    assert!(header(&first[0], "To").contains(ANNA), "{}", first[0]);
    assert!(header(&first[0], "Subject").contains(&case.tracking_code));
    let words = text_part(&first[0]);
    assert!(words.contains("Aino") && words.contains(&case.tracking_code), "names the owner: {words}");

    let console = app.sign_in("aino").await?;
    let (status, _) = console
        .post(&format!("/api/v1/cases/{}/replies", case.id), json!({ "body": "Penkki korjataan perjantaina." }))
        .await?;
    assert_eq!(status, 201);
    let mails = mail.wait_for_mail(2).await?;
    assert!(text_part(&mails[1]).contains("Penkki korjataan perjantaina."), "{}", mails[1]);
    let (status, _) =
        console.post(&format!("/api/v1/cases/{}/resolve", case.id), json!({ "summary": "Penkki korjattiin." })).await?;
    assert_eq!(status, 200);
    let mails = mail.wait_for_mail(3).await?;
    assert!(text_part(&mails[2]).contains("Penkki korjattiin."), "{}", mails[2]);

    // The app reads the same: the latest note and the status.
    let read: serde_json::Value = app
        .http
        .get(format!("{}/open311/v2/requests/{number}.json?extensions=true", app.gateway))
        .send()
        .await?
        .json()
        .await?;
    let read = read.to_string();
    assert!(read.contains("\"status_notes\":\"Penkki korjattiin.\"") && read.contains("\"closed\""), "{read}");
    assert!(!read.contains("example.fi"), "the address stays private: {read}");
    mail.finish().await
}

/// A chat resident leaves an email address, confirms it with the code
/// mailed there, and the owner answers by email.
#[tokio::test]
async fn a_chat_resident_confirms_an_address_and_is_answered_by_email() -> TestResult {
    let mail = Mail::start(None).await?;
    let app = &mail.app;
    app.add_responder("aino", "Aino", &[Language::Fi], DutyStatus::OnDuty).await?;
    let (mut chat, _) = crate::chat::ChatClient::greet(&app.gateway, None, 0).await?;
    let (token, case) = chat.first_message("Roska-astia on kaatunut").await?;
    let case_id = crate::chat::case_id(app, case["code"].as_str().context("code")?).await?;
    let ask = app.http.post(format!("{}/api/v1/chat/contact", app.gateway)).bearer_auth(&token);
    assert_eq!(ask.form(&[("email", ANNA)]).send().await?.status(), 202);
    let mails = mail.wait_for_mail(1).await?;
    assert!(header(&mails[0], "To").contains(ANNA));
    let words = text_part(&mails[0]);
    let code = words.split(|c: char| !c.is_ascii_digit()).find(|w| w.len() == 6).context("a code")?.to_owned();
    let confirm = app.http.post(format!("{}/api/v1/chat/contact/confirm", app.gateway)).bearer_auth(&token);
    let confirmed: serde_json::Value = confirm.form(&[("code", code.as_str())]).send().await?.json().await?;
    assert_eq!(confirmed["status"], "confirmed", "{confirmed}");

    let console = app.sign_in("aino").await?;
    let (status, body) = console
        .post(
            &format!("/api/v1/cases/{case_id}/replies"),
            json!({ "body": "Tyhjennämme sen tänään.", "channel": "email" }),
        )
        .await?;
    assert_eq!(status, 201, "{body}");
    let mails = mail.wait_for_mail(2).await?;
    assert!(text_part(&mails[1]).contains("Tyhjennämme sen tänään."), "{}", mails[1]);
    mail.finish().await
}
