//! `--checkpoint FILE`: what a bucket scan has handed on so far, saved so an interrupted
//! audit (Ctrl-C, kill -9, a crash) restarts where it stopped with every object in the
//! results exactly once.
//!
//! The protocol: outputs are flushed (local files synced, S3 files completed) *before*
//! the checkpoint naming them is written, and the checkpoint is replaced atomically
//! (write a temporary file, sync, rename, sync the folder). On restart, local outputs
//! are cut back to the lengths the checkpoint records (dropping lines written after
//! it), S3 outputs continue with the next file number, and the listing resumes after
//! the recorded position. A scan that is interrupted between two checkpoints therefore
//! redoes the objects since the last one, and writes each of them once.

use std::fs::{self, File};
use std::io::{self, Write};
use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};

use crate::source::s3::Position;

/// Checkpoint format version.
const VERSION: u32 = 1;

/// Where one output stood at a checkpoint.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct OutputState {
    /// Bytes of a local file.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub bytes: Option<u64>,
    /// Completed S3 files.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub files: Option<u64>,
}

/// Totals carried across restarts for the end summary.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Totals {
    /// Objects.
    pub objects: u64,
    /// Archive members.
    pub members: u64,
    /// Complete objects.
    pub complete: u64,
    /// Partial objects.
    pub partial: u64,
    /// Skipped objects.
    pub skipped: u64,
    /// Objects that could not be read.
    pub errors: u64,
    /// Bytes classified.
    pub bytes: u64,
    /// Findings.
    pub findings: u64,
    /// S3 requests.
    pub requests: u64,
    /// Milliseconds spent in earlier runs.
    pub millis: u64,
}

/// The saved state.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Checkpoint {
    /// Format version.
    pub version: u32,
    /// The job (findings' ids and result file names derive from it).
    pub job_id: String,
    /// What the scan was asked to do; a restart with other sources or filters is refused.
    pub fingerprint: String,
    /// Last object handed on (`None`: none yet).
    pub position: Option<Position>,
    /// The whole listing was handed on.
    pub complete: bool,
    /// Findings output.
    pub findings: OutputState,
    /// Discovery results output.
    pub results: OutputState,
    /// Totals so far.
    pub totals: Totals,
}

/// A checkpoint file that cannot be used.
#[derive(Debug, thiserror::Error)]
pub enum CheckpointError {
    /// Reading or writing failed.
    #[error("checkpoint {path}: {source}")]
    Io {
        /// The file.
        path: PathBuf,
        /// Why.
        #[source]
        source: io::Error,
    },
    /// Not a checkpoint of this version.
    #[error("checkpoint {path} is not an s3pii checkpoint (version {VERSION}): {message}; remove it to start over")]
    Format {
        /// The file.
        path: PathBuf,
        /// What is wrong.
        message: String,
    },
}

impl Checkpoint {
    /// A fresh checkpoint.
    pub fn new(job_id: String, fingerprint: String) -> Checkpoint {
        Checkpoint {
            version: VERSION,
            job_id,
            fingerprint,
            position: None,
            complete: false,
            findings: OutputState::default(),
            results: OutputState::default(),
            totals: Totals::default(),
        }
    }

    /// Reads `path`; `Ok(None)` when it does not exist.
    pub fn load(path: &Path) -> Result<Option<Checkpoint>, CheckpointError> {
        let text = match fs::read(path) {
            Ok(t) => t,
            Err(e) if e.kind() == io::ErrorKind::NotFound => return Ok(None),
            Err(source) => {
                return Err(CheckpointError::Io {
                    path: path.into(),
                    source,
                })
            }
        };
        let cp: Checkpoint =
            serde_json::from_slice(&text).map_err(|e| CheckpointError::Format {
                path: path.into(),
                message: e.to_string(),
            })?;
        if cp.version != VERSION {
            return Err(CheckpointError::Format {
                path: path.into(),
                message: format!("version {}", cp.version),
            });
        }
        Ok(Some(cp))
    }

    /// Replaces `path` atomically.
    pub fn save(&self, path: &Path) -> Result<(), CheckpointError> {
        let io_err = |source| CheckpointError::Io {
            path: path.into(),
            source,
        };
        let mut tmp = path.as_os_str().to_owned();
        tmp.push(".tmp");
        let tmp = PathBuf::from(tmp);
        let body = serde_json::to_vec_pretty(self).map_err(|e| io_err(io::Error::other(e)))?;
        let mut f = File::create(&tmp).map_err(io_err)?;
        f.write_all(&body).map_err(io_err)?;
        f.sync_all().map_err(io_err)?;
        fs::rename(&tmp, path).map_err(io_err)?;
        let dir = path
            .parent()
            .filter(|p| !p.as_os_str().is_empty())
            .unwrap_or(Path::new("."));
        // Makes the rename itself durable; not every platform can open a folder.
        if let Ok(d) = File::open(dir) {
            let _ = d.sync_all();
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn saves_and_loads_atomically() {
        let dir = std::env::temp_dir().join(format!("s3pii-cp-{}", std::process::id()));
        fs::create_dir_all(&dir).unwrap();
        let path = dir.join("cp.json");
        assert_eq!(Checkpoint::load(&path).unwrap(), None);
        let mut cp = Checkpoint::new("a".repeat(32), "fp".into());
        cp.position = Some(Position {
            source: 1,
            key: "k/é".into(),
            version_id: Some("v".into()),
            row: None,
        });
        cp.results.bytes = Some(42);
        cp.save(&path).unwrap();
        assert_eq!(Checkpoint::load(&path).unwrap(), Some(cp));
        assert!(!dir.join("cp.json.tmp").exists());
        fs::write(&path, b"{}").unwrap();
        let err = Checkpoint::load(&path).unwrap_err().to_string();
        assert!(err.contains("remove it to start over"), "{err}");
        fs::remove_dir_all(&dir).unwrap();
    }
}
