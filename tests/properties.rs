//! Invariants over generated scenarios (proptest).
//!
//! The first property varies five numbers of a fixed pair of leaders. The
//! others generate whole scenario files (named organisations with managers,
//! leaders, projects, trust pairs and workstreams; generated organisations;
//! every parameter section across its valid range, edges included; arms
//! combining the three interventions) and check that every one loads, that
//! the engine never panics and every metric is finite (or undefined only where
//! the README says it can be), that trust stays in [0, 1], that hours are
//! conserved every week, and that the same seed gives the same bytes on one
//! and three threads.

use std::fmt;

use empathy_gap::metrics::{Summary, Weekly};
use empathy_gap::model::{NO_SLOT, PRIVATE, SlotBits, State, World};
use empathy_gap::output;
use empathy_gap::runner::{RunOptions, simulate_arm_with};
use empathy_gap::scenario::Scenario;
use proptest::prelude::*;
use proptest::sample::Index;

use crate::common::{pair_scenario, scenario};

fn scenario_text(
    demand: f64,
    disclosure: f64,
    insecurity: f64,
    trust: f64,
    ambiguity: f64,
    seed: u64,
) -> String {
    pair_scenario(&format!(
        "[defaults]\ndemand = {demand}\ndisclosure = {disclosure}\ninsecurity = {insecurity}\nambiguity = {ambiguity}\n\
         [trust]\ninitial = {trust}\n\
         [arms.power-through]\nbaseline = true\n\
         [arms.all]\nstart_week = 2\ninterventions = [{{ kind = \"escalation\", threshold = 2.0 }}, {{ kind = \"status-meeting\", every_weeks = 2 }}, {{ kind = \"connection-first\", every_weeks = 5 }}]\n"
    ))
    .replace("seed = 11", &format!("seed = {seed}"))
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(24))]

    #[test]
    fn hours_trust_frustration_and_knowledge_stay_valid(
        demand in 0.3f64..1.6,
        disclosure in 0.0f64..1.0,
        insecurity in 0.0f64..1.0,
        trust in 0.0f64..1.0,
        ambiguity in 0.0f64..1.0,
        seed in 0u64..1000,
    ) {
        let scenario = scenario(&scenario_text(demand, disclosure, insecurity, trust, ambiguity, seed));
        let world = World::new(&scenario);
        for arm in &scenario.arms {
            let mut state = State::new(&world, scenario.seed, 0, scenario.first_week());
            let mut failures = Vec::new();
            let outcome = simulate_arm_with(&scenario, &world, arm, &mut state, |week, state| {
                for (index, leader) in state.leaders.iter().enumerate() {
                    // Capacity is spent on work or left idle, never more, never less.
                    let worked: f64 = leader.worked_items.iter().map(|w| w.hours).sum();
                    if (worked + leader.idle - leader.capacity).abs() > 1e-6 || (worked - leader.worked).abs() > 1e-6 {
                        failures.push(format!("week {week} leader {index}: capacity {} != worked {worked} + idle {}", leader.capacity, leader.idle));
                    }
                    // The items worked this week: live, each once, in ascending slot order
                    // (`worked_on` looks them up by binary search).
                    let slots: Vec<u32> = leader.worked_items.iter().map(|w| w.slot).collect();
                    if !slots.windows(2).all(|pair| pair[0] < pair[1]) || !slots.iter().all(|&slot| leader.is_live(slot as usize)) {
                        failures.push(format!("week {week} leader {index}: worked slots {slots:?} not ascending, or not live"));
                    }
                    if leader.items.iter().any(|i| i.remaining < -1e-9) {
                        failures.push(format!("week {week}: negative remaining hours"));
                    }
                    // Knowledge only of items that exist.
                    let observers = world.leaders[index].observed_by.len();
                    for slot in 0..leader.items.len() {
                        let known = |o| leader.slots.get(SlotBits::untold(o), slot) || leader.slots.get(SlotBits::unknown(o), slot);
                        if !leader.is_live(slot) && (0..observers).any(known) {
                            failures.push(format!("week {week}: knowledge of a closed item"));
                        }
                    }
                }
                for view in &state.relationships {
                    if !(0.0..=1.0).contains(&view.trust) || view.frustration < 0.0 || !view.frustration.is_finite() {
                        failures.push(format!("week {week}: trust {} frustration {}", view.trust, view.frustration));
                    }
                }
            });
            prop_assert!(failures.is_empty(), "{}", failures[..failures.len().min(5)].join("\n"));
            prop_assert!(outcome.summary.iter().all(|v| v.is_finite() || v.is_nan()));
            prop_assert!(outcome.weekly.iter().all(|v| !v.is_infinite()));
        }
    }
}

// ---------------------------------------------------------------------------
// Whole generated scenarios.
//
// The strategies below generate a structured description of a scenario
// (`Spec`), `repair` makes it valid (orders min/max pairs, puts every leader in
// a project, keeps shared commitments within demand) and keeps it cheap
// enough to simulate (it lowers demand where a team would get more than a few
// dozen private items a week), and `render` writes the TOML text. Shrinking
// works on the structure, so every shrunk case is a valid scenario too. The
// `Debug` of a generated scenario is its TOML text, so a failure prints the
// scenario file to reproduce it.
// ---------------------------------------------------------------------------

/// A value as written in the file.
#[derive(Debug, Clone, Copy, PartialEq)]
enum V {
    F(f64),
    I(i64),
}

impl V {
    fn as_f64(self) -> f64 {
        match self {
            V::F(value) => value,
            V::I(value) => value as f64,
        }
    }
}

