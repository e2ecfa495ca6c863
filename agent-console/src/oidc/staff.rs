//! Who a token's claims say the person is, and which console role their
//! groups give.
//!
//! - `amr` (a string or an array) must hold `BATLINE_OIDC_REQUIRED_AMR`
//!   when that is set: in Helsinki's staff sign-in it marks an account of
//!   the city's directory, as opposed to a resident's.
//! - The claim `BATLINE_OIDC_ROLE_CLAIM` (an array of strings, or one
//!   string) lists the groups; `BATLINE_OIDC_ROLES` maps groups to roles,
//!   the first listed role whose group the person is in winning. A group is
//!   matched exactly, or as the last part of a path (Keycloak's
//!   `/Batline/GRP-Batline-Leads` matches `GRP-Batline-Leads`). In no
//!   mapped group, the person is refused whatever Batline has on them.
//! - `preferred_username` and, unless `email_verified` is false, `email`
//!   are what a first sign-in links by (see `operations::oidc`).

use batline_core::{config::OidcConfig, domain::Role};
use serde_json::Value;

use super::{Refusal, tokens::Claims};

/// A member of staff as the provider vouches for them.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Staff {
    /// `sub`: the provider's stable id for them.
    pub subject: String,
    /// `sid`: the provider's session, when it names one.
    pub sid: Option<String>,
    /// `preferred_username`.
    pub username: Option<String>,
    /// `email`, unless the provider says it is not verified.
    pub email: Option<String>,
    /// The console role their groups map to.
    pub role: Role,
}

/// The claim as a list of strings (one string is a list of one).
fn strings<'a>(claims: &'a Claims, name: &str) -> Vec<&'a str> {
    match claims.get(name) {
        Some(Value::String(one)) => vec![one.as_str()],
        Some(Value::Array(many)) => many.iter().filter_map(Value::as_str).collect(),
        _ => Vec::new(),
    }
}

/// Whether the group as the provider writes it is the configured `wanted`.
fn same_group(given: &str, wanted: &str) -> bool {
    given == wanted || given.rsplit('/').next() == Some(wanted)
}

/// The member of staff `claims` describe, or why they may not sign in.
pub fn staff(config: &OidcConfig, claims: &Claims) -> Result<Staff, Refusal> {
    let text = |name: &str| claims.get(name).and_then(Value::as_str).map(str::trim).filter(|v| !v.is_empty());
    let subject = text("sub").ok_or_else(|| Refusal::Malformed("no sub".into()))?.to_owned();
    if let Some(amr) = &config.required_amr
        && !strings(claims, "amr").contains(&amr.as_str())
    {
        return Err(Refusal::NotStaff(amr.clone()));
    }
    let groups = strings(claims, &config.role_claim);
    let role = config
        .roles
        .iter()
        .find(|(_, wanted)| groups.iter().any(|given| same_group(given, wanted)))
        .map(|(role, _)| *role)
        .ok_or_else(|| Refusal::NoMappedGroup(config.role_claim.clone()))?;
    let verified = claims.get("email_verified").and_then(Value::as_bool) != Some(false);
    Ok(Staff {
        subject,
        sid: text("sid").map(str::to_owned),
        username: text("preferred_username").map(str::to_owned),
        email: text("email").filter(|_| verified).map(str::to_owned),
        role,
    })
}

#[cfg(test)]
mod tests {
    use secrecy::SecretString;
    use serde_json::json;

    use super::*;

    fn config(required_amr: Option<&str>) -> OidcConfig {
        OidcConfig {
            issuer: "https://id.example".into(),
            client_id: "batline".into(),
            client_secret: SecretString::from("s"),
            redirect_url: url::Url::parse("https://batline.example/oidc/callback").expect("a URL"),
            role_claim: "ad_groups".into(),
            roles: vec![(Role::Lead, "GRP-Batline-Leads".into()), (Role::Responder, "GRP-Batline-Responders".into())],
            required_amr: required_amr.map(str::to_owned),
        }
    }

    fn claims(value: Value) -> Claims {
        value.as_object().cloned().unwrap_or_default()
    }

    #[test]
    fn the_first_listed_role_whose_group_they_are_in_wins() {
        let both = claims(json!({"sub": "s1", "ad_groups": ["GRP-Batline-Responders", "GRP-Batline-Leads"]}));
        assert_eq!(staff(&config(None), &both).map(|s| s.role).ok(), Some(Role::Lead));
        let responder = claims(json!({"sub": "s1", "ad_groups": "GRP-Batline-Responders"}));
        assert_eq!(staff(&config(None), &responder).map(|s| s.role).ok(), Some(Role::Responder));
        let path = claims(json!({"sub": "s1", "ad_groups": ["/Kaupunki/GRP-Batline-Leads"]}));
        assert_eq!(staff(&config(None), &path).map(|s| s.role).ok(), Some(Role::Lead));
    }

    #[test]
    fn no_mapped_group_or_no_staff_amr_is_refused() {
        let none = claims(json!({"sub": "s1", "ad_groups": ["GRP-Library"], "amr": ["helsinkiad"]}));
        assert!(matches!(staff(&config(None), &none), Err(Refusal::NoMappedGroup(_))));
        let almost = claims(json!({"sub": "s1", "ad_groups": ["GRP-Batline-Leads-Old"]}));
        assert!(matches!(staff(&config(None), &almost), Err(Refusal::NoMappedGroup(_))));
        let other_claim = claims(json!({"sub": "s1", "groups": ["GRP-Batline-Leads"]}));
        assert!(matches!(staff(&config(None), &other_claim), Err(Refusal::NoMappedGroup(_))));
        let resident = claims(json!({"sub": "s1", "ad_groups": ["GRP-Batline-Leads"], "amr": ["suomi_fi"]}));
        assert!(matches!(staff(&config(Some("helsinkiad")), &resident), Err(Refusal::NotStaff(_))));
        let staff_amr = claims(json!({"sub": "s1", "ad_groups": ["GRP-Batline-Leads"], "amr": "helsinkiad"}));
        assert!(staff(&config(Some("helsinkiad")), &staff_amr).is_ok());
    }

    #[test]
    fn an_unverified_email_does_not_link() {
        let unverified = claims(json!({
            "sub": "s1", "ad_groups": ["GRP-Batline-Leads"], "email": "aino@hel.fi", "email_verified": false,
            "preferred_username": "aino", "sid": "sess-1",
        }));
        let who = staff(&config(None), &unverified).ok();
        assert_eq!(who.as_ref().and_then(|s| s.email.clone()), None);
        assert_eq!(who.as_ref().and_then(|s| s.username.as_deref()), Some("aino"));
        assert_eq!(who.and_then(|s| s.sid), Some("sess-1".to_owned()));
    }
}
