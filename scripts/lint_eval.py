#!/usr/bin/env python3
"""Measure `concord lint` on the professional translations of ../shared/corpora.

Precision: every corpus (FLORES devtest, NTREX, UDHR) is linted EN→KO and EN→ZH with
glossaries/diplomatic.csv; every error-level finding must be classified in
tests/data/lint/corpus-findings.tsv (corpus, target, row, rule, span, verdict, why).
The script prints errors and warnings per 1,000 segments and the false error-level
findings per 1,000 (those classified `false`); unclassified findings are listed and make
the exit status 1 (classify them: `--write-unclassified` appends them with verdict `?`).

Recall (`--recall`): a seeded set is built programmatically from the same corpora — an
approved rendering swapped for a forbidden variant (term-forbidden), a rendering dropped
or replaced by another word (term-missing), a number or a date changed (number-mismatch),
a country name replaced by another (term-missing) — one error per seeded row, each
recorded with its rule and row (written next to the seeded drafts in --out). Recall is
the share of seeded rows where the linter reports the seeded rule on that row; the
untouched rows of the seeded drafts must keep exactly the findings the corpus had.

Where the term went (`--where`): on the seeded term-missing rows of the same corpora (a
rendering replaced by a generic word or by another country's name, or dropped), how often
the finding's target span is exactly the replaced text, and how often a dropped rendering
is said to be untranslated. The memory the statistics are learned from is built from the
*other* corpora (no row of the corpus under test is in it); the same drafts are also
linted with --no-memory.

Usage: scripts/lint_eval.py [--concord target/debug/concord] [--recall] [--where] [--out DIR]
The corpora are ../shared/corpora relative to the repository (or --corpora DIR).
"""

import argparse
import csv
import json
import os
import random
import re
import subprocess
import sys
import tempfile

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
CORPORA = ["flores-devtest", "ntrex", "udhr"]
TARGETS = ["ko", "zh"]


def read_tsv(path):
    with open(path, encoding="utf-8") as f:
        lines = f.read().split("\n")
    header = lines[0].split("\t")
    rows = [dict(zip(header, line.split("\t"))) for line in lines[1:] if line]
    return header, rows


def lint(concord, glossary, path, target):
    """Run concord lint on a TSV draft; return (summary, findings)."""
    cmd = [
        concord, "lint", "--no-memory", "--no-baseline", "--glossary", glossary,
        "--to", target, path, "--format", "json", "--min-severity", "warning",
    ]
    p = subprocess.run(cmd, capture_output=True, text=True)
    if p.returncode not in (0, 1):
        sys.exit(f"{' '.join(cmd)}: exit {p.returncode}: {p.stderr}")
    doc = json.loads(p.stdout)
    return doc["summary"], doc["findings"]


def span_text(f):
    s = f.get("source_span") or f.get("target_span")
    return s["text"] if s else ""


def key_of(corpus, target, f):
    return (corpus, target, str(f["segment"]), f["rule"], span_text(f))


def load_classes(path):
    classes = {}
    if not os.path.exists(path):
        return classes
    with open(path, encoding="utf-8") as f:
        for line in f.read().split("\n")[1:]:
            if not line.strip():
                continue
            c = line.split("\t")
            classes[tuple(c[:5])] = (c[5], c[6] if len(c) > 6 else "")
    return classes