/// The keys a section sets, in file order; keys left out take their default.
type Section = Vec<(&'static str, V)>;

fn get(section: &Section, key: &str) -> Option<f64> {
    section
        .iter()
        .find(|(k, _)| *k == key)
        .map(|(_, v)| v.as_f64())
}

fn put(section: &mut Section, key: &'static str, value: V) {
    match section.iter_mut().find(|(k, _)| *k == key) {
        Some(entry) => entry.1 = value,
        None => section.push((key, value)),
    }
}

/// Each key independently present or absent.
fn section(keys: Vec<(&'static str, BoxedStrategy<V>)>) -> BoxedStrategy<Section> {
    let parts: Vec<BoxedStrategy<Option<(&'static str, V)>>> = keys
        .into_iter()
        .map(|(key, value)| prop::option::of(value.prop_map(move |v| (key, v))).boxed())
        .collect();
    parts
        .prop_map(|parts| parts.into_iter().flatten().collect())
        .boxed()
}

/// 0, 1, or anything between.
fn unit() -> BoxedStrategy<f64> {
    prop_oneof![1 => Just(0.0), 1 => Just(1.0), 4 => 0.0..=1.0f64].boxed()
}

/// Either edge of [low, high], or anything between.
fn between(low: f64, high: f64) -> BoxedStrategy<f64> {
    prop_oneof![1 => Just(low), 1 => Just(high), 4 => low..=high].boxed()
}

/// Above 0 and at most `high`: a tiny positive value, `high`, or between.
fn above_zero(high: f64) -> BoxedStrategy<f64> {
    prop_oneof![1 => Just(1e-6), 1 => Just(high), 4 => 0.01..=high].boxed()
}

/// From 0 to a documented maximum: 0, a typical value, or the maximum.
fn up_to(typical: f64, maximum: f64) -> BoxedStrategy<f64> {
    prop_oneof![1 => Just(0.0), 5 => 0.0..=typical, 1 => Just(maximum)].boxed()
}

/// A whole number: either edge, or a typical value.
fn whole(low: i64, typical: i64, high: i64) -> BoxedStrategy<i64> {
    prop_oneof![1 => Just(low), 1 => Just(high), 4 => low..=typical].boxed()
}

fn f(strategy: BoxedStrategy<f64>) -> BoxedStrategy<V> {
    strategy.prop_map(V::F).boxed()
}

fn i(strategy: BoxedStrategy<i64>) -> BoxedStrategy<V> {
    strategy.prop_map(V::I).boxed()
}

/// `demand`: above 0 to 10.
fn demand() -> BoxedStrategy<f64> {
    prop_oneof![1 => Just(1e-9), 1 => Just(10.0), 6 => 0.05..=1.6f64, 2 => 1.6..=10.0f64].boxed()
}

/// Team sizes: 1 to 10,000, mostly small.
fn team_size() -> BoxedStrategy<i64> {
    whole(1, 12, 10_000)
}

fn team_section() -> BoxedStrategy<Section> {
    section(vec![
        ("hours_per_person", f(above_zero(168.0))),
        ("capacity_noise_sd", f(between(0.0, 0.5))),
        ("initial_backlog_weeks", f(between(0.0, 52.0))),
        ("ageing_per_week", f(up_to(5.0, 100.0))),
    ])
}

fn disclosure_section() -> BoxedStrategy<Section> {
    section(vec![
        ("k_trust", f(unit())),
        ("context_exponent", f(between(0.01, 20.0))),
        ("data_exponent", f(between(0.01, 20.0))),
    ])
}

fn attribution_section() -> BoxedStrategy<Section> {
    section(vec![
        ("alpha", f(up_to(20.0, 100.0))),
        ("decay", f(unit())),
        ("rho", f(unit())),
        ("lambda_gain", f(unit())),
        ("lambda_loss", f(unit())),
        ("blame_insecurity", f(up_to(5.0, 10.0))),
        ("support_damp", f(unit())),
    ])
}

fn conflict_section() -> BoxedStrategy<Section> {
    section(vec![
        ("max_hours", f(between(0.0, 40.0))),
        (
            "half_frustration",
            f(prop_oneof![1 => Just(1e-6), 4 => 0.01..=20.0f64, 1 => Just(1000.0)].boxed()),
        ),
        ("reply_share", f(between(0.0, 10.0))),
        ("manager_share", f(between(0.0, 10.0))),
        ("spillover_hours_per_hour", f(between(0.0, 10.0))),
        ("episode_onset", f(up_to(20.0, 1000.0))),
        ("episode_offset", f(up_to(20.0, 1000.0))),
    ])
}

fn defaults_section() -> BoxedStrategy<Section> {
    section(vec![
        ("team_size", i(team_size())),
        ("demand", f(demand())),
        ("disclosure", f(unit())),
        ("insecurity", f(unit())),
        ("support", f(unit())),
        ("project_share", f(unit())),
        ("project_priority", f(between(-100.0, 100.0))),
        ("ambiguity", f(unit())),
        ("unowned_share", f(unit())),
    ])
}

/// One `[[workstreams]]` entry.
#[derive(Debug, Clone)]
struct Stream {
    priority: f64,
    share: f64,
    mean_effort_hours: f64,
    due: (i64, i64),
    optional: Section,
}

fn stream() -> BoxedStrategy<Stream> {
    (
        prop_oneof![4 => 0.0..=10.0f64, 1 => between(-100.0, 100.0)],
        prop_oneof![1 => Just(0.0), 4 => 0.0..=1.0f64, 1 => Just(1000.0)],
        prop_oneof![1 => Just(0.01), 1 => Just(10_000.0), 12 => 1.0..=40.0f64],
        whole(0, 8, 520),
        whole(0, 8, 520),
        section(vec![
            ("effort_sigma", f(between(0.0, 3.0))),
            ("priority_jitter", f(between(0.0, 10.0))),
        ]),
    )
        .prop_map(
            |(priority, share, mean_effort_hours, a, b, optional)| Stream {
                priority,
                share,
                mean_effort_hours,
                due: (a.min(b), a.max(b)),
                optional,
            },
        )
        .boxed()
}

fn streams() -> BoxedStrategy<Vec<Stream>> {
    prop::collection::vec(stream(), 1..=3).boxed()
}

/// The README's default mix, as (share, mean effort).
const DEFAULT_STREAMS: [(f64, f64); 6] = [
    (0.10, 6.0),
    (0.10, 8.0),
    (0.30, 16.0),
    (0.20, 16.0),
    (0.10, 6.0),
    (0.20, 12.0),
];

/// Expected private items per private hour of a mix.
fn items_per_hour(streams: Option<&Vec<Stream>>) -> f64 {
    let mix: Vec<(f64, f64)> = match streams {
        Some(streams) => streams
            .iter()
            .map(|s| (s.share, s.mean_effort_hours))
            .collect(),
        None => DEFAULT_STREAMS.to_vec(),
    };
    let total: f64 = mix.iter().map(|(share, _)| share).sum();
    mix.iter()
        .map(|(share, effort)| share / effort)
        .sum::<f64>()
        / total
}

#[derive(Debug, Clone)]
struct ManagerSpec {
    support: Option<f64>,
    reports_to: Option<Index>,
}

#[derive(Debug, Clone)]
struct LeaderSpec {
    manager: Index,
    team_size: Option<i64>,
    capacity_hours: Option<f64>,
    demand: Option<f64>,
    disclosure: Option<f64>,
    insecurity: Option<f64>,
    workstreams: Option<Vec<Stream>>,
}

#[derive(Debug, Clone)]
struct ProjectSpec {
    /// Drawn members (indices into the leaders); `repair` fills `resolved`.
    drawn: Vec<Index>,
    resolved: Vec<usize>,
    /// `hours_per_week` as a share of the smallest member capacity.
    hours_share: Option<f64>,
    project_share: Option<f64>,
    priority: Option<f64>,
    ambiguity: Option<f64>,
    unowned_share: Option<f64>,
    /// Where in [first warm-up week, last week] the project starts and ends.
    start: Option<f64>,
    end: Option<f64>,
}

#[derive(Debug, Clone)]
struct Named {
    managers: Vec<ManagerSpec>,
    /// Managers report only to managers of lower rank (no cycles, but
    /// references may point forward or backward in the file).
    ranks: Vec<usize>,
    leaders: Vec<LeaderSpec>,
    projects: Vec<ProjectSpec>,
    trust_pairs: Vec<(Index, f64)>,
    /// `[[trust.pairs]]` tables instead of an inline array.
    trust_tables: bool,
}

const LEADER_NAMES: [&str; 6] = ["Alex", "Blake", "Casey Jo", "Dré", "Eve \"E\"", "F-6"];
const MANAGER_NAMES: [&str; 3] = ["Morgan", "Dana", "Eli"];

fn manager_spec() -> BoxedStrategy<ManagerSpec> {
    (prop::option::of(unit()), prop::option::of(any::<Index>()))
        .prop_map(|(support, reports_to)| ManagerSpec {
            support,
            reports_to,
        })
        .boxed()
}

fn leader_spec() -> BoxedStrategy<LeaderSpec> {
    (
        any::<Index>(),
        prop::option::of(team_size()),
        prop::option::weighted(
            0.25,
            prop_oneof![1 => Just(1e-6), 1 => Just(1_680_000.0), 4 => 1.0..=500.0f64],
        ),
        prop::option::of(demand()),
        prop::option::of(unit()),
        prop::option::of(unit()),
        prop::option::weighted(0.2, streams()),
    )
        .prop_map(
            |(manager, team_size, capacity_hours, demand, disclosure, insecurity, workstreams)| {
                LeaderSpec {
                    manager,
                    team_size,
                    capacity_hours,
                    demand,
                    disclosure,
                    insecurity,
                    workstreams,
                }
            },
        )
        .boxed()
}

fn project_spec() -> BoxedStrategy<ProjectSpec> {
    (
        prop::collection::vec(any::<Index>(), 2..=4),
        prop::option::weighted(0.2, unit()),
        prop::option::of(unit()),
        prop::option::of(between(-100.0, 100.0)),
        prop::option::of(unit()),
        prop::option::of(unit()),
        prop::option::weighted(0.3, unit()),
        prop::option::weighted(0.3, unit()),
    )
        .prop_map(
            |(
                drawn,
                hours_share,
                project_share,
                priority,
                ambiguity,
                unowned_share,
                start,
                end,
            )| {
                ProjectSpec {
                    drawn,
                    resolved: Vec::new(),
                    hours_share,
                    project_share,
                    priority,
                    ambiguity,
                    unowned_share,
                    start,
                    end,
                }
            },
        )
        .boxed()
}

fn named() -> BoxedStrategy<Named> {
    (
        prop::collection::vec(manager_spec(), 1..=3),
        Just(vec![0usize, 1, 2]).prop_shuffle(),
        prop::collection::vec(leader_spec(), 2..=6),
        prop::collection::vec(project_spec(), 1..=4),
        prop::collection::vec((any::<Index>(), unit()), 0..=4),
        any::<bool>(),
    )
        .prop_map(
            |(managers, ranks, leaders, projects, trust_pairs, trust_tables)| Named {
                managers,
                ranks,
                leaders,
                projects,
                trust_pairs,
                trust_tables,
            },
        )
        .boxed()
}

/// `[generate]`: leaders is always set (its default, 200, is too slow here).
#[derive(Debug, Clone)]
struct Generate {
    leaders: i64,
    keys: Section,
}

/// A min/max pair of `[generate]` keys, each present or not.
fn pair_keys(
    low: &'static str,
    high: &'static str,
    value: BoxedStrategy<V>,
) -> Vec<(&'static str, BoxedStrategy<V>)> {
    vec![(low, value.clone()), (high, value)]
}

fn generate() -> BoxedStrategy<Generate> {
    let shared =
        |team: BoxedStrategy<i64>, per_leader: BoxedStrategy<i64>, size: BoxedStrategy<i64>| {
            let mut keys = Vec::new();
            keys.extend(pair_keys("team_size_min", "team_size_max", i(team)));
            keys.push(("span", i(whole(1, 10, 10_000))));
            keys.extend(pair_keys(
                "projects_per_leader_min",
                "projects_per_leader_max",
                i(per_leader),
            ));
            keys.extend(pair_keys("project_size_min", "project_size_max", i(size)));
            keys.push(("shared_share", f(unit())));
            keys.extend(pair_keys("demand_min", "demand_max", f(demand())));
            for (low, high) in [
                ("ambiguity_min", "ambiguity_max"),
                ("insecurity_min", "insecurity_max"),
                ("disclosure_min", "disclosure_max"),
                ("support_min", "support_max"),
            ] {
                keys.extend(pair_keys(low, high, f(unit())));
            }
            section(keys)
        };
    prop_oneof![
        // Many leaders in small projects.
        3 => (
            whole(2, 60, 60),
            shared(whole(1, 12, 12), whole(1, 3, 3), whole(2, 5, 5)),
        ),
        // Few leaders, many and large projects (project_size up to its maximum, 100).
        1 => (
            whole(2, 8, 8),
            shared(whole(1, 12, 12), whole(1, 5, 50), whole(2, 8, 100)),
        ),
        // Few leaders with teams up to the maximum size.
        1 => (
            whole(2, 6, 6),
            shared(whole(1, 10_000, 10_000), whole(1, 3, 3), whole(2, 4, 4)),
        ),
    ]
    .prop_map(|(leaders, keys)| Generate { leaders, keys })
    .boxed()
}

#[derive(Debug, Clone, Copy, PartialEq)]
enum Kind {
    Escalation,
    StatusMeeting,
    ConnectionFirst,
}

impl Kind {
    fn name(self) -> &'static str {
        match self {
            Kind::Escalation => "escalation",
            Kind::StatusMeeting => "status-meeting",
            Kind::ConnectionFirst => "connection-first",
        }
    }
}

#[derive(Debug, Clone)]
struct InterventionSpec {
    kind: Kind,
    start: Option<f64>,
    params: Section,
}

fn intervention(kind: Kind) -> BoxedStrategy<InterventionSpec> {
    let params = match kind {
        Kind::Escalation => section(vec![
            ("threshold", f(up_to(10.0, 1000.0))),
            ("cooldown_weeks", i(whole(0, 10, 520))),
            ("complainer_hours", f(between(0.0, 40.0))),
            ("target_hours", f(between(0.0, 40.0))),
            ("manager_hours", f(between(0.0, 40.0))),
            ("compliance_weeks", i(whole(0, 6, 520))),
            ("hard_priority", f(between(-100.0, 100.0))),
            ("repeat_factor", f(unit())),
            ("relief", f(unit())),
            ("target_trust_factor", f(unit())),
            ("target_frustration", f(up_to(10.0, 100.0))),
            ("target_insecurity", f(unit())),
            ("insecurity_fade", f(unit())),
        ]),
        Kind::StatusMeeting => section(vec![
            ("every_weeks", i(whole(1, 4, 520))),
            ("meeting_hours", f(between(0.0, 40.0))),
            ("prep_hours", f(between(0.0, 40.0))),
            ("ambiguity_factor", f(unit())),
        ]),
        Kind::ConnectionFirst => section(vec![
            ("every_weeks", i(whole(0, 4, 520))),
            ("hours", f(between(0.0, 40.0))),
            ("trust_gain", f(unit())),
            ("disclosure_gain", f(unit())),
            ("coordinate_trust", f(unit())),
            ("stop_trust", f(unit())),
            ("buffer", f(between(0.0, 0.9))),
        ]),
    };
    (prop::option::weighted(0.3, unit()), params)
        .prop_map(move |(start, params)| InterventionSpec {
            kind,
            start,
            params,
        })
        .boxed()
}

#[derive(Debug, Clone)]
struct ArmSpec {
    start: Option<f64>,
    interventions: Vec<InterventionSpec>,
    /// `[[arms.X.interventions]]` tables instead of an inline array.
    tables: bool,
}

fn arm() -> BoxedStrategy<ArmSpec> {
    (
        prop::option::of(unit()),
        prop::option::of(intervention(Kind::Escalation)),
        prop::option::of(intervention(Kind::StatusMeeting)),
        prop::option::of(intervention(Kind::ConnectionFirst)),
        Just(vec![0usize, 1, 2]).prop_shuffle(),
        any::<bool>(),
    )
        .prop_map(|(start, escalation, meeting, connection, order, tables)| {
            let mut kinds = [escalation, meeting, connection];
            let interventions = order
                .into_iter()
                .filter_map(|index| kinds[index].take())
                .collect();
            ArmSpec {
                start,
                interventions,
                tables,
            }
        })
        .boxed()
}

/// Arm names, some needing quotes in TOML and in the CSV files.
const ARM_NAMES: [&str; 8] = [
    "power-through",
    "escalation",
    "status-meeting",
    "connection-first",
    "mixed, with a comma",
    "say \"hi\"",
    "ünïcode",
    "all",
];

#[derive(Debug, Clone, Copy, PartialEq)]
enum ArmsMode {
    /// No `[arms]`: one baseline arm, power-through.
    None,
    /// One arm, with or without `baseline = true`.
    Single { flag: bool },
    /// A baseline and 1 to 4 other arms.
    Several,
}

#[derive(Debug, Clone)]
struct Spec {
    name: &'static str,
    description: Option<&'static str>,
    weeks: i64,
    warmup_weeks: Option<i64>,
    replicates: i64,
    seed: i64,
    /// Write whole floats as integers (`demand = 1`).
    integer_floats: bool,
    team: Option<Section>,
    disclosure: Option<Section>,
    attribution: Option<Section>,
    conflict: Option<Section>,
    defaults: Option<Section>,
    trust_initial: Option<f64>,
    workstreams: Option<Vec<Stream>>,
    named: Option<Named>,
    generate: Option<Generate>,
    arms_mode: ArmsMode,
    arms: Vec<ArmSpec>,
    arm_names: Vec<&'static str>,
    baseline: Index,
    baseline_interventions: bool,
}

fn spec() -> impl Strategy<Value = Spec> {
    let top = (
        prop::sample::select(vec!["generated", "générée ünï", "a \"quoted\" name"]),
        prop::option::of(prop::sample::select(vec![
            "",
            "One line, with a comma.",
            "Ünïcode — and \"quotes\"",
        ])),
        whole(1, 40, 40),
        prop::option::weighted(0.9, whole(0, 10, 10)),
        1i64..=4,
        prop_oneof![Just(0i64), Just(i64::MAX), 0..=i64::MAX],
        any::<bool>(),
    );
    let params = (
        prop::option::of(team_section()),
        prop::option::of(disclosure_section()),
        prop::option::of(attribution_section()),
        prop::option::of(conflict_section()),
        prop::option::of(defaults_section()),
        prop::option::of(unit()),
        prop::option::weighted(0.3, prop::collection::vec(stream(), 1..=4)),
    );
    // Named leaders, a generated organisation, or both.
    let organisation = prop_oneof![
        5 => named().prop_map(|n| (Some(n), None)),
        3 => generate().prop_map(|g| (None, Some(g))),
        1 => (named(), generate()).prop_map(|(n, g)| (Some(n), Some(g))),
    ];
    let arms = (
        prop_oneof![
            1 => Just(ArmsMode::None),
            1 => any::<bool>().prop_map(|flag| ArmsMode::Single { flag }),
            6 => Just(ArmsMode::Several),
        ],
        prop::collection::vec(arm(), 2..=5),
        Just(ARM_NAMES.to_vec()).prop_shuffle(),
        any::<Index>(),
        prop::bool::weighted(0.15),
    );
    (top, params, organisation, arms).prop_map(
        |(
            (name, description, weeks, warmup_weeks, replicates, seed, integer_floats),
            (team, disclosure, attribution, conflict, defaults, trust_initial, workstreams),
            (named, generate),
            (arms_mode, arms, arm_names, baseline, baseline_interventions),
        )| {
            let mut spec = Spec {
                name,
                description,
                weeks,
                warmup_weeks,
                replicates,
                seed,
                integer_floats,
                team,
                disclosure,
                attribution,
                conflict,
                defaults,
                trust_initial,
                workstreams,
                named,
                generate,
                arms_mode,
                arms,
                arm_names,
                baseline,
                baseline_interventions,
            };
            repair(&mut spec);
            spec
        },
    )
}

/// Private items a leader may expect per week: keeps a case to milliseconds.
const ITEMS_PER_WEEK: f64 = 40.0;

fn warmup(spec: &Spec) -> i64 {
    spec.warmup_weeks.unwrap_or(8)
}

fn section_value(section: &Option<Section>, key: &str, default: f64) -> f64 {
    section
        .as_ref()
        .and_then(|s| get(s, key))
        .unwrap_or(default)
}

/// The week `share` of the way through [first, last].
fn week_at(share: f64, first: i64, last: i64) -> i64 {
    first + ((last - first) as f64 * share).round() as i64
}

/// Makes a drawn spec valid (and cheap): see the comment above [`V`].
fn repair(spec: &mut Spec) {
    // Parameter pairs with an order.
    if let Some(conflict) = &mut spec.conflict {
        let onset = get(conflict, "episode_onset").unwrap_or(10.0);
        let offset = get(conflict, "episode_offset").unwrap_or(5.0);
        if offset > onset {
            put(conflict, "episode_offset", V::F(onset));
        }
    }
    for arm in &mut spec.arms {
        for intervention in &mut arm.interventions {
            if intervention.kind == Kind::ConnectionFirst {
                let params = &mut intervention.params;
                let coordinate = get(params, "coordinate_trust").unwrap_or(0.65);
                let stop = get(params, "stop_trust").unwrap_or(0.40);
                if stop > coordinate {
                    put(params, "stop_trust", V::F(coordinate));
                }
            }
        }
    }
    for streams in spec.workstreams.iter_mut() {
        repair_streams(streams);
    }
    let hours_per_person = section_value(&spec.team, "hours_per_person", 32.0);
    let default_team_size = section_value(&spec.defaults, "team_size", 6.0);
    let default_demand = section_value(&spec.defaults, "demand", 1.0);
    let default_share = section_value(&spec.defaults, "project_share", 0.25);
    let org_rate = items_per_hour(spec.workstreams.as_ref());

    if let Some(named) = &mut spec.named {
        repair_named(
            named,
            hours_per_person,
            default_team_size,
            default_demand,
            default_share,
            org_rate,
        );
    }
    if let Some(generate) = &mut spec.generate {
        repair_generate(generate, hours_per_person, org_rate);
    }
}

fn repair_streams(streams: &mut [Stream]) {
    if streams.iter().all(|s| s.share <= 0.0) {
        streams[0].share = 1.0;
    }
}

fn repair_named(
    named: &mut Named,
    hours_per_person: f64,
    default_team_size: f64,
    default_demand: f64,
    default_share: f64,
    org_rate: f64,
) {
    let n = named.leaders.len();
    let n_managers = named.managers.len();
    // Reporting lines only up the ranks.
    for index in 0..n_managers {
        let above: Vec<usize> = (0..n_managers)
            .filter(|&j| named.ranks[j] < named.ranks[index])
            .collect();
        if above.is_empty() {
            named.managers[index].reports_to = None;
        }
    }
    // Distinct members, at least two; then every leader in some project.
    for project in &mut named.projects {
        let mut members: Vec<usize> = Vec::new();
        for index in &project.drawn {
            let leader = index.index(n);
            if !members.contains(&leader) {
                members.push(leader);
            }
        }
        let mut next = 0;
        while members.len() < 2 {
            if !members.contains(&next) {
                members.push(next);
            }
            next += 1;
        }
        project.resolved = members;
    }
    for leader in 0..n {
        if named.projects.iter().any(|p| p.resolved.contains(&leader)) {
            continue;
        }
        match named.projects.iter_mut().find(|p| p.resolved.len() < 4) {
            Some(project) => project.resolved.push(leader),
            None => {
                let mut extra = named.projects[0].clone();
                extra.resolved = vec![leader, (leader + 1) % n];
                named.projects.push(extra);
            }
        }
    }
    for leader in &mut named.leaders {
        if let Some(streams) = &mut leader.workstreams {
            repair_streams(streams);
        }
    }
    // Capacities as the loader computes them.
    let capacity: Vec<f64> = named
        .leaders
        .iter()
        .map(|leader| {
            leader.capacity_hours.unwrap_or(
                leader.team_size.map_or(default_team_size, |t| t as f64) * hours_per_person,
            )
        })
        .collect();
    // Explicit hours per week: a share of the smallest member's capacity.
    let hours: Vec<Option<f64>> = named
        .projects
        .iter()
        .map(|project| {
            project.hours_share.map(|share| {
                let smallest = project
                    .resolved
                    .iter()
                    .map(|&m| capacity[m])
                    .fold(f64::INFINITY, f64::min);
                (share * smallest).min(100_000.0)
            })
        })
        .collect();
    // Shared commitments, summed in the loader's order.
    let mut shared = vec![0.0; n];
    for (project, hours) in named.projects.iter().zip(&hours) {
        for &member in &project.resolved {
            shared[member] +=
                hours.unwrap_or(project.project_share.unwrap_or(default_share) * capacity[member]);
        }
    }
    // Demand covers the shared hours (exactly, at the edge) and brings at most
    // ITEMS_PER_WEEK private items a week.
    for (index, leader) in named.leaders.iter_mut().enumerate() {
        let c = capacity[index];
        let rate = leader
            .workstreams
            .as_ref()
            .map_or(org_rate, |s| items_per_hour(Some(s)));
        let drawn = leader.demand.unwrap_or(default_demand);
        let mut demand = drawn.min((shared[index] + ITEMS_PER_WEEK / rate) / c);
        if demand * c - shared[index] < 0.0 {
            demand = shared[index] / c;
            while demand * c - shared[index] < 0.0 {
                demand = demand.next_up();
            }
        }
        if demand <= 0.0 {
            demand = f64::MIN_POSITIVE;
        }
        if demand != drawn {
            leader.demand = Some(demand);
        }
    }
    for (project, hours) in named.projects.iter_mut().zip(hours) {
        project.hours_share = hours;
    }
}

fn repair_generate(generate: &mut Generate, hours_per_person: f64, org_rate: f64) {
    let keys = &mut generate.keys;
    let defaults: [(&'static str, &'static str, f64, f64); 8] = [
        ("team_size_min", "team_size_max", 5.0, 9.0),
        (
            "projects_per_leader_min",
            "projects_per_leader_max",
            1.0,
            3.0,
        ),
        ("project_size_min", "project_size_max", 2.0, 4.0),
        ("demand_min", "demand_max", 0.85, 1.15),
        ("ambiguity_min", "ambiguity_max", 0.02, 0.2),
        ("insecurity_min", "insecurity_max", 0.1, 0.6),
        ("disclosure_min", "disclosure_max", 0.05, 0.3),
        ("support_min", "support_max", 0.0, 0.5),
    ];
    for (low_key, high_key, low_default, high_default) in defaults {
        let low = get(keys, low_key).unwrap_or(low_default);
        let high = get(keys, high_key).unwrap_or(high_default);
        if low > high {
            // Whole-number keys are team and project counts.
            let value = |v: f64| {
                if low_key.starts_with("team") || low_key.starts_with("project") {
                    V::I(v as i64)
                } else {
                    V::F(v)
                }
            };
            put(keys, low_key, value(high));
            put(keys, high_key, value(low));
        }
    }
    // Demand at least the shared share, and at most ITEMS_PER_WEEK private
    // items a week (fewer when there are many leaders). The margin above the
    // shared share is there because the loader rejects demand_min ==
    // shared_share when the split between a leader's projects rounds up
    // (for example leaders = 4, projects_per_leader 7, 0.3 and 0.3).
    let shared_share = get(keys, "shared_share").unwrap_or(0.25);
    let floor = (shared_share * (1.0 + 1e-9)).max(1e-9);
    let team_max = get(keys, "team_size_max").unwrap_or(9.0);
    let budget = (ITEMS_PER_WEEK * 4.0 / generate.leaders as f64).clamp(2.0, ITEMS_PER_WEEK);
    let ceiling = floor + budget / org_rate / (team_max * hours_per_person);
    let (drawn_low, drawn_high) = (
        get(keys, "demand_min").unwrap_or(0.85),
        get(keys, "demand_max").unwrap_or(1.15),
    );
    let high = if drawn_high > ceiling {
        ceiling.min(10.0)
    } else {
        drawn_high
    };
    let low = drawn_low.clamp(floor, high.max(floor));
    let high = high.max(low);
    if low != drawn_low {
        put(keys, "demand_min", V::F(low));
    }
    if high != drawn_high {
        put(keys, "demand_max", V::F(high));
    }
}

// ----- rendering -----

/// A TOML basic string.
fn quoted(text: &str) -> String {
    let mut out = String::from("\"");
    for c in text.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            c => out.push(c),
        }
    }
    out.push('"');
    out
}

