/*
 * A tiny out-of-tree sigstream backend for the tests: plain C, only the public ABI header. It returns a
 * fixed factorisation instead of fitting anything, so the host side (loader, extraction stage, CLI) can
 * be checked against numbers known in advance:
 *
 *   W(i, j) = (j + 1) * (1 + (i + j) % 2)                 (column j sums to (j + 1) * 3 rows / 2 for even rows)
 *   H(j, c) = colsum(V, c) / (k * sum_i W(i, j))           so that after normalising W, every exposure
 *                                                          is colsum / k and W H keeps each column's sum
 *   trace[t] = 1000 / (t + 1), t = 0 .. iterations
 *   iterations = max_iter when tol == 0, otherwise min(max_iter, 3) ("converged")
 *
 * Parameters: status (ok | numerical | failed; anything else is a bad value), fail_at (fail with
 * SIGSTREAM_FIT_FAILED at that iteration, after reporting progress; 0 = never), zero_column (return
 * column j of W as zeros; -1 = none). progress() is called after every iteration and honoured.
 *
 * Compile-time variants (the tests build one shared object per variant):
 *   TEST_PLUGIN_NAME="..."      the backend's name (default "testfixed")
 *   TEST_PLUGIN_ABI=n           what sigstream_backend_api_version() returns (1: a plugin of ABI version 1)
 *   TEST_PLUGIN_GROWN           built as against a later revision of version 2 that appended a field to every
 *                               struct: its description and parameter table are longer than this header's,
 *                               and it writes its appended result field only when the host's result has it
 *   TEST_PLUGIN_INFO_ABI=n      the api_version in the description
 *   TEST_PLUGIN_NO_VERSION      do not export sigstream_backend_api_version
 *   TEST_PLUGIN_NO_INFO         do not export sigstream_backend_info
 *   TEST_PLUGIN_FAIL_AT=n       default of fail_at (the "fails mid-fit" plugin)
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "sigstream_backend.h"

#ifndef TEST_PLUGIN_NAME
#define TEST_PLUGIN_NAME "testfixed"
#endif
#ifndef TEST_PLUGIN_ABI
#define TEST_PLUGIN_ABI SIGSTREAM_BACKEND_API_VERSION
#endif
#ifndef TEST_PLUGIN_INFO_ABI
#define TEST_PLUGIN_INFO_ABI SIGSTREAM_BACKEND_API_VERSION
#endif
#ifndef TEST_PLUGIN_FAIL_AT
#define TEST_PLUGIN_FAIL_AT 0
#endif
#define STR2(x) #x
#define STR(x) STR2(x)

#ifdef TEST_PLUGIN_GROWN
/* The structs of "version 2 plus one appended field". */
typedef struct {
    sigstream_param_spec v2;
    const char* appended;
} param_spec_t;
typedef struct {
    sigstream_backend v2;
    int64_t appended;
} backend_t;
typedef struct {
    sigstream_fit_result v2;
    double appended;
} result_t;
#define SPEC(key, value, description) \
    { {sizeof(param_spec_t), key, value, description}, "appended" }
#else
typedef sigstream_param_spec param_spec_t;
typedef sigstream_backend backend_t;
#define SPEC(key, value, description) \
    { sizeof(param_spec_t), key, value, description }
#endif

static const param_spec_t params[] = {
    SPEC("status", "ok", "status to return at the end: ok, numerical or failed"),
    SPEC("fail_at", STR(TEST_PLUGIN_FAIL_AT),
         "fail (SIGSTREAM_FIT_FAILED) at this iteration, after progress; 0 = never"),
    SPEC("zero_column", "-1", "return this column of W (0-based) as zeros; -1 = none"),
};

static int parse_int(const char* s, long* out) {
    char* end = NULL;
    if (!s || !*s) return 0;
    *out = strtol(s, &end, 10);
    return *end == '\0';
}

