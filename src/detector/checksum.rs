//! Named checksum and structure validators, used by detector files (`validator = "..."`).
//!
//! Each takes the matched bytes as written (separators included), strips what the format
//! allows, and answers valid or not. Where python-stdnum has the same check, the rule is
//! the same (`Validator::stdnum_module`); `tests/differential.rs` compares the two on
//! stdnum's examples and hundreds of thousands of random and mutated candidates. No
//! validator allocates on the heap, logs, or returns the candidate.

use std::time::SystemTime;

/// A named validator.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Validator {
    /// Luhn over 12–19 digits (payment cards).
    Luhn,
    /// IBAN: ISO 7064 mod 97-10 and the country's length and BBAN structure.
    Iban,
    /// US Social Security number: area, group and serial rules.
    UsSsn,
    /// US Individual Taxpayer Identification Number.
    UsItin,
    /// Canadian Social Insurance Number.
    CaSin,
    /// French NIR (INSEE), incl. Corsica 2A/2B.
    FrNir,
    /// French tax number (numéro fiscal / SPI).
    FrSpi,
    /// German tax id (Steuer-ID).
    DeSteuerId,
    /// German identity card serial, with its optional 7-3-1 check digit.
    DeIdCard,
    /// Spanish DNI.
    EsDni,
    /// Spanish NIE.
    EsNie,
    /// Spanish NIF (DNI, NIE, K/L/M and CIF forms).
    EsNif,
    /// Spanish social security number (mod 97).
    EsNss,
    /// Italian codice fiscale, incl. omocodia.
    ItCodiceFiscale,
    /// UK National Insurance number (HMRC prefix rules).
    UkNino,
    /// UK NHS number (mod 11).
    UkNhs,
    /// UK Unique Taxpayer Reference.
    UkUtr,
    /// Brazilian CPF.
    BrCpf,
    /// Brazilian CNPJ (incl. the alphanumeric form).
    BrCnpj,
    /// Indian Aadhaar (Verhoeff).
    InAadhaar,
    /// Indian PAN.
    InPan,
    /// Australian Tax File Number.
    AuTfn,
    /// Mexican CURP.
    MxCurp,
    /// Chilean RUT.
    ClRut,
    /// Dutch BSN (11-proof).
    NlBsn,
    /// Polish PESEL.
    PlPesel,
    /// Swedish personnummer.
    SePersonnummer,
    /// Belgian national number.
    BeNn,
    /// Finnish HETU.
    FiHetu,
    /// Danish CPR number (valid date, not in the future).
    DkCpr,
    /// Norwegian fødselsnummer.
    NoFodselsnummer,
    /// Portuguese NIF.
    PtNif,
    /// A decimal latitude,longitude pair in range.
    LatLong,
    /// A real calendar date (numeric forms, or English month names).
    Date,
}

use Validator::*;

const NAMES: &[(Validator, &str, Option<&str>)] = &[
    (Luhn, "luhn", Some("stdnum.luhn")),
    (Iban, "iban", Some("stdnum.iban")),
    (UsSsn, "us_ssn", Some("stdnum.us.ssn")),
    (UsItin, "us_itin", Some("stdnum.us.itin")),
    (CaSin, "ca_sin", Some("stdnum.ca.sin")),
    (FrNir, "fr_nir", Some("stdnum.fr.nir")),
    (FrSpi, "fr_spi", Some("stdnum.fr.nif")),
    (DeSteuerId, "de_steuer_id", Some("stdnum.de.idnr")),
    (DeIdCard, "de_id_card", None),
    (EsDni, "es_dni", Some("stdnum.es.dni")),
    (EsNie, "es_nie", Some("stdnum.es.nie")),
    (EsNif, "es_nif", Some("stdnum.es.nif")),
    (EsNss, "es_nss", None),
    (
        ItCodiceFiscale,
        "it_codice_fiscale",
        Some("stdnum.it.codicefiscale"),
    ),
    (UkNino, "uk_nino", None),
    (UkNhs, "uk_nhs", Some("stdnum.gb.nhs")),
    (UkUtr, "uk_utr", Some("stdnum.gb.utr")),
    (BrCpf, "br_cpf", Some("stdnum.br.cpf")),
    (BrCnpj, "br_cnpj", Some("stdnum.br.cnpj")),
    (InAadhaar, "in_aadhaar", Some("stdnum.in_.aadhaar")),
    (InPan, "in_pan", Some("stdnum.in_.pan")),
    (AuTfn, "au_tfn", Some("stdnum.au.tfn")),
    (MxCurp, "mx_curp", Some("stdnum.mx.curp")),
    (ClRut, "cl_rut", Some("stdnum.cl.rut")),
    (NlBsn, "nl_bsn", Some("stdnum.nl.bsn")),
    (PlPesel, "pl_pesel", Some("stdnum.pl.pesel")),
    (
        SePersonnummer,
        "se_personnummer",
        Some("stdnum.se.personnummer"),
    ),
    (BeNn, "be_nn", Some("stdnum.be.nn")),
    (FiHetu, "fi_hetu", Some("stdnum.fi.hetu")),
    (DkCpr, "dk_cpr", Some("stdnum.dk.cpr")),
    (
        NoFodselsnummer,
        "no_fodselsnummer",
        Some("stdnum.no.fodselsnummer"),
    ),
    (PtNif, "pt_nif", Some("stdnum.pt.nif")),
    (LatLong, "lat_long", None),
    (Date, "date", None),
];

