//! `s3pii scan`: flags → library config; reports → the chosen output format; progress on
//! stderr when it is a terminal; end summary; exit code.

use std::fs::File;
use std::io::{self, BufWriter, IsTerminal, Write};
use std::path::PathBuf;
use std::process::ExitCode;
use std::time::{Instant, SystemTime};

use anyhow::{bail, Context, Result};
use clap::{Args, ValueEnum};
use flate2::write::GzEncoder;
use s3pii::decode::Limits;
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
    /// Files, directories (recursive) or `-` for stdin.
    #[arg(required = true)]
    sources: Vec<PathBuf>,
    /// Where findings go (`-` = stdout, the default).
    #[arg(long, default_value = "-")]
    findings: String,
    /// Write a discovery result for every object here (gzip if it ends in `.gz`).
    #[arg(long)]
    results: Option<PathBuf>,
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
    /// Account id reported in findings.
    #[arg(long, default_value = "000000000000")]
    account_id: String,
    /// Region reported in findings.
    #[arg(long, default_value = "us-east-1")]
    region: String,
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

/// Where findings go.
fn findings_writer(path: &str) -> Result<Box<dyn Write>> {
    Ok(if path == "-" {
        Box::new(BufWriter::new(io::stdout().lock()))
    } else {
        Box::new(BufWriter::new(
            File::create(path).with_context(|| format!("creating --findings {path}"))?,
        ))
    })
}

fn results_writer(path: &PathBuf) -> Result<Box<dyn Write>> {
    let file = BufWriter::new(
        File::create(path).with_context(|| format!("creating --results {}", path.display()))?,
    );
    Ok(if path.extension().is_some_and(|e| e == "gz") {
        Box::new(GzEncoder::new(file, flate2::Compression::default()))
    } else {
        Box::new(file)
    })
}

#[derive(Default)]
struct Summary {
    objects: u64,
    members: u64,
    complete: u64,
    partial: u64,
    skipped: u64,
    errors: u64,
    bytes: u64,
    findings: u64,
    per_type: Vec<(String, u64)>,
}

pub fn run(args: ScanArgs) -> Result<ExitCode> {
    let set = detectors(&args)?;
    let allow = allow_list(&args)?;
    let job_id = job_id(&args)?;
    let objects = local::list(&args.sources, args.follow_symlinks)?;
    let stdout_tty = io::stdout().is_terminal();
    let format = args
        .format
        .unwrap_or(if args.findings == "-" && stdout_tty {
            Format::Human
        } else {
            Format::Jsonl
        });
    let results_location = match &args.results {
        Some(p) => std::path::absolute(p)
            .unwrap_or_else(|_| p.clone())
            .display()
            .to_string(),
        None => format!(
            "s3://[export-config-not-set]/AWSLogs/{a}/Macie/{r}/{job_id}/{a}/{job_id}.jsonl.gz",
            a = args.account_id,
            r = args.region
        ),
    };
    let job = JobContext {
        job_id,
        account_id: args.account_id.clone(),
        region: args.region.clone(),
        partition: "aws".into(),
        created_at: SystemTime::now(),
        results_location,
        max_occurrences: args.max_occurrences as usize,
    };
    let config = ScanConfig {
        jobs: args.jobs.map_or(0, usize::from),
        max_occurrences: job.max_occurrences,
        reveal_samples: args.reveal_samples,
        limits: args.limits.limits(),
        ..ScanConfig::default()
    };
    let scanner = Scanner::new(set.clone(), allow, config)?;

    let mut out = findings_writer(&args.findings)?;
    let mut results = args.results.as_ref().map(results_writer).transpose()?;
    let show_progress = !args.quiet && io::stderr().is_terminal();
    let progress = indicatif::ProgressBar::with_draw_target(
        Some(objects.iter().map(|o| o.info.size).sum()),
        if show_progress {
            indicatif::ProgressDrawTarget::stderr()
        } else {
            indicatif::ProgressDrawTarget::hidden()
        },
    );
    progress.set_style(
        indicatif::ProgressStyle::with_template(
            "{spinner} {msg} {bytes}/{total_bytes} {binary_bytes_per_sec} eta {eta}",
        )
        .unwrap_or_else(|_| indicatif::ProgressStyle::default_bar()),
    );
    let started = Instant::now();
    let mut summary = Summary::default();
    let mut collected: Vec<Finding> = Vec::new();
    let mut failure: Option<anyhow::Error> = None;
    let total = objects.len();
    scanner.scan_local(&objects, |report| {
        if failure.is_some() {
            return;
        }
        let member = report.embedded.as_ref().map(|e| e.path.as_str());
        if member.is_none() {
            progress.inc(report.object.size);
            summary.objects += 1;
            progress.set_message(format!("{}/{total} objects", summary.objects));
        } else {
            summary.members += 1;
        }
        if let Err(e) = handle(
            &report,
            &set,
            &job,
            format,
            &mut summary,
            &mut collected,
            &mut out,
            results.as_mut(),
        ) {
            failure = Some(e);
        }
        if let Some(err) = &report.error {
            let reason = report.status.reason;
            let unsupported = reason.is_some_and(|r| {
                r == "UNSUPPORTED_FILE_TYPE_EXCEPTION" || r == "ARCHIVE_CONTAINS_UNPROCESSED_FILES"
            });
            if member.is_none() && reason.is_some() && !unsupported {
                summary.errors += 1;
            }
            if member.is_none() || !unsupported {
                let name = match member {
                    Some(path) => format!("{} [{path}]", report.object.key),
                    None => report.object.key.clone(),
                };
                let why = reason.map(|r| format!(" ({r})")).unwrap_or_default();
                progress.suspend(|| eprintln!("s3pii: {name}: {err}{why}"));
            }
        }
    });
    progress.finish_and_clear();
    if let Some(e) = failure {
        return Err(e.context("writing output"));
    }
    match format {
        Format::Json => {
            serde_json::to_writer_pretty(&mut out, &serde_json::json!({ "findings": collected }))?;
            writeln!(out)?;
        }
        Format::Sarif => {
            serde_json::to_writer_pretty(&mut out, &sarif(&collected))?;
            writeln!(out)?;
        }
        Format::Human => human(&mut out, &collected)?,
        Format::Jsonl | Format::Eventbridge => {}
    }
    out.flush().context("writing findings")?;
    drop(out);
    if let Some(mut r) = results {
        r.flush().context("writing results")?;
    }
    let elapsed = started.elapsed();
    if !args.quiet {
        summary.per_type.sort();
        let mb = summary.bytes as f64 / 1e6;
        eprintln!(
            "s3pii: {} objects ({} complete, {} partial, {} skipped; {} archive members), {:.1} MB in {:.2}s ({:.1} MB/s), {} findings",
            summary.objects,
            summary.complete,
            summary.partial,
            summary.skipped,
            summary.members,
            mb,
            elapsed.as_secs_f64(),
            mb / elapsed.as_secs_f64().max(1e-9),
            summary.findings
        );
        for (t, n) in &summary.per_type {
            eprintln!("  {t}: {n}");
        }
    }
    Ok(if summary.errors > 0 {
        ExitCode::from(2)
    } else if args.fail_on_findings && summary.findings > 0 {
        ExitCode::from(1)
    } else {
        ExitCode::SUCCESS
    })
}

