//! Replicates in parallel: each replicate simulates every arm on the same
//! workload (common random numbers), and finished replicates are folded into
//! running statistics in replicate order, so memory stays flat in the number
//! of replicates and the result does not depend on the number of threads.
//!
//! Replicates are folded in blocks of [`BLOCK`]: each block's statistics are
//! computed on their own and then merged into the total in block order. The
//! blocks are the unit of sharding (see `--shard`): a shard runs a range of
//! blocks and keeps each block's statistics, and merging every shard's blocks
//! in order repeats the unsharded run's arithmetic exactly.

use std::ops::{Range, RangeInclusive};
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};

use rayon::prelude::*;

use crate::detail::{EntityRows, Tally};
use crate::engine;
use crate::metrics::{self, Summary, Weekly};
use crate::model::{State, World};
use crate::scenario::{Arm, Scenario};
use crate::stats::Running;

/// One arm of one replicate.
#[derive(Debug, Clone)]
pub struct ArmOutcome {
    /// `weeks` rows of [`Weekly::COUNT`] values.
    pub weekly: Vec<f64>,
    /// [`Summary::COUNT`] values.
    pub summary: Vec<f64>,
    /// Each leader's and relationship's outcome, when asked for (`--detail`).
    pub entities: Option<EntityRows>,
}

/// Simulates one arm of one replicate from the warm-up to the last week.
pub fn simulate_arm(scenario: &Scenario, world: &World, arm: &Arm, replicate: u64) -> ArmOutcome {
    let mut state = State::new(world, scenario.seed, replicate, scenario.first_week());
    simulate_arm_with(scenario, world, arm, &mut state, |_, _| {})
}

/// Every arm of one replicate, with per-entity rows when `entities`; `None`
/// when cancelled.
///
/// Arms do the same until the first week in which one of their
/// interventions can act: interventions start in week 1 or later, and before
/// their start week leave every number as it is. That common part (the
/// warm-up at least) is simulated once, without interventions, and each arm
/// goes on from its own copy, so a run of four arms with a 30-week warm-up
/// simulates the warm-up once instead of four times. The outcomes are the
/// same bytes as simulating each arm from the start (a test checks it).
fn simulate_replicate(
    scenario: &Scenario,
    world: &World,
    replicate: u64,
    control: &Control<'_>,
    entities: bool,
) -> Option<Vec<ArmOutcome>> {
    let last = scenario.weeks as i32;
    let Some(shared_until) = shared_until(scenario) else {
        // Each arm from its own fresh state, one state at a time.
        return scenario
            .arms
            .iter()
            .map(|arm| {
                let mut progress = Progress::new(scenario, world, replicate, entities);
                progress.advance(scenario, world, arm, scenario.first_week()..=last, control)?;
                Some(progress.finish(scenario, world))
            })
            .collect();
    };
    let mut common = Progress::new(scenario, world, replicate, entities);
    let weeks = scenario.first_week()..=shared_until;
    common.advance(
        scenario,
        world,
        &Arm::without_interventions(),
        weeks,
        control,
    )?;
    let (final_arm, arms) = scenario
        .arms
        .split_last()
        .expect("arms share only when there are two or more");
    let mut outcomes = Vec::with_capacity(scenario.arms.len());
    for arm in arms {
        let mut progress = common.clone();
        progress.advance(scenario, world, arm, shared_until + 1..=last, control)?;
        outcomes.push(progress.finish(scenario, world));
    }
    common.advance(scenario, world, final_arm, shared_until + 1..=last, control)?;
    outcomes.push(common.finish(scenario, world));
    Some(outcomes)
}

/// The last week that every arm of a replicate shares (the week before any
/// arm's first intervention starts), when there are arms to share it.
///
/// Only organisations small enough to run replicates side by side share:
/// the shared state is kept while the arms run, which doubles a replicate's
/// memory, and from [`engine::PARALLEL_LEADERS`] leaders that is hundreds of
/// megabytes (large-org's four arms: a peak of 1.17 GB instead of 0.8 GB)
/// for a warm-up that is a small part of the weeks.
fn shared_until(scenario: &Scenario) -> Option<i32> {
    if scenario.organisation.leaders.len() >= engine::PARALLEL_LEADERS {
        return None;
    }
    let last = scenario.weeks as i32;
    let shared_until = scenario
        .arms
        .iter()
        .map(|arm| arm.start_week().map_or(last, |start| start as i32 - 1))
        .min()?
        .min(last);
    (scenario.arms.len() > 1 && shared_until >= scenario.first_week()).then_some(shared_until)
}

