//! What Batline says to residents, in Finnish, Swedish and English. Kept in
//! one place so wording can be reviewed by the city's language services.
//! The texts never name Batline: residents hear from their city, whose name
//! heads each SMS ([`sms_heading`]) and the resident pages ([`CityName`]).

mod city;
mod table;
pub mod voice;

pub use self::city::{CityName, sms_body, sms_heading};

use intl_pluralrules::{PluralCategory, PluralRuleType, PluralRules};
use unic_langid::LanguageIdentifier;

use crate::domain::Language;

/// SMS bodies are capped by Twilio at 1,600 characters.
pub const SMS_MAX_CHARS: usize = 1600;

/// The first answer: who owns the case, its code, the promise, where to follow it.
pub fn auto_reply(lang: Language, owner: &str, code: &str, promise_minutes: u32, track_url: &str) -> String {
    match lang {
        Language::Fi => format!(
            "Hei, olen {owner}. Asiasi {code} on minulla, vastaan {promise_minutes} minuutin sisällä. Seuraa: {track_url}"
        ),
        Language::Sv => format!(
            "Hej, jag är {owner}. Ditt ärende {code} är hos mig, jag svarar inom {promise_minutes} {}. Följ: {track_url}",
            if is_one(lang, promise_minutes) { "minut" } else { "minuter" }
        ),
        Language::En => format!(
            "Hi, I'm {owner}. Your case {code} is with me, I'll answer within {promise_minutes} {}. Follow: {track_url}",
            if is_one(lang, promise_minutes) { "minute" } else { "minutes" }
        ),
    }
}

/// Whether `n` takes a noun's singular in `lang`, by CLDR's plural rules
/// (`intl_pluralrules`): the rules are the languages', not ours to guess.
/// (Finnish after a numeral takes the partitive or genitive singular
/// whatever the number, so its texts need no plural.)
fn is_one(lang: Language, n: u32) -> bool {
    let id: LanguageIdentifier = match lang.as_str().parse() {
        Ok(id) => id,
        Err(_) => return n == 1,
    };
    match PluralRules::create(id, PluralRuleType::CARDINAL) {
        Ok(rules) => rules.select(n) == Ok(PluralCategory::ONE),
        // The three languages are in CLDR; should a build lack one, the
        // English rule is right for Swedish too.
        Err(_) => n == 1,
    }
}

/// The SMS receipt for a walk-in ticket: who owns the case, its code, and
/// where to follow it. The resident met a desk, not the owner, so it says
/// who will be in touch rather than "I". The point's name stands in
/// brackets in Finnish and Swedish, which would inflect it in a sentence.
pub fn walk_in_receipt(lang: Language, owner: &str, code: &str, point: &str, track_url: &str) -> String {
    let text = match lang {
        Language::Fi => {
            format!(
                "Kiitos käynnistä ({point}). Asiasi {code} hoitaa {owner}, joka on sinuun yhteydessä. Seuraa: {track_url}"
            )
        }
        Language::Sv => {
            format!(
                "Tack för besöket ({point}). Ditt ärende {code} sköts av {owner}, som hör av sig till dig. Följ: {track_url}"
            )
        }
        Language::En => format!(
            "Thank you for visiting {point}. Your case {code} is handled by {owner}, who will be in touch. Follow: {track_url}"
        ),
    };
    truncate_chars(text, SMS_MAX_CHARS)
}

/// The one-time code that proves a phone or an email address a chat
/// resident gave is theirs, sent there.
pub fn contact_code(lang: Language, code: &str, case_code: &str) -> String {
    match lang {
        Language::Fi => format!(
            "Vahvistuskoodisi on {code}. Kirjoita se chattiin, niin asiasi {case_code} vastaukset tulevat myös tänne. \
             Koodi toimii 10 minuuttia. Jos et pyytänyt sitä, älä tee mitään."
        ),
        Language::Sv => format!(
            "Din bekräftelsekod är {code}. Skriv den i chatten, så kommer svaren i ärende {case_code} också hit. \
             Koden gäller i 10 minuter. Om du inte bad om den, gör ingenting."
        ),
        Language::En => format!(
            "Your confirmation code is {code}. Type it in the chat and the answers on case {case_code} come here too. \
             It works for 10 minutes. If you did not ask for it, do nothing."
        ),
    }
}

/// The one-time code texted for the tracking page of case `case_code`.
pub fn track_code(lang: Language, code: &str, case_code: &str) -> String {
    match lang {
        Language::Fi => {
            format!("Koodisi asian {case_code} seurantasivulle on {code}. Se toimii 10 minuuttia.")
        }
        Language::Sv => {
            format!("Din kod till spårningssidan för ärende {case_code} är {code}. Den gäller i 10 minuter.")
        }
        Language::En => {
            format!("Your code for the tracking page of case {case_code} is {code}. It works for 10 minutes.")
        }
    }
}

/// The notice that the case has a new owner.
pub fn reassigned(lang: Language, owner: &str, code: &str) -> String {
    match lang {
        Language::Fi => format!("Asiaasi {code} hoitaa nyt {owner}. Vastaamme pian."),
        Language::Sv => {
            format!("Ditt ärende {code} sköts nu av {owner}. Vi svarar snart.")
        }
        Language::En => {
            format!("Your case {code} is now handled by {owner}. We will answer soon.")
        }
    }
}

/// Whether, and how, a resolved notice asks if the case was solved.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Ask {
    /// Not asked (it was, once, already).
    No,
    /// By a reply: 1–5 or "no" (SMS).
    ByReply,
    /// With the chat's answer buttons, which the chat shows beside it.
    ByButtons,
}

