// concord's page: match, concordance, glossary terms, lint, glossary browser.
// Plain JavaScript, no framework, no outside requests: everything comes from this server.
"use strict";

const T = {
  en: {
    skip: "Skip to content", tagline: "Translation memory, glossary and QA for English, Korean and Chinese",
    uilang: "Interface", tabMatch: "Match", tabSearch: "Concordance", tabLint: "Lint a draft", tabGlossary: "Glossary",
    sentence: "Sentence", sentenceHint: "Type or paste a sentence in English, Korean or Chinese, then press Enter",
    minScore: "Minimum score", find: "Find matches",
    matchKeys: "Enter searches · ↑ ↓ move between matches · C copies the translation · 1 2 3 copy the first, second, third language",
    matches: "Matches", termsFound: "Glossary terms in this sentence", phrase: "Word or phrase",
    phraseHint: "e.g. 한반도, 朝鲜, Korean Peninsula", language: "Language", anyLang: "any", search: "Search",
    from: "From", to: "To", sourceLines: "Source, one segment per line", targetLines: "Translation, one segment per line",
    orFile: "Or a file (TSV, CSV, XLIFF, TMX)", lint: "Lint this draft", lintKeys: "Ctrl+Enter lints",
    glossarySearch: "Search the glossary", glossaryHint: "a term in any language, an id, a note",
    id: "Id", note: "Note", more: "More", tokenAsk: "This server needs an access token", ok: "OK",
    searching: "Searching…", nMatches: (n, l) => `${n} match${n === 1 ? "" : "es"} (from ${l})`,
    noMatch: "No match at this score.", nHits: n => `${n} hit${n === 1 ? "" : "s"}`, noHits: "No segment contains this.",
    noTerms: "No glossary term found.", approved: "approved", forbidden: "forbidden", useInstead: "use",
    copy: "Copy", copied: "Copied", origin: "origin", score: "score", unit: "unit",
    nFindings: (n, s) => `${n} finding${n === 1 ? "" : "s"} in ${s} segment${s === 1 ? "" : "s"}`,
    noFindings: s => `No findings in ${s} segment${s === 1 ? "" : "s"}.`, suggestion: "suggestion", segment: "segment",
    needText: "Paste the source and the translation, or choose a file.", nEntries: (n, t) => `${n} of ${t} entries`,
    error: "Error", avoid: "avoid",
  },
  ko: {
    skip: "본문으로 건너뛰기", tagline: "영어·한국어·중국어 번역 메모리, 용어집, 품질 검사",
    uilang: "화면 언어", tabMatch: "유사 문장", tabSearch: "용례 검색", tabLint: "번역 검사", tabGlossary: "용어집",
    sentence: "문장", sentenceHint: "영어, 한국어 또는 중국어 문장을 입력하거나 붙여 넣고 Enter를 누르세요",
    minScore: "최소 점수", find: "유사 문장 찾기",
    matchKeys: "Enter 검색 · ↑ ↓ 결과 이동 · C 번역문 복사 · 1 2 3 첫째·둘째·셋째 언어 복사",
    matches: "유사 문장", termsFound: "이 문장의 용어", phrase: "단어 또는 구",
    phraseHint: "예: 한반도, 朝鲜, Korean Peninsula", language: "언어", anyLang: "전체", search: "검색",
    from: "원문 언어", to: "번역 언어", sourceLines: "원문 (한 줄에 한 문장)", targetLines: "번역문 (한 줄에 한 문장)",
    orFile: "또는 파일 (TSV, CSV, XLIFF, TMX)", lint: "번역 검사하기", lintKeys: "Ctrl+Enter로 검사",
    glossarySearch: "용어집 검색", glossaryHint: "아무 언어의 용어, ID, 메모",
    id: "ID", note: "메모", more: "더 보기", tokenAsk: "이 서버는 접근 토큰이 필요합니다", ok: "확인",
    searching: "검색 중…", nMatches: (n, l) => `유사 문장 ${n}개 (${l} 기준)`,
    noMatch: "이 점수 이상의 유사 문장이 없습니다.", nHits: n => `${n}건`, noHits: "이 표현이 들어간 문장이 없습니다.",
    noTerms: "용어집 용어가 없습니다.", approved: "승인", forbidden: "금지", useInstead: "대신",
    copy: "복사", copied: "복사됨", origin: "출처", score: "점수", unit: "단위",
    nFindings: (n, s) => `${s}개 문장에서 ${n}건 발견`, noFindings: s => `${s}개 문장에서 문제가 없습니다.`,
    suggestion: "제안", segment: "문장", needText: "원문과 번역문을 붙여 넣거나 파일을 고르세요.",
    nEntries: (n, t) => `${t}개 중 ${n}개 항목`, error: "오류", avoid: "금지",
  },
  zh: {
    skip: "跳到正文", tagline: "英、韩、中文翻译记忆库、术语表与质量检查",
    uilang: "界面语言", tabMatch: "匹配", tabSearch: "语境检索", tabLint: "译文检查", tabGlossary: "术语表",
    sentence: "句子", sentenceHint: "输入或粘贴英文、韩文或中文句子，然后按 Enter",
    minScore: "最低分数", find: "查找匹配",
    matchKeys: "Enter 检索 · ↑ ↓ 在结果间移动 · C 复制译文 · 1 2 3 复制第一、二、三种语言",
    matches: "匹配结果", termsFound: "本句中的术语", phrase: "词或短语",
    phraseHint: "例如：한반도、朝鲜、Korean Peninsula", language: "语言", anyLang: "全部", search: "检索",
    from: "源语言", to: "目标语言", sourceLines: "原文（每行一句）", targetLines: "译文（每行一句）",
    orFile: "或上传文件（TSV、CSV、XLIFF、TMX）", lint: "检查此译文", lintKeys: "Ctrl+Enter 检查",
    glossarySearch: "搜索术语表", glossaryHint: "任意语言的术语、编号或备注",
    id: "编号", note: "备注", more: "更多", tokenAsk: "此服务器需要访问令牌", ok: "确定",
    searching: "检索中…", nMatches: (n, l) => `${n} 条匹配（源语言 ${l}）`,
    noMatch: "没有达到此分数的匹配。", nHits: n => `${n} 条结果`, noHits: "没有包含此内容的句子。",
    noTerms: "未发现术语。", approved: "推荐", forbidden: "禁用", useInstead: "应作",
    copy: "复制", copied: "已复制", origin: "来源", score: "分数", unit: "单元",
    nFindings: (n, s) => `${s} 个句段中发现 ${n} 个问题`, noFindings: s => `${s} 个句段中未发现问题。`,
    suggestion: "建议", segment: "句段", needText: "请粘贴原文和译文，或选择文件。",
    nEntries: (n, t) => `共 ${t} 条，显示 ${n} 条`, error: "错误", avoid: "禁用",
  },
};

