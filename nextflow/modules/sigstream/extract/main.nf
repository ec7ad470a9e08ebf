process SIGSTREAM_EXTRACT {
    tag "$meta.id"
    label 'process_medium'

    container "ghcr.io/sigstream/sigstream:0.1.0"

    input:
    tuple val(meta), path(matrix)

    output:
    tuple val(meta), path("${prefix}.shard.tsv.gz"), emit: shard
    path "versions.yml"                            , emit: versions

    when:
    task.ext.when == null || task.ext.when

    script:
    // ext.args carries the extraction's settings and this job's slice: --seed, --replicates, --k-range,
    // --replicate-range (every job of one gather must share all but the slice)
    def args = task.ext.args ?: ''
    prefix = task.ext.prefix ?: "${meta.id}"
    """
    sigstream extract \\
        --matrix $matrix \\
        --threads $task.cpus \\
        $args \\
        --shard-out ${prefix}.shard.tsv.gz

    cat <<-END_VERSIONS > versions.yml
    "${task.process}":
        sigstream: \$(sigstream --version | sed 's/^sigstream //; s/ .*//')
    END_VERSIONS
    """

    stub:
    prefix = task.ext.prefix ?: "${meta.id}"
    """
    echo | gzip > ${prefix}.shard.tsv.gz

    cat <<-END_VERSIONS > versions.yml
    "${task.process}":
        sigstream: \$(sigstream --version | sed 's/^sigstream //; s/ .*//')
    END_VERSIONS
    """
}