/// The notice that the owner resolved the case, with their summary. With
/// `ask`, it asks once whether it was solved, in the words of the channel
/// (a reply 1–5 or "no" by SMS, the buttons in the chat). A long summary is
/// shortened, never the question after it.
pub fn resolved(lang: Language, owner: &str, code: &str, summary: &str, ask: Ask) -> String {
    let (head, tail) = match lang {
        Language::Fi => (
            format!("{owner} ratkaisi asiasi {code}. "),
            match ask {
                Ask::ByReply => " Ratkesiko asia? Vastaa 1–5 (5 = täysin) tai \"ei\".",
                Ask::ByButtons => " Ratkesiko asia? Vastaa alla olevilla painikkeilla.",
                Ask::No => " Jos asia ei ratkennut, vastaa tähän viestiin.",
            },
        ),
        Language::Sv => (
            format!("{owner} har löst ditt ärende {code}. "),
            match ask {
                Ask::ByReply => " Löste det sig? Svara 1–5 (5 = helt) eller \"nej\".",
                Ask::ByButtons => " Löste det sig? Svara med knapparna nedan.",
                Ask::No => " Om det inte löste sig, svara på det här meddelandet.",
            },
        ),
        Language::En => (
            format!("{owner} has resolved your case {code}. "),
            match ask {
                Ask::ByReply => " Was it solved? Reply 1–5 (5 = fully) or \"no\".",
                Ask::ByButtons => " Was it solved? Answer with the buttons below.",
                Ask::No => " If it is not solved, reply to this message.",
            },
        ),
    };
    let room = SMS_MAX_CHARS.saturating_sub(head.chars().count() + tail.chars().count());
    format!("{head}{}{tail}", truncate_chars(summary.to_owned(), room))
}

/// The summary of a case closed as merged into case `code`.
pub fn merged_into(lang: Language, code: &str) -> String {
    match lang {
        Language::Fi => format!("Yhdistetty asiaan {code}"),
        Language::Sv => format!("Sammanslaget med ärendet {code}"),
        Language::En => format!("Merged into case {code}"),
    }
}

/// "Your case", after the city's name in an email's subject when the
/// resident gave none.
pub fn email_case(lang: Language) -> &'static str {
    match lang {
        Language::Fi => "Asiasi",
        Language::Sv => "Ditt ärende",
        Language::En => "Your case",
    }
}

/// The words of the tracking link under an email.
pub fn email_follow(lang: Language) -> &'static str {
    match lang {
        Language::Fi => "Seuraa asiaasi",
        Language::Sv => "Följ ditt ärende",
        Language::En => "Follow your case",
    }
}

/// Thanks for a rating.
pub fn satisfaction_thanks(lang: Language) -> &'static str {
    match lang {
        Language::Fi => "Kiitos vastauksestasi!",
        Language::Sv => "Tack för ditt svar!",
        Language::En => "Thank you for your answer!",
    }
}

/// The case is open again with the same owner.
pub fn reopened(lang: Language, owner: &str, code: &str) -> String {
    match lang {
        Language::Fi => format!("Avasimme asiasi {code} uudelleen. {owner} jatkaa sen hoitamista."),
        Language::Sv => format!("Vi öppnade ditt ärende {code} igen. {owner} fortsätter med det."),
        Language::En => format!("We reopened your case {code}. {owner} carries on with it."),
    }
}

/// Cuts `text` to at most `max` characters (not bytes), marking the cut.
pub fn truncate_chars(text: String, max: usize) -> String {
    if text.chars().count() <= max {
        return text;
    }
    let mut cut: String = text.chars().take(max.saturating_sub(1)).collect();
    cut.push('…');
    cut
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_promise_counts_minutes_as_each_language_does() {
        let reply = |lang, minutes| auto_reply(lang, "Aino", "K7QD-4M2X", minutes, "https://x.test/t");
        assert!(reply(Language::En, 1).contains("within 1 minute."));
        assert!(reply(Language::En, 15).contains("within 15 minutes."));
        assert!(reply(Language::Sv, 1).contains("inom 1 minut."));
        assert!(reply(Language::Sv, 0).contains("inom 0 minuter."));
        assert!(reply(Language::Fi, 1).contains("vastaan 1 minuutin sisällä"));
        assert!(reply(Language::Fi, 15).contains("vastaan 15 minuutin sisällä"));
    }

    #[test]
    fn auto_reply_names_owner_code_and_promise_in_each_language() {
        let url = "https://batline.example/track/K7QD-4M2X";
        for lang in [Language::Fi, Language::Sv, Language::En] {
            let text = auto_reply(lang, "Aino", "K7QD-4M2X", 15, url);
            assert!(text.contains("Aino") && text.contains("K7QD-4M2X") && text.contains("15") && text.contains(url));
        }
        assert!(auto_reply(Language::Fi, "Aino", "K7QD-4M2X", 15, url).starts_with("Hei, olen Aino."));
    }

    #[test]
    fn walk_in_receipt_names_owner_code_point_and_link_in_each_language() {
        let url = "https://batline.example/track/K7QD-4M2X";
        for lang in [Language::Fi, Language::Sv, Language::En] {
            let text = walk_in_receipt(lang, "Aino", "K7QD-4M2X", "Kallion asukastila", url);
            assert!(text.contains("Aino") && text.contains("K7QD-4M2X") && text.contains("Kallion asukastila"));
            assert!(text.ends_with(url));
        }
    }

    #[test]
    fn resolved_notices_fit_in_one_sms_body() {
        let long = "x".repeat(5000);
        let text = resolved(Language::En, "Aino", "K7QD-4M2X", &long, Ask::ByReply);
        assert_eq!(text.chars().count(), SMS_MAX_CHARS);
        assert!(text.ends_with("Reply 1–5 (5 = fully) or \"no\"."), "the question survives: {text}");
    }
}
