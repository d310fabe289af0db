#!/usr/bin/env python3
"""Impersonation search at scale: palisade against rapidfuzz brute force, same data, same run.

Generates 200 official X handles and 1,000,000 candidates (random handles, hard negatives sharing
words with the officials, and planted look-alikes of many kinds), then times
  - palisade: `palisade impersonation INVENTORY --candidates FILE --format json`, or, while that
    subcommand is not wired, `target/release/examples/impersonation_scan OFFICIALS CANDIDATES`;
  - rapidfuzz: read the same CSV, then `process.cdist(officials, candidates,
    scorer=JaroWinkler.normalized_similarity, score_cutoff=0.9, workers=2)`;
and counts how many planted look-alikes each finds.

Usage: python3 benches/impersonation_vs_rapidfuzz.py [--runs 3] [--candidates 1000000] [--warmup 1]
(build first: cargo build --release --example impersonation_scan)

MEASURED (2026-11-30, `--runs 9`, seed 7, release build, the shared 2-core machine at a load
average of 1.0-1.4, so wall-clock figures are noisy; 968 planted look-alikes of ten kinds,
including "truncated" (a letter doubled or Real, The, Official added, then cut to X's 15
characters) and "multi-homoglyph" (two or three look-alike letters at once: rn/nn/rr for m, vv,
cl, ri, c/e, 1/i/l, 0)):
  palisade  planted found 968/968   candidates reported 1335
  rapidfuzz planted found 807/968   candidates reported 8811 (misses 83 of 95 truncated and
            63 of 78 multi-homoglyph look-alikes; palisade misses none)
  medians, palisade / rapidfuzz (cdist alone) / speed-up end to end:
    10:35  0.15 s / 1.68 s (1.46 s) / 11.5x
    11:01  0.17 s / 1.68 s (1.47 s) /  9.8x
    11:03  0.17 s / 1.74 s (1.53 s) / 10.1x   (first with --warmup 1)
    11:07  0.15 s / 1.65 s (1.43 s) / 10.7x
    11:07  0.15 s / 1.68 s (1.45 s) / 11.0x
    11:08  0.15 s / 1.66 s (1.45 s) / 11.4x
    11:24  0.17 s / 1.70 s (1.50 s) /  9.7x
    11:25  0.15 s / 1.75 s (1.53 s) / 11.6x
  and, with --runs 5 before 10:35, 10.7x and 11.2x. Within a series palisade's runs range
  from 0.13 s to 0.21 s; launched on its own from Python the same command takes 0.13 s.
  Instructions (callgrind, first 100,000 rows, one thread, `palisade impersonation`, set-up
  subtracted): 5,811 a row before 2026-11-30's work, 3,930 after its first round, 3,455 after
  its second, 2,596 after its third. Generated rows repeat (the word combinations), as lists
  gathered from several searches do; palisade scores a repeated row once per thread, which is
  most of the third round's wall-clock gain (0.18 s -> 0.15 s).
  History: 8.0-8.2x after the second round (load 1.2-1.3); 5.8-7.0x after the first (load
  2.4-3.1); 4.0-4.3x before it (load average 11-20); 5.3-6.5x on 2026-11-23 (quieter machine,
  before the cut, one-shape and cross-platform relations); 2.0x before the prefilter.
"""
import argparse, csv, json, os, random, shutil, statistics, subprocess, sys, tempfile, time

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
PLACES = ["West", "North", "East", "South", "Ash", "Brook", "Oak", "Elm", "Red", "Black", "Green", "Stone",
          "Mill", "Kings", "Queens", "Wood", "Marsh", "Lake", "Hill", "River", "Castle", "Bridge", "Holt", "Fen"]
ENDS = ["mere", "ford", "field", "ton", "bury", "ham", "wick", "stead", "ley", "worth", "by", "port", "dale", "more"]
KINDS = ["Police", "NPT", "Roads", "Fire", "Cops", "PCSOs", "Beat", "Safer"]
WORDS = ["news", "daily", "fan", "life", "club", "shop", "bakes", "fc", "music", "art", "tech", "watch",
         "travel", "food", "games", "photo", "runner", "mum", "dad", "cat", "dog", "uk", "official"]
HOMO = {"o": "0", "l": "1", "i": "1", "e": "3", "a": "4", "s": "5", "m": "rn", "w": "vv"}
# Look-alike letters used together (issue 13): multi-letter groups and dnstwist's close pairs.
MULTI = {"m": ["rn", "nn", "rr"], "w": ["vv"], "d": ["cl"], "n": ["ri"], "e": ["c"], "c": ["e"],
         "l": ["1", "i"], "o": ["0"], "i": ["l", "1"]}
AFFIX = ["Real", "The", "Official", "UK", "HQ", "News", "Team", "247"]