impl Validator {
    /// Every validator.
    pub const ALL: &'static [Validator] = &[
        Luhn,
        Iban,
        UsSsn,
        UsItin,
        CaSin,
        FrNir,
        FrSpi,
        DeSteuerId,
        DeIdCard,
        EsDni,
        EsNie,
        EsNif,
        EsNss,
        ItCodiceFiscale,
        UkNino,
        UkNhs,
        UkUtr,
        BrCpf,
        BrCnpj,
        InAadhaar,
        InPan,
        AuTfn,
        MxCurp,
        ClRut,
        NlBsn,
        PlPesel,
        SePersonnummer,
        BeNn,
        FiHetu,
        DkCpr,
        NoFodselsnummer,
        PtNif,
        LatLong,
        Date,
    ];

    /// Looks a validator up by its name in detector files.
    pub fn from_name(name: &str) -> Option<Validator> {
        NAMES
            .iter()
            .find(|(_, n, _)| *n == name)
            .map(|(v, _, _)| *v)
    }

    /// The name used in detector files.
    pub fn name(self) -> &'static str {
        NAMES
            .iter()
            .find(|(v, _, _)| *v == self)
            .map_or("", |(_, n, _)| n)
    }

    /// The python-stdnum module with the same rule, if there is one (IBAN: called with
    /// `check_country=False`, i.e. mod 97 plus the registry structure).
    pub fn stdnum_module(self) -> Option<&'static str> {
        NAMES
            .iter()
            .find(|(v, _, _)| *v == self)
            .and_then(|(_, _, m)| *m)
    }

    /// Whether the matched bytes pass.
    pub fn is_valid(self, candidate: &[u8]) -> bool {
        if matches!(self, LatLong) {
            return lat_long(candidate);
        }
        if matches!(self, Date) {
            return date(candidate);
        }
        if matches!(self, FiHetu) {
            // The century sign is `-`, `+` or a letter: compacting would lose it.
            let mut buf = [0u8; 16];
            let raw = candidate.trim_ascii();
            if raw.len() > buf.len() {
                return false;
            }
            buf[..raw.len()].copy_from_slice(raw);
            buf[..raw.len()].make_ascii_uppercase();
            return fi_hetu(&buf[..raw.len()]);
        }
        let mut buf = [0u8; 40];
        let Some(s) = compact(candidate, &mut buf) else {
            return false;
        };
        match self {
            Luhn => (12..=19).contains(&s.len()) && digits(s) && luhn_ok(s),
            Iban => iban(s),
            UsSsn => us_ssn(s),
            UsItin => {
                s.len() == 9 && digits(s) && s[0] == b'9' && {
                    let g = num(&s[3..5]);
                    (70..100).contains(&g) && g != 89 && g != 93
                }
            }
            CaSin => s.len() == 9 && digits(s) && s[0] != b'0' && s[0] != b'8' && luhn_ok(s),
            FrNir => fr_nir(s),
            FrSpi => {
                s.len() == 13 && digits(s) && s[0] <= b'3' && num(&s[..10]) % 511 == num(&s[10..])
            }
            DeSteuerId => de_steuer_id(s),
            DeIdCard => de_id_card(s),
            EsDni => s.len() == 9 && digits(&s[..8]) && s[8] == dni_letter(num(&s[..8])),
            EsNie => es_nie(s),
            EsNif => es_nif(s),
            EsNss => s.len() == 12 && digits(s) && num(&s[..10]) % 97 == num(&s[10..]),
            ItCodiceFiscale => codice_fiscale(s),
            UkNino => uk_nino(s),
            UkNhs => {
                s.len() == 10
                    && digits(s)
                    && s.iter()
                        .rev()
                        .enumerate()
                        .map(|(i, d)| (i as u64 + 1) * u64::from(d - b'0'))
                        .sum::<u64>()
                        % 11
                        == 0
            }
            UkUtr => uk_utr(s),
            BrCpf => br_cpf(s),
            BrCnpj => br_cnpj(s),
            InAadhaar => {
                s.len() == 12
                    && digits(s)
                    && s[0] >= b'2'
                    && !s.iter().eq(s.iter().rev())
                    && verhoeff_ok(s)
            }
            InPan => {
                s.len() == 10
                    && s[..5].iter().all(u8::is_ascii_uppercase)
                    && digits(&s[5..9])
                    && s[9].is_ascii_uppercase()
                    && b"ABCFGHLJPTK".contains(&s[3])
                    && &s[5..9] != b"0000"
            }
            AuTfn => {
                (s.len() == 8 || s.len() == 9)
                    && digits(s)
                    && s.iter()
                        .zip([1u64, 4, 3, 7, 5, 8, 6, 9, 10])
                        .map(|(d, w)| w * u64::from(d - b'0'))
                        .sum::<u64>()
                        % 11
                        == 0
            }
            MxCurp => mx_curp(s),
            ClRut => cl_rut(s),
            NlBsn => nl_bsn(s),
            PlPesel => pl_pesel(s),
            SePersonnummer => se_personnummer_with(s, candidate.contains(&b'+')),
            BeNn => be_nn(s),
            FiHetu => fi_hetu(s),
            DkCpr => dk_cpr(s),
            NoFodselsnummer => no_fodselsnummer(s),
            PtNif => {
                s.len() == 9 && digits(s) && s[0] != b'0' && {
                    let sum: u64 = s[..8]
                        .iter()
                        .enumerate()
                        .map(|(i, d)| (9 - i as u64) * u64::from(d - b'0'))
                        .sum();
                    (11 - sum % 11) % 11 % 10 == u64::from(s[8] - b'0')
                }
            }
            LatLong | Date => false,
        }
    }
}

/// Copies the alphanumerics of `input` upper-cased into `buf` (separators dropped); `None`
/// if anything else than separators is present or it is too long.
fn compact<'b>(input: &[u8], buf: &'b mut [u8; 40]) -> Option<&'b [u8]> {
    let mut n = 0;
    for &b in input {
        if b.is_ascii_alphanumeric() {
            *buf.get_mut(n)? = b.to_ascii_uppercase();
            n += 1;
        } else if !matches!(b, b' ' | b'-' | b'.' | b'/' | b':' | b'\t') {
            return None;
        }
    }
    (n > 0).then_some(&buf[..n])
}

fn digits(s: &[u8]) -> bool {
    !s.is_empty() && s.iter().all(u8::is_ascii_digit)
}

/// The decimal value of ASCII digits (callers check they are digits; ≤ 19 of them).
fn num(s: &[u8]) -> u64 {
    s.iter().fold(0u64, |acc, d| {
        acc.wrapping_mul(10)
            .wrapping_add(u64::from(d.wrapping_sub(b'0')))
    })
}