let ui = "en";
const $ = id => document.getElementById(id);
const t = (key, ...args) => {
  const v = (T[ui] && T[ui][key]) || T.en[key];
  return typeof v === "function" ? v(...args) : v;
};

function pickLanguage() {
  const saved = localStorage.getItem("concord.ui");
  if (saved && T[saved]) return saved;
  for (const l of navigator.languages || [navigator.language || "en"]) {
    const p = l.toLowerCase().slice(0, 2);
    if (T[p]) return p;
  }
  return "en";
}

function applyLanguage(lang) {
  ui = lang;
  document.documentElement.lang = lang === "zh" ? "zh-Hans" : lang;
  $("uilang").value = lang;
  for (const el of document.querySelectorAll("[data-i18n]")) el.textContent = t(el.dataset.i18n);
  for (const el of document.querySelectorAll("[data-i18n-placeholder]")) el.placeholder = t(el.dataset.i18nPlaceholder);
}

// --- HTTP -----------------------------------------------------------------------------

async function api(path, options = {}) {
  const headers = Object.assign({}, options.headers || {});
  const token = sessionStorage.getItem("concord.token");
  if (token) headers.Authorization = "Bearer " + token;
  const res = await fetch(path, Object.assign({}, options, { headers }));
  if (res.status === 401 && !options.retried) {
    const tok = await askToken();
    if (tok) return api(path, Object.assign({}, options, { retried: true }));
  }
  const body = await res.json().catch(() => null);
  if (!res.ok) {
    const e = (body && body.error) || { code: "internal", message: res.statusText };
    const pos = e.position && e.position.line ? ` (${e.position.line}${e.position.column ? ":" + e.position.column : ""})` : "";
    throw new Error(e.message + pos);
  }
  return body;
}

