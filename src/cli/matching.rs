//! `match` (fuzzy matches) and `search` (concordance).

use std::collections::BTreeMap;
use std::io::{BufRead, IsTerminal, Write};

use clap::Args;
use concord::fuzzy::{self, concordance, DiffPiece, Match, MatchOptions, Matcher};
use concord::lang::{parse_ranges, LangRange};
use concord::store::Memory;
use concord::unit::Unit;
use concord::{Error, Result};
use serde::Serialize;

use super::{open_for_reading, stdout_error};
use crate::{Cli, Outcome};

/// Arguments of `concord match`.
#[derive(Args, Debug)]
pub struct MatchArgs {
    /// The sentence to match. Without it, queries are read from standard input, one per
    /// line, and answered with one JSON line each, in order (batch mode).
    pub sentence: Option<String>,
    /// The query's language (default: detected from its script: Hangul → ko, Han → zh,
    /// Latin → en).
    #[arg(long, value_name = "LANG")]
    pub from: Option<String>,
    /// Show translations in these languages, comma-separated (default: all others).
    #[arg(long, value_name = "LANGS")]
    pub to: Option<String>,
    /// At most this many matches per query.
    #[arg(long, default_value_t = 5, value_parser = clap::value_parser!(u64).range(1..=1000))]
    pub limit: u64,
    /// Only matches scoring at least this (0–100).
    #[arg(long, default_value_t = 70.0, value_parser = parse_score)]
    pub min_score: f64,
}

/// Arguments of `concord search`.
#[derive(Args, Debug)]
pub struct SearchArgs {
    /// The word or phrase to look for (compared on matching keys: case, width and
    /// spacing do not matter).
    pub phrase: String,
    /// Only segments in this language (default: any language).
    #[arg(long, value_name = "LANG")]
    pub lang: Option<String>,
    /// At most this many hits.
    #[arg(long, default_value_t = 20, value_parser = clap::value_parser!(u64).range(1..=100_000))]
    pub limit: u64,
}

fn parse_score(s: &str) -> std::result::Result<f64, String> {
    let v: f64 = s
        .parse()
        .map_err(|_| format!("{s:?} is not a number (expected a score from 0 to 100)"))?;
    if !(0.0..=100.0).contains(&v) {
        return Err(format!("{v} is outside 0–100"));
    }
    Ok(v)
}

fn parse_lang(opt: &str, s: &str) -> Result<LangRange> {
    LangRange::parse(s).map_err(|e| Error::lang(opt, e))
}

/// One answered query, as printed with `--json` and in batch mode.
#[derive(Serialize)]
struct QueryJson<'a> {
    query: &'a str,
    from: Option<String>,
    matches: Vec<MatchJson>,
    #[serde(skip_serializing_if = "Option::is_none")]
    error: Option<String>,
}

#[derive(Serialize)]
struct MatchJson {
    id: i64,
    score: f64,
    source: String,
    targets: BTreeMap<String, String>,
}

/// Colours on a terminal unless NO_COLOR is set.
fn use_colour() -> bool {
    std::io::stdout().is_terminal() && std::env::var_os("NO_COLOR").map_or(true, |v| v.is_empty())
}

fn targets(unit: &Unit, m: &Match, to: &Option<Vec<LangRange>>) -> BTreeMap<String, String> {
    let mut out = BTreeMap::new();
    match to {
        Some(ranges) => {
            for r in ranges {
                if let Some(v) = unit
                    .variants
                    .iter()
                    .find(|v| r.matches(&v.lang) && v.lang.as_str() != m.lang)
                {
                    out.insert(r.to_string(), v.text.clone());
                }
            }
        }
        None => {
            for v in &unit.variants {
                if v.lang.as_str() != m.lang {
                    out.insert(v.lang.to_string(), v.text.clone());
                }
            }
        }
    }
    out
}

struct Answer {
    from: LangRange,
    detected: bool,
    matches: Vec<(Match, Unit)>,
}

