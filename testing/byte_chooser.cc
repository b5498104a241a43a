#include "testing/byte_chooser.h"

namespace scheduler {

size_t ByteChooser::Choose(const ChoicePoint& point) {
  const size_t n = point.candidates.size();
  uint32_t value = NextByte();
  if (n > 256) value |= NextByte() << 8;
  return value % n;
}

}  // namespace scheduler
