#include "core/parallel.h"

namespace sigstream {

Workers::Workers(int threads) {
    for (int t = 1; t < threads; ++t) helpers_.emplace_back([this] { help(); });
}

Workers::~Workers() {
    {
        std::lock_guard<std::mutex> lock(mutex_);
        stop_ = true;
    }
    wake_.notify_all();
    for (auto& t : helpers_) t.join();
}

void Workers::work() {
    std::unique_lock<std::mutex> lock(mutex_);
    while (next_ < blocks_) {
        const int b = next_++;
        const std::function<void(int)>& fn = *fn_;
        lock.unlock();
        std::exception_ptr error;
        try {
            fn(b);
        } catch (...) {
            error = std::current_exception();
        }
        lock.lock();
        if (error && !error_) error_ = error;
    }
}

void Workers::help() {
    unsigned seen = 0;
    std::unique_lock<std::mutex> lock(mutex_);
    for (;;) {
        wake_.wait(lock, [&] { return stop_ || generation_ != seen; });
        if (stop_) return;
        seen = generation_;
        ++busy_;
        lock.unlock();
        work();
        lock.lock();
        if (--busy_ == 0) done_.notify_all();
    }
}

void Workers::run(int blocks, const std::function<void(int)>& fn) {
    {
        std::lock_guard<std::mutex> lock(mutex_);
        fn_ = &fn;
        blocks_ = blocks;
        next_ = 0;
        error_ = nullptr;
        ++generation_;
    }
    if (!helpers_.empty()) wake_.notify_all();
    work();
    std::unique_lock<std::mutex> lock(mutex_);
    // Every block has been taken; wait for the helpers still working on theirs.
    done_.wait(lock, [&] { return busy_ == 0; });
    fn_ = nullptr;
    if (error_) {
        std::exception_ptr error = error_;
        error_ = nullptr;
        std::rethrow_exception(error);
    }
}

}  // namespace sigstream
