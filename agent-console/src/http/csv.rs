//! Report rows as a CSV body, for the JSON API's and the dashboard page's
//! downloads.

use batline_core::figures::ReportRow;

use crate::http::error::ApiError;

/// The report rows as CSV with [`ReportRow::COLUMNS`] as header, also when
/// there are none: the dashboard page's download.
pub fn csv_rows(rows: &[ReportRow]) -> Result<Vec<u8>, ApiError> {
    let csv_error = |e: &dyn std::fmt::Display| batline_core::Error::Invalid(format!("CSV: {e}"));
    let mut writer = csv::WriterBuilder::new().has_headers(false).from_writer(Vec::new());
    writer.write_record(ReportRow::COLUMNS).map_err(|e| csv_error(&e))?;
    for row in rows {
        writer.serialize(row).map_err(|e| csv_error(&e))?;
    }
    Ok(writer.into_inner().map_err(|e| csv_error(&e))?)
}
