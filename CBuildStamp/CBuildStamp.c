// Build identity, filled in at build time. `make` (scripts/build-stamp.sh) writes build_stamp.h next to this file
// (git-ignored) and touches this file when the stamp changes, so only this one file is recompiled; a plain
// `swift build`, or a build outside git, has no stamp and reports "unknown", as upstream does without ldflags.
#if __has_include("build_stamp.h")
#include "build_stamp.h"
#endif

#include "CBuildStamp.h"

#ifndef PUSHGATEWAY_REVISION
#define PUSHGATEWAY_REVISION "unknown"
#endif
#ifndef PUSHGATEWAY_BRANCH
#define PUSHGATEWAY_BRANCH "unknown"
#endif
#ifndef PUSHGATEWAY_BUILD_USER
#define PUSHGATEWAY_BUILD_USER "unknown"
#endif
#ifndef PUSHGATEWAY_BUILD_DATE
#define PUSHGATEWAY_BUILD_DATE "unknown"
#endif

const char *CBuildStamp_revision(void) { return PUSHGATEWAY_REVISION; }
const char *CBuildStamp_branch(void) { return PUSHGATEWAY_BRANCH; }
const char *CBuildStamp_user(void) { return PUSHGATEWAY_BUILD_USER; }
const char *CBuildStamp_date(void) { return PUSHGATEWAY_BUILD_DATE; }
