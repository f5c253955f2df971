target_sources(textscreen_core PRIVATE
  ${CMAKE_CURRENT_LIST_DIR}/surge_config.cc
  ${CMAKE_CURRENT_LIST_DIR}/surge_tracker.cc
)
