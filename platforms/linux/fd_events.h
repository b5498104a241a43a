// FdEvents: the readiness of a file descriptor, as the Linux main loop
// reports it (platforms/linux/fd_source.h).
#ifndef PLATFORMS_LINUX_FD_EVENTS_H_
#define PLATFORMS_LINUX_FD_EVENTS_H_

#include <cstdint>

namespace scheduler {

// A set of readiness events (a bit set: combine with | and test with
// HasAny). kReadable and kWritable are what a watch or a wait asks for;
// kError and kHangUp are always reported, whether asked for or not (epoll's
// EPOLLERR and EPOLLHUP), because a descriptor in either state never becomes
// readable or writable in the ordinary sense again.
enum class FdEvents : uint32_t {
  kNone = 0,
  kReadable = 1u << 0,  // EPOLLIN: data to read, or end of file, or a peer's shutdown
  kWritable = 1u << 1,  // EPOLLOUT: room to write
  kError = 1u << 2,     // EPOLLERR: an error is pending (read it with SO_ERROR)
  kHangUp = 1u << 3,    // EPOLLHUP: the peer closed, or a pipe lost its other end
};

constexpr FdEvents operator|(FdEvents a, FdEvents b) {
  return static_cast<FdEvents>(static_cast<uint32_t>(a) | static_cast<uint32_t>(b));
}
constexpr FdEvents operator&(FdEvents a, FdEvents b) {
  return static_cast<FdEvents>(static_cast<uint32_t>(a) & static_cast<uint32_t>(b));
}
constexpr FdEvents& operator|=(FdEvents& a, FdEvents b) { return a = a | b; }

// True if `set` contains any event of `of`.
constexpr bool HasAny(FdEvents set, FdEvents of) { return (set & of) != FdEvents::kNone; }

}  // namespace scheduler

#endif  // PLATFORMS_LINUX_FD_EVENTS_H_