fn luhn_sum(s: &[u8]) -> u64 {
    s.iter()
        .rev()
        .enumerate()
        .map(|(i, d)| {
            let v = u64::from(d - b'0');
            if i % 2 == 1 {
                let x = v * 2;
                x / 10 + x % 10
            } else {
                v
            }
        })
        .sum()
}

fn luhn_ok(s: &[u8]) -> bool {
    luhn_sum(s) % 10 == 0
}

/// The digit that makes `s` + digit pass Luhn.
fn luhn_check_digit(s: &[u8]) -> u8 {
    let mut buf = [b'0'; 24];
    buf[..s.len()].copy_from_slice(s);
    let sum = luhn_sum(&buf[..=s.len()]);
    ((10 - sum % 10) % 10) as u8
}

fn verhoeff_ok(s: &[u8]) -> bool {
    const D: [[u8; 10]; 10] = [
        [0, 1, 2, 3, 4, 5, 6, 7, 8, 9],
        [1, 2, 3, 4, 0, 6, 7, 8, 9, 5],
        [2, 3, 4, 0, 1, 7, 8, 9, 5, 6],
        [3, 4, 0, 1, 2, 8, 9, 5, 6, 7],
        [4, 0, 1, 2, 3, 9, 5, 6, 7, 8],
        [5, 9, 8, 7, 6, 0, 4, 3, 2, 1],
        [6, 5, 9, 8, 7, 1, 0, 4, 3, 2],
        [7, 6, 5, 9, 8, 2, 1, 0, 4, 3],
        [8, 7, 6, 5, 9, 3, 2, 1, 0, 4],
        [9, 8, 7, 6, 5, 4, 3, 2, 1, 0],
    ];
    const P: [[u8; 10]; 8] = [
        [0, 1, 2, 3, 4, 5, 6, 7, 8, 9],
        [1, 5, 7, 6, 2, 8, 3, 0, 9, 4],
        [5, 8, 0, 3, 7, 9, 6, 1, 4, 2],
        [8, 9, 1, 6, 0, 4, 3, 5, 2, 7],
        [9, 4, 5, 3, 1, 2, 6, 8, 7, 0],
        [4, 2, 8, 6, 5, 7, 3, 9, 0, 1],
        [2, 7, 9, 3, 8, 0, 6, 4, 1, 5],
        [7, 0, 4, 6, 9, 1, 3, 2, 5, 8],
    ];
    let mut c = 0u8;
    for (i, d) in s.iter().rev().enumerate() {
        c = D[usize::from(c)][usize::from(P[i % 8][usize::from(d - b'0')])];
    }
    c == 0
}

/// `(country, BBAN structure)` from the SWIFT IBAN registry (release 101, as shipped
/// in python-stdnum's `iban.dat`): `n` digits, `a` upper-case letters, `c` alphanumerics.
const IBAN_REGISTRY: &[(&str, &str)] = &[
    ("AD", "4!n4!n12!c"),
    ("AE", "3!n16!n"),
    ("AL", "8!n16!c"),
    ("AT", "5!n11!n"),
    ("AZ", "4!a20!c"),
    ("BA", "3!n3!n8!n2!n"),
    ("BE", "3!n7!n2!n"),
    ("BG", "4!a4!n2!n8!c"),
    ("BH", "4!a14!c"),
    ("BI", "5!n5!n11!n2!n"),
    ("BR", "8!n5!n10!n1!a1!c"),
    ("BY", "4!c4!n16!c"),
    ("CH", "5!n12!c"),
    ("CR", "4!n14!n"),
    ("CY", "3!n5!n16!c"),
    ("CZ", "4!n16!n"),
    ("DE", "8!n10!n"),
    ("DJ", "5!n5!n11!n2!n"),
    ("DK", "4!n9!n1!n"),
    ("DO", "4!c20!n"),
    ("EE", "2!n14!n"),
    ("EG", "4!n4!n17!n"),
    ("ES", "4!n4!n1!n1!n10!n"),
    ("FI", "3!n11!n"),
    ("FK", "2!a12!n"),
    ("FO", "4!n9!n1!n"),
    ("FR", "5!n5!n11!c2!n"),
    ("GB", "4!a6!n8!n"),
    ("GE", "2!a16!n"),
    ("GI", "4!a15!c"),
    ("GL", "4!n9!n1!n"),
    ("GR", "3!n4!n16!c"),
    ("GT", "4!c20!c"),
    ("HN", "4!a20!n"),
    ("HR", "7!n10!n"),
    ("HU", "3!n4!n1!n15!n1!n"),
    ("IE", "4!a6!n8!n"),
    ("IL", "3!n3!n13!n"),
    ("IQ", "4!a3!n12!n"),
    ("IS", "4!n2!n6!n10!n"),
    ("IT", "1!a5!n5!n12!c"),
    ("JO", "4!a4!n18!c"),
    ("KW", "4!a22!c"),
    ("KZ", "3!n13!c"),
    ("LB", "4!n20!c"),
    ("LC", "4!a24!c"),
    ("LI", "5!n12!c"),
    ("LT", "5!n11!n"),
    ("LU", "3!n13!c"),
    ("LV", "4!a13!c"),
    ("LY", "3!n3!n15!n"),
    ("MC", "5!n5!n11!c2!n"),
    ("MD", "2!c18!c"),
    ("ME", "3!n13!n2!n"),
    ("MK", "3!n10!c2!n"),
    ("MN", "4!n12!n"),
    ("MR", "5!n5!n11!n2!n"),
    ("MT", "4!a5!n18!c"),
    ("MU", "4!a2!n2!n12!n3!n3!a"),
    ("NI", "4!a20!n"),
    ("NL", "4!a10!n"),
    ("NO", "4!n6!n1!n"),
    ("OM", "3!n16!c"),
    ("PK", "4!a16!c"),
    ("PL", "8!n16!n"),
    ("PS", "4!a21!c"),
    ("PT", "4!n4!n11!n2!n"),
    ("QA", "4!a21!c"),
    ("RO", "4!a16!c"),
    ("RS", "3!n13!n2!n"),
    ("RU", "9!n5!n15!c"),
    ("SA", "2!n18!c"),
    ("SC", "4!a2!n2!n16!n3!a"),
    ("SD", "2!n12!n"),
    ("SE", "3!n16!n1!n"),
    ("SI", "5!n8!n2!n"),
    ("SK", "4!n6!n10!n"),
    ("SN", "1!a1!c22!n"),
    ("SM", "1!a5!n5!n12!c"),
    ("SO", "4!n3!n12!n"),
    ("ST", "4!n4!n11!n2!n"),
    ("SV", "4!a20!n"),
    ("TL", "3!n14!n2!n"),
    ("TN", "2!n3!n13!n2!n"),
    ("TR", "5!n1!n16!c"),
    ("UA", "6!n19!c"),
    ("VA", "3!n15!n"),
    ("VG", "4!a16!n"),
    ("XK", "4!n10!n2!n"),
    ("YE", "4!a4!n18!c"),
];

