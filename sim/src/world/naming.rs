//! How messages are named in schedule labels, and numbered: `call Get #2` is the second
//! `Get` call a caller made to that callee; `cast #1` the first cast without a head; a reply
//! is named after its call.
//!
//! Names are computed when a message is sent (its number depends on what its sender sent
//! before) and kept compact: the head is interned once per thread (runs after the first
//! start with the heads learnt before), so sending allocates nothing after the first message
//! of each head.

use std::any::{Any, TypeId};
use std::cell::RefCell;
use std::collections::BTreeMap;
use std::fmt::{self, Write};
use std::rc::Rc;

use genserver::{AnyMessage, CallTag, Message, ProcessId};

use crate::world::envelope::{Body, KINDS};

/// The place of `kind` in [`KINDS`] (the key of the message counts).
fn kind_code(kind: &str) -> u8 {
    match kind {
        "call" => 0,
        "cast" => 1,
        "info" => 2,
        "reply" => 3,
        "down" => 4,
        "exit signal" => 5,
        "kill" => 6,
        _ => KINDS.len() as u8,
    }
}
use crate::world::erased_server::guarded;
use crate::world::spares::Spares;

/// The name of one message: its kind, its head (interned; 0 for none), its number, and, for
/// a reply that another process than the callee sent, the callee.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) struct Name {
    pub kind: &'static str,
    pub head: u32,
    pub nth: u64,
    pub of: Option<ProcessId>,
}

/// The numbering of one run: interned heads, counts per sender, receiver, kind and head,
/// and the name of every call made (its reply and its timeout are named after it).
#[derive(Clone, Default)]
pub(crate) struct Naming {
    /// Shared by the copies of a world (a copy learns a new head rarely: it then makes its
    /// own list).
    heads: Rc<Heads>,
    /// Keyed by sender, receiver, kind (its place in [`KINDS`]: numbers compare faster
    /// than text) and head, in key order (a short list: a run has a few such keys).
    counts: Vec<((ProcessId, ProcessId, u8, u32), u64)>,
    /// The name and callee of every call each process made, by process number, then in
    /// call order (call `#n` at `n - 1`: tags count a caller's calls from 1).
    calls: Vec<Vec<(Name, ProcessId)>>,
    /// Where a head is written before it is looked up.
    scratch: String,
}

/// Interned heads: each head's text by number (from 1), and each text's number.
#[derive(Clone, Default)]
struct Heads {
    list: Vec<Box<str>>,
    ids: BTreeMap<Box<str>, u32>,
}

/// How many heads a thread keeps for its next runs, at most (heads are the names of types
/// and variants: a few per system; a `Debug` that writes other names keeps its own).
const KEPT_HEADS: usize = 1024;

thread_local! {
    /// The heads this thread's runs learnt: a new run starts with them instead of learning
    /// them again. A head's number is the run's own business (labels show its text), so
    /// runs may number the same head differently.
    static LEARNT: RefCell<Rc<Heads>> = RefCell::new(Rc::default());
}

impl Naming {
    /// The numbering of a new run: nothing counted yet, the heads this thread knows, in
    /// lists with room (emptied: `calls` may hold empty lists, which name no call, as
    /// missing ones do).
    pub fn from_spares(
        counts: Vec<((ProcessId, ProcessId, u8, u32), u64)>,
        calls: Vec<Vec<(Name, ProcessId)>>,
        scratch: String,
    ) -> Self {
        debug_assert!(counts.is_empty() && calls.iter().all(Vec::is_empty));
        Naming {
            heads: LEARNT.with(|learnt| Rc::clone(&learnt.borrow())),
            counts,
            calls,
            scratch,
        }
    }

    /// Moves this numbering's lists into `spares` (not emptied here).
    pub fn into_spares(self, spares: &mut Spares) {
        spares.counts = self.counts;
        spares.calls = self.calls;
        spares.scratch = self.scratch;
    }

    /// The next number of a sender's messages of `kind` and `head` to `to` (over all its
    /// lives), from 1.
    fn number(&mut self, from: ProcessId, to: ProcessId, kind: &'static str, head: u32) -> u64 {
        let key = (from, to, kind_code(kind), head);
        let at = match self.counts.binary_search_by_key(&key, |(k, _)| *k) {
            Ok(at) => at,
            Err(at) => {
                self.counts.insert(at, (key, 0));
                at
            }
        };
        self.counts[at].1 += 1;
        self.counts[at].1
    }

