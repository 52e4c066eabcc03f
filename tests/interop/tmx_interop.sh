#!/usr/bin/env bash
# Does a TMX that concord exports work in other tools? (Not run in CI: it installs
# OmegaT 3.6 from Debian and translate-toolkit from PyPI when they are missing.)
#
#   tests/interop/tmx_interop.sh [MEMORY.tsv]
#
# MEMORY.tsv: an EN/KO/ZH TSV (header `en<TAB>ko<TAB>zh`); default memories/sample.tsv when
# it exists, else ten built-in rows. A small TMX with inline markup is imported too.
#
# Checks, on the TMX that `concord export --format tmx` writes:
#  (a) translate-toolkit's translate.storage.tmx reads every unit, with the right English
#      source and Korean/Chinese texts;
#  (b) OmegaT 3.6 in console mode (--mode=console-translate), with the TMX in tm/auto/ and a
#      source file holding the English segments (one per paragraph), fills every exact
#      match, for an EN→KO and an EN→ZH project;
#  (c) the same with a memory holding one KO/ZH-only unit, so the header says
#      srclang="*all*".
# Exit 0 when every check passes, 1 otherwise. Prints the time taken.
set -euo pipefail

source "$(dirname "$0")/common.sh"
interop_setup translate.storage.tmx

# --- the memory ------------------------------------------------------------------------

tsv=${1:-}
if [ -z "$tsv" ] && [ -f "$root/memories/sample.tsv" ]; then tsv="$root/memories/sample.tsv"; fi
if [ -z "$tsv" ]; then
    tsv="$work/builtin.tsv"
    cat >"$tsv" <<'TSV'
en	ko	zh
The two foreign ministers met in Seoul on 3 March 2026.	양국 외교장관은 2026년 3월 3일 서울에서 회담하였다.	两国外长于2026年3月3日在首尔举行会晤。
The minister expressed appreciation for the warm welcome.	장관은 따뜻한 환대에 사의를 표하였다.	外长对热情接待表示感谢。
Both sides agreed to strengthen economic cooperation.	양측은 경제 협력을 강화하기로 합의하였다.	双方同意加强经济合作。
The President received a telephone call from the Prime Minister.	대통령은 총리로부터 전화를 받았다.	总统接到总理打来的电话。
The talks were held in a friendly atmosphere.	회담은 우호적인 분위기 속에서 진행되었다.	会谈在友好的气氛中进行。
The ministry issued a statement on the launch.	외교부는 발사에 관한 성명을 발표하였다.	外交部就发射发表声明。
The delegation will visit Beijing next week.	대표단은 다음 주 베이징을 방문할 예정이다.	代表团将于下周访问北京。
They discussed peace and stability on the Korean Peninsula.	양측은 한반도의 평화와 안정에 대해 논의하였다.	双方讨论了朝鲜半岛的和平与稳定问题。
The Vice Minister attended the trilateral meeting.	차관은 3자 회의에 참석하였다.	副部长出席了三方会议。
The next round of talks will take place in Tokyo.	차기 회담은 도쿄에서 개최될 예정이다.	下一轮会谈将在东京举行。
TSV
fi
markup_tmx="$work/markup.tmx"
cat >"$markup_tmx" <<'TMX'
<?xml version="1.0" encoding="UTF-8"?>
<tmx version="1.4"><header srclang="en" segtype="sentence" o-tmf="t" adminlang="en" datatype="plaintext" creationtool="t" creationtoolversion="1"/>
<body><tu>
<tuv xml:lang="en"><seg>Read the <bpt i="1" x="1">&lt;b&gt;</bpt>joint statement<ept i="1">&lt;/b&gt;</ept> &amp; annex.</seg></tuv>
<tuv xml:lang="ko"><seg><bpt i="1" x="1">&lt;b&gt;</bpt>공동성명<ept i="1">&lt;/b&gt;</ept> 및 부속서를 읽으십시오.</seg></tuv>
<tuv xml:lang="zh"><seg>请阅读<bpt i="1" x="1">&lt;b&gt;</bpt>联合声明<ept i="1">&lt;/b&gt;</ept>及附件。</seg></tuv>
</tu></body></tmx>
TMX
say "memory: $tsv + a markup unit"
"$concord" --db "$work/m.db" import "$tsv" "$markup_tmx"
"$concord" --db "$work/m.db" export --format tmx -o "$work/export.tmx"
# The same plus one KO/ZH-only unit: the header must then say srclang="*all*".
printf 'ko\tzh\n부산은 항구 도시이다.\t釜山是港口城市。\n' >"$work/kozh.tsv"
cp "$work/m.db" "$work/all.db"
"$concord" --db "$work/all.db" import "$work/kozh.tsv"
"$concord" --db "$work/all.db" export --format tmx -o "$work/export-all.tmx"
grep -q 'srclang="\*all\*"' "$work/export-all.tmx" || { echo "FAIL: no srclang=\"*all*\""; exit 1; }

