//! Logistic regression for calibration checks: `empathy-gap calibrate` uses it
//! to turn per-relationship onsets in a virtual cohort into odds ratios with
//! 95% intervals, the form in which De Raeve et al. (2008) report their risk
//! factors. It is small and dependency-free: Newton-Raphson with step-halving,
//! model-based or cluster-robust (CR1) standard errors, and its own Cholesky.

use std::collections::{BTreeMap, BTreeSet};

/// The standard normal quantile for a two-sided 95% interval.
pub use crate::stats::Z_975 as Z_95;

/// Newton-Raphson stops when no coefficient would move by more than this.
const TOLERANCE: f64 = 1e-10;
const MAX_ITERATIONS: usize = 100;
/// Halvings tried before a Newton step is judged unable to raise the likelihood.
const MAX_HALVINGS: i32 = 40;
/// Beyond this linear predictor the fitted probability is within 1e-13 of 0 or
/// 1 (R's `glm` warns at about 36): the row is perfectly predicted.
const SATURATED_ETA: f64 = 30.0;
/// A Cholesky pivot below this fraction of its diagonal entry means the column
/// is, to rounding, a combination of the earlier ones. The ratio does not move
/// when a predictor is rescaled, so the test does not depend on units.
const PIVOT_TOLERANCE: f64 = 1e-12;

/// A fitted model. Index 0 of each vector is the intercept; index `j` belongs
/// to predictor column `j - 1` of the input.
#[derive(Debug, Clone, PartialEq)]
pub struct Fit {
    /// Log-odds coefficients, intercept first.
    pub coefficients: Vec<f64>,
    /// Model-based or cluster-robust standard errors, as asked of [`fit`].
    pub standard_errors: Vec<f64>,
    /// Newton-Raphson steps taken, the last (below tolerance) included.
    pub iterations: usize,
}

/// exp(coefficient) with its Wald 95% interval.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct OddsRatio {
    pub ratio: f64,
    pub lower: f64,
    pub upper: f64,
}

impl Fit {
    /// Per coefficient, exp(b) with the interval exp(b ± 1.959964 se). The
    /// intercept's entry is the odds when every predictor is zero, not a ratio.
    pub fn odds_ratios(&self) -> Vec<OddsRatio> {
        let ratio = |b: f64, se: f64| OddsRatio {
            ratio: b.exp(),
            lower: (b - Z_95 * se).exp(),
            upper: (b + Z_95 * se).exp(),
        };
        let pairs = self.coefficients.iter().zip(&self.standard_errors);
        pairs.map(|(&b, &se)| ratio(b, se)).collect()
    }
}

/// Why a model could not be fitted. Coefficient indices count the intercept as 0.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum LogitError {
    #[error("no rows to fit")]
    Empty,
    #[error("{values} predictor values, expected rows x columns = {expected}")]
    PredictorLength { values: usize, expected: usize },
    #[error("{ids} cluster ids for {rows} rows: need one id per row")]
    ClusterLength { ids: usize, rows: usize },
    #[error("row {row}, predictor column {column}: not a finite number")]
    NonFinite { row: usize, column: usize },
    #[error("cluster-robust standard errors need at least 2 clusters, found {clusters}")]
    TooFewClusters { clusters: usize },
    #[error("the outcome does not vary: every row is {value}")]
    NoVariation { value: bool },
    #[error(
        "separation: {rows} rows are predicted perfectly, so the coefficients diverge \
         and no odds ratio exists; drop or coarsen the separating predictor"
    )]
    Separation { rows: usize },
    #[error(
        "singular information matrix at coefficient {coefficient}: a predictor is \
         constant or a linear combination of the others, or there are too few rows"
    )]
    Singular { coefficient: usize },
    #[error("no convergence after {steps} Newton steps (the last moved {last:e})")]
    NotConverged { steps: usize, last: f64 },
}