struct Writer {
    text: String,
    integer_floats: bool,
}

impl Writer {
    fn number(&self, value: V) -> String {
        match value {
            V::I(value) => value.to_string(),
            V::F(value) if self.integer_floats && value.fract() == 0.0 && value.abs() < 1e15 => {
                format!("{}", value as i64)
            }
            // Debug is the shortest text that reads back to the same f64.
            V::F(value) => format!("{value:?}"),
        }
    }

    fn line(&mut self, line: impl AsRef<str>) {
        self.text.push_str(line.as_ref());
        self.text.push('\n');
    }

    fn key(&mut self, key: &str, value: V) {
        let number = self.number(value);
        self.line(format!("{key} = {number}"));
    }

    fn optional(&mut self, key: &str, value: Option<f64>) {
        if let Some(value) = value {
            self.key(key, V::F(value));
        }
    }

    fn section(&mut self, header: &str, section: &Option<Section>) {
        if let Some(section) = section {
            self.line(format!("\n[{header}]"));
            for &(key, value) in section {
                self.key(key, value);
            }
        }
    }

    fn inline(&self, section: &Section) -> String {
        section
            .iter()
            .map(|&(key, value)| format!(", {key} = {}", self.number(value)))
            .collect()
    }

    fn streams(&mut self, header: &str, streams: &[Stream]) {
        for (index, stream) in streams.iter().enumerate() {
            self.line(format!("\n[[{header}]]"));
            self.line(format!(
                "name = {}",
                quoted(&format!(
                    "{} {index}",
                    ["work", "ops, misc", "ünï"][index % 3]
                ))
            ));
            self.key("priority", V::F(stream.priority));
            self.key("share", V::F(stream.share));
            self.key("mean_effort_hours", V::F(stream.mean_effort_hours));
            self.key("due_weeks_min", V::I(stream.due.0));
            self.key("due_weeks_max", V::I(stream.due.1));
            for &(key, value) in &stream.optional {
                self.key(key, value);
            }
        }
    }
}

