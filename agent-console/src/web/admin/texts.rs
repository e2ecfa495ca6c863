//! The administration pages' own words in Finnish, Swedish and English.
//! Every text is a field of [`Texts`], written once by key with its three
//! languages side by side ([`batline_core::texts!`]), so a missing
//! translation does not compile. Words the whole console shares (duty statuses, channels) come
//! from [`crate::web::i18n`].

use batline_core::domain::{Language, Role};

batline_core::texts! {
    /// Every text of the admin pages in one language.
    #[derive(Debug)]
    pub struct Texts;

    /// The texts for `lang`.
    pub fn texts;

    admin_title {
        fi: "Ylläpito",
        sv: "Administration",
        en: "Administration",
    }

    overview_intro {
        fi: "Batlinen asetukset: kuka vastaa, missä ja millä säännöillä.",
        sv: "Batlines inställningar: vem svarar, var och enligt vilka regler.",
        en: "Batline's settings: who answers, where, and by which rules.",
    }

    sec_responders {
        fi: "Vastaajat",
        sv: "Svarare",
        en: "Responders",
    }

    sec_responders_hint {
        fi: "Lisää vastaajia, muuta kieliä, alueita, aiheita, kapasiteettia ja roolia, vaihda salasana.",
        sv: "Lägg till svarare, ändra språk, områden, ämnen, kapacitet och roll, byt lösenord.",
        en: "Add responders; change languages, areas, topics, capacity and role; reset passwords.",
    }

    sec_points {
        fi: "Asiointipisteet",
        sv: "Servicepunkter",
        en: "Walk-in points",
    }

    sec_points_hint {
        fi: "Batcavet osoitteineen ja aukioloaikoineen.",
        sv: "Batcave-punkterna med adresser och öppettider.",
        en: "The Batcaves with their addresses and opening hours.",
    }

    sec_roster {
        fi: "Työvuorolista",
        sv: "Arbetsschema",
        en: "Roster",
    }

    sec_roster_hint {
        fi: "Tuo vuorot CSV-muodossa ja katso, milloin jokin kieli tai alue jää ilman päivystäjää.",
        sv: "Importera pass som CSV och se när ett språk eller område saknar jour.",
        en: "Import shifts as CSV and see when a language or area has nobody on duty.",
    }

    sec_sla {
        fi: "SLA-säännöt",
        sv: "SLA-regler",
        en: "SLA policies",
    }

    sec_sla_hint {
        fi: "Vastaus- ja ratkaisuajat kanavan, aiheen ja kiireellisyyden mukaan.",
        sv: "Svars- och lösningstider per kanal, ämne och prioritet.",
        en: "Response and resolution times by channel, topic and priority.",
    }

    sec_canned {
        fi: "Valmiit vastaukset",
        sv: "Färdiga svar",
        en: "Canned replies",
    }

    sec_canned_hint {
        fi: "Vastaajien valmiit tekstit kielittäin.",
        sv: "Svararnas färdiga texter per språk.",
        en: "Ready-made texts for responders, by language.",
    }

    back_to_overview {
        fi: "Takaisin ylläpitoon",
        sv: "Tillbaka till administrationen",
        en: "Back to administration",
    }

    col_name {
        fi: "Nimi",
        sv: "Namn",
        en: "Name",
    }

    col_username {
        fi: "Käyttäjätunnus",
        sv: "Användarnamn",
        en: "Username",
    }

    col_role {
        fi: "Rooli",
        sv: "Roll",
        en: "Role",
    }

    col_role_duty {
        fi: "Rooli ja päivystys",
        sv: "Roll och jour",
        en: "Role and duty",
    }

    col_skills {
        fi: "Osaaminen",
        sv: "Kompetens",
        en: "Skills",
    }

    col_reach {
        fi: "Puhelin ja kotipiste",
        sv: "Telefon och hempunkt",
        en: "Phone and home point",
    }

    col_languages {
        fi: "Kielet",
        sv: "Språk",
        en: "Languages",
    }

    col_areas {
        fi: "Alueet",
        sv: "Områden",
        en: "Areas",
    }

    col_topics {
        fi: "Aiheet",
        sv: "Ämnen",
        en: "Topics",
    }

    col_capacity {
        fi: "Kapasiteetti",
        sv: "Kapacitet",
        en: "Capacity",
    }

    col_phone {
        fi: "Puhelin",
        sv: "Telefon",
        en: "Phone",
    }

    col_home_point {
        fi: "Kotipiste",
        sv: "Hempunkt",
        en: "Home point",
    }

    col_backstop {
        fi: "Varahenkilö",
        sv: "Reserv",
        en: "Backstop",
    }

    col_actions {
        fi: "Toiminnot",
        sv: "Åtgärder",
        en: "Actions",
    }

    none {
        fi: "–",
        sv: "–",
        en: "–",
    }

    yes {
        fi: "kyllä",
        sv: "ja",
        en: "yes",
    }

    edit {
        fi: "Muokkaa",
        sv: "Redigera",
        en: "Edit",
    }

    add_responder_title {
        fi: "Lisää vastaaja",
        sv: "Lägg till svarare",
        en: "Add a responder",
    }

    username {
        fi: "Käyttäjätunnus",
        sv: "Användarnamn",
        en: "Username",
    }

    display_name {
        fi: "Nimi, jonka asukkaat näkevät",
        sv: "Namn som invånarna ser",
        en: "Name residents see",
    }

    initial_password {
        fi: "Ensimmäinen salasana",
        sv: "Första lösenord",
        en: "Initial password",
    }

    password_hint {
        fi: "Vähintään 10 merkkiä.",
        sv: "Minst 10 tecken.",
        en: "At least 10 characters.",
    }

    role {
        fi: "Rooli",
        sv: "Roll",
        en: "Role",
    }

    duty {
        fi: "Päivystystila",
        sv: "Jourstatus",
        en: "Duty status",
    }

    languages {
        fi: "Kielet",
        sv: "Språk",
        en: "Languages",
    }

    areas {
        fi: "Alueet",
        sv: "Områden",
        en: "Areas",
    }

    topics {
        fi: "Aiheet",
        sv: "Ämnen",
        en: "Topics",
    }

    comma_hint {
        fi: "Pilkuilla erotettuna, esim. Kallio, Vallila.",
        sv: "Kommaseparerade, t.ex. Kallio, Vallila.",
        en: "Comma-separated, e.g. Kallio, Vallila.",
    }

    capacity {
        fi: "Kapasiteetti (avoimia tapauksia enintään)",
        sv: "Kapacitet (högst öppna ärenden)",
        en: "Capacity (open cases at most)",
    }

    phone {
        fi: "Puhelin",
        sv: "Telefon",
        en: "Phone",
    }

    phone_hint {
        fi: "Maatunnuksen kanssa, esim. +358401234567. Tyhjä: ei puhelinta.",
        sv: "Med landsnummer, t.ex. +358401234567. Tomt: ingen telefon.",
        en: "With the country code, e.g. +358401234567. Empty: no phone.",
    }

    home_point {
        fi: "Kotiasiointipiste",
        sv: "Hemservicepunkt",
        en: "Home walk-in point",
    }

    no_home_point {
        fi: "Ei kotipistettä",
        sv: "Ingen hempunkt",
        en: "No home point",
    }

    add_responder_button {
        fi: "Lisää vastaaja",
        sv: "Lägg till svarare",
        en: "Add responder",
    }

    edit_title {
        fi: "Muokkaa vastaajaa",
        sv: "Redigera svarare",
        en: "Edit responder",
    }

    save {
        fi: "Tallenna",
        sv: "Spara",
        en: "Save",
    }

    backstop {
        fi: "Varahenkilö, kun kukaan ei päivystä",
        sv: "Reserv när ingen har jour",
        en: "Backstop when nobody is on duty",
    }

    backstop_hint {
        fi: "Varahenkilöitä on aina tasan yksi: valinta siirtää roolin tälle vastaajalle.",
        sv: "Det finns alltid exakt en reserv: valet flyttar rollen till den här svararen.",
        en: "There is always exactly one backstop: ticking this moves the role to this responder.",
    }

    password_title {
        fi: "Vaihda salasana",
        sv: "Byt lösenord",
        en: "Reset the password",
    }

    new_password {
        fi: "Uusi salasana",
        sv: "Nytt lösenord",
        en: "New password",
    }

    reset_hint {
        fi: "Vähintään 10 merkkiä. Vastaajan kaikki kirjautumiset päättyvät.",
        sv: "Minst 10 tecken. Alla svararens inloggningar avslutas.",
        en: "At least 10 characters. All of the responder's sign-ins end.",
    }

    reset_button {
        fi: "Vaihda salasana",
        sv: "Byt lösenord",
        en: "Reset password",
    }

    load {
        fi: "Kuorma",
        sv: "Belastning",
        en: "Load",
    }

    role_responder {
        fi: "Vastaaja",
        sv: "Svarare",
        en: "Responder",
    }

    role_desk {
        fi: "Asiointipisteen työntekijä",
        sv: "Personal vid servicepunkt",
        en: "Desk",
    }

    role_lead {
        fi: "Vuoron johtaja",
        sv: "Passledare",
        en: "Lead",
    }

    role_mayor {
        fi: "Osallisuuspormestari",
        sv: "Delaktighetsborgmästare",
        en: "Mayor",
    }

    role_admin {
        fi: "Ylläpitäjä",
        sv: "Administratör",
        en: "Admin",
    }

    lang_fi {
        fi: "suomi",
        sv: "finska",
        en: "Finnish",
    }

    lang_sv {
        fi: "ruotsi",
        sv: "svenska",
        en: "Swedish",
    }

    lang_en {
        fi: "englanti",
        sv: "engelska",
        en: "English",
    }

    points_title {
        fi: "Asiointipisteet",
        sv: "Servicepunkter",
        en: "Walk-in points",
    }

    col_address {
        fi: "Osoite",
        sv: "Adress",
        en: "Address",
    }

    col_area {
        fi: "Alue",
        sv: "Område",
        en: "Area",
    }

    col_hours {
        fi: "Aukioloajat",
        sv: "Öppettider",
        en: "Opening hours",
    }

    no_points {
        fi: "Asiointipisteitä ei ole vielä.",
        sv: "Det finns inga servicepunkter ännu.",
        en: "There are no walk-in points yet.",
    }

    add_point_title {
        fi: "Lisää asiointipiste",
        sv: "Lägg till servicepunkt",
        en: "Add a walk-in point",
    }

    point_name {
        fi: "Nimi (henkilökunnalle)",
        sv: "Namn (för personalen)",
        en: "Name (for staff)",
    }

    public_name {
        fi: "Nimi asukkaille (vapaaehtoinen)",
        sv: "Namn för invånarna (frivilligt)",
        en: "Name residents read (optional)",
    }

    public_name_hint {
        fi: "Näkyy tekstiviestikuittauksessa ja tulostetussa lipussa, esim. Kallion asiointipiste. Oletus on yllä oleva nimi.",
        sv: "Visas i sms-kvittot och på den utskrivna biljetten, t.ex. Berghälls servicepunkt. Annars används namnet ovan.",
        en: "Shown on the SMS receipt and the printed ticket, e.g. Kallio walk-in point. The name above otherwise.",
    }

    col_public_name {
        fi: "Nimi asukkaille",
        sv: "Namn för invånarna",
        en: "Name residents read",
    }

    address {
        fi: "Osoite",
        sv: "Adress",
        en: "Address",
    }

    area {
        fi: "Alue",
        sv: "Område",
        en: "Area",
    }
    choose_district {
        fi: "Valitse kaupunginosa",
        sv: "Välj stadsdel",
        en: "Choose a district",
    }

    hours {
        fi: "Aukioloajat",
        sv: "Öppettider",
        en: "Opening hours",
    }

    hours_hint {
        fi: "Helsingin aikaa, esim. mon-fri 08:00-16:00, sat 10:00-14:00 (päivät englanniksi: mon tue wed thu fri sat sun).",
        sv: "Helsingforstid, t.ex. mon-fri 08:00-16:00, sat 10:00-14:00 (dagar på engelska: mon tue wed thu fri sat sun).",
        en: "Helsinki time, e.g. mon-fri 08:00-16:00, sat 10:00-14:00 (days: mon tue wed thu fri sat sun).",
    }

    add_point_button {
        fi: "Lisää asiointipiste",
        sv: "Lägg till servicepunkt",
        en: "Add walk-in point",
    }

    closed {
        fi: "ei aukioloaikoja",
        sv: "inga öppettider",
        en: "no opening hours",
    }

    roster_title {
        fi: "Työvuorolista",
        sv: "Arbetsschema",
        en: "Roster",
    }

    import_title {
        fi: "Tuo vuoroja",
        sv: "Importera pass",
        en: "Import shifts",
    }

    csv_label {
        fi: "Vuorot CSV-muodossa",
        sv: "Pass som CSV",
        en: "Shifts as CSV",
    }

    csv_hint {
        fi: "Otsikkorivi date,start,end,area,lead,members; Helsingin aikaa; tyhjä alue on koko kaupunki; jäsenet puolipisteillä erotettuna. Kaikki rivit tai ei yhtään.",
        sv: "Rubrikrad date,start,end,area,lead,members; Helsingforstid; tomt område är hela staden; medlemmar åtskilda med semikolon. Alla rader eller ingen.",
        en: "Header row date,start,end,area,lead,members; Helsinki time; an empty area is city-wide; members separated by semicolons. All rows or none.",
    }

    import_button {
        fi: "Tuo vuorot",
        sv: "Importera pass",
        en: "Import shifts",
    }

    upcoming_title {
        fi: "Tulevat vuorot",
        sv: "Kommande pass",
        en: "Coming shifts",
    }

    no_upcoming {
        fi: "Tulevia vuoroja ei ole tällä aikavälillä.",
        sv: "Inga kommande pass under perioden.",
        en: "No shifts in this period.",
    }

    col_starts {
        fi: "Alkaa",
        sv: "Börjar",
        en: "Starts",
    }

    col_ends {
        fi: "Päättyy",
        sv: "Slutar",
        en: "Ends",
    }

    city_wide {
        fi: "koko kaupunki",
        sv: "hela staden",
        en: "city-wide",
    }

    coverage_title {
        fi: "Kattavuus",
        sv: "Täckning",
        en: "Coverage",
    }

    coverage_days {
        fi: "Päiviä eteenpäin",
        sv: "Dagar framåt",
        en: "Days ahead",
    }

    show {
        fi: "Näytä",
        sv: "Visa",
        en: "Show",
    }

    no_gaps {
        fi: "Jokaiselle kielelle ja alueelle on päivystäjä koko ajan.",
        sv: "Varje språk och område har jour hela tiden.",
        en: "Every language and area has someone on duty throughout.",
    }

    gaps_intro {
        fi: "Näinä aikoina kukaan vuorossa oleva ei puhu kieltä tai alueella ei ole vuoroa:",
        sv: "Under dessa tider talar ingen i tjänst språket eller området saknar pass:",
        en: "At these times nobody on a running shift speaks the language, or the area has no shift:",
    }

    gap_language {
        fi: "Kieli",
        sv: "Språk",
        en: "Language",
    }

    gap_area {
        fi: "Alue",
        sv: "Område",
        en: "Area",
    }

    col_gap {
        fi: "Puuttuu",
        sv: "Saknas",
        en: "Missing",
    }

    col_from {
        fi: "Alkaen",
        sv: "Från",
        en: "From",
    }

    col_to {
        fi: "Asti",
        sv: "Till",
        en: "To",
    }

    sla_title {
        fi: "SLA-säännöt",
        sv: "SLA-regler",
        en: "SLA policies",
    }

    sla_intro {
        fi: "Uusi versio korvaa saman kanavan, aiheen ja kiireellisyyden nykyisen version; jo avoimet tapaukset pitävät kellonsa.",
        sv: "En ny version ersätter den nuvarande för samma kanal, ämne och prioritet; redan öppna ärenden behåller sina klockor.",
        en: "A new version replaces the current one for the same channel, topic and priority; cases already open keep their clocks.",
    }

    col_channel {
        fi: "Kanava",
        sv: "Kanal",
        en: "Channel",
    }

    col_topic {
        fi: "Aihe",
        sv: "Ämne",
        en: "Topic",
    }

    col_priority {
        fi: "Kiireellisyys",
        sv: "Prioritet",
        en: "Priority",
    }

    col_version {
        fi: "Versio",
        sv: "Version",
        en: "Version",
    }

    col_first_response {
        fi: "Ensivastaus",
        sv: "Första svar",
        en: "First response",
    }

    col_resolution {
        fi: "Ratkaisu",
        sv: "Lösning",
        en: "Resolution",
    }

    col_warn {
        fi: "Varoitus",
        sv: "Varning",
        en: "Warning",
    }

    col_valid {
        fi: "Voimassa",
        sv: "Giltig",
        en: "In force",
    }

    any {
        fi: "kaikki",
        sv: "alla",
        en: "any",
    }

    around_the_clock {
        fi: "ympäri vuorokauden",
        sv: "dygnet runt",
        en: "around the clock",
    }

    current {
        fi: "nykyinen",
        sv: "gällande",
        en: "current",
    }

    retired_at {
        fi: "korvattu",
        sv: "ersatt",
        en: "replaced",
    }

    minutes {
        fi: "min",
        sv: "min",
        en: "min",
    }

    add_policy_title {
        fi: "Lisää versio",
        sv: "Lägg till version",
        en: "Add a version",
    }

    channel {
        fi: "Kanava",
        sv: "Kanal",
        en: "Channel",
    }

    topic {
        fi: "Aihe",
        sv: "Ämne",
        en: "Topic",
    }

    priority {
        fi: "Kiireellisyys",
        sv: "Prioritet",
        en: "Priority",
    }

    first_response_minutes {
        fi: "Ensivastaus minuutteina",
        sv: "Första svar i minuter",
        en: "First response in minutes",
    }

    resolution_minutes {
        fi: "Ratkaisu minuutteina",
        sv: "Lösning i minuter",
        en: "Resolution in minutes",
    }

    warn_at_percent {
        fi: "Varoitus, kun tavoiteajasta on kulunut (%)",
        sv: "Varning när så mycket av måltiden gått (%)",
        en: "Warn when this much of a target has passed (%)",
    }

    sla_hours {
        fi: "Kellot käyvät",
        sv: "Klockorna går",
        en: "Clocks run",
    }

    sla_hours_hint {
        fi: "Tyhjä: ympäri vuorokauden. Muuten kuten aukioloajat, esim. mon-fri 08:00-16:00.",
        sv: "Tomt: dygnet runt. Annars som öppettider, t.ex. mon-fri 08:00-16:00.",
        en: "Empty: around the clock. Otherwise like opening hours, e.g. mon-fri 08:00-16:00.",
    }

    add_policy_button {
        fi: "Lisää versio",
        sv: "Lägg till version",
        en: "Add version",
    }

    canned_title {
        fi: "Valmiit vastaukset",
        sv: "Färdiga svar",
        en: "Canned replies",
    }

    col_title {
        fi: "Otsikko",
        sv: "Rubrik",
        en: "Title",
    }

    col_text {
        fi: "Teksti",
        sv: "Text",
        en: "Text",
    }

    archive {
        fi: "Arkistoi",
        sv: "Arkivera",
        en: "Archive",
    }

    no_canned {
        fi: "Tällä kielellä ei ole valmiita vastauksia.",
        sv: "Det finns inga färdiga svar på det här språket.",
        en: "There are no canned replies in this language.",
    }

    add_canned_title {
        fi: "Lisää valmis vastaus",
        sv: "Lägg till färdigt svar",
        en: "Add a canned reply",
    }

    language {
        fi: "Kieli",
        sv: "Språk",
        en: "Language",
    }

    title {
        fi: "Otsikko",
        sv: "Rubrik",
        en: "Title",
    }

    title_hint {
        fi: "Enintään 80 merkkiä.",
        sv: "Högst 80 tecken.",
        en: "At most 80 characters.",
    }

    text {
        fi: "Teksti",
        sv: "Text",
        en: "Text",
    }

    text_hint {
        fi: "Enintään 1 600 merkkiä; vastaaja voi muokata tekstiä ennen lähettämistä.",
        sv: "Högst 1 600 tecken; svararen kan redigera texten innan den skickas.",
        en: "At most 1,600 characters; the responder can edit it before sending.",
    }

    add_canned_button {
        fi: "Lisää vastaus",
        sv: "Lägg till svar",
        en: "Add reply",
    }

    done_responder_added {
        fi: "Vastaaja lisätty.",
        sv: "Svararen har lagts till.",
        en: "Responder added.",
    }

    done_responder_saved {
        fi: "Muutokset tallennettu.",
        sv: "Ändringarna har sparats.",
        en: "Changes saved.",
    }

    done_password {
        fi: "Salasana vaihdettu; vastaajan kirjautumiset päättyivät.",
        sv: "Lösenordet har bytts; svararens inloggningar avslutades.",
        en: "Password reset; the responder's sign-ins have ended.",
    }

    done_point_added {
        fi: "Asiointipiste lisätty.",
        sv: "Servicepunkten har lagts till.",
        en: "Walk-in point added.",
    }

    done_roster_imported {
        fi: "Vuorot tuotu.",
        sv: "Passen har importerats.",
        en: "Shifts imported.",
    }

    done_policy_added {
        fi: "Uusi SLA-versio on voimassa.",
        sv: "Den nya SLA-versionen gäller.",
        en: "The new SLA version is in force.",
    }

    done_canned_added {
        fi: "Valmis vastaus lisätty.",
        sv: "Det färdiga svaret har lagts till.",
        en: "Canned reply added.",
    }

    done_canned_archived {
        fi: "Valmis vastaus arkistoitu.",
        sv: "Det färdiga svaret har arkiverats.",
        en: "Canned reply archived.",
    }

    not_a_number {
        fi: "kirjoita kokonaisluku",
        sv: "skriv ett heltal",
        en: "write a whole number",
    }

    sec_open311 {
        fi: "Open311-avaimet",
        sv: "Open311-nycklar",
        en: "Open311 keys",
    }

    sec_open311_hint {
        fi: "Anna palautesovelluksille avain Open311-pyyntöjen lähettämiseen ja peru se.",
        sv: "Ge responsappar en nyckel för att skicka Open311-ärenden, och återkalla den.",
        en: "Issue city apps a key for posting Open311 requests, and revoke it.",
    }

    open311_title {
        fi: "Open311-avaimet",
        sv: "Open311-nycklar",
        en: "Open311 keys",
    }

    open311_intro {
        fi: "Palautesovellukset lähettävät pyyntöjä Open311 GeoReport v2 -rajapintaan avaimella, jonka ylläpitäjä antaa. Jokainen pyyntö saa nimetyn omistajan kuten tekstiviesti. Rajapinnan osoite:",
        sv: "Responsappar skickar ärenden till Open311 GeoReport v2-gränssnittet med en nyckel som administratören ger. Varje ärende får en namngiven ägare som ett sms. Gränssnittets adress:",
        en: "City apps post requests to the Open311 GeoReport v2 API with a key an admin issues. Every request gets a named owner, as a text does. The API's address:",
    }

    open311_clients {
        fi: "Sovellukset",
        sv: "Appar",
        en: "Applications",
    }

    no_open311_clients {
        fi: "Yhdellekään sovellukselle ei ole vielä annettu avainta.",
        sv: "Ingen app har fått en nyckel ännu.",
        en: "No application has been issued a key yet.",
    }

    col_app {
        fi: "Sovellus",
        sv: "App",
        en: "Application",
    }

    col_key_ends {
        fi: "Avaimen loppu",
        sv: "Nyckelns slut",
        en: "Key ends",
    }

    col_issued {
        fi: "Annettu",
        sv: "Utfärdad",
        en: "Issued",
    }

    revoke {
        fi: "Peru avain",
        sv: "Återkalla nyckeln",
        en: "Revoke key",
    }

    revoked_on {
        fi: "Peruttu",
        sv: "Återkallad",
        en: "Revoked",
    }

    issue_key_title {
        fi: "Anna avain sovellukselle",
        sv: "Ge en app en nyckel",
        en: "Issue a key to an application",
    }

    app_name {
        fi: "Sovelluksen nimi",
        sv: "Appens namn",
        en: "Application name",
    }

    app_name_hint {
        fi: "Esimerkiksi Palautesovellus. Enintään 120 merkkiä.",
        sv: "Till exempel Responsappen. Högst 120 tecken.",
        en: "For example Feedback app. At most 120 characters.",
    }

    issue_key_button {
        fi: "Anna avain",
        sv: "Ge nyckel",
        en: "Issue key",
    }

    new_key_title {
        fi: "Uusi avain:",
        sv: "Ny nyckel:",
        en: "New key:",
    }

    new_key_hint {
        fi: "Kopioi avain nyt ja anna se sovelluksen tekijöille. Sitä ei näytetä uudelleen: Batline säilyttää siitä vain tiivisteen.",
        sv: "Kopiera nyckeln nu och ge den till appens utvecklare. Den visas inte igen: Batline sparar bara ett kondensat av den.",
        en: "Copy the key now and give it to the application's makers. It is not shown again: Batline keeps only a digest of it.",
    }

    done_key_issued {
        fi: "Avain annettu.",
        sv: "Nyckeln har utfärdats.",
        en: "Key issued.",
    }

    done_key_revoked {
        fi: "Avain peruttu. Sillä lähetettyjä pyyntöjä ei enää oteta vastaan.",
        sv: "Nyckeln har återkallats. Ärenden som skickas med den tas inte längre emot.",
        en: "Key revoked. Requests posted with it are refused from now on.",
    }
}

impl Texts {
    /// A role's name.
    pub fn role(&self, role: Role) -> &'static str {
        match role {
            Role::Responder => self.role_responder,
            Role::Desk => self.role_desk,
            Role::Lead => self.role_lead,
            Role::Mayor => self.role_mayor,
            Role::Admin => self.role_admin,
        }
    }

    /// A language's name.
    pub fn language(&self, language: Language) -> &'static str {
        match language {
            Language::Fi => self.lang_fi,
            Language::Sv => self.lang_sv,
            Language::En => self.lang_en,
        }
    }
}