def officials(n, rng):
    out = set()
    while len(out) < n:
        h = rng.choice(PLACES) + rng.choice(ENDS) + rng.choice(KINDS)
        if len(h) <= 15:
            out.add(h)
    return sorted(out)


def plant(h, rng):
    """One look-alike of h (<= 15 chars, X alphabet) and its kind."""
    for _ in range(50):
        k = rng.choice(["omission", "repetition", "transposition", "homoglyph", "separator", "affix", "vowel",
                        "adjacent", "truncated", "multi-homoglyph"])
        i = rng.randrange(1, len(h) - 1)
        if k == "omission":
            v = h[:i] + h[i + 1:]
        elif k == "repetition":
            v = h[:i] + h[i] + h[i:]
        elif k == "transposition":
            v = h[:i] + h[i + 1] + h[i] + h[i + 2:]
        elif k == "homoglyph":
            idx = [j for j, c in enumerate(h) if c.lower() in HOMO]
            if not idx:
                continue
            j = rng.choice(idx)
            v = h[:j] + HOMO[h[j].lower()] + h[j + 1:]
        elif k == "separator":
            v = h[:i] + "_" + h[i:]
        elif k == "affix":
            a = rng.choice(AFFIX)
            v = rng.choice([a + h, h + a, h + "_" + a, a + "_" + h])
        elif k == "vowel":
            idx = [j for j, c in enumerate(h) if c in "aeiou"]
            if not idx:
                continue
            j = rng.choice(idx)
            v = h[:j] + rng.choice([x for x in "aeiou" if x != h[j]]) + h[j + 1:]
        elif k == "truncated":
            # Too long for X once a letter is doubled or an affix added, so cut to 15 as the
            # impersonator must (KestrelfordFire -> KesstrelfordFir, RealKestrelford).
            if len(h) < 11:
                continue
            if len(h) == 15 and rng.random() < 0.5:
                v = h  # one doubled letter makes 16
            else:
                v = rng.choice(["Real", "The", "Official"] if len(h) >= 12 else ["Official"]) + h
            while len(v) <= 15:
                j = rng.randrange(1, len(v) - 1)
                v = v[:j] + v[j] + v[j:]
            v = v[:15]
        elif k == "multi-homoglyph":
            # Two or three look-alike substitutions at once, at least one of several letters.
            idx = [j for j, c in enumerate(h) if c.lower() in MULTI]
            if len(idx) < 2:
                continue
            picks = sorted(rng.sample(idx, min(len(idx), rng.choice([2, 3]))), reverse=True)
            v = h
            for j in picks:
                v = v[:j] + rng.choice(MULTI[v[j].lower()]) + v[j + 1:]
            if not any(len(MULTI[h[j].lower()][0]) > 1 for j in picks) and len(picks) < 3:
                continue
        else:
            near = {"e": "r", "o": "p", "i": "u", "l": "k", "c": "x", "a": "s", "t": "y", "r": "t", "s": "d", "n": "m"}
            idx = [j for j, c in enumerate(h) if c.lower() in near]
            if not idx:
                continue
            j = rng.choice(idx)
            v = h[:j] + near[h[j].lower()] + h[j + 1:]
        if len(v) <= 15 and v.lower() != h.lower():
            return v, k
    return h + "1", "addition"


def generate(tmp, n_cand, rng):
    offs = officials(200, rng)
    planted = {}
    for h in offs:
        for _ in range(5):
            v, k = plant(h, rng)
            if v.lower() not in {o.lower() for o in offs}:
                planted[v] = (h, k)
    rows = []
    alphabet = "abcdefghijklmnopqrstuvwxyz0123456789_"
    while len(rows) < n_cand - len(planted):
        r = rng.random()
        if r < 0.6:
            h = "".join(rng.choice(alphabet) for _ in range(rng.randint(4, 15)))
        elif r < 0.9:
            h = (rng.choice(WORDS) + rng.choice(PLACES) + rng.choice(WORDS).title())[:15]
        else:  # hard negatives: a place of an official with another word
            o = rng.choice(offs)
            h = (o[: rng.randint(4, 9)] + rng.choice(WORDS).title() + str(rng.randint(0, 99)))[:15]
        rows.append(h)
    rows.extend(planted)
    rng.shuffle(rows)
    op = os.path.join(tmp, "officials.csv")
    with open(op, "w", newline="") as f:
        w = csv.writer(f)
        w.writerow(["platform", "handle"])
        for h in offs:
            w.writerow(["x", h])
    inv = os.path.join(tmp, "inventory.yaml")
    with open(inv, "w") as f:
        f.write("organisation: {name: Bench Constabulary, email_domains: [bench.police.uk]}\naccounts:\n")
        for i, h in enumerate(offs):
            f.write(f"  - {{id: off-{i:04}, platform: x, handle: {h}, status: active}}\n")
    cp = os.path.join(tmp, "candidates.csv")
    with open(cp, "w", newline="") as f:
        w = csv.writer(f)
        w.writerow(["platform", "handle"])
        for h in rows:
            w.writerow(["x", h])
    return offs, planted, op, inv, cp


