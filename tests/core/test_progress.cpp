#include <gtest/gtest.h>

#include <sstream>

#include "opforge/core/environment.hpp"
#include "opforge/core/log.hpp"
#include "opforge/core/progress.hpp"

namespace {

std::size_t count_lines(const std::string& text) { return static_cast<std::size_t>(std::count(text.begin(), text.end(), '\n')); }

TEST(Progress, BatchOutputPrintsPeriodicLinesAndAFinalOne) {
  std::ostringstream captured;
  opforge::logger().set_stream(&captured);
  double now = 0.0;
  opforge::ProgressOptions options;
  options.terminal = 0;
  options.interval_seconds = 10.0;
  options.clock = [&] { return now; };
  {
    opforge::Progress progress("solving", 100, options);
    for (int i = 0; i < 100; ++i) {
      now += 0.5;  // 2 items/s: a line every 20 items
      progress.advance();
    }
  }
  opforge::logger().set_stream(nullptr);
  const std::string text = captured.str();
  if (opforge::Environment::current().world().rank() != 0) {
    EXPECT_EQ(text, "");
    return;
  }
  EXPECT_EQ(count_lines(text), 6u) << text;  // 5 periodic + final
  EXPECT_NE(text.find("solving: 20/100 (20%), 2/s, ETA 40.0 s"), std::string::npos) << text;
  EXPECT_NE(text.find("solving: 100/100 (100%), 2/s, 50.0 s"), std::string::npos) << text;
}

TEST(Progress, TerminalOutputRedrawsOneLine) {
  std::ostringstream captured;
  opforge::logger().set_stream(&captured);
  double now = 0.0;
  opforge::ProgressOptions options;
  options.terminal = 1;
  options.clock = [&] { return now; };
  {
    opforge::Progress progress("epochs", 4, options);
    for (int i = 0; i < 4; ++i) {
      now += 1.0;
      progress.advance();
    }
  }
  opforge::logger().set_stream(nullptr);
  if (opforge::Environment::current().world().rank() == 0) {
    EXPECT_EQ(count_lines(captured.str()), 1u);
    EXPECT_NE(captured.str().find("\repochs: 4/4 (100%)"), std::string::npos);
  }
}

TEST(Progress, FormatsDurationsForHumans) {
  EXPECT_EQ(opforge::format_duration(3.25), "3.2 s");
  EXPECT_EQ(opforge::format_duration(252), "4 min 12 s");
  EXPECT_EQ(opforge::format_duration(7500), "2 h 05 min");
}

}  // namespace
