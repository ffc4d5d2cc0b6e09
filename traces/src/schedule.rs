//! The schedule on its own: a plain text file a person can read, edit and diff.

use crate::{Inputs, LoadError, Trace};

/// The first line of every schedule file. Version 2 came with trace format version 3: its
/// labels name messages by kind, head, number, sender and receiver, then the payload.
pub const SCHEDULE_MAGIC: &str = "# genserver schedule v2";

/// How every schedule file starts, whatever its version.
pub const SCHEDULE_PREFIX: &str = "# genserver schedule ";

/// The decisions of a run, one per step, with what is needed to run them again.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Schedule {
    /// The system's name.
    pub system: String,
    /// The seed of the original run (for reference; replay follows the decisions).
    pub seed: u64,
    /// The step limit of the original run.
    pub max_steps: u64,
    /// The strategy that chose the original run (a replay records it as its own).
    pub strategy: String,
    /// One decision per step, as the scheduler recorded it.
    pub steps: Vec<String>,
    /// The inputs the run used, if its system recorded any (a `# inputs:` line holding
    /// them as JSON; a reader that does not know the line diverges at the first input).
    pub inputs: Option<Inputs>,
}

impl Schedule {
    /// The schedule of a trace.
    pub fn of(trace: &Trace) -> Schedule {
        Schedule {
            system: trace.header.system.clone(),
            seed: trace.header.seed,
            max_steps: trace.header.max_steps,
            strategy: trace.header.strategy.clone(),
            steps: trace.schedule().into_iter().map(str::to_owned).collect(),
            inputs: trace.header.inputs.clone(),
        }
    }

    /// The text form: a magic line, `# key: value` lines, then one decision per line.
    /// (A decision whose rendered message spans lines can only be replayed from a trace.)
    pub fn to_text(&self) -> String {
        let mut out = format!(
            "{SCHEDULE_MAGIC}\n# system: {}\n# seed: {}\n# max-steps: {}\n# strategy: {}\n",
            self.system, self.seed, self.max_steps, self.strategy
        );
        if let Some(inputs) = &self.inputs {
            // Serializing these plain structs cannot fail.
            let json = serde_json::to_string(inputs).unwrap_or_default();
            out.push_str(&format!("# inputs: {json}\n"));
        }
        for step in &self.steps {
            out.push_str(step);
            out.push('\n');
        }
        out
    }

    /// Parses the text form; blank lines and other `#` lines are ignored. Without a
    /// `# strategy:` line the strategy is `replay`.
    pub fn from_text(text: &str) -> Result<Schedule, LoadError> {
        let mut lines = text.lines();
        match lines.next().map(str::trim_end) {
            Some(SCHEDULE_MAGIC) => {}
            Some("# genserver schedule v1") => {
                return Err(LoadError::Syntax {
                    line: 1,
                    error: "a schedule of version 1 names messages as before trace format 3 \
                            (a global call number, the payload first): replay the trace it \
                            was written from, which replays by identity"
                        .to_owned(),
                });
            }
            _ => {
                return Err(LoadError::Syntax {
                    line: 1,
                    error: format!("a schedule starts with {SCHEDULE_MAGIC:?}"),
                });
            }
        }
        let (mut system, mut seed, mut max_steps) = (None, None, None);
        let mut strategy = "replay".to_owned();
        let (mut steps, mut inputs) = (Vec::new(), None);
        for (index, line) in lines.enumerate() {
            let number = index + 2;
            let bad = |error: String| LoadError::Syntax {
                line: number,
                error,
            };
            let number_of = |value: &str| {
                (value.trim().parse::<u64>()).map_err(|e| bad(format!("{value:?}: {e}")))
            };
            if let Some(comment) = line.strip_prefix('#') {
                match comment.trim().split_once(':') {
                    Some(("system", value)) => system = Some(value.trim().to_owned()),
                    Some(("seed", value)) => seed = Some(number_of(value)?),
                    Some(("max-steps", value)) => max_steps = Some(number_of(value)?),
                    Some(("strategy", value)) => strategy = value.trim().to_owned(),
                    Some(("inputs", value)) => {
                        let parsed = serde_json::from_str(value.trim());
                        inputs = Some(parsed.map_err(|e| bad(format!("inputs: {e}")))?);
                    }
                    _ => {}
                }
            } else if !line.trim().is_empty() {
                steps.push(line.to_owned());
            }
        }
        let missing = |key: &str| LoadError::Syntax {
            line: 1,
            error: format!("the schedule has no \"# {key}:\" line"),
        };
        Ok(Schedule {
            system: system.ok_or_else(|| missing("system"))?,
            seed: seed.ok_or_else(|| missing("seed"))?,
            max_steps: max_steps.ok_or_else(|| missing("max-steps"))?,
            strategy,
            steps,
            inputs,
        })
    }
}
