//! Why the console refused a sign-in with the city's account, a bearer
//! token or a logout token. Each has a stable code for the logs; none
//! carries a token.

/// A refusal and its reason.
#[derive(Debug, thiserror::Error)]
pub enum Refusal {
    /// The provider could not be reached, or answered what no provider should.
    #[error("the identity provider failed: {0}")]
    Provider(String),
    /// The provider sent the browser back with an error (the person
    /// cancelled, or the provider refused them).
    #[error("the identity provider answered {0}")]
    ProviderSaid(String),
    /// The `state` is not one this browser was given, was used already, or
    /// is older than the sign-in may take.
    #[error("the sign-in's state is unknown, used already or too old")]
    UnknownState,
    /// Not a JWT, or a claim of the wrong form.
    #[error("the token is malformed: {0}")]
    Malformed(String),
    /// A symmetric, unknown or `none` algorithm.
    #[error("the token's algorithm {0} is not accepted")]
    Algorithm(String),
    /// No key the provider publishes has the token's key id.
    #[error("the token names a key the provider does not publish")]
    UnknownKey,
    /// The signature does not verify with the provider's key.
    #[error("the token's signature does not verify")]
    BadSignature,
    /// `iss` is not the provider.
    #[error("the token is from another issuer")]
    WrongIssuer,
    /// `aud` does not name this console.
    #[error("the token is for another audience")]
    WrongAudience,
    /// `azp` names another client.
    #[error("the token was issued to another client (azp)")]
    WrongParty,
    /// `exp` has passed.
    #[error("the token has expired")]
    Expired,
    /// `nbf` or `iat` lies in the future.
    #[error("the token is not valid yet")]
    NotYetValid,
    /// The ID token's `nonce` is not this sign-in's.
    #[error("the ID token's nonce is not this sign-in's")]
    Nonce,
    /// The `amr` claim lacks the value that marks a staff account.
    #[error("the account is not a staff account (amr lacks {0})")]
    NotStaff(String),
    /// None of the person's groups maps to a console role.
    #[error("no group in the {0} claim maps to a console role")]
    NoMappedGroup(String),
    /// No responder has the subject, the username or the email address.
    #[error("no responder matches the account")]
    NoResponder,
    /// The responder with that username or address is linked to another
    /// account of the provider.
    #[error("the matching responder is linked to another account of the provider")]
    LinkedElsewhere,
    /// Not a back-channel logout token.
    #[error("not a logout token: {0}")]
    NotLogout(String),
}

impl Refusal {
    /// The stable code logged with the refusal.
    pub fn code(&self) -> &'static str {
        match self {
            Refusal::Provider(_) => "provider_failed",
            Refusal::ProviderSaid(_) => "provider_error",
            Refusal::UnknownState => "unknown_state",
            Refusal::Malformed(_) => "malformed",
            Refusal::Algorithm(_) => "algorithm",
            Refusal::UnknownKey => "unknown_key",
            Refusal::BadSignature => "bad_signature",
            Refusal::WrongIssuer => "wrong_issuer",
            Refusal::WrongAudience => "wrong_audience",
            Refusal::WrongParty => "wrong_azp",
            Refusal::Expired => "expired",
            Refusal::NotYetValid => "not_yet_valid",
            Refusal::Nonce => "nonce",
            Refusal::NotStaff(_) => "not_staff",
            Refusal::NoMappedGroup(_) => "no_mapped_group",
            Refusal::NoResponder => "no_responder",
            Refusal::LinkedElsewhere => "linked_elsewhere",
            Refusal::NotLogout(_) => "not_logout_token",
        }
    }

    /// True when the person was recognised but has no place in Batline
    /// (403), rather than the sign-in itself failing (401).
    pub fn is_about_access(&self) -> bool {
        matches!(
            self,
            Refusal::NotStaff(_) | Refusal::NoMappedGroup(_) | Refusal::NoResponder | Refusal::LinkedElsewhere
        )
    }
}