fn render(spec: &Spec) -> String {
    let mut w = Writer {
        text: String::new(),
        integer_floats: spec.integer_floats,
    };
    w.line(format!("name = {}", quoted(spec.name)));
    if let Some(description) = spec.description {
        w.line(format!("description = {}", quoted(description)));
        w.line(format!("question = {}", quoted(description)));
    }
    w.key("weeks", V::I(spec.weeks));
    if let Some(warmup) = spec.warmup_weeks {
        w.key("warmup_weeks", V::I(warmup));
    }
    w.key("replicates", V::I(spec.replicates));
    w.key("seed", V::I(spec.seed));
    w.section("team", &spec.team);
    w.section("disclosure", &spec.disclosure);
    w.section("attribution", &spec.attribution);
    w.section("conflict", &spec.conflict);
    w.section("defaults", &spec.defaults);

    let pairs = spec.named.as_ref().map(trust_pairs).unwrap_or_default();
    let tables = spec.named.as_ref().is_some_and(|n| n.trust_tables);
    if spec.trust_initial.is_some() || !pairs.is_empty() {
        w.line("\n[trust]");
        w.optional("initial", spec.trust_initial);
        if !tables && !pairs.is_empty() {
            let entries: Vec<String> = pairs
                .iter()
                .map(|(from, to, value)| {
                    format!(
                        "{{ from = {}, to = {}, value = {} }}",
                        quoted(LEADER_NAMES[*from]),
                        quoted(LEADER_NAMES[*to]),
                        w.number(V::F(*value))
                    )
                })
                .collect();
            w.line(format!("pairs = [{}]", entries.join(", ")));
        }
    }
    if tables {
        for (from, to, value) in &pairs {
            w.line("\n[[trust.pairs]]");
            w.line(format!("from = {}", quoted(LEADER_NAMES[*from])));
            w.line(format!("to = {}", quoted(LEADER_NAMES[*to])));
            w.key("value", V::F(*value));
        }
    }
    if let Some(streams) = &spec.workstreams {
        w.streams("workstreams", streams);
    }

    if let Some(named) = &spec.named {
        for (index, manager) in named.managers.iter().enumerate() {
            w.line("\n[[managers]]");
            w.line(format!("name = {}", quoted(MANAGER_NAMES[index])));
            w.optional("support", manager.support);
            if let Some(pick) = &manager.reports_to {
                let above: Vec<usize> = (0..named.managers.len())
                    .filter(|&j| named.ranks[j] < named.ranks[index])
                    .collect();
                w.line(format!(
                    "reports_to = {}",
                    quoted(MANAGER_NAMES[*pick.get(&above)])
                ));
            }
        }
        for (index, leader) in named.leaders.iter().enumerate() {
            w.line("\n[[leaders]]");
            w.line(format!("name = {}", quoted(LEADER_NAMES[index])));
            w.line(format!(
                "manager = {}",
                quoted(MANAGER_NAMES[leader.manager.index(named.managers.len())])
            ));
            if let Some(team_size) = leader.team_size {
                w.key("team_size", V::I(team_size));
            }
            w.optional("capacity_hours", leader.capacity_hours);
            w.optional("demand", leader.demand);
            w.optional("disclosure", leader.disclosure);
            w.optional("insecurity", leader.insecurity);
            if let Some(streams) = &leader.workstreams {
                w.streams("leaders.workstreams", streams);
            }
        }
        for (index, project) in named.projects.iter().enumerate() {
            w.line("\n[[projects]]");
            w.line(format!("name = {}", quoted(&format!("project {index}"))));
            let members: Vec<String> = project
                .resolved
                .iter()
                .map(|&m| quoted(LEADER_NAMES[m]))
                .collect();
            w.line(format!("members = [{}]", members.join(", ")));
            w.optional("hours_per_week", project.hours_share);
            w.optional("project_share", project.project_share);
            w.optional("priority", project.priority);
            w.optional("ambiguity", project.ambiguity);
            w.optional("unowned_share", project.unowned_share);
            let (first, last) = (1 - warmup(spec), spec.weeks);
            let start = project.start.map(|s| week_at(s, first, last));
            let end = project.end.map(|e| week_at(e, first, last));
            let (start, end) = match (start, end) {
                (Some(s), Some(e)) => (Some(s.min(e)), Some(s.max(e))),
                other => other,
            };
            if let Some(start) = start {
                w.key("start_week", V::I(start));
            }
            if let Some(end) = end {
                w.key("end_week", V::I(end));
            }
        }
    }
    if let Some(generate) = &spec.generate {
        w.line("\n[generate]");
        w.key("leaders", V::I(generate.leaders));
        for &(key, value) in &generate.keys {
            w.key(key, value);
        }
    }

    let arms = arms_in_file(spec);
    for (name, arm, baseline) in arms {
        w.line(format!("\n[arms.{}]", quoted(name)));
        if let Some(flag) = baseline {
            w.line(format!("baseline = {flag}"));
        }
        if let Some(start) = arm.start {
            w.key("start_week", V::I(week_at(start, 1, spec.weeks)));
        }
        let start_of = |intervention: &InterventionSpec| {
            intervention
                .start
                .map(|s| format!(", start_week = {}", week_at(s, 1, spec.weeks)))
                .unwrap_or_default()
        };
        if arm.tables {
            for intervention in &arm.interventions {
                w.line(format!("\n[[arms.{}.interventions]]", quoted(name)));
                w.line(format!("kind = {}", quoted(intervention.kind.name())));
                if let Some(start) = intervention.start {
                    w.key("start_week", V::I(week_at(start, 1, spec.weeks)));
                }
                for &(key, value) in &intervention.params {
                    w.key(key, value);
                }
            }
        } else if !arm.interventions.is_empty() {
            let items: Vec<String> = arm
                .interventions
                .iter()
                .map(|intervention| {
                    format!(
                        "{{ kind = {}{}{} }}",
                        quoted(intervention.kind.name()),
                        start_of(intervention),
                        w.inline(&intervention.params)
                    )
                })
                .collect();
            w.line(format!("interventions = [{}]", items.join(", ")));
        }
    }
    w.text
}

