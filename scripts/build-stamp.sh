#!/bin/sh
# Writes CBuildStamp/build_stamp.h (git-ignored) with this checkout's revision, branch, builder and the build
# time, as the C macros CBuildStamp.c reads. The header is rewritten, and CBuildStamp.c touched so that SwiftPM
# recompiles that one file, only when the stamp changes. Outside git the revision and branch stay "unknown".
set -eu
cd "$(dirname "$0")/.."
header=CBuildStamp/build_stamp.h

quote() { printf '"%s"' "$(printf '%s' "$1" | sed 's/[\\"]/\\&/g')"; }

revision=$(git rev-parse HEAD 2>/dev/null || echo unknown)
branch=$(git rev-parse --abbrev-ref HEAD 2>/dev/null || echo unknown)
user="$(id -un 2>/dev/null || echo unknown)@$(hostname 2>/dev/null || echo unknown)"
# Minute resolution: repeated builds within a minute keep the stamp, and so need no relink.
date=$(date -u +%Y%m%d-%H:%M:00)

new=$(cat <<END
// Written by scripts/build-stamp.sh; not in git.
#define PUSHGATEWAY_REVISION $(quote "$revision")
#define PUSHGATEWAY_BRANCH $(quote "$branch")
#define PUSHGATEWAY_BUILD_USER $(quote "$user")
#define PUSHGATEWAY_BUILD_DATE $(quote "$date")
END
)
if [ ! -f "$header" ] || [ "$(cat "$header")" != "$new" ]; then
    printf '%s\n' "$new" > "$header"
    touch CBuildStamp/CBuildStamp.c
fi
