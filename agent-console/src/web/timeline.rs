//! Timeline events in plain words, with the routing reason where there is
//! one ("assigned to Aino: knows the area and topic"), the acknowledgement
//! window the owner has, and what the rules did when it passed ("Mikko did
//! not acknowledge within 60 s; no colleague present: stays with Mikko,
//! lead alerted").

use batline_core::{
    domain::{Language, Priority, SlaTarget},
    store::events::CaseEvent,
};

use super::{city_lists::CityLists, i18n::ui};
use serde_json::Value;

/// (kind, Finnish, Swedish, English).
const LABELS: &[(&str, &str, &str, &str)] = &[
    ("opened", "Tapaus avattiin", "Ärendet öppnades", "Case opened"),
    ("assigned", "Vastuuhenkilö nimettiin", "Ansvarig utsågs", "Owner assigned"),
    ("resident_message", "Asukkaan viesti", "Meddelande från invånaren", "Message from the resident"),
    ("auto_replied", "Automaattinen vastaus lähti", "Automatiskt svar skickades", "Automatic reply sent"),
    ("replied", "Vastaus asukkaalle", "Svar till invånaren", "Reply to the resident"),
    ("delivery_failed", "Viestin toimitus epäonnistui", "Meddelandet kunde inte levereras", "Message delivery failed"),
    ("merged", "Yhdistettiin tapaukseen", "Sammanslaget med ärendet", "Merged into case"),
    ("merged_in", "Tähän yhdistettiin tapaus", "Hit slogs ärendet", "Case merged into this one"),
    ("unmerged", "Yhdistäminen peruttiin", "Sammanslagningen ångrades", "Merge undone"),
    (
        "resident_linked",
        "Asukas yhdistettiin: sama henkilö kuin tapauksessa",
        "Invånaren kopplades: samma person som i ärendet",
        "Resident linked: the same person as in case",
    ),
    (
        "contact_confirmed",
        "Asukas vahvisti yhteystiedon koodilla",
        "Invånaren bekräftade en kontaktuppgift med en kod",
        "The resident confirmed a contact with a code",
    ),
    (
        "email_auto_reply",
        "Automaattinen sähköpostivastaus (ei vastata)",
        "Automatiskt e-postsvar (besvaras inte)",
        "Automatic email reply (not answered)",
    ),
    ("resolved", "Ratkaistu", "Löst", "Resolved"),
    ("acknowledged", "Kuitattu", "Kvitterat", "Acknowledged"),
    ("ack_missed", "Kuittaus myöhästyi", "Kvitteringen försenades", "Acknowledgement missed"),
    ("handoff_offered", "Luovutusta tarjottiin", "Överlämning erbjöds", "Hand-off offered"),
    ("handoff_accepted", "Luovutus hyväksyttiin", "Överlämningen godtogs", "Hand-off accepted"),
    ("handoff_declined", "Luovutuksesta kieltäydyttiin", "Överlämningen avböjdes", "Hand-off declined"),
    ("handoff_expired", "Luovutustarjous raukesi", "Överlämningserbjudandet gick ut", "Hand-off offer lapsed"),
    (
        "handoff_withdrawn",
        "Luovutustarjous peruttiin, koska vuoro päättyi",
        "Överlämningserbjudandet drogs tillbaka när tjänsten slutade",
        "Hand-off offer withdrawn: someone went off duty",
    ),
    ("duty_changed", "Vastaaja lähti vuorosta", "Svararen gick ur tjänst", "Owner went off duty"),
    ("call_received", "Puhelu tuli", "Samtal kom in", "Call received"),
    (
        "call_dialled",
        "Puhelu yhdistettiin vastaajalle",
        "Samtalet kopplades till svararen",
        "Call put through to the owner",
    ),
    ("call_connected", "Puhelu yhdistyi", "Samtalet kopplades", "Call connected"),
    ("call_unanswered", "Puheluun ei vastattu", "Samtalet besvarades inte", "Call not answered"),
    ("call_status", "Puhelun tila", "Samtalets status", "Call status"),
    ("voicemail", "Ääniviesti", "Röstmeddelande", "Voice message"),
    ("call_back_requested", "Takaisinsoitto luvattiin", "Återuppringning utlovades", "Call-back promised"),
    ("call_back_started", "Takaisinsoitto aloitettiin", "Återuppringning påbörjades", "Call-back started"),
    ("call_back_connected", "Takaisinsoitto yhdistyi", "Återuppringningen kopplades", "Call-back connected"),
    (
        "call_back_unanswered",
        "Takaisinsoittoon ei vastattu",
        "Återuppringningen besvarades inte",
        "Call-back not answered",
    ),
    ("call_back_missed", "Takaisinsoitto myöhästyi", "Återuppringningen försenades", "Call-back missed"),
    ("satisfaction", "Asukkaan arvio", "Invånarens bedömning", "Resident's rating"),
    ("reopened", "Avattiin uudelleen", "Öppnades igen", "Reopened"),
    ("sla_warning", "SLA-raja lähestyy", "SLA-gränsen närmar sig", "SLA deadline near"),
    ("sla_breached", "SLA-raja ylittyi", "SLA-gränsen överskreds", "SLA deadline missed"),
    ("note", "Sisäinen muistiinpano", "Intern anteckning", "Internal note"),
    ("classified", "Luokiteltiin", "Klassificerades", "Classified"),
    ("located", "Paikka asetettiin", "Platsen angavs", "Place set"),
    (
        "auto_classified",
        "Luokiteltiin viestin sanoista",
        "Klassificerades utifrån meddelandet",
        "Classified from the message",
    ),
];

