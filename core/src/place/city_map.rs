//! [`CityMap`]: the city's areas, streets, places and postal codes in
//! memory, built once from the store, answering two questions:
//!
//! - [`CityMap::district_at`]: which areas hold a point (a shared location,
//!   an Open311 `lat`/`long`, a walk-in point's address);
//! - [`CityMap::locate_text`]: where a resident's words place them
//!   ("Katuvalo on rikki Fleminginkadun ja Helsinginkadun kulmassa").
//!
//! Both are pure and fast (microseconds to a millisecond): the router can
//! call them while filing.

use std::collections::HashMap;

use geo::{BoundingRect, Contains, Coord, LineString, MultiPolygon, Point, Polygon, Rect};
use serde::Serialize;

use super::{
    finnish::{ENDINGS, has_street_generic, stems},
    text::{Word, name_words, words},
};
use crate::{
    Error, Result,
    domain::Language,
    store::areas::{AreaRow, HouseRange, PlaceRow, PostalCodeRow, StreetRow},
};

/// From this confidence on a [`Located`] may be acted on without a person
/// checking it (routing by its district, say). Below it, it is a hint.
pub const CONFIDENT: f32 = 0.8;

/// Below this nothing is returned at all: an unsure place is no place.
const LEAST: f32 = 0.5;

/// A point that falls in none of the districts (the simplified borders
/// leave gaps of a few metres) gets the nearest district within this.
const NEAREST_WITHIN_M: f64 = 100.0;

/// Two streets named together meet if their nearest address points are
/// at most this far apart ("Fleminginkadun ja Helsinginkadun kulmassa").
const CORNER_WITHIN_M: f64 = 250.0;

/// A point, WGS84.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, utoipa::ToSchema)]
pub struct LonLat {
    /// Longitude, degrees east.
    pub lon: f64,
    /// Latitude, degrees north.
    pub lat: f64,
}

impl LonLat {
    /// Metres to `other`, on a plane: exact enough within one city.
    pub fn metres_to(self, other: LonLat) -> f64 {
        let (x, y) = self.plane();
        let (ox, oy) = other.plane();
        ((x - ox).powi(2) + (y - oy).powi(2)).sqrt()
    }

    /// Metres east and north of 0°, 0° on a plane tangent at 60° N.
    fn plane(self) -> (f64, f64) {
        (self.lon * 55_800.0, self.lat * 111_400.0)
    }
}

/// The three levels of the city's division.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, utoipa::ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum Level {
    /// Suurpiiri: 8 in Helsinki.
    MajorDistrict,
    /// Kaupunginosa: 59 in Helsinki; what cases, responders and walk-in
    /// points are routed by.
    District,
    /// Osa-alue: 147 in Helsinki.
    SubDistrict,
}

impl Level {
    fn parse(level: &str) -> Result<Level> {
        match level {
            "major_district" => Ok(Level::MajorDistrict),
            "district" => Ok(Level::District),
            "sub_district" => Ok(Level::SubDistrict),
            other => Err(Error::Invalid(format!("unknown area level {other:?}"))),
        }
    }
}

/// An area's code and names.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, utoipa::ToSchema)]
pub struct AreaName {
    /// The code cases and responders hold: for a district its Finnish name.
    pub code: String,
    /// Finnish name.
    pub name_fi: String,
    /// Swedish name.
    pub name_sv: String,
}

impl AreaName {
    /// The name in `lang`: Swedish in Swedish, else Finnish (the city has
    /// no English names for its districts).
    pub fn name(&self, lang: Language) -> &str {
        match lang {
            Language::Sv => &self.name_sv,
            _ => &self.name_fi,
        }
    }
}

/// The areas a place is in, at every level.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, utoipa::ToSchema)]
pub struct Districts {
    /// The major district (suurpiiri).
    pub major: Option<AreaName>,
    /// The district (kaupunginosa): the one Batline routes on.
    pub district: AreaName,
    /// The sub-district (osa-alue), when known: a postal code or a
    /// district's name does not tell it.
    pub sub: Option<AreaName>,
}

/// What decided a [`Located`].
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, utoipa::ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum LocatedBy {
    /// A street and a house number.
    Address,
    /// Two streets that meet.
    Corner,
    /// A street alone, all of it in one district.
    Street,
    /// A named place: a park, a square, a hall.
    Place,
    /// A district's or sub-district's name.
    AreaName,
    /// A postal code.
    PostalCode,
}

/// A name in both of the city's languages.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, utoipa::ToSchema)]
pub struct Names {
    /// Finnish.
    pub fi: String,
    /// Swedish.
    pub sv: String,
}

impl Names {
    /// The name in `lang` (Swedish in Swedish, else Finnish).
    pub fn get(&self, lang: Language) -> &str {
        match lang {
            Language::Sv => &self.sv,
            _ => &self.fi,
        }
    }
}

/// Where a text places its writer.
#[derive(Debug, Clone, PartialEq, Serialize, utoipa::ToSchema)]
pub struct Located {
    /// What decided it.
    pub by: LocatedBy,
    /// The place as the city names it ("Fleminginkatu 12", "Helsinginkatu /
    /// Fleminginkatu", "00530"), in Finnish and Swedish.
    pub label: Names,
    /// The point, when the text gave one (an address, a corner, a street,
    /// a place); none for a postal code or a district's name.
    pub point: Option<LonLat>,
    /// Its areas.
    pub districts: Districts,
    /// 0 to 1; from [`CONFIDENT`] on it may be acted on unchecked.
    pub confidence: f32,
    /// The words of the text that decided it, as written.
    pub words: Vec<String>,
}

