#!/bin/sh
# mk/bench.sh BIN GEN INVENTORY BIG SMALL SMALL_GZ FLOWS RANDOM SMALL20K ANY FLOOR: the table
# `make bench` prints. Each figure is the median of BENCH_RUNS runs (BENCH_RUNS_FLOWS
# for the capture of a million flows, whose report takes long); wall times
# come from date, peak RSS from /usr/bin/time. Files are read once first so
# that every run finds them in the page cache.
set -eu
bin=$1 gen=$2 inv=$3 big=$4 small=$5 gz=$6 flows=$7 random=$8 small20k=$9 any=${10} floor=${11}
runs=${BENCH_RUNS:-5}
runs_flows=${BENCH_RUNS_FLOWS:-3}
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

median() { sort -n | awk '{ v[NR] = $1 } END { if (NR % 2) print v[(NR + 1) / 2]; else printf "%.3f\n", (v[NR / 2] + v[NR / 2 + 1]) / 2 }'; }
now() { date +%s%N; }
secs() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.3f\n", (b - a) / 1e9 }'; }
ratio() { awk -v a="$1" -v b="$2" 'BEGIN { if (b > 0) printf "%.1f\n", a / b; else print "-" }'; }
mib() { awk -v k="$1" 'BEGIN { printf "%.0f\n", k / 1024 }'; }

# dd_time FILE: seconds dd takes to read FILE, as dd reports it.
dd_time() {
	for _ in $(seq "$runs"); do
		dd if="$1" of=/dev/null bs=1M 2>&1 | sed -n 's/.* copied, \([0-9.]*\) s,.*/\1/p'
	done | median | awk '{ printf "%.3f\n", $1 }'
}

# analyze FILE RUNS: median wall seconds, peak RSS (KiB) and CPU seconds
# (user and system, all threads) of `pcapcheck analyze -o json`, as
# "SECONDS KIB CPU". On a busy machine, CPU time shows the work done when
# wall time shows the wait for a core.
analyze() {
	for _ in $(seq "$2"); do
		t0=$(now)
		/usr/bin/time -f '%M %U %S' -o "$tmp/rss" "$bin" analyze --quiet -o json --inventory "$inv" "$1" > /dev/null
		t1=$(now)
		echo "$(secs "$t0" "$t1") $(awk '{ printf "%s %.2f", $1, $2 + $3 }' "$tmp/rss")"
	done > "$tmp/runs"
	echo "$(cut -d' ' -f1 "$tmp/runs" | median) $(cut -d' ' -f2 "$tmp/runs" | median) $(cut -d' ' -f3 "$tmp/runs" | median)"
}

# info FILE FIELD: packets or flows, from the generator's .info line.
info() {
	case $2 in
	packets) sed -E 's/.*: ([0-9]+) packets.*/\1/' "$1.info" ;;
	flows) sed -E 's/.* ([0-9]+) flows.*/\1/' "$1.info" ;;
	esac
}

echo "machine: $(uname -srm); $(nproc) cores: $(sed -n 's/^model name\s*: //p' /proc/cpuinfo | head -1); $(awk '/MemTotal/ { printf "%.0f GiB", $2 / 1048576 }' /proc/meminfo) RAM"
echo "$(go version 2>/dev/null || true); $("$bin" --version); load average at start: $(cut -d' ' -f1-3 /proc/loadavg)"
echo "each figure: median of $runs runs ($runs_flows for the million-flow capture), files in the page cache"
echo

for f in "$big" "$small" "$gz" "$flows" "$random" "$small20k" "$any"; do cat "$f" > /dev/null; done

base=$(analyze fixtures/bookinfo/before/veth.pcap "$runs" | cut -d' ' -f2)

