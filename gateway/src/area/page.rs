//! The "which area am I in" page: the answer (district at every level, the
//! nearest walk-in point and its hours), or what to fix; the address form;
//! the location button; how to reach the line. Rendered from what it is
//! given, in Finnish, Swedish or English.

use axum::{
    http::{HeaderValue, StatusCode, header},
    response::{Html, IntoResponse, Response},
};
use batline_core::{
    domain::Language,
    opening_hours::OpeningHours,
    place::{AreaName, Districts},
};
use batline_web_assets as web_assets;
use chrono::Weekday;
use maud::{DOCTYPE, Markup, html};

/// What the page answers.
#[derive(Debug)]
pub struct Answer {
    /// The place's areas.
    pub districts: Districts,
    /// The place as the map read it ("Fleminginkatu 12"); none for a shared
    /// location.
    pub based_on: Option<String>,
    /// Found by postal code: its area may cross districts.
    pub postal_code: bool,
    /// The nearest walk-in point, if the city has any.
    pub nearest: Option<Nearest>,
}

/// The walk-in point nearest the resident.
#[derive(Debug)]
pub struct Nearest {
    /// Its public name.
    pub name: String,
    /// Its address.
    pub address: String,
    /// Its district.
    pub area: Option<AreaName>,
    /// Its opening hours.
    pub hours: OpeningHours,
    /// How far, as the crow flies, when both places are known.
    pub metres: Option<f64>,
    /// In the resident's own district.
    pub same_district: bool,
}

/// Why the form is shown again.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Problem {
    /// Nothing in the text names a street, place or postal code the city knows.
    NotFound,
    /// Five digits, but not one of the city's postal codes.
    NotOurPostalCode,
    /// Longer than the limit (the number).
    TooLong(usize),
    /// The browser's location could not be read.
    BadLocation,
    /// The location is outside the city.
    OutsideCity,
    /// Too many questions from this address; seconds to wait.
    TooMany(u64),
    /// The city's areas are not loaded.
    NotLoaded,
}