impl Located {
    /// Whether it may be acted on unchecked (see [`CONFIDENT`]).
    pub fn is_confident(&self) -> bool {
        self.confidence >= CONFIDENT
    }
}

struct Area {
    name: AreaName,
    level: Level,
    parent: Option<usize>,
    shape: MultiPolygon<f64>,
    bbox: Rect<f64>,
}

struct Street {
    names: Names,
    ranges: Vec<HouseRange>,
    /// The district of each range.
    range_districts: Vec<Option<usize>>,
    district: Option<usize>,
}

struct Place {
    names: Names,
    point: LonLat,
    district: Option<usize>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Target {
    Street(usize),
    Place(usize),
    Area(usize),
}

/// One name in the index, keyed by a stem of its last word.
struct Entry {
    target: Target,
    /// The name's words before the last, lower case.
    before: Vec<String>,
    /// A bare word ("Hevonen", "Laakso", "Tali") that is also an ordinary
    /// word: taken only when written with a capital, or (a street) with a
    /// house number after it.
    bare: bool,
    /// A bare name that is no ordinary word, only a name (as surnames
    /// are: "Pakila", "Kumpula", "Malmi", "Suvilahti"): also taken in lower
    /// case when a place's case ending says it is a place ("pakilassa",
    /// "suvilahdessa"), in the genitive before another word ("malmin
    /// asemalla", "kumpulan kirjasto"), or after a Swedish or English
    /// preposition ("i kottby", "in kumpula").
    named_in_place_case: bool,
}

/// The city in memory: see the module's documentation.
pub struct CityMap {
    areas: Vec<Area>,
    streets: Vec<Street>,
    places: Vec<Place>,
    postal: HashMap<String, usize>,
    index: HashMap<String, Vec<Entry>>,
    /// Long single-word stems by length, for typos ("Flemingkatu").
    fuzzy: HashMap<usize, Vec<(String, usize)>>,
    /// The same stems by their spelling without dots ([`undotted`]): a
    /// typo without a house number after it is only a dot left off, so
    /// those are looked up here instead of tried one by one.
    fuzzy_undotted: HashMap<String, Vec<(String, usize)>>,
    by_code: HashMap<String, usize>,
}

impl std::fmt::Debug for CityMap {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("CityMap")
            .field("areas", &self.areas.len())
            .field("streets", &self.streets.len())
            .field("places", &self.places.len())
            .field("postal_codes", &self.postal.len())
            .finish()
    }
}

/// Words whose stems are too short to tell anything: "tie", "ja".
const SHORTEST_STEM: usize = 4;

/// Typos are forgiven only in words this long, and only one letter.
const FUZZY_FROM: usize = 9;

impl CityMap {
    /// A map with nothing in it: every question answers none. What the
    /// gateway has before `batline areas load` has run.
    pub fn empty() -> CityMap {
        CityMap {
            areas: Vec::new(),
            streets: Vec::new(),
            places: Vec::new(),
            postal: HashMap::new(),
            index: HashMap::new(),
            fuzzy: HashMap::new(),
            fuzzy_undotted: HashMap::new(),
            by_code: HashMap::new(),
        }
    }

    /// Builds the map from the stored rows; fails on a boundary that is
    /// not a GeoJSON Polygon or MultiPolygon, or a reference to an area
    /// that is not there.
    pub fn new(
        areas: &[AreaRow],
        streets: &[StreetRow],
        places: &[PlaceRow],
        postal_codes: &[PostalCodeRow],
    ) -> Result<CityMap> {
        let mut map = CityMap::empty();
        for row in areas {
            let shape = multipolygon(&row.boundary.0)
                .map_err(|e| Error::Invalid(format!("area {}: boundary: {e}", row.code)))?;
            let bbox =
                shape.bounding_rect().ok_or_else(|| Error::Invalid(format!("area {}: empty boundary", row.code)))?;
            map.by_code.insert(row.code.clone(), map.areas.len());
            map.areas.push(Area {
                name: AreaName { code: row.code.clone(), name_fi: row.name_fi.clone(), name_sv: row.name_sv.clone() },
                level: Level::parse(&row.level)?,
                parent: None,
                shape,
                bbox,
            });
        }
        for (i, row) in areas.iter().enumerate() {
            if let Some(parent) = &row.parent {
                map.areas[i].parent = Some(map.area(parent)?);
            }
        }
        for row in streets {
            let range_districts =
                row.ranges.0.iter().map(|r| map.district_index_at(LonLat { lon: r.lon, lat: r.lat })).collect();
            map.streets.push(Street {
                names: Names { fi: row.name_fi.clone(), sv: row.name_sv.clone() },
                ranges: row.ranges.0.clone(),
                range_districts,
                district: Some(map.area(&row.district)?),
            });
        }
        for row in places {
            map.places.push(Place {
                names: Names { fi: row.name_fi.clone(), sv: row.name_sv.clone() },
                point: LonLat { lon: row.lon, lat: row.lat },
                district: Some(map.area(&row.district)?),
            });
        }
        for row in postal_codes {
            let district = map.area(&row.district)?;
            map.postal.insert(row.code.clone(), district);
        }
        map.build_index();
        Ok(map)
    }

    /// Whether anything is loaded.
    pub fn is_empty(&self) -> bool {
        self.areas.is_empty()
    }

    /// Every district (the routing level), by Finnish name.
    pub fn districts(&self) -> Vec<&AreaName> {
        let mut out: Vec<_> = self.areas.iter().filter(|a| a.level == Level::District).map(|a| &a.name).collect();
        out.sort_by(|a, b| a.name_fi.cmp(&b.name_fi));
        out
    }

