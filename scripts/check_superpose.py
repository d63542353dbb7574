#!/usr/bin/python3
"""Recompute `factlab-cli superpose --json` figures from its --out .npy with NumPy.

Usage:
  scripts/check_superpose.py RESULT.json VECTORS.npy
  scripts/check_superpose.py --cli build/native-release/factlab-cli [--n 2000 --d 50 --steps 40 --loss video]
  scripts/check_superpose.py --torch build/native-release/factlab-cli [--steps 1] [--kernel simd|eigen]

The --torch form is issue 10's reproduction: 40 rows of 1.02 e_i plus N(0, 1e-4^2) noise
in d = 100 (only the norm terms are active: sparse tiles), `superpose --loss video
--init` for --steps steps, against the video's loss and torch.optim.Adam (lr 0.01) in
PyTorch float32 from the same start (needs python3-torch). Prints the largest difference
and how many coordinates differ by more than 1e-6; exit 1 above 1e-5.

The second form runs the CLI itself (with --json --out into a temporary folder) and
then checks. Cosines are recomputed in float64 from the float32 vectors, normalised,
over all pairs i < j in row blocks (the N x N matrix is never held whole). Exit 0 when
every figure agrees within float tolerance, 1 otherwise. Needs only NumPy (Debian's
/usr/bin/python3 has it).
"""
import json
import math
import os
import subprocess
import sys
import tempfile

import numpy as np


