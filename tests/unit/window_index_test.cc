#include "collectors/window_index.h"

#include <gtest/gtest.h>

namespace qst::collectors {
namespace {

TEST(WindowIndex, CountsAndEvictsByMillisecond) {
  WindowIndex w;
  w.Add(100, 0);
  w.Add(100, 0);
  w.Add(150, 1);
  w.Add(200, 0);
  EXPECT_EQ(w.count(), 4u);
  EXPECT_EQ(w.count(0), 3u);
  EXPECT_EQ(w.count(1), 1u);
  EXPECT_EQ(w.buckets(), 3u);  // the two entries at 100 ms share a bucket

  w.EvictThrough(99);
  EXPECT_EQ(w.count(), 4u);
  w.EvictThrough(100);  // the window excludes its floor
  EXPECT_EQ(w.count(), 2u);
  EXPECT_EQ(w.count(0), 1u);
  w.EvictBefore(200);
  EXPECT_EQ(w.count(), 1u);
  EXPECT_EQ(w.count(1), 0u);
  w.EvictThrough(1000);
  EXPECT_EQ(w.count(), 0u);
  EXPECT_EQ(w.buckets(), 0u);
}

TEST(WindowIndex, AlternatingLabelsDoNotMerge) {
  WindowIndex w;
  for (int i = 0; i < 6; ++i) w.Add(10, static_cast<WindowIndex::LabelId>(i % 2));
  EXPECT_EQ(w.buckets(), 6u);
  EXPECT_EQ(w.count(0), 3u);
  EXPECT_EQ(w.count(1), 3u);
}

TEST(WindowIndex, StaysSortedIfTimeGoesBackwards) {
  WindowIndex w;
  w.Add(300, 0);
  w.Add(100, 0);
  w.Add(200, 0);
  w.EvictThrough(150);
  EXPECT_EQ(w.count(), 2u);
  w.EvictThrough(250);
  EXPECT_EQ(w.count(), 1u);
}

TEST(WindowIndex, ClearResets) {
  WindowIndex w;
  w.Add(1, 2);
  w.Clear();
  EXPECT_EQ(w.count(), 0u);
  EXPECT_EQ(w.count(2), 0u);
  EXPECT_EQ(w.count(7), 0u);
}

TEST(LabelTable, CapsDistinctValuesWithOverflowLabel) {
  WindowIndex w;
  LabelTable t(4);  // three real values and "other"
  const auto a = t.Intern("A", w);
  w.Add(1, a);
  const auto b = t.Intern("B", w);
  w.Add(1, b);
  const auto c = t.Intern("C", w);
  w.Add(1, c);
  EXPECT_EQ(t.Intern("A", w), a);
  const auto d = t.Intern("D", w);
  EXPECT_EQ(t.Value(d), "other");
  w.Add(1, d);
  EXPECT_EQ(t.Intern("E", w), d);
  EXPECT_EQ(t.size(), 4u);

  // Once B has left the window its id can carry a new value.
  w.EvictThrough(1);
  const auto f = t.Intern("F", w);
  EXPECT_NE(t.Value(f), "other");
  EXPECT_EQ(t.Value(f), "F");
}

}  // namespace
}  // namespace qst::collectors
