"""Generates patterns/tax_and_national_ids.toml. Every example value is checked with
python-stdnum (run with the oracle venv: .venv/bin/python patterns/tools/gen_national.py)."""
import json
from stdnum.us import ssn, itin
from stdnum.ca import sin
from stdnum.fr import nir, nif as frnif
from stdnum.de import idnr
from stdnum.es import dni, nie, nif as esnif
from stdnum.it import codicefiscale
from stdnum.gb import nhs, utr
from stdnum.br import cpf, cnpj
from stdnum.in_ import aadhaar, pan
from stdnum.au import tfn
from stdnum.mx import curp
from stdnum.cl import rut
from stdnum.nl import bsn
from stdnum.pl import pesel
from stdnum.se import personnummer
from stdnum.be import nn
from stdnum.fi import hetu
from stdnum.dk import cpr
from stdnum.no import fodselsnummer
from stdnum.pt import nif as ptnif

def q(s):  # TOML literal string
    assert "'" not in s, s
    return "'" + s + "'"
def b(s): return json.dumps(s, ensure_ascii=False)

D = []
def det(id, name, validator, regex, keywords, examples, negatives, recommended=False, extension=False, desc=""):
    D.append(dict(id=id, name=name, validator=validator, regex=regex, keywords=keywords, examples=examples,
                  negatives=negatives, recommended=recommended, extension=extension, desc=desc))

def wrong(v, good, pos=-1):
    """Same value with the character at pos changed so the validator rejects it."""
    for c in "0123456789ABCDEFGHJKLMNPRSTVWXYZ":
        s = good[:pos % len(good)] + c + good[pos % len(good) + 1:]
        if s != good and not v.is_valid(s.replace(' ','').replace('-','').replace('.','').replace('/','')) :
            return s
    raise Exception(good)

def ex(text, *m): return dict(text=text, matches=list(m))

# 1 SSN
g1, g2 = "536-22-1234", "123-45-6780"
assert ssn.is_valid(g1) and ssn.is_valid(g2)
det("USA_SOCIAL_SECURITY_NUMBER", "US Social Security number", "us_ssn",
    r"\b[0-9]{3}([- ])[0-9]{2}\1[0-9]{4}\b".replace(r"([- ])", "[- ]").replace(r"\1", "[- ]"),
    ["ssn", "ss#", "social security", "social security number", "social security no"],
    [ex(f"Employee SSN: {g1} (verified)", g1), ex(f"social security number {g2.replace('-',' ')} on file", g2.replace('-',' '))],
    [dict(text="SSN: 666-22-1234"), dict(text=f"order ref {g1}"), dict(text="SSN 000-12-3456")], recommended=True,
    desc="US SSN in 3-2-4 form with hyphens or spaces; area, group and serial rules (no 000/666/9xx areas, no 00 group, no 0000 serial).")
# 2 ITIN
g = "912-71-1234"; assert itin.is_valid(g)
det("USA_INDIVIDUAL_TAX_IDENTIFICATION_NUMBER", "US Individual Taxpayer Identification Number", "us_itin",
    r"\b9[0-9]{2}[- ][0-9]{2}[- ][0-9]{4}\b", ["itin", "i.t.i.n.", "individual taxpayer identification number", "taxpayer id"],
    [ex(f"ITIN: {g}", g), ex("taxpayer id 900 85 4433 for the return", "900 85 4433")],
    [dict(text="ITIN: 912-89-1234"), dict(text=f"ticket {g}")], recommended=True,
    desc="US ITIN: 9XX-XX-XXXX with group 70-88, 90-92 or 94-99.")
assert itin.is_valid("900854433")
# 3 SIN
g = "130 692 544"; assert sin.is_valid(g)
det("CANADA_SOCIAL_INSURANCE_NUMBER", "Canadian Social Insurance Number", "ca_sin",
    r"\b[0-9]{3}[- ]?[0-9]{3}[- ]?[0-9]{3}\b", ["sin", "social insurance number", "numéro d'assurance sociale", "numero d'assurance sociale", "canadian id"],
    [ex(f"SIN: {g}", g), ex("social insurance number 193-456-787", "193-456-787")],
    [dict(text="SIN: 130 692 545"), dict(text=f"invoice {g}")], recommended=True, desc="9 digits, Luhn; never starting with 0 or 8.")
