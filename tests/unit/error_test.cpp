// The error table: names, kinds, derived alerts and alert names.
#include <gtest/gtest.h>

#include "util/alerts.hpp"
#include "util/error_code.hpp"

namespace snr {
namespace {

TEST(ErrorTable, NamesKindsAndAlertsComeFromOneRow) {
  Error e = make_error(Err::DECRYPT, "detail");
  EXPECT_EQ(e.name(), "S2N_ERR_DECRYPT");
  EXPECT_EQ(e.kind(), ErrorKind::Protocol);
  EXPECT_EQ(alert_for(Err::DECRYPT), alert::bad_record_mac);
  EXPECT_EQ(alert_for(Err::IO_BLOCKED), alert::NONE);
  EXPECT_NE(e.message().find("detail"), std::string::npos);
  EXPECT_TRUE(make_error(Err::IO_BLOCKED).is_retryable());
}

TEST(ErrorTable, PeerAlertMessagesNameTheAlert) {
  Error e = make_error(Err::ALERT);
  e.with_alert(alert::handshake_failure);
  EXPECT_EQ(e.kind(), ErrorKind::Alert);
  EXPECT_NE(e.message().find("handshake_failure"), std::string::npos);
  EXPECT_EQ(alert::name(alert::no_application_protocol), "no_application_protocol");
  EXPECT_EQ(alert::name(alert::close_notify), "close_notify");
  EXPECT_EQ(alert::name(200), "unknown");
}

}  // namespace
}  // namespace snr