# The expected EN→KO/ZH pairs (all rows; an English line may have several translations).
python3 - "$tsv" "$work" <<'PY'
import json, sys
tsv, work = sys.argv[1], sys.argv[2]
rows = [l.rstrip("\n").rstrip("\r").split("\t") for l in open(tsv, encoding="utf-8-sig") if l.strip()]
head = [h.strip().lower() for h in rows[0]]
ie, ik, iz = head.index("en"), head.index("ko"), head.index("zh")
pairs = [(r[ie].strip(), r[ik].strip(), r[iz].strip()) for r in rows[1:]]
pairs = [p for p in pairs if p[0] and p[1] and p[2]]
json.dump(pairs, open(f"{work}/pairs.json", "w"), ensure_ascii=False)
PY

fail=0

# --- (a) translate-toolkit ---------------------------------------------------------------
say "(a) translate-toolkit translate.storage.tmx"
python3 - "$work" <<'PY' || fail=1
import json, sys
from translate.storage import tmx
work = sys.argv[1]
pairs = json.load(open(f"{work}/pairs.json", encoding="utf-8"))
expected = {}
for en, ko, zh in pairs:
    expected.setdefault(en, set()).add((ko, zh))
store = tmx.tmxfile(open(f"{work}/export.tmx", "rb").read())
units = [u for u in store.units]
ok = bad = 0
for u in units:
    en, ko, zh = u.source, u.gettarget(lang="ko"), u.gettarget(lang="zh")
    if en.startswith("Read the"):
        # ttk's text of a segment keeps the content of inline codes.
        good = en == "Read the <b>joint statement</b> & annex." and ko.startswith("<b>공동성명</b>")
    else:
        good = (ko, zh) in expected.get(en, ())
    ok += good
    bad += not good
    if not good and bad <= 5:
        print("  mismatch:", repr(en), repr(ko), repr(zh))
want = len({(e, k, z) for e, k, z in pairs}) + 1
print(f"  units read: {len(units)} (memory: {want}); right source/targets: {ok}; wrong: {bad}")
store2 = tmx.tmxfile(open(f"{work}/export-all.tmx", "rb").read())
print(f"  srclang=*all* export: {len(store2.units)} units read")
sys.exit(0 if bad == 0 and len(units) == want and len(store2.units) == want + 1 else 1)
PY