function askToken() {
  return new Promise(resolve => {
    const d = $("token-dialog");
    d.addEventListener("close", () => {
      const v = $("token-input").value.trim();
      if (v) sessionStorage.setItem("concord.token", v);
      resolve(v);
    }, { once: true });
    d.showModal();
  });
}

const qs = o => new URLSearchParams(Object.entries(o).filter(([, v]) => v !== "" && v != null)).toString();

function el(tag, attrs = {}, ...children) {
  const e = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs)) {
    if (k === "class") e.className = v;
    else if (k === "text") e.textContent = v;
    else e.setAttribute(k, v);
  }
  for (const c of children) if (c != null) e.append(c);
  return e;
}

function status(id, text, isError) {
  const s = $(id);
  s.textContent = text;
  s.classList.toggle("error", !!isError);
}

// Text with [start, end) character spans wrapped in <mark> (offsets in code points).
function marked(text, spans, cls, titles) {
  const chars = Array.from(text);
  const frag = document.createDocumentFragment();
  let pos = 0;
  spans.forEach(([a, b], i) => {
    if (a < pos) return;
    frag.append(chars.slice(pos, a).join(""));
    const m = el("mark", cls ? { class: cls } : {}, chars.slice(a, b).join(""));
    if (titles && titles[i]) m.title = titles[i];
    frag.append(m);
    pos = b;
  });
  frag.append(chars.slice(pos).join(""));
  return frag;
}

async function copyText(text, button) {
  try {
    await navigator.clipboard.writeText(text);
  } catch (_) {
    const ta = el("textarea", {}, text);
    document.body.append(ta);
    ta.select();
    document.execCommand("copy");
    ta.remove();
  }
  if (button) {
    button.textContent = t("copied");
    setTimeout(() => { button.textContent = t("copy"); }, 1200);
  }
  status("match-status", t("copied") + ": " + text);
}

// Arrow keys move between the items of a result list.
function listKeys(list) {
  list.addEventListener("keydown", e => {
    const items = Array.from(list.children);
    const i = items.indexOf(document.activeElement);
    if (i < 0) return;
    if (e.key === "ArrowDown" && i + 1 < items.length) { items[i + 1].focus(); e.preventDefault(); }
    if (e.key === "ArrowUp") { (i > 0 ? items[i - 1] : list.closest("section").querySelector("textarea, input")).focus(); e.preventDefault(); }
  });
}

// --- Match and terms ------------------------------------------------------------------

async function runMatch() {
  const q = $("match-q").value.trim();
  if (!q) return;
  status("match-status", t("searching"));
  const list = $("match-list");
  try {
    const [m, terms] = await Promise.all([
      api("/v1/match?" + qs({ q, min_score: $("match-min").value, details: true, limit: 5 })),
      api("/v1/terms?" + qs({ text: q, forbidden: true })).catch(() => ({ hits: [] })),
    ]);
    list.replaceChildren();
    m.matches.forEach((x, i) => list.append(matchItem(x, m.details[i] || {})));
    status("match-status", m.matches.length ? t("nMatches", m.matches.length, m.from) : t("noMatch"));
    showTerms(terms.hits);
  } catch (e) {
    list.replaceChildren();
    $("term-list").replaceChildren();
    status("match-status", t("error") + ": " + e.message, true);
  }
}

