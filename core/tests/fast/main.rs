//! The fast tier: assignment, rosters and SLA arithmetic against PostgreSQL
//! alone, without the bus, the services or a browser, so a change to the
//! rules is checked in seconds (`cargo test -p batline-core --test fast`).
//! The whole system around them is the end-to-end suite's job (`tests/e2e`);
//! each test here gets a fresh, migrated database of its own and drops it.

mod assignment;
mod database;
mod presence;
mod residents;
mod rosters;
mod sending;
mod sessions;
mod shift_edges;
mod sla;
