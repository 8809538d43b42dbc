#!/usr/bin/env bash
# Makes the README's dashboard screenshots (docs/screenshots/*.png) from the browser tests, as they run in Chromium:
# `bash scripts/dashboard-screenshots.sh` after `pnpm build`. Needs /usr/bin/chromium (Debian: apt-get install chromium).
set -euo pipefail
cd "$(dirname "$0")/.."
mkdir -p docs/screenshots
SLOTH_SCREENSHOTS="$PWD/docs/screenshots" npx vitest run apps/cli/test/dashboard.test.ts apps/cli/test/dashboard-overview.test.ts apps/cli/test/dashboard-agent-page.test.ts \
  apps/cli/test/dashboard-agent-work.test.ts apps/cli/test/dashboard-stacks.test.ts apps/cli/test/dashboard-stack-page.test.ts apps/cli/test/dashboard-task-graph.test.ts
ls -l docs/screenshots
