//! Where an occurrence is, in Macie's terms: a line range for text, a cell for CSV/TSV,
//! a record and JSON path for JSON, JSON Lines, Parquet and Avro.

use crate::report::macie;

/// One occurrence location. Ordered in document order within one kind.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
pub enum Location {
    /// 1-based inclusive lines and 1-based start column in characters.
    Lines {
        /// First line.
        start: u64,
        /// Last line.
        end: u64,
        /// Column of the first character.
        start_column: u64,
    },
    /// A CSV/TSV cell (1-based; the header is row 1).
    Cell {
        /// Row.
        row: u64,
        /// Column.
        column: u64,
        /// Header name of the column.
        column_name: String,
    },
    /// A record (0-based index) and the JSON path of the field.
    Record {
        /// Record index.
        record_index: u64,
        /// JSONPath; `None` when the sensitive data is in the name of a path element
        /// (Macie then omits the path).
        json_path: Option<String>,
    },
}

impl Location {
    /// Adds this location to the matching array of a Macie `occurrences` object.
    pub fn push_to(&self, occ: &mut macie::Occurrences) {
        match self {
            Location::Lines {
                start,
                end,
                start_column,
            } => occ
                .line_ranges
                .get_or_insert_with(Vec::new)
                .push(macie::LineRange {
                    start: (*start).into(),
                    end: (*end).into(),
                    start_column: (*start_column).into(),
                }),
            Location::Cell {
                row,
                column,
                column_name,
            } => occ.cells.get_or_insert_with(Vec::new).push(macie::Cell {
                row: (*row).into(),
                column: (*column).into(),
                column_name: column_name.clone(),
                cell_reference: None,
            }),
            Location::Record {
                record_index,
                json_path,
            } => occ
                .records
                .get_or_insert_with(Vec::new)
                .push(macie::Record {
                    record_index: (*record_index).into(),
                    json_path: json_path.clone(),
                }),
        }
    }
}
