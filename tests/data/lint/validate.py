#!/usr/bin/env python3
"""Sanity checks for the concord lint test data in this folder.

Usage: python3 tests/data/lint/validate.py

Checks file format (UTF-8, no BOM, LF, final newline, NFC, column counts),
that correct/seeded files line up, that expected.tsv is well formed, and runs
a small reference re-implementation of the lint rules: the correct files must
produce no finding, and each seeded row must produce exactly its expected rule.
Optional: if the `hanzidentifier` package is installed, Traditional Chinese
detection uses it; otherwise a small built-in list of Traditional-only
characters is used.
"""
import csv
import os
import re
import sys
import unicodedata
from collections import Counter, defaultdict

HERE = os.path.dirname(os.path.abspath(__file__))
RULES = ['term-missing', 'term-forbidden', 'term-inconsistent', 'segment-inconsistent',
         'number-mismatch', 'untranslated', 'empty-target', 'wrong-script',
         'punctuation', 'whitespace', 'tag-mismatch']
GLOSSARY_HEADER = ['id', 'en', 'ko', 'zh', 'en:forbidden', 'ko:forbidden', 'zh:forbidden',
                   'note', 'domain', 'case', 'strict']
errors = []


def err(msg):
    errors.append(msg)


def read_text(name):
    raw = open(os.path.join(HERE, name), 'rb').read()
    if raw.startswith(b'\xef\xbb\xbf'):
        err(f'{name}: BOM')
    if b'\r' in raw:
        err(f'{name}: CR found')
    if not raw.endswith(b'\n') or raw.endswith(b'\n\n'):
        err(f'{name}: must end with exactly one LF')
    text = raw.decode('utf-8')
    if not unicodedata.is_normalized('NFC', text):
        err(f'{name}: not NFC')
    return text


def read_tsv(name, header):
    lines = read_text(name).split('\n')[:-1]
    if lines[0].split('\t') != header:
        err(f'{name}: header {lines[0]!r} != {header}')
    rows = []
    for i, line in enumerate(lines[1:], 1):
        cells = line.split('\t')
        if len(cells) != len(header):
            err(f'{name}: row {i} has {len(cells)} cells')
        rows.append(cells)
    return rows


# ---------------------------------------------------------------- glossary
def load_glossary():
    text = read_text('glossary.csv')
    rdr = list(csv.reader(text.splitlines()))
    if rdr[0] != GLOSSARY_HEADER:
        err(f'glossary.csv: header {rdr[0]}')
    entries = []
    ids = set()
    for n, r in enumerate(rdr[1:], 2):
        if len(r) != len(GLOSSARY_HEADER):
            err(f'glossary.csv line {n}: {len(r)} columns')
            continue
        d = dict(zip(GLOSSARY_HEADER, r))
        if d['id'] in ids:
            err(f'glossary.csv: duplicate id {d["id"]}')
        ids.add(d['id'])
        if d['case'] not in ('', 'sensitive') or d['strict'] not in ('', 'ko'):
            err(f'glossary.csv: bad case/strict in {d["id"]}')
        for k in ('en', 'ko', 'zh', 'en:forbidden', 'ko:forbidden', 'zh:forbidden'):
            d[k] = [v for v in d[k].split('|') if v] if d[k] else []
        for k in ('en', 'ko', 'zh'):
            if not d[k]:
                err(f'glossary.csv: {d["id"]} has no {k}')
        entries.append(d)
    return entries


def en_matches(src, entries):
    """Leftmost-longest, non-overlapping matches of English terms (plural/possessive allowed)."""
    cands = []
    for e in entries:
        flags = 0 if e['case'] == 'sensitive' else re.IGNORECASE
        for v in e['en']:
            pat = r'(?<![A-Za-z0-9])' + re.escape(v) + r"(?:s|es)?(?:'s|’s|')?(?![A-Za-z0-9])"
            for m in re.finditer(pat, src, flags):
                cands.append((m.start(), -(m.end() - m.start()), m.end(), e['id']))
    cands.sort()
    chosen, last_end = [], -1
    for start, _neg, end, eid in cands:
        if start >= last_end:
            chosen.append(eid)
            last_end = end
    return chosen


KO_PARTICLES = ['에서의', '에게서', '으로서', '으로써', '에서', '에게', '으로', '와의', '과의', '께서', '부터',
                '까지', '처럼', '보다', '이다', '이며', '들', '은', '는', '이', '가', '을', '를', '의', '에', '와',
                '과', '로', '도', '만']


def is_hangul(ch):
    return '\uac00' <= ch <= '\ud7a3' or '\u1100' <= ch <= '\u11ff' or '\u3130' <= ch <= '\u318f'


def tgt_spans(tgt, variants, strict):
    spans = []
    for v in variants:
        for m in re.finditer(re.escape(v), tgt):
            if strict:
                rest = tgt[m.end():]
                if rest and is_hangul(rest[0]) and not any(rest.startswith(p) for p in KO_PARTICLES):
                    continue
            spans.append((m.start(), m.end(), v))
    return spans


