//! What the fault suite and the tests beyond one machine share: each is a
//! test binary of its own (so its one heavy test runs alone) and includes
//! this module with `#[path = "../faults/kit.rs"]`. Each uses a part of
//! it, hence the `dead_code` allowance.
#![allow(dead_code)]

#[macro_use]
pub mod report;
pub mod chat_driver;
pub mod city;
pub mod cluster;
pub mod driver;
pub mod invariants;
pub mod services;
pub mod stage;
pub mod tcp_proxy;
