//! Charts drawn on the server as SVG: nothing to download, nothing to run
//! in the browser, and the numbers are in the page's tables as well. Each
//! chart is an image with a title and a description for screen readers.

use maud::{Markup, html};

const WIDTH: f64 = 640.0;
const BAR_HEIGHT: f64 = 22.0;
const LABEL_WIDTH: f64 = 160.0;
/// HDS "bus" blue and its light tint; contrast with white is above 7:1.
const BLUE: &str = "#0000bf";
const GREY: &str = "#666666";

/// A horizontal bar chart of `bars` (label, value), values written with `fmt`.
pub fn bars(id: &str, title: &str, bars: &[(String, f64)], fmt: impl Fn(f64) -> String) -> Markup {
    let max = bars.iter().map(|(_, v)| *v).fold(0.0_f64, f64::max).max(f64::MIN_POSITIVE);
    let height = BAR_HEIGHT * bars.len().max(1) as f64 + 8.0;
    let span = WIDTH - LABEL_WIDTH - 70.0;
    let desc = bars.iter().map(|(l, v)| format!("{l}: {}", fmt(*v))).collect::<Vec<_>>().join("; ");
    html! {
        svg id=(id) class="chart" role="img" aria-labelledby={ (id) "-title " (id) "-desc" }
            viewBox={ "0 0 " (WIDTH) " " (height) } width="100%" preserveAspectRatio="xMinYMin meet" {
            title id={ (id) "-title" } { (title) }
            desc id={ (id) "-desc" } { (desc) }
            @for (i, (label, value)) in bars.iter().enumerate() {
                @let y = 4.0 + i as f64 * BAR_HEIGHT;
                @let w = (value / max * span).max(1.0);
                text x=(LABEL_WIDTH - 6.0) y=(y + 15.0) text-anchor="end" font-size="13" fill="#1a1a1a" { (label) }
                rect x=(LABEL_WIDTH) y=(y + 2.0) width=(w) height=(BAR_HEIGHT - 6.0) fill=(BLUE) data-value=(value) {}
                text x=(LABEL_WIDTH + w + 6.0) y=(y + 15.0) font-size="13" fill="#1a1a1a" { (fmt(*value)) }
            }
        }
    }
}

/// A line chart over `labels` (left to right) with up to two series of
/// optional values (a gap where a week has none), values written with `fmt`.
pub fn lines(
    id: &str,
    title: &str,
    labels: &[String],
    series: &[(&str, Vec<Option<f64>>)],
    fmt: impl Fn(f64) -> String,
) -> Markup {
    let height = 220.0;
    let (left, right, top, bottom) = (70.0, 20.0, 16.0, 40.0);
    let max =
        series.iter().flat_map(|(_, v)| v.iter().flatten()).fold(0.0_f64, |a, &b| a.max(b)).max(f64::MIN_POSITIVE);
    let n = labels.len().max(1);
    let x = |i: usize| left + if n == 1 { 0.0 } else { i as f64 * (WIDTH - left - right) / (n - 1) as f64 };
    let y = |v: f64| top + (1.0 - v / max) * (height - top - bottom);
    let colours = [BLUE, GREY];
    let dashes = ["", "6 4"];
    let mut desc = Vec::new();
    for (name, values) in series {
        let points: Vec<String> =
            labels.iter().zip(values).map(|(l, v)| format!("{l} {}", v.map_or("–".to_owned(), &fmt))).collect();
        desc.push(format!("{name}: {}", points.join(", ")));
    }
    html! {
        svg id=(id) class="chart" role="img" aria-labelledby={ (id) "-title " (id) "-desc" }
            viewBox={ "0 0 " (WIDTH) " " (height) } width="100%" preserveAspectRatio="xMinYMin meet" {
            title id={ (id) "-title" } { (title) }
            desc id={ (id) "-desc" } { (desc.join(". ")) }
            line x1=(left) y1=(height - bottom) x2=(WIDTH - right) y2=(height - bottom) stroke="#1a1a1a" {}
            line x1=(left) y1=(top) x2=(left) y2=(height - bottom) stroke="#1a1a1a" {}
            text x=(left - 6.0) y=(top + 4.0) text-anchor="end" font-size="12" fill="#1a1a1a" { (fmt(max)) }
            text x=(left - 6.0) y=(height - bottom) text-anchor="end" font-size="12" fill="#1a1a1a" { (fmt(0.0)) }
            @for (i, label) in labels.iter().enumerate() {
                text x=(x(i)) y=(height - bottom + 18.0) text-anchor="middle" font-size="11" fill="#1a1a1a" { (label) }
            }
            @for (s, (name, values)) in series.iter().enumerate() {
                @let points = values.iter().enumerate().filter_map(|(i, v)| v.map(|v| format!("{:.1},{:.1}", x(i), y(v)))).collect::<Vec<_>>().join(" ");
                polyline points=(points) fill="none" stroke=(colours[s % 2]) stroke-width="2.5" stroke-dasharray=(dashes[s % 2]) data-series=(name) {}
                @for (i, v) in values.iter().enumerate() {
                    @if let Some(v) = v {
                        circle cx=(x(i)) cy=(y(*v)) r="3.5" fill=(colours[s % 2]) {}
                    }
                }
                text x=(left + 8.0 + s as f64 * 200.0) y=(height - 4.0) font-size="12" fill=(colours[s % 2]) { "— " (name) }
            }
        }
    }
}

