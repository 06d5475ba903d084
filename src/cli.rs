//! The command-line frontend (placeholder while the engine lands).
use std::process::ExitCode;
/// Runs the CLI.
pub fn main() -> ExitCode {
    ExitCode::SUCCESS
}
