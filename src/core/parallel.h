// A team of threads for data-parallel loops whose results must not depend on the number of threads: the caller
// cuts the work into blocks that do not depend on it (a fixed number of columns, say), each block is done whole by
// one thread, and whatever is summed over blocks the caller sums in block order afterwards.
#pragma once

#include <condition_variable>
#include <exception>
#include <functional>
#include <mutex>
#include <thread>
#include <vector>

namespace sigstream {

class Workers {
public:
    // `threads` >= 1 (fewer are taken as 1); threads - 1 helpers wait for work until the team is destroyed.
    explicit Workers(int threads);
    ~Workers();
    Workers(const Workers&) = delete;
    Workers& operator=(const Workers&) = delete;

    int threads() const { return static_cast<int>(helpers_.size()) + 1; }

    // fn(b) for every b < blocks, spread over the team (the calling thread takes part); returns when every block is
    // done. An exception thrown by fn is rethrown here (the first one; the other blocks still run).
    void run(int blocks, const std::function<void(int)>& fn);

private:
    void help();
    void work();  // takes blocks until none is left

    std::vector<std::thread> helpers_;
    std::mutex mutex_;
    std::condition_variable wake_, done_;
    const std::function<void(int)>* fn_ = nullptr;
    int blocks_ = 0, next_ = 0, busy_ = 0;
    unsigned generation_ = 0;
    bool stop_ = false;
    std::exception_ptr error_;
};

}  // namespace sigstream
