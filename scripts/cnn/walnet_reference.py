#!/usr/bin/env python3
"""Convert the aisfx 0.1.2 CNN ("Walnet") to safetensors and write the PyTorch reference fixtures.

Run through scripts/cnn/make (which builds the pinned virtualenv). It

1. loads aisfx/models/checkpoint.pth (PyPI `aisfx` 0.1.2, code MIT, weights CC-BY-4.0) into
   aisfx's own `EmbeddingNet('max', 3, 1, 64)` (via `aisfx.inference.load_bestModel`), keeps the
   embedding network's tensors (the per-dataset classifier heads are not used for embeddings) and
   writes them, under their PyTorch names, to `crates/core/weights/walnet.safetensors` (float16 when that keeps
   every fixture embedding at cosine >= 0.9999 to the float32 network, else float32);
2. computes, for a few real clips committed in crates/core/tests/fixtures, aisfx's own front end
   (`aisfx.spectrogram.spectrogram_essentia.compute_spectrogram`, the ISMIR paper's Essentia
   pipeline, on a float WAV at 44.1 kHz; other rates are first resampled with soxr "HQ", which is
   what the core's resampler reproduces), aisfx's 'original' normalisation and blocking
   (100 frames, hop 50, partial last block dropped) and the network's 512-d embeddings, and writes
   them to crates/core/tests/fixtures/cnn/ (`<name>.logmel.f32`: the normalised log-mel,
   frame-major little-endian float32, n_frames x 96; `walnet.json`: everything else).
"""

import argparse
import json
import os
import sys
import tempfile

import numpy as np
import soundfile as sf
import soxr
import torch
from safetensors.numpy import save_file

import aisfx
from aisfx import inference, preprocessing
from aisfx.spectrogram import spectrogram_essentia

SR = 44100
FIX = "crates/core/tests/fixtures"
# (name, [source WAVs concatenated in this order]); all real recordings already committed.
CLIPS = [
    ("breakbeat44k", ["resample/from44100_breakbeat.wav"]),
    ("choir48k", ["resample/from48000_choir.wav"]),
    ("guitar_em9", ["parity/guitar_em9.wav"]),
    ("drum_loop_amen", ["parity/drum_loop_amen.wav"]),
    (
        "concat6s",
        ["parity/guitar_em9.wav", "parity/tabla_loop.wav", "parity/ambient_lunar_land.wav"],
    ),
]


def load_mono(paths):
    xs, rate = [], None
    for p in paths:
        x, sr = sf.read(os.path.join(FIX, p), dtype="float32", always_2d=True)
        if rate not in (None, sr):
            sys.exit(f"{p}: {sr} Hz, expected {rate}")
        rate = sr
        xs.append(x.mean(axis=1, dtype=np.float64).astype(np.float32))
    return np.concatenate(xs), rate


def front_end(x, rate):
    """aisfx's Essentia spectrogram of `x` (float32, `rate` Hz), normalised as aisfx does."""
    if rate != SR:
        x = soxr.resample(x, rate, SR, quality="HQ").astype(np.float32)
    with tempfile.TemporaryDirectory() as d:
        path = os.path.join(d, "clip.wav")
        sf.write(path, x, SR, subtype="FLOAT")
        spec = spectrogram_essentia.compute_spectrogram(
            filename=path,
            sr=float(SR),
            block_size=inference.SPEC_BLOCK_LENGTH,
            hop_size=inference.SPEC_HOP_LENGTH,
            n_mels=inference.MEL_BINS,
            f_min=inference.F_MIN,
            f_max=inference.F_MAX,
        )
    spec = preprocessing.spectrogram_normalize(np.asarray(spec), spec_norm="original")
    return x, spec.astype(np.float32)


def blocks_of(spec):
    # aisfx.inference.model_get_embedding with emb_hop_size=0.5, drop_partial_block=True, minus
    # compute_hopSize's assertion (it refuses clips of 50 frames or fewer, ~1.2 s; `blocking`
    # itself zero-pads them to one block, which is what the core does).
    hop = int(np.round(inference.EMB_BLOCK_LENGTH * 0.5))
    return preprocessing.blocking(spec, inference.EMB_BLOCK_LENGTH, hop, True)


def embed(net, blocks):
    with torch.no_grad():
        return net(torch.Tensor(blocks)).numpy().astype(np.float64)