function matchItem(m, d) {
  const li = el("li", { tabindex: "0", class: "match" });
  li.dataset.translations = JSON.stringify(Object.values(m.targets));
  const score = el("span", { class: "score" + (m.score < 80 ? " low" : ""), title: t("score") }, m.score.toFixed(1));
  const src = el("div", { class: "src" });
  for (const p of d.diff || [{ kind: "same", text: m.source }]) {
    if (p.kind === "same") src.append(p.text);
    else if (p.kind === "stored") src.append(el("del", {}, p.text));
    else src.append(el("ins", {}, p.text));
  }
  const dl = el("dl", { class: "tr" });
  for (const [lang, text] of Object.entries(m.targets)) {
    const b = el("button", { type: "button", class: "copy", tabindex: "-1" }, t("copy"));
    b.addEventListener("click", () => copyText(text, b));
    dl.append(el("dt", {}, lang), el("dd", { lang }, text), el("dd", {}, b));
  }
  const meta = el("div", { class: "origin" }, `${t("unit")} #${m.id}` + (d.origin ? ` · ${t("origin")} ${d.origin}` : "") + (d.date ? ` · ${d.date}` : ""));
  li.append(el("div", {}, score, src), dl, meta);
  li.addEventListener("keydown", e => {
    if (e.ctrlKey || e.metaKey || e.altKey) return;
    const texts = JSON.parse(li.dataset.translations);
    let n = -1;
    if (e.key === "c" || e.key === "C") n = 0;
    else if (/^[1-9]$/.test(e.key)) n = Number(e.key) - 1;
    if (n >= 0 && texts[n] != null) { copyText(texts[n], li.querySelectorAll(".copy")[n]); e.preventDefault(); }
  });
  return li;
}

function showTerms(hits) {
  const ul = $("term-list");
  ul.replaceChildren();
  if (!hits.length) { ul.append(el("li", { class: "none" }, t("noTerms"))); return; }
  for (const h of hits) {
    const li = el("li", { class: h.forbidden ? "forbidden" : "" });
    const head = el("div", {}, el("strong", {}, h.matched));
    head.append(el("span", { class: "badge " + (h.forbidden ? "bad" : "ok") }, h.forbidden ? t("forbidden") : t("approved")));
    if (h.use_instead) head.append(" → ", el("span", { class: "suggest" }, `${t("useInstead")} ${h.use_instead}`));
    li.append(head);
    const dl = el("dl", { class: "tr" });
    const langs = new Set([...Object.keys(h.translations), ...Object.keys(h.avoid || {})]);
    for (const lang of langs) {
      const dd = el("dd", { lang });
      (h.translations[lang] || []).forEach((v, i) => { if (i) dd.append(" | "); dd.append(el("span", { class: i ? "alt" : "pref" }, v)); });
      for (const v of (h.avoid || {})[lang] || []) dd.append(" ", el("span", { class: "avoid", title: t("avoid") }, v));
      dl.append(el("dt", {}, lang), dd, el("dd"));
    }
    li.append(dl);
    if (h.note) li.append(el("div", { class: "origin" }, h.note));
    ul.append(li);
  }
}

// --- Concordance ----------------------------------------------------------------------

async function runSearch() {
  const q = $("search-q").value.trim();
  if (!q) return;
  status("search-status", t("searching"));
  const list = $("search-list");
  try {
    const r = await api("/v1/search?" + qs({ q, lang: $("search-lang").value, limit: 50 }));
    list.replaceChildren();
    for (const h of r.hits) {
      const li = el("li", { tabindex: "0" });
      li.append(el("div", { class: "unit-id" }, `#${h.id} · ${h.lang}`), el("div", { class: "src", lang: h.lang }, marked(h.text, h.spans)));
      const dl = el("dl", { class: "tr" });
      for (const [lang, text] of Object.entries(h.others)) dl.append(el("dt", {}, lang), el("dd", { lang }, text), el("dd"));
      li.append(dl);
      list.append(li);
    }
    status("search-status", r.hits.length ? t("nHits", r.hits.length) : t("noHits"));
  } catch (e) {
    list.replaceChildren();
    status("search-status", t("error") + ": " + e.message, true);
  }
}

// --- Lint -----------------------------------------------------------------------------

let lintFile = null;