/// One arm's run so far: its state, the rows of its reported weeks, and its
/// per-entity tally when asked for.
#[derive(Clone)]
struct Progress {
    state: State,
    weekly: Vec<f64>,
    tally: Option<Tally>,
}

impl Progress {
    /// A fresh state with its starting backlog, before the first week.
    fn new(scenario: &Scenario, world: &World, replicate: u64, entities: bool) -> Progress {
        let mut state = State::new(world, scenario.seed, replicate, scenario.first_week());
        let mut tally = entities.then(|| Tally::new(world));
        // Reporting starts from the state the warm-up leaves (after week 0),
        // or from the initial state when there is no warm-up.
        if let Some(tally) = &mut tally
            && scenario.warmup_weeks == 0
        {
            tally.start(&state);
        }
        engine::seed_backlog(world, &scenario.params, &mut state);
        Progress {
            state,
            weekly: vec![0.0; scenario.weeks as usize * Weekly::COUNT],
            tally,
        }
    }

    /// Simulates `weeks` of `arm`; `None` when cancelled.
    fn advance(
        &mut self,
        scenario: &Scenario,
        world: &World,
        arm: &Arm,
        weeks: RangeInclusive<i32>,
        control: &Control<'_>,
    ) -> Option<()> {
        let Progress {
            state,
            weekly,
            tally,
        } = self;
        simulate_weeks(
            scenario,
            world,
            arm,
            state,
            weekly,
            weeks,
            |week, state| {
                if let Some(tally) = tally {
                    match week {
                        0 => tally.start(state),
                        1.. => tally.add_week(world, &scenario.params, state),
                        _ => {}
                    }
                }
            },
            control,
        )
    }

    fn finish(self, scenario: &Scenario, world: &World) -> ArmOutcome {
        let Progress {
            state,
            weekly,
            tally,
        } = self;
        let mut outcome = summarise(scenario, world, &state, weekly);
        outcome.entities = tally.map(|tally| tally.finish(world, &state));
        outcome
    }
}

/// Like [`simulate_arm`], calling `observe(week, state)` after every week's step
/// (before items close); tests use it to look inside the weeks.
pub fn simulate_arm_with(
    scenario: &Scenario,
    world: &World,
    arm: &Arm,
    state: &mut State,
    observe: impl FnMut(i32, &State),
) -> ArmOutcome {
    let mut weekly = vec![0.0; scenario.weeks as usize * Weekly::COUNT];
    engine::seed_backlog(world, &scenario.params, state);
    let weeks = scenario.first_week()..=scenario.weeks as i32;
    simulate_weeks(
        scenario,
        world,
        arm,
        state,
        &mut weekly,
        weeks,
        observe,
        &Control::default(),
    )
    .expect("an uncancellable simulation completes");
    summarise(scenario, world, state, weekly)
}

/// What a run's caller can see and stop from another thread.
#[derive(Default, Clone, Copy)]
struct Control<'a> {
    cancel: Option<&'a AtomicBool>,
    progress: Option<&'a AtomicU64>,
}

/// `weeks` of one arm, recording the reported ones in `weekly`; `None` when
/// cancelled.
#[allow(clippy::too_many_arguments)]
fn simulate_weeks(
    scenario: &Scenario,
    world: &World,
    arm: &Arm,
    state: &mut State,
    weekly: &mut [f64],
    weeks: RangeInclusive<i32>,
    mut observe: impl FnMut(i32, &State),
    control: &Control<'_>,
) -> Option<()> {
    let params = &scenario.params;
    for week in weeks {
        if control
            .cancel
            .is_some_and(|flag| flag.load(Ordering::Relaxed))
        {
            return None;
        }
        engine::step(world, params, arm, state);
        observe(week, state);
        if week >= 1 {
            let row = (week - 1) as usize * Weekly::COUNT;
            metrics::record_week(world, params, state, &mut weekly[row..row + Weekly::COUNT]);
        }
        engine::end_week(world, params, state);
        if let Some(progress) = control.progress {
            progress.fetch_add(1, Ordering::Relaxed);
        }
    }
    Some(())
}

