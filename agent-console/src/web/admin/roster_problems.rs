//! A refused roster, said in the reader's language: each problem names its
//! row and what to put right, as [`RosterProblem`] does in English for the
//! JSON API.

use batline_core::{
    domain::{Language, Role},
    roster::{RosterProblem, WINDOW_DAYS},
};

use super::texts::texts;

batline_core::texts! {
    /// The roster problems in one language.
    struct Words;

    fn words;

    not_csv: fn() -> String {
        fi: || "Teksti ei ole CSV-muotoinen vuorolista. Liitä rivit muodossa date,start,end,area,lead,members.".to_owned(),
        sv: || "Texten är ingen turlista i CSV-format. Klistra in rader som date,start,end,area,lead,members.".to_owned(),
        en: || "The text is not a roster in CSV. Paste rows as date,start,end,area,lead,members.".to_owned(),
    }
    missing_column: fn(&str) -> String {
        fi: |c| format!("Ensimmäisellä rivillä pitää nimetä sarakkeet date,start,end,area,lead,members; sarake {c} puuttuu."),
        sv: |c| format!("Första raden ska namnge kolumnerna date,start,end,area,lead,members; kolumnen {c} saknas."),
        en: |c| format!("The first line must name the columns date,start,end,area,lead,members; the {c} column is missing."),
    }
    bad_row: fn(usize) -> String {
        fi: |r| format!("Rivi {r}: sarakkeita on liian vähän tai liikaa. Sarakkeet: date,start,end,area,lead,members."),
        sv: |r| format!("Rad {r}: för få eller för många kolumner. Kolumnerna: date,start,end,area,lead,members."),
        en: |r| format!("Row {r}: too few or too many columns. The columns: date,start,end,area,lead,members."),
    }
    bad_date: fn(usize, &str) -> String {
        fi: |r, v| format!("Rivi {r}: päivämäärä ”{v}” ei ole muotoa 2026-11-23."),
        sv: |r, v| format!("Rad {r}: datumet ”{v}” är inte som 2026-11-23."),
        en: |r, v| format!("Row {r}: the date “{v}” is not like 2026-11-23."),
    }
    bad_start: fn(usize, &str) -> String {
        fi: |r, v| format!("Rivi {r}: alkuaika ”{v}” ei ole muotoa 08:00."),
        sv: |r, v| format!("Rad {r}: starttiden ”{v}” är inte som 08:00."),
        en: |r, v| format!("Row {r}: the start “{v}” is not like 08:00."),
    }
    bad_end: fn(usize, &str) -> String {
        fi: |r, v| format!("Rivi {r}: loppuaika ”{v}” ei ole muotoa 08:00."),
        sv: |r, v| format!("Rad {r}: sluttiden ”{v}” är inte som 08:00."),
        en: |r, v| format!("Row {r}: the end “{v}” is not like 08:00."),
    }
    no_such_time: fn(usize, &str, &str) -> String {
        fi: |r, d, t| format!("Rivi {r}: kellonaikaa {t} ei ole Helsingissä {d} (kellot siirtyvät eteenpäin). Käytä seuraavaa tuntia."),
        sv: |r, d, t| format!("Rad {r}: klockslaget {t} finns inte i Helsingfors {d} (klockan ställs fram). Använd timmen efter."),
        en: |r, d, t| format!("Row {r}: {t} does not exist in Helsinki on {d} (the clocks go forward). Use the hour after."),
    }
    no_lead: fn(usize) -> String {
        fi: |r| format!("Rivi {r}: jokaisella vuorolla pitää olla vuorovastaava (lead)."),
        sv: |r| format!("Rad {r}: varje tur behöver en turansvarig (lead)."),
        en: |r| format!("Row {r}: every shift needs a lead."),
    }
    out_of_window: fn(usize, &str) -> String {
        fi: |r, d| format!("Rivi {r}: vuoro alkaa {d}, yli {WINDOW_DAYS} päivän päässä tästä päivästä. Tarkista päivämäärä."),
        sv: |r, d| format!("Rad {r}: turen börjar {d}, mer än {WINDOW_DAYS} dagar från i dag. Kontrollera datumet."),
        en: |r, d| format!("Row {r}: the shift starts on {d}, more than {WINDOW_DAYS} days from today. Check the date."),
    }
    repeats: fn(usize, usize) -> String {
        fi: |r, f| format!("Rivi {r} toistaa riviä {f} (sama alue, alku, loppu ja vuorovastaava). Poista toinen niistä."),
        sv: |r, f| format!("Rad {r} upprepar rad {f} (samma område, start, slut och turansvarig). Ta bort den ena."),
        en: |r, f| format!("Row {r} repeats row {f} (same area, start, end and lead). Remove one of them."),
    }
    no_such_area: fn(usize, &str) -> String {
        fi: |r, a| format!("Rivi {r}: ”{a}” ei ole kaupungin kaupunginosa. Kirjoita kaupunginosan nimi (esim. Kallio) tai jätä alue tyhjäksi koko kaupungin vuorolle."),
        sv: |r, a| format!("Rad {r}: ”{a}” är ingen av stadens stadsdelar. Skriv stadsdelens namn (t.ex. Berghäll) eller lämna området tomt för en tur för hela staden."),
        en: |r, a| format!("Row {r}: “{a}” is not one of the city's districts. Write a district's name (such as Kallio), or leave the area empty for a city-wide shift."),
    }
    no_such_responder: fn(usize, &str) -> String {
        fi: |r, u| format!("Rivi {r}: käyttäjätunnusta ”{u}” ei ole. Tarkista tunnus vastaajien listasta."),
        sv: |r, u| format!("Rad {r}: användarnamnet ”{u}” finns inte. Kontrollera det i listan över svarare."),
        en: |r, u| format!("Row {r}: there is no responder “{u}”. Check the username in the list of responders."),
    }
    cannot_lead: fn(usize, &str, &str) -> String {
        fi: |r, u, role| format!("Rivi {r}: ”{u}” ei voi olla vuorovastaava: roolilla {role} ei omisteta asioita (vain vastaaja ja vuorovastaava omistavat)."),
        sv: |r, u, role| format!("Rad {r}: ”{u}” kan inte vara turansvarig: rollen {role} äger inga ärenden (bara svarare och turansvariga gör det)."),
        en: |r, u, role| format!("Row {r}: “{u}” cannot lead a shift: {role} accounts own no cases (only responders and leads do)."),
    }
    cannot_be_member: fn(usize, &str, &str) -> String {
        fi: |r, u, role| format!("Rivi {r}: ”{u}” ei voi olla vuorossa: roolilla {role} ei omisteta asioita (vain vastaaja ja vuorovastaava omistavat)."),
        sv: |r, u, role| format!("Rad {r}: ”{u}” kan inte ingå i en tur: rollen {role} äger inga ärenden (bara svarare och turansvariga gör det)."),
        en: |r, u, role| format!("Row {r}: “{u}” cannot be on a shift: {role} accounts own no cases (only responders and leads do)."),
    }
}

