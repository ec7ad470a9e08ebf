process SIGSTREAM_COUNT {
    tag "$meta.id"
    label 'process_single'

    container "ghcr.io/sigstream/sigstream:0.1.0"

    input:
    tuple val(meta), path(vcf)
    tuple val(meta2), path(fasta), path(fai)

    output:
    tuple val(meta), path("${prefix}.SBS*.tsv")   , emit: matrix
    tuple val(meta), path("${prefix}.summary.tsv"), emit: summary
    path "versions.yml"                           , emit: versions

    when:
    task.ext.when == null || task.ext.when

    script:
    def args = task.ext.args ?: ''
    prefix = task.ext.prefix ?: "${meta.id}"
    """
    sigstream count \\
        --ref $fasta \\
        --sample '${meta.id}' \\
        --threads $task.cpus \\
        $args \\
        --out-prefix $prefix \\
        --summary ${prefix}.summary.tsv \\
        $vcf

    cat <<-END_VERSIONS > versions.yml
    "${task.process}":
        sigstream: \$(sigstream --version | sed 's/^sigstream //; s/ .*//')
    END_VERSIONS
    """

    stub:
    prefix = task.ext.prefix ?: "${meta.id}"
    """
    touch ${prefix}.SBS96.tsv
    touch ${prefix}.summary.tsv

    cat <<-END_VERSIONS > versions.yml
    "${task.process}":
        sigstream: \$(sigstream --version | sed 's/^sigstream //; s/ .*//')
    END_VERSIONS
    """
}