# 4 NIR
g = "2 95 10 99 126 111 93"; assert nir.is_valid(g.replace(' ',''))
g2 = "1 84 12 2A 451 089 " ; 
base = "18412" + "2A" + "451089"; 
n = int(("18412" + "19" + "451089")); key = "%02d" % (97 - n % 97); g2 = f"1 84 12 2A 451 089 {key}"
assert nir.is_valid(g2.replace(' ',''))
det("FRANCE_NATIONAL_IDENTIFICATION_NUMBER", "French national identification number (NIR/INSEE)", "fr_nir",
    r"\b[12][ ]?[0-9]{2}[ ]?(?:0[1-9]|1[0-2]|[2-9][0-9])[ ]?(?:[0-9]{2}|2[AB])[ ]?[0-9]{3}[ ]?[0-9]{3}[ ]?[0-9]{2}\b",
    ["insee", "nir", "sécurité sociale", "securite sociale", "numéro de sécurité sociale", "numero de securite sociale", "social security number", "french social security number", "carte vitale", "ssn"],
    [ex(f"Numéro de sécurité sociale : {g}", g), ex(f"NIR {g2.replace(' ','')} (Corse)", g2.replace(' ',''))],
    [dict(text="NIR 2 95 10 99 126 111 94"), dict(text=f"colis {g}")], recommended=True,
    desc="15 characters: sex, year, month, department (incl. Corsica 2A/2B), commune, order and the mod-97 key.")
# 5 FR tax
g = "30 23 217 600 053"; assert frnif.is_valid(g)
det("FRANCE_TAX_IDENTIFICATION_NUMBER", "French tax identification number (SPI)", "fr_spi",
    r"\b[0-3][0-9][ ]?[0-9]{2}[ ]?[0-9]{3}[ ]?[0-9]{3}[ ]?[0-9]{3}\b",
    ["numéro fiscal", "numero fiscal", "spi", "numéro d'identification fiscale", "numero d'identification fiscale", "tax id", "tax identification number"],
    [ex(f"Numéro fiscal : {g}", g), ex("SPI 3023217600053", "3023217600053")],
    [dict(text="Numéro fiscal : 30 23 217 600 054"), dict(text=f"ref {g}")], recommended=True,
    desc="13 digits starting 0-3; the last 3 are the first 10 modulo 511.")
# 6 Steuer-ID
g = "65 929 970 489"; assert idnr.is_valid(g)
det("GERMANY_TAX_IDENTIFICATION_NUMBER", "German tax identification number (Steuer-ID)", "de_steuer_id",
    r"\b[1-9][0-9][ ]?[0-9]{3}[ ]?[0-9]{3}[ ]?[0-9]{3}\b",
    ["steuer-id", "steueridentifikationsnummer", "steuernummer", "identifikationsnummer", "idnr", "tax id", "tax identification number"],
    [ex(f"Steuer-ID: {g}", g), ex("IdNr 36574261809 laut Bescheid", "36574261809")],
    [dict(text="Steuer-ID: 65 929 970 488"), dict(text=f"Bestellung {g}")], recommended=True,
    desc="11 digits, one digit repeated two or three times in the first ten, ISO 7064 mod 11,10 check digit.")
# 7 DE ID card
det("GERMANY_NATIONAL_IDENTIFICATION_NUMBER", "German identity card number", "de_id_card",
    r"\b[CFGHJKLMNPRTVWXYZ][0-9][CFGHJKLMNPRTVWXYZ0-9]{7}[0-9]?\b",
    ["ausweisnummer", "personalausweis", "personalausweisnummer", "id number", "identity number", "identification number", "personal id"],
    [ex("Ausweisnummer: T22000129", "T22000129"), ex("Personalausweis L01X00T471 gültig", "L01X00T471")],
    [dict(text="Ausweisnummer: T220001294"), dict(text="Bestellung T22000129")], recommended=True,
    desc="Identity card serial: 9 characters from the card alphabet (no vowels; the authority code puts a digit second), optionally followed by the 7-3-1 check digit, which is then verified.")
assert __import__('subprocess') 
# 8 DNI
g = "54362315K"; assert dni.is_valid(g)
det("SPAIN_DNI_NUMBER", "Spanish DNI", "es_dni", r"\b[0-9]{8}[- ]?[A-Za-z]\b",
    ["dni", "documento nacional de identidad", "número de dni", "numero de dni"],
    [ex(f"DNI: {g}", g), ex("documento nacional de identidad 54362315-K", "54362315-K")],
    [dict(text="DNI: 54362315Z"), dict(text=f"pedido {g}")], recommended=True,
    desc="8 digits and the mod-23 control letter.")
