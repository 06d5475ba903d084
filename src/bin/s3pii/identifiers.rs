//! `s3pii identifiers list | check | test`.

use std::io::{Read, Write};
use std::path::PathBuf;
use std::process::ExitCode;

use anyhow::{bail, Context, Result};
use clap::{Args, Subcommand};
use s3pii::detector::{
    self, custom_specs_from_json, lint, parse_detector_file, CustomIdentifierSpec, Level,
};
use s3pii::{Detector, DetectorSet, Matcher, Trigger};

#[derive(Subcommand)]
pub enum Command {
    /// List the built-in identifiers (default: a table for terminals).
    List {
        /// One JSON object per identifier, as a JSON array.
        #[arg(long, conflicts_with = "markdown")]
        json: bool,
        /// The README's Markdown table.
        #[arg(long)]
        markdown: bool,
    },
    /// Lint detector files: ids, regexes, keywords, examples and negatives. Without FILES,
    /// lints the built-in catalog; FILES are linted together with it.
    Check {
        /// Detector TOML files (format: patterns/README.md).
        files: Vec<PathBuf>,
        /// Fail on warnings too.
        #[arg(long)]
        warnings_as_errors: bool,
    },
    /// Run one custom data identifier over text on stdin, like Macie's
    /// TestCustomDataIdentifier: prints the match count and locations.
    Test(TestArgs),
}

#[derive(Args)]
pub struct TestArgs {
    /// A custom data identifier file (Macie's CreateCustomDataIdentifier JSON).
    #[arg(long, conflicts_with = "regex")]
    custom: Option<PathBuf>,
    /// The regex (instead of --custom).
    #[arg(long, required_unless_present = "custom")]
    regex: Option<String>,
    /// Keywords, comma-separated.
    #[arg(long, value_delimiter = ',', requires = "regex")]
    keywords: Vec<String>,
    /// Ignore words, comma-separated.
    #[arg(long, value_delimiter = ',', requires = "regex")]
    ignore_words: Vec<String>,
    /// Maximum match distance (1–300, default 50).
    #[arg(long, requires = "regex")]
    max_distance: Option<u32>,
    /// Also print each matched text. Off by default: matches may be personal data.
    #[arg(long)]
    show_matches: bool,
}

pub fn run(cmd: Command) -> Result<ExitCode> {
    match cmd {
        Command::List { json, markdown } => list(json, markdown),
        Command::Check {
            files,
            warnings_as_errors,
        } => check(&files, warnings_as_errors),
        Command::Test(args) => test(args),
    }
}

fn validation(d: &Detector) -> String {
    match (&d.check, d.keyword_required) {
        (Some(c), _) => c.name().to_string(),
        (None, _) => "format".to_string(),
    }
}

fn list(json: bool, markdown: bool) -> Result<ExitCode> {
    let set = DetectorSet::builtin().context("loading the built-in catalog")?;
    let mut out = std::io::stdout().lock();
    if json {
        let rows: Vec<serde_json::Value> = set
            .detectors()
            .iter()
            .map(|d| {
                serde_json::json!({
                    "id": d.id,
                    "name": d.name,
                    "category": d.category.as_str(),
                    "keywordRequired": d.keyword_required,
                    "keywords": d.keywords,
                    "maxDistance": d.max_distance,
                    "validator": d.check.map(|c| c.name()),
                    "severity": d.severity.map(|s| s.description()),
                    "extension": d.extension,
                    "recommended": d.recommended,
                    "trigger": trigger_text(&d.trigger),
                    "maxMatchLength": d.max_len,
                    "source": d.source,
                })
            })
            .collect();
        serde_json::to_writer_pretty(&mut out, &rows)?;
        writeln!(out)?;
    } else if markdown {
        out.write_all(markdown_table(&set).as_bytes())?;
    } else {
        for d in set.detectors() {
            writeln!(
                out,
                "{:<52} {:<22} {:<8} {:<18} {}",
                d.id,
                d.category.as_str(),
                if d.keyword_required { "keyword" } else { "-" },
                validation(d),
                if d.extension { "extension" } else { "macie" }
            )?;
        }
    }
    Ok(ExitCode::SUCCESS)
}

