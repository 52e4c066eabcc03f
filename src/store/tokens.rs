//! The `api_token` table: access tokens of `concord serve`, stored hashed.
//!
//! A token is 32 random bytes from the operating system, shown once as `cnc_` and 64 hex
//! digits when it is made ([`Memory::add_token`]); the memory keeps only its SHA-256
//! digest, its name and its scope. Because a token has 256 bits of entropy, a plain
//! cryptographic hash is enough (a slow password hash guards low-entropy secrets).
//! [`Memory::tokens`] returns the digests, and [`TokenRecord::matches`] compares a
//! presented token's digest with each of them in constant time.

use rusqlite::{params, OptionalExtension};
use serde::Serialize;
use sha2::{Digest, Sha256};

use super::{now_utc_iso, Memory};
use crate::error::{Error, Result};

/// The migration that adds the token table (appended to [`super::MIGRATIONS`]).
pub(super) const MIGRATION: &str = r#"
    CREATE TABLE api_token (
        id      INTEGER PRIMARY KEY AUTOINCREMENT,
        name    TEXT NOT NULL UNIQUE,
        scope   TEXT NOT NULL CHECK (scope IN ('read', 'write', 'admin')),
        digest  BLOB NOT NULL UNIQUE,
        created TEXT NOT NULL
    );
"#;

/// What a token may do. Scopes are ordered: `write` includes `read`, `admin` includes
/// both.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Scope {
    /// Match, search, terms, lint, get units, export, the glossary, stats.
    Read,
    /// Also add and delete units, import, add glossary entries.
    Write,
    /// Also replace the whole glossary.
    Admin,
}

impl Scope {
    /// Parse `read`, `write` or `admin`.
    pub fn parse(s: &str) -> Option<Scope> {
        match s {
            "read" => Some(Scope::Read),
            "write" => Some(Scope::Write),
            "admin" => Some(Scope::Admin),
            _ => None,
        }
    }

    /// The scope's name.
    pub fn as_str(self) -> &'static str {
        match self {
            Scope::Read => "read",
            Scope::Write => "write",
            Scope::Admin => "admin",
        }
    }
}

impl std::fmt::Display for Scope {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

/// A stored token (without the secret).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct TokenRecord {
    /// Its name (who or what uses it).
    pub name: String,
    /// What it may do.
    pub scope: Scope,
    /// When it was made (UTC, ISO 8601).
    pub created: String,
    /// SHA-256 of the token.
    #[serde(skip)]
    pub digest: [u8; 32],
}

impl TokenRecord {
    /// True when `digest` (of a presented token, see [`token_digest`]) is this token's.
    /// The comparison takes the same time whatever the bytes are.
    pub fn matches(&self, digest: &[u8; 32]) -> bool {
        constant_time_eq(&self.digest, digest)
    }
}

/// A token made by [`Memory::add_token`]: the secret is shown once and not stored.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct NewToken {
    /// The stored record.
    pub record: TokenRecord,
    /// The token to hand to the client (`cnc_` and 64 hex digits).
    pub token: String,
}

/// The SHA-256 digest of a token, as stored.
pub fn token_digest(token: &str) -> [u8; 32] {
    Sha256::digest(token.as_bytes()).into()
}

/// Compare two byte strings of equal length without an early exit, so the time taken
/// does not tell where they differ.
pub fn constant_time_eq(a: &[u8; 32], b: &[u8; 32]) -> bool {
    let mut diff = 0u8;
    for i in 0..32 {
        diff |= std::hint::black_box(a[i] ^ b[i]);
    }
    std::hint::black_box(diff) == 0
}

fn check_name(name: &str) -> Result<()> {
    let ok = !name.is_empty()
        && name.chars().count() <= 64
        && name
            .chars()
            .all(|c| c.is_alphanumeric() || matches!(c, '-' | '_' | '.' | '@'));
    if ok {
        Ok(())
    } else {
        Err(Error::bad_request(format!(
            "token name {name:?}: use 1 to 64 letters, digits, '-', '_', '.' or '@'"
        )))
    }
}

fn scope_of(s: &str) -> rusqlite::Result<Scope> {
    Scope::parse(s).ok_or_else(|| {
        rusqlite::Error::FromSqlConversionFailure(
            0,
            rusqlite::types::Type::Text,
            format!("unknown token scope {s:?}").into(),
        )
    })
}