# 9 NIE
g = "X2482300W"; assert nie.is_valid(g)
det("SPAIN_NIE_NUMBER", "Spanish NIE", "es_nie", r"\b[XYZxyz][- ]?[0-9]{7}[- ]?[A-Za-z]\b",
    ["nie", "número de identidad de extranjero", "numero de identidad de extranjero", "número nie", "numero nie"],
    [ex(f"NIE: {g}", g), ex("número NIE Y-1234567-X", "Y-1234567-X")],
    [dict(text="NIE: X2482300A"), dict(text=f"ref {g}")], recommended=True, desc="X, Y or Z, 7 digits and the DNI control letter.")
assert nie.is_valid("Y1234567X")
# 10 NIF
det("SPAIN_NIF_NUMBER", "Spanish NIF", "es_nif", r"\b[0-9KLMXYZklmxyz][0-9]{7}[A-Za-z]\b",
    ["nif", "número de identificación fiscal", "numero de identificacion fiscal"],
    [ex("NIF: M1234567L", "M1234567L"), ex("NIF 54362315K", "54362315K")],
    [dict(text="NIF: M1234567A"), dict(text="código M1234567L")], recommended=True,
    desc="Personal NIF: DNI form, NIE form, or K/L/M + 7 digits, with the control letter.")
# 11 Tax id (CIF/NIF)
g = "B58378431"; assert esnif.is_valid(g)
det("SPAIN_TAX_IDENTIFICATION_NUMBER", "Spanish tax identification number (NIF/CIF)", "es_nif", r"\b[ABCDEFGHJNPQRSUVWabcdefghjnpqrsuvw][0-9]{7}[0-9A-Ja-j]\b",
    ["cif", "número de identificación tributaria", "numero de identificacion tributaria", "tax id", "tax identification number"],
    [ex(f"CIF: {g}", g), ex("tax id A58818501 (empresa)", "A58818501")],
    [dict(text="CIF: B58378432"), dict(text=f"ref {g}")], recommended=True,
    desc="Entity NIF (former CIF): organisation letter, 7 digits and the control digit or letter.")
assert esnif.is_valid("A58818501")
# 12 NSS
det("SPAIN_SOCIAL_SECURITY_NUMBER", "Spanish social security number", "es_nss", r"\b[0-9]{2}[ /-]?[0-9]{8}[ /-]?[0-9]{2}\b",
    ["seguridad social", "número de la seguridad social", "numero de la seguridad social", "nss", "naf", "social security number"],
    [ex("Número de la Seguridad Social: 28/12345678/40", "28/12345678/40"), ex("NSS 281234567840", "281234567840")],
    [dict(text="NSS 28/12345678/41"), dict(text="pedido 28/12345678/40")], recommended=True,
    desc="12 digits: province, number and a mod-97 control pair.")
# 13 CF
g = "RCCMNL83S18D969H"; assert codicefiscale.is_valid(g)
det("ITALY_NATIONAL_IDENTIFICATION_NUMBER", "Italian fiscal code (codice fiscale)", "it_codice_fiscale",
    r"(?i)\b[A-Z]{6}[0-9LMNPQRSTUV]{2}[ABCDEHLMPRST][0-9LMNPQRSTUV]{2}[A-Z][0-9LMNPQRSTUV]{3}[A-Z]\b",
    ["codice fiscale", "tessera sanitaria", "numero fiscale", "c.f."],
    [ex(f"Codice fiscale: {g}", g), ex("codice fiscale rccmnl83s18d969h", "rccmnl83s18d969h")],
    [dict(text="Codice fiscale: RCCMNL83S18D969A"), dict(text=f"ordine {g}")], recommended=True,
    desc="16 characters incl. omocodia letters; check character and birth date verified.")
