#!/usr/bin/python3
"""check_export.py: recompute factlab lookups from an exported model with NumPy.

Independent of the C++ code: it reads only the .npy files and vocab.json that
`factlab-cli export-model` writes, and redoes E -> MLP block -> answers.
Row k of tokens.npy is vocab.json's tokens[k] = {"word", "role"}; a subject's
E is the sum of the rows of its words in their roles (see role() below and
docs/core.md), so "Jordan Michael" is not "Michael Jordan".

  check_export.py MODEL_DIR SUBJECT [CLI_JSON]
      Recompute SUBJECT. With CLI_JSON (a file holding `factlab-cli lookup
      --json` output, or - for stdin) compare with it; without, print NumPy's
      answer as JSON.
  check_export.py --cli CLI --out MODEL_DIR [--act relu|gelu] [--facts CSV] SUBJECT...
      Run `CLI export-model --out MODEL_DIR` (on CSV when given), then `CLI lookup --model
      MODEL_DIR --json SUBJECT` for each SUBJECT, and compare. A CLI ending in
      .js (the wasm build) is run with node.

Exit status: 0 when everything agrees, 1 on a mismatch, 2 on bad usage/input.
Run it with Debian's /usr/bin/python3 and python3-numpy.
"""
import json
import os
import re
import subprocess
import sys

import numpy as np

PROB_TOL = 1e-4          # float32 sums in another order differ by far less
TIE_TOL = 1e-4           # answers this close in probability may swap places


def load_model(folder):
    def arr(name):
        a = np.load(os.path.join(folder, name), allow_pickle=False)
        if a.dtype != np.float32:
            raise ValueError(f"{name}: dtype {a.dtype}, expected float32")
        return a
    with open(os.path.join(folder, "vocab.json"), encoding="utf-8") as f:
        vocab = json.load(f)
    m = {k: arr(k + ".npy") for k in ("W_up", "b_up", "W_down", "b_down", "tokens", "objects")}
    m["vocab"] = vocab
    d = m["tokens"].shape[1]
    h = m["W_up"].shape[0]
    assert m["W_up"].shape == (h, d) and m["b_up"].shape == (h,), "W_up/b_up shapes"
    assert m["W_down"].shape == (d, h) and m["b_down"].shape == (d,), "W_down/b_down shapes"
    assert m["tokens"].shape[0] == len(vocab["tokens"]), "tokens.npy rows vs vocab.json"
    for t in vocab["tokens"]:
        assert isinstance(t, dict) and isinstance(t.get("word"), str) and isinstance(t.get("role"), str), \
            "vocab.json tokens must be {word, role} objects (an older export lists bare words: export again)"
    assert m["objects"].shape == (len(vocab["objects"]), d), "objects.npy shape"
    return m


def activation(name, x):
    if name == "relu":
        return np.maximum(x, 0.0)
    if name == "gelu":   # tanh form, as in GPT-2/3
        x64 = x.astype(np.float64)
        return (0.5 * x64 * (1.0 + np.tanh(0.7978845608028654 * (x64 + 0.044715 * x64 ** 3)))).astype(np.float32)
    raise ValueError(f"unknown activation {name!r}")


def role(i, n):
    """Role of word i (0-based) of an n-word subject: its place in the name."""
    if n == 1:
        return "only"
    if i == 0:
        return "first"
    if i == n - 1:
        return "last"
    return "middle" if i == 1 else f"middle{i}"


def lookup(m, subject):
    vocab = m["vocab"]
    tokens = [t for t in re.split(r"[ \t\r\n\v\f]+", subject) if t]
    roles = [role(i, len(tokens)) for i in range(len(tokens))]
    index = {(t["word"], t["role"]): i for i, t in enumerate(vocab["tokens"])}
    E = np.zeros(m["tokens"].shape[1], dtype=np.float32)
    unknown = []
    for t, r in zip(tokens, roles):
        if (t, r) in index:
            E += m["tokens"][index[(t, r)]]
        else:
            unknown.append(t)
    pre = m["W_up"] @ E + m["b_up"]                    # (h)
    post = activation(vocab["activation"], pre)        # (h)
    out = E + m["W_down"] @ post + m["b_down"]         # (d)
    obj_index = {o: i for i, o in enumerate(vocab["objects"])}
    answers = {}
    for rel in vocab["relations"]:
        cands = vocab["candidates"][rel]
        logits = np.array([m["objects"][obj_index[o]] @ out for o in cands], dtype=np.float64)
        if len(cands) == 0:
            answers[rel] = {"object": None, "probability": 0.0, "ranking": []}
            continue
        p = np.exp(logits - logits.max())
        p /= p.sum()
        order = sorted(range(len(cands)), key=lambda k: (-logits[k], obj_index[cands[k]]))
        ranking = [{"object": cands[k], "probability": float(p[k])} for k in order]
        answers[rel] = {"object": ranking[0]["object"], "probability": ranking[0]["probability"], "ranking": ranking}
    return {"subject": " ".join(tokens), "tokens": tokens, "roles": roles, "unknown_tokens": unknown,
            "answers": answers}


