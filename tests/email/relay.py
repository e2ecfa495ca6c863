"""The city's mail server, for Batline's email tests (tests/e2e/email.rs).

A real SMTP server (aiosmtpd) that does what a city's relay does for the
line: mail to the line's domain is relayed to Batline's SMTP listener, and
Batline's answer is passed back to whoever sent it (a 4xx or 5xx reaches
the sender, as a relay's bounce or retry would); mail to anyone else is
delivered to a maildir, the residents' mailboxes, which the test reads.

Usage: relay.py LINE_DOMAIN BATLINE_HOST:BATLINE_PORT MAILDIR
Prints "ready PORT" once it takes mail; runs until stdin closes.
"""

import asyncio
import mailbox
import smtplib
import socket
import sys

from aiosmtpd.controller import Controller


class Relay:
    def __init__(self, domain, batline, maildir):
        self.domain = domain.lower()
        host, port = batline.rsplit(":", 1)
        self.batline = (host, int(port))
        self.maildir = mailbox.Maildir(maildir, create=True)

    def forward(self, mail_from, recipients, content):
        try:
            with smtplib.SMTP(*self.batline, timeout=30) as smtp:
                smtp.sendmail(mail_from, recipients, content)
            return "250 2.0.0 Relayed to the line"
        except smtplib.SMTPRecipientsRefused as refused:
            code, text = next(iter(refused.recipients.values()))
            return f"{code} {text.decode(errors='replace')}"
        except smtplib.SMTPResponseException as answer:
            return f"{answer.smtp_code} {answer.smtp_error.decode(errors='replace')}"
        except OSError as e:
            return f"451 4.4.1 The line cannot be reached: {e}"

    async def handle_DATA(self, server, session, envelope):
        ours = [r for r in envelope.rcpt_tos if r.lower().endswith("@" + self.domain)]
        theirs = [r for r in envelope.rcpt_tos if r not in ours]
        answer = "250 2.0.0 Delivered"
        if ours:
            loop = asyncio.get_running_loop()
            answer = await loop.run_in_executor(
                None, self.forward, envelope.mail_from or "", ours, envelope.original_content
            )
        if theirs and answer.startswith("250"):
            self.maildir.add(envelope.original_content)
        return answer


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def main():
    domain, batline, maildir = sys.argv[1:4]
    # A free port is picked and then bound: another process may take it in
    # between, so a few tries.
    for attempt in range(5):
        port = free_port()
        controller = Controller(Relay(domain, batline, maildir), hostname="127.0.0.1", port=port)
        try:
            controller.start()
            break
        except Exception:
            if attempt == 4:
                raise
    print(f"ready {port}", flush=True)
    sys.stdin.read()
    controller.stop()


if __name__ == "__main__":
    main()