#[allow(clippy::too_many_arguments)]
fn handle(
    report: &ObjectReport,
    set: &DetectorSet,
    job: &JobContext,
    format: Format,
    summary: &mut Summary,
    collected: &mut Vec<Finding>,
    out: &mut dyn Write,
    results: Option<&mut Box<dyn Write>>,
) -> Result<()> {
    if let Some(w) = results {
        if let Some(record) = build_record(report, set, job, RecordKind::Result) {
            serde_json::to_writer(&mut *w, &macie::to_result_value(&record)?)?;
            w.write_all(b"\n")?;
        }
    }
    // Archive members appear in discovery results only; the archive's own report holds
    // their totals and is the one finding.
    if report.embedded.is_some() {
        return Ok(());
    }
    match report.status.code {
        StatusCode::Complete => summary.complete += 1,
        StatusCode::Partial => summary.partial += 1,
        StatusCode::Skipped => summary.skipped += 1,
    }
    summary.bytes += report.size_classified;
    let Some(finding) = build_record(report, set, job, RecordKind::Finding) else {
        return Ok(());
    };
    summary.findings += 1;
    for d in &report.detections {
        if let Some(det) = set.get(d.detector) {
            match summary.per_type.iter_mut().find(|(t, _)| *t == det.id) {
                Some((_, n)) => *n += d.count,
                None => summary.per_type.push((det.id.clone(), d.count)),
            }
        }
    }
    match format {
        Format::Jsonl => {
            serde_json::to_writer(&mut *out, &finding)?;
            out.write_all(b"\n")?;
        }
        Format::Eventbridge => {
            let event = EventBridgeEvent {
                version: "0".into(),
                id: md5_hex(&["event", &finding.id]),
                detail_type: "Macie Finding".into(),
                source: "aws.macie".into(),
                account: finding.account_id.clone(),
                time: timestamp(job.created_at),
                region: finding.region.clone(),
                resources: Vec::new(),
                detail: finding,
            };
            serde_json::to_writer(&mut *out, &event)?;
            out.write_all(b"\n")?;
        }
        Format::Json | Format::Sarif | Format::Human => collected.push(finding),
    }
    Ok(())
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
