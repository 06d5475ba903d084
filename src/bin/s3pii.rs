//! The `s3pii` command line: parses arguments and hands over to `s3pii::cli`.
fn main() -> std::process::ExitCode {
    s3pii::cli::main()
}