/// An arm's outcome from its last state and weekly rows.
fn summarise(scenario: &Scenario, world: &World, state: &State, weekly: Vec<f64>) -> ArmOutcome {
    let totals = metrics::run_totals(world, &scenario.params, state);
    let summary = metrics::summarise(scenario, world, &weekly, totals);
    ArmOutcome {
        weekly,
        summary,
        entities: None,
    }
}

/// Running statistics over replicates, per arm.
#[derive(Debug, Clone)]
pub struct Results {
    pub n_arms: usize,
    pub weeks: usize,
    /// `[arm][week][metric]`, flattened.
    pub weekly: Vec<Running>,
    /// `[arm][metric]`.
    pub summary: Vec<Running>,
    /// `[arm][metric]`: arm minus baseline, paired by replicate.
    pub difference: Vec<Running>,
    /// `[arm][week][metric]`: arm minus baseline, paired by replicate.
    pub weekly_difference: Vec<Running>,
    pub replicates_done: u64,
}

impl Results {
    pub fn new(n_arms: usize, weeks: usize) -> Results {
        Results {
            n_arms,
            weeks,
            weekly: vec![Running::default(); n_arms * weeks * Weekly::COUNT],
            summary: vec![Running::default(); n_arms * Summary::COUNT],
            difference: vec![Running::default(); n_arms * Summary::COUNT],
            weekly_difference: vec![Running::default(); n_arms * weeks * Weekly::COUNT],
            replicates_done: 0,
        }
    }

    pub fn weekly(&self, arm: usize, week: usize, metric: Weekly) -> &Running {
        &self.weekly[(arm * self.weeks + week) * Weekly::COUNT + metric as usize]
    }

    pub fn summary(&self, arm: usize, metric: Summary) -> &Running {
        &self.summary[arm * Summary::COUNT + metric as usize]
    }

    pub fn difference(&self, arm: usize, metric: Summary) -> &Running {
        &self.difference[arm * Summary::COUNT + metric as usize]
    }

    /// A week's metric of `arm` minus the baseline's, paired by replicate.
    pub fn weekly_difference(&self, arm: usize, week: usize, metric: Weekly) -> &Running {
        &self.weekly_difference[(arm * self.weeks + week) * Weekly::COUNT + metric as usize]
    }

    /// Merges statistics of other replicates in (see [`crate::stats::Running::merge`]).
    pub fn merge(&mut self, other: &Results) {
        let pairs = self
            .weekly
            .iter_mut()
            .zip(&other.weekly)
            .chain(self.summary.iter_mut().zip(&other.summary))
            .chain(self.difference.iter_mut().zip(&other.difference))
            .chain(
                self.weekly_difference
                    .iter_mut()
                    .zip(&other.weekly_difference),
            );
        for (mine, theirs) in pairs {
            mine.merge(theirs);
        }
        self.replicates_done += other.replicates_done;
    }

    /// Every statistic, in a fixed order: weekly, summary, difference,
    /// weekly difference.
    pub fn statistics(&self) -> impl Iterator<Item = &Running> {
        self.weekly
            .iter()
            .chain(&self.summary)
            .chain(&self.difference)
            .chain(&self.weekly_difference)
    }

    /// Mutable access in the order of [`Results::statistics`].
    pub fn statistics_mut(&mut self) -> impl Iterator<Item = &mut Running> {
        self.weekly
            .iter_mut()
            .chain(&mut self.summary)
            .chain(&mut self.difference)
            .chain(&mut self.weekly_difference)
    }

