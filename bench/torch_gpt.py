#!/usr/bin/python3
"""torch_gpt.py: the PyTorch side of bench_gpt.cpp: one Adam training step of the same
GPT-2-shaped model on the same batch, on one thread.

    OPENBLAS_NUM_THREADS=1 /usr/bin/python3 bench/torch_gpt.py BATCH.json [--steps K]

BATCH.json (written by factlab-bench-gpt): {"n_layer", "n_head", "n_embd", "n_inner",
"n_positions", "vocab_size", "sequences": [[token, ...], ...], "targets": [[id or -1, ...], ...]}.
The sequences are padded to the longest (the usual PyTorch way); logits are computed only
at target positions, as factlab does. Prints one JSON line: seconds per step (best and
median of K), tokens, padded tokens, torch version and threads.
"""
import json
import math
import statistics
import sys
import time

try:
    import torch
    import torch.nn as nn
    import torch.nn.functional as F
except ImportError:
    cpu = (time.process_time() - c0) / steps
    print(json.dumps({
        "cpu_seconds_per_step": cpu,"error": "python3-torch is not installed (apt-get install -y python3-torch libopenblas0-pthread)"}))
    sys.exit(0)


class Block(nn.Module):
    def __init__(self, d, h, f):
        super().__init__()
        self.h = h
        self.ln_1 = nn.LayerNorm(d, eps=1e-5)
        self.c_attn = nn.Linear(d, 3 * d)
        self.c_proj = nn.Linear(d, d)
        self.ln_2 = nn.LayerNorm(d, eps=1e-5)
        self.c_fc = nn.Linear(d, f)
        self.mlp_proj = nn.Linear(f, d)

    def forward(self, x, mask):
        B, T, d = x.shape
        q, k, v = self.c_attn(self.ln_1(x)).split(d, dim=2)
        q, k, v = (t.view(B, T, self.h, d // self.h).transpose(1, 2) for t in (q, k, v))
        s = (q @ k.transpose(-2, -1)) / math.sqrt(d // self.h)
        s = s.masked_fill(mask, float("-inf"))
        z = (F.softmax(s, dim=-1) @ v).transpose(1, 2).reshape(B, T, d)
        x = x + self.c_proj(z)
        return x + self.mlp_proj(F.gelu(self.c_fc(self.ln_2(x)), approximate="tanh"))


class Gpt(nn.Module):
    def __init__(self, c):
        super().__init__()
        d = c["n_embd"]
        self.wte = nn.Embedding(c["vocab_size"], d)
        self.wpe = nn.Embedding(c["n_positions"], d)
        self.h = nn.ModuleList([Block(d, c["n_head"], c["n_inner"]) for _ in range(c["n_layer"])])
        self.ln_f = nn.LayerNorm(d, eps=1e-5)

    def loss(self, tokens, targets):
        B, T = tokens.shape
        mask = torch.triu(torch.ones(T, T, dtype=torch.bool), diagonal=1)
        x = self.wte(tokens) + self.wpe(torch.arange(T))[None]
        for b in self.h:
            x = b(x, mask)
        x = self.ln_f(x)
        sel = targets >= 0
        logits = x[sel] @ self.wte.weight.t()          # tied unembedding, target rows only
        return F.cross_entropy(logits, targets[sel])


def main():
    path = sys.argv[1]
    steps = int(sys.argv[sys.argv.index("--steps") + 1]) if "--steps" in sys.argv else 20
    torch.set_num_threads(1)
    torch.manual_seed(1)
    c = json.load(open(path))
    seqs, tgts = c["sequences"], c["targets"]
    T = max(len(s) for s in seqs)
    tokens = torch.zeros(len(seqs), T, dtype=torch.long)
    targets = torch.full((len(seqs), T), -1, dtype=torch.long)
    for i, (s, t) in enumerate(zip(seqs, tgts)):
        tokens[i, : len(s)] = torch.tensor(s)
        targets[i, : len(t)] = torch.tensor(t)
    model = Gpt(c)
    opt = torch.optim.Adam(model.parameters(), lr=3e-3)
    times = []
    c0 = None
    for k in range(steps + 3):
        if k == 3:
            c0 = time.process_time()
        t0 = time.perf_counter()
        opt.zero_grad(set_to_none=True)
        loss = model.loss(tokens, targets)
        loss.backward()
        opt.step()
        if k >= 3:                                      # three warm-up steps
            times.append(time.perf_counter() - t0)
    cpu = (time.process_time() - c0) / steps
    print(json.dumps({
        "cpu_seconds_per_step": cpu,
        "seconds_per_step_best": min(times),
        "seconds_per_step_median": statistics.median(times),
        "steps": steps,
        "tokens": sum(len(s) for s in seqs),
        "padded_tokens": len(seqs) * T,
        "params": sum(p.numel() for p in model.parameters()),
        "torch": torch.__version__,
        "threads": torch.get_num_threads(),
        "loss": float(loss),
    }))


if __name__ == "__main__":
    main()
