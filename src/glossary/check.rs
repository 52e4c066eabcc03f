//! Problems in a glossary file.
