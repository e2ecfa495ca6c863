//! "Mihin alueeseen kuulun? / Vilket område hör jag till? / Which area am
//! I in?" (`/area`): a resident types an address or a postal code, or
//! shares their location, and sees their district at every level, the
//! nearest walk-in point with its hours, and how to reach the line.
//!
//! [`city`] holds the city's map, read from the store the first time it is
//! needed; [`handlers`] reads what was typed or shared and finds the
//! place; [`page`] renders the answer, or what to fix, in the resident's
//! language.

pub mod city;
pub mod handlers;
pub mod page;
