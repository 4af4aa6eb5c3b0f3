#pragma once
// What a job file may say: for each table and each `kind`, the keys, their types, whether they
// are required, their ranges and a one-line description (used in error messages and docs).
#include <cstddef>
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
  boolean,       // TOML true / false
  table,         // an inline table whose keys are `fields` (integer, number, boolean or string
                 // keys; never swept on their own: a sweep lists whole tables); stored as Table
  distribution,  // an inline table naming one form of distribution_forms(), e.g.
                 // { normal = [0, 1] }; stored as Distribution
  data_or_distribution,  // explicit data, a list of numbers or a matrix, or a distribution
};

struct KeySpec {
  std::string_view name;
  KeyType type = KeyType::number;
  bool required = false;
  bool sweepable = true;
  std::optional<double> min{};     // inclusive unless min_exclusive; vectors: each entry
  bool min_exclusive = false;
  std::optional<double> max{};     // inclusive
  std::vector<std::string_view> choices{};  // for strings
  std::string_view help{};         // what is allowed, in words
  std::vector<KeySpec> fields{};   // KeyType::table: its keys, in canonical order
  std::size_t min_columns = 0;     // KeyType::matrix: every row has at least this many entries
};

struct KindSpec {
  std::string_view kind;  // e.g. "kramers_well"
  std::string_view help;
  std::vector<KeySpec> keys;
  // Groups of optional keys of which exactly one must be given (e.g. isotropic: sigma or trace).
  std::vector<std::vector<std::string_view>> exactly_one_of{};
  // Groups of optional keys of which at most one may be given (e.g. diagonal: trace or match).
  std::vector<std::vector<std::string_view>> at_most_one_of{};
};

struct TableSpec {
  std::string_view table;          // e.g. "landscape"
  bool has_kind = false;           // true: keys depend on `kind`
  std::vector<KeySpec> keys;       // when has_kind is false
  std::vector<KindSpec> kinds;     // when has_kind is true
  // true: `kind` may be a list of kinds (a sweep axis); the keys allowed are then the union of
  // the listed kinds' keys, and each key is kept only in configurations whose kind takes it.
  bool kind_sweepable = false;
  // false: the table may be left out (e.g. [reference]).
  bool required = true;
};

// One form of a distribution value: { constant = v }, { normal = [mean, std] }, ...
struct DistributionParam {
  std::string_view name;   // e.g. "std"
  bool positive = false;   // must be > 0
};
struct DistributionForm {
  std::string_view name;                  // e.g. "normal"
  std::vector<DistributionParam> params;  // one parameter: written as a number, else as a list
  bool ordered = false;                   // params[0] < params[1] (uniform: lo < hi)
  std::string_view help;
};

// The whole schema, in the order tables appear in the docs.
const std::vector<TableSpec>& schema();
const TableSpec* find_table(std::string_view table);
const KindSpec* find_kind(const TableSpec& table, std::string_view kind);
// constant, normal, uniform, lognormal, gamma (in this order).
const std::vector<DistributionForm>& distribution_forms();
const DistributionForm* find_distribution_form(std::string_view name);

}  // namespace escapade::job
