# The bulk fingerprint and campaign clusters.
target_sources(textscreen_core PRIVATE
  ${CMAKE_CURRENT_LIST_DIR}/body_fingerprint.cc
  ${CMAKE_CURRENT_LIST_DIR}/cluster_index.cc
)
