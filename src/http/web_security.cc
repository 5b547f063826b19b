#include "http/web_security.h"

#include <crypt.h>
#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/ssl.h>
#include <strings.h>

#include <cstring>

namespace qst::http {
namespace {

namespace ssl = boost::asio::ssl;

// Verified passwords remembered at most; past it the memory starts over.
constexpr std::size_t kMaxVerified = 256;
// A longer Authorization header is not a password anyone configured.
constexpr std::size_t kMaxAuthorization = 4096;
// bcrypts running at once, at most: they share the handler pool with the
// scrapes, and a client spraying passwords must not take it over. Past it
// a password not already verified is refused (401); a scraper whose
// password passed once is answered from the cache and never waits.
constexpr int kMaxHashing = 2;

bool AcceptAnyCertificate(bool /*preverified*/, ssl::verify_context& /*ctx*/) { return true; }

void SetClientAuth(ssl::context& ctx, ClientAuth mode) {
  switch (mode) {
    case ClientAuth::kNoClientCert:
      ctx.set_verify_mode(ssl::verify_none);
      return;
    case ClientAuth::kRequestClientCert:
      ctx.set_verify_mode(ssl::verify_peer);
      ctx.set_verify_callback(AcceptAnyCertificate);
      return;
    case ClientAuth::kRequireAnyClientCert:
      ctx.set_verify_mode(ssl::verify_peer | ssl::verify_fail_if_no_peer_cert);
      ctx.set_verify_callback(AcceptAnyCertificate);
      return;
    case ClientAuth::kVerifyClientCertIfGiven:
      ctx.set_verify_mode(ssl::verify_peer);
      return;
    case ClientAuth::kRequireAndVerifyClientCert:
      ctx.set_verify_mode(ssl::verify_peer | ssl::verify_fail_if_no_peer_cert);
      return;
  }
}

Result<std::shared_ptr<ssl::context>, std::string> MakeContext(const TlsSettings& t) {
  auto ctx = std::make_shared<ssl::context>(ssl::context::tls_server);
  ctx->set_options(ssl::context::default_workarounds | ssl::context::no_sslv2 |
                   ssl::context::no_sslv3 | ssl::context::single_dh_use);
  SSL_CTX* native = ctx->native_handle();
  SSL_CTX_set_min_proto_version(native, t.min_version);
  SSL_CTX_set_max_proto_version(native, t.max_version);
  // Session resumption with client certificates needs an id context.
  static const unsigned char kContext[] = "quantum_safety_exporter";
  SSL_CTX_set_session_id_context(native, kContext, sizeof kContext - 1);
  boost::system::error_code ec;
  ctx->use_certificate_chain_file(t.cert_file, ec);
  if (ec) return "cert_file " + t.cert_file + ": " + ec.message();
  ctx->use_private_key_file(t.key_file, ssl::context::pem, ec);
  if (ec) return "key_file " + t.key_file + ": " + ec.message();
  if (SSL_CTX_check_private_key(native) != 1) {
    return "key_file " + t.key_file + " does not match cert_file " + t.cert_file;
  }
  if (!t.client_ca_file.empty()) {
    ctx->load_verify_file(t.client_ca_file, ec);
    if (ec) return "client_ca_file " + t.client_ca_file + ": " + ec.message();
    // Tell clients which authorities their certificate must come from.
    SSL_CTX_set_client_CA_list(native, SSL_load_client_CA_file(t.client_ca_file.c_str()));
  }
  SetClientAuth(*ctx, t.client_auth);
  return ctx;
}

// Base64 without line breaks; nullopt for anything else.
std::optional<std::string> DecodeBase64(std::string_view in) {
  if (in.empty() || in.size() % 4 != 0 || in.size() > kMaxAuthorization) return std::nullopt;
  std::string out(in.size() / 4 * 3, '\0');
  const int n = EVP_DecodeBlock(reinterpret_cast<unsigned char*>(out.data()),
                                reinterpret_cast<const unsigned char*>(in.data()),
                                static_cast<int>(in.size()));
  if (n < 0) return std::nullopt;
  std::size_t padding = 0;
  if (in.back() == '=') ++padding;
  if (in.size() >= 2 && in[in.size() - 2] == '=') ++padding;
  out.resize(static_cast<std::size_t>(n) - padding);
  return out;
}

// bcrypt of `password` with the salt and cost in `hash` equals `hash`, in
// time that does not depend on where they differ.
bool Bcrypt(const std::string& password, const std::string& hash) {
  auto data = std::make_unique<crypt_data>();  // 32 KiB: not on the stack
  const char* out = crypt_r(password.c_str(), hash.c_str(), data.get());
  if (out == nullptr || out[0] == '*') return false;
  return std::strlen(out) == hash.size() && CRYPTO_memcmp(out, hash.data(), hash.size()) == 0;
}

}  // namespace

Result<std::shared_ptr<const WebSecurity>, std::string> WebSecurity::Build(
    const WebConfig& config) {
  auto s = std::shared_ptr<WebSecurity>(new WebSecurity());
  s->users_ = config.users;
  s->headers_ = config.headers;
  if (config.tls) {
    auto ctx = MakeContext(*config.tls);
    if (!ctx.ok()) return ctx.error();
    s->tls_ = *ctx;
  }
  return std::shared_ptr<const WebSecurity>(std::move(s));
}

std::optional<WebSecurity::Credentials> WebSecurity::Decode(std::string_view authorization) {
  constexpr std::string_view kScheme = "basic ";
  if (authorization.size() <= kScheme.size() ||
      strncasecmp(authorization.data(), kScheme.data(), kScheme.size()) != 0) {
    return std::nullopt;
  }
  auto text = DecodeBase64(authorization.substr(kScheme.size()));
  if (!text) return std::nullopt;
  const std::size_t colon = text->find(':');
  if (colon == std::string::npos || text->find('\0') != std::string::npos) return std::nullopt;
  return Credentials{text->substr(0, colon), text->substr(colon + 1)};
}

std::string WebSecurity::CacheKey(const Credentials& c) {
  unsigned char digest[EVP_MAX_MD_SIZE];
  unsigned int size = 0;
  EVP_Digest(c.password.data(), c.password.size(), digest, &size, EVP_sha256(), nullptr);
  return c.user + '\0' + std::string(reinterpret_cast<const char*>(digest), size);
}

WebSecurity::Check WebSecurity::Quick(std::string_view authorization) const {
  if (!auth_required()) return Check::kAllowed;
  auto c = Decode(authorization);
  if (!c) return Check::kDenied;
  std::lock_guard<std::mutex> lock(mu_);
  return verified_.count(CacheKey(*c)) > 0 ? Check::kAllowed : Check::kNeedsHashing;
}

bool WebSecurity::Verify(std::string_view authorization) const {
  if (!auth_required()) return true;
  auto c = Decode(authorization);
  if (!c) return false;
  const std::string key = CacheKey(*c);
  {
    std::lock_guard<std::mutex> lock(mu_);
    if (verified_.count(key) > 0) return true;
  }
  // An unknown user costs a bcrypt too (against a configured hash), so the
  // time taken does not tell which user names exist.
  if (hashing_.fetch_add(1) >= kMaxHashing) {
    --hashing_;
    return false;
  }
  const auto user = users_.find(c->user);
  const bool known = user != users_.end();
  const bool match = Bcrypt(c->password, known ? user->second : users_.begin()->second);
  --hashing_;
  if (!known || !match) return false;
  std::lock_guard<std::mutex> lock(mu_);
  if (verified_.size() >= kMaxVerified) verified_.clear();
  verified_.insert(key);
  return true;
}

}  // namespace qst::http
