#!/usr/bin/env python3
"""Regenerate dnstwist_variants.csv: dnstwist's own fuzzers applied to real-looking handles.

    pip install dnstwist==20250130 && python3 tests/data/impersonation/dnstwist_variants.py

Each handle is fuzzed as the domain `HANDLE.com` (no DNS: only `Fuzzer.generate`); the label of
every permutation that stays under `.com` is a candidate handle, kept when it is a valid handle on
the platform (`inventory.md` handle rules: X 1-15 of [A-Za-z0-9_], Instagram 1-30 of
[A-Za-z0-9._]). The test (tests/impersonation_dnstwist.rs) reads the CSV, so it needs no Python.
"""
import csv, os, re, sys

import dnstwist

HANDLES = [
    ("x", "KestrelfordFire"),
    ("x", "WestmerePolice"),
    ("x", "MarlowCouncil"),
    ("x", "AshbyNPT"),
    ("instagram", "kestrelfordpolice"),
]
DICTIONARY = ["official", "real", "the", "uk", "hq", "news", "team", "247"]
RULES = {"x": re.compile(r"^[A-Za-z0-9_]{1,15}$"), "instagram": re.compile(r"^[A-Za-z0-9._]{1,30}$")}


def main():
    out = os.path.join(os.path.dirname(os.path.abspath(__file__)), "dnstwist_variants.csv")
    rows = set()
    for platform, handle in HANDLES:
        f = dnstwist.Fuzzer(handle.lower() + ".com", dictionary=DICTIONARY)
        f.generate()
        for p in f.permutations():
            d = p["domain"]
            if p["fuzzer"] == "*original" or not d.endswith(".com"):
                continue
            label = d[: -len(".com")]
            if label.startswith("xn--") or not RULES[platform].match(label):
                continue
            if label == handle.lower():
                continue
            rows.add((platform, handle, p["fuzzer"], label))
    with open(out, "w", newline="") as fh:
        w = csv.writer(fh, lineterminator="\n")
        w.writerow(["platform", "official", "fuzzer", "handle"])
        for r in sorted(rows):
            w.writerow(r)
    print(f"{len(rows)} variants written to {out} (dnstwist {dnstwist.__version__})", file=sys.stderr)


if __name__ == "__main__":
    main()