static int fit(const sigstream_fit_request* rq, sigstream_fit_result* rs) {
    const char* status = "ok";
    long fail_at = TEST_PLUGIN_FAIL_AT, zero_column = -1;
    int32_t i, j, c, t, iterations;
    if (rq->struct_size < offsetof(sigstream_fit_request, progress) + sizeof rq->progress ||
        rs->struct_size < offsetof(sigstream_fit_result, message) + sizeof rs->message)
        return SIGSTREAM_FIT_FAILED;
    for (i = 0; i < rq->n_params; ++i) {
        const sigstream_param* p = SIGSTREAM_ARRAY_AT(sigstream_param, rq->params, i);
        const char* key = p->key;
        const char* value = p->value;
        if (strcmp(key, "status") == 0) {
            if (strcmp(value, "ok") != 0 && strcmp(value, "numerical") != 0 && strcmp(value, "failed") != 0) {
                snprintf(rs->message, sizeof rs->message, "status '%s' is not ok, numerical or failed", value);
                return SIGSTREAM_FIT_BAD_PARAM;
            }
            status = value;
        } else if (strcmp(key, "fail_at") == 0) {
            if (!parse_int(value, &fail_at) || fail_at < 0) {
                snprintf(rs->message, sizeof rs->message, "fail_at '%s' is not a whole number >= 0", value);
                return SIGSTREAM_FIT_BAD_PARAM;
            }
        } else if (strcmp(key, "zero_column") == 0) {
            if (!parse_int(value, &zero_column)) {
                snprintf(rs->message, sizeof rs->message, "zero_column '%s' is not a whole number", value);
                return SIGSTREAM_FIT_BAD_PARAM;
            }
        } else {
            snprintf(rs->message, sizeof rs->message, "unknown parameter '%s'", key);
            return SIGSTREAM_FIT_BAD_PARAM;
        }
    }
    if (rq->api_version != SIGSTREAM_BACKEND_API_VERSION) {
        snprintf(rs->message, sizeof rs->message, "host speaks ABI version %d", (int)rq->api_version);
        return SIGSTREAM_FIT_FAILED;
    }

    for (j = 0; j < rq->k; ++j) {
        double wsum = 0;
        for (i = 0; i < rq->rows; ++i) {
            double w = (j == zero_column) ? 0.0 : (double)(j + 1) * (double)(1 + (i + j) % 2);
            rs->W[(size_t)j * (size_t)rq->rows + (size_t)i] = w;
            wsum += w;
        }
        for (c = 0; c < rq->cols; ++c) {
            double total = 0;
            for (i = 0; i < rq->rows; ++i) total += rq->V[(size_t)c * (size_t)rq->rows + (size_t)i];
            rs->H[(size_t)c * (size_t)rq->k + (size_t)j] = wsum > 0 ? total / ((double)rq->k * wsum) : 1.0;
        }
    }

    iterations = rq->tol == 0 ? rq->max_iter : (rq->max_iter < 3 ? rq->max_iter : 3);
    rs->trace[0] = 1000.0;
    rs->trace_length = 1;
    rs->iterations = 0;
    for (t = 1; t <= iterations; ++t) {
        rs->trace[t] = 1000.0 / (double)(t + 1);
        rs->trace_length = t + 1;
        rs->iterations = t;
        if (rq->progress && rq->progress(rq->host, t, rs->trace[t]) == SIGSTREAM_STOP) {
            snprintf(rs->message, sizeof rs->message, "stopped at the host's request after %d iterations", (int)t);
            return SIGSTREAM_FIT_STOPPED;
        }
        if (fail_at > 0 && t == fail_at) {
            snprintf(rs->message, sizeof rs->message, "simulated failure at iteration %d", (int)t);
            return SIGSTREAM_FIT_FAILED;
        }
    }
    if (strcmp(status, "numerical") == 0) {
        snprintf(rs->message, sizeof rs->message, "simulated NaN in H");
        return SIGSTREAM_FIT_NUMERICAL;
    }
    if (strcmp(status, "failed") == 0) {
        snprintf(rs->message, sizeof rs->message, "simulated failure");
        return SIGSTREAM_FIT_FAILED;
    }
#ifdef TEST_PLUGIN_GROWN
    if (SIGSTREAM_HAS_FIELD(rs, result_t, appended)) ((result_t*)rs)->appended = 1.0;
#endif
    snprintf(rs->message, sizeof rs->message, "converged after %d iterations (window %d)", (int)iterations,
             (int)rq->tol_window);
    return SIGSTREAM_FIT_OK;
}

#ifdef TEST_PLUGIN_GROWN
static const backend_t info = {
    {sizeof(backend_t), TEST_PLUGIN_INFO_ABI, TEST_PLUGIN_NAME, "0.0.1",
     "fixed factorisation for sigstream's tests (a later revision of ABI version 2)", "1000 / (iteration + 1)",
     (int32_t)(sizeof params / sizeof params[0]), &params[0].v2, fit},
    42};
#define INFO (&info.v2)
#else
static const backend_t info = {
    sizeof(backend_t),
    TEST_PLUGIN_INFO_ABI,
    TEST_PLUGIN_NAME,
    "0.0.1",
    "fixed factorisation for sigstream's tests",
    "1000 / (iteration + 1)",
    (int32_t)(sizeof params / sizeof params[0]),
    params,
    fit,
};
#define INFO (&info)
#endif

#ifndef TEST_PLUGIN_NO_VERSION
int32_t sigstream_backend_api_version(void) {
    return TEST_PLUGIN_ABI;
}
#endif

#ifndef TEST_PLUGIN_NO_INFO
const sigstream_backend* sigstream_backend_info(int32_t host_api_version) {
    return host_api_version == SIGSTREAM_BACKEND_API_VERSION ? INFO : NULL;
}
#else
const sigstream_backend* test_plugin_description(void) {
    return INFO;
}
#endif
