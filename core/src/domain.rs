//! The domain vocabulary: channels, languages, statuses. Each is stored as
//! text in PostgreSQL (with a CHECK constraint) and travels as snake_case JSON.

use serde::{Deserialize, Serialize};

macro_rules! text_enum {
    ($(#[$meta:meta])* $name:ident { $($(#[$vmeta:meta])* $variant:ident => $text:literal),+ $(,)? }) => {
        $(#[$meta])*
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, sqlx::Type)]
        #[serde(rename_all = "snake_case")]
        #[sqlx(type_name = "text", rename_all = "snake_case")]
        pub enum $name { $($(#[$vmeta])* $variant),+ }

        impl $name {
            /// The stored and wire form.
            pub fn as_str(self) -> &'static str {
                match self { $($name::$variant => $text),+ }
            }
        }

        impl std::fmt::Display for $name {
            fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                f.write_str(self.as_str())
            }
        }

        impl std::str::FromStr for $name {
            type Err = crate::Error;
            fn from_str(s: &str) -> crate::Result<Self> {
                match s {
                    $($text => Ok($name::$variant),)+
                    other => Err(crate::Error::Invalid(format!(
                        concat!("unknown ", stringify!($name), " {:?}; expected one of: ", $($text, " "),+),
                        other
                    ))),
                }
            }
        }
    };
}

text_enum! {
    /// How a resident reached Batline.
    Channel {
        /// A text message through Twilio.
        Sms => "sms",
        /// A phone call through Twilio.
        Voice => "voice",
        /// The web chat.
        Chat => "chat",
        /// A walk-in desk at a Batcave.
        WalkIn => "walk_in",
    }
}

text_enum! {
    /// The three languages Batline answers in.
    Language {
        /// Finnish, the default.
        Fi => "fi",
        /// Swedish.
        Sv => "sv",
        /// English.
        En => "en",
    }
}

impl Default for Language {
    fn default() -> Self {
        Language::Fi
    }
}

text_enum! {
    /// Where a case stands.
    CaseStatus {
        /// Someone owns it and is working on it.
        Open => "open",
        /// Its owner resolved it with a summary.
        Resolved => "resolved",
    }
}

text_enum! {
    /// Whether a responder takes new cases.
    DutyStatus {
        /// Working and taking new cases.
        OnDuty => "on_duty",
        /// Briefly away; keeps their cases, takes no new ones.
        Away => "away",
        /// Not working.
        Off => "off",
    }
}

text_enum! {
    /// Which way a message went.
    Direction {
        /// From the resident.
        Inbound => "inbound",
        /// To the resident.
        Outbound => "outbound",
    }
}

text_enum! {
    /// Who wrote a message.
    MessageKind {
        /// The resident.
        Resident => "resident",
        /// A responder, by hand.
        Reply => "reply",
        /// Batline's automatic first answer naming the owner.
        AutoReply => "auto_reply",
        /// Batline telling the resident something on the owner's behalf
        /// (e.g. that the case was resolved).
        Notice => "notice",
    }
}

text_enum! {
    /// How far an outbound message got.
    DeliveryStatus {
        /// Written, not yet handed to the provider.
        Pending => "pending",
        /// Being handed to the provider right now.
        Sending => "sending",
        /// The provider accepted it.
        Sent => "sent",
        /// The provider reports it delivered.
        Delivered => "delivered",
        /// The provider reports it could not be delivered.
        Undelivered => "undelivered",
        /// Batline could not hand it over; the owner sees why.
        Failed => "failed",
    }
}

text_enum! {
    /// Who did something on a case's timeline.
    ActorKind {
        /// Batline itself (routing, delivery).
        System => "system",
        /// A responder.
        Responder => "responder",
        /// The resident.
        Resident => "resident",
    }
}

/// Kinds of timeline events. Plain strings in the database so later issues
/// can add kinds without a migration; these constants keep the spelling in one place.
pub mod event_kind {
    /// The case was opened by a resident's first contact.
    pub const OPENED: &str = "opened";
    /// A named responder became the owner.
    pub const ASSIGNED: &str = "assigned";
    /// The resident wrote again.
    pub const RESIDENT_MESSAGE: &str = "resident_message";
    /// Batline sent the automatic first answer.
    pub const AUTO_REPLIED: &str = "auto_replied";
    /// The owner replied to the resident.
    pub const REPLIED: &str = "replied";
    /// An outbound message could not be delivered.
    pub const DELIVERY_FAILED: &str = "delivery_failed";
    /// The owner resolved the case.
    pub const RESOLVED: &str = "resolved";

    /// The kinds a resident may see on the public tracking page.
    pub const PUBLIC: &[&str] = &[OPENED, ASSIGNED, REPLIED, RESOLVED];
}
