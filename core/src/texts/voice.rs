//! What Batline says on the phone and texts about calls, in Finnish, Swedish
//! and English. Spoken sentences are short: a caller cannot scroll back.

use chrono::{DateTime, Utc};

use super::CityName;
use crate::{domain::Language, roster::TZ};

/// The `<Say language>` for a language.
pub fn locale(lang: Language) -> &'static str {
    match lang {
        Language::Fi => "fi-FI",
        Language::Sv => "sv-SE",
        Language::En => "en-GB",
    }
}

/// A deadline as a caller hears it: Helsinki wall-clock time, with the date
/// only when it is not today.
pub fn spoken_time(lang: Language, at: DateTime<Utc>, now: DateTime<Utc>) -> String {
    let local = at.with_timezone(&TZ);
    let today = now.with_timezone(&TZ).date_naive() == local.date_naive();
    match (lang, today) {
        (Language::Fi, true) => local.format("%-H.%M").to_string(),
        (Language::Fi, false) => local.format("%-d.%-m. kello %-H.%M").to_string(),
        (Language::Sv, true) => local.format("%-H.%M").to_string(),
        (Language::Sv, false) => local.format("%-d.%-m. klockan %-H.%M").to_string(),
        (Language::En, true) => local.format("%-H:%M").to_string(),
        (Language::En, false) => local.format("%-d %B at %-H:%M").to_string(),
    }
}

/// The greeting when the owner is known: who it is, and that we connect now.
pub fn connecting(lang: Language, city: &CityName, owner: &str) -> String {
    let city = city.in_language(lang);
    match lang {
        Language::Fi => format!("Hei, tässä {city}. Asiaasi hoitaa {owner}. Yhdistän sinut nyt."),
        Language::Sv => format!("Hej, det här är {city}. Ditt ärende sköts av {owner}. Jag kopplar dig nu."),
        Language::En => format!("Hello, this is {city}. {owner} is handling your case. Connecting you now."),
    }
}

/// The first hold message, while the router names an owner.
pub fn hold(lang: Language, city: &CityName) -> String {
    let city = city.in_language(lang);
    match lang {
        Language::Fi => format!("Hei, tässä {city}. Etsin sinulle vastaajan, hetki vain."),
        Language::Sv => format!("Hej, det här är {city}. Jag hittar någon som svarar dig, ett ögonblick."),
        Language::En => format!("Hello, this is {city}. I am finding someone to answer you, one moment."),
    }
}

/// Later hold messages: the call is registered, and hanging up is safe.
pub fn still_holding(lang: Language) -> &'static str {
    match lang {
        Language::Fi => "Hetki vielä. Puhelusi on kirjattu: jos suljet puhelimen, sinulle soitetaan takaisin.",
        Language::Sv => "Ett ögonblick till. Ditt samtal är registrerat: om du lägger på blir du uppringd.",
        Language::En => "One more moment. Your call is registered: if you hang up, we will call you back.",
    }
}

/// The owner did not pick up: who calls back and by when, and the beep.
pub fn no_answer(lang: Language, owner: &str, by: &str) -> String {
    match lang {
        Language::Fi => format!(
            "{owner} ei juuri nyt ehtinyt vastata. {owner} soittaa sinulle takaisin viimeistään kello {by}. \
             Voit jättää viestin äänimerkin jälkeen ja lopettaa painamalla risuaitaa."
        ),
        Language::Sv => format!(
            "{owner} kunde inte svara just nu. {owner} ringer upp dig senast klockan {by}. \
             Du kan lämna ett meddelande efter tonen och avsluta med fyrkant."
        ),
        Language::En => format!(
            "{owner} could not answer just now. {owner} will call you back by {by}. \
             You can leave a message after the tone and finish with the hash key."
        ),
    }
}

/// After the voice message.
pub fn message_saved(lang: Language, owner: &str, by: &str) -> String {
    match lang {
        Language::Fi => {
            format!("Kiitos, viestisi on tallennettu. {owner} soittaa sinulle viimeistään kello {by}. Näkemiin.")
        }
        Language::Sv => format!("Tack, ditt meddelande är sparat. {owner} ringer dig senast klockan {by}. Hej då."),
        Language::En => format!("Thank you, your message is saved. {owner} will call you by {by}. Goodbye."),
    }
}

