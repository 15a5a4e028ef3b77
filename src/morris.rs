//! Morris elementary effects (Morris 1991), with the mu-star measure of
//! Campolongo, Cariboni and Saltelli (2007): a screening of which inputs an
//! output depends on, at a cost of `r (k + 1)` evaluations for `k` inputs.
//!
//! The design is the classic one of `r` trajectories on a grid of `p` levels
//! in the unit cube, built as SALib builds it: each trajectory starts at a
//! base point whose coordinates are drawn from the lower `p / 2` levels, then
//! moves one input at a time, in a random order, by `delta = p / (2 (p - 1))`
//! up or down (a random direction per input). The elementary effect of an
//! input is the change in the output over that move, divided by `delta` in
//! unit space, signed as if the input increased. Over the trajectories, each
//! input has `r` effects: `mu` is their mean, `mu_star` the mean of their
//! absolute values (how much the output depends on the input at all) and
//! `sigma` their standard deviation (n - 1; how much that dependence varies
//! with the other inputs: non-linearity or interaction).
//!
//! `tests/fixtures/morris/` holds SALib's own figures for the same points;
//! the tests below reproduce them exactly.

use rand::seq::SliceRandom;

use crate::stats::Z_975;
use rand::{Rng, RngExt};

/// A Morris design: `trajectories` runs of `inputs + 1` points each, in the
/// unit cube, point after point.
#[derive(Debug, Clone, PartialEq)]
pub struct Design {
    pub inputs: usize,
    pub trajectories: usize,
    pub levels: usize,
    /// `trajectories x (inputs + 1)` rows of `inputs` values in [0, 1].
    pub points: Vec<Vec<f64>>,
}

/// Why a design cannot be made.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum DesignError {
    #[error("needs at least one input")]
    NoInputs,
    #[error("needs at least 2 trajectories (got {0})")]
    Trajectories(usize),
    #[error("needs an even number of levels, at least 2 (got {0})")]
    Levels(usize),
}

/// The step of a design of `levels` levels, in unit space: half the levels.
pub fn delta(levels: usize) -> f64 {
    levels as f64 / (2.0 * (levels as f64 - 1.0))
}

impl Design {
    /// A design of `trajectories` trajectories over `inputs` inputs on
    /// `levels` levels (even, so that every move spans half the grid), drawn
    /// from `rng`.
    pub fn new(
        inputs: usize,
        trajectories: usize,
        levels: usize,
        rng: &mut impl Rng,
    ) -> Result<Design, DesignError> {
        if inputs == 0 {
            return Err(DesignError::NoInputs);
        }
        if trajectories < 2 {
            return Err(DesignError::Trajectories(trajectories));
        }
        if levels < 2 || !levels.is_multiple_of(2) {
            return Err(DesignError::Levels(levels));
        }
        let step = delta(levels);
        let lower = levels / 2;
        let mut points = Vec::with_capacity(trajectories * (inputs + 1));
        for _ in 0..trajectories {
            let mut order: Vec<usize> = (0..inputs).collect();
            order.shuffle(rng);
            let up: Vec<bool> = (0..inputs).map(|_| rng.random::<bool>()).collect();
            let base: Vec<f64> = (0..inputs)
                .map(|_| rng.random_range(0..lower) as f64 / (levels - 1) as f64)
                .collect();
            // Each input starts low if it will step up, high if it will step down.
            let mut point: Vec<f64> = (0..inputs)
                .map(|input| base[input] + if up[input] { 0.0 } else { step })
                .collect();
            points.push(point.clone());
            for &input in &order {
                point[input] = base[input] + if up[input] { step } else { 0.0 };
                points.push(point.clone());
            }
        }
        Ok(Design {
            inputs,
            trajectories,
            levels,
            points,
        })
    }
}

/// The screening figures of one input.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Effects {
    pub mu: f64,
    pub mu_star: f64,
    pub sigma: f64,
    /// Half-width of a 95% bootstrap interval of `mu_star` (see [`analyse`]).
    pub mu_star_ci: f64,
}

/// Why the effects cannot be computed.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum AnalysisError {
    #[error("{points} points do not make whole trajectories of {per} points")]
    Shape { points: usize, per: usize },
    #[error("trajectory {trajectory}, step {step}: {changed} inputs change at once, not one")]
    NotOneAtATime {
        trajectory: usize,
        step: usize,
        changed: usize,
    },
    #[error("trajectory {trajectory} moves input {input} twice, or never")]
    NotEveryInput { trajectory: usize, input: usize },
}

/// Resamples of the bootstrap interval of `mu_star`.
pub const BOOTSTRAP_RESAMPLES: usize = 1000;

