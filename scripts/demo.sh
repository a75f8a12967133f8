#!/usr/bin/env bash
# Brings the example lab up (two masters, six slaves, all on this machine) and
# applies playbooks/site.json to it, as a user would from a laptop.
set -euo pipefail
cd "$(dirname "$0")/.."
inventory=examples/lab/inventory.json
npx tsx test/lab/cli.ts up -i "$inventory"
node packages/controller/bin/run.js apply playbooks/site.json -i "$inventory"
echo
echo "The lab stays up: try 'npm run lab -- status', 'npm run lab -- exec master-a -- cat /etc/dhcp/dhcpd.conf'."
echo "Tear it down with 'npm run lab -- down'."
