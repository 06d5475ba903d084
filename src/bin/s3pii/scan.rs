//! `s3pii scan`: flags → library config; reports → the chosen output format; progress on
//! stderr when it is a terminal; end summary; exit code.

use std::io::{self, IsTerminal, Write};
use std::path::PathBuf;
use std::process::ExitCode;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant, SystemTime};

use anyhow::{bail, Context, Result};
use clap::{Args, ValueEnum};
use s3pii::checkpoint::{Checkpoint, OutputState, Totals};
use s3pii::decode::Limits;
use s3pii::report::s3out::{S3OutSpec, S3Writer};
use s3pii::scan::bucket::{scan_s3, BucketJob, Progress, SourceSpec};
use s3pii::source::filter::{Filter, FilterSpec};
use s3pii::source::s3::{S3Options, S3Url, S3};

use crate::output::Output;
use s3pii::detector::{custom_specs_from_json, CustomIdentifierSpec};
use s3pii::report::macie::{self, EventBridgeEvent, Finding};
use s3pii::report::{
    build_record, md5_hex, timestamp, JobContext, ObjectReport, RecordKind, StatusCode,
};
use s3pii::scan::{ScanConfig, Scanner};
use s3pii::source::local;
use s3pii::{AllowList, DetectorSet, Selection};

