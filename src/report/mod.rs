//! Charts and the HTML report for one run of the simulator, and for a
//! parameter sweep.
//!
//! [`write_report`] reads the engine's `weekly.csv`, `summary.csv` and
//! `manifest.json` from an output folder and writes five charts (PNG for
//! slides, SVG for documents) and a self-contained `report.html` beside
//! them. The pipeline is: `data` reads the files, `charts` decides what
//! each chart shows, `plot` and `render` draw it, `text` puts the numbers
//! into words, `html` assembles the page and [`crate::staging`] makes the
//! writes all-or-nothing. [`write_sweep_report`] does the same for a
//! sweep's `sweep.csv` and `sweep.json` through the `sweep` module, and
//! [`write_sensitivity_report`] for a sensitivity screening's
//! `sensitivity.csv` and `sensitivity.json` through the `sensitivity`
//! module; both have the same parts and share the drawing, theme and page
//! style.

mod charts;
mod data;
mod html;
mod metrics;
mod plot;
mod render;
mod sensitivity;
mod story;
mod sweep;
mod text;
pub(crate) mod theme;

use std::io;
use std::path::{Path, PathBuf};

use charts::{Chart, ChartId};
pub use data::RunFiles;
use data::RunOutput;
pub(crate) use html::escape;
use html::{DrawnChart, Figure};
use rayon::prelude::*;
use sensitivity::data::SensitivityOutput;
use sweep::data::SweepOutput;

use crate::staging::{Staging, WriteError};

/// A chart of the live page (`explore`).
#[derive(Debug, Clone)]
pub struct LiveChart {
    /// Its file stem: `conflict`, `trust`, ...
    pub id: &'static str,
    pub heading: &'static str,
    /// Ready to put inside an HTML page (see `html::inline_svg`).
    pub svg: String,
    /// Its plain-language reading, as the report writes it.
    pub reading: String,
}

