#pragma once
// The contract the job-file fuzzer checks (tests/fuzz/job_fuzz.cpp) and the regression test
// replays (tests/fuzz/regressions_test.cpp) on every input.
//
// An input is a job file. parse_job either returns a job or throws ConfigError; build_model then
// either returns models or throws ConfigError (IoError is allowed too: the job layer's other
// error). Anything else — another exception, a crash, a sanitizer report, a hang or a huge
// allocation — is a bug. Besides that, every outcome must keep the promises the rest of escapade
// relies on: a job's expansion is the product of its axes with keys that hash their canonical
// text; an error message starts with the file name, is one line of valid UTF-8 and of bounded
// length.
#include <algorithm>
#include <cstddef>
#include <exception>
#include <string>
#include <string_view>

#include "escapade/core/error.hpp"
#include "escapade/job/job.hpp"
#include "escapade/trial/models.hpp"

namespace escapade::fuzz {

inline constexpr std::string_view kSource = "fuzz.toml";
// Models are built for every configuration up to this many; beyond, for an even sample of this
// many (every configuration runs the same code, and building a million models per input would
// make the fuzzer crawl without covering more).
inline constexpr std::size_t kMaxModels = 64;
// A message longer than this floods the terminal: some value was quoted without a limit.
inline constexpr std::size_t kMaxMessage = 4096;

// Strict: no overlong forms, no surrogates, nothing above U+10FFFF.
inline bool valid_utf8(std::string_view s) {
  std::size_t i = 0;
  while (i < s.size()) {
    const auto c = static_cast<unsigned char>(s[i]);
    const std::size_t n = c < 0x80           ? 1
                          : (c >> 5) == 0x6  ? 2
                          : (c >> 4) == 0xE  ? 3
                          : (c >> 3) == 0x1E ? 4
                                             : 0;
    if (n == 0 || i + n > s.size()) return false;
    char32_t cp = n == 1 ? c : c & (0x7F >> n);
    for (std::size_t k = 1; k < n; ++k) {
      const auto b = static_cast<unsigned char>(s[i + k]);
      if ((b & 0xC0) != 0x80) return false;
      cp = (cp << 6) | (b & 0x3F);
    }
    constexpr char32_t kLeast[] = {0, 0, 0x80, 0x800, 0x10000};
    if (cp < kLeast[n] || cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF)) return false;
    i += n;
  }
  return true;
}

// "" when the message keeps the contract, else what is wrong with it.
inline std::string check_message(std::string_view m) {
  if (!m.starts_with(kSource)) return "the message does not start with the file name";
  if (m.size() > kMaxMessage) return "the message is longer than " + std::to_string(kMaxMessage);
  if (!valid_utf8(m)) return "the message is not valid UTF-8";
  if (m.find_first_of("\n\r") != std::string_view::npos) return "the message is not one line";
  return {};
}

// "" when the expansion keeps its promises (include/escapade/job/job.hpp), else what is wrong.
inline std::string check_job(const job::Job& job, std::string_view text) {
  if (job.text != text) return "job.text is not the input";
  if (job.text_hash != fnv1a64(job.text)) return "text_hash is not FNV-1a of the text";
  if (job.trials < 1 || job.max_steps < 1) return "trials or max_steps below 1";
  std::size_t product = 1;
  for (const job::Axis& axis : job.axes) {
    if (axis.values.empty()) return "axis " + axis.key + " has no values";
    product *= axis.values.size();
  }
  if (job.configs.size() != product) return "the configurations are not the product of the axes";
  // The keys and canonical texts of about kMaxModels configurations are rebuilt (see kMaxModels).
  const std::size_t stride = std::max<std::size_t>(1, job.configs.size() / kMaxModels);
  for (std::size_t i = 0; i < job.configs.size(); ++i) {
    const job::Configuration& c = job.configs[i];
    if (c.index != i) return "configuration indices are out of order";
    if (c.axis_index.size() != job.axes.size()) return "axis_index has the wrong size";
    for (std::size_t j = 0; j < job.axes.size(); ++j) {
      if (c.axis_index[j] >= job.axes[j].values.size()) return "axis_index out of range";
    }
    if (i % stride != 0) continue;
    if (c.key != fnv1a64(c.canonical_text)) return "a key is not FNV-1a of its canonical text";
    std::string text;
    for (const job::Param& p : c.params) text += p.key + "=" + job::format_value(p.value) + "\n";
    if (text != c.canonical_text) return "a canonical text does not match its params";
  }
  return {};
}

// Parses `text` as the file kSource and, when `models`, builds its models. "" when the contract
// holds, else a description of the broken promise (with the message or exception text).
inline std::string check_input(std::string_view text, bool models = true) {
  try {
    const job::Job job = job::parse_job(text, std::string(kSource));
    if (std::string broken = check_job(job, text); !broken.empty()) return broken;
    if (!models) return {};
    const std::size_t n = job.configs.size();
    if (n <= kMaxModels) {
      (void)trial::build_models(job);
    } else {
      for (std::size_t k = 0; k < kMaxModels; ++k) {
        (void)trial::build_model(job, job.configs[k * (n - 1) / (kMaxModels - 1)]);
      }
    }
  } catch (const ConfigError& e) {
    if (std::string broken = check_message(e.what()); !broken.empty()) {
      return broken + ": " + std::string(std::string_view(e.what()).substr(0, 400));
    }
  } catch (const IoError& e) {
    if (std::string broken = check_message(e.what()); !broken.empty()) {
      return broken + ": " + std::string(std::string_view(e.what()).substr(0, 400));
    }
  } catch (const std::exception& e) {
    return std::string("an exception other than ConfigError / IoError escaped: ") + e.what();
  }
  return {};
}

}  // namespace escapade::fuzz
