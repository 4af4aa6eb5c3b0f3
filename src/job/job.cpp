#include "escapade/job/job.hpp"

#include <fmt/format.h>
#include <toml++/toml.h>

#include <algorithm>
#include <cerrno>
#include <cmath>
#include <cstdio>
#include <cstring>
#include <memory>
#include <sstream>
#include <unordered_map>
#include <utility>

#include "escapade/core/error.hpp"
#include "escapade/job/schema.hpp"

namespace escapade::job {

namespace {

// Beyond this the expansion alone would need gigabytes; a job that large is almost surely a typo.
constexpr std::uint64_t kMaxConfigurations = 1'000'000;
// Trial ids, counts and step totals stay far from 64-bit overflow.
constexpr std::uint64_t kMaxTrials = 1'000'000'000'000;
// Values quoted in messages are cut to this many bytes so a huge matrix does not flood the log.
constexpr std::size_t kMaxQuoted = 120;

constexpr std::string_view kMatrixText = "a matrix (a list of equal-length lists of numbers)";
constexpr std::string_view kLogspace = "logspace";
constexpr std::string_view kLinspace = "linspace";

template <class... Fs>
struct Overloaded : Fs... {
  using Fs::operator()...;
};
template <class... Fs>
Overloaded(Fs...) -> Overloaded<Fs...>;

std::string join(const std::vector<std::string>& items, std::string_view sep) {
  std::string out;
  for (std::size_t i = 0; i < items.size(); ++i) {
    if (i > 0) out += sep;
    out += items[i];
  }
  return out;
}

// `text` cut to kMaxQuoted bytes (at a character boundary) for a message.
std::string quoted(std::string text) {
  if (text.size() <= kMaxQuoted) return text;
  std::size_t cut = kMaxQuoted;
  while (cut > 0 && (static_cast<unsigned char>(text[cut]) & 0xC0) == 0x80) --cut;
  text.resize(cut);
  return text + "...";
}

// For check_range: the value itself, not a part of it.
std::string whole() { return {}; }

// The code point of the valid UTF-8 sequence at text[i] (not overlong, no surrogate, at most
// U+10FFFF) and its length in bytes; length 0 when the bytes there are not one.
struct CodePoint {
  char32_t value = 0;
  std::size_t length = 0;
};
CodePoint decode_utf8(std::string_view text, std::size_t i) {
  const auto c = static_cast<unsigned char>(text[i]);
  if (c < 0x80) return {c, 1};
  const std::size_t n = (c >> 5) == 0x6 ? 2 : (c >> 4) == 0xE ? 3 : (c >> 3) == 0x1E ? 4 : 0;
  if (n == 0 || i + n > text.size()) return {};
  char32_t cp = c & (0x7F >> n);
  for (std::size_t k = 1; k < n; ++k) {
    const auto b = static_cast<unsigned char>(text[i + k]);
    if ((b & 0xC0) != 0x80) return {};
    cp = (cp << 6) | (b & 0x3F);
  }
  constexpr char32_t kLeast[] = {0, 0, 0x80, 0x800, 0x10000};  // shorter forms are overlong
  if (cp < kLeast[n] || cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF)) return {};
  return {cp, n};
}

// `text` with every byte that is not part of valid UTF-8, and every control character, written
// as \xNN (a newline as \n): messages quote raw file text only through this, so that they are
// one line of valid UTF-8 whatever the file holds.
std::string printable(std::string_view text) {
  std::string out;
  std::size_t i = 0;
  while (i < text.size()) {
    const CodePoint cp = decode_utf8(text, i);
    if (cp.length > 0 && (cp.value >= 0x20 || cp.value == '\t') && cp.value != 0x7F) {
      out.append(text.substr(i, cp.length));
      i += cp.length;
    } else {
      out += text[i] == '\n' ? std::string("\\n")
                             : fmt::format("\\x{:02X}", static_cast<unsigned char>(text[i]));
      ++i;
    }
  }
  return out;
}

// Edit distance with adjacent transpositions (optimal string alignment), for "did you mean".
std::size_t edit_distance(std::string_view a, std::string_view b) {
  std::vector<std::vector<std::size_t>> d(a.size() + 1, std::vector<std::size_t>(b.size() + 1));
  for (std::size_t i = 0; i <= a.size(); ++i) d[i][0] = i;
  for (std::size_t j = 0; j <= b.size(); ++j) d[0][j] = j;
  for (std::size_t i = 1; i <= a.size(); ++i) {
    for (std::size_t j = 1; j <= b.size(); ++j) {
      const std::size_t cost = a[i - 1] == b[j - 1] ? 0 : 1;
      d[i][j] = std::min({d[i - 1][j] + 1, d[i][j - 1] + 1, d[i - 1][j - 1] + cost});
      if (i > 1 && j > 1 && a[i - 1] == b[j - 2] && a[i - 2] == b[j - 1]) {
        d[i][j] = std::min(d[i][j], d[i - 2][j - 2] + 1);
      }
    }
  }
  return d[a.size()][b.size()];
}

// "; did you mean 'noise.sigma'?" (the closest candidate between `open` and `close`, after
// `prefix`) when one candidate is likely what `name` misspells: at most 2 edits, and at most a
// third of the longer name's length (so 'c' does not suggest 'a'); "" otherwise.
std::string did_you_mean(std::string_view name, const std::vector<std::string>& candidates,
                         std::string_view prefix = "", std::string_view open = "'",
                         std::string_view close = "'") {
  constexpr std::size_t kLongest = 64;  // longer names are no typo of ours
  if (name.size() > kLongest) return {};
  const std::string* best = nullptr;
  std::size_t best_distance = 3;
  for (const std::string& c : candidates) {
    const std::size_t d = edit_distance(name, c);
    if (d < best_distance && 3 * d <= std::max(name.size(), c.size())) {
      best = &c;
      best_distance = d;
    }
  }
  if (best == nullptr) return {};
  return fmt::format("; did you mean {}{}{}{}?", open, prefix, *best, close);
}

// What a TOML syntax error is about, found by a light scan of the text up to its line (toml++
// gives only the position): "table.key = value" for the key whose value the line belongs to, as
// written on the key's line; or the table header on the line; or the line itself; or "".
std::string syntax_context(std::string_view text, std::size_t error_line) {
  enum class In { code, basic, literal, ml_basic, ml_literal };
  In in = In::code;
  int depth = 0;  // open [ and { of values
  std::string table, key, value;
  const auto trim = [](std::string_view s) {
    const std::size_t b = s.find_first_not_of(" \t\r");
    if (b == std::string_view::npos) return std::string_view();
    return s.substr(b, s.find_last_not_of(" \t\r") - b + 1);
  };
  // Where `code` has `stop` outside one-line strings (npos if nowhere).
  const auto find_outside_strings = [](std::string_view code, char stop) {
    char quote = 0;
    for (std::size_t k = 0; k < code.size(); ++k) {
      if (quote == 0 && code[k] == stop) return k;
      if (quote == 0 && (code[k] == '"' || code[k] == '\'')) {
        quote = code[k];
      } else if (quote == '"' && code[k] == '\\') {
        ++k;
      } else if (code[k] == quote) {
        quote = 0;
      }
    }
    return std::string_view::npos;
  };
  std::size_t begin = 0;
  for (std::size_t line = 1; begin <= text.size(); ++line) {
    std::size_t end = text.find('\n', begin);
    if (end == std::string_view::npos) end = text.size();
    const std::string_view l = text.substr(begin, end - begin);
    std::size_t scan = 0;
    if (in == In::code && depth == 0) {  // a new statement: a header, key = value, or nothing
      const std::string_view code =
          trim(l.substr(0, std::min(l.size(), find_outside_strings(l, '#'))));
      key.clear();
      value.clear();
      if (code.starts_with('[')) {
        if (line == error_line) return quoted(printable(code));
        const std::string_view name = code.substr(code.starts_with("[[") ? 2 : 1);
        table = std::string(trim(name.substr(0, name.find(']'))));
        scan = l.size();
      } else if (const std::size_t eq = find_outside_strings(code, '=');
                 eq != std::string_view::npos) {
        key = std::string(trim(code.substr(0, eq)));
        if (!table.empty()) key = table + "." + key;
        value = std::string(trim(code.substr(eq + 1)));
        scan = static_cast<std::size_t>(code.data() - l.data()) + eq + 1;
      }
    }
    if (line == error_line) {
      if (!key.empty())
        return fmt::format("{} = {}", quoted(printable(key)), quoted(printable(value)));
      const std::string_view code = trim(l);
      return code.empty() ? std::string() : "the line reads " + quoted(printable(code));
    }
    for (std::size_t k = scan; k < l.size(); ++k) {
      const std::string_view rest = l.substr(k);
      switch (in) {
        case In::code:
          if (l[k] == '#') {
            k = l.size();
          } else if (rest.starts_with(R"(""")")) {
            in = In::ml_basic;
            k += 2;
          } else if (rest.starts_with("'''")) {
            in = In::ml_literal;
            k += 2;
          } else if (l[k] == '"') {
            in = In::basic;
          } else if (l[k] == '\'') {
            in = In::literal;
          } else if (l[k] == '[' || l[k] == '{') {
            ++depth;
          } else if ((l[k] == ']' || l[k] == '}') && depth > 0) {
            --depth;
          }
          break;
        case In::basic:
          if (l[k] == '\\') {
            ++k;
          } else if (l[k] == '"') {
            in = In::code;
          }
          break;
        case In::literal:
          if (l[k] == '\'') in = In::code;
          break;
        case In::ml_basic:
          if (l[k] == '\\') {
            ++k;
          } else if (rest.starts_with(R"(""")")) {
            in = In::code;
            k += 2;
          }
          break;
        case In::ml_literal:
          if (rest.starts_with("'''")) {
            in = In::code;
            k += 2;
          }
          break;
      }
    }
    if (in == In::basic || in == In::literal) in = In::code;  // one-line strings end with it
    begin = end + 1;
  }
  return {};
}

// What toml++'s description leaves unsaid, for the mistakes people make.
std::string syntax_hint(std::string_view description) {
  const auto has = [description](std::string_view s) {
    return description.find(s) != std::string_view::npos;
  };
  if (has("cannot redefine")) {
    return "; each key and table may be given once (to sweep a key, give a list of its values)";
  }
  if (has("not representable in 64 bits")) {
    return "; integers must lie in -9223372036854775808 .. 9223372036854775807";
  }
  if (has("floating-point") && has("could not be interpreted")) {
    return "; numbers must be finite, at most about 1.8e308 in magnitude";
  }
  if (has("utf-8") || has("UTF-8")) return "; a job file must be UTF-8 text";
  return {};
}

// A character toml++ 3.3.0 must not see where it is: its whitespace test reaches
// __builtin_unreachable() for many non-ASCII code points (U+00A1 to U+0499: é, ², σ, ...), which
// is undefined behaviour (marzer/tomlplusplus#190, #295; fixed upstream after 3.3.0). It runs that
// test on every character between tokens and, in multi-line basic strings, on the character after
// a backslash and on the characters after a line-ending backslash. Outside strings and comments
// TOML is ASCII, so there a non-ASCII character is a syntax error anyway; the one valid place is
// the first character after a line-ending backslash, which is refused with a way around.
struct Unparsable {
  std::size_t line = 0;
  std::size_t column = 0;  // in code points, as toml++ counts
  std::string message;
};

std::optional<Unparsable> unparsable_character(std::string_view text) {
  enum class In { code, comment, basic, literal, ml_basic, ml_literal, continued };
  In in = In::code;
  std::size_t line = 1, column = 1;
  // The code point starting at byte i, as "'é' (U+00E9)", or "" when the bytes there are not
  // valid UTF-8 (toml++ reports those itself).
  const auto character = [text](std::size_t i) -> std::string {
    const CodePoint cp = decode_utf8(text, i);
    if (cp.length < 2) return {};
    return fmt::format("'{}' (U+{:04X})", text.substr(i, cp.length),
                       static_cast<std::uint32_t>(cp.value));
  };
  // How many quotes end a multi-line string at the start of `rest`: three, and up to two more
  // before them that belong to the string (TOML allows """a"""""... to end in a"").
  const auto closing_quotes = [](std::string_view rest, char quote) {
    std::size_t n = 0;
    while (n < rest.size() && n < 5 && rest[n] == quote) ++n;
    return n;
  };
  // A quote starts a string only where a key or a value may start; elsewhere (x"y or 0"y)
  // toml++ reads it as part of a bare value, up to whitespace, ',', ']', '}' or '#', and tests
  // every character on the way. Where keys may start: after a line break (outside values), '[' of
  // a header, '{' or ',' of an inline table, and '.' between the parts of a key; values: after '='
  // and '[' or ',' of an array.
  struct Level {
    bool table;  // '{' (else '[')
    bool value;  // after the '=' of an inline table's key, or in an array
  };
  std::vector<Level> nest;
  bool value = false;  // after the '=' of a top-level key, until the line break
  char before = '\n';  // the last character of code, '\n' at the start of a line
  const auto key_context = [&] {
    return nest.empty() ? !value : nest.back().table && !nest.back().value;
  };
  constexpr std::string_view kBom = "\xEF\xBB\xBF";  // toml++ skips it
  for (std::size_t i = text.starts_with(kBom) ? kBom.size() : 0; i < text.size(); ++i) {
    const char ch = text[i];
    const auto byte = static_cast<unsigned char>(ch);
    const std::string_view rest = text.substr(i);
    if (byte >= 0x80 && (byte & 0xC0) != 0x80 && (in == In::code || in == In::continued)) {
      const std::string shown = character(i);
      if (!shown.empty()) {
        return Unparsable{line, column,
                          in == In::code
                              ? fmt::format("unexpected character {}; outside strings and "
                                            "comments a TOML file is ASCII",
                                            shown)
                              : fmt::format("a line-ending backslash in a multi-line string is "
                                            "followed by {}, which toml++ 3.3.0 cannot parse; "
                                            "start the continued line with an ASCII character",
                                            shown)};
      }
    }
    switch (in) {
      case In::code:
        if (ch == '#') {
          in = In::comment;
        } else if ((ch == '"' || ch == '\'') &&
                   (before == '\n' || before == '=' || before == '[' || before == '{' ||
                    before == ',' || (before == '.' && key_context()))) {
          if (rest.starts_with(R"(""")") || rest.starts_with("'''")) {
            in = ch == '"' ? In::ml_basic : In::ml_literal;
            i += 2;
            column += 2;
          } else {
            in = ch == '"' ? In::basic : In::literal;
          }
          before = ch;
        } else if (ch == '\n') {
          if (nest.empty()) value = false;
          before = '\n';
        } else if (ch != ' ' && ch != '\t' && ch != '\r') {
          if (ch == '=') {
            if (nest.empty()) {
              value = true;
            } else {
              nest.back().value = true;
            }
          } else if (ch == ',' && !nest.empty() && nest.back().table) {
            nest.back().value = false;
          } else if (ch == '{' || (ch == '[' && !key_context())) {
            nest.push_back(Level{ch == '{', ch == '['});
          } else if ((ch == ']' || ch == '}') && !nest.empty() &&
                     nest.back().table == (ch == '}')) {
            nest.pop_back();
          }
          before = ch;
        }
        break;
      case In::comment:
        if (ch == '\n') in = In::code;
        break;
      case In::basic:
        if (ch == '\\' && i + 1 < text.size() && text[i + 1] != '\n') {
          ++i;
          ++column;
        } else if (ch == '"' || ch == '\n') {
          in = In::code;
        }
        break;
      case In::literal:
        if (ch == '\'' || ch == '\n') in = In::code;
        break;
      case In::ml_basic:
        if (ch == '\\' && i + 1 < text.size()) {
          // Between the backslash and `next` only ASCII whitespace, one column a byte.
          const std::size_t next = text.find_first_not_of(" \t\r", i + 1);
          if (next == std::string_view::npos || text[next] == '\n') {
            in = In::continued;
          } else if (const std::string shown = character(next); !shown.empty()) {
            return Unparsable{
                line, column + (next - i),
                next == i + 1 ? fmt::format("'\\' followed by {} is not an escape sequence", shown)
                              : fmt::format("a backslash followed by whitespace must end the "
                                            "line; {} follows",
                                            shown)};
          } else {
            ++i;
            ++column;
          }
        } else if (rest.starts_with(R"(""")")) {
          in = In::code;
          const std::size_t skip = closing_quotes(rest, '"') - 1;
          i += skip;
          column += skip;
        }
        break;
      case In::continued:
        if (ch != ' ' && ch != '\t' && ch != '\r' && ch != '\n') {
          in = In::ml_basic;
          --i;  // look at it again as part of the string
          --column;
        }
        break;
      case In::ml_literal:
        if (rest.starts_with("'''")) {
          in = In::code;
          const std::size_t skip = closing_quotes(rest, '\'') - 1;
          i += skip;
          column += skip;
        }
        break;
    }
    if (ch == '\n') {
      ++line;
      column = 1;
    } else if ((byte & 0xC0) != 0x80) {
      ++column;
    }
  }
  return std::nullopt;
}

bool before(const toml::source_position& a, const toml::source_position& b) {
  return a.line != b.line ? a.line < b.line : a.column < b.column;
}

// ---- Describing the schema in words (messages quote these, so they stay in sync with it).

std::string range_text(const KeySpec& k) {
  std::string out;
  if (k.min) out = fmt::format("{} {}", k.min_exclusive ? ">" : "≥", *k.min);
  if (k.max) out += fmt::format("{}≤ {}", out.empty() ? "" : " and ", *k.max);
  return out;
}

std::string choices_text(const std::vector<std::string_view>& choices) {
  std::string out;
  for (std::size_t i = 0; i < choices.size(); ++i) {
    if (i > 0) out += ", ";
    out += choices[i];
  }
  return out;
}

// "{ constant = v }, { normal = [mean, std] }, ... or { gamma = [shape, scale] }".
std::string form_text(const DistributionForm& f) {
  if (f.params.size() == 1) return fmt::format("{{ {} = {} }}", f.name, f.params.front().name);
  std::vector<std::string> names;
  for (const DistributionParam& p : f.params) names.emplace_back(p.name);
  return fmt::format("{{ {} = [{}] }}", f.name, join(names, ", "));
}

std::string forms_text() {
  const std::vector<DistributionForm>& forms = distribution_forms();
  std::string out;
  for (std::size_t i = 0; i < forms.size(); ++i) {
    if (i > 0) out += i + 1 == forms.size() ? " or " : ", ";
    out += form_text(forms[i]);
  }
  return out;
}

std::string expected_text(const KeySpec& k, bool article);

// "{ sgd_batch = integer ≥ 1, replacement = boolean (true or false), optional }".
std::string fields_text(const KeySpec& k) {
  std::vector<std::string> parts;
  for (const KeySpec& f : k.fields) {
    parts.push_back(fmt::format("{} = {}{}", f.name, expected_text(f, false),
                                f.required ? "" : ", optional"));
  }
  return "{ " + join(parts, "; ") + " }";
}

// "an integer ≥ 0", "a list of numbers, each > 0", "a string (one of: x, y)".
std::string expected_text(const KeySpec& k, bool article) {
  std::string out;
  const auto a = [article](std::string_view with, std::string_view without) {
    return std::string(article ? with : without);
  };
  switch (k.type) {
    case KeyType::integer:
      out = a("an integer", "integer");
      break;
    case KeyType::number:
      out = a("a number", "number");
      break;
    case KeyType::string:
      out = a("a string", "string");
      break;
    case KeyType::vector:
      out = a("a list of numbers", "list of numbers");
      break;
    case KeyType::matrix:
      out = a("a matrix (a list of equal-length lists of numbers)",
              "matrix (list of equal-length lists of numbers)");
      break;
    case KeyType::number_or_matrix:
      out =
          a("an angle in radians (a number) or a matrix (a list of equal-length lists of "
            "numbers)",
            "angle in radians or matrix (list of equal-length lists of numbers)");
      break;
    case KeyType::boolean:
      out = a("a boolean (true or false)", "boolean (true or false)");
      break;
    case KeyType::table:
      out = a("an inline table ", "inline table ") + fields_text(k);
      break;
    case KeyType::distribution:
      out = a("a distribution: ", "distribution: ") + forms_text();
      break;
    case KeyType::data_or_distribution:
      // The range bounds the explicit entries; a distribution's draws are the model's to check.
      out = a("a list of numbers or a matrix (a list of equal-length lists of numbers)",
              "list of numbers or matrix");
      if (!range_text(k).empty()) out += ", entries " + range_text(k) + ",";
      return out + " or a distribution: " + forms_text();
  }
  if (k.min_columns > 0) out += fmt::format(", each row of at least {} entries", k.min_columns);
  const std::string range = range_text(k);
  if (!range.empty()) {
    out += (k.type == KeyType::vector ? ", each " : k.type == KeyType::matrix ? ", entries " : " ") +
           range;
  }
  if (!k.choices.empty()) out += " (one of: " + choices_text(k.choices) + ")";
  return out;
}

std::string sweep_forms(const KeySpec& k) {
  constexpr std::string_view ranges =
      "{ logspace = [lo_exp, hi_exp, n] } or { linspace = [lo, hi, n] }";
  switch (k.type) {
    case KeyType::integer:
      return "a list of integers";
    case KeyType::number:
      return fmt::format("a list of numbers, {}", ranges);
    case KeyType::string:
      return "a list of strings";
    case KeyType::vector:
      return "a list of lists of numbers";
    case KeyType::matrix:
      return "a list of matrices";
    case KeyType::number_or_matrix:
      return fmt::format("a list of angles, a list of matrices, {}", ranges);
    case KeyType::boolean:
      return "a list of booleans";
    case KeyType::table:
      return "a list of such tables";
    case KeyType::distribution:
      return "a list of distributions";
    case KeyType::data_or_distribution:
      return "a list of matrices and distributions";
  }
  return {};
}

std::string full_expected(const KeySpec& k) {
  std::string out = expected_text(k, true) + " (" + std::string(k.help) + ")";
  if (k.sweepable) out += ", or a sweep: " + sweep_forms(k);
  return out;
}

std::vector<std::string> key_names(const std::vector<KeySpec>& keys) {
  std::vector<std::string> out;
  for (const KeySpec& k : keys) out.emplace_back(k.name);
  return out;
}

std::vector<std::string> kind_names(const TableSpec& t) {
  std::vector<std::string> out;
  for (const KindSpec& k : t.kinds) out.emplace_back(k.kind);
  return out;
}

std::vector<std::string> table_names() {
  std::vector<std::string> out;
  for (const TableSpec& t : schema()) out.push_back(std::string("[").append(t.table).append("]"));
  return out;
}

// "; 'seed' is a key of [job]" for a key written outside its table, or "".
std::string tables_taking(std::string_view key) {
  std::vector<std::string> tables;
  for (const TableSpec& t : schema()) {
    bool takes = std::any_of(t.keys.begin(), t.keys.end(),
                             [key](const KeySpec& k) { return k.name == key; });
    for (const KindSpec& kind : t.kinds) {
      takes = takes || key == "kind" ||
              std::any_of(kind.keys.begin(), kind.keys.end(),
                          [key](const KeySpec& k) { return k.name == key; });
    }
    if (takes) tables.push_back(std::string("[").append(t.table).append("]"));
  }
  if (tables.empty()) return {};
  return fmt::format("; '{}' is a key of {}", key, join(tables, ", "));
}

std::optional<double> number_of(const toml::node& n) {
  if (const auto* i = n.as_integer()) return static_cast<double>(i->get());
  if (const auto* f = n.as_floating_point()) return f->get();
  return std::nullopt;
}

// A table, distribution or data key takes an inline table as a value, not as a range.
bool table_valued(KeyType t) {
  return t == KeyType::table || t == KeyType::distribution || t == KeyType::data_or_distribution;
}

// One key of a table as parsed: a single value, or a sweep axis.
struct Parsed {
  std::string key;
  bool axis = false;
  std::vector<Value> values;  // exactly one when !axis
  // Under a kind sweep, for a key that some listed kinds do not take: kept[i] says whether the
  // key is kept in configurations whose kind is value i of the kind parameter params[gate].
  std::vector<bool> kept = {};
  std::size_t gate = 0;
};

// The kind a table's `kind` names, or one entry of a kind sweep, with where it is written.
struct KindChoice {
  const KindSpec* spec;
  const toml::node* node;
};

struct KeyCtx {
  std::string dotted;
  const KeySpec& spec;
};

struct Entry {
  std::string name;
  const toml::key* key;
  const toml::node* node;
};

// toml::table iterates in sorted key order; the sweep order is file order.
std::vector<Entry> file_order(const toml::table& t) {
  std::vector<Entry> out;
  for (const auto& [k, v] : t) out.push_back(Entry{std::string(k.str()), &k, &v});
  std::stable_sort(out.begin(), out.end(), [](const Entry& x, const Entry& y) {
    return before(x.key->source().begin, y.key->source().begin);
  });
  return out;
}

class Parser {
 public:
  Parser(std::string_view text, const std::string& source) : text_(text), source_(source) {}

  Job run();

 private:
  // Messages are one line of valid UTF-8 whatever the file holds (a key may hold a line break).
  [[noreturn]] void fail(const toml::source_region& at, const std::string& message) const {
    if (at.begin.line == 0) fail(message);
    throw ConfigError(
        fmt::format("{}:{}:{}: {}", source_, at.begin.line, at.begin.column, printable(message)));
  }
  [[noreturn]] void fail(const std::string& message) const {
    throw ConfigError(fmt::format("{}: {}", source_, printable(message)));
  }

  std::size_t offset(const toml::source_position& p) const;
  std::string written(const toml::node& n) const;
  std::string is(const KeyCtx& c, const toml::node& n) const {
    return fmt::format("{} = {}", c.dotted, written(n));
  }

  [[noreturn]] void type_error(const KeyCtx& c, const toml::node& n) const {
    fail(n.source(), fmt::format("{}: expected {}", is(c, n), full_expected(c.spec)));
  }
  [[noreturn]] void empty_list(const KeyCtx& c, const toml::node& n) const {
    fail(n.source(), fmt::format("{}: empty list; expected {}", is(c, n), full_expected(c.spec)));
  }

  // `what` names the checked number inside the shown value ("entry 2 (-1)"), empty for the value
  // itself; it is a function so that the text is made only for a message.
  template <class What>
  void check_range(const KeyCtx& c, const toml::node& at, const toml::node& shown, double v,
                   What what) const;
  void reserve_axis(const KeyCtx& c, const toml::node& at, std::uint64_t n);

  std::int64_t read_integer(const KeyCtx& c, const toml::node& n) const;
  double read_number(const KeyCtx& c, const toml::node& n) const;
  std::string read_string(const KeyCtx& c, const toml::node& n) const;
  std::vector<double> read_vector(const KeyCtx& c, const toml::node& n) const;
  Matrix read_matrix(const KeyCtx& c, const toml::node& n) const;
  std::vector<double> read_range(const KeyCtx& c, const toml::node& n);
  bool read_boolean(const KeyCtx& c, const toml::node& n) const;
  Scalar read_scalar(const KeyCtx& c, const toml::node& n) const;
  Table read_table(const KeyCtx& c, const toml::node& n) const;
  Distribution read_distribution(const KeyCtx& c, const toml::node& n) const;
  Value read_data_item(const KeyCtx& c, const toml::node& n) const;
  void check_distinct(const KeyCtx& c, const toml::node& n, const std::vector<Value>& values) const;

  template <class Read>
  Parsed sweep_list(const KeyCtx& c, const toml::node& n, Read read);
  Parsed parse_param(const KeyCtx& c, const toml::node& n);
  Parsed parse_param_values(const KeyCtx& c, const toml::node& n);

  std::vector<KindChoice> resolve_kinds(const TableSpec& spec, const toml::node& n);
  std::vector<Parsed> parse_table(const TableSpec& spec, const toml::table& t);

  std::string_view text_;
  const std::string& source_;
  std::uint64_t sweep_size_ = 1;
  std::vector<std::string> axis_sizes_;
};

std::size_t Parser::offset(const toml::source_position& p) const {
  std::size_t off = 0;
  for (toml::source_index line = 1; line < p.line; ++line) {
    off = text_.find('\n', off);
    if (off == std::string_view::npos) return text_.size();
    ++off;
  }
  // toml++ counts columns in code points, not bytes.
  for (toml::source_index col = 1; col < p.column && off < text_.size() && text_[off] != '\n';
       ++col) {
    ++off;
    while (off < text_.size() && (static_cast<unsigned char>(text_[off]) & 0xC0) == 0x80) ++off;
  }
  return off;
}

std::string Parser::written(const toml::node& n) const {
  std::string out;
  const toml::source_region& r = n.source();
  if (r.begin.line != 0 && r.end.line != 0) {
    const std::size_t b = offset(r.begin);
    const std::size_t e = offset(r.end);
    // One line, whatever the layout: whitespace runs become one space, comments are dropped.
    bool space = false;
    char quote = 0;
    for (std::size_t i = b; i < e && i < text_.size(); ++i) {
      const char ch = text_[i];
      if (quote == 0 && ch == '#') {
        while (i + 1 < e && text_[i + 1] != '\n') ++i;
        continue;
      }
      if (quote == 0 && (ch == ' ' || ch == '\t' || ch == '\n' || ch == '\r')) {
        space = true;
        continue;
      }
      if (space && !out.empty()) out += ' ';
      space = false;
      out += ch;
      if (quote == 0 && (ch == '"' || ch == '\'')) {
        quote = ch;
      } else if (quote == '"' && ch == '\\' && i + 1 < e) {
        out += text_[++i];
      } else if (ch == quote) {
        quote = 0;
      }
    }
  }
  if (out.empty()) {
    std::ostringstream os;
    os << toml::node_view<const toml::node>{n};
    out = os.str();
  }
  // A multi-line string keeps its line breaks: \n, so that the message stays one line.
  return quoted(printable(out));
}

template <class What>
void Parser::check_range(const KeyCtx& c, const toml::node& at, const toml::node& shown, double v,
                         What what) const {
  bool ok = true;
  if (c.spec.min) ok = c.spec.min_exclusive ? v > *c.spec.min : v >= *c.spec.min;
  if (c.spec.max) ok = ok && v <= *c.spec.max;
  if (ok && std::isfinite(v)) return;
  const std::string named = what();
  const std::string subject = named.empty() ? std::string() : named + " ";
  if (!std::isfinite(v)) {
    fail(at.source(), fmt::format("{}: {}must be finite ({})", is(c, shown), subject, c.spec.help));
  }
  fail(at.source(), fmt::format("{}: {}must be {} ({})", is(c, shown), subject, range_text(c.spec),
                                c.spec.help));
}

void Parser::reserve_axis(const KeyCtx& c, const toml::node& at, std::uint64_t n) {
  axis_sizes_.push_back(fmt::format("{} ({})", c.dotted, n));
  if (n > kMaxConfigurations / sweep_size_) {
    fail(at.source(),
         fmt::format("{}: the sweep would have more than {} configurations (axes: {}); at most "
                     "{} are allowed",
                     is(c, at), kMaxConfigurations, join(axis_sizes_, " × "), kMaxConfigurations));
  }
  sweep_size_ *= n;
}

std::int64_t Parser::read_integer(const KeyCtx& c, const toml::node& n) const {
  const auto* i = n.as_integer();
  if (i == nullptr) type_error(c, n);
  check_range(c, n, n, static_cast<double>(i->get()), whole);
  return i->get();
}

double Parser::read_number(const KeyCtx& c, const toml::node& n) const {
  const std::optional<double> v = number_of(n);
  if (!v) type_error(c, n);
  check_range(c, n, n, *v, whole);
  return *v;
}

std::string Parser::read_string(const KeyCtx& c, const toml::node& n) const {
  const auto* s = n.as_string();
  if (s == nullptr) type_error(c, n);
  const std::string& v = s->get();
  if (!c.spec.choices.empty() &&
      std::find(c.spec.choices.begin(), c.spec.choices.end(), v) == c.spec.choices.end()) {
    std::vector<std::string> choices(c.spec.choices.begin(), c.spec.choices.end());
    fail(n.source(),
         fmt::format("{}: must be one of: {} ({}){}", is(c, n), choices_text(c.spec.choices),
                     c.spec.help, did_you_mean(v, choices, "", "\"", "\"")));
  }
  return v;
}

std::vector<double> Parser::read_vector(const KeyCtx& c, const toml::node& n) const {
  const auto* arr = n.as_array();
  if (arr == nullptr) type_error(c, n);
  if (arr->empty()) empty_list(c, n);
  std::vector<double> out;
  out.reserve(arr->size());
  for (std::size_t i = 0; i < arr->size(); ++i) {
    const toml::node& e = *arr->get(i);
    const std::optional<double> v = number_of(e);
    if (!v) {
      fail(e.source(), fmt::format("{}: entry {} is {}, not a number; expected {}", is(c, n), i + 1,
                                   written(e), full_expected(c.spec)));
    }
    check_range(c, e, n, *v, [&] { return fmt::format("entry {} ({})", i + 1, written(e)); });
    out.push_back(*v);
  }
  return out;
}

Matrix Parser::read_matrix(const KeyCtx& c, const toml::node& n) const {
  const auto* arr = n.as_array();
  if (arr == nullptr) type_error(c, n);
  if (arr->empty()) empty_list(c, n);
  Matrix out;
  out.reserve(arr->size());
  for (std::size_t i = 0; i < arr->size(); ++i) {
    const toml::node& row_node = *arr->get(i);
    const auto* row = row_node.as_array();
    if (row == nullptr || row->empty()) {
      fail(row_node.source(),
           fmt::format("{}: row {} is {}, not a non-empty list of numbers; expected {}", is(c, n),
                       i + 1, written(row_node), kMatrixText));
    }
    if (row->size() < c.spec.min_columns) {
      fail(row_node.source(),
           fmt::format("{}: row {} has {} {}; every row needs at least {} ({}); expected {}",
                       is(c, n), i + 1, row->size(), row->size() == 1 ? "entry" : "entries",
                       c.spec.min_columns, c.spec.help, expected_text(c.spec, true)));
    }
    if (i > 0 && row->size() != out.front().size()) {
      fail(row_node.source(),
           fmt::format("{}: ragged matrix: row {} has {} entries but row 1 has {}; expected {}",
                       is(c, n), i + 1, row->size(), out.front().size(), kMatrixText));
    }
    std::vector<double> values;
    values.reserve(row->size());
    for (std::size_t j = 0; j < row->size(); ++j) {
      const toml::node& e = *row->get(j);
      const std::optional<double> v = number_of(e);
      if (!v) {
        fail(e.source(), fmt::format("{}: entry ({}, {}) is {}, not a number; expected {}",
                                     is(c, n), i + 1, j + 1, written(e), kMatrixText));
      }
      if (!std::isfinite(*v)) {
        fail(e.source(), fmt::format("{}: entry ({}, {}) = {} must be finite ({})", is(c, n), i + 1,
                                     j + 1, written(e), c.spec.help));
      }
      check_range(c, e, n, *v,
                  [&] { return fmt::format("entry ({}, {}) ({})", i + 1, j + 1, written(e)); });
      values.push_back(*v);
    }
    out.push_back(std::move(values));
  }
  return out;
}

std::vector<double> Parser::read_range(const KeyCtx& c, const toml::node& n) {
  const auto* t = n.as_table();
  if (t == nullptr) type_error(c, n);
  if (t->size() != 1) type_error(c, n);
  // The iterator owns the pair its operator* refers to, so it must outlive the binding.
  const auto first = t->begin();
  const auto& [form_key, spec_node] = *first;
  const std::string_view form = form_key.str();
  if (form != kLogspace && form != kLinspace) type_error(c, n);
  const bool log = form == kLogspace;

  const auto* arr = spec_node.as_array();
  const bool shape_ok = arr != nullptr && arr->size() == 3 && number_of(*arr->get(0)) &&
                        number_of(*arr->get(1)) && arr->get(2)->is_integer() &&
                        arr->get(2)->as_integer()->get() >= 1;
  if (!shape_ok) {
    fail(n.source(),
         fmt::format("{}: {} needs [{}, {}, n]: two numbers and an integer n ≥ 1 (the number of "
                     "values)",
                     is(c, n), form, log ? "lo_exp" : "lo", log ? "hi_exp" : "hi"));
  }
  const double lo = *number_of(*arr->get(0));
  const double hi = *number_of(*arr->get(1));
  const std::int64_t count = arr->get(2)->as_integer()->get();
  if (count == 1 && lo != hi) {
    fail(n.source(), fmt::format("{}: {} with n = 1 gives only its first end; write a single "
                                 "value, or n ≥ 2 to include {}",
                                 is(c, n), form, written(*arr->get(1))));
  }
  reserve_axis(c, n, static_cast<std::uint64_t>(count));

  std::vector<double> out;
  out.reserve(static_cast<std::size_t>(count));
  for (std::int64_t i = 0; i < count; ++i) {
    // Endpoints are exact: no rounding of lo + (n-1)(hi-lo)/(n-1) can move them.
    double x;
    if (i == 0) {
      x = lo;
    } else if (i == count - 1) {
      x = hi;
    } else {
      x = lo + static_cast<double>(i) * (hi - lo) / static_cast<double>(count - 1);
    }
    const double v = log ? std::pow(10.0, x) : x;
    check_range(c, n, n, v, [&] { return fmt::format("value {} (number {})", v, i + 1); });
    out.push_back(v);
  }
  return out;
}

bool Parser::read_boolean(const KeyCtx& c, const toml::node& n) const {
  const auto* b = n.as_boolean();
  if (b == nullptr) type_error(c, n);
  return b->get();
}

Scalar Parser::read_scalar(const KeyCtx& c, const toml::node& n) const {
  switch (c.spec.type) {
    case KeyType::integer:
      return read_integer(c, n);
    case KeyType::number:
      return read_number(c, n);
    case KeyType::boolean:
      return read_boolean(c, n);
    case KeyType::string:
      return read_string(c, n);
    default:
      break;
  }
  // The schema gives inline tables scalar keys only (tests/job/job_test.cpp checks it).
  type_error(c, n);
}

Table Parser::read_table(const KeyCtx& c, const toml::node& n) const {
  const auto* t = n.as_table();
  if (t == nullptr) type_error(c, n);
  const std::vector<KeySpec>& fields = c.spec.fields;
  for (const Entry& e : file_order(*t)) {
    const auto f = std::find_if(fields.begin(), fields.end(),
                                [&e](const KeySpec& k) { return k.name == e.name; });
    if (f == fields.end()) {
      fail(e.key->source(), fmt::format("{}: unknown key '{}.{}'; allowed: {}{}", is(c, n),
                                        c.dotted, e.name, join(key_names(fields), ", "),
                                        did_you_mean(e.name, key_names(fields), c.dotted + ".")));
    }
    if (e.node->is_array() || e.node->is_table()) {
      fail(e.node->source(),
           fmt::format("{}.{} = {}: a key inside {} cannot be swept; expected {} ({}); to sweep, "
                       "list whole tables: {} = [{{ ... }}, {{ ... }}]",
                       c.dotted, e.name, written(*e.node), c.dotted, expected_text(*f, true),
                       f->help, c.dotted));
    }
  }
  Table out;
  for (const KeySpec& f : fields) {
    const KeyCtx sub{c.dotted + "." + std::string(f.name), f};
    const toml::node* v = t->get(f.name);
    if (v == nullptr) {
      if (f.required) {
        fail(n.source(), fmt::format("{}: missing key '{}' ({}, {}); expected {}", is(c, n),
                                     sub.dotted, expected_text(f, false), f.help,
                                     expected_text(c.spec, true)));
      }
      continue;
    }
    out.entries.emplace_back(std::string(f.name), read_scalar(sub, *v));
  }
  return out;
}

Distribution Parser::read_distribution(const KeyCtx& c, const toml::node& n) const {
  const auto* t = n.as_table();
  if (t == nullptr) type_error(c, n);
  if (t->size() != 1) {
    fail(n.source(), fmt::format("{}: a distribution is an inline table with exactly one key, its "
                                 "form; expected one of {}",
                                 is(c, n), forms_text()));
  }
  const auto first = t->begin();  // outlives the binding (see read_range)
  const auto& [form_key, spec_node] = *first;
  const DistributionForm* form = find_distribution_form(form_key.str());
  if (form == nullptr) {
    std::vector<std::string> names;
    for (const DistributionForm& f : distribution_forms()) names.emplace_back(f.name);
    fail(form_key.source(),
         fmt::format("{}: unknown distribution '{}'; allowed: {}{}", is(c, n), form_key.str(),
                     forms_text(), did_you_mean(form_key.str(), names)));
  }
  const std::size_t count = form->params.size();
  std::vector<const toml::node*> nodes;
  if (count == 1) {
    if (number_of(spec_node)) nodes.push_back(&spec_node);
  } else if (const auto* arr = spec_node.as_array(); arr != nullptr && arr->size() == count) {
    for (const toml::node& e : *arr) {
      if (number_of(e)) nodes.push_back(&e);
    }
  }
  if (nodes.size() != count) {
    fail(spec_node.source(),
         fmt::format("{}: {} needs {} ({}); expected a distribution: {}", is(c, n), form->name,
                     count == 1 ? fmt::format("a number {}", form->params.front().name)
                                : fmt::format("a list of {} numbers", count),
                     form_text(*form), forms_text()));
  }
  Distribution out{std::string(form->name), {}};
  for (std::size_t i = 0; i < count; ++i) {
    const DistributionParam& p = form->params[i];
    const double v = *number_of(*nodes[i]);
    if (!std::isfinite(v)) {
      fail(nodes[i]->source(), fmt::format("{}: {} = {} must be finite ({}: {})", is(c, n), p.name,
                                           written(*nodes[i]), form_text(*form), form->help));
    }
    if (p.positive && !(v > 0)) {
      fail(nodes[i]->source(), fmt::format("{}: {} = {} must be > 0 ({}: {})", is(c, n), p.name,
                                           written(*nodes[i]), form_text(*form), form->help));
    }
    out.params.push_back(v);
  }
  if (form->ordered && !(out.params[0] < out.params[1])) {
    fail(spec_node.source(),
         fmt::format("{}: {} needs {} < {}; got {} = {}, {} = {} ({}: {})", is(c, n), form->name,
                     form->params[0].name, form->params[1].name, form->params[0].name,
                     written(*nodes[0]), form->params[1].name, written(*nodes[1]),
                     form_text(*form), form->help));
  }
  return out;
}

// One value of a sweep of data: a distribution or a matrix (a flat list would be ambiguous with
// a matrix's rows, so it is refused with a hint).
Value Parser::read_data_item(const KeyCtx& c, const toml::node& n) const {
  if (n.is_table()) return read_distribution(c, n);
  const auto* arr = n.as_array();
  if (arr != nullptr && !arr->empty() && !arr->get(0)->is_array()) {
    fail(n.source(), fmt::format("{}: in a sweep of {}, each value is a matrix (one row per "
                                 "sample) or a distribution; write this list as an N×d matrix, "
                                 "e.g. [[1], [2]] for N = 2, d = 1",
                                 is(c, n), c.dotted));
  }
  return read_matrix(c, n);
}

template <class Read>
Parsed Parser::sweep_list(const KeyCtx& c, const toml::node& n, Read read) {
  if (!c.spec.sweepable) {
    fail(n.source(), fmt::format("{}: {} cannot be swept; expected {} ({})", is(c, n), c.dotted,
                                 expected_text(c.spec, true), c.spec.help));
  }
  const toml::array& arr = *n.as_array();
  if (arr.empty()) empty_list(c, n);
  reserve_axis(c, n, arr.size());
  Parsed p{c.dotted, true, {}};
  p.values.reserve(arr.size());
  for (const toml::node& e : arr) p.values.emplace_back(read(e));
  return p;
}

// Two equal values on one axis would be two configurations with the same key, hence the same
// random streams: bit-identical "replicates" that look independent. Refuse them.
Parsed Parser::parse_param(const KeyCtx& c, const toml::node& n) {
  Parsed p = parse_param_values(c, n);
  if (p.axis) check_distinct(c, n, p.values);
  return p;
}

void Parser::check_distinct(const KeyCtx& c, const toml::node& n,
                            const std::vector<Value>& values) const {
  // Hashed, not searched: an axis may have up to kMaxConfigurations values.
  std::unordered_map<std::string, std::size_t> seen;
  seen.reserve(values.size());
  for (std::size_t i = 0; i < values.size(); ++i) {
    const auto [it, fresh] = seen.try_emplace(format_value(values[i]), i);
    if (!fresh) {
      fail(n.source(),
           fmt::format("{}: values {} and {} are equal ({}); every value of a sweep axis must "
                       "differ (equal configurations would share their random streams; raise "
                       "job.trials for more trials)",
                       is(c, n), it->second + 1, i + 1, quoted(it->first)));
    }
  }
}

Parsed Parser::parse_param_values(const KeyCtx& c, const toml::node& n) {
  const auto single = [&c](Value v) { return Parsed{c.dotted, false, {std::move(v)}}; };
  const auto* arr = n.as_array();
  if (arr != nullptr && arr->empty()) empty_list(c, n);
  // A first element that is itself a list tells vectors from vector sweeps (and matrices from
  // matrix sweeps); each element is then validated on its own.
  const auto depth_at_least = [arr](int depth) {
    const toml::node* cur = arr;
    for (int d = 1; d < depth; ++d) {
      const auto* a = cur == nullptr ? nullptr : cur->as_array();
      if (a == nullptr || a->empty() || !a->get(0)->is_array()) return false;
      cur = a->get(0);
    }
    return true;
  };
  if (!c.spec.sweepable && n.is_table() && !table_valued(c.spec.type)) {
    fail(n.source(), fmt::format("{}: {} cannot be swept; expected {} ({})", is(c, n), c.dotted,
                                 expected_text(c.spec, true), c.spec.help));
  }
  const auto as_number = [this, &c](const toml::node& e) { return Value{read_number(c, e)}; };
  const auto as_matrix = [this, &c](const toml::node& e) { return Value{read_matrix(c, e)}; };
  const auto range_axis = [this, &c, &n] {
    Parsed p{c.dotted, true, {}};
    for (double v : read_range(c, n)) p.values.emplace_back(v);
    return p;
  };

  switch (c.spec.type) {
    case KeyType::integer:
      if (arr != nullptr) {
        return sweep_list(c, n,
                          [this, &c](const toml::node& e) { return Value{read_integer(c, e)}; });
      }
      return single(read_integer(c, n));
    case KeyType::number:
      if (arr != nullptr) return sweep_list(c, n, as_number);
      if (n.is_table()) return range_axis();
      return single(read_number(c, n));
    case KeyType::string:
      if (arr != nullptr) {
        return sweep_list(c, n,
                          [this, &c](const toml::node& e) { return Value{read_string(c, e)}; });
      }
      return single(read_string(c, n));
    case KeyType::vector:
      if (depth_at_least(2)) {
        return sweep_list(c, n,
                          [this, &c](const toml::node& e) { return Value{read_vector(c, e)}; });
      }
      return single(read_vector(c, n));
    case KeyType::matrix:
      if (depth_at_least(3)) return sweep_list(c, n, as_matrix);
      return single(read_matrix(c, n));
    case KeyType::number_or_matrix:
      if (n.is_table()) return range_axis();
      if (arr == nullptr) return single(read_number(c, n));
      if (depth_at_least(3)) return sweep_list(c, n, as_matrix);
      if (depth_at_least(2)) return single(read_matrix(c, n));
      return sweep_list(c, n, as_number);
    case KeyType::boolean:
      if (arr != nullptr) {
        return sweep_list(c, n,
                          [this, &c](const toml::node& e) { return Value{read_boolean(c, e)}; });
      }
      return single(read_boolean(c, n));
    case KeyType::table:
      if (arr != nullptr) {
        return sweep_list(c, n,
                          [this, &c](const toml::node& e) { return Value{read_table(c, e)}; });
      }
      return single(read_table(c, n));
    case KeyType::distribution:
      if (arr != nullptr) {
        return sweep_list(
            c, n, [this, &c](const toml::node& e) { return Value{read_distribution(c, e)}; });
      }
      return single(read_distribution(c, n));
    case KeyType::data_or_distribution:
      // A table is one distribution; a list of numbers one vector, a list of lists one matrix; a
      // list of tables or of matrices is a sweep.
      if (n.is_table()) return single(read_distribution(c, n));
      if (arr != nullptr && (arr->get(0)->is_table() || depth_at_least(3))) {
        return sweep_list(c, n, [this, &c](const toml::node& e) { return read_data_item(c, e); });
      }
      if (depth_at_least(2)) return single(read_matrix(c, n));
      return single(read_vector(c, n));
  }
  type_error(c, n);
}

std::vector<KindChoice> Parser::resolve_kinds(const TableSpec& spec, const toml::node& n) {
  const std::string dotted = std::string(spec.table) + ".kind";
  const std::string allowed = join(kind_names(spec), ", ");
  const bool list = n.is_array();
  if (n.is_table() || (list && !spec.kind_sweepable)) {
    if (!spec.kind_sweepable) {
      fail(n.source(), fmt::format("{} = {}: {} cannot be swept; expected one of: {}", dotted,
                                   written(n), dotted, allowed));
    }
    fail(n.source(), fmt::format("{} = {}: expected a string or a list of strings (a sweep of "
                                 "kinds); allowed: {}",
                                 dotted, written(n), allowed));
  }
  const std::string expected =
      spec.kind_sweepable ? "a string or a list of strings" : std::string("a string");
  // `e` is n itself, or entry i (1-based) of the list n.
  const auto lookup = [&](const toml::node& e, std::size_t i) -> KindChoice {
    const auto* s = e.as_string();
    if (s == nullptr) {
      fail(e.source(),
           list ? fmt::format("{} = {}: entry {} is {}, not a string; allowed: {}", dotted,
                              written(n), i, written(e), allowed)
                : fmt::format("{} = {}: expected {}; allowed: {}", dotted, written(n), expected,
                              allowed));
    }
    const KindSpec* k = find_kind(spec, s->get());
    if (k == nullptr) {
      fail(e.source(),
           list ? fmt::format("{} = {}: entry {} is an unknown kind {}; allowed: {}{}", dotted,
                              written(n), i, written(e), allowed,
                              did_you_mean(s->get(), kind_names(spec), "", "\"", "\""))
                : fmt::format("{} = {}: unknown kind; allowed: {}{}", dotted, written(n), allowed,
                              did_you_mean(s->get(), kind_names(spec), "", "\"", "\"")));
    }
    return KindChoice{k, &e};
  };
  if (!list) return {lookup(n, 0)};

  // A kind sweep is an axis like any other.
  static const KeySpec kind_spec{.name = "kind",
                                 .type = KeyType::string,
                                 .required = true,
                                 .sweepable = true,
                                 .min = std::nullopt,
                                 .min_exclusive = false,
                                 .max = std::nullopt,
                                 .choices = {},
                                 .help = "the kinds swept",
                                 .fields = {},
                                 .min_columns = 0};
  const KeyCtx c{dotted, kind_spec};
  const toml::array& arr = *n.as_array();
  if (arr.empty()) {
    fail(n.source(), fmt::format("{} = {}: empty list; expected {}, each one of: {}", dotted,
                                 written(n), expected, allowed));
  }
  std::vector<KindChoice> out;
  std::vector<Value> names;
  for (std::size_t i = 0; i < arr.size(); ++i) {
    out.push_back(lookup(*arr.get(i), i + 1));
    names.emplace_back(std::string(out.back().spec->kind));
  }
  check_distinct(c, n, names);
  reserve_axis(c, n, arr.size());
  return out;
}

std::vector<Parsed> Parser::parse_table(const TableSpec& spec, const toml::table& t) {
  const std::string table(spec.table);
  std::vector<KindChoice> kinds;
  const toml::node* kind_node = nullptr;
  if (spec.has_kind) {
    kind_node = t.get("kind");
    if (kind_node == nullptr) {
      fail(t.source(), fmt::format("missing key '{}.kind' (string, one of: {})", table,
                                   join(kind_names(spec), ", ")));
    }
    kinds = resolve_kinds(spec, *kind_node);
  }
  const bool kind_axis = kind_node != nullptr && kind_node->is_array();
  // Without a kind the table's own keys play the part of one kind's.
  const std::size_t kind_count = kinds.empty() ? 1 : kinds.size();
  const auto keys_of = [&](std::size_t i) -> const std::vector<KeySpec>& {
    return kinds.empty() ? spec.keys : kinds[i].spec->keys;
  };
  const auto find_key = [](const std::vector<KeySpec>& keys, std::string_view name) {
    const auto it = std::find_if(keys.begin(), keys.end(),
                                 [name](const KeySpec& k) { return k.name == name; });
    return it == keys.end() ? nullptr : &*it;
  };
  const auto kind_list = [&kinds] {
    std::vector<std::string> names;
    for (const KindChoice& k : kinds) names.push_back(fmt::format("\"{}\"", k.spec->kind));
    return join(names, ", ");
  };

  const std::vector<Entry> entries = file_order(t);
  std::vector<Parsed> out;
  std::size_t kind_index = 0;
  for (const Entry& e : entries) {
    const std::string dotted = table + "." + e.name;
    if (kind_node != nullptr && e.name == "kind") {
      kind_index = out.size();
      Parsed p{dotted, kind_axis, {}, {}, 0};
      for (const KindChoice& k : kinds) p.values.emplace_back(std::string(k.spec->kind));
      out.push_back(std::move(p));
      continue;
    }
    // Which of the kinds take this key (under a kind sweep, possibly not all).
    std::vector<const KeySpec*> specs(kind_count, nullptr);
    const KeySpec* first = nullptr;
    for (std::size_t i = 0; i < kind_count; ++i) {
      specs[i] = find_key(keys_of(i), e.name);
      if (first == nullptr) first = specs[i];
    }
    if (first == nullptr) {
      std::vector<std::string> names;
      for (std::size_t i = 0; i < kind_count; ++i) {
        for (std::string& name : key_names(keys_of(i))) {
          if (std::find(names.begin(), names.end(), name) == names.end()) {
            names.push_back(std::move(name));
          }
        }
      }
      const std::string allowed =
          names.empty() ? std::string("no keys besides kind") : join(names, ", ");
      const std::string hint = did_you_mean(e.name, names, table + ".");
      if (kinds.empty()) {
        fail(e.key->source(),
             fmt::format("unknown key '{}'; allowed: {}{}", dotted, allowed, hint));
      }
      fail(e.key->source(), fmt::format("unknown key '{}' for kind{} {}; allowed: {}{}", dotted,
                                        kinds.size() == 1 ? "" : "s", kind_list(), allowed, hint));
    }
    const std::uint64_t size_before = sweep_size_;
    const std::vector<std::string> sizes_before = axis_sizes_;
    Parsed p = parse_param(KeyCtx{dotted, *first}, *e.node);
    // The value must suit every kind that takes the key; validating it against another kind's
    // spec must not count its axis twice.
    for (const KeySpec* other : specs) {
      if (other == nullptr || other == first) continue;
      const std::uint64_t size_after = sweep_size_;
      std::vector<std::string> sizes_after = axis_sizes_;
      sweep_size_ = size_before;
      axis_sizes_ = sizes_before;
      (void)parse_param(KeyCtx{dotted, *other}, *e.node);
      sweep_size_ = size_after;
      axis_sizes_ = std::move(sizes_after);
    }
    const auto dropped = std::find(specs.begin(), specs.end(), nullptr);
    if (dropped != specs.end()) {
      const KindChoice& k = kinds[static_cast<std::size_t>(dropped - specs.begin())];
      // Configurations of that kind would differ only in the dropped value: equal keys, hence
      // equal random streams.
      if (p.axis) {
        fail(e.node->source(),
             fmt::format("{} = {}: a swept key must be taken by every kind of the {}.kind sweep; "
                         "kind \"{}\" does not take {} (its configurations would be equal and "
                         "share their random streams); sweep it in a job of its own",
                         dotted, written(*e.node), table, k.spec->kind, dotted));
      }
      for (const KeySpec* s : specs) p.kept.push_back(s != nullptr);
    }
    out.push_back(std::move(p));
  }
  for (Parsed& p : out) {
    if (!p.kept.empty()) p.gate = kind_index;
  }

  const auto given_of = [&entries](const std::vector<std::string_view>& group) {
    std::vector<const Entry*> given;
    for (const Entry& e : entries) {
      if (std::find(group.begin(), group.end(), e.name) != group.end()) given.push_back(&e);
    }
    return given;
  };
  const auto dotted_names = [&table](const std::vector<std::string_view>& group) {
    std::vector<std::string> names;
    for (std::string_view g : group) names.push_back(table + "." + std::string(g));
    return join(names, ", ");
  };
  for (std::size_t i = 0; i < kind_count; ++i) {
    const std::string for_kind =
        kinds.empty() ? std::string() : fmt::format(" for kind \"{}\"", kinds[i].spec->kind);
    for (const KeySpec& k : keys_of(i)) {
      if (k.required && !t.contains(k.name)) {
        fail(t.source(), fmt::format("missing key '{}.{}'{} ({}, {})", table, k.name, for_kind,
                                     expected_text(k, false), k.help));
      }
    }
    if (kinds.empty()) continue;
    const KindChoice& kind = kinds[i];
    for (const auto& group : kind.spec->exactly_one_of) {
      const std::vector<const Entry*> given = given_of(group);
      if (given.empty()) {
        fail(kind.node->source(),
             fmt::format("{}.kind = {}: kind \"{}\" needs exactly one of {}; none is given", table,
                         written(*kind_node), kind.spec->kind, dotted_names(group)));
      }
      if (given.size() > 1) {
        fail(given[1]->node->source(),
             fmt::format("{}.{} = {}: kind \"{}\" takes exactly one of {}; {}.{} = {} is also "
                         "given",
                         table, given[1]->name, written(*given[1]->node), kind.spec->kind,
                         dotted_names(group), table, given[0]->name, written(*given[0]->node)));
      }
    }
    for (const auto& group : kind.spec->at_most_one_of) {
      const std::vector<const Entry*> given = given_of(group);
      if (given.size() > 1) {
        fail(given[1]->node->source(),
             fmt::format("{}.{} = {}: kind \"{}\" takes at most one of {}; {}.{} = {} is also "
                         "given",
                         table, given[1]->name, written(*given[1]->node), kind.spec->kind,
                         dotted_names(group), table, given[0]->name, written(*given[0]->node)));
      }
    }
  }
  return out;
}

Job Parser::run() {
  if (const std::optional<Unparsable> u = unparsable_character(text_)) {
    const std::string context = syntax_context(text_, u->line);
    toml::source_region at;
    at.begin = {static_cast<toml::source_index>(u->line),
                static_cast<toml::source_index>(u->column)};
    fail(at, fmt::format("{}{}invalid TOML: {}", context, context.empty() ? "" : ": ", u->message));
  }
  toml::table root;
  try {
    root = toml::parse(text_, std::string_view{source_});
  } catch (const toml::parse_error& e) {
    const std::string context = syntax_context(text_, e.source().begin.line);
    fail(e.source(), fmt::format("{}{}invalid TOML: {}{}", context, context.empty() ? "" : ": ",
                                 printable(e.description()), syntax_hint(e.description())));
  }

  const std::string allowed_tables = join(table_names(), ", ");
  if (root.empty()) {
    std::vector<std::string> required;
    for (const TableSpec& t : schema()) {
      if (t.required) required.push_back(std::string("[").append(t.table).append("]"));
    }
    fail(
        fmt::format("the job file is empty (no tables, no keys); a job needs the tables {} "
                    "(docs/JOB_FILES.md)",
                    join(required, ", ")));
  }
  const std::vector<Entry> tables = file_order(root);
  for (const Entry& e : tables) {
    const TableSpec* spec = find_table(e.name);
    if (spec != nullptr && e.node->is_array_of_tables()) {
      fail(e.key->source(), fmt::format("[[{}]]: expected a single table [{}], not an array of "
                                        "tables",
                                        e.name, e.name));
    }
    if (!e.node->is_table()) {
      fail(e.key->source(),
           spec != nullptr
               ? fmt::format("{} = {}: expected a table [{}]", e.name, written(*e.node), e.name)
               : fmt::format("{} = {}: unknown top-level key '{}'; keys belong in one of the "
                             "tables {}{}",
                             e.name, written(*e.node), e.name, allowed_tables,
                             tables_taking(e.name)));
    }
    if (spec == nullptr) {
      std::vector<std::string> names;
      for (const TableSpec& t : schema()) names.emplace_back(t.table);
      fail(e.node->source(),
           fmt::format("unknown table [{}]; allowed: {}{}", e.name, allowed_tables,
                       did_you_mean(e.name, names, "", "[", "]")));
    }
  }
  Job job;
  job.source = source_;
  job.text = std::string(text_);
  job.text_hash = fnv1a64(text_);

  std::vector<Parsed> params;
  for (const Entry& e : tables) {
    std::vector<Parsed> parsed = parse_table(*find_table(e.name), *e.node->as_table());
    if (e.name == "reference") {
      for (Parsed& p : parsed)
        if (p.key == "reference.petsc_options") job.reference_petsc_options = std::get<std::string>(p.values.front());
      continue;
    }
    if (e.name != "job") {
      const std::size_t base = params.size();
      for (Parsed& p : parsed) {
        if (!p.kept.empty()) p.gate += base;
        params.push_back(std::move(p));
      }
      continue;
    }
    // Job-table keys are never swept (the schema says so), so each has exactly one value.
    for (Parsed& p : parsed) {
      const Value& v = p.values.front();
      if (p.key == "job.name") job.name = std::get<std::string>(v);
      if (p.key == "job.seed") job.seed = static_cast<std::uint64_t>(std::get<std::int64_t>(v));
      if (p.key == "job.trials") {
        job.trials = static_cast<std::uint64_t>(std::get<std::int64_t>(v));
      }
      if (p.key == "job.max_steps") {
        job.max_steps = static_cast<std::uint64_t>(std::get<std::int64_t>(v));
      }
    }
  }

  // After the present tables, so that mistakes are reported in file order.
  for (const TableSpec& t : schema()) {
    if (t.required && !root.contains(t.table)) {
      fail(fmt::format("missing table [{}] ({})", t.table,
                       t.has_kind ? "with kind = one of: " + join(kind_names(t), ", ")
                                  : "with the keys " + join(key_names(t.keys), ", ")));
    }
  }

  std::vector<std::size_t> axis_of(params.size(), 0);
  for (std::size_t k = 0; k < params.size(); ++k) {
    if (!params[k].axis) continue;
    axis_of[k] = job.axes.size();
    job.axes.push_back(Axis{params[k].key, params[k].values});
  }

  // Each parameter's "key=value\n" line is formatted once per value, not once per configuration.
  std::vector<std::vector<std::string>> lines(params.size());
  for (std::size_t k = 0; k < params.size(); ++k) {
    for (const Value& v : params[k].values)
      lines[k].push_back(params[k].key + "=" + format_value(v) + "\n");
  }

  const std::uint64_t total = sweep_size_;
  if (job.trials > kMaxTrials / total) {
    // [job] was parsed, so job.trials is there.
    fail(
        root["job"]["trials"].node()->source(),
        fmt::format("job.trials = {} with {} configurations is {:.3g} trials; at most {:.0e} "
                    "trials in one job",
                    job.trials, total, static_cast<double>(job.trials) * static_cast<double>(total),
                    static_cast<double>(kMaxTrials)));
  }
  job.configs.reserve(total);
  std::vector<std::size_t> which(params.size());
  for (std::uint64_t i = 0; i < total; ++i) {
    Configuration c;
    c.index = static_cast<std::uint32_t>(i);
    c.axis_index.resize(job.axes.size());
    std::uint64_t rest = i;
    for (std::size_t j = job.axes.size(); j-- > 0;) {
      const std::uint64_t size = job.axes[j].values.size();
      c.axis_index[j] = static_cast<std::size_t>(rest % size);
      rest /= size;
    }
    // Which value of each parameter this configuration has (npos: dropped by its kind), so that
    // the text is allocated once: a job may have a million configurations.
    std::size_t length = 0;
    for (std::size_t k = 0; k < params.size(); ++k) {
      const Parsed& p = params[k];
      which[k] = p.axis ? c.axis_index[axis_of[k]] : 0;
      if (!p.kept.empty() && !p.kept[params[p.gate].axis ? c.axis_index[axis_of[p.gate]] : 0]) {
        which[k] = std::string::npos;
        continue;
      }
      length += lines[k][which[k]].size();
    }
    c.params.reserve(params.size());
    c.canonical_text.reserve(length);
    for (std::size_t k = 0; k < params.size(); ++k) {
      if (which[k] == std::string::npos) continue;
      c.params.push_back(Param{params[k].key, params[k].values[which[k]]});
      c.canonical_text += lines[k][which[k]];
    }
    c.key = fnv1a64(c.canonical_text);
    job.configs.push_back(std::move(c));
  }
  return job;
}

// ---- Configuration access.

std::string_view type_name(const Value& v) {
  return std::visit(Overloaded{
                        [](std::int64_t) { return std::string_view("an integer"); },
                        [](double) { return std::string_view("a number"); },
                        [](bool) { return std::string_view("a boolean"); },
                        [](const std::string&) { return std::string_view("a string"); },
                        [](const std::vector<double>&) { return std::string_view("a vector"); },
                        [](const Matrix&) { return std::string_view("a matrix"); },
                        [](const Distribution&) { return std::string_view("a distribution"); },
                        [](const Table&) { return std::string_view("an inline table"); },
                    },
                    v);
}

std::string_view type_name(const Scalar& v) {
  return std::visit([](const auto& x) { return type_name(Value{x}); }, v);
}

[[noreturn]] void access_error(const Configuration& c, std::string_view dotted, const Value* v,
                               std::string_view wanted) {
  if (v == nullptr) {
    throw ConfigError(fmt::format("configuration {}: missing parameter '{}' (expected {})", c.index,
                                  dotted, wanted));
  }
  throw ConfigError(fmt::format("configuration {}: parameter '{}' = {} is {}; expected {}", c.index,
                                dotted, format_value(*v), type_name(*v), wanted));
}

std::string format_double(double d) { return fmt::format("{}", d); }

std::string format_vector(const std::vector<double>& v) {
  std::string out = "[";
  for (std::size_t i = 0; i < v.size(); ++i) {
    if (i > 0) out += ',';
    out += format_double(v[i]);
  }
  out += ']';
  return out;
}

std::string format_scalar(const Scalar& s) {
  return std::visit(Overloaded{
                        [](std::int64_t i) { return fmt::format("{}", i); },
                        [](double d) { return format_double(d); },
                        [](bool b) { return std::string(b ? "true" : "false"); },
                        [](const std::string& x) {
                          // Quoted, so that a string cannot imitate the table's punctuation.
                          std::string out = "\"";
                          for (char ch : x) {
                            if (ch == '"' || ch == '\\') out += '\\';
                            out += ch;
                          }
                          return out + "\"";
                        },
                    },
                    s);
}

template <class T>
const T& get_as(const Configuration& c, std::string_view dotted, std::string_view wanted) {
  const Value* v = c.find(dotted);
  if (const auto* x = v == nullptr ? nullptr : std::get_if<T>(v)) return *x;
  access_error(c, dotted, v, wanted);
}

template <class T>
std::optional<T> optional_as(const Configuration& c, std::string_view dotted,
                             std::string_view wanted) {
  if (c.find(dotted) == nullptr) return std::nullopt;
  return get_as<T>(c, dotted, wanted);
}

// A key of an inline table value, or nullptr when the table or the key is absent.
const Scalar* table_field(const Configuration& c, std::string_view dotted,
                          std::string_view field) {
  const Value* v = c.find(dotted);
  if (v == nullptr) return nullptr;
  const auto* t = std::get_if<Table>(v);
  if (t == nullptr) access_error(c, dotted, v, "an inline table");
  return t->find(field);
}

[[noreturn]] void field_error(const Configuration& c, std::string_view dotted,
                              std::string_view field, const Scalar& s, std::string_view wanted) {
  throw ConfigError(fmt::format("configuration {}: parameter '{}.{}' = {} is {}; expected {}",
                                c.index, dotted, field, format_scalar(s), type_name(s), wanted));
}

}  // namespace

const Scalar* Table::find(std::string_view key) const noexcept {
  for (const auto& [k, v] : entries) {
    if (k == key) return &v;
  }
  return nullptr;
}

std::string format_value(const Value& v) {
  return std::visit(Overloaded{
                        [](std::int64_t i) { return fmt::format("{}", i); },
                        [](double d) { return format_double(d); },
                        [](bool b) { return std::string(b ? "true" : "false"); },
                        [](const std::string& s) { return s; },
                        [](const std::vector<double>& x) { return format_vector(x); },
                        [](const Matrix& m) {
                          std::string out = "[";
                          for (std::size_t i = 0; i < m.size(); ++i) {
                            if (i > 0) out += ',';
                            out += format_vector(m[i]);
                          }
                          out += ']';
                          return out;
                        },
                        [](const Distribution& d) {
                          std::string out = d.kind + "(";
                          for (std::size_t i = 0; i < d.params.size(); ++i) {
                            if (i > 0) out += ',';
                            out += format_double(d.params[i]);
                          }
                          return out + ")";
                        },
                        [](const Table& t) {
                          std::string out = "{";
                          for (std::size_t i = 0; i < t.entries.size(); ++i) {
                            if (i > 0) out += ',';
                            out += t.entries[i].first + "=" + format_scalar(t.entries[i].second);
                          }
                          return out + "}";
                        },
                    },
                    v);
}

const Value* Configuration::find(std::string_view dotted) const noexcept {
  for (const Param& p : params) {
    if (p.key == dotted) return &p.value;
  }
  return nullptr;
}

double Configuration::number(std::string_view dotted) const {
  const Value* v = find(dotted);
  if (v == nullptr) access_error(*this, dotted, v, "a number");
  if (const auto* d = std::get_if<double>(v)) return *d;
  if (const auto* i = std::get_if<std::int64_t>(v)) return static_cast<double>(*i);
  access_error(*this, dotted, v, "a number");
}

std::optional<double> Configuration::optional_number(std::string_view dotted) const {
  if (find(dotted) == nullptr) return std::nullopt;
  return number(dotted);
}

const std::string& Configuration::string(std::string_view dotted) const {
  const Value* v = find(dotted);
  if (const auto* s = v == nullptr ? nullptr : std::get_if<std::string>(v)) return *s;
  access_error(*this, dotted, v, "a string");
}

std::vector<double> Configuration::vector(std::string_view dotted) const {
  const Value* v = find(dotted);
  if (const auto* x = v == nullptr ? nullptr : std::get_if<std::vector<double>>(v)) return *x;
  access_error(*this, dotted, v, "a vector");
}

std::optional<std::vector<double>> Configuration::optional_vector(std::string_view dotted) const {
  if (find(dotted) == nullptr) return std::nullopt;
  return vector(dotted);
}

std::int64_t Configuration::integer(std::string_view dotted) const {
  return get_as<std::int64_t>(*this, dotted, "an integer");
}

std::optional<std::int64_t> Configuration::optional_integer(std::string_view dotted) const {
  return optional_as<std::int64_t>(*this, dotted, "an integer");
}

std::optional<std::string> Configuration::optional_string(std::string_view dotted) const {
  return optional_as<std::string>(*this, dotted, "a string");
}

bool Configuration::boolean(std::string_view dotted) const {
  return get_as<bool>(*this, dotted, "a boolean");
}

std::optional<bool> Configuration::optional_bool(std::string_view dotted) const {
  return optional_as<bool>(*this, dotted, "a boolean");
}

const Matrix& Configuration::matrix(std::string_view dotted) const {
  return get_as<Matrix>(*this, dotted, "a matrix");
}

std::optional<Matrix> Configuration::optional_matrix(std::string_view dotted) const {
  return optional_as<Matrix>(*this, dotted, "a matrix");
}

const Distribution& Configuration::distribution(std::string_view dotted) const {
  return get_as<Distribution>(*this, dotted, "a distribution");
}

std::optional<Distribution> Configuration::optional_distribution(std::string_view dotted) const {
  return optional_as<Distribution>(*this, dotted, "a distribution");
}

const Table& Configuration::table(std::string_view dotted) const {
  return get_as<Table>(*this, dotted, "an inline table");
}

std::optional<Table> Configuration::optional_table(std::string_view dotted) const {
  return optional_as<Table>(*this, dotted, "an inline table");
}

std::optional<std::int64_t> Configuration::optional_table_integer(std::string_view dotted,
                                                                  std::string_view field) const {
  const Scalar* s = table_field(*this, dotted, field);
  if (s == nullptr) return std::nullopt;
  if (const auto* i = std::get_if<std::int64_t>(s)) return *i;
  field_error(*this, dotted, field, *s, "an integer");
}

std::optional<double> Configuration::optional_table_number(std::string_view dotted,
                                                           std::string_view field) const {
  const Scalar* s = table_field(*this, dotted, field);
  if (s == nullptr) return std::nullopt;
  if (const auto* d = std::get_if<double>(s)) return *d;
  if (const auto* i = std::get_if<std::int64_t>(s)) return static_cast<double>(*i);
  field_error(*this, dotted, field, *s, "a number");
}

std::optional<bool> Configuration::optional_table_bool(std::string_view dotted,
                                                       std::string_view field) const {
  const Scalar* s = table_field(*this, dotted, field);
  if (s == nullptr) return std::nullopt;
  if (const auto* b = std::get_if<bool>(s)) return *b;
  field_error(*this, dotted, field, *s, "a boolean");
}

Job parse_job(std::string_view text, std::string source) { return Parser(text, source).run(); }

std::string read_job_text(const std::filesystem::path& path) {
  const auto cannot_read = [&path](int err) {
    return IoError(fmt::format("cannot read job file '{}': {}", path.string(), std::strerror(err)));
  };
  const std::unique_ptr<std::FILE, int (*)(std::FILE*)> file(std::fopen(path.c_str(), "rb"),
                                                             &std::fclose);
  if (!file) throw cannot_read(errno);
  std::string text;
  char buffer[1 << 16];
  std::size_t n = 0;
  while ((n = std::fread(buffer, 1, sizeof buffer, file.get())) > 0) text.append(buffer, n);
  if (std::ferror(file.get()) != 0) throw cannot_read(errno);
  return text;
}

Job load_job(const std::filesystem::path& path) { return parse_job(read_job_text(path), path.string()); }

}  // namespace escapade::job
