# enet_bench.cmake: defines the `enet_bench` executable (the ENet baseline of the
# transport benchmark, bench/enet_bench.cpp).  Meant to be include()d from the
# top-level CMakeLists.txt.  ENet is located through pkg-config (`libenet`), falling
# back to find_path/find_library; if it is missing, a warning is printed and the
# target is simply not defined, so the rest of the project still configures.

if(TARGET enet_bench)
  return()
endif()

set(_enet_bench_lib "")
find_package(PkgConfig QUIET)
if(PkgConfig_FOUND)
  pkg_check_modules(OUTPOST_ENET QUIET IMPORTED_TARGET libenet)
  if(OUTPOST_ENET_FOUND)
    set(_enet_bench_lib PkgConfig::OUTPOST_ENET)
  endif()
endif()

if(NOT _enet_bench_lib)
  find_path(OUTPOST_ENET_INCLUDE_DIR enet/enet.h)
  find_library(OUTPOST_ENET_LIBRARY enet)
  if(OUTPOST_ENET_INCLUDE_DIR AND OUTPOST_ENET_LIBRARY)
    add_library(outpost_enet_bench_enet UNKNOWN IMPORTED)
    set_target_properties(outpost_enet_bench_enet PROPERTIES
      IMPORTED_LOCATION "${OUTPOST_ENET_LIBRARY}"
      INTERFACE_INCLUDE_DIRECTORIES "${OUTPOST_ENET_INCLUDE_DIR}")
    set(_enet_bench_lib outpost_enet_bench_enet)
  endif()
endif()

if(NOT _enet_bench_lib)
  message(WARNING "ENet not found (pkg-config libenet / libenet.so): target enet_bench is not "
                  "defined. Install libenet-dev (scripts/setup.sh).")
  unset(_enet_bench_lib)
  return()
endif()

add_executable(enet_bench "${CMAKE_CURRENT_LIST_DIR}/enet_bench.cpp")
target_compile_features(enet_bench PRIVATE cxx_std_20)
set_target_properties(enet_bench PROPERTIES CXX_EXTENSIONS OFF)
target_link_libraries(enet_bench PRIVATE ${_enet_bench_lib})
if(CMAKE_CXX_COMPILER_ID MATCHES "GNU|Clang")
  target_compile_options(enet_bench PRIVATE -Wall -Wextra -Wpedantic)
endif()
unset(_enet_bench_lib)
