//! The page's side of the search worker: starts it, queues requests until it says it is
//! listening, and hands every reply (header + typed arrays) to one callback.

use std::cell::RefCell;
use std::rc::Rc;

use earshot_web::envelope;
use earshot_web::protocol::{self, Request, Response};
use js_sys::{Array, Object};
use wasm_bindgen::prelude::*;
use wasm_bindgen::JsCast;
use web_sys::{MessageEvent, Worker};

/// Written by trunk next to the page (`data-type="worker"` with `data-loader-shim`).
pub const WORKER_SCRIPT: &str = "./earshot-worker_loader.js";

type OnReply = Box<dyn Fn(u32, Response, Vec<JsValue>)>;

struct Shared {
    started: bool,
    queue: Vec<(Object, Array)>,
}

#[derive(Clone)]
pub struct Client {
    worker: Worker,
    shared: Rc<RefCell<Shared>>,
    next: Rc<RefCell<u32>>,
}

impl Client {
    pub fn start(on_reply: impl Fn(u32, Response, Vec<JsValue>) + 'static) -> Result<Self, String> {
        let worker = Worker::new(WORKER_SCRIPT)
            .map_err(|_| "This browser could not start earshot's search worker.".to_owned())?;
        let shared = Rc::new(RefCell::new(Shared {
            started: false,
            queue: Vec::new(),
        }));
        let on_reply: OnReply = Box::new(on_reply);
        let handler = {
            let shared = shared.clone();
            let worker = worker.clone();
            Closure::<dyn FnMut(MessageEvent)>::new(move |ev: MessageEvent| {
                let (id, json, arrays) = envelope::unpack(&ev.data());
                let arrays: Vec<JsValue> = arrays.iter().collect();
                let response = protocol::decode_response(&json)
                    .unwrap_or_else(|message| Response::Error { message });
                if response == Response::Started {
                    let queued = {
                        let mut s = shared.borrow_mut();
                        s.started = true;
                        std::mem::take(&mut s.queue)
                    };
                    for (msg, transfer) in queued {
                        let _ = worker.post_message_with_transfer(&msg, &transfer);
                    }
                    return;
                }
                on_reply(id, response, arrays);
            })
        };
        worker.set_onmessage(Some(handler.as_ref().unchecked_ref()));
        handler.forget();
        let on_error = Closure::<dyn FnMut(JsValue)>::new(move |_| {
            web_sys::console::error_1(&"earshot: the search worker failed to start".into());
        });
        worker.set_onerror(Some(on_error.as_ref().unchecked_ref()));
        on_error.forget();
        Ok(Self {
            worker,
            shared,
            next: Rc::new(RefCell::new(1)),
        })
    }

    /// Send `request` (with the typed `arrays` moved to the worker); returns its id.
    pub fn send(&self, request: &Request, arrays: &[JsValue]) -> u32 {
        let id = {
            let mut n = self.next.borrow_mut();
            *n += 1;
            *n
        };
        let (msg, transfer) = envelope::pack(id, &protocol::encode(request), arrays);
        let mut s = self.shared.borrow_mut();
        if s.started {
            let _ = self.worker.post_message_with_transfer(&msg, &transfer);
        } else {
            s.queue.push((msg, transfer));
        }
        id
    }
}
