//! Report rows as a CSV body, for the JSON API's and the dashboard page's
//! downloads. The cells are written by [`batline_core::csv_export`], which
//! keeps a resident's text from running as a formula.

use batline_core::figures::ReportRow;

use crate::http::error::ApiError;

/// The report rows as CSV with [`ReportRow::COLUMNS`] as header, also when
/// there are none: the dashboard page's download.
pub fn csv_rows(rows: &[ReportRow]) -> Result<Vec<u8>, ApiError> {
    Ok(batline_core::csv_export::rows(&ReportRow::COLUMNS, rows)?)
}
