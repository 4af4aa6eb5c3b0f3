#include <cmath>
#include <limits>

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

TEST(Wire, ReferenceShareRoundTripsNaNAndText) {
  wire::ReferenceShare s;
  s.error = "";
  s.records.push_back({7, 12.5, 1e-6, std::numeric_limits<double>::quiet_NaN(), "", "Lévy noise has no diffusion equation"});
  s.records.push_back({9, std::numeric_limits<double>::quiet_NaN(), 0.0, 3.25, "kramers", ""});
  const auto back = wire::decode_reference_share(wire::encode(s));
  ASSERT_EQ(back.records.size(), 2u);
  EXPECT_EQ(back.records[0].config, 7u);
  EXPECT_EQ(back.records[0].reference_time, 12.5);
  EXPECT_TRUE(std::isnan(back.records[0].theory_time));
  EXPECT_EQ(back.records[0].why, s.records[0].why);
  EXPECT_TRUE(std::isnan(back.records[1].reference_time));
  EXPECT_EQ(back.records[1].theory, "kramers");
  s.error = "PETSc did not start";
  EXPECT_EQ(wire::decode_reference_share(wire::encode(s)).error, s.error);
  EXPECT_THROW(wire::decode_reference_share(std::string("\x05", 1)), CommError);
}

// Every truncation and any extra byte of a valid request or reply is refused, never misread.
TEST(Wire, TruncatedOrPaddedMessagesAreCommErrors) {
  wire::Request r;
  r.finished = sched::WorkItem{2, 0, 3};
  r.stopping = true;
  for (std::uint64_t t = 0; t < 3; ++t) r.results.push_back({2, TrialStatus::escaped, t, 10 + t});
  const std::string req = wire::encode(r);
  const std::string rep = wire::encode(wire::Reply{sched::WorkItem{1, 2, 3}});
  for (std::size_t n = 0; n < req.size(); ++n)
    EXPECT_THROW(wire::decode_request(std::string_view(req).substr(0, n)), CommError) << n;
  for (std::size_t n = 0; n < rep.size(); ++n)
    EXPECT_THROW(wire::decode_reply(std::string_view(rep).substr(0, n)), CommError) << n;
  EXPECT_THROW(wire::decode_request(req + "x"), CommError);
  EXPECT_THROW(wire::decode_reply(rep + "x"), CommError);
  const auto back = wire::decode_request(req);
  EXPECT_TRUE(back.stopping);
  EXPECT_EQ(back.results, r.results);
}