# 14 NINO
det("UK_NATIONAL_INSURANCE_NUMBER", "UK National Insurance number", "uk_nino", r"\b[A-Za-z]{2}[ ]?[0-9]{2}[ ]?[0-9]{2}[ ]?[0-9]{2}[ ]?[A-Da-d]\b",
    ["nino", "nin", "national insurance number", "national insurance no", "insurance number", "nationalinsurance#"],
    [ex("National insurance number: AB 12 34 56 C", "AB 12 34 56 C"), ex("NINO JG103759A", "JG103759A")],
    [dict(text="NINO GB123456C"), dict(text="ref AB123456C")], recommended=True,
    desc="Two prefix letters (HMRC rules: no D F I Q U V, no O second, not BG GB KN NK NT TN ZZ), 6 digits, suffix A-D.")
# 15 NHS
g = "943 476 5919"; assert nhs.is_valid(g)
det("UK_NHS_NUMBER", "UK NHS number", "uk_nhs", r"\b[0-9]{3}[- ]?[0-9]{3}[- ]?[0-9]{4}\b", ["nhs", "nhs number", "national health service"],
    [ex(f"NHS number: {g}", g), ex("NHS 9434765919", "9434765919")],
    [dict(text="NHS number: 943 476 5918"), dict(text=f"order {g}")], desc="10 digits, mod-11 check digit.")
# 16 UTR
g = "1955839661"; assert utr.is_valid(g)
det("UK_TAX_IDENTIFICATION_NUMBER", "UK Unique Taxpayer Reference", "uk_utr", r"\b[0-9]{5}[ ]?[0-9]{5}K?\b",
    ["utr", "unique taxpayer reference", "tax reference", "paye"],
    [ex(f"UTR: {g}", g), ex("unique taxpayer reference 19558 39661", "19558 39661")],
    [dict(text="UTR: 2955839661"), dict(text=f"order {g}")], desc="10 digits; the first is a weighted mod-11 check.")
# 17 CPF
g = "390.533.447-05"; assert cpf.is_valid(g)
det("BRAZIL_CPF_NUMBER", "Brazilian CPF", "br_cpf", r"\b[0-9]{3}\.?[0-9]{3}\.?[0-9]{3}-?[0-9]{2}\b",
    ["cpf", "cadastro de pessoas físicas", "cadastro de pessoas fisicas"],
    [ex(f"CPF: {g}", g), ex("CPF 39053344705", "39053344705")],
    [dict(text="CPF: 390.533.447-06"), dict(text=f"pedido {g}")], recommended=True, desc="11 digits with two mod-11 check digits.")
# 18 CNPJ
g = "16.727.230/0001-97"; assert cnpj.is_valid(g)
det("BRAZIL_CNPJ_NUMBER", "Brazilian CNPJ", "br_cnpj", r"\b[0-9]{2}\.?[0-9]{3}\.?[0-9]{3}/?[0-9]{4}-?[0-9]{2}\b",
    ["cnpj", "cadastro nacional da pessoa jurídica", "cadastro nacional da pessoa juridica"],
    [ex(f"CNPJ: {g}", g), ex("CNPJ 16727230000197", "16727230000197")],
    [dict(text="CNPJ: 16.727.230/0001-98"), dict(text=f"pedido {g}")], desc="14 digits with two mod-11 check digits.")
# 19 Aadhaar
g = "2341 2341 2346"; assert aadhaar.is_valid(g)
det("INDIA_AADHAAR_NUMBER", "Indian Aadhaar number", "in_aadhaar", r"\b[2-9][0-9]{3}[- ]?[0-9]{4}[- ]?[0-9]{4}\b",
    ["aadhaar", "aadhar", "adhaar", "uidai"],
    [ex(f"Aadhaar: {g}", g), ex("aadhaar 234123412346", "234123412346")],
    [dict(text="Aadhaar: 2341 2341 2347"), dict(text=f"order {g}")], desc="12 digits, first 2-9, Verhoeff check digit, not a palindrome.")
# 20 PAN
g = "ACUPA7085R"; assert pan.is_valid(g)
det("INDIA_PERMANENT_ACCOUNT_NUMBER", "Indian Permanent Account Number", "in_pan", r"\b[A-Za-z]{5}[0-9]{4}[A-Za-z]\b",
    ["pan", "permanent account number", "pan number"],
    [ex(f"PAN: {g}", g), ex("permanent account number AAAPL1234C", "AAAPL1234C")],
    [dict(text="PAN: ACUZA7085R"), dict(text=f"order {g}")], desc="5 letters (4th = holder type), 4 digits, a letter.")
