# bench/hub_bench.cmake: defines target `hub_bench` (bench/hub_bench.cpp), the benchmark that
# starts a real outpost-hub process and measures it from outside (bench/README.md, "Hub
# benchmark"). The top-level CMakeLists.txt include()s this file once outpost_hub and the SDK
# libraries exist. Until it does, bench/run configures the project with
# -DCMAKE_PROJECT_outpost_INCLUDE=<this file>: included right after project(), the targets do not
# exist yet, so the file defers itself to the end of the top-level directory. Including it twice
# (both ways at once) is harmless: the second time finds hub_bench defined and returns.
if(TARGET hub_bench)
  return()
endif()

if(NOT TARGET outpost_hub OR NOT TARGET outpost-hub OR NOT TARGET outpost_cli)
  get_property(_hub_bench_deferred GLOBAL PROPERTY HUB_BENCH_DEFERRED)
  if(NOT _hub_bench_deferred)
    set_property(GLOBAL PROPERTY HUB_BENCH_DEFERRED TRUE)
    # The path is expanded now (a deferred call would expand it at the end of the directory,
    # when CMAKE_CURRENT_LIST_FILE names CMakeLists.txt).
    cmake_language(EVAL CODE "cmake_language(DEFER CALL include [[${CMAKE_CURRENT_LIST_FILE}]])")
  else()
    message(STATUS "hub_bench: outpost_hub, outpost-hub or outpost_cli is not defined; hub_bench skipped")
  endif()
  return()
endif()

add_executable(hub_bench ${CMAKE_CURRENT_LIST_DIR}/hub_bench.cpp)
# The main hub's rows, one file per job (hub_bench.cpp lists them); the hub process through
# tests/support/process.h.
target_sources(hub_bench PRIVATE ${CMAKE_CURRENT_LIST_DIR}/hub_bench_fleet.cpp ${CMAKE_CURRENT_LIST_DIR}/hub_bench_output.cpp
                                 ${CMAKE_CURRENT_LIST_DIR}/hub_bench_rpc.cpp ${CMAKE_CURRENT_LIST_DIR}/hub_bench_ticket_rows.cpp
                                 ${CMAKE_CURRENT_LIST_DIR}/hub_bench_server_rows.cpp
                                 ${CMAKE_CURRENT_LIST_DIR}/hub_bench_master_rows.cpp)
target_include_directories(hub_bench PRIVATE ${CMAKE_CURRENT_LIST_DIR}/../tests)  # support/process.h
# Phases in files of their own: passwords (logons during a password-guessing flood).
target_sources(hub_bench PRIVATE ${CMAKE_CURRENT_LIST_DIR}/hub_bench_passwords.cpp)
# hostile (hostile_rss_N, logon_during_flood) and its load generator, shared with the integration tests.
target_sources(hub_bench PRIVATE ${CMAKE_CURRENT_LIST_DIR}/hub_bench_hostile.cpp
                                 ${CMAKE_CURRENT_LIST_DIR}/../tests/support/hostile_flood.cpp)
# ticket_scale (ticket_request_cpu_at_*): the hub's CPU per ticket request as its tables grow.
target_sources(hub_bench PRIVATE ${CMAKE_CURRENT_LIST_DIR}/hub_bench_tickets.cpp)
target_link_libraries(hub_bench PRIVATE outpost_hub outpost_server outpost_client outpost_hubrpc)
# The binaries it drives: found next to it by default (bench/run also passes them explicitly).
target_compile_definitions(hub_bench PRIVATE
  HUB_BENCH_HUB_BINARY="$<TARGET_FILE:outpost-hub>"
  HUB_BENCH_CLI_BINARY="$<TARGET_FILE:outpost_cli>")
add_dependencies(hub_bench outpost-hub outpost_cli)
