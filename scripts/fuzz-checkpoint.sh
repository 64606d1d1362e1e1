#!/usr/bin/env bash
# The checkpoint loader's fuzz target: scripts/fuzz.sh checkpoint [SECONDS].
exec "$(dirname "${BASH_SOURCE[0]}")/fuzz.sh" checkpoint "$@"
