//! The `/open` pages' markup in Finnish, Swedish and English:
//!
//! - the summary (`/open`): a short table of the whole period's headline
//!   figures, the weekly trends and the districts as server-side SVG charts
//!   (each with a visible title, and `role="img"` with a title and a
//!   description that lists its numbers), and a link to the detail;
//! - the detail (`/open/detail`): every figure of [`OpenData`] in tables,
//!   each wide table scrolling inside its own box so that the page itself
//!   never scrolls sideways (WCAG 1.4.10);
//! - what to fix in a period that cannot be shown, with the form keeping
//!   what was typed.
//!
//! A period too small to show any figure says so in one line instead of
//! tables of dashes. No script and no inline style, so it runs under the
//! strict CSP of `handlers::CSP`; maud escapes everything interpolated.

use batline_core::{
    domain::Language,
    place::{Colouring, DistrictMap, MapFigure, Shade, district_anchor},
    store::topics::Topic,
};
use batline_web_assets as web_assets;
use chrono::NaiveDate;
use maud::{DOCTYPE, Markup, html};
use url::form_urlencoded;

use super::{
    figures::{Figure, OpenData, OpenRow, WITHHELD_GROUP},
    period::{BadPeriod, End},
};

/// HDS "bus" blue, the bars' colour (contrast 13:1 on white).
const BAR: &str = "#0000bf";
/// HDS black-90, for chart text.
const INK: &str = "#1a1a1a";
/// HDS black-20, for axes.
const RULE: &str = "#cccccc";
/// How much of a mistyped date is shown back: enough to spot the slip.
const SHOWN_CHARS: usize = 40;

