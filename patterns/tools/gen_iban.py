#!/usr/bin/env python3
"""Generate patterns/iban.toml: one IBAN detector per country of the SWIFT IBAN registry.

The BBAN structure of every country comes from schwifty's copy of the SWIFT IBAN registry
(`schwifty.registry.get_iban_spec`). Run it with the project venv, which has schwifty and
pycountry:

    .venv/bin/python patterns/tools/gen_iban.py            # rewrites patterns/iban.toml
    .venv/bin/python patterns/tools/gen_iban.py --check    # exit 1 if iban.toml is stale

The output is deterministic for a given schwifty version: example IBANs come from
`IBAN.random` with a generator seeded by the country code.

Which countries:
- every country whose registry entry has its own IBAN prefix (territories such as GF or JE
  that use their parent's prefix FR / GB are left out: no IBAN starts with their code), and
  that is not "aspirational" (an unofficial, experimental entry);
- plus Macie's own IBAN countries even where schwifty lists them as aspirational (Senegal).

Ids: Macie's `<COUNTRY>_BANK_ACCOUNT_NUMBER` for the 52 countries Macie covers (spelled as
Macie spells them); the other registry countries get an id in the same style and
`extension = true`.
"""

from __future__ import annotations

import argparse
import random
import sys
from pathlib import Path

import pycountry
import schwifty
from schwifty import IBAN
from schwifty import exceptions
from schwifty import registry
from schwifty.domain import Component

OUT = Path(__file__).resolve().parent.parent / "iban.toml"

# Macie's 52 IBAN identifiers (mdis-reference-financial, "International Bank Account Number").
MACIE = {
    "AL": "ALBANIA",
    "AD": "ANDORRA",
    "BA": "BOSNIA_AND_HERZEGOVINA",
    "BR": "BRAZIL",
    "BG": "BULGARIA",
    "CR": "COSTA_RICA",
    "HR": "CROATIA",
    "CY": "CYPRUS",
    "CZ": "CZECH_REPUBLIC",
    "DK": "DENMARK",
    "DO": "DOMINICAN_REPUBLIC",
    "EG": "EGYPT",
    "EE": "ESTONIA",
    "FO": "FAROE_ISLANDS",
    "FI": "FINLAND",
    "FR": "FRANCE",
    "GE": "GEORGIA",
    "DE": "GERMANY",
    "GR": "GREECE",
    "GL": "GREENLAND",
    "HU": "HUNGARY",
    "IS": "ICELAND",
    "IE": "IRELAND",
    "IT": "ITALY",
    "JO": "JORDAN",
    "XK": "KOSOVO",
    "LI": "LIECHTENSTEIN",
    "LT": "LITHUANIA",
    "MT": "MALTA",
    "MR": "MAURITANIA",
    "MU": "MAURITIUS",
    "MC": "MONACO",
    "ME": "MONTENEGRO",
    "NL": "NETHERLANDS",
    "MK": "NORTH_MACEDONIA",
    "PL": "POLAND",
    "PT": "PORTUGAL",
    "SM": "SAN_MARINO",
    "SN": "SENEGAL",
    "RS": "SERBIA",
    "SK": "SLOVAKIA",
    "SI": "SLOVENIA",
    "ES": "SPAIN",
    "SE": "SWEDEN",
    "CH": "SWITZERLAND",
    "TL": "TIMOR_LESTE",
    "TN": "TUNISIA",
    "TR": "TURKIYE",
    "GB": "UK",
    "UA": "UKRAINE",
    "AE": "UNITED_ARAB_EMIRATES",
    "VG": "VIRGIN_ISLANDS",
}

# Registry countries Macie has no identifier for: our ids, in Macie's naming style.
EXTENSION = {
    "AT": "AUSTRIA",
    "AZ": "AZERBAIJAN",
    "BE": "BELGIUM",
    "BH": "BAHRAIN",
    "BI": "BURUNDI",
    "BY": "BELARUS",
    "DJ": "DJIBOUTI",
    "FK": "FALKLAND_ISLANDS",
    "GI": "GIBRALTAR",
    "GT": "GUATEMALA",
    "HN": "HONDURAS",
    "IL": "ISRAEL",
    "IQ": "IRAQ",
    "KW": "KUWAIT",
    "KZ": "KAZAKHSTAN",
    "LB": "LEBANON",
    "LC": "SAINT_LUCIA",
    "LU": "LUXEMBOURG",
    "LV": "LATVIA",
    "LY": "LIBYA",
    "MD": "MOLDOVA",
    "MN": "MONGOLIA",
    "NI": "NICARAGUA",
    "NO": "NORWAY",
    "OM": "OMAN",
    "PK": "PAKISTAN",
    "PS": "PALESTINE",
    "QA": "QATAR",
    "RO": "ROMANIA",
    "RU": "RUSSIA",
    "SA": "SAUDI_ARABIA",
    "SC": "SEYCHELLES",
    "SD": "SUDAN",
    "SO": "SOMALIA",
    "ST": "SAO_TOME_AND_PRINCIPE",
    "SV": "EL_SALVADOR",
    "VA": "VATICAN_CITY",
    "YE": "YEMEN",
}