async function runLint() {
  const from = $("lint-from").value, to = $("lint-to").value;
  let body;
  if (lintFile) {
    // A file names its languages; a plain text file takes them from the selects.
    body = /\.txt$/i.test(lintFile.name) ? { content: lintFile.text, name: lintFile.name, from, to } : { content: lintFile.text, name: lintFile.name };
  } else {
    const src = $("lint-source").value.split(/\r?\n/), tgt = $("lint-target").value.split(/\r?\n/);
    while (src.length && !src[src.length - 1].trim() && !(tgt[src.length - 1] || "").trim()) { src.pop(); }
    const n = Math.max(src.length, tgt.filter((x, i) => x.trim() || i < src.length).length);
    if (!n) { status("lint-status", t("needText"), true); return; }
    const segments = [];
    for (let i = 0; i < n; i++) segments.push({ source: src[i] || "", target: tgt[i] || "" });
    body = { segments, from, to, name: "draft" };
  }
  status("lint-status", t("searching"));
  const list = $("lint-list");
  try {
    const r = await api("/v1/lint", { method: "POST", headers: { "Content-Type": "application/json" }, body: JSON.stringify(body) });
    showFindings(r);
  } catch (e) {
    list.replaceChildren();
    status("lint-status", t("error") + ": " + e.message, true);
  }
}

function showFindings(r) {
  const list = $("lint-list");
  list.replaceChildren();
  const bySeg = new Map();
  for (const f of r.findings) {
    if (!bySeg.has(f.segment)) bySeg.set(f.segment, []);
    bySeg.get(f.segment).push(f);
  }
  const segs = r.summary.segments;
  status("lint-status", r.findings.length ? t("nFindings", r.findings.length, segs) : t("noFindings", segs));
  const rank = { error: 0, warning: 1, info: 2 };
  for (const [seg, fs] of bySeg) {
    const worst = fs.reduce((a, f) => (rank[f.severity] < rank[a] ? f.severity : a), "info");
    const li = el("li", { tabindex: "0", class: "sev-" + worst });
    li.append(el("div", { class: "unit-id" }, `${t("segment")} ${seg}` + (fs[0].line ? ` · ${fs[0].file}:${fs[0].line}` : "")));
    const first = fs[0];
    if (first.source != null) {
      const spans = fs.filter(f => f.source_span).map(f => [f.source_span.start, f.source_span.end]);
      li.append(el("div", { class: "src", lang: r.summary.source_lang || "" }, marked(first.source, dedupe(spans), "finding")));
    }
    if (first.target != null) {
      const withSpan = fs.filter(f => f.target_span);
      const spans = withSpan.map(f => [f.target_span.start, f.target_span.end]);
      li.append(el("div", { class: "src tgt", lang: r.summary.target_lang || "" }, marked(first.target, dedupe(spans), "finding", withSpan.map(f => f.message))));
    }
    const ul = el("ul", { class: "finding-list" });
    for (const f of fs) {
      const item = el("li", { class: "finding sev-" + f.severity }, el("strong", {}, f.rule), ` (${f.severity}) `, f.message);
      if (f.suggestion) item.append(" → ", el("span", { class: "suggest" }, `${t("suggestion")}: ${f.suggestion}`));
      ul.append(item);
    }
    li.append(ul);
    list.append(li);
  }
}

function dedupe(spans) {
  spans.sort((a, b) => a[0] - b[0] || b[1] - a[1]);
  const out = [];
  for (const s of spans) if (!out.length || s[0] >= out[out.length - 1][1]) out.push(s);
  return out;
}

// --- Glossary browser -----------------------------------------------------------------

let glossaryOffset = 0;

async function runGlossary(more) {
  if (!more) glossaryOffset = 0;
  const q = $("glossary-q").value.trim();
  const tbody = $("glossary-table").querySelector("tbody");
  try {
    const r = await api("/v1/glossary?" + qs({ q, limit: 100, offset: glossaryOffset }));
    if (!more) tbody.replaceChildren();
    for (const e of r.entries) tbody.append(glossaryRow(e));
    glossaryOffset += r.entries.length;
    $("glossary-more").hidden = glossaryOffset >= r.total;
    status("glossary-status", t("nEntries", glossaryOffset, r.total));
  } catch (e) {
    status("glossary-status", t("error") + ": " + e.message, true);
  }
}

