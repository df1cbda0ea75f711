# swg_library(NAME name SRCS ... DEPS ... [PRIVATE_DEPS ...])
#   One folder, one static library `swg_<name>` with the alias `swg::<name>`. What a component may
#   use is what it links: a component that includes a header of one it does not link fails to build.
#   The component's own folder is its include root, so `#include "adapters/xml/scanner.h"` style
#   paths are relative to the repository root.
function(swg_library)
  cmake_parse_arguments(ARG "" "NAME" "SRCS;DEPS;PRIVATE_DEPS" ${ARGN})
  set(target swg_${ARG_NAME})
  add_library(${target} STATIC ${ARG_SRCS})
  add_library(swg::${ARG_NAME} ALIAS ${target})
  target_include_directories(${target} PUBLIC ${SWG_SOURCE_DIR})
  target_link_libraries(${target} PUBLIC ${ARG_DEPS} PRIVATE ${ARG_PRIVATE_DEPS})
  swg_warnings(${target})
endfunction()

# Warnings for every target of ours; -Werror when SWG_WERROR is on (CI).
function(swg_warnings target)
  target_compile_options(${target} PRIVATE -Wall -Wextra -Wpedantic -Wno-unused-parameter)
  if(SWG_WERROR)
    target_compile_options(${target} PRIVATE -Werror)
  endif()
endfunction()

# swg_test(NAME name SRCS ... DEPS ...): a Catch2 test binary registered with ctest.
function(swg_test)
  cmake_parse_arguments(ARG "" "NAME" "SRCS;DEPS;ARGS" ${ARGN})
  add_executable(${ARG_NAME} ${ARG_SRCS})
  target_link_libraries(${ARG_NAME} PRIVATE ${ARG_DEPS} swg_test_main)
  swg_warnings(${ARG_NAME})
  add_test(NAME ${ARG_NAME} COMMAND ${ARG_NAME} ${ARG_ARGS} WORKING_DIRECTORY ${SWG_SOURCE_DIR})
  set(environment "SWG_SOURCE_DIR=${SWG_SOURCE_DIR}")
  if(SWG_SANITIZE)
    # A third-party leak LeakSanitizer is told about (the file says which and why).
    list(APPEND environment "LSAN_OPTIONS=suppressions=${SWG_SOURCE_DIR}/tests/lsan.supp")
  endif()
  set_tests_properties(${ARG_NAME} PROPERTIES ENVIRONMENT "${environment}")
endfunction()
