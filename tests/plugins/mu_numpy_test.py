#!/usr/bin/python3
"""Cross-checks the backends' update rules against an independent NumPy implementation.

NumPy implements, straight from the formulas (not from the C++), 100 iterations of
  kl         W <- W o ((V / WH) H^T) / (1 H^T);   H <- H o (W^T (V / WH)) / (W^T 1)
  frobenius  W <- W o (V H^T) / (W H H^T);        H <- H o (W^T V) / (W^T W H)
  cnmf       H <- H o sqrt((A G) / (H G^T A G));  G <- G o sqrt((A H) / (A G H^T H)),  A = V^T V
(W before H, H before G; every entry floored at 1e-16 after each update) from the same random start as
tests/plugins/mu_driver, and asserts that every entry of every factor agrees to a relative 1e-10.

Usage: mu_numpy_test.py --driver PATH/mu_driver --workdir DIR

Needs NumPy (Debian: python3-numpy; CTest runs it with /usr/bin/python3); without it the script reports SKIPPED
(exit 77, the test's SKIP_RETURN_CODE). Reports like the scripts of tests/cli (their helpers, tests/cli/e2e.py):
`ok <name>` or `FAIL <name>: reason` per factor, then `N passed, M failed`; exits with status 1 when any check
failed.
"""
import argparse
import os
import sys

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "cli"))
import e2e  # noqa: E402  (tests/cli/e2e.py)

try:
    import numpy as np
except ImportError:
    np = None

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
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--driver", required=True, help="the mu_driver binary")
    ap.add_argument("--workdir", required=True, help="scratch folder (created if missing)")
    a = ap.parse_args()
    driver = os.path.abspath(a.driver)
    work = os.path.abspath(a.workdir)
    os.makedirs(work, exist_ok=True)
    checks = e2e.Checks()

    if np is None:
        checks.skip("every check: NumPy is missing (apt-get install python3-numpy)")
        checks.finish()

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

    def path(name):
        return os.path.join(work, name)

    np.savetxt(path("V.txt"), V, fmt="%.17g")
    for rule, (A0, B0) in starts.items():
        np.savetxt(path(f"{rule}_A0.txt"), A0, fmt="%.17g")
        np.savetxt(path(f"{rule}_B0.txt"), B0, fmt="%.17g")
        command = [driver, rule, str(ITERATIONS), path("V.txt"), path(f"{rule}_A0.txt"), path(f"{rule}_B0.txt"),
                   path(f"{rule}_A.out"), path(f"{rule}_B.out")]
        r = e2e.run(command)
        if r.returncode != 0:
            checks.check(rule, False, f"mu_driver exited {r.returncode}: {r.stderr.strip()}")
            continue
        expected = rules[rule](V, A0.copy(), B0.copy(), ITERATIONS)
        names = ("G", "H") if rule == "cnmf" else ("W", "H")
        for name, want, out in zip(names, expected, (f"{rule}_A.out", f"{rule}_B.out")):
            got = np.loadtxt(path(out), ndmin=2)
            if got.shape != want.shape:
                checks.check(f"{rule} {name}", False, f"shape {got.shape}, expected {want.shape}")
                continue
            difference = np.max(np.abs(got - want) / np.abs(want))
            if checks.check(f"{rule} {name}", difference <= TOLERANCE and np.all(want > 10 * FLOOR),
                            f"max relative difference {difference:.3g} (tolerance {TOLERANCE:g}); "
                            f"smallest expected entry {want.min():.3g}"):
                print(f"    max relative difference {difference:.3g}")
    checks.finish()


if __name__ == "__main__":
    main()
