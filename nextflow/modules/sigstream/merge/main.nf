process SIGSTREAM_MERGE {
    tag "$meta.id"
    label 'process_single'

    container "ghcr.io/sigstream/sigstream:0.1.0"

    input:
    tuple val(meta), path(matrices, stageAs: 'matrices/*'), path(summaries, stageAs: 'summaries/*')

    output:
    tuple val(meta), path("${prefix}.tsv")        , emit: matrix
    tuple val(meta), path("${prefix}.summary.tsv"), emit: summary, optional: true
    path "versions.yml"                           , emit: versions

    when:
    task.ext.when == null || task.ext.when

    script:
    def args = task.ext.args ?: ''
    prefix = task.ext.prefix ?: "${meta.id}"
    def summary = summaries ? "--summary ${prefix}.summary.tsv" : ''
    """
    sigstream merge \\
        $args \\
        --out ${prefix}.tsv \\
        $summary \\
        $matrices \\
        $summaries

    cat <<-END_VERSIONS > versions.yml
    "${task.process}":
        sigstream: \$(sigstream --version | sed 's/^sigstream //; s/ .*//')
    END_VERSIONS
    """

    stub:
    prefix = task.ext.prefix ?: "${meta.id}"
    """
    touch ${prefix}.tsv
    touch ${prefix}.summary.tsv

    cat <<-END_VERSIONS > versions.yml
    "${task.process}":
        sigstream: \$(sigstream --version | sed 's/^sigstream //; s/ .*//')
    END_VERSIONS
    """
}
