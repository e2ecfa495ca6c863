//! [`DistrictMap`]: the city's districts drawn as an SVG map, coloured by a
//! figure (a choropleth), for the mayor's dashboard and `/open`.
//!
//! The outlines are projected and simplified once, when the map is built
//! from the stored boundaries; drawing a map is then only writing paths.
//! Nothing comes from a tile server or a CDN. The map is a picture for the
//! eye: it is hidden from screen readers, and its districts are links only
//! for the pointer (`tabindex="-1"`), because every page that shows it puts
//! the same figures, with the same links, in a table beside it (WCAG 1.1.1).

use geo::{Coord, LineString, MultiPolygon, Polygon, Simplify};
use maud::{Markup, html};
use sqlx::PgExecutor;

use super::city_map::{AreaName, multipolygon};
use crate::{Error, Result, domain::Language, store::areas::AreaRow};

/// The map's width in SVG units; its height follows the city's shape.
const WIDTH: f64 = 640.0;

/// Outline points closer than this (SVG units, about 60 m in Helsinki) to
/// the line through their neighbours are dropped: the map is a sketch, and
/// a tenth of the points draws the same picture.
const SIMPLIFY: f64 = 0.5;

/// How many colour steps the figure is shown in.
pub const BANDS: usize = 5;

/// What a district map is coloured by (`?map=` on the pages that show one).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum MapFigure {
    /// Cases opened.
    #[default]
    Cases,
    /// Median time to the first response.
    Response,
    /// Share of first responses within target.
    WithinTarget,
}

impl MapFigure {
    /// Every figure, in the order a select offers them.
    pub const ALL: [MapFigure; 3] = [MapFigure::Cases, MapFigure::Response, MapFigure::WithinTarget];

    /// Its value in `?map=`.
    pub fn as_str(self) -> &'static str {
        match self {
            MapFigure::Cases => "cases",
            MapFigure::Response => "response",
            MapFigure::WithinTarget => "sla",
        }
    }

    /// `?map=` read; anything else is the default, since the pages' select
    /// offers only these and a map is a view, not data.
    pub fn parse(value: Option<&str>) -> MapFigure {
        MapFigure::ALL.into_iter().find(|f| Some(f.as_str()) == value).unwrap_or_default()
    }
}

/// One district's outline on the map.
#[derive(Debug, Clone)]
struct Outline {
    name: AreaName,
    /// SVG path data in map units.
    path: String,
}

/// The districts in map units: see the module's documentation.
#[derive(Debug, Clone, Default)]
pub struct DistrictMap {
    height: f64,
    outlines: Vec<Outline>,
}

/// A district's figure as the map shows it.
#[derive(Debug, Clone, PartialEq)]
pub enum Shade {
    /// A figure, and how it reads ("12", "3 h 20 min", "87 %").
    Shown(f64, String),
    /// Resting on too few cases to publish.
    Withheld,
}

/// What to colour the map by, and how to say it.
pub struct Colouring<'a> {
    /// The element id the figure, its caption and its legend hang on.
    pub id: &'a str,
    /// The visible caption: what the colour shows.
    pub title: &'a str,
    /// The district names' language.
    pub lang: Language,
    /// A district's figure by its code; a district missing has no cases.
    pub shade: &'a dyn Fn(&str) -> Option<Shade>,
    /// A figure as the legend reads it.
    pub label: &'a dyn Fn(f64) -> String,
    /// Where a district links to (its figures), if anywhere.
    pub link: &'a dyn Fn(&str) -> Option<String>,
    /// The legend's words for districts withheld and with no cases, and
    /// the note that the table beside holds the same figures.
    pub withheld: &'a str,
    /// See `withheld`.
    pub no_cases: &'a str,
    /// See `withheld`.
    pub see_table: &'a str,
}

