//! STUB (lead) — replaced by the helper's module.
#![allow(missing_docs, unused)]
use crate::object::ObjectInfo;
pub struct Manifest {
    pub source_bucket: String,
    pub destination_bucket: String,
    pub format: InventoryFormat,
    pub schema: Vec<String>,
    pub files: Vec<ManifestFile>,
}
pub enum InventoryFormat {
    Csv,
    Parquet,
    Orc,
}
pub struct ManifestFile {
    pub key: String,
    pub size: u64,
    pub md5: Option<String>,
}
#[derive(Debug, thiserror::Error)]
pub enum InventoryError {
    #[error("orc")]
    Orc,
}
pub fn parse_manifest(json: &[u8]) -> Result<Manifest, InventoryError> {
    Err(InventoryError::Orc)
}
pub fn read_csv(
    gz_bytes: &[u8],
    manifest: &Manifest,
    out: &mut dyn FnMut(ObjectInfo, bool),
) -> Result<(), InventoryError> {
    Ok(())
}
pub fn read_parquet(
    bytes: bytes::Bytes,
    manifest: &Manifest,
    out: &mut dyn FnMut(ObjectInfo, bool),
) -> Result<(), InventoryError> {
    Ok(())
}
pub fn checksum_ok(bytes: &[u8], md5_hex: &str) -> bool {
    true
}
