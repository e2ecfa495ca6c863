//! The SMTP listener (`BATLINE_SMTP_LISTEN`): the city's mail server relays
//! the line's address here, as Chatwoot's relay ingress takes mail. It
//! speaks the part of ESMTP (RFC 5321) a relay uses: EHLO/HELO, MAIL (with
//! SIZE), RCPT, DATA, RSET, NOOP, QUIT; PIPELINING and 8BITMIME.
//!
//! The answers are what a relay acts on: 250 only once the mail is
//! committed (so a crash before that makes the relay send it again), 4xx
//! when Batline cannot store it now (the relay retries), 5xx when it never
//! will (a recipient outside the line's domains, a message over the size
//! limit, something that is not an email). No STARTTLS or AUTH: it is
//! meant for the city's own relay on a private network, like the
//! operations listeners.
//!
//! Hand-written: the Rust SMTP server crates are either unmaintained or
//! whole mail servers; this is the small part of the protocol a relay uses.

use std::{future::Future, sync::Arc, time::Duration};

use tokio::{
    io::{AsyncBufReadExt, AsyncRead, AsyncWrite, AsyncWriteExt, BufReader},
    net::TcpListener,
    sync::Semaphore,
};
use tokio_util::sync::CancellationToken;

use super::receive::{NotTaken, Taken};

/// Longest command line (RFC 5321 §4.5.3.1.4 says 512 with its CRLF; some
/// relays send longer MAIL lines with parameters).
const MAX_COMMAND: usize = 2048;

/// Longest text line inside DATA (RFC 5321 §4.5.3.1.6 says 1000; tolerated
/// longer, but bounded so one line cannot exhaust memory).
const MAX_TEXT_LINE: usize = 64 * 1024;

/// Recipients of one message (RFC 5321 asks at least 100 to be taken).
const MAX_RECIPIENTS: usize = 100;

/// Sessions served at once; more are told to come back later (421).
const MAX_SESSIONS: usize = 64;

/// How long a session may stay silent (RFC 5321 §4.5.3.2 suggests minutes).
const IDLE: Duration = Duration::from_secs(300);

/// Who the message is from and to, as the relay said.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Envelope {
    /// The reverse path: empty for a bounce's null sender.
    pub reverse_path: String,
    /// The recipients taken, lower-case.
    pub recipients: Vec<String>,
}

/// What the listener needs from Batline: which recipients it takes, how
/// big a message may be, and what to do with one.
pub trait Mailroom: Clone + Send + Sync + 'static {
    /// The name in the greeting.
    fn host(&self) -> &str;
    /// The size limit, in bytes.
    fn max_bytes(&self) -> usize;
    /// Whether mail for `address` (lower-case) is the line's.
    fn accepts(&self, address: &str) -> bool;
    /// Takes one message.
    fn take(&self, envelope: Envelope, raw: Vec<u8>) -> impl Future<Output = Result<Taken, NotTaken>> + Send;
}

/// Serves SMTP on `listener` until `shutdown`; sessions in progress finish
/// their current message.
pub async fn serve(listener: TcpListener, mailroom: impl Mailroom, shutdown: CancellationToken) {
    let sessions = Arc::new(Semaphore::new(MAX_SESSIONS));
    loop {
        let (stream, peer) = tokio::select! {
            () = shutdown.cancelled() => break,
            accepted = listener.accept() => match accepted {
                Ok(accepted) => accepted,
                Err(e) => {
                    tracing::warn!(error = %e, "SMTP accept failed");
                    tokio::time::sleep(Duration::from_millis(100)).await;
                    continue;
                }
            },
        };
        let mailroom = mailroom.clone();
        let Ok(permit) = sessions.clone().try_acquire_owned() else {
            tokio::spawn(async move {
                let mut stream = stream;
                let _ = stream.write_all(b"421 4.3.2 Too many connections, try again later\r\n").await;
            });
            continue;
        };
        tokio::spawn(async move {
            let (read, write) = stream.into_split();
            if let Err(e) = session(read, write, &mailroom).await {
                tracing::debug!(%peer, error = %e, "SMTP session ended");
            }
            drop(permit);
        });
    }
    tracing::info!("SMTP listener stopped");
}

