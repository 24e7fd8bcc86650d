//! The connector's icon: an original SVG (a hexagonal cell, a person and a plug), and a square
//! PNG rendered from it on a transparent background for marketplaces that take only bitmaps.
//!
//! The PNG is kept beside the SVG (`assets/icon.png`), so building the package needs no
//! renderer. With the `render-icon` feature, `okta-package icon` (`make icon`) renders it again
//! with resvg and writes it, and a test (`make icon-check`, run by CI) fails when the kept PNG
//! is not that rendering, so the two never drift apart.

/// The icon's source.
pub const SVG: &str = include_str!("../assets/icon.svg");

/// [`SVG`] rendered as a `PNG_SIZE`-pixel square PNG, transparent where the icon draws nothing.
pub const PNG: &[u8] = include_bytes!("../assets/icon.png");

/// The PNG's side in pixels (marketplaces ask for at least 256).
pub const PNG_SIZE: u32 = 512;

/// Where [`PNG`] is kept, from the package crate's directory.
pub const PNG_PATH: &str = "assets/icon.png";

/// Renders [`SVG`] as [`PNG`] should be.
#[cfg(feature = "render-icon")]
pub fn render() -> anyhow::Result<Vec<u8>> {
    use anyhow::{bail, Context};
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
        let mut reader = png::Decoder::new(std::io::Cursor::new(PNG)).read_info().unwrap();
        let mut pixels = vec![0; reader.output_buffer_size().unwrap()];
        let frame = reader.next_frame(&mut pixels).unwrap();
        assert_eq!((frame.width, frame.height), (PNG_SIZE, PNG_SIZE));
        assert_eq!((frame.color_type, frame.bit_depth), (png::ColorType::Rgba, png::BitDepth::Eight));
        let alpha = |x: u32, y: u32| pixels[((y * PNG_SIZE + x) * 4 + 3) as usize];
        let last = PNG_SIZE - 1;
        for (x, y) in [(0, 0), (last, 0), (0, last), (last, last)] {
            assert_eq!(alpha(x, y), 0, "corner ({x}, {y}) is not transparent");
        }
        assert_eq!(alpha(PNG_SIZE / 2, PNG_SIZE / 2), 255);
    }

    #[cfg(feature = "render-icon")]
    #[test]
    fn the_kept_png_is_the_svg_rendered() {
        assert!(render().unwrap() == PNG, "run `make icon` to render {PNG_PATH} again");
    }
}