def tgt_longest(tgt, entries, lang):
    """Leftmost-longest approved-variant matches in the target: list of (start, end, entry id, variant)."""
    cands = []
    for e in entries:
        for s, t, v in tgt_spans(tgt, e[lang], lang == 'ko' and e['strict'] == 'ko'):
            cands.append((s, -(t - s), t, e['id'], v))
    cands.sort()
    out, last = [], -1
    for s, _n, t, eid, v in cands:
        if s >= last:
            out.append((s, t, eid, v))
            last = t
    return out


# ---------------------------------------------------------------- numbers
MONTHS = {m: i for i, m in enumerate(['january', 'february', 'march', 'april', 'may', 'june', 'july',
                                      'august', 'september', 'october', 'november', 'december'], 1)}
PLACEHOLDER = re.compile(r'\{\d+\}|%[sd]')
NUM = r'\d+(?:,\d{3})*(?:\.\d+)?'


def numbers(text, lang):
    text = PLACEHOLDER.sub(' ', text)
    vals = []
    # abbreviated year ranges: 1950-53 / 1950~53
    def expand(m):
        a, b = m.group(1), m.group(2)
        vals.extend([float(a), float(a[:2] + b)])
        return ' '
    text = re.sub(r'(\d{4})\s*[-~–—]\s*(\d{2})(?!\d)', expand, text)
    if lang == 'en':
        mult = {'million': 1e6, 'billion': 1e9, 'thousand': 1e3}
        for m in re.finditer(NUM + r'(?:\s+(million|billion|thousand))?', text):
            num = float(re.match(NUM, m.group(0)).group(0).replace(',', ''))
            vals.append(num * mult.get(m.group(1), 1))
        # month names count only when capitalized ("may" the verb is not May)
        for m in re.finditer(r'\b(' + '|'.join(k.capitalize() for k in MONTHS) + r')\b', text):
            vals.append(float(MONTHS[m.group(1).lower()]))
    else:
        mult = {'만': 1e4, '억': 1e8, '천': 1e3, '万': 1e4, '亿': 1e8, '千': 1e3}
        for m in re.finditer(NUM + r'([만억천万亿千])?', text):
            num = float(re.match(NUM, m.group(0)).group(0).replace(',', ''))
            vals.append(num * mult.get(m.group(1), 1))
    return Counter(round(v, 6) for v in vals)


# ---------------------------------------------------------------- scripts
TRAD_FALLBACK = set('國會談關係發與這進將經濟協議舉際時東區對話說開為們門問題點變當體無後來長員難屬節評論雙間見認識總統韓鮮執聯邊')
try:
    import hanzidentifier as _hz

    def is_trad_only(ch):
        return _hz.identify(ch) == _hz.TRADITIONAL
except ImportError:  # pragma: no cover
    def is_trad_only(ch):
        return ch in TRAD_FALLBACK


def is_cjk(ch):
    return '\u4e00' <= ch <= '\u9fff' or '\u3400' <= ch <= '\u4dbf' or '\uf900' <= ch <= '\ufaff'


PAIRS = [('(', ')'), ('[', ']'), ('“', '”'), ('‘', '’'), ('（', '）'), ('《', '》'), ('「', '」'), ('【', '】')]


def balanced(t):
    for a, b in PAIRS:
        depth = 0
        for ch in t:
            if ch == a:
                depth += 1
            elif ch == b:
                depth -= 1
                if depth < 0:
                    return False
        if depth:
            return False
    return t.count('"') % 2 == 0


