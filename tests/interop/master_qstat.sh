#!/usr/bin/env bash
# Interop: qstat 2.17 (Debian `qstat`, binary `quakestat`) walks our master server.
#
#   master_qstat.sh <path-to-master_fixture>
#
# Starts master_fixture (1,000 servers, generation rule in master_fixture.cpp), runs
# `quakestat -stm,outfile[,args] 127.0.0.1:PORT,-` (outfile: qstat lists the addresses and does
# not query them) unfiltered and with filters, and compares each list with the set this script
# computes from the generation rule itself (not with our filter code). Every case must list
# exactly the expected addresses, each once. The unfiltered walk spans 5 pages and is the one in
# which qstat sends its stale seed byte and no filter (docs/spec/master.md §2.2).
# Exits 0 if every case passes, 1 otherwise.
set -uo pipefail

fixture=${1:?usage: $0 <master_fixture>}
if ! command -v quakestat >/dev/null 2>&1; then
  echo "master_qstat: quakestat not found (apt package qstat; run scripts/setup.sh)" >&2
  exit 1
fi

tmp=$(mktemp -d)
fixture_pid=
cleanup() {
  if [[ -n $fixture_pid ]]; then
    kill "$fixture_pid" 2>/dev/null
    wait "$fixture_pid" 2>/dev/null
  fi
  if [[ -s $tmp/fixture.log ]]; then sed 's/^/  /' "$tmp/fixture.log"; fi
  rm -rf "$tmp"
}
trap cleanup EXIT

"$fixture" 120 >"$tmp/port" 2>"$tmp/fixture.log" &
fixture_pid=$!
# The fixture starts a hub and registers its servers first: seconds on a loaded machine (up to 60 s).
for _ in $(seq 1200); do
  [[ -s $tmp/port ]] && break
  kill -0 "$fixture_pid" 2>/dev/null || break
  sleep 0.05
done
port=$(head -n1 "$tmp/port")
if [[ ! $port =~ ^[0-9]+$ ]]; then
  echo "master_qstat: fixture did not report a port" >&2
  exit 1
fi
echo "master_qstat: fixture on 127.0.0.1:$port"

# expected <case>: the addresses of server i in [0, 1000) for which the case's rule holds.
expected() {
  local i ok
  for ((i = 0; i < 1000; i++)); do
    case $1 in
      all) ok=1 ;;
      map_2) ok=$((i % 3 == 2)) ;;
      dedicated) ok=$((i % 7 != 0)) ;;
      tf_map_1_notempty_notfull) ok=$((i % 10 < 8 && i % 3 == 1 && i % 17 != 0 && i % 17 < 16)) ;;
      *) echo "unknown case $1" >&2; return 1 ;;
    esac
    if ((ok)); then
      if [[ ${OUTPOST_FLEET:-} == hub ]]; then
        echo "127.0.0.1:$((20000 + i))"  # hub_fleet_fixture: listed at 127.0.0.1, port 20000 + i
      else
        echo "127.10.$((i / 100)).$(((i % 100) / 2 + 1)):$((27015 + (i % 2) * 1000))"
      fi
    fi
  done
}

failures=0
expected_pages=0
# check <case> <qstat -stm option string>
check() {
  local name=$1 option=$2
  expected "$name" | sort >"$tmp/want"
  if ! timeout 60 quakestat "$option" "127.0.0.1:$port,-" >"$tmp/out" 2>"$tmp/err"; then
    echo "FAIL $name: quakestat $option exited non-zero"
    sed 's/^/  /' "$tmp/err"
    failures=$((failures + 1))
    return
  fi
  sed -n 's/^a2s \([0-9.]*:[0-9]*\)$/\1/p' "$tmp/out" >"$tmp/got"
  local got want unique dups
  got=$(wc -l <"$tmp/got")
  want=$(wc -l <"$tmp/want")
  unique=$(sort -u "$tmp/got" | wc -l)
  dups=$((got - unique))
  # Pages a walk needs: full pages of 232, then one that ends with the terminator.
  local pages=$((want / 232 + 1))
  expected_pages=$((expected_pages + pages))
  if [[ $dups -ne 0 ]]; then
    echo "FAIL $name: $dups duplicate addresses (quakestat $option)"
    failures=$((failures + 1))
  elif ! diff <(sort -u "$tmp/got") "$tmp/want" >"$tmp/diff"; then
    echo "FAIL $name: listed set differs from expected (quakestat $option): got $got, want $want"
    head -n 20 "$tmp/diff" | sed 's/^/  /'
    failures=$((failures + 1))
  else
    echo "ok   $name: $got addresses, exact match, no duplicates, $pages pages (quakestat $option)"
  fi
}

check all -stm,outfile
check map_2 -stm,outfile,map=map_2
check dedicated -stm,outfile,status=dedicated
check tf_map_1_notempty_notfull -stm,outfile,game=tf,map=map_1,status=notempty:notfull

# Every walk must have taken exactly its pages: a client that restarts or repeats (e.g. qstat
# looping on a seed the server failed to read) shows up as extra requests.
kill "$fixture_pid"
wait "$fixture_pid"
fixture_pid=
replied=$(sed -n 's/^master_fixture: replied=//p' "$tmp/fixture.log")
received=$(sed -n 's/^master_fixture: received=//p' "$tmp/fixture.log")
if [[ ${received:-0} -ne $expected_pages || ${replied:-0} -ne $expected_pages ]]; then
  echo "FAIL pages: fixture received ${received:-0} and answered ${replied:-0} requests, want $expected_pages"
  failures=$((failures + 1))
else
  echo "ok   pages: $replied requests answered in all, exactly the pages the walks need"
fi

if ((failures)); then
  echo "master_qstat: $failures case(s) failed"
  exit 1
fi
echo "master_qstat: all cases passed"
