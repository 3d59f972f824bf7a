//! Text from a feed made safe and plain: descriptions often carry HTML (paragraphs, links,
//! sometimes script). ammonia, an HTML5 sanitiser, parses it as a browser would and keeps
//! only the text; paragraphs and line breaks become new lines. Nothing from a feed is ever
//! shown as markup.

/// `html` as plain text: tags removed (script and style with their content), entities
/// decoded, paragraphs and breaks as new lines, runs of blank lines and spaces collapsed.
pub fn plain_text(html: &str) -> String {
    let once = strip(html);
    // Feeds often escape their HTML twice ("&lt;b&gt;"): what is left after one pass
    // that still reads as tags is stripped again.
    if looks_like_markup(&once) {
        strip(&once)
    } else {
        once
    }
}

/// Whether `text` has something that reads as a tag: "<" then a letter, "/" or "!".
fn looks_like_markup(text: &str) -> bool {
    text.match_indices('<').any(|(i, _)| {
        text[i + 1..]
            .chars()
            .next()
            .is_some_and(|c| c.is_ascii_alphabetic() || c == '/' || c == '!')
    })
}

fn strip(html: &str) -> String {
    if !html.contains(['<', '&']) {
        return tidy(html);
    }
    // Block ends become line breaks before the tags go, so paragraphs stay apart.
    let mut marked = String::with_capacity(html.len());
    let lower = html.to_ascii_lowercase();
    let mut i = 0;
    while i < html.len() {
        let rest = &lower[i..];
        let block_end = [
            "<br", "</p", "</li", "</div", "</h1", "</h2", "</h3", "</h4", "</tr",
        ]
        .iter()
        .any(|tag| rest.starts_with(tag));
        if block_end {
            marked.push('\n');
        }
        let c = html[i..].chars().next().unwrap_or(' ');
        marked.push(c);
        i += c.len_utf8();
    }
    let cleaned = ammonia::Builder::empty().clean(&marked).to_string();
    tidy(&decode(&cleaned))
}

/// The entities ammonia writes back (it escapes the text it keeps).
fn decode(text: &str) -> String {
    text.replace("&lt;", "<")
        .replace("&gt;", ">")
        .replace("&quot;", "\"")
        .replace("&#39;", "'")
        .replace("&nbsp;", " ")
        .replace('\u{a0}', " ")
        .replace("&amp;", "&")
}

/// Spaces collapsed within lines, lines trimmed, no more than one blank line in a row.
fn tidy(text: &str) -> String {
    let mut out = Vec::new();
    let mut blank = false;
    for line in text.lines() {
        let line = line.split_whitespace().collect::<Vec<_>>().join(" ");
        if line.is_empty() {
            blank = !out.is_empty();
            continue;
        }
        if blank {
            out.push(String::new());
            blank = false;
        }
        out.push(line);
    }
    out.join("\n")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn html_becomes_plain_text_and_script_goes() {
        assert_eq!(
            plain_text("<p>Fun sessions for <strong>autistic</strong> children &amp; siblings.</p><p>Call us<br>any time</p>"),
            "Fun sessions for autistic children & siblings.\nCall us\nany time"
        );
        let hostile = plain_text(
            "Hello<script>alert(1)</script><img src=x onerror=alert(2)> <a href=\"javascript:alert(3)\">there</a> &lt;b&gt;",
        );
        assert_eq!(hostile, "Hello there");
        assert!(!hostile.contains("alert"));
        assert_eq!(
            plain_text(
                "Escaped twice: &lt;b&gt;bold&lt;/b&gt; &lt;script&gt;alert(1)&lt;/script&gt;"
            ),
            "Escaped twice: bold"
        );
    }

    #[test]
    fn plain_text_is_kept_with_its_paragraphs() {
        assert_eq!(plain_text("  One  line \n\n\n\nTwo "), "One line\n\nTwo");
        assert_eq!(plain_text("Fish & chips < 5"), "Fish & chips < 5");
        assert_eq!(plain_text("Ages 5 <11"), "Ages 5 <11");
    }
}
