// The master's own work per result, without MPI (docs/PERFORMANCE.md, "The master at scale").
// Run: build/bench/escapade_master_bench
//
// Rank 0's main thread does, for every request a worker sends (one finished chunk of results):
// decode the message, tell the scheduler (complete + next_for), hand the results to the sink
// (the run's sink appends them to trials.journal: one 48-byte checksummed record each) and encode
// the reply. Each stage is measured alone and then all together (BM_MasterPerRequest), for chunks
// of 16, 256 and 4096 results; the counter results/s is results per second of one core. The MPI
// part (MPI_Iprobe, MPI_Recv of ~30 bytes per result, MPI_Isend of the reply) is not in here:
// bench/master_scale.sh measures the whole master under mpirun.
#include <unistd.h>

#include <array>
#include <bit>
#include <cstdint>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <functional>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <vector>

#include <benchmark/benchmark.h>

#include "escapade/core/hash.hpp"
#include "escapade/core/types.hpp"
#include "escapade/io/raw_log.hpp"
#include "escapade/sched/scheduler.hpp"
#include "escapade/wire/messages.hpp"

using namespace escapade;

namespace {

// A finished chunk as a worker sends it: trials [begin, begin + n) of configuration 3, a mix of
// escaped and censored results with realistic step counts.
wire::Request make_request(std::uint64_t begin, std::uint64_t n) {
  wire::Request r;
  r.finished = sched::WorkItem{3, begin, begin + n};
  r.results.reserve(n);
  for (std::uint64_t t = begin; t < begin + n; ++t)
    r.results.push_back(
        {3, t % 6 == 0 ? TrialStatus::escaped : TrialStatus::censored, t, 1000 + (t * 7919) % 20000});
  return r;
}

// A journal in a temporary file, started afresh every 64 MiB (outside the timing) so that a long
// benchmark does not fill the disk; the writes still go through stdio and the page cache.
class Journal {
 public:
  Journal()
      : path_(std::filesystem::temp_directory_path() /
              ("escapade-master-bench-" + std::to_string(::getpid()))) {
    open();
  }
  ~Journal() {
    writer_.reset();
    std::error_code ec;
    std::filesystem::remove(path_, ec);
  }
  void append(std::span<const TrialResult> results) {
    writer_->append(results);
    written_ += results.size() * io::raw_record_size;
  }
  bool full() const { return written_ > (64u << 20); }
  void open() {
    writer_.reset();
    writer_.emplace(path_, false);
    written_ = 0;
  }

