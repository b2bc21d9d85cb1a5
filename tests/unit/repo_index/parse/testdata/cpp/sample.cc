// C++ sample for the golden test.
#include <string>
#include "net/http.h"

namespace net {

/// An HTTP connection.
class Http : public Base {
 public:
  Http();
  ~Http();
  // Parses a request.
  void parse(const std::string& data);
  int status() const { return status_; }

 private:
  int status_ = 0;
};

struct Header {
  std::string name;
};

enum class Method { kGet, kPost };

using Headers = std::vector<Header>;

template <typename T>
T clamp(T value, T low, T high) {
  return value < low ? low : (value > high ? high : value);
}

namespace detail {
union Raw {
  int i;
  float f;
};
}  // namespace detail

}  // namespace net

// Out-of-line definition.
void net::Http::parse(const std::string& data) {
  Header* header = new Header();
  helper(data.size());
  this->reset();
}

int main() {
  net::Http http;
  http.parse("GET /");
  return net::clamp<int>(1, 0, 2);
}