    /// Folds one replicate's arms in.
    pub fn add(&mut self, outcomes: &[ArmOutcome], baseline: usize) {
        for (arm, outcome) in outcomes.iter().enumerate() {
            let weekly = &mut self.weekly
                [arm * self.weeks * Weekly::COUNT..(arm + 1) * self.weeks * Weekly::COUNT];
            for (running, &value) in weekly.iter_mut().zip(&outcome.weekly) {
                running.push(value);
            }
            // The baseline's difference from itself is never written.
            if arm != baseline {
                let span = arm * self.weeks * Weekly::COUNT..(arm + 1) * self.weeks * Weekly::COUNT;
                let base = &outcomes[baseline].weekly;
                for ((running, &value), &base) in self.weekly_difference[span]
                    .iter_mut()
                    .zip(&outcome.weekly)
                    .zip(base)
                {
                    running.push(value - base);
                }
            }
            for metric in 0..Summary::COUNT {
                let value = outcome.summary[metric];
                self.summary[arm * Summary::COUNT + metric].push(value);
                let base = outcomes[baseline].summary[metric];
                self.difference[arm * Summary::COUNT + metric].push(value - base);
            }
        }
        self.replicates_done += 1;
    }
}

/// How to run.
pub struct RunOptions<'a> {
    /// Worker threads (at least 1).
    pub threads: usize,
    /// Set from another thread (Ctrl-C) to stop: every replicate in flight
    /// stops at the start of its next week.
    pub cancel: Option<&'a AtomicBool>,
    /// Counts the arm-weeks simulated, out of [`work_units`], for a
    /// progress bar that another thread reads.
    pub progress: Option<&'a AtomicU64>,
}

/// Replicates per block: the unit of folding and of sharding. Part of the
/// output's arithmetic: changing it changes the last digits of every mean.
pub const BLOCK: u64 = 100;

/// Blocks of a run of `replicates` replicates (the last may be short).
pub fn block_count(replicates: u64) -> u64 {
    replicates.div_ceil(BLOCK)
}

/// The replicates of a range of blocks, within `replicates`.
pub fn block_replicates(blocks: &Range<u64>, replicates: u64) -> Range<u64> {
    (blocks.start * BLOCK).min(replicates)..(blocks.end * BLOCK).min(replicates)
}

/// Arm-weeks a run simulates: replicates x arms x weeks including warm-up,
/// the weeks the arms share counted once.
pub fn work_units(scenario: &Scenario) -> u64 {
    work_units_of(scenario, scenario.replicates)
}

/// Arm-weeks of `replicates` replicates of the scenario.
pub fn work_units_of(scenario: &Scenario, replicates: u64) -> u64 {
    let weeks = u64::from(scenario.weeks + scenario.warmup_weeks);
    let arms = scenario.arms.len() as u64;
    let shared =
        shared_until(scenario).map_or(0, |until| (until - scenario.first_week() + 1) as u64);
    let per_replicate = shared + arms * (weeks - shared);
    replicates.saturating_mul(per_replicate)
}

/// Why a run stopped early; `E` is what a block's consumer may fail with.
#[derive(Debug, thiserror::Error)]
pub enum RunError<E = std::convert::Infallible> {
    #[error("could not start {threads} worker threads: {source}")]
    Threads {
        threads: usize,
        source: rayon::ThreadPoolBuildError,
    },
    #[error("interrupted after {done} of {total} replicates")]
    Interrupted { done: u64, total: u64 },
    /// The consumer of finished blocks failed.
    #[error(transparent)]
    Finished(E),
}

/// A pool of `threads` worker threads, to share between runs (a sweep's points).
pub fn pool<E>(threads: usize) -> Result<rayon::ThreadPool, RunError<E>> {
    let threads = threads.max(1);
    rayon::ThreadPoolBuilder::new()
        .num_threads(threads)
        .build()
        .map_err(|source| RunError::Threads { threads, source })
}

/// Runs every replicate of every arm.
pub fn run(
    scenario: &Scenario,
    world: &World,
    options: &RunOptions<'_>,
) -> Result<Results, RunError> {
    run_on(&pool(options.threads)?, scenario, world, options)
}

