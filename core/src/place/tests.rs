//! `CityMap` on Helsinki's real data (`data/areas/helsinki/`), without a
//! database: the map is built straight from the files.

use std::sync::LazyLock;

use super::{CityMap, LocatedBy, helsinki};

static HELSINKI: LazyLock<CityMap> = LazyLock::new(|| match helsinki::data().and_then(|d| d.city_map()) {
    Ok(map) => map,
    Err(e) => panic!("Helsinki's data does not load: {e}"),
});

/// The district `text` is placed in, and how, or `None`.
fn district(text: &str) -> Option<(String, LocatedBy, f32)> {
    HELSINKI.locate_text(text).map(|l| (l.districts.district.code, l.by, l.confidence))
}

fn assert_in(text: &str, expected: &str, by: LocatedBy) {
    let located = HELSINKI.locate_text(text);
    let Some(l) = located else { panic!("{text:?}: no place found, expected {expected}") };
    assert_eq!(l.districts.district.code, expected, "{text:?}: {l:?}");
    assert_eq!(l.by, by, "{text:?}: {l:?}");
    assert!(l.is_confident(), "{text:?} should be confident: {l:?}");
}

#[test]
fn the_data_is_all_there() {
    assert_eq!(HELSINKI.districts().len(), 59);
    assert!(HELSINKI.districts().iter().any(|d| d.code == "Sörnäinen" && d.name_sv == "Sörnäs"));
}

#[test]
fn a_point_has_a_district_at_every_level() {
    let Some(d) = HELSINKI.district_at(24.95314, 60.18469) else { panic!("Fleminginkatu 1 is in no district") };
    assert_eq!(d.district.code, "Kallio");
    assert_eq!(d.district.name_sv, "Berghäll");
    assert_eq!(d.major.map(|m| m.code).as_deref(), Some("suurpiiri:3"));
    assert!(d.sub.is_some_and(|s| s.code.starts_with("osa-alue:11")));
    let Some(vuosaari) = HELSINKI.district_at(25.1436, 60.2096) else { panic!("Vuosaari is in no district") };
    assert_eq!(vuosaari.district.code, "Vuosaari");
    assert_eq!(HELSINKI.district_at(24.0, 60.0), None, "the open sea off Hanko is not Helsinki");
    assert_eq!(HELSINKI.district_at(f64::NAN, 60.2), None);
}

#[test]
fn a_corner_of_two_streets() {
    let text = "Katuvalo on rikki Fleminginkadun ja Helsinginkadun kulmassa";
    assert_in(text, "Kallio", LocatedBy::Corner);
    let Some(l) = HELSINKI.locate_text(text) else { unreachable!() };
    assert_eq!(l.words, ["Fleminginkadun", "Helsinginkadun"]);
    assert_in("helsinginkadun ja fleminginkadun kulmassa on iso kuoppa", "Kallio", LocatedBy::Corner);
    assert_in("Hörnet av Helsingegatan och Flemingsgatan är mörkt", "Kallio", LocatedBy::Corner);
}

#[test]
fn inflected_street_names_with_a_number() {
    for text in [
        "Fleminginkatu 12 rappukäytävässä on roskia",
        "asun fleminginkadulla 12",
        "Fleminginkadun 12 pihalla on rikottu lasi",
        "Menkää Fleminginkadulle 12, siellä on vesivahinko",
        "Porthaninkatu 3:ssa on melua",
    ] {
        assert_in(text, "Kallio", LocatedBy::Address);
    }
}

#[test]
fn swedish_names_and_a_small_typo() {
    assert_in("Gatlyktan är trasig på Flemingsgatan 12", "Kallio", LocatedBy::Address);
    // The city's Swedish name is Flemingsgatan; people write Fleminggatan.
    assert_in("Gatlyktan är trasig på Fleminggatan 12", "Kallio", LocatedBy::Address);
    assert_in("katuvalo rikki flemingnikadulla 12", "Kallio", LocatedBy::Address);
    let Some(l) = HELSINKI.locate_text("Fleminggatan 12") else { unreachable!() };
    assert!(l.confidence < 0.9, "a typo costs confidence: {l:?}");
}

#[test]
fn a_postal_code() {
    let Some((d, by, confidence)) = district("Asun postinumeroalueella 00530, roskis on täynnä") else {
        panic!("00530 not found")
    };
    assert_eq!((d.as_str(), by), ("Kallio", LocatedBy::PostalCode));
    assert!(confidence < super::CONFIDENT, "a postal code crosses districts");
    assert_eq!(district("tilaus 99999 saapui"), None, "not a Helsinki code");
}

#[test]
fn district_names_inflected() {
    assert_in("Lauttasaaressa on kaatunut puu", "Lauttasaari", LocatedBy::AreaName);
    assert_in("Sörnäisissä on meteliä joka yö", "Sörnäinen", LocatedBy::AreaName);
    assert_in("I live in Vuosaari and the bus stop is broken", "Vuosaari", LocatedBy::AreaName);
    // A sub-district names its district.
    assert_in("Jätkäsaaressa roskat lentävät", "Länsisatama", LocatedBy::AreaName);
}

#[test]
fn no_place_in_the_text_gives_none() {
    for text in [
        "Hei, milloin kirjasto on auki?",
        "the bus was late again today",
        "Hevonen on karannut ja laakso on tulvinut",
        "Soitin eilen mutta kukaan ei vastannut",
        "Tien pinnassa on kuoppia",
        "",
    ] {
        assert_eq!(HELSINKI.locate_text(text), None, "{text:?}");
    }
}

