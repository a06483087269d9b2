// Host-name matching (RFC 6125) and the default/callback host checks.
#include "hs/hostname.hpp"

#include <gtest/gtest.h>

#include <string>
#include <vector>

namespace snr::hs {
namespace {

struct MatchCase {
  const char* cert_name;
  const char* host;
  bool match;
};

const MatchCase kCases[] = {
    // Exact names, any case, trailing dots ignored.
    {"example.com", "example.com", true},
    {"Example.COM", "example.com", true},
    {"example.com", "EXAMPLE.com", true},
    {"example.com.", "example.com", true},
    {"example.com", "example.com.", true},
    {"example.com.", "example.com.", true},
    {"localhost", "localhost", true},
    {"example.com", "example.org", false},
    {"example.com", "www.example.com", false},
    {"www.example.com", "example.com", false},
    {"example.com", "example.com..", false},
    {"example.com", "xexample.com", false},
    {"a..example.com", "a..example.com", false},
    {".example.com", ".example.com", false},
    {"", "example.com", false},
    {"example.com", "", false},
    {"", "", false},
    // Wildcards: one whole left-most label.
    {"*.example.com", "www.example.com", true},
    {"*.example.com", "WWW.Example.Com", true},
    {"*.EXAMPLE.com", "a.example.com", true},
    {"*.example.com.", "www.example.com", true},
    {"*.example.com", "www.example.com.", true},
    {"*.example.com", "example.com", false},
    {"*.example.com", "a.b.example.com", false},
    {"*.example.com", ".example.com", false},
    {"*.example.com", "www.example.org", false},
    {"*.example.com", "wwwexample.com", false},
    // Not over a single remaining label, not partial, not elsewhere.
    {"*.com", "example.com", false},
    {"*.", "example.", false},
    {"*", "example", false},
    {"*", "localhost", false},
    {"f*o.example.com", "foo.example.com", false},
    {"*o.example.com", "foo.example.com", false},
    {"f*.example.com", "foo.example.com", false},
    {"www.*.example.com", "www.a.example.com", false},
    {"*.*.example.com", "a.b.example.com", false},
    {"**.example.com", "a.example.com", false},
    {"*.example.com", "*.example.com", false},
    {"example.com", "*.com", false},
    // IP addresses: exact only, compared as addresses.
    {"127.0.0.1", "127.0.0.1", true},
    {"127.0.0.1", "127.0.0.2", false},
    {"::1", "::1", true},
    {"0:0:0:0:0:0:0:1", "::1", true},
    {"2001:db8::1", "2001:DB8:0:0:0:0:0:1", true},
    {"2001:db8::1", "[2001:db8::1]", true},
    {"2001:db8::1", "2001:db8::2", false},
    {"*.0.0.1", "127.0.0.1", false},
    {"*.168.1.1", "192.168.1.1", false},
    {"127.0.0.1", "127.0.0.1.", false},
    {"localhost", "127.0.0.1", false},
    {"127.0.0.1", "localhost", false},
    {"::ffff:127.0.0.1", "127.0.0.1", false},  // a v4-mapped v6 address is another address
};

TEST(HostnameMatches, Table) {
  for (const MatchCase& c : kCases) {
    EXPECT_EQ(hostname_matches(c.cert_name, c.host), c.match)
        << "cert name '" << c.cert_name << "' host '" << c.host << "'";
  }
}

TEST(HostnameMatches, EmbeddedNulIsNoMatch) {
  const std::string cert_name("example.com\0.evil.com", 21);
  EXPECT_FALSE(hostname_matches(cert_name, "example.com"));
  EXPECT_FALSE(hostname_matches("example.com", std::string("example.com\0", 12)));
}

crypto::CertNames names(std::vector<std::string> dns, std::vector<std::string> ips,
                        std::string cn) {
  crypto::CertNames n;
  n.dns = std::move(dns);
  n.ips = std::move(ips);
  n.common_name = std::move(cn);
  return n;
}

TEST(VerifyHost, SanDnsNames) {
  const auto n = names({"a.example.com", "*.example.org"}, {}, "cn.example.net");
  EXPECT_TRUE(verify_host(n, "a.example.com", nullptr));
  EXPECT_TRUE(verify_host(n, "x.example.org", nullptr));
  EXPECT_FALSE(verify_host(n, "example.org", nullptr));
  // With SAN names present, the CN is not consulted.
  EXPECT_FALSE(verify_host(n, "cn.example.net", nullptr));
  EXPECT_FALSE(verify_host(n, "", nullptr));
}

TEST(VerifyHost, IpSans) {
  const auto n = names({"localhost"}, {"127.0.0.1", "::1"}, "localhost");
  EXPECT_TRUE(verify_host(n, "127.0.0.1", nullptr));
  EXPECT_TRUE(verify_host(n, "::1", nullptr));
  EXPECT_TRUE(verify_host(n, "0:0::1", nullptr));
  EXPECT_TRUE(verify_host(n, "localhost", nullptr));
  EXPECT_FALSE(verify_host(n, "127.0.0.2", nullptr));
  // An IP SAN alone also suppresses the CN fallback.
  const auto ip_only = names({}, {"10.0.0.1"}, "host.example");
  EXPECT_FALSE(verify_host(ip_only, "host.example", nullptr));
  EXPECT_TRUE(verify_host(ip_only, "10.0.0.1", nullptr));
  // IP SANs never satisfy a DNS host, even textually.
  const auto odd = names({"host.example"}, {"10.0.0.1"}, "");
  EXPECT_FALSE(verify_host(odd, "10.0.0.1.example", nullptr));
}

TEST(VerifyHost, CommonNameOnlyWithoutSans) {
  EXPECT_TRUE(verify_host(names({}, {}, "www.example.com"), "www.example.com", nullptr));
  EXPECT_TRUE(verify_host(names({}, {}, "*.example.com"), "www.example.com", nullptr));
  EXPECT_TRUE(verify_host(names({}, {}, "127.0.0.1"), "127.0.0.1", nullptr));
  EXPECT_FALSE(verify_host(names({}, {}, "www.example.com"), "example.com", nullptr));
  EXPECT_FALSE(verify_host(names({}, {}, ""), "example.com", nullptr));
  EXPECT_FALSE(verify_host(names({}, {}, ""), "", nullptr));
}

TEST(VerifyHost, CallbackDecides) {
  std::vector<std::string> seen;
  bool answer = false;
  const std::function<bool(std::string_view)> cb = [&](std::string_view name) {
    seen.emplace_back(name);
    return answer;
  };
  const auto n = names({"a.example", "b.example"}, {"192.0.2.1"}, "cn.example");

  // Every SAN entry is offered, the CN is not; the host itself plays no part.
  EXPECT_FALSE(verify_host(n, "a.example", &cb));
  EXPECT_EQ(seen, (std::vector<std::string>{"a.example", "b.example", "192.0.2.1"}));

  // Accepts on the first true and stops there.
  seen.clear();
  answer = true;
  EXPECT_TRUE(verify_host(n, "unrelated.example", &cb));
  EXPECT_EQ(seen, (std::vector<std::string>{"a.example"}));

  // Without SAN names the CN is offered; "" when there is nothing at all.
  seen.clear();
  answer = false;
  EXPECT_FALSE(verify_host(names({}, {}, "cn.example"), "cn.example", &cb));
  EXPECT_EQ(seen, (std::vector<std::string>{"cn.example"}));
  seen.clear();
  EXPECT_FALSE(verify_host(names({}, {}, ""), "x", &cb));
  EXPECT_EQ(seen, (std::vector<std::string>{""}));

  // A callback that accepts only one particular entry.
  const std::function<bool(std::string_view)> only_ip = [](std::string_view name) {
    return name == "192.0.2.1";
  };
  EXPECT_TRUE(verify_host(n, "", &only_ip));
  EXPECT_FALSE(verify_host(names({"a.example"}, {}, "192.0.2.1"), "192.0.2.1", &only_ip));

  // An empty std::function means "no callback": the default check runs.
  const std::function<bool(std::string_view)> empty;
  EXPECT_TRUE(verify_host(n, "b.example", &empty));
  EXPECT_FALSE(verify_host(n, "c.example", &empty));
}

}  // namespace
}  // namespace snr::hs
