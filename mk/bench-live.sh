#!/bin/sh
# mk/bench-live.sh BIN: the live-capture figure of `make bench` (issue 15).
#
# Two network namespaces of its own joined by a veth; iperf3 sends UDP
# datagrams of 1200 bytes from one to the other, at each rate of a ladder,
# for BENCH_LIVE_SECONDS. At each rate, `tcpdump -w` and then `pcapcheck
# live`, each with its default settings, capture on the sender's side of
# the veth (where every datagram iperf3 sent passes, whatever the receiver
# drops) with the filter "udp and greater 1000", which passes the datagrams
# and nothing else. A run is lossless when the capture holds exactly as many
# packets as iperf3 says it sent and the kernel dropped none. A tool's
# figure is the highest rate below which every run was lossless; a lossy
# run is tried once more (the machine is shared: one stall is not the
# tool's doing), and a tool stops climbing at its first loss.
#
# PASS when pcapcheck's figure is at least tcpdump's, or both reach the top
# of the ladder. BENCH_LIVE_ARGS adds flags to pcapcheck live (e.g.
# "--buffer-size 2MiB", tcpdump's buffer). Root only; everything it creates
# is removed on exit.
set -u
bin=$1
secs=${BENCH_LIVE_SECONDS:-3}
live_args=${BENCH_LIVE_ARGS:-}
rates=${BENCH_LIVE_RATES:-250 500 750 1000 1500 2500}
tx=pcc-live-bench-tx rx=pcc-live-bench-rx
txif=pclb-tx rxif=pclb-rx
txip=10.199.7.1 rxip=10.199.7.2
filter="udp and greater 1000"

say() { echo "  $*"; }
if [ "$(id -u)" != 0 ]; then
	say "FAIL live capture: not measured, it needs root (network namespaces, packet capture): run make bench as root"
	exit 1
fi
for tool in ip iperf3 tcpdump; do
	command -v $tool > /dev/null 2>&1 || { say "FAIL live capture: $tool is not installed"; exit 1; }
done

tmp=$(mktemp -d)
pids=""
cleanup() {
	for p in $pids; do kill "$p" 2> /dev/null; done
	wait 2> /dev/null
	ip netns del $tx 2> /dev/null
	ip netns del $rx 2> /dev/null
	rm -rf "$tmp"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

ip netns del $tx 2> /dev/null
ip netns del $rx 2> /dev/null
{
	ip netns add $tx && ip netns add $rx &&
		ip -n $tx link add $txif type veth peer name $rxif netns $rx &&
		ip -n $tx addr add $txip/24 dev $txif && ip -n $tx link set $txif up && ip -n $tx link set lo up &&
		ip -n $rx addr add $rxip/24 dev $rxif && ip -n $rx link set $rxif up && ip -n $rx link set lo up
} || { say "FAIL live capture: could not build the namespaces"; exit 1; }

ip netns exec $rx iperf3 -s -B $rxip > "$tmp/server.log" 2>&1 &
pids="$pids $!"
i=0
until ip netns exec $tx iperf3 -c $rxip -t 1 -b 1M -u -l 100 > /dev/null 2>&1; do
	i=$((i + 1))
	[ $i -lt 50 ] || { say "FAIL live capture: the iperf3 server does not answer"; exit 1; }
	sleep 0.1
done

# packet_sockets: how many packet sockets are open in the sender's namespace.
packet_sockets() { ip netns exec $tx cat /proc/net/packet | tail -n +2 | wc -l; }

# trial TOOL RATE: one capture of one iperf3 run, as "SENT CAPTURED DROPPED MBIT".
trial() {
	before=$(packet_sockets)
	case $1 in
	tcpdump) ip netns exec $tx tcpdump -i $txif -n -w "$tmp/t.pcap" "$filter" 2> "$tmp/cap.err" & ;;
	pcapcheck) ip netns exec $tx "$bin" live -i $txif $live_args --filter "$filter" -o json > "$tmp/cap.out" 2> "$tmp/cap.err" & ;;
	esac
	cap=$!
	pids="$pids $cap"
	# Ready once its packet socket is open (and tcpdump says it listens),
	# and a moment later its filter set.
	i=0
	while { [ "$(packet_sockets)" -le "$before" ] || { [ $1 = tcpdump ] && ! grep -q '^listening on' "$tmp/cap.err"; }; } && [ $i -lt 100 ]; do
		sleep 0.05
		i=$((i + 1))
	done
	sleep 0.5
	ip netns exec $tx iperf3 -c $rxip -u -l 1200 -b "${2}M" -t "$secs" --json > "$tmp/client.json" 2> /dev/null
	# Frames wait in the kernel until their buffer block is full or times
	# out: 1 s for tcpdump, 100 ms for pcapcheck. Both get 1.2 s.
	sleep 1.2
	kill -INT $cap
	wait $cap
	# The client's own count: the "packets" of its sum_sent.
	sent=$(awk '/"sum_sent"/ { s = 1 } s && /"packets"/ { gsub(/[^0-9]/, ""); print; exit }' "$tmp/client.json")
	case $1 in
	tcpdump)
		got=$(sed -n 's/^\([0-9]*\) packets\{0,1\} captured.*/\1/p' "$tmp/cap.err")
		dropped=$(sed -n 's/^\([0-9]*\) packets\{0,1\} dropped by kernel.*/\1/p' "$tmp/cap.err")
		;;
	pcapcheck)
		got=$(awk '/"packets"/ { gsub(/[^0-9]/, ""); print; exit }' "$tmp/cap.out")
		dropped=$(awk '/"kernel_dropped"/ { gsub(/[^0-9]/, ""); print; exit }' "$tmp/cap.out")
		;;
	esac
	echo "${sent:-0} ${got:--1} ${dropped:--1} $(awk -v n="${sent:-0}" -v s="$secs" 'BEGIN { printf "%.0f", n * 1200 * 8 / s / 1e6 }')"
}