/// A live chart, or the id of one the numbers cannot support and why.
pub type LiveChartResult = Result<LiveChart, (&'static str, String)>;

/// The live page's charts (conflict, its paired difference, trust, on-time
/// delivery, the empathy gap) for a run given as bytes; a chart the numbers
/// cannot support comes as its id and the reason.
///
/// # Errors
///
/// When the files are malformed, as [`write_report`].
pub fn live_charts(files: &RunFiles<'_>) -> Result<Vec<LiveChartResult>, ReportError> {
    theme::register_embedded_font();
    let run = RunOutput::parse(Path::new("explore"), files)?;
    Ok(ChartId::LIVE
        .iter()
        .map(|&id| {
            let chart = charts::build_chart(id, &run).map_err(|reason| (id.file_stem(), reason))?;
            let svg = render::render_svg(&chart).map_err(|reason| (id.file_stem(), reason))?;
            Ok(LiveChart {
                id: id.file_stem(),
                heading: id.heading(),
                svg: html::inline_svg(&svg, id.heading()),
                reading: text::chart_reading(id, &run),
            })
        })
        .collect())
}

/// One of the live page's charts as a file: PNG (1280 x 720) or SVG.
///
/// # Errors
///
/// When the files are malformed, the chart is not one of the live page's,
/// or the numbers cannot support it.
pub fn live_chart_file(files: &RunFiles<'_>, id: &str, png: bool) -> Result<Vec<u8>, ReportError> {
    theme::register_embedded_font();
    let problem = |problem: String| ReportError::Invalid {
        path: PathBuf::from(format!("{id}.{}", if png { "png" } else { "svg" })),
        problem,
    };
    let run = RunOutput::parse(Path::new("explore"), files)?;
    let chart_id = ChartId::LIVE
        .into_iter()
        .find(|chart| chart.file_stem() == id)
        .ok_or_else(|| problem("no such chart".to_owned()))?;
    let chart = charts::build_chart(chart_id, &run).map_err(problem)?;
    if png {
        render::render_png(&chart).map_err(problem)
    } else {
        render::render_svg(&chart)
            .map(String::into_bytes)
            .map_err(problem)
    }
}

/// The report page of a run, a sweep or a screening.
pub(crate) const REPORT_FILE: &str = "report.html";

/// The files [`write_report`] wrote, in the order it wrote them.
#[derive(Debug)]
pub struct ReportFiles {
    pub files: Vec<PathBuf>,
}

/// Why a report could not be written. Every message is one line that
/// names the file and the problem.
#[derive(Debug, thiserror::Error)]
pub enum ReportError {
    /// An input file could not be opened or read.
    #[error("{}: cannot read: {source}", path.display())]
    Read { path: PathBuf, source: io::Error },
    /// A cell of a CSV file holds something unusable.
    #[error("{}: line {line}: column `{column}`: {problem}", path.display())]
    Field {
        path: PathBuf,
        line: u64,
        column: &'static str,
        problem: &'static str,
    },
    /// An input file is malformed in some other way.
    #[error("{}: {problem}", path.display())]
    Invalid { path: PathBuf, problem: String },
    /// An output file could not be written.
    #[error(transparent)]
    Write(#[from] WriteError),
    /// A chart could not be drawn.
    #[error("{}: cannot draw the chart: {problem}", path.display())]
    Draw { path: PathBuf, problem: String },
}

/// Writes the charts and `report.html` for the run in `out_dir`, from the
/// run's files there.
///
/// Either every file is written or, on error, none of the new files
/// appears (see [`crate::staging`]). A chart whose metrics are missing from
/// the files is left out, and the report says so.
///
/// # Errors
///
/// When an input file is missing, unreadable or malformed (the error names
/// the file and, for CSV cells, the line and column), when a file cannot be
/// written, or when a chart cannot be drawn.
pub fn write_report(out_dir: &Path) -> Result<ReportFiles, ReportError> {
    let run = RunOutput::read(out_dir)?;
    let mut staging = Staging::new(out_dir);
    stage(&mut staging, &run)?;
    Ok(ReportFiles {
        files: staging.commit()?,
    })
}

/// The names of the files [`write_report`] writes.
pub fn file_names() -> Vec<String> {
    let mut names = vec![REPORT_FILE.to_string()];
    names.extend(
        ChartId::ALL
            .iter()
            .flat_map(|id| chart_files(id.file_stem())),
    );
    names
}

/// Stages the charts and `report.html` of a run whose files are given as
/// bytes, to be committed with them.
///
/// # Errors
///
/// As [`write_report`].
pub fn stage_report(staging: &mut Staging, files: &RunFiles<'_>) -> Result<(), ReportError> {
    let run = RunOutput::parse(staging.dir(), files)?;
    stage(staging, &run)
}

fn stage(staging: &mut Staging, run: &RunOutput) -> Result<(), ReportError> {
    register_font(staging)?;
    // The charts are drawn at once, each on its own (drawing is most of the
    // report's time), and staged in their order. For each: why it cannot be
    // drawn (the report says so), or its files, or the error drawing them.
    let dir = staging.dir().to_path_buf();
    let drawn: Vec<_> = ChartId::ALL
        .into_par_iter()
        .map(|id| {
            let chart = charts::build_chart(id, run)?;
            Ok(draw_chart_files(&dir, id.file_stem(), &chart)
                .map(|files| (files, text::chart_reading(id, run))))
        })
        .collect();
    let mut figures = Vec::with_capacity(ChartId::ALL.len());
    for (id, drawn) in ChartId::ALL.into_iter().zip(drawn) {
        let content = match drawn {
            Ok(files) => {
                let (files, reading) = files?;
                Ok(DrawnChart {
                    svg: stage_drawn_files(staging, id.file_stem(), files)?,
                    reading,
                })
            }
            Err(reason) => Err(reason),
        };
        figures.push(Figure { id, content });
    }
    staging.write(REPORT_FILE, html::report_html(run, &figures).as_bytes())?;
    Ok(())
}

/// The two files of a chart: `{stem}.png` for slides, `{stem}.svg` for documents.
pub(crate) fn chart_files(stem: &str) -> [String; 2] {
    [format!("{stem}.png"), format!("{stem}.svg")]
}

/// Removes an earlier chart's files at the commit: a chart that is not
/// drawn this time would no longer match.
pub(crate) fn unstage_chart_files(staging: &mut Staging, stem: &str) {
    for name in chart_files(stem) {
        staging.remove(&name);
    }
}

pub(crate) fn register_font(staging: &Staging) -> Result<(), ReportError> {
    if theme::register_embedded_font() {
        Ok(())
    } else {
        Err(ReportError::Draw {
            path: staging.dir().to_path_buf(),
            problem: "the embedded font could not be loaded".to_owned(),
        })
    }
}

/// Stages `{stem}.png` and `{stem}.svg` of one chart and returns the SVG
/// markup for the HTML report.
fn stage_chart_files(
    staging: &mut Staging,
    stem: &str,
    chart: &Chart,
) -> Result<String, ReportError> {
    let files = draw_chart_files(staging.dir(), stem, chart)?;
    stage_drawn_files(staging, stem, files)
}

/// A chart drawn as PNG bytes and SVG markup.
struct ChartFiles {
    png: Vec<u8>,
    svg: String,
}

/// Draws one chart's PNG and SVG, for files named after `stem` in `dir`.
fn draw_chart_files(dir: &Path, stem: &str, chart: &Chart) -> Result<ChartFiles, ReportError> {
    let draw_error = |name: &str| {
        let path = dir.join(name);
        move |problem| ReportError::Draw { path, problem }
    };
    let [png_name, svg_name] = chart_files(stem);
    Ok(ChartFiles {
        png: render::render_png(chart).map_err(draw_error(&png_name))?,
        svg: render::render_svg(chart).map_err(draw_error(&svg_name))?,
    })
}

/// Stages a drawn chart's two files and returns the SVG markup.
fn stage_drawn_files(
    staging: &mut Staging,
    stem: &str,
    files: ChartFiles,
) -> Result<String, ReportError> {
    let [png_name, svg_name] = chart_files(stem);
    staging.write(&png_name, &files.png)?;
    staging.write(&svg_name, files.svg.as_bytes())?;
    Ok(files.svg)
}

/// Stages the charts and `report.html` of a sweep whose `sweep.csv` is
/// staged already (written as its points finished) and whose manifest is
/// given as bytes, to be committed with them. The staged rows are read
/// back as a stream, as [`write_sweep_report`] reads them from a folder.
///
/// # Errors
///
/// As [`write_sweep_report`]; `sweep.csv` must be staged.
pub fn stage_sweep_report(staging: &mut Staging, manifest: &[u8]) -> Result<(), ReportError> {
    let sweep = SweepOutput::parse(staging.dir(), manifest, || {
        staging.read(sweep::data::SWEEP_CSV_FILE)
    })?;
    sweep::stage(staging, &sweep)
}

/// Writes the charts and `report.html` of the sweep in `dir`, from its
/// `sweep.csv` and `sweep.json` there. The CSV is read as a stream, and
/// nothing is kept of a point the charts do not draw.
///
/// Either every file is written or none of the new files appears. A chart
/// the sweep cannot support (a single point, a single arm, missing
/// metrics) is left out, an earlier file of it removed, and the report
/// says why.
///
/// # Errors
///
/// When an input file is missing, unreadable or malformed (the error names
/// the file and, for CSV cells, the line and column), when a file cannot be
/// written, or when a chart cannot be drawn.
pub fn write_sweep_report(dir: &Path) -> Result<ReportFiles, ReportError> {
    let sweep = SweepOutput::read(dir)?;
    let mut staging = Staging::new(dir);
    sweep::stage(&mut staging, &sweep)?;
    Ok(ReportFiles {
        files: staging.commit()?,
    })
}

/// The names of every file [`write_sweep_report`] may write.
pub fn sweep_file_names() -> Vec<String> {
    sweep::file_names()
}

/// Stages the charts and `report.html` of a sensitivity screening whose
/// `sensitivity.json` and `sensitivity.csv` are given as bytes, to be
/// committed with them.
///
/// # Errors
///
/// As [`write_sensitivity_report`].
pub fn stage_sensitivity_report(
    staging: &mut Staging,
    manifest: &[u8],
    csv: &[u8],
) -> Result<(), ReportError> {
    let screening = SensitivityOutput::parse(staging.dir(), manifest, csv)?;
    sensitivity::stage(staging, &screening)
}

/// Writes the charts and `report.html` of the sensitivity screening in
/// `dir`, from its `sensitivity.csv` and `sensitivity.json` there: for each
/// output, mu-star against sigma and a ranking of the largest mu-stars.
///
/// Either every file is written or none of the new files appears. A chart
/// the files cannot support (an output without rows) is left out, an
/// earlier file of it removed, and the report says why; so are the charts
/// of outputs an earlier screening in `dir` had beyond this one's.
///
/// # Errors
///
/// When an input file is missing, unreadable or malformed (the error names
/// the file and, for CSV cells, the line and column), when a file cannot be
/// written, or when a chart cannot be drawn.
pub fn write_sensitivity_report(dir: &Path) -> Result<ReportFiles, ReportError> {
    let screening = SensitivityOutput::read(dir)?;
    let mut staging = Staging::new(dir);
    sensitivity::stage(&mut staging, &screening)?;
    Ok(ReportFiles {
        files: staging.commit()?,
    })
}

/// The names of every file [`write_sensitivity_report`] may write for a
/// screening of `outputs` outputs: `report.html` and, for each output
/// numbered from 1, `sensitivity-N-mu-star-sigma` and `sensitivity-N-ranking`
/// as PNG and SVG.
pub fn sensitivity_file_names(outputs: usize) -> Vec<String> {
    sensitivity::file_names(outputs)
}

/// Checks of written reports that the reports' tests share.
#[cfg(test)]
pub(crate) mod test_support {
    use std::path::Path;

    /// Checks that each file of `names` that is in `dir` decodes (a PNG,
    /// at 1280x720) or parses (an SVG).
    pub(crate) fn check_charts(dir: &Path, names: &[String]) {
        for name in names {
            let path = dir.join(name);
            if !path.exists() {
                continue;
            }
            if name.ends_with(".png") {
                let png = image::open(&path).unwrap();
                assert_eq!((png.width(), png.height()), (1280, 720), "{name}");
            } else if name.ends_with(".svg") {
                let svg = std::fs::read_to_string(&path).unwrap();
                roxmltree::Document::parse(&svg).unwrap_or_else(|error| panic!("{name}: {error}"));
            }
        }
    }

    /// The names of the files in `dir`, sorted.
    pub(crate) fn written(dir: &Path) -> Vec<String> {
        let mut names: Vec<String> = std::fs::read_dir(dir)
            .unwrap()
            .map(|entry| entry.unwrap().file_name().to_string_lossy().into_owned())
            .collect();
        names.sort();
        names
    }
}
