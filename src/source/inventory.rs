//! Amazon S3 Inventory reports as a source (`--inventory s3://.../manifest.json`), so a
//! bucket of any size needs no listing. The manifest names the inventory files and their
//! schema; CSV files are gzip'd, headerless, with URL-encoded keys; Parquet files have
//! lower-snake-case columns (`key`, `version_id`, `is_latest`, `size`,
//! `last_modified_date`, ...). ORC inventories are refused with a clear message.

use std::io::Read;
use std::time::{Duration, SystemTime};

use md5::{Digest, Md5};
use parquet::file::reader::{FileReader, SerializedFileReader};
use parquet::record::Field;
use serde::Deserialize;

use crate::object::ObjectInfo;

/// The inventory file format.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum InventoryFormat {
    /// Gzip'd CSV.
    Csv,
    /// Apache Parquet.
    Parquet,
    /// Apache ORC (not supported).
    Orc,
}

/// One inventory file named by the manifest.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ManifestFile {
    /// Key in the destination bucket.
    pub key: String,
    /// Size in bytes.
    pub size: u64,
    /// MD5 of the file, hex.
    pub md5: Option<String>,
}

/// A parsed `manifest.json`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Manifest {
    /// The inventoried bucket.
    pub source_bucket: String,
    /// The bucket holding the inventory files (a name, not an ARN).
    pub destination_bucket: String,
    /// File format.
    pub format: InventoryFormat,
    /// Field names, in CSV column order.
    pub schema: Vec<String>,
    /// The inventory files.
    pub files: Vec<ManifestFile>,
}

/// An inventory that cannot be read.
#[derive(Debug, thiserror::Error)]
pub enum InventoryError {
    /// The manifest is not what S3 Inventory writes.
    #[error("not an S3 Inventory manifest: {0}")]
    Manifest(String),
    /// ORC inventories.
    #[error("ORC inventories are not supported: configure the inventory as CSV or Parquet")]
    Orc,
    /// A CSV or Parquet file that does not parse.
    #[error("inventory file does not parse: {0}")]
    File(String),
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct RawManifest {
    source_bucket: String,
    destination_bucket: String,
    file_format: String,
    file_schema: String,
    files: Vec<RawFile>,
}

#[derive(Deserialize)]
struct RawFile {
    key: String,
    size: u64,
    #[serde(rename = "MD5checksum")]
    md5: Option<String>,
}

/// Parses `manifest.json`.
pub fn parse_manifest(json: &[u8]) -> Result<Manifest, InventoryError> {
    let raw: RawManifest =
        serde_json::from_slice(json).map_err(|e| InventoryError::Manifest(e.to_string()))?;
    let format = match raw.file_format.to_ascii_uppercase().as_str() {
        "CSV" => InventoryFormat::Csv,
        "PARQUET" => InventoryFormat::Parquet,
        "ORC" => return Err(InventoryError::Orc),
        other => {
            return Err(InventoryError::Manifest(format!(
                "unknown fileFormat {other:?}"
            )))
        }
    };
    let destination = raw
        .destination_bucket
        .rsplit(":::")
        .next()
        .unwrap_or(&raw.destination_bucket)
        .to_string();
    Ok(Manifest {
        source_bucket: raw.source_bucket,
        destination_bucket: destination,
        format,
        schema: raw
            .file_schema
            .split(',')
            .map(|f| f.trim().to_string())
            .collect(),
        files: raw
            .files
            .into_iter()
            .map(|f| ManifestFile {
                key: f.key,
                size: f.size,
                md5: f.md5,
            })
            .collect(),
    })
}

/// Whether `bytes` has the MD5 the manifest gives.
pub fn checksum_ok(bytes: &[u8], md5_hex: &str) -> bool {
    let digest = Md5::digest(bytes);
    let hex: String = digest.iter().map(|b| format!("{b:02x}")).collect();
    hex.eq_ignore_ascii_case(md5_hex)
}

/// One inventory row, by field.
#[derive(Default)]
struct Row {
    bucket: Option<String>,
    key: Option<String>,
    version_id: Option<String>,
    is_latest: Option<bool>,
    is_delete_marker: bool,
    size: Option<u64>,
    last_modified: Option<SystemTime>,
    etag: Option<String>,
    storage_class: Option<String>,
}

impl Row {
    /// The object, and whether it is the current version; `None` for delete markers.
    fn object(self, manifest: &Manifest) -> Option<(ObjectInfo, bool)> {
        if self.is_delete_marker {
            return None;
        }
        let info = ObjectInfo {
            bucket: self
                .bucket
                .filter(|b| !b.is_empty())
                .unwrap_or_else(|| manifest.source_bucket.clone()),
            key: self.key?,
            size: self.size.unwrap_or(0),
            etag: self.etag.map(|e| e.trim_matches('"').to_string()),
            version_id: self.version_id.filter(|v| !v.is_empty() && v != "null"),
            last_modified: self.last_modified,
            storage_class: self.storage_class.or_else(|| Some("STANDARD".into())),
            ..ObjectInfo::default()
        };
        Some((info, self.is_latest.unwrap_or(true)))
    }