/// Ordered (from, to, value) trust pairs between leaders who share a project.
fn trust_pairs(named: &Named) -> Vec<(usize, usize, f64)> {
    let mut sharing = Vec::new();
    for project in &named.projects {
        for &a in &project.resolved {
            for &b in &project.resolved {
                if a != b && !sharing.contains(&(a, b)) {
                    sharing.push((a, b));
                }
            }
        }
    }
    // Each ordered pair at most once, as the scenario requires: a pick of a
    // pair already set is dropped.
    let mut pairs: Vec<(usize, usize, f64)> = Vec::new();
    for (pick, value) in &named.trust_pairs {
        let (a, b) = *pick.get(&sharing);
        if !pairs.iter().any(|&(x, y, _)| (x, y) == (a, b)) {
            pairs.push((a, b, *value));
        }
    }
    pairs
}

/// The arms as written: (name, arm, `baseline` key if written).
fn arms_in_file(spec: &Spec) -> Vec<(&'static str, ArmSpec, Option<bool>)> {
    match spec.arms_mode {
        ArmsMode::None => Vec::new(),
        ArmsMode::Single { flag } => {
            vec![(
                spec.arm_names[0],
                spec.arms[0].clone(),
                flag.then_some(true),
            )]
        }
        ArmsMode::Several => {
            let baseline = spec.baseline.index(spec.arms.len());
            spec.arms
                .iter()
                .enumerate()
                .map(|(index, arm)| {
                    let mut arm = arm.clone();
                    if index == baseline && !spec.baseline_interventions {
                        arm.interventions.clear();
                        arm.start = None;
                    }
                    (
                        spec.arm_names[index],
                        arm,
                        (index == baseline).then_some(true),
                    )
                })
                .collect()
        }
    }
}

/// A generated scenario: its structure and its text. Its `Debug` is the text,
/// so proptest prints the file that reproduces a failure.
#[derive(Clone)]
struct Generated {
    spec: Spec,
    text: String,
}

impl fmt::Debug for Generated {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "\n----- gen.toml -----\n{}----- end -----", self.text)
    }
}

fn generated() -> impl Strategy<Value = Generated> {
    spec().prop_map(|spec| Generated {
        text: render(&spec),
        spec,
    })
}