#[test]
fn a_street_across_districts_without_a_number_is_not_guessed() {
    // Mannerheimintie runs through several districts.
    assert_eq!(district("Mannerheimintiellä on iso kuoppa"), None);
    // With a number it is an address.
    assert_in("Mannerheimintie 5 edessä on kuoppa", "Kluuvi", LocatedBy::Address);
    // With a district named too, that district.
    let Some((d, _, _)) = district("Mannerheimintiellä Meilahdessa on kuoppa") else { panic!("not found") };
    assert_eq!(d, "Meilahti");
}

#[test]
fn two_places_far_apart_give_none() {
    assert_eq!(district("Asun Vuosaaressa mutta työskentelen Lauttasaaressa"), None);
}

#[test]
fn a_compound_written_apart() {
    assert_in("Hakaniemen torilla on roskia", "Kallio", LocatedBy::Street);
}

#[test]
fn a_district_named_in_lower_case_with_a_place_ending() {
    // No ordinary words, only names: a place's case ending says it is one.
    assert_in("routavaurio tehny tiehen ison kuopan, pakilassa", "Pakila", LocatedBy::AreaName);
    assert_in("kierrätyspiste täynnä, malmilla", "Malmi", LocatedBy::AreaName);
    assert_in("Kumpulassa leikkipuiston keinu on rikki", "Kumpula", LocatedBy::AreaName);
    // An ordinary word stays a word: "on the rock", "in the valley".
    assert_eq!(district("istuin kalliolla ja katselin merta"), None);
    assert_eq!(district("laaksossa on sumua"), None);
}

#[test]
fn the_same_complaint_in_three_languages_gets_the_same_district() {
    for text in [
        "Katuvalo on rikki Fleminginkadulla 12",
        "Gatlyktan är trasig på Flemingsgatan 12",
        "The street light is broken at Fleminginkatu 12",
    ] {
        assert_in(text, "Kallio", LocatedBy::Address);
    }
}

#[test]
fn names_as_residents_write_them() {
    // The genitive before the word it owns; "alueella" makes even an
    // ordinary word the district.
    assert_in("valot ei toimi malmin aseman luona", "Malmi", LocatedBy::AreaName);
    assert_in("kova meteli kallion alueella", "Kallio", LocatedBy::AreaName);
    assert_eq!(district("kallion laella oli sammalta"), None, "the rock's top");
    // Swedish and English say "in" before the name.
    assert_in("gungan är trasig i kottby", "Käpylä", LocatedBy::AreaName);
    assert_in("belysningen vid stationen i malm är trasig", "Malmi", LocatedBy::AreaName);
    assert_in("grass not mowed in kumpula", "Kumpula", LocatedBy::AreaName);
    // Nicknames, and a place's dots left off.
    assert_eq!(district("itiksen metroasemalla hissi seis").map(|d| d.0).as_deref(), Some("Vartiokylä"));
    assert_eq!(district("escalator at itakeskus metro broken").map(|d| d.0).as_deref(), Some("Vartiokylä"));
    assert_eq!(district("roskis full at hakaniemi").map(|d| d.0).as_deref(), Some("Kallio"));
}

#[test]
fn everyday_words_one_letter_from_a_street_are_no_place() {
    // Suovatie, Gungvägen, Lokparken: a typo is trusted only with a number.
    assert_eq!(district("lumikasa tukkii suojatien, ei näe autoja"), None);
    assert_eq!(district("ett träd lutar farligt över gångvägen"), None);
    assert_eq!(district("lekparkens klätterställning är sönder"), None);
    // A street that is an everyday compound, without a number or capital.
    assert_eq!(district("aura-auto jätti vallin pihatien eteen"), None);
    assert_in("Fleminkinkatu 12 katuvalo rikki", "Kallio", LocatedBy::Address);
}

#[test]
fn a_park_named_in_lower_case_is_a_hint() {
    // One point for a park that may span districts: found, not routed by.
    let park = district("metsäpolulla kaatuneita puita keskuspuistossa");
    assert!(park.as_ref().is_some_and(|(_, _, confidence)| *confidence < super::CONFIDENT), "{park:?}");
    let square = district("suvilahdessa konsertti ja basso jytää");
    assert_eq!(square.as_ref().map(|s| s.0.as_str()), Some("Sörnäinen"));
    assert!(square.is_some_and(|(_, _, confidence)| confidence < super::CONFIDENT));
}

#[test]
fn a_dot_left_off_is_forgiven_without_a_house_number_and_any_one_letter_with_one() {
    // One ä or ö typed as a or o (a foreign keyboard): still the street,
    // at a little less confidence.
    for (typed, district_code) in [
        ("Kuoppa Toölöntorilla", "Taka-Töölö"),
        ("Kuoppa Töolöntorilla", "Taka-Töölö"),
        ("Kuoppa Koydenpunojankadulla", "Kamppi"),
        ("Kuoppa Makelänrinteellä", "Vallila"),
        ("Kuoppa Toölönlahdenkadulla", "Kluuvi"),
    ] {
        let Some(l) = HELSINKI.locate_text(typed) else { panic!("{typed:?}: no place found") };
        assert_eq!((l.districts.district.code.as_str(), l.by), (district_code, LocatedBy::Street), "{typed:?}");
        assert!(l.confidence < 0.8, "a typo costs confidence: {l:?}");
    }
    // Two dots off, or another letter off without a house number, is not
    // read as the street: as likely an everyday word.
    assert_eq!(district("Kuoppa Tahtitorninvuorella"), None);
    assert_eq!(district("Kuoppa Köydenpunojnkadulla"), None);
    // With a house number after it, any one letter off is an address.
    assert_in("Kuoppa Köydenpunojnkatu 5", "Kamppi", LocatedBy::Address);
}
