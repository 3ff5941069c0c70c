//! The model: what the documents are about, independent of files and of layout.

pub mod kpi;
pub mod letter;
pub mod narrative;

/// How far a task of the agreement got; always shown as text and symbol, colour only as a third cue.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TaskStatus {
    Achieved,
    Partly,
    NotAchieved,
    InProgress,
}

impl TaskStatus {
    pub const ALL: [TaskStatus; 4] = [
        TaskStatus::Achieved,
        TaskStatus::Partly,
        TaskStatus::NotAchieved,
        TaskStatus::InProgress,
    ];

    /// The word the narrative uses and the document prints.
    pub fn text(self) -> &'static str {
        match self {
            TaskStatus::Achieved => "oppnådd",
            TaskStatus::Partly => "delvis",
            TaskStatus::NotAchieved => "ikke oppnådd",
            TaskStatus::InProgress => "pågår",
        }
    }

    /// A stable ASCII key the Typst library maps to symbol and colour.
    pub fn key(self) -> &'static str {
        match self {
            TaskStatus::Achieved => "oppnaadd",
            TaskStatus::Partly => "delvis",
            TaskStatus::NotAchieved => "ikke-oppnaadd",
            TaskStatus::InProgress => "paagaar",
        }
    }

    pub fn parse(text: &str) -> Option<TaskStatus> {
        let wanted = text.trim().to_lowercase();
        TaskStatus::ALL.into_iter().find(|s| s.text() == wanted)
    }
}
