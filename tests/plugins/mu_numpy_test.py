#!/usr/bin/python3
"""Cross-checks the backends' update rules against an independent NumPy implementation.

NumPy implements, straight from the formulas (not from the C++), 100 iterations of
  kl         W <- W o ((V / WH) H^T) / (1 H^T);   H <- H o (W^T (V / WH)) / (W^T 1)
  frobenius  W <- W o (V H^T) / (W H H^T);        H <- H o (W^T V) / (W^T W H)
  cnmf       H <- H o sqrt((A G) / (H G^T A G));  G <- G o sqrt((A H) / (A G H^T H)),  A = V^T V
(W before H, H before G; every entry floored at 1e-16 after each update) from the same random start as
tests/plugins/mu_driver, and asserts that every entry of every factor agrees to a relative 1e-10.

usage: mu_numpy_test.py --driver PATH/mu_driver --workdir DIR
"""
import argparse
import os
import subprocess
import sys

try:
    import numpy as np
except ImportError:
    print("SKIPPED: numpy missing (apt-get install python3-numpy)")
    sys.exit(0)

FLOOR = 1e-16
ITERATIONS = 100
TOLERANCE = 1e-10


def kl(V, W, H, n):
    for _ in range(n):
        W = np.maximum(FLOOR, W * ((V / (W @ H)) @ H.T) / H.sum(axis=1)[np.newaxis, :])
        H = np.maximum(FLOOR, H * (W.T @ (V / (W @ H))) / W.sum(axis=0)[:, np.newaxis])
    return W, H


def frobenius(V, W, H, n):
    for _ in range(n):
        W = np.maximum(FLOOR, W * (V @ H.T) / (W @ H @ H.T))
        H = np.maximum(FLOOR, H * (W.T @ V) / (W.T @ W @ H))
    return W, H


def cnmf(V, G, H, n):
    A = V.T @ V
    for _ in range(n):
        H = np.maximum(FLOOR, H * np.sqrt((A @ G) / (H @ G.T @ A @ G)))
        G = np.maximum(FLOOR, G * np.sqrt((A @ H) / (A @ G @ H.T @ H)))
    return G, H


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--driver", required=True)
    parser.add_argument("--workdir", required=True)
    args = parser.parse_args()
    os.makedirs(args.workdir, exist_ok=True)

    rng = np.random.default_rng(20240607)
    rows, cols, k = 96, 40, 4
    V = rng.poisson(rng.uniform(2, 30, size=(rows, cols))).astype(float)
    V[:, V.sum(axis=0) == 0] += 1
    starts = {
        "kl": (rng.uniform(0.5, 1.5, size=(rows, k)), rng.uniform(0.5, 1.5, size=(k, cols))),
        "frobenius": (rng.uniform(0.5, 1.5, size=(rows, k)), rng.uniform(0.5, 1.5, size=(k, cols))),
        "cnmf": (rng.uniform(0.01, 0.02, size=(cols, k)), rng.uniform(0.5, 1.5, size=(cols, k))),
    }
    rules = {"kl": kl, "frobenius": frobenius, "cnmf": cnmf}

    path = lambda name: os.path.join(args.workdir, name)
    np.savetxt(path("V.txt"), V, fmt="%.17g")
    passed = failed = 0
    for rule, (A0, B0) in starts.items():
        np.savetxt(path(f"{rule}_A0.txt"), A0, fmt="%.17g")
        np.savetxt(path(f"{rule}_B0.txt"), B0, fmt="%.17g")
        command = [args.driver, rule, str(ITERATIONS), path("V.txt"), path(f"{rule}_A0.txt"), path(f"{rule}_B0.txt"),
                   path(f"{rule}_A.out"), path(f"{rule}_B.out")]
        run = subprocess.run(command, capture_output=True, text=True)
        if run.returncode != 0:
            print(f"FAIL {rule}: mu_driver exited {run.returncode}: {run.stderr.strip()}")
            failed += 1
            continue
        expected = rules[rule](V, A0.copy(), B0.copy(), ITERATIONS)
        names = ("G", "H") if rule == "cnmf" else ("W", "H")
        for name, want, out in zip(names, expected, (f"{rule}_A.out", f"{rule}_B.out")):
            got = np.loadtxt(path(out), ndmin=2)
            if got.shape != want.shape:
                print(f"FAIL {rule} {name}: shape {got.shape}, expected {want.shape}")
                failed += 1
                continue
            difference = np.max(np.abs(got - want) / np.abs(want))
            if difference <= TOLERANCE and np.all(want > 10 * FLOOR):
                print(f"ok   {rule} {name}: max relative difference {difference:.3g}")
                passed += 1
            else:
                print(f"FAIL {rule} {name}: max relative difference {difference:.3g} (tolerance {TOLERANCE:g}); "
                      f"smallest expected entry {want.min():.3g}")
                failed += 1
    print(f"{passed} passed, {failed} failed")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
