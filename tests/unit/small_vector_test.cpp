// SmallVector: inline storage first, the heap past it, the same values either way.
#include "util/small_vector.hpp"

#include <gtest/gtest.h>

#include <cstdint>
#include <string>
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

// Values that own memory (a key share's bytes, in the handshake): moved, not shared, and reset
// when they leave the inline room.
TEST(SmallVector, HoldsValuesThatOwnMemory) {
  using Strings = SmallVector<std::string, 2>;
  const std::string long_a(40, 'a');  // past std::string's own inline room
  const std::string long_b(40, 'b');
  Strings v;
  v.push_back(long_a);
  v.push_back(long_b);
  Strings moved(std::move(v));
  EXPECT_TRUE(v.empty());  // NOLINT(bugprone-use-after-move): moved-from is empty
  ASSERT_EQ(moved.size(), 2u);
  EXPECT_EQ(moved[0], long_a);
  EXPECT_EQ(moved.back(), long_b);
  moved.push_back("c");  // spills to the heap, moving the inline values
  ASSERT_EQ(moved.size(), 3u);
  EXPECT_EQ(moved.front(), long_a);
  EXPECT_EQ(moved[1], long_b);
  moved.erase(moved.begin(), moved.begin() + 1);
  ASSERT_EQ(moved.size(), 2u);
  EXPECT_EQ(moved[0], long_b);
  EXPECT_EQ(moved[1], "c");
  Strings copy = moved;
  EXPECT_TRUE(copy == moved);
  copy.resize(1);
  ASSERT_EQ(copy.size(), 1u);
  EXPECT_EQ(copy[0], long_b);
  copy.resize(3);
  EXPECT_EQ(copy.size(), 3u);
  EXPECT_EQ(copy[2], "");
  copy.clear();
  EXPECT_TRUE(copy.empty());
  EXPECT_EQ(moved.size(), 2u);  // the copy shared nothing
}

TEST(SmallVector, AssignsCountsAndVectors) {
  SmallVector<uint8_t, 4> bytes;
  bytes.assign(3, 0x20);
  EXPECT_EQ(bytes.to_vector(), (std::vector<uint8_t>{0x20, 0x20, 0x20}));
  bytes.assign(6, 0x01);  // past the inline room
  EXPECT_EQ(bytes.to_vector(), std::vector<uint8_t>(6, 0x01));
  const std::vector<uint8_t> from = {1, 2};
  bytes = from;
  EXPECT_TRUE(bytes == from);
  bytes.pop_back();
  EXPECT_EQ(bytes.to_vector(), std::vector<uint8_t>{1});
  const std::span<uint8_t> writable = bytes;
  writable[0] = 7;
  EXPECT_EQ(bytes[0], 7);
}

}  // namespace
}  // namespace snr
