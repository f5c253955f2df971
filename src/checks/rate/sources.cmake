target_sources(textscreen_core PRIVATE
  ${CMAKE_CURRENT_LIST_DIR}/local_counter_store.cc
  ${CMAKE_CURRENT_LIST_DIR}/rate_config.cc
  ${CMAKE_CURRENT_LIST_DIR}/rate_limiter.cc
  ${CMAKE_CURRENT_LIST_DIR}/redis_config.cc
  ${CMAKE_CURRENT_LIST_DIR}/redis_counter_protocol.cc
  ${CMAKE_CURRENT_LIST_DIR}/redis_counter_store.cc
)
