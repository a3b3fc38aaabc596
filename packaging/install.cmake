# Install rules and the .deb (CPack), included from the top-level CMakeLists.txt:
#   cmake --install build [--prefix /usr]    the executables, docs, example config, unit
#   cpack --config build/CPackConfig.cmake -G DEB    caseengine_<version>_<arch>.deb
# The package installs under /usr; its maintainer scripts (postinst, prerm) make the
# engine's user, folders, key and config (docs/operations.md, "Install").
# The unit names the paths it runs from, so the prefix is the package's (/usr) unless
# given: a unit configured for one prefix and installed under another would not start.
if(CMAKE_INSTALL_PREFIX_INITIALIZED_TO_DEFAULT)
  set(CMAKE_INSTALL_PREFIX /usr CACHE PATH "Install prefix" FORCE)
endif()
include(GNUInstallDirs)

# GNUInstallDirs gives /etc for the /usr prefix.
set(CASEENGINE_CONFIG_FILE ${CMAKE_INSTALL_FULL_SYSCONFDIR}/caseengine/caseengine.json)
configure_file(${CMAKE_SOURCE_DIR}/packaging/caseengine.service.in
               ${CMAKE_BINARY_DIR}/packaging/caseengine.service @ONLY)

install(TARGETS caseengine casereplay RUNTIME DESTINATION ${CMAKE_INSTALL_BINDIR})
install(FILES ${CMAKE_BINARY_DIR}/packaging/caseengine.service
        DESTINATION lib/systemd/system)
install(FILES ${CMAKE_SOURCE_DIR}/packaging/caseengine.example.json
        DESTINATION ${CMAKE_INSTALL_DATADIR}/caseengine)
install(FILES ${CMAKE_SOURCE_DIR}/README.md DESTINATION ${CMAKE_INSTALL_DOCDIR})
file(GLOB CASEENGINE_DOCS ${CMAKE_SOURCE_DIR}/docs/*.md)
install(FILES ${CASEENGINE_DOCS} DESTINATION ${CMAKE_INSTALL_DOCDIR})

set(CPACK_GENERATOR DEB)
set(CPACK_PACKAGE_NAME caseengine)
set(CPACK_PACKAGE_VERSION ${CASEENGINE_VERSION})
set(CPACK_PACKAGE_CONTACT "caseengine maintainers <caseengine@localhost>")
set(CPACK_PACKAGE_DESCRIPTION_SUMMARY
    "event-sourced case engine for local-authority housing services")
set(CPACK_PACKAGING_INSTALL_PREFIX ${CMAKE_INSTALL_PREFIX})
set(CPACK_STRIP_FILES ON)
set(CPACK_DEBIAN_FILE_NAME DEB-DEFAULT)
set(CPACK_DEBIAN_PACKAGE_SECTION misc)
# The shared libraries' packages (RocksDB, OpenSSL, jemalloc...) found by dpkg-shlibdeps;
# adduser for the postinst.
set(CPACK_DEBIAN_PACKAGE_SHLIBDEPS ON)
set(CPACK_DEBIAN_PACKAGE_DEPENDS "adduser")
set(CPACK_DEBIAN_PACKAGE_CONTROL_EXTRA ${CMAKE_SOURCE_DIR}/packaging/postinst
                                       ${CMAKE_SOURCE_DIR}/packaging/prerm)
set(CPACK_DEBIAN_PACKAGE_CONTROL_STRICT_PERMISSION ON)
include(CPack)