fn iban(s: &[u8]) -> bool {
    if s.len() < 5 || !s.iter().all(u8::is_ascii_alphanumeric) {
        return false;
    }
    // mod 97 over BBAN + country + check digits, letters as 10..35.
    let mut rem = 0u32;
    for &b in s[4..].iter().chain(&s[..4]) {
        let v = if b.is_ascii_digit() {
            u32::from(b - b'0')
        } else {
            u32::from(b - b'A') + 10
        };
        rem = if v >= 10 {
            (rem * 100 + v) % 97
        } else {
            (rem * 10 + v) % 97
        };
    }
    if rem != 1 {
        return false;
    }
    let Some((_, structure)) = IBAN_REGISTRY
        .iter()
        .find(|(cc, _)| cc.as_bytes() == &s[..2])
    else {
        return false;
    };
    let mut bban = &s[4..];
    // Structure: groups like `4!n`, `12!c`.
    let mut spec = structure.as_bytes();
    while !spec.is_empty() {
        let Some(bang) = spec.iter().position(|&b| b == b'!') else {
            return false;
        };
        let count = num(&spec[..bang]) as usize;
        let class = spec[bang + 1];
        if bban.len() < count {
            return false;
        }
        let ok = bban[..count].iter().all(|b| match class {
            b'n' => b.is_ascii_digit(),
            b'a' => b.is_ascii_uppercase(),
            _ => b.is_ascii_alphanumeric(),
        });
        if !ok {
            return false;
        }
        bban = &bban[count..];
        spec = &spec[bang + 2..];
    }
    bban.is_empty()
}

fn us_ssn(s: &[u8]) -> bool {
    if s.len() != 9 || !digits(s) {
        return false;
    }
    let (area, group, serial) = (&s[..3], &s[3..5], &s[5..]);
    if area == b"000" || area == b"666" || area[0] == b'9' || group == b"00" || serial == b"0000" {
        return false;
    }
    !matches!(s, b"078051120" | b"457555462" | b"219099999")
}

fn fr_nir(s: &[u8]) -> bool {
    if s.len() != 15 || !digits(&s[..5]) || !digits(&s[7..]) {
        return false;
    }
    let dept = &s[5..7];
    let head = match dept {
        b"2A" => num(&s[..5]) * 100_000_000 + 19 * 1_000_000 + num(&s[7..13]),
        b"2B" => num(&s[..5]) * 100_000_000 + 18 * 1_000_000 + num(&s[7..13]),
        d if digits(d) => num(&s[..13]),
        _ => return false,
    };
    97 - head % 97 == num(&s[13..])
}

fn de_steuer_id(s: &[u8]) -> bool {
    if s.len() != 11 || !digits(s) || s[0] == b'0' {
        return false;
    }
    let mut counts = [0u8; 10];
    for d in &s[..10] {
        counts[usize::from(d - b'0')] += 1;
    }
    let repeated: Vec<u8> = counts.iter().copied().filter(|&c| c > 1).collect();
    if repeated.len() != 1 || !(2..=3).contains(&repeated[0]) {
        return false;
    }
    let mut check = 5u32;
    for d in s {
        let c = if check == 0 { 10 } else { check };
        check = ((c * 2) % 11 + u32::from(d - b'0')) % 10;
    }
    check == 1
}

fn de_id_card(s: &[u8]) -> bool {
    const ALPHABET: &[u8] = b"CFGHJKLMNPRTVWXYZ0123456789";
    if !(s.len() == 9 || s.len() == 10)
        || !s[..9].iter().all(|b| ALPHABET.contains(b))
        || !s[0].is_ascii_alphabetic()
    {
        return false;
    }
    if s.len() == 9 {
        return true;
    }
    let value = |b: u8| {
        if b.is_ascii_digit() {
            u32::from(b - b'0')
        } else {
            u32::from(b - b'A') + 10
        }
    };
    let sum: u32 = s[..9]
        .iter()
        .zip([7u32, 3, 1].iter().cycle())
        .map(|(&b, w)| value(b) * w)
        .sum();
    s[9].is_ascii_digit() && sum % 10 == u32::from(s[9] - b'0')
}

fn dni_letter(n: u64) -> u8 {
    b"TRWAGMYFPDXBNJZSQVHLCKE"[(n % 23) as usize]
}

fn es_nie(s: &[u8]) -> bool {
    let Some(prefix) = b"XYZ".iter().position(|&c| c == s[0]) else {
        return false;
    };
    s.len() == 9
        && digits(&s[1..8])
        && s[8] == dni_letter(prefix as u64 * 10_000_000 + num(&s[1..8]))
}