/// When the caller left no message.
pub fn no_message(lang: Language, owner: &str, by: &str) -> String {
    match lang {
        Language::Fi => format!("En kuullut viestiä. {owner} soittaa sinulle viimeistään kello {by}. Näkemiin."),
        Language::Sv => format!("Jag hörde inget meddelande. {owner} ringer dig senast klockan {by}. Hej då."),
        Language::En => format!("I did not hear a message. {owner} will call you by {by}. Goodbye."),
    }
}

/// Whispered to the responder before the caller is put through.
pub fn whisper(lang: Language, code: &str) -> String {
    let spaced = spell(code);
    match lang {
        Language::Fi => format!("Batline-puhelu suomeksi, asia {spaced}."),
        Language::Sv => format!("Batline-samtal på svenska, ärende {spaced}."),
        Language::En => format!("Batline call in English, case {spaced}."),
    }
}

/// Told to the responder whose call-back is being put through.
pub fn call_back_connecting(lang: Language, code: &str) -> String {
    let spaced = spell(code);
    match lang {
        Language::Fi => format!("Batline-takaisinsoitto, asia {spaced}. Yhdistän asukkaalle."),
        Language::Sv => format!("Batline-återuppringning, ärende {spaced}. Jag kopplar till invånaren."),
        Language::En => format!("Batline call-back, case {spaced}. Connecting you to the resident."),
    }
}

/// Told to the responder when the resident did not answer the call-back.
pub fn call_back_unanswered(lang: Language) -> &'static str {
    match lang {
        Language::Fi => "Asukas ei vastannut. Takaisinsoittotehtävä jää auki.",
        Language::Sv => "Invånaren svarade inte. Återuppringningen är fortfarande öppen.",
        Language::En => "The resident did not answer. The call-back stays open.",
    }
}

/// The SMS a caller gets when their call opens a case: the owner and the
/// tracking code, which they cannot write down while on the phone.
pub fn call_receipt(lang: Language, owner: &str, code: &str, track_url: &str) -> String {
    match lang {
        Language::Fi => format!("Kiitos soitostasi. Asiaasi {code} hoitaa {owner}. Seuraa: {track_url}"),
        Language::Sv => {
            format!("Tack för ditt samtal. Ditt ärende {code} sköts av {owner}. Följ: {track_url}")
        }
        Language::En => {
            format!("Thank you for calling. {owner} is handling your case {code}. Follow: {track_url}")
        }
    }
}

/// How a voice message reads in the case's thread.
pub fn voicemail_body(seconds: Option<i32>) -> String {
    match seconds {
        Some(s) => format!("Voice message ({s} s)"),
        None => "Voice message".to_owned(),
    }
}

/// A tracking code read out character by character, so a text-to-speech
/// voice does not try to pronounce it as a word.
fn spell(code: &str) -> String {
    code.chars().filter(|c| *c != '-').map(String::from).collect::<Vec<_>>().join(" ")
}

#[cfg(test)]
mod tests {
    use chrono::TimeZone;

    use super::*;

    #[test]
    fn deadlines_are_spoken_in_helsinki_time() {
        // 12:30 UTC in November is 14:30 in Helsinki.
        let now = Utc.with_ymd_and_hms(2026, 11, 22, 12, 0, 0).single().unwrap_or_default();
        let at = Utc.with_ymd_and_hms(2026, 11, 22, 12, 30, 0).single().unwrap_or_default();
        assert_eq!(spoken_time(Language::Fi, at, now), "14.30");
        assert_eq!(spoken_time(Language::En, at, now), "14:30");
        let tomorrow = at + chrono::Duration::days(1);
        assert_eq!(spoken_time(Language::Fi, tomorrow, now), "23.11. kello 14.30");
        assert_eq!(spoken_time(Language::En, tomorrow, now), "23 November at 14:30");
    }

    #[test]
    fn every_sentence_names_the_owner_where_it_promises_a_call() {
        for lang in [Language::Fi, Language::Sv, Language::En] {
            assert!(no_answer(lang, "Aino", "14.30").matches("Aino").count() >= 1);
            assert!(no_answer(lang, "Aino", "14.30").contains("14.30"));
            assert!(message_saved(lang, "Aino", "14.30").contains("Aino"));
            assert!(call_receipt(lang, "Aino", "K7QD-4M2X", "https://x/track/K7QD-4M2X").contains("K7QD-4M2X"));
        }
        assert_eq!(whisper(Language::En, "K7QD-4M2X"), "Batline call in English, case K 7 Q D 4 M 2 X.");
    }
}
