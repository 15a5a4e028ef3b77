//! The kinds of work in a queue, as a person names them: the shared project,
//! and each private workstream (incidents, security patches, ...).
//!
//! The engine keeps no workstream on an item, only its base priority, so an
//! item's workstream is read back from that priority: each workstream draws
//! its items' priorities within `priority +/- priority_jitter`, and the item
//! belongs to the workstream whose band holds it, or the nearest one. With
//! the default mix the bands are at least 0.4 apart, so this is exact; where
//! a scenario's bands overlap, an item in the overlap is given the nearer
//! workstream.

use crate::scenario::{LeaderId, Scenario};

use super::observe::QueueItem;

/// One kind of work.
#[derive(Debug, Clone, PartialEq)]
pub struct Kind {
    pub name: String,
    /// The base priority it is given (a project's: the member's).
    pub priority: f64,
    pub shared: bool,
}

/// The kinds of work of the two leaders of a story, in queue order: highest
/// priority first, and at equal priority the shared project first.
#[derive(Debug, Clone)]
pub struct Catalogue {
    pub kinds: Vec<Kind>,
    /// Per leader: each workstream's (kind index, priority, jitter).
    streams: [Vec<(usize, f64, f64)>; 2],
    /// Per leader: each project's (project index, kind index).
    projects: [Vec<(u32, usize)>; 2],
}

impl Catalogue {
    pub fn new(scenario: &Scenario, leaders: [LeaderId; 2]) -> Catalogue {
        let organisation = &scenario.organisation;
        let mut kinds: Vec<Kind> = Vec::new();
        let mut add = |kind: Kind| match kinds.iter().position(|k| *k == kind) {
            Some(index) => index,
            None => {
                kinds.push(kind);
                kinds.len() - 1
            }
        };
        let mut streams: [Vec<(usize, f64, f64)>; 2] = Default::default();
        let mut projects: [Vec<(u32, usize)>; 2] = Default::default();
        for (side, leader) in leaders.iter().enumerate() {
            for stream in &organisation.leaders[leader.0 as usize].workstreams {
                let index = add(Kind {
                    name: stream.name.to_string(),
                    priority: stream.priority,
                    shared: false,
                });
                streams[side].push((index, stream.priority, stream.priority_jitter));
            }
            for (project_index, project) in organisation.projects.iter().enumerate() {
                if let Some(member) = project.members.iter().find(|m| m.leader == *leader) {
                    let index = add(Kind {
                        name: project.name.clone(),
                        priority: member.priority,
                        shared: true,
                    });
                    projects[side].push((project_index as u32, index));
                }
            }
        }
        // Queue order; the indices above are re-pointed after sorting.
        let mut order: Vec<usize> = (0..kinds.len()).collect();
        order.sort_by(|&a, &b| {
            let (a, b) = (&kinds[a], &kinds[b]);
            b.priority
                .total_cmp(&a.priority)
                .then(b.shared.cmp(&a.shared))
                .then(a.name.cmp(&b.name))
        });
        let mut new_index = vec![0; kinds.len()];
        for (position, &old) in order.iter().enumerate() {
            new_index[old] = position;
        }
        let kinds = order.iter().map(|&old| kinds[old].clone()).collect();
        for side in 0..2 {
            for stream in &mut streams[side] {
                stream.0 = new_index[stream.0];
            }
            for project in &mut projects[side] {
                project.1 = new_index[project.1];
            }
        }
        Catalogue {
            kinds,
            streams,
            projects,
        }
    }

    /// The kind of an item of leader `side`'s queue.
    pub fn kind_of(&self, side: usize, item: &QueueItem) -> usize {
        if let Some(project) = item.project {
            return self.projects[side]
                .iter()
                .find(|(p, _)| *p == project)
                .map_or(0, |&(_, kind)| kind);
        }
        let priority = item.priority.unwrap_or(f64::NAN);
        // Distance outside the band, then distance to its centre.
        let distance = |&&(_, centre, jitter): &&(usize, f64, f64)| {
            let off = (priority - centre).abs();
            ((off - jitter).max(0.0), off)
        };
        self.streams[side]
            .iter()
            .min_by(|a, b| {
                let (a, b) = (distance(a), distance(b));
                a.0.total_cmp(&b.0).then(a.1.total_cmp(&b.1))
            })
            .map_or(0, |&(kind, _, _)| kind)
    }

    /// Hours (or any measure) of a leader's items summed by kind.
    pub fn sum_by_kind<'a>(
        &self,
        side: usize,
        items: impl IntoIterator<Item = &'a QueueItem>,
        measure: impl Fn(&QueueItem) -> f64,
    ) -> Vec<f64> {
        let mut sums = vec![0.0; self.kinds.len()];
        for item in items {
            sums[self.kind_of(side, item)] += measure(item);
        }
        sums
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::workshop::observe::Known;

    fn item(project: Option<u32>, priority: Option<f64>) -> QueueItem {
        QueueItem {
            id: 0,
            project,
            priority,
            remaining_hours: 1.0,
            worked_hours: 0.0,
            due_week: 1,
            peer: Known::Unknown,
        }
    }

    #[test]
    fn items_are_named_by_their_workstream_band() {
        let text = include_str!("../../scenarios/two-managers.toml");
        let scenario = crate::scenario::load_text("two-managers.toml", text, &[]).expect("valid");
        let catalogue = Catalogue::new(&scenario, [LeaderId(0), LeaderId(1)]);
        let names: Vec<&str> = catalogue.kinds.iter().map(|k| k.name.as_str()).collect();
        assert_eq!(
            names,
            [
                "incidents",
                "security-patches",
                "stakeholder-features",
                "checkout-rewrite",
                "infrastructure-upgrades",
                "training",
                "technical-debt"
            ]
        );
        let name = |item: QueueItem| &catalogue.kinds[catalogue.kind_of(1, &item)].name;
        assert_eq!(name(item(None, Some(8.29))), "security-patches");
        assert_eq!(name(item(None, Some(5.7))), "stakeholder-features");
        assert_eq!(name(item(None, Some(2.71))), "technical-debt");
        assert_eq!(name(item(Some(0), None)), "checkout-rewrite");
    }
}
