//! The input files as written: what `ron` deserializes, before validation.
//!
//! Quantities stay strings here; [`crate::validate`] parses them and reports
//! every error with the path of the field it came from.

use serde::Deserialize;

/// `system.ron`: the platform and the catalogue.
#[derive(Debug, Clone, Deserialize)]
#[serde(rename = "System", deny_unknown_fields)]
pub struct SystemFile {
    /// `name`, as written (docs/format.md).
    pub name: String,
    /// `tick`, as written (docs/format.md).
    #[serde(default)]
    pub tick: Option<String>,
    /// `modules`, as written (docs/format.md).
    pub modules: Vec<ModuleDef>,
    /// `switches`, as written (docs/format.md).
    #[serde(default)]
    pub switches: Vec<String>,
    /// `links`, as written (docs/format.md).
    #[serde(default)]
    pub links: Vec<LinkDef>,
    /// `migration`, as written (docs/format.md).
    #[serde(default)]
    pub migration: Option<MigrationDef>,
    /// `programs`, as written (docs/format.md).
    pub programs: Vec<ProgramDef>,
    /// `messages`, as written (docs/format.md).
    #[serde(default)]
    pub messages: Vec<MessageDef>,
    /// `transitions`, as written (docs/format.md).
    #[serde(default)]
    pub transitions: Option<Vec<(String, String)>>,
}

/// A `Module(...)` of `system.ron`.
#[derive(Debug, Clone, Deserialize)]
#[serde(rename = "Module", deny_unknown_fields)]
pub struct ModuleDef {
    /// `name`, as written (docs/format.md).
    pub name: String,
    /// `cores`, as written (docs/format.md).
    pub cores: u64,
    /// `memory`, as written (docs/format.md).
    pub memory: String,
}

/// A `Link(...)` of `system.ron`.
#[derive(Debug, Clone, Deserialize)]
#[serde(rename = "Link", deny_unknown_fields)]
pub struct LinkDef {
    /// `from`, as written (docs/format.md).
    pub from: String,
    /// `to`, as written (docs/format.md).
    pub to: String,
    /// `bandwidth`, as written (docs/format.md).
    pub bandwidth: String,
    /// `latency`, as written (docs/format.md).
    #[serde(default)]
    pub latency: Option<String>,
}

/// The `migration: Migration(...)` of `system.ron`.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(rename = "Migration", deny_unknown_fields)]
pub struct MigrationDef {
    /// `page_size`, as written (docs/format.md).
    #[serde(default)]
    pub page_size: Option<String>,
    /// `cpu_state`, as written (docs/format.md).
    #[serde(default)]
    pub cpu_state: Option<String>,
    /// `chunk`, as written (docs/format.md).
    #[serde(default)]
    pub chunk: Option<String>,
    /// `max_rounds`, as written (docs/format.md).
    #[serde(default)]
    pub max_rounds: Option<u64>,
    /// `stop_below`, as written (docs/format.md).
    #[serde(default)]
    pub stop_below: Option<String>,
    /// `fault_handling`, as written (docs/format.md).
    #[serde(default)]
    pub fault_handling: Option<String>,
}

/// A `Window(start: .., end: ..)`.
#[derive(Debug, Clone, Deserialize)]
#[serde(rename = "Window", deny_unknown_fields)]
pub struct WindowDef {
    /// `start`, as written (docs/format.md).
    pub start: String,
    /// `end`, as written (docs/format.md).
    pub end: String,
}