def precision(args, classes):
    print("| corpus | target | segments | errors/1k | false errors/1k | warnings/1k |")
    print("| --- | --- | ---: | ---: | ---: | ---: |")
    unclassified = []
    seen = set()
    for corpus in CORPORA:
        path = os.path.join(args.corpora, f"{corpus}.en-ko-zh.tsv")
        for t in TARGETS:
            summary, findings = lint(args.concord, args.glossary, path, t)
            n = summary["segments"]
            errors = [f for f in findings if f["severity"] == "error"]
            warnings = [f for f in findings if f["severity"] == "warning"]
            false = 0
            for f in errors:
                k = key_of(corpus, t, f)
                seen.add(k)
                c = classes.get(k)
                if c is None:
                    unclassified.append((k, f))
                elif c[0] != "true":
                    false += 1
            per = lambda x: f"{x * 1000 / n:.1f}"
            print(f"| {corpus} | {t} | {n} | {per(len(errors))} | {per(false)} | {per(len(warnings))} |")
            if args.verbose:
                for f in errors:
                    print("   ", f["segment"], f["rule"], f["message"][:140])
    stale = [k for k in classes if k not in seen]
    for k in stale:
        print("stale classification (no such finding now):", "\t".join(k), file=sys.stderr)
    for k, f in unclassified:
        print("unclassified:", "\t".join(k), "|", f["message"], file=sys.stderr)
    if unclassified and args.write_unclassified:
        new = not os.path.exists(args.findings)
        with open(args.findings, "a", encoding="utf-8") as out:
            if new:
                out.write("corpus\ttarget\trow\trule\tspan\tverdict\twhy\n")
            for k, f in unclassified:
                src = (f.get("source") or "")[:200]
                tgt = (f.get("target") or "")[:200]
                out.write("\t".join(k) + f"\t?\t{src} ||| {tgt}\n")
    return 1 if unclassified else 0


# ---------------------------------------------------------------- seeded recall

def load_glossary(path):
    """Entries of the canonical CSV: en / ko / zh approved and forbidden variants."""
    entries = []
    with open(path, encoding="utf-8", newline="") as f:
        for row in csv.DictReader(f):
            def cell(c):
                return [v.strip() for v in (row.get(c) or "").split("|") if v.strip()]
            entries.append({
                "id": row.get("id"),
                "en": cell("en"),
                "ko": cell("ko"),
                "zh": cell("zh"),
                "ko:forbidden": cell("ko:forbidden"),
                "zh:forbidden": cell("zh:forbidden"),
                "domain": row.get("domain") or "",
                "lint": row.get("lint") or "",
                "case": row.get("case") or "",
            })
    return entries


def en_count(entry, source):
    """How many times an English variant of the entry occurs in the source."""
    if "re" not in entry:
        # A capitalized title in lower case is a common noun (lint exempts it): count
        # capitalized entries case-sensitively.
        capitalized = all(v[:1].isupper() for v in entry["en"])
        flags = 0 if entry["case"] == "sensitive" or capitalized else re.IGNORECASE
        alt = "|".join(re.escape(v) for v in sorted(entry["en"], key=len, reverse=True))
        entry["re"] = re.compile(r"(?<![\w-])(?:" + alt + r")(?:s|es|'s|’s)?(?![\w-])", flags)
    return len(entry["re"].findall(source))


def occurrences(text, needle):
    return [m.start() for m in re.finditer(re.escape(needle), text)]


# Replacements for a dropped rendering: generic words that render no glossary entry.
GENERIC = {"ko": "관계자", "zh": "有关方面"}
COUNTRY_SWAP = {
    "ko": [("중국", "일본"), ("일본", "중국"), ("미국", "영국"), ("영국", "미국"), ("러시아", "독일"), ("독일", "러시아"), ("프랑스", "캐나다")],
    "zh": [("中国", "日本"), ("日本", "中国"), ("美国", "英国"), ("英国", "美国"), ("俄罗斯", "德国"), ("德国", "俄罗斯"), ("法国", "加拿大")],
}
MONTHS = ["January", "February", "March", "April", "May", "June", "July", "August",
          "September", "October", "November", "December"]


def clean_source(e, src, tgt, english):
    """The entry occurs once in the source, not inside a longer English term of another
    entry, and is not kept in English in the target."""
    if en_count(e, src) != 1:
        return False
    low = src.lower()
    for v in e["en"]:
        if v.lower() in low:
            if v in tgt:
                return False
            if any(len(w) > len(v) and v.lower() in w.lower() and w.lower() in low for w in english):
                return False
    return True


