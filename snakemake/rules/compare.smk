# Signatures against COSMIC (or the pipeline's reference): `sigstream compare`.


rule compare:
    input:
        signatures=signature_inputs("compare"),
    output:
        "%s/cosmic.tsv" % OUT,
    params:
        sigstream=SIGSTREAM,
        signatures=signatures_of("compare"),
        settings=cli_args(table("compare"), skip={"signatures", "out"}),
    log:
        "%s/logs/compare.log" % OUT,
    benchmark:
        "%s/benchmarks/compare.tsv" % OUT
    threads: job("compare")["threads"]
    resources:
        mem_mb=job("compare")["mem_mb"],
    shell:
        "{params.sigstream:q} compare --signatures {params.signatures:q} {params.settings} --out {output:q} 2> {log:q}"