/// One SMTP session over `read` and `write`.
pub async fn session(
    read: impl AsyncRead + Unpin,
    mut write: impl AsyncWrite + Unpin,
    mailroom: &impl Mailroom,
) -> std::io::Result<()> {
    let mut read = BufReader::new(read);
    reply(&mut write, &format!("220 {} Batline ESMTP ready", mailroom.host())).await?;
    let mut envelope: Option<Envelope> = None;
    let mut line = Vec::new();
    loop {
        line.clear();
        match tokio::time::timeout(IDLE, read_line(&mut read, &mut line, MAX_COMMAND)).await {
            Err(_) => return reply(&mut write, "421 4.4.2 Idle too long, closing").await,
            Ok(Ok(Line::End)) => return Ok(()),
            Ok(Ok(Line::TooLong)) => {
                reply(&mut write, "500 5.5.6 Line too long").await?;
                continue;
            }
            Ok(Ok(Line::Read)) => {}
            Ok(Err(e)) => return Err(e),
        }
        let text = String::from_utf8_lossy(&line);
        let command = text.trim_end_matches(['\r', '\n']);
        let verb = command.split(' ').next().unwrap_or_default().to_ascii_uppercase();
        let argument = command.get(verb.len()..).unwrap_or_default().trim();
        match verb.as_str() {
            "EHLO" => {
                envelope = None;
                let host = mailroom.host();
                let size = mailroom.max_bytes();
                reply(
                    &mut write,
                    &format!(
                        "250-{host}\r\n250-SIZE {size}\r\n250-8BITMIME\r\n250-PIPELINING\r\n250 ENHANCEDSTATUSCODES"
                    ),
                )
                .await?;
            }
            "HELO" => {
                envelope = None;
                reply(&mut write, &format!("250 {}", mailroom.host())).await?;
            }
            "MAIL" => {
                let answer = match mail_from(argument, mailroom.max_bytes()) {
                    _ if envelope.is_some() => "503 5.5.1 Sender already given".to_owned(),
                    Ok(path) => {
                        envelope = Some(Envelope { reverse_path: path, recipients: Vec::new() });
                        "250 2.1.0 Sender OK".to_owned()
                    }
                    Err(answer) => answer,
                };
                reply(&mut write, &answer).await?;
            }
            "RCPT" => {
                let answer = match (envelope.as_mut(), rcpt_to(argument)) {
                    (None, _) => "503 5.5.1 MAIL first".to_owned(),
                    (Some(_), Err(answer)) => answer,
                    (Some(env), Ok(_)) if env.recipients.len() >= MAX_RECIPIENTS => {
                        "452 4.5.3 Too many recipients".to_owned()
                    }
                    (Some(env), Ok(address)) if mailroom.accepts(&address) => {
                        if !env.recipients.contains(&address) {
                            env.recipients.push(address);
                        }
                        "250 2.1.5 Recipient OK".to_owned()
                    }
                    (Some(_), Ok(address)) => {
                        format!("550 5.7.1 <{address}>: relay not permitted, not this line's address")
                    }
                };
                reply(&mut write, &answer).await?;
            }
            "DATA" => {
                if envelope.as_ref().is_none_or(|e| e.recipients.is_empty()) {
                    reply(&mut write, "503 5.5.1 RCPT first").await?;
                    continue;
                }
                let env = envelope.take().unwrap_or_default();
                reply(&mut write, "354 End data with <CR><LF>.<CR><LF>").await?;
                let Some(raw) = read_data(&mut read, mailroom.max_bytes()).await? else {
                    reply(&mut write, &format!("552 5.3.4 Message larger than {} bytes", mailroom.max_bytes())).await?;
                    continue;
                };
                let answer = match mailroom.take(env, raw).await {
                    Ok(Taken::Stored(id)) => format!("250 2.0.0 Taken as {id}"),
                    Ok(Taken::AlreadyStored) => "250 2.0.0 Taken before".to_owned(),
                    Ok(Taken::Bounce(_)) => "250 2.0.0 Bounce noted".to_owned(),
                    Ok(Taken::Automatic(_)) => "250 2.0.0 Automatic mail noted, not answered".to_owned(),
                    Err(NotTaken::Later(why)) => format!("451 4.3.0 {why}"),
                    Err(NotTaken::Refused(why)) => format!("554 5.6.0 {why}"),
                };
                reply(&mut write, &answer).await?;
            }
            "RSET" => {
                envelope = None;
                reply(&mut write, "250 2.0.0 Reset").await?;
            }
            "NOOP" => reply(&mut write, "250 2.0.0 OK").await?,
            "VRFY" => reply(&mut write, "252 2.5.2 Cannot verify, but will take mail for the line").await?,
            "QUIT" => return reply(&mut write, "221 2.0.0 Bye").await,
            "" => reply(&mut write, "500 5.5.2 Empty command").await?,
            _ => reply(&mut write, "502 5.5.1 Command not implemented").await?,
        }
    }
}

async fn reply(write: &mut (impl AsyncWrite + Unpin), text: &str) -> std::io::Result<()> {
    write.write_all(text.as_bytes()).await?;
    write.write_all(b"\r\n").await?;
    write.flush().await
}

