/*
 * sigstream backend ABI, version 2: the contract between sigstream and a signature-extraction backend.
 *
 * A backend is a shared object that exports two C functions (the end of this file), like bcftools' plugins.
 * sigstream finds it with dlopen() on SIGSTREAM_PLUGIN_PATH and calls sigstream_backend_api_version() first:
 * a plugin of another version is refused, with a message naming both versions. Then it calls
 * sigstream_backend_info(SIGSTREAM_BACKEND_API_VERSION) — the host's version, so a backend may adapt — and
 * checks the description it returns.
 *
 * This header is the only sigstream header a backend includes. It is plain C (C99), so a backend can be
 * written in C, C++, Fortran or Rust. All matrices are dense, double precision, column-major.
 *
 * Growth. Every struct crossing the boundary starts with `struct_size`: the sizeof the struct where it was
 * filled (by the host: requests, parameter lists, results; by the backend: its description and parameter
 * table). Later revisions of this header only ever append fields at the end of a struct; a reader uses a
 * field only when struct_size covers it (SIGSTREAM_HAS_FIELD), and steps through arrays of structs by their
 * struct_size. So a host and a backend built against different revisions of version 2 work together. The
 * version number changes only when that cannot work (a field's meaning changes), and then old plugins are
 * refused.
 *
 * Stopping (tol): one definition for every backend. Let f[t] be the objective after iteration t (f[0] at the
 * start) and b[t] = min(f[0], ..., f[t]) the best so far. At every iteration t that is a multiple of
 * w = tol_window (set by the host), the fit has converged and stops when
 *
 *     b[t] <= 0   or   (b[t - w] - b[t]) / b[t] < tol,
 *
 * i.e. the best objective fell by a relative amount below tol over the last w iterations. tol == 0 runs
 * exactly max_iter iterations. For an algorithm whose objective never increases, b = f.
 *
 * Threading: fit() may be called from several threads at once, each with its own request and result, so a
 * backend keeps no mutable global state. A backend uses one thread per fit unless a parameter says
 * otherwise; sigstream parallelises across fits.
 */
#ifndef SIGSTREAM_BACKEND_ABI_H
#define SIGSTREAM_BACKEND_ABI_H

#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

#define SIGSTREAM_BACKEND_API_VERSION 2

/* Marks the two exported functions (the rest of a plugin can stay hidden). */
#if defined(_WIN32)
#define SIGSTREAM_BACKEND_EXPORT __declspec(dllexport)
#else
#define SIGSTREAM_BACKEND_EXPORT __attribute__((visibility("default")))
#endif

/* True when the struct at `ptr` (of type `type`, filled by the other side) has the field `field`. */
#define SIGSTREAM_HAS_FIELD(ptr, type, field) \
    ((size_t)(ptr)->struct_size >= offsetof(type, field) + sizeof(((const type*)0)->field))

/* What fit() returns. */
enum sigstream_fit_status {
    SIGSTREAM_FIT_OK = 0,        /* converged (tolerance met) or ran max_iter iterations */
    SIGSTREAM_FIT_STOPPED = 1,   /* the host asked it to stop through the progress callback */
    SIGSTREAM_FIT_BAD_PARAM = 2, /* a parameter value is invalid: message names it and the valid values */
    SIGSTREAM_FIT_NUMERICAL = 3, /* numerical breakdown (NaN, infinity, divergence): message says what */
    SIGSTREAM_FIT_FAILED = 4     /* any other failure: message says what */
};

/* What the progress callback returns. */
enum sigstream_flow {
    SIGSTREAM_PROCEED = 0, /* go on */
    SIGSTREAM_STOP = 1     /* stop: fill the result with the current factors, return SIGSTREAM_FIT_STOPPED */
};

/* One named parameter as text, e.g. {sizeof(sigstream_param), "objective", "kl"}. The key carries no backend
 * prefix: the host turns `--param nmf.objective=kl` into {"objective", "kl"} for the backend named "nmf". */
typedef struct sigstream_param {
    uint32_t struct_size;
    const char* key;
    const char* value;
} sigstream_param;

/* A parameter a backend accepts. The host rejects keys a backend does not list, shows them with their
 * defaults in `sigstream backends`, and passes only the keys the user set; the backend applies its own
 * defaults to the others. */