    /// The areas at every level of the district with `code` ("Kallio"), or
    /// of a sub-district ("osa-alue:113"); none for an unknown code.
    pub fn districts_of(&self, code: &str) -> Option<Districts> {
        let i = *self.by_code.get(code)?;
        match self.areas[i].level {
            Level::District => Some(self.districts_from(i, None)),
            Level::SubDistrict => Some(self.districts_from(self.areas[i].parent?, Some(i))),
            Level::MajorDistrict => None,
        }
    }

    /// A point inside the district with `code`, far from its edges: where a
    /// walk-in point with only a district known is taken to be.
    pub fn district_centre(&self, code: &str) -> Option<LonLat> {
        let area = &self.areas[*self.by_code.get(code)?];
        let largest = area.shape.0.iter().max_by(|a, b| ring_area(a.exterior()).total_cmp(&ring_area(b.exterior())))?;
        let c = largest.bounding_rect()?.center();
        let centre = LonLat { lon: c.x, lat: c.y };
        if area.shape.contains(&Point::new(c.x, c.y)) {
            return Some(centre);
        }
        // A crescent's box centre is outside it: its nearest vertex then.
        largest
            .exterior()
            .0
            .iter()
            .map(|c| LonLat { lon: c.x, lat: c.y })
            .min_by(|a, b| a.metres_to(centre).total_cmp(&b.metres_to(centre)))
    }

    /// The areas at every level that hold the point `lon`, `lat` (WGS84),
    /// or none when it is outside the city. A point in a gap the simplified
    /// borders leave gets the nearest district within 100 m.
    pub fn district_at(&self, lon: f64, lat: f64) -> Option<Districts> {
        if !(lon.is_finite() && lat.is_finite()) {
            return None;
        }
        let point = LonLat { lon, lat };
        let district = self.district_index_at(point)?;
        let sub = self.containing(point, Level::SubDistrict).filter(|s| self.areas[*s].parent == Some(district));
        let mut districts = self.districts_from(district, sub);
        if let Some(major) = self.containing(point, Level::MajorDistrict) {
            districts.major = Some(self.areas[major].name.clone());
        }
        Some(districts)
    }

    /// Where `text` places its writer, or none when it does not say or the
    /// map cannot tell for sure. In order of trust: a street with a house
    /// number, two streets that meet, a street lying in one district, a
    /// named place, a district's name, a postal code. Finnish case endings
    /// are understood (Fleminginkadulla, Lauttasaaressa), Swedish names too
    /// (Flemingsgatan), lower case, and one wrong letter in a long word.
    /// A street crossing several districts with nothing else said, two
    /// places far apart, or a name shared by streets in different districts
    /// give none rather than a guess.
    pub fn locate_text(&self, text: &str) -> Option<Located> {
        if self.is_empty() {
            return None;
        }
        let words = words(text);
        let hits = self.hits(&words);
        self.resolve(&words, &hits)
    }

    fn area(&self, code: &str) -> Result<usize> {
        self.by_code.get(code).copied().ok_or_else(|| Error::Invalid(format!("unknown area {code:?}")))
    }

    fn districts_from(&self, district: usize, sub: Option<usize>) -> Districts {
        let d = &self.areas[district];
        Districts {
            major: d.parent.map(|p| self.areas[p].name.clone()),
            district: d.name.clone(),
            sub: sub.map(|s| self.areas[s].name.clone()),
        }
    }

    fn containing(&self, point: LonLat, level: Level) -> Option<usize> {
        let p = Point::new(point.lon, point.lat);
        self.areas.iter().position(|a| {
            a.level == level
                && a.bbox.min().x <= point.lon
                && point.lon <= a.bbox.max().x
                && a.bbox.min().y <= point.lat
                && point.lat <= a.bbox.max().y
                && a.shape.contains(&p)
        })
    }

    fn district_index_at(&self, point: LonLat) -> Option<usize> {
        self.containing(point, Level::District).or_else(|| {
            self.areas
                .iter()
                .enumerate()
                .filter(|(_, a)| a.level == Level::District)
                .map(|(i, a)| (i, distance_to_shape(point, &a.shape)))
                .filter(|(_, d)| *d <= NEAREST_WITHIN_M)
                .min_by(|a, b| a.1.total_cmp(&b.1))
                .map(|(i, _)| i)
        })
    }

