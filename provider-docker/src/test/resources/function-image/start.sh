#!/bin/busybox sh
# FAIL_AT_START makes the container print the value on stderr and exit 3 (a broken function).
if [ -n "$FAIL_AT_START" ]; then
  echo "$FAIL_AT_START" >&2
  exit 3
fi
echo "test function listening on port ${LISTEN_PORT:-8080}"
exec /bin/busybox httpd -f -v -p "${LISTEN_PORT:-8080}" -h /www
