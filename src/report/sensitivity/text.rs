//! The screening's numbers in words: the units of each output, how its
//! statistics are written, the method, which parameters move it most, and
//! how each chart reads.
//!
//! Every number comes from the files. A parameter's order is called
//! uncertain when its 95% interval of mu-star overlaps its neighbour's, and
//! its effect is said to depend on the other parameters when sigma is at
//! least mu-star (the reading Morris (1991) and Campolongo et al. (2007)
//! give the mu-star/sigma plane).

use crate::metrics::Summary;

use super::super::html::plural;
use super::super::text::{decimal, exact_places, join_with_and, signed};
use super::charts::{LABELLED_DOTS, RANKED_BARS, SensitivityChartId};
use super::data::{Effect, ScreenedOutput, SensitivityOutput};

/// Parameters named in an output's opening sentence.
const NAMED_IN_FINDING: usize = 5;

/// The unit of an output's metric in words ("hours per leader a week"), for
/// axis titles and sentences; `None` for a metric this version does not
/// know. A paired difference (`diff_...`) has its metric's unit.
pub(crate) fn unit(metric: &str) -> Option<&'static str> {
    let name = metric.strip_prefix("diff_").unwrap_or(metric);
    let metric = Summary::ALL.iter().find(|summary| summary.name() == name)?;
    Some(match metric {
        Summary::AnnualLostHoursPerLeader | Summary::AnnualDroppedHoursPerLeader => {
            "hours per leader a year"
        }
        Summary::AnnualLostHoursPerEmployee
        | Summary::AnnualConflictHoursPerEmployee
        | Summary::AnnualTeamConflictHoursPerEmployee
        | Summary::AnnualMeetingHoursPerEmployee
        | Summary::AnnualEscalationHoursPerEmployee
        | Summary::AnnualManagerHoursPerEmployee => "hours per employee a year",
        Summary::ConflictHoursPerEmployee => "hours per employee a week",
        Summary::ConflictHoursPerLeaderBeforeStart
        | Summary::ConflictHoursPerLeaderAfterStart
        | Summary::ConflictHoursPerLeaderFirstTwoWeeks
        | Summary::MeetingHoursPerLeaderAfterStart => "hours per leader a week",
        Summary::DeliveryRatio | Summary::CumulativeDeliveryRatio => "delivered over planned work",
        Summary::FinalTrust => "trust, 0 to 1",
        Summary::OnsetsPerPairYear => "onsets per pair a year",
        Summary::EscalationsPerPairYear => "escalations per pair a year",
        Summary::EmployeesTouchedShare | Summary::EpisodePrevalence | Summary::OnsetIncidence => {
            "share, 0 to 1"
        }
        Summary::OverrunHoursPerProject => "hours per project",
    })
}

/// How one output's statistics are written: three significant digits for
/// the largest, the same decimals for the rest, so a column lines up.
#[derive(Clone, Copy)]
pub(crate) struct EffectFormat {
    places: usize,
}

impl EffectFormat {
    pub fn new(output: &ScreenedOutput) -> Self {
        let largest = output
            .effects
            .iter()
            .flat_map(|effect| [effect.mu_star, effect.mu.map(f64::abs), effect.sigma])
            .flatten()
            .fold(0.0, f64::max);
        let places = if largest > 0.0 {
            (2.0 - largest.log10().floor()).clamp(0.0, 6.0) as usize
        } else {
            2
        };
        Self { places }
    }

    pub fn value(self, value: f64) -> String {
        decimal(value, self.places)
    }

    pub fn signed(self, value: f64) -> String {
        signed(value, self.places)
    }

    /// "1.25 ± 0.20", or "1.25" without an interval.
    pub fn mu_star(self, effect: &Effect) -> Option<String> {
        let mu_star = self.value(effect.mu_star?);
        Some(match effect.mu_star_ci {
            Some(half_width) => format!("{mu_star} \u{00b1} {}", self.value(half_width)),
            None => mu_star,
        })
    }
}

/// A parameter's value as the scenario gives it, and its range screened:
/// ("0.35", "0.175 to 0.525"), each with the decimals it needs.
pub(crate) fn value_and_range(effect: &Effect) -> (Option<String>, Option<String>) {
    let value = effect
        .value
        .map(|value| decimal(value, exact_places(&[value])));
    let range = effect.from.zip(effect.to).map(|(from, to)| {
        let places = exact_places(&[from, to]);
        format!("{} to {}", decimal(from, places), decimal(to, places))
    });
    (value, range)
}