/// The reverse path of `MAIL FROM:<path> [SIZE=n ...]`.
fn mail_from(argument: &str, max_bytes: usize) -> Result<String, String> {
    let Some(rest) = strip_prefix_ignore_case(argument, "FROM:") else {
        return Err("501 5.5.4 Syntax: MAIL FROM:<address>".to_owned());
    };
    let (path, parameters) = path_and_parameters(rest).ok_or("501 5.1.7 Bad sender address syntax")?;
    for parameter in parameters.split_whitespace() {
        if let Some(size) = strip_prefix_ignore_case(parameter, "SIZE=") {
            match size.parse::<usize>() {
                Ok(size) if size > max_bytes => {
                    return Err(format!("552 5.3.4 Message larger than {max_bytes} bytes"));
                }
                Ok(_) => {}
                Err(_) => return Err("501 5.5.4 Bad SIZE".to_owned()),
            }
        }
    }
    Ok(path.to_lowercase())
}

/// The address of `RCPT TO:<address>`, lower-case.
fn rcpt_to(argument: &str) -> Result<String, String> {
    let Some(rest) = strip_prefix_ignore_case(argument, "TO:") else {
        return Err("501 5.5.4 Syntax: RCPT TO:<address>".to_owned());
    };
    let (path, _) = path_and_parameters(rest).ok_or("501 5.1.3 Bad recipient address syntax")?;
    // A source route (`<@relay:user@host>`) is obsolete; its last part counts.
    let address = path.rsplit(':').next().unwrap_or(path);
    batline_core::email_address::normalize(address).ok_or_else(|| "501 5.1.3 Bad recipient address syntax".to_owned())
}

/// `<path> parameters`, the path without its brackets.
fn path_and_parameters(rest: &str) -> Option<(&str, &str)> {
    let rest = rest.trim_start();
    let rest = rest.strip_prefix('<')?;
    let end = rest.find('>')?;
    Some((&rest[..end], &rest[end + 1..]))
}

fn strip_prefix_ignore_case<'a>(text: &'a str, prefix: &str) -> Option<&'a str> {
    let head = text.get(..prefix.len())?;
    head.eq_ignore_ascii_case(prefix).then(|| &text[prefix.len()..])
}

enum Line {
    Read,
    TooLong,
    End,
}

/// Reads one line into `line` (its CRLF kept), at most `max` bytes; a longer
/// line is read to its end and reported, not kept.
async fn read_line(read: &mut (impl AsyncBufReadExt + Unpin), line: &mut Vec<u8>, max: usize) -> std::io::Result<Line> {
    let mut too_long = false;
    loop {
        let available = read.fill_buf().await?;
        if available.is_empty() {
            return Ok(if line.is_empty() && !too_long {
                Line::End
            } else if too_long {
                Line::TooLong
            } else {
                Line::Read
            });
        }
        let (chunk, done) = match available.iter().position(|b| *b == b'\n') {
            Some(at) => (&available[..=at], true),
            None => (available, false),
        };
        let used = chunk.len();
        if line.len() + used > max {
            too_long = true;
            line.clear();
        } else if !too_long {
            line.extend_from_slice(chunk);
        }
        read.consume(used);
        if done {
            return Ok(if too_long { Line::TooLong } else { Line::Read });
        }
    }
}

/// Reads DATA up to its lone `.` line, undoing dot-stuffing; `None` when it
/// grew past `max_bytes` (read to its end all the same, so the session can
/// go on).
async fn read_data(read: &mut (impl AsyncBufReadExt + Unpin), max_bytes: usize) -> std::io::Result<Option<Vec<u8>>> {
    let mut raw = Vec::new();
    let mut over = false;
    let mut line = Vec::new();
    loop {
        line.clear();
        match tokio::time::timeout(IDLE, read_line(read, &mut line, MAX_TEXT_LINE)).await {
            Err(_) => return Err(std::io::Error::new(std::io::ErrorKind::TimedOut, "idle in DATA")),
            Ok(Ok(Line::End)) => return Err(std::io::Error::new(std::io::ErrorKind::UnexpectedEof, "closed in DATA")),
            Ok(Ok(Line::TooLong)) => {
                over = true;
                continue;
            }
            Ok(Ok(Line::Read)) => {}
            Ok(Err(e)) => return Err(e),
        }
        if line == b".\r\n" || line == b".\n" {
            return Ok(if over { None } else { Some(raw) });
        }
        let unstuffed = if line.first() == Some(&b'.') { &line[1..] } else { &line[..] };
        if raw.len() + unstuffed.len() > max_bytes {
            over = true;
            raw.clear();
        }
        if !over {
            raw.extend_from_slice(unstuffed);
        }
    }
}

#[cfg(test)]
mod tests {
    use std::sync::Mutex;