/// Fits P(outcome) = 1 / (1 + exp(-(b0 + x·b))) by maximum likelihood.
///
/// `rows` holds `outcomes.len()` rows of `k` predictors each, row-major and
/// without the intercept column, which is added here. With `clusters` (an id
/// per row; a cluster's rows need not be contiguous) the standard errors are
/// the CR1 sandwich, as Stata's `vce(cluster)`; without, they come from the
/// inverse Fisher information.
///
/// # Errors
///
/// On empty or mis-sized input, non-finite predictors, fewer than 2 clusters,
/// an outcome without variation, separation, collinear predictors (or no more
/// rows than coefficients), or no convergence in 100 iterations.
pub fn fit(
    rows: &[f64],
    k: usize,
    outcomes: &[bool],
    clusters: Option<&[u64]>,
) -> Result<Fit, LogitError> {
    let design = Design::checked(rows, k, outcomes, clusters)?;
    let (coefficients, iterations) = newton_raphson(&design, outcomes)?;
    // Newton-Raphson has just factored the information at almost this point.
    let singular = |coefficient| LogitError::Singular { coefficient };
    let (_, information) = gradient_and_information(&design, outcomes, &coefficients);
    let factor = Cholesky::new(&information, design.p).map_err(singular)?;
    let variances = match clusters {
        None => factor.inverse_diagonal(),
        Some(ids) => cluster_robust_variances(&design, outcomes, &coefficients, &factor, ids),
    };
    let standard_errors = variances.iter().map(|v| v.sqrt()).collect();
    let fit = Fit {
        coefficients,
        standard_errors,
        iterations,
    };
    Ok(fit)
}

/// The n × p design matrix, intercept column first, row-major.
struct Design {
    x: Vec<f64>,
    n: usize,
    p: usize,
}

impl Design {
    fn checked(
        rows: &[f64],
        k: usize,
        outcomes: &[bool],
        clusters: Option<&[u64]>,
    ) -> Result<Design, LogitError> {
        let n = outcomes.len();
        let (values, expected) = (rows.len(), n.saturating_mul(k));
        if n == 0 {
            return Err(LogitError::Empty);
        }
        if values != expected {
            return Err(LogitError::PredictorLength { values, expected });
        }
        if let Some(ids) = clusters.map(<[u64]>::len).filter(|&ids| ids != n) {
            return Err(LogitError::ClusterLength { ids, rows: n });
        }
        if let Some(at) = rows.iter().position(|v| !v.is_finite()) {
            let (row, column) = (at / k, at % k);
            return Err(LogitError::NonFinite { row, column });
        }
        if outcomes.iter().all(|&y| y == outcomes[0]) {
            return Err(LogitError::NoVariation { value: outcomes[0] });
        }
        if let Some(ids) = clusters {
            let clusters = ids.iter().collect::<BTreeSet<_>>().len();
            if clusters < 2 {
                return Err(LogitError::TooFewClusters { clusters });
            }
        }
        let mut x = Vec::with_capacity(n * (k + 1));
        for i in 0..n {
            x.push(1.0);
            x.extend_from_slice(&rows[i * k..(i + 1) * k]);
        }
        Ok(Design { x, n, p: k + 1 })
    }

    fn row(&self, i: usize) -> &[f64] {
        &self.x[i * self.p..(i + 1) * self.p]
    }

    fn eta(&self, i: usize, b: &[f64]) -> f64 {
        self.row(i).iter().zip(b).map(|(x, b)| x * b).sum()
    }
}