 private:
  std::filesystem::path path_;
  std::optional<io::RawLogWriter> writer_;
  std::uint64_t written_ = 0;
};

void set_rate(benchmark::State& state, std::uint64_t n) {
  state.SetItemsProcessed(static_cast<std::int64_t>(state.iterations() * n));
  state.counters["results/s"] =
      benchmark::Counter(static_cast<double>(state.iterations() * n), benchmark::Counter::kIsRate);
  state.counters["ns/result"] = benchmark::Counter(static_cast<double>(state.iterations() * n),
                                                   benchmark::Counter::kIsRate | benchmark::Counter::kInvert);
}

void BM_WireEncodeRequest(benchmark::State& state) {  // the worker's side, for comparison
  const auto n = static_cast<std::uint64_t>(state.range(0));
  const wire::Request req = make_request(0, n);
  for (auto _ : state) benchmark::DoNotOptimize(wire::encode(req));
  set_rate(state, n);
}

void BM_WireDecodeRequest(benchmark::State& state) {
  const auto n = static_cast<std::uint64_t>(state.range(0));
  const std::string bytes = wire::encode(make_request(0, n));
  state.counters["bytes/result"] = static_cast<double>(bytes.size()) / static_cast<double>(n);
  for (auto _ : state) benchmark::DoNotOptimize(wire::decode_request(bytes));
  set_rate(state, n);
}

void BM_JournalAppend(benchmark::State& state) {  // the run's sink: journal + counts, via ResultSink
  const auto n = static_cast<std::uint64_t>(state.range(0));
  const wire::Request req = make_request(0, n);
  Journal journal;
  std::uint64_t done = 0, escaped = 0;
  const std::function<void(std::span<const TrialResult>)> sink = [&](std::span<const TrialResult> results) {
    journal.append(results);
    done += results.size();
    for (const auto& r : results) escaped += r.status == TrialStatus::escaped;
  };
  for (auto _ : state) {
    sink(req.results);
    if (journal.full()) {
      state.PauseTiming();
      journal.open();
      state.ResumeTiming();
    }
  }
  benchmark::DoNotOptimize(escaped);
  set_rate(state, n);
}

void BM_SchedulerCompleteNext(benchmark::State& state) {
  const auto n = static_cast<std::uint64_t>(state.range(0));
  const int workers = 1000;
  sched::ChunkPolicy policy{1, n, 4};
  const std::uint64_t total = std::uint64_t{1} << 40;  // never runs out
  sched::Scheduler s({{3, 0, total}}, workers, policy);
  std::vector<sched::WorkItem> held(workers);
  for (int w = 0; w < workers; ++w) held[static_cast<std::size_t>(w)] = *s.next_for(w);
  int w = 0;
  for (auto _ : state) {
    auto& item = held[static_cast<std::size_t>(w)];
    s.complete(w, item);
    item = *s.next_for(w);
    w = (w + 1) % workers;
  }
  set_rate(state, n);
}

void BM_WireEncodeReply(benchmark::State& state) {
  const auto n = static_cast<std::uint64_t>(state.range(0));
  const wire::Reply reply{sched::WorkItem{3, 1000, 1000 + n}};
  for (auto _ : state) benchmark::DoNotOptimize(wire::encode(reply));
  set_rate(state, n);
}

// A prototype, not escapade's writer: the same 48-byte records as io::RawLogWriter::append (the
// same bytes, checked below), but the FNV-1a checksums of four records are computed side by side
// (one record's checksum is a chain of 40 dependent multiplies; four chains keep the multiplier
// busy) and the batch goes out in one fwrite. It measures what the journal could cost.
class PrototypeJournal {
 public:
  explicit PrototypeJournal(const std::filesystem::path& path) : f_(std::fopen(path.c_str(), "wb")) {}
  ~PrototypeJournal() {
    if (f_ != nullptr) std::fclose(f_);
  }
  PrototypeJournal(const PrototypeJournal&) = delete;
  PrototypeJournal& operator=(const PrototypeJournal&) = delete;
  void append(std::span<const TrialResult> results) {
    constexpr std::size_t size = io::raw_record_size, checked = size - 8;
    buf_.assign(results.size() * size, 0);
    unsigned char* b = buf_.data();
    for (std::size_t i = 0; i < results.size(); ++i) {
      const TrialResult& r = results[i];
      unsigned char* p = b + i * size;
      const std::uint32_t top = std::bit_cast<std::uint32_t>(r.along_top),
                          flat = std::bit_cast<std::uint32_t>(r.along_flat);
      std::memcpy(p, &r.config, 4);  // little-endian host, as the layout asks
      p[4] = static_cast<unsigned char>(r.status);
      p[5] = static_cast<unsigned char>(r.flags & 7);
      std::memcpy(p + 8, &r.trial, 8);
      std::memcpy(p + 16, &r.steps, 8);
      std::memcpy(p + 24, &top, 4);
      std::memcpy(p + 28, &flat, 4);
    }
    constexpr std::size_t lanes = 4;
    std::size_t i = 0;
    for (; i + lanes <= results.size(); i += lanes) {
      std::array<std::uint64_t, lanes> h;
      h.fill(14695981039346656037ULL);
      for (std::size_t k = 0; k < checked; ++k)
        for (std::size_t l = 0; l < lanes; ++l) h[l] = (h[l] ^ b[(i + l) * size + k]) * 1099511628211ULL;
      for (std::size_t l = 0; l < lanes; ++l) std::memcpy(b + (i + l) * size + checked, &h[l], 8);
    }
    for (; i < results.size(); ++i) {
      const std::uint64_t h = fnv1a64(std::span<const unsigned char>(b + i * size, checked));
      std::memcpy(b + i * size + checked, &h, 8);
    }
    std::fwrite(buf_.data(), 1, buf_.size(), f_);
  }
  void flush() { std::fflush(f_); }

