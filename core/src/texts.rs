//! What Batline says to residents, in Finnish, Swedish and English. Kept in
//! one place so wording can be reviewed by the city's language services.

pub mod voice;

use crate::domain::Language;

/// SMS bodies are capped by Twilio at 1,600 characters.
pub const SMS_MAX_CHARS: usize = 1600;

/// The first answer: who owns the case, its code, the promise, where to follow it.
pub fn auto_reply(lang: Language, owner: &str, code: &str, promise_minutes: u32, track_url: &str) -> String {
    match lang {
        Language::Fi => format!(
            "Hei, olen {owner} Batlinesta. Asiasi {code} on minulla, vastaan {promise_minutes} minuutin sisällä. Seuraa: {track_url}"
        ),
        Language::Sv => format!(
            "Hej, jag är {owner} på Batline. Ditt ärende {code} är hos mig, jag svarar inom {promise_minutes} {}. Följ: {track_url}",
            if promise_minutes == 1 { "minut" } else { "minuter" }
        ),
        Language::En => format!(
            "Hi, I'm {owner} from Batline. Your case {code} is with me, I'll answer within {promise_minutes} {}. Follow: {track_url}",
            if promise_minutes == 1 { "minute" } else { "minutes" }
        ),
    }
}

/// The SMS receipt for a walk-in ticket: who owns the case, its code, and
/// where to follow it. The resident met a desk, not the owner, so it says
/// who will be in touch rather than "I". The point's name stands alone
/// ("Batline, Batcave Kallio:") because Finnish would inflect it in a sentence.
pub fn walk_in_receipt(lang: Language, owner: &str, code: &str, point: &str, track_url: &str) -> String {
    let text = match lang {
        Language::Fi => {
            format!("Batline, {point}: asiasi {code} hoitaa {owner}, joka on sinuun yhteydessä. Seuraa: {track_url}")
        }
        Language::Sv => {
            format!("Batline, {point}: ditt ärende {code} sköts av {owner}, som hör av sig till dig. Följ: {track_url}")
        }
        Language::En => format!(
            "Batline, {point}: your case {code} is handled by {owner}, who will be in touch. Follow: {track_url}"
        ),
    };
    truncate_chars(text, SMS_MAX_CHARS)
}

/// The notice that the case has a new owner.
pub fn reassigned(lang: Language, owner: &str, code: &str) -> String {
    match lang {
        Language::Fi => format!("Batline: asiaasi {code} hoitaa nyt {owner}. Vastaamme pian."),
        Language::Sv => {
            format!("Batline: ditt ärende {code} sköts nu av {owner}. Vi svarar snart.")
        }
        Language::En => {
            format!("Batline: your case {code} is now handled by {owner}. We will answer soon.")
        }
    }
}

/// The notice that the owner resolved the case, with their summary.
pub fn resolved(lang: Language, owner: &str, code: &str, summary: &str) -> String {
    let text = match lang {
        Language::Fi => format!(
            "{owner} Batlinesta: asiasi {code} on ratkaistu. {summary} Jos asia ei ratkennut, vastaa tähän viestiin."
        ),
        Language::Sv => format!(
            "{owner} på Batline: ditt ärende {code} är löst. {summary} Om det inte löste sig, svara på det här meddelandet."
        ),
        Language::En => format!(
            "{owner} from Batline: your case {code} is resolved. {summary} If it is not solved, reply to this message."
        ),
    };
    truncate_chars(text, SMS_MAX_CHARS)
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
    fn auto_reply_names_owner_code_and_promise_in_each_language() {
        let url = "https://batline.example/track/K7QD-4M2X";
        for lang in [Language::Fi, Language::Sv, Language::En] {
            let text = auto_reply(lang, "Aino", "K7QD-4M2X", 15, url);
            assert!(text.contains("Aino") && text.contains("K7QD-4M2X") && text.contains("15") && text.contains(url));
        }
        assert!(auto_reply(Language::Fi, "Aino", "K7QD-4M2X", 15, url).starts_with("Hei, olen Aino Batlinesta."));
    }

    #[test]
    fn walk_in_receipt_names_owner_code_point_and_link_in_each_language() {
        let url = "https://batline.example/track/K7QD-4M2X";
        for lang in [Language::Fi, Language::Sv, Language::En] {
            let text = walk_in_receipt(lang, "Aino", "K7QD-4M2X", "Batcave Kallio", url);
            assert!(text.contains("Aino") && text.contains("K7QD-4M2X") && text.contains("Batcave Kallio"));
            assert!(text.ends_with(url));
        }
    }

    #[test]
    fn resolved_notices_fit_in_one_sms_body() {
        let long = "x".repeat(5000);
        let text = resolved(Language::En, "Aino", "K7QD-4M2X", &long);
        assert_eq!(text.chars().count(), SMS_MAX_CHARS);
    }
}
