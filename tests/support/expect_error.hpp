#pragma once
// The message of the exception of type E that `action` throws, or
// "<no exception>" — for asserting exact one-line error messages.

#include <functional>
#include <string>

namespace opforge::test_support {

template <typename E> std::string message_of(const std::function<void()>& action) {
  try {
    action();
  } catch (const E& e) {
    return e.what();
  }
  return "<no exception>";
}

}  // namespace opforge::test_support
