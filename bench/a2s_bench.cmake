# bench/a2s_bench.cmake: defines target `a2s_bench` (bench/a2s_bench.cpp), the A2S_INFO
# replies-per-second benchmark (bench/README.md, "A2S benchmark"). It links the public
# GameServer and the internal A2S responder (both outpost_server) and the A2S codec (outpost_a2s). Until the
# top-level CMakeLists.txt include()s this file, bench/run configures the project with
# -DCMAKE_PROJECT_outpost_INCLUDE=<this file>: included right after project(), the targets do not
# exist yet, so the file defers itself to the end of the top-level directory. Including it twice
# is harmless: the second time finds a2s_bench defined and returns.
if(TARGET a2s_bench)
  return()
endif()

if(NOT TARGET outpost_server OR NOT TARGET outpost_a2s)
  get_property(_a2s_bench_deferred GLOBAL PROPERTY A2S_BENCH_DEFERRED)
  if(NOT _a2s_bench_deferred)
    set_property(GLOBAL PROPERTY A2S_BENCH_DEFERRED TRUE)
    # The path is expanded now (a deferred call would expand it at the end of the directory,
    # when CMAKE_CURRENT_LIST_FILE names CMakeLists.txt).
    cmake_language(EVAL CODE "cmake_language(DEFER CALL include [[${CMAKE_CURRENT_LIST_FILE}]])")
  else()
    message(STATUS "a2s_bench: outpost_server or outpost_a2s is not defined; a2s_bench skipped")
  endif()
  return()
endif()

add_executable(a2s_bench ${CMAKE_CURRENT_LIST_DIR}/a2s_bench.cpp)
target_link_libraries(a2s_bench PRIVATE outpost_server outpost_a2s)
