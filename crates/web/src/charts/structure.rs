//! The partnership's governance structure drawn as SVG: a box per board, joined to the
//! board it reports to. Pages give the same structure as a nested list beside it.

use super::escape;
use std::fmt::Write;

/// Board sizes in the structure diagram.
const BOX_WIDTH: f64 = 200.0;
const BOX_HEIGHT: f64 = 64.0;
const GAP_ACROSS: f64 = 24.0;
const GAP_DOWN: f64 = 48.0;
const MARGIN: f64 = 8.0;
/// Characters that fit a line of a board's box at 14px.
const LINE_CHARS: usize = 26;

/// A board's name in at most three lines of the box, cut with an ellipsis if longer.
fn wrap_name(name: &str) -> Vec<String> {
    let mut lines: Vec<String> = Vec::new();
    for word in name.split_whitespace() {
        match lines.last_mut() {
            Some(line) if line.chars().count() + 1 + word.chars().count() <= LINE_CHARS => {
                line.push(' ');
                line.push_str(word);
            }
            _ => lines.push(word.chars().take(LINE_CHARS).collect()),
        }
    }
    if lines.len() > 3 {
        lines.truncate(3);
        let last = &mut lines[2];
        let kept: String = last.chars().take(LINE_CHARS - 1).collect();
        *last = format!("{kept}…");
    }
    lines
}

/// Draws the partnership's governance structure: a box per board, joined to the board it
/// reports to above it. Pages give the same structure as a nested list beside it.
pub fn structure_diagram(
    boards: &[sendplan_domain::governance::Board],
    placed: &[sendplan_domain::governance::Placed],
    columns: usize,
) -> String {
    if placed.is_empty() {
        return String::new();
    }
    let rows = placed.iter().map(|p| p.row).max().unwrap_or(0) + 1;
    let width = MARGIN * 2.0 + columns as f64 * BOX_WIDTH + (columns as f64 - 1.0) * GAP_ACROSS;
    let height = MARGIN * 2.0 + rows as f64 * BOX_HEIGHT + (rows as f64 - 1.0) * GAP_DOWN;
    let left = |column: f64| MARGIN + column * (BOX_WIDTH + GAP_ACROSS);
    let top = |row: usize| MARGIN + row as f64 * (BOX_HEIGHT + GAP_DOWN);
    let mut svg = String::new();
    let _ = write!(
        svg,
        r##"<svg class="app-diagram" viewBox="0 0 {width:.0} {height:.0}" width="{width:.0}" height="{height:.0}" role="img" aria-labelledby="structure-title structure-desc" xmlns="http://www.w3.org/2000/svg" font-family="Arial, sans-serif" font-size="14"><title id="structure-title">Structure of the partnership's boards and groups</title><desc id="structure-desc">Each board is joined by a line to the board it reports to, above it. The list after the diagram gives the same structure in words.</desc>"##
    );
    for p in placed {
        let Some(parent) = p
            .parent
            .and_then(|id| placed.iter().find(|q| q.board == id))
        else {
            continue;
        };
        let (x1, y1) = (
            left(parent.column) + BOX_WIDTH / 2.0,
            top(parent.row) + BOX_HEIGHT,
        );
        let (x2, y2) = (left(p.column) + BOX_WIDTH / 2.0, top(p.row));
        let middle = (y1 + y2) / 2.0;
        let _ = write!(
            svg,
            r##"<path d="M{x1:.1} {y1:.1} V{middle:.1} H{x2:.1} V{y2:.1}" fill="none" stroke="#505a5f" stroke-width="2"/>"##
        );
    }
    for p in placed {
        let Some(board) = boards.iter().find(|b| b.id == p.board) else {
            continue;
        };
        let (x, y) = (left(p.column), top(p.row));
        let _ = write!(
            svg,
            r##"<rect x="{x:.1}" y="{y:.1}" width="{BOX_WIDTH}" height="{BOX_HEIGHT}" fill="#ffffff" stroke="#1d70b8" stroke-width="3"/>"##
        );
        let lines = wrap_name(&board.name);
        let first = y + BOX_HEIGHT / 2.0 - (lines.len() as f64 - 1.0) * 9.0 + 5.0;
        for (i, line) in lines.iter().enumerate() {
            let _ = write!(
                svg,
                r##"<text x="{:.1}" y="{:.1}" text-anchor="middle" fill="#0b0c0c">{}</text>"##,
                x + BOX_WIDTH / 2.0,
                first + i as f64 * 18.0,
                escape(line)
            );
        }
    }
    svg.push_str("</svg>");
    svg
}

#[cfg(test)]
mod structure_tests {
    use super::*;

    #[test]
    fn long_board_names_wrap_to_three_lines_at_most() {
        assert_eq!(
            wrap_name("SEND Improvement Board"),
            vec!["SEND Improvement Board"]
        );
        let long = wrap_name(
            "Joint Strategic Commissioning Group for Children and Young People with Special Educational Needs",
        );
        assert_eq!(long.len(), 3);
        assert!(long.iter().all(|l| l.chars().count() <= LINE_CHARS));
        assert!(long[2].ends_with('…'));
    }
}