batline_core::texts! {
    struct Words;

    fn words;

    title {
        fi: "Batline avoimesti: näin vastasimme",
        sv: "Batline öppet: så svarade vi",
        en: "Batline in the open: how we answered",
    }

    intro {
        fi: "Kuinka nopeasti ja hyvin Helsingin Batline vastasi asukkaille jaksolla avatuissa asioissa. \
            Pelkkiä yhteenlaskettuja lukuja: ei yhdenkään asukkaan tietoja.",
        sv: "Hur snabbt och hur väl Helsingfors Batline svarade invånarna i ärenden som öppnades under perioden. \
            Endast sammanräknade tal: aldrig en enskild invånares uppgifter.",
        en: "How fast and how well Helsinki's Batline answered residents, for the cases opened in the period. \
            Totals only: never any resident's data.",
    }

    period {
        fi: "Jakso",
        sv: "Period",
        en: "Period",
    }

    from {
        fi: "Alkupäivä",
        sv: "Första dag",
        en: "First day",
    }

    to {
        fi: "Loppupäivä",
        sv: "Sista dag",
        en: "Last day",
    }

    show {
        fi: "Näytä",
        sv: "Visa",
        en: "Show",
    }

    withheld_note {
        fi: "Luku, joka perustuu alle viiteen asiaan, jätetään näyttämättä (–), jotta ketään asukasta ei voi tunnistaa. Lisäksi jätetään näyttämättä niin monta muuta riviä, ettei piilotettua lukua voi laskea kokonaismäärästä vähentämällä.",
        sv: "Ett tal som bygger på färre än fem ärenden visas inte (–), så att ingen invånare kan identifieras. Dessutom döljs så många andra rader att ett dolt tal inte kan räknas ut genom att dra av de visade från totalen.",
        en: "A figure resting on fewer than five cases is withheld (–), so that no resident can be singled out, and so are enough other rows that no withheld figure can be worked out by subtracting the ones shown from the total.",
    }

    withheld {
        fi: "ei näytetä: alle viisi asiaa, tai suojaa toista piilotettua lukua",
        sv: "visas inte: färre än fem ärenden, eller skyddar ett annat dolt tal",
        en: "withheld: fewer than five cases, or protecting another withheld figure",
    }

    summary {
        fi: "Koko jakso",
        sv: "Hela perioden",
        en: "The whole period",
    }

    trends {
        fi: "Viikoittain",
        sv: "Per vecka",
        en: "Week by week",
    }

    cases_per_week {
        fi: "Avatut asiat viikoittain",
        sv: "Öppnade ärenden per vecka",
        en: "Cases opened per week",
    }

    response_per_week {
        fi: "Ensimmäisen vastauksen mediaaniaika viikoittain",
        sv: "Mediantid till första svar per vecka",
        en: "Median time to first response per week",
    }

    sla_per_week {
        fi: "Ensimmäinen vastaus tavoiteajassa viikoittain",
        sv: "Första svar inom målet per vecka",
        en: "First response within target per week",
    }

    districts {
        fi: "Alueittain",
        sv: "Per område",
        en: "By district",
    }

    cases_per_district {
        fi: "Avatut asiat alueittain",
        sv: "Öppnade ärenden per område",
        en: "Cases opened per district",
    }

    map_title {
        fi: "Kaupunginosat kartalla",
        sv: "Stadsdelarna på kartan",
        en: "The districts on a map",
    }

    map_colour {
        fi: "Kartan väri näyttää",
        sv: "Kartans färg visar",
        en: "The map's colour shows",
    }

    map_show {
        fi: "Näytä kartalla",
        sv: "Visa på kartan",
        en: "Show on the map",
    }

    map_withheld {
        fi: "Alle 5 asiaa: ei näytetä",
        sv: "Färre än 5 ärenden: visas inte",
        en: "Fewer than 5 cases: not shown",
    }

    map_no_cases {
        fi: "Ei asioita",
        sv: "Inga ärenden",
        en: "No cases",
    }

    map_see_table {
        fi: "Samat luvut ovat taulukossa kartan alla; kaupunginosan nimi vie sen kaikkiin lukuihin.",
        sv: "Samma siffror finns i tabellen under kartan; stadsdelens namn leder till alla dess siffror.",
        en: "The same figures are in the table below the map; a district's name leads to all its figures.",
    }

    district_table {
        fi: "Kaupunginosien luvut",
        sv: "Stadsdelarnas siffror",
        en: "The districts' figures",
    }

    by_area {
        fi: "Alueittain",
        sv: "Per område",
        en: "By district",
    }

    by_topic {
        fi: "Aiheittain",
        sv: "Per ämne",
        en: "By topic",
    }

    by_channel {
        fi: "Kanavittain",
        sv: "Per kanal",
        en: "By channel",
    }

    by_hour {
        fi: "Vuorokauden tunneittain (Helsingin aikaa)",
        sv: "Per timme på dygnet (Helsingforstid)",
        en: "By hour of day (Helsinki time)",
    }

    by_responder {
        fi: "Vastaajittain",
        sv: "Per handläggare",
        en: "By responder",
    }

    week {
        fi: "Viikko",
        sv: "Vecka",
        en: "Week",
    }

    area {
        fi: "Alue",
        sv: "Område",
        en: "District",
    }

    topic {
        fi: "Aihe",
        sv: "Ämne",
        en: "Topic",
    }

    channel {
        fi: "Kanava",
        sv: "Kanal",
        en: "Channel",
    }

    hour {
        fi: "Tunti",
        sv: "Timme",
        en: "Hour",
    }

    responder {
        fi: "Vastaaja",
        sv: "Handläggare",
        en: "Responder",
    }

    cases {
        fi: "Asioita",
        sv: "Ärenden",
        en: "Cases",
    }

    to_owner {
        fi: "Aika nimettyyn vastuuhenkilöön",
        sv: "Tid till namngiven ansvarig",
        en: "Time to a named owner",
    }

    first_response {
        fi: "Ensimmäinen vastaus",
        sv: "Första svar",
        en: "First response",
    }

    resolution {
        fi: "Ratkaisu",
        sv: "Lösning",
        en: "Resolution",
    }

    median {
        fi: "mediaani",
        sv: "median",
        en: "median",
    }

    p90 {
        fi: "90 %:n persentiili",
        sv: "90:e percentilen",
        en: "90th percentile",
    }

    fr_sla {
        fi: "Ensimmäinen vastaus tavoiteajassa",
        sv: "Första svar inom målet",
        en: "First response within target",
    }

    rs_sla {
        fi: "Ratkaisu tavoiteajassa",
        sv: "Lösning inom målet",
        en: "Resolution within target",
    }

    missed_acks {
        fi: "Ohitetut kuittaukset",
        sv: "Missade kvitteringar",
        en: "Missed acknowledgements",
    }

    handoffs {
        fi: "Siirtoja asiaa kohden",
        sv: "Överlämningar per ärende",
        en: "Hand-offs per case",
    }

    reopened {
        fi: "Avattu uudelleen",
        sv: "Återöppnade",
        en: "Reopened",
    }

    open {
        fi: "Yhä auki",
        sv: "Fortfarande öppna",
        en: "Still open",
    }

    open_age {
        fi: "Avointen asioiden ikä, mediaani",
        sv: "Öppna ärendens ålder, median",
        en: "Age of open cases, median",
    }

    satisfaction {
        fi: "Tyytyväisyys (1–5)",
        sv: "Nöjdhet (1–5)",
        en: "Satisfaction (1–5)",
    }

    data {
        fi: "Avoin data",
        sv: "Öppna data",
        en: "Open data",
    }

    data_intro {
        fi: "Samat luvut koneluettavina. Kentät on kuvattu JSON-skeemassa.",
        sv: "Samma tal maskinläsbart. Fälten beskrivs i JSON-schemat.",
        en: "The same figures, machine-readable. The fields are described in the JSON Schema.",
    }

    schema {
        fi: "JSON-skeema",
        sv: "JSON-schema",
        en: "JSON Schema",
    }

    none {
        fi: "(ei tiedossa)",
        sv: "(okänt)",
        en: "(unknown)",
    }

    /// The topics withheld, shown as one group (see `figures::WITHHELD_GROUP`).
    withheld_group {
        fi: "muut (ei näytetä)",
        sv: "övriga (visas inte)",
        en: "other (withheld)",
    }

    /// A withheld figure in a chart's description, which lists its numbers.
    not_shown {
        fi: "ei näytetä",
        sv: "visas inte",
        en: "withheld",
    }

    week_short {
        fi: "vk",
        sv: "v.",
        en: "week",
    }

    days {
        fi: "vrk",
        sv: "dygn",
        en: "d",
    }

    skip {
        fi: "Siirry sisältöön",
        sv: "Till innehållet",
        en: "Skip to content",
    }

    language {
        fi: "Kieli",
        sv: "Språk",
        en: "Language",
    }

    figure {
        fi: "Luku",
        sv: "Tal",
        en: "Figure",
    }

    value {
        fi: "Arvo",
        sv: "Värde",
        en: "Value",
    }

    /// The one line an empty period gets instead of tables and charts: it
    /// says only what the withheld total already says.
    empty {
        fi: "Tältä jaksolta ei näytetä lukuja: asioita on niin vähän, että asukas voitaisiin tunnistaa. Valitse pidempi jakso.",
        sv: "Inga tal visas för den här perioden: ärendena är så få att en invånare skulle kunna identifieras. Välj en längre period.",
        en: "No figures are shown for this period: it has so few cases that a resident could be singled out. Choose a longer period.",
    }

    detail_title {
        fi: "Batline avoimesti: kaikki luvut",
        sv: "Batline öppet: alla tal",
        en: "Batline in the open: every figure",
    }

    detail_intro {
        fi: "Kaikki jakson luvut taulukkoina: koko jakso, viikoittain, alueittain, aiheittain, kanavittain ja tunneittain.",
        sv: "Alla tal för perioden i tabeller: hela perioden, per vecka, område, ämne, kanal och timme.",
        en: "Every figure of the period in tables: the whole period, and by week, district, topic, channel and hour.",
    }

    to_detail {
        fi: "Kaikki luvut taulukkoina: viikoittain, alueittain, aiheittain, kanavittain ja tunneittain",
        sv: "Alla tal i tabeller: per vecka, område, ämne, kanal och timme",
        en: "Every figure in tables: by week, district, topic, channel and hour",
    }

    to_summary {
        fi: "Takaisin yhteenvetoon",
        sv: "Tillbaka till sammanfattningen",
        en: "Back to the summary",
    }

    week_table {
        fi: "Viikkojen luvut taulukkona",
        sv: "Veckornas tal i en tabell",
        en: "The weeks' figures in a table",
    }

    area_table {
        fi: "Alueiden luvut taulukkona",
        sv: "Områdenas tal i en tabell",
        en: "The districts' figures in a table",
    }

    check_period {
        fi: "Tarkista jakso",
        sv: "Kontrollera perioden",
        en: "Check the period",
    }

    from_not_a_date {
        fi: "Alkupäivä ”{typed}” ei ole päivämäärä. Valitse päivä kalenterista tai kirjoita se muodossa 2026-10-19.",
        sv: "Första dagen ”{typed}” är inget datum. Välj dagen i kalendern eller skriv den som 2026-10-19.",
        en: "The first day, “{typed}”, is not a date. Pick a day from the calendar, or type it as 2026-10-19.",
    }

    to_not_a_date {
        fi: "Loppupäivä ”{typed}” ei ole päivämäärä. Valitse päivä kalenterista tai kirjoita se muodossa 2026-10-19.",
        sv: "Sista dagen ”{typed}” är inget datum. Välj dagen i kalendern eller skriv den som 2026-10-19.",
        en: "The last day, “{typed}”, is not a date. Pick a day from the calendar, or type it as 2026-10-19.",
    }

    backwards {
        fi: "Jakso päättyy ennen kuin se alkaa: alkupäivä {from} on loppupäivän {to} jälkeen. Vaihda päivät niin, että alkupäivä on ensin.",
        sv: "Perioden slutar innan den börjar: första dagen {from} är efter sista dagen {to}. Byt plats på dagarna så att den första kommer först.",
        en: "The period ends before it starts: the first day, {from}, is after the last day, {to}. Swap them so that the first day comes first.",
    }

    too_long {
        fi: "Jakso on liian pitkä: enintään 366 päivää, tässä on {days}. Valitse lyhyempi jakso.",
        sv: "Perioden är för lång: högst 366 dagar, den här har {days}. Välj en kortare period.",
        en: "The period is too long: at most 366 days, and this one has {days}. Choose a shorter period.",
    }

    unusable {
        fi: "Näille päiville ei voi näyttää lukuja. Tarkista päivät ja yritä uudelleen.",
        sv: "För de här dagarna kan inga tal visas. Kontrollera dagarna och försök igen.",
        en: "No figures can be shown for these days. Check them and try again.",
    }

    too_many {
        fi: "Osoitteestasi on tullut juuri nyt liian monta pyyntöä. Yritä uudelleen {seconds} s kuluttua.",
        sv: "Det har kommit för många förfrågningar från din adress just nu. Försök igen om {seconds} s.",
        en: "Too many requests have come from your address just now. Try again in {seconds} s.",
    }

    try_again {
        fi: "Yritä uudelleen",
        sv: "Försök igen",
        en: "Try again",
    }

    last_four_weeks {
        fi: "Näytä viimeiset neljä viikkoa",
        sv: "Visa de fyra senaste veckorna",
        en: "Show the last four weeks",
    }

    channels: [&'static str; 6] {
        fi: ["Tekstiviesti", "Puhelu", "Chat", "Asiointipiste", "Palautesovellus (Open311)", "Sähköposti"],
        sv: ["Sms", "Samtal", "Chatt", "Servicepunkt", "Responsapp (Open311)", "E-post"],
        en: ["Text message", "Phone call", "Chat", "Walk-in desk", "City app (Open311)", "Email"],
    }
}