def seed(rows, target, glossary, rng):
    """Seeded rows: (row index in the corpus, mutated target, rule, what)."""
    out = []
    usable = [e for e in glossary if e[target] and e["en"] and e["domain"] != "phrase"
              and "no-missing" not in e["lint"]]
    all_variants = [v for e in glossary for v in e[target] + e[target + ":forbidden"] + e["en"]]
    english = [v for e in glossary for v in e["en"]]
    by_name = {v: e for e in usable for v in e[target]}
    for i, r in enumerate(rows):
        src, tgt = r["en"], r[target]
        # Terms: an entry named once in the source with one approved variant, once in the target.
        for e in usable:
            hits = [(v, p) for v in e[target] for p in occurrences(tgt, v)]
            if len(hits) != 1 or not clean_source(e, src, tgt, english):
                continue
            v, p = hits[0]
            # Not inside another entry's longer variant.
            if any(len(w) > len(v) and v in w and w in tgt for w in all_variants):
                continue
            if e[target + ":forbidden"]:
                f = rng.choice(e[target + ":forbidden"])
                out.append((i, tgt[:p] + f + tgt[p + len(v):], "term-forbidden", f"{v}->{f}"))
            rep = GENERIC[target]
            out.append((i, tgt[:p] + rep + tgt[p + len(v):], "term-missing", f"{v}->{rep}"))
            out.append((i, tgt[:p] + tgt[p + len(v):], "term-missing", f"{v}->"))
        # A country replaced by another.
        for a, b in COUNTRY_SWAP[target]:
            e = by_name.get(a)
            if e is None or not clean_source(e, src, tgt, english):
                continue
            if len(occurrences(tgt, a)) == 1 and b not in tgt:
                p = tgt.index(a)
                out.append((i, tgt[:p] + b + tgt[p + len(a):], "term-missing", f"name {a}->{b}"))
                break
        # A number: a run of digits of the source changed in the target.
        src_numbers = set(re.findall(r"\d+", src.replace(",", "")))
        for m in re.finditer(r"\d+", tgt):
            d = m.group()
            if d in src_numbers and len(re.findall(r"(?<!\d)" + d + r"(?!\d)", tgt)) == 1 \
                    and len(re.findall(r"(?<!\d)" + d + r"(?!\d)", src.replace(",", ""))) == 1:
                new = str(int(d) + 1) if not d.endswith("9") else str(int(d) - 1)
                if new in src_numbers or len(new) != len(d):
                    continue
                out.append((i, tgt[:m.start()] + new + tgt[m.end():], "number-mismatch", f"{d}->{new}"))
                break
        # A date: the month of an English month name changed.
        for mi, name in enumerate(MONTHS):
            if re.search(r"\b" + name + r"\b", src):
                mark = "월" if target == "ko" else "月"
                pat = re.compile(r"(?<!\d)" + str(mi + 1) + mark)
                ms = list(pat.finditer(tgt))
                if len(ms) == 1 and len(re.findall(r"\b" + name + r"\b", src)) == 1:
                    new = str(mi % 12 + 2 if mi < 11 else 1) + mark
                    if new in tgt:
                        break
                    out.append((i, tgt[:ms[0].start()] + new + tgt[ms[0].end():], "number-mismatch", f"date {ms[0].group()}->{new}"))
                break
    return out


