//! Decoding: from an object's bytes (a streamed `std::io::Read`) to the text the matcher
//! scans, with Macie locations. Synchronous only; nothing here knows about S3 or tokio.
//!
//! `sniff` decides the format from the first bytes (magic first, extension second) and the
//! MIME type Macie would report; `text` streams plain text in overlapping chunks with
//! line/column tracking. Archives and structured formats come in the formats issue.

pub mod text;

/// How the start of an object reads.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Sniffed {
    /// Text: UTF-8 (possibly with BOM), or bytes that are not valid UTF-8 (read as
    /// Latin-1 for column counting).
    Text {
        /// Whether columns count UTF-8 characters (else bytes, Latin-1).
        utf8: bool,
    },
    /// UTF-16 with a byte-order mark: transcoded to UTF-8 before scanning.
    Utf16,
    /// Binary or a format s3pii does not decode yet.
    Unsupported,
}

/// Magic numbers of binary formats that are not text.
const BINARY_MAGIC: &[&[u8]] = &[
    b"%PDF-",
    b"PK\x03\x04",
    b"\x1f\x8b",
    b"\x89PNG",
    b"\xff\xd8\xff",
    b"GIF8",
    b"PAR1",
    b"Obj\x01",
    b"\x7fELF",
    b"\xd0\xcf\x11\xe0",
    b"\x28\xb5\x2f\xfd",
];

/// Classifies an object by its first bytes (up to a few KiB).
pub fn sniff(head: &[u8]) -> Sniffed {
    if head.starts_with(b"\xff\xfe") || head.starts_with(b"\xfe\xff") {
        return Sniffed::Utf16;
    }
    if BINARY_MAGIC.iter().any(|m| head.starts_with(m)) || head.contains(&0) {
        return Sniffed::Unsupported;
    }
    let utf8 = match std::str::from_utf8(head) {
        Ok(_) => true,
        // A character cut at the end of the sample is still UTF-8.
        Err(e) => e.error_len().is_none(),
    };
    Sniffed::Text { utf8 }
}

/// The MIME type Macie reports for a text object with this extension.
pub fn text_mime(extension: &str) -> &'static str {
    match extension {
        "csv" => "text/csv",
        "tsv" => "text/tab-separated-values",
        "json" => "application/json",
        "jsonl" | "ndjson" => "application/jsonl",
        "htm" | "html" => "text/html",
        "xml" => "application/xml",
        "yaml" | "yml" => "application/yaml",
        _ => "text/plain",
    }
}

/// The MIME type for an object whose content is not supported.
pub fn binary_mime(head: &[u8]) -> &'static str {
    if head.starts_with(b"%PDF-") {
        "application/pdf"
    } else if head.starts_with(b"PK\x03\x04") {
        "application/zip"
    } else if head.starts_with(b"\x1f\x8b") {
        "application/gzip"
    } else if head.starts_with(b"PAR1") {
        "application/parquet"
    } else if head.starts_with(b"Obj\x01") {
        "application/avro"
    } else {
        "application/octet-stream"
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sniffing() {
        assert_eq!(sniff(b"hello"), Sniffed::Text { utf8: true });
        assert_eq!(sniff("h\u{e9}llo".as_bytes()), Sniffed::Text { utf8: true });
        assert_eq!(sniff(b"h\xe9llo"), Sniffed::Text { utf8: false });
        assert_eq!(sniff(b"ab\xc3"), Sniffed::Text { utf8: true });
        assert_eq!(sniff(b"\xff\xfeh\0i\0"), Sniffed::Utf16);
        assert_eq!(sniff(b"\x89PNG\r\n"), Sniffed::Unsupported);
        assert_eq!(sniff(b"abc\0def"), Sniffed::Unsupported);
    }
}
