# Counting, scattered per input file (`sigstream count`), gathered by `sigstream merge` (matrices column-wise and
# summaries row-wise, in the inputs' order: byte-identical to counting every file in one run).

rule count:
    input:
        vcf=lambda w: UNITS[w.unit][0],
        ref=table("count").get("ref", []),
    output:
        matrices=["%s/counts/{unit}.%s.tsv" % (OUT, c) for c in CONTEXTS],
        summary="%s/counts/{unit}.summary.tsv" % OUT,
    params:
        sigstream=SIGSTREAM,
        prefix="%s/counts/{unit}" % OUT,
        sample=lambda w: ("--sample " + shlex.quote(UNITS[w.unit][1])) if UNITS[w.unit][1] else "",
        settings=COUNT_SETTINGS,
    log:
        "%s/logs/count/{unit}.log" % OUT,
    benchmark:
        "%s/benchmarks/count/{unit}.tsv" % OUT
    threads: job("count")["threads"]
    resources:
        mem_mb=job("count")["mem_mb"],
    shell:
        "{params.sigstream:q} count {params.settings} {params.sample} --threads {threads} --out-prefix {params.prefix:q}"
        " --summary {output.summary:q} {input.vcf:q} 2> {log:q}"


rule merge_counts:
    input:
        matrices=["%s/counts/%s.%s.tsv" % (OUT, u, CONTEXTS[0]) for u in UNITS],
        summaries=["%s/counts/%s.summary.tsv" % (OUT, u) for u in UNITS],
    output:
        matrix="%s/counts.%s.tsv" % (OUT, CONTEXTS[0]),
        summary="%s/counts.summary.tsv" % OUT,
    params:
        sigstream=SIGSTREAM,
    log:
        "%s/logs/merge/%s.log" % (OUT, CONTEXTS[0]),
    benchmark:
        "%s/benchmarks/merge/%s.tsv" % (OUT, CONTEXTS[0])
    threads: job("merge")["threads"]
    resources:
        mem_mb=job("merge")["mem_mb"],
    shell:
        "{params.sigstream:q} merge --out {output.matrix:q} --summary {output.summary:q} {input.matrices:q}"
        " {input.summaries:q} 2> {log:q}"


# Further contexts (`context = ["sbs96", "sbs6"]`): their matrices alone.
rule merge_more_counts:
    input:
        lambda w: ["%s/counts/%s.%s.tsv" % (OUT, u, w.context) for u in UNITS],
    output:
        "%s/counts.{context}.tsv" % OUT,
    params:
        sigstream=SIGSTREAM,
    log:
        "%s/logs/merge/{context}.log" % OUT,
    benchmark:
        "%s/benchmarks/merge/{context}.tsv" % OUT
    wildcard_constraints:
        context="|".join(CONTEXTS[1:]) or "(?!)",
    threads: job("merge")["threads"]
    resources:
        mem_mb=job("merge")["mem_mb"],
    shell:
        "{params.sigstream:q} merge --out {output:q} {input:q} 2> {log:q}"
