//! A register of one number, 0 at first: the sequential model of the linearizability tests.

use genserver_sim::linearize::Model;

/// The register's value.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct Register(pub u32);

/// Write a value, or read it.
#[derive(Clone, Debug, PartialEq)]
pub enum RegisterOp {
    Write(u32),
    Read,
}

impl Model for Register {
    type Op = RegisterOp;
    /// A read's value; `None` for a write.
    type Ret = Option<u32>;
    type Key = ();

    fn step(&mut self, op: &RegisterOp) -> Option<u32> {
        match *op {
            RegisterOp::Write(value) => {
                self.0 = value;
                None
            }
            RegisterOp::Read => Some(self.0),
        }
    }
}