#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
pub enum Format {
    /// One Macie finding per line (JSON Lines).
    Jsonl,
    /// One `{"findings": [...]}` document, as GetFindings returns.
    Json,
    /// Each finding in Macie's EventBridge envelope, one per line.
    Eventbridge,
    /// SARIF 2.1.0, for code-scanning UIs.
    Sarif,
    /// A human summary table.
    Human,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
pub enum IdentifierSet {
    /// Macie's recommended set + e-mail, IBANs and checksum-validated identifiers.
    Default,
    /// Macie's recommended managed identifiers.
    Recommended,
    /// Every managed identifier and extension.
    All,
    /// None (custom identifiers only).
    None,
}

#[derive(Args)]
pub struct ScanArgs {
    /// Files, directories (recursive), `-` for stdin, or `s3://bucket[/prefix]` URLs.
    sources: Vec<String>,
    /// Where findings go: `-` (stdout, the default), a file, or `s3://bucket/prefix/`.
    #[arg(long, default_value = "-")]
    findings: String,
    /// Write a discovery result for every object: a file (gzip if it ends in `.gz`) or
    /// `s3://bucket/prefix/` (Macie's AWSLogs/... layout, .jsonl.gz).
    #[arg(long)]
    results: Option<String>,
    /// Output format of the findings (default: jsonl, or human when stdout is a terminal).
    #[arg(long, value_enum)]
    format: Option<Format>,
    /// Base identifier set.
    #[arg(long, value_enum, default_value = "default")]
    identifiers: IdentifierSet,
    /// Add these identifier ids.
    #[arg(long, value_delimiter = ',')]
    include_identifiers: Vec<String>,
    /// Remove these identifier ids.
    #[arg(long, value_delimiter = ',')]
    exclude_identifiers: Vec<String>,
    /// Custom data identifiers (Macie's CreateCustomDataIdentifier JSON); repeatable.
    #[arg(long)]
    custom: Vec<PathBuf>,
    /// Allow list file: one entry per line, whole-match, case-insensitive; repeatable.
    #[arg(long)]
    allow_list: Vec<PathBuf>,
    /// Allow-list regex that must match a whole match; repeatable.
    #[arg(long)]
    allow_regex: Vec<String>,
    /// Locations kept per detection in discovery results (Macie: 1,000).
    #[arg(long, default_value_t = 1000, value_parser = clap::value_parser!(u32).range(1..=100_000))]
    max_occurrences: u32,
    /// Worker threads (default: available cores).
    #[arg(long, short = 'j', value_parser = clap::value_parser!(u16).range(1..))]
    jobs: Option<u16>,
    /// Job id for findings (default: a fresh id per run).
    #[arg(long)]
    job_id: Option<String>,
    /// Account id reported in findings (default: the caller's account for S3 scans,
    /// else 000000000000).
    #[arg(long)]
    account_id: Option<String>,
    /// Region for S3 requests and findings (default: from the AWS configuration, else
    /// us-east-1; each bucket is read in its own region).
    #[arg(long)]
    region: Option<String>,
    /// Follow symbolic links (only to targets inside the scanned directory).
    #[arg(long)]
    follow_symlinks: bool,
    /// Exit with 1 when anything was found.
    #[arg(long)]
    fail_on_findings: bool,
    /// Add masked samples of each match (first and last character only, up to 10 per
    /// type) to findings and results, like Macie's reveal feature. Off by default.
    #[arg(long)]
    reveal_samples: bool,
    /// No progress bar or summary.
    #[arg(long, short = 'q')]
    quiet: bool,
    #[command(flatten)]
    limits: LimitArgs,
    #[command(flatten)]
    s3: S3Args,
}

/// Options of bucket scans.
#[derive(Debug, clap::Args)]
#[command(next_help_heading = "S3")]
struct S3Args {
    /// AWS profile (default: the standard credential chain).
    #[arg(long)]
    profile: Option<String>,
    /// Endpoint of an S3-compatible store (path-style addressing).
    #[arg(long)]
    endpoint_url: Option<String>,
    /// Accept requester-pays charges.
    #[arg(long)]
    request_payer: bool,
    /// Scan every version of every object, not just the current ones.
    #[arg(long)]
    all_versions: bool,
    /// Read the object list from an S3 Inventory manifest (s3://.../manifest.json, CSV or
    /// Parquet inventories) instead of listing; repeatable.
    #[arg(long)]
    inventory: Vec<String>,
    /// Only keys matching this glob (`*` also matches `/`); repeatable.
    #[arg(long)]
    include: Vec<String>,
    /// Leave out keys matching this glob; repeatable.
    #[arg(long)]
    exclude: Vec<String>,
    /// Smallest object read.
    #[arg(long, value_parser = parse_size)]
    min_size: Option<u64>,
    /// Largest object read.
    #[arg(long, value_parser = parse_size)]
    max_size: Option<u64>,
    /// Only objects modified at or after this time (RFC 3339, e.g. 2024-01-31T00:00:00Z).
    #[arg(long, value_parser = humantime::parse_rfc3339_weak)]
    modified_since: Option<SystemTime>,
    /// Only objects modified before this time (RFC 3339).
    #[arg(long, value_parser = humantime::parse_rfc3339_weak)]
    modified_before: Option<SystemTime>,
    /// Only objects in this storage class (STANDARD, STANDARD_IA, ...); repeatable.
    #[arg(long)]
    storage_class: Vec<String>,
    /// Scan this percentage of objects, chosen at random by key (Macie's sampling).
    #[arg(long, value_parser = clap::value_parser!(u8).range(1..=100))]
    sampling_percentage: Option<u8>,
    /// Seed of the sample (default: the job id; the same seed picks the same objects).
    #[arg(long)]
    sampling_seed: Option<String>,
    /// Scan only shard K of N (by key hash), for N machines sharing a bucket: `2/4`.
    #[arg(long, value_parser = parse_shard)]
    shard: Option<(u32, u32)>,
    /// GET requests in flight.
    #[arg(long, default_value_t = 64, value_parser = clap::value_parser!(u16).range(1..=1024))]
    s3_concurrency: u16,
    /// Memory for objects read whole (those up to 8 MiB).
    #[arg(long, default_value = "256MiB", value_parser = parse_size)]
    s3_memory: u64,
    /// Tries per S3 request (exponential backoff with jitter between them).
    #[arg(long, default_value_t = 8, value_parser = clap::value_parser!(u32).range(1..=100))]
    s3_max_attempts: u32,
    /// Save progress here; run the same command again to resume after an interruption.
    #[arg(long)]
    checkpoint: Option<PathBuf>,
    /// Seconds between checkpoint saves.
    #[arg(long, default_value_t = 10)]
    checkpoint_interval: u64,
    /// KMS key for S3 outputs (SSE-KMS); SSE-S3 otherwise.
    #[arg(long)]
    kms_key_id: Option<String>,
    /// Do not read object tags (saves one request per object).
    #[arg(long)]
    no_object_tags: bool,
    /// Do not read bucket posture (encryption, public access, tags, owner).
    #[arg(long)]
    no_bucket_posture: bool,
}

/// Parses `K/N`.
fn parse_shard(text: &str) -> std::result::Result<(u32, u32), String> {
    let bad = || format!("{text:?}: use K/N with 1 <= K <= N, e.g. 2/4");
    let (k, n) = text.split_once('/').ok_or_else(bad)?;
    let (k, n): (u32, u32) = (
        k.trim().parse().map_err(|_| bad())?,
        n.trim().parse().map_err(|_| bad())?,
    );
    if k == 0 || n == 0 || k > n {
        return Err(bad());
    }
    Ok((k, n))
}

/// Decoding limits; the defaults are Macie's quotas. Sizes take `KB`/`MB`/`GB`/`TB`
/// (decimal) or `KiB`/`MiB`/`GiB` suffixes.
#[derive(Debug, clap::Args)]
#[command(next_help_heading = "Limits (defaults: Macie's quotas)")]
struct LimitArgs {
    /// Deepest archive nesting opened (zip in zip in ...).
    #[arg(long, default_value_t = 10)]
    max_archive_depth: u32,
    /// Files extracted from one object, all levels together.
    #[arg(long, default_value_t = 1_000_000)]
    max_archive_files: u64,
    /// Bytes extracted from one object, all levels together.
    #[arg(long, default_value = "10GB", value_parser = parse_size)]
    max_extracted_bytes: u64,
    /// Bytes extracted from one archive member.
    #[arg(long, default_value = "3GB", value_parser = parse_size)]
    max_member_bytes: u64,
    /// Stop when extracted bytes exceed this multiple of the object's size (past 100 MiB
    /// extracted); 0 turns the guard off.
    #[arg(long, default_value_t = 1000)]
    max_compression_ratio: u64,
    /// Deepest JSON nesting analysed.
    #[arg(long, default_value_t = 256)]
    max_json_depth: usize,
    /// Largest text object.
    #[arg(long, default_value = "20GB", value_parser = parse_size)]
    max_text_bytes: u64,
}

impl LimitArgs {
    fn limits(&self) -> Limits {
        Limits {
            max_nesting: self.max_archive_depth,
            max_members: self.max_archive_files,
            max_extracted: self.max_extracted_bytes,
            max_member_bytes: self.max_member_bytes,
            max_ratio: self.max_compression_ratio,
            max_json_depth: self.max_json_depth,
            max_text_bytes: self.max_text_bytes,
            ..Limits::default()
        }
    }
}

/// Parses `123`, `10GB`, `64MiB`, `1.5GB`.
fn parse_size(text: &str) -> std::result::Result<u64, String> {
    let t = text.trim();
    let split = t
        .find(|c: char| !(c.is_ascii_digit() || c == '.'))
        .unwrap_or(t.len());
    let (num, unit) = t.split_at(split);
    let value: f64 = num
        .parse()
        .map_err(|_| format!("{text:?} is not a size (try 500MB, 10GB, 64MiB)"))?;
    let scale: u64 = match unit.trim().to_ascii_lowercase().as_str() {
        "" | "b" => 1,
        "k" | "kb" => 1_000,
        "m" | "mb" => 1_000_000,
        "g" | "gb" => 1_000_000_000,
        "t" | "tb" => 1_000_000_000_000,
        "kib" => 1 << 10,
        "mib" => 1 << 20,
        "gib" => 1 << 30,
        "tib" => 1 << 40,
        _ => {
            return Err(format!(
                "unknown size unit in {text:?} (use KB, MB, GB, TB or KiB, MiB, GiB)"
            ))
        }
    };
    Ok((value * scale as f64) as u64)
}

fn job_id(args: &ScanArgs) -> Result<String> {
    match &args.job_id {
        Some(id) if id.len() == 32 && id.bytes().all(|b| b.is_ascii_hexdigit()) => {
            Ok(id.to_ascii_lowercase())
        }
        Some(id) => bail!("--job-id {id:?}: a job id is 32 hexadecimal characters, like Macie's"),
        None => {
            let now = SystemTime::now()
                .duration_since(SystemTime::UNIX_EPOCH)
                .unwrap_or_default();
            Ok(md5_hex(&[
                &now.as_nanos().to_string(),
                &std::process::id().to_string(),
            ]))
        }
    }
}

fn detectors(args: &ScanArgs) -> Result<DetectorSet> {
    let mut custom: Vec<CustomIdentifierSpec> = Vec::new();
    for path in &args.custom {
        let text = std::fs::read_to_string(path)
            .with_context(|| format!("reading --custom {}", path.display()))?;
        custom.extend(custom_specs_from_json(&path.display().to_string(), &text)?);
    }
    let selection = match args.identifiers {
        IdentifierSet::Default => Selection::Default,
        IdentifierSet::Recommended => Selection::Recommended,
        IdentifierSet::All => Selection::All,
        IdentifierSet::None => Selection::None,
    };
    let set = DetectorSet::select(
        &selection,
        &args.include_identifiers,
        &args.exclude_identifiers,
        custom,
    )?;
    if set.detectors().is_empty() {
        bail!("no identifiers selected: use --identifiers, --include-identifiers or --custom");
    }
    Ok(set)
}

fn allow_list(args: &ScanArgs) -> Result<Option<AllowList>> {
    let mut allow = AllowList::new();
    for path in &args.allow_list {
        allow.add_words_file(path)?;
    }
    for re in &args.allow_regex {
        allow.add_regex(re)?;
    }
    Ok((!allow.is_empty()).then_some(allow))
}

/// Counts for the end summary and the exit code.
#[derive(Default)]
struct Summary {
    totals: Totals,
    per_type: Vec<(String, u64)>,
}

/// Turns reports into findings and results on the chosen outputs.
struct Reporter {
    set: DetectorSet,
    job: JobContext,
    format: Format,
    summary: Summary,
    collected: Vec<Finding>,
    findings: Output,
    results: Option<Output>,
    progress: indicatif::ProgressBar,
}

impl Reporter {
    fn report(&mut self, report: &ObjectReport) -> Result<()> {
        let member = report.embedded.as_ref().map(|e| e.path.as_str());
        if member.is_none() {
            self.summary.totals.objects += 1;
        } else {
            self.summary.totals.members += 1;
        }
        if let Some(results) = self.results.as_mut() {
            self.job.results_location = results.location();
            if let Some(record) = build_record(report, &self.set, &self.job, RecordKind::Result) {
                results.write_line(&serde_json::to_vec(&macie::to_result_value(&record)?)?)?;
            }
        }
        if let Some(err) = &report.error {
            let reason = report.status.reason;
            let unsupported = reason.is_some_and(|r| {
                r == "UNSUPPORTED_FILE_TYPE_EXCEPTION" || r == "ARCHIVE_CONTAINS_UNPROCESSED_FILES"
            });
            if member.is_none() && reason.is_some() && !unsupported {
                self.summary.totals.errors += 1;
            }
            if member.is_none() || !unsupported {
                let name = match member {
                    Some(path) => format!("{} [{path}]", report.object.key),
                    None => report.object.key.clone(),
                };
                let why = reason.map(|r| format!(" ({r})")).unwrap_or_default();
                self.progress
                    .suspend(|| eprintln!("s3pii: {name}: {err}{why}"));
            }
        }
        // Archive members appear in discovery results only; the archive's own report
        // holds their totals and is the one finding.
        if member.is_some() {
            return Ok(());
        }
        let t = &mut self.summary.totals;
        match report.status.code {
            StatusCode::Complete => t.complete += 1,
            StatusCode::Partial => t.partial += 1,
            StatusCode::Skipped => t.skipped += 1,
        }
        t.bytes += report.size_classified;
        let Some(finding) = build_record(report, &self.set, &self.job, RecordKind::Finding) else {
            return Ok(());
        };
        t.findings += 1;
        for d in &report.detections {
            if let Some(det) = self.set.get(d.detector) {
                match self.summary.per_type.iter_mut().find(|(t, _)| *t == det.id) {
                    Some((_, n)) => *n += d.count,
                    None => self.summary.per_type.push((det.id.clone(), d.count)),
                }
            }
        }
        match self.format {
            Format::Jsonl => self.findings.write_line(&serde_json::to_vec(&finding)?)?,
            Format::Eventbridge => {
                let event = EventBridgeEvent {
                    version: "0".into(),
                    id: md5_hex(&["event", &finding.id]),
                    detail_type: "Macie Finding".into(),
                    source: "aws.macie".into(),
                    account: finding.account_id.clone(),
                    time: timestamp(self.job.created_at),
                    region: finding.region.clone(),
                    resources: Vec::new(),
                    detail: finding,
                };
                self.findings.write_line(&serde_json::to_vec(&event)?)?;
            }
            Format::Json | Format::Sarif | Format::Human => self.collected.push(finding),
        }
        Ok(())
    }

