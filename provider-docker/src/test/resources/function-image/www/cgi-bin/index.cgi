#!/bin/busybox sh
# Answers every request with: the container's hostname (REPLY_HOSTNAME set), the value of the
# env var named by REPLY_ENV, or else REPLY_BODY; the body has no trailing newline.
printf 'Content-Type: text/plain; charset=utf-8\r\n\r\n'
if [ -n "$REPLY_HOSTNAME" ]; then
  /bin/busybox hostname
elif [ -n "$REPLY_ENV" ]; then
  eval "printf '%s' \"\${$REPLY_ENV}\""
else
  printf '%s' "$REPLY_BODY"
fi