    fn set(&mut self, field: &str, value: &str) {
        match field.to_ascii_lowercase().replace('_', "").as_str() {
            "bucket" => self.bucket = Some(value.to_string()),
            "key" => self.key = Some(value.to_string()),
            "versionid" => self.version_id = Some(value.to_string()),
            "islatest" => self.is_latest = Some(value.eq_ignore_ascii_case("true")),
            "isdeletemarker" => self.is_delete_marker = value.eq_ignore_ascii_case("true"),
            "size" => self.size = value.parse().ok(),
            "lastmodifieddate" => self.last_modified = humantime::parse_rfc3339_weak(value).ok(),
            "etag" => self.etag = Some(value.to_string()),
            "storageclass" => self.storage_class = Some(value.to_string()),
            _ => {}
        }
    }
}

/// Reads a gzip'd CSV inventory file, calling `out` with each object and whether it is
/// the current version (delete markers are left out).
pub fn read_csv(
    gz_bytes: &[u8],
    manifest: &Manifest,
    out: &mut dyn FnMut(ObjectInfo, bool),
) -> Result<(), InventoryError> {
    let mut text = Vec::new();
    flate2::read::MultiGzDecoder::new(gz_bytes)
        .read_to_end(&mut text)
        .map_err(|e| InventoryError::File(format!("gzip: {e}")))?;
    let mut reader = csv::ReaderBuilder::new()
        .has_headers(false)
        .from_reader(&text[..]);
    for (line, record) in reader.records().enumerate() {
        let record =
            record.map_err(|e| InventoryError::File(format!("CSV row {}: {e}", line + 1)))?;
        let mut row = Row::default();
        for (field, value) in manifest.schema.iter().zip(record.iter()) {
            if field.eq_ignore_ascii_case("key") {
                // CSV inventories URL-encode keys.
                let key = percent_encoding::percent_decode_str(value)
                    .decode_utf8()
                    .map_err(|_| {
                        InventoryError::File(format!("CSV row {}: key is not UTF-8", line + 1))
                    })?;
                row.set(field, &key);
            } else {
                row.set(field, value);
            }
        }
        if let Some((info, latest)) = row.object(manifest) {
            out(info, latest);
        }
    }
    Ok(())
}

/// Reads a Parquet inventory file, like [`read_csv`].
pub fn read_parquet(
    bytes: bytes::Bytes,
    manifest: &Manifest,
    out: &mut dyn FnMut(ObjectInfo, bool),
) -> Result<(), InventoryError> {
    let err = |e: parquet::errors::ParquetError| InventoryError::File(format!("Parquet: {e}"));
    let reader = SerializedFileReader::new(bytes).map_err(err)?;
    for record in reader.get_row_iter(None).map_err(err)? {
        let record = record.map_err(err)?;
        let mut row = Row::default();
        for (name, field) in record.get_column_iter() {
            match field {
                Field::Str(s) => row.set(name, s),
                Field::Bool(b) => row.set(name, if *b { "true" } else { "false" }),
                Field::Long(n) => row.set(name, &n.to_string()),
                Field::Int(n) => row.set(name, &n.to_string()),
                Field::TimestampMillis(ms) => {
                    row.last_modified = u64::try_from(*ms)
                        .ok()
                        .map(|ms| SystemTime::UNIX_EPOCH + Duration::from_millis(ms));
                }
                Field::TimestampMicros(us) => {
                    row.last_modified = u64::try_from(*us)
                        .ok()
                        .map(|us| SystemTime::UNIX_EPOCH + Duration::from_micros(us));
                }
                _ => {}
            }
        }
        if let Some((info, latest)) = row.object(manifest) {
            out(info, latest);
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::io::Write;

    fn manifest(schema: &str, format: &str) -> Manifest {
        let json = format!(
            r#"{{"sourceBucket":"src","destinationBucket":"arn:aws:s3:::dest","version":"2016-11-30",
            "creationTimestamp":"1514944800000","fileFormat":"{format}","fileSchema":"{schema}",
            "files":[{{"key":"inv/data/a.csv.gz","size":10,"MD5checksum":"00"}}]}}"#
        );
        parse_manifest(json.as_bytes()).unwrap()
    }

    #[test]
    fn manifests() {
        let m = manifest("Bucket, Key, Size", "CSV");
        assert_eq!(m.destination_bucket, "dest");
        assert_eq!(m.schema, ["Bucket", "Key", "Size"]);
        assert_eq!(m.files[0].md5.as_deref(), Some("00"));
        let orc = br#"{"sourceBucket":"s","destinationBucket":"d","fileFormat":"ORC","fileSchema":"","files":[]}"#;
        assert!(parse_manifest(orc)
            .unwrap_err()
            .to_string()
            .contains("CSV or Parquet"));
        assert!(parse_manifest(b"{}").is_err());
        assert!(checksum_ok(b"abc", "900150983CD24FB0D6963F7D28E17F72"));
    }

    #[test]
    fn csv_rows_decode_keys_and_skip_delete_markers() {
        let m = manifest(
            "Bucket, Key, VersionId, IsLatest, IsDeleteMarker, Size, LastModifiedDate, ETag, StorageClass",
            "CSV",
        );
        let csv = "\"src\",\"a%20b/c%2Fd.txt\",\"v1\",\"true\",\"false\",\"12\",\"2024-01-02T03:04:05.000Z\",\"abc\",\"STANDARD\"\n\
                   \"src\",\"caf%C3%A9.csv\",\"v0\",\"false\",\"false\",\"5\",\"2023-01-02T03:04:05.000Z\",\"def\",\"GLACIER\"\n\
                   \"src\",\"gone.txt\",\"v2\",\"true\",\"true\",\"\",\"2024-01-02T03:04:05.000Z\",\"\",\"\"\n";
        let mut gz = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::default());
        gz.write_all(csv.as_bytes()).unwrap();
        let gz = gz.finish().unwrap();
        let mut got = Vec::new();
        read_csv(&gz, &m, &mut |o, latest| got.push((o, latest))).unwrap();
        assert_eq!(got.len(), 2);
        assert_eq!(got[0].0.key, "a b/c/d.txt");
        assert_eq!(got[0].0.size, 12);
        assert_eq!(got[0].0.version_id.as_deref(), Some("v1"));
        assert!(got[0].1);
        assert_eq!(got[1].0.key, "café.csv");
        assert_eq!(got[1].0.storage_class.as_deref(), Some("GLACIER"));
        assert!(!got[1].1);
        assert!(got[1].0.last_modified.is_some());
    }

