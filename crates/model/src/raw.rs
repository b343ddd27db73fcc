//! The input files as written: what `ron` deserializes, before validation.
//!
//! Quantities stay strings here; [`crate::validate`] parses them and reports
//! every error with the path of the field it came from.

use serde::Deserialize;

/// `system.ron`: the platform and the catalogue.
#[derive(Debug, Clone, Deserialize)]
#[serde(rename = "System", deny_unknown_fields)]
pub struct SystemFile {
    pub name: String,
    #[serde(default)]
    pub tick: Option<String>,
    pub modules: Vec<ModuleDef>,
    #[serde(default)]
    pub switches: Vec<String>,
    #[serde(default)]
    pub links: Vec<LinkDef>,
    #[serde(default)]
    pub migration: Option<MigrationDef>,
    pub programs: Vec<ProgramDef>,
    #[serde(default)]
    pub messages: Vec<MessageDef>,
    #[serde(default)]
    pub transitions: Option<Vec<(String, String)>>,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(rename = "Module", deny_unknown_fields)]
pub struct ModuleDef {
    pub name: String,
    pub cores: u64,
    pub memory: String,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(rename = "Link", deny_unknown_fields)]
pub struct LinkDef {
    pub from: String,
    pub to: String,
    pub bandwidth: String,
    #[serde(default)]
    pub latency: Option<String>,
}

#[derive(Debug, Clone, Default, Deserialize)]
#[serde(rename = "Migration", deny_unknown_fields)]
pub struct MigrationDef {
    #[serde(default)]
    pub page_size: Option<String>,
    #[serde(default)]
    pub cpu_state: Option<String>,
    #[serde(default)]
    pub chunk: Option<String>,
    #[serde(default)]
    pub max_rounds: Option<u64>,
    #[serde(default)]
    pub stop_below: Option<String>,
    #[serde(default)]
    pub fault_handling: Option<String>,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(rename = "Window", deny_unknown_fields)]
pub struct WindowDef {
    pub start: String,
    pub end: String,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(rename = "Program", deny_unknown_fields)]
pub struct ProgramDef {
    pub name: String,
    pub memory: String,
    pub wcet: String,
    #[serde(default)]
    pub period: Option<String>,
    #[serde(default)]
    pub frequency: Option<String>,
    #[serde(default)]
    pub window: Option<WindowDef>,
    #[serde(default)]
    pub max_jitter: Option<String>,
    #[serde(default)]
    pub modules: Option<Vec<String>>,
    #[serde(default)]
    pub working_set: Option<String>,
    #[serde(default)]
    pub dirty_per_job: Option<String>,
    #[serde(default)]
    pub max_unavailability: Option<String>,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(rename = "Message", deny_unknown_fields)]
pub struct MessageDef {
    pub name: String,
    pub from: String,
    pub to: Vec<String>,
    pub size: String,
    #[serde(default)]
    pub period: Option<String>,
    #[serde(default)]
    pub frequency: Option<String>,
    #[serde(default)]
    pub window: Option<WindowDef>,
    #[serde(default)]
    pub precedence: Option<bool>,
}

/// One mode file.
#[derive(Debug, Clone, Deserialize)]
#[serde(rename = "Mode", deny_unknown_fields)]
pub struct ModeFile {
    pub name: String,
    pub programs: Vec<String>,
    #[serde(default)]
    pub messages: Vec<String>,
    #[serde(default)]
    pub overrides: Vec<OverrideDef>,
    #[serde(default)]
    pub pins: Vec<PinDef>,
    #[serde(default)]
    pub major_frame: Option<String>,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(rename = "Override", deny_unknown_fields)]
pub struct OverrideDef {
    pub program: String,
    #[serde(default)]
    pub period: Option<String>,
    #[serde(default)]
    pub frequency: Option<String>,
    #[serde(default)]
    pub window: Option<WindowDef>,
    #[serde(default)]
    pub wcet: Option<String>,
    #[serde(default)]
    pub max_jitter: Option<String>,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(rename = "Pin", deny_unknown_fields)]
pub struct PinDef {
    pub program: String,
    pub module: String,
    #[serde(default)]
    pub core: Option<u64>,
}

/// The `ron` options every input file is read with: implicit `Some`, so
/// optional fields are written plainly.
pub fn ron_options() -> ron::Options {
    ron::Options::default().with_default_extension(ron::extensions::Extensions::IMPLICIT_SOME)
}