fn es_nif(s: &[u8]) -> bool {
    if s.len() != 9 || !digits(&s[1..8]) {
        return false;
    }
    match s[0] {
        b'K' | b'L' | b'M' => s[8] == dni_letter(num(&s[1..8])),
        b'0'..=b'9' => s[8] == dni_letter(num(&s[..8])),
        b'X' | b'Y' | b'Z' => es_nie(s),
        c if b"ABCDEFGHJNPQRSUVW".contains(&c) => {
            let check = luhn_check_digit(&s[1..8]);
            s[8] == b'0' + check || s[8] == b"JABCDEFGHI"[usize::from(check)]
        }
        _ => false,
    }
}

fn codice_fiscale(s: &[u8]) -> bool {
    const OMO: &[u8] = b"LMNPQRSTUV";
    const MONTHS: &[u8] = b"ABCDEHLMPRST";
    const ODD: [u32; 26] = [
        1, 0, 5, 7, 9, 13, 15, 17, 19, 21, 2, 4, 18, 20, 11, 3, 6, 8, 12, 14, 16, 10, 22, 25, 24,
        23,
    ];
    if s.len() != 16 {
        return false;
    }
    let digit_like = |b: u8| b.is_ascii_digit() || OMO.contains(&b);
    let shape = s[..6].iter().all(u8::is_ascii_uppercase)
        && digit_like(s[6])
        && digit_like(s[7])
        && MONTHS.contains(&s[8])
        && digit_like(s[9])
        && digit_like(s[10])
        && s[11].is_ascii_uppercase()
        && s[12..15].iter().all(|&b| digit_like(b))
        && s[15].is_ascii_uppercase();
    if !shape {
        return false;
    }
    let index = |b: u8| {
        if b.is_ascii_digit() {
            usize::from(b - b'0')
        } else {
            usize::from(b - b'A')
        }
    };
    let sum: u32 = s[..15]
        .iter()
        .enumerate()
        .map(|(i, &b)| {
            if i % 2 == 0 {
                ODD[index(b)]
            } else {
                index(b) as u32
            }
        })
        .sum();
    if s[15] != b'A' + (sum % 26) as u8 {
        return false;
    }
    let dd = |b: u8| {
        if b.is_ascii_digit() {
            u32::from(b - b'0')
        } else {
            OMO.iter().position(|&o| o == b).unwrap_or(0) as u32
        }
    };
    let day = (dd(s[9]) * 10 + dd(s[10])) % 40;
    let month = MONTHS.iter().position(|&m| m == s[8]).unwrap_or(0) as u32 + 1;
    let mut year = 1900 + dd(s[6]) * 10 + dd(s[7]);
    if year < 1920 {
        year += 100;
    }
    valid_date(year as i32, month, day)
}

fn uk_nino(s: &[u8]) -> bool {
    if s.len() != 9
        || !s[..2].iter().all(u8::is_ascii_uppercase)
        || !digits(&s[2..8])
        || !b"ABCD".contains(&s[8])
    {
        return false;
    }
    let (a, b) = (s[0], s[1]);
    !b"DFIQUV".contains(&a)
        && !b"DFIQUVO".contains(&b)
        && !matches!(
            &s[..2],
            b"BG" | b"GB" | b"KN" | b"NK" | b"NT" | b"TN" | b"ZZ"
        )
}

fn uk_utr(s: &[u8]) -> bool {
    let mut s = s;
    while s.first() == Some(&b'K') {
        s = &s[1..];
    }
    if s.len() != 10 || !digits(s) {
        return false;
    }
    let sum: u64 = s[1..]
        .iter()
        .zip([6u64, 7, 8, 9, 10, 5, 4, 3, 2])
        .map(|(d, w)| w * u64::from(d - b'0'))
        .sum();
    s[0] == b"21987654321"[(sum % 11) as usize]
}

fn br_cpf(s: &[u8]) -> bool {
    if s.len() != 11 || !digits(s) || num(s) == 0 {
        return false;
    }
    let d: Vec<u64> = s.iter().map(|b| u64::from(b - b'0')).collect();
    let d1 = (11 - (0..9).map(|i| (10 - i as u64) * d[i]).sum::<u64>() % 11) % 11 % 10;
    let d2 = (11 - ((0..9).map(|i| (11 - i as u64) * d[i]).sum::<u64>() + 2 * d1) % 11) % 11 % 10;
    d[9] == d1 && d[10] == d2
}

fn br_cnpj(s: &[u8]) -> bool {
    if s.len() != 14 || &s[..12] == b"000000000000" {
        return false;
    }
    let v: Vec<i64> = s.iter().map(|&b| i64::from(b) - 48).collect();
    let w1 = [5, 4, 3, 2, 9, 8, 7, 6, 5, 4, 3, 2];
    let d1 = (11 - v[..12].iter().zip(w1).map(|(a, w)| a * w).sum::<i64>()).rem_euclid(11) % 10;
    let w2 = [6, 5, 4, 3, 2, 9, 8, 7, 6, 5, 4, 3, 2];
    let sum2: i64 = v[..12]
        .iter()
        .chain(std::iter::once(&d1))
        .zip(w2)
        .map(|(a, w)| a * w)
        .sum();
    let d2 = (11 - sum2).rem_euclid(11) % 10;
    v[12] == d1 && v[13] == d2
}