    fn build_index(&mut self) {
        let add = |index: &mut HashMap<String, Vec<Entry>>, name: &str, target: Target, bare: bool| {
            // An area's name, or a street's or place's that has no street
            // word in it and is long enough to be only a name; a nickname
            // is only ever a name.
            // Judged on its words, without what the register adds in
            // brackets ("Laakso (kaup.osa)" is the word "laakso").
            let plain = name_words(name).join(" ");
            let only_a_name = NICKNAMES.iter().any(|(nick, _)| *nick == name)
                || match target {
                    Target::Area(_) => !is_ordinary_word(name),
                    Target::Street(_) | Target::Place(_) => {
                        !has_street_generic(&plain) && !is_common_word(&plain) && !is_ordinary_word(&plain)
                    }
                };
            let named_in_place_case = bare && only_a_name;
            let mut parts = name_words(name);
            let Some(last) = parts.pop() else { return };
            for stem in stems(&last) {
                if stem.chars().count() < SHORTEST_STEM && parts.is_empty() {
                    continue;
                }
                let entries = index.entry(stem).or_default();
                if !entries.iter().any(|e| e.target == target && e.before == parts) {
                    entries.push(Entry { target, before: parts.clone(), bare, named_in_place_case });
                }
            }
        };
        let mut index = HashMap::new();
        for (i, area) in self.areas.iter().enumerate() {
            // Major districts are named by compass points ("Keskinen",
            // "Södra"): words, not places.
            if area.level == Level::MajorDistrict {
                continue;
            }
            for name in [&area.name.name_fi, &area.name.name_sv] {
                let bare = is_common_word(name);
                add(&mut index, name, Target::Area(i), bare);
            }
        }
        for (i, street) in self.streets.iter().enumerate() {
            for name in [&street.names.fi, &street.names.sv] {
                add(&mut index, name, Target::Street(i), !has_street_generic(name) || is_common_word(name));
            }
        }
        for (i, place) in self.places.iter().enumerate() {
            for name in [&place.names.fi, &place.names.sv] {
                let bare = !has_street_generic(name) || is_common_word(name);
                add(&mut index, name, Target::Place(i), bare);
            }
        }
        // What residents call places the city names otherwise ("itis" for
        // Itäkeskus): each nickname is indexed as the name it stands for.
        for (nickname, name) in NICKNAMES {
            let Some(target) = name_words(name)
                .pop()
                .and_then(|last| index.get(&last))
                .and_then(|entries| entries.iter().find(|e| e.before.is_empty()).map(|e| e.target))
            else {
                // Not a name in this city's data: another city's nickname.
                continue;
            };
            add(&mut index, nickname, target, true);
        }
        let mut fuzzy: HashMap<usize, Vec<(String, usize)>> = HashMap::new();
        let mut fuzzy_undotted: HashMap<String, Vec<(String, usize)>> = HashMap::new();
        for (stem, entries) in &index {
            let n = stem.chars().count();
            if n + 1 >= FUZZY_FROM
                && let Some(e) = entries.iter().position(|e| e.before.is_empty() && !e.bare)
            {
                fuzzy.entry(n).or_default().push((stem.clone(), e));
                fuzzy_undotted.entry(undotted(stem)).or_default().push((stem.clone(), e));
            }
        }
        self.index = index;
        self.fuzzy = fuzzy;
        self.fuzzy_undotted = fuzzy_undotted;
    }

    /// Every name in `words`, longest first where two overlap.
    fn hits(&self, words: &[Word]) -> Vec<Hit> {
        let mut hits: Vec<Hit> = Vec::new();
        for (i, word) in words.iter().enumerate() {
            if word.text.len() == 5 && word.text.chars().all(|c| c.is_ascii_digit()) {
                if let Some(&district) = self.postal.get(&word.text) {
                    hits.push(Hit { start: i, end: i, targets: vec![HitTarget::Postal(district)], fuzzy: false });
                }
                continue;
            }
            if word.number.is_some() {
                continue;
            }
            let number_after = words.get(i + 1).and_then(|w| w.number).filter(|n| (1..1000).contains(n));
            let mut found: Vec<(usize, Target)> = Vec::new();
            let mut lower_case_bare = false;
            for ending in ENDINGS {
                let Some(stem) = word.text.strip_suffix(ending) else { continue };
                if stem.chars().count() < 3 {
                    continue;
                }
                for entry in self.index.get(stem).into_iter().flatten() {
                    let Some(start) = i.checked_sub(entry.before.len()) else { continue };
                    let before_match =
                        entry.before.iter().zip(&words[start..i]).all(|(name, w)| same_word(name, &w.text));
                    let first = &words[start];
                    let next = words.get(i + 1).filter(|w| w.number.is_none());
                    let after_preposition =
                        start.checked_sub(1).is_some_and(|p| PREPOSITIONS.contains(&words[p].text.as_str()));
                    let allowed = !entry.bare
                        || (first.capital && !first.sentence_start && stem.chars().count() >= 5)
                        || (entry.named_in_place_case && PLACE_CASES.contains(ending))
                        // "malmin asemalla", "kumpulan kirjasto": a name in
                        // the genitive before the word it owns.
                        || (entry.named_in_place_case && *ending == "n" && next.is_some())
                        // "kallion alueella": even an ordinary word is the
                        // district when its area is what is meant.
                        || (matches!(entry.target, Target::Area(_))
                            && *ending == "n"
                            && next.is_some_and(|w| w.text.starts_with("alue") || w.text.starts_with("kaupunginos")))
                        // "i kottby", "in kumpula", "i malm": Swedish and
                        // English say "in" with a word before the name.
                        || (after_preposition
                            && ending.is_empty()
                            && (entry.named_in_place_case
                                || (matches!(entry.target, Target::Area(_)) && stem.chars().count() >= 4)))
                        || (matches!(entry.target, Target::Street(_)) && number_after.is_some());
                    if before_match && allowed && !found.contains(&(start, entry.target)) {
                        found.push((start, entry.target));
                        // A bare name in lower case, or a park's or
                        // square's (a "street" without house numbers, one
                        // point for what may span districts): a hint.
                        let numberless = match entry.target {
                            Target::Street(s) => self.streets[s].ranges.iter().all(|r| r.from.is_none()),
                            _ => false,
                        };
                        lower_case_bare |= (entry.bare || numberless)
                            && !first.capital
                            && number_after.is_none()
                            && !matches!(entry.target, Target::Area(_));
                    }
                }
            }
            // A compound written apart: "Hakaniemen torilla" for
            // Hakaniementori, "Kumpulan rinteellä" for Kumpulanrinne.
            if found.is_empty()
                && let Some(previous) = i.checked_sub(1).map(|p| &words[p]).filter(|p| p.number.is_none())
            {
                let joined = format!("{}{}", previous.text, word.text);
                for ending in ENDINGS {
                    let Some(stem) = joined.strip_suffix(ending) else { continue };
                    for entry in self.index.get(stem).into_iter().flatten() {
                        if entry.before.is_empty() && !entry.bare && !found.contains(&(i - 1, entry.target)) {
                            found.push((i - 1, entry.target));
                        }
                    }
                }
            }
            let fuzzy = found.is_empty();
            // A name one letter off is a typo only when a house number
            // after it says an address was meant, or when the letter is a
            // dot left off (ä, ö, å typed as a, o on a foreign keyboard):
            // otherwise it is as likely an everyday word one letter from a
            // street's ("suojatien" and Suovatie, "gångvägen" and Gungvägen).
            if fuzzy && word.text.chars().count() >= FUZZY_FROM {
                for ending in ENDINGS {
                    let Some(stem) = word.text.strip_suffix(ending) else { continue };
                    let candidates: Vec<&(String, usize)> = match number_after {
                        Some(_) => {
                            let n = stem.chars().count();
                            (n.saturating_sub(1)..=n + 1).flat_map(|len| self.fuzzy.get(&len)).flatten().collect()
                        }
                        // Without a house number only a dot left off is
                        // trusted: the names spelt the same but for dots.
                        None => self.fuzzy_undotted.get(&undotted(stem)).into_iter().flatten().collect(),
                    };
                    for (candidate, e) in candidates {
                        if one_edit_apart(stem, candidate) {
                            let target = self.index[candidate][*e].target;
                            if !found.contains(&(i, target)) {
                                found.push((i, target));
                            }
                        }
                    }
                }
            }
            if found.is_empty() {
                continue;
            }
            // The longest name ending here wins ("Pohjoinen Hesperiankatu"
            // over a "Hesperiankatu").
            let start = found.iter().map(|(s, _)| *s).min().unwrap_or(i);
            let targets: Vec<HitTarget> =
                found.into_iter().filter(|(s, _)| *s == start).map(|(_, t)| HitTarget::Name(t)).collect();
            hits.retain(|h| h.end < start);
            // The register lists districts as numberless "streets" too
            // ("Kottby (stadsdel)"): a district's name is no hint but the name.
            let names_an_area = targets.iter().any(|t| t.area().is_some());
            hits.push(Hit { start, end: i, targets, fuzzy: fuzzy || (lower_case_bare && !names_an_area) });
        }
        hits
    }