batline_core::texts! {
    struct Words;

    fn words;

    title {
        fi: "Mihin alueeseen kuulun?",
        sv: "Vilket område hör jag till?",
        en: "Which area am I in?",
    }

    intro {
        fi: "Kirjoita osoitteesi tai postinumerosi, niin näet kaupunginosasi, lähimmän asiointipisteen ja sen aukioloajat.",
        sv: "Skriv din adress eller ditt postnummer så ser du din stadsdel, närmaste servicepunkt och dess öppettider.",
        en: "Type your address or postal code to see your district, the nearest walk-in point and its opening hours.",
    }

    label {
        fi: "Osoite tai postinumero",
        sv: "Adress eller postnummer",
        en: "Address or postal code",
    }

    hint {
        fi: "Esimerkiksi Fleminginkatu 12 tai 00530.",
        sv: "Till exempel Flemingsgatan 12 eller 00530.",
        en: "For example Fleminginkatu 12 or 00530.",
    }

    search {
        fi: "Etsi alue",
        sv: "Sök område",
        en: "Find the area",
    }

    location_title {
        fi: "Tai käytä sijaintiasi",
        sv: "Eller använd din position",
        en: "Or use your location",
    }

    location_help {
        fi: "Jos painat painiketta, selaimesi kysyy lupaa ja lähettää sijaintisi kerran kaupungin palvelimelle alueen etsimistä varten. Sitä ei tallenneta eikä lähetetä muualle.",
        sv: "Om du trycker på knappen frågar webbläsaren om lov och skickar din position en gång till stadens server för att hitta området. Den sparas inte och skickas inte vidare.",
        en: "If you press the button, your browser asks for your permission and sends your location once to the city's server to find your area. It is not stored or sent anywhere else.",
    }

    location_button {
        fi: "Käytä sijaintiani",
        sv: "Använd min position",
        en: "Use my location",
    }

    location_needs_script {
        fi: "Sijainnin käyttö vaatii JavaScriptin. Voit myös kirjoittaa osoitteesi yllä.",
        sv: "Att använda positionen kräver JavaScript. Du kan också skriva din adress ovan.",
        en: "Using your location needs JavaScript. You can also type your address above.",
    }

    location_asking {
        fi: "Haetaan sijaintia…",
        sv: "Hämtar positionen…",
        en: "Finding your location…",
    }

    location_denied {
        fi: "Sijaintia ei saatu. Kirjoita osoitteesi tai postinumerosi yllä.",
        sv: "Positionen kunde inte hämtas. Skriv din adress eller ditt postnummer ovan.",
        en: "Your location could not be found. Type your address or postal code above.",
    }

    your_area {
        fi: "Alueesi",
        sv: "Ditt område",
        en: "Your area",
    }

    district {
        fi: "Kaupunginosa",
        sv: "Stadsdel",
        en: "District",
    }

    sub_district {
        fi: "Osa-alue",
        sv: "Delområde",
        en: "Sub-district",
    }

    major_district {
        fi: "Suurpiiri",
        sv: "Stordistrikt",
        en: "Major district",
    }

    searched {
        fi: "Haku: {place}",
        sv: "Sökning: {place}",
        en: "Search: {place}",
    }

    from_location {
        fi: "Sijaintisi perusteella.",
        sv: "Enligt din position.",
        en: "From your location.",
    }

    postal_note {
        fi: "Postinumeroalue voi ulottua useaan kaupunginosaan. Tässä on se, jossa on suurin osa alueen osoitteista; kirjoita katuosoite, niin tulos on tarkempi.",
        sv: "Ett postnummerområde kan sträcka sig över flera stadsdelar. Här visas den där de flesta av områdets adresser finns; skriv en gatuadress för ett noggrannare svar.",
        en: "A postal code area can reach into several districts. This is the one with most of its addresses; type a street address for a closer answer.",
    }

    nearest {
        fi: "Lähin asiointipiste",
        sv: "Närmaste servicepunkt",
        en: "Nearest walk-in point",
    }

    in_your_district {
        fi: "Omassa kaupunginosassasi.",
        sv: "I din egen stadsdel.",
        en: "In your own district.",
    }

    distance {
        fi: "Noin {km} km linnuntietä.",
        sv: "Cirka {km} km fågelvägen.",
        en: "About {km} km as the crow flies.",
    }

    hours {
        fi: "Aukioloajat",
        sv: "Öppettider",
        en: "Opening hours",
    }

    no_hours {
        fi: "Ei säännöllisiä aukioloaikoja.",
        sv: "Inga regelbundna öppettider.",
        en: "No regular opening hours.",
    }

    no_points {
        fi: "Kaupungilla ei ole vielä asiointipisteitä.",
        sv: "Staden har ännu inga servicepunkter.",
        en: "The city has no walk-in points yet.",
    }

    reach_title {
        fi: "Näin tavoitat meidät",
        sv: "Så når du oss",
        en: "How to reach us",
    }

    reach_phone {
        fi: "Soita tai lähetä tekstiviesti numeroon {number}.",
        sv: "Ring eller skicka sms till {number}.",
        en: "Call or text {number}.",
    }

    reach_chat {
        fi: "Keskustele chatissa",
        sv: "Chatta med oss",
        en: "Chat with us",
    }

    reach_track {
        fi: "Seuraa asiaasi seurantakoodilla",
        sv: "Följ ditt ärende med uppföljningskoden",
        en: "Follow your case with its tracking code",
    }

    not_found {
        fi: "Emme löytäneet paikkaa ”{typed}”. Kirjoita kadunnimi ja talon numero (Fleminginkatu 12) tai Helsingin postinumero (00530).",
        sv: "Vi hittade inte platsen ”{typed}”. Skriv gatans namn och husnummer (Flemingsgatan 12) eller ett postnummer i Helsingfors (00530).",
        en: "We could not find “{typed}”. Type a street name and house number (Fleminginkatu 12) or a Helsinki postal code (00530).",
    }

    not_our_postal_code {
        fi: "{typed} ei ole Helsingin postinumero. Tarkista numero tai kirjoita katuosoite.",
        sv: "{typed} är inget postnummer i Helsingfors. Kontrollera numret eller skriv en gatuadress.",
        en: "{typed} is not a Helsinki postal code. Check it, or type a street address.",
    }

    too_long {
        fi: "Teksti on liian pitkä: kirjoita vain osoite tai postinumero, enintään {max} merkkiä.",
        sv: "Texten är för lång: skriv bara adressen eller postnumret, högst {max} tecken.",
        en: "That is too long: type just the address or postal code, at most {max} characters.",
    }

    bad_location {
        fi: "Selaimesi lähettämää sijaintia ei voitu lukea. Kirjoita osoitteesi tai postinumerosi.",
        sv: "Positionen som webbläsaren skickade kunde inte läsas. Skriv din adress eller ditt postnummer.",
        en: "The location your browser sent could not be read. Type your address or postal code instead.",
    }

    outside_city {
        fi: "Sijaintisi näyttää olevan Helsingin ulkopuolella. Jos olet Helsingissä, kirjoita osoitteesi.",
        sv: "Din position verkar ligga utanför Helsingfors. Om du är i Helsingfors, skriv din adress.",
        en: "Your location seems to be outside Helsinki. If you are in Helsinki, type your address.",
    }

    too_many {
        fi: "Liian monta hakua lyhyessä ajassa. Yritä uudelleen {seconds} sekunnin kuluttua.",
        sv: "För många sökningar på kort tid. Försök igen om {seconds} sekunder.",
        en: "Too many searches in a short time. Try again in {seconds} seconds.",
    }

    not_loaded {
        fi: "Alueiden tiedot eivät ole juuri nyt käytettävissä. Yritä myöhemmin uudelleen.",
        sv: "Områdesuppgifterna är inte tillgängliga just nu. Försök igen senare.",
        en: "The area data is not available right now. Try again later.",
    }

    languages {
        fi: "Kieli",
        sv: "Språk",
        en: "Language",
    }
}

