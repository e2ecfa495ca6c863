//! Text in XML, for TwiML and Open311 alike.

/// `text` as XML 1.0 can carry it: characters XML forbids (most control
/// characters, U+FFFE, U+FFFF) are dropped, and carriage returns become
/// spaces, since an XML parser would turn them into line feeds anyway.
/// Escaping `<`, `&` and quotes is the writer's job.
pub fn xml_text(text: &str) -> String {
    text.chars()
        .filter_map(|c| match c {
            '\r' => Some(' '),
            '\t' | '\n' | '\u{20}'..='\u{D7FF}' | '\u{E000}'..='\u{FFFD}' | '\u{10000}'.. => Some(c),
            _ => None,
        })
        .collect()
}
