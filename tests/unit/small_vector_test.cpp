// SmallVector: inline storage first, the heap past it, the same values either way.
#include "util/small_vector.hpp"

#include <gtest/gtest.h>

#include <cstdint>
#include <utility>
#include <vector>

namespace snr {
namespace {

using Vec = SmallVector<uint16_t, 4>;

std::vector<uint16_t> values(const Vec& v) { return std::vector<uint16_t>(v.begin(), v.end()); }

TEST(SmallVector, GrowsPastItsInlineRoomKeepingOrder) {
  Vec v;
  EXPECT_TRUE(v.empty());
  std::vector<uint16_t> want;
  for (uint16_t i = 1; i <= 20; ++i) {
    v.push_back(i);
    want.push_back(i);
    ASSERT_EQ(values(v), want) << i;
    EXPECT_EQ(v.back(), i);
  }
  EXPECT_EQ(v.size(), 20u);
  EXPECT_TRUE(v == want);
  v.clear();
  EXPECT_TRUE(v.empty());
  v.push_back(7);
  EXPECT_EQ(values(v), std::vector<uint16_t>{7});
}

TEST(SmallVector, EraseInlineAndOnTheHeap) {
  for (size_t n : {size_t{4}, size_t{9}}) {
    Vec v;
    for (uint16_t i = 0; i < n; ++i) v.push_back(i);
    v.erase(v.begin() + 1, v.begin() + 3);  // drops 1 and 2
    std::vector<uint16_t> want = {0};
    for (uint16_t i = 3; i < n; ++i) want.push_back(i);
    EXPECT_EQ(values(v), want) << n;
    v.erase(v.end(), v.end());
    EXPECT_EQ(values(v), want) << n;
  }
}

TEST(SmallVector, CopiesMovesAndAssignments) {
  for (size_t n : {size_t{3}, size_t{12}}) {
    Vec a;
    for (uint16_t i = 0; i < n; ++i) a.push_back(static_cast<uint16_t>(100 + i));
    const std::vector<uint16_t> want = values(a);
    Vec copy(a);
    EXPECT_TRUE(copy == a);
    Vec moved(std::move(copy));
    EXPECT_EQ(values(moved), want);
    EXPECT_TRUE(copy.empty());  // NOLINT(bugprone-use-after-move): moved-from is empty
    Vec assigned;
    assigned = moved;
    EXPECT_EQ(values(assigned), want);
    Vec move_assigned;
    move_assigned.push_back(1);
    move_assigned = std::move(assigned);
    EXPECT_EQ(values(move_assigned), want);
    EXPECT_EQ(move_assigned.to_vector(), want);
    const std::span<const uint16_t> view = move_assigned;
    EXPECT_EQ(std::vector<uint16_t>(view.begin(), view.end()), want);
  }
  Vec v = {1, 2, 3, 4, 5, 6};
  EXPECT_EQ(values(v), (std::vector<uint16_t>{1, 2, 3, 4, 5, 6}));
  const std::vector<uint16_t> from = {9, 8};
  v = std::span<const uint16_t>(from);
  EXPECT_EQ(values(v), from);
  v.reserve(10);
  EXPECT_EQ(values(v), from);
}

}  // namespace
}  // namespace snr