/// How much of what was typed is shown back: enough to spot the slip.
const SHOWN_CHARS: usize = 80;

/// The page: `outcome` is the answer, or the problem to show (none for the
/// empty form); `typed` stays in the field; `line` is the number to call
/// or text.
pub fn render(
    lang: Language,
    line: &str,
    typed: &str,
    outcome: Result<Answer, Option<Problem>>,
    status: StatusCode,
) -> Response {
    let w = words(lang);
    let shown: String = typed.chars().take(SHOWN_CHARS).collect();
    let notice = match &outcome {
        Err(Some(problem)) => Some(match problem {
            Problem::NotFound => w.not_found.replace("{typed}", &shown),
            Problem::NotOurPostalCode => w.not_our_postal_code.replace("{typed}", &shown),
            Problem::TooLong(max) => w.too_long.replace("{max}", &max.to_string()),
            Problem::BadLocation => w.bad_location.to_owned(),
            Problem::OutsideCity => w.outside_city.to_owned(),
            Problem::TooMany(seconds) => w.too_many.replace("{seconds}", &seconds.to_string()),
            Problem::NotLoaded => w.not_loaded.to_owned(),
        }),
        _ => None,
    };
    let typed_problem =
        matches!(outcome, Err(Some(Problem::NotFound | Problem::NotOurPostalCode | Problem::TooLong(_))));
    let q = (!typed.is_empty())
        .then(|| format!("&q={}", url::form_urlencoded::byte_serialize(shown.as_bytes()).collect::<String>()));
    let markup = html! {
        (DOCTYPE)
        html lang=(lang.as_str()) {
            head {
                meta charset="utf-8";
                meta name="viewport" content="width=device-width, initial-scale=1";
                title { (w.title) }
                link rel="stylesheet" href=(web_assets::url("hds.css"));
                link rel="stylesheet" href=(web_assets::url("chat.css"));
                link rel="stylesheet" href=(web_assets::url("area.css"));
                script src=(web_assets::url("area.js")) defer {}
            }
            body.track-page.area-page {
                main #area .track-find {
                    h1 { (w.title) }
                    p { (w.intro) }
                    @if let Some(notice) = &notice {
                        p #area-problem .track-notice.error role="alert" { (notice) }
                    }
                    @if let Ok(answer) = &outcome {
                        (answer_section(lang, answer))
                    }
                    form method="get" action="/area" {
                        input type="hidden" name="lang" value=(lang.as_str());
                        div {
                            label for="q" { (w.label) }
                            input #q type="text" name="q" autocomplete="street-address" spellcheck="false"
                                required maxlength="200" value=(shown) aria-describedby="q-hint"
                                aria-invalid=[typed_problem.then_some("true")];
                            p #q-hint .area-hint { (w.hint) }
                        }
                        button type="submit" .hds-button.hds-button--primary { (w.search) }
                    }
                    section .area-location aria-labelledby="location-title" {
                        h2 #location-title { (w.location_title) }
                        p { (w.location_help) }
                        form #share method="post" action="/area"
                            data-asking=(w.location_asking) data-denied=(w.location_denied) {
                            input type="hidden" name="lang" value=(lang.as_str());
                            input #share-lat type="hidden" name="lat";
                            input #share-lon type="hidden" name="lon";
                            // Shown by area.js only where the browser can
                            // tell a location; nothing is asked before a press.
                            button #share-button type="button" .hds-button.hds-button--secondary hidden {
                                (w.location_button)
                            }
                        }
                        p #share-status role="status" {}
                        noscript { p { (w.location_needs_script) } }
                    }
                    (reach(lang, line))
                    nav .chat-languages aria-label=(w.languages) {
                        a href={ "/area?lang=fi" (q.as_deref().unwrap_or("")) } hreflang="fi" lang="fi" { "Suomeksi" } " · "
                        a href={ "/area?lang=sv" (q.as_deref().unwrap_or("")) } hreflang="sv" lang="sv" { "På svenska" } " · "
                        a href={ "/area?lang=en" (q.as_deref().unwrap_or("")) } hreflang="en" lang="en" { "In English" }
                    }
                }
            }
        }
    };
    let mut response = (status, Html(markup.into_string())).into_response();
    // What was typed is an address: no cache keeps it.
    response.headers_mut().insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    response.headers_mut().insert(header::REFERRER_POLICY, HeaderValue::from_static("no-referrer"));
    response
}