    fn resolve(&self, words: &[Word], hits: &[Hit]) -> Option<Located> {
        let said = |h: &Hit| words[h.start..=h.end].iter().map(|w| w.original.clone()).collect::<Vec<_>>();
        // A typo costs a little: with a house number that fits the street an
        // address is still sure, a bare street name no longer is.
        let penalty = |fuzzy: bool| if fuzzy { 0.05 } else { 0.0 };

        // What each hit names, by kind: a street with a number after it
        // is a street; otherwise a district's name is the district (there
        // is a "Kalliontie" too, but "Kalliossa" means Kallio).
        let mut streets: Vec<(&Hit, Vec<usize>)> = Vec::new();
        let mut places: Vec<(&Hit, usize)> = Vec::new();
        let mut areas: Vec<(&Hit, usize)> = Vec::new();
        let mut postal: Vec<(&Hit, usize)> = Vec::new();
        for hit in hits {
            let number_after = words.get(hit.end + 1).and_then(|w| w.number).is_some();
            let street_ids: Vec<usize> = hit.targets.iter().filter_map(|t| t.street()).collect();
            let area_ids: Vec<usize> = hit.targets.iter().filter_map(|t| t.area()).collect();
            let place_ids: Vec<usize> = hit.targets.iter().filter_map(|t| t.place()).collect();
            if let Some(HitTarget::Postal(d)) = hit.targets.first() {
                postal.push((hit, *d));
            } else if !street_ids.is_empty() && (number_after || area_ids.is_empty()) {
                streets.push((hit, street_ids));
            } else if let [area] = area_ids[..] {
                areas.push((hit, area));
            } else if area_ids.len() > 1 {
                // The same name at two levels (sub-district "Vallila" in
                // district Vallila) is one district; else it is ambiguous.
                let ds: Vec<_> = area_ids.iter().map(|a| self.district_of_area(*a)).collect();
                if ds.windows(2).all(|w| w[0] == w[1])
                    && let Some(a) = area_ids.iter().find(|a| self.areas[**a].level == Level::SubDistrict)
                {
                    areas.push((hit, *a));
                } else {
                    return None;
                }
            } else if let [place] = place_ids[..] {
                places.push((hit, place));
            } else if place_ids.len() > 1 {
                let ds: Vec<_> = place_ids.iter().map(|p| self.places[*p].district).collect();
                if ds.windows(2).all(|w| w[0] == w[1]) {
                    places.push((hit, place_ids[0]));
                } else {
                    return None;
                }
            }
        }
        // Districts other words name: they choose among a long street's.
        let other_districts: Vec<usize> = areas
            .iter()
            .map(|(_, a)| self.district_of_area(*a))
            .chain(postal.iter().map(|(_, d)| Some(*d)))
            .chain(places.iter().map(|(_, p)| self.places[*p].district))
            .flatten()
            .collect();

        // A street's name shared by several streets is resolved by the
        // others: a corner, or the district other words name.
        if streets.len() >= 2
            && let Some(corner) = self.corner(&streets)
        {
            let (a, b, point) = corner;
            let fuzzy = a.0.fuzzy || b.0.fuzzy;
            let districts = self.district_at(point.lon, point.lat)?;
            let mut words = said(a.0);
            words.extend(said(b.0));
            let (sa, sb) = (&self.streets[a.1].names, &self.streets[b.1].names);
            return finish(Located {
                by: LocatedBy::Corner,
                label: Names { fi: format!("{} / {}", sa.fi, sb.fi), sv: format!("{} / {}", sa.sv, sb.sv) },
                point: Some(point),
                districts,
                confidence: 0.9 - penalty(fuzzy),
                words,
            });
        }
        if !streets.is_empty() {
            // Every street named must agree; each hit may name several
            // streets of the same name.
            let mut chosen: Option<Located> = None;
            for (hit, ids) in &streets {
                let number = words.get(hit.end + 1).and_then(|w| w.number).filter(|n| (1..1000).contains(n));
                let mut candidates: Vec<Located> =
                    ids.iter().filter_map(|s| self.on_street(*s, number, &other_districts)).collect();
                candidates.dedup_by(|a, b| a.districts.district == b.districts.district);
                if candidates.len() != 1 {
                    return None;
                }
                let mut located = candidates.pop()?;
                located.confidence -= penalty(hit.fuzzy);
                located.words = said(hit);
                if let Some(n) = number {
                    located.words.push(n.to_string());
                }
                match &chosen {
                    Some(c) if c.districts.district != located.districts.district => return None,
                    Some(c) if c.confidence >= located.confidence => {}
                    _ => chosen = Some(located),
                }
            }
            let mut located = chosen?;
            // A postal code for another district: the code's area crosses
            // districts, but the two disagree, so trust both less.
            if postal.iter().any(|(_, d)| self.areas[*d].name != located.districts.district) {
                located.confidence -= 0.15;
            }
            return finish(located);
        }
        if let Some((hit, place)) = places.first() {
            let p = &self.places[*place];
            if places.iter().any(|(_, q)| self.places[*q].point.metres_to(p.point) > 1000.0) {
                return None;
            }
            let districts =
                self.district_at(p.point.lon, p.point.lat).or_else(|| Some(self.districts_from(p.district?, None)))?;
            return finish(Located {
                by: LocatedBy::Place,
                label: p.names.clone(),
                point: Some(p.point),
                districts,
                confidence: 0.8 - penalty(hit.fuzzy),
                words: said(hit),
            });
        }
        if let Some((hit, area)) = areas.first() {
            let district = self.district_of_area(*area)?;
            if areas.iter().any(|(_, a)| self.district_of_area(*a) != Some(district)) {
                return None;
            }
            let sub = areas.iter().map(|(_, a)| *a).find(|a| self.areas[*a].level == Level::SubDistrict);
            let mut confidence = 0.8 - penalty(hit.fuzzy);
            if postal.iter().any(|(_, d)| *d != district) {
                confidence -= 0.15;
            }
            let named = &self.areas[sub.unwrap_or(district)].name;
            return finish(Located {
                by: LocatedBy::AreaName,
                label: Names { fi: named.name_fi.clone(), sv: named.name_sv.clone() },
                point: None,
                districts: self.districts_from(district, sub),
                confidence,
                words: areas.iter().flat_map(|(h, _)| said(h)).collect(),
            });
        }
        if let Some((hit, district)) = postal.first() {
            if postal.iter().any(|(_, d)| d != district) {
                return None;
            }
            let code = words[hit.start].text.clone();
            return finish(Located {
                by: LocatedBy::PostalCode,
                label: Names { fi: code.clone(), sv: code },
                point: None,
                districts: self.districts_from(*district, None),
                // A postal code's area crosses district borders: its
                // district is where most of its addresses are, not all.
                confidence: 0.7,
                words: said(hit),
            });
        }
        None
    }

