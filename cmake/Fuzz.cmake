# Fuzzing the job-file parser with libFuzzer (docs/JOB_FILES.md, "Fuzzing the parser").
# Included from tests/CMakeLists.txt, once the areas' targets exist.
#
# ESCAPADE_FUZZ=ON is a clang build of its own (scripts/fuzz configures one under the build tree,
# <build>/fuzz): the areas a job file reaches (core, rng, landscape, noise, job, trial) are
# compiled with -fsanitize=fuzzer-no-link,address,undefined (toml++ with them, from its headers),
# and the targets are
#   job_fuzz       the libFuzzer binary (tests/fuzz/job_fuzz.cpp), in the build directory;
#   job.dict       its dictionary, generated from escapade::job::schema() by job_fuzz_dict.
# In the normal build (any compiler) the option only registers the ctest entry fuzz.job_parser,
# which runs scripts/fuzz --brief: it configures and builds that clang build when needed, then
# fuzzes for ESCAPADE_FUZZ_SECONDS; it is skipped (exit code 77) when clang or libFuzzer is missing.
option(ESCAPADE_FUZZ "Build the libFuzzer target job_fuzz (a clang build: scripts/fuzz)" OFF)
set(ESCAPADE_FUZZ_SECONDS 30 CACHE STRING "How long the ctest entry fuzz.job_parser fuzzes (s)")

if(ESCAPADE_FUZZ)
  if(NOT CMAKE_CXX_COMPILER_ID STREQUAL "Clang")
    message(FATAL_ERROR "ESCAPADE_FUZZ needs clang: configure with -DCMAKE_CXX_COMPILER=clang++ "
                        "(scripts/fuzz does)")
  endif()
  # UB aborts instead of printing and carrying on, so libFuzzer saves the input.
  set(_escapade_sanitize -fsanitize=address,undefined -fno-sanitize-recover=all
                         -fno-omit-frame-pointer)
  foreach(area IN ITEMS core rng landscape noise job trial)
    target_compile_options(escapade_${area} PRIVATE -fsanitize=fuzzer-no-link ${_escapade_sanitize})
  endforeach()
  # toml++ instrumented too (tests/fuzz/toml_impl.cpp says why), configured as Debian builds it
  # (tests/fuzz/toml_config.hpp).
  target_sources(escapade_job PRIVATE ${CMAKE_SOURCE_DIR}/tests/fuzz/toml_impl.cpp)
  target_compile_options(escapade_job PRIVATE
                         -include ${CMAKE_SOURCE_DIR}/tests/fuzz/toml_config.hpp)

  add_executable(job_fuzz ${CMAKE_SOURCE_DIR}/tests/fuzz/job_fuzz.cpp)
  target_compile_options(job_fuzz PRIVATE -fsanitize=fuzzer ${_escapade_sanitize})
  target_link_options(job_fuzz PRIVATE -fsanitize=fuzzer ${_escapade_sanitize})
  target_link_libraries(job_fuzz PRIVATE escapade::job escapade::trial escapade::warnings)
  set_target_properties(job_fuzz PROPERTIES RUNTIME_OUTPUT_DIRECTORY ${CMAKE_BINARY_DIR})

  add_executable(job_fuzz_dict ${CMAKE_SOURCE_DIR}/tests/fuzz/job_dict.cpp)
  target_link_options(job_fuzz_dict PRIVATE ${_escapade_sanitize})
  target_link_libraries(job_fuzz_dict PRIVATE escapade::job escapade::warnings)
  add_custom_command(OUTPUT ${CMAKE_BINARY_DIR}/job.dict
                     COMMAND job_fuzz_dict ${CMAKE_BINARY_DIR}/job.dict
                     DEPENDS job_fuzz_dict
                     COMMENT "Writing the fuzzing dictionary job.dict from the schema"
                     VERBATIM)
  add_custom_target(job_fuzz_dict_file DEPENDS ${CMAKE_BINARY_DIR}/job.dict)
  add_dependencies(job_fuzz job_fuzz_dict_file)
else()
  add_test(NAME fuzz.job_parser
           COMMAND ${CMAKE_SOURCE_DIR}/scripts/fuzz --brief --build-dir ${CMAKE_BINARY_DIR}/fuzz
                   ${ESCAPADE_FUZZ_SECONDS})
  # The build (first run only, about a minute on 2 cores) and the fuzzing itself.
  set_tests_properties(fuzz.job_parser PROPERTIES LABELS "fuzz" TIMEOUT 900 SKIP_RETURN_CODE 77)
endif()
