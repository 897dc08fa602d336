#!/bin/sh
# Sets up the peers `npm run bench` measures Quarry against, in bench/peers/vendor/ (gitignored):
# pySigma with its Kusto backend (the peer of `quarry convert --target kql`) and Zircolite with the
# pySigma SQLite backend and Windows pipelines (the peer of `quarry hunt`). All run from source on
# Debian's python3 (/usr/bin/python3) and Debian's Python packages; nothing comes from PyPI.
#
# Sources: a folder of bare git mirrors named OWNER+NAME/repo (this workplace keeps them in
# /work/.mirror; set PEER_MIRRORS to yours). Each repository is exported at the mirror's HEAD and the
# commit is written to vendor/VERSIONS, which the bench prints beside the peer's figures.
#
# Usage: sh bench/peers/setup.sh            (re-running replaces vendor/)
set -eu
here=$(cd "$(dirname "$0")" && pwd)
mirrors=${PEER_MIRRORS:-/work/.mirror}
vendor="$here/vendor"
py=/usr/bin/python3

# Debian packages the peers import (pySigma: pyyaml, pyparsing, packaging, requests, jinja2,
# typing-extensions, diskcache; Zircolite: those and xxhash, rich, chardet, restrictedpython, lxml,
# psutil, py7zr). Installed with apt when missing and we are root; otherwise named.
pkgs="python3-yaml python3-pyparsing python3-packaging python3-requests python3-jinja2 python3-typing-extensions
python3-diskcache python3-xxhash python3-rich python3-chardet python3-restrictedpython python3-lxml python3-psutil
python3-py7zr python3-urllib3"
missing=""
for p in $pkgs; do dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'ok installed' || missing="$missing $p"; done
if [ -n "$missing" ]; then
  if [ "$(id -u)" = 0 ]; then
    echo "installing Debian packages:$missing"
    DEBIAN_FRONTEND=noninteractive apt-get install -y -q $missing >/dev/null
  else
    echo "missing Debian packages (run as root: apt-get install -y$missing)" >&2; exit 1
  fi
fi

# OWNER+NAME of each repository, and which of its folders joins the shared `sigma` package tree.
repos="SigmaHQ+pySigma AttackIQ+pySigma-backend-kusto SigmaHQ+pySigma-backend-sqlite
SigmaHQ+pySigma-pipeline-windows SigmaHQ+pySigma-pipeline-sysmon wagga40+Zircolite"
for r in $repos; do
  if [ ! -d "$mirrors/$r/repo" ]; then
    echo "no mirror of ${r%%+*}/${r#*+} at $mirrors/$r/repo (set PEER_MIRRORS to a folder of OWNER+NAME/repo git mirrors)" >&2
    exit 1
  fi
done
rm -rf "$vendor"
mkdir -p "$vendor/site" "$vendor/zircolite"
: >"$vendor/VERSIONS"
for r in $repos; do
  git_dir="$mirrors/$r/repo"
  echo "${r%%+*}/${r#*+} $(git --git-dir="$git_dir" rev-parse HEAD)" >>"$vendor/VERSIONS"
  if [ "$r" = wagga40+Zircolite ]; then
    # Only the program and its configuration: the mirror lacks some large binary files (the GUI zip).
    git --git-dir="$git_dir" archive HEAD zircolite zircolite.py config 2>/dev/null | tar -x -C "$vendor/zircolite"
  else
    tmp="$vendor/tmp-$r"; mkdir -p "$tmp"
    git --git-dir="$git_dir" archive HEAD sigma | tar -x -C "$tmp"
    cp -r "$tmp/sigma" "$vendor/site/"; rm -rf "$tmp"
  fi
done

# Two modules Zircolite imports that Debian 12 does not package. Stand-ins, named in the bench output:
# - evtx (pyevtx-rs, a Rust extension): the bench gives Zircolite JSON lines, never EVTX, so the
#   stand-in only refuses to parse EVTX.
# - orjson (Debian 13 has python3-orjson; Debian 12 does not): the standard library's json with
#   orjson's calling convention (bytes out). Slower than orjson, so Zircolite's figure is pessimistic
#   where it parses or writes JSON; the bench says so.
cat >"$vendor/site/evtx.py" <<'PY'
"""Stand-in for pyevtx-rs, which Debian does not package: the bench feeds Zircolite JSON lines only."""


class PyEvtxParser:  # noqa: D101
    def __init__(self, *args, **kwargs):
        raise RuntimeError("pyevtx-rs is not installed: this Zircolite set-up reads JSON lines only")
PY
if ! $py -c 'import orjson' 2>/dev/null; then
  cat >"$vendor/site/orjson.py" <<'PY'
"""Stand-in for orjson over the standard library (Debian 12 has no python3-orjson): same calls, bytes out."""
import json as _json

OPT_INDENT_2 = 1
JSONDecodeError = _json.JSONDecodeError


def loads(data):
    return _json.loads(data)


def dumps(obj, default=None, option=None):
    indent = 2 if option and option & OPT_INDENT_2 else None
    return _json.dumps(obj, default=default, indent=indent, ensure_ascii=False).encode("utf-8")
PY
  echo "orjson-standin" >>"$vendor/VERSIONS"
fi

# Check that both peers import, so the bench never finds a half set-up.
PYTHONPATH="$vendor/site" $py -c 'import sigma.backends.kusto, sigma.pipelines.sentinelasim, sigma.backends.sqlite, sigma.pipelines.windows, sigma.pipelines.sysmon'
(cd "$vendor/zircolite" && PYTHONPATH="$vendor/site" $py zircolite.py --version >/dev/null)
echo "peers ready in $vendor:"; sed 's/^/  /' "$vendor/VERSIONS"

# Zircolite hunts with a JSON ruleset made from Sigma rules by its own converter (pySigma's SQLite
# backend, with the Sysmon and Windows log-source pipelines its own Windows rulesets use). Made once
# here from SigmaHQ's Windows rules, so the bench times hunting, not converting.
sigma_dir=${SIGMA_DIR:-$here/../../../shared/data/sigmahq}
if [ -d "$sigma_dir/rules/windows" ]; then
  work=$(mktemp -d)
  printf '%s\n' '{"Event":{"System":{"Channel":"System","EventID":1,"TimeCreated":{"#attributes":{"SystemTime":"2020-01-01T00:00:00Z"}}},"EventData":{}}}' >"$work/one.jsonl"
  (cd "$work" && PYTHONPATH="$vendor/site" $py "$vendor/zircolite/zircolite.py" -c "$vendor/zircolite/config/config.yaml" \
    -r "$sigma_dir/rules/windows" -p sysmon -p windows-logsources --save-ruleset \
    -e "$work/one.jsonl" -j -o "$work/detections.json" -n -q >"$work/log" 2>&1) || { cat "$work/log" >&2; exit 1; }
  mv "$work"/ruleset-*.json "$vendor/zircolite-rules-windows.json"
  rm -rf "$work"
  echo "Zircolite ruleset: $(grep -o '"title"' "$vendor/zircolite-rules-windows.json" | wc -l) rules from $sigma_dir/rules/windows"
else
  echo "no SigmaHQ rules at $sigma_dir (set SIGMA_DIR): Zircolite has no ruleset" >&2; exit 1
fi