/// (rule or preference, Finnish, Swedish, English): why the owner was chosen.
const REASONS: &[(&str, &str, &str, &str)] = &[
    ("only_candidate", "ainoa vapaa vastaaja", "den enda lediga svararen", "the only responder free"),
    ("present", "paikalla konsolillaan", "på plats vid sin konsol", "at their console now"),
    ("at_walk_in_point", "paikalla asiointipisteessä", "på plats vid servicepunkten", "on site at the walk-in desk"),
    ("area_and_topic", "tuntee alueen ja aiheen", "känner området och ämnet", "knows the area and topic"),
    (
        "previous_responder",
        "hoiti asukkaan edellisen tapauksen",
        "skötte invånarens förra ärende",
        "handled the resident's previous case",
    ),
    ("least_load", "vähiten avoimia tapauksia", "minst antal öppna ärenden", "fewest open cases"),
    ("longest_idle", "pisimpään ilman uutta tapausta", "längst utan nytt ärende", "longest without a new case"),
    ("tie", "tasapeli", "oavgjort", "a tie"),
    (
        "not_mid_assignment",
        "yhtä sopiva; edellä olevat saivat juuri toisen tapauksen",
        "lika lämplig; de före fick just ett annat ärende",
        "as suited; those ahead were just being given another case",
    ),
    (
        "over_capacity",
        "kaikki täynnä; vähiten kuormitettu",
        "alla fulla; minst belastad",
        "everyone full; least loaded",
    ),
    (
        "other_language",
        "kukaan ei puhu kieltä; vähiten kuormitettu",
        "ingen talar språket; minst belastad",
        "nobody speaks the language; least loaded",
    ),
    ("shift_lead", "ei päivystäjiä; vuoron johtaja", "ingen i tjänst; skiftledaren", "nobody on duty; the shift lead"),
    (
        "city_lead",
        "ei päivystäjiä; kaupungin vuoron johtaja",
        "ingen i tjänst; stadens skiftledare",
        "nobody on duty; the city shift lead",
    ),
    ("backstop", "ei ketään muuta; varahenkilö", "ingen annan; reserven", "nobody else; the backstop"),
    ("handoff", "otti luovutuksen vastaan", "tog emot överlämningen", "accepted the hand-off"),
    ("lead_reassigned", "vuoron johto siirsi", "skiftledningen flyttade", "reassigned by a lead"),
];

