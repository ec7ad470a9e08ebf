#!/usr/bin/python3
"""Synthetic cohorts for the extraction accuracy benchmark (bench/accuracy.sh; see bench/README.md).

    /usr/bin/python3 bench/accuracy/make_scenarios.py --out DIR [--seed S] [--scenarios 1,2,...]

Writes DIR/sN/ for each scenario N (1-8): counts.tsv, truth_signatures.tsv, truth_exposures.tsv and
scenario.json, and prints a summary (realised burdens, presence of each signature). Deterministic for a
given --seed (NumPy default_rng; scenario N uses the seed sequence [S, N], so one scenario does not depend
on which others are generated). Files are written under a temporary name and renamed when complete.

The model (the same for every scenario):
  * signatures: COSMIC v3.4 SBS GRCh37 profiles (data/cosmic/, rows matched by label, renormalised to sum 1);
  * burden of sample j: log-normal, sigma = 0.6 on the natural-log scale (a spec's "sigma" overrides it:
    bench/bestfit/make_cohorts.py), mu = ln(mean) - sigma^2 / 2, so
    that the expected burden is the scenario's mean (median = 0.84 x mean; 90 % of samples within
    0.31-2.2 x mean); scenario 3: 5 % of the samples (exactly 15, chosen at random) get 50 x that burden,
    so the scenario's mean (3000) is that of the other 95 %;
  * which signatures a sample carries: SBS1 and SBS5 (clock-like) in every sample that has them in its
    scenario; every other signature independently in each sample with probability 0.5 (a sample drawing
    none of them keeps only the clock-like ones; in scenario 8 a sample with no signature present at all
    gets one at random);
  * proportions: Dirichlet(alpha = 0.8) over the signatures present in the sample;
  * counts: channel c of sample j from signature k ~ Poisson(W[c,k] x burden_j x proportion_kj); the
    count matrix is their sum over k, which is Poisson(W H) with H = burden x proportions. The truth
    exposures are the realised integer numbers of mutations from each signature (rows sum to the sample
    totals in counts.tsv).
Scenario 8's 12 signatures: COSMIC v3.4 in file order, artefact signatures (SBS27, SBS43, SBS45-SBS60,
SBS95) left out, each taken if its cosine to every one already taken is at most 0.8, until 12 are taken.
"""
import argparse
import hashlib
import json
import os
import sys

try:
    import numpy as np
except ImportError:
    sys.exit("make_scenarios.py: numpy is needed (apt-get install python3-numpy)")

HERE = os.path.dirname(os.path.abspath(__file__))
REPO = os.path.dirname(os.path.dirname(HERE))
COSMIC = os.path.join(REPO, "data", "cosmic", "COSMIC_v3.4_SBS_GRCh37.txt")

SIGMA = 0.6           # log-normal burden sigma (natural log)
ALPHA = 0.8           # Dirichlet concentration per present signature
PRESENCE = 0.5        # probability that a non-clock-like signature is present in a sample
CLOCK = ("SBS1", "SBS5")
ARTEFACTS = {"SBS27", "SBS43", "SBS95"} | {f"SBS{i}" for i in range(45, 61)}
MAX_COSINE_S8 = 0.8
K_S8 = 12

SCENARIOS = {
    1: dict(sigs=["SBS1", "SBS5", "SBS13"], samples=200, mean=2000),
    2: dict(sigs=["SBS1", "SBS2", "SBS5", "SBS13", "SBS18"], samples=500, mean=1000),
    3: dict(sigs=["SBS1", "SBS5", "SBS6", "SBS10a", "SBS40a"], samples=300, mean=3000,
            hyper_fraction=0.05, hyper_factor=50),
    4: dict(sigs=["SBS1", "SBS2", "SBS3", "SBS5", "SBS8", "SBS13", "SBS17b", "SBS18"], samples=1000, mean=5000),
    5: dict(sigs=["SBS1", "SBS2", "SBS4", "SBS5", "SBS7a", "SBS13", "SBS17a", "SBS17b", "SBS18", "SBS28"],
            samples=2000, mean=500),
    6: dict(sigs=["SBS1", "SBS3", "SBS5", "SBS8"], samples=100, mean=100000),
    7: dict(sigs=["SBS1", "SBS2", "SBS5", "SBS13", "SBS15", "SBS44"], samples=300, mean=300),
    8: dict(sigs=None, samples=2000, mean=10000),  # 12 signatures, none two with cosine > 0.8
}


def channels():
    """SBS96 labels in SigProfiler order: 5' base, substitution, 3' base, each alphabetical."""
    subs = ["C>A", "C>G", "C>T", "T>A", "T>C", "T>G"]
    return [f"{a}[{s}]{b}" for a in "ACGT" for s in subs for b in "ACGT"]