/// Like [`generated`], sometimes with 17 to 20 replicates (and then at most 8
/// weeks and 2 warm-up weeks, to stay quick): the runner folds replicates in
/// chunks of 8 per thread (at least 16), so one thread then folds two chunks
/// where three threads fold one.
fn generated_across_chunks() -> impl Strategy<Value = Generated> {
    (spec(), prop::option::weighted(0.15, 17i64..=20)).prop_map(|(mut spec, replicates)| {
        if let Some(replicates) = replicates {
            // Project and intervention weeks are written as shares of the
            // horizon, so a shorter horizon keeps them valid.
            spec.replicates = replicates;
            spec.weeks = spec.weeks.min(8);
            spec.warmup_weeks = Some(warmup(&spec).min(2));
        }
        Generated {
            text: render(&spec),
            spec,
        }
    })
}

/// Loads a generated text; a failure is a generator bug or a loader bug.
fn load(generated: &Generated) -> Result<Scenario, TestCaseError> {
    empathy_gap::scenario::load_text("gen.toml", &generated.text, &[]).map_err(|error| {
        TestCaseError::fail(format!(
            "a generated scenario does not load:\n{error}\n{generated:?}"
        ))
    })
}

// ---------------------------------------------------------------------------
// Checks on a run of a generated scenario.
// ---------------------------------------------------------------------------

/// Equal up to floating-point rounding.
fn close(a: f64, b: f64) -> bool {
    (a - b).abs() <= 1e-9 * a.abs().max(b.abs()).max(1.0)
}

/// Equal up to rounding in sums of values as large as `scale`.
fn near(a: f64, b: f64, scale: f64) -> bool {
    (a - b).abs() <= 1e-9 * scale.abs().max(a.abs()).max(b.abs()).max(1.0)
}

/// At most `b`, up to rounding.
fn at_most(a: f64, b: f64) -> bool {
    a <= b + 1e-9 * a.abs().max(b.abs()).max(1.0)
}

/// Collected failures; the first few are reported with the scenario.
#[derive(Default)]
struct Failures(Vec<String>);

impl Failures {
    fn check(&mut self, ok: bool, message: impl FnOnce() -> String) {
        if !ok && self.0.len() < 20 {
            self.0.push(message());
        }
    }

    fn into_result(self, generated: &Generated) -> Result<(), TestCaseError> {
        if self.0.is_empty() {
            Ok(())
        } else {
            Err(TestCaseError::fail(format!(
                "{}\n{generated:?}",
                self.0[..self.0.len().min(8)].join("\n")
            )))
        }
    }
}

/// Simulates every arm of every replicate, calling `observe(arm, week, world,
/// state)` after each week and `finish(arm, replicate, outcome)` at the end.
fn simulate_all(
    scenario: &Scenario,
    mut observe: impl FnMut(usize, i32, &World, &State),
    mut finish: impl FnMut(usize, u64, &empathy_gap::runner::ArmOutcome),
) {
    let world = World::new(scenario);
    for (arm_index, arm) in scenario.arms.iter().enumerate() {
        for replicate in 0..scenario.replicates {
            let mut state = State::new(&world, scenario.seed, replicate, scenario.first_week());
            let outcome = simulate_arm_with(scenario, &world, arm, &mut state, |week, state| {
                observe(arm_index, week, &world, state)
            });
            finish(arm_index, replicate, &outcome);
        }
    }
}

/// Weekly metrics the README allows to be undefined (an empty cell): the
/// delivery ratios, in a week (or up to a week) with nothing planned.
fn weekly_may_be_undefined(metric: Weekly) -> bool {
    matches!(
        metric,
        Weekly::DeliveryRatio | Weekly::CumulativeDeliveryRatio
    )
}

/// Summary metrics the README allows to be undefined: conflict before the
/// start week (empty without one), and the delivery ratios with nothing planned.
fn summary_may_be_undefined(metric: Summary) -> bool {
    matches!(
        metric,
        Summary::ConflictHoursPerLeaderBeforeStart
            | Summary::DeliveryRatio
            | Summary::CumulativeDeliveryRatio
            | Summary::OnsetIncidence
            | Summary::OverrunHoursPerProject
    )
}

fn check_metrics(scenario: &Scenario, failures: &mut Failures) {
    let weeks = scenario.weeks as usize;
    let n_relationships = World::new(scenario).relationships.len() as f64;
    // Per arm (reset per replicate): (planned, planned since week 1) per week.
    let mut planned: Vec<(f64, f64)> = Vec::new();
    let start = scenario.intervention_start_week();
    let mut observe = |_arm: usize, week: i32, _world: &World, state: &State| {
        if week == scenario.first_week() {
            planned.clear();
        }
        if week >= 1 {
            planned.push((state.planned, state.planned_cumulative));
        }
    };
    let mut outcomes = Vec::new();
    simulate_all(scenario, &mut observe, |arm, replicate, outcome| {
        outcomes.push((arm, replicate, outcome.clone()))
    });
    // `planned` is the same for every arm and replicate (it is the plan), so
    // the last replicate's record serves all of them; check that too.
    for (arm, replicate, outcome) in &outcomes {
        let arm_info = &scenario.arms[*arm];
        let at = |week: usize| format!("arm {arm} replicate {replicate} week {}", week + 1);
        failures.check(outcome.weekly.len() == weeks * Weekly::COUNT, || {
            format!("arm {arm}: {} weekly values", outcome.weekly.len())
        });
        let rows = outcome.weekly.chunks_exact(Weekly::COUNT).zip(&planned);
        for (week, (row, &(planned_now, planned_so_far))) in rows.enumerate() {
            let value = |metric: Weekly| row[metric as usize];
            failures.check(
                close(
                    value(Weekly::PlannedHours) * scenario.organisation.projects.len() as f64,
                    planned_now,
                ),
                || {
                    format!(
                        "{}: planned hours differ between replicates or arms",
                        at(week)
                    )
                },
            );
            for &metric in Weekly::ALL {
                let v = value(metric);
                if weekly_may_be_undefined(metric) {
                    let denominator = if metric == Weekly::DeliveryRatio {
                        planned_now
                    } else {
                        planned_so_far
                    };
                    failures.check(v.is_nan() == (denominator == 0.0), || {
                        format!(
                            "{}: {} = {v} with {denominator} h planned",
                            at(week),
                            metric.name()
                        )
                    });
                    failures.check(v.is_nan() || v.is_finite(), || {
                        format!("{}: {} = {v}", at(week), metric.name())
                    });
                } else {
                    failures.check(v.is_finite(), || {
                        format!("{}: {} = {v} is not finite", at(week), metric.name())
                    });
                }
                // Every metric is hours, a count, a ratio or a trust: never negative.
                failures.check(v.is_nan() || v >= -1e-9 * v.abs().max(1.0), || {
                    format!("{}: {} = {v} is negative", at(week), metric.name())
                });
            }
            for metric in [
                Weekly::DeliveryRatio,
                Weekly::TrustMean,
                Weekly::CoordinatingShare,
            ] {
                let v = value(metric);
                failures.check(v.is_nan() || at_most(v, 1.0), || {
                    format!("{}: {} = {v} above 1", at(week), metric.name())
                });
            }
            for metric in [
                Weekly::EpisodesActive,
                Weekly::Onsets,
                Weekly::Escalations,
                Weekly::Disclosures,
            ] {
                let v = value(metric);
                failures.check(v.fract() == 0.0, || {
                    format!("{}: count {} = {v}", at(week), metric.name())
                });
            }
            for metric in [Weekly::EpisodesActive, Weekly::Onsets] {
                let v = value(metric);
                failures.check(v <= n_relationships, || {
                    format!(
                        "{}: {} = {v} of {n_relationships} relationships",
                        at(week),
                        metric.name()
                    )
                });
            }
            // The identities the README states.
            let per_leader = value(Weekly::ConflictHoursPerLeader)
                + value(Weekly::MeetingHours)
                + value(Weekly::EscalationHours);
            failures.check(close(value(Weekly::LostHoursPerLeader), per_leader), || {
                format!(
                    "{}: lost hours per leader {} != conflict + meetings + escalations {per_leader}",
                    at(week),
                    value(Weekly::LostHoursPerLeader)
                )
            });
            let parts = value(Weekly::TeamConflictHoursPerEmployee)
                + value(Weekly::MeetingHoursPerEmployee)
                + value(Weekly::EscalationHoursPerEmployee)
                + value(Weekly::ManagerHoursPerEmployee);
            failures.check(close(value(Weekly::LostHoursPerEmployee), parts), || {
                format!(
                    "{}: lost hours per employee {} != sum of its four parts {parts}",
                    at(week),
                    value(Weekly::LostHoursPerEmployee)
                )
            });
            let gap = value(Weekly::ActualPeerLoadHours) - value(Weekly::BelievedPeerLoadHours);
            failures.check(close(value(Weekly::EmpathyGapHours), gap), || {
                format!("{}: empathy gap != actual - believed load", at(week))
            });
            // Interventions an arm does not have cost nothing and do nothing.
            if arm_info.escalation.is_none() {
                failures.check(
                    value(Weekly::Escalations) == 0.0 && value(Weekly::EscalationHours) == 0.0,
                    || format!("{}: escalation without the intervention", at(week)),
                );
            }
            if arm_info.status_meeting.is_none() && arm_info.connection.is_none() {
                failures.check(value(Weekly::MeetingHours) == 0.0, || {
                    format!("{}: meeting hours without a meeting", at(week))
                });
            }
            if arm_info.connection.is_none() {
                failures.check(value(Weekly::CoordinatingShare) == 0.0, || {
                    format!("{}: coordination without connection-first", at(week))
                });
            }
        }

        let summary = &outcome.summary;
        failures.check(summary.len() == Summary::COUNT, || {
            format!("arm {arm}: {} summary values", summary.len())
        });
        let planned_total: f64 = planned.iter().map(|(p, _)| p).sum();
        for &metric in Summary::ALL {
            let v = summary[metric as usize];
            let undefined = match metric {
                Summary::ConflictHoursPerLeaderBeforeStart => matches!(start, None | Some(1)),
                Summary::DeliveryRatio | Summary::CumulativeDeliveryRatio => planned_total == 0.0,
                // Undefined when no leader is free of an episode in week 1,
                // or no project ends within the reported weeks.
                Summary::OnsetIncidence | Summary::OverrunHoursPerProject => v.is_nan(),
                _ => false,
            };
            // (The CSV check allows empty cells for the same metrics.)
            debug_assert!(!undefined || summary_may_be_undefined(metric));
            failures.check(
                if undefined { v.is_nan() } else { v.is_finite() },
                || {
                    format!(
                        "arm {arm} replicate {replicate}: summary {} = {v} (undefined expected: {undefined})",
                        metric.name()
                    )
                },
            );
            failures.check(v.is_nan() || v >= -1e-9 * v.abs().max(1.0), || {
                format!("arm {arm}: summary {} = {v} is negative", metric.name())
            });
        }
        let s = |metric: Summary| summary[metric as usize];
        for metric in [
            Summary::DeliveryRatio,
            Summary::FinalTrust,
            Summary::EmployeesTouchedShare,
        ] {
            let v = s(metric);
            failures.check(v.is_nan() || at_most(v, 1.0), || {
                format!("arm {arm}: summary {} = {v} above 1", metric.name())
            });
        }
        let last_trust = outcome.weekly[(weeks - 1) * Weekly::COUNT + Weekly::TrustMean as usize];
        failures.check(s(Summary::FinalTrust) == last_trust, || {
            format!("arm {arm}: final trust is not the last week's trust")
        });
        let parts = s(Summary::AnnualTeamConflictHoursPerEmployee)
            + s(Summary::AnnualMeetingHoursPerEmployee)
            + s(Summary::AnnualEscalationHoursPerEmployee)
            + s(Summary::AnnualManagerHoursPerEmployee);
        failures.check(close(s(Summary::AnnualLostHoursPerEmployee), parts), || {
            format!("arm {arm}: annual lost hours per employee != sum of its four parts")
        });
        failures.check(
            close(
                s(Summary::AnnualConflictHoursPerEmployee),
                s(Summary::ConflictHoursPerEmployee) * 52.0,
            ),
            || format!("arm {arm}: annual conflict hours != weekly mean x 52"),
        );
    }
}