fn pick(lang: Language, row: &(&str, &'static str, &'static str, &'static str)) -> &'static str {
    match lang {
        Language::Fi => row.1,
        Language::Sv => row.2,
        Language::En => row.3,
    }
}

/// What happened, in `lang`.
pub fn label(lang: Language, kind: &str) -> String {
    LABELS.iter().find(|row| row.0 == kind).map_or_else(|| kind.replace('_', " "), |row| pick(lang, row).to_owned())
}

fn reason(lang: Language, key: &str) -> Option<&'static str> {
    REASONS.iter().find(|row| row.0 == key).map(|row| pick(lang, row))
}

fn text(data: &Value, key: &str) -> Option<String> {
    match data.get(key)? {
        Value::String(s) if !s.is_empty() => Some(s.clone()),
        Value::Number(n) => Some(n.to_string()),
        _ => None,
    }
}

/// A missed acknowledgement and the rule applied, in `lang`; `None` for
/// events recorded before the rule was written down with them.
fn missed(lang: Language, data: &Value) -> Option<String> {
    let outcome = text(data, "outcome")?;
    let owner = text(data, "owner_name").unwrap_or_else(|| "?".to_owned());
    let window = text(data, "window_seconds").unwrap_or_else(|| "?".to_owned());
    let missed = match lang {
        Language::Fi => format!("{owner} ei kuitannut {window} sekunnin kuluessa"),
        Language::Sv => format!("{owner} kvitterade inte inom {window} sekunder"),
        Language::En => format!("{owner} did not acknowledge within {window} s"),
    };
    let rule = match outcome.as_str() {
        "moved" => {
            let to = text(data, "to_name").unwrap_or_else(|| "?".to_owned());
            match lang {
                Language::Fi => format!("siirtyi paikalla olevalle kollegalle: {to}"),
                Language::Sv => format!("flyttades till en kollega på plats: {to}"),
                Language::En => format!("moved to a colleague who is present: {to}"),
            }
        }
        _ => {
            let lead = text(data, "raised_to_name").map(|l| format!(" ({l})")).unwrap_or_default();
            match lang {
                Language::Fi => {
                    format!("ketään ei ole paikalla: jää vastaajalle {owner}, vuoron johto hälytetty{lead}")
                }
                Language::Sv => format!("ingen kollega på plats: stannar hos {owner}, skiftledningen larmad{lead}"),
                Language::En => format!("no colleague present: stays with {owner}, lead alerted{lead}"),
            }
        }
    };
    Some(format!("{missed}; {rule}"))
}

/// The acknowledgement window a new owner was given, in `lang`.
fn window(lang: Language, data: &Value) -> Option<String> {
    let seconds = text(data, "ack_within_seconds")?;
    Some(match lang {
        Language::Fi => format!("kuitattava {seconds} sekunnin kuluessa"),
        Language::Sv => format!("ska kvitteras inom {seconds} sekunder"),
        Language::En => format!("to acknowledge within {seconds} s"),
    })
}

/// A classification, what it is now and what it was, in `lang`.
fn classified(lang: Language, lists: &CityLists, data: &Value) -> Option<String> {
    let before = data.get("previous")?;
    let (topic, area, priority) = match lang {
        Language::Fi => ("aihe", "alue", "kiireellisyys"),
        Language::Sv => ("ämne", "område", "brådska"),
        Language::En => ("topic", "area", "priority"),
    };
    let was = match lang {
        Language::Fi => "ennen",
        Language::Sv => "förut",
        Language::En => "was",
    };
    let value = |data: &Value, key: &str| text(data, key).unwrap_or_else(|| "–".to_owned());
    let named = |data: &Value, key: &str| match text(data, key) {
        Some(code) => name_of(lang, lists, key, &code),
        None => "–".to_owned(),
    };
    Some(
        [("topic", topic), ("area", area), ("priority", priority)]
            .iter()
            .filter(|(key, _)| value(data, key) != value(before, key))
            .map(|(key, name)| format!("{name} {} ({was} {})", named(data, key), named(before, key)))
            .collect::<Vec<_>>()
            .join(", "),
    )
}

/// What filing heard in the resident's words, and the words that decided
/// it, in `lang`: "topic streets (0.82: katuvalo, rikki); area Kallio
/// (Fleminginkatu 12); priority urgent (kaasu)".
fn heard(lang: Language, lists: &CityLists, data: &Value) -> String {
    let words = |key: &str| -> String {
        data.get(key)
            .and_then(Value::as_array)
            .map(|w| w.iter().filter_map(Value::as_str).collect::<Vec<_>>().join(", "))
            .unwrap_or_default()
    };
    let (topic_name, area_name, priority_name, unsure) = match lang {
        Language::Fi => ("aihe", "alue", "kiireellisyys", "ei varma, vastaaja valitsee"),
        Language::Sv => ("ämne", "område", "brådska", "osäkert, svararen väljer"),
        Language::En => ("topic", "area", "priority", "not sure, the responder chooses"),
    };
    let mut parts = Vec::new();
    match text(data, "topic_heard") {
        Some(topic) => {
            let confidence = text(data, "topic_confidence").unwrap_or_default();
            let confidence = if lang == Language::En { confidence } else { confidence.replace('.', ",") };
            let topic = lists.topic(&topic, lang);
            parts.push(format!("{topic_name} {topic} ({confidence}: {})", words("topic_words")));
        }
        None => parts.push(format!("{topic_name}: {unsure}")),
    }
    if let Some(place) = text(data, "place") {
        match text(data, "area") {
            Some(area) => {
                let area = lists.district(&area, lang);
                parts.push(format!("{area_name} {area} ({place}: {})", words("place_words")));
            }
            None => parts.push(format!("{area_name}: {unsure} ({place})")),
        }
    }
    if let Some(priority) = text(data, "priority").filter(|p| p != "normal") {
        let priority = name_of(lang, lists, "priority", &priority);
        parts.push(format!("{priority_name} {priority} ({})", words("priority_words")));
    }
    parts.join("; ")
}

/// The particulars worth reading: who, why, what was said.
/// A topic's, district's or priority's code as the reader reads it.
fn name_of(lang: Language, lists: &CityLists, key: &str, code: &str) -> String {
    match key {
        "topic" => lists.topic(code, lang).to_owned(),
        "area" => lists.district(code, lang).to_owned(),
        "priority" => code.parse::<Priority>().map_or_else(|_| code.to_owned(), |p| ui(lang).priority(p).to_owned()),
        // An SLA clock: "first response", not `first_response`.
        "target" => match code.parse::<SlaTarget>() {
            Ok(SlaTarget::FirstResponse) => ui(lang).sla_first_response.to_owned(),
            Ok(SlaTarget::Resolution) => ui(lang).sla_resolution.to_owned(),
            Err(_) => code.to_owned(),
        },
        _ => code.to_owned(),
    }
}

/// What an event says beyond its label, in `lang`, naming topics and
/// districts from `lists`.
pub fn detail(lang: Language, lists: &CityLists, event: &CaseEvent) -> Option<String> {
    let data = &event.data;
    if event.kind == "ack_missed"
        && let Some(sentence) = missed(lang, data)
    {
        return Some(sentence);
    }
    if event.kind == "classified" {
        return classified(lang, lists, data);
    }
    if event.kind == "auto_classified" {
        return Some(heard(lang, lists, data));
    }
    if event.kind == "opened"
        && let Some(number) = text(data, "service_request_id")
    {
        return Some(open311_report(lang, &number, data.get("reporter")));
    }
    if event.kind == "email_auto_reply" {
        // "Automaattinen vastaus: Penkki rikki" – "Olen lomalla 14.12. asti."
        let subject = text(data, "subject").map(|s| format!("“{s}”"));
        let words = text(data, "text").map(|t| format!("“{t}”"));
        return Some([subject, words].into_iter().flatten().collect::<Vec<_>>().join(" – ")).filter(|d| !d.is_empty());
    }
    if event.kind == "contact_confirmed" {
        // "puhelinnumero" / "e-postadress": what they confirmed, not the
        // address itself, which the case's facts show.
        let what = match (text(data, "kind")?.as_str(), lang) {
            ("phone", Language::Fi) => "puhelinnumero",
            ("phone", Language::Sv) => "telefonnummer",
            ("phone", Language::En) => "phone number",
            (_, Language::Fi) => "sähköpostiosoite",
            (_, Language::Sv) => "e-postadress",
            (_, Language::En) => "email address",
        };
        return Some(what.to_owned());
    }
    if event.kind == "located" {
        // "Fleminginkatu 12, Kallio": the place and its district.
        let place = text(data, "place")?;
        let area = text(data, "area").map(|a| format!(", {}", lists.district(&a, lang))).unwrap_or_default();
        return Some(format!("{place}{area}"));
    }
    let mut parts = Vec::new();
    if let Some(owner) = text(data, "owner_name") {
        parts.push(owner);
    }
    if let Some(to) = text(data, "to_name") {
        parts.push(format!("→ {to}"));
    }
    let why = text(data, "decided_by").or_else(|| text(data, "rule"));
    if let Some(why) = why.as_deref().and_then(|w| reason(lang, w)) {
        parts.push(format!("({why})"));
    }
    if let Some(window) = window(lang, data) {
        parts.push(format!("– {window}"));
    }
    for key in
        ["into", "from", "with", "subject", "summary", "note", "text", "reason", "score", "target", "status", "error"]
    {
        if let Some(value) = text(data, key) {
            parts.push(name_of(lang, lists, key, &value));
        }
    }
    (!parts.is_empty()).then(|| parts.join(" "))
}

/// "Open311 request 12 – reporter: Maija, maija@example.fi": how the
/// owner can reach whoever reported it, as far as they said.
fn open311_report(lang: Language, number: &str, reporter: Option<&Value>) -> String {
    let name: Vec<String> =
        ["first_name", "last_name"].iter().filter_map(|k| reporter.and_then(|r| text(r, k))).collect();
    let mut contact: Vec<String> = Vec::new();
    if !name.is_empty() {
        contact.push(name.join(" "));
    }
    contact.extend(["email", "phone"].iter().filter_map(|k| reporter.and_then(|r| text(r, k))));
    let (request, reporter, nobody) = match lang {
        Language::Fi => ("Open311-pyyntö", "ilmoittaja", "ilmoittaja ei jättänyt yhteystietoja"),
        Language::Sv => ("Open311-ärende", "anmälare", "anmälaren lämnade inga kontaktuppgifter"),
        Language::En => ("Open311 request", "reporter", "the reporter left no contact details"),
    };
    if contact.is_empty() {
        format!("{request} {number} – {nobody}")
    } else {
        format!("{request} {number} – {reporter}: {}", contact.join(", "))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_open311_report_names_its_reporter_s_contact() {
        let e = event(
            "opened",
            serde_json::json!({ "channel": "open311", "service_request_id": "12",
                "reporter": { "first_name": "Maija", "email": "maija@example.fi" } }),
        );
        assert_eq!(
            detail(Language::Fi, &e).as_deref(),
            Some("Open311-pyyntö 12 – ilmoittaja: Maija, maija@example.fi")
        );
        let anonymous = event("opened", serde_json::json!({ "service_request_id": "13", "reporter": {} }));
        assert_eq!(
            detail(Language::En, &anonymous).as_deref(),
            Some("Open311 request 13 – the reporter left no contact details")
        );
    }

    /// [`super::detail`] with no lists loaded: codes read as they are.
    fn detail(lang: Language, event: &CaseEvent) -> Option<String> {
        super::detail(lang, &CityLists::default(), event)
    }

    fn event(kind: &str, data: Value) -> CaseEvent {
        CaseEvent {
            id: 1,
            case_id: uuid::Uuid::nil(),
            kind: kind.to_owned(),
            actor_kind: batline_core::domain::ActorKind::System,
            actor_id: None,
            at: chrono::Utc::now(),
            data,
        }
    }

    #[test]
    fn routing_reasons_read_as_words() {
        let assigned = event(
            "assigned",
            serde_json::json!({"owner_name": "Aino", "rule": "eligible", "decided_by": "area_and_topic"}),
        );
        assert_eq!(label(Language::En, "assigned"), "Owner assigned");
        assert_eq!(detail(Language::En, &assigned).as_deref(), Some("Aino (knows the area and topic)"));
        assert_eq!(detail(Language::Fi, &assigned).as_deref(), Some("Aino (tuntee alueen ja aiheen)"));
        let offered = event("handoff_offered", serde_json::json!({"to_name": "Mikko", "note": "Puisto-osaaja"}));
        assert_eq!(detail(Language::Sv, &offered).as_deref(), Some("→ Mikko Puisto-osaaja"));
        let warned = event("sla_warning", serde_json::json!({"target": "first_response", "due_at": null}));
        assert_eq!(detail(Language::Sv, &warned).as_deref(), Some("Första svar"));
        let missed = event("sla_breached", serde_json::json!({"target": "resolution"}));
        assert_eq!(detail(Language::Fi, &missed).as_deref(), Some("Ratkaisu"));
        let withdrawn = event("handoff_withdrawn", serde_json::json!({"to_name": "Mikko", "because": "duty_changed"}));
        assert_eq!(label(Language::En, "handoff_withdrawn"), "Hand-off offer withdrawn: someone went off duty");
        assert_eq!(detail(Language::Fi, &withdrawn).as_deref(), Some("→ Mikko"));
        assert_eq!(label(Language::Sv, "something_new"), "something new");
    }

    #[test]
    fn a_classification_says_what_changed_and_what_it_was() {
        let classified = event(
            "classified",
            serde_json::json!({"topic": "parks", "area": "Kallio", "priority": "high",
                               "previous": {"topic": null, "area": "Kallio", "priority": "normal"}}),
        );
        assert_eq!(
            detail(Language::En, &classified).as_deref(),
            Some("topic parks (was –), priority high (was normal)")
        );
        assert!(detail(Language::Fi, &classified).is_some_and(|d| d.starts_with("aihe parks (ennen –)")));
    }

    #[test]
    fn what_filing_heard_reads_with_its_deciding_words() {
        let heard = event(
            "auto_classified",
            serde_json::json!({"topic": "streets", "topic_heard": "streets", "topic_confidence": 0.82,
                               "topic_words": ["katuvalo", "rikki"], "area": "Kallio", "place": "Fleminginkatu",
                               "place_words": ["Fleminginkadulla"], "priority": "normal", "priority_words": []}),
        );
        assert_eq!(
            detail(Language::Fi, &heard).as_deref(),
            Some("aihe streets (0,82: katuvalo, rikki); alue Kallio (Fleminginkatu: Fleminginkadulla)")
        );
        let vague = event(
            "auto_classified",
            serde_json::json!({"topic_heard": null, "priority": "urgent", "priority_words": ["gas"]}),
        );
        assert_eq!(
            detail(Language::En, &vague).as_deref(),
            Some("topic: not sure, the responder chooses; priority urgent (gas)")
        );
    }

    #[test]
    fn a_missed_acknowledgement_says_the_window_and_the_rule_applied() {
        let stayed = event(
            "ack_missed",
            serde_json::json!({"owner_name": "Mikko", "window_seconds": 60, "outcome": "stayed", "raised_to_name": "Pormestari"}),
        );
        assert_eq!(
            detail(Language::En, &stayed).as_deref(),
            Some(
                "Mikko did not acknowledge within 60 s; no colleague present: stays with Mikko, lead alerted (Pormestari)"
            )
        );
        assert!(detail(Language::Fi, &stayed).is_some_and(|d| d.contains("jää vastaajalle Mikko")));
        let moved = event(
            "ack_missed",
            serde_json::json!({"owner_name": "Mikko", "window_seconds": 60, "outcome": "moved", "to_name": "Linnea"}),
        );
        assert_eq!(
            detail(Language::Sv, &moved).as_deref(),
            Some("Mikko kvitterade inte inom 60 sekunder; flyttades till en kollega på plats: Linnea")
        );
        let assigned = event(
            "assigned",
            serde_json::json!({"owner_name": "Linnea", "rule": "eligible", "decided_by": "present", "ack_within_seconds": 60}),
        );
        assert_eq!(
            detail(Language::En, &assigned).as_deref(),
            Some("Linnea (at their console now) – to acknowledge within 60 s")
        );
    }
}
