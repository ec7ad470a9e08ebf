process SIGSTREAM_COMPARE {
    tag "$meta.id"
    label 'process_single'

    container "ghcr.io/sigstream/sigstream:0.1.0"

    input:
    tuple val(meta), path(signatures)
    path reference

    output:
    tuple val(meta), path("${prefix}.cosmic.tsv"), emit: comparison
    path "versions.yml"                          , emit: versions

    when:
    task.ext.when == null || task.ext.when

    script:
    // signatures: a signature TSV or a run folder; reference: a signature TSV, or [] for COSMIC v3.4 (shipped)
    def args = task.ext.args ?: ''
    prefix = task.ext.prefix ?: "${meta.id}"
    def ref = reference ? "--reference $reference" : ''
    """
    sigstream compare \\
        --signatures $signatures \\
        $ref \\
        $args \\
        --out ${prefix}.cosmic.tsv

    cat <<-END_VERSIONS > versions.yml
    "${task.process}":
        sigstream: \$(sigstream --version | sed 's/^sigstream //; s/ .*//')
    END_VERSIONS
    """

    stub:
    prefix = task.ext.prefix ?: "${meta.id}"
    """
    touch ${prefix}.cosmic.tsv

    cat <<-END_VERSIONS > versions.yml
    "${task.process}":
        sigstream: \$(sigstream --version | sed 's/^sigstream //; s/ .*//')
    END_VERSIONS
    """
}
