# Extraction, scattered per (K range, replicate range) into shards (`sigstream extract --shard-out`), gathered by
# `sigstream consensus` into the run folder one process would write (consensus, choice of K, refinement).
# Replicate i of K draws its bootstrap from (seed, i) and its start from (seed, K, i), whichever job fits it.

rule extract_shard:
    input:
        count_matrix(),
    output:
        "%s/shards/K{kset}.R{first}-{last}.shard.tsv.gz" % OUT,
    params:
        sigstream=SIGSTREAM,
        k=lambda w: shard_k_options(w.kset),
        settings=EXTRACT_SETTINGS,
    log:
        "%s/logs/extract/K{kset}.R{first}-{last}.log" % OUT,
    benchmark:
        "%s/benchmarks/extract/K{kset}.R{first}-{last}.tsv" % OUT
    wildcard_constraints:
        kset=r"all|\d+-\d+",
        first=r"\d+",
        last=r"\d+",
    threads: job("extract")["threads"]
    resources:
        mem_mb=job("extract")["mem_mb"],
    shell:
        "{params.sigstream:q} extract --matrix {input:q} {params.settings} {params.k} --replicate-range {wildcards.first}:"
        "{wildcards.last} --threads {threads} --shard-out {output:q} 2> {log:q}"


rule consensus:
    input:
        [shard_path(kset, first, last) for kset, first, last in EXTRACT_JOBS],
    output:
        directory("%s/extract" % OUT),
    params:
        sigstream=SIGSTREAM,
        settings=consensus_settings(),
    log:
        "%s/logs/consensus.log" % OUT,
    benchmark:
        "%s/benchmarks/consensus.tsv" % OUT
    threads: job("consensus")["threads"]
    resources:
        mem_mb=job("consensus")["mem_mb"],
    shell:
        "{params.sigstream:q} consensus {params.settings} --out-dir {output:q} {input:q} 2> {log:q}"
