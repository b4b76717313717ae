# bench/cert_bench.cmake: defines target `cert_bench` (bench/cert_bench.cpp), connections accepted
# per second on one core with and without identity certificates (bench/README.md, "Certificate
# benchmark"). It links the transport and the certificate module (outpost_cert) for its test CA.
if(TARGET cert_bench)
  return()
endif()
add_executable(cert_bench ${CMAKE_CURRENT_LIST_DIR}/cert_bench.cpp)
target_link_libraries(cert_bench PRIVATE outpost_transport outpost_cert)
