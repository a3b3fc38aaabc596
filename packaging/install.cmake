# Install rules and the .deb (CPack), included from the top-level CMakeLists.txt:
#   cmake --install build [--prefix /usr]    the executables, docs, example config, unit
#   cpack --config build/CPackConfig.cmake -G DEB    caseengine_<version>_<arch>.deb
# The package installs under /usr; its maintainer scripts (postinst, prerm) make the
# engine's user, folders, key and config (docs/operations.md, "Install").
# The prefix is the package's (/usr) unless given.
if(CMAKE_INSTALL_PREFIX_INITIALIZED_TO_DEFAULT)
  set(CMAKE_INSTALL_PREFIX /usr CACHE PATH "Install prefix" FORCE)
endif()
include(${CMAKE_SOURCE_DIR}/packaging/configure_unit.cmake)
caseengine_configure_unit(${CMAKE_INSTALL_PREFIX} ${CMAKE_BINARY_DIR}/packaging/caseengine.service)

install(TARGETS caseengine casereplay RUNTIME DESTINATION bin)
# The unit configured for the prefix installed to (CPack's is /usr, whatever was configured).
install(CODE "
  include(${CMAKE_SOURCE_DIR}/packaging/configure_unit.cmake)
  caseengine_configure_unit(\"\${CMAKE_INSTALL_PREFIX}\"
                            \"${CMAKE_BINARY_DIR}/packaging/install/caseengine.service\")
  file(INSTALL \"${CMAKE_BINARY_DIR}/packaging/install/caseengine.service\"
       DESTINATION \"\${CMAKE_INSTALL_PREFIX}/lib/systemd/system\")
")
install(FILES ${CMAKE_SOURCE_DIR}/packaging/caseengine.example.json
        DESTINATION share/caseengine)
install(FILES ${CMAKE_SOURCE_DIR}/README.md DESTINATION share/doc/caseengine)
file(GLOB CASEENGINE_DOCS ${CMAKE_SOURCE_DIR}/docs/*.md)
install(FILES ${CASEENGINE_DOCS} DESTINATION share/doc/caseengine)

set(CPACK_GENERATOR DEB)
set(CPACK_PACKAGE_NAME caseengine)
set(CPACK_PACKAGE_VERSION ${CASEENGINE_VERSION})
set(CPACK_PACKAGE_CONTACT "caseengine maintainers <caseengine@localhost>")
set(CPACK_PACKAGE_DESCRIPTION_SUMMARY
    "event-sourced case engine for local-authority housing services")
set(CPACK_PACKAGING_INSTALL_PREFIX /usr)
# Installed with DESTDIR, so that CMAKE_INSTALL_PREFIX is /usr while installing and the
# unit is configured with the paths it will have.
set(CPACK_SET_DESTDIR ON)
set(CPACK_INSTALL_PREFIX /usr)
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