def recall(args, classes):
    glossary = load_glossary(args.glossary)
    rng = random.Random(14)
    out_dir = args.out or tempfile.mkdtemp(prefix="concord-lint-eval-")
    os.makedirs(out_dir, exist_ok=True)
    totals = {}
    untouched_changed = 0
    print()
    print("| target | rule | seeded | found | recall |")
    print("| --- | --- | ---: | ---: | ---: |")
    for t in TARGETS:
        seeded_rows = []  # (corpus, row, src, tgt, rule, what, original row number)
        baseline = {}
        for corpus in CORPORA:
            path = os.path.join(args.corpora, f"{corpus}.en-ko-zh.tsv")
            _, rows = read_tsv(path)
            _, findings = lint(args.concord, args.glossary, path, t)
            for f in findings:
                baseline.setdefault((corpus, f["segment"]), set()).add((f["rule"], span_text(f)))
            for i, tgt, rule, what in seed(rows, t, glossary, rng):
                had = {r for r, _ in baseline.get((corpus, i + 1), set())}
                if rule in had:
                    continue  # The untouched row already has that finding.
                seeded_rows.append((corpus, i + 1, rows[i]["en"], tgt, rule, what))
        # One draft per target: every seeded row, then every untouched row of the corpora.
        draft = os.path.join(out_dir, f"seeded.en-{t}.tsv")
        key = os.path.join(out_dir, f"seeded.en-{t}.expected.tsv")
        untouched = []
        for corpus in CORPORA:
            _, rows = read_tsv(os.path.join(args.corpora, f"{corpus}.en-ko-zh.tsv"))
            untouched += [(corpus, i + 1, r["en"], r[t]) for i, r in enumerate(rows)]
        with open(draft, "w", encoding="utf-8") as d, open(key, "w", encoding="utf-8") as k:
            d.write(f"en\t{t}\n")
            k.write("row\trule\tcorpus\tcorpus_row\twhat\n")
            for n, (corpus, row, src, tgt, rule, what) in enumerate(seeded_rows, 1):
                d.write(f"{src}\t{tgt}\n")
                k.write(f"{n}\t{rule}\t{corpus}\t{row}\t{what}\n")
            for corpus, row, src, tgt in untouched:
                d.write(f"{src}\t{tgt}\n")
        _, findings = lint(args.concord, args.glossary, draft, t)
        by_row = {}
        for f in findings:
            by_row.setdefault(f["segment"], set()).add((f["rule"], span_text(f)))
        missed = []
        for n, (corpus, row, src, tgt, rule, what) in enumerate(seeded_rows, 1):
            ok = any(r == rule for r, _ in by_row.get(n, set()))
            totals.setdefault((t, rule), [0, 0])
            totals[(t, rule)][0] += 1
            totals[(t, rule)][1] += ok
            if not ok:
                missed.append((n, corpus, row, rule, what))
        off = len(seeded_rows)
        for j, (corpus, row, src, tgt) in enumerate(untouched, 1):
            # The draft-level rules (term-inconsistent, segment-inconsistent) see the
            # seeded rows too: compare the per-segment rules only.
            per_seg = lambda s: {x for x in s if x[0] not in ("term-inconsistent", "segment-inconsistent")}
            if per_seg(by_row.get(off + j, set())) != per_seg(baseline.get((corpus, row), set())):
                untouched_changed += 1
        for (tt, rule), (n, found) in sorted(totals.items()):
            if tt == t:
                print(f"| {t} | {rule} | {n} | {found} | {found * 100 / n:.1f}% |")
        if args.verbose:
            for m in missed:
                print("    missed:", *m)
    print(f"\nseeded drafts and their keys: {out_dir}")
    print(f"untouched rows whose findings changed: {untouched_changed}")
    return 1 if untouched_changed else 0


