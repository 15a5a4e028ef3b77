//! What the two charts of each screened output show: mu-star against sigma
//! (one dot per parameter, the largest labelled) and the ranking of the
//! largest mu-stars with their intervals.
//!
//! Like `charts.rs`, these models know nothing about plotters.

use std::ops::Range;

use super::super::charts::{Chart, Header, nice_ceiling};
use super::super::data::Interval;
use super::super::text::thousands;
use super::super::theme::Colour;
use super::data::{ScreenedOutput, SensitivityOutput};
use super::text::{EffectFormat, unit};

/// Dots labelled with their parameter in the mu-star/sigma chart: more
/// labels than this crowd a slide.
pub(crate) const LABELLED_DOTS: usize = 10;
/// Bars in the ranking: the parameters beyond these matter little, and
/// the table lists them all.
pub(crate) const RANKED_BARS: usize = 15;

/// The title of a mu-star axis, before its unit.
const MU_STAR_TITLE: &str = "\u{03bc}*: mean absolute change";

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum SensitivityChartId {
    MuStarSigma,
    Ranking,
}

impl SensitivityChartId {
    pub const ALL: [Self; 2] = [Self::MuStarSigma, Self::Ranking];

    /// File name without extension of the chart of output `number` (from
    /// 1); the same for the PNG and the SVG.
    pub fn file_stem(self, number: usize) -> String {
        let chart = match self {
            Self::MuStarSigma => "mu-star-sigma",
            Self::Ranking => "ranking",
        };
        format!("sensitivity-{number}-{chart}")
    }

    /// A short name for the report's figure headings.
    pub fn heading(self) -> &'static str {
        match self {
            Self::MuStarSigma => "How much and how steadily each parameter moves it",
            Self::Ranking => "The parameters that move it most",
        }
    }
}

/// Every parameter as a dot at (mu-star, sigma), with the line sigma =
/// mu-star.
pub(crate) struct ScatterChart {
    pub header: Header,
    pub x_title: String,
    pub y_title: String,
    /// The axis titles without their unit, for when they do not fit.
    pub short_x_title: String,
    pub short_y_title: String,
    pub x_range: Range<f64>,
    pub y_range: Range<f64>,
    /// The colour of the labelled dots: the output's arm's.
    pub colour: Colour,
    /// By rank, the largest mu-star first.
    pub dots: Vec<ScatterDot>,
}

pub(crate) struct ScatterDot {
    pub mu_star: f64,
    pub sigma: f64,
    /// The parameter's path, shortened; only for the largest mu-stars.
    pub label: Option<String>,
}

/// Horizontal bars of the largest mu-stars, largest at the top.
pub(crate) struct RankingChart {
    pub header: Header,
    pub x_title: String,
    pub short_x_title: String,
    pub x_range: Range<f64>,
    pub colour: Colour,
    /// Largest first.
    pub bars: Vec<RankedBar>,
    /// Rows the plot is divided into: at least the bars, so that a few
    /// bars keep their thickness instead of filling the plot.
    pub rows: usize,
}

pub(crate) struct RankedBar {
    /// The parameter's path, shortened.
    pub label: String,
    pub mu_star: f64,
    pub interval: Option<Interval>,
    /// "1.25 ± 0.20", written beside the bar.
    pub value_text: String,
}

/// Builds chart `id` of the `output`th output, or says in plain words why
/// the files cannot support it.
pub(crate) fn build_chart(
    id: SensitivityChartId,
    screening: &SensitivityOutput,
    output: usize,
) -> Result<Chart, String> {
    let screened = &screening.outputs[output];
    if screened.effects.is_empty() {
        return Err(format!(
            "sensitivity.csv has no rows for this output ({} of {}), so its charts are left out.",
            screened.metric, screened.arm.name
        ));
    }
    if screened.measured().next().is_none() {
        return Err(
            "sensitivity.csv gives no parameter both a \u{03bc}* and a \u{03c3} for this output, so there is nothing to draw."
                .to_owned(),
        );
    }
    Ok(match id {
        SensitivityChartId::MuStarSigma => Chart::SensitivityScatter(scatter(screening, screened)),
        SensitivityChartId::Ranking => Chart::SensitivityRanking(ranking(screening, screened)),
    })
}

fn scatter(screening: &SensitivityOutput, output: &ScreenedOutput) -> ScatterChart {
    let dots: Vec<ScatterDot> = output
        .measured()
        .enumerate()
        .map(|(index, (effect, mu_star, sigma))| ScatterDot {
            mu_star,
            sigma,
            label: (index < LABELLED_DOTS).then(|| short_path(&effect.path)),
        })
        .collect();
    let highest = |value: fn(&ScatterDot) -> f64| {
        nice_ceiling(dots.iter().map(value).fold(0.0, f64::max) * 1.05)
    };
    let (x_title, short_x_title) = axis_titles(MU_STAR_TITLE, output);
    let (y_title, short_y_title) = axis_titles("\u{03c3}: spread of the change", output);
    ScatterChart {
        header: Header {
            title: output.label.clone(),
            subtitle: subtitle(screening, "each dot a parameter"),
        },
        x_title,
        y_title,
        short_x_title,
        short_y_title,
        x_range: 0.0..highest(|dot| dot.mu_star),
        y_range: 0.0..highest(|dot| dot.sigma),
        colour: output.arm.colour,
        dots,
    }
}

