//! Charts drawn as SVG, turned into PNG pictures for documents that cannot hold SVG (Word
//! papers). `resvg` does the drawing: a maintained SVG renderer with no system libraries.
//! Its text is set in Liberation Sans, carried in the binary, so a chart looks the same
//! on every server whatever fonts it has (and the charts name Arial, whose metrics
//! Liberation Sans shares).

use std::sync::{Arc, OnceLock};

const REGULAR: &[u8] = include_bytes!("../fonts/LiberationSans-Regular.ttf");
const BOLD: &[u8] = include_bytes!("../fonts/LiberationSans-Bold.ttf");

/// The largest picture drawn, in pixels each way: a chart is about 1,300 by 600.
const MOST_PIXELS: u32 = 4000;

fn fonts() -> Arc<resvg::usvg::fontdb::Database> {
    static FONTS: OnceLock<Arc<resvg::usvg::fontdb::Database>> = OnceLock::new();
    FONTS
        .get_or_init(|| {
            let mut db = resvg::usvg::fontdb::Database::new();
            db.load_font_data(REGULAR.to_vec());
            db.load_font_data(BOLD.to_vec());
            // Whatever family a chart names, it is drawn in the one we carry.
            db.set_sans_serif_family("Liberation Sans");
            Arc::new(db)
        })
        .clone()
}

/// A picture: PNG bytes, and its size in pixels.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Png {
    pub bytes: Vec<u8>,
    pub width: u32,
    pub height: u32,
}

/// Draws `svg` at `scale` times its own size (2 for print-sharp charts) as a PNG on white.
pub fn svg_to_png(svg: &str, scale: f32) -> Result<Png, String> {
    let options = resvg::usvg::Options {
        fontdb: fonts(),
        font_family: "Liberation Sans".to_owned(),
        ..resvg::usvg::Options::default()
    };
    let tree = resvg::usvg::Tree::from_str(svg, &options)
        .map_err(|e| format!("the chart could not be read as SVG: {e}"))?;
    let size = tree.size();
    let width = (size.width() * scale).ceil() as u32;
    let height = (size.height() * scale).ceil() as u32;
    if width == 0 || height == 0 || width > MOST_PIXELS || height > MOST_PIXELS {
        return Err(format!(
            "the chart is {width} by {height} pixels, outside 1 to {MOST_PIXELS}"
        ));
    }
    let mut pixmap = resvg::tiny_skia::Pixmap::new(width, height)
        .ok_or_else(|| "the chart's picture could not be made".to_owned())?;
    pixmap.fill(resvg::tiny_skia::Color::WHITE);
    resvg::render(
        &tree,
        resvg::tiny_skia::Transform::from_scale(scale, scale),
        &mut pixmap.as_mut(),
    );
    let bytes = pixmap
        .encode_png()
        .map_err(|e| format!("the chart's picture could not be written as PNG: {e}"))?;
    Ok(Png {
        bytes,
        width,
        height,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_chart_is_drawn_with_its_text_at_the_scale_asked() {
        let svg = r##"<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 200 100" font-family="arial, sans-serif" font-size="13"><rect x="0" y="0" width="100" height="100" fill="#1d70b8"/><text x="110" y="50" fill="#0b0c0c">21.3%</text></svg>"##;
        let png = svg_to_png(svg, 2.0).expect("drawn");
        assert_eq!((png.width, png.height), (400, 200));
        assert!(png.bytes.starts_with(&[137, 80, 78, 71]));
        // The text was drawn: a picture without it is smaller (fewer distinct pixels).
        let blank = svg_to_png(&svg.replace("21.3%", ""), 2.0).expect("drawn");
        assert!(
            png.bytes.len() > blank.bytes.len() + 100,
            "the font draws text"
        );
    }

    #[test]
    fn what_is_not_svg_or_is_too_large_is_refused_in_words() {
        assert!(svg_to_png("<not svg", 1.0).unwrap_err().contains("SVG"));
        let huge = r#"<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 100000 10"></svg>"#;
        assert!(svg_to_png(huge, 1.0).unwrap_err().contains("pixels"));
    }
}
