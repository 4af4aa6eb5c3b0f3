#include "escapade/wire/messages.hpp"

#include <sstream>

#include <boost/archive/binary_iarchive.hpp>
#include <boost/archive/binary_oarchive.hpp>
#include <boost/serialization/split_free.hpp>
#include <boost/serialization/string.hpp>
#include <boost/serialization/vector.hpp>

#include "escapade/core/error.hpp"

namespace boost::serialization {

template <class Archive>
void serialize(Archive& ar, escapade::sched::WorkItem& w, unsigned) {
  ar & w.config & w.begin & w.end;
}

template <class Archive>
void serialize(Archive& ar, escapade::TrialResult& r, unsigned) {
  auto status = static_cast<std::uint8_t>(r.status);
  ar & r.config & status & r.flags & r.trial & r.steps & r.along_top & r.along_flat;
  r.status = static_cast<escapade::TrialStatus>(status);
}

// std::optional<WorkItem> (Boost 1.74 knows only boost::optional): a flag, then the value.
template <class Archive>
void save(Archive& ar, const std::optional<escapade::sched::WorkItem>& o, unsigned) {
  const bool has = o.has_value();
  ar << has;
  if (has) ar << *o;
}

template <class Archive>
void load(Archive& ar, std::optional<escapade::sched::WorkItem>& o, unsigned) {
  bool has = false;
  ar >> has;
  if (has) {
    escapade::sched::WorkItem w;
    ar >> w;
    o = w;
  } else {
    o.reset();
  }
}

template <class Archive>
void serialize(Archive& ar, std::optional<escapade::sched::WorkItem>& o, unsigned version) {
  split_free(ar, o, version);
}

template <class Archive>
void serialize(Archive& ar, escapade::wire::Request& r, unsigned) {
  ar & r.finished & r.results & r.stopping;
}

template <class Archive>
void serialize(Archive& ar, escapade::wire::Reply& r, unsigned) {
  ar & r.item;
}

template <class Archive>
void serialize(Archive& ar, escapade::wire::ReferenceRecord& r, unsigned) {
  ar & r.config & r.reference_time & r.reference_error & r.theory_time & r.theory & r.why;
}

template <class Archive>
void serialize(Archive& ar, escapade::wire::ReferenceShare& r, unsigned) {
  ar & r.error & r.records;
}

}  // namespace boost::serialization

BOOST_CLASS_IMPLEMENTATION(escapade::sched::WorkItem, boost::serialization::object_serializable)
BOOST_CLASS_IMPLEMENTATION(escapade::TrialResult, boost::serialization::object_serializable)
BOOST_CLASS_IMPLEMENTATION(escapade::wire::ReferenceRecord, boost::serialization::object_serializable)

namespace escapade::wire {
namespace {

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

std::string encode(const Request& r) { return encode_any(r); }
std::string encode(const Reply& r) { return encode_any(r); }
Request decode_request(std::string_view bytes) { return decode_any<Request>(bytes, "request"); }
Reply decode_reply(std::string_view bytes) { return decode_any<Reply>(bytes, "reply"); }
std::string encode(const ReferenceShare& r) { return encode_any(r); }
ReferenceShare decode_reference_share(std::string_view bytes) {
  return decode_any<ReferenceShare>(bytes, "reference share");
}

}  // namespace escapade::wire