/// The effects of each input, from the design's `points` (in any scale: only
/// which input changes between two points, and in which direction, is read)
/// and the output `y` at each point, for a design of `levels` levels.
/// `mu_star_ci` is the half-width of a normal 95% interval from the standard
/// deviation of `mu_star` over [`BOOTSTRAP_RESAMPLES`] resamples of the
/// input's effects, drawn from `rng` (as SALib reports it).
pub fn analyse(
    points: &[Vec<f64>],
    y: &[f64],
    levels: usize,
    rng: &mut impl Rng,
) -> Result<Vec<Effects>, AnalysisError> {
    let inputs = points.first().map_or(0, Vec::len);
    let per = inputs + 1;
    if inputs == 0 || !points.len().is_multiple_of(per) || y.len() != points.len() {
        return Err(AnalysisError::Shape {
            points: points.len(),
            per,
        });
    }
    let trajectories = points.len() / per;
    let step = delta(levels);
    // effects[input][trajectory]
    let mut effects = vec![vec![f64::NAN; trajectories]; inputs];
    for (trajectory, (rows, outputs)) in points.chunks(per).zip(y.chunks(per)).enumerate() {
        for (step_index, (pair, output)) in rows.windows(2).zip(outputs.windows(2)).enumerate() {
            let (from, to) = (&pair[0], &pair[1]);
            let changed: Vec<usize> = (0..inputs).filter(|&i| from[i] != to[i]).collect();
            let &[input] = changed.as_slice() else {
                return Err(AnalysisError::NotOneAtATime {
                    trajectory,
                    step: step_index,
                    changed: changed.len(),
                });
            };
            if !effects[input][trajectory].is_nan() {
                return Err(AnalysisError::NotEveryInput { trajectory, input });
            }
            effects[input][trajectory] = if to[input] > from[input] {
                (output[1] - output[0]) / step
            } else {
                (output[0] - output[1]) / step
            };
        }
    }
    Ok(effects
        .iter()
        .map(|effects| {
            let n = effects.len() as f64;
            let mu = effects.iter().sum::<f64>() / n;
            let mu_star = effects.iter().map(|e| e.abs()).sum::<f64>() / n;
            let sigma = (effects.iter().map(|e| (e - mu).powi(2)).sum::<f64>() / (n - 1.0)).sqrt();
            let means: Vec<f64> = (0..BOOTSTRAP_RESAMPLES)
                .map(|_| {
                    (0..effects.len())
                        .map(|_| effects[rng.random_range(0..effects.len())].abs())
                        .sum::<f64>()
                        / n
                })
                .collect();
            let mean = means.iter().sum::<f64>() / means.len() as f64;
            let sd = (means.iter().map(|m| (m - mean).powi(2)).sum::<f64>()
                / (means.len() as f64 - 1.0))
                .sqrt();
            Effects {
                mu,
                mu_star,
                sigma,
                mu_star_ci: Z_975 * sd,
            }
        })
        .collect())
}

#[cfg(test)]
mod tests {
    use super::*;
    use rand::SeedableRng;
    use rand_chacha::ChaCha8Rng;

    fn read(path: &str) -> (Vec<String>, Vec<Vec<f64>>) {
        let text = std::fs::read_to_string(format!(
            "{}/tests/fixtures/morris/{path}",
            env!("CARGO_MANIFEST_DIR")
        ))
        .expect("fixture readable");
        let mut lines = text.lines();
        let header = lines.next().unwrap().split(',').map(String::from).collect();
        let rows = lines
            .map(|line| {
                line.split(',')
                    .map(|field| field.parse().unwrap_or(f64::NAN))
                    .collect()
            })
            .collect();
        (header, rows)
    }

    /// The g-function of Sobol on the unit cube.
    fn g(u: &[f64], a: &[f64]) -> f64 {
        u.iter()
            .zip(a)
            .map(|(u, a)| ((4.0 * u - 2.0).abs() + a) / (1.0 + a))
            .product()
    }