/// `value` with the language's decimal separator.
fn decimal(lang: Language, value: f64, places: usize) -> String {
    let text = format!("{value:.places$}");
    match lang {
        Language::En => text,
        _ => text.replace('.', ","),
    }
}

/// A duration in seconds as a person reads it.
fn duration(lang: Language, w: &Words, seconds: f64) -> String {
    if seconds < 90.0 {
        format!("{} s", decimal(lang, seconds, 0))
    } else if seconds < 90.0 * 60.0 {
        format!("{} min", decimal(lang, seconds / 60.0, 0))
    } else if seconds < 48.0 * 3600.0 {
        format!("{} h", decimal(lang, seconds / 3600.0, 1))
    } else {
        format!("{} {}", decimal(lang, seconds / 86400.0, 1), w.days)
    }
}

/// How one kind of figure is written.
#[derive(Clone, Copy)]
enum Kind {
    Count,
    Seconds,
    Share,
    Ratio,
    Score,
}

fn show(lang: Language, w: &Words, kind: Kind, value: f64) -> String {
    match kind {
        Kind::Count => format!("{value:.0}"),
        Kind::Seconds => duration(lang, w, value),
        Kind::Share => format!("{} %", decimal(lang, value * 100.0, 0)),
        Kind::Ratio => decimal(lang, value, 2),
        Kind::Score => decimal(lang, value, 1),
    }
}

/// A table cell: the figure, or "–" with the reason for screen readers.
fn cell(lang: Language, w: &Words, kind: Kind, figure: Figure) -> Markup {
    match figure.value {
        Some(v) if !figure.withheld => html! { td.number { (show(lang, w, kind, v)) } },
        _ => html! { td.number.withheld { span aria-hidden="true" { "–" } span.visually-hidden { (w.withheld) } } },
    }
}

