#!/usr/bin/env python3
"""check_gpt.py: recompute the transformer's predictions, logit lens and a causal trace from
a GPT-2 checkpoint folder with NumPy alone, and compare them with factlab-cli's JSON.

  scripts/check_gpt.py --cli build/native-release/factlab-cli --out DIR [--model SRC] [PROMPT ...]

The folder is written by `factlab-cli gpt export` (from --model SRC, or the built-in model),
then read back here from its files only: config.json, vocab.json and model.safetensors
(GPT-2's names, (in, out) layout, F32 or F16). The trace uses noise drawn here and passed with
--noise, so both sides add exactly the same samples. Exit 0 when every number agrees.
"""
import argparse
import json
import os
import struct
import subprocess
import sys

import numpy as np

TOL = 2e-4  # float32 on both sides, different summation orders


def load_folder(d):
    cfg = json.load(open(os.path.join(d, "config.json")))
    vocab = json.load(open(os.path.join(d, "vocab.json")))
    words = [None] * len(vocab)
    for w, i in vocab.items():
        words[i] = w
    raw = open(os.path.join(d, "model.safetensors"), "rb").read()
    (n,) = struct.unpack("<Q", raw[:8])
    header = json.loads(raw[8:8 + n])
    data = raw[8 + n:]
    t = {}
    for name, e in header.items():
        if name == "__metadata__":
            continue
        b, f = e["data_offsets"]
        dt = {"F32": np.float32, "F16": np.float16}[e["dtype"]]
        t[name.replace("transformer.", "")] = np.frombuffer(data[b:f], dtype=dt).astype(np.float32).reshape(e["shape"])
    return cfg, words, t


def split_words(text):
    out = []
    for w in text.split():
        core = w.rstrip(",;:?!")
        if core:
            out.append(core)
        out.extend(list(w[len(core):]))
    return out


def layernorm(x, w, b, eps):
    m = x.mean(-1, keepdims=True)
    v = ((x - m) ** 2).mean(-1, keepdims=True)
    return (x - m) / np.sqrt(v + eps) * w + b


def gelu(x):
    return 0.5 * x * (1 + np.tanh(np.sqrt(2 / np.pi) * (x + 0.044715 * x ** 3)))


def softmax(x):
    e = np.exp(x - x.max(-1, keepdims=True))
    return e / e.sum(-1, keepdims=True)


def forward(cfg, t, ids, noise=None, noise_pos=None, patch=None):
    """GPT-2 forward. patch = (site, layer, position, value) replaces one row. Returns
    (logits of every position, residual after every block, {site: [per layer (T, d)]})."""
    L, H, eps = cfg["n_layer"], cfg["n_head"], cfg["layer_norm_epsilon"]
    T = len(ids)
    x = t["wte.weight"][ids].copy()
    if noise is not None:
        x[noise_pos] += noise
    x = x + t["wpe.weight"][:T]
    resid, sites = [], {"resid_post": [], "mlp_out": [], "attn_out": []}
    d = x.shape[1]
    dh = d // H
    mask = np.triu(np.ones((T, T), bool), 1)
    for l in range(L):
        p = "h.%d." % l
        h = layernorm(x, t[p + "ln_1.weight"], t[p + "ln_1.bias"], eps)
        qkv = h @ t[p + "attn.c_attn.weight"] + t[p + "attn.c_attn.bias"]
        q, k, v = qkv[:, :d], qkv[:, d:2 * d], qkv[:, 2 * d:]
        z = np.zeros((T, d), np.float32)
        for hh in range(H):
            s = slice(hh * dh, (hh + 1) * dh)
            a = q[:, s] @ k[:, s].T / np.sqrt(dh)
            a[mask] = -np.inf
            z[:, s] = softmax(a) @ v[:, s]
        att = z @ t[p + "attn.c_proj.weight"] + t[p + "attn.c_proj.bias"]
        if patch and patch[0] == "attn_out" and patch[1] == l:
            att[patch[2]] = patch[3]
        x = x + att
        h = layernorm(x, t[p + "ln_2.weight"], t[p + "ln_2.bias"], eps)
        mlp = gelu(h @ t[p + "mlp.c_fc.weight"] + t[p + "mlp.c_fc.bias"]) @ t[p + "mlp.c_proj.weight"] + t[p + "mlp.c_proj.bias"]
        if patch and patch[0] == "mlp_out" and patch[1] == l:
            mlp[patch[2]] = patch[3]
        x = x + mlp
        if patch and patch[0] == "resid_post" and patch[1] == l:
            x[patch[2]] = patch[3]
        resid.append(x.copy())
        sites["resid_post"].append(x.copy())
        sites["mlp_out"].append(mlp)
        sites["attn_out"].append(att)
    logits = layernorm(x, t["ln_f.weight"], t["ln_f.bias"], eps) @ t["wte.weight"].T
    return logits, resid, sites