fn mx_curp(s: &[u8]) -> bool {
    const BLACKLIST: &str = "BACA BAKA BUEI BUEY CACA CACO CAGA CAGO CAKA CAKO COGE COGI COJA COJE COJI COJO COLA CULO FALO FETO GETA GUEI GUEY JETA JOTO KACA KACO KAGA KAGO KAKA KAKO KOGE KOGI KOJA KOJE KOJI KOJO KOLA KULO LILO LOCA LOCO LOKA LOKO MAME MAMO MEAR MEAS MEON MIAR MION MOCO MOKO MULA MULO NACA NACO PEDA PEDO PENE PIPI PITO POPO PUTA PUTO QULO RATA ROBA ROBE ROBO RUIN SENO TETA VACA VAGA VAGO VAKA VUEI VUEY WUEI WUEY";
    const STATES: &str = "AS BC BS CC CH CL CM CS DF DG GR GT HG JC MC MN MS NE NL NT OC PL QR QT SL SP SR TC TL TS VZ YN ZS";
    const ALPHABET: &[u8] = b"0123456789ABCDEFGHIJKLMN&OPQRSTUVWXYZ";
    if s.len() != 18
        || !s[..4].iter().all(u8::is_ascii_uppercase)
        || !digits(&s[4..10])
        || !s[10..16].iter().all(u8::is_ascii_uppercase)
        || !s[16].is_ascii_alphanumeric()
        || !s[17].is_ascii_digit()
    {
        return false;
    }
    fn word(w: &[u8]) -> &str {
        std::str::from_utf8(w).unwrap_or("")
    }
    if BLACKLIST.split(' ').any(|b| b == word(&s[..4])) {
        return false;
    }
    let year = num(&s[4..6]) as i32 + if s[16].is_ascii_digit() { 1900 } else { 2000 };
    if !valid_date(year, num(&s[6..8]) as u32, num(&s[8..10]) as u32)
        || !matches!(s[10], b'H' | b'M')
    {
        return false;
    }
    if !STATES.split(' ').any(|st| st == word(&s[11..13])) {
        return false;
    }
    let sum: usize = s[..17]
        .iter()
        .enumerate()
        .map(|(i, c)| ALPHABET.iter().position(|a| a == c).unwrap_or(0) * (18 - i))
        .sum();
    u64::from(s[17] - b'0') == ((10 - sum % 10) % 10) as u64
}

fn cl_rut(s: &[u8]) -> bool {
    let s = s.strip_prefix(b"CL").unwrap_or(s);
    if !(s.len() == 8 || s.len() == 9) || !digits(&s[..s.len() - 1]) {
        return false;
    }
    let body = &s[..s.len() - 1];
    let sum: u64 = body
        .iter()
        .rev()
        .enumerate()
        .map(|(i, d)| u64::from(d - b'0') * (4 + (5 - i as i64).rem_euclid(6) as u64))
        .sum();
    s[s.len() - 1] == b"0123456789K"[(sum % 11) as usize]
}

fn nl_bsn(s: &[u8]) -> bool {
    if s.len() > 9 || !digits(s) {
        return false;
    }
    let mut padded = [b'0'; 9];
    padded[9 - s.len()..].copy_from_slice(s);
    if num(&padded) == 0 {
        return false;
    }
    let sum: i64 = padded[..8]
        .iter()
        .enumerate()
        .map(|(i, d)| (9 - i as i64) * i64::from(d - b'0'))
        .sum();
    (sum - i64::from(padded[8] - b'0')).rem_euclid(11) == 0
}

fn pl_pesel(s: &[u8]) -> bool {
    if s.len() != 11 || !digits(s) {
        return false;
    }
    let sum: u64 = s[..10]
        .iter()
        .zip([1u64, 3, 7, 9, 1, 3, 7, 9, 1, 3])
        .map(|(d, w)| w * u64::from(d - b'0'))
        .sum();
    if u64::from(s[10] - b'0') != (10 - sum % 10) % 10 {
        return false;
    }
    let m = num(&s[2..4]);
    let century = [1900, 2000, 2100, 2200, 1800][(m / 20) as usize];
    valid_date(
        century + num(&s[..2]) as i32,
        (m % 20) as u32,
        num(&s[4..6]) as u32,
    )
}

/// `plus`: the `+` separator (over 100 years old) was written.
fn se_personnummer_with(s: &[u8], plus: bool) -> bool {
    if !(s.len() == 10 || s.len() == 12) || !digits(s) {
        return false;
    }
    let (year, rest) = if s.len() == 12 {
        (num(&s[..4]) as i32, &s[4..])
    } else {
        let today = today();
        let mut century = today.0 / 100;
        if num(&s[..2]) as i32 > today.0 % 100 {
            century -= 1;
        }
        if plus {
            century -= 1;
        }
        (century * 100 + num(&s[..2]) as i32, &s[2..])
    };
    valid_date(year, num(&rest[..2]) as u32, num(&rest[2..4]) as u32) && luhn_ok(&s[s.len() - 10..])
}

fn be_nn(s: &[u8]) -> bool {
    if s.len() != 11 || !digits(s) || num(s) == 0 {
        return false;
    }
    let check = num(&s[9..]);
    let body = num(&s[..9]);
    let century = if 97 - body % 97 == check {
        1900
    } else if num(&s[..2]) as i32 + 2000 <= today().0 && 97 - (2_000_000_000 + body) % 97 == check {
        2000
    } else {
        return false;
    };
    let raw_month = num(&s[2..4]);
    if !matches!(&s[..6], b"000001" | b"002001" | b"004001") {
        let month = raw_month % 20;
        if month > 12 {
            return false;
        }
        let _ = century;
    }
    raw_month <= 12
}

fn fi_hetu(s: &[u8]) -> bool {
    if s.len() != 11 || !digits(&s[..6]) || !digits(&s[7..10]) || s[0] > b'3' || s[2] > b'1' {
        return false;
    }
    let century = match s[6] {
        b'+' => 1800,
        b'-' | b'Y' | b'X' | b'W' | b'V' | b'U' => 1900,
        b'A'..=b'F' => 2000,
        _ => return false,
    };
    let (day, month, year) = (
        num(&s[..2]) as u32,
        num(&s[2..4]) as u32,
        num(&s[4..6]) as i32,
    );
    let individual = num(&s[7..10]);
    if !valid_date(century + year, month, day) || !(2..900).contains(&individual) {
        return false;
    }
    let n = num(&s[..6]) * 1000 + individual;
    s[10] == b"0123456789ABCDEFHJKLMNPRSTUVWXY"[(n % 31) as usize]
}

fn dk_cpr(s: &[u8]) -> bool {
    if s.len() != 10 || !digits(s) {
        return false;
    }
    let (day, month, yy) = (
        num(&s[..2]) as u32,
        num(&s[2..4]) as u32,
        num(&s[4..6]) as i32,
    );
    let year = match s[6] {
        b'5'..=b'8' if yy >= 58 => 1800 + yy,
        b'0'..=b'3' => 1900 + yy,
        b'4' | b'9' if yy >= 37 => 1900 + yy,
        _ => 2000 + yy,
    };
    valid_date(year, month, day) && (year, month, day) <= today()
}

