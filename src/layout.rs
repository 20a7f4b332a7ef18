//! Pure layout for the page: the 2-D map's frame and colours, and how labels and scores read.

/// Maps the embedding map's coordinates onto a `width` × `height` drawing (y up), with the
/// 1st–99th percentile of the points filling it so a few outliers do not squash the rest.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Frame {
    pub width: f32,
    pub height: f32,
    pad: f32,
    min: [f32; 2],
    max: [f32; 2],
}

impl Frame {
    pub fn fit(points: &[[f32; 2]], width: f32, height: f32, pad: f32) -> Self {
        let range = |k: usize| -> (f32, f32) {
            let mut v: Vec<f32> = points
                .iter()
                .map(|p| p[k])
                .filter(|x| x.is_finite())
                .collect();
            if v.is_empty() {
                return (-1.0, 1.0);
            }
            v.sort_by(f32::total_cmp);
            let at = |q: f32| v[((v.len() - 1) as f32 * q).round() as usize];
            let (lo, hi) = (at(0.01), at(0.99));
            if hi - lo > f32::EPSILON {
                (lo, hi)
            } else {
                (lo - 1.0, hi + 1.0)
            }
        };
        let (x0, x1) = range(0);
        let (y0, y1) = range(1);
        Self {
            width,
            height,
            pad,
            min: [x0, y0],
            max: [x1, y1],
        }
    }

    /// Drawing coordinates of a map point, clamped inside the frame.
    pub fn place(&self, p: [f32; 2]) -> (f32, f32) {
        let t = |k: usize, v: f32| {
            let t = (v - self.min[k]) / (self.max[k] - self.min[k]);
            if t.is_finite() {
                t.clamp(0.0, 1.0)
            } else {
                0.5
            }
        };
        let x = self.pad + t(0, p[0]) * (self.width - 2.0 * self.pad);
        let y = self.height - self.pad - t(1, p[1]) * (self.height - 2.0 * self.pad);
        (x, y)
    }
}

/// A distinct colour per class (golden-angle hues).
pub fn class_colour(class: usize) -> String {
    let hue = (class as f32 * 137.507_77) % 360.0;
    format!("hsl({hue:.0} 70% 62%)")
}

/// "Canidae_dogs_wolves" → "Canidae dogs wolves".
pub fn pretty_label(label: &str) -> String {
    label.replace('_', " ")
}

/// The name a person reads for a class label: "Canidae_dogs_wolves" → "Dog / wolf",
/// "Gunshot_or_gunfire" → "Gunshot"; other labels with their underscores as spaces.
pub fn display_name(label: &str) -> String {
    let name = match label {
        "Canidae_dogs_wolves" => "Dog / wolf",
        "Gunshot_or_gunfire" => "Gunshot",
        "Violin_or_fiddle" => "Violin / fiddle",
        "Marimba_xylophone" => "Marimba / xylophone",
        "Walk_footsteps" => "Footsteps",
        "Splash_and_splatter" => "Splash",
        "Tom-tom_drum" => "Tom-tom",
        "Bleat" => "Bleat (sheep, goat)",
        "Fowl" => "Chicken / fowl",
        "Chop" => "Chopping",
        "Grunt" => "Grunt (pig, person)",
        "Insect" => "Insect buzz",
        "Engine" => "Engine / motor",
        "Stream" => "Stream / brook",
        _ => return pretty_label(label),
    };
    name.to_owned()
}

/// The lower-case extension of a file name or URL path ("" without one).
fn extension(path: &str) -> String {
    let path = path.split(['?', '#']).next().unwrap_or(path);
    path.rsplit_once('.')
        .map(|(_, e)| e.to_ascii_lowercase())
        .filter(|e| !e.contains('/') && !e.is_empty())
        .unwrap_or_default()
}

/// The audio media type of an extension.
fn audio_type(ext: &str) -> &'static str {
    match ext {
        "mp3" => "audio/mpeg",
        "ogg" | "oga" | "opus" => "audio/ogg",
        "wav" => "audio/wav",
        "flac" => "audio/flac",
        "webm" => "audio/webm",
        "m4a" | "aac" => "audio/mp4",
        _ => "application/octet-stream",
    }
}

/// A file name's characters that a file system or the "type:name:url" form cannot hold, as '-'.
fn safe_name(s: &str) -> String {
    s.chars()
        .map(|c| {
            if c.is_alphanumeric() || matches!(c, ' ' | '-' | '_' | '(' | ')' | ',') {
                c
            } else {
                '-'
            }
        })
        .collect()
}

/// `stem` with the extension `ext` (none if empty).
fn with_ext(stem: &str, ext: &str) -> String {
    if ext.is_empty() {
        stem.to_owned()
    } else {
        format!("{stem}.{ext}")
    }
}

