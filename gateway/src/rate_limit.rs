//! Rate limits per address and per chat session: the limiter lives in
//! `batline-core` (the console limits sign-ins with it too), and counts an
//! IPv6 client by its /64 ([`source`]).

pub use batline_core::rate_limit::{PerAddress, PerKey, source};
