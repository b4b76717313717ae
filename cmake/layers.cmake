# cmake/layers.cmake: reads docs/layers.md, the one table of the project's modules (layer, SDK
# membership, the modules each may use), so the build and the layering test follow one source.
#
#   outpost_read_layers()       sets, in the caller's scope:
#     OUTPOST_MODULES            the src/ modules, lowest layer first (table order within a layer)
#     OUTPOST_SDK_MODULES        the modules compiled into the SDK library `outpost`
#     OUTPOST_LAYER_<module>     its layer number
#     OUTPOST_USES_<module>      the modules it may include and link
#   outpost_check_module_links() fails the configuration when a module target links an
#                                outpost_<module> that its row does not declare.
#
# A src/ directory with a CMakeLists.txt but no row is an error: a module nobody placed in the
# layers would build outside every rule.

set(OUTPOST_LAYERS_FILE ${PROJECT_SOURCE_DIR}/docs/layers.md)

function(_outpost_split_names text out)
  string(REPLACE "—" "" text "${text}")  # an em dash: none
  string(REGEX REPLACE "[ \t]*,[ \t]*" ";" text "${text}")
  string(STRIP "${text}" text)
  set(${out} "${text}" PARENT_SCOPE)
endfunction()

function(outpost_read_layers)
  set_property(DIRECTORY APPEND PROPERTY CMAKE_CONFIGURE_DEPENDS ${OUTPOST_LAYERS_FILE})
  file(STRINGS ${OUTPOST_LAYERS_FILE} rows ENCODING UTF-8 REGEX "^\\|[ \t]*src/")
  set(by_layer "")
  set(sdk "")
  set(index 0)
  foreach(row IN LISTS rows)
    string(REPLACE "|" ";" cells "${row}")
    list(LENGTH cells n)
    if(n LESS 6)
      message(FATAL_ERROR "docs/layers.md: a row needs directory | layer | SDK | uses | public headers: ${row}")
    endif()
    list(GET cells 1 dir)
    list(GET cells 2 layer)
    list(GET cells 3 in_sdk)
    list(GET cells 4 uses)
    string(STRIP "${dir}" dir)
    string(STRIP "${layer}" layer)
    string(STRIP "${in_sdk}" in_sdk)
    string(REGEX REPLACE "^src/" "" module "${dir}")
    if(NOT layer MATCHES "^[0-9]$" OR NOT in_sdk MATCHES "^(yes|no)$")
      message(FATAL_ERROR "docs/layers.md: ${dir}: layer must be a digit and SDK yes or no: ${row}")
    endif()
    _outpost_split_names("${uses}" uses)
    set(OUTPOST_LAYER_${module} ${layer} PARENT_SCOPE)
    set(OUTPOST_USES_${module} "${uses}" PARENT_SCOPE)
    # Sort key: layer, then the row's position in the table.
    math(EXPR index "${index} + 1")
    string(LENGTH "${index}" digits)
    set(padded "00${index}")
    string(SUBSTRING "${padded}" ${digits} 3 padded)
    list(APPEND by_layer "${layer}-${padded}-${module}")
    if(in_sdk STREQUAL "yes")
      list(APPEND sdk ${module})
    endif()
  endforeach()
  list(SORT by_layer)
  set(modules "")
  foreach(entry IN LISTS by_layer)
    string(REGEX REPLACE "^[0-9]-[0-9]+-" "" module "${entry}")
    list(APPEND modules ${module})
  endforeach()

  file(GLOB dirs RELATIVE ${PROJECT_SOURCE_DIR}/src ${PROJECT_SOURCE_DIR}/src/*/CMakeLists.txt)
  foreach(d IN LISTS dirs)
    get_filename_component(module ${d} DIRECTORY)
    if(NOT module IN_LIST modules)
      message(FATAL_ERROR "src/${module} has a CMakeLists.txt but no row in docs/layers.md: add one "
                          "(its layer, whether it is in the SDK, the modules it uses)")
    endif()
  endforeach()
  set(OUTPOST_MODULES "${modules}" PARENT_SCOPE)
  set(OUTPOST_SDK_MODULES "${sdk}" PARENT_SCOPE)
endfunction()

function(outpost_check_module_links)
  set(problems "")
  foreach(module IN LISTS OUTPOST_MODULES)
    set(target outpost_${module})
    if(NOT TARGET ${target})
      list(APPEND problems "src/${module}/CMakeLists.txt does not define ${target}")
      continue()
    endif()
    set(linked "")
    foreach(p LINK_LIBRARIES INTERFACE_LINK_LIBRARIES)
      get_target_property(libs ${target} ${p})
      if(libs)
        list(APPEND linked ${libs})
      endif()
    endforeach()
    foreach(lib IN LISTS linked)
      string(REGEX REPLACE "^\\$<LINK_ONLY:(.*)>$" "\\1" lib "${lib}")
      if(lib MATCHES "^outpost_(.+)$" AND CMAKE_MATCH_1 IN_LIST OUTPOST_MODULES)
        set(used ${CMAKE_MATCH_1})
        if(NOT used STREQUAL module AND NOT used IN_LIST OUTPOST_USES_${module})
          list(APPEND problems "${target} links ${lib}, but docs/layers.md does not list ${used} among "
                               "the modules src/${module} uses")
        endif()
      endif()
    endforeach()
  endforeach()
  if(problems)
    list(JOIN problems "\n  " text)
    message(FATAL_ERROR "module links that docs/layers.md does not declare:\n  ${text}")
  endif()
endfunction()