 private:
  std::FILE* f_;
  std::vector<unsigned char> buf_;
};

void BM_JournalAppendPrototype(benchmark::State& state) {
  const auto n = static_cast<std::uint64_t>(state.range(0));
  const wire::Request req = make_request(0, n);
  const auto dir = std::filesystem::temp_directory_path();
  const auto mine = dir / ("escapade-master-bench-proto-" + std::to_string(::getpid()));
  const auto theirs = dir / ("escapade-master-bench-ref-" + std::to_string(::getpid()));
  {  // the same bytes as escapade's writer (after its 16-byte header)?
    auto with_directions = req.results;
    for (std::size_t i = 0; i < with_directions.size(); i += 3) {
      with_directions[i].flags = 4;
      with_directions[i].along_top = 0.25f * static_cast<float>(i);
      with_directions[i].along_flat = 1.0f / static_cast<float>(i + 1);
    }
    {
      io::RawLogWriter ref(theirs, false);
      ref.append(with_directions);
      ref.close();
      PrototypeJournal proto(mine);
      proto.append(with_directions);
    }
    const auto read = [](const std::filesystem::path& p) {
      std::ifstream in(p, std::ios::binary);
      return std::string(std::istreambuf_iterator<char>(in), {});
    };
    const bool same = read(theirs).substr(io::raw_header_size) == read(mine);
    std::filesystem::remove(theirs);
    if (!same) {
      std::filesystem::remove(mine);
      state.SkipWithError("the prototype's records differ from io::RawLogWriter's");
      return;
    }
  }
  auto proto = std::make_unique<PrototypeJournal>(mine);
  std::uint64_t written = 0, done = 0, escaped = 0;
  const std::function<void(std::span<const TrialResult>)> sink = [&](std::span<const TrialResult> results) {
    proto->append(results);
    done += results.size();
    for (const auto& r : results) escaped += r.status == TrialStatus::escaped;
  };
  for (auto _ : state) {
    sink(req.results);
    written += n * io::raw_record_size;
    if (written > (64u << 20)) {
      state.PauseTiming();
      proto = std::make_unique<PrototypeJournal>(mine);
      written = 0;
      state.ResumeTiming();
    }
  }
  proto.reset();
  std::filesystem::remove(mine);
  benchmark::DoNotOptimize(escaped);
  set_rate(state, n);
}

// Everything rank 0's main thread does per request except the MPI calls. The messages are
// encoded beforehand (that is the workers' work); the scheduler is told about the item each
// worker really holds.
void BM_MasterPerRequest(benchmark::State& state) {
  const auto n = static_cast<std::uint64_t>(state.range(0));
  const int workers = 1000;
  sched::Scheduler s({{3, 0, std::uint64_t{1} << 40}}, workers, sched::ChunkPolicy{1, n, 4});
  std::vector<sched::WorkItem> held(workers);
  std::vector<std::string> messages(workers);
  for (int w = 0; w < workers; ++w) {
    held[static_cast<std::size_t>(w)] = *s.next_for(w);
    messages[static_cast<std::size_t>(w)] = wire::encode(make_request(static_cast<std::uint64_t>(w) * n, n));
  }
  Journal journal;
  std::uint64_t done = 0, escaped = 0;
  const std::function<void(std::span<const TrialResult>)> sink = [&](std::span<const TrialResult> results) {
    journal.append(results);
    done += results.size();
    for (const auto& r : results) escaped += r.status == TrialStatus::escaped;
  };
  int w = 0;
  for (auto _ : state) {
    const auto i = static_cast<std::size_t>(w);
    const wire::Request req = wire::decode_request(messages[i]);
    s.complete(w, held[i]);
    const auto next = s.next_for(w);
    held[i] = *next;
    sink(req.results);
    benchmark::DoNotOptimize(wire::encode(wire::Reply{next}));
    if (journal.full()) {
      state.PauseTiming();
      journal.open();
      state.ResumeTiming();
    }
    w = (w + 1) % workers;
  }
  benchmark::DoNotOptimize(escaped);
  set_rate(state, n);
}

}  // namespace

BENCHMARK(BM_WireEncodeRequest)->Arg(16)->Arg(256)->Arg(4096);
BENCHMARK(BM_WireDecodeRequest)->Arg(16)->Arg(256)->Arg(4096);
BENCHMARK(BM_JournalAppend)->Arg(16)->Arg(256)->Arg(4096);
BENCHMARK(BM_JournalAppendPrototype)->Arg(16)->Arg(256)->Arg(4096);
BENCHMARK(BM_SchedulerCompleteNext)->Arg(16)->Arg(256)->Arg(4096);
BENCHMARK(BM_WireEncodeReply)->Arg(16)->Arg(256)->Arg(4096);
BENCHMARK(BM_MasterPerRequest)->Arg(16)->Arg(256)->Arg(4096);

BENCHMARK_MAIN();
