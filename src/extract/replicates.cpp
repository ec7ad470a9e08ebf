#include "extract/replicates.h"

#include <algorithm>
#include <atomic>
#include <exception>
#include <mutex>
#include <thread>

#include "core/errors.h"
#include "core/random.h"
#include "extract/normalise.h"
#include "extract/statistics.h"
#include "numeric/resample.h"

namespace sigstream {

std::uint64_t bootstrap_seed(std::uint64_t root, int index) {
    return replicate_seed(root, 0, index);
}

std::uint64_t start_seed(std::uint64_t root, int k, int index) {
    return replicate_seed(root, k, index);
}

Eigen::MatrixXd replicate_matrix(const Eigen::MatrixXd& V, std::uint64_t root, int index, Normalisation normalise,
                                 bool resample) {
    Eigen::MatrixXd B = resample ? bootstrap_counts(V, bootstrap_seed(root, index)) : V;
    if (normalise != Normalisation::none) B = B * normalisation_factors(B, normalise).asDiagonal();
    return B;
}

std::vector<Replicate> fit_replicates(const Eigen::MatrixXd& V, const Backend& backend, const ReplicatePlan& plan,
                                      const RunSettings& run) {
    struct Job {
        int k, index;
    };
    std::vector<Job> jobs;
    for (int k : plan.ks)
        for (int i = plan.first; i < plan.last; ++i) jobs.push_back({k, i});
    std::vector<Replicate> out(jobs.size());
    std::vector<std::exception_ptr> errors(jobs.size());
    // Largest K first (the longest fits), so the threads finish together; the output order is fixed.
    std::vector<std::size_t> order(jobs.size());
    for (std::size_t j = 0; j < order.size(); ++j) order[j] = order.size() - 1 - j;

    std::atomic<std::size_t> next{0};
    std::atomic<bool> failed{false};
    std::mutex report;
    std::uint64_t finished = 0;
    // One resampled matrix at a time per thread; the bootstrap of replicate i is redrawn for each K (cheap next
    // to a fit) so that no K waits on another.
    auto worker = [&] {
        for (;;) {
            const std::size_t n = next.fetch_add(1);
            if (n >= order.size() || failed.load()) return;
            const std::size_t j = order[n];
            try {
                const Job job = jobs[j];
                const Eigen::MatrixXd B = replicate_matrix(V, plan.fit.seed, job.index, plan.normalise, plan.resample);
                FitRequest req;
                req.fit = plan.fit;
                req.fit.k = job.k;
                req.fit.seed = start_seed(plan.fit.seed, job.k, job.index);
                req.keep_trace = false;  // the last objective only
                FitResult fit = backend.fit(B, req);
                Replicate& r = out[j];
                r.k = job.k;
                r.index = job.index;
                r.W = std::move(fit.W);
                scale_signatures(r.W);
                r.iterations = fit.iterations;
                r.objective = fit.trace.empty() ? 0.0 : fit.trace.back();
                if (run.progress) {
                    std::lock_guard<std::mutex> lock(report);
                    const std::string detail = "K=" + std::to_string(r.k) + " replicate " + std::to_string(r.index) +
                                               ", " + std::to_string(r.iterations) + " iterations";
                    Progress p;
                    p.stage = "extract";
                    p.unit = "fits";
                    p.done = ++finished;
                    p.total = jobs.size();
                    p.objective = r.objective;
                    p.detail = detail;
                    run.report(p);
                }
            } catch (...) {
                errors[j] = std::current_exception();
                failed.store(true);
            }
        }
    };
    const int n_threads = std::max(1, std::min<int>(run.threads, static_cast<int>(jobs.size())));
    std::vector<std::thread> pool;
    for (int t = 1; t < n_threads; ++t) pool.emplace_back(worker);
    worker();
    for (auto& t : pool) t.join();
    for (auto& e : errors)
        if (e) std::rethrow_exception(e);
    return out;
}

}  // namespace sigstream
