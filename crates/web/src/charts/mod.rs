//! Charts drawn as SVG on the server: no JavaScript, they print as they show, and each
//! carries its own text alternative.

pub mod measure;
pub mod structure;

pub use measure::{chart_svg, legend_words, measure_chart, Chart, Figures, Plotted, Series};
pub use structure::structure_diagram;

/// Text made safe inside SVG or HTML.
fn escape(text: &str) -> String {
    text.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&quot;")
}
