"""python-stdnum as an independent oracle for s3pii's validators.

Reads `module<TAB>candidate` lines on stdin and prints `1` (valid) or `0` per line.
`stdnum.iban` is called with check_country=False: mod 97 plus the SWIFT registry
structure, which is what s3pii's `iban` validator checks.
"""
import importlib
import sys

modules = {}
out = []
for line in sys.stdin:
    name, _, candidate = line.rstrip("\n").partition("\t")
    if name not in modules:
        modules[name] = importlib.import_module(name)
    module = modules[name]
    if name == "stdnum.iban":
        ok = module.is_valid(candidate, check_country=False)
    else:
        ok = module.is_valid(candidate)
    out.append("1" if ok else "0")
sys.stdout.write("\n".join(out) + "\n")
