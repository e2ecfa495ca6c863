//! The `/open` page's markup in Finnish, Swedish and English: the figures
//! of [`OpenData`] as tables, and the weekly trends and districts as
//! server-side SVG charts (each `role="img"` with a title and a description,
//! its numbers also in a table beside it). No script and no inline style,
//! so it runs under the strict CSP of `handlers::CSP`; maud
//! escapes everything interpolated.

use batline_core::domain::Language;
use batline_web_assets as web_assets;
use maud::{DOCTYPE, Markup, html};

use super::figures::{Figure, OpenData, OpenRow, WITHHELD_GROUP};

/// HDS "bus" blue, the bars' colour (contrast 13:1 on white).
const BAR: &str = "#0000bf";
/// HDS black-90, for chart text.
const INK: &str = "#1a1a1a";
/// HDS black-20, for axes.
const RULE: &str = "#cccccc";

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
        fi: "Alkaen",
        sv: "Från",
        en: "From",
    }

    to {
        fi: "Päättyen",
        sv: "Till",
        en: "To",
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

    chart_desc {
        fi: "Luvut ovat myös taulukossa kaavion alla.",
        sv: "Talen finns också i tabellen under diagrammet.",
        en: "The numbers are also in the table below the chart.",
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

    channels: [&'static str; 4] {
        fi: ["Tekstiviesti", "Puhelu", "Chat", "Asiointipiste"],
        sv: ["Sms", "Samtal", "Chatt", "Servicepunkt"],
        en: ["Text message", "Phone call", "Chat", "Walk-in desk"],
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

/// A group's name as shown: channels and Batline's own names translated, the
/// rest as they are.
fn group_label(w: &Words, dimension: &str, group: &str) -> String {
    match (dimension, group) {
        ("channel", "sms") => w.channels[0].to_owned(),
        ("channel", "voice") => w.channels[1].to_owned(),
        ("channel", "chat") => w.channels[2].to_owned(),
        ("channel", "walk_in") => w.channels[3].to_owned(),
        (_, "(none)") => w.none.to_owned(),
        ("topic", WITHHELD_GROUP) => w.withheld_group.to_owned(),
        ("hour", h) => format!("{h}–"),
        _ => group.to_owned(),
    }
}

fn table(
    lang: Language,
    w: &Words,
    id: &str,
    caption: &str,
    dimension: &str,
    heading: &str,
    rows: &[OpenRow],
) -> Markup {
    let columns = columns(w);
    html! {
        div.hds-table-container.scroll role="region" aria-labelledby=(format!("{id}-caption")) tabindex="0" {
            table.hds-table.hds-table--light.hds-table--zebra.open-figures id=(id) {
                caption.hds-table__caption id=(format!("{id}-caption")) { (caption) }
                thead {
                    tr.hds-table__header-row {
                        th scope="col" { (heading) }
                        @for (name, _, _) in &columns { th scope="col" { (name) } }
                    }
                }
                tbody.hds-table__content {
                    @for row in rows {
                        tr {
                            th scope="row" { (group_label(w, dimension, &row.group)) }
                            @for (_, kind, pick) in &columns { (cell(lang, w, *kind, pick(row))) }
                        }
                    }
                }
            }
        }
    }
}

/// A vertical bar chart of `values` over `labels` (weeks): bars for the
/// shown figures, a dash for the withheld.
fn column_chart(
    id: &str,
    title: &str,
    desc: &str,
    labels: &[String],
    values: &[Figure],
    text: impl Fn(f64) -> String,
) -> Markup {
    let (width, height, left, bottom, top) = (720.0_f64, 260.0_f64, 8.0_f64, 40.0_f64, 24.0_f64);
    let max = values.iter().filter_map(|f| f.value).fold(0.0_f64, f64::max);
    let n = labels.len().max(1) as f64;
    let slot = (width - left * 2.0) / n;
    let bar = (slot * 0.7).max(1.0);
    let plot = height - bottom - top;
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
                        @if n <= 16.0 {
                            text x=(format!("{centre:.1}")) y=(format!("{:.1}", height - bottom - h - 6.0)) text-anchor="middle"
                                font-size="12" fill=(INK) { (text(v)) }
                        }
                    }
                    None => {
                        text x=(format!("{centre:.1}")) y=(format!("{:.1}", height - bottom - 6.0)) text-anchor="middle"
                            font-size="14" fill=(INK) { "–" }
                    }
                }
                @if n <= 16.0 || i % ((n / 12.0).ceil() as usize).max(1) == 0 {
                    text x=(format!("{centre:.1}")) y=(format!("{:.1}", height - bottom + 18.0)) text-anchor="middle"
                        font-size="12" fill=(INK) { (label.split_once("-W").map_or(label.as_str(), |(_, w)| w)) }
                }
            }
        }
    }
}

