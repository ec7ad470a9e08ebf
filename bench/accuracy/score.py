#!/usr/bin/python3
"""Scores an extraction run folder against a synthetic scenario's truth (bench/accuracy.sh; bench/README.md).

    /usr/bin/python3 bench/accuracy/score.py --scenario DIR/sN --run RUN_FOLDER [--json OUT.json]
        [--wall-time S --cpu-time S --peak-rss-kib N --exit-status N]   (recorded in the JSON)
    /usr/bin/python3 bench/accuracy/score.py --markdown A.json B.json ... [--k-given]

Scoring mode reads RUN_FOLDER/signatures.tsv (rows matched by channel label; the first header field may be
anything) and, if present, RUN_FOLDER/selection.tsv: the chosen K is the K of the row with Chosen = 1,
otherwise the number of signature columns. True and extracted signatures are matched one-to-one by the
Hungarian algorithm maximising the summed cosine similarity (min(K_true, K_extracted) pairs). Reported:

  * chosen K against the true K, and for every true signature its partner and their cosine (0 if it has
    none, i.e. fewer signatures were extracted than there are true ones) and its best cosine to any
    extracted signature; the minimum matched cosine over the true signatures;
  * recall@0.90: the fraction of true signatures whose Hungarian partner has cosine >= 0.90;
  * precision@0.90: the fraction of extracted signatures that are "precise": cosine >= 0.90 to their
    Hungarian partner or, for an extracted signature left without partner (more extracted than true), to
    its best-matching true signature (so a split of one true signature into two close copies counts both
    as precise; a spurious signature counts as imprecise);
  * pass: every true signature matched at cosine >= 0.90, and >= 0.95 when the scenario's mean burden
    (scenario.json "mean_burden", the nominal mean) is >= 1000. Extra signatures do not fail it; the
    choice of K is a separate target (K exact in >= 6 of the 8 scenarios).

The same is reported "at true K": from RUN_FOLDER/solutions/K<true K>/signatures.tsv if present, else
from RUN_FOLDER/signatures.tsv if that has exactly true K columns (a single fit at the true K), else not
available. Exit status: 0 pass (at the chosen K), 3 fail, 1 error (unreadable or inconsistent files).

Markdown mode turns the JSON files of several scenarios into the results table and the totals against
the targets; --k-given marks K as fixed by the command line (the K target is then not checked). Exit
status 0 when every target checked is met, 3 otherwise.
"""
import argparse
import json
import math
import os
import sys

try:
    import numpy as np
except ImportError:
    sys.exit("score.py: numpy is needed (apt-get install python3-numpy)")

THRESHOLD = 0.90          # precision/recall threshold and the pass level below mean burden 1000
HIGH = 0.95               # pass level at mean burden >= 1000
HIGH_BURDEN = 1000
K_EXACT_NEEDED = 6        # of the 8 scenarios


class ScoreError(Exception):
    pass


# ------------------------------------------------------------------ assignment
def hungarian(cost):
    """Minimum-cost assignment for a rectangular cost matrix (n rows, m columns): returns (rows, cols) of
    min(n, m) pairs, as scipy.optimize.linear_sum_assignment does. O(n^2 m) shortest augmenting paths with
    potentials (Kuhn-Munkres as in Jonker-Volgenant), used when SciPy is not installed."""
    C = np.asarray(cost, dtype=float)
    transposed = C.shape[0] > C.shape[1]
    if transposed:
        C = C.T
    n, m = C.shape
    INF = math.inf
    u = [0.0] * (n + 1)
    v = [0.0] * (m + 1)
    p = [0] * (m + 1)       # p[j]: row (1-based) assigned to column j; 0 = none
    way = [0] * (m + 1)
    for i in range(1, n + 1):
        p[0] = i
        j0 = 0
        minv = [INF] * (m + 1)
        used = [False] * (m + 1)
        while True:
            used[j0] = True
            i0, delta, j1 = p[j0], INF, 0
            for j in range(1, m + 1):
                if not used[j]:
                    cur = C[i0 - 1, j - 1] - u[i0] - v[j]
                    if cur < minv[j]:
                        minv[j], way[j] = cur, j0
                    if minv[j] < delta:
                        delta, j1 = minv[j], j
            for j in range(m + 1):
                if used[j]:
                    u[p[j]] += delta
                    v[j] -= delta
                else:
                    minv[j] -= delta
            j0 = j1
            if p[j0] == 0:
                break
        while True:
            j1 = way[j0]
            p[j0] = p[j1]
            j0 = j1
            if j0 == 0:
                break
    pairs = sorted((p[j] - 1, j - 1) for j in range(1, m + 1) if p[j] != 0)
    rows = np.array([r for r, _ in pairs], dtype=int)
    cols = np.array([c for _, c in pairs], dtype=int)
    if transposed:
        order = np.argsort(cols, kind="stable")
        rows, cols = cols[order], rows[order]
    return rows, cols


