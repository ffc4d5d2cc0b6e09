//! Which children a strategy stops and restarts when one of them must be restarted.

use super::Strategy;

/// What to do after child `failed` exited and must be restarted.
#[derive(Debug, PartialEq, Eq)]
pub(crate) struct Plan {
    /// Children to stop first, in stop order (reverse start order).
    pub stop: Vec<usize>,
    /// Children to start afterwards, in start order.
    pub start: Vec<usize>,
}

/// The plan for `strategy`, given which children are running now (by start order) and which
/// exist at all (temporary children that exited are gone).
pub(crate) fn plan(strategy: Strategy, failed: usize, running: &[bool], exists: &[bool]) -> Plan {
    let group: Vec<usize> = match strategy {
        Strategy::OneForOne => vec![failed],
        Strategy::OneForAll => (0..exists.len()).filter(|&i| exists[i]).collect(),
        Strategy::RestForOne => (failed..exists.len()).filter(|&i| exists[i]).collect(),
    };
    let stop = group
        .iter()
        .rev()
        .copied()
        .filter(|&i| i != failed && running[i])
        .collect();
    Plan { stop, start: group }
}

#[cfg(test)]
mod tests {
    use super::*;

    const ALL: [bool; 4] = [true; 4];

    #[test]
    fn one_for_one_restarts_only_the_failed_child() {
        let running = [true, false, true, true];
        let plan = plan(Strategy::OneForOne, 1, &running, &ALL);
        assert_eq!(
            plan,
            Plan {
                stop: vec![],
                start: vec![1]
            }
        );
    }

    #[test]
    fn one_for_all_stops_the_others_in_reverse_and_restarts_all_in_order() {
        let running = [true, false, true, true];
        let plan = plan(Strategy::OneForAll, 1, &running, &ALL);
        assert_eq!(
            plan,
            Plan {
                stop: vec![3, 2, 0],
                start: vec![0, 1, 2, 3]
            }
        );
    }

    #[test]
    fn rest_for_one_stops_the_later_children_and_restarts_from_the_failed_one() {
        let running = [true, false, true, true];
        let plan = plan(Strategy::RestForOne, 1, &running, &ALL);
        assert_eq!(
            plan,
            Plan {
                stop: vec![3, 2],
                start: vec![1, 2, 3]
            }
        );
    }

    #[test]
    fn children_that_are_gone_are_neither_stopped_nor_started() {
        let running = [true, false, false, true];
        let exists = [true, true, false, true];
        let plan = plan(Strategy::OneForAll, 1, &running, &exists);
        assert_eq!(
            plan,
            Plan {
                stop: vec![3, 0],
                start: vec![0, 1, 3]
            }
        );
    }
}
