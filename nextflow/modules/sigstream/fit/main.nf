process SIGSTREAM_FIT {
    tag "$meta.id"
    label 'process_single'

    container "ghcr.io/sigstream/sigstream:0.1.0"

    input:
    tuple val(meta), path(matrix), path(signatures)

    output:
    tuple val(meta), path("${prefix}")                  , emit: run_dir
    tuple val(meta), path("${prefix}/exposures.tsv")    , emit: exposures
    tuple val(meta), path("${prefix}/sample_stats.tsv") , emit: sample_stats
    path "versions.yml"                                 , emit: versions

    when:
    task.ext.when == null || task.ext.when

    script:
    // signatures: a signature TSV or a run folder, or [] for COSMIC v3.4 (shipped)
    def args = task.ext.args ?: ''
    prefix = task.ext.prefix ?: "${meta.id}"
    def sigs = signatures ? "$signatures" : 'cosmic-v3.4'
    """
    sigstream fit \\
        --matrix $matrix \\
        --signatures $sigs \\
        $args \\
        --out-dir $prefix

    cat <<-END_VERSIONS > versions.yml
    "${task.process}":
        sigstream: \$(sigstream --version | sed 's/^sigstream //; s/ .*//')
    END_VERSIONS
    """

    stub:
    prefix = task.ext.prefix ?: "${meta.id}"
    """
    mkdir -p ${prefix}
    touch ${prefix}/exposures.tsv
    touch ${prefix}/sample_stats.tsv

    cat <<-END_VERSIONS > versions.yml
    "${task.process}":
        sigstream: \$(sigstream --version | sed 's/^sigstream //; s/ .*//')
    END_VERSIONS
    """
}