def compare(mine, cli):
    """Returns a list of differences (empty when the CLI agrees with NumPy)."""
    diffs = []
    for key in ("subject", "tokens", "roles"):
        if mine[key] != cli.get(key):
            diffs.append(f"{key}: numpy {mine[key]!r}, cli {cli.get(key)!r}")
    if sorted(mine["unknown_tokens"]) != sorted(cli.get("unknown_tokens", [])):
        diffs.append(f"unknown_tokens: numpy {mine['unknown_tokens']!r}, cli {cli.get('unknown_tokens')!r}")
    cli_answers = cli.get("answers", {})
    if set(cli_answers) != set(mine["answers"]):
        diffs.append(f"relations: numpy {sorted(mine['answers'])}, cli {sorted(cli_answers)}")
    for rel, a in mine["answers"].items():
        b = cli_answers.get(rel)
        if b is None:
            continue
        probs = {r["object"]: r["probability"] for r in a["ranking"]}
        if a["object"] != b["object"]:
            # Only a near-tie may flip the answer.
            if abs(probs.get(b["object"], -1.0) - a["probability"]) > TIE_TOL:
                diffs.append(f"{rel}: numpy says {a['object']!r} ({a['probability']:.6f}), cli says {b['object']!r}")
        if abs(a["probability"] - b["probability"]) > PROB_TOL:
            diffs.append(f"{rel}: probability numpy {a['probability']:.6f}, cli {b['probability']:.6f}")
        for r in b["ranking"]:
            if r["object"] not in probs:
                diffs.append(f"{rel}: cli ranks {r['object']!r}, which is not a candidate")
            elif abs(probs[r["object"]] - r["probability"]) > PROB_TOL:
                diffs.append(f"{rel}/{r['object']}: numpy {probs[r['object']]:.6f}, cli {r['probability']:.6f}")
    return diffs


def run_cli(cli, args):
    cmd = (["node", cli] if cli.endswith(".js") else [cli]) + args
    p = subprocess.run(cmd, capture_output=True, text=True)
    if p.returncode != 0:
        raise RuntimeError(f"{' '.join(cmd)} failed ({p.returncode}): {p.stderr.strip()}")
    return p.stdout


def main(argv):
    if "--cli" in argv:
        args = list(argv)
        def take(flag, default=None):
            if flag not in args:
                return default
            i = args.index(flag)
            if i + 1 >= len(args):
                raise SystemExit(f"check_export: {flag} needs a value")
            value = args[i + 1]
            del args[i:i + 2]
            return value
        cli, folder, act, facts = take("--cli"), take("--out"), take("--act", "relu"), take("--facts")
        if not folder or not args:
            print(__doc__, file=sys.stderr)
            return 2
        run_cli(cli, ["export-model", "--act", act, "--out", folder] + (["--facts", facts] if facts else []))
        m = load_model(folder)
        bad = 0
        for subject in args:
            cli_json = json.loads(run_cli(cli, ["lookup", "--model", folder, "--json", subject]))
            mine = lookup(m, subject)
            diffs = compare(mine, cli_json)
            summary = ", ".join(f"{r}={a['object']} {a['probability']:.3f}" for r, a in mine["answers"].items())
            print(f"{'MISMATCH' if diffs else 'ok'}  {subject}: {summary}")
            for d in diffs:
                print("    " + d)
            bad += bool(diffs)
        print(f"check_export: {len(args) - bad}/{len(args)} subjects agree ({act}{', ' + facts if facts else ''})")
        return 1 if bad else 0

    if len(argv) not in (2, 3):
        print(__doc__, file=sys.stderr)
        return 2
    m = load_model(argv[0])
    mine = lookup(m, argv[1])
    if len(argv) == 2:
        print(json.dumps(mine, ensure_ascii=False))
        return 0
    text = sys.stdin.read() if argv[2] == "-" else open(argv[2], encoding="utf-8").read()
    diffs = compare(mine, json.loads(text))
    for d in diffs:
        print("MISMATCH " + d)
    if not diffs:
        print(f"check_export: NumPy agrees with the CLI on {mine['subject']!r} "
              f"({len(mine['answers'])} relations)")
    return 1 if diffs else 0


if __name__ == "__main__":
    try:
        sys.exit(main(sys.argv[1:]))
    except (OSError, ValueError, AssertionError, KeyError, RuntimeError, json.JSONDecodeError) as e:
        print(f"check_export: {e}", file=sys.stderr)
        sys.exit(2)
