# Exposures of every sample to a fixed signature set (the pipeline's [fit] signatures, e.g. COSMIC, or the
# extracted ones): `sigstream fit`.


rule fit:
    input:
        matrix=table("fit").get("matrix") or count_matrix(),
        signatures=signature_inputs("fit"),
    output:
        directory("%s/fit" % OUT),
    params:
        sigstream=SIGSTREAM,
        signatures=signatures_of("fit"),
        settings=cli_args(table("fit"), skip={"matrix", "signatures", "out-dir", "force"}),
    log:
        "%s/logs/fit.log" % OUT,
    benchmark:
        "%s/benchmarks/fit.tsv" % OUT
    threads: job("fit")["threads"]
    resources:
        mem_mb=job("fit")["mem_mb"],
    shell:
        "{params.sigstream:q} fit --matrix {input.matrix:q} --signatures {params.signatures:q} {params.settings}"
        " --out-dir {output:q} 2> {log:q}"
