"""Validate Macie JSON produced by s3pii against botocore's macie2 service model.

Usage: validate.py findings|results|eventbridge FILE
Each line of FILE (gzip if it ends in .gz) is checked against the `Finding` shape
(for eventbridge: the envelope's `detail`). Every key must be a member of its shape,
every value of the shape's type (in `results` mode 64-bit numbers are strings, as in
Macie's discovery results), every enum value allowed. Prints one line per problem and
exits 1 if there is any.
"""
import gzip
import json
import sys

import botocore.loaders

MODEL = botocore.loaders.Loader().load_service_model("macie2", "service-2")
SHAPES = MODEL["shapes"]
# Discovery results carry fields the API model does not (macie.md §2.3).
RESULT_EXTRA = {"S3Object": {"embeddedFileDetails"}}


def check(value, shape_name, path, mode, problems):
    if value is None:
        return
    shape = SHAPES[shape_name]
    kind = shape["type"]
    if kind == "structure":
        if not isinstance(value, dict):
            problems.append(f"{path}: expected object for {shape_name}")
            return
        members = {m.get("locationName", name): m for name, m in shape["members"].items()}
        for key, v in value.items():
            if key in members:
                check(v, members[key]["shape"], f"{path}.{key}", mode, problems)
            elif not (mode == "results" and key in RESULT_EXTRA.get(shape_name, ())):
                problems.append(f"{path}.{key}: not a member of {shape_name}")
    elif kind == "list":
        if not isinstance(value, list):
            problems.append(f"{path}: expected array for {shape_name}")
            return
        for i, v in enumerate(value):
            check(v, shape["member"]["shape"], f"{path}[{i}]", mode, problems)
    elif kind == "map":
        if not isinstance(value, dict):
            problems.append(f"{path}: expected map")
    elif kind in ("long", "integer"):
        ok = isinstance(value, int) and not isinstance(value, bool)
        if mode == "results":
            ok = isinstance(value, str) and value.lstrip("-").isdigit()
        if not ok:
            problems.append(f"{path}: {value!r} is not a {kind} ({mode})")
    elif kind == "double":
        if not isinstance(value, (int, float)) or isinstance(value, bool):
            problems.append(f"{path}: {value!r} is not a number")
    elif kind == "boolean":
        if not isinstance(value, bool):
            problems.append(f"{path}: {value!r} is not a boolean")
    elif kind in ("string", "timestamp"):
        if not isinstance(value, str):
            problems.append(f"{path}: {value!r} is not a string")
        elif "enum" in shape and value not in shape["enum"]:
            problems.append(f"{path}: {value!r} not in {shape_name} {shape['enum']}")
    else:
        problems.append(f"{path}: unhandled shape type {kind}")


def main():
    mode, name = sys.argv[1], sys.argv[2]
    opener = gzip.open if name.endswith(".gz") else open
    problems, lines = [], 0
    with opener(name, "rt", encoding="utf-8") as f:
        for n, line in enumerate(f, 1):
            if not line.strip():
                continue
            lines += 1
            record = json.loads(line)
            if mode == "eventbridge":
                for key in ("version", "id", "detail-type", "source", "account", "time", "region", "resources"):
                    if key not in record:
                        problems.append(f"line {n}: envelope lacks {key}")
                if record.get("detail-type") != "Macie Finding" or record.get("source") != "aws.macie":
                    problems.append(f"line {n}: not a Macie Finding event")
                record = record.get("detail")
            check(record, "Finding", f"line {n}", "results" if mode == "results" else "findings", problems)
    for p in problems[:50]:
        print(p)
    print(f"{lines} records, {len(problems)} problems")
    sys.exit(1 if problems or lines == 0 else 0)


if __name__ == "__main__":
    main()