def cosine(a, b):
    return float(np.dot(a, b) / (np.linalg.norm(a) * np.linalg.norm(b)))


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--weights-out", default="crates/core/weights/walnet.safetensors")
    ap.add_argument("--fixtures-out", default=f"{FIX}/cnn")
    ap.add_argument("--dtype", choices=["auto", "f16", "f32"], default="auto")
    args = ap.parse_args()
    torch.manual_seed(0)

    weights, ds_dict = torch.load(
        inference.get_path_modelWeights(), map_location="cpu", weights_only=False
    )
    model = inference.load_bestModel(weights, ds_dict, "cpu")
    net = model.embedding_net.eval()
    state = {
        k: v.detach().cpu().float().numpy()
        for k, v in net.state_dict().items()
        if not k.endswith("num_batches_tracked")
    }

    # The f16 network: same graph, weights rounded to float16 (computed in float32).
    net16 = inference.load_bestModel(weights, ds_dict, "cpu").embedding_net.eval()
    with torch.no_grad():
        for p in list(net16.parameters()) + list(net16.buffers()):
            if p.dtype.is_floating_point:
                p.copy_(p.half().float())

    os.makedirs(args.fixtures_out, exist_ok=True)
    clips, worst16 = [], 1.0
    for name, paths in CLIPS:
        x, rate = load_mono(paths)
        x44, spec = front_end(x, rate)
        blocks = blocks_of(spec)
        emb = embed(net, blocks)
        emb16 = embed(net16, blocks)
        cos16 = min(cosine(a, b) for a, b in zip(emb, emb16))
        worst16 = min(worst16, cos16)
        spec.astype("<f4").tofile(os.path.join(args.fixtures_out, f"{name}.logmel.f32"))
        clips.append(
            {
                "name": name,
                "sources": paths,
                "source_rate": int(rate),
                "n_samples_source": int(len(x)),
                "n_samples_44k": int(len(x44)),
                "n_frames": int(spec.shape[0]),
                "n_blocks": int(blocks.shape[0]),
                "f16_weights_cosine_min": cos16,
                "embeddings": [[float(f"{v:.7g}") for v in e] for e in emb],
            }
        )
        print(
            f"{name}: {rate} Hz, {len(x)} samples -> {spec.shape[0]} frames, "
            f"{blocks.shape[0]} blocks; f16 weights cosine {cos16:.7f}"
        )

    dtype = args.dtype
    if dtype == "auto":
        dtype = "f16" if worst16 >= 0.9999 else "f32"
    np_dtype = np.float16 if dtype == "f16" else np.float32
    tensors = {k: np.ascontiguousarray(v.astype(np_dtype)) for k, v in state.items()}
    meta = {
        "model": "aisfx 0.1.2 X-Sequential-CE EmbeddingNet('max', 3, 1, 64)",
        "licence": "weights CC-BY-4.0 (Alison B. Ma, Alexander Lerch, aisfx), code MIT",
        "dtype": dtype,
        "input": "log10(1e4 * mel_power + 1) / 9.457798957824707, 100 frames x 96 bands",
    }
    os.makedirs(os.path.dirname(args.weights_out) or ".", exist_ok=True)
    save_file(tensors, args.weights_out, metadata=meta)
    size = os.path.getsize(args.weights_out)
    print(f"{args.weights_out}: {dtype}, {size} bytes, worst f16 cosine {worst16:.7f}")

    manifest = {
        "generator": "scripts/cnn/walnet_reference.py",
        "versions": {
            "aisfx": "0.1.2",
            "torch": torch.__version__,
            "numpy": np.__version__,
            "essentia": __import__("essentia").__version__,
            "soxr": soxr.__version__,
            "soundfile": sf.__version__,
            "python": sys.version.split()[0],
        },
        "front_end": {
            "sample_rate": SR,
            "frame": 2048,
            "hop": 1024,
            "window": "hann (symmetric, Essentia), frames centred on k*hop, ceil(n/hop)+1 frames",
            "mel": "96 bands 0-22050 Hz, HTK mel, triangles in mel (Essentia weighting=warping), "
            "unit_sum, power spectrum",
            "log": "log10(1e4 * x + 1)",
            "norm": "(x - 0) / 9.457798957824707",
            "resampling": "soxr HQ to 44100 Hz when the source rate differs",
            "blocks": "100 frames, hop 50, partial last block dropped, at least one block "
            "(zero-padded)",
        },
        "weights": {"file": args.weights_out, "dtype": dtype, "bytes": size},
        "clips": clips,
    }
    with open(os.path.join(args.fixtures_out, "walnet.json"), "w") as f:
        json.dump(manifest, f, indent=1)
        f.write("\n")


if __name__ == "__main__":
    main()
