//! Carrying a source segment's inline codes into a match's translation.
//!
//! The memory stores a segment with codes as TMX markup; its codes are read into
//! [`Piece`]s (kind and id). A stored code maps onto a code of the new source of the same
//! kind (opening, closing, standalone): by id when the ids of that kind are the same
//! sets on both sides, else by order. The result is the translation with each stored
//! code replaced by the index of a source code; it is refused (and the target marked for
//! review) when the counts of a kind differ, when a source code has no place in the
//! translation, or when the mapped codes do not nest (a closing code before its opening
//! one).

use crate::formats::bilingual::{Piece, RawTag, TagKind};
use crate::formats::pretranslated::OutPiece;

/// The plain text of target pieces.
pub fn plain(pieces: &[OutPiece]) -> String {
    pieces
        .iter()
        .filter_map(|p| match p {
            OutPiece::Text(t) => Some(t.as_str()),
            OutPiece::Tag(_) => None,
        })
        .collect()
}

/// Map the codes of `stored` (a translation as pieces) onto the source codes `src`.
/// `Ok`: the target pieces; `Err`: the translation's text alone, with the reason it needs
/// review.
pub fn map_tags(
    src: &[RawTag],
    stored: &[Piece],
) -> Result<Vec<OutPiece>, (Vec<OutPiece>, String)> {
    let text_only: Vec<OutPiece> = {
        let t: String = stored
            .iter()
            .filter_map(|p| match p {
                Piece::Text(t) => Some(t.as_str()),
                Piece::Tag(..) => None,
            })
            .collect();
        vec![OutPiece::Text(t)]
    };
    let stored_tags: Vec<(TagKind, &str)> = stored
        .iter()
        .filter_map(|p| match p {
            Piece::Tag(k, id) => Some((*k, id.as_str())),
            Piece::Text(_) => None,
        })
        .collect();
    if src.is_empty() && stored_tags.is_empty() {
        return Ok(text_only);
    }
    let mut assign: Vec<Option<usize>> = vec![None; stored_tags.len()];
    for kind in [TagKind::Open, TagKind::Close, TagKind::Standalone] {
        let s: Vec<usize> = (0..src.len()).filter(|&i| src[i].kind == kind).collect();
        let m: Vec<usize> = (0..stored_tags.len())
            .filter(|&i| stored_tags[i].0 == kind)
            .collect();
        if s.len() != m.len() {
            return Err((
                text_only,
                format!(
                    "the match has {} {} code(s) where the source has {}",
                    m.len(),
                    kind_name(kind),
                    s.len()
                ),
            ));
        }
        let mut sid: Vec<&str> = s.iter().map(|&i| src[i].id.as_str()).collect();
        let mut mid: Vec<&str> = m.iter().map(|&i| stored_tags[i].1).collect();
        sid.sort_unstable();
        mid.sort_unstable();
        let by_id = sid == mid && {
            let mut d = sid.clone();
            d.dedup();
            d.len() == sid.len()
        };
        for (k, &mi) in m.iter().enumerate() {
            assign[mi] = Some(if by_id {
                *s.iter()
                    .find(|&&si| src[si].id == stored_tags[mi].1)
                    .expect("same id sets")
            } else {
                s[k]
            });
        }
    }
    // Elements that hold text (`<g>`, `<pc>`) must nest: a closing one closes the
    // innermost open one, its partner (same id). Other pairs (`<bpt>`/`<ept>`) may
    // overlap, but each closes after its opening code.
    let mut open: Vec<usize> = Vec::new();
    let mut opened: Vec<usize> = Vec::new();
    for a in assign.iter().flatten() {
        let t = &src[*a];
        match t.kind {
            TagKind::Open => {
                opened.push(*a);
                if t.nests {
                    open.push(*a);
                }
            }
            TagKind::Close if t.nests => match open.pop() {
                Some(o) if src[o].id == t.id => {}
                _ => {
                    return Err((
                        text_only,
                        "the match's codes do not nest like the source's".to_string(),
                    ))
                }
            },
            TagKind::Close => {
                if !opened.iter().any(|&o| src[o].id == t.id) {
                    return Err((
                        text_only,
                        "the match closes a code before opening it".to_string(),
                    ));
                }
            }
            TagKind::Standalone => {}
        }
    }
    if !open.is_empty() {
        return Err((text_only, "the match leaves a code open".to_string()));
    }
    let mut out = Vec::new();
    let mut k = 0;
    for p in stored {
        match p {
            Piece::Text(t) => out.push(OutPiece::Text(t.clone())),
            Piece::Tag(..) => {
                out.push(OutPiece::Tag(assign[k].expect("assigned")));
                k += 1;
            }
        }
    }
    Ok(out)
}

