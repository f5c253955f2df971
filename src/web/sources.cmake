# The web pages (issue 11). The stylesheet and script are compiled in from assets/.
file(READ ${CMAKE_CURRENT_LIST_DIR}/assets/style.css WEB_STYLE_CSS)
file(READ ${CMAKE_CURRENT_LIST_DIR}/assets/app.js WEB_APP_JS)
set_property(DIRECTORY APPEND PROPERTY CMAKE_CONFIGURE_DEPENDS
  ${CMAKE_CURRENT_LIST_DIR}/assets/style.css ${CMAKE_CURRENT_LIST_DIR}/assets/app.js)
configure_file(${CMAKE_CURRENT_LIST_DIR}/static_assets.cc.in
  ${CMAKE_CURRENT_BINARY_DIR}/web/static_assets.cc @ONLY)
target_sources(textscreen_core PRIVATE
  ${CMAKE_CURRENT_BINARY_DIR}/web/static_assets.cc
  ${CMAKE_CURRENT_LIST_DIR}/address_rate_limiter.cc
  ${CMAKE_CURRENT_LIST_DIR}/check_explanations.cc
  ${CMAKE_CURRENT_LIST_DIR}/csrf_guard.cc
  ${CMAKE_CURRENT_LIST_DIR}/html.cc
  ${CMAKE_CURRENT_LIST_DIR}/http_exchange.cc
  ${CMAKE_CURRENT_LIST_DIR}/http_server.cc
  ${CMAKE_CURRENT_LIST_DIR}/public_redaction.cc
  ${CMAKE_CURRENT_LIST_DIR}/recipient_mask.cc
  ${CMAKE_CURRENT_LIST_DIR}/staff_allowlist.cc
  ${CMAKE_CURRENT_LIST_DIR}/staff_auth.cc
  ${CMAKE_CURRENT_LIST_DIR}/staff_decision_filter.cc
  ${CMAKE_CURRENT_LIST_DIR}/staff_decision_table.cc
  ${CMAKE_CURRENT_LIST_DIR}/staff_decisions.cc
  ${CMAKE_CURRENT_LIST_DIR}/staff_lookup.cc
  ${CMAKE_CURRENT_LIST_DIR}/staff_overview.cc
  ${CMAKE_CURRENT_LIST_DIR}/staff_page.cc
  ${CMAKE_CURRENT_LIST_DIR}/staff_quarantine.cc
  ${CMAKE_CURRENT_LIST_DIR}/staff_quarantine_release.cc
  ${CMAKE_CURRENT_LIST_DIR}/staff_routes.cc
  ${CMAKE_CURRENT_LIST_DIR}/staff_store_change.cc
  ${CMAKE_CURRENT_LIST_DIR}/staff_surges.cc
  ${CMAKE_CURRENT_LIST_DIR}/web_config.cc
  ${CMAKE_CURRENT_LIST_DIR}/web_secret.cc
  ${CMAKE_CURRENT_LIST_DIR}/web_site.cc
  ${CMAKE_CURRENT_LIST_DIR}/why_page.cc
)
