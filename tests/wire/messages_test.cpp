#include <gtest/gtest.h>

#include "escapade/core/error.hpp"
#include "escapade/wire/messages.hpp"

using namespace escapade;

TEST(Wire, RequestRoundTrips) {
  wire::Request r;
  r.finished = sched::WorkItem{3, 10, 20};
  for (std::uint64_t t = 10; t < 20; ++t)
    r.results.push_back({3, t % 2 ? TrialStatus::escaped : TrialStatus::diverged, t, 1000 + t});
  const auto back = wire::decode_request(wire::encode(r));
  ASSERT_TRUE(back.finished);
  EXPECT_EQ(*back.finished, *r.finished);
  EXPECT_EQ(back.results, r.results);
}

TEST(Wire, ReplyRoundTripsWithAndWithoutWork) {
  EXPECT_FALSE(wire::decode_reply(wire::encode(wire::Reply{})).item);
  const auto back = wire::decode_reply(wire::encode(wire::Reply{sched::WorkItem{1, 2, 3}}));
  ASSERT_TRUE(back.item);
  EXPECT_EQ(*back.item, (sched::WorkItem{1, 2, 3}));
}

TEST(Wire, GarbageIsACommError) {
  EXPECT_THROW(wire::decode_request(std::string("\x01\x02", 2)), CommError);
}
