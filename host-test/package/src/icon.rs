//! The connector's icon: an original SVG (a hexagonal cell, a person and a plug), and a square
//! PNG rendered from it on a transparent background for marketplaces that take only bitmaps.

use anyhow::{bail, Context, Result};

/// The icon's source.
pub const SVG: &str = include_str!("../assets/icon.svg");

/// The PNG's side in pixels (marketplaces ask for at least 256).
pub const PNG_SIZE: u32 = 512;

/// Renders [`SVG`] as a `PNG_SIZE`-pixel square PNG, transparent where the icon draws nothing.
pub fn png() -> Result<Vec<u8>> {
    let tree = resvg::usvg::Tree::from_str(SVG, &resvg::usvg::Options::default()).context("the icon's SVG")?;
    let size = tree.size();
    if size.width() != size.height() {
        bail!("the icon is not square: {}x{}", size.width(), size.height());
    }
    let mut pixmap = resvg::tiny_skia::Pixmap::new(PNG_SIZE, PNG_SIZE).context("pixmap")?;
    let scale = PNG_SIZE as f32 / size.width();
    resvg::render(&tree, resvg::tiny_skia::Transform::from_scale(scale, scale), &mut pixmap.as_mut());
    pixmap.encode_png().context("encoding the icon as PNG")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_png_is_square_with_transparent_corners_and_an_opaque_middle() {
        let bytes = png().unwrap();
        let pixmap = resvg::tiny_skia::Pixmap::decode_png(&bytes).unwrap();
        assert_eq!((pixmap.width(), pixmap.height()), (PNG_SIZE, PNG_SIZE));
        let alpha = |x: u32, y: u32| pixmap.pixel(x, y).unwrap().alpha();
        let last = PNG_SIZE - 1;
        for (x, y) in [(0, 0), (last, 0), (0, last), (last, last)] {
            assert_eq!(alpha(x, y), 0, "corner ({x}, {y}) is not transparent");
        }
        assert_eq!(alpha(PNG_SIZE / 2, PNG_SIZE / 2), 255);
        assert_eq!(png().unwrap(), bytes, "the same bytes every time");
    }
}