fn no_fodselsnummer(s: &[u8]) -> bool {
    if s.len() != 11 || !digits(s) {
        return false;
    }
    let d: Vec<u64> = s.iter().map(|b| u64::from(b - b'0')).collect();
    let c1 = (11
        - d.iter()
            .zip([3u64, 7, 6, 1, 8, 9, 4, 5, 2])
            .map(|(a, w)| a * w)
            .sum::<u64>()
            % 11)
        % 11;
    let c2 = (11
        - d.iter()
            .zip([5u64, 4, 3, 2, 7, 6, 5, 4, 3, 2])
            .map(|(a, w)| a * w)
            .sum::<u64>()
            % 11)
        % 11;
    if c1 != d[9] || c2 != d[10] {
        return false;
    }
    let (mut day, mut month, yy) = (
        num(&s[..2]) as u32,
        num(&s[2..4]) as u32,
        num(&s[4..6]) as i32,
    );
    let individual = num(&s[6..9]);
    if day >= 80 {
        return false;
    }
    if day > 40 {
        day -= 40;
    }
    if month > 40 {
        month -= 40;
    }
    let year = if individual < 500 {
        1900 + yy
    } else if individual < 750 && yy >= 54 {
        1800 + yy
    } else if individual < 1000 && yy < 40 {
        2000 + yy
    } else if (900..1000).contains(&individual) && yy >= 40 {
        1900 + yy
    } else {
        return false;
    };
    valid_date(year, month, day) && (year, month, day) <= today()
}

fn leap(y: i32) -> bool {
    (y % 4 == 0 && y % 100 != 0) || y % 400 == 0
}

fn valid_date(year: i32, month: u32, day: u32) -> bool {
    let days = match month {
        1 | 3 | 5 | 7 | 8 | 10 | 12 => 31,
        4 | 6 | 9 | 11 => 30,
        2 if leap(year) => 29,
        2 => 28,
        _ => return false,
    };
    (1..=9999).contains(&year) && (1..=days).contains(&day)
}

/// Today's (UTC) civil date, for the rules that reject birth dates in the future.
fn today() -> (i32, u32, u32) {
    let secs = SystemTime::now()
        .duration_since(SystemTime::UNIX_EPOCH)
        .map_or(0, |d| d.as_secs());
    civil_from_days((secs / 86_400) as i64)
}

/// Days since 1970-01-01 → (year, month, day) (H. Hinnant's algorithm).
fn civil_from_days(z: i64) -> (i32, u32, u32) {
    let z = z + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let day = (doy - (153 * mp + 2) / 5 + 1) as u32;
    let month = if mp < 10 { mp + 3 } else { mp - 9 } as u32;
    let year = (yoe + era * 400 + i64::from(month <= 2)) as i32;
    (year, month, day)
}

fn lat_long(s: &[u8]) -> bool {
    let Ok(text) = std::str::from_utf8(s) else {
        return false;
    };
    let mut parts = text.split(',');
    let (Some(a), Some(b), None) = (parts.next(), parts.next(), parts.next()) else {
        return false;
    };
    match (a.trim().parse::<f64>(), b.trim().parse::<f64>()) {
        (Ok(lat), Ok(lon)) => lat.abs() <= 90.0 && lon.abs() <= 180.0,
        _ => false,
    }
}

const MONTH_NAMES: [&str; 12] = [
    "january",
    "february",
    "march",
    "april",
    "may",
    "june",
    "july",
    "august",
    "september",
    "october",
    "november",
    "december",
];