/// Returns the maximum-likelihood coefficients and the number of steps taken.
/// Convergence is judged on the full Newton step, not the halved one, so a
/// search that has to halve a lot is not mistaken for one that has arrived.
fn newton_raphson(design: &Design, outcomes: &[bool]) -> Result<(Vec<f64>, usize), LogitError> {
    // Start at the intercept-only estimate: one step closer, and never separating.
    let n_true = outcomes.iter().filter(|&&y| y).count() as f64;
    let mut b = vec![0.0; design.p];
    b[0] = (n_true / (design.n as f64 - n_true)).ln();
    let mut log_lik = log_likelihood(design, outcomes, &b);
    let (mut steps, mut last) = (0, f64::INFINITY);
    while steps < MAX_ITERATIONS {
        steps += 1;
        let (gradient, information) = gradient_and_information(design, outcomes, &b);
        let singular = |coefficient| diagnose(design, &b, LogitError::Singular { coefficient });
        let step = Cholesky::new(&information, design.p)
            .map_err(singular)?
            .solve(&gradient);
        last = step.iter().fold(0.0, |max, s| s.abs().max(max));
        if last < TOLERANCE {
            b.iter_mut().zip(&step).for_each(|(b, s)| *b += s);
            return Ok((b, steps));
        }
        // Near the optimum a step changes the log-likelihood by less than its
        // rounding error, hence the slack.
        let floor = log_lik - 1e-12 * (1.0 + log_lik.abs());
        let halved = |halvings| {
            let scale = 0.5_f64.powi(halvings);
            let candidate: Vec<f64> = b.iter().zip(&step).map(|(b, s)| b + scale * s).collect();
            (log_likelihood(design, outcomes, &candidate), candidate)
        };
        let Some((better, candidate)) = (0..MAX_HALVINGS).map(halved).find(|(l, _)| *l >= floor)
        else {
            break;
        };
        (log_lik, b) = (better, candidate);
        // Coefficients that put every row strictly on its outcome's side of
        // x·b = 0 certify complete separation: scaled up, they fit ever better.
        let strictly_on_its_side = |i: usize| {
            let eta = design.eta(i, &b);
            if outcomes[i] { eta > 0.0 } else { eta < 0.0 }
        };
        if (0..design.n).all(strictly_on_its_side) {
            return Err(LogitError::Separation { rows: design.n });
        }
    }
    let not_converged = LogitError::NotConverged { steps, last };
    Err(diagnose(design, &b, not_converged))
}

/// Quasi-complete separation shows up as a singular matrix or a search that
/// never settles, with some rows fitted at 0 or 1: name it when it is the cause.
fn diagnose(design: &Design, b: &[f64], otherwise: LogitError) -> LogitError {
    let saturated = (0..design.n).filter(|&i| design.eta(i, b).abs() > SATURATED_ETA);
    match saturated.count() {
        0 => otherwise,
        rows => LogitError::Separation { rows },
    }
}

/// 1 / (1 + exp(-eta)) without overflow for large |eta|.
fn sigmoid(eta: f64) -> f64 {
    let e = (-eta.abs()).exp();
    if eta >= 0.0 {
        1.0 / (1.0 + e)
    } else {
        e / (1.0 + e)
    }
}

fn log_likelihood(design: &Design, outcomes: &[bool], b: &[f64]) -> f64 {
    // ln(1 + exp(z)), without overflow or loss of precision.
    let softplus = |z: f64| z.max(0.0) + (-z.abs()).exp().ln_1p();
    let row = |i: usize| softplus(if outcomes[i] { -1.0 } else { 1.0 } * design.eta(i, b));
    -(0..design.n).map(row).sum::<f64>()
}

/// y - p, from the smaller tail so it keeps precision near 0 and 1.
fn residual(eta: f64, outcome: bool) -> f64 {
    if outcome {
        sigmoid(-eta)
    } else {
        -sigmoid(eta)
    }
}

/// The score X'(y - p) and the lower triangle of the Fisher information
/// X'WX, W = p(1 - p), which is all [`Cholesky::new`] reads.
fn gradient_and_information(design: &Design, outcomes: &[bool], b: &[f64]) -> (Vec<f64>, Vec<f64>) {
    let p = design.p;
    let (mut gradient, mut information) = (vec![0.0; p], vec![0.0; p * p]);
    for (i, &outcome) in outcomes.iter().enumerate() {
        let (x, eta) = (design.row(i), design.eta(i, b));
        let (r, e) = (residual(eta, outcome), (-eta.abs()).exp());
        let w = e / ((1.0 + e) * (1.0 + e));
        for j in 0..p {
            gradient[j] += x[j] * r;
            for m in 0..=j {
                information[j * p + m] += w * x[j] * x[m];
            }
        }
    }
    (gradient, information)
}

/// L with L L' = A, for a symmetric positive-definite p × p matrix A.
struct Cholesky {
    l: Vec<f64>,
    p: usize,
}

