//! Local sources: files, directories (recursive, sorted by path, symlinks not followed out
//! of the tree unless asked) and `-` for stdin, each presented as an S3-like object whose
//! key is the path relative to the scanned root.

use std::fs::File;
use std::io::{self, Read};
use std::path::{Path, PathBuf};

use crate::object::ObjectInfo;

/// Bucket name given to local objects.
pub const LOCAL_BUCKET: &str = "local";

/// A local object to scan.
#[derive(Debug, Clone)]
pub struct LocalObject {
    /// Where to read it (`None` = stdin).
    pub path: Option<PathBuf>,
    /// Metadata (ETag filled after reading).
    pub info: ObjectInfo,
    /// An error met while listing it (reported as the object's status).
    pub list_error: Option<io::ErrorKind>,
}

/// Bad local source configuration.
#[derive(Debug, thiserror::Error)]
pub enum SourceError {
    /// A path given on the command line does not exist or cannot be read.
    #[error("cannot read {path}: {source}")]
    Path {
        /// The path.
        path: PathBuf,
        /// Why.
        #[source]
        source: io::Error,
    },
}

fn info(key: String, meta: Option<&std::fs::Metadata>) -> ObjectInfo {
    ObjectInfo {
        bucket: LOCAL_BUCKET.into(),
        key,
        size: meta.map_or(0, |m| m.len()),
        last_modified: meta.and_then(|m| m.modified().ok()),
        storage_class: Some("STANDARD".into()),
        ..ObjectInfo::default()
    }
}

fn key_of(root: &Path, path: &Path) -> String {
    let rel = path.strip_prefix(root).unwrap_or(path);
    let parts: Vec<String> = rel
        .components()
        .map(|c| c.as_os_str().to_string_lossy().into_owned())
        .collect();
    if parts.is_empty() {
        path.file_name().map_or_else(
            || path.display().to_string(),
            |n| n.to_string_lossy().into_owned(),
        )
    } else {
        parts.join("/")
    }
}

/// Lists the objects under `sources`, in argument order and, within a directory, sorted
/// by path. With `follow_symlinks`, links are followed but only to targets inside the
/// scanned directory.
pub fn list(sources: &[PathBuf], follow_symlinks: bool) -> Result<Vec<LocalObject>, SourceError> {
    let mut out = Vec::new();
    for src in sources {
        if src.as_os_str() == "-" {
            out.push(LocalObject {
                path: None,
                info: info("-".into(), None),
                list_error: None,
            });
            continue;
        }
        let meta = std::fs::metadata(src).map_err(|source| SourceError::Path {
            path: src.clone(),
            source,
        })?;
        if !meta.is_dir() {
            out.push(LocalObject {
                path: Some(src.clone()),
                info: info(key_of(src, src), Some(&meta)),
                list_error: None,
            });
            continue;
        }
        let root = std::fs::canonicalize(src).map_err(|source| SourceError::Path {
            path: src.clone(),
            source,
        })?;
        let walk = walkdir::WalkDir::new(src)
            .follow_links(follow_symlinks)
            .sort_by_file_name();
        for entry in walk {
            match entry {
                Ok(e) if e.file_type().is_dir() => {}
                Ok(e) if e.path_is_symlink() && !follow_symlinks => {}
                Ok(e) => {
                    if follow_symlinks
                        && !std::fs::canonicalize(e.path()).is_ok_and(|p| p.starts_with(&root))
                    {
                        continue;
                    }
                    let key = key_of(src, e.path());
                    match e.metadata() {
                        Ok(m) => out.push(LocalObject {
                            path: Some(e.path().to_path_buf()),
                            info: info(key, Some(&m)),
                            list_error: None,
                        }),
                        Err(err) => out.push(LocalObject {
                            path: Some(e.path().to_path_buf()),
                            info: info(key, None),
                            list_error: Some(
                                err.io_error().map_or(io::ErrorKind::Other, io::Error::kind),
                            ),
                        }),
                    }
                }
                Err(err) => {
                    // An unreadable directory or entry: report it rather than lose it.
                    let Some(path) = err.path().map(Path::to_path_buf) else {
                        continue;
                    };
                    if path.is_dir() {
                        out.push(LocalObject {
                            info: info(key_of(src, &path), None),
                            path: Some(path),
                            list_error: Some(
                                err.io_error().map_or(io::ErrorKind::Other, io::Error::kind),
                            ),
                        });
                    }
                }
            }
        }
    }
    Ok(out)
}

/// Opens a local object for reading.
pub fn open(obj: &LocalObject) -> io::Result<Box<dyn Read + Send>> {
    match &obj.path {
        None => Ok(Box::new(io::stdin())),
        Some(p) => Ok(Box::new(File::open(p)?)),
    }
}
