//! "Sounds like": the shown answer's labels and words, and for an audio query its facts,
//! waveform and mel spectrogram.

use earshot_web::analysis;
use earshot_web::layout;
use earshot_web::protocol::ClipFacts;
use leptos::html;
use leptos::prelude::*;

use crate::page::draw;
use crate::page::shell::Shell;

#[component]
pub fn QueryPanel() -> impl IntoView {
    let shell = expect_context::<Shell>();
    let (answer, clip) = (shell.answer, shell.clip);
    let labels = move || {
        answer.with(|a| {
            a.iter()
                .flat_map(|a| a.labels.iter().take(5))
                .map(|l| {
                    view! {
                        <li data-testid="label-item" data-label=l.name.clone() data-score=l.score.to_string()>
                            <span class="label">{layout::display_name(&l.name)}</span>
                            <span class="bar" aria-hidden="true">
                                <span style:width=format!("{:.1}%", layout::percent(l.score))></span>
                            </span>
                            <span class="score">{format!("{:.0}%", layout::percent(l.score))}</span>
                        </li>
                    }
                })
                .collect::<Vec<_>>()
        })
    };
    let words = move || {
        answer.with(|a| {
            a.iter()
                .flat_map(|a| a.words.iter().take(12))
                .map(|w| {
                    view! {
                        <li data-testid="word-item" data-word=w.name.clone() data-score=w.score.to_string()>
                            {w.name.clone()}
                        </li>
                    }
                })
                .collect::<Vec<_>>()
        })
    };

    // Canvases follow the query clip and the window size.
    let wave_ref = NodeRef::<html::Canvas>::new();
    let spec_ref = NodeRef::<html::Canvas>::new();
    Effect::new(move |_| {
        shell.redraw.track();
        let (Some(wave), Some(spec)) = (wave_ref.get(), spec_ref.get()) else {
            return;
        };
        clip.with(|c| match c {
            Some(c) => {
                draw::paint_waveform(&wave, &c.envelope);
                draw::paint_spectrogram(&spec, &c.mel);
            }
            None => {
                draw::clear(&wave);
                draw::clear(&spec);
            }
        });
    });
    let facts = move || clip.with(|c| c.as_ref().map(|c| c.facts.clone()));
    // A fact of the clip, or a dash without one.
    let fact =
        move |f: fn(ClipFacts) -> String| move || facts().map(f).unwrap_or_else(|| "—".to_owned());
    view! {
        <section class="query-panel" aria-label="About the query">
            <h2>"Sounds like"</h2>
            <ol class="labels" data-testid="labels" aria-label="Predicted labels">{labels}</ol>
            <ul class="words" data-testid="words" aria-label="Nearest words">{words}</ul>
            // Facts and plots belong to an audio query: hidden for text and "similar".
            <div class="clip" data-testid="clip" hidden=move || clip.with(Option::is_none)>
            <dl class="facts">
                <div>
                    <dt>"File"</dt>
                    <dd data-testid="file-name">{fact(|f| f.name)}</dd>
                </div>
                <div>
                    <dt>"Duration"</dt>
                    <dd data-testid="duration" data-seconds=move || facts().map(|f| f.seconds.to_string())>
                        {fact(|f| analysis::format_seconds(f.seconds))}
                    </dd>
                </div>
                <div>
                    <dt>"Frames"</dt>
                    <dd data-testid="frames" data-frames=move || facts().map(|f| f.frames.to_string())>
                        {fact(|f| f.frames.to_string())}
                    </dd>
                </div>
                <div>
                    <dt>"Source"</dt>
                    <dd data-testid="source">{fact(|f| analysis::format_source(f.native_rate, f.channels, f.analysed_at))}</dd>
                </div>
            </dl>
            <figure class="plot">
                <figcaption>"Waveform"</figcaption>
                <canvas data-testid="waveform" node_ref=wave_ref role="img" aria-label="Waveform of the query audio"></canvas>
            </figure>
            <figure class="plot">
                <figcaption>"Mel spectrogram (time →, low pitch at the bottom)"</figcaption>
                <canvas data-testid="spectrogram" class="tall" node_ref=spec_ref role="img" aria-label="Mel spectrogram of the query audio"></canvas>
            </figure>
            </div>
        </section>
    }
}
