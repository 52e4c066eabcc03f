#!/usr/bin/env bash
# Do the TBX files that concord exports work in other tools? (Not run in CI: it installs
# OmegaT 3.6 from Debian and translate-toolkit from PyPI when they are missing.)
#
#   tests/interop/tbx_interop.sh [GLOSSARY.csv]
#
# GLOSSARY.csv: a canonical CSV glossary (default glossaries/diplomatic.csv). It is
# imported into a memory and exported with `glossary export --format tbx-martif` (TBX 2008)
# and `--format tbx` (TBX-Basic v3 DCA). Checks:
#  (a) translate-toolkit's translate.storage.tbx reads the martif export: one unit per
#      entry that has an English term, whose source is the entry's preferred English term
#      and whose target is its preferred Korean term; get_target_terms() lists every Korean
#      term with deprecated=True exactly for concord's forbidden variants;
#  (b) OmegaT 3.6's own TBX glossary reader (org.omegat.gui.glossary.GlossaryReaderTBX,
#      the class OmegaT uses for the files of a project's glossary/ folder), called on the
#      martif export for an EN→KO and an EN→ZH project, yields exactly the pairs
#      (English variant, target variant) that the glossary holds, where a target is every
#      language with the target's primary subtag (OmegaT's rule: a ZH-CN project also gets
#      the zh-Hant terms); OmegaT shows approved and forbidden variants alike (it has no
#      notion of status);
#  (c) what the same two readers do with the TBX-Basic v3 export (both predate TBX v3:
#      they are expected to refuse it; the script reports what they did).
# Exit 0 when (a) and (b) pass, 1 otherwise. Prints the time taken.
set -euo pipefail

source "$(dirname "$0")/common.sh"
interop_setup translate.storage.tbx
csv=${1:-$root/glossaries/diplomatic.csv}

say "glossary: $csv"
"$concord" --db "$work/m.db" glossary import "$csv"
"$concord" --db "$work/m.db" glossary export --format tbx-martif -o "$work/martif.tbx"
"$concord" --db "$work/m.db" glossary export --format tbx -o "$work/basic.tbx"
"$concord" --db "$work/m.db" --json glossary export >/dev/null
# The expected content, from concord's own canonical CSV export.
"$concord" --db "$work/m.db" glossary export -o "$work/g.csv"
python3 - "$work" <<'PY'
import csv, json, sys
work = sys.argv[1]
rows = list(csv.DictReader(open(f"{work}/g.csv", encoding="utf-8")))
split = lambda c: [v for v in (c or "").split("|") if v]
entries = [{k: split(v) for k, v in r.items()} for r in rows]
json.dump(entries, open(f"{work}/entries.json", "w"), ensure_ascii=False)
PY

fail=0

say "(a) translate-toolkit translate.storage.tbx on the martif export"
python3 - "$work" <<'PY' || fail=1
import json, sys
from translate.storage import tbx
work = sys.argv[1]
entries = json.load(open(f"{work}/entries.json", encoding="utf-8"))
store = tbx.tbxfile(open(f"{work}/martif.tbx", "rb").read(), sourcelanguage="en", targetlanguage="ko")
units = list(store.units)
want = [e for e in entries if e.get("en", []) or e.get("en:forbidden", [])]
bad = 0
for u, e in zip(units, want):
    src = (e.get("en", []) or e.get("en:forbidden", []))[0]
    tgt = (e.get("ko", []) or e.get("ko:forbidden", []) or [""])[0]
    terms = [(t.text, t.deprecated) for t in u.get_target_terms()]
    exp = [(t, False) for t in e.get("ko", [])] + [(t, True) for t in e.get("ko:forbidden", [])]
    if u.source != src or (u.target or "") != tgt or terms != exp:
        bad += 1
        if bad <= 5:
            print("  mismatch:", repr(u.source), repr(u.target), terms, "expected", src, tgt, exp)
print(f"  units read: {len(units)} (entries with an English term: {len(want)}); mismatches: {bad}")
sys.exit(0 if bad == 0 and len(units) == len(want) else 1)
PY

