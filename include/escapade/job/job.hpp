#pragma once
// A parsed, validated job file and its deterministic sweep expansion.
//
// Tables: [job] (name, seed, trials, max_steps), [landscape], [dynamics], [noise], [escape].
// Any parameter outside [job] may be a sweep axis: a list of its values (a list of lists for a
// vector parameter), or { logspace = [lo_exp, hi_exp, n] } (10^lo .. 10^hi, n points) or
// { linspace = [lo, hi, n] }. The sweep is the Cartesian product of the axes in file order, the
// last axis fastest; configuration i is the i-th element of that product.
//
// noise.kind may itself be an axis (kind = ["isotropic", "hessian"]): the keys allowed are then
// the union of the listed kinds' keys, and a key is kept only in the configurations whose kind
// takes it (see docs/JOB_FILES.md, "Sweeping noise.kind").
//
// Every configuration has a stable key: FNV-1a 64 of its canonical text (see canonical_text()),
// which feeds the random streams, so adding values to an axis never changes other configurations'
// trials. Errors throw ConfigError with "FILE:LINE:COL: key 'table.key' = VALUE: what is allowed".
#include <cstdint>
#include <filesystem>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <variant>
#include <vector>

#include "escapade/core/hash.hpp"

namespace escapade::job {

using Matrix = std::vector<std::vector<double>>;

// A distribution to draw data from, as written in the job: { normal = [0, 1] } is
// {"normal", {0, 1}}. `kind` is a form of distribution_forms() (schema.hpp): constant [v],
// normal [mean, std], uniform [lo, hi], lognormal [mu, sigma], gamma [shape, scale]; the
// parameters are validated (std, sigma, shape, scale > 0; lo < hi; all finite).
struct Distribution {
  std::string kind;
  std::vector<double> params;
  friend bool operator==(const Distribution&, const Distribution&) = default;
};

// One key of an inline table value (KeyType::table), e.g. match = { sgd_batch = 32 }.
using Scalar = std::variant<std::int64_t, double, bool, std::string>;
// An inline table value: the keys given (absent optional keys stay absent), in schema order.
struct Table {
  std::vector<std::pair<std::string, Scalar>> entries;
  const Scalar* find(std::string_view key) const noexcept;
  friend bool operator==(const Table&, const Table&) = default;
};

// One parameter value. Integers stay integers (seed, n); every float is a double.
using Value = std::variant<std::int64_t, double, bool, std::string, std::vector<double>, Matrix,
                           Distribution, Table>;

// Text of a value as written into CSV cells and canonical text: integers as %lld, doubles with
// fmt "{}" (shortest round-trip), vectors as "[1,2.5]", matrices as "[[1,0],[0,1]]", strings as
// is, booleans as true/false, distributions as "normal(0,1)" / "constant(2.5)", tables as
// "{sgd_batch=32,replacement=false}" (schema order; strings inside a table are quoted).
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
  std::string canonical_text;     // "key=value\n" for every entry of params, in order
  // Every parameter outside [job], file order, sweeps resolved; under a noise.kind sweep, only
  // the keys this configuration's noise kind takes.
  std::vector<Param> params;
  std::vector<std::size_t> axis_index;  // for each Job::axes[j], which of its values this has

  const Value* find(std::string_view dotted) const noexcept;
  // Typed access; throws ConfigError naming the key when missing or of another type.
  double number(std::string_view dotted) const;  // int or double
  std::optional<double> optional_number(std::string_view dotted) const;
  const std::string& string(std::string_view dotted) const;
  std::vector<double> vector(std::string_view dotted) const;
  std::optional<std::vector<double>> optional_vector(std::string_view dotted) const;

  std::int64_t integer(std::string_view dotted) const;  // an integer only
  std::optional<std::int64_t> optional_integer(std::string_view dotted) const;
  std::optional<std::string> optional_string(std::string_view dotted) const;
  bool boolean(std::string_view dotted) const;
  std::optional<bool> optional_bool(std::string_view dotted) const;
  const Matrix& matrix(std::string_view dotted) const;
  std::optional<Matrix> optional_matrix(std::string_view dotted) const;
  const Distribution& distribution(std::string_view dotted) const;
  std::optional<Distribution> optional_distribution(std::string_view dotted) const;
  const Table& table(std::string_view dotted) const;
  std::optional<Table> optional_table(std::string_view dotted) const;
  // A key of an inline table value: nullopt when the table or the key is absent; throws
  // ConfigError naming "dotted.field" when either has another type.
  std::optional<std::int64_t> optional_table_integer(std::string_view dotted,
                                                     std::string_view field) const;
  std::optional<double> optional_table_number(std::string_view dotted,
                                              std::string_view field) const;  // int or double
  std::optional<bool> optional_table_bool(std::string_view dotted, std::string_view field) const;
};

struct Job {
  std::string source;        // file path as given (for messages)
  std::string text;          // the file's exact text
  std::uint64_t text_hash = 0;  // FNV-1a 64 of text
  std::string name;
  std::uint64_t seed = 0;
  std::uint64_t trials = 0;     // per configuration
  std::uint64_t max_steps = 0;
  std::string reference_petsc_options;  // [reference] petsc_options (never part of a configuration)
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
