#!/usr/bin/env python3
"""Cross-check concord's match scores with rapidfuzz (not run in CI).

score(q, s) = 100 * (1 - lev(kq, ks) / max(len)), kq/ks the matching keys (NFKC, full case
folding, white space collapsed). rapidfuzz's Levenshtein.normalized_similarity on the same
keys must give the same number (concord prints one decimal).

    pip install rapidfuzz && cargo build --release && python3 tests/interop/score_crosscheck.py
"""
import json, re, subprocess, sys, unicodedata
from rapidfuzz.distance import Levenshtein

def key(s):
    return re.sub(r"\s+", " ", unicodedata.normalize("NFKC", s).casefold()).strip()

rows = [l.rstrip("\n").split("\t") for l in open("memories/sample.tsv", encoding="utf-8")][1:]
queries = []
for i, (en, ko, zh) in enumerate(rows[::6]):
    for text in (en, ko, zh):
        words = text.split(" ")
        if len(words) > 3:  # drop one word: an edit of a stored segment
            del words[i % len(words)]
            queries.append(" ".join(words))
        else:
            queries.append(text[: max(1, len(text) * 3 // 4)])
queries.append("ＴＨＥ ＴＡＬＫＳ were held in a cordial  atmosphere.")
out = subprocess.run(
    ["./target/release/concord", "match", "--json", "--min-score", "50", "--limit", "10"],
    input="\n".join(queries) + "\n", capture_output=True, text=True, check=False,
).stdout
n = bad = 0
for line in out.splitlines():
    o = json.loads(line)
    for m in o["matches"]:
        expected = 100 * Levenshtein.normalized_similarity(key(o["query"]), key(m["source"]))
        n += 1
        if abs(expected - m["score"]) > 0.051:
            bad += 1
            print(f"DIFF unit {m['id']}: concord {m['score']} rapidfuzz {expected:.2f}")
print(f"{len(queries)} queries, {n} scores compared with rapidfuzz, {bad} differ")
sys.exit(1 if bad or n == 0 else 0)