/// The paragraph on how the screening was made, with its sizes from the
/// manifest.
pub(crate) fn method(screening: &SensitivityOutput) -> String {
    let manifest = &screening.manifest;
    let parameters = plural(
        screening.parameter_count() as u64,
        "parameter",
        "parameters",
    );
    let design = match (manifest.trajectories, manifest.levels) {
        (Some(trajectories), Some(levels)) => format!(
            "along {} on a grid of {levels} levels",
            plural(trajectories, "trajectory", "trajectories")
        ),
        (Some(trajectories), None) => {
            format!(
                "along {}",
                plural(trajectories, "trajectory", "trajectories")
            )
        }
        _ => "along random trajectories".to_owned(),
    };
    let points = manifest
        .points
        .map(|points| format!(": {} in all", plural(points, "point", "points")))
        .unwrap_or_default();
    let runs = match manifest.head.replicates {
        Some(replicates) => format!(
            "Each point is {} of every arm with the same random numbers (common random numbers)",
            plural(replicates, "simulated run", "simulated runs")
        ),
        None => "Every point is simulated with the same random numbers (common random numbers)"
            .to_owned(),
    };
    format!(
        "The screening follows Morris (1991), with the trajectory design and the \u{03bc}* measure of \
         Campolongo, Cariboni and Saltelli (2007). Starting from random values, a trajectory moves \
         one parameter at a time across its screened range, and records how much each move changes \
         each output: the parameter's elementary effect. The {parameters} were moved {design}{points}. \
         {runs}, so a change in an output comes from the parameters, not from chance. For each \
         parameter and output, \u{03bc}* is the mean absolute change in the output when the parameter \
         moves across its whole screened range, in the output's own units: the larger it is, the more \
         the conclusion rests on that parameter. \u{03c3} is how much that change varies with the \
         values of the other parameters; a \u{03c3} as large as \u{03bc}* or larger means the \
         parameter's effect is far from constant: non-linear, or depending on the others. \u{03bc} \
         is the mean change with its sign (positive: raising the parameter raises the output). The \
         \u{00b1} figures are 95% bootstrap intervals of \u{03bc}*. A screening ranks the parameters; \
         it does not measure their effects precisely."
    )
}

/// The sentence that opens an output's section: the parameters that move
/// it most, with their mu-star, and which of them interact or may swap.
pub(crate) fn finding(output: &ScreenedOutput) -> String {
    let format = EffectFormat::new(output);
    let top: Vec<(&Effect, f64, f64)> = output.measured().take(NAMED_IN_FINDING).collect();
    let Some(&(first, first_mu_star, _)) = top.first() else {
        return "sensitivity.csv has no \u{03bc}* and \u{03c3} for this output.".to_owned();
    };
    let unit = unit(&output.metric)
        .map(|unit| format!(" {unit}"))
        .unwrap_or_default();
    if first_mu_star <= 0.0 {
        return format!(
            "No screened parameter changes this output: every \u{03bc}* is {}{unit}.",
            format.value(0.0)
        );
    }
    let named: Vec<String> = top
        .iter()
        .enumerate()
        .map(|(index, (effect, _, _))| {
            let mu_star = format.mu_star(effect).unwrap_or_default();
            let unit = if index == 0 { unit.as_str() } else { "" };
            format!("{} (\u{03bc}* {mu_star}{unit})", effect.path)
        })
        .collect();
    let opening = if top.len() == 1 {
        format!("The parameter that moves it most is {}.", named[0])
    } else {
        format!(
            "The {} parameters that move it most are {}.",
            top.len(),
            join_with_and(&named)
        )
    };
    let mut sentences = vec![opening];
    let interacting: Vec<String> = top
        .iter()
        .filter(|(_, mu_star, sigma)| *mu_star > 0.0 && sigma >= mu_star)
        .map(|(effect, _, _)| effect.path.clone())
        .collect();
    match interacting.len() {
        0 => {}
        1 => sentences.push(format!(
            "The effect of {} is far from constant (\u{03c3} at least \u{03bc}*): it depends on the other parameters.",
            interacting[0]
        )),
        _ => sentences.push(format!(
            "The effects of {} are far from constant (\u{03c3} at least \u{03bc}*): they depend on the other parameters.",
            join_with_and(&interacting)
        )),
    }
    let overlapping: Vec<String> = top
        .windows(2)
        .filter(|pair| {
            let (Some(upper), Some(lower)) = (pair[0].0.interval(), pair[1].0.interval()) else {
                return false;
            };
            upper.low <= lower.high
        })
        .map(|pair| format!("{} and {}", pair[0].0.path, pair[1].0.path))
        .collect();
    if let Some((first_pair, others)) = overlapping.split_first() {
        let others: String = others
            .iter()
            .map(|pair| format!(", as do those of {pair}"))
            .collect();
        sentences.push(format!(
            "The intervals of {first_pair} overlap{others}, so {} could change with more trajectories.",
            if others.is_empty() { "their order" } else { "these orders" }
        ));
    }
    if first.mu_star_ci.is_none() {
        sentences.push("sensitivity.csv gives no interval for the first.".to_owned());
    }
    sentences.join(" ")
}

