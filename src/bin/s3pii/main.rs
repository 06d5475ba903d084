//! The `s3pii` command line. Parses arguments with clap and calls the library; all scan
//! and detector logic lives in the `s3pii` library. Exit codes: 0 success, 1 a check
//! failed (lint errors), 2 bad usage or configuration.

// The binary is where output is printed; the print lints guard the library.
#![allow(clippy::print_stderr, clippy::print_stdout)]

mod identifiers;
mod output;
mod scan;

use std::process::ExitCode;

use clap::{Parser, Subcommand};

/// Finds personal data in files and Amazon S3 objects; reports it as Amazon Macie does.
#[derive(Parser)]
#[command(name = "s3pii", version, about)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Scan files, directories, stdin or S3 buckets; write Macie findings and discovery
    /// results.
    Scan(Box<scan::ScanArgs>),
    /// List, lint and try out detectors (managed and custom data identifiers).
    #[command(subcommand)]
    Identifiers(identifiers::Command),
}

fn main() -> ExitCode {
    // A panic's message could quote the data being parsed: report where, never what.
    std::panic::set_hook(Box::new(|info| {
        let at = info
            .location()
            .map(|l| format!(" at {}:{}", l.file(), l.line()))
            .unwrap_or_default();
        eprintln!("s3pii: internal error{at} (message withheld: it may quote scanned data)");
    }));
    let cli = Cli::parse();
    let result = match cli.command {
        Command::Identifiers(cmd) => identifiers::run(cmd),
        Command::Scan(args) => scan::run(*args),
    };
    match result {
        Ok(code) => code,
        Err(err) => {
            eprintln!("s3pii: error: {err}");
            for cause in err.chain().skip(1) {
                eprintln!("  caused by: {cause}");
            }
            ExitCode::from(2)
        }
    }
}
