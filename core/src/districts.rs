//! Holding what people type as an area to the city's district list.
//!
//! Responders' areas, walk-in points, roster shifts and cases all name a
//! district by its code (its Finnish name, "Kallio"). People may type it in
//! any case or in Swedish ("berghäll"); each is read as the district's
//! code, so routing compares like with like. A city that has loaded no
//! districts yet (`batline areas load`) has no list, and its names are
//! taken as typed.

use sqlx::PgConnection;

use crate::{Result, store};

/// What a list of typed names came to.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Named {
    /// The districts' codes, in the order typed, each once.
    pub codes: Vec<String>,
    /// Names that are no district's, as typed.
    pub unknown: Vec<String>,
}

/// Reads `names` as districts. A name in `kept` exactly (an area given
/// before the list was loaded, or before the city changed its division)
/// stays as it is, so editing something else does not take it away.
pub async fn named(conn: &mut PgConnection, names: &[String], kept: &[String]) -> Result<Named> {
    let mut named = Named::default();
    if names.is_empty() {
        return Ok(named);
    }
    let codes = if store::areas::count(&mut *conn).await? == 0 {
        names.iter().cloned().map(Some).collect()
    } else {
        store::areas::district_codes(&mut *conn, names).await?
    };
    for (name, code) in names.iter().zip(codes) {
        match code.or_else(|| kept.contains(name).then(|| name.clone())) {
            Some(code) if !named.codes.contains(&code) => named.codes.push(code),
            Some(_) => {}
            None => named.unknown.push(name.clone()),
        }
    }
    Ok(named)
}

/// Reads one typed name as a district's code; `None` if it is no district's.
pub async fn code_of(conn: &mut PgConnection, name: &str) -> Result<Option<String>> {
    let named = named(conn, &[name.to_owned()], &[]).await?;
    Ok(named.codes.into_iter().next())
}