    /// The district an area is or is in.
    fn district_of_area(&self, area: usize) -> Option<usize> {
        match self.areas[area].level {
            Level::District => Some(area),
            Level::SubDistrict => self.areas[area].parent,
            Level::MajorDistrict => None,
        }
    }

    /// The place on street `s`: at `number` if given, else the whole
    /// street if it lies in one district, or its part in one of `hinted`.
    fn on_street(&self, s: usize, number: Option<u32>, hinted: &[usize]) -> Option<Located> {
        let street = &self.streets[s];
        let label_with = |n: Option<u32>| match n {
            Some(n) => Names { fi: format!("{} {n}", street.names.fi), sv: format!("{} {n}", street.names.sv) },
            None => street.names.clone(),
        };
        if let Some(n) = number {
            let numbered = street.ranges.iter().enumerate().filter(|(_, r)| r.from.is_some());
            let best = numbered
                .map(|(i, r)| {
                    let (from, to) = (r.from.unwrap_or(0), r.to.unwrap_or(0));
                    let off = if n < from { from - n } else { n.saturating_sub(to) };
                    (i, off)
                })
                .min_by_key(|(_, off)| *off);
            // A number far past the street's last one is not an address on it.
            if let Some((i, off)) = best.filter(|(_, off)| *off <= 10) {
                let r = street.ranges[i];
                let point = LonLat { lon: r.lon, lat: r.lat };
                let districts = self.district_at(r.lon, r.lat)?;
                return Some(Located {
                    by: LocatedBy::Address,
                    label: label_with(Some(n)),
                    point: Some(point),
                    districts,
                    confidence: if off == 0 { 0.9 } else { 0.85 },
                    words: Vec::new(),
                });
            }
        }
        let mut ds: Vec<usize> = street.range_districts.iter().flatten().copied().collect();
        ds.sort_unstable();
        ds.dedup();
        let (district, confidence) = match ds[..] {
            [] => (street.district?, 0.8),
            [only] => (only, 0.8),
            _ => (*hinted.iter().find(|d| ds.contains(d))?, 0.75),
        };
        let i = street.range_districts.iter().position(|d| *d == Some(district)).unwrap_or(0);
        let r = street.ranges.get(i)?;
        let districts = self.district_at(r.lon, r.lat).filter(|d| d.district.code == self.areas[district].name.code);
        Some(Located {
            by: LocatedBy::Street,
            label: label_with(None),
            point: Some(LonLat { lon: r.lon, lat: r.lat }),
            districts: districts.unwrap_or_else(|| self.districts_from(district, None)),
            confidence,
            words: Vec::new(),
        })
    }