fn check_trust(scenario: &Scenario, failures: &mut Failures) {
    simulate_all(
        scenario,
        |arm, week, world, state| {
            for (index, view) in state.relationships.iter().enumerate() {
                failures.check((0.0..=1.0).contains(&view.trust), || {
                    format!(
                        "arm {arm} week {week} relationship {index}: trust {}",
                        view.trust
                    )
                });
                failures.check(
                    view.frustration.is_finite() && view.frustration >= 0.0,
                    || {
                        format!(
                            "arm {arm} week {week} relationship {index}: frustration {}",
                            view.frustration
                        )
                    },
                );
                failures.check((0.0..=1.0).contains(&view.disclosure_boost), || {
                    format!(
                        "arm {arm} week {week} relationship {index}: disclosure boost {}",
                        view.disclosure_boost
                    )
                });
            }
            for (info, leader) in world.leaders.iter().zip(&state.leaders) {
                let insecurity = leader.insecurity(info);
                failures.check((0.0..=1.0).contains(&insecurity), || {
                    format!("arm {arm} week {week}: insecurity {insecurity}")
                });
            }
        },
        |_, _, _| {},
    );
}

fn check_hours(scenario: &Scenario, failures: &mut Failures) {
    let params = &scenario.params;
    let conflict = &params.conflict;
    // Last week's lost hours per leader.
    let mut lost: Vec<f64> = Vec::new();
    simulate_all(
        scenario,
        |arm_index, week, world, state| {
            let arm = &scenario.arms[arm_index];
            if week == scenario.first_week() {
                lost = vec![0.0; world.leaders.len()];
            }
            let mut worked_total = 0.0;
            let mut conflict_total = 0.0;
            for (index, (info, leader)) in world.leaders.iter().zip(&state.leaders).enumerate() {
                let at = || format!("arm {arm_index} week {week} leader {index}");
                // Capacity is spent on work or left idle, never more, never less.
                let worked: f64 = leader.worked_items.iter().map(|w| w.hours).sum();
                failures.check(
                    leader.capacity >= 0.0
                        && leader.idle >= 0.0
                        && near(worked + leader.idle, leader.capacity, leader.capacity)
                        && near(worked, leader.worked, leader.capacity),
                    || {
                        format!(
                            "{}: capacity {} != worked {worked} ({}) + idle {}",
                            at(),
                            leader.capacity,
                            leader.worked,
                            leader.idle
                        )
                    },
                );
                worked_total += leader.worked;
                // Hours left idle only when the queue is done.
                if leader.idle > 0.0 {
                    failures.check(
                        (0..leader.items.len()).all(|slot| {
                            !leader.is_live(slot) || leader.items[slot].remaining <= 1e-9
                        }),
                        || format!("{}: idle {} h with work left", at(), leader.idle),
                    );
                }
                failures.check(
                    leader
                        .items
                        .iter()
                        .all(|i| i.remaining >= 0.0 && i.remaining.is_finite())
                        && leader.worked_items.iter().all(|w| w.hours > 0.0),
                    || format!("{}: negative or non-finite remaining or worked hours", at()),
                );
                // Knowledge only of items that exist, and an item a peer
                // knows nothing of is one it was not told about.
                let observers = info.observed_by.len();
                for slot in 0..leader.items.len() {
                    let live = leader.is_live(slot);
                    for o in 0..observers {
                        let untold = leader.slots.get(SlotBits::untold(o), slot);
                        let unknown = leader.slots.get(SlotBits::unknown(o), slot);
                        failures.check(live || !(untold || unknown), || {
                            format!("{}: knowledge of a closed item", at())
                        });
                        failures.check(untold || !unknown, || {
                            format!("{}: slot {slot} told but unknown to peer {o}", at())
                        });
                    }
                }
                // Lost hours are never negative, and last week's are this week's lost capacity.
                let hours = [
                    leader.conflict_hours,
                    leader.meeting_hours,
                    leader.escalation_hours,
                ];
                failures.check(hours.iter().all(|h| h.is_finite() && *h >= 0.0), || {
                    format!("{}: lost hours {hours:?}", at())
                });
                failures.check(close(leader.lost_last_week, lost[index]), || {
                    format!(
                        "{}: capacity lost {} != last week's lost hours {}",
                        at(),
                        leader.lost_last_week,
                        lost[index]
                    )
                });
                lost[index] = leader.conflict_hours
                    + leader.meeting_hours
                    + leader.escalation_hours
                    + info.team_size * conflict.spillover_hours_per_hour * leader.conflict_hours;
                conflict_total += leader.conflict_hours;
                // At most max_hours per relationship as observer, reply_share of it as actor.
                let as_observer = world
                    .relationships
                    .iter()
                    .filter(|r| r.observer.0 as usize == index)
                    .count() as f64;
                let most =
                    conflict.max_hours * (as_observer + conflict.reply_share * observers as f64);
                failures.check(at_most(leader.conflict_hours, most), || {
                    format!(
                        "{}: conflict {} h above {most} h",
                        at(),
                        leader.conflict_hours
                    )
                });
                if arm.escalation.is_none()
                    || week < arm.escalation.as_ref().map_or(1, |e| e.start_week as i32)
                {
                    failures.check(leader.escalation_hours == 0.0, || {
                        format!("{}: escalation hours before or without escalation", at())
                    });
                }
                if week < arm.start_week().map_or(i32::MAX, |s| s as i32) {
                    failures.check(leader.meeting_hours == 0.0, || {
                        format!("{}: meeting hours before the arm starts", at())
                    });
                }
            }
            // Conflict hours: complainers, repliers (reply_share) and managers
            // (manager_share) all from the same observer hours.
            let hearing: f64 = state.manager_hearing.iter().sum();
            failures.check(
                close(
                    hearing * (1.0 + conflict.reply_share),
                    conflict.manager_share * conflict_total,
                ),
                || {
                    format!(
                        "arm {arm_index} week {week}: managers heard {hearing} h of {conflict_total} leader conflict hours"
                    )
                },
            );
            failures.check(
                state
                    .manager_hearing
                    .iter()
                    .chain(&state.manager_escalation)
                    .all(|h| h.is_finite() && *h >= 0.0),
                || format!("arm {arm_index} week {week}: negative manager hours"),
            );
            // Shared hours: planned hours are pushed or moved to the backlog,
            // never lost, and never committed again; delivered hours never
            // exceed what was pushed.
            let mut planned = 0.0;
            for (index, membership) in world.memberships.iter().enumerate() {
                let member = &state.memberships[index];
                let at = || format!("arm {arm_index} week {week} membership {index}");
                planned += member.planned;
                if member.planned > 0.0 {
                    let owed = member.planned;
                    failures.check(
                        member.pushed >= 0.0
                            && at_most(member.pushed, member.agreed)
                            && at_most(member.agreed, owed),
                        || {
                            format!(
                                "{}: pushed {} agreed {} owed {owed}",
                                at(),
                                member.pushed,
                                member.agreed
                            )
                        },
                    );
                    failures.check(close(member.pushed + member.deferred, owed), || {
                        format!(
                            "{}: pushed {} + deferred {} != planned {}",
                            at(),
                            member.pushed,
                            member.deferred,
                            member.planned
                        )
                    });
                    let leader = &state.leaders[membership.leader.0 as usize];
                    let item = leader.items.get(member.item_slot as usize);
                    failures.check(
                        item.is_some_and(|item| {
                            let slot = member.item_slot as usize;
                            leader.is_live(slot)
                                && item.project() == membership.project
                                && item.project() != PRIVATE
                                && at_most(item.remaining, member.pushed)
                                && close(leader.worked_on(slot) + item.remaining, member.pushed)
                        }),
                        || {
                            format!(
                                "{}: this week's commitment {item:?} (pushed {})",
                                at(),
                                member.pushed
                            )
                        },
                    );
                } else {
                    failures.check(
                        member.item_slot == NO_SLOT
                            && member.pushed == 0.0
                            && member.deferred == 0.0,
                        || format!("{}: a commitment in a week with nothing planned", at()),
                    );
                }
                failures.check(
                    member.deferred >= 0.0 && member.deferred.is_finite(),
                    || format!("{}: deferred {}", at(), member.deferred),
                );
            }
            failures.check(close(state.planned, planned), || {
                format!(
                    "arm {arm_index} week {week}: planned {} != sum of commitments {planned}",
                    state.planned
                )
            });
            failures.check(
                state.on_time >= 0.0
                    && at_most(state.on_time, state.planned)
                    && state.delivered >= 0.0
                    && at_most(state.delivered, worked_total),
                || {
                    format!(
                        "arm {arm_index} week {week}: on time {} of {} planned, delivered {} of {worked_total} worked",
                        state.on_time, state.planned, state.delivered
                    )
                },
            );
        },
        |_, _, _| {},
    );
}