/// What a result dragged out of the page carries as Chromium's `DownloadURL` ("type:name:url"):
/// the file at `url`, saved as "<class> <id>.<ext>" with the audio type of its extension.
pub fn download_url(label: &str, id: &str, url: &str) -> String {
    let ext = extension(url);
    let stem = format!("{} {}", safe_name(&display_name(label)), safe_name(id));
    format!("{}:{}:{url}", audio_type(&ext), with_ext(&stem, &ext))
}

/// The same for a library sound's kept file (`url`, of media type `mime` if known), saved under
/// the sound's own name (its folders dropped).
pub fn download_kept(name: &str, mime: &str, url: &str) -> String {
    let base = name.rsplit(['/', '\\']).next().unwrap_or(name);
    let ext = extension(base);
    let stem = match base.rsplit_once('.') {
        Some((stem, _)) if !ext.is_empty() => stem,
        _ => base,
    };
    let mime = if mime.contains('/') && !mime.contains(':') {
        mime
    } else {
        audio_type(&ext)
    };
    format!("{mime}:{}:{url}", with_ext(&safe_name(stem), &ext))
}

/// A similarity in 0..=1 as a bar width in percent.
pub fn percent(score: f32) -> f32 {
    if score.is_finite() {
        (score * 100.0).clamp(0.0, 100.0)
    } else {
        0.0
    }
}

/// "2.1 of 5.9 MB" (or "2.1 MB" while the total is unknown).
pub fn progress_text(loaded: u64, total: u64) -> String {
    let mb = |b: u64| b as f64 / 1e6;
    if total > 0 {
        format!("{:.1} of {:.1} MB", mb(loaded), mb(total))
    } else {
        format!("{:.1} MB", mb(loaded))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn frame_fills_the_drawing_and_flips_y() {
        let pts: Vec<[f32; 2]> = (0..=100).map(|i| [i as f32, 2.0 * i as f32]).collect();
        let f = Frame::fit(&pts, 1000.0, 500.0, 10.0);
        let (x, y) = f.place([1.0, 2.0]);
        assert!(
            (x - 10.0).abs() < 1e-3 && (y - 490.0).abs() < 1e-3,
            "{x},{y}"
        );
        let (x, y) = f.place([99.0, 198.0]);
        assert!(
            (x - 990.0).abs() < 1e-3 && (y - 10.0).abs() < 1e-3,
            "{x},{y}"
        );
        // Outliers are clamped to the edge, non-finite points to the middle.
        assert_eq!(f.place([1e9, -1e9]), (990.0, 490.0));
        assert_eq!(f.place([f32::NAN, 50.0]).0, 500.0);
    }

    #[test]
    fn degenerate_maps_do_not_divide_by_zero() {
        let f = Frame::fit(&[[3.0, 3.0]; 4], 100.0, 100.0, 0.0);
        assert_eq!(f.place([3.0, 3.0]), (50.0, 50.0));
        let f = Frame::fit(&[], 100.0, 100.0, 0.0);
        assert_eq!(f.place([0.0, 0.0]), (50.0, 50.0));
    }

    #[test]
    fn words_and_numbers() {
        assert_eq!(pretty_label("Canidae_dogs_wolves"), "Canidae dogs wolves");
        assert_eq!(display_name("Canidae_dogs_wolves"), "Dog / wolf");
        assert_eq!(display_name("Gunshot_or_gunfire"), "Gunshot");
        assert_eq!(display_name("Hi-hat"), "Hi-hat");
        assert_eq!(display_name("Snare_drum"), "Snare drum");
        assert_eq!(display_name(""), "");
        assert_eq!(
            download_url(
                "Canidae_dogs_wolves",
                "gcompris-1f:2",
                "http://127.0.0.1:8080/pkg/previews/gcompris-1f.mp3"
            ),
            "audio/mpeg:Dog - wolf gcompris-1f-2.mp3:http://127.0.0.1:8080/pkg/previews/gcompris-1f.mp3"
        );
        assert!(
            download_url("Bell", "x", "http://h/a.OGG?v=1").starts_with("audio/ogg:Bell x.ogg:")
        );
        assert!(download_url("Bell", "x", "http://h.io/a")
            .starts_with("application/octet-stream:Bell x:"));
        assert!((percent(0.873) - 87.3).abs() < 1e-4);
        assert_eq!(percent(f32::NAN), 0.0);
        assert_eq!(percent(2.0), 100.0);
        assert_eq!(progress_text(2_100_000, 5_900_000), "2.1 of 5.9 MB");
        assert_eq!(progress_text(2_100_000, 0), "2.1 MB");
        assert_ne!(class_colour(0), class_colour(1));
    }
}