    /// Two different streets among `streets` that meet: the pair whose
    /// nearest points are closest, within [`CORNER_WITHIN_M`], and the point
    /// between those two points.
    #[allow(clippy::type_complexity)]
    fn corner<'h>(&self, streets: &[(&'h Hit, Vec<usize>)]) -> Option<((&'h Hit, usize), (&'h Hit, usize), LonLat)> {
        let mut best: Option<((&Hit, usize), (&Hit, usize), LonLat, f64)> = None;
        for (i, (ha, a_ids)) in streets.iter().enumerate() {
            for (hb, b_ids) in &streets[i + 1..] {
                for &a in a_ids {
                    for &b in b_ids {
                        if self.streets[a].names == self.streets[b].names {
                            continue;
                        }
                        for ra in &self.streets[a].ranges {
                            for rb in &self.streets[b].ranges {
                                let (pa, pb) =
                                    (LonLat { lon: ra.lon, lat: ra.lat }, LonLat { lon: rb.lon, lat: rb.lat });
                                let d = pa.metres_to(pb);
                                if d <= CORNER_WITHIN_M && best.as_ref().is_none_or(|x| d < x.3) {
                                    let mid = LonLat { lon: (pa.lon + pb.lon) / 2.0, lat: (pa.lat + pb.lat) / 2.0 };
                                    best = Some(((ha, a), (hb, b), mid, d));
                                }
                            }
                        }
                    }
                }
            }
        }
        best.map(|(a, b, p, _)| (a, b, p))
    }
}

fn finish(located: Located) -> Option<Located> {
    (located.confidence >= LEAST).then_some(located)
}

