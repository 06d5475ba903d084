//! The built-in catalog: every `patterns/*.toml` file, compiled into the binary.
//!
//! A test checks that this list and the files on disk are the same, so a new file cannot
//! be forgotten.

/// `(file name, contents)` of every built-in detector file, in load order.
pub(crate) const FILES: &[(&str, &str)] = &[
    (
        "credentials.toml",
        include_str!("../../patterns/credentials.toml"),
    ),
    (
        "drivers_licenses.toml",
        include_str!("../../patterns/drivers_licenses.toml"),
    ),
    ("email.toml", include_str!("../../patterns/email.toml")),
    ("iban.toml", include_str!("../../patterns/iban.toml")),
    (
        "passports.toml",
        include_str!("../../patterns/passports.toml"),
    ),
    ("payment.toml", include_str!("../../patterns/payment.toml")),
    (
        "personal.toml",
        include_str!("../../patterns/personal.toml"),
    ),
    (
        "tax_and_national_ids.toml",
        include_str!("../../patterns/tax_and_national_ids.toml"),
    ),
];