/// Like [`run`], on a pool the caller keeps between runs (a sweep's points).
pub fn run_on(
    pool: &rayon::ThreadPool,
    scenario: &Scenario,
    world: &World,
    options: &RunOptions<'_>,
) -> Result<Results, RunError> {
    let blocks = 0..block_count(scenario.replicates);
    run_blocks_on(pool, scenario, world, options, blocks, |_, _| Ok(()), None)
}

/// Where the per-entity rows of a run go (`--detail`): the replicates below
/// `replicates` produce them, and `write(replicate, outcomes)` receives each
/// such replicate's arms in replicate order, as the replicates finish.
pub struct EntitySink<'a, E> {
    pub replicates: u64,
    pub write: &'a mut WriteReplicate<'a, E>,
}

/// Receives a replicate's index and its arms' outcomes.
pub type WriteReplicate<'a, E> = dyn FnMut(u64, &[ArmOutcome]) -> Result<(), E> + 'a;

/// Runs the replicates of a range of blocks on `pool`, calling
/// `finished(block, stats)` with each block's own statistics, in block
/// order, as the blocks finish (a shard writes them out), and handing each
/// replicate with per-entity rows to `entities` when given (`--detail`);
/// returns the blocks merged in order.
pub fn run_blocks_on<E>(
    pool: &rayon::ThreadPool,
    scenario: &Scenario,
    world: &World,
    options: &RunOptions<'_>,
    blocks: Range<u64>,
    mut finished: impl FnMut(u64, &Results) -> Result<(), E>,
    mut entities: Option<EntitySink<'_, E>>,
) -> Result<Results, RunError<E>> {
    let threads = options.threads.max(1);
    let (arms, weeks) = (scenario.arms.len(), scenario.weeks as usize);
    let mut total = Results::new(arms, weeks);
    let mut block = Results::new(arms, weeks);
    // Chunks bound memory (one chunk of outcomes at a time) while giving each
    // thread several replicates to balance the load.
    let chunk = (threads as u64 * 8).max(16);
    let replicates = block_replicates(&blocks, scenario.replicates);
    let interrupted = |done: u64| RunError::Interrupted {
        done: done - replicates.start,
        total: replicates.end - replicates.start,
    };
    let mut start = replicates.start;
    while start < replicates.end {
        if options
            .cancel
            .is_some_and(|flag| flag.load(Ordering::Relaxed))
        {
            return Err(interrupted(start));
        }
        let entity_replicates = entities.as_ref().map_or(0, |sink| sink.replicates);
        let with_entities = |replicate: u64| replicate < entity_replicates;
        // Per-entity rows are large: a chunk that makes them holds one
        // replicate per thread.
        let chunk = if with_entities(start) {
            threads as u64
        } else {
            chunk
        };
        let end = (start + chunk).min(replicates.end);
        let control = Control {
            cancel: options.cancel,
            progress: options.progress,
        };
        let outcomes: Option<Vec<Vec<ArmOutcome>>> = pool.install(|| {
            (start..end)
                .into_par_iter()
                .map(|replicate| {
                    simulate_replicate(
                        scenario,
                        world,
                        replicate,
                        &control,
                        with_entities(replicate),
                    )
                })
                .collect()
        });
        let Some(outcomes) = outcomes else {
            return Err(interrupted(start));
        };
        for (replicate, outcome) in (start..end).zip(&outcomes) {
            if let Some(sink) = &mut entities
                && replicate < sink.replicates
            {
                (sink.write)(replicate, outcome).map_err(RunError::Finished)?;
            }
            block.add(outcome, scenario.baseline);
            if (replicate + 1) % BLOCK == 0 || replicate + 1 == replicates.end {
                finished(replicate / BLOCK, &block).map_err(RunError::Finished)?;
                total.merge(&block);
                block = Results::new(arms, weeks);
            }
        }
        start = end;
    }
    Ok(total)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::scenario::{self, Override};

    /// Each arm simulated on its own from a fresh state, every week.
    fn each_arm_alone(scenario: &Scenario, world: &World, replicate: u64) -> Vec<ArmOutcome> {
        let weeks = scenario.first_week()..=scenario.weeks as i32;
        let control = Control::default();
        scenario
            .arms
            .iter()
            .map(|arm| {
                let mut progress = Progress::new(scenario, world, replicate, true);
                progress
                    .advance(scenario, world, arm, weeks.clone(), &control)
                    .expect("not cancelled");
                progress.finish(scenario, world)
            })
            .collect()
    }

    fn bits(values: &[f64]) -> Vec<u64> {
        values.iter().map(|value| value.to_bits()).collect()
    }

    #[test]
    fn arms_that_share_their_first_weeks_give_the_same_bytes_as_each_arm_alone() {
        let two_managers = include_str!("../scenarios/two-managers.toml");
        let high_demand = include_str!("../scenarios/high-demand.toml");
        let cases: [(&str, &[&str]); 5] = [
            // Interventions start in week 5: the warm-up and weeks 1 to 4 are shared.
            (two_managers, &[]),
            // Escalation from week 1: the warm-up alone is shared.
            (two_managers, &["arms.escalation.start_week=1"]),
            // No warm-up: weeks 1 to 4.
            (two_managers, &["warmup_weeks=0"]),
            // Nothing shared: an intervention from week 1 and no warm-up.
            (
                two_managers,
                &["warmup_weeks=0", "arms.status-meeting.start_week=1"],
            ),
            (high_demand, &[]),
        ];
        for (text, sets) in cases {
            let overrides: Vec<Override> = sets
                .iter()
                .chain(&["weeks=12"])
                .map(|set| Override::parse(set).unwrap())
                .collect();
            let scenario = scenario::load_text("test.toml", text, &overrides).unwrap();
            let world = World::new(&scenario);
            for replicate in [0, 3] {
                let shared =
                    simulate_replicate(&scenario, &world, replicate, &Control::default(), true)
                        .expect("not cancelled");
                let alone = each_arm_alone(&scenario, &world, replicate);
                assert_eq!(shared.len(), scenario.arms.len());
                for ((shared, alone), arm) in shared.iter().zip(&alone).zip(&scenario.arms) {
                    let case = format!("{sets:?}, arm {}, replicate {replicate}", arm.name);
                    assert!(
                        bits(&shared.weekly) == bits(&alone.weekly),
                        "weekly: {case}"
                    );
                    assert!(
                        bits(&shared.summary) == bits(&alone.summary),
                        "summary: {case}"
                    );
                    assert!(shared.entities == alone.entities, "entities: {case}");
                }
            }
        }
    }

    #[test]
    fn shared_weeks_are_counted_once_in_the_work() {
        let text = include_str!("../scenarios/two-managers.toml");
        let set = |sets: &[&str]| {
            let overrides: Vec<Override> = sets
                .iter()
                .map(|set| Override::parse(set).unwrap())
                .collect();
            scenario::load_text("test.toml", text, &overrides).unwrap()
        };
        // 30 weeks of warm-up and 4 before the interventions start, then 4 arms of 22 weeks.
        let scenario = set(&["replicates=10"]);
        assert_eq!(shared_until(&scenario), Some(4));
        assert_eq!(work_units(&scenario), 10 * (34 + 4 * 22));
        let scenario = set(&[
            "replicates=10",
            "warmup_weeks=0",
            "arms.escalation.start_week=1",
        ]);
        assert_eq!(shared_until(&scenario), None);
        assert_eq!(work_units(&scenario), 10 * 4 * 26);
        // From the size at which one replicate's week runs in parallel,
        // arms do not share: the copy would double a large state.
        let text = include_str!("../scenarios/large-org.toml");
        let with_leaders = |leaders: usize| {
            let set = Override::parse(&format!("generate.leaders={leaders}")).unwrap();
            scenario::load_text("test.toml", text, &[set]).unwrap()
        };
        let scenario = with_leaders(engine::PARALLEL_LEADERS - 1);
        assert!(scenario.arms.len() > 1 && shared_until(&scenario).is_some());
        let scenario = with_leaders(engine::PARALLEL_LEADERS);
        assert_eq!(shared_until(&scenario), None);
    }
}
