//! Avatar uploads: only PNG, JPEG, WebP or GIF by their content (never the declared name or type),
//! at most 2 MB and 4096×4096, decoded under memory limits, cropped square and re-encoded as a
//! 256×256 PNG. What is stored is our own encoding, so no payload or metadata of the upload survives.

use std::io::Cursor;

use image::{ImageFormat, ImageReader, Limits, imageops::FilterType};

pub const MAX_BYTES: usize = 2 * 1024 * 1024;
pub const MAX_SIDE: u32 = 4096;
pub const MIN_SIDE: u32 = 32;
const OUT_SIDE: u32 = 256;

#[derive(Debug, thiserror::Error, PartialEq, Eq)]
pub enum AvatarError {
    #[error("the image is larger than 2 MB")]
    TooLarge,
    #[error("only PNG, JPEG, WebP and GIF images are accepted")]
    UnsupportedType,
    #[error("the image must be between {MIN_SIDE} and {MAX_SIDE} pixels on each side")]
    BadDimensions,
    #[error("the image could not be read")]
    Corrupt,
}

/// Validates an upload and returns the PNG to store.
pub fn reencode(bytes: &[u8]) -> Result<Vec<u8>, AvatarError> {
    if bytes.len() > MAX_BYTES {
        return Err(AvatarError::TooLarge);
    }
    let format = image::guess_format(bytes).map_err(|_| AvatarError::UnsupportedType)?;
    if !matches!(
        format,
        ImageFormat::Png | ImageFormat::Jpeg | ImageFormat::WebP | ImageFormat::Gif
    ) {
        return Err(AvatarError::UnsupportedType);
    }
    let mut reader = ImageReader::with_format(Cursor::new(bytes), format);
    let (w, h) = reader.into_dimensions().map_err(|_| AvatarError::Corrupt)?;
    if !(MIN_SIDE..=MAX_SIDE).contains(&w) || !(MIN_SIDE..=MAX_SIDE).contains(&h) {
        return Err(AvatarError::BadDimensions);
    }
    reader = ImageReader::with_format(Cursor::new(bytes), format);
    let mut limits = Limits::default();
    limits.max_image_width = Some(MAX_SIDE);
    limits.max_image_height = Some(MAX_SIDE);
    limits.max_alloc = Some(128 * 1024 * 1024);
    reader.limits(limits);
    let img = reader.decode().map_err(|_| AvatarError::Corrupt)?;
    let side = w.min(h);
    let square = img.crop_imm((w - side) / 2, (h - side) / 2, side, side);
    let out = square.resize_exact(OUT_SIDE, OUT_SIDE, FilterType::Lanczos3);
    let mut png = Vec::new();
    out.to_rgba8()
        .write_to(&mut Cursor::new(&mut png), ImageFormat::Png)
        .map_err(|_| AvatarError::Corrupt)?;
    Ok(png)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn png(w: u32, h: u32) -> Vec<u8> {
        let img = image::RgbImage::from_fn(w, h, |x, y| image::Rgb([x as u8, y as u8, 9]));
        let mut out = Vec::new();
        img.write_to(&mut Cursor::new(&mut out), ImageFormat::Png)
            .expect("encode");
        out
    }

    #[test]
    fn accepts_and_reencodes_square() {
        let out = reencode(&png(300, 200)).expect("ok");
        let back = image::load_from_memory(&out).expect("png");
        assert_eq!((back.width(), back.height()), (256, 256));
    }

    #[test]
    fn refuses_bad_uploads() {
        assert_eq!(reencode(b"<svg></svg>"), Err(AvatarError::UnsupportedType));
        assert!(reencode(b"GIF89a-not-really").is_err());
        assert_eq!(reencode(&png(8, 8)), Err(AvatarError::BadDimensions));
        assert_eq!(
            reencode(&vec![0u8; MAX_BYTES + 1]),
            Err(AvatarError::TooLarge)
        );
        let mut truncated = png(64, 64);
        truncated.truncate(60);
        assert!(reencode(&truncated).is_err());
    }
}
