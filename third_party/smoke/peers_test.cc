// Proves that the benchmark peers link: Boost.Asio (header-only) and oneTBB.

#include <atomic>
#include <cstddef>
#include <functional>
#include <numeric>
#include <vector>

#include "boost/asio/io_context.hpp"
#include "boost/asio/post.hpp"
#include "boost/asio/thread_pool.hpp"
#include "gtest/gtest.h"
#include "oneapi/tbb/blocked_range.h"
#include "oneapi/tbb/parallel_reduce.h"
#include "oneapi/tbb/task_arena.h"

namespace {

TEST(PeersTest, AsioRunsPostedWork) {
  boost::asio::io_context io;
  int ran = 0;
  for (int i = 0; i < 3; ++i) boost::asio::post(io, [&ran] { ++ran; });
  EXPECT_EQ(io.run(), 3u);
  EXPECT_EQ(ran, 3);

  boost::asio::thread_pool pool(2);
  std::atomic<int> sum{0};
  for (int i = 1; i <= 10; ++i) boost::asio::post(pool, [&sum, i] { sum += i; });
  pool.join();
  EXPECT_EQ(sum.load(), 55);
}

TEST(PeersTest, TbbParallelReduce) {
#if defined(__SANITIZE_THREAD__)
  // Debian's libtbb is not built with TSan, so TSan cannot see the hand-offs between TBB's
  // workers and reports races inside parallel_reduce. TBB is only a benchmark baseline.
  GTEST_SKIP() << "oneTBB is not instrumented for ThreadSanitizer";
#endif
  std::vector<int> values(10000);
  std::iota(values.begin(), values.end(), 1);
  tbb::task_arena arena(2);
  const long long total = arena.execute([&] {
    return tbb::parallel_reduce(
        tbb::blocked_range<std::size_t>(0, values.size()), 0LL,
        [&values](const tbb::blocked_range<std::size_t>& range, long long acc) {
          for (std::size_t i = range.begin(); i != range.end(); ++i) acc += values[i];
          return acc;
        },
        std::plus<long long>());
  });
  EXPECT_EQ(total, 10000LL * 10001 / 2);
}

}  // namespace
