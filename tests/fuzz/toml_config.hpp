#pragma once
// Included first in every translation unit of escapade_job in the fuzzing build (cmake/Fuzz.cmake):
// toml++ as the escapade binary gets it. Debian's libtomlplusplus.so is built without toml++'s
// internal assertions, so they are off here too, although the fuzzing build is otherwise a debug
// build. Upstream 3.3.0 asserts a precondition that malformed headers such as "[#" or "[[[1]]]"
// break (marzer/tomlplusplus#301); without the assertion the parser reports them as the syntax
// errors they are (tests/fuzz/regressions/toml-header-without-key.toml).
#define TOML_ASSERT(expr) static_assert(true)
