//! Canvas drawing. The pixel maths (`waveform::columns`, `spectrogram_rgba`, `colormap`) are
//! plain functions; `paint_*` only put their results on a canvas sized to its box (HiDPI aware).

use earshot_core::Frames;
use earshot_web::waveform::{self, Extent};
use wasm_bindgen::{Clamped, JsCast};
use web_sys::{CanvasRenderingContext2d, HtmlCanvasElement, ImageData};

const BACKGROUND: &str = "#10131a";
const WAVE: &str = "#7cc4ff";
const AXIS: &str = "#2a3140";

/// Viridis, 9 stops.
const VIRIDIS: [[u8; 3]; 9] = [
    [68, 1, 84],
    [71, 44, 122],
    [59, 81, 139],
    [44, 113, 142],
    [33, 144, 141],
    [39, 173, 129],
    [92, 200, 99],
    [170, 220, 50],
    [253, 231, 37],
];

/// Colour for `t` in 0..=1 (clamped).
pub fn colormap(t: f32) -> [u8; 3] {
    let t = if t.is_finite() {
        t.clamp(0.0, 1.0)
    } else {
        0.0
    };
    let x = t * (VIRIDIS.len() - 1) as f32;
    let i = (x.floor() as usize).min(VIRIDIS.len() - 2);
    let f = x - i as f32;
    let (a, b) = (VIRIDIS[i], VIRIDIS[i + 1]);
    let mix = |k: usize| (f32::from(a[k]) + (f32::from(b[k]) - f32::from(a[k])) * f).round() as u8;
    [mix(0), mix(1), mix(2)]
}

/// RGBA pixels (`width * height * 4`) of a mel spectrogram: time on x, low mel at the bottom,
/// colours spanning the top 80 dB of the clip. Silence (no dynamic range) is drawn dark.
pub fn spectrogram_rgba(mel: &Frames, width: usize, height: usize) -> Vec<u8> {
    let mut px = vec![0u8; width * height * 4];
    if mel.n_frames == 0 || mel.n_rows == 0 || width == 0 || height == 0 {
        return px;
    }
    let finite = mel.data.iter().copied().filter(|v| v.is_finite());
    let (lo, hi) = finite.fold((f32::INFINITY, f32::NEG_INFINITY), |(lo, hi), v| {
        (lo.min(v), hi.max(v))
    });
    let lo = lo.max(hi - 80.0);
    let span = hi - lo;
    for x in 0..width {
        let frame = (x * mel.n_frames / width).min(mel.n_frames - 1);
        let col = &mel.data[frame * mel.n_rows..(frame + 1) * mel.n_rows];
        for y in 0..height {
            let row = ((height - 1 - y) * mel.n_rows / height).min(mel.n_rows - 1);
            let t = if span > 1e-3 {
                (col[row] - lo) / span
            } else {
                0.0
            };
            let [r, g, b] = colormap(t);
            let i = (y * width + x) * 4;
            px[i..i + 4].copy_from_slice(&[r, g, b, 255]);
        }
    }
    px
}

/// Sets the canvas backing store to its CSS box times the device pixel ratio; returns it.
fn fit(canvas: &HtmlCanvasElement) -> Option<(u32, u32, CanvasRenderingContext2d)> {
    let dpr = web_sys::window()
        .map_or(1.0, |w| w.device_pixel_ratio())
        .max(1.0);
    let w = ((f64::from(canvas.client_width()) * dpr).round() as u32).max(1);
    let h = ((f64::from(canvas.client_height()) * dpr).round() as u32).max(1);
    if canvas.width() != w {
        canvas.set_width(w);
    }
    if canvas.height() != h {
        canvas.set_height(h);
    }
    let ctx = canvas
        .get_context("2d")
        .ok()
        .flatten()?
        .dyn_into::<CanvasRenderingContext2d>()
        .ok()?;
    Some((w, h, ctx))
}

fn background(ctx: &CanvasRenderingContext2d, w: u32, h: u32) {
    ctx.set_fill_style_str(BACKGROUND);
    ctx.fill_rect(0.0, 0.0, f64::from(w), f64::from(h));
}

/// Empty state: background only.
pub fn clear(canvas: &HtmlCanvasElement) {
    if let Some((w, h, ctx)) = fit(canvas) {
        background(&ctx, w, h);
    }
}

/// Min/max per pixel column from the worker's waveform envelope, amplitude ±1 spanning the
/// height.
pub fn paint_waveform(canvas: &HtmlCanvasElement, envelope: &[Extent]) {
    let Some((w, h, ctx)) = fit(canvas) else {
        return;
    };
    background(&ctx, w, h);
    let hf = f64::from(h);
    let mid = hf / 2.0;
    ctx.set_fill_style_str(AXIS);
    ctx.fill_rect(0.0, mid.floor(), f64::from(w), 1.0);
    if envelope.is_empty() {
        return;
    }
    ctx.set_fill_style_str(WAVE);
    let to_y = |v: f32| mid - f64::from(v.clamp(-1.0, 1.0)) * (mid - 1.0);
    for (x, (lo, hi)) in waveform::columns(envelope, w as usize)
        .into_iter()
        .enumerate()
    {
        let top = to_y(hi).floor();
        let bottom = to_y(lo).ceil().max(top + 1.0);
        ctx.fill_rect(x as f64, top, 1.0, bottom - top);
    }
}

/// The mel spectrogram, one device pixel per pixel (nearest neighbour).
pub fn paint_spectrogram(canvas: &HtmlCanvasElement, mel: &Frames) {
    let Some((w, h, ctx)) = fit(canvas) else {
        return;
    };
    let px = spectrogram_rgba(mel, w as usize, h as usize);
    match ImageData::new_with_u8_clamped_array_and_sh(Clamped(&px), w, h) {
        Ok(img) => {
            let _ = ctx.put_image_data(&img, 0.0, 0.0);
        }
        Err(_) => background(&ctx, w, h),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn colormap_ends() {
        assert_eq!(colormap(0.0), [68, 1, 84]);
        assert_eq!(colormap(1.0), [253, 231, 37]);
        assert_eq!(colormap(f32::NAN), [68, 1, 84]);
    }

    #[test]
    fn spectrogram_low_mel_at_bottom() {
        // 1 frame, 2 rows: row 0 (low) quiet, row 1 (high) loud.
        let mel = Frames {
            n_rows: 2,
            n_frames: 1,
            data: vec![-80.0, 0.0],
        };
        let px = spectrogram_rgba(&mel, 1, 2);
        assert_eq!(&px[0..3], &colormap(1.0)); // top pixel = high mel
        assert_eq!(&px[4..7], &colormap(0.0)); // bottom pixel = low mel
    }
}