    use super::*;

    /// One message as the listener handed it on.
    type Message = (Envelope, Vec<u8>);

    #[derive(Clone, Default)]
    struct Recorder {
        taken: Arc<Mutex<Vec<Message>>>,
        fail_later: bool,
    }

    impl Mailroom for Recorder {
        fn host(&self) -> &str {
            "hel.test"
        }
        fn max_bytes(&self) -> usize {
            200
        }
        fn accepts(&self, address: &str) -> bool {
            address.ends_with("@hel.test")
        }
        async fn take(&self, envelope: Envelope, raw: Vec<u8>) -> Result<Taken, NotTaken> {
            if self.fail_later {
                return Err(NotTaken::Later("database away".into()));
            }
            if let Ok(mut taken) = self.taken.lock() {
                taken.push((envelope, raw));
            }
            Ok(Taken::AlreadyStored)
        }
    }

    /// The server's answers to `script`, one string per reply line.
    async fn converse(room: &Recorder, script: &str) -> Vec<String> {
        let (client, server) = tokio::io::duplex(64 * 1024);
        let (server_read, server_write) = tokio::io::split(server);
        let room = room.clone();
        let serving = tokio::spawn(async move { session(server_read, server_write, &room).await });
        let (mut client_read, mut client_write) = tokio::io::split(client);
        let _ = client_write.write_all(script.as_bytes()).await;
        let _ = client_write.shutdown().await;
        let mut out = String::new();
        let _ = tokio::io::AsyncReadExt::read_to_string(&mut client_read, &mut out).await;
        let _ = serving.await;
        out.lines().map(str::to_owned).collect()
    }

    #[tokio::test]
    async fn a_relay_delivers_one_message() {
        let room = Recorder::default();
        let answers = converse(
            &room,
            "EHLO mx.hel.test\r\nMAIL FROM:<Anna@Example.fi> SIZE=50\r\nRCPT TO:<Palvelu@HEL.test>\r\nDATA\r\n\
             Subject: x\r\n\r\n..dotted\r\n.\r\nQUIT\r\n",
        )
        .await;
        assert!(answers[0].starts_with("220 "), "{answers:?}");
        assert!(answers.contains(&"250-SIZE 200".to_owned()), "{answers:?}");
        assert!(answers.iter().any(|a| a.starts_with("354 ")), "{answers:?}");
        assert_eq!(answers.last().map(String::as_str), Some("221 2.0.0 Bye"));
        let taken = room.taken.lock().map(|t| t.clone()).unwrap_or_default();
        assert_eq!(taken.len(), 1);
        assert_eq!(taken[0].0.reverse_path, "anna@example.fi");
        assert_eq!(taken[0].0.recipients, vec!["palvelu@hel.test"]);
        assert_eq!(taken[0].1, b"Subject: x\r\n\r\n.dotted\r\n");
    }

    #[tokio::test]
    async fn refusals_are_5xx_and_trouble_is_4xx() {
        let room = Recorder::default();
        let answers = converse(
            &room,
            &("HELO x\r\nRCPT TO:<a@hel.test>\r\nMAIL FROM:<a@b.fi> SIZE=9999\r\nMAIL FROM:<>\r\nRCPT TO:<x@elsewhere.fi>\r\n\
             DATA\r\nRCPT TO:<a@hel.test>\r\nDATA\r\n"
                .to_owned()
                + &"x".repeat(300)
                + "\r\n.\r\nBOGUS\r\nQUIT\r\n"),
        )
        .await;
        let codes: Vec<&str> = answers.iter().map(|a| a.get(..3).unwrap_or_default()).collect();
        assert_eq!(
            codes,
            ["220", "250", "503", "552", "250", "550", "503", "250", "354", "552", "502", "221"],
            "{answers:?}"
        );
        assert!(room.taken.lock().map(|t| t.is_empty()).unwrap_or(false));

        let away = Recorder { fail_later: true, ..Recorder::default() };
        let answers =
            converse(&away, "HELO x\r\nMAIL FROM:<>\r\nRCPT TO:<a@hel.test>\r\nDATA\r\nhi\r\n.\r\nQUIT\r\n").await;
        assert!(answers.iter().any(|a| a.starts_with("451 4.3.0")), "{answers:?}");
    }

    #[tokio::test]
    async fn an_endless_line_is_refused_not_kept() {
        let room = Recorder::default();
        let answers = converse(&room, &("NOOP ".to_owned() + &"x".repeat(5000) + "\r\nNOOP\r\n")).await;
        assert_eq!(answers.get(1).map(|a| &a[..3]), Some("500"));
        assert_eq!(answers.get(2).map(|a| &a[..3]), Some("250"));
    }
}
