//! The grid of a parameter sweep, as a scenario names it (`[sweeps.NAME]`)
//! or the command line gives it (`--param`): each parameter's values, and the
//! overrides that set each point. Checked with the scenario, so a sweep's
//! every value is known to be valid before anything runs.

use super::Override;

/// Most steps one parameter may take.
pub const MAX_STEPS: u64 = 10_000;
/// Most points a grid may have.
pub const MAX_POINTS: u64 = 10_000_000;

/// One swept value: `PATH=FROM:TO:STEPS`, `STEPS` evenly spaced values from
/// `FROM` to `TO` inclusive.
#[derive(Debug, Clone, PartialEq)]
pub struct SweepParam {
    pub path: String,
    pub from: f64,
    pub to: f64,
    pub steps: u64,
    /// The values as written to overrides and to `sweep.csv`.
    pub values: Vec<String>,
}

impl SweepParam {
    /// Parses `PATH=FROM:TO:STEPS`. The message says what is wrong; the
    /// caller names where it came from.
    pub fn parse(text: &str) -> Result<SweepParam, String> {
        let form = "write it as PATH=FROM:TO:STEPS, like trust.initial=0.1:0.9:9";
        let Some((path, range)) = text.split_once('=') else {
            return Err(format!("`{text}`: no `=`; {form}"));
        };
        let path = path.trim();
        if path.is_empty() || path.split('.').any(|part| part.trim().is_empty()) {
            return Err(format!("`{text}`: the path has an empty part; {form}"));
        }
        let parts: Vec<&str> = range.split(':').map(str::trim).collect();
        let [from, to, steps] = parts[..] else {
            return Err(format!(
                "`{text}`: needs three parts after `=` (FROM:TO:STEPS), found {}; {form}",
                parts.len()
            ));
        };
        let number = |name: &str, part: &str| match part.parse::<f64>() {
            Ok(value) if value.is_finite() => Ok(value),
            _ => Err(format!("`{text}`: {name} `{part}` is not a number")),
        };
        let (from, to) = (number("FROM", from)?, number("TO", to)?);
        let steps = match steps.parse::<u64>() {
            Ok(steps) if (1..=MAX_STEPS).contains(&steps) => steps,
            _ => {
                return Err(format!(
                    "`{text}`: STEPS `{steps}` must be a whole number from 1 to {}",
                    crate::words::thousands(MAX_STEPS)
                ));
            }
        };
        if steps == 1 && from != to {
            return Err(format!(
                "`{text}`: one step cannot go from {from} to {to}; use 2 or more steps"
            ));
        }
        if let Some(reason) = UNSWEPT.iter().find(|(unswept, _)| *unswept == path) {
            return Err(format!("`{text}`: {path} cannot be swept: {}", reason.1));
        }
        let values = (0..steps)
            .map(|step| {
                let value = if steps == 1 {
                    from
                } else {
                    from + (to - from) * step as f64 / (steps - 1) as f64
                };
                value_text(value)
            })
            .collect::<Vec<String>>();
        if let Some(pair) = values.windows(2).find(|pair| pair[0] == pair[1]) {
            return Err(format!(
                "`{text}`: the value {} would repeat; sweep a wider range or fewer steps",
                pair[0]
            ));
        }
        Ok(SweepParam {
            path: path.to_string(),
            from,
            to,
            steps,
            values,
        })
    }
}

/// Values a sweep must not vary, and why.
const UNSWEPT: &[(&str, &str)] = &[
    (
        "seed",
        "every point uses the same seed, so that points differ by their values and not by luck",
    ),
    (
        "replicates",
        "use --replicates (or the sweep's `replicates`) for the number of runs at each point",
    ),
];

/// A value as short decimal text, free of binary noise: 0.30000000000000004
/// is written `0.3`, and whole numbers without a point (so that they can set
/// whole-number fields). Very large or very small values are written with an
/// exponent, which reads back as the same number.
fn value_text(value: f64) -> String {
    if value != 0.0 && !(1e-6..1e15).contains(&value.abs()) {
        return format!("{value:e}");
    }
    let text = format!("{value:.10}");
    let text = text.trim_end_matches('0').trim_end_matches('.');
    if text == "-0" {
        "0".to_string()
    } else {
        text.to_string()
    }
}

/// The grid of a sweep: every combination of its parameters' values.
#[derive(Debug, Clone)]
pub struct Grid {
    pub params: Vec<SweepParam>,
}

impl Grid {
    /// A grid of distinct paths and at most [`MAX_POINTS`] points.
    pub fn new(params: Vec<SweepParam>) -> Result<Grid, String> {
        if params.is_empty() {
            return Err("no parameter to sweep; give one with --param PATH=FROM:TO:STEPS".into());
        }
        for (index, param) in params.iter().enumerate() {
            if params[..index].iter().any(|other| other.path == param.path) {
                return Err(format!("`{}` is swept twice", param.path));
            }
        }
        let points = params
            .iter()
            .try_fold(1u64, |points, param| points.checked_mul(param.steps));
        match points {
            Some(points) if points <= MAX_POINTS => Ok(Grid { params }),
            _ => Err(format!(
                "the grid has more than {} points; sweep fewer steps",
                crate::words::thousands(MAX_POINTS)
            )),
        }
    }

    pub fn points(&self) -> u64 {
        self.params.iter().map(|param| param.steps).product()
    }

    /// The index of each parameter's value at `point` (row-major).
    pub fn steps_at(&self, point: u64) -> Vec<usize> {
        let mut rest = point;
        let mut steps = vec![0; self.params.len()];
        for (index, param) in self.params.iter().enumerate().rev() {
            steps[index] = (rest % param.steps) as usize;
            rest /= param.steps;
        }
        steps
    }