def read_cosmic(path=COSMIC):
    with open(path, encoding="utf-8-sig") as f:
        rows = [line.rstrip("\r\n").split("\t") for line in f if line.strip()]
    names = rows[0][1:]
    by_label = {r[0]: [float(x) for x in r[1:]] for r in rows[1:]}
    labels = channels()
    missing = [c for c in labels if c not in by_label]
    if missing or len(by_label) != 96:
        sys.exit(f"make_scenarios.py: {path}: not the 96 SBS channels (missing {missing[:3]})")
    S = np.array([by_label[c] for c in labels])
    return names, S / S.sum(axis=0)


def cosine_matrix(A, B):
    A = A / np.linalg.norm(A, axis=0)
    B = B / np.linalg.norm(B, axis=0)
    return A.T @ B


def pick_s8(names, S):
    chosen = []
    for i, name in enumerate(names):
        if name in ARTEFACTS:
            continue
        if all(cosine_matrix(S[:, [i]], S[:, [j]])[0, 0] <= MAX_COSINE_S8 for j in chosen):
            chosen.append(i)
        if len(chosen) == K_S8:
            break
    if len(chosen) < K_S8:
        sys.exit("make_scenarios.py: fewer than 12 COSMIC signatures with pairwise cosine <= 0.8")
    return [names[i] for i in chosen]


def max_pairwise_cosine(W, sigs):
    C = cosine_matrix(W, W)
    np.fill_diagonal(C, -1)
    i, j = np.unravel_index(np.argmax(C), C.shape)
    return float(C[i, j]), sigs[i], sigs[j]


def write_atomic(path, text):
    tmp = path + ".tmp.partial"
    with open(tmp, "w", newline="\n") as f:
        f.write(text)
    os.replace(tmp, path)


def fmt(x):
    return repr(float(x)) if x != int(x) else str(int(x))


def generate(n, spec, names, S, root_seed):
    sigs = spec["sigs"]
    W = S[:, [names.index(s) for s in sigs]]
    k, m = len(sigs), spec["samples"]
    rng = np.random.default_rng([root_seed, n])
    # Burdens.
    sigma = spec.get("sigma", SIGMA)
    mu = np.log(spec["mean"]) - sigma ** 2 / 2
    burden = np.exp(rng.normal(mu, sigma, size=m))
    hyper = np.zeros(m, dtype=bool)
    if spec.get("hyper_fraction"):
        hyper[rng.choice(m, size=round(spec["hyper_fraction"] * m), replace=False)] = True
        burden[hyper] *= spec["hyper_factor"]
    # Presence and proportions.
    clock = np.array([s in CLOCK for s in sigs])
    present = rng.random((k, m)) < PRESENCE
    present[clock] = True
    for j in np.flatnonzero(~present.any(axis=0)):  # only possible without clock-like signatures
        present[rng.integers(k), j] = True
    P = rng.dirichlet(np.full(k, ALPHA), size=m).T * present
    P /= P.sum(axis=0)
    # Counts: per signature, so that the truth exposures are the realised mutations of each signature.
    lam = W[:, :, None] * (P * burden)[None, :, :]          # channels x signatures x samples
    per_sig = rng.poisson(lam)
    counts = per_sig.sum(axis=1)                             # channels x samples
    E = per_sig.sum(axis=0)                                  # signatures x samples
    return dict(W=W, counts=counts, E=E, burden=burden, hyper=hyper, present=present)


