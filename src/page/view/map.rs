//! The map of all bundled sounds: every item once (static), the shown results and the query
//! on top (reactive), a legend that picks out a class, zoom and pan. The dot nearest the
//! pointer is named; resting on it plays it; a click searches with it. On a touch screen a tap
//! picks a dot and a second tap plays it; from the keyboard the arrows move between dots.
//! What the view shows and which dot is meant is `earshot_web::map`'s.

use std::time::Duration;

use earshot_web::layout::{self, Frame};
use earshot_web::map::{self, Dir, MapView};
use leptos::ev;
use leptos::prelude::*;
use wasm_bindgen::JsCast;

use crate::page::dom;
use crate::page::shell::Shell;

/// The map's drawing size (SVG user units).
/// How long the pointer rests on a dot before it plays.
const DWELL: Duration = Duration::from_millis(300);
/// How far (CSS pixels) from a dot the pointer still means it.
const REACH_PX: f32 = 12.0;

/// Where a press started (client x, y) and what was shown then: a drag pans the map.
#[derive(Clone, Copy)]
struct Press {
    x: f64,
    y: f64,
    view: MapView,
    moved: bool,
    touch: bool,
}

#[component]
pub fn Map() -> impl IntoView {
    let shell = expect_context::<Shell>();
    let catalog = shell.catalog;
    let (map_w, map_h) = map::drawing_size(
        web_sys::window()
            .and_then(|w| w.inner_width().ok())
            .and_then(|w| w.as_f64())
            .unwrap_or(1280.0),
    );
    let frame = Memo::new(move |_| {
        catalog.with(|c| {
            let pts: Vec<[f32; 2]> = c
                .iter()
                .flat_map(|c| c.items.iter().map(|i| [i.x, i.y]))
                .collect();
            Frame::fit(&pts, map_w, map_h, 14.0)
        })
    });
    // Every dot's place in the drawing, by item.
    let placed = Memo::new(move |_| {
        let f = frame.get();
        catalog.with(|c| {
            c.iter()
                .flat_map(|c| c.items.iter().map(|it| f.place([it.x, it.y])))
                .collect::<Vec<_>>()
        })
    });
    let legend = Memo::new(move |_| {
        catalog.with(|c| {
            c.as_ref()
                .map(|c| map::legend(c.items.iter().map(|i| (i.class, i.label.as_str()))))
                .unwrap_or_default()
        })
    });
    let view = RwSignal::new(MapView::full(map_w, map_h));
    // The dot meant (under the pointer, tapped, or reached by the arrows).
    let focus = RwSignal::new(None::<usize>);
    let class = RwSignal::new(None::<usize>);
    let dwell = StoredValue::new_local(None::<TimeoutHandle>);
    let press = StoredValue::new(None::<Press>);
    let svg_ref = NodeRef::<leptos::svg::Svg>::new();

    // Every item's dot, or (`only`) one class's: the class picked in the legend is drawn again
    // on top of the faded others.
    let dots = move |only: Option<usize>| {
        let pts = placed.get();
        catalog.with(|c| {
            c.iter()
                .flat_map(|c| c.items.iter().enumerate())
                .zip(pts)
                .filter(|((_, it), _)| only.is_none_or(|k| it.class == k))
                .map(|((i, it), (x, y))| {
                    view! {
                        <circle
                            class=if only.is_some() { "point picked" } else { "point" }
                            data-testid=only.map(|_| "map-picked")
                            cx=format!("{x:.1}")
                            cy=format!("{y:.1}")
                            r="4"
                            fill=layout::class_colour(it.class)
                            data-item=i.to_string()
                        ></circle>
                    }
                })
                .collect::<Vec<_>>()
        })
    };
    let points = move || dots(None);
    let picked = move || class.get().map(|k| dots(Some(k))).unwrap_or_default();
    let hits = move || {
        let Some(a) = shell.answer.get() else {
            return Vec::new();
        };
        let pts = placed.get();
        let mut out: Vec<_> = a
            .results
            .iter()
            .filter(|r| r.mine.is_none())
            .filter_map(|r| pts.get(r.item).map(|&p| (r.item, p)))
            .map(|(i, (x, y))| {
                view! {
                    <circle class="hit" data-testid="map-hit" cx=format!("{x:.1}") cy=format!("{y:.1}") r="8" data-item=i.to_string()></circle>
                }
                .into_any()
            })
            .collect();
        let (qx, qy) = frame.get().place(a.point);
        out.push(
            view! {
                <g class="query" data-testid="map-query" transform=format!("translate({qx:.1} {qy:.1})")>
                    <circle r="11"></circle>
                    <path d="M -7 0 H 7 M 0 -7 V 7"></path>
                </g>
            }
            .into_any(),
        );
        out
    };

    // The drawing point under a pointer event, and how many drawing units a CSS pixel is.
    let locate = move |ev: &ev::MouseEvent| -> Option<((f32, f32), f32)> {
        let svg = svg_ref.get_untracked()?;
        let el: &web_sys::Element = svg.unchecked_ref();
        let r = el.get_bounding_client_rect();
        if r.width() <= 0.0 || r.height() <= 0.0 {
            return None;
        }
        let fx = ((f64::from(ev.client_x()) - r.left()) / r.width()) as f32;
        let fy = ((f64::from(ev.client_y()) - r.top()) / r.height()) as f32;
        let v = view.get_untracked();
        Some((v.at(fx, fy), v.w / r.width() as f32))
    };
    let under = move |ev: &ev::MouseEvent| -> Option<usize> {
        let ((x, y), unit) = locate(ev)?;
        placed.with_untracked(|p| map::nearest(p, x, y, REACH_PX * unit))
    };
    let cancel_dwell = move || {
        if let Some(h) = dwell.get_value() {
            h.clear();
        }
        dwell.set_value(None);
    };
    // The pointer rests on `i`: it plays after a moment, unless the pointer moves on.
    let rest_on = move |i: usize| {
        cancel_dwell();
        let handle = set_timeout_with_handle(
            move || {
                if focus.get_untracked() == Some(i) && shell.playing.get_untracked() != Some(i) {
                    shell.play_item(i);
                }
            },
            DWELL,
        )
        .ok();
        dwell.set_value(handle);
    };
    let search_with = move |i: usize| {
        cancel_dwell();
        shell.find_similar(i);
        dom::scroll_into_view("[data-testid=results]");
    };

    let on_move = move |ev: ev::PointerEvent| {
        if let Some(mut p) = press.get_value() {
            // A drag pans (a few pixels of jitter do not).
            let (dx, dy) = (
                f64::from(ev.client_x()) - p.x,
                f64::from(ev.client_y()) - p.y,
            );
            if p.moved || dx.hypot(dy) > 6.0 {
                p.moved = true;
                press.set_value(Some(p));
                if let Some(svg) = svg_ref.get_untracked() {
                    let w = svg
                        .unchecked_ref::<web_sys::Element>()
                        .get_bounding_client_rect()
                        .width();
                    if w > 0.0 {
                        let unit = (p.view.w as f64 / w) as f32;
                        let mut v = p.view;
                        v.pan(-(dx as f32) * unit, -(dy as f32) * unit);
                        view.set(v);
                    }
                }
                return;
            }
        }
        if ev.pointer_type() == "touch" {
            return;
        }
        let i = under(&ev);
        if i != focus.get_untracked() {
            focus.set(i);
            match i {
                Some(i) => rest_on(i),
                None => cancel_dwell(),
            }
        }
    };
    let on_down = move |ev: ev::PointerEvent| {
        press.set_value(Some(Press {
            x: f64::from(ev.client_x()),
            y: f64::from(ev.client_y()),
            view: view.get_untracked(),
            moved: false,
            touch: ev.pointer_type() == "touch",
        }));
    };
    let on_click = move |ev: ev::MouseEvent| {
        let p = press.get_value();
        press.set_value(None);
        if p.is_some_and(|p| p.moved) {
            return;
        }
        let Some(i) = under(&ev) else {
            return;
        };
        if p.is_some_and(|p| p.touch) {
            // A tap names the dot; a second tap on it plays it.
            if focus.get_untracked() == Some(i) {
                shell.toggle_item(i);
            } else {
                focus.set(Some(i));
            }
        } else {
            search_with(i);
        }
    };
    let on_leave = move |ev: ev::PointerEvent| {
        // A finger leaves the map after every tap: only a mouse leaving ends a press or a rest.
        if ev.pointer_type() != "touch" {
            press.set_value(None);
            cancel_dwell();
        }
    };
    let on_wheel = move |ev: ev::WheelEvent| {
        // Ctrl + wheel (and a trackpad's pinch) zooms; the plain wheel scrolls the page.
        if !(ev.ctrl_key() || ev.meta_key()) {
            return;
        }
        ev.prevent_default();
        if let Some(((x, y), _)) = locate(&ev) {
            let factor = if ev.delta_y() < 0.0 { 1.25 } else { 0.8 };
            view.update(|v| v.zoom_at(x, y, factor));
        }
    };
    let on_key = move |ev: ev::KeyboardEvent| {
        let key = ev.key();
        if let Some(dir) = Dir::from_key(&key) {
            ev.prevent_default();
            let next = placed.with_untracked(|p| match focus.get_untracked() {
                Some(i) => map::step(p, i, dir),
                // From nothing: the dot nearest the middle of what is shown.
                None => {
                    let v = view.get_untracked();
                    let (x, y) = v.at(0.5, 0.5);
                    map::nearest(p, x, y, f32::INFINITY)
                }
            });
            if let Some(i) = next {
                focus.set(Some(i));
                if let Some(&(x, y)) = placed.with_untracked(|p| p.get(i).copied()).as_ref() {
                    view.update(|v| v.reveal(x, y));
                }
            }
            return;
        }
        match key.as_str() {
            " " | "Spacebar" => {
                if let Some(i) = focus.get_untracked() {
                    ev.prevent_default();
                    shell.toggle_item(i);
                }
            }
            "Enter" => {
                if let Some(i) = focus.get_untracked() {
                    ev.prevent_default();
                    search_with(i);
                }
            }
            "+" | "=" => view.update(|v| v.zoom_centre(2.0)),
            "-" => view.update(|v| v.zoom_centre(0.5)),
            "0" => view.set(MapView::full(map_w, map_h)),
            _ => {}
        }
    };

    // The name of the dot meant, placed over the map at that dot.
    let named = move || {
        let i = focus.get()?;
        let (x, y) = placed.with(|p| p.get(i).copied())?;
        let v = view.get();
        let (fx, fy) = ((x - v.x) / v.w, (y - v.y) / v.h());
        if !(0.0..=1.0).contains(&fx) || !(0.0..=1.0).contains(&fy) {
            return None;
        }
        let (name, source) = catalog.with(|c| {
            c.as_ref()
                .and_then(|c| c.items.get(i))
                .map(|it| (layout::display_name(&it.label), it.source.clone()))
        })?;
        Some((i, name, source, fx, fy))
    };
    let label = move || {
        named().map(|(_, name, _, fx, fy)| {
            view! {
                <span
                    class="map-label"
                    data-testid="map-label"
                    style:left=format!("{:.2}%", fx * 100.0)
                    style:top=format!("{:.2}%", fy * 100.0)
                >
                    {name}
                </span>
            }
        })
    };
    let ring = move || {
        let i = focus.get()?;
        let (x, y) = placed.with(|p| p.get(i).copied())?;
        Some(
            view! { <circle class="ring" data-testid="map-ring" data-item=i.to_string() cx=format!("{x:.1}") cy=format!("{y:.1}") r="9"></circle> },
        )
    };
    let info = move || {
        named().map(|(i, name, source, _, _)| {
            view! {
                <span class="map-name">{name}</span>
                <span class="source">{format!("from {source}")}</span>
                <button type="button" class="small" data-testid="map-play" on:click=move |_| shell.toggle_item(i)>
                    {move || if shell.playing.get() == Some(i) { "Stop" } else { "Play" }}
                </button>
                <button type="button" class="small" data-testid="map-similar" on:click=move |_| search_with(i)>
                    "Similar"
                </button>
            }
        })
    };
    let entries = move || {
        legend
            .get()
            .into_iter()
            .map(|e| {
                let k = e.class;
                let on = move || class.get() == Some(k);
                view! {
                    <li>
                        <button
                            type="button"
                            class="legend-item"
                            data-testid="legend-item"
                            data-class=k.to_string()
                            data-count=e.count.to_string()
                            aria-pressed=move || if on() { "true" } else { "false" }
                            on:click=move |_| class.update(|c| *c = if *c == Some(k) { None } else { Some(k) })
                        >
                            <span class="swatch" aria-hidden="true" style:background=layout::class_colour(k)></span>
                            {e.name.clone()}
                            <span class="count">{e.count}</span>
                        </button>
                    </li>
                }
            })
            .collect::<Vec<_>>()
    };
    let n_items = move || catalog.with(|c| c.as_ref().map_or(0, |c| c.items.len()));
    view! {
        <section class="map-panel" aria-label="Map of all sounds">
            <div class="panel-head">
                <h2>"Map of all sounds"</h2>
                <div class="exports" role="group" aria-label="Zoom">
                    <button type="button" class="small" data-testid="map-zoom-in" aria-label="Zoom in" on:click=move |_| view.update(|v| v.zoom_centre(2.0))>"+"</button>
                    <button type="button" class="small" data-testid="map-zoom-out" aria-label="Zoom out" on:click=move |_| view.update(|v| v.zoom_centre(0.5))>"−"</button>
                    <button type="button" class="small" data-testid="map-reset" on:click=move |_| view.set(MapView::full(map_w, map_h))>"Whole map"</button>
                </div>
            </div>
            <p class="hint">
                "Each dot is a sound, coloured by class; nearby dots sound alike. Rest the pointer on a dot to hear it, click to search with it (on a touch screen: tap to pick, tap again to hear). Drag to move, Ctrl + wheel or +/− to zoom. With the map focused: arrows move between dots, Space plays, Enter searches. The cross is your query, rings its results."
            </p>
            <div class="map-frame">
                <svg
                    data-testid="map"
                    class="map"
                    class:filtered=move || class.with(Option::is_some)
                    node_ref=svg_ref
                    viewBox=move || view.get().view_box()
                    style:--zoom=move || format!("{:.3}", view.get().zoom())
                    data-zoom=move || format!("{:.3}", view.get().zoom())
                    tabindex="0"
                    role="application"
                    aria-roledescription="map"
                    aria-label=move || format!("Map of the {} indexed sounds. Arrow keys move between dots, Space plays, Enter searches with the dot.", n_items())
                    data-points=move || n_items().to_string()
                    on:pointerdown=on_down
                    on:pointermove=on_move
                    on:pointerleave=on_leave
                    on:click=on_click
                    on:wheel=on_wheel
                    on:keydown=on_key
                >
                    <g class="points">{points}</g>
                    <g class="picked-class">{picked}</g>
                    <g class="hits">{hits}</g>
                    <g class="focus">{ring}</g>
                </svg>
                {label}
            </div>
            <p class="map-info" data-testid="map-info" aria-live="polite">{info}</p>
            <ul class="legend" data-testid="map-legend" aria-label="Classes: pick one to show only its sounds">{entries}</ul>
        </section>
    }
}