assert pan.is_valid("AAAPL1234C")
# 21 TFN
g = "123 456 782"; assert tfn.is_valid(g)
det("AUSTRALIA_TAX_FILE_NUMBER", "Australian Tax File Number", "au_tfn", r"\b[0-9]{3}[- ]?[0-9]{3}[- ]?[0-9]{2,3}\b",
    ["tfn", "tax file number"],
    [ex(f"TFN: {g}", g), ex("tax file number 123456782", "123456782")],
    [dict(text="TFN: 123 456 783"), dict(text=f"order {g}")], recommended=True, desc="8 or 9 digits, weighted mod-11 check.")
# 22 CURP
g = "BOXW310820HNERXN09"; assert curp.is_valid(g)
det("MEXICO_CURP_NUMBER", "Mexican CURP", "mx_curp", r"(?i)\b[A-Z]{4}[0-9]{6}[HM][A-Z]{5}[0-9A-Z][0-9]\b",
    ["curp", "clave única de registro de población", "clave unica de registro de poblacion"],
    [ex(f"CURP: {g}", g), ex(f"curp {g.lower()}", g.lower())],
    [dict(text="CURP: BOXW310820HNERXN08"), dict(text=f"pedido {g}")], desc="18 characters: name letters, birth date, sex, state, consonants, check digit.")
# 23 RUT
g = "12.531.909-2"; assert rut.is_valid(g)
det("CHILE_RUT_NUMBER", "Chilean RUT/RUN", "cl_rut", r"\b[0-9]{1,2}\.?[0-9]{3}\.?[0-9]{3}-?[0-9Kk]\b",
    ["rut", "run", "rol único tributario", "rol unico tributario", "rol único nacional"],
    [ex(f"RUT: {g}", g), ex("RUT 76086428-5", "76086428-5")],
    [dict(text="RUT: 12.531.909-3"), dict(text=f"pedido {g}")], desc="7-8 digits and a mod-11 check digit or K.")
# 24 BSN
g = "111222333"; assert bsn.is_valid(g)
det("NETHERLANDS_NATIONAL_IDENTIFICATION_NUMBER", "Dutch citizen service number (BSN)", "nl_bsn", r"\b[0-9]{4}\.?[0-9]{2}\.?[0-9]{3}\b",
    ["bsn", "burgerservicenummer", "sofinummer", "persoonsnummer"],
    [ex(f"BSN: {g}", g), ex("burgerservicenummer 1112.22.333", "1112.22.333")],
    [dict(text="BSN: 111222334"), dict(text=f"bestelling {g}")], extension=True, desc="9 digits, 11-proof.")
# 25 PESEL
g = "44051401359"; assert pesel.is_valid(g)
det("POLAND_NATIONAL_IDENTIFICATION_NUMBER", "Polish PESEL", "pl_pesel", r"\b[0-9]{11}\b", ["pesel", "numer pesel"],
    [ex(f"PESEL: {g}", g), ex("numer PESEL 02070803628", "02070803628")],
    [dict(text="PESEL: 44051401358"), dict(text=f"zamówienie {g}")], extension=True, desc="11 digits: birth date (century in the month), serial, check digit.")
assert pesel.is_valid("02070803628")
# 26 personnummer
g = "880320-0016"; assert personnummer.is_valid(g)
det("SWEDEN_NATIONAL_IDENTIFICATION_NUMBER", "Swedish personal identity number", "se_personnummer", r"\b(?:[0-9]{2})?[0-9]{6}[-+]?[0-9]{4}\b",
    ["personnummer", "personnr", "samordningsnummer"],
    [ex(f"Personnummer: {g}", g), ex("personnummer 198803200016", "198803200016")],
    [dict(text="Personnummer: 880320-0018"), dict(text=f"order {g}")], extension=True, desc="Birth date (6 or 8 digits), serial, Luhn check digit.")
# 27 BE NN
g = "85.07.30-033.28"; assert nn.is_valid(g)
det("BELGIUM_NATIONAL_IDENTIFICATION_NUMBER", "Belgian national register number", "be_nn", r"\b[0-9]{2}\.?[0-9]{2}\.?[0-9]{2}[-.]?[0-9]{3}\.?[0-9]{2}\b",
    ["rijksregisternummer", "numéro de registre national", "numero de registre national", "national number", "insz", "niss"],
    [ex(f"Rijksregisternummer: {g}", g), ex("INSZ 85073003328", "85073003328")],
    [dict(text="Rijksregisternummer: 85.07.30-033.29"), dict(text=f"bestelling {g}")], extension=True, desc="11 digits: birth date, serial, mod-97 check (1900s and 2000s).")