# Human names where the id spelling is not a good one.
DISPLAY = {
    "GB": "United Kingdom",
    "TR": "Türkiye",
    "TL": "Timor-Leste",
    "VG": "British Virgin Islands",
    "VA": "Vatican City",
    "PS": "Palestine",
    "ST": "São Tomé and Príncipe",
}

# Words for "bank account" / "account number" in the country's language(s), added to the
# English keywords. The keywords are optional context for IBANs, never required.
LANG_KEYWORDS = {
    "de": ["kontonummer", "bankverbindung"],
    "fr": ["numéro de compte", "compte bancaire", "rib"],
    "it": ["numero di conto", "conto corrente"],
    "es": ["número de cuenta", "cuenta bancaria"],
    "pt": ["número da conta", "conta bancária"],
    "nl": ["rekeningnummer", "bankrekening"],
    "pl": ["numer konta", "rachunek bankowy"],
    "sv": ["kontonummer", "bankkonto"],
    "da": ["kontonummer", "bankkonto"],
    "no": ["kontonummer", "bankkonto"],
    "fi": ["tilinumero", "pankkitili"],
    "cs": ["číslo účtu", "bankovní účet"],
    "sk": ["číslo účtu", "bankový účet"],
    "hu": ["számlaszám", "bankszámla"],
    "ro": ["cont bancar"],
    "hr": ["broj računa"],
    "tr": ["hesap numarası", "banka hesabı"],
}
COUNTRY_LANGS = {
    "AD": ["es", "fr"], "AT": ["de"], "BE": ["fr", "nl"], "BR": ["pt"], "CH": ["de", "fr", "it"],
    "CR": ["es"], "CZ": ["cs"], "DE": ["de"], "DK": ["da"], "DO": ["es"], "ES": ["es"],
    "FI": ["fi"], "FR": ["fr"], "GT": ["es"], "HN": ["es"], "HR": ["hr"], "HU": ["hu"],
    "IT": ["it"], "LI": ["de"], "LU": ["fr", "de"], "MC": ["fr"], "MR": ["fr"], "NI": ["es"],
    "NL": ["nl"], "NO": ["no"], "PL": ["pl"], "PT": ["pt"], "RO": ["ro"], "SE": ["sv"],
    "SK": ["sk"], "SM": ["it"], "SN": ["fr"], "ST": ["pt"], "SV": ["es"], "TL": ["pt"],
    "TN": ["fr"], "TR": ["tr"], "VA": ["it"],
}
BASE_KEYWORDS = ["iban", "bank account", "account number"]

# BBAN structures widened beyond the registry data. Senegal is not in the SWIFT registry
# (schwifty lists it as aspirational, 2!a22!n, bank codes such as "SN010"); IBANs issued
# under the older UEMOA scheme carry a single letter (SN12K0010...), so the second BBAN
# character may be a letter or a digit.
BBAN_OVERRIDES = {"SN": "1!a1!c22!n", "BR": "8!n5!n10!n1!a1!c"}

CLASS = {"n": "[0-9]", "a": "[A-Z]", "c": "[0-9A-Z]"}
SEP = "[ -]?"


