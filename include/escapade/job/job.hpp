#pragma once
// A parsed, validated job file and its deterministic sweep expansion.
//
// Tables: [job] (name, seed, trials, max_steps), [landscape], [dynamics], [noise], [escape].
// Any parameter outside [job] may be a sweep axis: a list of its values (a list of lists for a
// vector parameter), or { logspace = [lo_exp, hi_exp, n] } (10^lo .. 10^hi, n points) or
// { linspace = [lo, hi, n] }. The sweep is the Cartesian product of the axes in file order, the
// last axis fastest; configuration i is the i-th element of that product.
//
// Every configuration has a stable key: FNV-1a 64 of its canonical text (see canonical_text()),
// which feeds the random streams, so adding values to an axis never changes other configurations'
// trials. Errors throw ConfigError with "FILE:LINE:COL: key 'table.key' = VALUE: what is allowed".
#include <cstdint>
#include <filesystem>
#include <optional>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

#include "escapade/core/hash.hpp"

namespace escapade::job {

using Matrix = std::vector<std::vector<double>>;
// One parameter value. Integers stay integers (seed, n); every float is a double.
using Value = std::variant<std::int64_t, double, bool, std::string, std::vector<double>, Matrix>;

// Text of a value as written into CSV cells and canonical text: integers as %lld, doubles with
// fmt "{}" (shortest round-trip), vectors as "[1,2.5]", matrices as "[[1,0],[0,1]]", strings as
// is, booleans as true/false.
std::string format_value(const Value& v);

struct Param {
  std::string key;  // dotted: "landscape.a"
  Value value;
};

// One sweep axis: a parameter that took more than one value (or a list/logspace/linspace).
struct Axis {
  std::string key;
  std::vector<Value> values;
};

struct Configuration {
  std::uint32_t index = 0;        // position in the sweep expansion
  std::uint64_t key = 0;          // FNV-1a 64 of canonical_text
  std::string canonical_text;     // "key=value\n" for every parameter outside [job], file order
  std::vector<Param> params;      // every parameter outside [job], file order, sweeps resolved
  std::vector<std::size_t> axis_index;  // for each Job::axes[j], which of its values this has

  const Value* find(std::string_view dotted) const noexcept;
  // Typed access; throws ConfigError naming the key when missing or of another type.
  double number(std::string_view dotted) const;  // int or double
  std::optional<double> optional_number(std::string_view dotted) const;
  const std::string& string(std::string_view dotted) const;
  std::vector<double> vector(std::string_view dotted) const;
  std::optional<std::vector<double>> optional_vector(std::string_view dotted) const;
};

struct Job {
  std::string source;        // file path as given (for messages)
  std::string text;          // the file's exact text
  std::uint64_t text_hash = 0;  // FNV-1a 64 of text
  std::string name;
  std::uint64_t seed = 0;
  std::uint64_t trials = 0;     // per configuration
  std::uint64_t max_steps = 0;
  std::vector<Axis> axes;               // file order
  std::vector<Configuration> configs;   // the expansion

};

// Parses and validates; throws ConfigError (nothing runs on error). `source` names the text in
// messages. Validation covers the schema (schema.hpp); model construction checks (e.g. rotation
// sizes) run separately in trial/models.hpp.
Job parse_job(std::string_view text, std::string source);
// The file's exact text; IoError "cannot read job file 'PATH': reason" when unreadable.
std::string read_job_text(const std::filesystem::path& path);
// read_job_text then parse_job.
Job load_job(const std::filesystem::path& path);

using escapade::fnv1a64;  // core/hash.hpp

}  // namespace escapade::job