# ---------------------------------------------------------------- the reference lint
def lint(rows, lang, entries):
    """rows: list of (src, tgt). Returns {row_number: set(rules)}."""
    by_id = {e['id']: e for e in entries}
    found = defaultdict(set)
    src_terms = [en_matches(s, entries) for s, _ in rows]
    # majority variant per entry (over rows where the entry occurs in the source)
    usage = defaultdict(Counter)
    row_usage = {}
    for i, (s, t) in enumerate(rows):
        ids = set(src_terms[i])
        used = defaultdict(set)
        for _s, _t, eid, v in tgt_longest(t, entries, lang):
            if eid in ids:
                used[eid].add(v)
        row_usage[i] = used
        for eid, vs in used.items():
            for v in vs:
                usage[eid][v] += 1
    first_tgt = {}
    for i, (s, t) in enumerate(rows):
        n = i + 1
        f = found[n]
        if t.strip() == '':
            f.add('empty-target')
            continue
        if t.strip() == s.strip():
            f.add('untranslated')
            continue
        # segment consistency
        if s in first_tgt and first_tgt[s] != t:
            f.add('segment-inconsistent')
        first_tgt.setdefault(s, t)
        # script
        has_hangul = any(is_hangul(c) for c in t)
        if lang == 'ko' and any(is_cjk(c) for c in t) and not has_hangul:
            f.add('wrong-script')
            continue
        if lang == 'zh' and (has_hangul or any(is_cjk(c) and is_trad_only(c) for c in t)):
            f.add('wrong-script')
        # terms
        spans = tgt_longest(t, entries, lang)
        for eid in set(src_terms[i]):
            e = by_id[eid]
            if not any(x[2] == eid for x in spans):
                forb = any(v in t for v in e[lang + ':forbidden'])
                if not forb:
                    f.add('term-missing')
        for e in entries:
            for fv in e[lang + ':forbidden']:
                for m in re.finditer(re.escape(fv), t):
                    inside = any(s0 <= m.start() and m.end() <= t0 and (t0 - s0) > len(fv)
                                 for s0, t0, _e, _v in spans)
                    if not inside:
                        f.add('term-forbidden')
        for eid, vs in row_usage[i].items():
            c = usage[eid]
            if len(c) > 1:
                top, topn = c.most_common(1)[0]
                if any(v != top for v in vs) and all(c[v] < topn for v in vs):
                    f.add('term-inconsistent')
        # numbers
        if numbers(s, 'en') != numbers(t, lang):
            f.add('number-mismatch')
        # tags
        if Counter(PLACEHOLDER.findall(s)) != Counter(PLACEHOLDER.findall(t)):
            f.add('tag-mismatch')
        # punctuation
        if lang == 'zh' and re.search(r'[\u4e00-\u9fff][,.;:?!][\u4e00-\u9fff]', t):
            f.add('punctuation')
        if lang == 'ko' and '。' in t:
            f.add('punctuation')
        if not balanced(t):
            f.add('punctuation')
        end_s = bool(re.search(r'[.?!]$', s.rstrip()))
        end_t = bool(re.search(r'[.?!。？！]$', t.rstrip()))
        if end_s != end_t:
            f.add('punctuation')
        # whitespace
        if '  ' in t or t != t.strip() or (lang == 'zh' and re.search(r'[\u4e00-\u9fff]\s+[\u4e00-\u9fff]', t)):
            f.add('whitespace')
    return {k: v for k, v in found.items() if v}


def main():
    entries = load_glossary()
    print(f'glossary.csv: {len(entries)} entries')
    summary = []
    for lang in ('ko', 'zh'):
        correct = read_tsv(f'en-{lang}.correct.tsv', ['en', lang])
        seeded = read_tsv(f'en-{lang}.seeded.tsv', ['en', lang])
        expected = read_tsv(f'en-{lang}.expected.tsv', ['row', 'rule', 'note'])
        if len(correct) != len(seeded):
            err(f'{lang}: correct has {len(correct)} rows, seeded {len(seeded)}')
        for i, (c, s) in enumerate(zip(correct, seeded), 1):
            if c[0] != s[0]:
                err(f'{lang}: source of row {i} differs between correct and seeded')
            if c[1] == s[1]:
                err(f'{lang}: row {i} target not changed in seeded file')
        exp = {}
        for r in expected:
            n = int(r[0])
            if not 1 <= n <= len(seeded):
                err(f'{lang}: expected row {n} out of range')
            if r[1] not in RULES:
                err(f'{lang}: unknown rule {r[1]}')
            if n in exp:
                err(f'{lang}: row {n} listed twice in expected')
            exp[n] = r[1]
        missing = set(range(1, len(seeded) + 1)) - set(exp)
        if missing:
            err(f'{lang}: rows without a seeded error: {sorted(missing)}')
        counts = Counter(exp.values())
        for rule in RULES:
            if counts[rule] < 3:
                err(f'{lang}: rule {rule} only {counts[rule]} times')
        # zh correct rows must not use Chinese numerals that a number parser could read
        if lang == 'zh':
            terms = sorted({v for e in entries for v in e['zh']}, key=len, reverse=True)
            for i, c in enumerate(correct, 1):
                masked = c[1]
                for v in terms:  # numerals inside glossary terms (统一部) are not numbers
                    masked = masked.replace(v, ' ')
                bad = [ch for ch in masked if ch in '一二三四五六七八九十两百千']
                if bad:
                    print(f'  note: zh correct row {i} contains numeral characters {bad}')
        # reference lint
        fc = lint([tuple(c) for c in correct], lang, entries)
        for n, rules in sorted(fc.items()):
            err(f'{lang}: correct row {n} flagged {sorted(rules)}: {correct[n - 1][1]}')
        fs = lint([tuple(s) for s in seeded], lang, entries)
        for n in range(1, len(seeded) + 1):
            got = fs.get(n, set())
            if exp.get(n) not in got:
                err(f'{lang}: seeded row {n} expected {exp.get(n)}, reference lint found {sorted(got)}')
            elif got != {exp[n]}:
                err(f'{lang}: seeded row {n} expected only {exp[n]}, reference lint found {sorted(got)}')
        summary.append((lang, len(correct), counts))
    for lang, n, counts in summary:
        print(f'en-{lang}: {n} rows; ' + ', '.join(f'{r}={counts[r]}' for r in RULES))
    if errors:
        print(f'{len(errors)} problem(s):')
        for e in errors:
            print('  ' + e)
        return 1
    print('OK')
    return 0


if __name__ == '__main__':
    sys.exit(main())