impl Cholesky {
    /// Reads the lower triangle of `a` only. Fails with the index of the first
    /// column that is (numerically) dependent on the earlier ones.
    fn new(a: &[f64], p: usize) -> Result<Cholesky, usize> {
        let mut l = vec![0.0_f64; p * p];
        for j in 0..p {
            let pivot = a[j * p + j] - (0..j).map(|m| l[j * p + m].powi(2)).sum::<f64>();
            if pivot.is_nan() || pivot <= PIVOT_TOLERANCE * a[j * p + j] {
                return Err(j);
            }
            l[j * p + j] = pivot.sqrt();
            for i in j + 1..p {
                let dot: f64 = (0..j).map(|m| l[i * p + m] * l[j * p + m]).sum();
                l[i * p + j] = (a[i * p + j] - dot) / l[j * p + j];
            }
        }
        Ok(Cholesky { l, p })
    }

    /// A⁻¹ rhs, by forward then back substitution.
    fn solve(&self, rhs: &[f64]) -> Vec<f64> {
        let (l, p) = (&self.l, self.p);
        let mut y = rhs.to_vec();
        for i in 0..p {
            y[i] = (y[i] - (0..i).map(|m| l[i * p + m] * y[m]).sum::<f64>()) / l[i * p + i];
        }
        for i in (0..p).rev() {
            y[i] = (y[i] - (i + 1..p).map(|m| l[m * p + i] * y[m]).sum::<f64>()) / l[i * p + i];
        }
        y
    }

    fn inverse_diagonal(&self) -> Vec<f64> {
        (0..self.p)
            .map(|j| self.solve(&unit(self.p, j))[j])
            .collect()
    }
}

/// The j-th column of the p × p identity.
fn unit(p: usize, j: usize) -> Vec<f64> {
    let mut column = vec![0.0; p];
    column[j] = 1.0;
    column
}

