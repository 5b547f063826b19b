// --web.config.file: the exporter-toolkit format read exactly, every bad file
// refused with one line naming file and line, and basic authentication
// against bcrypt hashes made here with libxcrypt.

#include <gtest/gtest.h>

#include <openssl/evp.h>

#include <string>
#include <vector>

#include "http/web_config.h"
#include "http/web_security.h"
#include "support/checks.h"
#include "support/process.h"

namespace qst::http {
namespace {

std::string Basic(const std::string& user_colon_password) {
  std::string out(4 * ((user_colon_password.size() + 2) / 3) + 1, '\0');
  const int n = EVP_EncodeBlock(reinterpret_cast<unsigned char*>(out.data()),
                                reinterpret_cast<const unsigned char*>(user_colon_password.data()),
                                static_cast<int>(user_colon_password.size()));
  out.resize(static_cast<std::size_t>(n));
  return "Basic " + out;
}

TEST(WebConfig, ReadsEveryKeyAndResolvesPathsAgainstTheFile) {
  testing::TempDir dir;
  for (const char* f : {"c.pem", "k.pem", "ca.pem"}) testing::WriteFile(dir.File(f), "x");
  const std::string hash = testing::BcryptForTest("pw");
  auto c = ParseWebConfig(
      "tls_server_config:\n"
      "  cert_file: c.pem\n"
      "  key_file: " +
          dir.File("k.pem") +
          "\n"
          "  client_ca_file: ca.pem\n"
          "  client_auth_type: RequireAndVerifyClientCert\n"
          "  min_version: TLS13\n"
          "http_server_config:\n"
          "  http2: false\n"
          "  headers:\n"
          "    X-Frame-Options: deny\n"
          "basic_auth_users:\n"
          "  prom: '" +
          hash + "'\n",
      dir.File("web.yml"));
  ASSERT_TRUE(c.ok()) << c.error();
  ASSERT_TRUE(c->tls.has_value());
  EXPECT_EQ(c->tls->cert_file, dir.File("c.pem"));
  EXPECT_EQ(c->tls->key_file, dir.File("k.pem"));
  EXPECT_EQ(c->tls->client_ca_file, dir.File("ca.pem"));
  EXPECT_EQ(c->tls->client_auth, ClientAuth::kRequireAndVerifyClientCert);
  EXPECT_EQ(c->tls->min_version, 0x0304);
  EXPECT_EQ(c->users, (std::map<std::string, std::string>{{"prom", hash}}));
  EXPECT_EQ(c->headers,
            (std::vector<std::pair<std::string, std::string>>{{"X-Frame-Options", "deny"}}));
  // An empty file: plain HTTP, open to all.
  auto empty = ParseWebConfig("", "web.yml");
  ASSERT_TRUE(empty.ok());
  EXPECT_FALSE(empty->tls.has_value());
  EXPECT_TRUE(empty->users.empty());
}

TEST(WebConfig, BadFilesAreOneLineNamingFileAndLine) {
  testing::TempDir dir;
  for (const char* f : {"c.pem", "k.pem"}) testing::WriteFile(dir.File(f), "x");
  const std::string path = dir.File("web.yml");
  const std::string tls = "tls_server_config:\n  cert_file: c.pem\n  key_file: k.pem\n";
  const std::vector<std::pair<std::string, std::string>> cases = {
      {"tls_config: {}\n", ":1: unknown key \"tls_config\" in the web config"},
      {"tls_server_config:\n  cert_file: c.pem\n", ":2: tls_server_config needs both"},
      {"tls_server_config:\n  cert_file: c.pem\n  key_file: gone.pem\n",
       ":3: key_file: cannot read"},
      {tls + "  cipher_suites: [x]\n", ":4: unknown key \"cipher_suites\" in tls_server_config"},
      {tls + "  client_auth_type: Maybe\n", ":4: client_auth_type \"Maybe\" is not one of"},
      {tls + "  client_auth_type: VerifyClientCertIfGiven\n", "needs client_ca_file"},
      {tls + "  min_version: TLS13\n  max_version: TLS12\n", "min_version is above max_version"},
      {tls + "  min_version: SSL3\n", ":4: min_version \"SSL3\" is not one of"},
      {"basic_auth_users:\n  prom: plaintext\n", ":2: the password of prom must be a bcrypt hash"},
      {"basic_auth_users:\n  prom: '$1$abc$def'\n", "must be a bcrypt hash"},
      {"basic_auth_users:\n  'a:b': '" + testing::BcryptForTest("x") + "'\n",
       "must be non-empty and without ':'"},
      {"basic_auth_users: [a]\n", ":1: basic_auth_users must be a map"},
      {"http_server_config:\n  headers:\n    Server: evil\n",
       ":3: header \"Server\" may not be set"},
      {"http_server_config:\n  headers:\n    X-Frame-Options: \"a\\nb\"\n", "must be one line"},
      {"http_server_config:\n  http2: [1]\n", "http2 must be a bool"},
      {"tls_server_config: [\n", "not valid YAML"},
  };
  for (const auto& [text, expected] : cases) {
    auto c = ParseWebConfig(text, path);
    ASSERT_FALSE(c.ok()) << text;
    EXPECT_EQ(c.error().rfind(path + ":", 0), 0u) << c.error();
    EXPECT_NE(c.error().find(expected), std::string::npos) << c.error();
    EXPECT_EQ(c.error().find('\n'), std::string::npos) << c.error();
  }
  EXPECT_EQ(LoadWebConfig(dir.File("none.yml")).error(),
            "cannot read --web.config.file " + dir.File("none.yml"));
}

TEST(WebSecurity, BasicAuthAgainstBcrypt) {
  WebConfig c;
  c.users = {{"prom", testing::BcryptForTest("s3cret")}, {"ops", testing::BcryptForTest("other")}};
  auto s = WebSecurity::Build(c);
  ASSERT_TRUE(s.ok()) << s.error();
  const WebSecurity& w = **s;
  EXPECT_TRUE(w.auth_required());
  EXPECT_EQ(w.tls(), nullptr);
  // Not seen yet: only bcrypt can tell; once verified, a lookup.
  EXPECT_EQ(w.Quick(Basic("prom:s3cret")), WebSecurity::Check::kNeedsHashing);
  EXPECT_TRUE(w.Verify(Basic("prom:s3cret")));
  EXPECT_EQ(w.Quick(Basic("prom:s3cret")), WebSecurity::Check::kAllowed);
  EXPECT_EQ(w.Quick("bAsIc " + Basic("prom:s3cret").substr(6)), WebSecurity::Check::kAllowed);
  EXPECT_TRUE(w.Verify(Basic("ops:other")));
  for (const std::string& bad :
       {Basic("prom:wrong"), Basic("prom:"), Basic("nobody:s3cret"), Basic("ops:s3cret"),
        Basic("prom:s3cret\n"), std::string("Bearer abc"), std::string("Basic"),
        std::string("Basic !!!!"), std::string("Basic cHJvbTpzM2NyZXQ"), std::string(""),
        Basic("prom"), std::string("Basic ") + std::string(10000, 'A')}) {
    EXPECT_FALSE(w.Verify(bad)) << bad.substr(0, 40);
    EXPECT_NE(w.Quick(bad), WebSecurity::Check::kAllowed) << bad.substr(0, 40);
  }
  EXPECT_EQ(w.Quick("Bearer abc"), WebSecurity::Check::kDenied);
  // Without users, everything is allowed.
  auto open = WebSecurity::Build({});
  ASSERT_TRUE(open.ok());
  EXPECT_EQ((*open)->Quick(""), WebSecurity::Check::kAllowed);
}

TEST(WebSecurity, CertificateProblemsNameTheFile) {
  testing::TempDir dir;
  testing::WriteFile(dir.File("junk.pem"), "not a certificate\n");
  TlsSettings t;
  t.cert_file = dir.File("junk.pem");
  t.key_file = dir.File("junk.pem");
  WebConfig c;
  c.tls = t;
  auto s = WebSecurity::Build(c);
  ASSERT_FALSE(s.ok());
  EXPECT_EQ(s.error().rfind("cert_file " + dir.File("junk.pem") + ": ", 0), 0u) << s.error();
}

}  // namespace
}  // namespace qst::http
