//! Picture files told apart by their first bytes: a file's name and the type a browser guesses
//! from it are not trusted (the server decides by content too).

/// Largest picture the server takes (it re-encodes every one as a 256×256 PNG).
pub const MAX_AVATAR_BYTES: usize = 2 * 1024 * 1024;

/// The media type of a PNG, JPEG, GIF or WebP file, from its signature.
pub fn picture_type(bytes: &[u8]) -> Option<&'static str> {
    match bytes {
        [0x89, b'P', b'N', b'G', 0x0d, 0x0a, 0x1a, 0x0a, ..] => Some("image/png"),
        [0xff, 0xd8, 0xff, ..] => Some("image/jpeg"),
        [b'G', b'I', b'F', b'8', b'7' | b'9', b'a', ..] => Some("image/gif"),
        [
            b'R',
            b'I',
            b'F',
            b'F',
            _,
            _,
            _,
            _,
            b'W',
            b'E',
            b'B',
            b'P',
            ..,
        ] => Some("image/webp"),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::picture_type;

    #[test]
    fn pictures_are_known_by_their_signature() {
        assert_eq!(
            picture_type(b"\x89PNG\r\n\x1a\n\0\0\0\rIHDR"),
            Some("image/png")
        );
        assert_eq!(
            picture_type(b"\xff\xd8\xff\xe0\0\x10JFIF"),
            Some("image/jpeg")
        );
        assert_eq!(picture_type(b"GIF89a\x01\0"), Some("image/gif"));
        assert_eq!(picture_type(b"RIFF\x24\0\0\0WEBPVP8 "), Some("image/webp"));
        // A script named .png, an SVG (scriptable) and a truncated PNG are not pictures here.
        assert_eq!(picture_type(b"<script>alert(1)</script>"), None);
        assert_eq!(
            picture_type(b"<svg xmlns='http://www.w3.org/2000/svg'/>"),
            None
        );
        assert_eq!(picture_type(b"\x89PNG"), None);
        assert_eq!(picture_type(b""), None);
    }
}