/// Reads a CSV file written by `output`: its rows, every cell empty or a
/// finite number, and the metric name of each row (column `metric_column`).
fn check_csv(
    bytes: &[u8],
    metric_column: usize,
    may_be_empty: impl Fn(&str) -> bool,
    replicates: u64,
    failures: &mut Failures,
) -> usize {
    let mut reader = csv::Reader::from_reader(bytes);
    let mut rows = 0;
    for record in reader.records() {
        let Ok(record) = record else {
            failures.check(false, || "an unreadable CSV row".to_string());
            continue;
        };
        rows += 1;
        let metric = record[metric_column].to_string();
        for (column, cell) in record.iter().enumerate().skip(metric_column + 1) {
            if cell.is_empty() {
                // An interval needs two replicates; a mean, one defined value.
                let interval = (column - metric_column) % 3 != 1;
                failures.check(
                    may_be_empty(&metric) || (interval && replicates < 2),
                    || format!("an empty cell in column {column} of {metric}"),
                );
            } else {
                failures.check(cell.parse::<f64>().is_ok_and(f64::is_finite), || {
                    format!("cell `{cell}` of {metric}")
                });
            }
        }
    }
    rows
}

fn check_threads(scenario: &Scenario, failures: &mut Failures) {
    let world = World::new(scenario);
    let run = |threads: usize| {
        let options = RunOptions {
            threads,
            cancel: None,
            progress: None,
        };
        empathy_gap::runner::run(scenario, &world, &options).expect("the run completes")
    };
    let (one, three) = (run(1), run(3));
    let weekly = output::weekly_csv(scenario, &one);
    let summary = output::summary_csv(scenario, &one);
    failures.check(weekly == output::weekly_csv(scenario, &three), || {
        "weekly.csv differs between 1 and 3 threads".to_string()
    });
    failures.check(summary == output::summary_csv(scenario, &three), || {
        "summary.csv differs between 1 and 3 threads".to_string()
    });
    failures.check(one.replicates_done == scenario.replicates, || {
        format!("{} replicates done", one.replicates_done)
    });
    let weekly_undefined: Vec<&str> = Weekly::ALL
        .iter()
        .filter(|m| weekly_may_be_undefined(**m))
        .map(|m| m.name())
        .collect();
    let summary_undefined: Vec<&str> = Summary::ALL
        .iter()
        .filter(|m| summary_may_be_undefined(**m))
        .map(|m| m.name())
        .collect();
    let rows = check_csv(
        &weekly,
        2,
        // A paired difference is undefined where its metric may be.
        |metric| weekly_undefined.contains(&metric.trim_start_matches("diff_")),
        scenario.replicates,
        failures,
    );
    let arms = scenario.arms.len();
    // Each arm's metrics, and each arm but the baseline's paired differences.
    failures.check(
        rows == (2 * arms - 1) * scenario.weeks as usize * Weekly::COUNT,
        || format!("weekly.csv has {rows} rows"),
    );
    let rows = check_csv(
        &summary,
        1,
        |metric| summary_undefined.contains(&metric),
        scenario.replicates,
        failures,
    );
    failures.check(rows == arms * Summary::COUNT, || {
        format!("summary.csv has {rows} rows")
    });
}

/// What the loaded scenario must say about the generated one.
fn check_loaded(generated: &Generated, scenario: &Scenario, failures: &mut Failures) {
    let spec = &generated.spec;
    let arms = arms_in_file(spec);
    let expected_arms = arms.len().max(1);
    failures.check(scenario.arms.len() == expected_arms, || {
        format!(
            "{} arms loaded, {expected_arms} written",
            scenario.arms.len()
        )
    });
    if let Some(baseline) = arms.iter().position(|(_, _, b)| b.is_some()) {
        failures.check(scenario.baseline == baseline, || {
            format!("baseline {} loaded, {baseline} written", scenario.baseline)
        });
    }
    for ((name, arm, _), loaded) in arms.iter().zip(&scenario.arms) {
        failures.check(
            loaded.name == *name && loaded.intervention_names().len() == arm.interventions.len(),
            || format!("arm `{}` loaded as `{name}`", loaded.name),
        );
    }
    let named = spec.named.as_ref().map_or(0, |n| n.leaders.len());
    let generated_leaders = spec.generate.as_ref().map_or(0, |g| g.leaders as usize);
    failures.check(
        scenario.organisation.leaders.len() == named + generated_leaders,
        || {
            format!(
                "{} leaders loaded, {named} named and {generated_leaders} generated",
                scenario.organisation.leaders.len()
            )
        },
    );
    failures.check(
        scenario.weeks as i64 == spec.weeks && scenario.replicates as i64 == spec.replicates,
        || "weeks or replicates loaded differently".to_string(),
    );
}

/// Loads a generated scenario and runs `check` on it.
fn with_generated(
    generated: &Generated,
    check: impl FnOnce(&Scenario, &mut Failures),
) -> Result<(), TestCaseError> {
    let scenario = load(generated)?;
    let mut failures = Failures::default();
    check_loaded(generated, &scenario, &mut failures);
    check(&scenario, &mut failures);
    failures.into_result(generated)
}

/// `cases` cases, or as many as `PROPTEST_CASES` asks for (for a longer hunt:
/// `PROPTEST_CASES=2000 cargo test --test main properties`).
fn config(cases: u32) -> ProptestConfig {
    if std::env::var_os("PROPTEST_CASES").is_some() {
        ProptestConfig::default()
    } else {
        ProptestConfig::with_cases(cases)
    }
}

proptest! {
    // Loading only: cheap, so many cases.
    #![proptest_config(config(256))]

    #[test]
    fn every_generated_scenario_loads(generated in generated()) {
        with_generated(&generated, |_, _| {})?;
    }
}

proptest! {
    #![proptest_config(config(64))]

    #[test]
    fn engine_never_panics_and_metrics_are_finite(generated in generated()) {
        with_generated(&generated, check_metrics)?;
    }

    #[test]
    fn trust_stays_in_unit_interval_and_frustration_finite(generated in generated()) {
        with_generated(&generated, check_trust)?;
    }

    #[test]
    fn hours_are_conserved_every_week(generated in generated()) {
        with_generated(&generated, check_hours)?;
    }
}

proptest! {
    #![proptest_config(config(32))]

    #[test]
    fn same_seed_same_bytes_on_one_and_three_threads(generated in generated_across_chunks()) {
        with_generated(&generated, check_threads)?;
    }
}
