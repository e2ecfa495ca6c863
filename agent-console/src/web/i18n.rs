//! The console's own words in Finnish, Swedish and English. Every text is a
//! field of [`Ui`], written once by key with its three languages side by
//! side ([`batline_core::texts!`]), so a missing translation does not compile.
//!
//! The language comes from the `lang` cookie (the switcher in the header
//! sets it), else the browser's `Accept-Language`, else Finnish.

use axum::http::{HeaderMap, header};
use batline_core::domain::{Channel, DutyStatus, Language};
use cookie::Cookie;

/// A console language.
pub type Lang = Language;

/// The cookie that keeps the chosen language.
pub const LANG_COOKIE: &str = "lang";

/// Extension methods for picking the language of a request.
pub trait FromHeaders {
    /// The language a request asks for.
    fn from_headers(headers: &HeaderMap) -> Self;
}

impl FromHeaders for Lang {
    fn from_headers(headers: &HeaderMap) -> Self {
        let chosen = headers
            .get_all(header::COOKIE)
            .iter()
            .filter_map(|v| v.to_str().ok())
            .flat_map(Cookie::split_parse)
            .filter_map(Result::ok)
            .find(|c| c.name() == LANG_COOKIE)
            .and_then(|c| c.value().parse().ok());
        if let Some(lang) = chosen {
            return lang;
        }
        // The same negotiation as the resident's pages.
        headers
            .get(header::ACCEPT_LANGUAGE)
            .and_then(|v| v.to_str().ok())
            .and_then(batline_core::language::from_accept_language)
            .unwrap_or_default()
    }
}

