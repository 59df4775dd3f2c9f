"""Training throughput of the numpy models, against the same models in PyTorch on the CPU.

Throughput is samples x steps per second of Adam training (forward, hand-written
backward, update), median of repeated runs.  When torch is importable the same
model, loss and optimiser are timed in PyTorch (float64 like the numpy models,
autograd, torch.optim.Adam) in the same process, and the ratio numpy / torch
is printed (> 1: numpy is faster).  torch is used only here, never by biomodular.

Run:  /work/venv/bin/python benchmarks/verify_throughput.py [--steps 1000] [--repeats 5]
"""

from __future__ import annotations

import argparse
import platform
import time

import numpy as np

from biomodular import examples
from biomodular.verify import ExactLinearAE, LinearAE, MLPAutoencoder, Adam

try:
    import torch
except ImportError:  # the benchmark runs without torch and prints numpy figures only
    torch = None


def numpy_rate(model, X, batch, steps, repeats):
    rng = np.random.default_rng(0)
    rates = []
    for r in range(repeats):
        params = model.init(X, r)
        opt = Adam(lr=1e-3)
        idx = rng.integers(0, X.shape[0], size=(steps, batch))
        t0 = time.perf_counter()
        for k in range(steps):
            xb = X[idx[k]]
            _, _, g = model.loss_and_grad(params, xb, xb)
            opt.step(params, g)
        rates.append(batch * steps / (time.perf_counter() - t0))
    return float(np.median(rates))


def torch_loss(kind, P, xb, cfg):
    relu = torch.relu
    if kind == "exact":
        W, b = P
        z = xb @ W.T + b
        G = W.T @ W
        return (
            (z**2).sum(1).mean()
            + cfg["lam_in"] * (W**2).sum()
            + cfg["lam_out"] * torch.linalg.inv(G).diagonal().sum()
            + cfg["beta_nonneg"] * (relu(-z) ** 2).sum(1).mean()
        )
    if kind == "learned":
        W, b, R, c = P
        z = xb @ W.T + b
        xh = z @ R.T + c
        return (
            cfg["beta_recon"] * ((xb - xh) ** 2).sum(1).mean()
            + (z**2).sum(1).mean()
            + cfg["lam_in"] * (W**2).sum()
            + cfg["lam_out"] * (R**2).sum()
            + cfg["beta_nonneg"] * relu(-z).sum(1).mean()
        )
    # mlp: [d, H, N, H, d], relu everywhere but the output
    W0, b0, W1, b1, W2, b2, W3, b3 = P
    h = relu(xb @ W0.T + b0)
    z = relu(h @ W1.T + b1)
    h2 = relu(z @ W2.T + b2)
    out = h2 @ W3.T + b3
    return (
        cfg["beta_recon"] * ((xb - out) ** 2).sum(1).mean()
        + (z**2).sum(1).mean()
        + cfg["beta_weight"] * sum((W**2).sum() for W in (W0, W1, W2, W3))
    )


def torch_rate(kind, params, X, batch, steps, repeats, cfg, threads):
    torch.set_num_threads(threads)
    rng = np.random.default_rng(0)
    Xt = torch.tensor(X, dtype=torch.float64)
    rates = []
    for _ in range(repeats):
        P = [torch.tensor(p, dtype=torch.float64, requires_grad=True) for p in params]
        opt = torch.optim.Adam(P, lr=1e-3)
        idx = torch.tensor(rng.integers(0, X.shape[0], size=(steps, batch)))
        t0 = time.perf_counter()
        for k in range(steps):
            xb = Xt[idx[k]]
            opt.zero_grad()
            loss = torch_loss(kind, P, xb, cfg)
            loss.backward()
            opt.step()
        rates.append(batch * steps / (time.perf_counter() - t0))
    return float(np.median(rates))


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--steps", type=int, default=1000)
    parser.add_argument("--repeats", type=int, default=5)
    args = parser.parse_args()
    X, _ = examples.load("cut-corner", seed=0)
    d = X.shape[1]
    tv = "not installed" if torch is None else f"{torch.__version__}, {torch.get_num_threads()} threads"
    print(f"machine: {platform.machine()}, python {platform.python_version()}, numpy {np.__version__}, torch {tv}")
    threads = torch.get_num_threads() if torch is not None else 0
    print(
        f"| model | batch | numpy samples*steps/s | torch, 1 thread | numpy / torch (1 thread) "
        f"| torch, {threads} threads | numpy / torch ({threads} threads) |"
    )
    print("|---|---|---|---|---|---|---|")
    cfg = dict(lam_in=1.0, lam_out=1.0, beta_nonneg=1e4, beta_recon=1e3, beta_weight=1e-3)
    models = {
        "exact linear AE (8 neurons)": ("exact", ExactLinearAE(d, lam_in=1.0, lam_out=1.0, beta_nonneg=1e4)),
        "learned-readout linear AE (8)": (
            "learned",
            LinearAE(d, lam_in=1.0, lam_out=1.0, beta_recon=1e3, beta_nonneg=1e4),
        ),
        "ReLU MLP AE (2-32-8-32-2)": (
            "mlp",
            MLPAutoencoder(d, n_code=8, hidden=(32,), beta_recon=1e3, beta_weight=1e-3),
        ),
    }
    for label, (kind, model) in models.items():
        for batch in (64, 512):
            rn = numpy_rate(model, X, batch, args.steps, args.repeats)
            if torch is None:
                print(f"| {label} | {batch} | {rn:,.0f} | - | - | - | - |")
                continue
            p = model.init(X, 0)
            if kind == "exact":
                plist = [p["W"], p["b"]]
            elif kind == "learned":
                plist = [p["W"], p["b"], p["R"], p["c"]]
            else:
                plist = [p[f"{k}{l}"] for l in range(4) for k in ("W", "b")]
            r1 = torch_rate(kind, plist, X, batch, args.steps, args.repeats, cfg, 1)
            rt = torch_rate(kind, plist, X, batch, args.steps, args.repeats, cfg, threads)
            print(f"| {label} | {batch} | {rn:,.0f} | {r1:,.0f} | {rn / r1:.2f} | {rt:,.0f} | {rn / rt:.2f} |")


if __name__ == "__main__":
    main()
