//! `/open`: the city's public accountability figures. The same aggregates
//! as the mayor's dashboard (`batline_core::store::reports`) for a period,
//! by area, topic, channel, hour of day and ISO week, and by responder only
//! when the city turns that on (`BATLINE_OPEN_SHOW_RESPONDERS`). Never a
//! resident's data: no phone, no text, no tracking code, no case id.
//!
//! Any figure resting on fewer than [`figures::MIN_CASES`] cases is withheld (`null`
//! with `withheld: true`), so no resident can be singled out: a group's
//! count with its group, a percentile with the cases it is taken over (a
//! p90 of four resolutions is withheld even in a group of ten), a share
//! with the clocks it is a share of, an average with the answers. And so
//! that no withheld count is the total minus the counts shown, each
//! breakdown then withholds more whole rows, smallest first, until at
//! least two are withheld resting on at least that many cases together
//! (`batline_core::figures::suppress` decides, [`figures::published`] applies).
//!
//! The pages (`GET /open`, the summary; `GET /open/detail`, every figure in
//! tables), the open data (`/open/data.json`, `/open/data.csv`) and the JSON
//! Schema (`/open/schema.json`; `docs/open-data.md` explains it) answer from
//! one computation per period, kept for a few minutes: a year of a big city
//! is a million cases, and the page is public.

//!
//! Below, [`figures`] holds what is published and the cache; [`period`]
//! reads the period asked for and says what is wrong with a bad one;
//! [`page`] renders the figures it is given, or what to fix in the period;
//! [`handlers`] computes them and answers.

pub mod figures;
pub mod handlers;
pub mod page;
pub mod period;