def registry_countries() -> dict[str, object]:
    """Country code -> IBANSpec for every registry country with its own IBAN prefix."""
    specs = {}
    # pycountry has the ISO 3166 codes; Kosovo (XK) is a user-assigned code outside it.
    codes = sorted({c.alpha_2 for c in pycountry.countries} | set(MACIE) | set(EXTENSION))
    for cc in codes:
        try:
            spec = registry.get_iban_spec(cc)
        except exceptions.InvalidCountryCode:
            continue
        if spec.iban_spec[:2] != cc:
            continue  # a territory using its parent's prefix
        if spec.aspirational and cc not in MACIE:
            continue
        specs[cc] = spec
    missing = sorted(set(MACIE) - set(specs))
    if missing:
        raise SystemExit(f"Macie countries missing from the registry: {missing}")
    unnamed = sorted(set(specs) - set(MACIE) - set(EXTENSION))
    if unnamed:
        raise SystemExit(f"registry countries without an id (add them to EXTENSION): {unnamed}")
    return specs


def position_classes(bban_spec: str) -> list[str]:
    """Expands a BBAN spec such as `5!n5!n11!c2!n` into one class letter per position."""
    out: list[str] = []
    num = ""
    for ch in bban_spec:
        if ch.isdigit():
            num += ch
        elif ch == "!":
            continue
        else:
            if ch not in CLASS:
                raise SystemExit(f"unsupported BBAN spec element {ch!r} in {bban_spec}")
            out.extend(ch * int(num))
            num = ""
    return out


def render_group(classes: list[str]) -> str:
    """Run-length encodes one group of position classes."""
    parts = []
    i = 0
    while i < len(classes):
        j = i
        while j < len(classes) and classes[j] == classes[i]:
            j += 1
        n = j - i
        parts.append(CLASS[classes[i]] + (f"{{{n}}}" if n > 1 else ""))
        i = j
    return "".join(parts)


def iban_regex(cc: str, bban_spec: str) -> str:
    """`\\bCC[0-9]{2}` then the BBAN in groups of 4 (counted from the IBAN's start), each
    optionally preceded by one space or hyphen; repeated identical groups are folded."""
    classes = position_classes(bban_spec)
    groups = [render_group(classes[i : i + 4]) for i in range(0, len(classes), 4)]
    out = [rf"\b{cc}[0-9]{{2}}"]
    i = 0
    while i < len(groups):
        j = i
        while j < len(groups) and groups[j] == groups[i]:
            j += 1
        n = j - i
        out.append(f"(?:{SEP}{groups[i]}){{{n}}}" if n > 1 else f"{SEP}{groups[i]}")
        i = j
    out.append(r"\b")
    return "".join(out)


def sample_ibans(cc: str, spec) -> tuple[str, str]:
    """Two valid IBANs for the country, deterministic for a schwifty version.

    Account codes are drawn as digits where the spec allows digits, so the examples look like
    real account numbers rather than random alphanumerics; the national check digits are
    schwifty's."""
    rng = random.Random(f"s3pii-iban-{cc}")
    if cc in BBAN_OVERRIDES:
        return override_ibans(cc, rng)
    classes = position_classes(spec.bban_spec)
    acct = spec.positions.get(Component.ACCOUNT_CODE)
    out = []
    while len(out) < 2:
        iban = None
        if acct is not None and not acct.is_empty and all(
            c in "nc" for c in classes[acct.start : acct.end]
        ):
            digits = "".join(rng.choice("0123456789") for _ in range(acct.end - acct.start))
            try:
                iban = IBAN.random(cc, random=rng, account_code=digits)
            except exceptions.SchwiftyException:
                iban = None
        if iban is None:
            iban = IBAN.random(cc, random=rng)
        iban.validate()
        if iban.compact not in out:
            out.append(iban.compact)
    return out[0], out[1]


def override_ibans(cc: str, rng: random.Random) -> tuple[str, str]:
    """Two valid IBANs built from the override structure (SWIFT registry release 101 where
    schwifty's data differs), with ISO 7064 mod 97-10 check digits."""
    pick = {"n": "0123456789", "a": "ABCDEFGHIJKLMNOPQRSTUVWXYZ", "c": "0123456789"}
    out = []
    while len(out) < 2:
        bban = "".join(rng.choice(pick[c]) for c in position_classes(BBAN_OVERRIDES[cc]))
        digits = "".join(str(int(ch, 36)) for ch in bban + cc + "00")
        iban = f"{cc}{98 - int(digits) % 97:02d}{bban}"
        if iban not in out:
            out.append(iban)
    return out[0], out[1]


def grouped(iban: str, sep: str) -> str:
    return sep.join(iban[i : i + 4] for i in range(0, len(iban), 4))


def wrong_check(iban: str) -> str:
    check = int(iban[2:4])
    bad = check + 1 if check < 97 else check - 1
    return f"{iban[:2]}{bad:02d}{iban[4:]}"


