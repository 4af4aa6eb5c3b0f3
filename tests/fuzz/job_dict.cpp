// Writes the libFuzzer dictionary of the job-file language to the file argv[1] (stdout without
// one): every table, key, kind, choice and distribution form of escapade::job::schema() (so the
// dictionary follows the schema), then TOML's own tokens. Built and run by cmake/Fuzz.cmake; the
// result is job.dict in the fuzz build directory.
#include <cstdio>
#include <set>
#include <string>
#include <string_view>

#include "escapade/job/schema.hpp"

namespace {

// One dictionary entry: "text" with quotes, backslashes and control bytes escaped.
std::string entry(std::string_view text) {
  std::string out = "\"";
  for (const char ch : text) {
    const auto c = static_cast<unsigned char>(ch);
    if (ch == '"' || ch == '\\') {
      out += '\\';
      out += ch;
    } else if (c < 0x20 || c >= 0x7F) {
      char hex[5];
      std::snprintf(hex, sizeof hex, "\\x%02X", c);
      out += hex;
    } else {
      out += ch;
    }
  }
  return out + "\"";
}

void add_key(std::set<std::string>& words, const escapade::job::KeySpec& k) {
  const std::string name(k.name);
  words.insert(name);
  words.insert(name + " = ");
  for (std::string_view choice : k.choices) words.insert("\"" + std::string(choice) + "\"");
  for (const escapade::job::KeySpec& f : k.fields) add_key(words, f);
}

}  // namespace

int main(int argc, char** argv) {
  std::FILE* out = argc > 1 ? std::fopen(argv[1], "w") : stdout;
  if (out == nullptr) {
    std::perror(argv[1]);
    return 1;
  }
  std::set<std::string> words;
  for (const escapade::job::TableSpec& t : escapade::job::schema()) {
    const std::string table(t.table);
    words.insert(table);
    words.insert("[" + table + "]\n");
    words.insert("[[" + table + "]]\n");
    for (const escapade::job::KeySpec& k : t.keys) add_key(words, k);
    if (!t.has_kind) continue;
    words.insert("kind = ");
    for (const escapade::job::KindSpec& kind : t.kinds) {
      words.insert("\"" + std::string(kind.kind) + "\"");
      for (const escapade::job::KeySpec& k : kind.keys) add_key(words, k);
    }
  }
  for (const escapade::job::DistributionForm& f : escapade::job::distribution_forms()) {
    words.insert(std::string(f.name));
    words.insert("{ " + std::string(f.name) + " = [");
  }
  for (std::string_view token : {"{ logspace = [",
                                 "{ linspace = [",
                                 "logspace",
                                 "linspace",
                                 "[[",
                                 "]]",
                                 " = ",
                                 "{ ",
                                 " }",
                                 "[",
                                 "]",
                                 ", ",
                                 "\"\"\"",
                                 "'''",
                                 "\"",
                                 "'",
                                 "\\u00e9",
                                 "\\U0001F600",
                                 "#",
                                 "\n",
                                 "\r\n",
                                 ".",
                                 "true",
                                 "false",
                                 "inf",
                                 "-inf",
                                 "+inf",
                                 "nan",
                                 "-nan",
                                 "0x",
                                 "0o",
                                 "0b",
                                 "1e308",
                                 "-1e308",
                                 "5e-324",
                                 "1_000",
                                 "9223372036854775807",
                                 "-9223372036854775808",
                                 "18446744073709551616",
                                 "1979-05-27T07:32:00Z",
                                 "07:32:00",
                                 "1979-05-27",
                                 "0.0",
                                 "-0.0"}) {
    words.insert(std::string(token));
  }
  for (const std::string& w : words) std::fprintf(out, "%s\n", entry(w).c_str());
  return std::fclose(out) == 0 ? 0 : 1;
}
