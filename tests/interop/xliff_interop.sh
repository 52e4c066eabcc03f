#!/usr/bin/env bash
# Does the XLIFF that concord writes work in other tools, and does theirs work in
# concord? (Not run in CI: it installs OmegaT 3.6 from Debian and translate-toolkit from
# PyPI when they are missing.)
#
#   tests/interop/xliff_interop.sh
#
# A small EN/KO/ZH memory (ten diplomatic sentences and one unit with inline codes) is
# exported as XLIFF; then:
#  (a) translate-toolkit reads `concord export --format xliff` (translate.storage.xliff)
#      and `--format xliff2` (translate.storage.xliff2) with every source and target
#      right, every unit translated (XLIFF 1.2: approved; 2.0: state="translated");
#  (b) when this build has `concord pretranslate`: a document of the memory's English
#      sentences, one that differs only in a date, and new ones is pretranslated to
#      XLIFF 1.2 and 2.0, and translate-toolkit reads the expected targets and states
#      (exact matches translated, the adapted match with the new date left for review,
#      sentences the memory lacks without target);
#  (c) OmegaT 3.6 in console mode (--mode=console-translate) takes the XLIFF 1.2 file
#      (pretranslated when (b) ran, else the export) as a source file, with concord's TMX
#      in tm/auto/, writes the translated XLIFF, and its exported TMX
#      (PROJECT-omegat.tmx) imports into a new concord memory with the same EN/KO pairs
#      (OmegaT translates the text of <target>: the project runs KO→EN, see below);
#  (d) an XLIFF 1.2 written by translate-toolkit (translated, fuzzy and untranslated
#      units) imports into concord with the right counts; its XLIFF 2.0 (units without
#      the id XLIFF 2.0 requires) is refused with file and line.
# Exit 0 when every check passes, 1 otherwise. Prints figures and the time taken.
set -euo pipefail

source "$(dirname "$0")/common.sh"
interop_setup translate.storage.xliff2
fail=0

# --- the memory ------------------------------------------------------------------------
cat >"$work/m.tsv" <<'TSV'
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
cat >"$work/markup.tmx" <<'TMX'
<?xml version="1.0" encoding="UTF-8"?>
<tmx version="1.4"><header srclang="en" segtype="sentence" o-tmf="t" adminlang="en" datatype="plaintext" creationtool="t" creationtoolversion="1"/>
<body><tu>
<tuv xml:lang="en"><seg>Read the <bpt i="1" x="1">&lt;b&gt;</bpt>joint statement<ept i="1">&lt;/b&gt;</ept> &amp; annex.</seg></tuv>
<tuv xml:lang="ko"><seg><bpt i="1" x="1">&lt;b&gt;</bpt>공동성명<ept i="1">&lt;/b&gt;</ept> 및 부속서를 읽으십시오.</seg></tuv>
<tuv xml:lang="zh"><seg>请阅读<bpt i="1" x="1">&lt;b&gt;</bpt>联合声明<ept i="1">&lt;/b&gt;</ept>及附件。</seg></tuv>
</tu></body></tmx>
TMX
"$concord" --db "$work/m.db" import "$work/m.tsv" "$work/markup.tmx"
"$concord" --db "$work/m.db" export --format tmx -o "$work/m.tmx"
for v in xliff xliff2; do
    "$concord" --db "$work/m.db" export --format $v --from en --to ko -o "$work/en-ko.$v.xlf"
    "$concord" --db "$work/m.db" export --format $v --from en --to zh -o "$work/en-zh.$v.xlf"
done

# --- (a) translate-toolkit reads the export ------------------------------------------------
say "(a) translate-toolkit reads concord export --format xliff / xliff2"
python3 - "$work" <<'PY' || fail=1
import sys, csv
from translate.storage import xliff, xliff2
work = sys.argv[1]
rows = list(csv.reader(open(f"{work}/m.tsv", encoding="utf-8"), delimiter="\t"))[1:]
want = {"ko": {r[0]: r[1] for r in rows}, "zh": {r[0]: r[2] for r in rows}}
# ttk's text of a segment keeps the native code of 1.2 bpt/ept; 2.0 sc/ec have none.
bold = "Read the joint statement & annex."
bad = 0
for lang in ("ko", "zh"):
    for v, load in (("xliff", lambda p: xliff.xlifffile.parsefile(p)),
                    ("xliff2", lambda p: xliff2.Xliff2File.parsefile(p))):
        store = load(f"{work}/en-{lang}.{v}.xlf")
        units = [u for u in store.units if not u.isheader()]
        ok = translated = 0
        for u in units:
            src, tgt = str(u.source), str(u.target)
            flat = src.replace("<b>", "").replace("</b>", "")
            good = want[lang].get(src) == tgt or (flat == bold and ("공동성명" in tgt or "联合声明" in tgt))
            ok += good
            translated += u.istranslated()
            if not good:
                bad += 1
                print(f"  {v} en-{lang}: wrong {src!r} -> {tgt!r}")
        if translated != len(units):
            bad += 1
        print(f"  {v} en-{lang}: {len(units)} units read, {ok} right source/target, {translated} translated")
        if len(units) != len(rows) + 1:
            bad += 1
