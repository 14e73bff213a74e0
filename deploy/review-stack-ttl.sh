#!/usr/bin/env bash
# Gives a pull-request review stack a time to live, so an abandoned pull request cannot keep its stack (and
# its AWS bill) alive. Runs as a pre-run command of every deployment that uses the review-stack template's
# settings (deploy/index.ts); Pulumi Deployments set PULUMI_CI_STACK to the stack being deployed.
#
#   review-stack-ttl.sh <ttl hours> <long-lived stack>...
#
# Long-lived stacks (the ones listed) are left alone. A review stack gets one TTL schedule, created on its
# first deployment: `pulumi stack schedule` (CLI 3.245+, marked experimental) destroys the stack when the TTL
# expires and deletes it from Pulumi Cloud afterwards. Pulumi Deployments destroy review stacks themselves
# when the pull request is merged or closed; the TTL covers the pull requests that stay open.
set -euo pipefail

hours="${1:?usage: review-stack-ttl.sh <ttl hours> <long-lived stack>...}"
shift
stack="${PULUMI_CI_STACK:-}"
if [ -z "$stack" ]; then
  echo "review-stack-ttl: PULUMI_CI_STACK is not set (not in Pulumi Deployments); nothing to do"
  exit 0
fi
for long_lived in "$@"; do
  if [ "$stack" = "$long_lived" ]; then
    echo "review-stack-ttl: $stack is a long-lived stack; no TTL"
    exit 0
  fi
done
if ! [[ "$hours" =~ ^[0-9]+$ ]] || [ "$hours" -lt 1 ]; then
  echo "review-stack-ttl: TTL hours must be a positive whole number, got '$hours'" >&2
  exit 2
fi

if pulumi stack schedule list --stack "$stack" --output json | grep -qi '"ttl"'; then
  echo "review-stack-ttl: $stack already has a TTL schedule"
  exit 0
fi
expires=$(date -u -d "@$(($(date +%s) + hours * 3600))" +%Y-%m-%dT%H:%M:%SZ)
pulumi stack schedule new --stack "$stack" --kind ttl --once "$expires" --delete-after-destroy --yes
echo "review-stack-ttl: $stack will be destroyed at $expires"