def palisade_cmd(op, inv, cp):
    binary = shutil.which("palisade") or os.path.join(ROOT, "target", "release", "palisade")
    if os.path.exists(binary):
        probe = subprocess.run([binary, "impersonation", "--help"], capture_output=True)
        if probe.returncode == 0:
            return [binary, "impersonation", inv, "--candidates", cp, "--format", "json"]
    example = os.path.join(ROOT, "target", "release", "examples", "impersonation_scan")
    if not os.path.exists(example):
        sys.exit("build first: cargo build --release --example impersonation_scan")
    return [example, op, cp]


def run_palisade(cmd):
    t = time.perf_counter()
    p = subprocess.run(cmd, capture_output=True, text=True)
    dt = time.perf_counter() - t
    if p.returncode not in (0, 1):
        sys.exit(f"palisade failed: {p.stderr[-2000:]}")
    data = json.loads(p.stdout)
    return dt, {s["candidate"] for s in data.get("impersonation", [])}


def run_rapidfuzz(offs, cp):
    import numpy as np
    from rapidfuzz import process
    from rapidfuzz.distance import JaroWinkler
    t = time.perf_counter()
    with open(cp, newline="") as f:
        r = csv.reader(f)
        next(r)
        cands = [row[1] for row in r]
    t_read = time.perf_counter()
    m = process.cdist([o.lower() for o in offs], [c.lower() for c in cands],
                      scorer=JaroWinkler.normalized_similarity, score_cutoff=0.9, workers=2)
    t_end = time.perf_counter()
    hit = np.nonzero(m.max(axis=0) > 0)[0]
    del m
    return t_end - t, t_end - t_read, {cands[i] for i in hit}


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--runs", type=int, default=3)
    ap.add_argument("--candidates", type=int, default=1_000_000)
    ap.add_argument("--seed", type=int, default=7)
    ap.add_argument("--warmup", type=int, default=1,
                    help="untimed runs of each tool first (the file was just written: its pages are "
                         "still being flushed, and neither tool should pay for that)")
    a = ap.parse_args()
    rng = random.Random(a.seed)
    with tempfile.TemporaryDirectory() as tmp:
        offs, planted, op, inv, cp = generate(tmp, a.candidates, rng)
        cmd = palisade_cmd(op, inv, cp)
        print(f"{len(offs)} officials, {a.candidates} candidates, {len(planted)} planted; palisade: {' '.join(os.path.basename(c) for c in cmd[:2])}")
        for _ in range(a.warmup):
            run_palisade(cmd)
            run_rapidfuzz(offs, cp)
        pt, rt, rc = [], [], []
        for _ in range(a.runs):
            dt, pal = run_palisade(cmd)
            pt.append(dt)
            total, cd, rf = run_rapidfuzz(offs, cp)
            rt.append(total)
            rc.append(cd)
        planted_set = set(planted)
        # Handles compare case-insensitively: palisade reports one sighting per handle, and a
        # generated row may be a case variant of a planted one ("officialMarshDa").
        pal_l, rf_l = {h.lower() for h in pal}, {h.lower() for h in rf}
        p_found = {h for h in planted_set if h.lower() in pal_l}
        r_found = {h for h in planted_set if h.lower() in rf_l}
        print(f"palisade  median {statistics.median(pt):.2f}s  planted found {len(p_found)}/{len(planted)}  reported {len(pal)}")
        print(f"rapidfuzz median {statistics.median(rt):.2f}s (cdist alone {statistics.median(rc):.2f}s)  planted found {len(r_found)}/{len(planted)}  reported {len(rf)}")
        print(f"speed-up {statistics.median(rt) / statistics.median(pt):.1f}x end to end, {statistics.median(rc) / statistics.median(pt):.1f}x against cdist alone")
        missed = r_found - p_found
        print(f"planted found by rapidfuzz but not palisade: {len(missed)} {sorted(missed)[:10]}")
        for name, found in (("palisade", p_found), ("rapidfuzz", r_found)):
            kinds = {}
            for h in planted_set - found:
                kinds[planted[h][1]] = kinds.get(planted[h][1], 0) + 1
            print(f"planted missed by {name}, by kind: {dict(sorted(kinds.items()))}")
        per_kind = {}
        for h, (_, k) in planted.items():
            per_kind[k] = per_kind.get(k, 0) + 1
        print(f"planted by kind: {dict(sorted(per_kind.items()))}")
        print(f"series: palisade {' '.join(f'{t:.2f}' for t in pt)}; rapidfuzz {' '.join(f'{t:.2f}' for t in rt)} (cdist {' '.join(f'{t:.2f}' for t in rc)})")


if __name__ == "__main__":
    main()
