//! The one double-quoted scalar writer, shared by every YAML writer of skyform (render's
//! object writer and Helm literals, the compose importer's platform files).

use std::fmt::Write as _;

/// Whether YAML forbids `c` raw in a stream: C0 controls but tab and line feed, DEL, the
/// C1 controls but NEL, and the non-characters U+FFFE/U+FFFF.
fn forbidden(c: char) -> bool {
    (c < ' ' && !matches!(c, '\t' | '\n'))
        || (('\u{7f}'..='\u{9f}').contains(&c) && c != '\u{85}')
        || matches!(c, '\u{fffe}' | '\u{ffff}')
}

/// The bytes written as they are whatever `also` says: printable ASCII but `"` and `\`.
const AS_IS: [bool; 256] = {
    let mut table = [false; 256];
    let mut b = b' ';
    while b <= b'~' {
        table[b as usize] = b != b'"' && b != b'\\';
        b += 1;
    }
    table
};

/// Appends `s` as a YAML double-quoted scalar. `"`, `\`, line feed, carriage return,
/// tab, backspace and form feed get JSON's short escapes, every character YAML forbids
/// in a stream and every one `also` selects gets `\uXXXX` (`\UXXXXXXXX` past U+FFFF;
/// lowercase hex). `also` is asked about characters outside printable ASCII only; the
/// printable ASCII characters but `"` and `\` are always written as they are. With `also`
/// never true, the text is JSON's string literal wherever JSON's is valid YAML.
pub fn push_double_quoted(s: &str, out: &mut String, also: impl Fn(char) -> bool) {
    out.reserve(s.len() + 2);
    out.push('"');
    let bytes = s.as_bytes();
    // Characters written as they are go out in runs, not one by one; `i` is always at a
    // character boundary (it steps over ASCII by the byte, over the rest by the character).
    let (mut run, mut i) = (0, 0);
    while let Some(&b) = bytes.get(i) {
        if AS_IS[usize::from(b)] {
            i += 1;
            continue;
        }
        let Some(c) = s[i..].chars().next() else { break };
        let at = i;
        i += c.len_utf8();
        let short = match c {
            '"' => Some("\\\""),
            '\\' => Some("\\\\"),
            '\n' => Some("\\n"),
            '\r' => Some("\\r"),
            '\t' => Some("\\t"),
            '\u{8}' => Some("\\b"),
            '\u{c}' => Some("\\f"),
            _ => None,
        };
        if short.is_none() && !forbidden(c) && !also(c) {
            continue;
        }
        out.push_str(&s[run..at]);
        run = i;
        match short {
            Some(escape) => out.push_str(escape),
            None if c > '\u{ffff}' => {
                let _ = write!(out, "\\U{:08x}", u32::from(c));
            }
            None => {
                let _ = write!(out, "\\u{:04x}", u32::from(c));
            }
        }
    }
    out.push_str(&s[run..]);
    out.push('"');
}

#[cfg(test)]
mod tests {
    use super::push_double_quoted;

    #[test]
    fn every_character_reads_back() {
        let mut samples: Vec<String> = (0u32..0x300)
            .chain([0x2028, 0x2029, 0xfeff, 0xfffe, 0xffff, 0x1f600])
            .filter_map(char::from_u32)
            .map(|c| format!("a{c}b"))
            .collect();
        samples.extend(["", "\"quoted\"", "back\\slash", "tab\tline\nbreak\r"].map(String::from));
        for s in samples {
            for also in [|_: char| false, |c: char| c > '~'] {
                let mut q = String::new();
                push_double_quoted(&s, &mut q, also);
                let doc = crate::parse_document(&format!("k: {q}\n")).unwrap_or_else(|e| panic!("{q}: {e}"));
                assert_eq!(doc.get("k").and_then(|n| n.as_str()), Some(s.as_str()), "{q}");
            }
        }
    }
}