/// A name found in the text.
#[derive(Debug)]
struct Hit {
    start: usize,
    end: usize,
    targets: Vec<HitTarget>,
    /// Less than sure: a typo, or a street's or place's bare name in lower
    /// case ("keskuspuistossa": the park is long, its point is in one
    /// district). A hint, not enough to route by alone.
    fuzzy: bool,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum HitTarget {
    Name(Target),
    /// A postal code and its district.
    Postal(usize),
}

impl HitTarget {
    fn street(self) -> Option<usize> {
        match self {
            HitTarget::Name(Target::Street(s)) => Some(s),
            _ => None,
        }
    }
    fn area(self) -> Option<usize> {
        match self {
            HitTarget::Name(Target::Area(a)) => Some(a),
            _ => None,
        }
    }
    fn place(self) -> Option<usize> {
        match self {
            HitTarget::Name(Target::Place(p)) => Some(p),
            _ => None,
        }
    }
}

/// Names that are also everyday words ("laakso" is a valley, "linjat"
/// lines, "tali" tallow) or too short to trust: taken only when written
/// with a capital.
fn is_common_word(name: &str) -> bool {
    const COMMON: &[&str] = &[
        "kallio",
        "laakso",
        "linjat",
        "harju",
        "tali",
        "eira",
        "haaga",
        "malmi",
        "vik",
        "dal",
        "ås",
        "haga",
        "malm",
        "böle",
        "kumpula",
        "koskela",
        "pakila",
        "tammisalo",
        "salmenkallio",
        "alppila",
        // Street names that are everyday compounds: "pihatien eteen" is in
        // front of the yard road, "metsäpolulla" on a forest path.
        "pihatie",
        "metsätie",
        "kuntopolku",
        "rantapolku",
        "skogsvägen",
        "torikatu",
        "puistokatu",
        "kävelytie",
        "pyörätie",
        "puistotie",
        "rantatie",
        "sivutie",
        "metsäpolku",
        "gångvägen",
        "cykelvägen",
        "strandvägen",
    ];
    let lower = name.to_lowercase();
    lower.chars().count() < 6 || COMMON.contains(&lower.as_str())
}

/// Swedish and English words for "in, at, near" before a place's name.
const PREPOSITIONS: &[&str] = &["i", "på", "vid", "från", "in", "at", "near", "around"];

/// What Helsinki's residents call places the city names otherwise, and the
/// name each stands for. A name the loaded city lacks is skipped, so
/// another city's data is unaffected.
const NICKNAMES: &[(&str, &str)] = &[
    ("Itis", "Itäkeskus"),
    ("Hakaniemi", "Hakaniementori"),
    ("Hakis", "Hakaniementori"),
    ("Sörkka", "Sörnäinen"),
    ("Lautta", "Lauttasaari"),
    ("Hertsi", "Herttoniemi"),
    ("Kontsa", "Kontula"),
];

/// The Finnish case endings that say "in, at, on, from, to a place":
/// inessive, elative, adessive, ablative, allative.
const PLACE_CASES: &[&str] = &["ssa", "ssä", "sta", "stä", "lla", "llä", "lta", "ltä", "lle"];

/// Whether an area's name is also an ordinary word ("kallio" is rock,
/// "laakso" valley, "vik" bay, "malm" ore): in lower case it is the word,
/// whatever its ending ("kalliolla" is on the rock).
fn is_ordinary_word(name: &str) -> bool {
    const ORDINARY: &[&str] = &["kallio", "laakso", "linjat", "harju", "vik", "dal", "ås", "malm", "haga", "böle"];
    ORDINARY.contains(&name.to_lowercase().as_str())
}

/// Whether a name's word `name` is the text's `written`, inflected: "pohjoinen"
/// and "pohjoisella" share their first six letters.
fn same_word(name: &str, written: &str) -> bool {
    if name == written {
        return true;
    }
    let n = name.chars().count();
    let need = n.saturating_sub(3).max(4).min(n);
    let common = name.chars().zip(written.chars()).take_while(|(a, b)| a == b).count();
    common >= need
}

/// `word` with ä and å as a, ö as o: two words spelt alike but for dots
/// (letter for letter) are the same once undotted.
fn undotted(word: &str) -> String {
    word.chars()
        .map(|c| match c {
            'ä' | 'å' => 'a',
            'ö' => 'o',
            c => c,
        })
        .collect()
}

/// True when `a` becomes `b` by one insertion, deletion, substitution or
/// swap of two neighbouring letters (and they are not equal).
fn one_edit_apart(a: &str, b: &str) -> bool {
    let (a, b): (Vec<char>, Vec<char>) = (a.chars().collect(), b.chars().collect());
    if a == b || a.first() != b.first() {
        return false;
    }
    let prefix = a.iter().zip(&b).take_while(|(x, y)| x == y).count();
    let (ra, rb) = (&a[prefix..], &b[prefix..]);
    match ra.len() as isize - rb.len() as isize {
        0 => ra[1..] == rb[1..] || (ra.len() >= 2 && ra[0] == rb[1] && ra[1] == rb[0] && ra[2..] == rb[2..]),
        1 => ra[1..] == *rb,
        -1 => *ra == rb[1..],
        _ => false,
    }
}

fn ring_area(ring: &LineString<f64>) -> f64 {
    ring.0.windows(2).map(|w| w[0].x * w[1].y - w[1].x * w[0].y).sum::<f64>().abs() / 2.0
}

/// Metres from `point` to the nearest edge of `shape` (0 inside is not
/// needed: callers ask only for points outside).
fn distance_to_shape(point: LonLat, shape: &MultiPolygon<f64>) -> f64 {
    let (px, py) = point.plane();
    let mut best = f64::INFINITY;
    for polygon in &shape.0 {
        let rect = polygon.bounding_rect();
        if let Some(r) = rect {
            // Far boxes are skipped: 0.01° is over 500 m.
            if point.lon < r.min().x - 0.01
                || point.lon > r.max().x + 0.01
                || point.lat < r.min().y - 0.01
                || point.lat > r.max().y + 0.01
            {
                continue;
            }
        }
        for ring in std::iter::once(polygon.exterior()).chain(polygon.interiors()) {
            for w in ring.0.windows(2) {
                let (ax, ay) = LonLat { lon: w[0].x, lat: w[0].y }.plane();
                let (bx, by) = LonLat { lon: w[1].x, lat: w[1].y }.plane();
                let (dx, dy) = (bx - ax, by - ay);
                let len2 = dx * dx + dy * dy;
                let t = if len2 == 0.0 { 0.0 } else { (((px - ax) * dx + (py - ay) * dy) / len2).clamp(0.0, 1.0) };
                let (cx, cy) = (ax + t * dx, ay + t * dy);
                best = best.min(((px - cx).powi(2) + (py - cy).powi(2)).sqrt());
            }
        }
    }
    best
}

/// A GeoJSON Polygon or MultiPolygon as `geo`'s.
pub(super) fn multipolygon(geometry: &serde_json::Value) -> Result<MultiPolygon<f64>, String> {
    type Rings = Vec<Vec<[f64; 2]>>;
    let polygon = |rings: Rings| -> Result<Polygon<f64>, String> {
        let mut rings =
            rings.into_iter().map(|r| LineString::from(r.into_iter().map(|[x, y]| Coord { x, y }).collect::<Vec<_>>()));
        let exterior = rings.next().ok_or("a polygon without rings")?;
        Ok(Polygon::new(exterior, rings.collect()))
    };
    let coordinates = geometry.get("coordinates").cloned().ok_or("no coordinates")?;
    match geometry.get("type").and_then(|t| t.as_str()) {
        Some("Polygon") => {
            let rings: Rings = serde_json::from_value(coordinates).map_err(|e| e.to_string())?;
            Ok(MultiPolygon(vec![polygon(rings)?]))
        }
        Some("MultiPolygon") => {
            let polygons: Vec<Rings> = serde_json::from_value(coordinates).map_err(|e| e.to_string())?;
            Ok(MultiPolygon(polygons.into_iter().map(polygon).collect::<Result<_, _>>()?))
        }
        other => Err(format!("a {other:?} is not a Polygon or MultiPolygon")),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn one_edit() {
        assert!(one_edit_apart("fleminggatan", "flemingsgatan"));
        assert!(one_edit_apart("fleminginkadu", "flemingnikadu"));
        assert!(one_edit_apart("helsinginkadu", "helsingnkadu"));
        assert!(!one_edit_apart("helsinginkadu", "helsinginkadu"));
        assert!(!one_edit_apart("fleminginkadu", "helsinginkadu"));
    }

    #[test]
    fn inflected_words_of_a_name() {
        assert!(same_word("pohjoinen", "pohjoisella"));
        assert!(same_word("axel", "axel"));
        assert!(!same_word("pohjoinen", "eteläinen"));
    }
}
