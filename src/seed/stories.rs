//! What happened on the demo city's line in the day before `batline up`:
//! one entry a case, in the resident's language, in the order the contacts
//! came. [`super::history`] plays each through the line's own steps.

use batline_core::domain::{Channel, Language};

/// One case's day: how the resident got in touch, and what its owner did
/// when (minutes after the contact).
#[derive(Debug, Clone, Copy)]
pub struct Story {
    /// Minutes before seeding that the contact came.
    pub ago: i64,
    /// How it came.
    pub channel: Channel,
    /// The resident's language.
    pub language: Language,
    /// The last three digits of the resident's made-up number,
    /// +358 40 0000xxx (a chat resident has none; a walk-in gave theirs).
    pub phone: u16,
    /// The district.
    pub area: &'static str,
    /// The topic.
    pub topic: &'static str,
    /// What the resident wrote, or told the desk, or said on the phone
    /// (then it is the owner's note of the call).
    pub says: &'static str,
    /// When the owner acknowledged it (a call is acknowledged by answering).
    pub ack: Option<i64>,
    /// When the owner offered it to a colleague (the first of the usernames
    /// who is not the owner), with a note; accepted four minutes later.
    pub handoff: Option<(i64, &'static [&'static str], &'static str)>,
    /// When its owner (then) replied, and what.
    pub reply: Option<(i64, &'static str)>,
    /// When it was resolved, and the summary.
    pub resolve: Option<(i64, &'static str)>,
    /// The resident's answer to "was it solved?", minutes after resolving.
    pub answer: Option<(i64, i32)>,
}

const fn story(
    ago: i64,
    channel: Channel,
    language: Language,
    phone: u16,
    area: &'static str,
    topic: &'static str,
    says: &'static str,
) -> Story {
    Story {
        ago,
        channel,
        language,
        phone,
        area,
        topic,
        says,
        ack: None,
        handoff: None,
        reply: None,
        resolve: None,
        answer: None,
    }
}

impl Story {
    const fn ack(self, at: i64) -> Self {
        Story { ack: Some(at), ..self }
    }
    const fn handoff(self, at: i64, to: &'static [&'static str], note: &'static str) -> Self {
        Story { handoff: Some((at, to, note)), ..self }
    }
    const fn reply(self, at: i64, text: &'static str) -> Self {
        Story { reply: Some((at, text)), ..self }
    }
    const fn resolve(self, at: i64, summary: &'static str) -> Self {
        Story { resolve: Some((at, summary)), ..self }
    }
    const fn answer(self, after: i64, score: i32) -> Self {
        Story { answer: Some((after, score)), ..self }
    }
}

use Channel::{Chat, Email, Sms, Voice, WalkIn};
use Language::{En, Fi, Sv};

const HOUR: i64 = 60;

/// The day, oldest first.
pub const STORIES: &[Story] = &[
    story(
        23 * HOUR + 40,
        Sms,
        Fi,
        101,
        "Kallio",
        "streets",
        "Helsinginkadun katuvalot ovat pimeänä Vaasanpuistikon kohdalla.",
    )
    .ack(3)
    .reply(9, "Kiitos! Vikailmoitus on tehty, korjaus huomenna aamupäivällä.")
    .resolve(14 * HOUR, "Katuvalojen sulake vaihdettu, valot palavat.")
    .answer(25, 5),
    story(
        22 * HOUR + 55,
        Chat,
        En,
        0,
        "Sörnäinen",
        "parks",
        "There is a big branch hanging over the path in Kaikukatu park.",
    )
    .ack(0)
    .reply(6, "Thanks! The park crew will check it this morning.")
    .resolve(3 * HOUR, "The branch was cut down and removed.")
    .answer(40, 4),
    story(
        22 * HOUR + 10,
        Voice,
        Fi,
        102,
        "Vuosaari",
        "housing",
        "Soittaja kertoi, että kerrostalon piha-aluetta ei ole aurattu kahteen päivään.",
    )
    .ack(0)
    .resolve(2 * HOUR, "Isännöitsijä tilasi aurauksen, piha aurattu."),
    story(
        21 * HOUR + 30,
        Sms,
        Sv,
        103,
        "Lauttasaari",
        "schools",
        "Skolvägen vid Lauttasaaren ala-aste är isig, barnen halkar.",
    )
    .ack(4)
    .reply(11, "Tack! Vi har bett om sandning av skolvägen före kl. 8.")
    .resolve(3 * HOUR, "Skolvägen sandad på morgonen.")
    .answer(15, 5),
    story(
        20 * HOUR + 45,
        WalkIn,
        Fi,
        104,
        "Kallio",
        "parks",
        "Asukas kertoi, että Karhupuiston penkki on rikki ja siinä on teräviä nauloja.",
    )
    .ack(2)
    .reply(12, "Penkki on eristetty nauhalla, korjaus tänään.")
    .resolve(5 * HOUR, "Penkin lauta vaihdettu."),
    story(
        19 * HOUR + 20,
        Sms,
        Fi,
        105,
        "Mellunkylä",
        "health",
        "Äitini kotihoidon käynti jäi tänään väliin, kehen voin ottaa yhteyttä?",
    )
    .ack(2)
    .reply(40, "Selvitin asian kotihoidosta: hoitaja tulee klo 14. Pahoittelut!")
    .resolve(4 * HOUR, "Kotihoito korvasi käynnin iltapäivällä.")
    .answer(60, 4),
    story(
        18 * HOUR + 50,
        Chat,
        Fi,
        0,
        "Sörnäinen",
        "streets",
        "Sörnäisten rantatien bussipysäkin katos on rikottu, lasia on maassa.",
    )
    .ack(0)
    .reply(5, "Kiitos! Lasinsirut siivotaan tunnin sisällä.")
    .resolve(2 * HOUR, "Sirut siivottu, katoksen lasi tilattu."),
    story(18 * HOUR + 5, Sms, En, 106, "Kallio", "streets", "The bus stop sign at Kallion kirjasto has fallen over.")
        .ack(3)
        .reply(11, "Thank you, the sign will be put back up today.")
        .resolve(6 * HOUR, "The sign was put back up and fixed in place.")
        .answer(30, 3),
    story(
        17 * HOUR + 30,
        Voice,
        Sv,
        107,
        "Munkkiniemi",
        "parks",
        "Ringaren berättade att ett träd har fallit över gångvägen i Munkkiniemi park.",
    )
    .ack(0)
    .resolve(3 * HOUR, "Trädet sågat och bortforslat."),
    story(
        16 * HOUR + 40,
        Sms,
        Fi,
        108,
        "Vuosaari",
        "housing",
        "Naapurissa on metelöity joka yö klo 2 asti jo viikon ajan.",
    )
    .ack(4)
    .reply(12, "Kiitos viestistä. Otan yhteyttä taloyhtiön isännöitsijään.")
    .resolve(5 * HOUR, "Isännöitsijä lähetti häiriöstä kirjallisen huomautuksen.")
    .answer(120, 2),
    story(
        15 * HOUR + 55,
        WalkIn,
        Sv,
        109,
        "Lauttasaari",
        "schools",
        "Förälder frågade om daghemsplats för hösten, ansökan har inte besvarats.",
    )
    .ack(3)
    .reply(9, "Ansökan är mottagen, beslut kommer inom två veckor.")
    .resolve(50, "Ansökningens status utredd och meddelad."),
    story(
        15 * HOUR + 10,
        Chat,
        Fi,
        0,
        "Kallio",
        "streets",
        "Linjan 55 pysäkin aikataulunäyttö on ollut pimeänä eilisestä.",
    )
    .ack(0)
    .reply(8, "Kiitos! Välitin asian HSL:lle.")
    .resolve(4 * HOUR, "HSL korjasi näytön."),
    story(14 * HOUR + 30, Sms, Fi, 110, "Munkkiniemi", "parks", "Leikkipuisto Munkkiniemen keinu on rikki.")
        .ack(2)
        .reply(10, "Kiitos! Keinu on suljettu, uusi istuin tulee huomenna.")
        .resolve(2 * HOUR, "Keinun istuin vaihdettu.")
        .answer(45, 5),
    story(
        13 * HOUR + 45,
        Voice,
        Fi,
        111,
        "Sörnäinen",
        "streets",
        "Soittaja kertoi, että Hämeentien jalkakäytävä on jäässä eikä sitä ole hiekoitettu.",
    )
    .ack(0)
    .resolve(HOUR + 20, "Jalkakäytävä hiekoitettu."),
    story(13 * HOUR, Sms, Sv, 112, "Vuosaari", "health", "Min pappa behöver hjälp med att boka färdtjänst.")
        .ack(3)
        .reply(12, "Jag ringer er i eftermiddag och hjälper med bokningen.")
        .resolve(3 * HOUR, "Färdtjänsten bokad tillsammans med invånaren.")
        .answer(20, 5),
    story(12 * HOUR + 20, Chat, En, 0, "Kallio", "parks", "Is the skating rink in Brahenkenttä open today?")
        .ack(0)
        .reply(4, "Yes, it is open 10-21 today.")
        .resolve(10, "Opening hours told."),
    story(
        11 * HOUR + 50,
        WalkIn,
        Fi,
        113,
        "Vuosaari",
        "housing",
        "Asukas kertoi, että vuokra-asunnon ikkuna vuotaa ja seinä on märkä.",
    )
    .ack(4)
    .reply(13, "Huoltoyhtiö tulee katsomaan ikkunan huomenna klo 9-12.")
    .resolve(4 * HOUR, "Huolto tilattu, asukas sai ajan."),
    story(11 * HOUR + 5, Sms, Fi, 114, "Kallio", "streets", "Fleminginkadulla on romutettu auto ollut kuukauden.")
        .ack(4)
        .reply(10, "Kiitos! Pysäköinninvalvonta käy katsomassa tänään.")
        .resolve(5 * HOUR, "Ajoneuvo merkitty siirrettäväksi."),
    story(
        10 * HOUR + 30,
        Voice,
        En,
        115,
        "Lauttasaari",
        "schools",
        "Caller asked how to register a child for pre-school in English.",
    )
    .ack(0)
    .resolve(40, "Registration steps explained; link sent."),
    story(10 * HOUR, Chat, Sv, 0, "Munkkiniemi", "parks", "Hundparken i Munkkiniemi har ett hål i staketet.")
        .ack(0)
        .reply(7, "Tack! Vi lagar staketet i dag.")
        .resolve(5 * HOUR, "Staketet lagat.")
        .answer(30, 4),
    story(
        9 * HOUR + 20,
        Sms,
        Fi,
        116,
        "Sörnäinen",
        "parks",
        "Puistossa on kaatunut puu Kurvin lähellä, tukkii pyörätien.",
    )
    .ack(1)
    .reply(8, "Kiitos! Puistotyöt on matkalla.")
    .resolve(2 * HOUR, "Puu sahattu ja pyörätie avattu.")
    .answer(10, 5),
    story(
        8 * HOUR + 40,
        WalkIn,
        En,
        117,
        "Kallio",
        "health",
        "Resident asked where to get help with a housing allowance application.",
    )
    .ack(2)
    .reply(10, "You can book a time with the social adviser at Kallio, Thursdays 9-12.")
    .resolve(50, "Adviser appointment booked."),
    story(8 * HOUR, Sms, Fi, 118, "Mellunkylä", "housing", "Rappukäytävän valo ei syty, on aivan pimeää.")
        .ack(4)
        .handoff(10, &["aino", "linnea"], "Tämä on katuvalo eikä taloyhtiön valo, ota sinä.")
        .reply(45, "Kiitos, valo korjataan huomenna.")
        .resolve(3 * HOUR, "Valaisin korjattu."),
    story(7 * HOUR + 20, Voice, Fi, 119, "Vuosaari", "health", "Soittaja kysyi, milloin toimeentulotukipäätös tulee.")
        .ack(0)
        .resolve(30, "Päätöksen käsittelyaika kerrottu, tulee ensi viikolla."),
    story(
        6 * HOUR + 45,
        Chat,
        Fi,
        0,
        "Lauttasaari",
        "schools",
        "Päiväkodin portti ei mene lukkoon, lapset pääsevät kadulle.",
    )
    .ack(0)
    .reply(3, "Kiitos! Kiinteistöhuolto tulee heti.")
    .resolve(HOUR, "Portin lukko korjattu.")
    .answer(15, 1),
    story(6 * HOUR, Sms, Sv, 120, "Lauttasaari", "parks", "Lekparken vid stranden har glas i sandlådan.")
        .ack(2)
        .reply(9, "Tack! Sandlådan städas inom en timme.")
        .resolve(2 * HOUR, "Sandlådan rensad."),
    story(5 * HOUR + 30, Sms, Fi, 121, "Kallio", "streets", "Kallion kirkon edessä on suuri kuoppa ajoradassa.")
        .ack(3)
        .reply(7, "Kiitos! Kuoppa paikataan huomenna, merkitsin sen kartioilla.")
        .resolve(3 * HOUR, "Kuoppa merkitty, paikkaus tilattu."),
    story(5 * HOUR, WalkIn, Fi, 122, "Vuosaari", "housing", "Asukas tuli kysymään asukaspysäköintitunnuksesta.")
        .ack(5)
        .reply(11, "Tunnuksen voi hakea verkossa, lähetin ohjeen.")
        .resolve(30, "Ohjeet annettu."),
    story(
        4 * HOUR + 30,
        Voice,
        Sv,
        123,
        "Munkkiniemi",
        "schools",
        "Förälder ringde om att skolbussen inte kom i morse.",
    )
    .ack(0)
    .handoff(20, &["linnea", "mikko"], "Skolskjutsarna är dina, kan du ta den här?"),
    story(4 * HOUR, Sms, Fi, 124, "Sörnäinen", "streets", "Suvilahden kohdalla pyörätiellä on lunta puoli metriä.")
        .ack(4)
        .reply(50, "Aurauskone on tilattu, pahoittelut viiveestä."),
    story(
        3 * HOUR + 30,
        Chat,
        En,
        0,
        "Kamppi",
        "streets",
        "The crossing light at Kampinkuja is stuck on red for pedestrians.",
    )
    .ack(0)
    .reply(8, "Thanks! The signal maintenance team has been called."),
    story(3 * HOUR, Sms, Fi, 125, "Vuosaari", "housing", "Jätekatos on täynnä ja roskat leviävät pihalle.")
        .ack(2)
        .reply(12, "Kiitos! Ylimääräinen tyhjennys on tilattu huomiseksi."),
    story(
        2 * HOUR + 40,
        WalkIn,
        Sv,
        126,
        "Lauttasaari",
        "health",
        "Invånaren frågade om hjälp med att fylla i en ansökan om bostadsbidrag.",
    )
    .ack(6)
    .reply(12, "Vi bokar en tid hos socialrådgivningen, jag hör av mig i morgon."),
    story(
        2 * HOUR + 15,
        Sms,
        Fi,
        127,
        "Kallio",
        "parks",
        "Karhupuiston roska-astiat ovat täynnä ja lokit levittävät roskia.",
    )
    .ack(4),
    story(
        2 * HOUR,
        Voice,
        Fi,
        128,
        "Punavuori",
        "streets",
        "Soittaja kertoi, että Iso Roobertinkadun katuvalo välkkyy koko illan.",
    )
    .ack(0)
    .handoff(15, &["aino", "mikko"], "Katuvalot ovat sinun alaasi, ota tämä.")
    .reply(40, "Kiitos, katuvalo korjataan huomenna aamulla."),
    story(
        HOUR + 50,
        Email,
        Sv,
        137,
        "Lauttasaari",
        "streets",
        "Hej! Trottoaren på Lauttasaarvägen 30 har en stor grop som fylls med vatten. Någon kan snubbla.",
    )
    .ack(6)
    .reply(25, "Tack för meddelandet! Gatuunderhållet lagar gropen i morgon förmiddag.")
    .resolve(80, "Gropen fylldes och asfalterades."),
    story(HOUR + 45, Chat, Fi, 0, "Mellunkylä", "health", "Miten saan ajan sosiaalityöntekijälle?")
        .ack(0)
        .reply(3, "Voit varata ajan puhelimitse arkisin 9-15, autan mielelläni."),
    story(HOUR + 30, Sms, Sv, 129, "Lauttasaari", "schools", "Skolans gymnastiksal är för kall, barnen fryser.")
        .ack(3)
        .reply(9, "Tack! Fastighetsskötseln kontrollerar värmen i eftermiddag."),
    story(HOUR + 10, Sms, En, 130, "Sörnäinen", "parks", "Someone has dumped a sofa in Torkkelinmäki park.").ack(4),
    story(
        48,
        Email,
        Fi,
        138,
        "Kallio",
        "parks",
        "Hei, Karhupuiston leikkipaikan keinu on rikki ja ketju roikkuu lasten ulottuvilla.",
    )
    .ack(7),
    story(50, WalkIn, Fi, 131, "Kallio", "streets", "Asukas kertoi, että Vaasankadun liikennemerkki on kaatunut.")
        .ack(3)
        .reply(10, "Kiitos! Katutyöt nostavat merkin tänään."),
    story(35, Chat, Sv, 0, "Vuosaari", "housing", "Hissen i vårt hus har varit trasig i tre dagar.")
        .ack(0)
        .reply(5, "Tack! Jag kontaktar disponenten genast."),
    story(22, Sms, Fi, 132, "Munkkiniemi", "parks", "Puistonpenkin vieressä on käytetty ruisku.")
        .ack(2)
        .reply(6, "Kiitos! Puistotyöt hakevat sen tunnin sisällä."),
    story(4, Sms, Fi, 133, "Kallio", "streets", "Sturenkadulla vesijohto vuotaa ja katu jäätyy."),
    story(3, Sms, Sv, 134, "Vuosaari", "housing", "Det luktar gas i trapphuset, vad ska vi göra?"),
    story(2, WalkIn, Fi, 135, "Kallio", "health", "Asukas tarvitsee apua Kelan lomakkeen täyttämisessä."),
    story(1, Sms, En, 136, "Kallio", "parks", "The lights at the Kallio sports field are on all night."),
];
