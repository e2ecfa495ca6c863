//! Reading a resident's answer to "Was this solved? Reply 1–5". Only a
//! message that is plainly an answer counts (a score first, or a bare
//! "no"); anything else is a new contact, filed as usual, so a resident
//! writing about something new is never mistaken for a rating.

/// What the resident answered.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Answer {
    /// A score from 1 (not at all) to 5 (fully solved).
    Score(u8),
    /// A plain no: not solved.
    No,
}

impl Answer {
    /// "No" and scores of 1 and 2 mean the problem is not solved: the case reopens.
    pub fn reopens(self) -> bool {
        matches!(self, Answer::No | Answer::Score(1 | 2))
    }

    /// The score to store: "no" counts as 1.
    pub fn score(self) -> u8 {
        match self {
            Answer::Score(s) => s,
            Answer::No => 1,
        }
    }
}

/// Longest message read as an answer: "5, kiitos paljon!" fits; a story does not.
const MAX_ANSWER_CHARS: usize = 40;

/// The answer in `body`, if it is one.
pub fn parse(body: &str) -> Option<Answer> {
    let text = body.trim();
    if text.is_empty() || text.chars().count() > MAX_ANSWER_CHARS {
        return None;
    }
    let lower = text.to_lowercase();
    let bare = lower.trim_end_matches(['.', '!']);
    if matches!(bare, "no" | "ei" | "nej") {
        return Some(Answer::No);
    }
    let mut chars = lower.chars();
    let first = chars.next()?;
    let score = first.to_digit(10).filter(|d| (1..=5).contains(d))?;
    // "4", "4/5", "4 kiitos", "4." but not "45" or "4000 euroa".
    match chars.next() {
        None => {}
        Some(c) if c.is_ascii_digit() => return None,
        Some(c) if c.is_alphanumeric() => return None,
        Some(_) => {}
    }
    u8::try_from(score).ok().map(Answer::Score)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn scores_and_plain_no_are_answers() {
        assert_eq!(parse("5"), Some(Answer::Score(5)));
        assert_eq!(parse(" 4/5 "), Some(Answer::Score(4)));
        assert_eq!(parse("2, ei oikein"), Some(Answer::Score(2)));
        assert_eq!(parse("Ei"), Some(Answer::No));
        assert_eq!(parse("NO!"), Some(Answer::No));
        assert_eq!(parse("nej."), Some(Answer::No));
    }

    #[test]
    fn anything_else_is_a_new_contact() {
        for text in
            ["", "0", "6", "45", "4000 euroa", "3rd street lamp", "Ei toimi vieläkään, katuvalo on yhä pimeänä", "hei"]
        {
            assert_eq!(parse(text), None, "{text:?}");
        }
    }

    #[test]
    fn no_and_low_scores_reopen() {
        assert!(Answer::No.reopens() && Answer::Score(1).reopens() && Answer::Score(2).reopens());
        assert!(!Answer::Score(3).reopens() && !Answer::Score(5).reopens());
        assert_eq!(Answer::No.score(), 1);
    }
}