fn answer(
    mem: &Memory,
    matcher: &mut Matcher<'_>,
    query: &str,
    from: &Option<LangRange>,
    opts: MatchOptions,
) -> Result<Answer> {
    let (from, detected) = match from {
        Some(f) => (f.clone(), false),
        None => {
            // Check the query first so that an empty query is reported as such.
            fuzzy::QueryKey::new(query)?;
            let f = fuzzy::detect_language(query).ok_or_else(|| {
                Error::Invalid(format!(
                    "cannot tell the language of {query:?} from its script; name it with --from"
                ))
            })?;
            (f, true)
        }
    };
    let found = matcher.find(query, &from, opts)?;
    let mut matches = Vec::with_capacity(found.len());
    for m in found {
        let unit = mem.unit(m.id)?.unwrap_or_else(|| Unit::new(Vec::new()));
        matches.push((m, unit));
    }
    Ok(Answer {
        from,
        detected,
        matches,
    })
}

fn to_json<'a>(query: &'a str, a: &Answer, to: &Option<Vec<LangRange>>) -> QueryJson<'a> {
    QueryJson {
        query,
        from: Some(a.from.to_string()),
        matches: a
            .matches
            .iter()
            .map(|(m, u)| MatchJson {
                id: m.id,
                score: m.score,
                source: m.source.clone(),
                targets: targets(u, m, to),
            })
            .collect(),
        error: None,
    }
}

fn write_line(out: &mut impl Write, v: &impl Serialize) -> Result<()> {
    serde_json::to_writer(&mut *out, v)
        .map_err(|e| Error::Invalid(format!("writing JSON: {e}")))?;
    writeln!(out).map_err(stdout_error)
}

pub fn match_cmd(cli: &Cli, args: &MatchArgs) -> Result<Outcome> {
    let from = args
        .from
        .as_deref()
        .map(|f| parse_lang("--from", f))
        .transpose()?;
    let to = match &args.to {
        Some(t) => Some(parse_ranges(t).map_err(|e| Error::lang("--to", e))?),
        None => None,
    };
    let opts = MatchOptions {
        limit: args.limit as usize,
        min_score: args.min_score,
    };
    let mem = open_for_reading(cli)?;
    let mut matcher = Matcher::new(&mem)?;
    let stdout = std::io::stdout();
    let mut out = std::io::BufWriter::new(stdout.lock());

    let Some(sentence) = &args.sentence else {
        // Batch mode: one JSON line per input line, in order.
        let mut failed = 0usize;
        for line in std::io::stdin().lock().lines() {
            let line = line.map_err(|e| Error::io("<stdin>", e))?;
            let line = line.trim_end_matches('\r');
            match answer(&mem, &mut matcher, line, &from, opts) {
                Ok(a) => write_line(&mut out, &to_json(line, &a, &to))?,
                Err(e @ (Error::Invalid(_) | Error::Lang { .. })) => {
                    failed += 1;
                    write_line(
                        &mut out,
                        &QueryJson {
                            query: line,
                            from: from.as_ref().map(|f| f.to_string()),
                            matches: Vec::new(),
                            error: Some(e.to_string()),
                        },
                    )?;
                }
                Err(e) => return Err(e),
            }
            out.flush().map_err(stdout_error)?;
        }
        if failed > 0 {
            return Err(Error::Invalid(format!(
                "{failed} quer{} could not be answered (see the \"error\" fields)",
                if failed == 1 { "y" } else { "ies" }
            )));
        }
        return Ok(Outcome::Ok);
    };

    let a = answer(&mem, &mut matcher, sentence, &from, opts)?;
    if cli.json {
        write_line(&mut out, &to_json(sentence, &a, &to))?;
        out.flush().map_err(stdout_error)?;
        return Ok(Outcome::Ok);
    }
    let colour = use_colour();
    let w = |out: &mut dyn Write, s: String| writeln!(out, "{s}").map_err(stdout_error);
    w(
        &mut out,
        format!(
            "{} match{} ≥ {} in {}{} for: {}",
            a.matches.len(),
            if a.matches.len() == 1 { "" } else { "es" },
            fmt_score(opts.min_score),
            a.from,
            if a.detected {
                " (detected from the script)"
            } else {
                ""
            },
            sentence
        ),
    )?;
    for (m, unit) in &a.matches {
        let marked = render_diff(&fuzzy::diff(&m.source, sentence), colour);
        w(
            &mut out,
            format!("{:>6}  #{}  {}", fmt_score(m.score), m.id, marked),
        )?;
        let pad = " ".repeat(8);
        for (lang, text) in targets(unit, m, &to) {
            w(&mut out, format!("{pad}{lang:<6} {text}"))?;
        }
        let meta = &unit.meta;
        let mut info = Vec::new();
        if let Some(o) = &meta.origin {
            info.push(format!("origin {o}"));
        }
        if let Some(c) = meta.changed.as_ref().or(meta.created.as_ref()) {
            info.push(format!("date {c}"));
        }
        if !info.is_empty() {
            w(&mut out, format!("{pad}{}", info.join(" · ")))?;
        }
    }
    out.flush().map_err(stdout_error)?;
    Ok(Outcome::Ok)
}

