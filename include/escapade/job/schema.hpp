#pragma once
// What a job file may say: for each table and each `kind`, the keys, their types, whether they
// are required, their ranges and a one-line description (used in error messages and docs).
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

namespace escapade::job {

enum class KeyType {
  integer,       // TOML integer
  number,        // TOML integer or float, stored as double
  string,        // one of `choices` when non-empty
  vector,        // list of numbers
  matrix,        // list of lists of numbers
  number_or_matrix,  // e.g. a rotation: an angle (2-D) or a matrix
};

struct KeySpec {
  std::string_view name;
  KeyType type;
  bool required = false;
  bool sweepable = true;
  std::optional<double> min;       // inclusive unless min_exclusive
  bool min_exclusive = false;
  std::optional<double> max;       // inclusive
  std::vector<std::string_view> choices;  // for strings
  std::string_view help;           // what is allowed, in words
};

struct KindSpec {
  std::string_view kind;  // e.g. "kramers_well"
  std::string_view help;
  std::vector<KeySpec> keys;
  // Groups of optional keys of which exactly one must be given (e.g. isotropic: sigma or trace).
  std::vector<std::vector<std::string_view>> exactly_one_of;
};

struct TableSpec {
  std::string_view table;          // e.g. "landscape"
  bool has_kind = false;           // true: keys depend on `kind`
  std::vector<KeySpec> keys;       // when has_kind is false
  std::vector<KindSpec> kinds;     // when has_kind is true
};

// The whole schema, in the order tables appear in the docs.
const std::vector<TableSpec>& schema();
const TableSpec* find_table(std::string_view table);

}  // namespace escapade::job
