# The libFuzzer targets and the modules each one links (what it fuzzes and what that needs); read
# by tests/fuzz/CMakeLists.txt (libFuzzer builds) and tests/CMakeLists.txt (corpus replay in every
# build). A new target: its source tests/fuzz/<name>.cpp, a line here, its corpus in corpus/<name>/
# and its name in run_fuzzers.sh.
set(OUTPOST_FUZZ_TARGETS "")
macro(outpost_fuzz_target name)
  list(APPEND OUTPOST_FUZZ_TARGETS ${name})
  set(OUTPOST_FUZZ_LINKS_${name} ${ARGN})
endmacro()

outpost_fuzz_target(fuzz_handshake      outpost_transport)
outpost_fuzz_target(fuzz_frames         outpost_transport)
outpost_fuzz_target(fuzz_recv_stream    outpost_transport)
outpost_fuzz_target(fuzz_ticket         outpost_ticket)
outpost_fuzz_target(fuzz_master_request outpost_master)
outpost_fuzz_target(fuzz_master_filter  outpost_master)
outpost_fuzz_target(fuzz_a2s            outpost_a2s outpost_server)
outpost_fuzz_target(fuzz_a2s_reply      outpost_a2s outpost_master)
outpost_fuzz_target(fuzz_cert           outpost_cert)
outpost_fuzz_target(fuzz_hub_rpc        outpost_hub)
outpost_fuzz_target(fuzz_signaling      outpost_hub)
outpost_fuzz_target(fuzz_agent_frame    outpost_agent)