sys.exit(1 if bad else 0)
PY

# --- (b) pretranslated XLIFF ----------------------------------------------------------
omegat_source="$work/en-ko.xliff.xlf"
if "$concord" pretranslate --help >/dev/null 2>&1; then
    say "(b) translate-toolkit reads concord pretranslate output (XLIFF 1.2 and 2.0)"
    {
        cut -f1 "$work/m.tsv" | tail -n +2
        echo "The two foreign ministers met in Seoul on 19 March 2026."
        echo "The ambassador presented his credentials."
        echo "This sentence is not in the memory at all."
    } >"$work/doc.txt"
    "$concord" --db "$work/m.db" pretranslate "$work/doc.txt" --from en --to ko \
        --output-format xliff -o "$work/pre.xlf"
    "$concord" --db "$work/m.db" pretranslate "$work/doc.txt" --from en --to ko \
        --output-format xliff2 -o "$work/pre2.xlf"
    omegat_source="$work/pre.xlf"
    python3 - "$work" <<'PY' || fail=1
import sys, csv
from translate.storage import xliff, xliff2
work = sys.argv[1]
rows = list(csv.reader(open(f"{work}/m.tsv", encoding="utf-8"), delimiter="\t"))[1:]
want = {r[0]: r[1] for r in rows}
adapted_src = "The two foreign ministers met in Seoul on 19 March 2026."
bad = 0
for v, store in (("xliff", xliff.xlifffile.parsefile(f"{work}/pre.xlf")),
                 ("xliff2", xliff2.Xliff2File.parsefile(f"{work}/pre2.xlf"))):
    units = [u for u in store.units if not u.isheader()]
    # translate-toolkit's states: XLIFF 1.2 `state` → its scale (translated = 100,
    # needs-review-* = 80..82, needs-translation = 30, new = 1); XLIFF 2.0 istranslated().
    def translated(u):
        return u.get_state_n() >= 100 if v == "xliff" else u.istranslated()
    exact = adapted = new = approved = 0
    for u in units:
        src, tgt = str(u.source), str(u.target or "")
        if v == "xliff":
            approved += u.isapproved()
        if src in want:
            if tgt == want[src] and translated(u):
                exact += 1
            else:
                bad += 1
                print(f"  {v}: {src!r} -> {tgt!r} (translated={translated(u)})")
        elif src == adapted_src:
            # An adapted fuzzy match: the new date in the target, left for review.
            if "2026년 3월 19일" in tgt and not translated(u):
                adapted += 1
            else:
                bad += 1
                print(f"  {v}: adapted {src!r} -> {tgt!r} (translated={translated(u)})")
        else:
            if translated(u) or tgt.strip():
                bad += 1
                print(f"  {v}: {src!r} should be untranslated, got {tgt!r}")
            new += 1
    extra = f", {approved} approved" if v == "xliff" else ""
    print(f"  {v}: {len(units)} units; {exact} exact matches translated, {adapted} adapted "
          f"for review, {new} new without target{extra}")
    if len(units) != len(rows) + 3 or exact != len(rows) or adapted != 1:
        bad += 1
sys.exit(1 if bad else 0)
PY
else
    say "(b) skipped: this build has no concord pretranslate (the export is OmegaT's source below)"
fi

# --- (c) OmegaT 3.6 --------------------------------------------------------------------
# OmegaT's XLIFF filter keeps <source> intact and translates the text of <target> (it
# expects the source copied into the target, as Okapi prepares XLIFF for it). So with
# concord's EN→KO XLIFF as the source file, the project's source language is KO and its
# target EN: OmegaT fills each segment from concord's TMX in tm/auto/ (exact matches),
# writes the translated XLIFF, and exports its TMX, which goes back into concord.
say "(c) OmegaT 3.6 console-translate with concord's XLIFF as source file"
p="$work/omegat"
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
    <source_lang>KO</source_lang>
    <target_lang>EN</target_lang>
    <sentence_seg>false</sentence_seg>
    <support_default_translations>true</support_default_translations>
    <remove_tags>false</remove_tags>
  </project>
</omegat>
XML
cp "$omegat_source" "$p/source/doc.xlf"
cp "$work/m.tmx" "$p/tm/auto/concord.tmx"
java -Djava.awt.headless=true -jar /usr/share/omegat/OmegaT.jar "$p" \
    --mode=console-translate --config-dir="$work/omegat-cfg" >"$p/omegat.log" 2>&1 || true
if grep -q "Exception\|TF_TM_LOAD_ERROR" "$p/omegat.log"; then
    echo "  OmegaT log reports an error:"; grep -m3 "Exception\|TF_TM_LOAD_ERROR" "$p/omegat.log"; fail=1
