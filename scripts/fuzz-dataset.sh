#!/usr/bin/env bash
# The dataset reader's fuzz target: scripts/fuzz.sh dataset [SECONDS].
exec "$(dirname "${BASH_SOURCE[0]}")/fuzz.sh" dataset "$@"
