//! A resident's text as words: lower case, letters (with å, ä, ö and
//! hyphens inside a word) and numbers apart, each word knowing whether it
//! was written with a capital and where it stood.

/// One word of the text.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Word {
    /// Lower case.
    pub text: String,
    /// As written.
    pub original: String,
    /// Only digits (a house number, a postal code), possibly with one
    /// letter after ("12b" is a house number 12).
    pub number: Option<u32>,
    /// Written with a capital first letter.
    pub capital: bool,
    /// The first word of the text or of a sentence, where a capital says
    /// nothing about a name.
    pub sentence_start: bool,
}

/// The words of `text`, in order. A house number written "12 b", "12b" or
/// "12-14" gives its first number.
pub fn words(text: &str) -> Vec<Word> {
    let mut out = Vec::new();
    let mut current = String::new();
    let mut sentence_start = true;
    let flush = |current: &mut String, out: &mut Vec<Word>, sentence_start: &mut bool| {
        let trimmed = current.trim_matches('-');
        if !trimmed.is_empty() {
            let original = trimmed.to_owned();
            let text = original.to_lowercase();
            let digits: String = text.chars().take_while(char::is_ascii_digit).collect();
            let rest = &text[digits.len()..];
            let number = (!digits.is_empty() && digits.len() <= 5 && rest.chars().count() <= 1)
                .then(|| digits.parse().ok())
                .flatten();
            let capital = original.chars().next().is_some_and(char::is_uppercase);
            out.push(Word { text, original, number, capital, sentence_start: *sentence_start });
            *sentence_start = false;
        }
        current.clear();
    };
    for c in text.chars() {
        if c.is_alphanumeric() || (c == '-' && !current.is_empty()) || (c == '.' && is_initial(&current)) {
            current.push(c);
        } else {
            flush(&mut current, &mut out, &mut sentence_start);
            if matches!(c, '.' | '!' | '?' | '\n') {
                sentence_start = true;
            }
        }
    }
    flush(&mut current, &mut out, &mut sentence_start);
    out
}

/// "A." in "A.I. Virtasen aukio": a dot after a single letter is part of
/// the name.
fn is_initial(current: &str) -> bool {
    current.rsplit('.').next().is_some_and(|last| last.chars().count() == 1 && last.chars().all(char::is_alphabetic))
}

/// A name's words as the index keeps them: lower case, parentheses and
/// their contents left out ("Borstan (botby)" is "borstan").
pub fn name_words(name: &str) -> Vec<String> {
    let mut plain = String::new();
    let mut depth = 0usize;
    for c in name.chars() {
        match c {
            '(' => depth += 1,
            ')' => depth = depth.saturating_sub(1),
            _ if depth == 0 => plain.push(c),
            _ => {}
        }
    }
    words(&plain).into_iter().map(|w| w.text).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn splits_words_and_numbers() {
        let w = words("Katuvalo rikki, Fleminginkatu 12b, 00530 Helsinki!");
        let texts: Vec<_> = w.iter().map(|w| w.text.as_str()).collect();
        assert_eq!(texts, ["katuvalo", "rikki", "fleminginkatu", "12b", "00530", "helsinki"]);
        assert_eq!(w[3].number, Some(12));
        assert_eq!(w[4].number, Some(530));
        assert!(w[0].capital && !w[1].capital);
        assert!(w[0].sentence_start && !w[2].sentence_start);
        let w = words("A.I. Virtasen aukio. Sitten");
        assert_eq!(w.iter().map(|w| w.text.as_str()).collect::<Vec<_>>(), ["a.i.", "virtasen", "aukio", "sitten"]);
    }

    #[test]
    fn hyphens_stay_inside_words() {
        let w = words("Etu-Töölössä - taas");
        assert_eq!(w.iter().map(|w| w.text.as_str()).collect::<Vec<_>>(), ["etu-töölössä", "taas"]);
    }

    #[test]
    fn name_words_drop_parentheses() {
        assert_eq!(name_words("Borstan (botby)"), ["borstan"]);
        assert_eq!(name_words("Axel Lindbergin polku"), ["axel", "lindbergin", "polku"]);
    }
}
