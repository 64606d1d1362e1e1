#!/usr/bin/env bash
# The config parser's fuzz target: scripts/fuzz.sh config [SECONDS].
exec "$(dirname "${BASH_SOURCE[0]}")/fuzz.sh" config "$@"