    /// Writes collected findings (whole-document formats) and closes the outputs.
    fn finish(mut self) -> Result<Summary> {
        let mut doc = Vec::new();
        match self.format {
            Format::Json => {
                serde_json::to_writer_pretty(
                    &mut doc,
                    &serde_json::json!({ "findings": self.collected }),
                )?;
                doc.push(b'\n');
            }
            Format::Sarif => {
                serde_json::to_writer_pretty(&mut doc, &sarif(&self.collected))?;
                doc.push(b'\n');
            }
            Format::Human => human(&mut doc, &self.collected)?,
            Format::Jsonl | Format::Eventbridge => {}
        }
        if !doc.is_empty() {
            self.findings.write_all(&doc)?;
        }
        self.findings.finish().context("writing findings")?;
        if let Some(r) = self.results {
            r.finish().context("writing results")?;
        }
        Ok(self.summary)
    }
}

/// Macie's price for analysing data, in US dollars per GB (macie.md §7.1).
const MACIE_USD_PER_GB: f64 = 1.0;

pub fn run(args: ScanArgs) -> Result<ExitCode> {
    let set = detectors(&args)?;
    let allow = allow_list(&args)?;
    let s3_sources: Vec<&String> = args.sources.iter().filter(|s| S3Url::is_s3(s)).collect();
    let bucket_mode = !s3_sources.is_empty() || !args.s3.inventory.is_empty();
    if bucket_mode && s3_sources.len() != args.sources.len() {
        bail!("scan local paths and s3:// URLs in separate runs");
    }
    if !bucket_mode && args.sources.is_empty() {
        bail!("nothing to scan: give files, directories, `-` or s3:// URLs");
    }
    if args.s3.checkpoint.is_some() && !bucket_mode {
        bail!("--checkpoint resumes bucket scans: use it with s3:// sources or --inventory");
    }
    let s3_outputs =
        S3Url::is_s3(&args.findings) || args.results.as_deref().is_some_and(S3Url::is_s3);
    let stdout_tty = io::stdout().is_terminal();
    let format = args
        .format
        .unwrap_or(if args.findings == "-" && stdout_tty {
            Format::Human
        } else {
            Format::Jsonl
        });
    let streaming_format = matches!(format, Format::Jsonl | Format::Eventbridge);
    if S3Url::is_s3(&args.findings) && !streaming_format {
        bail!("--findings s3://... takes --format jsonl or eventbridge");
    }
    if args.s3.checkpoint.is_some() && (!streaming_format || args.findings == "-") {
        bail!("--checkpoint needs --findings FILE or s3://... with --format jsonl or eventbridge (stdout cannot be rewound)");
    }
    // Local sources are listed before any output is created, so an output written into a
    // scanned folder is not scanned.
    let objects = if bucket_mode {
        Vec::new()
    } else {
        local::list(
            &args.sources.iter().map(PathBuf::from).collect::<Vec<_>>(),
            args.follow_symlinks,
        )?
    };
    let config = ScanConfig {
        jobs: args.jobs.map_or(0, usize::from),
        max_occurrences: args.max_occurrences as usize,
        reveal_samples: args.reveal_samples,
        limits: args.limits.limits(),
        ..ScanConfig::default()
    };
    let scanner = Arc::new(Scanner::new(set.clone(), allow, config)?);
    let runtime = (bucket_mode || s3_outputs)
        .then(|| {
            tokio::runtime::Builder::new_multi_thread()
                .worker_threads(2)
                .thread_name("s3pii-io")
                .enable_all()
                .build()
        })
        .transpose()
        .context("starting the I/O runtime")?;
    let s3 = match &runtime {
        Some(rt) => Some(rt.block_on(S3::connect(S3Options {
            profile: args.s3.profile.clone(),
            region: args.region.clone(),
            endpoint_url: args.s3.endpoint_url.clone(),
            request_payer: args.s3.request_payer,
            max_attempts: args.s3.s3_max_attempts,
        }))),
        None => None,
    };
    let account_id = match (&args.account_id, &s3, &runtime) {
        (Some(a), _, _) => a.clone(),
        (None, Some(s3), Some(rt)) => rt
            .block_on(caller_account(s3))
            .unwrap_or_else(|| "000000000000".into()),
        _ => "000000000000".into(),
    };
    let region = args
        .region
        .clone()
        .or_else(|| s3.as_ref().map(S3::region))
        .unwrap_or_else(|| "us-east-1".into());
    let fingerprint = fingerprint(&args);
    let checkpoint = match &args.s3.checkpoint {
        Some(path) => Checkpoint::load(path)?,
        None => None,
    };
    if let Some(cp) = &checkpoint {
        if cp.fingerprint != fingerprint {
            bail!(
                "checkpoint {} was written for another scan (other sources, filters or outputs); remove it or choose another file",
                args.s3.checkpoint.as_deref().map(|p| p.display().to_string()).unwrap_or_default()
            );
        }
        if cp.complete {
            eprintln!("s3pii: the scan in this checkpoint already finished; nothing to do (remove it to scan again)");
            return Ok(ExitCode::SUCCESS);
        }
    }
    let job_id = match &checkpoint {
        Some(cp) => cp.job_id.clone(),
        None => job_id(&args)?,
    };
    let handle = runtime.as_ref().map(|rt| rt.handle().clone());
    let open =
        |dest: &str, what: &str, gzip: bool, resume: Option<&OutputState>| -> Result<Output> {
            if dest == "-" {
                return Ok(Output::stdout());
            }
            if !S3Url::is_s3(dest) {
                return Output::file(PathBuf::from(dest), resume);
            }
            let (Some(s3), Some(handle)) = (&s3, &handle) else {
                bail!("internal: no S3 client for {dest}");
            };
            let url = S3Url::parse(dest)?;
            let mut folder = url.prefix.clone();
            if !folder.is_empty() && !folder.ends_with('/') {
                folder.push('/');
            }
            if what == "results" {
                folder.push_str(&format!(
                    "AWSLogs/{account_id}/Macie/{region}/{job_id}/{account_id}/"
                ));
            }
            let client = handle.block_on(s3.client_for(&url.bucket));
            let writer = S3Writer::new(
                S3OutSpec {
                    bucket: url.bucket.clone(),
                    folder,
                    seed: format!("{job_id}/{what}"),
                    gzip,
                    kms_key_id: args.s3.kms_key_id.clone(),
                    max_file_bytes: 100 << 20,
                },
                client,
                handle.clone(),
                resume.and_then(|r| r.files).unwrap_or(0),
            );
            writer.abort_leftovers()?;
            Ok(Output::s3(writer, dest.to_string()))
        };
    let findings = open(
        &args.findings,
        "findings",
        false,
        checkpoint.as_ref().map(|c| &c.findings),
    )?;
    let results = args
        .results
        .as_deref()
        .map(|r| open(r, "results", true, checkpoint.as_ref().map(|c| &c.results)))
        .transpose()?;
    let results_location = match &results {
        Some(r) => r.location(),
        None => format!(
            "s3://[export-config-not-set]/AWSLogs/{account_id}/Macie/{region}/{job_id}/{account_id}/{job_id}.jsonl.gz"
        ),
    };
    let job = JobContext {
        job_id: job_id.clone(),
        account_id: account_id.clone(),
        region,
        partition: "aws".into(),
        created_at: SystemTime::now(),
        results_location,
        max_occurrences: args.max_occurrences as usize,
    };
    let show_progress = !args.quiet && io::stderr().is_terminal();
    let progress = indicatif::ProgressBar::with_draw_target(
        None,
        if show_progress {
            indicatif::ProgressDrawTarget::stderr()
        } else {
            indicatif::ProgressDrawTarget::hidden()
        },
    );
    let mut reporter = Reporter {
        set,
        job,
        format,
        summary: Summary::default(),
        collected: Vec::new(),
        findings,
        results,
        progress: progress.clone(),
    };
    if let Some(cp) = &checkpoint {
        reporter.summary.totals = cp.totals.clone();
    }
    let started = Instant::now();
    let mut interrupted = false;
    if bucket_mode {
        let (Some(s3), Some(handle)) = (s3.clone(), handle.clone()) else {
            bail!("internal: no S3 client");
        };
        interrupted = run_bucket(
            &args,
            scanner,
            s3,
            handle,
            account_id,
            fingerprint,
            checkpoint,
            &mut reporter,
            &progress,
        )?;
    } else {
        progress.set_length(objects.iter().map(|o| o.info.size).sum());
        progress.set_style(style(
            "{spinner} {msg} {bytes}/{total_bytes} {binary_bytes_per_sec} eta {eta}",
        ));
        let total = objects.len();
        let mut failure: Option<anyhow::Error> = None;
        scanner.scan_local(&objects, |report| {
            if failure.is_some() {
                return;
            }
            if report.embedded.is_none() {
                progress.inc(report.object.size);
                progress.set_message(format!(
                    "{}/{total} objects",
                    reporter.summary.totals.objects + 1
                ));
            }
            if let Err(e) = reporter.report(&report) {
                failure = Some(e);
            }
        });
        if let Some(e) = failure {
            return Err(e.context("writing output"));
        }
    }
    progress.finish_and_clear();
    let requests = s3.as_ref().map_or(0, S3::requests);
    let mut summary = reporter.finish()?;
    let elapsed = started.elapsed();
    if !args.quiet {
        print_summary(&mut summary, elapsed, requests, s3.is_some());
    }
    let t = &summary.totals;
    Ok(if interrupted {
        ExitCode::from(130)
    } else if t.errors > 0 {
        ExitCode::from(2)
    } else if args.fail_on_findings && t.findings > 0 {
        ExitCode::from(1)
    } else {
        ExitCode::SUCCESS
    })
}

fn style(template: &str) -> indicatif::ProgressStyle {
    indicatif::ProgressStyle::with_template(template)
        .unwrap_or_else(|_| indicatif::ProgressStyle::default_bar())
}

fn print_summary(summary: &mut Summary, elapsed: Duration, requests: u64, s3: bool) {
    summary.per_type.sort();
    let t = &summary.totals;
    let seconds = elapsed.as_secs_f64() + t.millis as f64 / 1000.0;
    let mb = t.bytes as f64 / 1e6;
    eprintln!(
        "s3pii: {} objects ({} complete, {} partial, {} skipped; {} archive members), {:.1} MB in {:.2}s ({:.1} MB/s), {} findings",
        t.objects,
        t.complete,
        t.partial,
        t.skipped,
        t.members,
        mb,
        seconds,
        mb / seconds.max(1e-9),
        t.findings
    );
    if s3 {
        let gb = t.bytes as f64 / f64::from(1u32 << 30);
        eprintln!(
            "s3pii: {} S3 requests; Macie would charge ${:.2} to analyse these {:.3} GB (at ${MACIE_USD_PER_GB}/GB); this scan took {:.1}s of wall time, {:.1}s of CPU",
            requests + t.requests,
            gb * MACIE_USD_PER_GB,
            gb,
            seconds,
            cpu_seconds(),
        );
    }
    for (t, n) in &summary.per_type {
        eprintln!("  {t}: {n}");
    }
}

/// This process's CPU time (user + system), from /proc; 0 where that is not available.
fn cpu_seconds() -> f64 {
    let Ok(stat) = std::fs::read_to_string("/proc/self/stat") else {
        return 0.0;
    };
    // Fields after the command name (which is in parentheses and may hold spaces).
    let Some(rest) = stat.rsplit_once(')').map(|(_, r)| r) else {
        return 0.0;
    };
    let fields: Vec<&str> = rest.split_whitespace().collect();
    let ticks: f64 = [11, 12]
        .iter()
        .filter_map(|&i| fields.get(i).and_then(|f| f.parse::<f64>().ok()))
        .sum();
    ticks / 100.0
}

/// The account the credentials belong to (STS GetCallerIdentity).
async fn caller_account(s3: &S3) -> Option<String> {
    let mut conf = aws_sdk_sts::config::Builder::from(s3.sdk_config());
    if let Some(url) = s3.endpoint_url() {
        conf = conf.endpoint_url(url);
    }
    let sts = aws_sdk_sts::Client::from_conf(conf.build());
    let out = sts.get_caller_identity().send().await.ok()?;
    out.account().map(str::to_string)
}

/// What must match for a checkpoint to be reused: sources, listing and filter options,
/// outputs.
fn fingerprint(args: &ScanArgs) -> String {
    let s = &args.s3;
    md5_hex(&[
        &format!("{:?}", args.sources),
        &format!("{:?}", s.inventory),
        &format!(
            "{:?}",
            (
                s.all_versions,
                &s.include,
                &s.exclude,
                &s.min_size,
                &s.max_size,
                &s.modified_since,
                &s.modified_before,
                &s.storage_class,
                &s.sampling_percentage,
                &s.sampling_seed,
                &s.shard,
            )
        ),
        &args.findings,
        &format!("{:?}", args.results),
    ])
}

#[allow(clippy::too_many_arguments)]
fn run_bucket(
    args: &ScanArgs,
    scanner: Arc<Scanner>,
    s3: S3,
    handle: tokio::runtime::Handle,
    account_id: String,
    fingerprint: String,
    checkpoint: Option<Checkpoint>,
    reporter: &mut Reporter,
    bar: &indicatif::ProgressBar,
) -> Result<bool> {
    let s = &args.s3;
    let mut sources: Vec<SourceSpec> = args
        .sources
        .iter()
        .map(|u| S3Url::parse(u).map(SourceSpec::Prefix))
        .collect::<Result<_, _>>()?;
    for inv in &s.inventory {
        let url = S3Url::parse(inv)?;
        if url.prefix.is_empty() {
            bail!("--inventory {inv}: give the manifest's URL, s3://bucket/path/manifest.json");
        }
        sources.push(SourceSpec::Inventory(url));
    }
    let filter = Filter::new(FilterSpec {
        include: s.include.clone(),
        exclude: s.exclude.clone(),
        min_size: s.min_size,
        max_size: s.max_size,
        modified_since: s.modified_since,
        modified_before: s.modified_before,
        storage_classes: s
            .storage_class
            .iter()
            .map(|c| c.to_ascii_uppercase())
            .collect(),
        sampling_percentage: s.sampling_percentage,
        sampling_seed: s
            .sampling_seed
            .clone()
            .unwrap_or_else(|| reporter.job.job_id.clone()),
        shard: s.shard,
    })?;
    let concurrency = usize::from(s.s3_concurrency);
    let job = BucketJob {
        sources,
        all_versions: s.all_versions,
        filter,
        concurrency,
        small_object: 8 << 20,
        memory_budget: s.s3_memory,
        window: (concurrency * 4).max(256),
        resume: checkpoint.as_ref().and_then(|c| c.position.clone()),
        object_tags: !s.no_object_tags,
        posture: !s.no_bucket_posture,
        account_id: Some(account_id),
        max_resumes: 5,
    };
    let path = s.checkpoint.clone();
    let mut cp =
        checkpoint.unwrap_or_else(|| Checkpoint::new(reporter.job.job_id.clone(), fingerprint));
    let run_started = Instant::now();
    let millis_before = cp.totals.millis;
    let requests_before = cp.totals.requests;
    // Ctrl-C stops at the next object boundary; the checkpoint is saved on the way out.
    let stop = Arc::new(AtomicBool::new(false));
    {
        let stop = stop.clone();
        handle.spawn(async move {
            if tokio::signal::ctrl_c().await.is_ok() {
                stop.store(true, Ordering::Relaxed);
            }
        });
    }
    let progress = Arc::new(Progress::default());
    bar.set_style(style(
        "{spinner} {msg} {bytes}/{total_bytes} {binary_bytes_per_sec} eta {eta}",
    ));
    let ticker = {
        let progress = progress.clone();
        let bar = bar.clone();
        let stop = stop.clone();
        std::thread::spawn(move || loop {
            let p = &progress;
            let listing_done = p.listing_done.load(Ordering::Relaxed);
            bar.set_length(p.selected_bytes.load(Ordering::Relaxed));
            bar.set_position(p.fetched.load(Ordering::Relaxed));
            bar.set_message(format!(
                "listed {}{} · scanned {}/{}",
                p.listed.load(Ordering::Relaxed),
                if listing_done { "" } else { "+" },
                p.done.load(Ordering::Relaxed),
                p.selected.load(Ordering::Relaxed),
            ));
            if bar.is_finished() || stop.load(Ordering::Relaxed) && listing_done {
                return;
            }
            std::thread::sleep(Duration::from_millis(200));
        })
    };
    let interval = Duration::from_secs(s.checkpoint_interval.max(1));
    let mut last_save = Instant::now();
    let mut failure: Option<anyhow::Error> = None;
    let save = |cp: &mut Checkpoint, reporter: &mut Reporter, complete: bool| -> Result<()> {
        let Some(path) = &path else { return Ok(()) };
        cp.findings = reporter.findings.checkpoint()?;
        if let Some(r) = reporter.results.as_mut() {
            cp.results = r.checkpoint()?;
        }
        cp.totals = reporter.summary.totals.clone();
        cp.totals.millis = millis_before + run_started.elapsed().as_millis() as u64;
        cp.totals.requests = requests_before + s3.requests();
        cp.complete = complete;
        cp.save(path)?;
        Ok(())
    };
    // The summary adds requests from earlier runs itself.
    reporter.summary.totals.requests = requests_before;
    let scanned = scan_s3(
        scanner,
        s3.clone(),
        handle,
        job,
        progress.clone(),
        |reports, position| {
            for r in &reports {
                if let Err(e) = reporter.report(r) {
                    failure = Some(e);
                    return false;
                }
            }
            cp.position = Some(position.clone());
            if last_save.elapsed() >= interval {
                if let Err(e) = save(&mut cp, reporter, false) {
                    failure = Some(e);
                    return false;
                }
                last_save = Instant::now();
            }
            !stop.load(Ordering::Relaxed)
        },
    );
    let interrupted = stop.load(Ordering::Relaxed);
    stop.store(true, Ordering::Relaxed);
    progress.listing_done.store(true, Ordering::Relaxed);
    bar.finish_and_clear();
    let _ = ticker.join();
    if let Some(e) = failure {
        return Err(e.context("writing output"));
    }
    if let Err(e) = scanned {
        // Keep what was written (and the checkpoint) so the same command can resume.
        save(&mut cp, reporter, false)?;
        for out in [Some(&mut reporter.findings), reporter.results.as_mut()]
            .into_iter()
            .flatten()
        {
            out.checkpoint()?;
        }
        return Err(e.into());
    }
    // The end: outputs complete, checkpoint marked done (or where Ctrl-C stopped).
    save(&mut cp, reporter, !interrupted)?;
    reporter.summary.totals.millis = millis_before;
    if interrupted {
        eprintln!("s3pii: interrupted; run the same command again to resume from the checkpoint");
    }
    Ok(interrupted)
}

fn human(out: &mut dyn Write, findings: &[Finding]) -> Result<()> {
    if findings.is_empty() {
        writeln!(out, "No sensitive data found.")?;
    }
    for f in findings {
        let r = &f.classification_details.result;
        writeln!(
            out,
            "{}  {}  [{}]",
            f.resources_affected.s3_object.key, f.finding_type, f.severity.description
        )?;
        let managed = r.sensitive_data.iter().flat_map(|s| {
            s.detections
                .iter()
                .map(|d| (d.detection_type.as_str(), d.count.0))
        });
        let custom = r
            .custom_data_identifiers
            .iter()
            .flat_map(|c| c.detections.iter().map(|d| (d.name.as_str(), d.count.0)));
        for (t, n) in managed.chain(custom) {
            writeln!(out, "    {t:<48} {n}")?;
        }
    }
    Ok(())
}

fn sarif(findings: &[Finding]) -> serde_json::Value {
    let mut rules: Vec<String> = Vec::new();
    let mut results = Vec::new();
    for f in findings {
        let level = match f.severity.description.as_str() {
            "High" => "error",
            "Medium" => "warning",
            _ => "note",
        };
        let uri = &f.resources_affected.s3_object.key;
        let r = &f.classification_details.result;
        let managed = r.sensitive_data.iter().flat_map(|s| {
            s.detections
                .iter()
                .map(|d| (d.detection_type.clone(), d.count.0, &d.occurrences))
        });
        let custom = r.custom_data_identifiers.iter().flat_map(|c| {
            c.detections
                .iter()
                .map(|d| (d.name.clone(), d.count.0, &d.occurrences))
        });
        for (rule, count, occ) in managed.chain(custom) {
            if !rules.contains(&rule) {
                rules.push(rule.clone());
            }
            let locations: Vec<serde_json::Value> = occ
                .line_ranges
                .iter()
                .flatten()
                .map(|l| {
                    serde_json::json!({"physicalLocation": {"artifactLocation": {"uri": uri},
                        "region": {"startLine": l.start.0, "endLine": l.end.0, "startColumn": l.start_column.0}}})
                })
                .collect();
            let locations = if locations.is_empty() {
                vec![serde_json::json!({"physicalLocation": {"artifactLocation": {"uri": uri}}})]
            } else {
                locations
            };
            results.push(serde_json::json!({
                "ruleId": rule,
                "level": level,
                "message": {"text": format!("{count} occurrence(s) of {rule}")},
                "locations": locations,
            }));
        }
    }
    serde_json::json!({
        "$schema": "https://json.schemastore.org/sarif-2.1.0.json",
        "version": "2.1.0",
        "runs": [{
            "tool": {"driver": {"name": "s3pii", "version": env!("CARGO_PKG_VERSION"),
                "rules": rules.iter().map(|r| serde_json::json!({"id": r})).collect::<Vec<_>>()}},
            "results": results,
        }]
    })
}