/// A `Program(...)` of the catalogue.
#[derive(Debug, Clone, Deserialize)]
#[serde(rename = "Program", deny_unknown_fields)]
pub struct ProgramDef {
    /// `name`, as written (docs/format.md).
    pub name: String,
    /// `memory`, as written (docs/format.md).
    pub memory: String,
    /// `wcet`, as written (docs/format.md).
    pub wcet: String,
    /// `period`, as written (docs/format.md).
    #[serde(default)]
    pub period: Option<String>,
    /// `frequency`, as written (docs/format.md).
    #[serde(default)]
    pub frequency: Option<String>,
    /// `window`, as written (docs/format.md).
    #[serde(default)]
    pub window: Option<WindowDef>,
    /// `max_jitter`, as written (docs/format.md).
    #[serde(default)]
    pub max_jitter: Option<String>,
    /// `modules`, as written (docs/format.md).
    #[serde(default)]
    pub modules: Option<Vec<String>>,
    /// `working_set`, as written (docs/format.md).
    #[serde(default)]
    pub working_set: Option<String>,
    /// `dirty_per_job`, as written (docs/format.md).
    #[serde(default)]
    pub dirty_per_job: Option<String>,
    /// `max_unavailability`, as written (docs/format.md).
    #[serde(default)]
    pub max_unavailability: Option<String>,
}

/// A `Message(...)` of the catalogue.
#[derive(Debug, Clone, Deserialize)]
#[serde(rename = "Message", deny_unknown_fields)]
pub struct MessageDef {
    /// `name`, as written (docs/format.md).
    pub name: String,
    /// `from`, as written (docs/format.md).
    pub from: String,
    /// `to`, as written (docs/format.md).
    pub to: Vec<String>,
    /// `size`, as written (docs/format.md).
    pub size: String,
    /// `period`, as written (docs/format.md).
    #[serde(default)]
    pub period: Option<String>,
    /// `frequency`, as written (docs/format.md).
    #[serde(default)]
    pub frequency: Option<String>,
    /// `window`, as written (docs/format.md).
    #[serde(default)]
    pub window: Option<WindowDef>,
    /// `precedence`, as written (docs/format.md).
    #[serde(default)]
    pub precedence: Option<bool>,
}

/// One mode file.
#[derive(Debug, Clone, Deserialize)]
#[serde(rename = "Mode", deny_unknown_fields)]
pub struct ModeFile {
    /// `name`, as written (docs/format.md).
    pub name: String,
    /// `programs`, as written (docs/format.md).
    pub programs: Vec<String>,
    /// `messages`, as written (docs/format.md).
    #[serde(default)]
    pub messages: Vec<String>,
    /// `overrides`, as written (docs/format.md).
    #[serde(default)]
    pub overrides: Vec<OverrideDef>,
    /// `pins`, as written (docs/format.md).
    #[serde(default)]
    pub pins: Vec<PinDef>,
    /// `major_frame`, as written (docs/format.md).
    #[serde(default)]
    pub major_frame: Option<String>,
}

/// An `Override(...)` of a mode: the program's requirement in this mode.
#[derive(Debug, Clone, Deserialize)]
#[serde(rename = "Override", deny_unknown_fields)]
pub struct OverrideDef {
    /// `program`, as written (docs/format.md).
    pub program: String,
    /// `period`, as written (docs/format.md).
    #[serde(default)]
    pub period: Option<String>,
    /// `frequency`, as written (docs/format.md).
    #[serde(default)]
    pub frequency: Option<String>,
    /// `window`, as written (docs/format.md).
    #[serde(default)]
    pub window: Option<WindowDef>,
    /// `wcet`, as written (docs/format.md).
    #[serde(default)]
    pub wcet: Option<String>,
    /// `max_jitter`, as written (docs/format.md).
    #[serde(default)]
    pub max_jitter: Option<String>,
}

/// A `Pin(...)` of a mode: fixes a program's module (and core).
#[derive(Debug, Clone, Deserialize)]
#[serde(rename = "Pin", deny_unknown_fields)]
pub struct PinDef {
    /// `program`, as written (docs/format.md).
    pub program: String,
    /// `module`, as written (docs/format.md).
    pub module: String,
    /// `core`, as written (docs/format.md).
    #[serde(default)]
    pub core: Option<u64>,
}

/// The `ron` options every input file is read with: implicit `Some`, so
/// optional fields are written plainly.
pub fn ron_options() -> ron::Options {
    ron::Options::default().with_default_extension(ron::extensions::Extensions::IMPLICIT_SOME)
}
