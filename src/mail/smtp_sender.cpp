#include <curl/curl.h>

#include <algorithm>
#include <cstring>
#include <memory>
#include <mutex>

#include "mail/message.hpp"
#include "mail/sender.hpp"

namespace latchkey::mail {
namespace {

struct Upload {
  std::string_view data;
  size_t at = 0;
};

size_t read_chunk(char* buffer, size_t size, size_t count, void* user) {
  auto* u = static_cast<Upload*>(user);
  const size_t n = std::min(size * count, u->data.size() - u->at);
  std::memcpy(buffer, u->data.data() + u->at, n);
  u->at += n;
  return n;
}

struct CurlFree {
  void operator()(CURL* c) const { curl_easy_cleanup(c); }
};
struct SlistFree {
  void operator()(curl_slist* l) const { curl_slist_free_all(l); }
};

}  // namespace

SmtpSender::SmtpSender(SmtpOptions options) : options_(std::move(options)) {
  // Not thread-safe, so once, before any courier thread runs.
  static std::once_flag once;
  std::call_once(once, [] { curl_global_init(CURL_GLOBAL_DEFAULT); });
}

SendResult SmtpSender::send(std::string_view to, std::string_view message) {
  std::unique_ptr<CURL, CurlFree> curl(curl_easy_init());
  if (!curl) return SendResult{false, false, "libcurl could not start"};
  CURL* c = curl.get();
  const std::string from = "<" + address_of(options_.from) + ">";
  std::unique_ptr<curl_slist, SlistFree> rcpt(
      curl_slist_append(nullptr, ("<" + address_of(to) + ">").c_str()));
  Upload upload{message, 0};
  curl_easy_setopt(c, CURLOPT_URL, options_.url.c_str());
  // Security: only mail protocols, whatever the configured URL says (no file://, no http://).
  curl_easy_setopt(c, CURLOPT_PROTOCOLS_STR, "smtp,smtps");
  // STARTTLS whenever offered; required if configured (an attacker on the path could strip
  // the offer), and whenever there is a password, which must never cross the network in
  // clear. smtps:// is TLS regardless. The certificate and host name are always verified.
  const bool tls_required = options_.require_starttls || !options_.password.empty();
  curl_easy_setopt(c, CURLOPT_USE_SSL, tls_required ? long{CURLUSESSL_ALL} : long{CURLUSESSL_TRY});
  if (!options_.ca_file.empty()) curl_easy_setopt(c, CURLOPT_CAINFO, options_.ca_file.c_str());
  if (!options_.username.empty()) curl_easy_setopt(c, CURLOPT_USERNAME, options_.username.c_str());
  if (!options_.password.empty()) curl_easy_setopt(c, CURLOPT_PASSWORD, options_.password.c_str());
  curl_easy_setopt(c, CURLOPT_MAIL_FROM, from.c_str());
  curl_easy_setopt(c, CURLOPT_MAIL_RCPT, rcpt.get());
  curl_easy_setopt(c, CURLOPT_READFUNCTION, read_chunk);
  curl_easy_setopt(c, CURLOPT_READDATA, &upload);
  curl_easy_setopt(c, CURLOPT_UPLOAD, 1L);
  curl_easy_setopt(c, CURLOPT_NOSIGNAL, 1L);  // threads: no SIGALRM for timeouts
  curl_easy_setopt(c, CURLOPT_CONNECTTIMEOUT, static_cast<long>(options_.connect_timeout.count()));
  curl_easy_setopt(c, CURLOPT_TIMEOUT, static_cast<long>(options_.timeout.count()));
  const CURLcode rc = curl_easy_perform(c);
  long reply = 0;
  curl_easy_getinfo(c, CURLINFO_RESPONSE_CODE, &reply);
  if (rc == CURLE_OK) return SendResult{true, false, {}};
  SendResult r;
  r.reason = (reply ? std::to_string(reply) + " " : std::string()) + curl_easy_strerror(rc);
  // 550-554 refuse this recipient or this mail; anything else (4xx, connection, TLS, AUTH)
  // may pass later.
  r.permanent = reply >= 550 && reply <= 554;
  return r;
}

}  // namespace latchkey::mail