try:
    from scipy.optimize import linear_sum_assignment as assign
    ASSIGNER = "scipy.optimize.linear_sum_assignment"
except ImportError:  # pragma: no cover
    assign = hungarian
    ASSIGNER = "score.py hungarian()"


# ------------------------------------------------------------------ files
def read_table(path, allow_na=False):
    """A TSV (or CSV) with a header: returns (first header field, column names, row labels, values)."""
    try:
        with open(path, encoding="utf-8-sig") as f:
            lines = [line.rstrip("\r\n") for line in f if line.strip()]
    except OSError as e:
        raise ScoreError(f"{path}: {e.strerror}")
    if not lines:
        raise ScoreError(f"{path}: empty file")
    sep = "\t" if "\t" in lines[0] else ","
    header = lines[0].split(sep)
    labels, rows = [], []
    for n, line in enumerate(lines[1:], start=2):
        f = line.split(sep)
        if len(f) != len(header):
            raise ScoreError(f"{path}:{n}: {len(f)} fields, the header has {len(header)}")
        labels.append(f[0])
        try:
            rows.append([float("nan") if (allow_na and x == "NA") else float(x) for x in f[1:]])
        except ValueError:
            raise ScoreError(f"{path}:{n}: non-numeric value")
    return header[0], header[1:], labels, np.array(rows, dtype=float).reshape(len(rows), len(header) - 1)


def read_signatures(path, channels):
    _, names, labels, M = read_table(path)
    index = {lab: i for i, lab in enumerate(labels)}
    if len(index) != len(labels):
        raise ScoreError(f"{path}: duplicated channel labels")
    missing = [c for c in channels if c not in index]
    if missing or len(labels) != len(channels):
        raise ScoreError(f"{path}: channels do not match the scenario's ({len(labels)} rows; missing "
                         f"{', '.join(missing[:3]) or 'none'})")
    if not names:
        raise ScoreError(f"{path}: no signature columns")
    M = M[[index[c] for c in channels]]
    if not np.all(np.isfinite(M)) or (M < 0).any():
        raise ScoreError(f"{path}: negative or non-finite values")
    return names, M


def read_selection(path):
    _, cols, labels, M = read_table(path, allow_na=True)
    cols = ["K"] + cols  # the first header field is the K column
    if "Chosen" not in cols:
        raise ScoreError(f"{path}: no Chosen column")
    rows = []
    for lab, vals in zip(labels, M):
        r = {"K": int(float(lab))}
        r.update({c: float(v) for c, v in zip(cols[1:], vals)})
        r["Chosen"] = int(r["Chosen"])
        rows.append(r)
    chosen = [r["K"] for r in rows if r["Chosen"] == 1]
    if len(chosen) != 1:
        raise ScoreError(f"{path}: {len(chosen)} rows with Chosen = 1, expected one")
    return chosen[0], rows


