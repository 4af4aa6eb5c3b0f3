#include "escapade/wire/messages.hpp"

#include <cstring>
#include <sstream>
#include <type_traits>

#include <boost/archive/binary_iarchive.hpp>
#include <boost/archive/binary_oarchive.hpp>
#include <boost/serialization/string.hpp>
#include <boost/serialization/vector.hpp>

#include "escapade/core/error.hpp"

namespace boost::serialization {

template <class Archive>
void serialize(Archive& ar, escapade::wire::ReferenceRecord& r, unsigned) {
  ar & r.config & r.reference_time & r.reference_error & r.theory_time & r.theory & r.why;
}

template <class Archive>
void serialize(Archive& ar, escapade::wire::ReferenceShare& r, unsigned) {
  ar & r.error & r.records;
}

}  // namespace boost::serialization

BOOST_CLASS_IMPLEMENTATION(escapade::wire::ReferenceRecord, boost::serialization::object_serializable)

namespace escapade::wire {
namespace {

// Request and Reply are the farm's hot path (one of each per chunk; rank 0 decodes every request)
// and are packed by hand: fixed-size fields in the host's byte order (both ends are the same
// build), results as 30-byte records, no per-message archive set-up. Only ReferenceShare, sent
// once per rank, goes through Boost.Serialization.
//
//   Request: 'Q', flags (1: finished present, 2: stopping), [finished: u32 config, u64 begin,
//            u64 end], u64 count, count × {u32 config, u8 status, u8 flags, u64 trial, u64 steps,
//            f32 along_top, f32 along_flat}
//   Reply:   'P', u8 has_item, [u32 config, u64 begin, u64 end]
constexpr char request_tag = 'Q';
constexpr char reply_tag = 'P';
constexpr unsigned char has_finished = 1, is_stopping = 2;
constexpr std::size_t item_bytes = 4 + 8 + 8;
constexpr std::size_t result_bytes = 4 + 1 + 1 + 8 + 8 + 4 + 4;

class Packer {
 public:
  explicit Packer(std::size_t size) : bytes_(size, '\0'), p_(bytes_.data()) {}
  template <class T>
  void put(T v) {
    static_assert(std::is_trivially_copyable_v<T>);
    std::memcpy(p_, &v, sizeof v);
    p_ += sizeof v;
  }
  void put(const sched::WorkItem& w) {
    put(w.config);
    put(w.begin);
    put(w.end);
  }
  std::string take() && { return std::move(bytes_); }

 private:
  std::string bytes_;
  char* p_;
};

class Unpacker {
 public:
  Unpacker(std::string_view bytes, const char* what) : bytes_(bytes), what_(what) {}
  [[noreturn]] void fail(const std::string& why) const {
    throw CommError(std::string("malformed ") + what_ + " message: " + why);
  }
  std::size_t left() const { return bytes_.size() - pos_; }
  template <class T>
  T get() {
    static_assert(std::is_trivially_copyable_v<T>);
    if (left() < sizeof(T)) fail("truncated");
    T v;
    std::memcpy(&v, bytes_.data() + pos_, sizeof v);
    pos_ += sizeof v;
    return v;
  }
  sched::WorkItem item() {
    sched::WorkItem w;
    w.config = get<std::uint32_t>();
    w.begin = get<std::uint64_t>();
    w.end = get<std::uint64_t>();
    if (w.end < w.begin) fail("work item ends before it begins");
    return w;
  }
  void expect_tag(char tag) {
    if (get<char>() != tag) fail("wrong message kind");
  }
  void expect_end() const {
    if (left() != 0) fail(std::to_string(left()) + " bytes too many");
  }

 private:
  std::string_view bytes_;
  std::size_t pos_ = 0;
  const char* what_;
};

template <class T>
std::string encode_any(const T& v) {
  std::ostringstream os(std::ios::binary);
  {
    boost::archive::binary_oarchive ar(os, boost::archive::no_header);
    ar << v;
  }
  return std::move(os).str();
}

template <class T>
T decode_any(std::string_view bytes, const char* what) {
  T v;
  try {
    std::istringstream is(std::string(bytes), std::ios::binary);
    boost::archive::binary_iarchive ar(is, boost::archive::no_header);
    ar >> v;
  } catch (const std::exception& e) {
    throw CommError(std::string("malformed ") + what + " message: " + e.what());
  }
  return v;
}

}  // namespace

std::string encode(const Request& r) {
  Packer out(2 + (r.finished ? item_bytes : 0) + 8 + r.results.size() * result_bytes);
  out.put(request_tag);
  out.put(static_cast<unsigned char>((r.finished ? has_finished : 0) | (r.stopping ? is_stopping : 0)));
  if (r.finished) out.put(*r.finished);
  out.put(static_cast<std::uint64_t>(r.results.size()));
  for (const TrialResult& t : r.results) {
    out.put(t.config);
    out.put(static_cast<std::uint8_t>(t.status));
    out.put(t.flags);
    out.put(t.trial);
    out.put(t.steps);
    out.put(t.along_top);
    out.put(t.along_flat);
  }
  return std::move(out).take();
}

std::string encode(const Reply& r) {
  Packer out(2 + (r.item ? item_bytes : 0));
  out.put(reply_tag);
  out.put(static_cast<unsigned char>(r.item ? 1 : 0));
  if (r.item) out.put(*r.item);
  return std::move(out).take();
}

Request decode_request(std::string_view bytes) {
  Unpacker in(bytes, "request");
  in.expect_tag(request_tag);
  const auto flags = in.get<unsigned char>();
  if ((flags & ~(has_finished | is_stopping)) != 0) in.fail("unknown flags");
  Request r;
  if ((flags & has_finished) != 0) r.finished = in.item();
  r.stopping = (flags & is_stopping) != 0;
  const auto count = in.get<std::uint64_t>();
  if (count > in.left() / result_bytes || count * result_bytes != in.left())
    in.fail(std::to_string(count) + " results announced, " + std::to_string(in.left()) + " bytes follow");
  r.results.resize(static_cast<std::size_t>(count));
  for (TrialResult& t : r.results) {
    t.config = in.get<std::uint32_t>();
    const auto status = in.get<std::uint8_t>();
    if (status > static_cast<std::uint8_t>(TrialStatus::diverged)) in.fail("unknown trial status");
    t.status = static_cast<TrialStatus>(status);
    t.flags = in.get<std::uint8_t>();
    t.trial = in.get<std::uint64_t>();
    t.steps = in.get<std::uint64_t>();
    t.along_top = in.get<float>();
    t.along_flat = in.get<float>();
  }
  in.expect_end();
  return r;
}

Reply decode_reply(std::string_view bytes) {
  Unpacker in(bytes, "reply");
  in.expect_tag(reply_tag);
  const auto has = in.get<unsigned char>();
  if (has > 1) in.fail("bad item flag");
  Reply r;
  if (has == 1) r.item = in.item();
  in.expect_end();
  return r;
}

std::string encode(const ReferenceShare& r) { return encode_any(r); }
ReferenceShare decode_reference_share(std::string_view bytes) {
  return decode_any<ReferenceShare>(bytes, "reference share");
}

}  // namespace escapade::wire
