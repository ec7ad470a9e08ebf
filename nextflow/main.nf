#!/usr/bin/env nextflow
/*
 * sigstream as a Nextflow pipeline: count per tumour, merge, extraction scattered per (K range, replicate range)
 * into shards, consensus (choice of K, refinement), comparison with COSMIC, and the fit of every tumour.
 *
 *     nextflow run nextflow/main.nf -profile test,docker
 *     nextflow run nextflow/main.nf --input samplesheet.csv --fasta GRCh38.fa --outdir results -profile slurm,singularity
 *
 * The sample sheet is a CSV with a header and the columns `sample,vcf` (relative paths are relative to the sheet's
 * folder). Every module runs one sigstream subcommand (modules/sigstream/<command>/main.nf); the results are
 * byte-identical to `sigstream run` with the same settings (README.md here).
 */
nextflow.enable.dsl = 2

include { SIGSTREAM_COUNT     } from './modules/sigstream/count/main'
include { SIGSTREAM_MERGE     } from './modules/sigstream/merge/main'
include { SIGSTREAM_EXTRACT   } from './modules/sigstream/extract/main'
include { SIGSTREAM_CONSENSUS } from './modules/sigstream/consensus/main'
include { SIGSTREAM_COMPARE   } from './modules/sigstream/compare/main'
include { SIGSTREAM_FIT       } from './modules/sigstream/fit/main'

// The sample sheet as [ [id, index], vcf ] rows, checked before any task starts: a header with sample and vcf, every
// file present, no sample twice.
def readSampleSheet(String path) {
    def sheet = file(path, checkIfExists: true)
    def rows = sheet.splitCsv(header: true, strip: true)
    if (!rows) error "${path}: no samples — a CSV with the header sample,vcf and one row per tumour"
    if (!rows[0].containsKey('sample') || !rows[0].containsKey('vcf'))
        error "${path}:1: the header must name the columns sample and vcf (it has ${rows[0].keySet().join(', ')})"
    def seen = [:]
    def out = []
    rows.eachWithIndex { row, i ->
        def line = i + 2
        if (!row.sample || !row.vcf) error "${path}:${line}: a row needs a sample name and a VCF/BCF path"
        if (seen.containsKey(row.sample))
            error "${path}:${line}: the sample '${row.sample}' is also on line ${seen[row.sample]} — give every sample one name"
        seen[row.sample] = line
        def vcf = (row.vcf.startsWith('/') || row.vcf.contains('://')) ? file(row.vcf) : sheet.parent.resolve(row.vcf)
        if (!vcf.exists()) error "${path}:${line}: ${row.vcf} does not exist — fix the path"
        out << [ [ id: row.sample, index: i ], vcf ]
    }
    return out
}

// Every extraction task's slice: [ k_range or '', replicate_range ], the K's in runs of params.ks_per_job and the
// replicates in runs of params.replicates_per_job.
def extractionSlices() {
    def reps = params.replicates as int
    def per = params.replicates_per_job as int
    def replicateRanges = (0..<reps).step(per).collect { first -> "${first}:${Math.min(first + per, reps)}" }
    def kRanges = ['']
    if (params.k_range) {
        def (a, b) = params.k_range.tokenize(':').collect { it as int }
        def step = (params.ks_per_job as int) ?: (b - a + 1)
        kRanges = (a..b).step(step).collect { k -> "${k}:${Math.min(k + step - 1, b)}" }
    } else if (params.ks_per_job as int) {
        error "--ks_per_job needs --k_range: the default range is cut to what the matrix allows, known only after counting"
    }
    return [kRanges, replicateRanges].combinations()
}

// Every parameter nextflow.config declares: any other (a typo such as --k_rnage) stops the run before any task.
def knownParams() {
    return ['input', 'fasta', 'outdir', 'context', 'count_args', 'backend', 'k_range', 'replicates', 'seed',
            'extract_args', 'replicates_per_job', 'ks_per_job', 'consensus_args', 'reference', 'compare_args',
            'fit_signatures', 'fit_args']
}

def checkParams() {
    // Nextflow also offers each --some-name as someName: either spelling of a known name is fine
    def names = knownParams()
    def known = names + names.collect { it.replaceAll(/_([a-z])/) { m -> m[1].toUpperCase() } }
    def unknown = params.keySet().findAll { !(it in known) && !(it.replace('-', '_') in names) }
    if (unknown) error "unknown parameter(s): ${unknown.collect { '--' + it }.join(', ')} — the parameters are " +
                       "${names.collect { '--' + it }.join(', ')} (nextflow/README.md)"
}

workflow {
    checkParams()
    if (!params.input) error "give --input samplesheet.csv (a CSV with the columns sample,vcf)"
    if (!params.fasta) error "give --fasta, the reference FASTA the variants were called against"
    def fai = file("${params.fasta}.fai")
    ch_fasta = Channel.value([ [ id: 'reference' ], file(params.fasta, checkIfExists: true), fai.exists() ? fai : [] ])
    ch_versions = Channel.empty()

    // count, one task per tumour; gather in the sample sheet's order
    SIGSTREAM_COUNT(Channel.fromList(readSampleSheet(params.input)), ch_fasta)
    ch_parts = SIGSTREAM_COUNT.out.matrix.join(SIGSTREAM_COUNT.out.summary)
        .toSortedList { a, b -> a[0].index <=> b[0].index }
        .map { parts -> [ [ id: 'cohort' ], parts.collect { it[1] }, parts.collect { it[2] } ] }
    SIGSTREAM_MERGE(ch_parts)
    ch_matrix = SIGSTREAM_MERGE.out.matrix

    // extraction, one task per slice; gather every shard
    ch_slices = Channel.fromList(extractionSlices())
    SIGSTREAM_EXTRACT(
        ch_matrix.combine(ch_slices).map { meta, matrix, k, r -> [ meta + [ k_range: k, replicate_range: r ], matrix ] }
    )
    ch_shards = SIGSTREAM_EXTRACT.out.shard.map { meta, shard -> shard }
        .toSortedList { a, b -> a.name <=> b.name }
        .map { shards -> [ [ id: 'cohort' ], shards ] }
    SIGSTREAM_CONSENSUS(ch_shards)

    // comparison with COSMIC (or --reference), and the fit of every tumour
    SIGSTREAM_COMPARE(SIGSTREAM_CONSENSUS.out.run_dir, params.reference ? file(params.reference, checkIfExists: true) : [])
    if (params.fit_signatures == 'extracted') {
        ch_fit = ch_matrix.combine(SIGSTREAM_CONSENSUS.out.run_dir.map { meta, dir -> dir })
    } else {
        def signatures = params.fit_signatures ? file(params.fit_signatures, checkIfExists: true) : []
        ch_fit = ch_matrix.map { meta, matrix -> [ meta, matrix, signatures ] }
    }
    SIGSTREAM_FIT(ch_fit)

    ch_versions = ch_versions.mix(SIGSTREAM_COUNT.out.versions.first(), SIGSTREAM_MERGE.out.versions,
                                  SIGSTREAM_EXTRACT.out.versions.first(), SIGSTREAM_CONSENSUS.out.versions,
                                  SIGSTREAM_COMPARE.out.versions, SIGSTREAM_FIT.out.versions)
    ch_versions.unique().collectFile(name: 'software_versions.yml', storeDir: "${params.outdir}/pipeline_info")
}
