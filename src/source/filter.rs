//! Which listed objects a scan reads: key globs, size and date bounds, storage classes,
//! Macie-style sampling and `--shard K/N`. Everything here is decided from listing
//! metadata alone, before any GET, and is deterministic: the same listing, options and
//! seed always select the same objects (which is what makes `--checkpoint` resumes and
//! shards line up).

use std::time::SystemTime;

use globset::{Glob, GlobSet, GlobSetBuilder};
use md5::{Digest, Md5};

use crate::object::ObjectInfo;
use crate::report::reason;

/// Storage classes whose objects must be restored before they can be read.
const NEEDS_RESTORE: &[&str] = &["GLACIER", "DEEP_ARCHIVE"];

/// What the user asked for; [`Filter::new`] checks it.
#[derive(Debug, Clone, Default)]
pub struct FilterSpec {
    /// Keys must match one of these globs (all keys when empty).
    pub include: Vec<String>,
    /// Keys matching one of these globs are left out.
    pub exclude: Vec<String>,
    /// Smallest size read, in bytes.
    pub min_size: Option<u64>,
    /// Largest size read, in bytes.
    pub max_size: Option<u64>,
    /// Only objects modified at or after this time.
    pub modified_since: Option<SystemTime>,
    /// Only objects modified before this time.
    pub modified_before: Option<SystemTime>,
    /// Only these storage classes (all when empty).
    pub storage_classes: Vec<String>,
    /// Percentage of objects read (1–100), chosen by a seeded hash of the key.
    pub sampling_percentage: Option<u8>,
    /// The sampling seed.
    pub sampling_seed: String,
    /// `(k, n)`: read only the objects of shard `k` of `n` (`1 <= k <= n`).
    pub shard: Option<(u32, u32)>,
}

/// A configuration mistake, reported before anything is listed.
#[derive(Debug, thiserror::Error)]
pub enum FilterError {
    /// A glob does not parse.
    #[error("--{flag} {glob:?}: {message}")]
    Glob {
        /// `include` or `exclude`.
        flag: &'static str,
        /// The glob.
        glob: String,
        /// What globset said.
        message: String,
    },
    /// Contradicting or out-of-range bounds.
    #[error("{0}")]
    Range(String),
}

/// What to do with one listed object.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Verdict {
    /// Read and scan it.
    Scan,
    /// Not in the scan's scope (a filter, the sample or another shard): no result.
    Exclude,
    /// In scope but not readable as listed: a `SKIPPED` result with this reason and note.
    Skip(&'static str, String),
}

/// The compiled filters.
#[derive(Debug, Clone)]
pub struct Filter {
    include: Option<GlobSet>,
    exclude: Option<GlobSet>,
    spec: FilterSpec,
}

fn globs(flag: &'static str, globs: &[String]) -> Result<Option<GlobSet>, FilterError> {
    if globs.is_empty() {
        return Ok(None);
    }
    let mut set = GlobSetBuilder::new();
    for g in globs {
        // Like `aws s3 --include`: `*` also matches `/`, so `*.csv` finds CSV files at any
        // depth; patterns are matched against the whole key.
        let glob = Glob::new(g).map_err(|e| FilterError::Glob {
            flag,
            glob: g.clone(),
            message: e.kind().to_string(),
        })?;
        set.add(glob);
    }
    set.build().map(Some).map_err(|e| FilterError::Glob {
        flag,
        glob: globs.join(","),
        message: e.to_string(),
    })
}

/// A stable 64-bit hash of the parts (the first 8 bytes of their MD5).
fn hash64(parts: &[&str]) -> u64 {
    let mut h = Md5::new();
    for p in parts {
        h.update(p.as_bytes());
        h.update([0u8]);
    }
    let d = h.finalize();
    let mut b = [0u8; 8];
    b.copy_from_slice(&d[..8]);
    u64::from_be_bytes(b)
}

