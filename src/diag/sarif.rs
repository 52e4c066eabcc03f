//! The part of SARIF 2.1.0 concord writes, as serde types (field names as in the OASIS
//! schema; optional fields are left out when empty). `tests/data/sarif/` holds the schema
//! the output is validated against in the tests.

use serde::Serialize;

/// The `$schema` of a SARIF 2.1.0 log.
pub const SCHEMA_URI: &str = "https://json.schemastore.org/sarif-2.1.0.json";

/// A SARIF log: the whole document.
#[derive(Debug, Clone, Serialize)]
pub struct Log {
    /// `$schema`.
    #[serde(rename = "$schema")]
    pub schema: &'static str,
    /// Always `2.1.0`.
    pub version: &'static str,
    /// One run per checked file.
    pub runs: Vec<Run>,
}

/// One run of a tool.
#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Run {
    /// The tool.
    pub tool: Tool,
    /// How columns are counted: `unicodeCodePoints`.
    pub column_kind: &'static str,
    /// The results.
    pub results: Vec<ResultItem>,
    /// How the run went.
    pub invocations: Vec<Invocation>,
    /// The summary of the checker, as its JSON document has it.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub properties: Option<serde_json::Map<String, serde_json::Value>>,
}

/// `tool`.
#[derive(Debug, Clone, Serialize)]
pub struct Tool {
    /// The driver.
    pub driver: ToolComponent,
}

/// `tool.driver`.
#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct ToolComponent {
    /// `concord`.
    pub name: &'static str,
    /// The version of concord.
    pub version: &'static str,
    /// The project's repository, when the package names one (else left out).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub information_uri: Option<&'static str>,
    /// The rules (codes) of the checker.
    pub rules: Vec<ReportingDescriptor>,
}

/// A rule.
#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct ReportingDescriptor {
    /// The code id.
    pub id: &'static str,
    /// CamelCase name.
    pub name: String,
    /// What it checks.
    pub short_description: Message,
    /// The default level.
    pub default_configuration: Configuration,
    /// `{"severity": "error"}`.
    pub properties: serde_json::Map<String, serde_json::Value>,
}

/// `defaultConfiguration`.
#[derive(Debug, Clone, Serialize)]
pub struct Configuration {
    /// The level.
    pub level: Level,
}

/// A SARIF level.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Level {
    /// `note`.
    Note,
    /// `warning`.
    Warning,
    /// `error`.
    Error,
}

/// A message.
#[derive(Debug, Clone, Serialize)]
pub struct Message {
    /// Its text.
    pub text: String,
}

/// One result.
#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct ResultItem {
    /// The code id.
    pub rule_id: &'static str,
    /// Its index in `tool.driver.rules`.
    pub rule_index: usize,
    /// The level.
    pub level: Level,
    /// The message (with the suggestion).
    pub message: Message,
    /// Where.
    pub locations: Vec<ResultLocation>,
    /// `concordFingerprint/v1`.
    pub partial_fingerprints: std::collections::BTreeMap<&'static str, String>,
    /// Segment, segment id, suggestion.
    pub properties: serde_json::Map<String, serde_json::Value>,
}

/// A location of a result.
#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct ResultLocation {
    /// The file and region.
    pub physical_location: PhysicalLocation,
}

/// A file and a region in it.
#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct PhysicalLocation {
    /// The file.
    pub artifact_location: ArtifactLocation,
    /// The region, when the line is known.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub region: Option<Region>,
}

/// A file.
#[derive(Debug, Clone, Serialize)]
pub struct ArtifactLocation {
    /// A relative URI reference.
    pub uri: String,
}

/// A region: lines and columns are 1-based, columns in code points.
#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Region {
    /// First line.
    pub start_line: u64,
    /// First column.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub start_column: Option<u64>,
    /// Last line.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub end_line: Option<u64>,
    /// Column after the last character.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub end_column: Option<u64>,
    /// The text of the region.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub snippet: Option<Message>,
}

/// An invocation: whether the run completed, and why not.
#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Invocation {
    /// True only when the run completed.
    pub execution_successful: bool,
    /// The error that stopped the run.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub tool_execution_notifications: Vec<Notification>,
}

/// A notification (the error that stopped a run).
#[derive(Debug, Clone, Serialize)]
pub struct Notification {
    /// `error`.
    pub level: Level,
    /// What happened.
    pub message: Message,
}

/// A relative URI reference for a file path (forward slashes, percent-encoded).
pub fn file_uri(path: &str) -> String {
    let path = path.replace('\\', "/");
    let mut out = String::with_capacity(path.len());
    for b in path.bytes() {
        if b.is_ascii_alphanumeric() || b"/-._~".contains(&b) {
            out.push(b as char);
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    out
}
