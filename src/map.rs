//! The map of all sounds as plain Rust: which part of the drawing is shown (zoom and pan),
//! which dot is under the pointer (the nearest, not the topmost of overlapping ones), which dot
//! an arrow key moves to, and the legend of classes.

use crate::layout;

/// The shown part of a `width` × `height` drawing (an SVG `viewBox`): zoomed around a point,
/// panned, and always inside the drawing.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct MapView {
    width: f32,
    height: f32,
    pub x: f32,
    pub y: f32,
    /// Shown width (the height follows the drawing's aspect).
    pub w: f32,
}

/// The closest zoom: 1/16 of the drawing's width.
pub const MAX_ZOOM: f32 = 16.0;

impl MapView {
    /// The whole drawing.
    pub fn full(width: f32, height: f32) -> Self {
        Self {
            width,
            height,
            x: 0.0,
            y: 0.0,
            w: width,
        }
    }

    pub fn h(&self) -> f32 {
        self.w * self.height / self.width
    }

    /// How many times the drawing is enlarged (1: all of it).
    pub fn zoom(&self) -> f32 {
        self.width / self.w
    }

    /// `viewBox` attribute.
    pub fn view_box(&self) -> String {
        format!("{:.2} {:.2} {:.2} {:.2}", self.x, self.y, self.w, self.h())
    }

    /// Zooms by `factor` (> 1: closer) keeping the drawing point (`px`, `py`) where it is.
    pub fn zoom_at(&mut self, px: f32, py: f32, factor: f32) {
        if !(factor.is_finite() && factor > 0.0 && px.is_finite() && py.is_finite()) {
            return;
        }
        let w = (self.w / factor).clamp(self.width / MAX_ZOOM, self.width);
        let k = w / self.w;
        self.x = px - (px - self.x) * k;
        self.y = py - (py - self.y) * k;
        self.w = w;
        self.clamp();
    }

    /// Zooms around the middle of what is shown.
    pub fn zoom_centre(&mut self, factor: f32) {
        let (cx, cy) = (self.x + self.w / 2.0, self.y + self.h() / 2.0);
        self.zoom_at(cx, cy, factor);
    }

    /// Moves what is shown by (`dx`, `dy`) drawing units.
    pub fn pan(&mut self, dx: f32, dy: f32) {
        if dx.is_finite() && dy.is_finite() {
            self.x += dx;
            self.y += dy;
            self.clamp();
        }
    }

    /// Brings the drawing point (`px`, `py`) into view (centred on it if it was outside).
    pub fn reveal(&mut self, px: f32, py: f32) {
        let inside =
            px >= self.x && px <= self.x + self.w && py >= self.y && py <= self.y + self.h();
        if !inside {
            self.x = px - self.w / 2.0;
            self.y = py - self.h() / 2.0;
            self.clamp();
        }
    }

    /// The drawing point at a fraction (`fx`, `fy`, 0..=1 from the top left) of the shown area.
    pub fn at(&self, fx: f32, fy: f32) -> (f32, f32) {
        (self.x + fx * self.w, self.y + fy * self.h())
    }

    fn clamp(&mut self) {
        self.x = self.x.clamp(0.0, (self.width - self.w).max(0.0));
        self.y = self.y.clamp(0.0, (self.height - self.h()).max(0.0));
    }
}

/// The dot nearest (`x`, `y`) within `radius`, if any: what the pointer is on, even where
/// dots overlap.
pub fn nearest(points: &[(f32, f32)], x: f32, y: f32, radius: f32) -> Option<usize> {
    points
        .iter()
        .enumerate()
        .map(|(i, &(px, py))| (i, (px - x).powi(2) + (py - y).powi(2)))
        .filter(|&(_, d)| d.is_finite() && d <= radius * radius)
        .min_by(|a, b| a.1.total_cmp(&b.1))
        .map(|(i, _)| i)
}

/// A direction of the arrow keys.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Dir {
    Left,
    Right,
    Up,
    Down,
}

impl Dir {
    pub fn from_key(key: &str) -> Option<Self> {
        match key {
            "ArrowLeft" => Some(Dir::Left),
            "ArrowRight" => Some(Dir::Right),
            "ArrowUp" => Some(Dir::Up),
            "ArrowDown" => Some(Dir::Down),
            _ => None,
        }
    }
}

/// The dot an arrow key moves to from dot `from`: the nearest one lying within 45° of that
/// direction (distance along it counts once, sideways twice), or none at the edge.
pub fn step(points: &[(f32, f32)], from: usize, dir: Dir) -> Option<usize> {
    let &(x0, y0) = points.get(from)?;
    points
        .iter()
        .enumerate()
        .filter(|&(i, _)| i != from)
        .filter_map(|(i, &(x, y))| {
            let (dx, dy) = (x - x0, y - y0);
            // (along, across) the direction; y grows downwards.
            let (along, across) = match dir {
                Dir::Right => (dx, dy),
                Dir::Left => (-dx, dy),
                Dir::Down => (dy, dx),
                Dir::Up => (-dy, dx),
            };
            (along > 0.0 && across.abs() <= along).then_some((i, along + 2.0 * across.abs()))
        })
        .min_by(|a, b| a.1.total_cmp(&b.1))
        .map(|(i, _)| i)
}

/// One class in the map's legend.
#[derive(Debug, Clone, PartialEq)]
pub struct Entry {
    pub class: usize,
    pub name: String,
    pub count: usize,
}