impl Filter {
    /// Compiles and checks the spec.
    pub fn new(spec: FilterSpec) -> Result<Filter, FilterError> {
        if let (Some(lo), Some(hi)) = (spec.min_size, spec.max_size) {
            if lo > hi {
                return Err(FilterError::Range(format!(
                    "--min-size {lo} is larger than --max-size {hi}"
                )));
            }
        }
        if let (Some(since), Some(before)) = (spec.modified_since, spec.modified_before) {
            if since >= before {
                return Err(FilterError::Range(
                    "--modified-since must be earlier than --modified-before".into(),
                ));
            }
        }
        if let Some(p) = spec.sampling_percentage {
            if !(1..=100).contains(&p) {
                return Err(FilterError::Range(format!(
                    "--sampling-percentage {p}: use 1 to 100"
                )));
            }
        }
        if let Some((k, n)) = spec.shard {
            if n == 0 || k == 0 || k > n {
                return Err(FilterError::Range(format!(
                    "--shard {k}/{n}: use K/N with 1 <= K <= N, e.g. 1/4"
                )));
            }
        }
        Ok(Filter {
            include: globs("include", &spec.include)?,
            exclude: globs("exclude", &spec.exclude)?,
            spec,
        })
    }

    /// Decides from listing metadata. `restored` is whether an archived object has a
    /// readable restored copy.
    pub fn check(&self, info: &ObjectInfo, restored: bool) -> Verdict {
        let s = &self.spec;
        if let Some((k, n)) = s.shard {
            if hash64(&[&info.bucket, &info.key]) % u64::from(n) != u64::from(k - 1) {
                return Verdict::Exclude;
            }
        }
        if self
            .include
            .as_ref()
            .is_some_and(|g| !g.is_match(&info.key))
            || self.exclude.as_ref().is_some_and(|g| g.is_match(&info.key))
            || s.min_size.is_some_and(|m| info.size < m)
            || s.max_size.is_some_and(|m| info.size > m)
        {
            return Verdict::Exclude;
        }
        if s.modified_since.is_some() || s.modified_before.is_some() {
            let Some(t) = info.last_modified else {
                return Verdict::Exclude;
            };
            if s.modified_since.is_some_and(|since| t < since)
                || s.modified_before.is_some_and(|before| t >= before)
            {
                return Verdict::Exclude;
            }
        }
        let class = info.storage_class.as_deref().unwrap_or("STANDARD");
        if !s.storage_classes.is_empty() && !s.storage_classes.iter().any(|c| c == class) {
            return Verdict::Exclude;
        }
        if let Some(p) = s.sampling_percentage {
            let version = info.version_id.as_deref().unwrap_or("");
            let h = hash64(&[&s.sampling_seed, &info.bucket, &info.key, version]);
            // Scaled to [0, 100): an object is in the sample when it falls under `p`.
            if (u128::from(h) * 100) >> 64 >= u128::from(p) {
                return Verdict::Exclude;
            }
        }
        if NEEDS_RESTORE.contains(&class) && !restored {
            return Verdict::Skip(
                reason::INVALID_OBJECT_STATE,
                format!("storage class {class} needs a restore before it can be read"),
            );
        }
        Verdict::Scan
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::time::Duration;

    fn obj(key: &str, size: u64) -> ObjectInfo {
        ObjectInfo {
            bucket: "b".into(),
            key: key.into(),
            size,
            last_modified: Some(SystemTime::UNIX_EPOCH + Duration::from_secs(1000)),
            storage_class: Some("STANDARD".into()),
            ..ObjectInfo::default()
        }
    }

    fn filter(spec: FilterSpec) -> Filter {
        Filter::new(spec).unwrap()
    }

    #[test]
    fn globs_match_whole_keys_across_slashes() {
        let f = filter(FilterSpec {
            include: vec!["*.csv".into(), "logs/**/*.gz".into()],
            exclude: vec!["tmp/*".into()],
            ..FilterSpec::default()
        });
        assert_eq!(f.check(&obj("a/b/c.csv", 1), false), Verdict::Scan);
        assert_eq!(f.check(&obj("logs/2024/01/x.gz", 1), false), Verdict::Scan);
        assert_eq!(f.check(&obj("tmp/x.csv", 1), false), Verdict::Exclude);
        assert_eq!(f.check(&obj("a/b/c.json", 1), false), Verdict::Exclude);
    }

    #[test]
    fn sizes_dates_and_classes() {
        let t = |s| Some(SystemTime::UNIX_EPOCH + Duration::from_secs(s));
        let f = filter(FilterSpec {
            min_size: Some(10),
            max_size: Some(100),
            modified_since: t(500),
            modified_before: t(1000),
            ..FilterSpec::default()
        });
        assert_eq!(f.check(&obj("x", 5), false), Verdict::Exclude);
        assert_eq!(f.check(&obj("x", 101), false), Verdict::Exclude);
        // Modified at 1000: not before 1000.
        assert_eq!(f.check(&obj("x", 50), false), Verdict::Exclude);
        let mut o = obj("x", 50);
        o.last_modified = t(999);
        assert_eq!(f.check(&o, false), Verdict::Scan);
        o.storage_class = Some("DEEP_ARCHIVE".into());
        assert!(matches!(
            f.check(&o, false),
            Verdict::Skip("INVALID_OBJECT_STATE", _)
        ));
        assert_eq!(f.check(&o, true), Verdict::Scan);
        let only_ia = filter(FilterSpec {
            storage_classes: vec!["STANDARD_IA".into()],
            ..FilterSpec::default()
        });
        assert_eq!(only_ia.check(&obj("x", 1), false), Verdict::Exclude);
    }

    #[test]
    fn sampling_is_seeded_reproducible_and_near_the_percentage() {
        let spec = |seed: &str| FilterSpec {
            sampling_percentage: Some(20),
            sampling_seed: seed.into(),
            ..FilterSpec::default()
        };
        let picked = |f: &Filter| -> Vec<usize> {
            (0..10_000)
                .filter(|i| f.check(&obj(&format!("k/{i}"), 1), false) == Verdict::Scan)
                .collect()
        };
        let a = picked(&filter(spec("one")));
        assert_eq!(a, picked(&filter(spec("one"))));
        assert_ne!(a, picked(&filter(spec("two"))));
        assert!((1800..2200).contains(&a.len()), "{}", a.len());
    }

    #[test]
    fn shards_partition_the_listing() {
        let shards: Vec<Filter> = (1..=3)
            .map(|k| {
                filter(FilterSpec {
                    shard: Some((k, 3)),
                    ..FilterSpec::default()
                })
            })
            .collect();
        let mut counts = [0usize; 3];
        for i in 0..3000 {
            let o = obj(&format!("key-{i}"), 1);
            let hits: Vec<usize> = (0..3)
                .filter(|&s| shards[s].check(&o, false) == Verdict::Scan)
                .collect();
            assert_eq!(hits.len(), 1, "every key in exactly one shard");
            counts[hits[0]] += 1;
        }
        assert!(
            counts.iter().all(|&c| (800..1200).contains(&c)),
            "{counts:?}"
        );
    }

    #[test]
    fn bad_specs_say_what_to_fix() {
        let err = |spec| Filter::new(spec).unwrap_err().to_string();
        assert!(err(FilterSpec {
            shard: Some((4, 3)),
            ..FilterSpec::default()
        })
        .contains("1 <= K <= N"));
        assert!(err(FilterSpec {
            include: vec!["a[".into()],
            ..FilterSpec::default()
        })
        .starts_with("--include \"a[\""));
        assert!(err(FilterSpec {
            min_size: Some(5),
            max_size: Some(1),
            ..FilterSpec::default()
        })
        .contains("--max-size"));
    }
}
