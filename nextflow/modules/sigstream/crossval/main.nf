process SIGSTREAM_CROSSVAL {
    tag "$meta.id"
    label 'process_high'

    container "ghcr.io/sigstream/sigstream:0.1.0"

    input:
    tuple val(meta), path(matrix)

    output:
    tuple val(meta), path("${prefix}")               , emit: run_dir
    tuple val(meta), path("${prefix}/summary.tsv")   , emit: summary
    tuple val(meta), path("${prefix}/per_split.tsv") , emit: per_split
    path "versions.yml"                              , emit: versions

    when:
    task.ext.when == null || task.ext.when

    script:
    // ext.args: at least --k K (and e.g. --backends nmf,cnmf,aenmf, --preset paper, --splits N)
    def args = task.ext.args ?: ''
    prefix = task.ext.prefix ?: "${meta.id}"
    """
    sigstream crossval \\
        --matrix $matrix \\
        --threads $task.cpus \\
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
    touch ${prefix}/summary.tsv
    touch ${prefix}/per_split.tsv

    cat <<-END_VERSIONS > versions.yml
    "${task.process}":
        sigstream: \$(sigstream --version | sed 's/^sigstream //; s/ .*//')
    END_VERSIONS
    """
}
