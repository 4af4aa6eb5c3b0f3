#include "escapade/sched/trial_set.hpp"

#include <gtest/gtest.h>

#include <algorithm>
#include <numeric>
#include <random>
#include <set>
#include <stdexcept>
#include <vector>

namespace escapade::sched {
namespace {

TEST(TrialSet, ReportsGapsAndRefusesOutsiders) {
  TrialSet s(3, 2, 12);  // configurations 3 and 4
  for (std::uint64_t t : {5, 7, 6, 0, 1, 9}) EXPECT_TRUE(s.insert(4, t));
  EXPECT_FALSE(s.insert(4, 6));
  EXPECT_EQ(s.size(), 6u);
  EXPECT_TRUE(s.contains(4, 7));
  EXPECT_FALSE(s.contains(4, 8));
  EXPECT_FALSE(s.contains(3, 0));
  EXPECT_FALSE(s.contains(9, 0));
  EXPECT_EQ(s.missing(4), (std::vector<WorkItem>{{4, 2, 5}, {4, 8, 9}, {4, 10, 12}}));
  // Bridging: gaps separated by fewer than 2 done trials join ([8,9) and [10,12) around trial 9).
  EXPECT_EQ(s.missing(4, 2), (std::vector<WorkItem>{{4, 2, 5}, {4, 8, 12}}));
  EXPECT_EQ(s.missing(4, 4), (std::vector<WorkItem>{{4, 2, 12}}));
  EXPECT_EQ(s.missing(3), (std::vector<WorkItem>{{3, 0, 12}}));
  EXPECT_THROW(s.insert(5, 0), std::out_of_range);
  EXPECT_THROW(s.insert(2, 0), std::out_of_range);
  EXPECT_THROW(s.insert(3, 12), std::out_of_range);
}

// Against a std::set on a random insertion order, across word boundaries: contents and gaps
// agree; filling everything leaves no gaps.
TEST(TrialSet, AgreesWithAPlainSetInAnyOrder) {
  const std::uint64_t n = 2000;
  std::vector<std::uint64_t> order(n);
  std::iota(order.begin(), order.end(), 0);
  std::shuffle(order.begin(), order.end(), std::mt19937_64(12));
  TrialSet s(0, 3, n);
  std::set<std::uint64_t> ref;
  for (std::size_t i = 0; i < order.size(); ++i) {
    s.insert(1, order[i]);
    ref.insert(order[i]);
    if (i % 97 == 0) {
      std::uint64_t missing = 0, prev_end = 0;
      for (const auto& w : s.missing(1)) {
        ASSERT_TRUE(w.begin == 0 || w.begin > prev_end) << "gaps must be maximal";
        for (auto t = w.begin; t < w.end; ++t) ASSERT_FALSE(ref.count(t));
        if (w.begin > 0) {
          ASSERT_TRUE(ref.count(w.begin - 1));
        }
        if (w.end < n) {
          ASSERT_TRUE(ref.count(w.end));
        }
        missing += w.size();
        prev_end = w.end;
      }
      ASSERT_EQ(missing + ref.size(), n);
      std::uint64_t bridged = 0;
      for (const auto& w : s.missing(1, 64)) bridged += w.size();
      ASSERT_GE(bridged, n - ref.size());
      ASSERT_LE(s.missing(1, 64).size(), n / 64 + 1);
    }
  }
  EXPECT_TRUE(s.missing(1).empty());
  EXPECT_EQ(s.missing(0), (std::vector<WorkItem>{{0, 0, n}}));
  EXPECT_EQ(s.size(), n);
}

}  // namespace
}  // namespace escapade::sched