/// The caption under a chart: how to read it, with what it shows here.
pub(crate) fn chart_reading(id: SensitivityChartId, output: &ScreenedOutput) -> String {
    let format = EffectFormat::new(output);
    let measured: Vec<(&Effect, f64, f64)> = output.measured().collect();
    match id {
        SensitivityChartId::MuStarSigma => {
            let labelled = measured.len().min(LABELLED_DOTS);
            let above = measured
                .iter()
                .take(LABELLED_DOTS)
                .filter(|(_, mu_star, sigma)| *mu_star > 0.0 && sigma >= mu_star)
                .count();
            format!(
                "Each dot is a parameter. The further right, the more the output moves when the \
                 parameter moves across its range (\u{03bc}*); the higher, the more that change \
                 varies with the other parameters (\u{03c3}). Dots above the dashed line \
                 (\u{03c3} = \u{03bc}*) are parameters whose effect is non-linear or interacts with \
                 others; dots near the origin barely matter. The {labelled} with the largest \
                 \u{03bc}* are labelled; {above} of them lie on or above the line."
            )
        }
        SensitivityChartId::Ranking => {
            let shown = measured.len().min(RANKED_BARS);
            let largest = measured.first().map(|(effect, mu_star, _)| {
                let (_, range) = value_and_range(effect);
                let range = range
                    .map(|range| format!(" from {range}"))
                    .unwrap_or_default();
                let unit = unit(&output.metric)
                    .map(|unit| format!(" {unit}"))
                    .unwrap_or_default();
                format!(
                    " Moving {}{range} changes the output by {}{unit} on average.",
                    effect.path,
                    format.value(*mu_star)
                )
            });
            format!(
                "The bars are the \u{03bc}* of the {shown} parameters that move the output most, \
                 largest at the top; the whiskers are their 95% intervals. Parameters whose \
                 whiskers overlap could swap places in a longer screening.{}",
                largest.unwrap_or_default()
            )
        }
    }
}

#[cfg(test)]
mod tests {
    use super::super::data::tests::{CSV, MANIFEST, parse};
    use super::*;

    #[test]
    fn units_follow_the_metric_and_its_difference() {
        assert_eq!(
            unit("diff_conflict_hours_per_leader_after_start"),
            Some("hours per leader a week")
        );
        assert_eq!(unit("final_trust"), Some("trust, 0 to 1"));
        assert_eq!(unit("no_such_metric"), None);
    }

    #[test]
    fn the_finding_names_the_top_parameters_in_order() {
        let screening = parse(MANIFEST, CSV).unwrap();
        assert_eq!(
            finding(&screening.outputs[0]),
            "The 5 parameters that move it most are attribution.lambda_loss (\u{03bc}* 1.25 \u{00b1} 0.20 hours per leader a week), \
             trust.initial (\u{03bc}* 0.95 \u{00b1} 0.15), defaults.disclosure (\u{03bc}* 0.30 \u{00b1} 0.05), \
             defaults.team_size (\u{03bc}* 0.12 \u{00b1} 0.04) and arms.connection-first.interventions.0.trust_gain (\u{03bc}* 0.00 \u{00b1} 0.00). \
             The effects of trust.initial and defaults.team_size are far from constant (\u{03c3} at least \u{03bc}*): they depend on the other parameters. \
             The intervals of attribution.lambda_loss and trust.initial overlap, so their order could change with more trajectories."
        );
    }

    #[test]
    fn statistics_are_written_to_three_significant_digits_of_the_largest() {
        let screening = parse(MANIFEST, &CSV.replace(",1.250000,", ",125.0,")).unwrap();
        let format = EffectFormat::new(&screening.outputs[0]);
        assert_eq!(format.value(125.0), "125");
        assert_eq!(format.signed(-0.9), "\u{2212}1");
        let (value, range) = value_and_range(&screening.outputs[0].effects[1]);
        assert_eq!(value.as_deref(), Some("0.35"));
        assert_eq!(range.as_deref(), Some("0.175 to 0.525"));
    }
}