fn answer_section(lang: Language, answer: &Answer) -> Markup {
    let w = words(lang);
    let d = &answer.districts;
    html! {
        section #area-answer .area-answer aria-labelledby="answer-title" {
            h2 #answer-title { (w.your_area) }
            p .area-district { (d.district.name(lang)) }
            dl .area-levels {
                dt { (w.district) } dd { (d.district.name(lang)) }
                @if let Some(sub) = &d.sub {
                    dt { (w.sub_district) } dd { (sub.name(lang)) }
                }
                @if let Some(major) = &d.major {
                    dt { (w.major_district) } dd { (major.name(lang)) }
                }
            }
            p .area-basis {
                @match &answer.based_on {
                    Some(place) => (w.searched.replace("{place}", place)),
                    None => (w.from_location),
                }
            }
            @if answer.postal_code {
                p .track-notice { (w.postal_note) }
            }
            h3 { (w.nearest) }
            @match &answer.nearest {
                Some(point) => {
                    div .area-point {
                        p .area-point-name { strong { (point.name) } }
                        p { (point.address)
                            @if let Some(area) = &point.area { ", " (area.name(lang)) } }
                        @if point.same_district {
                            p { (w.in_your_district) }
                        } @else if let Some(m) = point.metres {
                            p { (w.distance.replace("{km}", &kilometres(lang, m))) }
                        }
                        h4 { (w.hours) }
                        @let lines = hours_lines(lang, &point.hours);
                        @if lines.is_empty() {
                            p { (w.no_hours) }
                        } @else {
                            ul .area-hours { @for line in &lines { li { (line) } } }
                        }
                    }
                }
                None => p { (w.no_points) },
            }
        }
    }
}

