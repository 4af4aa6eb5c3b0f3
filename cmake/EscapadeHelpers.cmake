# escapade_add_library(<area> SOURCES ... [DEPS ...]) -> target escapade_<area>, alias escapade::<area>
function(escapade_add_library area)
  cmake_parse_arguments(ARG "" "" "SOURCES;DEPS" ${ARGN})
  add_library(escapade_${area} STATIC ${ARG_SOURCES})
  add_library(escapade::${area} ALIAS escapade_${area})
  target_link_libraries(escapade_${area} PUBLIC ${ARG_DEPS} PRIVATE escapade::warnings)
endfunction()

# escapade_add_test(<name> SOURCES ... [LIBS ...] [LABELS ...])
# A GoogleTest executable whose cases ctest discovers, labelled (e.g. unit, stats, mpi).
function(escapade_add_test name)
  cmake_parse_arguments(ARG "" "TIMEOUT" "SOURCES;LIBS;LABELS" ${ARGN})
  add_executable(${name} ${ARG_SOURCES})
  target_link_libraries(${name} PRIVATE ${ARG_LIBS} GTest::gtest_main escapade::warnings)
  if(NOT ARG_TIMEOUT)
    set(ARG_TIMEOUT 600)
  endif()
  gtest_discover_tests(${name} PROPERTIES LABELS "${ARG_LABELS}" TIMEOUT ${ARG_TIMEOUT}
                       DISCOVERY_TIMEOUT 60)
endfunction()