def trunc(path):
    b = open(path, "rb").read()
    open(path, "wb").write(b[:len(b) // 2])


def patch_json(path, key, value):
    j = json.load(open(path))
    j[key] = value
    json.dump(j, open(path, "w"))


def nan_weight(path):
    b = bytearray(open(path, "rb").read())
    (n,) = struct.unpack("<Q", b[:8])
    h = json.loads(b[8:8 + n])
    at = 8 + n + h["transformer.wte.weight"]["data_offsets"][0] + 4 * 3
    dt = h["transformer.wte.weight"]["dtype"]
    b[at:at + (4 if dt == "F32" else 2)] = struct.pack("<f", float("nan")) if dt == "F32" else b"\x00\x7e"
    open(path, "wb").write(bytes(b))


def cli_json(cli, *args):
    cmd = (["node", cli] if cli.endswith(".js") else [cli]) + ["gpt", *args, "--json"]   # the wasm CLI runs under node
    r = subprocess.run(cmd, capture_output=True, text=True)
    if r.returncode != 0:
        sys.exit("factlab-cli gpt %s failed: %s" % (" ".join(args), r.stderr.strip()))
    return json.loads(r.stdout)


def save_npy3(path, a):
    a = np.ascontiguousarray(a, dtype="<f4")
    np.save(path, a)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--cli", required=True)
    ap.add_argument("--out", required=True, help="folder the model is exported to")
    ap.add_argument("--model", help="model folder to check (default: the built-in model)")
    ap.add_argument("--samples", type=int, default=3)
    ap.add_argument("prompts", nargs="*")
    a = ap.parse_args()
    prompts = a.prompts or ["Michael Jordan plays the sport of", "The sport played by Michael Jordan is",
                            "Larry Bird played for the"]
    model = ["--model", a.model] if a.model else []
    cli_json(a.cli, "export", *model, "--out", a.out)
    cfg, words, t = load_folder(a.out)
    ids_of = {w: i for i, w in enumerate(words)}
    mm = ["--model", a.out]
    worst = 0.0
    failures = 0

    def close(name, got, want):
        nonlocal worst, failures
        err = float(np.max(np.abs(np.asarray(got, np.float64) - np.asarray(want, np.float64))))
        worst = max(worst, err)
        if not err <= TOL:
            failures += 1
            print("MISMATCH %s: max |diff| %.3g" % (name, err))

    rng = np.random.default_rng(7)
    for prompt in prompts:
        toks = split_words(prompt)
        ids = [ids_of[w] for w in toks]
        logits, resid, sites = forward(cfg, t, ids)
        probs = softmax(logits[-1])
        # predict
        pj = cli_json(a.cli, "predict", *mm, "--prompt", prompt, "--top", "5")
        if pj["tokens"] != toks:
            failures += 1
            print("MISMATCH tokens of %r: %s vs %s" % (prompt, pj["tokens"], toks))
        for e in pj["top"]:
            close("predict p(%s) | %s" % (e["token"], prompt), e["probability"], probs[ids_of[e["token"]]])
        if pj["top"][0]["token"] != words[int(np.argmax(probs))]:
            failures += 1
            print("MISMATCH top token of %r" % prompt)
        # lens: every layer, every position's top tokens
        lj = cli_json(a.cli, "lens", *mm, "--prompt", prompt, "--top", "3")
        eps = cfg["layer_norm_epsilon"]
        for l, layer in enumerate(lj["layers"]):
            lp = softmax(layernorm(resid[l], t["ln_f.weight"], t["ln_f.bias"], eps) @ t["wte.weight"].T)
            for i, cell in enumerate(layer["positions"]):
                for e in cell:
                    close("lens layer %d pos %d %s" % (l, i, e["token"]), e["probability"], lp[i, ids_of[e["token"]]])
        close("lens last layer = output", [e["probability"] for e in lj["layers"][-1]["top"]],
              [probs[ids_of[e["token"]]] for e in lj["layers"][-1]["top"]])
        # trace with explicit noise
        tj0 = cli_json(a.cli, "trace", *mm, "--prompt", prompt, "--samples", "1")
        f, e_ = tj0["subject_range"]
        S = e_ - f
        sd = 3 * float(t["wte.weight"].std())
        noise = (rng.standard_normal((a.samples, S, cfg["n_embd"])) * sd).astype(np.float32)
        npy = os.path.join(a.out, "noise.npy")
        save_npy3(npy, noise)
        tj = cli_json(a.cli, "trace", *mm, "--prompt", prompt, "--noise", npy)
        ans = ids_of[tj["answer"]]
        close("trace p_clean", tj["p_clean"], probs[ans])
        pc = np.mean([softmax(forward(cfg, t, ids, noise[s], list(range(f, e_)))[0][-1])[ans] for s in range(a.samples)])
        close("trace p_corrupted", tj["p_corrupted"], pc)
        T, L = len(ids), cfg["n_layer"]
        for kind, site in (("hidden", "resid_post"), ("mlp", "mlp_out"), ("attn", "attn_out")):
            want = np.zeros((T, L))
            for i in range(T):
                for l in range(L):
                    want[i, l] = np.mean([softmax(forward(cfg, t, ids, noise[s], list(range(f, e_)),
                                                          (site, l, i, sites[site][l][i]))[0][-1])[ans]
                                          for s in range(a.samples)])
            close("trace %s | %s" % (kind, prompt), tj[kind], want)
        print("ok: %r -> %s (p %.4f); trace p_clean %.4f p_corrupted %.4f" %
              (prompt, pj["top"][0]["token"], pj["top"][0]["probability"], tj["p_clean"], tj["p_corrupted"]))
    # The user-facing boundary: hostile folders and prompts give exit 2 and a message naming the problem.
    import shutil
    bad = a.out.rstrip("/") + "_hostile"
    def expect_fail(what, args, expect):
        nonlocal failures
        cmd = (["node", a.cli] if a.cli.endswith(".js") else [a.cli]) + ["gpt", *args, "--json"]
        r = subprocess.run(cmd, capture_output=True, text=True)
        if r.returncode != 2 or expect not in r.stderr or r.stdout.strip():
            failures += 1
            print("MISMATCH hostile %s: exit %d, stderr %r" % (what, r.returncode, r.stderr.strip()[:200]))
        else:
            print("ok: hostile %s -> %s" % (what, r.stderr.strip()[:110]))

    for what, edit, expect in (
            ("truncated safetensors", lambda d: trunc(os.path.join(d, "model.safetensors")), "model.safetensors"),
            ("config disagrees", lambda d: patch_json(os.path.join(d, "config.json"), "n_inner", cfg["n_inner"] + 1), "c_fc.weight has shape"),
            ("NaN weight", lambda d: nan_weight(os.path.join(d, "model.safetensors")), "transformer.wte.weight"),
            ("vocab size", lambda d: patch_json(os.path.join(d, "config.json"), "vocab_size", len(words) + 3), "vocab_size")):
        shutil.rmtree(bad, ignore_errors=True)
        shutil.copytree(a.out, bad)
        edit(bad)
        expect_fail(what, ["predict", "--model", bad, "--prompt", prompts[0]], expect)
    expect_fail("unknown word", ["predict", *mm, "--prompt", "Michael Jordon plays"], '"Jordon"')
    expect_fail("prompt too long", ["predict", *mm, "--prompt", " ".join(["the"] * (cfg["n_positions"] + 1))], "context")
    shutil.rmtree(bad, ignore_errors=True)
    print("check_gpt: %d prompts, worst |diff| %.2e (tolerance %.0e), %d mismatches" % (len(prompts), worst, TOL, failures))
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
