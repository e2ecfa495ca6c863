//! The service catalogue: everyone signed in reads it; admins add topics,
//! rename them (a new version) and retire them.

use batline_core::{
    domain::Role,
    store::{
        self,
        responders::Responder,
        topics::{Topic, TopicNames},
    },
};
use serde::Deserialize;

use crate::{http::error::ApiError, operations::fields::text_field, state::AppState};

/// A topic's names and descriptions as an admin sends them.
#[derive(Debug, Clone)]
pub struct TopicText {
    /// Finnish, Swedish and English names.
    pub names: [String; 3],
    /// Finnish, Swedish and English descriptions.
    pub descriptions: [String; 3],
}

/// Body of `POST /api/v1/topics`.
#[derive(Debug, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NewTopic {
    /// Stable code: a lowercase letter, then up to 31 lowercase letters,
    /// digits or underscores. Never changes.
    #[schema(pattern = "^[a-z][a-z0-9_]{0,31}$", example = "graffiti")]
    pub code: String,
    /// Where it comes in lists (smaller first); default 100.
    #[serde(default = "default_position")]
    #[schema(minimum = 0, maximum = 10000)]
    pub position: i32,
    /// Finnish name (1 to 80 characters).
    #[schema(
        min_length = 1,
        max_length = 80,
        pattern = "^[\\s\\S]*[^\\s\\x00-\\x1f\\x7f-\\x9f][\\s\\S]*$",
        example = "Kadut ja katuvalaistus"
    )]
    pub name_fi: String,
    /// Swedish name (1 to 80 characters).
    #[schema(
        min_length = 1,
        max_length = 80,
        pattern = "^[\\s\\S]*[^\\s\\x00-\\x1f\\x7f-\\x9f][\\s\\S]*$",
        example = "Gator och gatubelysning"
    )]
    pub name_sv: String,
    /// English name (1 to 80 characters).
    #[schema(
        min_length = 1,
        max_length = 80,
        pattern = "^[\\s\\S]*[^\\s\\x00-\\x1f\\x7f-\\x9f][\\s\\S]*$",
        example = "Streets and street lighting"
    )]
    pub name_en: String,
    /// Finnish description (at most 500 characters).
    #[serde(default)]
    #[schema(max_length = 500)]
    pub description_fi: String,
    /// Swedish description (at most 500 characters).
    #[serde(default)]
    #[schema(max_length = 500)]
    pub description_sv: String,
    /// English description (at most 500 characters).
    #[serde(default)]
    #[schema(max_length = 500)]
    pub description_en: String,
}

/// Body of `PUT /api/v1/topics/{code}`.
#[derive(Debug, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ChangedTopic {
    /// Finnish name (1 to 80 characters).
    #[schema(
        min_length = 1,
        max_length = 80,
        pattern = "^[\\s\\S]*[^\\s\\x00-\\x1f\\x7f-\\x9f][\\s\\S]*$",
        example = "Kadut ja katuvalaistus"
    )]
    pub name_fi: String,
    /// Swedish name (1 to 80 characters).
    #[schema(
        min_length = 1,
        max_length = 80,
        pattern = "^[\\s\\S]*[^\\s\\x00-\\x1f\\x7f-\\x9f][\\s\\S]*$",
        example = "Gator och gatubelysning"
    )]
    pub name_sv: String,
    /// English name (1 to 80 characters).
    #[schema(
        min_length = 1,
        max_length = 80,
        pattern = "^[\\s\\S]*[^\\s\\x00-\\x1f\\x7f-\\x9f][\\s\\S]*$",
        example = "Streets and street lighting"
    )]
    pub name_en: String,
    /// Finnish description (at most 500 characters).
    #[serde(default)]
    #[schema(max_length = 500)]
    pub description_fi: String,
    /// Swedish description (at most 500 characters).
    #[serde(default)]
    #[schema(max_length = 500)]
    pub description_sv: String,
    /// English description (at most 500 characters).
    #[serde(default)]
    #[schema(max_length = 500)]
    pub description_en: String,
    /// True to stop offering it (cases keep it); false to offer it again.
    #[serde(default)]
    pub retired: bool,
}

macro_rules! topic_text {
    ($body:expr) => {
        TopicText {
            names: [$body.name_fi.clone(), $body.name_sv.clone(), $body.name_en.clone()],
            descriptions: [$body.description_fi.clone(), $body.description_sv.clone(), $body.description_en.clone()],
        }
    };
}

