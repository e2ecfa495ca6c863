//! The parameters several operations of the OpenAPI document share: the
//! Twilio signature header, a tracking code in the path, the period of the
//! open data. They describe what the handlers read; the handlers read it
//! with their own extractors.

use utoipa::IntoParams;

/// The signature header every Twilio webhook carries.
#[derive(IntoParams)]
#[into_params(parameter_in = Header)]
#[allow(non_snake_case)]
pub struct TwilioSignature {
    /// Base64 HMAC-SHA1 of the public URL and the form fields with the
    /// Twilio auth token. Missing or wrong: 403.
    #[param(rename = "X-Twilio-Signature", example = "0/KCTR6DLpKmkAf8muzZqo1nDgQ=")]
    pub X_Twilio_Signature: String,
}

/// A tracking code in the path.
#[derive(IntoParams)]
#[into_params(parameter_in = Path)]
pub struct CodePath {
    /// The case's tracking code. Lower case, spaces, a missing hyphen and
    /// Crockford's look-alikes (O for 0, I and L for 1) are read too; a
    /// string that is no code at all is 400.
    #[param(pattern = "^[0-9A-HJKMNP-TV-Z]{4}-[0-9A-HJKMNP-TV-Z]{4}$", example = "K7QD-4M2X")]
    pub code: String,
}

/// The period of the open data.
#[derive(IntoParams)]
#[into_params(parameter_in = Query)]
pub struct Period {
    /// First day, Helsinki (default: the Monday four full weeks ago, or 27
    /// days before `to`); empty, as the page's form sends it, is the default.
    #[param(schema_with = date_or_empty, example = "2026-10-19")]
    pub from: Option<String>,
    /// Last day, included (default: last Sunday); at most 366 days after
    /// `from`. Empty is the default.
    #[param(schema_with = date_or_empty, example = "2026-11-15")]
    pub to: Option<String>,
}

/// A date, or empty for the default.
fn date_or_empty() -> utoipa::openapi::schema::Schema {
    use utoipa::openapi::schema::{AnyOfBuilder, KnownFormat, ObjectBuilder, SchemaFormat, Type};
    AnyOfBuilder::new()
        .item(ObjectBuilder::new().schema_type(Type::String).format(Some(SchemaFormat::KnownFormat(KnownFormat::Date))))
        .item(ObjectBuilder::new().schema_type(Type::String).max_length(Some(0)))
        .build()
        .into()
}