def where(args):
    glossary = load_glossary(args.glossary)
    rng = random.Random(14)
    out_dir = args.out or tempfile.mkdtemp(prefix="concord-lint-where-")
    os.makedirs(out_dir, exist_ok=True)
    print()
    print("| target | memory | another country: span = it | generic word: span = it | dropped: untranslated | dropped: a span instead |")
    print("| --- | --- | ---: | ---: | ---: | ---: |")
    for t in TARGETS:
        tally = {"memory": [0, 0, 0, 0, 0, 0, 0], "none": [0, 0, 0, 0, 0, 0, 0]}
        for corpus in CORPORA:
            path = os.path.join(args.corpora, f"{corpus}.en-ko-zh.tsv")
            _, rows = read_tsv(path)
            _, findings = lint(args.concord, args.glossary, path, t)
            had = {f["segment"] for f in findings if f["rule"] == "term-missing"}
            seeded = [(i, tgt, what) for i, tgt, rule, what in seed(rows, t, glossary, rng)
                      if rule == "term-missing" and i + 1 not in had]
            if not seeded:
                continue
            draft = os.path.join(out_dir, f"where.{corpus}.en-{t}.tsv")
            with open(draft, "w", encoding="utf-8") as d:
                d.write(f"en\t{t}\n")
                for i, tgt, _ in seeded:
                    d.write(f"{rows[i]['en']}\t{tgt}\n")
            # The memory: the other corpora, never this one.
            mem_tsv = os.path.join(out_dir, f"memory.not-{corpus}.en-{t}.tsv")
            with open(mem_tsv, "w", encoding="utf-8") as m:
                m.write(f"en\t{t}\n")
                for other in CORPORA:
                    if other != corpus:
                        _, orows = read_tsv(os.path.join(args.corpora, f"{other}.en-ko-zh.tsv"))
                        for r in orows:
                            m.write(f"{r['en']}\t{r[t]}\n")
            db = os.path.join(out_dir, f"memory.not-{corpus}.en-{t}.db")
            if os.path.exists(db):
                os.remove(db)
            p = subprocess.run([args.concord, "--db", db, "import", mem_tsv], capture_output=True, text=True)
            if p.returncode != 0:
                sys.exit(f"import {mem_tsv}: exit {p.returncode}: {p.stderr}")
            for mode in ("memory", "none"):
                mem_args = ["--db", db] if mode == "memory" else ["--no-memory"]
                cmd = [args.concord] + mem_args[:2 if mode == "memory" else 0] + [
                    "lint", "--no-baseline", "--glossary", args.glossary, "--to", t,
                    "--rule", "term-missing", draft, "--format", "json"]
                if mode == "none":
                    cmd.insert(cmd.index("lint") + 1, "--no-memory")
                p = subprocess.run(cmd, capture_output=True, text=True)
                if p.returncode not in (0, 1):
                    sys.exit(f"{' '.join(cmd)}: exit {p.returncode}: {p.stderr}")
                by_row = {}
                for f in json.loads(p.stdout)["findings"]:
                    by_row.setdefault(f["segment"], []).append(f)
                tl = tally[mode]
                for n, (i, tgt, what) in enumerate(seeded, 1):
                    fs = by_row.get(n, [])
                    replaced = what.split("->", 1)[1]
                    spans = [(f.get("target_span") or {}).get("text") for f in fs]
                    if replaced and what.startswith("name "):
                        tl[5] += 1
                        tl[6] += replaced in spans
                    elif replaced:
                        tl[0] += 1
                        tl[1] += replaced in spans
                        if args.verbose and replaced not in spans and mode == "memory":
                            print("    replaced, not found:", corpus, i + 1, what, [f["message"][:120] for f in fs])
                    else:
                        tl[2] += 1
                        tl[3] += any("seems untranslated" in f["message"] for f in fs)
                        tl[4] += any(s for s in spans)
        for mode in ("memory", "none"):
            n_rep, ok_rep, n_drop, ok_drop, span_drop, n_name, ok_name = tally[mode]
            pct = lambda a, b: f"{a}/{b} ({a * 100 / b:.1f}%)" if b else "0/0"
            print(f"| {t} | {'other corpora' if mode == 'memory' else 'none'} | {pct(ok_name, n_name)} | {pct(ok_rep, n_rep)} | {pct(ok_drop, n_drop)} | {pct(span_drop, n_drop)} |")
    print(f"\nseeded drafts and memories: {out_dir}")
    return 0


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--concord", default=os.path.join(ROOT, "target", "debug", "concord"))
    ap.add_argument("--corpora", default=os.path.join(ROOT, "..", "shared", "corpora"))
    ap.add_argument("--glossary", default=os.path.join(ROOT, "glossaries", "diplomatic.csv"))
    ap.add_argument("--findings", default=os.path.join(ROOT, "tests", "data", "lint", "corpus-findings.tsv"))
    ap.add_argument("--write-unclassified", action="store_true")
    ap.add_argument("--recall", action="store_true", help="also build the seeded set and report recall")
    ap.add_argument("--where", action="store_true",
                    help="only measure where term-missing says the term went (see above)")
    ap.add_argument("--out", help="directory for the seeded drafts (default: a temporary one)")
    ap.add_argument("-v", "--verbose", action="store_true")
    args = ap.parse_args()
    if not os.path.isdir(args.corpora):
        sys.exit(f"{args.corpora}: no corpora here (see ../shared/corpora/README.md)")
    classes = load_classes(args.findings)
    if args.where:
        sys.exit(where(args))
    status = precision(args, classes)
    if args.recall:
        status |= recall(args, classes)
    sys.exit(status)


if __name__ == "__main__":
    main()
