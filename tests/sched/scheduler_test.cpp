#include <map>
#include <set>

#include <gtest/gtest.h>

#include "escapade/sched/scheduler.hpp"

using escapade::sched::ChunkPolicy;
using escapade::sched::Scheduler;
using escapade::sched::WorkItem;

TEST(Scheduler, HandsOutEveryTrialExactlyOnceWithinItsConfiguration) {
  Scheduler s({{0, 0, 1000}, {1, 0, 7}, {2, 100, 350}}, 3, ChunkPolicy{1, 64, 4});
  std::map<std::uint32_t, std::set<std::uint64_t>> seen;
  int w = 0;
  while (auto item = s.next_for(w)) {
    EXPECT_LT(item->begin, item->end);
    for (auto t = item->begin; t < item->end; ++t) EXPECT_TRUE(seen[item->config].insert(t).second);
    s.complete(w, *item);
    w = (w + 1) % 3;
  }
  EXPECT_TRUE(s.done());
  EXPECT_EQ(seen[0].size(), 1000u);
  EXPECT_EQ(seen[1].size(), 7u);
  EXPECT_EQ(seen[2].size(), 250u);
  EXPECT_EQ(*seen[2].begin(), 100u);
  EXPECT_EQ(s.completed(), 1257u);
}

TEST(Scheduler, ChunksShrinkAsWorkRunsOut) {
  Scheduler s({{0, 0, 100000}}, 4, ChunkPolicy{1, 1000000, 4});
  std::uint64_t previous = ~0ull, first = 0, last = 0;
  while (auto item = s.next_for(0)) {
    if (first == 0) first = item->size();
    EXPECT_LE(item->size(), previous);
    previous = last = item->size();
    s.complete(0, *item);
  }
  EXPECT_EQ(first, 100000u / 16);
  EXPECT_EQ(last, 1u);
}

TEST(Scheduler, IsNotDoneWhileItemsAreInFlight) {
  Scheduler s({{0, 0, 10}}, 2, ChunkPolicy{10, 10, 1});
  auto a = s.next_for(1);
  ASSERT_TRUE(a);
  EXPECT_FALSE(s.next_for(0));
  EXPECT_FALSE(s.done());
  EXPECT_EQ(s.in_flight(1).size(), 1u);
  s.complete(1, *a);
  EXPECT_TRUE(s.done());
}

TEST(Scheduler, RejectsCompletionOfAnItemNotGiven) {
  Scheduler s({{0, 0, 10}}, 2);
  auto a = s.next_for(0);
  EXPECT_THROW(s.complete(1, *a), std::logic_error);
  EXPECT_THROW(s.next_for(5), std::logic_error);
}
