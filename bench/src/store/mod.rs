//! The benchmarks' own SQL: scratch tables and bulk loads that are never
//! part of Batline's schema or its store, one function per query as there.

pub mod db_work;
pub mod floor;
pub mod probe;
pub mod year;
