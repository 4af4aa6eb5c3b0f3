#pragma once
// What travels between ranks, as Boost.Serialization binary archives (this area is the only
// Boost.Serialization user). Both ends are the same build, so the native binary archive is fine.
//
//   worker → master  Request { finished item (if any) and its results in trial order }
//   master → worker  Reply   { stop, or the next item }
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "escapade/core/types.hpp"
#include "escapade/sched/scheduler.hpp"

namespace escapade::wire {

struct Request {
  std::optional<sched::WorkItem> finished;
  std::vector<TrialResult> results;
};

struct Reply {
  std::optional<sched::WorkItem> item;  // nothing: stop
};

std::string encode(const Request& r);
std::string encode(const Reply& r);
// Throw CommError when the bytes are not a valid message.
Request decode_request(std::string_view bytes);
Reply decode_reply(std::string_view bytes);

}  // namespace escapade::wire