impl DistrictMap {
    /// The map of the districts among `areas` (other levels are left out);
    /// fails on a boundary that is not a GeoJSON Polygon or MultiPolygon.
    pub fn new(areas: &[AreaRow]) -> Result<DistrictMap> {
        let mut shapes = Vec::new();
        for row in areas.iter().filter(|a| a.level == "district") {
            let shape = multipolygon(&row.boundary.0)
                .map_err(|e| Error::Invalid(format!("area {}: boundary: {e}", row.code)))?;
            let name = AreaName { code: row.code.clone(), name_fi: row.name_fi.clone(), name_sv: row.name_sv.clone() };
            shapes.push((name, shape));
        }
        let Some(bounds) = framing(&shapes) else {
            return Ok(DistrictMap::default());
        };
        // Longitude degrees shrink with the cosine of the latitude: without
        // this Helsinki would be drawn twice as wide as it is.
        let shrink = bounds.center().y.to_radians().cos();
        let scale = WIDTH / (bounds.width() * shrink).max(f64::EPSILON);
        let project =
            |c: &Coord| Coord { x: (c.x - bounds.min().x) * shrink * scale, y: (bounds.max().y - c.y) * scale };
        let mut outlines: Vec<Outline> = shapes
            .into_iter()
            .map(|(name, shape)| {
                let projected = MultiPolygon(
                    shape
                        .0
                        .iter()
                        .map(|p| {
                            let ring = |r: &LineString| LineString(r.0.iter().map(project).collect());
                            Polygon::new(ring(p.exterior()), p.interiors().iter().map(ring).collect())
                        })
                        .collect(),
                );
                Outline { name, path: path_data(&projected.simplify(SIMPLIFY)) }
            })
            .collect();
        outlines.sort_by(|a, b| a.name.name_fi.cmp(&b.name.name_fi));
        Ok(DistrictMap { height: bounds.height() * scale, outlines })
    }

    /// The map of the districts the store holds; empty before the first
    /// `batline areas load`.
    pub async fn load(e: impl PgExecutor<'_>) -> Result<DistrictMap> {
        let rows = crate::store::areas::list_districts(e).await?;
        DistrictMap::new(&rows)
    }

    /// The name in `lang` of the district with `code`.
    pub fn name(&self, code: &str, lang: Language) -> Option<&str> {
        self.outlines.iter().find(|o| o.name.code == code).map(|o| o.name.name(lang))
    }

    /// Whether there is anything to draw.
    pub fn is_empty(&self) -> bool {
        self.outlines.is_empty()
    }

    /// The figure: caption, the map coloured by `colouring`, and its legend.
    pub fn render(&self, colouring: &Colouring<'_>) -> Markup {
        let shades: Vec<Option<Shade>> = self.outlines.iter().map(|o| (colouring.shade)(&o.name.code)).collect();
        let shown: Vec<f64> = shades
            .iter()
            .filter_map(|s| match s {
                Some(Shade::Shown(v, _)) if v.is_finite() => Some(*v),
                _ => None,
            })
            .collect();
        let bands = Bands::over(&shown);
        let ranges = bands.map(Bands::ranges).unwrap_or_default();
        let id = colouring.id;
        html! {
            figure class="district-map" id=(id) aria-labelledby={ (id) "-title" } {
                figcaption id={ (id) "-title" } { (colouring.title) }
                svg xmlns="http://www.w3.org/2000/svg" viewBox={ "0 0 " (WIDTH) " " (self.height.ceil()) }
                    aria-hidden="true" focusable="false" {
                    @for (outline, shade) in self.outlines.iter().zip(&shades) {
                        @let name = outline.name.name(colouring.lang);
                        @let (class, reads) = match shade {
                            Some(Shade::Shown(v, text)) => {
                                (format!("band band-{}", bands.map_or(0, |b| b.band(*v))), text.as_str())
                            }
                            Some(Shade::Withheld) => ("withheld".to_owned(), colouring.withheld),
                            None => ("no-cases".to_owned(), colouring.no_cases),
                        };
                        @let shape = html! {
                            path d=(outline.path) class=(class) data-district=(outline.name.code) {
                                title { (name) ": " (reads) }
                            }
                        };
                        @match (colouring.link)(&outline.name.code) {
                            Some(href) => a href=(href) tabindex="-1" { (shape) },
                            None => (shape),
                        }
                    }
                }
                ul class="map-legend" {
                    @for (band, (from, to)) in ranges.iter().copied().enumerate() {
                        li {
                            span class={ "swatch band band-" (band) } {}
                            @if from == to { ((colouring.label)(from)) } @else { ((colouring.label)(from)) "–" ((colouring.label)(to)) }
                        }
                    }
                    li { span class="swatch withheld" {} (colouring.withheld) }
                    li { span class="swatch no-cases" {} (colouring.no_cases) }
                }
                p class="map-note" { (colouring.see_table) }
            }
        }
    }
}