/// A table column: its heading, how its figures are written, which figure.
type Column = (String, Kind, fn(&OpenRow) -> Figure);

/// The figures the summary's short table shows.
fn headline(w: &Words) -> Vec<Column> {
    vec![
        (w.cases.to_owned(), Kind::Count, |r| r.cases),
        (format!("{}, {}", w.to_owner, w.median), Kind::Seconds, |r| r.time_to_owner_p50),
        (format!("{}, {}", w.first_response, w.median), Kind::Seconds, |r| r.first_response_p50),
        (w.fr_sla.to_owned(), Kind::Share, |r| r.first_response_within_sla),
        (format!("{}, {}", w.resolution, w.median), Kind::Seconds, |r| r.resolution_p50),
        (w.rs_sla.to_owned(), Kind::Share, |r| r.resolution_within_sla),
        (w.satisfaction.to_owned(), Kind::Score, |r| r.satisfaction_avg),
    ]
}

/// The figures every table shows, with their headings.
fn columns(w: &Words) -> Vec<Column> {
    vec![
        (w.cases.to_owned(), Kind::Count, |r| r.cases),
        (format!("{}, {}", w.to_owner, w.median), Kind::Seconds, |r| r.time_to_owner_p50),
        (format!("{}, {}", w.first_response, w.median), Kind::Seconds, |r| r.first_response_p50),
        (format!("{}, {}", w.first_response, w.p90), Kind::Seconds, |r| r.first_response_p90),
        (format!("{}, {}", w.resolution, w.median), Kind::Seconds, |r| r.resolution_p50),
        (format!("{}, {}", w.resolution, w.p90), Kind::Seconds, |r| r.resolution_p90),
        (w.fr_sla.to_owned(), Kind::Share, |r| r.first_response_within_sla),
        (w.rs_sla.to_owned(), Kind::Share, |r| r.resolution_within_sla),
        (w.missed_acks.to_owned(), Kind::Count, |r| r.missed_acknowledgements),
        (w.handoffs.to_owned(), Kind::Ratio, |r| r.handoffs_per_case),
        (w.reopened.to_owned(), Kind::Count, |r| r.reopened),
        (w.open.to_owned(), Kind::Count, |r| r.open),
        (w.open_age.to_owned(), Kind::Seconds, |r| r.open_age_p50),
        (w.satisfaction.to_owned(), Kind::Score, |r| r.satisfaction_avg),
    ]
}

/// A group's name as shown: channels and Batline's own names translated,
/// topics and districts by the city's lists in `lang`, the rest as they are.
fn group_label(w: &Words, city: &CityView<'_>, lang: Language, dimension: &str, group: &str) -> String {
    match (dimension, group) {
        ("topic", code) if let Some(topic) = city.topics.iter().find(|t| t.code == code) => topic.name(lang).to_owned(),
        ("area", code) if let Some(name) = city.map.and_then(|m| m.name(code, lang)) => name.to_owned(),
        ("channel", "sms") => w.channels[0].to_owned(),
        ("channel", "voice") => w.channels[1].to_owned(),
        ("channel", "chat") => w.channels[2].to_owned(),
        ("channel", "walk_in") => w.channels[3].to_owned(),
        ("channel", "open311") => w.channels[4].to_owned(),
        ("channel", "email") => w.channels[5].to_owned(),
        (_, "(none)") => w.none.to_owned(),
        ("topic", WITHHELD_GROUP) => w.withheld_group.to_owned(),
        ("hour", h) => format!("{h}–"),
        _ => group.to_owned(),
    }
}

/// Which of the two pages.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum View {
    /// `/open`: the headline figures and the charts.
    Summary,
    /// `/open/detail`: every figure in tables.
    Detail,
}

impl View {
    /// The page's path.
    pub fn path(self) -> &'static str {
        match self {
            View::Summary => "/open",
            View::Detail => "/open/detail",
        }
    }
}

/// The period as it was typed, for the form to give back.
#[derive(Debug, Clone, Copy)]
pub struct Typed<'a> {
    /// `from` as given (empty when not).
    pub from: &'a str,
    /// `to` as given.
    pub to: &'a str,
}

/// A day as people in Finland write it.
fn day(date: NaiveDate) -> String {
    date.format("%-d.%-m.%Y").to_string()
}

/// `path?lang=…&from=…&to=…`, each value percent-encoded.
fn address(path: &str, lang: Language, from: &str, to: &str) -> String {
    let query = form_urlencoded::Serializer::new(String::new())
        .append_pair("lang", lang.as_str())
        .append_pair("from", from)
        .append_pair("to", to)
        .finish();
    format!("{path}?{query}")
}

/// A figure as a chart's description says it.
fn spoken(w: &Words, figure: Figure, text: &dyn Fn(f64) -> String) -> String {
    match figure.value.filter(|_| !figure.withheld) {
        Some(v) => text(v),
        None => w.not_shown.to_owned(),
    }
}

/// One row's figures as a table of two columns, a figure a line: narrow
/// enough for any screen.
fn figure_table(lang: Language, w: &Words, id: &str, label: &str, row: &OpenRow, columns: &[Column]) -> Markup {
    html! {
        table.hds-table.hds-table--light.open-figures.open-summary id=(id) aria-labelledby=(label) {
            thead {
                tr.hds-table__header-row {
                    th scope="col" { (w.figure) }
                    th scope="col" { (w.value) }
                }
            }
            tbody.hds-table__content {
                @for (name, kind, pick) in columns {
                    tr {
                        th scope="row" { (name) }
                        (cell(lang, w, *kind, pick(row)))
                    }
                }
            }
        }
    }
}

