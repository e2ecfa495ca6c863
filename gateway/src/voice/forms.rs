//! The forms Twilio posts to the voice webhooks, for the OpenAPI document
//! only: the handlers read them field by field from the signed form, as the
//! signature covers every field posted ([`crate::signed_form`]).

use utoipa::ToSchema;

/// The form of `POST /twilio/voice` and `/twilio/voice/wait`.
#[derive(ToSchema)]
#[allow(non_snake_case)]
pub struct VoiceWebhook {
    /// Twilio's id of the call; storing is idempotent on it.
    #[schema(min_length = 1, example = "CA0123456789abcdef0123456789abcdef")]
    pub CallSid: String,
    /// The caller's number.
    #[schema(min_length = 1, example = "+358401234567")]
    pub From: String,
    /// The number called: a language line answers in its language.
    pub To: Option<String>,
    /// Must be Batline's account when given.
    pub AccountSid: Option<String>,
}

/// The form of a `<Dial>` action (`/twilio/voice/dial`, `/twilio/voice/call-back/dial`).
#[derive(ToSchema)]
#[allow(non_snake_case)]
pub struct DialWebhook {
    /// The call.
    #[schema(min_length = 1)]
    pub CallSid: String,
    /// `completed`, `answered`, `busy`, `no-answer`, `failed` or `canceled`.
    #[schema(min_length = 1, example = "no-answer")]
    pub DialCallStatus: String,
    /// Seconds talked.
    pub DialCallDuration: Option<String>,
    /// Must be Batline's account when given.
    pub AccountSid: Option<String>,
}

/// The form of the `<Record>` action `/twilio/voice/recorded`.
#[derive(ToSchema)]
#[allow(non_snake_case)]
pub struct RecordedWebhook {
    /// The call.
    #[schema(min_length = 1)]
    pub CallSid: String,
    /// The recording, when a message was left.
    pub RecordingSid: Option<String>,
    /// Where Twilio keeps it.
    pub RecordingUrl: Option<String>,
    /// Its length in seconds.
    pub RecordingDuration: Option<String>,
    /// Must be Batline's account when given.
    pub AccountSid: Option<String>,
}

/// The form of the recording status callback `/twilio/voice/recording`.
#[derive(ToSchema)]
#[allow(non_snake_case)]
pub struct RecordingStatusWebhook {
    /// Only `completed` is acted on.
    pub RecordingStatus: Option<String>,
    /// The call; required for a completed recording.
    pub CallSid: Option<String>,
    /// The recording; required for a completed recording.
    pub RecordingSid: Option<String>,
    /// Where Twilio keeps it; required for a completed recording.
    pub RecordingUrl: Option<String>,
    /// Its length in seconds.
    pub RecordingDuration: Option<String>,
    /// Must be Batline's account when given.
    pub AccountSid: Option<String>,
}

/// The form of the call status callback `/twilio/voice/status`.
#[derive(ToSchema)]
#[allow(non_snake_case)]
pub struct CallStatusWebhook {
    /// The call.
    #[schema(min_length = 1)]
    pub CallSid: String,
    /// `ringing`, `in-progress`, `completed`, `busy`, `no-answer`, …
    #[schema(min_length = 1, max_length = 32, example = "completed")]
    pub CallStatus: String,
    /// Seconds, once it ended.
    pub CallDuration: Option<String>,
    /// Must be Batline's account when given.
    pub AccountSid: Option<String>,
}

/// The form of `/twilio/voice/call-back`: the responder picked up.
#[derive(ToSchema)]
#[allow(non_snake_case)]
pub struct CallBackWebhook {
    /// The call-back's call.
    #[schema(min_length = 1)]
    pub CallSid: String,
    /// Must be Batline's account when given.
    pub AccountSid: Option<String>,
}

/// Any form Twilio posts; only its signature matters.
#[derive(ToSchema)]
#[allow(non_snake_case)]
pub struct AnyWebhook {
    /// Must be Batline's account when given.
    pub AccountSid: Option<String>,
}
