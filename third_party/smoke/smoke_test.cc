// Proves that the //third_party wrappers compile cleanly under our warning flags and link:
// Abseil (status, strings, str_format, synchronization, time, containers), GoogleTest, GMock.

#include <string>
#include <thread>
#include <vector>

#include "absl/container/btree_set.h"
#include "absl/container/flat_hash_map.h"
#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/strings/str_split.h"
#include "absl/synchronization/mutex.h"
#include "absl/synchronization/notification.h"
#include "absl/time/clock.h"
#include "absl/time/time.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "third_party/smoke/smoke_lib.h"

namespace unified_scheduler::smoke {
namespace {

using ::testing::ElementsAre;
using ::testing::HasSubstr;
using ::testing::Pair;
using ::testing::Return;
using ::testing::UnorderedElementsAre;

TEST(AbseilTest, StatusOrCarriesValueOrError) {
  absl::StatusOr<int> ok = ParsePositive("42");
  ASSERT_TRUE(ok.ok());
  EXPECT_EQ(*ok, 42);

  absl::StatusOr<int> bad = ParsePositive("x");
  EXPECT_EQ(bad.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_THAT(std::string(bad.status().message()), HasSubstr("not an integer"));
  EXPECT_EQ(ParsePositive("-3").status().code(), absl::StatusCode::kOutOfRange);
}

TEST(AbseilTest, StringsAndFormat) {
  EXPECT_EQ(absl::StrCat("a", 1, "b", 2.5), "a1b2.5");
  EXPECT_EQ(absl::StrFormat("%05d|%-3s|", 42, "x"), "00042|x  |");
  std::vector<std::string> parts = absl::StrSplit("a,b,,c", ',', absl::SkipEmpty());
  EXPECT_THAT(parts, ElementsAre("a", "b", "c"));
}

TEST(AbseilTest, ContainersAndTime) {
  absl::flat_hash_map<std::string, int> map = {{"one", 1}, {"two", 2}};
  EXPECT_THAT(map, UnorderedElementsAre(Pair("one", 1), Pair("two", 2)));
  absl::btree_set<int> set = {3, 1, 2};
  EXPECT_THAT(set, ElementsAre(1, 2, 3));

  const absl::Time start = absl::Now();
  EXPECT_GE(absl::Now() - start, absl::ZeroDuration());
  EXPECT_EQ(absl::FormatDuration(absl::Milliseconds(1500)), "1.5s");
}

// Several threads share a WordCounter (absl::Mutex + flat_hash_map); a Notification hands a
// plain value from one thread to another. Under --config=tsan this checks that absl's
// synchronization is visible to ThreadSanitizer (see third_party/tsan/).
TEST(AbseilTest, MutexAndNotificationAcrossThreads) {
  WordCounter counter;
  std::vector<std::thread> threads;
  for (int t = 0; t < 4; ++t) {
    threads.emplace_back([&counter] {
      for (int i = 0; i < 1000; ++i) counter.Add(i % 2 == 0 ? "even" : "odd");
    });
  }
  for (std::thread& thread : threads) thread.join();
  EXPECT_EQ(counter.Count("even"), 2000);
  EXPECT_EQ(counter.Summary(), "even=2000,odd=2000");

  absl::Notification ready;
  int payload = 0;  // Deliberately not atomic: the Notification orders the accesses.
  std::thread producer([&] {
    payload = 7;
    ready.Notify();
  });
  ready.WaitForNotification();
  EXPECT_EQ(payload, 7);
  producer.join();

  absl::Mutex mu;
  bool flag = false;
  std::thread setter([&] {
    absl::MutexLock lock(&mu);
    flag = true;
  });
  {
    absl::MutexLock lock(&mu, absl::Condition(&flag));
    EXPECT_TRUE(flag);
  }
  setter.join();
}

class Clock {
 public:
  virtual ~Clock() = default;
  virtual int Now() const = 0;
};

class MockClock : public Clock {
 public:
  MOCK_METHOD(int, Now, (), (const, override));
};

TEST(GMockTest, MockAndMatchers) {
  MockClock clock;
  EXPECT_CALL(clock, Now()).WillOnce(Return(5)).WillOnce(Return(6));
  const Clock& as_base = clock;
  EXPECT_EQ(as_base.Now(), 5);
  EXPECT_EQ(as_base.Now(), 6);
}

}  // namespace
}  // namespace unified_scheduler::smoke
