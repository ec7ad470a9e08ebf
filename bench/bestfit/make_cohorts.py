#!/usr/bin/python3
"""Cohorts of the best-fit benchmark (bench/bestfit/bestfit.py; see bench/README.md).

    /usr/bin/python3 bench/bestfit/make_cohorts.py --out DIR [--seed S] [--cohorts c300k5,...]

Writes DIR/<cohort>/ for each cohort: the files of bench/accuracy/make_scenarios.py (counts.tsv,
truth_signatures.tsv, truth_exposures.tsv, scenario.json) and V.npy (the count matrix, 96 x samples, float64,
for build/bench/backend_bench). The model is make_scenarios.py's (COSMIC v3.4 signatures, SBS1 and SBS5 in every
sample, the others present with probability 0.5, Dirichlet(0.8) proportions, Poisson counts) with burdens spread
the way whole-genome cohorts spread them: log-normal with sigma 1.5 or 1.75 (natural log; the 90 % range of the
burdens spans a factor of 140 or 310), and 1 % of the samples hypermutated (x 20). Deterministic for a seed:
cohort i uses NumPy's default_rng([S, 100 + i]) (no accuracy scenario uses those sequences).
"""
import argparse
import os
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(os.path.dirname(HERE), "accuracy"))

import make_scenarios as ms  # noqa: E402  (numpy is checked there)
import numpy as np  # noqa: E402

K5 = ["SBS1", "SBS2", "SBS5", "SBS13", "SBS18"]
K8 = ["SBS1", "SBS2", "SBS3", "SBS5", "SBS8", "SBS13", "SBS17b", "SBS18"]
K5B = ["SBS1", "SBS5", "SBS6", "SBS10a", "SBS40a"]
K8B = ["SBS1", "SBS2", "SBS4", "SBS5", "SBS7a", "SBS13", "SBS17a", "SBS18"]

# name -> (index for the seed sequence, spec as in make_scenarios.SCENARIOS plus sigma)
COHORTS = {
    "c300k5": (1, dict(sigs=K5, samples=300, mean=4000, sigma=1.5, hyper_fraction=0.01, hyper_factor=20)),
    "c300k8": (2, dict(sigs=K8, samples=300, mean=4000, sigma=1.5, hyper_fraction=0.01, hyper_factor=20)),
    "c1000k5": (3, dict(sigs=K5B, samples=1000, mean=3000, sigma=1.75, hyper_fraction=0.01, hyper_factor=20)),
    "c1000k8": (4, dict(sigs=K8B, samples=1000, mean=3000, sigma=1.5, hyper_fraction=0.01, hyper_factor=20)),
}


def make(out, name, seed, names, S):
    index, spec = COHORTS[name]
    res = ms.generate(100 + index, spec, names, S, seed)
    c, p, q = ms.max_pairwise_cosine(res["W"], spec["sigs"])
    extra = {"cohort": name, "max_pairwise_cosine": {"cosine": round(c, 6), "pair": [p, q]},
             "generator": "bench/bestfit/make_cohorts.py (model of bench/accuracy/make_scenarios.py)"}
    d = os.path.join(out, name)
    meta = ms.write_scenario(d, 100 + index, spec, res, seed, extra)
    tmp = os.path.join(d, "V.tmp.npy")
    np.save(tmp, np.asfortranarray(res["counts"].astype(np.float64)))
    os.replace(tmp, os.path.join(d, "V.npy"))
    return meta


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--out", required=True, help="folder to write the cohorts into")
    ap.add_argument("--seed", type=int, default=1, help="root seed (default 1)")
    ap.add_argument("--cohorts", default=",".join(COHORTS), help="comma-separated names (default all)")
    a = ap.parse_args()
    wanted = [x for x in a.cohorts.split(",") if x]
    if not wanted or any(x not in COHORTS for x in wanted):
        ap.error(f"--cohorts: expected names from {', '.join(COHORTS)}, got {a.cohorts!r}")
    names, S = ms.read_cosmic()
    print("cohort     K  samples  sigma  mean   realised mean  median     min       max  hyper")
    for name in wanted:
        meta = make(a.out, name, a.seed, names, S)
        print(f"{name:9s} {meta['K']:2d} {meta['samples']:8d} {meta['sigma']:6.2f} {meta['mean_burden']:5d}"
              f" {meta['realised_mean_burden']:14.1f} {meta['realised_median_burden']:7.0f} {meta['min_burden']:7d}"
              f" {meta['max_burden']:9d} {len(meta['hypermutated_samples']):5d}")
    print(f"written to {a.out}")


if __name__ == "__main__":
    main()
