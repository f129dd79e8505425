#include "vtj/policy.hpp"

#include <gtest/gtest.h>

namespace vtj::policy {
namespace {

using Action = Decision::Action;

config::Settings with_error_policy(config::ErrorPolicy p) {
  config::Settings s;
  s.on_error = p;
  return s;
}

TEST(Policy, ResolvedAllowsWithStatusOk) {
  Decision d = decide(Situation::Resolved, config::Settings{}, false, false);
  EXPECT_EQ(d.action, Action::Allow);
  EXPECT_EQ(d.http_status, 200);
  EXPECT_EQ(d.status, "ok");
  EXPECT_FALSE(d.retry_after);
  EXPECT_EQ(d.exit_code, 0);
}

TEST(Policy, ProhibitionWithholdAndPassStillAllow) {
  config::Settings s;
  for (auto p : {config::ProhibitionPolicy::Withhold, config::ProhibitionPolicy::Pass}) {
    s.prohibition = p;
    Decision d = decide(Situation::Resolved, s, false, true);
    EXPECT_EQ(d.action, Action::Allow);
    EXPECT_EQ(d.status, "ok");
  }
}

TEST(Policy, ProhibitionDenyIs403Exit5) {
  config::Settings s;
  s.prohibition = config::ProhibitionPolicy::Deny;
  Decision d = decide(Situation::Resolved, s, false, true);
  EXPECT_EQ(d.action, Action::Deny);
  EXPECT_EQ(d.http_status, 403);
  EXPECT_EQ(d.exit_code, 5);
  EXPECT_TRUE(d.status.empty());
  // Without a prohibition the deny policy has nothing to refuse.
  EXPECT_EQ(decide(Situation::Resolved, s, false, false).action, Action::Allow);
}

struct Row {
  Situation situation;
  int http_status;
  int exit_code;
};

TEST(Policy, DenyRowsOfTheOutcomeTable) {
  const Row rows[] = {
      {Situation::NoCertificate, 403, 3},  {Situation::CertificateRejected, 403, 3},
      {Situation::NotFound, 403, 4},       {Situation::Deceased, 403, 5},
      {Situation::NotDisclosable, 403, 5},
  };
  for (const Row& r : rows) {
    // The error policy and a stale entry never turn these into an allow.
    for (auto p : {config::ErrorPolicy::Deny, config::ErrorPolicy::Pass, config::ErrorPolicy::Stale}) {
      Decision d = decide(r.situation, with_error_policy(p), true, false);
      EXPECT_EQ(d.action, Action::Deny) << static_cast<int>(r.situation);
      EXPECT_EQ(d.http_status, r.http_status) << static_cast<int>(r.situation);
      EXPECT_EQ(d.exit_code, r.exit_code) << static_cast<int>(r.situation);
      EXPECT_FALSE(d.retry_after);
      EXPECT_TRUE(d.status.empty());
      EXPECT_FALSE(d.reason.empty());
    }
  }
}

TEST(Policy, RegisterErrorDenyIs503WithRetryAfter) {
  Decision d = decide(Situation::RegisterError, with_error_policy(config::ErrorPolicy::Deny), true, false);
  EXPECT_EQ(d.action, Action::Deny);
  EXPECT_EQ(d.http_status, 503);
  EXPECT_TRUE(d.retry_after);
  EXPECT_EQ(d.exit_code, 6);
}

TEST(Policy, RegisterErrorPassContinuesWithoutData) {
  Decision d = decide(Situation::RegisterError, with_error_policy(config::ErrorPolicy::Pass), false, false);
  EXPECT_EQ(d.action, Action::AllowWithoutData);
  EXPECT_EQ(d.http_status, 200);
  EXPECT_EQ(d.status, "unavailable");
  EXPECT_FALSE(d.retry_after);
  EXPECT_EQ(d.exit_code, 6);
}

TEST(Policy, RegisterErrorStaleWithEntryServesIt) {
  Decision d = decide(Situation::RegisterError, with_error_policy(config::ErrorPolicy::Stale), true, false);
  EXPECT_EQ(d.action, Action::Allow);
  EXPECT_EQ(d.http_status, 200);
  EXPECT_EQ(d.status, "stale");
  EXPECT_EQ(d.exit_code, 0);
}

TEST(Policy, RegisterErrorStaleWithoutEntryDenies) {
  Decision d = decide(Situation::RegisterError, with_error_policy(config::ErrorPolicy::Stale), false, false);
  EXPECT_EQ(d.action, Action::Deny);
  EXPECT_EQ(d.http_status, 503);
  EXPECT_TRUE(d.retry_after);
  EXPECT_EQ(d.exit_code, 6);
}

TEST(Policy, StaleEntryUnderProhibitionDenyIsRefused) {
  config::Settings s = with_error_policy(config::ErrorPolicy::Stale);
  s.prohibition = config::ProhibitionPolicy::Deny;
  Decision d = decide(Situation::RegisterError, s, true, true);
  EXPECT_EQ(d.action, Action::Deny);
  EXPECT_EQ(d.http_status, 403);
  EXPECT_EQ(d.exit_code, 5);
}

TEST(Policy, SpoofRejectedIs400) {
  Decision d = spoof_rejected();
  EXPECT_EQ(d.action, Action::Deny);
  EXPECT_EQ(d.http_status, 400);
  EXPECT_FALSE(d.retry_after);
  EXPECT_TRUE(d.status.empty());
}

}  // namespace
}  // namespace vtj::policy