    /// The interned head of `value`'s `Debug` text (0 if it starts with no name).
    fn head_of(&mut self, value: &AnyMessage) -> u32 {
        if is_number(value) {
            return 0;
        }
        self.scratch.clear();
        let mut head = Head {
            text: &mut self.scratch,
            done: false,
        };
        // A `Debug` that panics names nothing; formatting stops after the head anyway.
        let _ = guarded(|| write!(head, "{value:?}"));
        if self.scratch.is_empty() {
            return 0;
        }
        if let Some(&id) = self.heads.ids.get(self.scratch.as_str()) {
            return id;
        }
        let heads = Rc::make_mut(&mut self.heads);
        heads.list.push(self.scratch.as_str().into());
        let id = heads.list.len() as u32;
        heads.ids.insert(self.scratch.as_str().into(), id);
        if heads.list.len() <= KEPT_HEADS {
            LEARNT.with(|learnt| *learnt.borrow_mut() = Rc::clone(&self.heads));
        }
        id
    }

    /// Names call `tag` of `caller` to `callee`, made with `request`; gives the call's tag
    /// number (calls are counted per caller).
    pub fn call(&mut self, caller: ProcessId, callee: ProcessId, request: &AnyMessage) -> CallTag {
        let at = caller.0 as usize;
        if self.calls.len() <= at {
            self.calls.resize_with(at + 1, Vec::new);
        }
        let tag = CallTag(self.calls[at].len() as u64 + 1);
        let head = self.head_of(request);
        let nth = self.number(caller, callee, "call", head);
        let name = Name {
            kind: "call",
            head,
            nth,
            of: None,
        };
        self.calls[at].push((name, callee));
        tag
    }

    /// The name of call `tag` of `caller`, and its callee.
    pub fn call_name(&self, caller: ProcessId, tag: CallTag) -> (Name, ProcessId) {
        let unknown = Name {
            kind: "call",
            head: 0,
            nth: tag.0,
            of: None,
        };
        let made = self.calls.get(caller.0 as usize);
        let index = usize::try_from(tag.0).ok().and_then(|n| n.checked_sub(1));
        (made
            .zip(index)
            .and_then(|(made, index)| made.get(index))
            .copied())
        .unwrap_or((unknown, ProcessId::EXTERNAL))
    }

    /// The name of a message `from` sends `to`.
    pub fn message(&mut self, from: ProcessId, to: ProcessId, body: &Body) -> Name {
        match body {
            Body::Call { tag, .. } => self.call_name(from, *tag).0,
            Body::Reply { tag, .. } => {
                let (call, callee) = self.call_name(to, *tag);
                Name {
                    kind: "reply",
                    of: (callee != from).then_some(callee),
                    ..call
                }
            }
            Body::Down { monitor, .. } => Name {
                kind: "down",
                head: 0,
                nth: monitor.0,
                of: None,
            },
            Body::Cast(msg) | Body::Info(msg) => {
                let (kind, head) = (body.kind(), self.head_of(msg));
                let nth = self.number(from, to, kind, head);
                Name {
                    kind,
                    head,
                    nth,
                    of: None,
                }
            }
            Body::Exit { .. } => {
                let kind = body.kind();
                let nth = self.number(from, to, kind, 0);
                Name {
                    kind,
                    head: 0,
                    nth,
                    of: None,
                }
            }
        }
    }

    /// Appends `name` to `text` as [`Naming::show`] displays it, without the formatting
    /// machinery (labels are written at every step with the trace on).
    pub fn push_name<P: fmt::Display>(
        &self,
        text: &mut String,
        name: Name,
        process: impl Fn(ProcessId) -> P,
    ) {
        text.push_str(name.kind);
        if let Some(head) = (name.head as usize)
            .checked_sub(1)
            .and_then(|i| self.heads.list.get(i))
        {
            text.push(' ');
            text.push_str(head);
        }
        text.push_str(" #");
        push_number(text, name.nth);
        if let Some(callee) = name.of {
            text.push_str(" of ");
            let _ = write!(text, "{}", process(callee));
        }
    }

    /// `name` as labels show it, with `process` naming the callee of a reply sent by another.
    pub fn show<'a, P: fmt::Display>(
        &'a self,
        name: Name,
        process: impl Fn(ProcessId) -> P + 'a,
    ) -> impl fmt::Display + 'a {
        Shown {
            naming: self,
            name,
            process,
        }
    }
}

