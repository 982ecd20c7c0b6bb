# dr_curl: the libcurl every executable links, shared or static.
#
# Shared (the default): Debian's libcurl.so.4, which loads 33 more libraries at start-up (GSS-API
# and Kerberos, OpenLDAP, librtmp with GnuTLS, libssh2, ...): about a third of a 30 ms
# `kubectl dr status`, for protocols an API client never speaks.
#
# Static (DR_STATIC_CURL, on with DR_STATIC_DEPS for releases): Debian's libcurl.a and the static
# archives of the libraries it uses, so the executables need glibc alone. Debian ships no static
# GSS-API/Kerberos, and its static OpenLDAP and librtmp need GnuTLS and SASL, which it does not
# ship static either; curl_static/left_out_backends.cpp stands in for those three. The transport
# only ever lets libcurl speak HTTP(S) and offers a SOCKS5 proxy no GSS-API, so none of them is
# reached (and one that were would stop the process with a message, not misbehave).
add_library(dr_curl INTERFACE)
if(NOT DR_STATIC_CURL)
  # OpenSSL too: the transport adds a check to libcurl's certificate verification (tls_names.cpp).
  find_package(OpenSSL REQUIRED)
  target_link_libraries(dr_curl INTERFACE CURL::libcurl OpenSSL::SSL OpenSSL::Crypto)
  return()
endif()

# In link order: each archive after the archives that use it. Each entry: library;Debian package.
set(_dr_curl_archives
  "curl\;libcurl4-openssl-dev"
  "ssh2\;libssh2-1-dev"
  "psl\;libpsl-dev"
  "idn2\;libidn2-dev"
  "unistring\;libunistring-dev"
  "nghttp2\;libnghttp2-dev"
  "zstd\;libzstd-dev"
  "brotlidec\;libbrotli-dev"
  "brotlicommon\;libbrotli-dev"
  "ssl\;libssl-dev"
  "crypto\;libssl-dev"
  "z\;zlib1g-dev")
foreach(_entry IN LISTS _dr_curl_archives)
  list(GET _entry 0 _name)
  list(GET _entry 1 _package)
  find_library(DR_STATIC_LIB_${_name} NAMES lib${_name}.a)
  if(NOT DR_STATIC_LIB_${_name})
    message(FATAL_ERROR "DR_STATIC_CURL: lib${_name}.a not found; install the Debian package ${_package} "
                        "(scripts/deps.sh does), or configure with -DDR_STATIC_CURL=OFF")
  endif()
  target_link_libraries(dr_curl INTERFACE "${DR_STATIC_LIB_${_name}}")
endforeach()

add_library(dr_curl_left_out OBJECT "${CMAKE_CURRENT_LIST_DIR}/../common/curl_static/left_out_backends.cpp")
# Object files, not an archive: they are always linked, wherever they stand on the command line,
# so they satisfy libcurl.a's references although they come after it (naming the target as well
# makes every consumer wait for them to be built: CMake's documented pattern).
target_link_libraries(dr_curl INTERFACE dr_curl_left_out $<TARGET_OBJECTS:dr_curl_left_out> Threads::Threads
                                      ${CMAKE_DL_LIBS})
target_include_directories(dr_curl SYSTEM INTERFACE ${CURL_INCLUDE_DIRS})
