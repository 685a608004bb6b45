#!/bin/sh
# The image's one entry point: its first argument names the process, the rest go to it.
#   gateway | enrich | sink | query | migrate | backbone (the CLI: replay, subjects, …)
# The services run from their TypeScript sources through tsx, as `npm start` runs them.
set -eu
here=$(CDPATH= cd -- "$(dirname -- "$0")/../.." && pwd)
service=${1:-}
[ $# -gt 0 ] && shift
case "$service" in
  gateway) script=ingest-gateway/src/main.ts ;;
  enrich) script=stream-workers/src/enrich.main.ts ;;
  sink) script=stream-workers/src/sink.main.ts ;;
  query) script=query-service/src/main.ts ;;
  migrate) script=stream-workers/src/migrate.main.ts ;;
  backbone) script=stream-workers/src/cli.ts ;;
  *)
    echo "usage: entrypoint.sh gateway|enrich|sink|query|migrate|backbone [arguments]" >&2
    [ -n "$service" ] && echo "unknown process: $service" >&2
    exit 64
    ;;
esac
cd "$here"
exec node --conditions=source --import tsx "$script" "$@"