/// Whether `value` is of a primitive number type: its `Debug` starts with a digit or a sign,
/// never with a name, so it has no head (and sending it need not run the formatter).
fn is_number(value: &AnyMessage) -> bool {
    let erased: &dyn Message = &**value;
    let any: &dyn Any = erased;
    let id = any.type_id();
    [
        TypeId::of::<i8>(),
        TypeId::of::<i16>(),
        TypeId::of::<i32>(),
        TypeId::of::<i64>(),
        TypeId::of::<i128>(),
        TypeId::of::<isize>(),
        TypeId::of::<u8>(),
        TypeId::of::<u16>(),
        TypeId::of::<u32>(),
        TypeId::of::<u64>(),
        TypeId::of::<u128>(),
        TypeId::of::<usize>(),
    ]
    .contains(&id)
}

/// Appends `n` in decimal, as `Display` writes it.
pub(crate) fn push_number(text: &mut String, n: u64) {
    let _ = write_number(text, n);
}

/// Writes `n` in decimal, as `Display` does, without the formatting machinery.
pub(crate) fn write_number(out: &mut impl Write, mut n: u64) -> fmt::Result {
    let mut digits = [0u8; 20];
    let mut at = digits.len();
    loop {
        at -= 1;
        digits[at] = b'0' + (n % 10) as u8;
        n /= 10;
        if n == 0 {
            break;
        }
    }
    out.write_str(std::str::from_utf8(&digits[at..]).expect("ASCII digits"))
}

/// A name, displayed.
struct Shown<'a, F> {
    naming: &'a Naming,
    name: Name,
    process: F,
}

impl<F: Fn(ProcessId) -> P, P: fmt::Display> fmt::Display for Shown<'_, F> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let Name {
            kind,
            head,
            nth,
            of,
        } = self.name;
        f.write_str(kind)?;
        if let Some(head) = (head as usize)
            .checked_sub(1)
            .and_then(|i| self.naming.heads.list.get(i))
        {
            write!(f, " {head}")?;
        }
        write!(f, " #{nth}")?;
        match of {
            Some(callee) => write!(f, " of {}", (self.process)(callee)),
            None => Ok(()),
        }
    }
}

/// Keeps the leading identifier written to it, and fails the formatting after it (and
/// keeps nothing more, should a `Debug` go on writing after the failure).
struct Head<'a> {
    text: &'a mut String,
    done: bool,
}

impl Write for Head<'_> {
    fn write_str(&mut self, text: &str) -> fmt::Result {
        for c in text.chars() {
            let fits = c.is_alphanumeric() || c == '_';
            if self.done || !fits || (self.text.is_empty() && c.is_numeric()) {
                self.done = true;
                return Err(fmt::Error);
            }
            self.text.push(c);
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use std::fmt;

    use genserver::AnyMessage;

    use super::Naming;

    /// Writes `Get`, then goes on writing although its formatter failed.
    struct Stubborn;

    impl fmt::Debug for Stubborn {
        fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
            let _ = f.write_str("Get");
            let _ = f.write_str(" ");
            f.write_str("42")
        }
    }

    #[test]
    fn kind_codes_are_places_in_kinds() {
        for (at, kind) in super::KINDS.iter().enumerate() {
            assert_eq!(super::kind_code(kind), at as u8);
        }
    }

    #[test]
    fn numbers_are_pushed_as_displayed() {
        for n in [0, 7, 10, 99, 12_345, u64::MAX] {
            let mut text = String::from("#");
            super::push_number(&mut text, n);
            assert_eq!(text, format!("#{n}"));
        }
    }

    #[test]
    fn a_head_is_the_leading_name_only() {
        let mut naming = Naming::default();
        let head = |naming: &mut Naming, value: AnyMessage| {
            let id = naming.head_of(&value);
            (id as usize)
                .checked_sub(1)
                .map(|i| naming.heads.list[i].to_string())
        };
        assert_eq!(
            head(&mut naming, Box::new(Stubborn)),
            Some("Get".to_owned())
        );
        assert_eq!(
            head(&mut naming, Box::new(Some(3))),
            Some("Some".to_owned())
        );
        assert_eq!(head(&mut naming, Box::new(42_u32)), None);
        assert_eq!(head(&mut naming, Box::new(-7_i64)), None);
        assert_eq!(head(&mut naming, Box::new(1.5_f64)), None);
        assert_eq!(head(&mut naming, Box::new("text")), None);
    }
}
