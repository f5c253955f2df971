target_sources(textscreen_core PRIVATE
  ${CMAKE_CURRENT_LIST_DIR}/abuse_config.cc
  ${CMAKE_CURRENT_LIST_DIR}/abuse_counters.cc
  ${CMAKE_CURRENT_LIST_DIR}/penalty_box.cc
)