printf '%-30s %6s %8s %8s %7s %7s %6s %7s %8s\n' CAPTURE MB PACKETS FLOWS DD_S WALL_S xDD CPU_S RSS_MiB
row() {
	file=$1 r=$2
	size=$(stat -c %s "$file")
	d=$(dd_time "$file")
	set -- $(analyze "$file" "$r")
	src=$file
	case $file in *.gz) src=${file%.gz} ;; esac
	printf '%-30s %6.0f %8s %8s %7s %7s %6s %7s %8s\n' "$(basename "$file")" "$(awk -v s="$size" 'BEGIN { print s / 1e6 }')" \
		"$(info "$src" packets)" "$(info "$src" flows)" "$d" "$1" "$(ratio "$1" "$d")" "$3" "$(mib "$2")"
	echo "$1 $2" > "$tmp/last"
}
row "$big" "$runs";          big_s=$(cut -d' ' -f1 "$tmp/last"); big_dd=$d; big_rss=$(cut -d' ' -f2 "$tmp/last")
row "$small" "$runs"
row "$gz" "$runs";           gz_s=$(cut -d' ' -f1 "$tmp/last")
row "$flows" "$runs_flows";  flows_rss=$(cut -d' ' -f2 "$tmp/last")
row "$random" "$runs";       random_s=$(cut -d' ' -f1 "$tmp/last"); random_dd=$d
row "$small20k" "$runs";     small20k_s=$(cut -d' ' -f1 "$tmp/last")
row "$any" "$runs";          any_s=$(cut -d' ' -f1 "$tmp/last")
echo

# verdict FIGURE OP TARGET: PASS or FAIL; failures are counted in a file,
# since verdict runs in a command substitution.
: > "$tmp/failed"
verdict() {
	if awk -v v="$1" -v t="$3" -v op="$2" 'BEGIN { exit !((op == "<=" && v <= t) || (op == "<" && v < t) || (op == ">=" && v >= t)) }'; then
		echo PASS
	else
		echo x >> "$tmp/failed"
		echo FAIL
	fi
}

echo "targets:"
x=$(ratio "$big_s" "$big_dd")
echo "  $(verdict "$x" "<=" 3) analyze of $(basename "$big"): ${big_s} s = $x x dd (target <= 3)"
x=$(ratio "$random_s" "$random_dd")
echo "  $(verdict "$x" "<=" 3) analyze of $(basename "$random") (independent-style: no locality, no handshakes): ${random_s} s = $x x dd (target <= 3)"
x=$(ratio "$any_s" "$big_s")
echo "  $(verdict "$x" "<=" 1.5) analyze of $(basename "$any") (tcpdump -i any on the node: SLL2, both legs of each DNAT, every packet twice): ${any_s} s = $x x the veth capture's ${big_s} s (target <= 1.5)"
echo "  $(verdict "$(mib "$big_rss")" "<" 64) peak RSS on it: $(mib "$big_rss") MiB (target < 64)"
nflows=$(info "$flows" flows)
perflow=$(awk -v r="$flows_rss" -v b="$base" -v n="$nflows" 'BEGIN { printf "%.0f", (r - b) * 1024 / n }')
echo "  $(verdict "$perflow" "<" 400) RSS above the baseline ($(mib "$base") MiB, a 40-packet capture) on $(basename "$flows"): $perflow bytes a flow (target < 400)"

std=$(for _ in $(seq "$runs"); do "$gen" -stdgunzip "$gz"; done | median)
x=$(ratio "$std" "$gz_s")
echo "  $(verdict "$x" ">=" 2.5) gzip: compress/gzip alone decompresses $(basename "$gz") in ${std} s; pcapcheck reads and analyzes it in ${gz_s} s: $x x (target >= 2.5)"

# once FILE ARGS...: wall and CPU seconds of one `pcapcheck analyze` with
# ARGS (an output format), as "SECONDS CPU".
once() {
	f=$1
	shift
	t0=$(now)
	/usr/bin/time -f '%U %S' -o "$tmp/cpu" "$bin" analyze --quiet "$@" --inventory "$inv" "$f" > /dev/null
	t1=$(now)
	echo "$(secs "$t0" "$t1") $(awk '{ printf "%.2f", $1 + $2 }' "$tmp/cpu")"
}

