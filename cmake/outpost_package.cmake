# cmake/outpost_package.cmake: the SDK library `outpost` and everything `cmake --install` puts in
# place for a game (docs/decisions/015-sdk-library-shape.md):
#
#   <prefix>/include/outpost/*.h                       the public API (the only installed headers)
#   <prefix>/<libdir>/liboutpost.a (or .so)            the SDK: the objects of every SDK module
#   <prefix>/<libdir>/cmake/Outpost/                   find_package(Outpost) -> Outpost::outpost
#   <prefix>/<libdir>/pkgconfig/outpost.pc             pkg-config --cflags --libs outpost
#   <prefix>/bin/outpost-hub, outpost                  the hub and the CLI (component "tools")
#
# Components: "sdk" (headers, library, CMake package, pkg-config file) and "tools". The SDK's
# external libraries are read from the SDK modules' links, and each one must be known to
# _outpost_describe_dependency below, which says how a consumer finds it: a module that starts
# linking a new library stops the configuration until it is described here.

include(GNUInstallDirs)
include(CMakePackageConfigHelpers)

# How a consumer of the installed SDK finds `lib`: CMake lines for OutpostConfig.cmake, a
# pkg-config module for outpost.pc's Requires, or flags for its Libs.
function(_outpost_describe_dependency lib cmake_out pc_module_out pc_flags_out)
  set(cmake "")
  set(pc_module "")
  set(pc_flags "")
  if(lib STREQUAL "PkgConfig::SODIUM")
    set(cmake "_outpost_find_with_pkg_config(SODIUM libsodium \"libsodium (Debian: libsodium-dev)\")")
    set(pc_module libsodium)
  elseif(lib STREQUAL "protobuf::libprotobuf")
    set(cmake "find_dependency(Protobuf)")
    set(pc_module protobuf)
  elseif(lib STREQUAL "Threads::Threads")
    set(cmake "find_dependency(Threads)")
    set(pc_flags -pthread)
  elseif(lib STREQUAL "ZLIB::ZLIB")
    set(cmake "find_dependency(ZLIB)")
    set(pc_module zlib)
  else()
    message(FATAL_ERROR "an SDK module links ${lib}: say in cmake/outpost_package.cmake "
                        "(_outpost_describe_dependency) how a consumer of the installed SDK finds it")
  endif()
  set(${cmake_out} "${cmake}" PARENT_SCOPE)
  set(${pc_module_out} "${pc_module}" PARENT_SCOPE)
  set(${pc_flags_out} "${pc_flags}" PARENT_SCOPE)
endfunction()

# The libraries outside the tree that the SDK modules link (their own links and their
# dependents'), in link order.
function(_outpost_sdk_external_libraries out)
  set(found "")
  foreach(module IN LISTS OUTPOST_SDK_MODULES)
    foreach(p LINK_LIBRARIES INTERFACE_LINK_LIBRARIES)
      get_target_property(libs outpost_${module} ${p})
      if(NOT libs)
        continue()
      endif()
      foreach(lib IN LISTS libs)
        string(REGEX REPLACE "^\\$<LINK_ONLY:(.*)>$" "\\1" lib "${lib}")
        if(lib MATCHES "^outpost_(.+)$" AND CMAKE_MATCH_1 IN_LIST OUTPOST_MODULES)
          continue()
        endif()
        if(lib MATCHES "^\\$<")
          message(FATAL_ERROR "outpost_${module} links ${lib}: cmake/outpost_package.cmake cannot tell "
                              "whether the installed SDK needs it; link a plain target")
        endif()
        list(APPEND found ${lib})
      endforeach()
    endforeach()
  endforeach()
  list(REMOVE_DUPLICATES found)
  set(${out} "${found}" PARENT_SCOPE)
endfunction()