/// A breakdown, a group a row and a figure a column, in a box of its own
/// that scrolls sideways when the table is wider than the screen, labelled
/// by the heading `label`.
#[allow(clippy::too_many_arguments)]
fn breakdown_table(
    lang: Language,
    w: &Words,
    city: CityView<'_>,
    id: &str,
    label: &str,
    dimension: &str,
    heading: &str,
    rows: &[OpenRow],
) -> Markup {
    let columns = columns(w);
    html! {
        div.open-scroll role="region" aria-labelledby=(label) tabindex="0" {
            table.hds-table.hds-table--light.hds-table--zebra.open-figures id=(id) aria-labelledby=(label) {
                thead {
                    tr.hds-table__header-row {
                        th scope="col" { (heading) }
                        @for (name, _, _) in &columns { th scope="col" { (name) } }
                    }
                }
                tbody.hds-table__content {
                    @for row in rows {
                        // A district's row is where the summary's map and table lead.
                        tr id=[(dimension == "area").then(|| district_anchor(&row.group))] {
                            th scope="row" { (group_label(w, &city, lang, dimension, &row.group)) }
                            @for (_, kind, pick) in &columns { (cell(lang, w, *kind, pick(row))) }
                        }
                    }
                }
            }
        }
    }
}

/// A chart with its visible title (`h3`) above it.
fn chart(id: &str, title: &str, svg: Markup) -> Markup {
    html! {
        div.open-chart {
            h3 id=(format!("{id}-heading")) { (title) }
            (svg)
        }
    }
}

/// A vertical bar chart of `values` over `labels` (weeks): bars for the
/// shown figures, a dash for the withheld. Its description lists every
/// week's figure, so a screen reader needs no table beside it.
fn column_chart(
    w: &Words,
    id: &str,
    title: &str,
    labels: &[String],
    values: &[Figure],
    text: impl Fn(f64) -> String,
) -> Markup {
    let (width, height, left, bottom, top) = (560.0_f64, 240.0_f64, 8.0_f64, 40.0_f64, 28.0_f64);
    let max = values.iter().filter_map(|f| f.value).fold(0.0_f64, f64::max);
    let n = labels.len().max(1) as f64;
    let slot = (width - left * 2.0) / n;
    let bar = (slot * 0.7).max(1.0);
    let plot = height - bottom - top;
    let week = |label: &str| label.split_once("-W").map_or(label.to_owned(), |(_, week)| week.to_owned());
    let desc = labels
        .iter()
        .zip(values)
        .map(|(label, figure)| format!("{} {}: {}", w.week_short, week(label), spoken(w, *figure, &text)))
        .collect::<Vec<_>>()
        .join("; ");
    chart(
        id,
        title,
        html! {
            svg.chart viewBox=(format!("0 0 {width} {height}")) width="100%" role="img"
                aria-labelledby=(format!("{id}-title {id}-desc")) xmlns="http://www.w3.org/2000/svg" {
                title id=(format!("{id}-title")) { (title) }
                desc id=(format!("{id}-desc")) { (desc) }
                line x1=(left) y1=(height - bottom) x2=(width - left) y2=(height - bottom) stroke=(RULE) stroke-width="1" {}
                @for (i, (label, figure)) in labels.iter().zip(values).enumerate() {
                    @let x = left + slot * i as f64 + (slot - bar) / 2.0;
                    @let centre = x + bar / 2.0;
                    @match figure.value.filter(|_| !figure.withheld) {
                        Some(v) => {
                            @let h = if max > 0.0 { plot * v / max } else { 0.0 };
                            rect x=(format!("{x:.1}")) y=(format!("{:.1}", height - bottom - h)) width=(format!("{bar:.1}"))
                                height=(format!("{h:.1}")) fill=(BAR) {}
                            @if n <= 12.0 {
                                text x=(format!("{centre:.1}")) y=(format!("{:.1}", height - bottom - h - 6.0)) text-anchor="middle"
                                    font-size="17" fill=(INK) { (text(v)) }
                            }
                        }
                        None => {
                            text x=(format!("{centre:.1}")) y=(format!("{:.1}", height - bottom - 6.0)) text-anchor="middle"
                                font-size="18" fill=(INK) { "–" }
                        }
                    }
                    @if n <= 12.0 || i % ((n / 10.0).ceil() as usize).max(1) == 0 {
                        text x=(format!("{centre:.1}")) y=(format!("{:.1}", height - bottom + 20.0)) text-anchor="middle"
                            font-size="17" fill=(INK) { (week(label)) }
                    }
                }
            }
        },
    )
}

/// A horizontal bar chart, one bar per district; its description lists
/// every district's figure.
fn bar_chart(w: &Words, id: &str, title: &str, labels: &[String], values: &[Figure]) -> Markup {
    let (width, row, label_width) = (560.0_f64, 34.0_f64, 190.0_f64);
    let height = row * labels.len().max(1) as f64 + 8.0;
    let max = values.iter().filter_map(|f| f.value).fold(0.0_f64, f64::max);
    let plot = width - label_width - 50.0;
    let count = |v: f64| format!("{v:.0}");
    let desc = labels
        .iter()
        .zip(values)
        .map(|(label, figure)| format!("{label}: {}", spoken(w, *figure, &count)))
        .collect::<Vec<_>>()
        .join("; ");
    chart(
        id,
        title,
        html! {
            svg.chart viewBox=(format!("0 0 {width} {height}")) width="100%" role="img"
                aria-labelledby=(format!("{id}-title {id}-desc")) xmlns="http://www.w3.org/2000/svg" {
                title id=(format!("{id}-title")) { (title) }
                desc id=(format!("{id}-desc")) { (desc) }
                @for (i, (label, figure)) in labels.iter().zip(values).enumerate() {
                    @let y = row * i as f64 + 4.0;
                    text x=(format!("{:.1}", label_width - 8.0)) y=(format!("{:.1}", y + row * 0.65)) text-anchor="end"
                        font-size="17" fill=(INK) { (label) }
                    @match figure.value.filter(|_| !figure.withheld) {
                        Some(v) => {
                            @let length = if max > 0.0 { plot * v / max } else { 0.0 };
                            rect x=(label_width) y=(format!("{:.1}", y + 4.0)) width=(format!("{length:.1}"))
                                height=(format!("{:.1}", row - 10.0)) fill=(BAR) {}
                            text x=(format!("{:.1}", label_width + length + 6.0)) y=(format!("{:.1}", y + row * 0.65))
                                font-size="17" fill=(INK) { (count(v)) }
                        }
                        None => {
                            text x=(format!("{:.1}", label_width + 6.0)) y=(format!("{:.1}", y + row * 0.65)) font-size="17" fill=(INK) { "–" }
                        }
                    }
                }
            }
        },
    )
}

