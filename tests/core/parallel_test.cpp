#include "core/parallel.h"

#include <gtest/gtest.h>

#include <atomic>
#include <stdexcept>
#include <vector>

namespace sigstream {
namespace {

TEST(Workers, RunEveryBlockExactlyOnceAtEveryTeamSize) {
    for (int threads : {0, 1, 2, 5}) {
        Workers team(threads);
        EXPECT_EQ(team.threads(), std::max(threads, 1));
        for (int round = 0; round < 3; ++round) {  // a team is reused
            std::vector<std::atomic<int>> seen(100);
            team.run(100, [&](int b) { seen[static_cast<std::size_t>(b)]++; });
            for (int b = 0; b < 100; ++b) EXPECT_EQ(seen[static_cast<std::size_t>(b)], 1) << threads << " " << b;
        }
        team.run(0, [](int) { FAIL() << "no block to run"; });
    }
}

TEST(Workers, RethrowTheErrorOfABlockAndStayUsable) {
    Workers team(2);
    std::atomic<int> ran{0};
    EXPECT_THROW(team.run(10,
                          [&](int b) {
                              ran++;
                              if (b == 3) throw std::runtime_error("block 3");
                          }),
                 std::runtime_error);
    EXPECT_EQ(ran, 10);  // the other blocks still ran
    std::atomic<int> again{0};
    team.run(4, [&](int) { again++; });
    EXPECT_EQ(again, 4);
}

}  // namespace
}  // namespace sigstream
