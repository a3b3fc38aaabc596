# caseengine_configure_unit(PREFIX OUT): the systemd unit (caseengine.service.in) written
# to OUT for an install under PREFIX. Used when configuring (the build tree's copy, which
# the tests check) and again when installing, so that the unit names the paths it is
# installed with: `cmake --install --prefix P` and CPack (prefix /usr) each get their own.
set(CASEENGINE_UNIT_TEMPLATE ${CMAKE_CURRENT_LIST_DIR}/caseengine.service.in)
function(caseengine_configure_unit prefix out)
  set(CASEENGINE_BINDIR ${prefix}/bin)
  set(CASEENGINE_DOCDIR ${prefix}/share/doc/caseengine)
  # As GNUInstallDirs: /etc for the /usr prefix, PREFIX/etc otherwise.
  if(prefix STREQUAL "/usr")
    set(CASEENGINE_CONFIG_FILE /etc/caseengine/caseengine.json)
  else()
    set(CASEENGINE_CONFIG_FILE ${prefix}/etc/caseengine/caseengine.json)
  endif()
  configure_file(${CASEENGINE_UNIT_TEMPLATE} ${out} @ONLY)
endfunction()