# --- (b), (c) OmegaT ---------------------------------------------------------------------
omegat_run() { # name tmx target_lang column
    local name=$1 tmxfile=$2 tlang=$3 col=$4 p="$work/omegat-$1"
    mkdir -p "$p"/{source,target,tm/auto,omegat,glossary,dictionary} "$work/omegat-cfg"
    cat >"$p/omegat.project" <<XML
<?xml version="1.0" encoding="UTF-8" standalone="no"?>
<omegat>
  <project version="1.0">
    <source_dir>__DEFAULT__</source_dir>
    <target_dir>__DEFAULT__</target_dir>
    <tm_dir>__DEFAULT__</tm_dir>
    <glossary_dir>__DEFAULT__</glossary_dir>
    <glossary_file>__DEFAULT__</glossary_file>
    <dictionary_dir>__DEFAULT__</dictionary_dir>
    <source_lang>EN</source_lang>
    <target_lang>$tlang</target_lang>
    <sentence_seg>false</sentence_seg>
    <support_default_translations>true</support_default_translations>
    <remove_tags>false</remove_tags>
  </project>
</omegat>
XML
    cp "$tmxfile" "$p/tm/auto/concord.tmx"
    # The English segments, one per paragraph (OmegaT's text filter splits on blank lines).
    python3 - "$work" "$p" <<'PY'
import json, sys
work, p = sys.argv[1], sys.argv[2]
pairs = json.load(open(f"{work}/pairs.json", encoding="utf-8"))
seen, lines = set(), []
for en, _, _ in pairs:
    if en not in seen:
        seen.add(en); lines.append(en)
lines.append("Read the joint statement & annex.")
lines.append("This sentence is not in the memory.")
open(f"{p}/source/source.txt", "w", encoding="utf-8").write("\n\n".join(lines) + "\n")
PY
    java -Djava.awt.headless=true -jar /usr/share/omegat/OmegaT.jar "$p" \
        --mode=console-translate --config-dir="$work/omegat-cfg" >"$p/omegat.log" 2>&1 || true
    if grep -q "TF_TM_LOAD_ERROR\|Exception" "$p/omegat.log"; then
        echo "  OmegaT log reports an error:"; grep -m3 "TF_TM_LOAD_ERROR\|Exception" "$p/omegat.log"
    fi
    python3 - "$work" "$p" "$col" "$name" <<'PY'
import json, sys
work, p, col, name = sys.argv[1], sys.argv[2], int(sys.argv[3]), sys.argv[4]
pairs = json.load(open(f"{work}/pairs.json", encoding="utf-8"))
expected = {}
for row in pairs:
    expected.setdefault(row[0], set()).add(row[col])
expected["Read the joint statement & annex."] = {
    ["", "공동성명 및 부속서를 읽으십시오.", "请阅读联合声明及附件。"][col]}
src = open(f"{p}/source/source.txt", encoding="utf-8").read().strip().split("\n\n")
try:
    tgt = open(f"{p}/target/source.txt", encoding="utf-8").read().strip().split("\n\n")
except FileNotFoundError:
    print(f"  {name}: OmegaT wrote no target file"); sys.exit(1)
filled = wrong = 0
for s, t in zip(src, tgt):
    if s not in expected:
        if t != s:
            print(f"  {name}: unexpected fill for {s!r}: {t!r}"); wrong += 1
        continue
    if t in expected[s]:
        filled += 1
    else:
        wrong += 1
        if wrong <= 5:
            print(f"  {name}: not filled or wrong: {s!r} -> {t!r}")
total = len(expected)
print(f"  {name}: {filled}/{total} exact matches filled, {wrong} wrong/missing")
sys.exit(0 if filled == total and wrong == 0 and len(src) == len(tgt) else 1)
PY
}

say "(b) OmegaT 3.6 console-translate, srclang=en export"
omegat_run en-ko "$work/export.tmx" KO 1 || fail=1
omegat_run en-zh "$work/export.tmx" ZH-CN 2 || fail=1
say "(c) OmegaT 3.6 console-translate, srclang=*all* export"
omegat_run all-en-ko "$work/export-all.tmx" KO 1 || fail=1

t1=$(date +%s)
say "time: $((t1 - t0)) s in all ($((t_tools - t0)) s installing tools)"
if [ $fail = 0 ]; then say "PASS"; else say "FAIL"; fi
exit $fail