/// The diagonal of the CR1 covariance c · B M B, with B the inverse
/// information, M = Σ_g s_g s_g' over the clusters' summed scores s_g, and
/// c = G/(G-1) · (N-1)/(N-p). As B M B = Σ_g (B s_g)(B s_g)', neither M nor B
/// is formed. Clusters are summed in id order (a `BTreeMap`), so the bits of
/// the result do not depend on hashing.
fn cluster_robust_variances(
    design: &Design,
    outcomes: &[bool],
    b: &[f64],
    information: &Cholesky,
    ids: &[u64],
) -> Vec<f64> {
    let p = design.p;
    let mut scores: BTreeMap<u64, Vec<f64>> = BTreeMap::new();
    for (i, &outcome) in outcomes.iter().enumerate() {
        let r = residual(design.eta(i, b), outcome);
        let score = scores.entry(ids[i]).or_insert_with(|| vec![0.0; p]);
        for (s, x) in score.iter_mut().zip(design.row(i)) {
            *s += x * r;
        }
    }
    let mut variances = vec![0.0; p];
    for score in scores.values() {
        for (v, u) in variances.iter_mut().zip(information.solve(score)) {
            *v += u * u;
        }
    }
    let (g, n) = (scores.len() as f64, design.n as f64);
    let correction = g / (g - 1.0) * (n - 1.0) / (n - p as f64);
    variances.iter().map(|v| correction * v).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    /// SplitMix64: a few lines, enough for reproducible test data.
    struct SplitMix(u64);

    impl SplitMix {
        fn next_u64(&mut self) -> u64 {
            self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
            let z = (self.0 ^ (self.0 >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
            let z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
            z ^ (z >> 31)
        }
        /// Uniform on (0, 1), never 0, so its logarithm is finite.
        fn uniform(&mut self) -> f64 {
            ((self.next_u64() >> 11) as f64 + 0.5) / (1u64 << 53) as f64
        }
        fn normal(&mut self) -> f64 {
            let radius = (-2.0 * self.uniform().ln()).sqrt();
            radius * (std::f64::consts::TAU * self.uniform()).cos()
        }
    }

    const TRUTH: [f64; 3] = [-1.0, 0.8, -0.5];

    /// n rows of two standard-normal predictors and an outcome drawn from TRUTH.
    fn simulate(n: usize, seed: u64) -> (Vec<f64>, Vec<bool>) {
        let mut rng = SplitMix(seed);
        let (mut rows, mut outcomes) = (Vec::new(), Vec::new());
        for _ in 0..n {
            let (x1, x2) = (rng.normal(), rng.normal());
            rows.extend([x1, x2]);
            outcomes.push(rng.uniform() < sigmoid(TRUTH[0] + TRUTH[1] * x1 + TRUTH[2] * x2));
        }
        (rows, outcomes)
    }

    /// A 2×2 table as rows: a = (x 1, y 1), b = (1, 0), c = (0, 1), d = (0, 0).
    fn table(a: usize, b: usize, c: usize, d: usize) -> (Vec<f64>, Vec<bool>) {
        let cell = |x, y, count| std::iter::repeat_n((x, y), count);
        let cells = cell(1.0, true, a).chain(cell(1.0, false, b));
        cells
            .chain(cell(0.0, true, c))
            .chain(cell(0.0, false, d))
            .unzip()
    }

    fn close(a: f64, b: f64, tolerance: f64) -> bool {
        (a - b).abs() < tolerance
    }

    #[test]
    fn binary_predictor_reproduces_the_cross_product_ratio() {
        let (a, b, c, d): (f64, f64, f64, f64) = (30.0, 10.0, 15.0, 45.0);
        let (rows, outcomes) = table(30, 10, 15, 45);
        let fit = fit(&rows, 1, &outcomes, None).unwrap();
        let odds = fit.odds_ratios();
        let se = (1.0 / a + 1.0 / b + 1.0 / c + 1.0 / d).sqrt();
        assert!(close(odds[1].ratio, a * d / (b * c), 1e-8), "{odds:?}");
        assert!(close(fit.standard_errors[1], se, 1e-8), "{fit:?}");
        assert!(close(odds[0].ratio, c / d, 1e-8), "{odds:?}");
        let intercept_se = (1.0 / c + 1.0 / d).sqrt();
        assert!(close(fit.standard_errors[0], intercept_se, 1e-8));
        assert!(close(odds[1].lower, (9.0_f64.ln() - Z_95 * se).exp(), 1e-8));
        assert!(close(odds[1].upper, (9.0_f64.ln() + Z_95 * se).exp(), 1e-8));
    }

    #[test]
    fn simulated_coefficients_are_recovered_within_four_standard_errors() {
        let (rows, outcomes) = simulate(20_000, 2008);
        let fit = fit(&rows, 2, &outcomes, None).unwrap();
        assert!(fit.iterations < 15, "{fit:?}");
        for (j, truth) in TRUTH.iter().enumerate() {
            let z = (fit.coefficients[j] - truth) / fit.standard_errors[j];
            assert!(z.abs() < 4.0, "coefficient {j}: z = {z}, {fit:?}");
            assert!(fit.standard_errors[j] > 0.01 && fit.standard_errors[j] < 0.05);
        }
    }

    #[test]
    fn one_row_per_cluster_gives_the_hc1_sandwich() {
        let (n, p) = (2_000, 3);
        let (rows, outcomes) = simulate(n, 7);
        // Ids out of row order, so grouping by id is exercised.
        let ids: Vec<u64> = (0..n as u64).map(|i| (i * 7_919) % n as u64).collect();
        let model = fit(&rows, 2, &outcomes, None).unwrap();
        let robust = fit(&rows, 2, &outcomes, Some(&ids)).unwrap();
        assert_eq!(model.coefficients, robust.coefficients);
        // HC1 with the matrices written out: N/(N-p) · B (Σ e² x x') B.
        let b = &model.coefficients;
        let design = Design::checked(&rows, 2, &outcomes, None).unwrap();
        let (_, information) = gradient_and_information(&design, &outcomes, b);
        let factor = Cholesky::new(&information, p).unwrap();
        let bread: Vec<Vec<f64>> = (0..p).map(|j| factor.solve(&unit(p, j))).collect();
        let mut meat = [[0.0; 3]; 3];
        for (i, &y) in outcomes.iter().enumerate() {
            let x = design.row(i);
            let e = f64::from(u8::from(y)) - sigmoid(design.eta(i, b));
            (0..p * p).for_each(|am| meat[am / p][am % p] += e * e * x[am / p] * x[am % p]);
        }
        for (j, bread_row) in bread.iter().enumerate() {
            // B is symmetric, so its row j is also its column j.
            let term = |am: usize| bread_row[am / p] * meat[am / p][am % p] * bread_row[am % p];
            let hc1 = (n as f64 / (n - p) as f64 * (0..p * p).map(term).sum::<f64>()).sqrt();
            let ratio = robust.standard_errors[j] / hc1;
            assert!(close(ratio, 1.0, 1e-9), "{j}: CR1 / HC1 = {ratio}");
        }
    }

    #[test]
    fn duplicated_rows_shrink_the_naive_but_not_the_clustered_standard_errors() {
        let n = 2_000;
        let (rows, outcomes) = simulate(n, 11);
        let original = fit(&rows, 2, &outcomes, None).unwrap();
        // Each row twice, the copy n rows later: clusters need not be contiguous.
        let doubled_rows = [rows.as_slice(), rows.as_slice()].concat();
        let doubled_outcomes = [outcomes.as_slice(), outcomes.as_slice()].concat();
        let ids: Vec<u64> = (0..2 * n as u64).map(|i| i % n as u64).collect();
        let naive = fit(&doubled_rows, 2, &doubled_outcomes, None).unwrap();
        let clustered = fit(&doubled_rows, 2, &doubled_outcomes, Some(&ids)).unwrap();
        for j in 0..3 {
            let b = original.coefficients[j];
            assert!(
                close(naive.coefficients[j], b, 1e-8) && close(clustered.coefficients[j], b, 1e-8)
            );
            let shrink = original.standard_errors[j] / naive.standard_errors[j];
            assert!(
                close(shrink, 2.0_f64.sqrt(), 1e-6),
                "{j}: shrinks by {shrink}"
            );
            let ratio = clustered.standard_errors[j] / original.standard_errors[j];
            assert!(close(ratio, 1.0, 0.1), "{j}: clustered / model = {ratio}");
        }
    }

    #[test]
    fn separated_data_are_refused() {
        let rows: Vec<f64> = (1..=10).map(f64::from).collect();
        let outcomes: Vec<bool> = rows.iter().map(|&x| x > 5.0).collect();
        let err = fit(&rows, 1, &outcomes, None).unwrap_err();
        assert_eq!(err, LogitError::Separation { rows: 10 });
        assert!(err.to_string().starts_with("separation: 10 rows"), "{err}");
        // Quasi-complete: every exposed row has the outcome, the others are mixed.
        let (rows, outcomes) = table(20, 0, 10, 30);
        let err = fit(&rows, 1, &outcomes, None).unwrap_err();
        assert_eq!(err, LogitError::Separation { rows: 20 });
    }

    #[test]
    fn constant_outcomes_collinear_predictors_and_mis_sized_input_are_refused() {
        let (mut rows, outcomes) = simulate(100, 3);
        let err = fit(&rows, 2, &[false; 100], None).unwrap_err();
        assert_eq!(err, LogitError::NoVariation { value: false });
        assert_eq!(
            err.to_string(),
            "the outcome does not vary: every row is false"
        );
        (0..100).for_each(|i| rows[2 * i + 1] = 3.0 * rows[2 * i]);
        let singular = LogitError::Singular { coefficient: 2 };
        assert_eq!(fit(&rows, 2, &outcomes, None), Err(singular));
        // No more rows than coefficients: separable, or rank-deficient.
        let err = LogitError::Separation { rows: 2 };
        assert_eq!(fit(&[1.0, 2.0], 1, &[true, false], None), Err(err));
        let two_rows = fit(&[1.0, 0.5, 2.0, 0.1], 2, &[true, false], None);
        assert_eq!(two_rows, Err(LogitError::Singular { coefficient: 2 }));
        assert_eq!(fit(&[], 2, &[], None), Err(LogitError::Empty));
        let err = fit(&rows[..199], 2, &outcomes, None).unwrap_err();
        assert_eq!(
            err.to_string(),
            "199 predictor values, expected rows x columns = 200"
        );
        let err = LogitError::ClusterLength { ids: 99, rows: 100 };
        assert_eq!(fit(&rows, 2, &outcomes, Some(&[0; 99])), Err(err));
        let err = LogitError::TooFewClusters { clusters: 1 };
        assert_eq!(fit(&rows, 2, &outcomes, Some(&[4; 100])), Err(err));
        rows[5] = f64::NAN;
        let err = LogitError::NonFinite { row: 2, column: 1 };
        assert_eq!(fit(&rows, 2, &outcomes, None), Err(err));
    }
}
