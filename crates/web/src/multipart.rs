//! Just enough of `multipart/form-data` (RFC 7578) for file uploads: the parts of a
//! buffered body, each with its name, file name and bytes. Uploads are small (at most a
//! few megabytes) and already read whole by the CSRF check, so no streaming is needed.

/// One part of a multipart body.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Part<'a> {
    pub name: String,
    pub file_name: Option<String>,
    pub data: &'a [u8],
}

/// The boundary named by a `Content-Type: multipart/form-data; boundary=...` header.
pub fn boundary(content_type: &str) -> Option<String> {
    if !content_type
        .to_ascii_lowercase()
        .starts_with("multipart/form-data")
    {
        return None;
    }
    content_type
        .split(';')
        .filter_map(|p| p.trim().split_once('='))
        .find(|(k, _)| k.eq_ignore_ascii_case("boundary"))
        .map(|(_, v)| v.trim_matches('"').to_owned())
        .filter(|b| !b.is_empty())
}

fn find(haystack: &[u8], needle: &[u8], from: usize) -> Option<usize> {
    if needle.is_empty() || haystack.len() < needle.len() {
        return None;
    }
    (from..=haystack.len() - needle.len()).find(|&i| &haystack[i..i + needle.len()] == needle)
}

fn quoted(header: &str, key: &str) -> Option<String> {
    let start = header.find(&format!("{key}=\""))? + key.len() + 2;
    let end = header[start..].find('"')? + start;
    Some(header[start..end].to_owned())
}

/// Splits `body` into its parts. Malformed bodies give the parts read before the fault.
pub fn parts<'a>(body: &'a [u8], boundary: &str) -> Vec<Part<'a>> {
    let delimiter = format!("--{boundary}").into_bytes();
    let mut parts = Vec::new();
    let Some(mut at) = find(body, &delimiter, 0) else {
        return parts;
    };
    loop {
        let start = at + delimiter.len();
        if body.get(start..start + 2) == Some(b"--") {
            break;
        }
        let Some(headers_end) = find(body, b"\r\n\r\n", start) else {
            break;
        };
        let headers = String::from_utf8_lossy(&body[start..headers_end]).into_owned();
        let data_start = headers_end + 4;
        let mut closing = delimiter.clone();
        closing.splice(0..0, b"\r\n".iter().copied());
        let Some(data_end) = find(body, &closing, data_start) else {
            break;
        };
        let disposition = headers
            .lines()
            .find(|l| l.to_ascii_lowercase().starts_with("content-disposition"))
            .unwrap_or("");
        if let Some(name) = quoted(disposition, "name") {
            parts.push(Part {
                name,
                file_name: quoted(disposition, "filename"),
                data: &body[data_start..data_end],
            });
        }
        at = data_end + 2;
    }
    parts
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_fields_and_files() {
        let body = b"--XyZ\r\nContent-Disposition: form-data; name=\"_csrf\"\r\n\r\nabc123\r\n--XyZ\r\nContent-Disposition: form-data; name=\"file\"; filename=\"plan.csv\"\r\nContent-Type: text/csv\r\n\r\nNumber,Action\r\n1.1,Do it\r\n--XyZ--\r\n";
        let b = boundary("multipart/form-data; boundary=XyZ").expect("boundary");
        let parts = parts(body, &b);
        assert_eq!(parts.len(), 2);
        assert_eq!(
            (parts[0].name.as_str(), parts[0].data),
            ("_csrf", &b"abc123"[..])
        );
        assert_eq!(parts[1].file_name.as_deref(), Some("plan.csv"));
        assert_eq!(parts[1].data, b"Number,Action\r\n1.1,Do it");
    }

    #[test]
    fn malformed_bodies_give_no_parts_rather_than_failing() {
        assert!(parts(b"garbage", "XyZ").is_empty());
        assert!(parts(b"--XyZ\r\nno end", "XyZ").is_empty());
        assert_eq!(boundary("application/x-www-form-urlencoded"), None);
    }
}
