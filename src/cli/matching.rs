//! `match` (fuzzy matches) and `search` (concordance).

use std::io::{BufRead, IsTerminal, Write};

use clap::Args;
use concord::answer::{MatchAnswer, MatchRequest, SearchAnswer, SearchRequest};
use concord::fuzzy::{self, concordance, DiffPiece, MatchOptions, Matcher};
use concord::lang::{parse_ranges, LangRange};
use concord::text::escape_controls;
use concord::{Error, Result};
use serde::Serialize;

use super::{open_for_reading, stdout_error};
use crate::Cli;
use concord::diag::Status;

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

/// Colours on a terminal unless NO_COLOR is set.
fn use_colour() -> bool {
    std::io::stdout().is_terminal() && std::env::var_os("NO_COLOR").map_or(true, |v| v.is_empty())
}

fn write_line(out: &mut impl Write, v: &impl Serialize) -> Result<()> {
    serde_json::to_writer(&mut *out, v).map_err(|e| {
        Error::new(
            concord::error::ErrorKind::OutputIo,
            format!("writing JSON: {e}"),
        )
    })?;
    writeln!(out).map_err(stdout_error)
}

impl MatchArgs {
    /// The validated request.
    fn request(&self) -> Result<MatchRequest> {
        Ok(MatchRequest {
            from: self
                .from
                .as_deref()
                .map(|f| parse_lang("--from", f))
                .transpose()?,
            to: match &self.to {
                Some(t) => Some(parse_ranges(t).map_err(|e| Error::lang("--to", e))?),
                None => None,
            },
            options: MatchOptions {
                limit: self.limit as usize,
                min_score: self.min_score,
            },
        })
    }
}

pub fn match_cmd(cli: &Cli, args: &MatchArgs) -> Result<Status> {
    let req = args.request()?;
    let mem = open_for_reading(cli)?;
    let mut matcher = Matcher::new(&mem)?;
    let mut out = super::stdout();

    let Some(sentence) = &args.sentence else {
        // Batch mode: one JSON line per input line, in order. A bad query gets its
        // "error" field; an error of the memory itself stops the batch.
        let mut failed = 0usize;
        for line in std::io::stdin().lock().lines() {
            let line = line.map_err(|e| Error::io("<stdin>", e))?;
            let line = line.trim_end_matches('\r');
            let answer = req.answer_line(&mut matcher, line)?;
            failed += usize::from(answer.error.is_some());
            write_line(&mut out, &answer)?;
            out.flush().map_err(stdout_error)?;
        }
        if failed > 0 {
            return Err(Error::bad_request(format!(
                "{failed} quer{} could not be answered (see the \"error\" fields)",
                if failed == 1 { "y" } else { "ies" }
            )));
        }
        return Ok(Status::Ok);
    };

    let a = req.answer(&mut matcher, sentence)?;
    if cli.json {
        write_line(&mut out, &a)?;
    } else {
        print_match(&mut out, &a, req.options.min_score, use_colour())?;
    }
    out.flush().map_err(stdout_error)?;
    Ok(Status::Ok)
}

/// The human form of a match answer; stored text is printed with its control
/// characters escaped.
fn print_match(out: &mut dyn Write, a: &MatchAnswer, min_score: f64, colour: bool) -> Result<()> {
    let mut w = |s: String| writeln!(out, "{s}").map_err(stdout_error);
    w(format!(
        "{} match{} ≥ {} in {}{} for: {}",
        a.matches.len(),
        if a.matches.len() == 1 { "" } else { "es" },
        fmt_score(min_score),
        a.from.as_deref().unwrap_or("?"),
        if a.detected {
            " (detected from the script)"
        } else {
            ""
        },
        escape_controls(&a.query)
    ))?;
    for m in &a.matches {
        let marked = render_diff(&fuzzy::diff(&m.source, &a.query), colour);
        w(format!("{:>6}  #{}  {}", fmt_score(m.score), m.id, marked))?;
        let pad = " ".repeat(8);
        for (lang, text) in &m.targets {
            w(format!("{pad}{lang:<6} {}", escape_controls(text)))?;
        }
        let mut info = Vec::new();
        if let Some(o) = &m.origin {
            info.push(format!("origin {}", escape_controls(o)));
        }
        if let Some(c) = &m.date {
            info.push(format!("date {}", escape_controls(c)));
        }
        if !info.is_empty() {
            w(format!("{pad}{}", info.join(" · ")))?;
        }
    }
    Ok(())
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
/// in green (`{+…+}`); control characters escaped.
fn render_diff(pieces: &[DiffPiece], colour: bool) -> String {
    let mut s = String::new();
    for p in pieces {
        match (p, colour) {
            (DiffPiece::Same(t), _) => s.push_str(&escape_controls(t)),
            (DiffPiece::Stored(t), true) => {
                s.push_str(&format!("\x1b[31;9m{}\x1b[0m", escape_controls(t)))
            }
            (DiffPiece::Query(t), true) => {
                s.push_str(&format!("\x1b[32m{}\x1b[0m", escape_controls(t)))
            }
            (DiffPiece::Stored(t), false) => s.push_str(&format!("[-{}-]", escape_controls(t))),
            (DiffPiece::Query(t), false) => s.push_str(&format!("{{+{}+}}", escape_controls(t))),
        }
    }
    s
}

pub fn search_cmd(cli: &Cli, args: &SearchArgs) -> Result<Status> {
    let req = SearchRequest {
        phrase: args.phrase.clone(),
        lang: args
            .lang
            .as_deref()
            .map(|l| parse_lang("--lang", l))
            .transpose()?,
        limit: args.limit as usize,
    };
    // Check the phrase before opening (or building) the memory.
    concordance::phrase_key(&req.phrase)?;
    let mem = open_for_reading(cli)?;
    let answer = concord::answer::search(&mem, &req)?;
    let mut out = super::stdout();
    if cli.json {
        write_line(&mut out, &answer)?;
    } else {
        print_search(&mut out, &answer, use_colour())?;
    }
    out.flush().map_err(stdout_error)?;
    Ok(Status::Ok)
}

/// The human form of a concordance answer: the hit marked (`[[…]]` without colour), the
/// other languages beside it; control characters escaped.
fn print_search(out: &mut dyn Write, a: &SearchAnswer, colour: bool) -> Result<()> {
    writeln!(
        out,
        "{} hit{} for {:?}{}",
        a.hits.len(),
        if a.hits.len() == 1 { "" } else { "s" },
        a.phrase,
        if a.limit_reached {
            " (limit reached; raise --limit for more)"
        } else {
            ""
        }
    )
    .map_err(stdout_error)?;
    for r in &a.hits {
        let chars: Vec<char> = r.text.chars().collect();
        let piece = |a: usize, b: usize| -> String {
            let s: String = chars[a.min(chars.len())..b.min(chars.len())]
                .iter()
                .collect();
            escape_controls(&s).into_owned()
        };
        let mut marked = String::new();
        let mut pos = 0;
        for &(a, b) in &r.spans {
            marked.push_str(&piece(pos, a));
            let hit = piece(a, b);
            if colour {
                marked.push_str(&format!("\x1b[1;33m{hit}\x1b[0m"));
            } else {
                marked.push_str(&format!("[[{hit}]]"));
            }
            pos = b;
        }
        marked.push_str(&piece(pos, chars.len()));
        writeln!(out, "#{:<7} {:<6} {}", r.id, r.lang, marked).map_err(stdout_error)?;
        for (l, t) in &r.others {
            writeln!(out, "{:<8} {:<6} {}", "", l, escape_controls(t)).map_err(stdout_error)?;
        }
    }
    Ok(())
}