# 28 HETU
g = "131052-308T"; assert hetu.is_valid(g)
det("FINLAND_NATIONAL_IDENTIFICATION_NUMBER", "Finnish personal identity code (HETU)", "fi_hetu", r"\b[0-3][0-9][01][0-9]{3}[-+ABCDEFYXWVU][0-9]{3}[0-9A-Ya-y]\b",
    ["henkilötunnus", "henkilotunnus", "hetu", "personbeteckning"],
    [ex(f"Henkilötunnus: {g}", g), ex("HETU 010594Y0020", "010594Y0020")],
    [dict(text="HETU: 131052-308U"), dict(text=f"tilaus {g}")], extension=True, desc="Birth date, century sign, individual number, mod-31 check character.")
assert hetu.is_valid("010594Y0020")
# 29 CPR
g = "211062-5629"; assert cpr.is_valid(g)
det("DENMARK_NATIONAL_IDENTIFICATION_NUMBER", "Danish CPR number", "dk_cpr", r"\b[0-3][0-9][01][0-9]{3}-?[0-9]{4}\b",
    ["cpr", "cpr-nummer", "cpr nummer", "personnummer"],
    [ex(f"CPR-nummer: {g}", g), ex("CPR 2110625629", "2110625629")],
    [dict(text="CPR-nummer: 321062-5629"), dict(text=f"ordre {g}")], extension=True, desc="Birth date and serial (century from the serial); the date must be real and not in the future.")
# 30 fodselsnummer
g = "15108695088"; assert fodselsnummer.is_valid(g)
det("NORWAY_NATIONAL_IDENTIFICATION_NUMBER", "Norwegian national identity number", "no_fodselsnummer", r"\b[0-9]{6}[ ]?[0-9]{5}\b",
    ["fødselsnummer", "fodselsnummer", "personnummer", "f.nr."],
    [ex(f"Fødselsnummer: {g}", g), ex("fodselsnummer 151086 95088", "151086 95088")],
    [dict(text="Fødselsnummer: 15108695077"), dict(text=f"ordre {g}")], extension=True, desc="Birth date, individual number and two mod-11 check digits.")
# 31 PT NIF
g = "501 964 843"; assert ptnif.is_valid(g)
det("PORTUGAL_TAX_IDENTIFICATION_NUMBER", "Portuguese tax number (NIF)", "pt_nif", r"\b[1-9][0-9]{2}[ ]?[0-9]{3}[ ]?[0-9]{3}\b",
    ["nif", "número de identificação fiscal", "numero de identificacao fiscal", "contribuinte", "número de contribuinte", "numero de contribuinte"],
    [ex(f"NIF: {g}", g), ex("contribuinte 501964843", "501964843")],
    [dict(text="NIF: 501 964 844"), dict(text=f"encomenda {g}")], extension=True, desc="9 digits, mod-11 check digit.")

out = ["# National and tax identification numbers. Every example value carries valid check",
       "# digits (generated and checked with python-stdnum); each detector has a negative with",
       "# a wrong check digit and one without a keyword.", ""]
for d in D:
    out.append("[[detector]]")
    out.append(f"id = {b(d['id'])}")
    out.append(f"name = {b(d['name'])}")
    out.append('category = "PERSONAL_INFORMATION"')
    out.append(f"description = {b(d['desc'])}")
    out.append(f"regex = {q(d['regex'])}")
    out.append("keywords = [" + ", ".join(b(k) for k in d['keywords']) + "]")
    out.append("keyword_required = true")
    out.append(f"validator = {b(d['validator'])}")
    out.append('severity = ["HIGH", "HIGH", "HIGH"]')
    if d['recommended']: out.append("recommended = true")
    if d['extension']: out.append("extension = true")
    out.append("examples = [")
    for e in d['examples']:
        out.append(f"    {{ text = {b(e['text'])}, matches = [" + ", ".join(b(m) for m in e['matches']) + "] },")
    out.append("]")
    out.append("negatives = [")
    for n in d['negatives']:
        out.append(f"    {{ text = {b(n['text'])} }},")
    out.append("]")
    out.append("")
open(__import__('os').path.join(__import__('os').path.dirname(__file__), '..', 'tax_and_national_ids.toml'), 'w').write("\n".join(out))
print(len(D))
