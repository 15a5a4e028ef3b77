//! Renders a chart model to a PNG file and to SVG markup.
//!
//! plotters' bitmap backend draws lines and polygons without
//! anti-aliasing, which looks jagged on a projector. The PNG is therefore
//! drawn at twice the size in memory and averaged down 2x2, which smooths
//! every edge; the SVG is vector and drawn at the final size.
//!
//! plotters also places and sizes text differently on the two backends
//! (the bitmap text sits higher and is drawn about 6% larger), so the
//! bitmap is drawn through [`SvgMatchingText`], which corrects both: the
//! PNG and the SVG of a chart then look the same.

use plotters::prelude::*;
use plotters::style::text_anchor::VPos;
use plotters::style::{FontDesc, FontTransform};
use plotters_backend::{
    BackendColor, BackendCoord, BackendStyle, BackendTextStyle, DrawingErrorKind,
};

use super::charts::Chart;
use super::plot::draw_chart;
use super::theme::Theme;

pub(crate) const WIDTH: u32 = 1280;
pub(crate) const HEIGHT: u32 = 720;
const SUPERSAMPLING: u32 = 2;

/// SVG markup of `chart` at 1280x720.
pub(crate) fn render_svg(chart: &Chart) -> Result<String, String> {
    let mut markup = String::new();
    {
        let root = SVGBackend::with_string(&mut markup, (WIDTH, HEIGHT)).into_drawing_area();
        draw_chart(chart, &root, Theme { scale: 1.0 }).map_err(|error| error.to_string())?;
        root.present().map_err(|error| error.to_string())?;
    }
    Ok(markup)
}

/// Writes `chart` as a 1280x720 PNG to `path`, whose extension must be
/// `.png` (plotters picks the encoder from it).
pub(crate) fn render_png(chart: &Chart) -> Result<Vec<u8>, String> {
    let (large_width, large_height) = (WIDTH * SUPERSAMPLING, HEIGHT * SUPERSAMPLING);
    let mut large = vec![0_u8; large_width as usize * large_height as usize * 3];
    {
        let backend = BitMapBackend::with_buffer(&mut large, (large_width, large_height));
        let root = SvgMatchingText(backend).into_drawing_area();
        draw_chart(
            chart,
            &root,
            Theme {
                scale: f64::from(SUPERSAMPLING),
            },
        )
        .map_err(|error| error.to_string())?;
        root.present().map_err(|error| error.to_string())?;
    }
    let small = downsample(
        &large,
        WIDTH as usize,
        HEIGHT as usize,
        SUPERSAMPLING as usize,
    );
    let mut png = Vec::new();
    use image::ImageEncoder;
    image::codecs::png::PngEncoder::new(&mut png)
        .write_image(&small, WIDTH, HEIGHT, image::ColorType::Rgb8)
        .map_err(|error| error.to_string())?;
    Ok(png)
}

/// Em size per unit of plotters font size. The SVG backend writes
/// `font-size = size / 1.24`; ab_glyph scales the font so that its ascent
/// minus descent (2384 units of DejaVu Sans' 2048-unit em) spans `size`.
const SVG_EM_PER_SIZE: f64 = 1.0 / 1.24;
const BITMAP_EM_PER_SIZE: f64 = 2048.0 / 2384.0;
/// DejaVu Sans' x-height in ems, which browsers use for the SVG's `ex`.
const X_HEIGHT_EM: f64 = 1120.0 / 2048.0;

/// A bitmap backend whose text matches plotters' SVG text: same em size,
/// same baseline for every anchor. Everything else is passed through.
struct SvgMatchingText<B>(B);

impl<B: DrawingBackend> SvgMatchingText<B> {
    /// The bitmap-backend text style that draws `style` at the SVG's em
    /// size, and how far to move its anchor (along the text's own "down")
    /// so that its baseline lands where the SVG's does.
    fn matching_style<S: BackendTextStyle>(style: &S) -> (TextStyle<'_>, i32) {
        let size = style.size() * SVG_EM_PER_SIZE / BITMAP_EM_PER_SIZE;
        let em = style.size() * SVG_EM_PER_SIZE;
        // Baseline below the anchor as the SVG backend places it (its `dy`
        // of 0.76em, 0.5ex or -0.5ex) ...
        let wanted = match style.anchor().v_pos {
            VPos::Top => 0.76 * em,
            VPos::Center => 0.5 * X_HEIGHT_EM * em,
            VPos::Bottom => -0.5 * X_HEIGHT_EM * em,
        };
        // ... and as plotters' bitmap text places it: half the size below
        // the top of a layout box `size / 1.24` high.
        let box_height = f64::from((size / 1.24) as i32);
        let actual = match style.anchor().v_pos {
            VPos::Top => size / 2.0,
            VPos::Center => size / 2.0 - (box_height / 2.0).trunc(),
            VPos::Bottom => size / 2.0 - box_height,
        };
        let BackendColor {
            alpha,
            rgb: (red, green, blue),
        } = style.color();
        let font = FontDesc::new(style.family(), size, style.style()).transform(style.transform());
        let matching = TextStyle {
            font,
            color: RGBAColor(red, green, blue, alpha).to_backend_color(),
            pos: style.anchor(),
        };
        (matching, (wanted - actual).round() as i32)
    }
}