typedef struct sigstream_param_spec {
    uint32_t struct_size;
    const char* key;
    const char* default_value;
    const char* description; /* one line; name the accepted values */
} sigstream_param_spec;

/* One factorisation V ~ W H, with V rows x cols (channels x samples), W rows x k, H k x cols. */
typedef struct sigstream_fit_request {
    uint32_t struct_size; /* sizeof(sigstream_fit_request) of the host */
    int32_t api_version;  /* SIGSTREAM_BACKEND_API_VERSION of the host */
    int32_t rows;         /* channels, e.g. 96 */
    int32_t cols;         /* samples; every column has a positive sum */
    const double* V;      /* rows x cols, column-major, non-negative, finite */
    int32_t k;            /* number of signatures, 1 <= k < min(rows, cols) */
    uint64_t seed;        /* the only source of randomness: the same request gives the same result */
    const double* W0;     /* optional start: rows x k, or NULL (the backend initialises) */
    const double* H0;     /* optional start: k x cols, or NULL; the host gives both or neither */
    int32_t max_iter;     /* at most this many iterations */
    double tol;           /* the stop rule above; 0 runs exactly max_iter iterations */
    int32_t tol_window;   /* w of the stop rule, >= 1 */
    int32_t n_params;
    const sigstream_param* params; /* n_params entries, params[0].struct_size bytes apart */
    void* host;                    /* passed back to progress() */
    /* Called after each iteration (or every few) with the iteration number (1-based) and objective; returns
     * SIGSTREAM_PROCEED or SIGSTREAM_STOP. May be NULL. */
    int (*progress)(void* host, int32_t iteration, double objective);
    /* Appended (read it only where struct_size covers it: SIGSTREAM_HAS_FIELD). The iterations whose objective
     * the host needs: t a multiple of trace_stride, and the last one run. A backend whose objective never
     * increases (so that the stop rule's best is the objective itself) may skip computing it after the other
     * iterations, and then writes NaN there in trace and passes NaN to progress; the stop rule runs at
     * multiples of tol_window, which the host keeps multiples of trace_stride. 0, 1 or absent: every
     * iteration (the host sets 1 when it keeps the trace, e.g. for trace.tsv). */
    int32_t trace_stride;
} sigstream_fit_request;

/* Filled by the backend. The host allocates W, H and trace, and sets struct_size; a backend writes only the
 * fields that struct_size covers. */
typedef struct sigstream_fit_result {
    uint32_t struct_size;
    double* W;            /* rows x k: the signatures (any column scale: the host normalises) */
    double* H;            /* k x cols: the exposures */
    double* trace;        /* room for max_iter + 1 values: the objective at the start (trace[0]) and after each
                             iteration */
    int32_t trace_length; /* values written to trace */
    int32_t iterations;   /* iterations run */
    char message[512];    /* NUL-terminated; set when the status is not OK (and may note e.g. "converged") */
} sigstream_fit_result;

/* A backend's description. */
typedef struct sigstream_backend {
    uint32_t struct_size;    /* sizeof(sigstream_backend) of the backend */
    int32_t api_version;     /* SIGSTREAM_BACKEND_API_VERSION the backend was built with */
    const char* name;        /* short, lower case, used on the command line: "nmf" */
    const char* version;     /* the backend's own version, e.g. "1.0.0" */
    const char* description; /* one line */
    const char* objective;   /* what trace holds, e.g. "KL divergence (objective=kl)" */
    int32_t n_params;
    const sigstream_param_spec* params; /* n_params entries, params[0].struct_size bytes apart */
    /* Runs one fit; returns a sigstream_fit_status. Must not throw (C++ backends catch everything). */
    int (*fit)(const sigstream_fit_request* request, sigstream_fit_result* result);
} sigstream_backend;

/* Entry i of an array of structs whose first field is struct_size (params of a request or a description). */
#define SIGSTREAM_ARRAY_AT(type, base, i) \
    ((const type*)((const char*)(base) + (size_t)(i) * (size_t)(base)->struct_size))

/* The two functions every backend plugin exports. */
SIGSTREAM_BACKEND_EXPORT int32_t sigstream_backend_api_version(void);
SIGSTREAM_BACKEND_EXPORT const sigstream_backend* sigstream_backend_info(int32_t host_api_version);

#ifdef __cplusplus
}
#endif

#endif /* SIGSTREAM_BACKEND_ABI_H */