fi
omt=$(ls "$p"/*-omegat.tmx 2>/dev/null | head -1 || true)
if [ ! -s "$p/target/doc.xlf" ] || [ -z "$omt" ]; then
    echo "  OmegaT wrote no translated XLIFF or no TMX"; fail=1
else
    "$concord" --db "$work/back.db" import "$omt"
    "$concord" --db "$work/back.db" export --format tsv --langs en,ko -o "$work/back.tsv"
    python3 - "$work" "$p" "$omt" "$omegat_source" <<'PY' || fail=1
import sys, csv
from translate.storage import xliff
work, p, omt, given = sys.argv[1:5]
rows = list(csv.reader(open(f"{work}/m.tsv", encoding="utf-8"), delimiter="\t"))[1:]
want = {(r[0], r[1]) for r in rows}
# The translated XLIFF: every unit OmegaT could fill has the English source back in its
# target (a sentence the memory lacks keeps what it had).
out = [u for u in xliff.xlifffile.parsefile(f"{p}/target/doc.xlf").units if not u.isheader()]
src = [u for u in xliff.xlifffile.parsefile(given).units if not u.isheader()]
filled = sum(1 for u in out if str(u.source) in {e for e, _ in want} and str(u.target) == str(u.source))
print(f"  OmegaT read {len(src)} trans-units, wrote {len(out)}; "
      f"{filled}/{len(want)} filled from concord's TMX (target = English source)")
back = list(csv.reader(open(f"{work}/back.tsv", encoding="utf-8"), delimiter="\t"))
head = back[0]
ie, ik = head.index("en"), head.index("ko")
got = {(r[ie], r[ik]) for r in back[1:]}
print(f"  {omt.split('/')[-1]} → concord import: {len(got)} EN/KO units; "
      f"{len(want & got)}/{len(want)} memory pairs identical")
for m in sorted(want - got)[:5]:
    print("  missing:", m)
sys.exit(0 if want <= got and filled == len(want) and len(out) == len(src) else 1)
PY
fi

# --- (d) translate-toolkit-written XLIFF into concord -------------------------------------
say "(d) XLIFF written by translate-toolkit imports into concord"
python3 - "$work" <<'PY'
import sys
from translate.storage import xliff
work = sys.argv[1]
store = xliff.xlifffile(sourcelanguage="en", targetlanguage="ko")
def add(src, tgt, approved=True, fuzzy=False):
    u = store.addsourceunit(src)
    if tgt is not None:
        u.target = tgt
    if fuzzy:
        u.markfuzzy(True)
    elif tgt:
        u.markapproved(approved)
    return u
add("The talks ended.", "회담이 끝났다.")
add("Peace and stability.", "평화와 안정.")
add("Press <b>Save</b> now.", "지금 <b>저장</b>을 누르십시오.")
add("A fuzzy one.", "퍼지 번역.", fuzzy=True)
add("Not translated yet.", None)
open(f"{work}/ttk.xlf", "wb").write(bytes(store))
PY
out=$("$concord" --db "$work/ttk.db" --json import "$work/ttk.xlf")
echo "  concord import --json: $out"
python3 - "$out" <<'PY' || fail=1
import json, sys
r = json.loads(sys.argv[1])
want = {"added": 3, "untranslated": 2}
got = {k: r[k] for k in want}
print(f"  ttk.xlf: added {got['added']} (want 3), untranslated {got['untranslated']} (want 2: fuzzy and empty)")
sys.exit(0 if got == want else 1)
PY

# translate-toolkit 3.20's XLIFF 2.0 writer leaves out the <unit id> that XLIFF 2.0
# requires (and writes translated targets without state, which means initial): concord
# refuses such a file with its line, as it refuses any invalid XLIFF 2.0.
python3 - "$work" <<'PY'
import sys
from translate.storage import xliff2
work = sys.argv[1]
s = xliff2.Xliff2File()
s.setsourcelanguage("en")
s.settargetlanguage("ko")
u = s.addsourceunit("The talks ended.")
u.target = "회담이 끝났다."
open(f"{work}/ttk2.xlf", "wb").write(bytes(s))
PY
if out=$("$concord" --db "$work/ttk2.db" import "$work/ttk2.xlf" 2>&1); then
    echo "  ttk2.xlf (XLIFF 2.0 without unit ids) was accepted: $out"; fail=1
else
    echo "  ttk2.xlf (XLIFF 2.0 written by translate-toolkit) refused: $out"
    case $out in *ttk2.xlf:4:*"without id"*) ;; *) fail=1 ;; esac
fi

t1=$(date +%s)
say "time: $((t1 - t0)) s in all ($((t_tools - t0)) s installing tools)"
if [ $fail = 0 ]; then say "PASS"; else say "FAIL"; fi
exit $fail
