"""python-stdnum as the oracle for s3pii's checksum validators (tests/differential.rs).

Reads `module<TAB>candidate` lines on stdin (`stdnum.us.ssn\t536904399`) and writes one
line per input line: `1` if `module.is_valid(candidate)`, else `0`. Each module is
imported once. `stdnum.iban` is called with `check_country=False` (mod 97 plus the
registry's BBAN structure), which is the rule of s3pii's `iban` validator. An exception
from stdnum itself (not a validation error) counts as invalid and is reported on stderr.

Run with the pinned versions in requirements.txt (`.ci/setup-oracle` installs them).
"""
import importlib
import sys

import stdnum

# Must match requirements.txt: s3pii's validators follow this version's rules.
STDNUM_VERSION = "2.2"
KWARGS = {"stdnum.iban": {"check_country": False}}


def main() -> int:
    if stdnum.__version__ != STDNUM_VERSION:
        sys.stderr.write(
            f"stdnum_oracle: python-stdnum {stdnum.__version__} installed, "
            f"{STDNUM_VERSION} expected: run .ci/setup-oracle\n"
        )
        return 3
    modules = {}
    out = []
    crashes = 0
    for line in sys.stdin:
        name, tab, candidate = line.rstrip("\n").partition("\t")
        if not tab:
            sys.stderr.write(f"stdnum_oracle: malformed line {line!r}\n")
            return 2
        module = modules.get(name)
        if module is None:
            module = modules[name] = importlib.import_module(name)
        try:
            ok = module.is_valid(candidate, **KWARGS.get(name, {}))
        except Exception as e:  # noqa: BLE001 - a stdnum crash is reported, counted invalid
            crashes += 1
            if crashes <= 10:
                sys.stderr.write(f"stdnum_oracle: {name}({candidate!r}) raised {e!r}\n")
            ok = False
        out.append("1" if ok else "0")
    sys.stdout.write("\n".join(out))
    if out:
        sys.stdout.write("\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