/// The id of a district's row in a table of districts: where a district on
/// a map links to. Letters and digits kept, anything else a dash.
pub fn district_anchor(code: &str) -> String {
    let slug: String =
        code.chars().map(|c| if c.is_alphanumeric() { c.to_lowercase().next().unwrap_or(c) } else { '-' }).collect();
    format!("area-{slug}")
}

/// Equal steps from the smallest figure shown to the largest.
#[derive(Debug, Clone, Copy, PartialEq)]
struct Bands {
    low: f64,
    high: f64,
}

impl Bands {
    /// The steps over `values`; none when there are none.
    fn over(values: &[f64]) -> Option<Bands> {
        let low = values.iter().copied().fold(f64::INFINITY, f64::min);
        let high = values.iter().copied().fold(f64::NEG_INFINITY, f64::max);
        low.is_finite().then_some(Bands { low, high })
    }

    /// Which step `value` is in: 0 for the lowest.
    fn band(self, value: f64) -> usize {
        if self.high <= self.low {
            return BANDS / 2;
        }
        let step = (value - self.low) / (self.high - self.low) * BANDS as f64;
        // `step` is within 0..=BANDS, so the cast neither wraps nor truncates much.
        #[allow(clippy::cast_possible_truncation, clippy::cast_sign_loss)]
        let band = step.floor().max(0.0) as usize;
        band.min(BANDS - 1)
    }

    /// Each step's first and last figure, for the legend; one step when
    /// every figure is the same.
    fn ranges(self) -> Vec<(f64, f64)> {
        if self.high <= self.low {
            return vec![(self.low, self.low)];
        }
        let width = (self.high - self.low) / BANDS as f64;
        (0..BANDS).map(|i| (self.low + width * i as f64, self.low + width * (i + 1) as f64)).collect()
    }
}

/// Share of the outlines' points left outside the map on each side.
const FRAME_QUANTILE: f64 = 0.005;

/// The part of the city the map shows: where nearly all the outlines'
/// points are. A district reaching far out to sea (Helsinki's Ulkosaaret
/// runs 20 km south over open water with a handful of points) would
/// otherwise shrink the city itself to a corner; its far end is cut off.
fn framing(shapes: &[(AreaName, MultiPolygon)]) -> Option<geo::Rect> {
    let points: Vec<Coord> =
        shapes.iter().flat_map(|(_, s)| s.0.iter()).flat_map(|p| p.exterior().0.iter().copied()).collect();
    if points.is_empty() {
        return None;
    }
    let quantiles = |mut values: Vec<f64>| {
        values.sort_by(f64::total_cmp);
        let last = values.len() - 1;
        // Indices within 0..=last: the products are at most `last`.
        #[allow(clippy::cast_possible_truncation, clippy::cast_sign_loss, clippy::cast_precision_loss)]
        let at = |q: f64| values[((last as f64) * q).round() as usize];
        (at(FRAME_QUANTILE), at(1.0 - FRAME_QUANTILE))
    };
    let (west, east) = quantiles(points.iter().map(|c| c.x).collect());
    let (south, north) = quantiles(points.iter().map(|c| c.y).collect());
    // A little room around, so outlines on the edge are not cut.
    let (dx, dy) = ((east - west) * 0.01, (north - south) * 0.01);
    let rect = geo::Rect::new(Coord { x: west - dx, y: south - dy }, Coord { x: east + dx, y: north + dy });
    (rect.width() > 0.0 && rect.height() > 0.0).then_some(rect)
}

