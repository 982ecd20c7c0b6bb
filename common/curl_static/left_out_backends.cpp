// Linked only into DR_STATIC_CURL builds (cmake/DrCurl.cmake): definitions for the functions
// Debian's libcurl.a calls in three libraries that Debian ships no usable static archive of.
//   GSS-API (Kerberos): HTTP Negotiate/SPNEGO, SOCKS5 GSS-API, FTP and mail Kerberos
//   OpenLDAP:           ldap:// and ldaps:// URLs, and curl_version()'s LDAP part
//   librtmp:            rtmp:// URLs
// The transport allows libcurl no scheme but http and https, never turns Negotiate on, and offers
// a SOCKS5 proxy no GSS-API (transport.cpp), so none of these is reached. If one ever were, the
// process stops with a line naming it rather than running on with a half-present library. Only
// the symbols are needed here: the functions that merely stop are declared without parameters,
// since they never read them. A symbol a newer libcurl.a adds is an undefined reference at link
// time, not a surprise at run time.
#include <cstdio>
#include <cstdlib>

namespace {

[[noreturn]] void left_out(const char* library, const char* function) {
  std::fprintf(stderr,
               "kubectl-dr: internal error: libcurl called %s() of %s, which this static build leaves "
               "out; please report it\n",
               function, library);
  std::abort();
}

}  // namespace

// NOLINTBEGIN(cppcoreguidelines-macro-usage, bugprone-macro-parentheses)
#define DR_LEFT_OUT(library, function) \
  extern "C" void function() {         \
    left_out(library, #function);      \
  }
// NOLINTEND(cppcoreguidelines-macro-usage, bugprone-macro-parentheses)

// ---- OpenLDAP -------------------------------------------------------------------------------------
// curl_version() asks OpenLDAP for its version and leaves it out of the line when asking fails, as
// it always does here (LDAP_OPT_ERROR). The two frees it calls only after a success do nothing.
extern "C" int ldap_get_option(void* /*ld*/, int /*option*/, void* /*outvalue*/) {
  return -1;
}
extern "C" void ldap_memfree(void* /*pointer*/) {}
extern "C" void ber_memvfree(void** /*vector*/) {}

DR_LEFT_OUT("OpenLDAP", ldap_abandon_ext)
DR_LEFT_OUT("OpenLDAP", ldap_err2string)
DR_LEFT_OUT("OpenLDAP", ldap_free_urldesc)
DR_LEFT_OUT("OpenLDAP", ldap_get_attribute_ber)
DR_LEFT_OUT("OpenLDAP", ldap_get_dn_ber)
DR_LEFT_OUT("OpenLDAP", ldap_init_fd)
DR_LEFT_OUT("OpenLDAP", ldap_msgfree)
DR_LEFT_OUT("OpenLDAP", ldap_msgtype)
DR_LEFT_OUT("OpenLDAP", ldap_parse_result)
DR_LEFT_OUT("OpenLDAP", ldap_parse_sasl_bind_result)
DR_LEFT_OUT("OpenLDAP", ldap_pvt_url_scheme2proto)
DR_LEFT_OUT("OpenLDAP", ldap_result)
DR_LEFT_OUT("OpenLDAP", ldap_sasl_bind)
DR_LEFT_OUT("OpenLDAP", ldap_search_ext)
DR_LEFT_OUT("OpenLDAP", ldap_set_option)
DR_LEFT_OUT("OpenLDAP", ldap_start_tls)
DR_LEFT_OUT("OpenLDAP", ldap_unbind_ext)
DR_LEFT_OUT("OpenLDAP", ldap_url_parse)
DR_LEFT_OUT("OpenLDAP", ber_bvfree)
DR_LEFT_OUT("OpenLDAP", ber_free)
DR_LEFT_OUT("OpenLDAP", ber_memfree)
DR_LEFT_OUT("OpenLDAP", ber_sockbuf_add_io)

// ---- GSS-API ----------------------------------------------------------------------------------------
// A gss_OID in the real library; libcurl only passes it back to the functions below. In a block:
// GCC warns about an initialised `extern "C"` declaration written on one line.
extern "C" {
void* GSS_C_NT_HOSTBASED_SERVICE = nullptr;  // NOLINT(cppcoreguidelines-avoid-non-const-global-variables)
}
DR_LEFT_OUT("GSS-API", gss_delete_sec_context)
DR_LEFT_OUT("GSS-API", gss_display_name)
DR_LEFT_OUT("GSS-API", gss_display_status)
DR_LEFT_OUT("GSS-API", gss_import_name)
DR_LEFT_OUT("GSS-API", gss_init_sec_context)
DR_LEFT_OUT("GSS-API", gss_inquire_context)
DR_LEFT_OUT("GSS-API", gss_release_buffer)
DR_LEFT_OUT("GSS-API", gss_release_name)
DR_LEFT_OUT("GSS-API", gss_unwrap)
DR_LEFT_OUT("GSS-API", gss_wrap)

// ---- librtmp ----------------------------------------------------------------------------------------
DR_LEFT_OUT("librtmp", RTMP_Alloc)
DR_LEFT_OUT("librtmp", RTMP_Close)
DR_LEFT_OUT("librtmp", RTMP_Connect1)
DR_LEFT_OUT("librtmp", RTMP_ConnectStream)
DR_LEFT_OUT("librtmp", RTMP_Free)
DR_LEFT_OUT("librtmp", RTMP_Init)
DR_LEFT_OUT("librtmp", RTMP_Read)
DR_LEFT_OUT("librtmp", RTMP_SetBufferMS)
DR_LEFT_OUT("librtmp", RTMP_SetupURL)
DR_LEFT_OUT("librtmp", RTMP_Write)