/// `problem` in `lang`.
pub fn say(lang: Language, problem: &RosterProblem) -> String {
    let w = words(lang);
    let role = |role: Role| texts(lang).role(role).to_owned();
    match problem {
        RosterProblem::NotCsv(_) => (w.not_csv)(),
        RosterProblem::MissingColumn(column) => (w.missing_column)(column),
        RosterProblem::BadRow { row, .. } => (w.bad_row)(*row),
        RosterProblem::BadDate { row, value } => (w.bad_date)(*row, value),
        RosterProblem::BadTime { row, field: "start", value } => (w.bad_start)(*row, value),
        RosterProblem::BadTime { row, value, .. } => (w.bad_end)(*row, value),
        RosterProblem::NoSuchTime { row, date, time } => {
            (w.no_such_time)(*row, &date.format("%-d.%-m.%Y").to_string(), &time.format("%H:%M").to_string())
        }
        RosterProblem::NoLead { row } => (w.no_lead)(*row),
        RosterProblem::OutOfWindow { row, date } => (w.out_of_window)(*row, &date.format("%-d.%-m.%Y").to_string()),
        RosterProblem::Repeats { row, first } => (w.repeats)(*row, *first),
        RosterProblem::NoSuchArea { row, area } => (w.no_such_area)(*row, area),
        RosterProblem::NoSuchResponder { row, username } => (w.no_such_responder)(*row, username),
        RosterProblem::CannotOwnCases { row, username, lead: true, role: r } => {
            (w.cannot_lead)(*row, username, &role(*r))
        }
        RosterProblem::CannotOwnCases { row, username, role: r, .. } => (w.cannot_be_member)(*row, username, &role(*r)),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_problem_names_its_row_in_each_language() {
        let problem = RosterProblem::NoSuchResponder { row: 3, username: "ainoo".into() };
        assert_eq!(
            say(Language::Fi, &problem),
            "Rivi 3: käyttäjätunnusta ”ainoo” ei ole. Tarkista tunnus vastaajien listasta."
        );
        assert!(say(Language::Sv, &problem).starts_with("Rad 3:"));
        assert!(say(Language::En, &problem).starts_with("Row 3:"));
    }
}