/// A weekday × hour heat map of counts (Monday first, hours 00–23): each
/// cell's blue as deep as its share of the busiest hour. The description
/// names the busiest hours; the page puts the whole table beside it.
pub fn heat_map(id: &str, title: &str, days: &[&str; 7], counts: &[[u32; 24]; 7]) -> Markup {
    let (left, top, cell_w, cell_h) = (48.0, 20.0, (WIDTH - 56.0) / 24.0, 24.0);
    let height = top + 7.0 * cell_h + 6.0;
    let max = counts.iter().flatten().copied().max().unwrap_or(0).max(1);
    let mut busiest: Vec<(u32, usize, usize)> = counts
        .iter()
        .enumerate()
        .flat_map(|(d, hours)| hours.iter().enumerate().map(move |(h, c)| (*c, d, h)))
        .filter(|(c, _, _)| *c > 0)
        .collect();
    busiest.sort_by(|a, b| b.0.cmp(&a.0).then(a.1.cmp(&b.1)).then(a.2.cmp(&b.2)));
    let desc = busiest
        .iter()
        .take(5)
        .map(|(c, d, h)| format!("{} {:02}–{:02}: {c}", days[*d], h, (h + 1) % 24))
        .collect::<Vec<_>>()
        .join("; ");
    html! {
        svg id=(id) class="chart" role="img" aria-labelledby={ (id) "-title " (id) "-desc" }
            viewBox={ "0 0 " (WIDTH) " " (height) } width="100%" preserveAspectRatio="xMinYMin meet" {
            title id={ (id) "-title" } { (title) }
            desc id={ (id) "-desc" } { (desc) }
            @for h in (0..24).step_by(3) {
                text x=(left + h as f64 * cell_w + cell_w / 2.0) y=(top - 6.0) text-anchor="middle" font-size="11" fill="#1a1a1a" { (format!("{h:02}")) }
            }
            @for (d, hours) in counts.iter().enumerate() {
                @let y = top + d as f64 * cell_h;
                text x=(left - 6.0) y=(y + cell_h / 2.0 + 4.0) text-anchor="end" font-size="12" fill="#1a1a1a" { (days[d]) }
                @for (h, count) in hours.iter().enumerate() {
                    // 0 is white; the busiest hour is full HDS bus blue.
                    @let share = f64::from(*count) / f64::from(max);
                    @let shade = |full: f64| (255.0 - share * (255.0 - full)).round() as u8;
                    rect x=(left + h as f64 * cell_w) y=(y) width=(cell_w - 1.0) height=(cell_h - 1.0)
                        fill=(format!("#{:02x}{:02x}{:02x}", shade(0.0), shade(0.0), shade(191.0)))
                        stroke="#cccccc" stroke-width="0.5" data-count=(count) {}
                }
            }
        }
    }
}
