//! Re-segmenting the NTREX documents gives back their sentences (floors on precision and
//! recall of boundaries per language). The figures in the README come from
//! `cargo run --release --example align_eval`.

mod support {
    pub mod corpus;
    pub mod segment_eval;
}

use support::{corpus, segment_eval};

#[test]
fn ntrex_resegmentation_precision_and_recall() {
    let Some(dir) = corpus::corpora_dir("ntrex_resegmentation_precision_and_recall") else {
        return;
    };
    let docs = corpus::ntrex(&dir);
    assert_eq!(docs.len(), 123);
    for (lang, apart) in [
        ("en", true),
        ("ko", true),
        ("zh", true),
        ("en", false),
        ("ko", false),
        ("zh", false),
    ] {
        let (b, misses) = segment_eval::evaluate(&docs, lang, apart);
        if std::env::var_os("CONCORD_SHOW_MISSES").is_some() {
            for m in &misses {
                eprintln!("{m}");
            }
        }
        eprintln!(
            "{lang} (headlines apart: {apart}): precision {:.3} recall {:.3} F1 {:.3} (tp {} fp {} fn {})",
            b.precision(),
            b.recall(),
            b.f1(),
            b.tp,
            b.fp,
            b.fn_
        );
        if !apart {
            // Headlines without punctuation run into the next sentence: recall is lower.
            assert!(
                b.precision() >= if lang == "en" { 0.97 } else { 0.8 },
                "{lang}: precision {:.3}",
                b.precision()
            );
            assert!(b.recall() >= 0.85, "{lang}: recall {:.3}", b.recall());
            continue;
        }
        // NTREX lines follow the English sentences; Korean and Chinese translators often
        // made two sentences of one, so the extra boundaries there are mostly real.
        let floor = if lang == "en" { 0.97 } else { 0.8 };
        assert!(
            b.precision() >= floor,
            "{lang}: precision {:.3}",
            b.precision()
        );
        assert!(b.recall() >= 0.95, "{lang}: recall {:.3}", b.recall());
    }
}