function(outpost_add_sdk_library)
  set(objects "")
  foreach(module IN LISTS OUTPOST_SDK_MODULES)
    list(APPEND objects $<TARGET_OBJECTS:outpost_${module}>)
  endforeach()
  add_library(outpost ${objects})  # STATIC, or SHARED with BUILD_SHARED_LIBS
  add_library(Outpost::outpost ALIAS outpost)
  set_target_properties(outpost PROPERTIES
    LINKER_LANGUAGE CXX
    EXPORT_NAME outpost
    VERSION ${PROJECT_VERSION}
    SOVERSION ${PROJECT_VERSION_MAJOR}.${PROJECT_VERSION_MINOR})
  target_include_directories(outpost INTERFACE
    $<BUILD_INTERFACE:${PROJECT_SOURCE_DIR}/include>
    $<INSTALL_INTERFACE:${CMAKE_INSTALL_INCLUDEDIR}>)
  target_compile_features(outpost INTERFACE cxx_std_20)

  _outpost_sdk_external_libraries(externals)
  # PRIVATE: a static liboutpost passes them on as link-only dependencies (no include
  # directories reach the game); a shared one records them as its own DT_NEEDED.
  target_link_libraries(outpost PRIVATE ${externals})
  get_target_property(type outpost TYPE)
  if(type STREQUAL "SHARED_LIBRARY")
    # Only the public API is exported (cmake/outpost.map): internals and the generated protobuf
    # code stay local, so they cannot clash with a game's own copies.
    set(map ${PROJECT_SOURCE_DIR}/cmake/outpost.map)
    target_link_options(outpost PRIVATE -Wl,--version-script=${map} -Wl,--no-undefined)
    set_target_properties(outpost PROPERTIES LINK_DEPENDS ${map})
  endif()

  # ---- install: headers, library, CMake package, pkg-config file (component sdk) -------------
  install(DIRECTORY ${PROJECT_SOURCE_DIR}/include/outpost DESTINATION ${CMAKE_INSTALL_INCLUDEDIR}
          COMPONENT sdk FILES_MATCHING PATTERN "*.h")
  install(TARGETS outpost EXPORT OutpostTargets
          ARCHIVE DESTINATION ${CMAKE_INSTALL_LIBDIR} COMPONENT sdk
          LIBRARY DESTINATION ${CMAKE_INSTALL_LIBDIR} COMPONENT sdk NAMELINK_COMPONENT sdk
          RUNTIME DESTINATION ${CMAKE_INSTALL_BINDIR} COMPONENT sdk)
  set(package_dir ${CMAKE_INSTALL_LIBDIR}/cmake/Outpost)
  install(EXPORT OutpostTargets NAMESPACE Outpost:: DESTINATION ${package_dir} COMPONENT sdk)

  set(config_dependencies "")
  set(pc_modules "")
  set(pc_flags "")
  foreach(lib IN LISTS externals)
    _outpost_describe_dependency(${lib} cmake module flags)
    string(APPEND config_dependencies "${cmake}\n")
    list(APPEND pc_modules ${module})
    list(APPEND pc_flags ${flags})
  endforeach()
  list(JOIN pc_modules " " pc_modules)
  list(JOIN pc_flags " " pc_flags)
  if(type STREQUAL "SHARED_LIBRARY")
    # A shared liboutpost carries its dependencies: the game links liboutpost alone.
    set(OUTPOST_CONFIG_DEPENDENCIES "# (a shared liboutpost: its dependencies are its own)")
    set(OUTPOST_PC_REQUIRES "Requires.private: ${pc_modules}")
    set(OUTPOST_PC_LIBS "Libs: -L\${libdir} -loutpost\nLibs.private: ${pc_flags}")
  else()
    # A static liboutpost: the game links its dependencies too, so plain `pkg-config --libs
    # outpost` (no --static needed) and Outpost::outpost name them.
    set(OUTPOST_CONFIG_DEPENDENCIES "${config_dependencies}")
    set(OUTPOST_PC_REQUIRES "Requires: ${pc_modules}")
    set(OUTPOST_PC_LIBS "Libs: -L\${libdir} -loutpost ${pc_flags}")
  endif()

  configure_package_config_file(${PROJECT_SOURCE_DIR}/cmake/OutpostConfig.cmake.in
                                ${PROJECT_BINARY_DIR}/package/OutpostConfig.cmake
                                INSTALL_DESTINATION ${package_dir})
  # 0.x: a new minor version may break the API, so only the same minor version is compatible.
  write_basic_package_version_file(${PROJECT_BINARY_DIR}/package/OutpostConfigVersion.cmake
                                   VERSION ${PROJECT_VERSION} COMPATIBILITY SameMinorVersion)
  install(FILES ${PROJECT_BINARY_DIR}/package/OutpostConfig.cmake
                ${PROJECT_BINARY_DIR}/package/OutpostConfigVersion.cmake
          DESTINATION ${package_dir} COMPONENT sdk)

  # outpost.pc finds its prefix from its own place, so an installed tree can be moved (and the
  # consumer test installs into a temporary prefix, not CMAKE_INSTALL_PREFIX).
  file(RELATIVE_PATH OUTPOST_PC_TO_PREFIX /prefix/${CMAKE_INSTALL_LIBDIR}/pkgconfig /prefix)
  string(REGEX REPLACE "/$" "" OUTPOST_PC_TO_PREFIX "${OUTPOST_PC_TO_PREFIX}")
  configure_file(${PROJECT_SOURCE_DIR}/cmake/outpost.pc.in ${PROJECT_BINARY_DIR}/package/outpost.pc @ONLY)
  install(FILES ${PROJECT_BINARY_DIR}/package/outpost.pc
          DESTINATION ${CMAKE_INSTALL_LIBDIR}/pkgconfig COMPONENT sdk)
endfunction()

# The programs an operator runs (component tools).
function(outpost_install_tools)
  install(TARGETS ${ARGN} RUNTIME DESTINATION ${CMAKE_INSTALL_BINDIR} COMPONENT tools)
endfunction()