fn kind_name(k: TagKind) -> &'static str {
    match k {
        TagKind::Open => "opening",
        TagKind::Close => "closing",
        TagKind::Standalone => "standalone",
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn tag(kind: TagKind, id: &str) -> RawTag {
        RawTag {
            kind,
            id: id.into(),
            raw: String::new(),
            offset: 0,
            nests: kind != TagKind::Standalone,
        }
    }

    #[test]
    fn codes_map_by_id_then_by_order() {
        let src = vec![
            tag(TagKind::Open, "1"),
            tag(TagKind::Close, "1"),
            tag(TagKind::Standalone, "2"),
        ];
        let stored = vec![
            Piece::Text("가 ".into()),
            Piece::Tag(TagKind::Open, "1".into()),
            Piece::Text("나".into()),
            Piece::Tag(TagKind::Close, "1".into()),
            Piece::Tag(TagKind::Standalone, "2".into()),
        ];
        let out = map_tags(&src, &stored).unwrap();
        assert_eq!(
            out,
            vec![
                OutPiece::Text("가 ".into()),
                OutPiece::Tag(0),
                OutPiece::Text("나".into()),
                OutPiece::Tag(1),
                OutPiece::Tag(2)
            ]
        );
        // Other ids (the memory numbered its codes 7 and 8): by order.
        let stored = vec![
            Piece::Tag(TagKind::Open, "7".into()),
            Piece::Text("나".into()),
            Piece::Tag(TagKind::Close, "7".into()),
            Piece::Tag(TagKind::Standalone, "8".into()),
        ];
        assert_eq!(map_tags(&src, &stored).unwrap()[0], OutPiece::Tag(0));
    }

    #[test]
    fn unmappable_codes_need_review() {
        let src = vec![tag(TagKind::Open, "1"), tag(TagKind::Close, "1")];
        let (text, why) = map_tags(&src, &[Piece::Text("나".into())]).unwrap_err();
        assert_eq!(text, vec![OutPiece::Text("나".into())]);
        assert!(why.contains("opening"), "{why}");
        // Closing before opening.
        let stored = vec![
            Piece::Tag(TagKind::Close, "1".into()),
            Piece::Text("나".into()),
            Piece::Tag(TagKind::Open, "1".into()),
        ];
        assert!(map_tags(&src, &stored).is_err());
        // <bpt>/<ept> pairs may overlap (memoQ writes them so), but not close first.
        let mut bpt = vec![
            tag(TagKind::Open, "2"),
            tag(TagKind::Open, "3"),
            tag(TagKind::Close, "2"),
            tag(TagKind::Close, "3"),
        ];
        for t in &mut bpt {
            t.nests = false;
        }
        let overlapping = vec![
            Piece::Tag(TagKind::Open, "2".into()),
            Piece::Tag(TagKind::Open, "3".into()),
            Piece::Text("a".into()),
            Piece::Tag(TagKind::Close, "2".into()),
            Piece::Tag(TagKind::Close, "3".into()),
        ];
        assert!(map_tags(&bpt, &overlapping).is_ok());
        let closing_first = vec![
            Piece::Tag(TagKind::Close, "2".into()),
            Piece::Tag(TagKind::Open, "2".into()),
            Piece::Tag(TagKind::Open, "3".into()),
            Piece::Tag(TagKind::Close, "3".into()),
        ];
        assert!(map_tags(&bpt, &closing_first).is_err());
        // No codes anywhere: the text.
        assert_eq!(
            map_tags(&[], &[Piece::Text("a".into())]).unwrap(),
            vec![OutPiece::Text("a".into())]
        );
    }
}