    /// The point at the given step of each parameter.
    pub fn point_of(&self, steps: &[usize]) -> u64 {
        self.params
            .iter()
            .zip(steps)
            .fold(0, |point, (param, &step)| point * param.steps + step as u64)
    }

    /// Each parameter's value at `point`.
    pub fn values_at(&self, point: u64) -> Vec<&str> {
        self.steps_at(point)
            .into_iter()
            .zip(&self.params)
            .map(|(step, param)| param.values[step].as_str())
            .collect()
    }

    /// The overrides that set `point`'s values; `origin` names where the
    /// sweep was asked for (a `--param` argument or a scenario's sweep), for
    /// messages about a value the scenario refuses.
    pub fn overrides_at(&self, point: u64, origin: &dyn Fn(usize) -> String) -> Vec<Override> {
        self.values_at(point)
            .into_iter()
            .enumerate()
            .map(|(index, value)| {
                let path = &self.params[index].path;
                let argument = format!("{} (at {path}={value})", origin(index));
                let value = value
                    .parse::<i64>()
                    .map(toml::Value::Integer)
                    .unwrap_or_else(|_| toml::Value::Float(value.parse().unwrap_or(f64::NAN)));
                Override {
                    argument,
                    path: path.split('.').map(str::to_string).collect(),
                    value,
                }
            })
            .collect()
    }

    /// The grid's corners (every parameter at its first or last value; at
    /// most 2^16 of them), where what a point costs is at its least and most.
    pub fn corner_points(&self) -> Vec<u64> {
        let corners = 1u64 << self.params.len().min(16);
        let mut points: Vec<u64> = (0..corners)
            .map(|corner| {
                let steps: Vec<usize> = self
                    .params
                    .iter()
                    .enumerate()
                    .map(|(index, param)| {
                        if corner >> index & 1 == 1 {
                            param.values.len() - 1
                        } else {
                            0
                        }
                    })
                    .collect();
                self.point_of(&steps)
            })
            .collect();
        points.sort_unstable();
        points.dedup();
        points
    }

    /// Points that reach every value of every parameter and every corner of
    /// the grid: checking these before the sweep starts finds a value the
    /// scenario refuses (out of range, a fraction for a whole number, a
    /// minimum above its maximum) before hours of running, not at the end.
    pub fn probe_points(&self) -> Vec<u64> {
        let mut points = self.corner_points();
        for (index, param) in self.params.iter().enumerate() {
            for step in 0..param.values.len() {
                let mut steps = vec![0; self.params.len()];
                steps[index] = step;
                points.push(self.point_of(&steps));
            }
        }
        points.sort_unstable();
        points.dedup();
        points
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn values_are_evenly_spaced_and_written_short() {
        let param = SweepParam::parse("trust.initial=0.1:0.9:9").unwrap();
        assert_eq!(
            param.values,
            [
                "0.1", "0.2", "0.3", "0.4", "0.5", "0.6", "0.7", "0.8", "0.9"
            ]
        );
        let whole = SweepParam::parse("weeks = 10 : 30 : 3").unwrap();
        assert_eq!(whole.path, "weeks");
        assert_eq!(whole.values, ["10", "20", "30"]);
        let down = SweepParam::parse("a.b=1:-1:3").unwrap();
        assert_eq!(down.values, ["1", "0", "-1"]);
        let huge = SweepParam::parse("a=0:1e20:2").unwrap();
        assert_eq!(huge.values, ["0", "1e20"]);
    }

    #[test]
    fn bad_params_say_what_is_wrong() {
        for (text, expected) in [
            ("trust.initial", "no `=`"),
            ("trust.initial=0.1:0.9", "three parts"),
            ("trust..initial=0:1:2", "empty part"),
            ("trust.initial=a:1:2", "FROM `a`"),
            ("trust.initial=0:inf:2", "TO `inf`"),
            ("trust.initial=0:1:0", "from 1 to"),
            ("trust.initial=0:1:2.5", "whole number"),
            ("trust.initial=0:1:1", "one step"),
            ("trust.initial=0.5:0.5:3", "would repeat"),
            ("trust.initial=0.5:0.50000000001:2", "would repeat"),
            ("seed=1:5:5", "cannot be swept"),
        ] {
            let error = SweepParam::parse(text).unwrap_err();
            assert!(error.contains(expected), "{text}: {error}");
        }
    }

    #[test]
    fn points_are_row_major_and_probes_reach_every_value_and_corner() {
        let grid = Grid::new(vec![
            SweepParam::parse("a=0:1:3").unwrap(),
            SweepParam::parse("b=0:1:2").unwrap(),
        ])
        .unwrap();
        assert_eq!(grid.points(), 6);
        let all: Vec<Vec<&str>> = (0..6).map(|point| grid.values_at(point)).collect();
        assert_eq!(
            all,
            [
                ["0", "0"],
                ["0", "1"],
                ["0.5", "0"],
                ["0.5", "1"],
                ["1", "0"],
                ["1", "1"]
            ]
        );
        for point in 0..6 {
            assert_eq!(grid.point_of(&grid.steps_at(point)), point);
        }
        // Corners 0, 1, 4, 5 and the a-axis 0, 2, 4.
        assert_eq!(grid.probe_points(), [0, 1, 2, 4, 5]);
    }

    #[test]
    fn grids_refuse_repeats_and_huge_sizes() {
        let a = SweepParam::parse("a=0:1:2").unwrap();
        assert!(Grid::new(vec![a.clone(), a]).unwrap_err().contains("twice"));
        let big = |path: &str| SweepParam::parse(&format!("{path}=0:1:10000")).unwrap();
        assert!(
            Grid::new(vec![big("a"), big("b")])
                .unwrap_err()
                .contains("more than")
        );
    }
}