impl<B: DrawingBackend> DrawingBackend for SvgMatchingText<B> {
    type ErrorType = B::ErrorType;

    fn draw_text<S: BackendTextStyle>(
        &mut self,
        text: &str,
        style: &S,
        (x, y): BackendCoord,
    ) -> Result<(), DrawingErrorKind<Self::ErrorType>> {
        let (matching, shift) = Self::matching_style(style);
        let position = match style.transform() {
            FontTransform::None => (x, y + shift),
            FontTransform::Rotate90 => (x - shift, y),
            FontTransform::Rotate180 => (x, y - shift),
            FontTransform::Rotate270 => (x + shift, y),
        };
        self.0.draw_text(text, &matching, position)
    }

    fn get_size(&self) -> (u32, u32) {
        self.0.get_size()
    }

    fn ensure_prepared(&mut self) -> Result<(), DrawingErrorKind<Self::ErrorType>> {
        self.0.ensure_prepared()
    }

    fn present(&mut self) -> Result<(), DrawingErrorKind<Self::ErrorType>> {
        self.0.present()
    }

    fn draw_pixel(
        &mut self,
        point: BackendCoord,
        colour: BackendColor,
    ) -> Result<(), DrawingErrorKind<Self::ErrorType>> {
        self.0.draw_pixel(point, colour)
    }

    fn draw_line<S: BackendStyle>(
        &mut self,
        from: BackendCoord,
        to: BackendCoord,
        style: &S,
    ) -> Result<(), DrawingErrorKind<Self::ErrorType>> {
        self.0.draw_line(from, to, style)
    }

    fn draw_rect<S: BackendStyle>(
        &mut self,
        upper_left: BackendCoord,
        bottom_right: BackendCoord,
        style: &S,
        fill: bool,
    ) -> Result<(), DrawingErrorKind<Self::ErrorType>> {
        self.0.draw_rect(upper_left, bottom_right, style, fill)
    }

    fn draw_path<S: BackendStyle, I: IntoIterator<Item = BackendCoord>>(
        &mut self,
        path: I,
        style: &S,
    ) -> Result<(), DrawingErrorKind<Self::ErrorType>> {
        self.0.draw_path(path, style)
    }

    fn draw_circle<S: BackendStyle>(
        &mut self,
        centre: BackendCoord,
        radius: u32,
        style: &S,
        fill: bool,
    ) -> Result<(), DrawingErrorKind<Self::ErrorType>> {
        self.0.draw_circle(centre, radius, style, fill)
    }

    fn fill_polygon<S: BackendStyle, I: IntoIterator<Item = BackendCoord>>(
        &mut self,
        vertices: I,
        style: &S,
    ) -> Result<(), DrawingErrorKind<Self::ErrorType>> {
        self.0.fill_polygon(vertices, style)
    }

    fn estimate_text_size<S: BackendTextStyle>(
        &self,
        text: &str,
        style: &S,
    ) -> Result<(u32, u32), DrawingErrorKind<Self::ErrorType>> {
        // Unchanged, so that layout is computed exactly as for the SVG.
        self.0.estimate_text_size(text, style)
    }

    fn blit_bitmap(
        &mut self,
        position: BackendCoord,
        size: (u32, u32),
        pixels: &[u8],
    ) -> Result<(), DrawingErrorKind<Self::ErrorType>> {
        self.0.blit_bitmap(position, size, pixels)
    }
}

/// Averages each `factor` x `factor` block of an RGB image of
/// `width * factor` by `height * factor` pixels into one pixel.
fn downsample(large: &[u8], width: usize, height: usize, factor: usize) -> Vec<u8> {
    let large_row = width * factor * 3;
    let block = (factor * factor) as u32;
    let mut small = Vec::with_capacity(width * height * 3);
    for y in 0..height {
        for x in 0..width {
            for channel in 0..3 {
                let mut sum = 0_u32;
                for dy in 0..factor {
                    let row_start = (y * factor + dy) * large_row;
                    for dx in 0..factor {
                        sum += u32::from(large[row_start + (x * factor + dx) * 3 + channel]);
                    }
                }
                small.push(((sum + block / 2) / block) as u8);
            }
        }
    }
    small
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn downsampling_averages_blocks() {
        // A 2x1 image of 4x2 pixels: a black block and a white block.
        let mut large = Vec::new();
        for _ in 0..2 {
            large.extend_from_slice(&[0, 0, 0, 0, 0, 0, 255, 255, 255, 255, 255, 255]);
        }
        assert_eq!(downsample(&large, 2, 1, 2), vec![0, 0, 0, 255, 255, 255]);
        let mixed = [0, 0, 0, 255, 255, 255, 255, 255, 255, 255, 255, 255];
        assert_eq!(downsample(&mixed, 1, 1, 2), vec![191, 191, 191]);
    }
}