fn fmt_score(s: f64) -> String {
    let r = (s * 10.0).round() / 10.0;
    if r.fract() == 0.0 {
        format!("{r:.0}")
    } else {
        format!("{r:.1}")
    }
}

/// Stored-only text in red and struck through (`[-…-]` without colour), query-only text
/// in green (`{+…+}`).
fn render_diff(pieces: &[DiffPiece], colour: bool) -> String {
    let mut s = String::new();
    for p in pieces {
        match (p, colour) {
            (DiffPiece::Same(t), _) => s.push_str(t),
            (DiffPiece::Stored(t), true) => s.push_str(&format!("\x1b[31;9m{t}\x1b[0m")),
            (DiffPiece::Query(t), true) => s.push_str(&format!("\x1b[32m{t}\x1b[0m")),
            (DiffPiece::Stored(t), false) => s.push_str(&format!("[-{t}-]")),
            (DiffPiece::Query(t), false) => s.push_str(&format!("{{+{t}+}}")),
        }
    }
    s
}

#[derive(Serialize)]
struct SearchJson<'a> {
    phrase: &'a str,
    lang: Option<String>,
    hits: Vec<HitJson>,
}

#[derive(Serialize)]
struct HitJson {
    id: i64,
    lang: String,
    text: String,
    spans: Vec<(usize, usize)>,
    others: BTreeMap<String, String>,
}

pub fn search_cmd(cli: &Cli, args: &SearchArgs) -> Result<Outcome> {
    let lang = args
        .lang
        .as_deref()
        .map(|l| parse_lang("--lang", l))
        .transpose()?;
    concordance::phrase_key(&args.phrase)?;
    let mem = open_for_reading(cli)?;
    let hits = concordance::search(&mem, &args.phrase, lang.as_ref(), args.limit as usize)?;
    let mut rows = Vec::with_capacity(hits.len());
    for h in hits {
        let mut others = BTreeMap::new();
        if let Some(u) = mem.unit(h.id)? {
            for v in u.variants {
                if v.lang.as_str() != h.lang {
                    others.insert(v.lang.to_string(), v.text);
                }
            }
        }
        rows.push(HitJson {
            id: h.id,
            lang: h.lang,
            text: h.text,
            spans: h.spans,
            others,
        });
    }
    let stdout = std::io::stdout();
    let mut out = std::io::BufWriter::new(stdout.lock());
    if cli.json {
        write_line(
            &mut out,
            &SearchJson {
                phrase: &args.phrase,
                lang: lang.map(|l| l.to_string()),
                hits: rows,
            },
        )?;
        out.flush().map_err(stdout_error)?;
        return Ok(Outcome::Ok);
    }
    let colour = use_colour();
    writeln!(
        out,
        "{} hit{} for {:?}{}",
        rows.len(),
        if rows.len() == 1 { "" } else { "s" },
        args.phrase,
        if rows.len() as u64 == args.limit {
            " (limit reached; raise --limit for more)"
        } else {
            ""
        }
    )
    .map_err(stdout_error)?;
    for r in &rows {
        let chars: Vec<char> = r.text.chars().collect();
        let mut marked = String::new();
        let mut pos = 0;
        for &(a, b) in &r.spans {
            marked.extend(&chars[pos..a]);
            let hit: String = chars[a..b].iter().collect();
            if colour {
                marked.push_str(&format!("\x1b[1;33m{hit}\x1b[0m"));
            } else {
                marked.push_str(&format!("[[{hit}]]"));
            }
            pos = b;
        }
        marked.extend(&chars[pos..]);
        writeln!(out, "#{:<7} {:<6} {}", r.id, r.lang, marked).map_err(stdout_error)?;
        for (l, t) in &r.others {
            writeln!(out, "{:<8} {:<6} {}", "", l, t).map_err(stdout_error)?;
        }
    }
    out.flush().map_err(stdout_error)?;
    Ok(Outcome::Ok)
}