# ------------------------------------------------------------------ scoring
def cosines(A, B):
    na = np.linalg.norm(A, axis=0)
    nb = np.linalg.norm(B, axis=0)
    na[na == 0] = 1
    nb[nb == 0] = 1
    return (A / na).T @ (B / nb)


def score_set(true_names, T, ext_names, X, required, source):
    C = cosines(T, X)  # true x extracted
    rows, cols = assign(-C)
    partner = {int(r): int(c) for r, c in zip(rows, cols)}
    back = {c: r for r, c in partner.items()}
    matches = []
    for i, name in enumerate(true_names):
        j = partner.get(i)
        b = int(np.argmax(C[i]))
        matches.append({"true": name, "extracted": ext_names[j] if j is not None else None,
                        "cosine": round(float(C[i, j]), 6) if j is not None else 0.0,
                        "best_extracted": ext_names[b], "best_cosine": round(float(C[i, b]), 6)})
    extracted = []
    for j, name in enumerate(ext_names):
        i = back.get(j)
        b = int(np.argmax(C[:, j]))
        c = float(C[i, j]) if i is not None else float(C[b, j])
        extracted.append({"extracted": name, "partner": true_names[i] if i is not None else None,
                          "best_true": true_names[b], "cosine": round(c, 6),
                          "precise": c >= THRESHOLD})
    min_cos = min(m["cosine"] for m in matches)
    return {
        "source": source,
        "K": len(ext_names),
        "matches": matches,
        "extracted": extracted,
        "min_cosine": min_cos,
        "recall": sum(m["cosine"] >= THRESHOLD for m in matches) / len(matches),
        "precision": sum(e["precise"] for e in extracted) / len(extracted),
        "pass": all(m["cosine"] >= required for m in matches),
    }


def score(scenario_dir, run):
    with open(os.path.join(scenario_dir, "scenario.json")) as f:
        sc = json.load(f)
    sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
    from make_scenarios import channels
    chans = channels()
    true_names, T = read_signatures(os.path.join(scenario_dir, "truth_signatures.tsv"), chans)
    k_true = len(true_names)
    required = HIGH if sc["mean_burden"] >= HIGH_BURDEN else THRESHOLD
    out = {"scenario": sc["name"], "scenario_dir": os.path.abspath(scenario_dir), "run": os.path.abspath(run),
           "true_signatures": true_names, "true_K": k_true, "mean_burden": sc["mean_burden"],
           "samples": sc["samples"], "required_cosine": required, "threshold": THRESHOLD,
           "assignment": ASSIGNER, "warnings": []}
    if sc.get("hypermutated_samples"):
        out["note"] = (f" ({len(sc['hypermutated_samples'])} samples with {sc['hypermutation_factor']}× that burden"
                       f"; realised mean {sc['realised_mean_burden']:,.0f})")
    sig_path = os.path.join(run, "signatures.tsv")
    names, X = read_signatures(sig_path, chans)
    sums = X.sum(axis=0)
    if np.any(np.abs(sums - 1) > 1e-3):
        out["warnings"].append(f"{sig_path}: columns do not sum to 1 (range {sums.min():.4g}-{sums.max():.4g})")
    sel_path = os.path.join(run, "selection.tsv")
    if os.path.exists(sel_path):
        chosen_k, rows = read_selection(sel_path)
        out["selection"] = rows
        out["chosen_K_source"] = "selection.tsv"
        if chosen_k != len(names):
            raise ScoreError(f"{sel_path}: chosen K = {chosen_k} but {sig_path} has {len(names)} signatures")
    else:
        chosen_k = len(names)
        out["chosen_K_source"] = "columns of signatures.tsv; no selection.tsv"
    out["chosen_K"] = chosen_k
    out["K_exact"] = chosen_k == k_true
    out["chosen"] = score_set(true_names, T, names, X, required, "signatures.tsv")
    at = os.path.join(run, "solutions", f"K{k_true}", "signatures.tsv")
    if os.path.exists(at):
        n2, X2 = read_signatures(at, chans)
        if len(n2) != k_true:
            raise ScoreError(f"{at}: {len(n2)} signatures, expected {k_true}")
        out["at_true_K"] = score_set(true_names, T, n2, X2, required, f"solutions/K{k_true}/signatures.tsv")
    elif len(names) == k_true:
        out["at_true_K"] = dict(out["chosen"], source="signatures.tsv (it has the true K columns)")
    else:
        out["at_true_K"] = None
    return out