/// The period form, sent to `view`'s own address; `fault` marks the
/// fields the message `notice` (shown above it) is about.
fn period_form(w: &Words, lang: Language, view: View, typed: Typed<'_>, notice: Option<(&str, &[End])>) -> Markup {
    let invalid = |end: End| notice.is_some_and(|(_, ends)| ends.contains(&end)).then_some("true");
    let described = |end: End| invalid(end).map(|_| "period-error");
    html! {
        @if let Some((text, _)) = notice {
            p.open-notice.error id="period-error" role="alert" { (text) }
        }
        form.period method="get" action=(view.path()) {
            input type="hidden" name="lang" value=(lang.as_str());
            fieldset {
                legend { (w.period) }
                div.period-fields {
                    div {
                        label for="from" { (w.from) }
                        input type="date" id="from" name="from" value=(typed.from) aria-invalid=[invalid(End::From)]
                            aria-describedby=[described(End::From)];
                    }
                    div {
                        label for="to" { (w.to) }
                        input type="date" id="to" name="to" value=(typed.to) aria-invalid=[invalid(End::To)]
                            aria-describedby=[described(End::To)];
                    }
                    button.hds-button.hds-button--primary type="submit" { span.hds-button__label { (w.show) } }
                }
            }
        }
    }
}

/// The page around `content`: the language links (to the same page and
/// period, as typed) and the skip link.
fn shell(w: &Words, lang: Language, title: &str, view: View, typed: Typed<'_>, content: Markup) -> String {
    let languages = [(Language::Fi, "Suomeksi"), (Language::Sv, "På svenska"), (Language::En, "In English")];
    html! {
        (DOCTYPE)
        html lang=(lang.as_str()) {
            head {
                meta charset="utf-8";
                meta name="viewport" content="width=device-width, initial-scale=1";
                title { (title) }
                link rel="stylesheet" href=(web_assets::url("hds.css"));
                link rel="stylesheet" href=(web_assets::url("batline.css"));
                link rel="stylesheet" href=(web_assets::url("open.css"));
            }
            body.open-page {
                a.skip-link href="#main" { (w.skip) }
                header.app-header {
                    span.brand { "Batline" }
                    nav aria-label=(w.language) {
                        ul {
                            @for (other, name) in languages {
                                li {
                                    a href=(address(view.path(), other, typed.from, typed.to)) hreflang=(other.as_str())
                                        lang=(other.as_str()) aria-current=[(other == lang).then_some("true")] { (name) }
                                }
                            }
                        }
                    }
                }
                main id="main" { (content) }
            }
        }
    }
    .into_string()
}

/// The period shown, in words.
fn period_shown(w: &Words, data: &OpenData) -> Markup {
    html! {
        p.period-shown { (w.period) ": " time datetime=(data.from.to_string()) { (day(data.from)) }
            " – " time datetime=(data.to.to_string()) { (day(data.to)) } }
    }
}

/// The open data's addresses for the period.
fn downloads(w: &Words, data: &OpenData) -> Markup {
    let period = format!("from={}&to={}", data.from, data.to);
    html! {
        h2 { (w.data) }
        p { (w.data_intro) }
        ul.downloads {
            li { a href=(format!("/open/data.json?{period}")) { "JSON" } }
            li { a href=(format!("/open/data.csv?{period}")) { "CSV" } }
            li { a href="/open/schema.json" { (w.schema) } }
        }
    }
}

/// True when the period has too few cases to show anything: the total is
/// withheld exactly then, and every row of every breakdown with it.
fn is_empty(data: &OpenData) -> bool {
    data.summary.cases.withheld
}

/// A district map's figure as `/open` names, writes and picks it.
fn map_column(figure: MapFigure, w: &Words) -> Column {
    match figure {
        MapFigure::Cases => (w.cases.to_owned(), Kind::Count, |r| r.cases),
        MapFigure::Response => (format!("{}, {}", w.first_response, w.median), Kind::Seconds, |r| r.first_response_p50),
        MapFigure::WithinTarget => (w.fr_sla.to_owned(), Kind::Share, |r| r.first_response_within_sla),
    }
}

/// The city's lists the pages name groups from, the district map the
/// summary draws, and what the map is coloured by.
#[derive(Clone, Copy)]
pub struct CityView<'a> {
    /// The districts; `None` before the city's areas are loaded.
    pub map: Option<&'a DistrictMap>,
    /// The map's figure.
    pub figure: MapFigure,
    /// The service catalogue, for topics' names.
    pub topics: &'a [Topic],
}

/// Renders `view` of the period's figures.
pub fn render(data: &OpenData, lang: Language, view: View, city: CityView<'_>) -> String {
    let w = words(lang);
    let (from, to) = (data.from.to_string(), data.to.to_string());
    let typed = Typed { from: &from, to: &to };
    let (title, content) = match view {
        View::Summary => (w.title, summary(data, lang, w, typed, city)),
        View::Detail => (w.detail_title, detail(data, lang, w, typed, city)),
    };
    shell(w, lang, title, view, typed, content)
}

