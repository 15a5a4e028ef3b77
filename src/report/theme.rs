//! The look shared by every chart: the embedded font, text sizes, colours
//! and the pixel scale.
//!
//! Sizes are written in CSS pixels at the 1280x720 output size and
//! multiplied by [`Theme::scale`], because the PNG is drawn at twice the size
//! and shrunk (plotters' bitmap lines have no anti-aliasing of their own).

use std::sync::OnceLock;

use plotters::style::{FontFamily, FontStyle, IntoFont, RGBColor, TextStyle};

/// The colour type of every chart element.
pub(crate) type Colour = RGBColor;

/// The family name the embedded font is registered under.
///
/// plotters writes this string verbatim into SVG `font-family` attributes,
/// so it doubles as a CSS fallback list: a viewer without DejaVu Sans falls
/// back to Verdana, whose metrics are close, instead of a serif default.
pub(crate) const FONT_FAMILY: &str = "DejaVu Sans, Verdana, Arial, sans-serif";

static EMBEDDED_FONT: &[u8] = include_bytes!("../../assets/fonts/DejaVuSans.ttf");

/// Registers the embedded font with plotters once per process. Returns
/// whether it is usable; both the bitmap and the SVG backend need it because
/// plotters measures text with it to lay out labels.
pub(crate) fn register_embedded_font() -> bool {
    static REGISTERED: OnceLock<bool> = OnceLock::new();
    *REGISTERED.get_or_init(|| {
        // Also under plotters' default family, so that any text drawn with
        // default settings still finds a font on a machine without any.
        [FONT_FAMILY, "sans-serif"].into_iter().all(|family| {
            plotters::style::register_font(family, FontStyle::Normal, EMBEDDED_FONT).is_ok()
        })
    })
}

/// Okabe-Ito colours, safe for the common colour-vision deficiencies. Each
/// set of interventions has one (see [`intervention_index`]); an arm whose
/// set's colour is taken, or that has none, takes the first free one, in
/// this order. Yellow comes last because it is the hardest to see on white.
const ALTERNATIVE_COLOURS: [Colour; 7] = [
    RGBColor(0x00, 0x72, 0xB2), // blue
    RGBColor(0xD5, 0x5E, 0x00), // vermillion
    RGBColor(0x00, 0x9E, 0x73), // bluish green
    RGBColor(0xCC, 0x79, 0xA7), // reddish purple
    RGBColor(0xE6, 0x9F, 0x00), // orange
    RGBColor(0x56, 0xB4, 0xE9), // sky blue
    RGBColor(0xC9, 0xB4, 0x00), // yellow, darkened to stay visible on white
];

/// The baseline is neutral so that every coloured line reads as "a change".
pub(crate) const BASELINE_COLOUR: Colour = RGBColor(0x4D, 0x4D, 0x4D);

/// How many colours arms other than the baseline take, in turn.
pub(crate) const ALTERNATIVE_COUNT: usize = ALTERNATIVE_COLOURS.len();

pub(crate) fn alternative_colour(index: usize) -> Colour {
    ALTERNATIVE_COLOURS[index % ALTERNATIVE_COLOURS.len()]
}

/// The place in the palette of an arm with these interventions (their
/// kinds, as manifests list them), the same in every chart, report and
/// workshop, whatever the arm's name or place: status meetings blue,
/// escalation vermillion, connection-first bluish green, and each
/// combination a colour of its own. `None` for an arm without interventions.
pub(crate) fn intervention_index<'a>(kinds: impl IntoIterator<Item = &'a str>) -> Option<usize> {
    let (mut connection, mut escalation, mut status) = (false, false, false);
    for kind in kinds {
        match kind {
            "connection-first" => connection = true,
            "escalation" => escalation = true,
            "status-meeting" => status = true,
            _ => {}
        }
    }
    Some(match (connection, escalation, status) {
        (false, false, false) => return None,
        (false, false, true) => 0,
        (false, true, false) => 1,
        (true, false, false) => 2,
        (false, true, true) => 3,
        (true, true, false) => 4,
        (true, false, true) => 5,
        (true, true, true) => 6,
    })
}

/// The palette place of each arm, in order, from whether it is the
/// baseline (`None`: it is grey) and the place its interventions ask for.
/// An arm whose place is taken by an earlier arm, or that asks for none,
/// takes the first free one (and the palette again from its start once
/// every place is taken).
pub(crate) fn arm_palette(
    arms: impl IntoIterator<Item = (bool, Option<usize>)>,
) -> Vec<Option<usize>> {
    let mut taken: Vec<usize> = Vec::new();
    arms.into_iter()
        .map(|(is_baseline, wanted)| {
            if is_baseline {
                return None;
            }
            let free = || {
                (0..ALTERNATIVE_COLOURS.len())
                    .find(|place| !taken.contains(place))
                    .unwrap_or(taken.len() % ALTERNATIVE_COLOURS.len())
            };
            let place = wanted
                .filter(|place| !taken.contains(place))
                .unwrap_or_else(free);
            taken.push(place);
            Some(place)
        })
        .collect()
}

/// The palette place of each arm of a loaded scenario (see [`arm_palette`]).
pub(crate) fn scenario_palette(scenario: &crate::scenario::Scenario) -> Vec<Option<usize>> {
    arm_palette(scenario.arms.iter().enumerate().map(|(index, arm)| {
        (
            index == scenario.baseline,
            intervention_index(arm.intervention_names()),
        )
    }))
}

/// The colour of a palette place: the baseline's grey for `None`.
pub(crate) fn place_colour(place: Option<usize>) -> Colour {
    place.map_or(BASELINE_COLOUR, alternative_colour)
}

