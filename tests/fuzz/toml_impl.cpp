// The fuzzing build compiles toml++ itself into escapade_job (cmake/Fuzz.cmake), with the
// sanitizers and coverage, instead of using Debian's uninstrumented libtomlplusplus.so: libFuzzer
// then sees which of the TOML parser's paths an input takes, and AddressSanitizer checks them.
// The archive's definitions are found before the shared library's when job_fuzz is linked.
#define TOML_IMPLEMENTATION
#include <toml++/toml.h>