# against FILE ARGS...: the median wall and CPU seconds of ARGS and of
# -o json, a run of each in turn, as "SECONDS CPU JSON_SECONDS JSON_CPU":
# their ratio is taken over the same minutes, since on a machine shared
# with other jobs the minutes differ more than the formats do.
against() {
	f=$1
	shift
	: > "$tmp/fmt"
	: > "$tmp/json"
	for _ in $(seq "$runs"); do
		once "$f" "$@" >> "$tmp/fmt"
		once "$f" -o json >> "$tmp/json"
	done
	echo "$(cut -d' ' -f1 "$tmp/fmt" | median) $(cut -d' ' -f2 "$tmp/fmt" | median) $(cut -d' ' -f1 "$tmp/json" | median) $(cut -d' ' -f2 "$tmp/json" | median)"
}

# The default table (the summary alone) must cost no more than -o json;
# every flow in the other formats at most 1.5 times it, at 20,000 flows.
# Each format is measured in turn with -o json.
set -- $(against "$small20k")
echo "  $(verdict "$1" "<=" "$3") default table on $(basename "$small20k"): $1 s (CPU $2 s), -o json $3 s (CPU $4 s) (target: no slower than json)"
for args in "-o table --flows" "-o markdown" "-o markdown --flows" "-o html" "-o yaml"; do
	# shellcheck disable=SC2086 # the format's words
	set -- $(against "$small20k" $args)
	x=$(awk -v a="$1" -v b="$3" 'BEGIN { if (b > 0) printf "%.2f\n", a / b; else print "-" }')
	echo "  $(verdict "$x" "<=" 1.5) $args on $(basename "$small20k"): $1 s (CPU $2 s) = $x x -o json's $3 s (target <= 1.5)"
done

if command -v tshark > /dev/null 2>&1; then
	for _ in $(seq 3); do
		t0=$(now)
		tshark -q -z conv,tcp -r "$small20k" > /dev/null 2>&1
		t1=$(now)
		secs "$t0" "$t1"
	done > "$tmp/tshark"
	ts=$(median < "$tmp/tshark")
	x=$(ratio "$ts" "$small20k_s")
	echo "  $(verdict "$x" ">=" 60) tshark -q -z conv,tcp on $(basename "$small20k"): ${ts} s (3 runs); pcapcheck ${small20k_s} s: $x x faster (target >= 60)"
else
	echo x >> "$tmp/failed"
	echo "  FAIL tshark is not installed: no comparison (apt-get install tshark)"
fi

# The floor: issue 15's naive single-threaded loop (fixtures/floor: read()
# into a 4 MiB buffer, pcap framing, Ethernet/IPv4 ports, a Go map of
# 5-tuples; no timestamps, NAT, payloads or report) on the same cached
# files, against the same anchors. Not a target: it says where this
# machine puts the targets, since the ratios to dd and tshark move with the
# machine's page cache and tshark's speed.
# floor_time FILE: the loop's median seconds, as it reports them.
floor_time() {
	for _ in $(seq "$runs"); do
		"$floor" "$1" | awk '{ print $(NF - 1) }'
	done | median
}
echo "the floor on this machine (not a target): issue 15's naive single-threaded loop, with no report, on the same files:"
fb=$(floor_time "$big")
fr=$(floor_time "$random")
fs=$(floor_time "$small20k")
echo "  $(basename "$big"): ${fb} s = $(ratio "$fb" "$big_dd") x dd; pcapcheck $(ratio "$big_s" "$fb") x the floor"
echo "  $(basename "$random"): ${fr} s = $(ratio "$fr" "$random_dd") x dd; pcapcheck $(ratio "$random_s" "$fr") x the floor"
if [ -n "${ts:-}" ]; then
	echo "  $(basename "$small20k"): ${fs} s, $(ratio "$ts" "$fs") x faster than tshark; pcapcheck $(ratio "$small20k_s" "$fs") x the floor"
fi

# Live capture (issue 15): the highest iperf3 rate at which pcapcheck live
# loses nothing, beside tcpdump -w's, in two namespaces of its own.
sh "$(dirname "$0")/bench-live.sh" "$bin" || echo x >> "$tmp/failed"
echo "load average at the end: $(cut -d' ' -f1-3 /proc/loadavg)"
failed=$(wc -l < "$tmp/failed")
if [ "$failed" -gt 0 ]; then
	echo "bench: $failed target(s) FAIL"
	exit 1
fi
echo "bench: every target PASS"
