# Runs inside `cmake --install`: CMAKE_INSTALL_PREFIX is the install-time
# prefix here. Writes the units with that prefix's paths and installs the
# example configs without replacing configs that are already there.
#
# Set by systemd/CMakeLists.txt: PARLEY_UNIT_TEMPLATES, PARLEY_CONFIG_SOURCES,
# PARLEY_WORK_DIR, PARLEY_BINDIR, PARLEY_SYSCONFDIR, PARLEY_DOCDIR,
# PARLEY_UNIT_DIR_OVERRIDE, PARLEY_CONFIG_DIR_OVERRIDE.

function(parley_full_dir relative out)
  if(IS_ABSOLUTE "${relative}")
    set(${out} "${relative}" PARENT_SCOPE)
  else()
    set(${out} "${CMAKE_INSTALL_PREFIX}/${relative}" PARENT_SCOPE)
  endif()
endfunction()

# The rules of GNUInstallDirs for the system config folder: the prefixes
# / and /usr keep their config in /etc, /opt/X in /etc/opt/X.
function(parley_full_sysconfdir out)
  if(IS_ABSOLUTE "${PARLEY_SYSCONFDIR}")
    set(${out} "${PARLEY_SYSCONFDIR}" PARENT_SCOPE)
  elseif(PARLEY_SYSCONFDIR STREQUAL "etc" AND CMAKE_INSTALL_PREFIX MATCHES "^/(usr/?)?$")
    set(${out} "/etc" PARENT_SCOPE)
  elseif(PARLEY_SYSCONFDIR STREQUAL "etc" AND CMAKE_INSTALL_PREFIX MATCHES "^/opt/")
    set(${out} "/etc${CMAKE_INSTALL_PREFIX}" PARENT_SCOPE)
  else()
    set(${out} "${CMAKE_INSTALL_PREFIX}/${PARLEY_SYSCONFDIR}" PARENT_SCOPE)
  endif()
endfunction()

parley_full_dir("${PARLEY_BINDIR}" CMAKE_INSTALL_FULL_BINDIR)
parley_full_dir("${PARLEY_DOCDIR}" PARLEY_DOC_DIR)
parley_full_sysconfdir(sysconfdir)

set(unit_dir "${PARLEY_UNIT_DIR_OVERRIDE}")
if(unit_dir STREQUAL "")
  set(unit_dir "${CMAKE_INSTALL_PREFIX}/lib/systemd/system")
endif()
set(PARLEY_CONFIG_DIR "${PARLEY_CONFIG_DIR_OVERRIDE}")
if(PARLEY_CONFIG_DIR STREQUAL "")
  set(PARLEY_CONFIG_DIR "${sysconfdir}/parley")
endif()

# ConfigurationDirectory= names a folder under /etc, so the units carry it
# only when the configs are in /etc/parley.
if(PARLEY_CONFIG_DIR STREQUAL "/etc/parley")
  set(PARLEY_CONFIGURATION_DIRECTORY "ConfigurationDirectory=parley")
else()
  set(PARLEY_CONFIGURATION_DIRECTORY
    "# The configs are in ${PARLEY_CONFIG_DIR}, outside /etc: no ConfigurationDirectory=.")
endif()

set(units)
foreach(template IN LISTS PARLEY_UNIT_TEMPLATES)
  get_filename_component(name "${template}" NAME)
  string(REGEX REPLACE "\\.in$" "" name "${name}")
  configure_file("${template}" "${PARLEY_WORK_DIR}/${name}" @ONLY)
  list(APPEND units "${PARLEY_WORK_DIR}/${name}")
endforeach()
file(INSTALL ${units} DESTINATION "${unit_dir}"
  FILE_PERMISSIONS OWNER_READ OWNER_WRITE GROUP_READ WORLD_READ)

# Configs: an existing file may hold the operator's changes, so it stays;
# the shipped one goes next to it as NAME.yaml.new when the two differ.
# file(COPY) keeps them out of install_manifest.txt, so removing the
# installed files by the manifest leaves the configs in place.
set(config_dir "$ENV{DESTDIR}${PARLEY_CONFIG_DIR}")
file(MAKE_DIRECTORY "${config_dir}")
foreach(service intake processor broadcaster)
  set(source "${PARLEY_CONFIG_SOURCES}/${service}.yaml")
  set(target "${config_dir}/${service}.yaml")
  if(NOT EXISTS "${target}")
    message(STATUS "Installing: ${target}")
    file(COPY "${source}" DESTINATION "${config_dir}"
      FILE_PERMISSIONS OWNER_READ OWNER_WRITE GROUP_READ WORLD_READ)
  else()
    file(READ "${source}" shipped)
    file(READ "${target}" present)
    if(shipped STREQUAL present)
      message(STATUS "Up-to-date: ${target}")
    else()
      message(STATUS "Keeping: ${target} (the shipped config is ${target}.new)")
      file(COPY_FILE "${source}" "${target}.new")
    endif()
  endif()
endforeach()
