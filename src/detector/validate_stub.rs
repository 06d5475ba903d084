//! Temporary stand-in until validate.rs lands: knows every name, checks only Luhn.
#![allow(missing_docs)]
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Validator(&'static str);
const NAMES: &[&str] = &[
    "luhn",
    "iban",
    "us_ssn",
    "us_itin",
    "ca_sin",
    "fr_nir",
    "fr_spi",
    "de_steuer_id",
    "de_id_card",
    "es_dni",
    "es_nie",
    "es_nif",
    "es_nss",
    "it_codice_fiscale",
    "uk_nino",
    "uk_nhs",
    "uk_utr",
    "br_cpf",
    "br_cnpj",
    "in_aadhaar",
    "in_pan",
    "au_tfn",
    "mx_curp",
    "cl_rut",
    "nl_bsn",
    "pl_pesel",
    "se_personnummer",
    "be_nn",
    "fi_hetu",
    "dk_cpr",
    "no_fodselsnummer",
    "pt_nif",
    "lat_long",
    "date",
];
impl Validator {
    pub fn from_name(name: &str) -> Option<Validator> {
        NAMES.iter().find(|n| **n == name).map(|n| Validator(n))
    }
    pub fn name(self) -> &'static str {
        self.0
    }
    pub fn is_valid(self, c: &[u8]) -> bool {
        if self.0 != "luhn" {
            return true;
        }
        let d: Vec<u32> = c
            .iter()
            .filter(|b| b.is_ascii_digit())
            .map(|b| u32::from(b - b'0'))
            .collect();
        let s: u32 = d
            .iter()
            .rev()
            .enumerate()
            .map(|(i, &x)| {
                if i % 2 == 1 {
                    let y = x * 2;
                    if y > 9 {
                        y - 9
                    } else {
                        y
                    }
                } else {
                    x
                }
            })
            .sum();
        d.len() >= 12 && s % 10 == 0
    }
}
