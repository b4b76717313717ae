# bench/agent_bench.cmake: defines target `agent_bench` (bench/agent_bench.cpp), the Godot / agent
# benchmark (bench/README.md, "Godot / agent benchmark"): the SDK called directly, through
# outpost-agent from C++, and through the Godot addon from headless Godot 3.
if(TARGET agent_bench)
  return()
endif()
add_executable(agent_bench ${CMAKE_CURRENT_LIST_DIR}/agent_bench.cpp)
target_link_libraries(agent_bench PRIVATE outpost_agent)
target_include_directories(agent_bench PRIVATE ${CMAKE_CURRENT_LIST_DIR} ${CMAKE_CURRENT_LIST_DIR}/../tests)  # support/spawn.h
add_dependencies(agent_bench outpost-agent)
