target_sources(textscreen_core PRIVATE
  ${CMAKE_CURRENT_LIST_DIR}/header_check.cc
  ${CMAKE_CURRENT_LIST_DIR}/header_config.cc
)