fn ranking(screening: &SensitivityOutput, output: &ScreenedOutput) -> RankingChart {
    let format = EffectFormat::new(output);
    let bars: Vec<RankedBar> = output
        .measured()
        .take(RANKED_BARS)
        .map(|(effect, mu_star, _)| RankedBar {
            label: short_path(&effect.path),
            mu_star,
            interval: effect.interval(),
            value_text: format.mu_star(effect).unwrap_or_default(),
        })
        .collect();
    let highest = bars
        .iter()
        .map(|bar| bar.interval.map_or(bar.mu_star, |interval| interval.high))
        .fold(0.0, f64::max);
    let (x_title, short_x_title) = axis_titles(MU_STAR_TITLE, output);
    RankingChart {
        header: Header {
            title: output.label.clone(),
            subtitle: subtitle(screening, "whiskers: 95% interval of \u{03bc}*"),
        },
        x_title,
        short_x_title,
        x_range: 0.0..nice_ceiling(highest * 1.05),
        colour: output.arm.colour,
        rows: bars.len().max(8),
        bars,
    }
}

/// An axis title with the output's unit, and without it.
fn axis_titles(title: &str, output: &ScreenedOutput) -> (String, String) {
    let with_unit = match unit(&output.metric) {
        Some(unit) => format!("{title} ({unit})"),
        None => title.to_owned(),
    };
    (with_unit, title.to_owned())
}

/// "two-managers · Morris screening of 24 parameters, 100 runs per point ·
/// {detail}".
fn subtitle(screening: &SensitivityOutput, detail: &str) -> String {
    let screened = format!(
        "Morris screening of {} parameters",
        thousands(screening.parameter_count() as u64)
    );
    let runs = match screening.manifest.head.replicates {
        Some(1) => ", one run per point".to_owned(),
        Some(count) => format!(", {} runs per point", thousands(count)),
        None => String::new(),
    };
    let screened = format!("{screened}{runs}");
    [
        screening.manifest.head.name.as_str(),
        screened.as_str(),
        detail,
    ]
    .into_iter()
    .filter(|part| !part.is_empty())
    .collect::<Vec<_>>()
    .join(" \u{00b7} ")
}

/// A parameter's path as the charts label it: an arm's intervention
/// setting `arms.ARM.interventions.0.FIELD` as `ARM.FIELD`, and one of a
/// later intervention as `ARM.N.FIELD`. Other paths are already short.
pub(crate) fn short_path(path: &str) -> String {
    let parts: Vec<&str> = path.split('.').collect();
    match parts[..] {
        ["arms", arm, "interventions", index, ref field @ ..] if !field.is_empty() => {
            let field = field.join(".");
            if index == "0" {
                format!("{arm}.{field}")
            } else {
                format!("{arm}.{index}.{field}")
            }
        }
        _ => path.to_owned(),
    }
}

#[cfg(test)]
mod tests {
    use super::super::data::tests::{CSV, MANIFEST, parse};
    use super::*;

    #[test]
    fn intervention_settings_are_shortened_to_their_arm() {
        assert_eq!(
            short_path("arms.connection-first.interventions.0.trust_gain"),
            "connection-first.trust_gain"
        );
        assert_eq!(
            short_path("arms.both.interventions.1.every_weeks"),
            "both.1.every_weeks"
        );
        assert_eq!(
            short_path("attribution.lambda_loss"),
            "attribution.lambda_loss"
        );
        assert_eq!(
            short_path("arms.x.interventions.0"),
            "arms.x.interventions.0"
        );
    }

    #[test]
    fn the_charts_show_the_measured_parameters_by_rank() {
        let screening = parse(MANIFEST, CSV).unwrap();
        let Ok(Chart::SensitivityScatter(scatter)) =
            build_chart(SensitivityChartId::MuStarSigma, &screening, 1)
        else {
            panic!("expected a scatter chart");
        };
        // The parameter without a mu-star is left out.
        assert_eq!(scatter.dots.len(), 4);
        assert_eq!(
            scatter.dots[0].label.as_deref(),
            Some("connection-first.trust_gain")
        );
        assert_eq!(scatter.x_range, 0.0..0.8);
        assert_eq!(
            scatter.x_title,
            "\u{03bc}*: mean absolute change (hours per leader a week)"
        );
        let Ok(Chart::SensitivityRanking(ranking)) =
            build_chart(SensitivityChartId::Ranking, &screening, 0)
        else {
            panic!("expected a ranking chart");
        };
        assert_eq!(ranking.bars.len(), 5);
        assert_eq!(ranking.bars[0].value_text, "1.25 \u{00b1} 0.20");
        assert_eq!(ranking.x_range, 0.0..2.0);
        assert_eq!(ranking.rows, 8);
    }

    #[test]
    fn an_output_without_rows_has_no_charts_and_says_why() {
        let csv: String = CSV
            .lines()
            .filter(|line| !line.starts_with("connection-first"))
            .map(|line| format!("{line}\n"))
            .collect();
        let screening = parse(MANIFEST, &csv).unwrap();
        let Err(reason) = build_chart(SensitivityChartId::Ranking, &screening, 1) else {
            panic!("expected no chart");
        };
        assert_eq!(
            reason,
            "sensitivity.csv has no rows for this output (diff_conflict_hours_per_leader_after_start of connection-first), so its charts are left out."
        );
    }
}
