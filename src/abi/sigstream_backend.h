/*
 * sigstream backend ABI, version 1: the contract between sigstream and a signature-extraction backend.
 *
 * A backend is a shared object that exports two C functions (see the end of this file), like bcftools'
 * plugins. sigstream finds it with dlopen() on SIGSTREAM_PLUGIN_PATH, calls
 * sigstream_backend_api_version() first and refuses the plugin unless it returns
 * SIGSTREAM_BACKEND_API_VERSION, then takes the description from sigstream_backend_info().
 *
 * This header is the only sigstream header a backend includes. It is plain C (C99), so a backend can be
 * written in C, C++, Fortran or Rust. All matrices are dense, double precision, column-major.
 *
 * Threading: fit() may be called from several threads at once, each with its own request and result,
 * so a backend keeps no mutable global state. A backend uses one thread per fit unless a parameter
 * says otherwise; sigstream parallelises across fits.
 */
#ifndef SIGSTREAM_BACKEND_ABI_H
#define SIGSTREAM_BACKEND_ABI_H

#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

#define SIGSTREAM_BACKEND_API_VERSION 1

/* What fit() returns. */
enum sigstream_fit_status {
    SIGSTREAM_FIT_OK = 0,        /* converged (tolerance met) or ran max_iter iterations */
    SIGSTREAM_FIT_STOPPED = 1,   /* the host asked it to stop through the progress callback */
    SIGSTREAM_FIT_BAD_PARAM = 2, /* a parameter value is invalid: message names it and the valid values */
    SIGSTREAM_FIT_NUMERICAL = 3, /* numerical breakdown (NaN, infinity, divergence): message says what */
    SIGSTREAM_FIT_FAILED = 4     /* any other failure: message says what */
};

/* One named parameter as text, e.g. {"objective", "kl"}. The key carries no backend prefix: the host
 * turns `--param nmf.objective=kl` into {"objective", "kl"} for the backend named "nmf". */
typedef struct sigstream_param {
    const char* key;
    const char* value;
} sigstream_param;

/* A parameter a backend accepts. The host rejects keys a backend does not list, shows them with their
 * defaults in `sigstream backends`, and passes only the keys the user set; the backend applies its own
 * defaults to the others. */
typedef struct sigstream_param_spec {
    const char* key;
    const char* default_value;
    const char* description; /* one line; name the accepted values */
} sigstream_param_spec;

/* One factorisation V ~ W H, with V rows x cols (channels x samples), W rows x k, H k x cols. */
typedef struct sigstream_fit_request {
    int32_t api_version; /* SIGSTREAM_BACKEND_API_VERSION of the host */
    int32_t rows;        /* channels, e.g. 96 */
    int32_t cols;        /* samples; every column has a positive sum */
    const double* V;     /* rows x cols, column-major, non-negative, finite */
    int32_t k;           /* number of signatures, 1 <= k < min(rows, cols) */
    uint64_t seed;       /* the only source of randomness: the same request gives the same result */
    const double* W0;    /* optional start: rows x k, or NULL (the backend initialises) */
    const double* H0;    /* optional start: k x cols, or NULL; the host gives both or neither */
    int32_t max_iter;    /* at most this many iterations */
    double tol;          /* stop once the objective's relative decrease over the backend's convergence
                            window falls below tol; tol == 0 runs exactly max_iter iterations */
    int32_t n_params;
    const sigstream_param* params;
    void* host; /* passed back to progress() */
    /* Called after each iteration (or every few) with the iteration number (1-based) and objective.
     * A non-zero return asks the backend to stop: it then fills the result with its current factors
     * and returns SIGSTREAM_FIT_STOPPED. May be NULL. */
    int (*progress)(void* host, int32_t iteration, double objective);
} sigstream_fit_request;

/* Filled by the backend. The host allocates W, H and trace. */
typedef struct sigstream_fit_result {
    double* W;            /* rows x k: the signatures (any column scale: the host normalises) */
    double* H;            /* k x cols: the exposures */
    double* trace;        /* room for max_iter + 1 values: the objective at the start (trace[0]) and
                             after each iteration */
    int32_t trace_length; /* values written to trace */
    int32_t iterations;   /* iterations run */
    char message[512];    /* NUL-terminated; set when the status is not OK (and may note e.g. "converged") */
} sigstream_fit_result;

/* A backend's description. */
typedef struct sigstream_backend {
    int32_t api_version;     /* SIGSTREAM_BACKEND_API_VERSION the backend was built with */
    const char* name;        /* short, lower case, used on the command line: "nmf" */
    const char* version;     /* the backend's own version, e.g. "1.0.0" */
    const char* description; /* one line */
    const char*
        objective; /* what trace holds, e.g. "KL divergence (objective=kl), 0.5*squared Frobenius (frobenius)" */
    int32_t n_params;
    const sigstream_param_spec* params;
    /* Runs one fit; returns a sigstream_fit_status. Must not throw (C++ backends catch everything). */
    int (*fit)(const sigstream_fit_request* request, sigstream_fit_result* result);
} sigstream_backend;

/* The two functions every backend plugin exports. */
int32_t sigstream_backend_api_version(void);
const sigstream_backend* sigstream_backend_info(void);

#ifdef __cplusplus
}
#endif

#endif /* SIGSTREAM_BACKEND_ABI_H */
