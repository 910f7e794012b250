// The wrappers are static inline in CLinux.h; this file gives the target a translation unit.
#include "CLinux.h"