/// The summary page's content.
fn summary(data: &OpenData, lang: Language, w: &Words, typed: Typed<'_>, city: CityView<'_>) -> Markup {
    let detail = address(View::Detail.path(), lang, typed.from, typed.to);
    let weeks: Vec<String> = data.by_week.iter().map(|r| r.group.clone()).collect();
    let areas: Vec<String> = data.by_area.iter().map(|r| group_label(w, &city, lang, "area", &r.group)).collect();
    let pick = |f: fn(&OpenRow) -> Figure, rows: &[OpenRow]| rows.iter().map(f).collect::<Vec<_>>();
    html! {
        h1 { (w.title) }
        p { (w.intro) }
        (period_form(w, lang, View::Summary, typed, None))
        (period_shown(w, data))
        @if is_empty(data) {
            p.open-empty { (w.empty) }
        } @else {
            h2 #summary-heading { (w.summary) }
            (figure_table(lang, w, "summary", "summary-heading", &data.summary, &headline(w)))
            p.hint.withheld-note { (w.withheld_note) }
            p.open-more { a href=(detail) { (w.to_detail) } }

            h2 { (w.trends) }
            (column_chart(w, "chart-cases", w.cases_per_week, &weeks, &pick(|r| r.cases, &data.by_week),
                |v| format!("{v:.0}")))
            (column_chart(w, "chart-response", w.response_per_week, &weeks,
                &pick(|r| r.first_response_p50, &data.by_week), |v| duration(lang, w, v)))
            (column_chart(w, "chart-sla", w.sla_per_week, &weeks,
                &pick(|r| r.first_response_within_sla, &data.by_week), |v| format!("{} %", decimal(lang, v * 100.0, 0))))
            p.open-more { a href=(format!("{detail}#by-week-heading")) { (w.week_table) } }

            h2 #districts-heading { (w.districts) }
            @match city.map {
                Some(districts) => (district_map(data, lang, w, typed, &detail, districts, city.figure)),
                None => (bar_chart(w, "chart-districts", w.cases_per_district, &areas, &pick(|r| r.cases, &data.by_area))),
            }
            p.open-more { a href=(format!("{detail}#by-area-heading")) { (w.area_table) } }
        }
        (downloads(w, data))
    }
}

/// The districts on a map coloured by `figure`, a form to choose the
/// figure, and the same figures in a table whose district names link to
/// the district's row on the detail page. Withheld districts are withheld
/// on the map too.
fn district_map(
    data: &OpenData,
    lang: Language,
    w: &Words,
    typed: Typed<'_>,
    detail: &str,
    districts: &DistrictMap,
    figure: MapFigure,
) -> Markup {
    let (title, kind, pick) = map_column(figure, w);
    let row = |code: &str| data.by_area.iter().find(|r| r.group == code);
    let shade = |code: &str| {
        let figure = pick(row(code)?);
        Some(match figure.value.filter(|_| !figure.withheld) {
            Some(v) => Shade::Shown(v, show(lang, w, kind, v)),
            None => Shade::Withheld,
        })
    };
    let label = |v: f64| show(lang, w, kind, v);
    let link = |code: &str| row(code).map(|_| format!("{detail}#{}", district_anchor(code)));
    let colouring = Colouring {
        id: "district-map",
        title: &title,
        lang,
        shade: &shade,
        label: &label,
        link: &link,
        withheld: w.map_withheld,
        no_cases: w.map_no_cases,
        see_table: w.map_see_table,
    };
    let columns: Vec<Column> = MapFigure::ALL.iter().map(|f| map_column(*f, w)).collect();
    html! {
        form.map-figure method="get" action=(View::Summary.path()) {
            input type="hidden" name="lang" value=(lang.as_str());
            input type="hidden" name="from" value=(typed.from);
            input type="hidden" name="to" value=(typed.to);
            div {
                label for="map-figure" { (w.map_colour) }
                select #map-figure name="map" {
                    @for f in MapFigure::ALL {
                        option value=(f.as_str()) selected[f == figure] { (map_column(f, w).0) }
                    }
                }
            }
            button.hds-button.hds-button--secondary type="submit" { span.hds-button__label { (w.map_show) } }
        }
        (districts.render(&colouring))
        h3 #district-table-heading { (w.district_table) }
        div.open-scroll role="region" aria-labelledby="district-table-heading" tabindex="0" {
            table.hds-table.hds-table--light.hds-table--zebra.open-figures #district-table aria-labelledby="district-table-heading" {
                thead {
                    tr.hds-table__header-row {
                        th scope="col" { (w.area) }
                        @for (name, _, _) in &columns { th scope="col" { (name) } }
                    }
                }
                tbody.hds-table__content {
                    @for row in &data.by_area {
                        tr {
                            th scope="row" {
                                @if row.group == "(none)" {
                                    (w.none)
                                } @else {
                                    a href=(format!("{detail}#{}", district_anchor(&row.group))) { (district_name(districts, lang, &row.group)) }
                                }
                            }
                            @for (_, kind, pick) in &columns { (cell(lang, w, *kind, pick(row))) }
                        }
                    }
                }
            }
        }
    }
}

/// A district's name in `lang`, from the map (its code where the map does not know it).
fn district_name(districts: &DistrictMap, lang: Language, code: &str) -> String {
    districts.name(code, lang).unwrap_or(code).to_owned()
}