fn reach(lang: Language, line: &str) -> Markup {
    let w = words(lang);
    html! {
        section .track-contact aria-labelledby="reach-title" {
            h2 #reach-title { (w.reach_title) }
            p { (w.reach_phone.replace("{number}", line)) }
            ul .area-reach {
                li { a href={ "/chat?lang=" (lang.as_str()) } { (w.reach_chat) } }
                li { a href={ "/track?lang=" (lang.as_str()) } { (w.reach_track) } }
            }
        }
    }
}

/// "1,2" in Finnish and Swedish, "1.2" in English; whole kilometres from 10.
fn kilometres(lang: Language, metres: f64) -> String {
    let km = metres / 1000.0;
    let text = if km >= 10.0 { format!("{km:.0}") } else { format!("{km:.1}") };
    match lang {
        Language::En => text,
        _ => text.replace('.', ","),
    }
}

/// The week's hours as lines, days with the same hours together:
/// "ma–pe 8.00–18.00", "la 10.00–14.00". Closed days are left out.
fn hours_lines(lang: Language, hours: &OpeningHours) -> Vec<String> {
    const DAYS: [Weekday; 7] =
        [Weekday::Mon, Weekday::Tue, Weekday::Wed, Weekday::Thu, Weekday::Fri, Weekday::Sat, Weekday::Sun];
    let name = |day: usize| -> &'static str {
        let names: [&str; 7] = match lang {
            Language::Fi => ["ma", "ti", "ke", "to", "pe", "la", "su"],
            Language::Sv => ["mån", "tis", "ons", "tors", "fre", "lör", "sön"],
            Language::En => ["Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun"],
        };
        names[day]
    };
    let time = |t: chrono::NaiveTime| match lang {
        Language::En => t.format("%H:%M").to_string(),
        _ => t.format("%-H.%M").to_string(),
    };
    let mut lines = Vec::new();
    let mut day = 0;
    while day < DAYS.len() {
        let spans = hours.spans(DAYS[day]);
        let mut last = day;
        while last + 1 < DAYS.len() && hours.spans(DAYS[last + 1]) == spans {
            last += 1;
        }
        if !spans.is_empty() {
            let days = if last == day { name(day).to_owned() } else { format!("{}–{}", name(day), name(last)) };
            let times: Vec<String> = spans.iter().map(|(a, b)| format!("{}–{}", time(*a), time(*b))).collect();
            lines.push(format!("{days} {}", times.join(", ")));
        }
        day = last + 1;
    }
    lines
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hours_group_days() {
        let hours = OpeningHours::parse("mon-fri 08:00-18:00, sat 10:00-14:00").unwrap_or_default();
        assert_eq!(hours_lines(Language::Fi, &hours), ["ma–pe 8.00–18.00", "la 10.00–14.00"]);
        assert_eq!(hours_lines(Language::En, &hours), ["Mon–Fri 08:00–18:00", "Sat 10:00–14:00"]);
        assert_eq!(hours_lines(Language::Sv, &OpeningHours::default()), Vec::<String>::new());
    }

    #[test]
    fn kilometres_in_each_language() {
        assert_eq!(kilometres(Language::Fi, 1234.0), "1,2");
        assert_eq!(kilometres(Language::En, 1234.0), "1.2");
        assert_eq!(kilometres(Language::Sv, 12_500.0), "12");
    }
}
