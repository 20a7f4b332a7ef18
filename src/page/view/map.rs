//! The map of all bundled sounds: every item once (static), the shown results and the query
//! on top (reactive). Hover plays a dot, a click searches with it.

use earshot_web::layout::{self, Frame};
use leptos::ev;
use leptos::prelude::*;

use crate::page::dom;
use crate::page::shell::Shell;

/// The map's drawing size (SVG user units).
const MAP_W: f32 = 1000.0;
const MAP_H: f32 = 620.0;

#[component]
pub fn Map() -> impl IntoView {
    let shell = expect_context::<Shell>();
    let catalog = shell.catalog;
    let frame = Memo::new(move |_| {
        catalog.with(|c| {
            let pts: Vec<[f32; 2]> = c
                .iter()
                .flat_map(|c| c.items.iter().map(|i| [i.x, i.y]))
                .collect();
            Frame::fit(&pts, MAP_W, MAP_H, 14.0)
        })
    });
    let points = move || {
        let f = frame.get();
        catalog.with(|c| {
            c.iter()
                .flat_map(|c| c.items.iter().enumerate())
                .map(|(i, it)| {
                    let (x, y) = f.place([it.x, it.y]);
                    view! {
                        <circle
                            class="point"
                            cx=format!("{x:.1}")
                            cy=format!("{y:.1}")
                            r="4"
                            fill=layout::class_colour(it.class)
                            data-item=i.to_string()
                        >
                            <title>{format!("{} ({})", layout::display_name(&it.label), it.id)}</title>
                        </circle>
                    }
                })
                .collect::<Vec<_>>()
        })
    };
    let hits = move || {
        let f = frame.get();
        let (Some(a), Some(c)) = (shell.answer.get(), catalog.get()) else {
            return Vec::new();
        };
        let mut out: Vec<_> = a
            .results
            .iter()
            .filter(|r| r.mine.is_none())
            .filter_map(|r| c.items.get(r.item).map(|it| (r.item, it)))
            .map(|(i, it)| {
                let (x, y) = f.place([it.x, it.y]);
                view! {
                    <circle class="hit" data-testid="map-hit" cx=format!("{x:.1}") cy=format!("{y:.1}") r="8" data-item=i.to_string()></circle>
                }
                .into_any()
            })
            .collect();
        let (qx, qy) = f.place(a.point);
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
    let on_click = move |ev: ev::MouseEvent| {
        if let Some(i) = dom::data_item(&ev) {
            shell.find_similar(i);
        }
    };
    let on_hover = move |ev: ev::MouseEvent| {
        if let Some(i) = dom::data_item(&ev) {
            if shell.playing.get_untracked() != Some(i) {
                shell.play_item(i);
            }
        }
    };
    let n_items = move || catalog.with(|c| c.as_ref().map_or(0, |c| c.items.len()));
    view! {
        <section class="map-panel" aria-label="Map of all sounds">
            <h2>"Map of all sounds"</h2>
            <p class="hint">"Each dot is a sound, coloured by class; nearby dots sound alike. Hover to listen, click to search with it. The cross is your query, rings its results."</p>
            <svg
                data-testid="map"
                class="map"
                viewBox=format!("0 0 {MAP_W} {MAP_H}")
                role="img"
                aria-label=move || format!("Map of the {} indexed sounds", n_items())
                data-points=move || n_items().to_string()
                on:click=on_click
                on:mouseover=on_hover
            >
                <g class="points">{points}</g>
                <g class="hits">{hits}</g>
            </svg>
        </section>
    }
}