batline_core::texts! {
    /// Every text of the console in one language.
    #[derive(Debug)]
    pub struct Ui;

    /// The texts for `lang`.
    pub fn ui;

    code {
        fi: "fi",
        sv: "sv",
        en: "en",
    }

    language_name {
        fi: "Suomi",
        sv: "Svenska",
        en: "English",
    }

    skip_to_content {
        fi: "Siirry sisältöön",
        sv: "Hoppa till innehållet",
        en: "Skip to content",
    }

    main_nav {
        fi: "Päävalikko",
        sv: "Huvudmeny",
        en: "Main menu",
    }

    nav_inbox {
        fi: "Omat tapaukset",
        sv: "Mina ärenden",
        en: "My cases",
    }

    nav_lead {
        fi: "Vuoron johto",
        sv: "Skiftledning",
        en: "Shift lead",
    }

    nav_dashboard {
        fi: "SLA-näkymä",
        sv: "SLA-översikt",
        en: "SLA dashboard",
    }

    nav_admin {
        fi: "Ylläpito",
        sv: "Administration",
        en: "Administration",
    }

    nav_walk_in {
        fi: "Asiointipiste",
        sv: "Servicepunkt",
        en: "Walk-in desk",
    }

    signed_in_as {
        fi: "Kirjautuneena",
        sv: "Inloggad som",
        en: "Signed in as",
    }

    sign_in_title {
        fi: "Kirjaudu Batlineen",
        sv: "Logga in på Batline",
        en: "Sign in to Batline",
    }

    sign_in_intro {
        fi: "Vastaajien työpöytä: omat tapaukset, vastaukset ja luovutukset.",
        sv: "Svararnas arbetsyta: egna ärenden, svar och överlämningar.",
        en: "The responders' workplace: your cases, replies and hand-offs.",
    }

    username {
        fi: "Käyttäjätunnus",
        sv: "Användarnamn",
        en: "Username",
    }

    password {
        fi: "Salasana",
        sv: "Lösenord",
        en: "Password",
    }

    sign_in_button {
        fi: "Kirjaudu",
        sv: "Logga in",
        en: "Sign in",
    }

    sign_out {
        fi: "Kirjaudu ulos",
        sv: "Logga ut",
        en: "Sign out",
    }

    bad_credentials {
        fi: "Väärä käyttäjätunnus tai salasana.",
        sv: "Fel användarnamn eller lösenord.",
        en: "Wrong username or password.",
    }

    too_many_attempts {
        fi: "Liian monta kirjautumisyritystä tästä osoitteesta. Yritä hetken kuluttua uudelleen",
        sv: "För många inloggningsförsök från den här adressen. Försök igen om en stund",
        en: "Too many sign-in attempts from your address. Try again in a moment",
    }

    sign_in_locked {
        fi: "Liian monta epäonnistunutta kirjautumista tällä käyttäjätunnuksella tästä osoitteesta. Yritä myöhemmin uudelleen tai kirjaudu toisesta verkosta",
        sv: "För många misslyckade inloggningar med det här användarnamnet från den här adressen. Försök igen senare eller logga in från ett annat nätverk",
        en: "Too many failed sign-ins for this username from your address. Try again later, or sign in from another network",
    }

    city_sign_in {
        fi: "Kirjaudu kaupungin tunnuksella",
        sv: "Logga in med stadens konto",
        en: "Sign in with your city account",
    }

    or_with_password {
        fi: "tai käyttäjätunnuksella ja salasanalla",
        sv: "eller med användarnamn och lösenord",
        en: "or with a username and password",
    }

    city_sign_in_failed {
        fi: "Kirjautuminen kaupungin tunnuksella ei onnistunut. Yritä uudelleen.",
        sv: "Inloggningen med stadens konto misslyckades. Försök igen.",
        en: "Signing in with your city account did not work. Try again.",
    }

    city_sign_in_no_role {
        fi: "Kaupungin tunnuksellasi ei ole oikeutta Batlineen. Pyydä esihenkilöäsi lisäämään sinut oikeaan ryhmään.",
        sv: "Ditt stadskonto har ingen behörighet till Batline. Be din chef att lägga till dig i rätt grupp.",
        en: "Your city account has no access to Batline. Ask your lead to add you to the right group.",
    }

    password_sign_in_off {
        fi: "Salasanalla kirjautuminen on poistettu käytöstä. Kirjaudu kaupungin tunnuksella.",
        sv: "Inloggning med lösenord är avstängd. Logga in med stadens konto.",
        en: "Signing in with a password is switched off. Sign in with your city account.",
    }

    signing_in {
        fi: "Kirjaudutaan…",
        sv: "Loggar in…",
        en: "Signing in…",
    }

    continue_link {
        fi: "Jatka",
        sv: "Fortsätt",
        en: "Continue",
    }

    signed_out {
        fi: "Olet kirjautunut ulos.",
        sv: "Du har loggat ut.",
        en: "You have signed out.",
    }

    language_label {
        fi: "Kieli",
        sv: "Språk",
        en: "Language",
    }

    change {
        fi: "Vaihda",
        sv: "Byt",
        en: "Change",
    }

    search_label {
        fi: "Hae tapauksia",
        sv: "Sök ärenden",
        en: "Search cases",
    }

    search_placeholder {
        fi: "Tunnus, puhelin tai sanat",
        sv: "Kod, telefon eller ord",
        en: "Code, phone or words",
    }

    search_button {
        fi: "Hae",
        sv: "Sök",
        en: "Search",
    }

    change_duty {
        fi: "Vaihda tila",
        sv: "Byt status",
        en: "Change status",
    }

    change_language {
        fi: "Vaihda kieli",
        sv: "Byt språk",
        en: "Change language",
    }

    now_with {
        fi: "Tämä tapaus on nyt vastuuhenkilöllä",
        sv: "Ärendet sköts nu av",
        en: "This case is now with",
    }

    now_with_after {
        fi: "Voit lukea sen, mutta vain vastuuhenkilö voi toimia.",
        sv: "Du kan läsa det, men bara den ansvariga kan agera.",
        en: "You can read it; only its owner can act on it.",
    }

    resolve_confirm {
        fi: "Ratkaistaanko tapaus? Yhteenveto näkyy asukkaalle julkisella seurantasivulla.",
        sv: "Lösa ärendet? Sammanfattningen visas för invånaren på den offentliga spårningssidan.",
        en: "Resolve this case? The summary is shown to the resident on the public tracking page.",
    }

    resolve_public {
        fi: "Yhteenveto näkyy asukkaalle seurantasivulla ja lähetetään hänelle.",
        sv: "Sammanfattningen visas för invånaren på spårningssidan och skickas till hen.",
        en: "The summary is shown to the resident on the tracking page and sent to them.",
    }

    sms_heading_hint {
        fi: "Tekstiviesti alkaa:",
        sv: "Sms:et börjar:",
        en: "The SMS starts:",
    }
    sms_count_hint {
        fi: "merkkiä · tekstiviestejä",
        sv: "tecken · sms",
        en: "characters · SMS messages",
    }

    delivery_pending {
        fi: "odottaa",
        sv: "väntar",
        en: "waiting",
    }

    delivery_sending {
        fi: "lähtee",
        sv: "skickas",
        en: "sending",
    }

    delivery_sent {
        fi: "lähetetty",
        sv: "skickat",
        en: "sent",
    }

    delivery_delivered {
        fi: "perillä",
        sv: "levererat",
        en: "delivered",
    }

    delivery_undelivered {
        fi: "ei mennyt perille",
        sv: "inte levererat",
        en: "not delivered",
    }

    delivery_failed {
        fi: "epäonnistui",
        sv: "misslyckades",
        en: "failed",
    }

    duty_label {
        fi: "Päivystystila",
        sv: "Jourstatus",
        en: "Duty status",
    }

    duty_on {
        fi: "Päivystää",
        sv: "I tjänst",
        en: "On duty",
    }

    duty_away {
        fi: "Tauolla",
        sv: "Borta en stund",
        en: "Away",
    }

    duty_off {
        fi: "Ei vuorossa",
        sv: "Inte i tjänst",
        en: "Off duty",
    }

    unseen_label {
        fi: "uutta",
        sv: "nya",
        en: "new",
    }

    inbox_title {
        fi: "Omat tapaukset",
        sv: "Mina ärenden",
        en: "My cases",
    }

    offers_title {
        fi: "Sinulle tarjotut tapaukset",
        sv: "Ärenden som erbjuds dig",
        en: "Cases offered to you",
    }

    offer_from {
        fi: "tarjoaa sinulle tapausta",
        sv: "erbjuder dig ärendet",
        en: "offers you case",
    }

    accept {
        fi: "Ota vastaan",
        sv: "Ta emot",
        en: "Accept",
    }

    decline {
        fi: "Kieltäydy",
        sv: "Avböj",
        en: "Decline",
    }

    no_cases {
        fi: "Ei avoimia tapauksia. Uudet tulevat tähän heti.",
        sv: "Inga öppna ärenden. Nya dyker upp här direkt.",
        en: "No open cases. New ones appear here at once.",
    }

    col_case {
        fi: "Tapaus",
        sv: "Ärende",
        en: "Case",
    }

    col_channel {
        fi: "Kanava",
        sv: "Kanal",
        en: "Channel",
    }

    col_about {
        fi: "Alue ja aihe",
        sv: "Område och ämne",
        en: "Area and topic",
    }

    col_latest_words {
        fi: "Asukas kirjoitti viimeksi",
        sv: "Invånaren skrev senast",
        en: "The resident's latest words",
    }

    col_last {
        fi: "Viimeisin viesti",
        sv: "Senaste meddelande",
        en: "Last message",
    }

    col_ack {
        fi: "Kuittaus",
        sv: "Kvittering",
        en: "Acknowledgement",
    }

    col_sla {
        fi: "Seuraava SLA-raja",
        sv: "Nästa SLA-gräns",
        en: "Next SLA deadline",
    }

    col_action {
        fi: "Toiminto",
        sv: "Åtgärd",
        en: "Action",
    }

    acknowledge {
        fi: "Kuittaa",
        sv: "Kvittera",
        en: "Acknowledge",
    }

    acknowledged {
        fi: "Kuitattu",
        sv: "Kvitterat",
        en: "Acknowledged",
    }

    not_acknowledged {
        fi: "Kuittaamatta",
        sv: "Inte kvitterat",
        en: "Not acknowledged",
    }

    open_case {
        fi: "Avaa",
        sv: "Öppna",
        en: "Open",
    }

    alert_new_case {
        fi: "Uusi tapaus sinulle",
        sv: "Nytt ärende till dig",
        en: "New case for you",
    }

    alert_new_message {
        fi: "Uusi viesti asukkaalta",
        sv: "Nytt meddelande från invånaren",
        en: "New message from the resident",
    }

    alert_offer {
        fi: "Sinulle tarjotaan tapausta",
        sv: "Du erbjuds ett ärende",
        en: "A case is offered to you",
    }

    alert_sla {
        fi: "SLA-raja ylittyi",
        sv: "SLA-gränsen överskreds",
        en: "An SLA deadline was missed",
    }

    shortcuts_title {
        fi: "Pikanäppäimet",
        sv: "Kortkommandon",
        en: "Keyboard shortcuts",
    }

    shortcuts: &'static [(&'static str, &'static str)] {
        fi: &[
            ("j / k", "seuraava / edellinen tapaus"),
            ("o, Enter", "avaa tapaus"),
            ("a", "kuittaa"),
            ("r", "kirjoita vastaus"),
            ("?", "näytä tai piilota tämä ohje"),
        ],
        sv: &[
            ("j / k", "nästa / föregående ärende"),
            ("o, Enter", "öppna ärendet"),
            ("a", "kvittera"),
            ("r", "skriv svar"),
            ("?", "visa eller dölj den här hjälpen"),
        ],
        en: &[
            ("j / k", "next / previous case"),
            ("o, Enter", "open the case"),
            ("a", "acknowledge"),
            ("r", "write a reply"),
            ("?", "show or hide this help"),
        ],
    }

    case_title {
        fi: "Tapaus",
        sv: "Ärende",
        en: "Case",
    }

    status_open {
        fi: "Avoin",
        sv: "Öppet",
        en: "Open",
    }

    status_resolved {
        fi: "Ratkaistu",
        sv: "Löst",
        en: "Resolved",
    }

    owner {
        fi: "Vastuuhenkilö",
        sv: "Ansvarig",
        en: "Owner",
    }

    opened {
        fi: "Avattu",
        sv: "Öppnat",
        en: "Opened",
    }

    channel {
        fi: "Kanava",
        sv: "Kanal",
        en: "Channel",
    }

    area {
        fi: "Alue",
        sv: "Område",
        en: "Area",
    }

    topic {
        fi: "Aihe",
        sv: "Ämne",
        en: "Topic",
    }

    priority_label {
        fi: "Kiireellisyys",
        sv: "Brådska",
        en: "Priority",
    }

    priority_low {
        fi: "matala",
        sv: "låg",
        en: "low",
    }

    priority_normal {
        fi: "tavallinen",
        sv: "normal",
        en: "normal",
    }

    priority_high {
        fi: "korkea",
        sv: "hög",
        en: "high",
    }

    priority_urgent {
        fi: "kiireellinen",
        sv: "brådskande",
        en: "urgent",
    }

    classify_title {
        fi: "Aihe, alue ja kiireellisyys",
        sv: "Ämne, område och brådska",
        en: "Topic, area and priority",
    }

    classify_hint {
        fi: "Valitse kaupungin listoilta. Muutos näkyy aikajanalla ja raporteissa.",
        sv: "Välj ur stadens listor. Ändringen syns på tidslinjen och i rapporterna.",
        en: "Choose from the city's lists. The change shows on the timeline and in the reports.",
    }

    classify_button {
        fi: "Tallenna luokittelu",
        sv: "Spara klassificeringen",
        en: "Save the classification",
    }

    not_known {
        fi: "ei tiedossa",
        sv: "inte känt",
        en: "not known",
    }

    retired_topic {
        fi: "(poistunut)",
        sv: "(utgått)",
        en: "(retired)",
    }

    done_classified {
        fi: "Luokittelu tallennettu.",
        sv: "Klassificeringen sparad.",
        en: "Classification saved.",
    }

    done_located {
        fi: "Paikka asetettu.",
        sv: "Platsen angiven.",
        en: "Place set.",
    }

    place {
        fi: "Paikka",
        sv: "Plats",
        en: "Place",
    }

    locate_title {
        fi: "Missä asia on",
        sv: "Var ärendet finns",
        en: "Where the case is",
    }

    locate_hint {
        fi: "Kirjoita katuosoite, risteys tai paikan nimi, esim. Fleminginkatu 12. Kaupunginosa asetetaan sen mukaan.",
        sv: "Skriv en gatuadress, en korsning eller ett ställes namn, t.ex. Flemingsgatan 12. Stadsdelen anges enligt den.",
        en: "Type a street address, a corner or a place's name, e.g. Fleminginkatu 12. The district is set from it.",
    }

    locate_address {
        fi: "Osoite tai paikka",
        sv: "Adress eller plats",
        en: "Address or place",
    }

    locate_not_found {
        fi: "Osoitetta tai paikkaa ei löytynyt kaupungin kartalta varmasti. Kirjoita katu ja talonumero, risteys tai paikan nimi.",
        sv: "Adressen eller platsen hittades inte säkert på stadens karta. Skriv gata och husnummer, en korsning eller platsens namn.",
        en: "The address or place was not found for sure on the city's map. Type a street and house number, a corner or a place's name.",
    }

    locate_button {
        fi: "Etsi ja aseta paikka",
        sv: "Sök och ange platsen",
        en: "Find and set the place",
    }

    place_by_text {
        fi: "asukkaan viestistä",
        sv: "ur invånarens meddelande",
        en: "from the resident's message",
    }

    place_by_walk_in {
        fi: "asiointipisteen osoite",
        sv: "servicepunktens adress",
        en: "the walk-in point's address",
    }

    place_by_responder {
        fi: "vastaajan kirjoittama",
        sv: "angiven av svararen",
        en: "typed by a responder",
    }

    event_classified {
        fi: "luokitteli asian",
        sv: "klassificerade ärendet",
        en: "classified the case",
    }

    resident_language {
        fi: "Asukkaan kieli",
        sv: "Invånarens språk",
        en: "Resident's language",
    }

    resident_phone {
        fi: "Asukkaan puhelin",
        sv: "Invånarens telefon",
        en: "Resident's phone",
    }

    resident_email {
        fi: "Asukkaan sähköposti",
        sv: "Invånarens e-post",
        en: "Resident's email",
    }

    attachments {
        fi: "Liitteet",
        sv: "Bilagor",
        en: "Attachments",
    }

    attachment_download {
        fi: "Liitteet avataan latauksina: avaa vain tiedostot, joita odotit.",
        sv: "Bilagor öppnas som nedladdningar: öppna bara filer du väntade dig.",
        en: "Attachments open as downloads: open only files you expected.",
    }

    none {
        fi: "–",
        sv: "–",
        en: "–",
    }

    conversation {
        fi: "Keskustelu",
        sv: "Samtal",
        en: "Conversation",
    }

    from_resident {
        fi: "Asukas",
        sv: "Invånare",
        en: "Resident",
    }

    internal_note {
        fi: "Sisäinen muistiinpano",
        sv: "Intern anteckning",
        en: "Internal note",
    }

    auto_reply {
        fi: "Automaattinen vastaus",
        sv: "Automatiskt svar",
        en: "Automatic reply",
    }

    notice {
        fi: "Ilmoitus asukkaalle",
        sv: "Meddelande till invånaren",
        en: "Notice to the resident",
    }

    call {
        fi: "Puhelu",
        sv: "Samtal",
        en: "Call",
    }

    recording {
        fi: "Ääniviesti",
        sv: "Röstmeddelande",
        en: "Voice message",
    }

    seconds {
        fi: "s",
        sv: "s",
        en: "s",
    }

    no_messages {
        fi: "Ei viestejä vielä.",
        sv: "Inga meddelanden ännu.",
        en: "No messages yet.",
    }

    reply_title {
        fi: "Vastaa asukkaalle",
        sv: "Svara invånaren",
        en: "Reply to the resident",
    }

    reply_hint {
        fi: "Vastaus lähtee asukkaalle kanavassa",
        sv: "Svaret går till invånaren via kanalen",
        en: "The reply goes to the resident by",
    }

    open311_reply_public {
        fi: "Se julkaistaan pyynnön tilatietona Open311-rajapinnassa, jota kuka tahansa voi lukea: älä kirjoita siihen henkilötietoja.",
        sv: "Det publiceras som ärendets statusanteckning i Open311-gränssnittet, som vem som helst kan läsa: skriv inga personuppgifter i det.",
        en: "It is published as the request's status note in the Open311 API, which anyone can read: write nothing personal in it.",
    }

    send_reply {
        fi: "Lähetä vastaus",
        sv: "Skicka svar",
        en: "Send reply",
    }

    canned_label {
        fi: "Valmis vastaus",
        sv: "Färdigt svar",
        en: "Canned reply",
    }

    canned_none {
        fi: "Valitse valmis vastaus…",
        sv: "Välj ett färdigt svar…",
        en: "Pick a canned reply…",
    }

    note_title {
        fi: "Sisäinen muistiinpano",
        sv: "Intern anteckning",
        en: "Internal note",
    }

    note_hint {
        fi: "Näkyy vain työntekijöille; ei lähde asukkaalle.",
        sv: "Syns bara för personalen; skickas inte till invånaren.",
        en: "Only staff see it; it is never sent to the resident.",
    }

    add_note {
        fi: "Tallenna muistiinpano",
        sv: "Spara anteckningen",
        en: "Save note",
    }

    handoff_title {
        fi: "Luovuta kollegalle",
        sv: "Lämna över till en kollega",
        en: "Hand off to a colleague",
    }

    handoff_hint {
        fi: "Tapaus pysyy sinulla, kunnes kollega ottaa sen vastaan.",
        sv: "Ärendet är ditt tills kollegan tar emot det.",
        en: "The case stays yours until the colleague accepts it.",
    }

    handoff_to {
        fi: "Kenelle",
        sv: "Till",
        en: "To",
    }

    handoff_note {
        fi: "Viesti kollegalle",
        sv: "Meddelande till kollegan",
        en: "Note for the colleague",
    }

    handoff_send {
        fi: "Tarjoa tapausta",
        sv: "Erbjud ärendet",
        en: "Offer the case",
    }

    handoff_pending {
        fi: "Luovutustarjous odottaa vastausta",
        sv: "Ett överlämningserbjudande väntar på svar",
        en: "A hand-off offer is waiting for an answer",
    }

    nobody_to_hand_to {
        fi: "Kukaan muu ei ole nyt päivystämässä.",
        sv: "Ingen annan är i tjänst just nu.",
        en: "Nobody else is on duty right now.",
    }

    resolve_title {
        fi: "Ratkaise",
        sv: "Lös",
        en: "Resolve",
    }

    summary {
        fi: "Yhteenveto",
        sv: "Sammanfattning",
        en: "Summary",
    }

    resolve_hint {
        fi: "Yhteenveto lähtee asukkaalle.",
        sv: "Sammanfattningen skickas till invånaren.",
        en: "The summary is sent to the resident.",
    }

    resolve_button {
        fi: "Merkitse ratkaistuksi",
        sv: "Markera som löst",
        en: "Mark resolved",
    }

    reopen_title {
        fi: "Avaa uudelleen",
        sv: "Öppna igen",
        en: "Reopen",
    }

    reopen_reason {
        fi: "Miksi tapaus avataan uudelleen",
        sv: "Varför ärendet öppnas igen",
        en: "Why the case is reopened",
    }

    reopen_button {
        fi: "Avaa tapaus uudelleen",
        sv: "Öppna ärendet igen",
        en: "Reopen the case",
    }

    call_back_button {
        fi: "Soita asukkaalle",
        sv: "Ring invånaren",
        en: "Call the resident",
    }

    call_back_hint {
        fi: "Batline soittaa ensin sinun puhelimeesi ja yhdistää sitten asukkaalle.",
        sv: "Batline ringer först din telefon och kopplar sedan till invånaren.",
        en: "Batline rings your phone first, then connects you to the resident.",
    }

    call_back_owed {
        fi: "Takaisinsoitto luvattu viimeistään",
        sv: "Återuppringning utlovad senast",
        en: "Call-back promised by",
    }

    sla_title {
        fi: "SLA",
        sv: "SLA",
        en: "SLA",
    }

    sla_first_response {
        fi: "Ensimmäinen vastaus",
        sv: "Första svar",
        en: "First response",
    }

    sla_resolution {
        fi: "Ratkaisu",
        sv: "Lösning",
        en: "Resolution",
    }

    sla_met {
        fi: "ajoissa",
        sv: "i tid",
        en: "met",
    }

    sla_breached {
        fi: "myöhässä",
        sv: "försenat",
        en: "missed",
    }

    sla_due {
        fi: "määräaika",
        sv: "senast",
        en: "due",
    }

    earlier_cases {
        fi: "Asukkaan aiemmat tapaukset",
        sv: "Invånarens tidigare ärenden",
        en: "The resident's earlier cases",
    }

    no_earlier_cases {
        fi: "Ei aiempia tapauksia.",
        sv: "Inga tidigare ärenden.",
        en: "No earlier cases.",
    }

    timeline {
        fi: "Tapahtumat",
        sv: "Händelser",
        en: "Timeline",
    }

    read_only {
        fi: "Tämä tapaus on toisen vastaajan. Voit lukea sen, mutta vain vastuuhenkilö voi toimia.",
        sv: "Ärendet tillhör en annan svarare. Du kan läsa det, men bara den ansvariga kan agera.",
        en: "This case belongs to another responder. You can read it; only its owner can act on it.",
    }

    done_acknowledged {
        fi: "Kuitattu.",
        sv: "Kvitterat.",
        en: "Acknowledged.",
    }

    done_replied {
        fi: "Vastaus lähti asukkaalle.",
        sv: "Svaret skickades till invånaren.",
        en: "The reply went to the resident.",
    }

    done_noted {
        fi: "Muistiinpano tallennettu.",
        sv: "Anteckningen sparades.",
        en: "Note saved.",
    }

    done_offered {
        fi: "Tapausta tarjottu. Se on sinun, kunnes kollega ottaa sen vastaan.",
        sv: "Ärendet erbjöds. Det är ditt tills kollegan tar emot det.",
        en: "Case offered. It stays yours until your colleague accepts it.",
    }

    done_accepted {
        fi: "Tapaus on nyt sinun.",
        sv: "Ärendet är nu ditt.",
        en: "The case is yours now.",
    }

    done_declined {
        fi: "Kieltäydyit tarjouksesta.",
        sv: "Du avböjde erbjudandet.",
        en: "You declined the offer.",
    }

    done_resolved {
        fi: "Tapaus ratkaistu ja asukkaalle kerrottu.",
        sv: "Ärendet är löst och invånaren har informerats.",
        en: "Case resolved and the resident told.",
    }

    done_merged {
        fi: "Tapaukset yhdistetty: molemmat keskustelut ovat nyt tässä tapauksessa.",
        sv: "Ärendena slogs ihop: båda samtalen finns nu i det här ärendet.",
        en: "Cases merged: both conversations are now on this case.",
    }

    done_unmerged {
        fi: "Yhdistäminen peruttu: tapaus on taas omanaan auki.",
        sv: "Sammanslagningen ångrades: ärendet är öppet för sig igen.",
        en: "Merge undone: the case is open on its own again.",
    }

    status_merged {
        fi: "Yhdistetty",
        sv: "Sammanslaget",
        en: "Merged",
    }

    merge_title {
        fi: "Yhdistä toiseen tapaukseen",
        sv: "Slå ihop med ett annat ärende",
        en: "Merge into another case",
    }

    merge_hint {
        fi: "Kun sama asia on tullut kahta kautta (esim. sama ihminen tekstiviestillä ja sähköpostilla). Tämä tapaus suljetaan yhdistettynä, sen viestit näkyvät toisen tapauksen keskustelussa ja sen seurantakoodi ohjaa sinne. Sinun on omistettava molemmat.",
        sv: "När samma sak kommit på två vägar (t.ex. samma person per sms och e-post). Det här ärendet stängs som sammanslaget, dess meddelanden syns i det andra ärendets samtal och dess spårningskod leder dit. Du måste äga båda.",
        en: "When one matter came in twice (the same person by SMS and by email, say). This case is closed as merged, its messages show in the other case's conversation and its tracking code leads there. You must own both.",
    }

    merge_into_code {
        fi: "Toisen tapauksen seurantakoodi",
        sv: "Det andra ärendets spårningskod",
        en: "The other case's tracking code",
    }

    merge_reason {
        fi: "Miksi ne ovat sama asia",
        sv: "Varför de är samma sak",
        en: "Why they are one matter",
    }

    merge_button {
        fi: "Yhdistä tapaukset",
        sv: "Slå ihop ärendena",
        en: "Merge the cases",
    }

    link_title {
        fi: "Sama henkilö kuin toisessa tapauksessa",
        sv: "Samma person som i ett annat ärende",
        en: "The same person as in another case",
    }

    link_hint {
        fi: "Kun asukas on ottanut yhteyttä eri kanavista (esim. tekstiviestillä ja chatissa) ja on sama ihminen. Heistä tulee yksi asukas: kaikki puhelinnumerot, sähköpostit ja chat sekä kaikki tapaukset ovat yhdessä, ja hänelle voi vastata missä tahansa niistä. Jos molemmilla on avoin tapaus, yhdistä tapaukset ensin.",
        sv: "När invånaren har hört av sig via olika kanaler (t.ex. sms och chatt) och är samma person. De blir en invånare: alla telefonnummer, e-postadresser och chatten samt alla ärenden hör ihop, och hen kan få svar i vilken som helst av dem. Om båda har ett öppet ärende, slå ihop ärendena först.",
        en: "When the resident has been in touch on different channels (by SMS and in the chat, say) and is one person. They become one resident: every phone, email address and chat and every case together, and they can be answered on any of them. If both have an open case, merge the cases first.",
    }

    link_with_code {
        fi: "Hänen toisen tapauksensa seurantakoodi",
        sv: "Spårningskoden för hens andra ärende",
        en: "The tracking code of their other case",
    }

    link_reason {
        fi: "Mistä tiedät, että he ovat sama henkilö",
        sv: "Hur du vet att det är samma person",
        en: "How you know they are the same person",
    }

    link_button {
        fi: "Yhdistä asukkaat",
        sv: "Koppla ihop invånarna",
        en: "Link the residents",
    }

    done_linked {
        fi: "Asukkaat yhdistetty: yksi henkilö, jolle voi vastata kaikissa hänen kanavissaan.",
        sv: "Invånarna kopplades ihop: en person som kan få svar i alla sina kanaler.",
        en: "Residents linked: one person, who can be answered on every channel they have.",
    }

    reply_channel_label {
        fi: "Lähetä kanavassa",
        sv: "Skicka via",
        en: "Send by",
    }

    reply_channel_hint {
        fi: "Oletuksena kanava, jossa asukas viimeksi kirjoitti.",
        sv: "Som standard kanalen där invånaren senast skrev.",
        en: "By default the channel the resident last wrote in.",
    }

    reachable_by {
        fi: "Tavoitettavissa",
        sv: "Nås via",
        en: "Reachable by",
    }

    merged_into_banner {
        fi: "Tämä tapaus on yhdistetty tapaukseen",
        sv: "Det här ärendet har slagits ihop med ärendet",
        en: "This case was merged into case",
    }

    merged_here {
        fi: "Tähän yhdistetyt tapaukset",
        sv: "Ärenden sammanslagna hit",
        en: "Cases merged into this one",
    }

    unmerge_title {
        fi: "Peru yhdistäminen",
        sv: "Ångra sammanslagningen",
        en: "Undo the merge",
    }

    unmerge_reason {
        fi: "Miksi yhdistäminen perutaan",
        sv: "Varför sammanslagningen ångras",
        en: "Why the merge is undone",
    }

    unmerge_button {
        fi: "Peru yhdistäminen",
        sv: "Ångra sammanslagningen",
        en: "Undo the merge",
    }

    done_reopened {
        fi: "Tapaus avattu uudelleen.",
        sv: "Ärendet öppnades igen.",
        en: "Case reopened.",
    }

    done_call_back {
        fi: "Puhelu käynnistyy: puhelimesi soi hetken kuluttua.",
        sv: "Samtalet kopplas: din telefon ringer strax.",
        en: "Calling: your phone rings in a moment.",
    }

    done_reassigned {
        fi: "Tapaus siirretty.",
        sv: "Ärendet flyttades.",
        en: "Case reassigned.",
    }

    done_duty {
        fi: "Päivystystila päivitetty.",
        sv: "Jourstatusen uppdaterades.",
        en: "Duty status updated.",
    }

    error_title {
        fi: "Ei onnistunut",
        sv: "Det gick inte",
        en: "That did not work",
    }

    back {
        fi: "Takaisin",
        sv: "Tillbaka",
        en: "Back",
    }

    not_yours {
        fi: "Tämä tapaus on toisen vastaajan. Vain sen vastuuhenkilö, vuoron johto, pormestari ja ylläpito voivat avata sen.",
        sv: "Ärendet tillhör en annan svarare. Bara den ansvariga, skiftledningen, borgmästaren och administratörer kan öppna det.",
        en: "This case belongs to another responder. Only its owner, shift leads, the mayor and admins can open it.",
    }

    not_found {
        fi: "Tapausta ei löydy.",
        sv: "Ärendet hittades inte.",
        en: "There is no such case.",
    }

    desk_no_conversations {
        fi: "Asiointipisteen työntekijät eivät lue keskusteluja. Hae tapaus tunnuksella asiointipisteen sivulta.",
        sv: "Personalen vid servicepunkten läser inte samtal. Sök ärendet med dess kod på servicepunktens sida.",
        en: "Walk-in desk staff do not read conversations. Look the case up by its code on the walk-in desk page.",
    }

    role_forbidden {
        fi: "Roolisi ei salli tätä sivua.",
        sv: "Din roll ger inte tillgång till den här sidan.",
        en: "Your role does not allow this page.",
    }

    unavailable {
        fi: "Batline ei juuri nyt tavoita tietokantaa. Yritä hetken kuluttua uudelleen.",
        sv: "Batline når inte databasen just nu. Försök igen om en stund.",
        en: "Batline cannot reach its database right now. Try again in a moment.",
    }

    cross_site {
        fi: "Pyyntö tuli toiselta sivustolta, joten sitä ei käsitelty.",
        sv: "Begäran kom från en annan webbplats och behandlades inte.",
        en: "The request came from another site, so it was not carried out.",
    }

    csrf_failed {
        fi: "Lomake oli vanhentunut. Lataa sivu uudelleen ja yritä uudestaan.",
        sv: "Formuläret hade gått ut. Ladda om sidan och försök igen.",
        en: "The form had expired. Reload the page and try again.",
    }

    too_large {
        fi: "Lähetys oli liian suuri.",
        sv: "Det som skickades var för stort.",
        en: "What was sent is too large.",
    }

    off_title {
        fi: "Lähdetkö vuorosta?",
        sv: "Går du ur tjänst?",
        en: "Going off duty?",
    }

    off_intro {
        fi: "Avoimet tapauksesi siirtyvät näin:",
        sv: "Dina öppna ärenden går vidare så här:",
        en: "Your open cases will move on like this:",
    }

    off_none {
        fi: "Sinulla ei ole avoimia tapauksia.",
        sv: "Du har inga öppna ärenden.",
        en: "You have no open cases.",
    }

    will_go_to {
        fi: "Siirtyy",
        sv: "Går till",
        en: "Goes to",
    }

    likely_note {
        fi: "Siirto tehdään, kun vahvistat; jos tilanne ehtii muuttua, sääntö voi valita toisen.",
        sv: "Flytten görs när du bekräftar; om läget hinner ändras kan regeln välja någon annan.",
        en: "The move happens when you confirm; if things change meanwhile, the rules may pick someone else.",
    }

    confirm_off {
        fi: "Vahvista ja lähde vuorosta",
        sv: "Bekräfta och gå ur tjänst",
        en: "Confirm and go off duty",
    }

    cancel {
        fi: "Peruuta",
        sv: "Avbryt",
        en: "Cancel",
    }

    lead_title {
        fi: "Vuoron johto",
        sv: "Skiftledning",
        en: "Shift lead",
    }

    on_duty_now {
        fi: "Vastaajat",
        sv: "Svarare",
        en: "Responders",
    }

    col_responder {
        fi: "Vastaaja",
        sv: "Svarare",
        en: "Responder",
    }

    col_status {
        fi: "Tila",
        sv: "Status",
        en: "Status",
    }

    col_load {
        fi: "Kuorma",
        sv: "Belastning",
        en: "Load",
    }

    col_unacked {
        fi: "Kuittaamatta",
        sv: "Okvitterade",
        en: "Unacknowledged",
    }

    col_overdue {
        fi: "Myöhässä",
        sv: "Försenade",
        en: "Overdue",
    }

    attention_title {
        fi: "Huomiota vaativat tapaukset",
        sv: "Ärenden som kräver uppmärksamhet",
        en: "Cases needing attention",
    }

    attention_none {
        fi: "Kaikki tapaukset on kuitattu ajallaan.",
        sv: "Alla ärenden har kvitterats i tid.",
        en: "Every case was acknowledged in time.",
    }

    reassign {
        fi: "Siirrä",
        sv: "Flytta",
        en: "Reassign",
    }

    reassign_to {
        fi: "Siirrä vastaajalle",
        sv: "Flytta till svarare",
        en: "Reassign to",
    }

    reason {
        fi: "Syy",
        sv: "Orsak",
        en: "Reason",
    }

    overdue {
        fi: "myöhässä",
        sv: "försenat",
        en: "overdue",
    }

    breached {
        fi: "SLA ylitetty",
        sv: "SLA överskridet",
        en: "SLA missed",
    }

    abuse_alerts_title {
        fi: "Hälytykset: mahdollinen hyökkäys",
        sv: "Larm: möjlig attack",
        en: "Alerts: a possible attack",
    }

    chat_flood_alert {
        fi: "Uusia verkkokeskusteluja tuli yli {threshold} minuutissa, joten uusia keskusteluja ei avattu kenellekään ({refused} torjuttu). Avoimet keskustelut jatkuivat. Asukkaita neuvottiin soittamaan tai lähettämään tekstiviesti.",
        sv: "Över {threshold} nya webbchattar kom på en minut, så inga nya chattar öppnades för någon ({refused} avvisade). Öppna chattar fortsatte. Invånarna ombads ringa eller skicka sms.",
        en: "More than {threshold} new web chats came in a minute, so new chats were refused for everyone ({refused} refused). Chats already open went on. Residents were told to call or text instead.",
    }

    dead_letters_title {
        fi: "Epäonnistuneet tekniset viestit",
        sv: "Tekniska meddelanden som misslyckades",
        en: "Technical messages that failed",
    }

    dead_letters_none {
        fi: "Ei epäonnistuneita teknisiä viestejä.",
        sv: "Inga tekniska meddelanden har misslyckats.",
        en: "No technical message has failed.",
    }

    dead_letters_hint {
        fi: "Nämä ovat Batlinen palveluiden välisiä teknisiä viestejä (eivät asukkaiden viestejä), joiden käsittely epäonnistui toistuvasti. Mitään ei ole pudotettu: korjaa syy ja lähetä viesti uudelleen.",
        sv: "Det här är tekniska meddelanden mellan Batlines tjänster (inte invånarnas meddelanden) som upprepade gånger inte kunde hanteras. Inget har tappats: åtgärda orsaken och skicka meddelandet igen.",
        en: "These are technical messages between Batline's services (not residents' messages) that failed again and again. Nothing was dropped: fix the cause and send the message again.",
    }

    col_presence {
        fi: "Paikalla",
        sv: "Närvaro",
        en: "Presence",
    }

    presence_here {
        fi: "Paikalla",
        sv: "På plats",
        en: "Present",
    }

    presence_away {
        fi: "Ei paikalla",
        sv: "Inte på plats",
        en: "Not present",
    }

    presence_console_open {
        fi: "konsoli auki",
        sv: "konsolen öppen",
        en: "console open",
    }

    presence_last_seen {
        fi: "viimeksi aktiivinen",
        sv: "senast aktiv",
        en: "last active",
    }

    presence_hint {
        fi: "Paikalla on se, jonka konsoli on auki tai joka on toiminut konsolissa viimeisen {minutes} minuutin aikana, vuorotilasta riippumatta. Chatit ja puhelut menevät ensin paikalla oleville, ja kuittaamaton tapaus siirtyy vain paikalla olevalle kollegalle. Jos ketään ei ole paikalla, tapaus jää omistajalleen ja vuoron johto saa hälytyksen.",
        sv: "På plats är den vars konsol är öppen eller som har varit aktiv i konsolen de senaste {minutes} minuterna, oavsett tjänstestatus. Chattar och samtal går först till dem som är på plats, och ett okvitterat ärende flyttas bara till en kollega på plats. Är ingen på plats stannar ärendet hos sin ägare och skiftledningen larmas.",
        en: "Present means the console is open, or was used in the last {minutes} minutes, whatever the duty status says. Chats and calls go first to those present, and an unacknowledged case moves only to a colleague who is present. With nobody present it stays with its owner and the lead is alerted.",
    }

    nobody_present_tag {
        fi: "ei ketään paikalla",
        sv: "ingen på plats",
        en: "nobody present",
    }

    alert_urgent {
        fi: "Kiireellinen asia: viestissä on vaaraan viittaavia sanoja",
        sv: "Brådskande ärende: meddelandet talar om fara",
        en: "An urgent case: its message speaks of danger",
    }

    alert_nobody_present {
        fi: "Kuittaus myöhästyi eikä ketään ole paikalla ottamaan tapausta",
        sv: "Kvitteringen försenades och ingen är på plats att ta ärendet",
        en: "An acknowledgement was missed and nobody is present to take the case",
    }

    col_preview {
        fi: "Viimeisin viesti",
        sv: "Senaste meddelandet",
        en: "Latest message",
    }

    dead_letters_retry {
        fi: "Lähetä uudelleen",
        sv: "Skicka igen",
        en: "Send again",
    }

    dead_letters_retried {
        fi: "Viesti lähetettiin uudelleen.",
        sv: "Meddelandet skickades igen.",
        en: "The message was sent again.",
    }

    dash_title {
        fi: "SLA-näkymä",
        sv: "SLA-översikt",
        en: "SLA dashboard",
    }

    dash_from {
        fi: "Alkaen",
        sv: "Från",
        en: "From",
    }

    dash_to {
        fi: "Päättyen",
        sv: "Till",
        en: "To",
    }

    dash_by {
        fi: "Ryhmittely",
        sv: "Gruppering",
        en: "Break down by",
    }

    dash_show {
        fi: "Näytä",
        sv: "Visa",
        en: "Show",
    }

    dash_headline {
        fi: "Jakso kokonaisuutena",
        sv: "Perioden som helhet",
        en: "The period as a whole",
    }

    dash_cases {
        fi: "Tapauksia",
        sv: "Ärenden",
        en: "Cases",
    }

    dash_time_to_owner {
        fi: "Aika nimettyyn vastuuhenkilöön",
        sv: "Tid till namngiven ansvarig",
        en: "Time to a named owner",
    }

    dash_first_response {
        fi: "Ensimmäinen vastaus",
        sv: "Första svar",
        en: "First response",
    }

    dash_resolution {
        fi: "Ratkaisu",
        sv: "Lösning",
        en: "Resolution",
    }

    dash_within_sla {
        fi: "Ensimmäinen vastaus SLA:n sisällä",
        sv: "Första svar inom SLA",
        en: "First response within SLA",
    }

    dash_within_sla_resolution {
        fi: "Ratkaisu SLA:n sisällä",
        sv: "Lösning inom SLA",
        en: "Resolution within SLA",
    }

    dash_missed_acks {
        fi: "Myöhästyneet kuittaukset",
        sv: "Missade kvitteringar",
        en: "Missed acknowledgements",
    }

    dash_handoffs {
        fi: "Luovutuksia tapausta kohden",
        sv: "Överlämningar per ärende",
        en: "Hand-offs per case",
    }

    dash_reopened {
        fi: "Uudelleen avatut",
        sv: "Öppnade igen",
        en: "Reopened",
    }

    dash_open {
        fi: "Avoimia",
        sv: "Öppna",
        en: "Open",
    }

    dash_open_age {
        fi: "Avoimien ikä (mediaani)",
        sv: "Öppna ärendens ålder (median)",
        en: "Age of open cases (median)",
    }

    dash_satisfaction {
        fi: "Asukastyytyväisyys",
        sv: "Invånarnöjdhet",
        en: "Resident satisfaction",
    }

    dash_answers {
        fi: "vastausta",
        sv: "svar",
        en: "answers",
    }

    dash_median {
        fi: "mediaani",
        sv: "median",
        en: "median",
    }

    dash_p90 {
        fi: "p90",
        sv: "p90",
        en: "p90",
    }

    dash_trends {
        fi: "Viikoittain",
        sv: "Per vecka",
        en: "Week by week",
    }

    dash_cases_per_week {
        fi: "Tapauksia viikossa",
        sv: "Ärenden per vecka",
        en: "Cases per week",
    }

    dash_first_response_per_week {
        fi: "Ensimmäinen vastaus viikoittain (minuuttia)",
        sv: "Första svar per vecka (minuter)",
        en: "First response per week (minutes)",
    }

    dash_districts {
        fi: "Kaupunginosat",
        sv: "Stadsdelar",
        en: "Districts",
    }

    dash_cases_per_district {
        fi: "Tapauksia kaupunginosittain",
        sv: "Ärenden per stadsdel",
        en: "Cases per district",
    }

    dash_breakdown {
        fi: "Erittely",
        sv: "Uppdelning",
        en: "Breakdown",
    }

    dash_group {
        fi: "Ryhmä",
        sv: "Grupp",
        en: "Group",
    }

    dash_export {
        fi: "Lataa",
        sv: "Ladda ner",
        en: "Download",
    }

    dash_no_cases {
        fi: "Ei tapauksia tällä jaksolla.",
        sv: "Inga ärenden under perioden.",
        en: "No cases in this period.",
    }

    dash_by_area {
        fi: "alue",
        sv: "område",
        en: "area",
    }

    dash_by_topic {
        fi: "aihe",
        sv: "ämne",
        en: "topic",
    }

    dash_by_channel {
        fi: "kanava",
        sv: "kanal",
        en: "channel",
    }

    dash_by_responder {
        fi: "vastaaja",
        sv: "svarare",
        en: "responder",
    }

    dash_by_hour {
        fi: "tunti",
        sv: "timme",
        en: "hour of day",
    }

    dash_minutes {
        fi: "min",
        sv: "min",
        en: "min",
    }

    channel_sms {
        fi: "Tekstiviesti",
        sv: "Sms",
        en: "SMS",
    }

    channel_voice {
        fi: "Puhelu",
        sv: "Samtal",
        en: "Phone",
    }

    channel_chat {
        fi: "Chat",
        sv: "Chatt",
        en: "Chat",
    }

    channel_walk_in {
        fi: "Asiointipiste",
        sv: "Servicepunkt",
        en: "Walk-in desk",
    }

    channel_open311 {
        fi: "Palautesovellus (Open311)",
        sv: "Responsapp (Open311)",
        en: "City app (Open311)",
    }

    channel_email {
        fi: "Sähköposti",
        sv: "E-post",
        en: "Email",
    }
}

