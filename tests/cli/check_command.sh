#!/usr/bin/env bash
# check_command.sh EXPECT MATCH COMMAND...
# Runs COMMAND; EXPECT is an exit code, or "nonzero". MATCH is an extended regex
# that the combined output must contain ("" = no check). Prints the output.
# With CHECK_ABSENT=path set, that file must not exist after the command; with
# CHECK_NOT_MATCH=regex set, the output must not contain it.
set -u
expect=$1 match=$2
shift 2
absent=${CHECK_ABSENT:-}
not_match=${CHECK_NOT_MATCH:-}
[ -z "$absent" ] || rm -f "$absent"
output=$("$@" 2>&1)
status=$?
printf '%s\n' "$output"
echo "--- exit status: $status"
if [ "$expect" = nonzero ]; then
  [ "$status" -ne 0 ] || { echo "FAIL: expected a non-zero exit status"; exit 1; }
elif [ "$status" -ne "$expect" ]; then
  echo "FAIL: expected exit status $expect"; exit 1
fi
if [ -n "$match" ] && ! grep -Eq -- "$match" <<<"$output"; then
  echo "FAIL: output does not match: $match"; exit 1
fi
if [ -n "$not_match" ] && grep -Eq -- "$not_match" <<<"$output"; then
  echo "FAIL: output matches what it must not: $not_match"; exit 1
fi
if [ -n "$absent" ] && [ -e "$absent" ]; then
  echo "FAIL: the command left $absent behind"; exit 1
fi
echo "PASS"