/// A real date in a numeric form (Y-M-D with a 4-digit year first, else D/M/Y or M/D/Y,
/// any of `/ - . space` as separators, 2- or 4-digit years) or with an English month name
/// (`5 May 1980`, `May 5, 1980`, `05-May-80`, `3rd Sept 1974`).
fn date(s: &[u8]) -> bool {
    let Ok(text) = std::str::from_utf8(s) else {
        return false;
    };
    let lower = text.to_ascii_lowercase();
    let mut numbers: [u32; 3] = [0; 3];
    let mut widths = [0usize; 3];
    let mut n = 0;
    let mut month_name: Option<u32> = None;
    for token in lower
        .split(|c: char| !c.is_ascii_alphanumeric())
        .filter(|t| !t.is_empty())
    {
        let digits_part: String = token.chars().take_while(char::is_ascii_digit).collect();
        if !digits_part.is_empty() {
            // `3rd`, `21st`: the ordinal suffix is allowed only on a day.
            let rest = &token[digits_part.len()..];
            if !rest.is_empty() && !matches!(rest, "st" | "nd" | "rd" | "th") {
                return false;
            }
            if n == 3 || digits_part.len() > 4 {
                return false;
            }
            numbers[n] = digits_part.parse().unwrap_or(0);
            widths[n] = digits_part.len();
            n += 1;
        } else if let Some(m) = MONTH_NAMES.iter().position(|m| {
            *m == token
                || (m.len() > 3
                    && token.len() >= 3
                    && (token == &m[..3] || token == "sept" && m.starts_with("sept")))
        }) {
            if month_name.is_some() {
                return false;
            }
            month_name = Some(m as u32 + 1);
        } else {
            return false;
        }
    }
    let year_of = |v: u32, width: usize| -> Option<i32> {
        match width {
            4 if (1900..=2100).contains(&v) => Some(v as i32),
            2 => Some(1900 + v as i32),
            _ => None,
        }
    };
    match (month_name, n) {
        (Some(month), 2) => {
            // day + year in either order.
            let (day, year) = if widths[1] == 4 || widths[0] <= 2 && widths[1] == 2 {
                (numbers[0], year_of(numbers[1], widths[1]))
            } else {
                (numbers[1], year_of(numbers[0], widths[0]))
            };
            year.is_some_and(|y| valid_date(y, month, day))
        }
        (None, 3) => {
            if widths[0] == 4 {
                return year_of(numbers[0], 4)
                    .is_some_and(|y| valid_date(y, numbers[1], numbers[2]));
            }
            let Some(y) = year_of(numbers[2], widths[2]) else {
                return false;
            };
            valid_date(y, numbers[1], numbers[0]) || valid_date(y, numbers[0], numbers[1])
        }
        _ => false,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ok(v: Validator, s: &str) -> bool {
        v.is_valid(s.as_bytes())
    }

    #[test]
    fn known_values() {
        assert!(ok(Luhn, "4539 1488 0343 6467") && !ok(Luhn, "4539 1488 0343 6468"));
        assert!(
            ok(Iban, "DE89 3704 0044 0532 0130 00") && !ok(Iban, "DE88 3704 0044 0532 0130 00")
        );
        assert!(ok(Iban, "GB82 WEST 1234 5698 7654 32") && !ok(Iban, "GB82 WEST 1234 5698 7654"));
        assert!(ok(UsSsn, "536-22-1234") && !ok(UsSsn, "666-22-1234") && !ok(UsSsn, "078-05-1120"));
        assert!(ok(UsItin, "912-71-1234") && !ok(UsItin, "912-89-1234"));
        assert!(ok(CaSin, "130 692 544") && !ok(CaSin, "130 692 545") && !ok(CaSin, "046 454 286"));
        assert!(ok(FrNir, "2 95 10 99 126 111 93") && !ok(FrNir, "2 95 10 99 126 111 94"));
        assert!(ok(FrSpi, "30 23 217 600 053") && !ok(FrSpi, "30 23 217 600 054"));
        assert!(ok(DeSteuerId, "36 574 261 809") && !ok(DeSteuerId, "36 574 261 800"));
        assert!(ok(EsDni, "54362315K") && !ok(EsDni, "54362315Z"));
        assert!(ok(EsNie, "X2482300W") && !ok(EsNie, "X2482300A"));
        assert!(ok(EsNif, "B58378431") && ok(EsNif, "M1234567L") && !ok(EsNif, "B58378432"));
        assert!(
            ok(ItCodiceFiscale, "RCCMNL83S18D969H") && !ok(ItCodiceFiscale, "RCCMNL83S18D969A")
        );
        assert!(
            ok(UkNino, "AB 12 34 56 C") && !ok(UkNino, "GB 12 34 56 C") && !ok(UkNino, "AO123456C")
        );
        assert!(ok(UkNhs, "943 476 5919") && !ok(UkNhs, "943 476 5918"));
        assert!(ok(UkUtr, "1955839661") && !ok(UkUtr, "2955839661"));
        assert!(ok(BrCpf, "390.533.447-05") && !ok(BrCpf, "231.002.999-00"));
        assert!(ok(BrCnpj, "16.727.230/0001-97") && !ok(BrCnpj, "16.727.230.0001-98"));
        assert!(ok(InAadhaar, "234123412346") && !ok(InAadhaar, "234123412347"));
        assert!(ok(InPan, "ACUPA7085R") && !ok(InPan, "ACUZA7085R"));
        assert!(ok(AuTfn, "123 456 782") && !ok(AuTfn, "123 456 783"));
        assert!(ok(MxCurp, "BOXW310820HNERXN09") && !ok(MxCurp, "BOXW310820HNERXN08"));
        assert!(ok(ClRut, "76086428-5") && ok(ClRut, "12.531.909-2") && !ok(ClRut, "12.531.909-3"));
        assert!(ok(NlBsn, "1112.22.333") && !ok(NlBsn, "1112.52.333"));
        assert!(ok(PlPesel, "44051401359") && !ok(PlPesel, "44051401358"));
        assert!(ok(SePersonnummer, "880320-0016") && !ok(SePersonnummer, "880320-0018"));
        assert!(ok(BeNn, "85.07.30-033.28") && !ok(BeNn, "85.07.30-033.29"));
        assert!(ok(FiHetu, "131052-308T") && !ok(FiHetu, "131052-308U"));
        assert!(ok(DkCpr, "211062-5629") && !ok(DkCpr, "511062-5629"));
        assert!(ok(NoFodselsnummer, "15108695088") && !ok(NoFodselsnummer, "15108695077"));
        assert!(ok(PtNif, "501 964 843") && !ok(PtNif, "501 964 844"));
        assert!(
            ok(DeIdCard, "T22000129") && ok(DeIdCard, "T220001293") && !ok(DeIdCard, "T220001294")
        );
        assert!(ok(EsNss, "28/12345678/40") && !ok(EsNss, "28/12345678/41"));
    }

    #[test]
    fn dates_and_coordinates() {
        for d in [
            "1980-05-12",
            "12/05/1980",
            "05/31/1980",
            "31.12.99",
            "5 May 1980",
            "May 5, 1980",
            "05-May-80",
            "3rd Sept 1974",
            "29/02/2000",
        ] {
            assert!(ok(Date, d), "{d}");
        }
        for d in [
            "31/02/1980",
            "1980-13-45",
            "29/02/1999",
            "5 Mayo 1980",
            "12/05/1800",
        ] {
            assert!(!ok(Date, d), "{d}");
        }
        assert!(ok(LatLong, "41.948614,-87.655311") && ok(LatLong, "-33.8688, 151.2093"));
        assert!(!ok(LatLong, "91.5, 10.2") && !ok(LatLong, "45.0, 181.0"));
    }

    #[test]
    fn civil_dates() {
        assert_eq!(civil_from_days(0), (1970, 1, 1));
        assert_eq!(civil_from_days(11_016), (2000, 2, 29));
        assert_eq!(civil_from_days(20_779), (2026, 11, 22));
    }

    #[test]
    fn never_panics_on_odd_input() {
        let inputs: [&[u8]; 6] = [b"", b"-", b"\xff\xfe", b"2A", &[b'9'; 100], b"XX00"];
        for v in Validator::ALL {
            for i in inputs {
                let _ = v.is_valid(i);
            }
            assert_eq!(Validator::from_name(v.name()), Some(*v));
        }
    }
}
