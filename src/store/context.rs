//! The order of units in the files they were imported from: for every unit, the units
//! that preceded it (`unit_context`: `prev_id` 0 means it was the first unit of its file).
//! An import records one row per unit it reads, duplicates included (a unit that a file
//! holds twice has two neighbours), so `analyze` can tell a context match (101%): the
//! same source after the same previous source. Memories imported before this table
//! existed get it from unit ids (ids follow the file order, an import's units are
//! consecutive, and the origin names the file).

use rusqlite::{params, Transaction};

use super::Memory;
use crate::error::Result;
use crate::lang::LangRange;

/// The migration that adds `unit_context` (appended to [`super::MIGRATIONS`]), filled
/// for the units already stored: a unit follows the unit with the id before it when both
/// came from the same file.
pub(super) const MIGRATION: &str = r#"
    CREATE TABLE unit_context (
        unit_id INTEGER NOT NULL,
        prev_id INTEGER NOT NULL,
        PRIMARY KEY (unit_id, prev_id)
    ) WITHOUT ROWID;
    INSERT OR IGNORE INTO unit_context (unit_id, prev_id)
        SELECT u.id, CASE WHEN p.id IS NOT NULL AND p.origin IS u.origin THEN p.id ELSE 0 END
        FROM unit u LEFT JOIN unit p ON p.id = u.id - 1;
"#;

/// Where an import is in its file: what the next unit follows.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub(super) enum Position {
    /// Nothing read yet.
    #[default]
    Start,
    /// After the unit `id` of the file `origin`.
    After(Option<String>, i64),
    /// After a row that is not a unit (text in fewer than two languages) in `origin`:
    /// the next unit's neighbour is not a unit.
    Gap(Option<String>),
}

impl Position {
    /// Record that unit `id` of `origin` was read here, and move past it.
    pub(super) fn record(
        &mut self,
        tx: &Transaction<'_>,
        origin: &Option<String>,
        id: i64,
    ) -> Result<()> {
        let prev = match &*self {
            Position::After(o, p) if o == origin => Some(*p),
            Position::Gap(o) if o == origin => None,
            _ => Some(0),
        };
        if let Some(prev) = prev {
            tx.prepare_cached(
                "INSERT OR IGNORE INTO unit_context (unit_id, prev_id) VALUES (?1, ?2)",
            )?
            .execute(params![id, prev])?;
        }
        *self = Position::After(origin.clone(), id);
        Ok(())
    }

    /// Record a row of `origin` that did not become a unit.
    pub(super) fn gap(&mut self, origin: &Option<String>) {
        *self = Position::Gap(origin.clone());
    }
}

/// Forget the neighbours of deleted units (a row naming a deleted unit as the previous
/// one stays: it no longer matches any source).
pub(super) fn forget(tx: &Transaction<'_>, ids: &[i64]) -> Result<()> {
    let mut stmt = tx.prepare_cached("DELETE FROM unit_context WHERE unit_id = ?1")?;
    for id in ids {
        stmt.execute([id])?;
    }
    Ok(())
}

impl Memory {
    /// The sources (in the languages `src` selects) of the units that preceded unit `id`
    /// in the files it was imported from: `None` when it was the first unit of a file.
    /// Neighbours without a variant in `src` are left out.
    pub fn previous_sources(&self, id: i64, src: &LangRange) -> Result<Vec<Option<String>>> {
        let mut stmt = self.conn.prepare_cached(
            "SELECT c.prev_id, v.lang, v.text FROM unit_context c
             LEFT JOIN variant v ON v.unit_id = c.prev_id
             WHERE c.unit_id = ?1 ORDER BY c.prev_id",
        )?;
        let mut rows = stmt.query([id])?;
        let mut out = Vec::new();
        while let Some(r) = rows.next()? {
            let prev: i64 = r.get(0)?;
            if prev == 0 {
                out.push(None);
                continue;
            }
            let lang: Option<String> = r.get(1)?;
            if let Some(lang) = lang {
                if src.matches(&super::stored_tag(&lang)?) {
                    out.push(Some(r.get::<_, String>(2)?));
                }
            }
        }
        Ok(out)
    }

    /// True when unit `id` has a variant in a language `range` selects.
    pub fn unit_has_language(&self, id: i64, range: &LangRange) -> Result<bool> {
        let mut stmt = self
            .conn
            .prepare_cached("SELECT lang FROM variant WHERE unit_id = ?1")?;
        let mut rows = stmt.query([id])?;
        while let Some(r) = rows.next()? {
            let lang: String = r.get(0)?;
            if range.matches(&super::stored_tag(&lang)?) {
                return Ok(true);
            }
        }
        Ok(false)
    }
}

#[cfg(test)]
mod tests {
    use crate::lang::{LangRange, LangTag};
    use crate::store::Memory;
    use crate::unit::{Unit, Variant};

    fn unit(origin: &str, en: &str, ko: &str) -> Unit {
        let mut u = Unit::new(vec![
            Variant::new(LangTag::parse("en").unwrap(), en),
            Variant::new(LangTag::parse("ko").unwrap(), ko),
        ]);
        u.meta.origin = Some(origin.into());
        u
    }

    #[test]
    fn import_records_neighbours_in_file_order_with_duplicates() {
        let mut mem = Memory::open_in_memory().unwrap();
        let en = LangRange::parse("en").unwrap();
        let ids = std::cell::RefCell::new(Vec::new());
        mem.import(&["a", "b"], |imp| {
            for (o, e, k) in [
                ("a", "A.", "가."),
                ("a", "B.", "나."),
                ("a", "A.", "가."),
                ("a", "C.", "다."),
                ("b", "C.", "다."),
            ] {
                ids.borrow_mut().push(imp.add(unit(o, e, k))?);
            }
            // A row with one language breaks the chain.
            let mut gap = Unit::new(vec![Variant::new(LangTag::parse("en").unwrap(), "X.")]);
            gap.meta.origin = Some("b".into());
            imp.add(gap)?;
            imp.add(unit("b", "D.", "라."))?;
            Ok(())
        })
        .unwrap();
        let ids = ids.into_inner();
        let (a, b, c) = (ids[0].unwrap(), ids[1].unwrap(), ids[3].unwrap());
        assert_eq!(ids[2], None);
        let mut pa = mem.previous_sources(a, &en).unwrap();
        pa.sort();
        assert_eq!(pa, [None, Some("B.".to_string())]);
        assert_eq!(
            mem.previous_sources(b, &en).unwrap(),
            [Some("A.".to_string())]
        );
        // C. follows A. in file a and starts file b.
        let mut pc = mem.previous_sources(c, &en).unwrap();
        pc.sort();
        assert_eq!(pc, [None, Some("A.".to_string())]);
        let d = mem.stats().unwrap().units as i64;
        assert!(mem.previous_sources(d, &en).unwrap().is_empty());
        assert!(mem
            .unit_has_language(a, &LangRange::parse("ko").unwrap())
            .unwrap());
        assert!(!mem
            .unit_has_language(a, &LangRange::parse("zh").unwrap())
            .unwrap());
    }
}