def toml_str(s: str) -> str:
    out = ['"']
    for ch in s:
        if ch == '"':
            out.append('\\"')
        elif ch == "\\":
            out.append("\\\\")
        elif ch == "\n":
            out.append("\\n")
        elif ord(ch) < 0x20:
            out.append(f"\\u{ord(ch):04x}")
        else:
            out.append(ch)
    out.append('"')
    return "".join(out)


def country_name(cc: str) -> str:
    if cc in DISPLAY:
        return DISPLAY[cc]
    name = (MACIE.get(cc) or EXTENSION[cc]).replace("_", " ").title()
    return name.replace(" And ", " and ")


def detector(cc: str, spec) -> str:
    macie = cc in MACIE
    bban_spec = BBAN_OVERRIDES.get(cc, spec.bban_spec)
    ident = f"{MACIE.get(cc) or EXTENSION[cc]}_BANK_ACCOUNT_NUMBER"
    name = country_name(cc)
    first, second = sample_ibans(cc, spec)
    keywords = list(BASE_KEYWORDS)
    for lang in COUNTRY_LANGS.get(cc, []):
        for kw in LANG_KEYWORDS[lang]:
            if kw not in keywords:
                keywords.append(kw)
    description = (
        f"{name} IBAN: {cc}, 2 check digits and the {spec.bban_length}-character BBAN "
        f"({bban_spec}), written compact or in groups of 4 separated by spaces or "
        "hyphens; validated with ISO 7064 mod 97-10."
    )
    if not macie:
        description += " Macie has no identifier for this country."
    if cc in ("FR", "DE", "IT", "ES", "GB"):
        description += (
            f" The domestic (BBAN) form is {ident}_BBAN in payment.toml; Macie reports both "
            f"under {ident}."
        )
    lines = [
        "[[detector]]",
        f"id = {toml_str(ident)}",
        f"name = {toml_str(name + ' bank account number (IBAN)')}",
        'category = "FINANCIAL_INFORMATION"',
        f"description = {toml_str(description)}",
        f"regex = '{iban_regex(cc, bban_spec)}'",
        "keywords = [" + ", ".join(toml_str(k) for k in keywords) + "]",
        'validator = "iban"',
        'severity = ["HIGH", "HIGH", "HIGH"]',
    ]
    if not macie:
        lines.append("extension = true")
    examples = [
        (f"Please wire the deposit to IBAN {first} before Friday.", [first]),
        (
            f"Old account: {grouped(first, ' ')}\nNew account (IBAN): {grouped(second, '-')}",
            [grouped(first, " "), grouped(second, "-")],
        ),
    ]
    negatives = [
        f"IBAN {wrong_check(first)} was rejected: check digits do not match.",
        f"IBAN: {first[:-1]} (one character missing)",
    ]
    lines.append("examples = [")
    for text, matches in examples:
        lines.append(
            f"  {{ text = {toml_str(text)}, matches = ["
            + ", ".join(toml_str(m) for m in matches)
            + "] },"
        )
    lines.append("]")
    lines.append("negatives = [")
    for text in negatives:
        lines.append(f"  {{ text = {toml_str(text)} }},")
    lines.append("]")
    return "\n".join(lines)


def render() -> str:
    specs = registry_countries()
    header = [
        "# IBAN detectors, one per country of the SWIFT IBAN registry.",
        f"# GENERATED by patterns/tools/gen_iban.py from schwifty {schwifty.__version__}: do not edit",
        "# by hand; change the generator and re-run it.",
        f"# {len(specs)} detectors: {sum(cc in MACIE for cc in specs)} Macie ids, "
        f"{sum(cc not in MACIE for cc in specs)} extensions.",
        "",
    ]
    body = []
    for cc in sorted(specs, key=lambda c: MACIE.get(c) or EXTENSION[c]):
        body.append(detector(cc, specs[cc]))
    return "\n".join(header) + "\n" + "\n\n".join(body) + "\n"


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--check", action="store_true", help="exit 1 if the file is stale")
    parser.add_argument("--output", type=Path, default=OUT)
    args = parser.parse_args()
    text = render()
    if args.check:
        current = args.output.read_text(encoding="utf-8") if args.output.exists() else ""
        if current != text:
            print(f"{args.output} is stale: re-run {Path(__file__).name}", file=sys.stderr)
            return 1
        return 0
    args.output.write_text(text, encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())
