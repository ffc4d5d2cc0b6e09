//! Splitting a history by the model's partition key (P-compositionality).

use std::collections::BTreeMap;

use super::history::{History, OpId};
use super::model::Model;

/// The operations of each partition, in key order; one part keyed `None` if any operation
/// has no key (or the history is empty).
pub(crate) fn partitions<M: Model>(
    history: &History<M::Op, M::Ret>,
) -> Vec<(Option<M::Key>, Vec<OpId>)> {
    let mut parts: BTreeMap<M::Key, Vec<OpId>> = BTreeMap::new();
    for (id, operation) in history.iter() {
        match M::partition(&operation.input) {
            Some(key) => parts.entry(key).or_default().push(id),
            None => return vec![(None, history.iter().map(|(id, _)| id).collect())],
        }
    }
    if parts.is_empty() {
        return vec![(None, Vec::new())];
    }
    parts
        .into_iter()
        .map(|(key, ids)| (Some(key), ids))
        .collect()
}