impl NewTopic {
    /// Its names and descriptions.
    pub fn text(&self) -> TopicText {
        topic_text!(self)
    }
}

impl ChangedTopic {
    /// Its names and descriptions.
    pub fn text(&self) -> TopicText {
        topic_text!(self)
    }
}

fn default_position() -> i32 {
    100
}

const MAX_NAME_CHARS: usize = 80;
const MAX_DESCRIPTION_CHARS: usize = 500;

/// Refuses anyone but an admin.
pub fn ensure_admin(me: &Responder) -> Result<(), ApiError> {
    if me.role == Role::Admin {
        Ok(())
    } else {
        Err(ApiError::Forbidden("only an admin can change the service catalogue".into()))
    }
}

fn checked(text: &TopicText) -> Result<TopicNames, ApiError> {
    let description = |value: &str, field: &str| {
        let value = value.trim();
        match value.chars().count() {
            n if n > MAX_DESCRIPTION_CHARS => {
                Err(ApiError::Unprocessable(format!("{field} has {n} characters; the most is {MAX_DESCRIPTION_CHARS}")))
            }
            _ => Ok(batline_core::plain_text::clean(value).into_owned()),
        }
    };
    let [name_fi, name_sv, name_en] = &text.names;
    let [description_fi, description_sv, description_en] = &text.descriptions;
    Ok(TopicNames {
        names: [
            text_field(&batline_core::plain_text::clean(name_fi), "name_fi", MAX_NAME_CHARS)?,
            text_field(&batline_core::plain_text::clean(name_sv), "name_sv", MAX_NAME_CHARS)?,
            text_field(&batline_core::plain_text::clean(name_en), "name_en", MAX_NAME_CHARS)?,
        ],
        descriptions: [
            description(description_fi, "description_fi")?,
            description(description_sv, "description_sv")?,
            description(description_en, "description_en")?,
        ],
    })
}

fn valid_code(code: &str) -> bool {
    let mut chars = code.chars();
    chars.next().is_some_and(|c| c.is_ascii_lowercase())
        && code.len() <= 32
        && chars.all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '_')
}

/// Adds a topic as `me`.
pub(crate) async fn add_as(state: &AppState, me: &Responder, new: &NewTopic) -> Result<Topic, ApiError> {
    ensure_admin(me)?;
    if !valid_code(&new.code) {
        return Err(ApiError::Unprocessable(
            "code must be a lowercase letter, then up to 31 lowercase letters, digits or underscores".into(),
        ));
    }
    if !(0..=10_000).contains(&new.position) {
        return Err(ApiError::Unprocessable("position must be between 0 and 10000".into()));
    }
    let names = checked(&new.text())?;
    let mut tx = state.pool.begin().await?;
    if !store::topics::add(&mut tx, &new.code, new.position, &names, Some(me.id)).await? {
        return Err(batline_core::Error::Conflict(format!("there is a topic {} already", new.code)).into());
    }
    tx.commit().await?;
    tracing::info!(code = new.code, by = %me.username, "topic added");
    find(state, &new.code).await
}

/// Gives `code` new names (a new version), and retires it or offers it
/// again, as `me`.
pub(crate) async fn change_as(
    state: &AppState,
    me: &Responder,
    code: &str,
    text: &TopicText,
    retired: bool,
) -> Result<Topic, ApiError> {
    ensure_admin(me)?;
    let names = checked(text)?;
    let current = find(state, code).await?;
    let mut tx = state.pool.begin().await?;
    let same = [&current.name_fi, &current.name_sv, &current.name_en]
        == [&names.names[0], &names.names[1], &names.names[2]]
        && [&current.description_fi, &current.description_sv, &current.description_en]
            == [&names.descriptions[0], &names.descriptions[1], &names.descriptions[2]];
    // The same words again are not a new version: a double submit makes one.
    if !same && !store::topics::new_version(&mut tx, code, &names, Some(me.id)).await? {
        return Err(batline_core::Error::NotFound("topic").into());
    }
    store::topics::set_retired(&mut *tx, code, retired).await?;
    tx.commit().await?;
    tracing::info!(code, retired, by = %me.username, "topic changed");
    find(state, code).await
}

/// The topic `code`, current version.
pub(crate) async fn find(state: &AppState, code: &str) -> Result<Topic, ApiError> {
    store::topics::all(&state.pool)
        .await?
        .into_iter()
        .find(|t| t.code == code)
        .ok_or_else(|| batline_core::Error::NotFound("topic").into())
}