def pair_figures(V, block=1024):
    """min/max cos over i < j, their pairs, and counts within 1 and 5 degrees of 90."""
    V = V.astype(np.float64)
    V /= np.linalg.norm(V, axis=1, keepdims=True)
    n = V.shape[0]
    s1, s5 = math.sin(math.radians(1.0)), math.sin(math.radians(5.0))
    cmax, cmin, pmax, pmin = -2.0, 2.0, None, None
    w1 = w5 = pairs = 0
    for i0 in range(0, n, block):
        i1 = min(n, i0 + block)
        C = V[i0:i1] @ V[i0:].T                    # (rows, n - i0)
        rows = np.arange(i0, i1)[:, None]
        cols = np.arange(i0, n)[None, :]
        mask = cols > rows                         # pairs i < j only
        c = C[mask]
        a = np.abs(c)
        w1 += int(np.count_nonzero(a <= s1))
        w5 += int(np.count_nonzero(a <= s5))
        pairs += c.size
        if c.size:
            k = int(np.argmax(np.where(mask, C, -3.0)))
            if C.flat[k] > cmax:
                cmax, pmax = float(C.flat[k]), (i0 + k // C.shape[1], i0 + k % C.shape[1])
            k = int(np.argmin(np.where(mask, C, 3.0)))
            if C.flat[k] < cmin:
                cmin, pmin = float(C.flat[k]), (i0 + k // C.shape[1], i0 + k % C.shape[1])
    return dict(cmax=cmax, cmin=cmin, pmax=pmax, pmin=pmin, w1=w1, w5=w5, pairs=pairs)


def check(result, V):
    n, d = V.shape
    f = pair_figures(V)
    deg = lambda c: math.degrees(math.acos(max(-1.0, min(1.0, c))))
    welch = math.sqrt((n - d) / (d * (n - 1))) if n > d else 0.0
    lev = math.sqrt((3 * n - d * d - 2 * d) / ((d + 2) * (n - d))) if n > d * (d + 1) / 2 else None
    # |d angle| = |d cos| / sin(angle): allow 2e-6 in cos (float32 Gram vs float64), at least 1e-4 deg.
    def angle_tol(c):
        return max(1e-4, math.degrees(2e-6 / max(1e-3, math.sqrt(max(0.0, 1 - c * c)))))
    # a share may move by the pairs whose cos sits within 2e-6 of the threshold
    share_tol = 1e-5 + 2.0 / max(1, f["pairs"])
    checks = [
        ("n", result["n"], n, 0),
        ("d", result["d"], d, 0),
        ("min_angle_deg", result["min_angle_deg"], deg(f["cmax"]), angle_tol(f["cmax"])),
        ("max_angle_deg", result["max_angle_deg"], deg(f["cmin"]), angle_tol(f["cmin"])),
        ("worst_abs_cos", result["worst_abs_cos"], max(f["cmax"], -f["cmin"]), 2e-6),
        ("within_1deg", result["within_1deg"], f["w1"] / f["pairs"], share_tol),
        ("within_5deg", result["within_5deg"], f["w5"] / f["pairs"], share_tol),
        ("welch_bound", result["welch_bound"], welch, 1e-12),
    ]
    ok = True
    for name, got, want, tol in checks:
        good = abs(got - want) <= tol
        ok &= good
        print(f"{'ok ' if good else 'BAD'} {name:18s} cli {got!r:>24}  numpy {want!r:>24}  (tol {tol:.1e})")
    lev_got = result["levenshtein_bound"]
    good = (lev is None and lev_got is None) or (lev is not None and lev_got is not None and abs(lev_got - lev) <= 1e-12)
    ok &= good
    print(f"{'ok ' if good else 'BAD'} {'levenshtein_bound':18s} cli {lev_got!r:>24}  numpy {lev!r:>24}")
    if "min_pair" in result and f["pmax"] is not None:
        same = tuple(result["min_pair"]) == f["pmax"]
        print(f"{'ok ' if same else 'note'} {'min_pair':18s} cli {tuple(result['min_pair'])}  numpy {f['pmax']}"
              + ("" if same else "  (a tie within float rounding)"))
    return ok


def torch_check(cli, extra):
    import torch
    steps = int(extra[extra.index("--steps") + 1]) if "--steps" in extra else 1
    rng = np.random.default_rng(10)
    n, d = 40, 100
    V0 = (1e-4 * rng.standard_normal((n, d))).astype(np.float32)
    V0[np.arange(n), np.arange(n)] += np.float32(1.02)
    V = torch.tensor(V0, requires_grad=True)
    opt = torch.optim.Adam([V], lr=0.01)
    eye = torch.eye(n)
    for _ in range(steps):                          # the video's loss
        opt.zero_grad()
        G = V @ V.T
        loss = torch.relu((G - eye).abs() - 0.01).sum() + n * ((torch.diagonal(G) - 1) ** 2).sum()
        loss.backward()
        opt.step()
    want = V.detach().numpy()
    with tempfile.TemporaryDirectory() as tmp:
        init, out = os.path.join(tmp, "init.npy"), os.path.join(tmp, "out.npy")
        np.save(init, V0)
        args = [cli, "superpose", "--loss", "video", "--init", init, "--steps", str(steps), "--out", out, "--json"]
        args += [a for a in extra if a != "--steps" and a != str(steps)]
        if cli.endswith(".js"):
            args = ["node"] + args
        subprocess.run(args, check=True, capture_output=True, text=True)
        got = np.load(out)
    diff = np.abs(got.astype(np.float64) - want)
    print(f"torch: {n} x {d}, {steps} step(s): largest |cli - torch| {diff.max():.3g}, "
          f"{int((diff > 1e-6).sum())} of {diff.size} coordinates differ by more than 1e-6")
    return 0 if diff.max() <= 1e-5 else 1


def main(argv):
    if len(argv) >= 2 and argv[0] == "--torch":
        return torch_check(argv[1], argv[2:])
    if len(argv) >= 2 and argv[0] == "--cli":
        cli, extra = argv[1], argv[2:]
        with tempfile.TemporaryDirectory() as tmp:
            npy = os.path.join(tmp, "vectors.npy")
            args = [cli, "superpose"] + (extra or ["--n", "2000", "--d", "50", "--steps", "40"]) + ["--json", "--out", npy]
            if cli.endswith(".js"):
                args = ["node"] + args
            out = subprocess.run(args, check=True, capture_output=True, text=True).stdout
            result = json.loads(out)
            V = np.load(npy)
    elif len(argv) == 2:
        with open(argv[0]) as fh:
            result = json.load(fh)
        V = np.load(argv[1])
    else:
        print(__doc__)
        return 2
    assert V.dtype == np.float32 and V.ndim == 2 and V.flags["C_CONTIGUOUS"], "want float32 (N, d), C order"
    print(f"{V.shape[0]} x {V.shape[1]}, {result.get('loss')} loss, {result.get('steps')} steps")
    ok = check(result, V)
    print("all figures match" if ok else "MISMATCH")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
