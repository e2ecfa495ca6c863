//! The city's lists pages name things from: the service catalogue's topics
//! and the districts. A case, a responder or a policy holds codes
//! (`streets`, `Kallio`); a page shows their names in the reader's language,
//! and a code a list does not know (typed before the list existed) as it is.

use batline_core::{
    domain::Language,
    store::{self, areas::District, topics::Topic},
};
use sqlx::PgPool;

/// Both lists, read for one page.
#[derive(Debug, Clone, Default)]
pub struct CityLists {
    /// The catalogue, retired topics too, in its order.
    pub topics: Vec<Topic>,
    /// The districts by Finnish name; empty before `batline areas load`.
    pub districts: Vec<District>,
}

impl CityLists {
    /// Reads both lists.
    pub async fn load(pool: &PgPool) -> batline_core::Result<CityLists> {
        Ok(CityLists { topics: store::topics::all(pool).await?, districts: store::areas::districts(pool).await? })
    }

    /// A topic's name in `lang`.
    pub fn topic<'a>(&'a self, code: &'a str, lang: Language) -> &'a str {
        self.topics.iter().find(|t| t.code == code).map_or(code, |t| t.name(lang))
    }

    /// A district's name in `lang` (Swedish in Swedish, else Finnish).
    pub fn district<'a>(&'a self, code: &'a str, lang: Language) -> &'a str {
        self.districts.iter().find(|d| d.code == code).map_or(code, |d| d.name(lang))
    }

    /// The districts in the order a reader of `lang` looks for them.
    pub fn districts_by_name(&self, lang: Language) -> Vec<&District> {
        let mut districts: Vec<&District> = self.districts.iter().collect();
        districts.sort_by(|a, b| a.name(lang).cmp(b.name(lang)));
        districts
    }
}