/// SVG path data for `shape`, to a tenth of a unit.
fn path_data(shape: &MultiPolygon) -> String {
    use std::fmt::Write;
    let mut d = String::new();
    let mut ring = |r: &LineString| {
        for (i, c) in r.0.iter().enumerate() {
            let _ = write!(d, "{}{:.1} {:.1}", if i == 0 { "M" } else { "L" }, c.x, c.y);
        }
        d.push('Z');
    };
    for polygon in &shape.0 {
        ring(polygon.exterior());
        polygon.interiors().iter().for_each(&mut ring);
    }
    d
}

#[cfg(test)]
mod tests {
    use super::*;

    fn helsinki() -> DistrictMap {
        match crate::place::helsinki::data().and_then(|d| DistrictMap::new(&d.areas)) {
            Ok(map) => map,
            Err(e) => panic!("Helsinki's districts do not draw: {e}"),
        }
    }

    #[test]
    fn helsinki_is_drawn_district_by_district_coloured_by_its_figure() {
        let map = helsinki();
        assert_eq!(map.outlines.len(), 59);
        assert_eq!(map.name("Kallio", Language::Sv), Some("Berghäll"));
        let shade = |code: &str| match code {
            "Kallio" => Some(Shade::Shown(12.0, "12".to_owned())),
            "Vallila" => Some(Shade::Shown(2.0, "2".to_owned())),
            "Vuosaari" => Some(Shade::Withheld),
            _ => None,
        };
        let colouring = Colouring {
            id: "m",
            title: "Cases",
            lang: Language::En,
            shade: &shade,
            label: &|v| format!("{v:.0}"),
            link: &|code| Some(format!("#{}", district_anchor(code))),
            withheld: "withheld",
            no_cases: "none",
            see_table: "see the table",
        };
        let svg = map.render(&colouring).into_string();
        assert_eq!(svg.matches("<path ").count(), 59);
        assert!(svg.contains(r#"class="band band-4" data-district="Kallio""#), "the most cases, the darkest");
        assert!(svg.contains(r#"class="band band-0" data-district="Vallila""#));
        assert!(svg.contains(r#"class="withheld" data-district="Vuosaari""#));
        assert!(svg.contains(r#"class="no-cases" data-district="Ullanlinna""#));
        assert!(svg.contains(r##"<a href="#area-sörnäinen" tabindex="-1">"##), "links for the pointer only");
        assert!(svg.contains(r#"aria-hidden="true""#), "the table beside is what screen readers read");
        assert!(svg.contains("<title>Kallio: 12</title>"));
        // Simplified: a page can carry it.
        assert!(svg.len() < 120_000, "{} bytes", svg.len());
    }

    #[test]
    fn bands_split_the_range_in_equal_steps() {
        let bands = Bands::over(&[0.0, 10.0, 3.0]).expect("figures");
        assert_eq!((bands.band(0.0), bands.band(1.9), bands.band(2.0), bands.band(10.0)), (0, 0, 1, 4));
        assert_eq!(bands.ranges().len(), BANDS);
        assert_eq!(bands.ranges()[4], (8.0, 10.0));
        let same = Bands::over(&[7.0, 7.0]).expect("figures");
        assert_eq!((same.band(7.0), same.ranges()), (BANDS / 2, vec![(7.0, 7.0)]));
        assert_eq!(Bands::over(&[]), None);
    }
}