/// A horizontal bar chart, one bar per district.
fn bar_chart(id: &str, title: &str, desc: &str, labels: &[String], values: &[Figure]) -> Markup {
    let (width, row, label_width) = (720.0_f64, 28.0_f64, 170.0_f64);
    let height = row * labels.len().max(1) as f64 + 8.0;
    let max = values.iter().filter_map(|f| f.value).fold(0.0_f64, f64::max);
    let plot = width - label_width - 60.0;
    html! {
        svg.chart viewBox=(format!("0 0 {width} {height}")) width="100%" role="img"
            aria-labelledby=(format!("{id}-title {id}-desc")) xmlns="http://www.w3.org/2000/svg" {
            title id=(format!("{id}-title")) { (title) }
            desc id=(format!("{id}-desc")) { (desc) }
            @for (i, (label, figure)) in labels.iter().zip(values).enumerate() {
                @let y = row * i as f64 + 4.0;
                text x=(format!("{:.1}", label_width - 8.0)) y=(format!("{:.1}", y + row * 0.65)) text-anchor="end"
                    font-size="13" fill=(INK) { (label) }
                @match figure.value.filter(|_| !figure.withheld) {
                    Some(v) => {
                        @let w = if max > 0.0 { plot * v / max } else { 0.0 };
                        rect x=(label_width) y=(format!("{:.1}", y + 4.0)) width=(format!("{w:.1}")) height=(format!("{:.1}", row - 10.0))
                            fill=(BAR) {}
                        text x=(format!("{:.1}", label_width + w + 6.0)) y=(format!("{:.1}", y + row * 0.65))
                            font-size="13" fill=(INK) { (format!("{v:.0}")) }
                    }
                    None => {
                        text x=(format!("{:.1}", label_width + 6.0)) y=(format!("{:.1}", y + row * 0.65)) font-size="13" fill=(INK) { "–" }
                    }
                }
            }
        }
    }
}

/// Renders the page.
pub fn render(data: &OpenData, lang: Language) -> String {
    let w = words(lang);
    let period_query = format!("from={}&to={}", data.from, data.to);
    let weeks: Vec<String> = data.by_week.iter().map(|r| r.group.clone()).collect();
    let areas: Vec<String> = data.by_area.iter().map(|r| group_label(w, "area", &r.group)).collect();
    let pick = |f: fn(&OpenRow) -> Figure, rows: &[OpenRow]| rows.iter().map(f).collect::<Vec<_>>();
    html! {
        (DOCTYPE)
        html lang=(lang.as_str()) {
            head {
                meta charset="utf-8";
                meta name="viewport" content="width=device-width, initial-scale=1";
                title { (w.title) }
                link rel="stylesheet" href=(web_assets::url("hds.css"));
                link rel="stylesheet" href=(web_assets::url("batline.css"));
            }
            body {
                a.skip-link href="#main" { (w.skip) }
                header.app-header {
                    span.brand { "Batline" }
                    nav aria-label=(w.language) {
                        ul {
                            li { a href=(format!("/open?lang=fi&{period_query}")) hreflang="fi" lang="fi" { "Suomeksi" } }
                            li { a href=(format!("/open?lang=sv&{period_query}")) hreflang="sv" lang="sv" { "På svenska" } }
                            li { a href=(format!("/open?lang=en&{period_query}")) hreflang="en" lang="en" { "In English" } }
                        }
                    }
                }
                main id="main" {
                    h1 { (w.title) }
                    p { (w.intro) }
                    form.period method="get" action="/open" {
                        input type="hidden" name="lang" value=(lang.as_str());
                        fieldset {
                            legend { (w.period) }
                            div.actions {
                                label for="from" { (w.from) }
                                input type="date" id="from" name="from" value=(data.from.to_string());
                                label for="to" { (w.to) }
                                input type="date" id="to" name="to" value=(data.to.to_string());
                                button.hds-button.hds-button--primary type="submit" { span.hds-button__label { (w.show) } }
                            }
                        }
                    }
                    p.period-shown { (w.period) ": " time datetime=(data.from.to_string()) { (data.from.format("%-d.%-m.%Y")) }
                        " – " time datetime=(data.to.to_string()) { (data.to.format("%-d.%-m.%Y")) } }
                    p.hint.withheld-note { (w.withheld_note) }

                    h2 { (w.summary) }
                    (table(lang, w, "summary", w.summary, "all", w.period, std::slice::from_ref(&data.summary)))

                    h2 { (w.trends) }
                    (column_chart("chart-cases", w.cases_per_week, w.chart_desc, &weeks, &pick(|r| r.cases, &data.by_week),
                        |v| format!("{v:.0}")))
                    (column_chart("chart-response", w.response_per_week, w.chart_desc, &weeks,
                        &pick(|r| r.first_response_p50, &data.by_week), |v| duration(lang, w, v)))
                    (column_chart("chart-sla", w.sla_per_week, w.chart_desc, &weeks,
                        &pick(|r| r.first_response_within_sla, &data.by_week), |v| format!("{} %", decimal(lang, v * 100.0, 0))))
                    (table(lang, w, "by-week", w.trends, "week", w.week, &data.by_week))

                    h2 { (w.districts) }
                    (bar_chart("chart-districts", w.cases_per_district, w.chart_desc, &areas, &pick(|r| r.cases, &data.by_area)))
                    (table(lang, w, "by-area", w.by_area, "area", w.area, &data.by_area))

                    h2 { (w.by_topic) }
                    (table(lang, w, "by-topic", w.by_topic, "topic", w.topic, &data.by_topic))
                    h2 { (w.by_channel) }
                    (table(lang, w, "by-channel", w.by_channel, "channel", w.channel, &data.by_channel))
                    h2 { (w.by_hour) }
                    (table(lang, w, "by-hour", w.by_hour, "hour", w.hour, &data.by_hour))
                    @if let Some(rows) = &data.by_responder {
                        h2 { (w.by_responder) }
                        (table(lang, w, "by-responder", w.by_responder, "responder", w.responder, rows))
                    }

                    h2 { (w.data) }
                    p { (w.data_intro) }
                    ul.downloads {
                        li { a href=(format!("/open/data.json?{period_query}")) { "JSON" } }
                        li { a href=(format!("/open/data.csv?{period_query}")) { "CSV" } }
                        li { a href="/open/schema.json" { (w.schema) } }
                    }
                }
            }
        }
    }
    .into_string()
}