    /// SALib's mu, mu_star and sigma from its own points, and the output
    /// computed here from those points.
    fn matches_salib(case: &str, a: &[f64], bounds: &[(f64, f64)], levels: usize) {
        let (_, samples) = read(&format!("{case}_samples.csv"));
        let k = a.len();
        let points: Vec<Vec<f64>> = samples.iter().map(|row| row[..k].to_vec()).collect();
        let y: Vec<f64> = points
            .iter()
            .map(|x| {
                let u: Vec<f64> = x
                    .iter()
                    .zip(bounds)
                    .map(|(x, (lo, hi))| (x - lo) / (hi - lo))
                    .collect();
                g(&u, a)
            })
            .collect();
        // The model here is the model there.
        for (row, y) in samples.iter().zip(&y) {
            assert!((row[k] - y).abs() <= 1e-12 * y.abs().max(1.0), "{case}: y");
        }
        let mut rng = ChaCha8Rng::seed_from_u64(1);
        let effects = analyse(&points, &y, levels, &mut rng).unwrap();
        let (_, salib) = read(&format!("{case}_salib.csv"));
        for (input, (ours, theirs)) in effects.iter().zip(&salib).enumerate() {
            let close = |a: f64, b: f64| (a - b).abs() <= 1e-12 * b.abs().max(1e-12);
            assert!(close(ours.mu, theirs[1]), "{case} x{}: mu", input + 1);
            assert!(
                close(ours.mu_star, theirs[2]),
                "{case} x{}: mu_star",
                input + 1
            );
            assert!(close(ours.sigma, theirs[3]), "{case} x{}: sigma", input + 1);
            // A bootstrap of its own: close to SALib's, not equal.
            assert!(
                (ours.mu_star_ci - theirs[4]).abs() <= 0.35 * theirs[4] + 1e-9,
                "{case} x{}: mu_star_ci {} vs {}",
                input + 1,
                ours.mu_star_ci,
                theirs[4]
            );
        }
    }

    #[test]
    fn the_g_function_screening_matches_salib() {
        matches_salib(
            "g8",
            &[0.0, 1.0, 4.5, 9.0, 99.0, 99.0, 99.0, 99.0],
            &[(0.0, 1.0); 8],
            4,
        );
    }

    #[test]
    fn effects_do_not_depend_on_the_inputs_bounds_as_in_salib() {
        matches_salib(
            "g4_scaled",
            &[0.0, 1.0, 9.0, 99.0],
            &[(0.0, 2.0), (-1.0, 1.0), (0.5, 1.0), (10.0, 20.0)],
            6,
        );
    }

    #[test]
    fn a_design_moves_every_input_once_per_trajectory_by_delta_on_the_grid() {
        let mut rng = ChaCha8Rng::seed_from_u64(7);
        let design = Design::new(5, 12, 4, &mut rng).unwrap();
        assert_eq!(design.points.len(), 12 * 6);
        let step = delta(4);
        for trajectory in design.points.chunks(6) {
            let mut moved = [0; 5];
            for pair in trajectory.windows(2) {
                let changed: Vec<usize> = (0..5).filter(|&i| pair[0][i] != pair[1][i]).collect();
                assert_eq!(changed.len(), 1);
                let input = changed[0];
                moved[input] += 1;
                assert!(((pair[1][input] - pair[0][input]).abs() - step).abs() < 1e-12);
            }
            assert_eq!(moved, [1; 5]);
            for value in trajectory.iter().flatten() {
                let level = value * 3.0;
                assert!((level - level.round()).abs() < 1e-9 && (0.0..=1.0).contains(value));
            }
        }
        // The same generator gives the same design.
        let again = Design::new(5, 12, 4, &mut ChaCha8Rng::seed_from_u64(7)).unwrap();
        assert_eq!(design, again);
    }

    #[test]
    fn a_linear_model_has_its_slopes_as_effects_and_no_spread() {
        let mut rng = ChaCha8Rng::seed_from_u64(3);
        let design = Design::new(3, 10, 6, &mut rng).unwrap();
        let slopes = [2.0, -0.5, 0.0];
        let y: Vec<f64> = design
            .points
            .iter()
            .map(|x| x.iter().zip(slopes).map(|(x, s)| x * s).sum())
            .collect();
        let effects = analyse(&design.points, &y, 6, &mut rng).unwrap();
        for (effect, slope) in effects.iter().zip(slopes) {
            assert!((effect.mu - slope).abs() < 1e-9);
            assert!((effect.mu_star - slope.abs()).abs() < 1e-9);
            assert!(effect.sigma < 1e-9);
        }
    }

    #[test]
    fn bad_designs_and_shapes_are_refused() {
        let mut rng = ChaCha8Rng::seed_from_u64(0);
        assert_eq!(Design::new(0, 4, 4, &mut rng), Err(DesignError::NoInputs));
        assert_eq!(
            Design::new(3, 1, 4, &mut rng),
            Err(DesignError::Trajectories(1))
        );
        assert_eq!(Design::new(3, 4, 5, &mut rng), Err(DesignError::Levels(5)));
        let points = vec![vec![0.0, 0.0], vec![1.0, 1.0], vec![1.0, 0.0]];
        assert!(matches!(
            analyse(&points, &[0.0; 3], 4, &mut rng),
            Err(AnalysisError::NotOneAtATime { .. })
        ));
    }
}