/// The detail page's content.
fn detail(data: &OpenData, lang: Language, w: &Words, typed: Typed<'_>, city: CityView<'_>) -> Markup {
    let mut tables = vec![
        ("by-week", w.trends, "week", w.week, &data.by_week),
        ("by-area", w.by_area, "area", w.area, &data.by_area),
        ("by-topic", w.by_topic, "topic", w.topic, &data.by_topic),
        ("by-channel", w.by_channel, "channel", w.channel, &data.by_channel),
        ("by-hour", w.by_hour, "hour", w.hour, &data.by_hour),
    ];
    if let Some(rows) = &data.by_responder {
        tables.push(("by-responder", w.by_responder, "responder", w.responder, rows));
    }
    html! {
        h1 { (w.detail_title) }
        p { (w.detail_intro) }
        p.open-more { a href=(address(View::Summary.path(), lang, typed.from, typed.to)) { (w.to_summary) } }
        (period_form(w, lang, View::Detail, typed, None))
        (period_shown(w, data))
        @if is_empty(data) {
            p.open-empty { (w.empty) }
        } @else {
            p.hint.withheld-note { (w.withheld_note) }
            h2 #summary-heading { (w.summary) }
            (figure_table(lang, w, "summary", "summary-heading", &data.summary, &columns(w)))
            @for (id, heading, dimension, group, rows) in tables {
                @let label = format!("{id}-heading");
                h2 id=(label) { (heading) }
                (breakdown_table(lang, w, city, id, &label, dimension, group, rows))
            }
        }
        (downloads(w, data))
    }
}

/// The page a period that cannot be shown gets: what to fix, in words, and
/// the form again with what was typed.
pub fn render_bad_period(lang: Language, view: View, typed: &Typed<'_>, bad: &BadPeriod) -> String {
    let w = words(lang);
    let shown = |s: &str| s.trim().chars().take(SHOWN_CHARS).collect::<String>();
    let (text, ends): (String, &[End]) = match bad {
        BadPeriod::NotADate { end: End::From, typed } => {
            (w.from_not_a_date.replace("{typed}", &shown(typed)), &[End::From])
        }
        BadPeriod::NotADate { end: End::To, typed } => (w.to_not_a_date.replace("{typed}", &shown(typed)), &[End::To]),
        BadPeriod::Backwards { from, to } => {
            (w.backwards.replace("{from}", &day(*from)).replace("{to}", &day(*to)), &[End::From, End::To])
        }
        BadPeriod::TooLong { days } => (w.too_long.replace("{days}", &days.to_string()), &[End::From, End::To]),
        BadPeriod::Unusable(_) => (w.unusable.to_owned(), &[End::From, End::To]),
    };
    let heading = match view {
        View::Summary => w.title,
        View::Detail => w.detail_title,
    };
    let title = format!("{}: {}", w.check_period, heading);
    let content = html! {
        h1 { (heading) }
        (period_form(w, lang, view, *typed, Some((&text, ends))))
        p.open-more { a href=(format!("{}?lang={}", view.path(), lang.as_str())) { (w.last_four_weeks) } }
    };
    shell(w, lang, &title, view, *typed, content)
}

/// The page past the per-address limit: when to try again, and a link
/// back to the same page and period.
pub fn render_too_many(lang: Language, view: View, typed: &Typed<'_>, seconds: u64) -> String {
    let w = words(lang);
    let heading = match view {
        View::Summary => w.title,
        View::Detail => w.detail_title,
    };
    let content = html! {
        h1 { (heading) }
        p.open-notice.error role="alert" { (w.too_many.replace("{seconds}", &seconds.to_string())) }
        p.open-more { a href=(address(view.path(), lang, typed.from, typed.to)) { (w.try_again) } }
    };
    shell(w, lang, heading, view, *typed, content)
}

#[cfg(test)]
mod tests {
    use chrono::Utc;

    use super::*;

    fn data(rows: fn(&str) -> OpenRow) -> OpenData {
        let day = |s: &str| s.parse::<NaiveDate>().unwrap_or_default();
        OpenData {
            from: day("2026-10-19"),
            to: day("2026-10-25"),
            generated_at: Utc::now(),
            min_cases: 5,
            percentile_method: "percentile_cont",
            responders_shown: false,
            summary: rows("all"),
            by_area: vec![rows("Kallio")],
            by_topic: vec![rows("lighting")],
            by_channel: vec![rows("sms")],
            by_hour: vec![rows("10")],
            by_week: vec![rows("2026-W43")],
            by_responder: None,
        }
    }

    #[test]
    fn an_empty_period_says_so_in_one_line() {
        let empty = data(OpenRow::withheld);
        for lang in [Language::Fi, Language::Sv, Language::En] {
            for view in [View::Summary, View::Detail] {
                let html = render(&empty, lang, view, CityView { map: None, figure: MapFigure::Cases, topics: &[] });
                assert!(html.contains(words(lang).empty), "{lang:?} {view:?}");
                assert!(!html.contains("<table") && !html.contains("<svg"), "{lang:?} {view:?}: no empty boxes");
            }
        }
    }

    #[test]
    fn a_bad_period_says_what_to_fix_and_keeps_what_was_typed() {
        let typed = Typed { from: "2026-10-26", to: "2026-10-25" };
        let bad = BadPeriod::Backwards {
            from: "2026-10-26".parse().unwrap_or_default(),
            to: "2026-10-25".parse().unwrap_or_default(),
        };
        let html = render_bad_period(Language::Sv, View::Detail, &typed, &bad);
        assert!(
            html.contains("<html lang=\"sv\">")
                && html.contains("första dagen 26.10.2026 är efter sista dagen 25.10.2026")
        );
        assert!(html.contains("action=\"/open/detail\"") && html.contains("value=\"2026-10-26\""));
        assert!(html.contains("aria-invalid=\"true\" aria-describedby=\"period-error\""));
        assert!(
            html.contains("/open/detail?lang=fi&amp;from=2026-10-26&amp;to=2026-10-25"),
            "languages keep the period"
        );
        let typed = Typed { from: "<b>eilen</b>", to: "" };
        let bad = BadPeriod::NotADate { end: End::From, typed: typed.from.to_owned() };
        let html = render_bad_period(Language::Fi, View::Summary, &typed, &bad);
        assert!(html.contains("Alkupäivä ”&lt;b&gt;eilen&lt;/b&gt;” ei ole päivämäärä"), "{html}");
        assert!(html.contains("from=%3Cb%3Eeilen%3C%2Fb%3E"), "typed text is encoded in links");
    }
}