/// Where the annual hours go, from the bottom of each bar up. A single
/// slate ramp keeps them apart from the arm colours, which identify arms.
pub(crate) const COMPONENT_COLOURS: [Colour; 4] = [
    RGBColor(0x27, 0x3F, 0x5C),
    RGBColor(0x55, 0x73, 0x94),
    RGBColor(0x8D, 0xA6, 0xC1),
    RGBColor(0xC8, 0xD5, 0xE3),
];

pub(crate) const BACKGROUND: Colour = RGBColor(0xFF, 0xFF, 0xFF);
pub(crate) const TEXT: Colour = RGBColor(0x1F, 0x1F, 0x1F);
pub(crate) const MUTED_TEXT: Colour = RGBColor(0x59, 0x59, 0x59);
pub(crate) const AXIS: Colour = RGBColor(0x8C, 0x8C, 0x8C);
pub(crate) const GRID: Colour = RGBColor(0xE4, 0xE4, 0xE4);
pub(crate) const REFERENCE: Colour = RGBColor(0x33, 0x33, 0x33);

/// Whether white text reads better on `colour` than the theme's dark
/// text: whichever has the higher WCAG contrast ratio.
pub(crate) fn is_dark(colour: Colour) -> bool {
    let luminance = |RGBColor(red, green, blue): Colour| {
        let linear = |channel: u8| {
            let value = f64::from(channel) / 255.0;
            if value <= 0.04045 {
                value / 12.92
            } else {
                ((value + 0.055) / 1.055).powf(2.4)
            }
        };
        0.2126 * linear(red) + 0.7152 * linear(green) + 0.0722 * linear(blue)
    };
    let background = luminance(colour) + 0.05;
    let white = (luminance(BACKGROUND) + 0.05) / background;
    let dark = background / (luminance(TEXT) + 0.05);
    white > dark
}

/// Opacity of 95% bands and of the empathy-gap shading.
pub(crate) const BAND_OPACITY: f64 = 0.16;

/// `#rrggbb`, for the HTML report.
pub(crate) fn css_hex(colour: Colour) -> String {
    let RGBColor(red, green, blue) = colour;
    format!("#{red:02x}{green:02x}{blue:02x}")
}

/// What a piece of text is, which decides its size and colour.
#[derive(Clone, Copy)]
pub(crate) enum TextRole {
    Title,
    Subtitle,
    AxisTitle,
    TickLabel,
    Legend,
    Annotation,
}

impl TextRole {
    /// Height of the em box in pixels at 1280x720: the title is at least
    /// 28 px and every label at least 18 px so a projector audience can
    /// read them.
    fn em_pixels(self) -> f64 {
        match self {
            Self::Title => 30.0,
            Self::Subtitle | Self::Legend => 19.0,
            Self::AxisTitle => 20.0,
            Self::TickLabel | Self::Annotation => 18.0,
        }
    }

    fn colour(self) -> Colour {
        match self {
            Self::Subtitle | Self::TickLabel => MUTED_TEXT,
            Self::Title | Self::AxisTitle | Self::Legend | Self::Annotation => TEXT,
        }
    }
}

/// Pixel scale of one rendering (1 for SVG, 2 for the supersampled PNG).
#[derive(Clone, Copy)]
pub(crate) struct Theme {
    pub scale: f64,
}

impl Theme {
    /// `pixels` at 1280x720, scaled to this rendering.
    pub fn px(self, pixels: f64) -> i32 {
        (pixels * self.scale).round() as i32
    }

    /// Same as [`Theme::px`], for plotters APIs that take unsigned sizes.
    pub fn upx(self, pixels: f64) -> u32 {
        self.px(pixels).max(0) as u32
    }

    pub fn text(self, role: TextRole) -> TextStyle<'static> {
        self.coloured_text(role, role.colour())
    }

    pub fn coloured_text(self, role: TextRole, colour: Colour) -> TextStyle<'static> {
        // plotters' SVG backend writes `font-size = size / 1.24`, so this
        // makes the SVG em box exactly `em_pixels`; the bitmap comes out a
        // few per cent larger, never smaller.
        let size = role.em_pixels() * 1.24 * self.scale;
        (FontFamily::Name(FONT_FAMILY), size)
            .into_font()
            .color(&colour)
    }
}

#[cfg(test)]
mod palette_tests {
    use super::*;

    #[test]
    fn an_arm_takes_the_colour_of_its_interventions_whatever_its_place() {
        let connection = intervention_index(["connection-first"]);
        let escalation = intervention_index(["escalation"]);
        let status = intervention_index(["status-meeting"]);
        assert_eq!(
            (status, escalation, connection),
            (Some(0), Some(1), Some(2))
        );
        // A combination has its own colour, whatever the order of its kinds.
        assert_eq!(
            intervention_index(["status-meeting", "connection-first"]),
            intervention_index(["connection-first", "status-meeting"]),
        );
        assert_eq!(intervention_index([]), None);
        // Connection-first alone, first or last, baseline anywhere: the same colour.
        assert_eq!(
            arm_palette([(true, None), (false, escalation), (false, connection)]),
            [None, escalation, connection]
        );
        assert_eq!(
            arm_palette([(false, connection), (false, escalation), (true, None)]),
            [connection, escalation, None]
        );
        // Two arms with the same interventions: the second takes the first free colour.
        assert_eq!(
            arm_palette([(true, None), (false, connection), (false, connection)]),
            [None, connection, Some(0)]
        );
        // An arm without interventions that is not the baseline: the first free colour.
        assert_eq!(
            arm_palette([(false, None), (false, status), (true, None)]),
            [Some(0), Some(1), None]
        );
    }
}