def print_score(r):
    print(f"{r['scenario']}: true K {r['true_K']}, chosen K {r['chosen_K']} ({r['chosen_K_source']}); "
          f"mean burden {r['mean_burden']}, required cosine {r['required_cosine']:.2f}")
    for label, s in (("chosen K", r["chosen"]), ("at true K", r["at_true_K"])):
        if s is None:
            print(f"  {label}: not available (no solutions/K{r['true_K']}/signatures.tsv)")
            continue
        print(f"  {label} ({s['source']}): min matched cosine {s['min_cosine']:.4f}, precision@0.90 "
              f"{s['precision']:.2f}, recall@0.90 {s['recall']:.2f}: {'PASS' if s['pass'] else 'FAIL'}")
        for m in s["matches"]:
            best = "" if m["best_extracted"] == m["extracted"] else \
                f" (best: {m['best_extracted']} {m['best_cosine']:.4f})"
            print(f"    {m['true']:8s} -> {m['extracted'] or '-':10s} {m['cosine']:.4f}{best}")
        for e in s["extracted"]:
            if e["partner"] is None:
                print(f"    extra {e['extracted']}: best true {e['best_true']} {e['cosine']:.4f}")
    for w in r["warnings"]:
        print(f"  warning: {w}")


# ------------------------------------------------------------------ markdown
def fmt_time(s):
    if s is None:
        return "–"
    return f"{s:.2f} s" if s < 10 else f"{s:.1f} s" if s < 600 else f"{s / 60:.1f} min"


