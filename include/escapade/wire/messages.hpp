#pragma once
// What travels between ranks. Request and Reply (the farm's hot path, one of each per chunk) are
// packed by hand, fixed-size fields in the host's byte order (both ends are the same build; the
// layout is in messages.cpp): measured 4-20× cheaper per result than Boost archives. The once-per-
// rank ReferenceShare is a Boost.Serialization binary archive (this area is the only
// Boost.Serialization user). Decoding validates everything and throws CommError otherwise.
//
//   worker → master  Request { finished item (if any) and its results in trial order }
//   master → worker  Reply   { stop, or the next item }
//   every rank → rank 0, once after the farm: ReferenceShare { the references this rank solved }
#include <cstdint>
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
  // The worker was told to stop (a signal): `results` may cover only the first trials of
  // `finished`, and the run is to stop everywhere.
  bool stopping = false;
};

struct Reply {
  std::optional<sched::WorkItem> item;  // nothing: stop
};

// One configuration's reference and theory columns (app::ReferenceColumns on the wire).
struct ReferenceRecord {
  std::uint64_t config = 0;
  double reference_time = 0, reference_error = 0, theory_time = 0;
  std::string theory, why;
};

struct ReferenceShare {
  std::string error;  // non-empty: this rank could not solve its share (e.g. PETSc failed to start)
  std::vector<ReferenceRecord> records;
};

std::string encode(const Request& r);
std::string encode(const ReferenceShare& r);
ReferenceShare decode_reference_share(std::string_view bytes);
std::string encode(const Reply& r);
// Throw CommError when the bytes are not a valid message.
Request decode_request(std::string_view bytes);
Reply decode_reply(std::string_view bytes);

}  // namespace escapade::wire
