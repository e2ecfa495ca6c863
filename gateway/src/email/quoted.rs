//! The resident's new words in a reply: the text above the quoted history
//! their mail program added ("On … wrote:", "… kirjoitti:", "… skrev:",
//! Outlook's "From:/Sent:" block, `>` lines) and above their signature.
//! The whole email is kept beside the case; the thread shows what is new.
//!
//! Hand-written: the crates that do this (ports of GitHub's
//! email_reply_parser) are unmaintained and know only English headers.

/// Lines that open the quoted history on their own.
const SEPARATORS: [&str; 6] = [
    "-----original message-----",
    "-----alkuperäinen viesti-----",
    "-----ursprungligt meddelande-----",
    "-----ursprüngliche nachricht-----",
    "________________________________",
    "-------- original message --------",
];

/// The verb of a quote header ("… wrote:", "Den … skrev Anna <…>:") in the
/// languages residents write in, and two their mail programs may be set to.
const WROTE: [&str; 5] = ["wrote", "kirjoitti", "skrev", "schrieb", "a écrit"];

/// Whether `line` (lower-case) is a quote header: it ends with a colon and
/// has one of the verbs as a word before it.
fn says_wrote(line: &str) -> bool {
    line.ends_with(':')
        && !line.starts_with('>')
        && WROTE.iter().any(|w| line.match_indices(w).any(|(at, _)| at == 0 || line[..at].ends_with(' ')))
}

/// The first line of an Outlook header block, and the line that follows it.
const FROM: [&str; 3] = ["from:", "lähettäjä:", "från:"];
const SENT: [&str; 6] = ["sent:", "lähetetty:", "skickat:", "date:", "päivämäärä:", "datum:"];

/// What `text` says before its quoted history and signature. When nothing
/// is left (a resident who wrote only inside the quote), the whole text.
pub fn new_words(text: &str) -> String {
    let lines: Vec<&str> = text.lines().collect();
    let mut kept: Vec<&str> = Vec::new();
    for (i, line) in lines.iter().enumerate() {
        let lower = line.trim().to_lowercase();
        let next = lines.get(i + 1).map(|l| l.trim().to_lowercase()).unwrap_or_default();
        let quote_header = says_wrote(&lower)
            || (lower.starts_with("on ") && says_wrote(&next))
            || (FROM.iter().any(|f| lower.starts_with(f)) && SENT.iter().any(|s| next.starts_with(s)));
        if quote_header || SEPARATORS.contains(&lower.as_str()) || *line == "-- " || lower == "--" {
            break;
        }
        if !line.trim_start().starts_with('>') {
            kept.push(line.trim_end());
        }
    }
    let words = kept.join("\n").trim().to_owned();
    if words.is_empty() { text.trim().to_owned() } else { words }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn gmail_and_apple_quotes_go() {
        let text = "Lamppu on edelleen rikki.\n\nOn Thu, 3 Dec 2026 at 10.02, Helsingin kaupunki <palvelu@hel.test> wrote:\n> Hei, asiasi on nyt Mikolla.\n";
        assert_eq!(new_words(text), "Lamppu on edelleen rikki.");
        let wrapped =
            "Still broken\n\nOn Thu, 3 Dec 2026 at 10.02, Helsingin kaupunki <palvelu@hel.test>\nwrote:\n> Hei";
        assert_eq!(new_words(wrapped), "Still broken");
    }

    #[test]
    fn finnish_and_swedish_headers_go() {
        let fi = "Kiitos!\n\nto 3.12.2026 klo 10.02 Helsingin kaupunki (palvelu@hel.test) kirjoitti:\n> Hei";
        assert_eq!(new_words(fi), "Kiitos!");
        let sv = "Tack.\n\nDen 3 dec. 2026 kl. 10:02 skrev Helsingfors stad <palvelu@hel.test>:\n> Hej";
        assert_eq!(new_words(sv), "Tack.");
    }

    #[test]
    fn outlook_blocks_and_signatures_go() {
        let outlook = "Korjattu, kiitos.\r\n\r\n________________________________\r\nLähettäjä: Helsingin kaupunki\r\nLähetetty: torstai 3. joulukuuta\r\n";
        assert_eq!(new_words(outlook), "Korjattu, kiitos.");
        let bare = "Yes.\nFrom: Batline\nSent: Thursday\nSubject: x";
        assert_eq!(new_words(bare), "Yes.");
        let signed = "The bench is broken.\n-- \nAnna Virtanen\n040 123";
        assert_eq!(new_words(signed), "The bench is broken.");
    }

    #[test]
    fn interleaved_answers_keep_the_residents_lines() {
        let text = "> Missä lamppu on?\nFleminginkadulla 12.\n> Milloin huomasit?\nEilen.";
        assert_eq!(new_words(text), "Fleminginkadulla 12.\nEilen.");
    }

    #[test]
    fn nothing_new_keeps_everything() {
        assert_eq!(new_words("> only a quote\n"), "> only a quote");
        assert_eq!(new_words("Just words, no quote."), "Just words, no quote.");
    }
}