echo
echo "live capture: iperf3 -u -l 1200 on a veth between two namespaces, $secs s a rate, rates $rates Mbit/s;"
echo "each capture on the sender's side with \"$filter\"; a loss is tried once more; pcapcheck live ${live_args:-with its defaults}, tcpdump -w with its own"
printf '  %-9s %8s %8s %9s %9s %10s\n' TOOL RATE_M SENT CAPTURED K_DROPPED SENT_MBIT
: > "$tmp/best"
top=""
for r in $rates; do top=$r; done
for r in $rates; do
	for tool in tcpdump pcapcheck; do
		grep -q "^$tool lost" "$tmp/best" && continue
		for try in 1 2; do
			set -- $(trial $tool "$r")
			printf '  %-9s %8s %8s %9s %9s %10s\n' $tool "$r" "$1" "$2" "$3" "$4"
			if [ "$1" -gt 0 ] && [ "$1" = "$2" ] && [ "$3" = 0 ]; then
				echo "$tool ok $r $4" >> "$tmp/best"
				break
			fi
			[ $try = 2 ] && echo "$tool lost $r" >> "$tmp/best"
		done
	done
	grep -q "^tcpdump lost" "$tmp/best" && grep -q "^pcapcheck lost" "$tmp/best" && break
done

# best TOOL: "RATE MBIT": the highest lossless rung, and the most iperf3
# sent in a lossless run (what it manages varies from minute to minute);
# "0 0" when none.
best() { awk -v t="$1" '$1 == t && $2 == "ok" { r = $3; if ($4 > m) m = $4 } END { print (r ? r : 0), (m ? m : 0) }' "$tmp/best"; }
set -- $(best tcpdump)
td=$1 td_m=$2
set -- $(best pcapcheck)
pc=$1 pc_m=$2
verdict=FAIL
if [ "$pc" -ge "$td" ] || { [ "$pc" = "$top" ] && [ "$td" = "$top" ]; }; then verdict=PASS; fi
reach() { if [ "$1" = 0 ]; then echo "none (it lost packets at the lowest rate)"; elif [ "$1" = "$top" ]; then echo "$1 Mbit/s asked, the top of the ladder (lossless with iperf3 sending up to $2 Mbit/s)"; else echo "$1 Mbit/s asked (lossless with iperf3 sending up to $2 Mbit/s)"; fi; }
say "$verdict live capture, highest lossless rate: pcapcheck live $(reach "$pc" "$pc_m"); tcpdump -w $(reach "$td" "$td_m") (target: pcapcheck >= tcpdump)"
[ $verdict = PASS ]