fn trigger_text(t: &Trigger) -> String {
    match t {
        Trigger::Literal(l) => format!("literal ({} prefixes)", l.len()),
        Trigger::Pair(p) => format!(
            "pair {}",
            p.iter()
                .map(|p| String::from_utf8_lossy(p).into_owned())
                .collect::<Vec<_>>()
                .join(",")
        ),
        Trigger::Byte(b) => format!("byte {:?}", char::from(*b)),
        Trigger::Digits(n) => format!("digits >= {n}"),
        Trigger::LooseDigits(n) => format!("loose digits, a run >= {n}"),
        Trigger::Keyword => "keyword".into(),
        Trigger::Unfiltered => "unfiltered".into(),
    }
}

/// The identifier table embedded in README.md (a test keeps the two equal).
pub fn markdown_table(set: &DetectorSet) -> String {
    let mut s = String::from(
        "| ID | Category | Keyword needed | Validation | Macie | Recommended |\n|---|---|---|---|---|---|\n",
    );
    for d in set.detectors() {
        s.push_str(&format!(
            "| `{}` | {} | {} | {} | {} | {} |\n",
            d.id,
            d.category.as_str(),
            if d.keyword_required { "yes" } else { "no" },
            validation(d),
            if d.extension { "extension" } else { "managed" },
            if d.recommended { "yes" } else { "" },
        ));
    }
    s
}

fn check(files: &[PathBuf], warnings_as_errors: bool) -> Result<ExitCode> {
    let mut specs = detector::builtin_specs().context("loading the built-in catalog")?;
    for f in files {
        let text =
            std::fs::read_to_string(f).with_context(|| format!("reading {}", f.display()))?;
        specs.extend(parse_detector_file(&f.display().to_string(), &text)?);
    }
    let set = DetectorSet::build(specs, Vec::new())?;
    let diags = lint(&set);
    let mut err = std::io::stderr().lock();
    let (mut errors, mut warnings) = (0, 0);
    for d in &diags {
        writeln!(err, "{d}")?;
        match d.level {
            Level::Error => errors += 1,
            Level::Warning => warnings += 1,
        }
    }
    writeln!(
        err,
        "{} detectors checked: {errors} errors, {warnings} warnings",
        set.detectors().len()
    )?;
    let failed = errors > 0 || (warnings_as_errors && warnings > 0);
    Ok(if failed {
        ExitCode::from(1)
    } else {
        ExitCode::SUCCESS
    })
}

fn test(args: TestArgs) -> Result<ExitCode> {
    let custom: Vec<CustomIdentifierSpec> = match (&args.custom, &args.regex) {
        (Some(path), _) => {
            let text = std::fs::read_to_string(path)
                .with_context(|| format!("reading {}", path.display()))?;
            custom_specs_from_json(&path.display().to_string(), &text)?
        }
        (None, Some(regex)) => {
            let spec = serde_json::json!({
                "name": "test",
                "regex": regex,
                "keywords": args.keywords,
                "ignoreWords": args.ignore_words,
                "maximumMatchDistance": args.max_distance,
            });
            custom_specs_from_json("command line", &spec.to_string())?
        }
        (None, None) => bail!("give --custom FILE or --regex RE"),
    };
    let set = DetectorSet::build(Vec::new(), custom)?;
    let mut text = Vec::new();
    std::io::stdin()
        .read_to_end(&mut text)
        .context("reading stdin")?;
    let matches = Matcher::new(&set).scan(&text);
    let mut out = std::io::stdout().lock();
    writeln!(out, "matchCount: {}", matches.len())?;
    for m in &matches {
        let (line, column) = line_column(&text, m.start);
        let name = set.get(m.detector).map_or("", |d| d.name.as_str());
        write!(
            out,
            "{name}: line {line}, column {column} (bytes {}..{})",
            m.start, m.end
        )?;
        if args.show_matches {
            write!(out, ": {}", String::from_utf8_lossy(&text[m.start..m.end]))?;
        }
        writeln!(out)?;
    }
    Ok(ExitCode::SUCCESS)
}

/// 1-based line and character column of byte offset `at`.
fn line_column(text: &[u8], at: usize) -> (usize, usize) {
    let before = &text[..at];
    let line = before.iter().filter(|&&b| b == b'\n').count() + 1;
    let line_start = before
        .iter()
        .rposition(|&b| b == b'\n')
        .map_or(0, |p| p + 1);
    let column = String::from_utf8_lossy(&before[line_start..])
        .chars()
        .count()
        + 1;
    (line, column)
}