impl Memory {
    /// Make a token named `name` with `scope` and store its digest. The name must be new.
    pub fn add_token(&mut self, name: &str, scope: Scope) -> Result<NewToken> {
        check_name(name)?;
        let mut secret = [0u8; 32];
        getrandom::fill(&mut secret).map_err(|e| {
            Error::new(
                crate::error::ErrorKind::Internal,
                format!("cannot draw a random token: {e}"),
            )
        })?;
        let token = format!(
            "cnc_{}",
            secret
                .iter()
                .map(|b| format!("{b:02x}"))
                .collect::<String>()
        );
        let record = TokenRecord {
            name: name.to_string(),
            scope,
            created: now_utc_iso(),
            digest: token_digest(&token),
        };
        let path = self.path().display().to_string();
        self.write(|tx| {
            let taken: Option<i64> = tx
                .query_row("SELECT id FROM api_token WHERE name = ?1", [name], |r| {
                    r.get(0)
                })
                .optional()?;
            if taken.is_some() {
                return Err(Error::bad_request(format!(
                    "{path}: a token named {name:?} exists already (revoke it first)"
                )));
            }
            tx.execute(
                "INSERT INTO api_token (name, scope, digest, created) VALUES (?1, ?2, ?3, ?4)",
                params![
                    record.name,
                    record.scope.as_str(),
                    &record.digest[..],
                    record.created
                ],
            )?;
            Ok(())
        })?;
        Ok(NewToken { record, token })
    }

    /// Every stored token, by name.
    pub fn tokens(&self) -> Result<Vec<TokenRecord>> {
        let mut stmt = self
            .conn
            .prepare_cached("SELECT name, scope, digest, created FROM api_token ORDER BY name")?;
        let rows = stmt.query_map([], |r| {
            let digest: Vec<u8> = r.get(2)?;
            let digest: [u8; 32] = digest.try_into().map_err(|_| {
                rusqlite::Error::FromSqlConversionFailure(
                    2,
                    rusqlite::types::Type::Blob,
                    "a token digest is not 32 bytes".into(),
                )
            })?;
            Ok(TokenRecord {
                name: r.get(0)?,
                scope: scope_of(&r.get::<_, String>(1)?)?,
                digest,
                created: r.get(3)?,
            })
        })?;
        Ok(rows.collect::<rusqlite::Result<Vec<_>>>()?)
    }

    /// Delete the token named `name`. Returns false when there is none.
    pub fn revoke_token(&mut self, name: &str) -> Result<bool> {
        self.write(|tx| Ok(tx.execute("DELETE FROM api_token WHERE name = ?1", [name])? > 0))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tokens_are_stored_hashed_and_found_by_digest() {
        let mut m = Memory::open_in_memory().unwrap();
        let t = m.add_token("weblate", Scope::Read).unwrap();
        assert!(t.token.starts_with("cnc_") && t.token.len() == 68);
        let stored = m.tokens().unwrap();
        assert_eq!(stored.len(), 1);
        assert_eq!(stored[0].scope, Scope::Read);
        assert!(stored[0].matches(&token_digest(&t.token)));
        assert!(!stored[0].matches(&token_digest("cnc_wrong")));
        // The secret itself is nowhere in the table.
        let n: i64 = m
            .conn
            .query_row(
                "SELECT count(*) FROM api_token WHERE CAST(digest AS TEXT) LIKE ?1 OR name LIKE ?1",
                [format!("%{}%", &t.token[4..20])],
                |r| r.get(0),
            )
            .unwrap();
        assert_eq!(n, 0);
    }

    #[test]
    fn token_names_are_unique_and_checked() {
        let mut m = Memory::open_in_memory().unwrap();
        m.add_token("desk-1", Scope::Write).unwrap();
        assert!(m.add_token("desk-1", Scope::Read).is_err());
        assert!(m.add_token("", Scope::Read).is_err());
        assert!(m.add_token("a b", Scope::Read).is_err());
        assert!(m.revoke_token("desk-1").unwrap());
        assert!(!m.revoke_token("desk-1").unwrap());
        assert!(m.tokens().unwrap().is_empty());
    }

    #[test]
    fn two_tokens_differ() {
        let mut m = Memory::open_in_memory().unwrap();
        let a = m.add_token("a", Scope::Read).unwrap();
        let b = m.add_token("b", Scope::Admin).unwrap();
        assert_ne!(a.token, b.token);
        assert!(Scope::Admin > Scope::Write && Scope::Write > Scope::Read);
    }

    #[test]
    fn constant_time_eq_is_equality() {
        let a = [7u8; 32];
        let mut b = a;
        assert!(constant_time_eq(&a, &b));
        b[31] ^= 1;
        assert!(!constant_time_eq(&a, &b));
        b = a;
        b[0] ^= 0x80;
        assert!(!constant_time_eq(&a, &b));
    }
}
