//! Running statistics: replicates are folded in as they finish, so memory does
//! not grow with their number, and the fold order is fixed, so the bytes
//! written do not depend on thread count.

/// Welford's running mean and variance. Non-finite values are skipped (a
/// ratio with nothing to divide, such as delivery in a week with no plan).
#[derive(Debug, Clone, Copy, Default, PartialEq)]
pub struct Running {
    pub n: u64,
    pub mean: f64,
    m2: f64,
}

impl Running {
    pub fn push(&mut self, value: f64) {
        if !value.is_finite() {
            return;
        }
        self.n += 1;
        let delta = value - self.mean;
        self.mean += delta / self.n as f64;
        self.m2 += delta * (value - self.mean);
    }

    /// Folds in the statistics of values pushed elsewhere (Chan et al.'s
    /// parallel update). Merging blocks in a fixed order gives the same bits
    /// however the blocks were computed, which is what lets shards of a run
    /// merge to exactly the unsharded result.
    pub fn merge(&mut self, other: &Running) {
        if other.n == 0 {
            return;
        }
        if self.n == 0 {
            *self = *other;
            return;
        }
        let n = self.n + other.n;
        let delta = other.mean - self.mean;
        let (a, b) = (self.n as f64, other.n as f64);
        self.mean += delta * b / n as f64;
        self.m2 += other.m2 + delta * delta * a * b / n as f64;
        self.n = n;
    }

    /// The count, mean and sum of squared deviations, exactly (for shard files).
    pub fn parts(&self) -> (u64, f64, f64) {
        (self.n, self.mean, self.m2)
    }

    /// The inverse of [`Running::parts`].
    pub fn from_parts(n: u64, mean: f64, m2: f64) -> Running {
        Running { n, mean, m2 }
    }

    pub fn variance(&self) -> Option<f64> {
        (self.n > 1).then(|| self.m2 / (self.n - 1) as f64)
    }

    /// The mean, or `None` when nothing was recorded.
    pub fn mean(&self) -> Option<f64> {
        (self.n > 0).then_some(self.mean)
    }

    /// The 95% confidence interval of the mean (Student's t), or `None` with
    /// fewer than two values.
    pub fn interval95(&self) -> Option<(f64, f64)> {
        let variance = self.variance()?;
        let half = t_975(self.n - 1) * (variance / self.n as f64).sqrt();
        Some((self.mean - half, self.mean + half))
    }
}

/// The 97.5% quantile of the standard normal distribution: the half-width,
/// in standard errors, of every normal 95% interval.
pub const Z_975: f64 = 1.959_963_984_540_054;

/// The 97.5% quantile of Student's t with `df` degrees of freedom: exact table
/// values to 30, then the Cornish-Fisher expansion (error below 1e-4).
pub fn t_975(df: u64) -> f64 {
    const TABLE: [f64; 30] = [
        12.7062, 4.3027, 3.1824, 2.7764, 2.5706, 2.4469, 2.3646, 2.3060, 2.2622, 2.2281, 2.2010,
        2.1788, 2.1604, 2.1448, 2.1314, 2.1199, 2.1098, 2.1009, 2.0930, 2.0860, 2.0796, 2.0739,
        2.0687, 2.0639, 2.0595, 2.0555, 2.0518, 2.0484, 2.0452, 2.0423,
    ];
    match df {
        0 => f64::NAN,
        1..=30 => TABLE[df as usize - 1],
        _ => {
            let z = Z_975;
            let n = df as f64;
            z + (z.powi(3) + z) / (4.0 * n)
                + (5.0 * z.powi(5) + 16.0 * z.powi(3) + 3.0 * z) / (96.0 * n * n)
                + (3.0 * z.powi(7) + 19.0 * z.powi(5) + 17.0 * z.powi(3) - 15.0 * z)
                    / (384.0 * n.powi(3))
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn running_matches_two_pass() {
        let values = [3.0, 1.5, 4.25, 9.0, -2.0, 0.5];
        let mut running = Running::default();
        values.iter().for_each(|&v| running.push(v));
        let mean = values.iter().sum::<f64>() / 6.0;
        let variance = values.iter().map(|v| (v - mean).powi(2)).sum::<f64>() / 5.0;
        assert!((running.mean - mean).abs() < 1e-12);
        assert!((running.variance().unwrap() - variance).abs() < 1e-12);
    }

    #[test]
    fn merged_blocks_match_one_pass() {
        let values: Vec<f64> = (0..250).map(|i| ((i * 37) % 101) as f64 / 7.0).collect();
        let mut whole = Running::default();
        values.iter().for_each(|&v| whole.push(v));
        let mut merged = Running::default();
        for block in values.chunks(64) {
            let mut part = Running::default();
            block.iter().for_each(|&v| part.push(v));
            merged.merge(&part);
        }
        assert_eq!(merged.n, whole.n);
        assert!((merged.mean - whole.mean).abs() < 1e-12);
        assert!((merged.variance().unwrap() - whole.variance().unwrap()).abs() < 1e-9);
    }

    #[test]
    fn t_quantile_continues_the_table() {
        assert!((t_975(31) - 2.0395).abs() < 1e-3);
        assert!((t_975(120) - 1.9799).abs() < 1e-3);
        assert!(t_975(1_000_000) > 1.9599 && t_975(1_000_000) < 1.9601);
    }
}