def markdown(paths, k_given):
    res = []
    for p in paths:
        with open(p) as f:
            res.append(json.load(f))
    res.sort(key=lambda r: int(r["scenario"].lstrip("s")))
    out = ["| scenario | true K | chosen K | min matched cosine | required | precision@0.90 | recall@0.90 | pass "
           "| min cosine at true K | wall time |",
           "|---|---:|---:|---:|---:|---:|---:|---|---:|---:|"]
    n_exact = n_pass = n_ok = 0
    for r in res:
        t = r.get("timing", {})
        if r.get("error"):
            size = f" ({r['samples']} × {r['mean_burden']:,})" if r.get("samples") else ""
            out.append(f"| {r['scenario']}{size} | {r.get('true_K', '–')} | – "
                       f"| – | {r.get('required_cosine', 0):.2f} | – | – | **FAIL** ({r['error']}) | – "
                       f"| {fmt_time(t.get('wall_s'))} |")
            continue
        n_ok += 1
        c, a = r["chosen"], r["at_true_K"]
        n_exact += r["K_exact"]
        n_pass += c["pass"]
        ck = f"{r['chosen_K']}" + (" (given)" if k_given else ("" if r["K_exact"] else " ✗"))
        at = f"{a['min_cosine']:.3f}" if a else "–"
        out.append(f"| {r['scenario']} ({r['samples']} × {r['mean_burden']:,}) | {r['true_K']} | {ck} "
                   f"| {c['min_cosine']:.3f} | {r['required_cosine']:.2f} | {c['precision']:.2f} "
                   f"| {c['recall']:.2f} | {'**PASS**' if c['pass'] else '**FAIL**'} | {at} "
                   f"| {fmt_time(t.get('wall_s'))} |")
    n = len(res)
    out.append("")
    out.append("| target | measured | result |")
    out.append("|---|---|---|")
    ok = True
    if k_given:
        out.append(f"| chosen K exact in ≥ {K_EXACT_NEEDED} of 8 scenarios | K fixed on the command line "
                   f"(`--k`) | not checked |")
    else:
        k_ok = n_exact >= K_EXACT_NEEDED if n == 8 else None
        verdict = ("**PASS**" if k_ok else "**FAIL**") if k_ok is not None else \
            f"not checked (only {n} of 8 scenarios run)"
        out.append(f"| chosen K exact in ≥ {K_EXACT_NEEDED} of 8 scenarios | {n_exact} of {n} | {verdict} |")
        ok &= k_ok is not False
    all_pass = n_pass == n
    scope = "" if n == 8 else f" (only {n} of 8 run)"
    out.append(f"| every scenario passes (each true signature matched at cosine ≥ 0.90, ≥ 0.95 at mean burden "
               f"≥ 1000){scope} | {n_pass} of {n} | {'**PASS**' if all_pass else '**FAIL**'} |")
    ok &= all_pass
    out.append("")
    for r in res:
        if r.get("samples"):
            out.append(f"* {r['scenario']}: {', '.join(r['true_signatures'])}; {r['samples']} samples, mean burden "
                       f"{r['mean_burden']:,}{r.get('note', '')}")
    print("\n".join(out))
    return 0 if ok else 3


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--scenario", help="scenario folder (with scenario.json, truth_signatures.tsv)")
    ap.add_argument("--run", help="run folder (with signatures.tsv, optionally selection.tsv, solutions/)")
    ap.add_argument("--json", help="also write the scores as JSON here")
    ap.add_argument("--wall-time", type=float, help="recorded in the JSON (seconds)")
    ap.add_argument("--cpu-time", type=float, help="recorded in the JSON (seconds, user + system)")
    ap.add_argument("--peak-rss-kib", type=int, help="recorded in the JSON")
    ap.add_argument("--exit-status", type=int, help="the extract run's exit status, recorded in the JSON; "
                    "non-zero scores the scenario as failed")
    ap.add_argument("--markdown", nargs="+", metavar="JSON", help="write the results table of these score files")
    ap.add_argument("--k-given", action="store_true", help="with --markdown: K was fixed by --k")
    a = ap.parse_args()
    if a.markdown:
        sys.exit(markdown(a.markdown, a.k_given))
    if not a.scenario or not a.run:
        ap.error("--scenario and --run are required (or --markdown)")
    timing = {"wall_s": a.wall_time, "cpu_s": a.cpu_time, "peak_rss_kib": a.peak_rss_kib,
              "exit_status": a.exit_status}
    try:
        if a.exit_status:
            raise ScoreError(f"extract exited with status {a.exit_status}")
        r = score(a.scenario, a.run)
        status = 0 if r["chosen"]["pass"] else 3
    except (ScoreError, OSError, json.JSONDecodeError, KeyError) as e:
        print(f"score.py: {e}", file=sys.stderr)
        if not a.json:
            sys.exit(1)
        try:
            with open(os.path.join(a.scenario, "scenario.json")) as f:
                sc = json.load(f)
        except (OSError, json.JSONDecodeError):
            sc = {"name": os.path.basename(os.path.normpath(a.scenario))}
        r = {"scenario": sc.get("name"), "true_signatures": sc.get("true_signatures", []),
             "true_K": sc.get("K"), "samples": sc.get("samples"), "mean_burden": sc.get("mean_burden"),
             "required_cosine": HIGH if sc.get("mean_burden", 0) >= HIGH_BURDEN else THRESHOLD,
             "error": str(e)}
        status = 1
    r["timing"] = timing
    if a.json:
        tmp = a.json + ".tmp.partial"
        with open(tmp, "w") as f:
            json.dump(r, f, indent=1)
            f.write("\n")
        os.replace(tmp, a.json)
    if "error" not in r:
        print_score(r)
    sys.exit(status)


if __name__ == "__main__":
    main()
