#include "escapade/sched/trial_set.hpp"

#include <gtest/gtest.h>

#include <algorithm>
#include <numeric>
#include <random>
#include <set>
#include <vector>

namespace escapade::sched {
namespace {

TEST(TrialSet, MergesNeighboursAndReportsGaps) {
  TrialSet s(2);
  for (std::uint64_t t : {5, 7, 6, 0, 1, 9}) EXPECT_TRUE(s.insert(1, t));
  EXPECT_FALSE(s.insert(1, 6));
  EXPECT_EQ(s.size(), 6u);
  EXPECT_EQ(s.intervals(), 3u);  // [0,2) [5,8) [9,10)
  EXPECT_TRUE(s.contains(1, 7));
  EXPECT_FALSE(s.contains(1, 8));
  EXPECT_FALSE(s.contains(0, 0));
  const auto gaps = s.missing(1, 12);
  const std::vector<WorkItem> want{{1, 2, 5}, {1, 8, 9}, {1, 10, 12}};
  EXPECT_EQ(gaps, want);
  EXPECT_EQ(s.missing(0, 3), (std::vector<WorkItem>{{0, 0, 3}}));
  EXPECT_THROW(s.insert(2, 0), std::out_of_range);
}

// Against a std::set on a random insertion order: contents, gaps and the interval count (the
// number of maximal runs) agree; filling everything leaves one interval and no gaps.
TEST(TrialSet, AgreesWithAPlainSetInAnyOrder) {
  std::vector<std::uint64_t> order(2000);
  std::iota(order.begin(), order.end(), 0);
  std::shuffle(order.begin(), order.end(), std::mt19937_64(12));
  TrialSet s(1);
  std::set<std::uint64_t> ref;
  for (std::size_t i = 0; i < order.size(); ++i) {
    s.insert(0, order[i]);
    ref.insert(order[i]);
    if (i % 97 == 0) {
      std::size_t runs = 0;
      std::uint64_t prev = 0;
      bool first = true;
      for (auto v : ref) {
        if (first || v != prev + 1) ++runs;
        prev = v, first = false;
      }
      ASSERT_EQ(s.intervals(), runs);
      std::uint64_t missing = 0;
      for (const auto& w : s.missing(0, 2000)) {
        for (auto t = w.begin; t < w.end; ++t) ASSERT_FALSE(ref.count(t));
        missing += w.size();
      }
      ASSERT_EQ(missing + ref.size(), 2000u);
    }
  }
  EXPECT_EQ(s.intervals(), 1u);
  EXPECT_TRUE(s.missing(0, 2000).empty());
  EXPECT_EQ(s.missing(0, 2500), (std::vector<WorkItem>{{0, 2000, 2500}}));
}

}  // namespace
}  // namespace escapade::sched