/// The legend: every class that has a dot, by display name, with its number of dots.
pub fn legend<'a>(items: impl Iterator<Item = (usize, &'a str)>) -> Vec<Entry> {
    let mut out: Vec<Entry> = Vec::new();
    for (class, label) in items {
        match out.iter_mut().find(|e| e.class == class) {
            Some(e) => e.count += 1,
            None => out.push(Entry {
                class,
                name: layout::display_name(label),
                count: 1,
            }),
        }
    }
    out.sort_by_key(|e| e.name.to_lowercase());
    out
}

/// The map's drawing size (SVG units) on a page `viewport` CSS pixels wide: wider than tall on a
/// wide screen; square on a phone, where the map spans the screen's width and a wide drawing
/// would leave it a strip (360 × 223 px instead of 360 × 360).
pub fn drawing_size(viewport: f64) -> (f32, f32) {
    if viewport < 600.0 {
        (1000.0, 1000.0)
    } else {
        (1000.0, 620.0)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn zoom_keeps_the_point_under_the_pointer_and_stays_inside() {
        let mut v = MapView::full(1000.0, 500.0);
        assert_eq!(v.view_box(), "0.00 0.00 1000.00 500.00");
        v.zoom_at(250.0, 100.0, 2.0);
        assert_eq!((v.w, v.h(), v.zoom()), (500.0, 250.0, 2.0));
        // The point keeps its place: a quarter across, a fifth down, before and after.
        assert_eq!((v.x, v.y), (125.0, 50.0));
        // Never closer than MAX_ZOOM, never further than the whole drawing.
        v.zoom_at(0.0, 0.0, 1000.0);
        assert_eq!(v.zoom(), MAX_ZOOM);
        v.zoom_at(999.0, 499.0, 0.001);
        assert_eq!(v, MapView::full(1000.0, 500.0));
        // Nonsense changes nothing.
        v.zoom_at(f32::NAN, 0.0, 2.0);
        v.zoom_at(0.0, 0.0, -1.0);
        assert_eq!(v, MapView::full(1000.0, 500.0));
    }

    #[test]
    fn pan_and_reveal_stay_inside_the_drawing() {
        let mut v = MapView::full(1000.0, 500.0);
        v.pan(50.0, 50.0);
        assert_eq!((v.x, v.y), (0.0, 0.0), "nothing to pan at full view");
        v.zoom_centre(4.0);
        assert_eq!((v.x, v.y, v.w), (375.0, 187.5, 250.0));
        v.pan(-1000.0, 30.0);
        assert_eq!((v.x, v.y), (0.0, 217.5));
        v.reveal(900.0, 20.0);
        assert_eq!(
            (v.x, v.y),
            (750.0, 0.0),
            "centred on it, clamped to the edge"
        );
        v.reveal(800.0, 50.0);
        assert_eq!((v.x, v.y), (750.0, 0.0), "already in view: nothing moves");
        assert_eq!(v.at(0.5, 0.5), (875.0, 62.5));
    }

    #[test]
    fn the_nearest_dot_wins_over_the_one_drawn_last() {
        let pts = [(10.0, 10.0), (14.0, 10.0), (100.0, 100.0)];
        assert_eq!(nearest(&pts, 11.0, 10.0, 8.0), Some(0));
        assert_eq!(nearest(&pts, 13.0, 10.0, 8.0), Some(1));
        assert_eq!(nearest(&pts, 50.0, 50.0, 8.0), None);
        assert_eq!(nearest(&[], 0.0, 0.0, 8.0), None);
    }

    #[test]
    fn arrows_move_to_the_nearest_dot_in_their_direction() {
        //   1
        // 0 . 2   3
        //   4
        let pts = [
            (0.0, 10.0),
            (10.0, 0.0),
            (20.0, 10.0),
            (40.0, 10.0),
            (10.0, 20.0),
        ];
        assert_eq!(step(&pts, 0, Dir::Right), Some(2));
        assert_eq!(step(&pts, 2, Dir::Right), Some(3));
        assert_eq!(step(&pts, 3, Dir::Right), None, "the edge");
        // Straight on beats nearer but sideways: 0 (20 away) over 1 and 4 (14 away, at 45°).
        assert_eq!(step(&pts, 2, Dir::Left), Some(0));
        assert_eq!(step(&pts, 0, Dir::Up), Some(1), "45° still counts");
        assert_eq!(
            step(&pts, 4, Dir::Up),
            Some(1),
            "past 2 and 0, which are at 45° too but further"
        );
        assert_eq!(step(&pts, 2, Dir::Up), Some(1));
        assert_eq!(step(&pts, 1, Dir::Down), Some(4));
        assert_eq!(step(&pts, 9, Dir::Down), None);
        assert_eq!(Dir::from_key("ArrowUp"), Some(Dir::Up));
        assert_eq!(Dir::from_key("a"), None);
    }

    #[test]
    fn the_legend_names_each_class_once_in_order() {
        let items = [
            (3, "Canidae_dogs_wolves"),
            (1, "Bell"),
            (3, "Canidae_dogs_wolves"),
            (2, "Acoustic_guitar"),
        ];
        let l = legend(items.into_iter());
        let names: Vec<(&str, usize)> = l.iter().map(|e| (e.name.as_str(), e.count)).collect();
        assert_eq!(
            names,
            vec![("Acoustic guitar", 1), ("Bell", 1), ("Dog / wolf", 2)]
        );
    }

    #[test]
    fn the_map_is_square_on_a_phone_and_wide_on_a_desktop() {
        assert_eq!(drawing_size(360.0), (1000.0, 1000.0));
        assert_eq!(drawing_size(1280.0), (1000.0, 620.0));
        let (w, h) = drawing_size(599.0);
        assert!(
            h >= w,
            "narrow screens get a drawing at least as tall as wide"
        );
    }
}