function glossaryRow(e) {
  const tr = el("tr");
  tr.append(el("td", {}, e.id || ""));
  for (const lang of ["en", "ko", "zh"]) {
    const td = el("td", { lang });
    const set = (e.terms || {})[lang];
    if (set) {
      set.approved.forEach((v, i) => { if (i) td.append(" | "); td.append(el("span", { class: i ? "alt" : "pref" }, v)); });
      for (const v of set.forbidden || []) td.append(" ", el("span", { class: "avoid", title: t("forbidden") }, v));
    }
    tr.append(td);
  }
  tr.append(el("td", {}, e.note || ""));
  return tr;
}

// --- Tabs and keys ----------------------------------------------------------------------

function selectTab(tab, focus) {
  for (const b of document.querySelectorAll('[role="tab"]')) {
    const on = b === tab;
    b.setAttribute("aria-selected", on);
    b.tabIndex = on ? 0 : -1;
    $(b.getAttribute("aria-controls")).hidden = !on;
  }
  if (focus) tab.focus();
  if (tab.id === "tab-glossary" && !$("glossary-table").querySelector("tbody").children.length) runGlossary(false);
  localStorage.setItem("concord.tab", tab.id);
}

function init() {
  applyLanguage(pickLanguage());
  $("uilang").addEventListener("change", e => {
    localStorage.setItem("concord.ui", e.target.value);
    applyLanguage(e.target.value);
  });
  const tabs = Array.from(document.querySelectorAll('[role="tab"]'));
  tabs.forEach((b, i) => {
    b.addEventListener("click", () => selectTab(b, false));
    b.addEventListener("keydown", e => {
      if (e.key === "ArrowRight") selectTab(tabs[(i + 1) % tabs.length], true);
      if (e.key === "ArrowLeft") selectTab(tabs[(i + tabs.length - 1) % tabs.length], true);
    });
  });
  document.addEventListener("keydown", e => {
    if (e.altKey && /^[1-4]$/.test(e.key)) { selectTab(tabs[Number(e.key) - 1], true); e.preventDefault(); }
  });
  $("match-form").addEventListener("submit", e => { e.preventDefault(); runMatch(); });
  $("match-q").addEventListener("keydown", e => {
    if (e.key === "Enter" && !e.shiftKey) { e.preventDefault(); runMatch(); }
    if (e.key === "ArrowDown" && $("match-list").firstChild && !e.shiftKey) {
      const ta = e.target;
      if (ta.selectionStart === ta.value.length) { $("match-list").firstChild.focus(); e.preventDefault(); }
    }
  });
  $("search-form").addEventListener("submit", e => { e.preventDefault(); runSearch(); });
  $("search-q").addEventListener("keydown", e => {
    if (e.key === "ArrowDown" && $("search-list").firstChild) { $("search-list").firstChild.focus(); e.preventDefault(); }
  });
  $("lint-form").addEventListener("submit", e => { e.preventDefault(); runLint(); });
  $("lint-form").addEventListener("keydown", e => {
    if (e.key === "Enter" && (e.ctrlKey || e.metaKey)) { e.preventDefault(); runLint(); }
  });
  $("lint-file").addEventListener("change", async e => {
    const f = e.target.files[0];
    lintFile = f ? { name: f.name, text: await f.text() } : null;
  });
  for (const id of ["lint-source", "lint-target"]) $(id).addEventListener("input", () => { lintFile = null; $("lint-file").value = ""; });
  let timer;
  $("glossary-q").addEventListener("input", () => { clearTimeout(timer); timer = setTimeout(() => runGlossary(false), 150); });
  $("glossary-form").addEventListener("submit", e => { e.preventDefault(); runGlossary(false); });
  $("glossary-more").addEventListener("click", () => runGlossary(true));
  for (const id of ["match-list", "search-list", "lint-list"]) listKeys($(id));
  const saved = localStorage.getItem("concord.tab");
  if (saved && $(saved)) selectTab($(saved), false);
}

document.addEventListener("DOMContentLoaded", init);
