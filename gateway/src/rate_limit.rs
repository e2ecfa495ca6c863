//! Rate limits per address and per chat session: the limiter lives in
//! `batline-core` (the console limits sign-ins with it too).

pub use batline_core::rate_limit::{PerAddress, PerKey};
