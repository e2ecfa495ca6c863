//! The end-to-end harness lives in `batline-test-kit` (so the benchmarks'
//! smoke tests and the fault suite start Batline the same way); the tests
//! here reach it as `crate::support`.

pub use batline_test_kit::app::*;