    #[test]
    fn parquet_rows() {
        use parquet::data_type::{ByteArray, ByteArrayType, Int64Type};
        use std::sync::Arc;
        let schema = Arc::new(
            parquet::schema::parser::parse_message_type(
                "message m { required binary bucket (UTF8); required binary key (UTF8); optional int64 size; }",
            )
            .unwrap(),
        );
        let mut buf = Vec::new();
        let mut w = parquet::file::writer::SerializedFileWriter::new(
            &mut buf,
            schema,
            Arc::new(parquet::file::properties::WriterProperties::builder().build()),
        )
        .unwrap();
        let mut rg = w.next_row_group().unwrap();
        let mut i = 0;
        while let Some(mut col) = rg.next_column().unwrap() {
            match i {
                0 => col
                    .typed::<ByteArrayType>()
                    .write_batch(
                        &[ByteArray::from("src"), ByteArray::from("src")],
                        None,
                        None,
                    )
                    .unwrap(),
                1 => col
                    .typed::<ByteArrayType>()
                    .write_batch(
                        &[ByteArray::from("a b.txt"), ByteArray::from("x.csv")],
                        None,
                        None,
                    )
                    .unwrap(),
                _ => col
                    .typed::<Int64Type>()
                    .write_batch(&[7, 9], Some(&[1, 1]), None)
                    .unwrap(),
            };
            col.close().unwrap();
            i += 1;
        }
        rg.close().unwrap();
        w.close().unwrap();
        let m = manifest("bucket, key, size", "Parquet");
        let mut got = Vec::new();
        read_parquet(bytes::Bytes::from(buf), &m, &mut |o, _| got.push(o)).unwrap();
        assert_eq!(got.len(), 2);
        assert_eq!((got[0].key.as_str(), got[0].size), ("a b.txt", 7));
        assert_eq!((got[1].key.as_str(), got[1].size), ("x.csv", 9));
    }
}
