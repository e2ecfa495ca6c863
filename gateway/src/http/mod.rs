//! The bottom layer every feature of the gateway stands on: the extractors
//! whose rejections answer through [`crate::error::ApiError`], the pages'
//! content security policy, text in XML, and the parameters and answers the OpenAPI
//! document shares between operations. Nothing here knows a feature.

pub mod csp;
pub mod extract;
pub mod params;
pub mod responses;
pub mod xml;
