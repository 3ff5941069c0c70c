//! A document of many units built a group of units at a time, so a national run holds one
//! group's model, not every unit's: the document is first checked group by group (each
//! group's model dropped once checked) for the verdict every output shares, then each group
//! is modelled again when its first PDF is built and dropped when its last one is.

use std::collections::HashMap;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex, OnceLock, PoisonError};

use crate::diag::Diagnostics;
use crate::model::acknowledge::Acknowledged;

/// The units one model holds when a document has more to build. On the national shape at
/// N = 1 000 (BENCHMARKS.md), 128 units a model peaked at 184 MB and 64 at 158 MB; fewer
/// means more passes over the file (each group's reading scans it, skipping others' rows).
pub(super) const UNITS_PER_MODEL: usize = 64;

/// What every group's check found, shared by all the document's outputs as one model's
/// problems would be: any group with errors fails every output, and a warning anywhere
/// counts for each.
pub(super) struct Verdict {
    pub failed: bool,
    pub problems: Diagnostics,
    pub acknowledged: Vec<Acknowledged>,
}

pub(super) struct Groups<M> {
    /// The group of each output built in groups, by output index.
    group_of: HashMap<usize, usize>,
    /// Each group's outputs, by index, in plan order.
    members: Vec<Vec<usize>>,
    /// Each group's model while its PDFs are being built.
    models: Vec<Mutex<Option<Arc<Option<M>>>>>,
    /// Each group's outputs not yet rendered.
    left: Vec<AtomicUsize>,
    verdict: OnceLock<Verdict>,
}

impl<M> Groups<M> {
    /// Groups for `building` (output indices in plan order) when there are more than one
    /// model's worth and each of them `is_unit`; `None` otherwise (one model serves all).
    pub(super) fn new(building: &[usize], is_unit: impl Fn(usize) -> bool) -> Option<Groups<M>> {
        if building.len() <= UNITS_PER_MODEL || !building.iter().all(|&i| is_unit(i)) {
            return None;
        }
        let members: Vec<Vec<usize>> = building
            .chunks(UNITS_PER_MODEL)
            .map(<[usize]>::to_vec)
            .collect();
        let group_of = members
            .iter()
            .enumerate()
            .flat_map(|(g, outputs)| outputs.iter().map(move |&i| (i, g)))
            .collect();
        Some(Groups {
            group_of,
            models: members.iter().map(|_| Mutex::new(None)).collect(),
            left: members.iter().map(|m| AtomicUsize::new(m.len())).collect(),
            members,
            verdict: OnceLock::new(),
        })
    }

    pub(super) fn group_of(&self, index: usize) -> Option<usize> {
        self.group_of.get(&index).copied()
    }

    pub(super) fn members(&self) -> &[Vec<usize>] {
        &self.members
    }

    /// The verdict, made by the first output that needs it (the others wait).
    pub(super) fn verdict(&self, make: impl FnOnce() -> Verdict) -> &Verdict {
        self.verdict.get_or_init(make)
    }

    /// The verdict, if an output made it.
    pub(super) fn made_verdict(&self) -> Option<&Verdict> {
        self.verdict.get()
    }

    /// Group `group`'s model: made by the first of its outputs (the others wait), kept
    /// until the last is done.
    pub(super) fn model(&self, group: usize, make: impl FnOnce() -> Option<M>) -> Arc<Option<M>> {
        let mut slot = self.models[group]
            .lock()
            .unwrap_or_else(PoisonError::into_inner);
        Arc::clone(slot.get_or_insert_with(|| Arc::new(make())))
    }

    /// Tells [`Groups::done`] for `group` when dropped: also when rendering panics.
    pub(super) fn rendering(&self, group: usize) -> Rendering<'_, M> {
        Rendering {
            groups: self,
            group,
        }
    }

    /// One of the group's outputs is rendered: the last lets its model go.
    fn done(&self, group: usize) {
        if self.left[group].fetch_sub(1, Ordering::AcqRel) == 1 {
            let mut slot = self.models[group]
                .lock()
                .unwrap_or_else(PoisonError::into_inner);
            *slot = None;
            drop(slot);
            // The allocator keeps what typesetting and the group's model freed inside its
            // arenas (in use stayed ~50 MB over a national run while the arenas grew from
            // 124 to 175 MB, mallinfo2); handing it back once a group is done keeps the
            // resident size from growing with the number of groups.
            crate::engine::release_free_memory();
        }
    }
}

/// An output of a group being rendered.
pub(super) struct Rendering<'a, M> {
    groups: &'a Groups<M>,
    group: usize,
}

impl<M> Drop for Rendering<'_, M> {
    fn drop(&mut self) {
        self.groups.done(self.group);
    }
}