def write_scenario(d, n, spec, res, root_seed, extra):
    os.makedirs(d, exist_ok=True)
    sigs, m = spec["sigs"], spec["samples"]
    samples = [f"S{j + 1:04d}" for j in range(m)]
    labels = channels()
    counts, E, W = res["counts"], res["E"], res["W"]
    lines = ["MutationType\t" + "\t".join(samples)]
    lines += [labels[c] + "\t" + "\t".join(map(str, counts[c])) for c in range(96)]
    counts_text = "\n".join(lines) + "\n"
    write_atomic(os.path.join(d, "counts.tsv"), counts_text)
    lines = ["MutationType\t" + "\t".join(sigs)]
    lines += [labels[c] + "\t" + "\t".join(f"{W[c, i]:.10g}" for i in range(len(sigs))) for c in range(96)]
    write_atomic(os.path.join(d, "truth_signatures.tsv"), "\n".join(lines) + "\n")
    lines = ["Samples\t" + "\t".join(sigs)]
    lines += [samples[j] + "\t" + "\t".join(map(str, E[:, j])) for j in range(m)]
    write_atomic(os.path.join(d, "truth_exposures.tsv"), "\n".join(lines) + "\n")
    totals = counts.sum(axis=0)
    meta = {
        "name": f"s{n}",
        "scenario": n,
        "true_signatures": sigs,
        "K": len(sigs),
        "samples": m,
        "mean_burden": spec["mean"],
        "realised_mean_burden": float(totals.mean()),
        "realised_median_burden": float(np.median(totals)),
        "realised_mean_burden_not_hypermutated": float(totals[~res["hyper"]].mean()),
        "min_burden": int(totals.min()),
        "max_burden": int(totals.max()),
        "hypermutated_samples": [samples[j] for j in np.flatnonzero(res["hyper"])],
        "hypermutation_factor": spec.get("hyper_factor", 1),
        "seed": root_seed,
        "seed_sequence": [root_seed, n],
        "burden_model": f"log-normal, sigma {spec.get('sigma', SIGMA)} (natural log), mean {spec['mean']}"
                        + (f"; {len(np.flatnonzero(res['hyper']))} samples x {spec['hyper_factor']}"
                           if res["hyper"].any() else ""),
        "exposure_model": f"SBS1/SBS5 in every sample, other signatures present with probability {PRESENCE}; "
                          f"Dirichlet(alpha={ALPHA}) proportions over the present signatures; Poisson counts",
        "sigma": spec.get("sigma", SIGMA),
        "alpha": ALPHA,
        "presence_probability": PRESENCE,
        "samples_with_signature": {s: int(res["present"][i].sum()) for i, s in enumerate(sigs)},
        "mutations_from_signature": {s: int(E[i].sum()) for i, s in enumerate(sigs)},
        "counts_sha256": hashlib.sha256(counts_text.encode()).hexdigest(),
        "cosmic": "COSMIC v3.4 SBS GRCh37 (data/cosmic/COSMIC_v3.4_SBS_GRCh37.txt)",
        "generator": "bench/accuracy/make_scenarios.py",
    }
    meta.update(extra)
    write_atomic(os.path.join(d, "scenario.json"), json.dumps(meta, indent=1) + "\n")
    return meta


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--out", required=True, help="folder to write s1/ ... s8/ into")
    ap.add_argument("--seed", type=int, default=1, help="root seed (default 1)")
    ap.add_argument("--scenarios", default="1,2,3,4,5,6,7,8", help="comma-separated list (default all 8)")
    a = ap.parse_args()
    try:
        wanted = sorted({int(x) for x in a.scenarios.split(",") if x.strip()})
    except ValueError:
        ap.error(f"--scenarios: expected numbers 1-8, got {a.scenarios!r}")
    if not wanted or any(n not in SCENARIOS for n in wanted):
        ap.error(f"--scenarios: expected numbers 1-8, got {a.scenarios!r}")
    names, S = read_cosmic()
    specs = {n: dict(v) for n, v in SCENARIOS.items()}
    specs[8]["sigs"] = pick_s8(names, S)
    W8 = S[:, [names.index(s) for s in specs[8]["sigs"]]]
    c8, p8, q8 = max_pairwise_cosine(W8, specs[8]["sigs"])
    print(f"scenario 8 signatures: {', '.join(specs[8]['sigs'])}; max pairwise cosine {c8:.4f} ({p8}, {q8})")
    print("scen  K  samples  mean   realised mean  median    min      max  hyper  samples with each signature")
    for n in wanted:
        spec = specs[n]
        res = generate(n, spec, names, S, a.seed)
        extra = {}
        W = res["W"]
        c, p, q = max_pairwise_cosine(W, spec["sigs"])
        extra["max_pairwise_cosine"] = {"cosine": round(c, 6), "pair": [p, q]}
        if n == 8:
            extra["selection_rule"] = ("COSMIC v3.4 in file order, artefacts left out, each taken if its cosine "
                                       "to every one taken is <= 0.8, until 12")
        meta = write_scenario(os.path.join(a.out, f"s{n}"), n, spec, res, a.seed, extra)
        pres = " ".join(f"{s}:{v}" for s, v in meta["samples_with_signature"].items())
        print(f"s{n:<3} {meta['K']:2d} {meta['samples']:8d} {meta['mean_burden']:6d} {meta['realised_mean_burden']:14.1f}"
              f" {meta['realised_median_burden']:7.0f} {meta['min_burden']:6d} {meta['max_burden']:8d}"
              f" {len(meta['hypermutated_samples']):5d}  {pres}")
        more = (f"; mean without the hypermutated samples {meta['realised_mean_burden_not_hypermutated']:.1f}"
                if res["hyper"].any() else "")
        print(f"      max pairwise cosine {c:.4f} ({p}, {q}){more}")
    print(f"written to {a.out}")


if __name__ == "__main__":
    main()
