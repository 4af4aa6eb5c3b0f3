// libFuzzer target for the job-file parser and the model layer behind it: feeds every input to
// escapade::fuzz::check_input (job_contract.hpp states the contract) and aborts when it is broken,
// so that libFuzzer saves the input. Built by cmake/Fuzz.cmake, run by scripts/fuzz
// (docs/JOB_FILES.md, "Fuzzing the parser").
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <string>
#include <string_view>

#include "job_contract.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string broken =
      escapade::fuzz::check_input(std::string_view(reinterpret_cast<const char*>(data), size));
  if (!broken.empty()) {
    std::fprintf(stderr, "job_fuzz: contract broken: %s\n", broken.c_str());
    std::abort();
  }
  return 0;
}
