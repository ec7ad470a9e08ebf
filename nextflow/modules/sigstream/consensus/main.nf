process SIGSTREAM_CONSENSUS {
    tag "$meta.id"
    label 'process_single'

    container "ghcr.io/sigstream/sigstream:0.1.0"

    input:
    tuple val(meta), path(shards, stageAs: 'shards/*')

    output:
    tuple val(meta), path("${prefix}")                  , emit: run_dir
    tuple val(meta), path("${prefix}/signatures.tsv")   , emit: signatures
    tuple val(meta), path("${prefix}/exposures.tsv")    , emit: exposures
    tuple val(meta), path("${prefix}/selection.tsv")    , emit: selection
    tuple val(meta), path("${prefix}/sample_stats.tsv") , emit: sample_stats
    path "versions.yml"                                 , emit: versions

    when:
    task.ext.when == null || task.ext.when

    script:
    def args = task.ext.args ?: ''
    prefix = task.ext.prefix ?: "${meta.id}"
    """
    sigstream consensus \\
        $args \\
        --out-dir $prefix \\
        $shards

    cat <<-END_VERSIONS > versions.yml
    "${task.process}":
        sigstream: \$(sigstream --version | sed 's/^sigstream //; s/ .*//')
    END_VERSIONS
    """

    stub:
    prefix = task.ext.prefix ?: "${meta.id}"
    """
    mkdir -p ${prefix}
    touch ${prefix}/signatures.tsv
    touch ${prefix}/exposures.tsv
    touch ${prefix}/selection.tsv
    touch ${prefix}/sample_stats.tsv

    cat <<-END_VERSIONS > versions.yml
    "${task.process}":
        sigstream: \$(sigstream --version | sed 's/^sigstream //; s/ .*//')
    END_VERSIONS
    """
}
