// --web.config.file on the real binary: TLS, client certificates, basic
// authentication and headers, as curl and a real Prometheus see them; plain
// HTTP to the TLS port; SIGHUP reloads and keeps the old settings on a broken
// file. Certificates are made here with the openssl command.
#include <signal.h>

#include <gtest/gtest.h>

#include <chrono>
#include <string>
#include <vector>

#include "support/checks.h"
#include "support/exporter_process.h"
#include "support/fixture.h"
#include "support/process.h"
#include "support/prometheus.h"
#include "support/redis_server.h"

namespace qst::testing {
namespace {

using std::chrono::seconds;

void Openssl(const std::vector<std::string>& args) {
  std::vector<std::string> argv = {"openssl"};
  argv.insert(argv.end(), args.begin(), args.end());
  const CommandResult r = RunCommand(argv);
  ASSERT_EQ(r.exit_code, 0) << r.out;
}

// A CA, a server certificate for 127.0.0.1 signed by it, a client
// certificate signed by it, and a client certificate from another CA.
class Pki {
 public:
  Pki() {
    Authority("ca");
    Authority("other-ca");
    Leaf("server", "ca", "subjectAltName=IP:127.0.0.1,DNS:localhost");
    Leaf("client", "ca", "extendedKeyUsage=clientAuth");
    Leaf("stranger", "other-ca", "extendedKeyUsage=clientAuth");
  }
  std::string File(const std::string& name) const { return dir_.File(name); }

 private:
  void Authority(const std::string& name) {
    Openssl({"req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "2", "-subj", "/CN=" + name,
             "-keyout", File(name + ".key"), "-out", File(name + ".crt")});
  }
  void Leaf(const std::string& name, const std::string& ca, const std::string& ext) {
    Openssl({"req", "-newkey", "rsa:2048", "-nodes", "-subj", "/CN=" + name, "-keyout",
             File(name + ".key"), "-out", File(name + ".csr")});
    WriteFile(File(name + ".ext"), ext + "\n");
    Openssl({"x509", "-req", "-in", File(name + ".csr"), "-CA", File(ca + ".crt"), "-CAkey",
             File(ca + ".key"), "-CAcreateserial", "-days", "2", "-extfile", File(name + ".ext"),
             "-out", File(name + ".crt")});
  }

  TempDir dir_;
};

struct Curl {
  int exit_code = -1;
  std::string status;  // "%{http_code}"
  std::string out;     // headers and body, with -i
};

Curl Get(int port, const std::string& path, std::vector<std::string> extra,
         const std::string& scheme = "https") {
  std::vector<std::string> argv = {"curl", "-s", "-i", "--max-time", "10", "-w", "\n%{http_code}"};
  argv.insert(argv.end(), extra.begin(), extra.end());
  argv.push_back(scheme + "://127.0.0.1:" + std::to_string(port) + path);
  const CommandResult r = RunCommand(argv);
  Curl c{r.exit_code, "", r.out};
  const std::size_t nl = r.out.rfind('\n');
  if (nl != std::string::npos) c.status = r.out.substr(nl + 1);
  return c;
}

class WebConfigTest : public ::testing::Test {
 protected:
  WebConfigTest() { LoadBasicFixture(redis_); }

  std::string WriteConfig(const std::string& yaml) {
    WriteFile(dir_.File("web.yml"), yaml);
    return dir_.File("web.yml");
  }
  std::string TlsWithUser(const std::string& password, const std::string& extra_tls = "") {
    return "tls_server_config:\n  cert_file: " + pki_.File("server.crt") +
           "\n  key_file: " + pki_.File("server.key") + "\n" + extra_tls +
           "basic_auth_users:\n  prom: '" + BcryptForTest(password) +
           "'\nhttp_server_config:\n  headers:\n    X-Frame-Options: deny\n";
  }
  std::vector<std::string> Ca() const { return {"--cacert", pki_.File("ca.crt")}; }
  std::vector<std::string> CaAnd(const std::string& user_password) const {
    return {"--cacert", pki_.File("ca.crt"), "-u", user_password};
  }