cat >"$work/ReadTbx.java" <<'JAVA'
import java.io.File;
import java.util.List;
import org.omegat.core.Core;
import org.omegat.core.data.NotLoadedProject;
import org.omegat.core.data.ProjectProperties;
import org.omegat.gui.glossary.GlossaryEntry;
import org.omegat.gui.glossary.GlossaryReaderTBX;

/** OmegaT's own TBX glossary reader, for a project with the given source/target languages. */
public class ReadTbx {
    public static void main(String[] a) throws Exception {
        final ProjectProperties props = new ProjectProperties(new File(a[0]));
        props.setSourceLanguage(a[1]);
        props.setTargetLanguage(a[2]);
        Core.setProject(new NotLoadedProject() {
            @Override
            public ProjectProperties getProjectProperties() { return props; }
        });
        List<GlossaryEntry> entries = GlossaryReaderTBX.read(new File(a[3]), false);
        for (GlossaryEntry e : entries) {
            System.out.println(e.getSrcText() + "\t" + e.getLocText());
        }
    }
}
JAVA
omegat_read() { # tbx source target out
    mkdir -p "$work/proj"
    java -Djava.awt.headless=true -cp /usr/share/omegat/OmegaT.jar "$work/ReadTbx.java" \
        "$work/proj" "$2" "$3" "$1" >"$4" 2>"$4.err"
}

say "(b) OmegaT 3.6 GlossaryReaderTBX on the martif export"
for pair in "KO ko" "ZH-CN zh"; do
    set -- $pair
    if ! omegat_read "$work/martif.tbx" EN "$1" "$work/omegat-$2.txt"; then
        echo "  EN-$1: OmegaT refused the file:"; grep -m3 -i "exception" "$work/omegat-$2.txt.err" | cut -c1-200
        fail=1; continue
    fi
    python3 - "$work" "$2" "$1" <<'PY' || fail=1
import json, sys
work, col, name = sys.argv[1], sys.argv[2], sys.argv[3]
entries = json.load(open(f"{work}/entries.json", encoding="utf-8"))
# OmegaT takes every langSet whose language has the target's primary subtag (a zh-CN
# project also gets the zh-Hant terms) and the source's (en-GB terms for en).
def variants(e, primary):
    return [v for k, vs in e.items() if k.split(":")[0].split("-")[0] == primary
            and k.split(":")[-1] in (k.split(":")[0], "forbidden") for v in vs]
want = set()
for e in entries:
    for s in variants(e, "en"):
        for t in variants(e, col):
            want.add((s, t))
got = set()
for line in open(f"{work}/omegat-{col}.txt", encoding="utf-8"):
    s, t = line.rstrip("\n").split("\t")
    got.add((s, t))
missing, extra = want - got, got - want
print(f"  EN-{name}: OmegaT read {len(got)} distinct pairs; expected {len(want)}; missing {len(missing)}, unexpected {len(extra)}")
for p in list(missing)[:3] + list(extra)[:3]:
    print("   ", p)
sys.exit(0 if not missing and not extra else 1)
PY
done

say "(c) the TBX-Basic v3 export in the same readers (both predate TBX v3)"
python3 - "$work" <<'PY' || true
import sys
from translate.storage import tbx
try:
    s = tbx.tbxfile(open(f"{sys.argv[1]}/basic.tbx", "rb").read(), sourcelanguage="en", targetlanguage="ko")
    print(f"  translate-toolkit: {len(list(s.units))} units")
except Exception as e:
    print(f"  translate-toolkit: refused ({type(e).__name__})")
PY
if omegat_read "$work/basic.tbx" EN KO "$work/omegat-v3.txt"; then
    echo "  OmegaT: $(wc -l <"$work/omegat-v3.txt") pairs"
else
    echo "  OmegaT: refused ($(grep -m1 -o 'unexpected element[^,]*' "$work/omegat-v3.txt.err" || echo 'see its log'))"
fi

t1=$(date +%s)
say "time: $((t1 - t0)) s in all ($((t_tools - t0)) s installing tools)"
if [ $fail = 0 ]; then say "PASS"; else say "FAIL"; fi
exit $fail
