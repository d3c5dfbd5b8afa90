#!/usr/bin/env bash
# Buildbot 4.2.1 (Debian trixie's package) in a cached trixie chroot, so that the e2e tests run
# the same scenarios on the host's Buildbot 3.7 (bookworm) and on a current 4.x master.
#
#   scripts/buildbot-chroot.sh ensure      build the chroot once (minutes), then print its path
#   scripts/buildbot-chroot.sh path        print the path if the cache is ready, exit 1 if not
#   scripts/buildbot-chroot.sh run BIND -- COMMAND...
#                                          run COMMAND in the chroot with /proc, /dev/shm, /tmp's
#                                          BIND directory (same path inside) and /dev/null mounted
#                                          in a private mount namespace: the mounts vanish with
#                                          the process, nothing to unmount after a crash
#
# The cache lives outside any clone (AUTOWATCH_CHROOT, default /var/cache/autowatch/trixie-buildbot)
# and is keyed by STAMP: change the stamp when the recipe changes and the next run rebuilds.
# mercurial is there for the HgPoller (the e2e polls an hg dependency on both versions).
set -euo pipefail

DIR="${AUTOWATCH_CHROOT:-/var/cache/autowatch/trixie-buildbot}"
MIRROR="${AUTOWATCH_DEBIAN_MIRROR:-http://deb.debian.org/debian}"
STAMP="trixie minbase; python3-ply then buildbot buildbot-worker git mercurial; v2"

built() { [ -f "$DIR/.autowatch-stamp" ] && [ "$(cat "$DIR/.autowatch-stamp")" = "$STAMP" ]; }
ready() { built && [ -f "$DIR/$TEST_STUB" ]; }

# Buildbot 4.2.1 applies its unit-test monkeypatches in a running master (master.py calls
# monkeypatches.patch_all()), after which storing a build log imports
# buildbot.test.fake.reactor.NonThreadPool; Debian's package ships no buildbot.test, so every
# log line is lost (twistd.log: "No module named 'buildbot.test'"). This stub provides that one
# name: an isinstance() check against it is False, as it is for a real master's thread pool.
TEST_STUB=usr/lib/python3/dist-packages/buildbot/test/fake/reactor.py
stub_buildbot_test() {
  local dir="$1/$(dirname "$TEST_STUB")"
  [ -f "$1/$TEST_STUB" ] && return 0
  mkdir -p "$dir"
  : >"$1/usr/lib/python3/dist-packages/buildbot/test/__init__.py"
  : >"$dir/__init__.py"
  printf '%s\n' "# autowatch e2e: stands for the module Debian's buildbot package leaves out" \
    "class NonThreadPool:" "    pass" >"$1/$TEST_STUB"
}

ensure() {
  ready && { echo "$DIR"; return 0; }
  built && { stub_buildbot_test "$DIR"; echo "$DIR"; return 0; }
  mkdir -p "$(dirname "$DIR")"
  # one builder at a time (parallel CI jobs on one machine); the others wait and reuse it
  exec 9>"$DIR.lock"
  flock 9
  ready && { echo "$DIR"; return 0; }
  built && { stub_buildbot_test "$DIR"; echo "$DIR"; return 0; }
  if ! command -v debootstrap >/dev/null 2>&1; then
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends debootstrap >&2 ||
      { apt-get update -qq >&2 && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends debootstrap >&2; }
  fi
  local tmp="$DIR.tmp"
  rm -rf "$tmp" "$DIR"
  echo "buildbot-chroot: debootstrap trixie into $tmp (a few minutes, once)" >&2
  debootstrap --variant=minbase trixie "$tmp" "$MIRROR" >&2
  # python3-ply first: without it debootstrap's pycparser stays unconfigured and buildbot's
  # dependencies fail to configure
  unshare --mount --propagation private bash -c '
    set -e
    mount -t proc proc "$1/proc"
    export DEBIAN_FRONTEND=noninteractive LC_ALL=C.UTF-8
    chroot "$1" apt-get update -qq
    chroot "$1" apt-get install -y -qq --no-install-recommends python3-ply
    chroot "$1" apt-get install -y -qq --no-install-recommends buildbot buildbot-worker git mercurial
    chroot "$1" apt-get clean
  ' chroot-install "$tmp" >&2
  chroot "$tmp" buildbot --version >&2
  stub_buildbot_test "$tmp"
  echo "$STAMP" >"$tmp/.autowatch-stamp"
  mv "$tmp" "$DIR"
  echo "$DIR"
}

run() {
  local bind="$1"; shift
  [ "${1:-}" = "--" ] && shift
  ready || { echo "buildbot-chroot: $DIR is not built; run: $0 ensure" >&2; exit 1; }
  exec unshare --mount --propagation private bash -c '
    set -e
    root="$1"; bind="$2"; shift 2
    mount -t proc proc "$root/proc"
    mount -t tmpfs tmpfs "$root/dev/shm" 2>/dev/null || { mkdir -p "$root/dev/shm"; mount -t tmpfs tmpfs "$root/dev/shm"; }
    for dev in null zero random urandom; do
      [ -e "$root/dev/$dev" ] || touch "$root/dev/$dev"
      mount --bind "/dev/$dev" "$root/dev/$dev"
    done
    # the mount point lives on a tmpfs when it can (/tmp/...), so no empty directory is left
    # behind in the cached chroot
    case "$bind" in /tmp/*) mount -t tmpfs tmpfs "$root/tmp" ;; esac
    mkdir -p "$root$bind"
    mount --bind "$bind" "$root$bind"
    exec chroot "$root" env LC_ALL=C.UTF-8 "$@"
  ' chroot-run "$DIR" "$bind" "$@"
}

case "${1:-}" in
  ensure) ensure ;;
  path) ready && echo "$DIR" ;;
  run) shift; run "$@" ;;
  *) echo "usage: $0 ensure | path | run BIND -- COMMAND..." >&2; exit 2 ;;
esac