  RedisServer redis_;
  Pki pki_;
  TempDir dir_;
};

TEST_F(WebConfigTest, TlsAndBasicAuthAsCurlSeesThem) {
  const std::string file = WriteConfig(TlsWithUser("s3cret"));
  ExporterProcess e({"--redis.addr", redis_.url(), "--web.config.file", file});

  const Curl ok = Get(e.port(), "/metrics", CaAnd("prom:s3cret"));
  EXPECT_EQ(ok.status, "200") << ok.out;
  EXPECT_NE(ok.out.find("\nquantum_safety_redis_up 1\n"), std::string::npos);
  EXPECT_NE(ok.out.find("X-Frame-Options: deny"), std::string::npos);

  const Curl none = Get(e.port(), "/metrics", Ca());
  EXPECT_EQ(none.status, "401");
  EXPECT_NE(none.out.find("WWW-Authenticate: Basic"), std::string::npos);
  EXPECT_EQ(none.out.find("quantum_safety"), std::string::npos);
  for (const char* path : {"/-/healthy", "/", "/probe?target=x", "/nowhere"}) {
    EXPECT_EQ(Get(e.port(), path, Ca()).status, "401") << path;  // every endpoint
  }
  EXPECT_EQ(Get(e.port(), "/metrics", CaAnd("prom:wrong")).status, "401");
  EXPECT_EQ(Get(e.port(), "/metrics", CaAnd("other:s3cret")).status, "401");

  const Curl plain = Get(e.port(), "/metrics", {}, "http");
  EXPECT_EQ(plain.status, "400");
  EXPECT_NE(plain.out.find("Client sent an HTTP request to an HTTPS server."), std::string::npos);
  // A client that does not trust the certificate fails its handshake.
  EXPECT_NE(Get(e.port(), "/metrics", {"-u", "prom:s3cret"}).exit_code, 0);
  // Still serving after all of it.
  EXPECT_EQ(Get(e.port(), "/-/healthy", CaAnd("prom:s3cret")).status, "200");
}

TEST_F(WebConfigTest, ClientCertificatesAreRequiredAndVerified) {
  const std::string file = WriteConfig(
      TlsWithUser("s3cret", "  client_auth_type: RequireAndVerifyClientCert\n  client_ca_file: " +
                                pki_.File("ca.crt") + "\n"));
  ExporterProcess e({"--redis.addr", redis_.url(), "--web.config.file", file});
  auto with = [&](const std::string& who) {
    auto args = CaAnd("prom:s3cret");
    args.insert(args.end(), {"--cert", pki_.File(who + ".crt"), "--key", pki_.File(who + ".key")});
    return Get(e.port(), "/metrics", args);
  };
  EXPECT_EQ(with("client").status, "200");
  EXPECT_NE(with("stranger").exit_code, 0);  // signed by another CA
  const Curl none = Get(e.port(), "/metrics", CaAnd("prom:s3cret"));
  EXPECT_NE(none.status, "200");
}

TEST_F(WebConfigTest, SighupReloadsAndABrokenFileKeepsWhatIsInForce) {
  const std::string file = WriteConfig(TlsWithUser("first"));
  ExporterProcess e({"--redis.addr", redis_.url(), "--web.config.file", file});
  EXPECT_EQ(Get(e.port(), "/metrics", CaAnd("prom:first")).status, "200");

  WriteConfig(TlsWithUser("second"));
  ASSERT_EQ(::kill(e.process().pid(), SIGHUP), 0);
  ASSERT_TRUE(
      WaitFor([&] { return e.log().find("reloaded --web.config.file") != std::string::npos; },
              seconds(10)));
  EXPECT_EQ(Get(e.port(), "/metrics", CaAnd("prom:second")).status, "200");
  EXPECT_EQ(Get(e.port(), "/metrics", CaAnd("prom:first")).status, "401");

  WriteConfig("basic_auth_users:\n  prom: not-a-hash\n");
  ASSERT_EQ(::kill(e.process().pid(), SIGHUP), 0);
  ASSERT_TRUE(
      WaitFor([&] { return e.log().find("keeping the settings in force") != std::string::npos; },
              seconds(10)));
  EXPECT_NE(e.log().find("web.yml:2: the password of prom must be a bcrypt hash"),
            std::string::npos)
      << e.log();
  EXPECT_EQ(Get(e.port(), "/metrics", CaAnd("prom:second")).status, "200");  // TLS and all
  EXPECT_TRUE(e.process().running());
}

TEST_F(WebConfigTest, ABadFileAtStartIsOneLineAndExitCode2) {
  const std::string file = WriteConfig("tls_server_config:\n  cert_file: nowhere.pem\n");
  const CommandResult r = RunCommand(
      {QST_EXPORTER_BINARY, "--web.listen-address", "127.0.0.1:0", "--web.config.file", file}, "",
      seconds(10));
  EXPECT_EQ(r.exit_code, 2) << r.out;
  EXPECT_EQ(r.out, "quantum_safety_exporter: " + file +
                       ":2: tls_server_config needs both cert_file and key_file\n");
  // A key that does not belong to the certificate: found at start too.
  const std::string mismatched =
      WriteConfig("tls_server_config:\n  cert_file: " + pki_.File("server.crt") +
                  "\n  key_file: " + pki_.File("client.key") + "\n");
  const CommandResult m = RunCommand(
      {QST_EXPORTER_BINARY, "--web.listen-address", "127.0.0.1:0", "--web.config.file", mismatched},
      "", seconds(10));
  EXPECT_EQ(m.exit_code, 2) << m.out;
  EXPECT_NE(m.out.find("key_file " + pki_.File("client.key") + ": key values mismatch"),
            std::string::npos)
      << m.out;
  EXPECT_EQ(m.out.find('\n'), m.out.size() - 1) << m.out;  // one line
}

// Prometheus 2.42 (Debian's) scraping over TLS with basic auth: the right
// credentials read the kernel, wrong ones get up 0.
TEST_F(WebConfigTest, PrometheusScrapesOverTlsWithBasicAuth) {
  const std::string file = WriteConfig(TlsWithUser("s3cret"));
  ExporterProcess e({"--redis.addr", redis_.url(), "--web.config.file", file});
  const std::string target = "127.0.0.1:" + std::to_string(e.port());
  auto job = [&](const std::string& name, const std::string& password) {
    return "  - job_name: " + name +
           "\n    scheme: https\n    scrape_interval: 1s\n    scrape_timeout: 1s\n"
           "    tls_config:\n      ca_file: " +
           pki_.File("ca.crt") +
           "\n    basic_auth:\n      username: prom\n      password: " + password +
           "\n    static_configs:\n      - targets: ['" + target + "']\n";
  };
  TempDir prom_dir;
  WriteFile(prom_dir.File("prometheus.yml"),
            "global:\n  evaluation_interval: 1s\nscrape_configs:\n" + job("good", "s3cret") +
                job("bad", "wrong"));
  const int port = FreePort();
  auto prometheus = StartPrometheus(prom_dir, port);
  const auto has = [&](const std::string& expr) {
    return PromQuery(port, expr).find("\"result\":[{") != std::string::npos;
  };
  EXPECT_TRUE(
      WaitFor([&] { return has("quantum_safety_redis_up{job=\"good\"} == 1"); }, seconds(30)))
      << PromQuery(port, "up");
  EXPECT_TRUE(WaitFor([&] { return has("up{job=\"bad\"} == 0"); }, seconds(30)));
  EXPECT_FALSE(has("quantum_safety_redis_up{job=\"bad\"}"));
  EXPECT_TRUE(has("up{job=\"good\"} == 1"));
}

}  // namespace
}  // namespace qst::testing
