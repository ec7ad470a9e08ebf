#!/usr/bin/python3
"""Cohorts of the speed benchmarks (bench/extract_speed.sh, bench/crossval_speed.sh; see bench/README.md).

    /usr/bin/python3 bench/speed/make_cohorts.py --out DIR [--seed S] [--cohorts n500,n10000]

Writes DIR/<cohort>/ with the files of bench/accuracy/make_scenarios.py (counts.tsv, truth_signatures.tsv,
truth_exposures.tsv, scenario.json). The model is accuracy scenario 4's (8 COSMIC v3.4 signatures, mean burden
5000, log-normal sigma 0.6; make_scenarios.py describes it) with another number of samples: n500 (96 x 500, the
cross-validation benchmark) and n10000 (96 x 10 000, extraction at scale). The 96 x 1000 cohort is scenario 4
itself. Deterministic for a seed: cohort i uses NumPy's default_rng([S, 200 + i]) (no other benchmark uses
those sequences).
"""
import argparse
import os
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(os.path.dirname(HERE), "accuracy"))

import make_scenarios as ms  # noqa: E402  (numpy is checked there)

# name -> (index for the seed sequence, number of samples)
COHORTS = {"n500": (1, 500), "n10000": (2, 10000)}


def make(out, name, seed, names, S):
    index, samples = COHORTS[name]
    spec = dict(ms.SCENARIOS[4])
    spec["samples"] = samples
    res = ms.generate(200 + index, spec, names, S, seed)
    extra = {"cohort": name, "generator": "bench/speed/make_cohorts.py (accuracy scenario 4 with "
                                          f"{samples} samples)"}
    return ms.write_scenario(os.path.join(out, name), 200 + index, spec, res, seed, extra)


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
    for name in wanted:
        meta = make(a.out, name, a.seed, names, S)
        print(f"{name}: K {meta['K']}, {meta['samples']} samples, realised mean burden "
              f"{meta['realised_mean_burden']:.1f}")
    print(f"written to {a.out}")


if __name__ == "__main__":
    main()