impl Ui {
    /// An outbound message's delivery state.
    pub fn delivery(&self, status: batline_core::domain::DeliveryStatus) -> &'static str {
        use batline_core::domain::DeliveryStatus as D;
        match status {
            D::Pending => self.delivery_pending,
            D::Sending => self.delivery_sending,
            D::Sent => self.delivery_sent,
            D::Delivered => self.delivery_delivered,
            D::Undelivered => self.delivery_undelivered,
            D::Failed => self.delivery_failed,
        }
    }

    /// A priority's name.
    pub fn priority(&self, priority: batline_core::domain::Priority) -> &'static str {
        use batline_core::domain::Priority;
        match priority {
            Priority::Low => self.priority_low,
            Priority::Normal => self.priority_normal,
            Priority::High => self.priority_high,
            Priority::Urgent => self.priority_urgent,
        }
    }

    /// A channel's name.
    pub fn channel(&self, channel: Channel) -> &'static str {
        match channel {
            Channel::Sms => self.channel_sms,
            Channel::Voice => self.channel_voice,
            Channel::Chat => self.channel_chat,
            Channel::WalkIn => self.channel_walk_in,
            Channel::Open311 => self.channel_open311,
            Channel::Email => self.channel_email,
        }
    }

    /// A duty status's name.
    pub fn duty(&self, status: DutyStatus) -> &'static str {
        match status {
            DutyStatus::OnDuty => self.duty_on,
            DutyStatus::Away => self.duty_away,
            DutyStatus::Off => self.duty_off,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use axum::http::HeaderValue;

    #[test]
    fn the_cookie_wins_then_accept_language_then_finnish() {
        let mut headers = HeaderMap::new();
        assert_eq!(Lang::from_headers(&headers), Language::Fi);
        headers.insert(header::ACCEPT_LANGUAGE, HeaderValue::from_static("de-DE, sv-FI;q=0.8, en;q=0.5"));
        assert_eq!(Lang::from_headers(&headers), Language::Sv);
        headers.insert(header::COOKIE, HeaderValue::from_static("batline_session=x; lang=en"));
        assert_eq!(Lang::from_headers(&headers), Language::En);
    }
}
