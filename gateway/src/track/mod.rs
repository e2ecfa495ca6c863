//! Public case tracking: `GET /api/v1/track/{code}` (JSON) and the page
//! `/track/{code}` that the SMS and the chat link to. Both show the case's
//! status, its owner's name and a plain timeline, and nothing personal
//! about the resident: no phone number, no message text. The resident who
//! is the case's contact may also read the conversation: see
//! [`access`].

//!
//! Below, [`case`] loads what the public and the contact see; [`access`]
//! proves a resident is the contact; [`page`] renders the page from what
//! it is given; [`find`] is `/track`, where a code is typed, and the page
//! a mistyped or unknown code gets.

pub mod access;
pub mod case;
pub mod find;
pub mod page;
