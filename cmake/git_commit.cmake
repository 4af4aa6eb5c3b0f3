# Run at every build (cmake -P): writes OUT with the current commit, "-dirty" when the work tree
# has changes, rewriting it only when the text changes so nothing recompiles needlessly.
execute_process(COMMAND git describe --always --dirty --abbrev=12
                WORKING_DIRECTORY ${SOURCE_DIR}
                OUTPUT_VARIABLE commit OUTPUT_STRIP_TRAILING_WHITESPACE ERROR_QUIET
                RESULT_VARIABLE rc)
if(NOT rc EQUAL 0 OR NOT commit)
  set(commit "unknown")
endif()
set(text "#pragma once\n// Generated at build time by cmake/git_commit.cmake.\nnamespace escapade::build_info {\ninline constexpr const char* git_commit = \"${commit}\";\n}\n")
if(EXISTS ${OUT})
  file(READ ${OUT} old)
endif()
if(NOT "${old}" STREQUAL "${text}")
  file(WRITE ${OUT} "${text}")
endif()
