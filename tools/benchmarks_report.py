#!/usr/bin/env python3
"""Turns Google Benchmark JSON into BENCHMARKS.md tables and an SVG bar chart.

Benchmark names are "<workload>/<runtime>[/...]". For each workload it divides
our time by each peer's time measured in the same run (below 1.0: we are
faster), adds the geometric mean per peer, and draws log-scale bars.
Names "scaling/<workload>/<runtime>/threads:<n>" make a second table: per
workload and thread count, our time and ours/peer.

  tools/benchmarks_report.py results.json --svg docs/benchmarks.svg > table.md
"""
import argparse
import json
import math
import sys
from collections import OrderedDict

OURS = "ours"


def load(path):
    """Returns (context, results, scaling): results[workload][runtime] and
    scaling[(workload, threads)][runtime], each a benchmark's median entry."""
    with open(path) as f:
        data = json.load(f)
    results = OrderedDict()
    scaling = OrderedDict()
    for b in data["benchmarks"]:
        if b.get("run_type") == "aggregate" and b.get("aggregate_name") != "median":
            continue
        parts = b.get("run_name", b["name"]).split("/")
        if parts[0] == "scaling":
            threads = int(parts[3].split(":")[1])
            scaling.setdefault((parts[1], threads), OrderedDict())[parts[2]] = b
            continue
        workload, runtime = parts[0], parts[1]
        results.setdefault(workload, OrderedDict())[runtime] = b
    return data.get("context", {}), results, scaling


def scaling_table(scaling):
    peers = []
    for runtimes in scaling.values():
        for r in runtimes:
            if r != OURS and r not in peers:
                peers.append(r)
    lines = ["| workload | threads | ours | " + " | ".join(f"ours/{p}" for p in peers) + " |",
             "|---|---|---|" + "---|" * len(peers)]
    for (workload, threads), runtimes in scaling.items():
        if OURS not in runtimes:
            continue
        ours, unit = metric(runtimes[OURS])
        cells = []
        for p in peers:
            cells.append("{:.2f}".format(ours / metric(runtimes[p])[0]) if p in runtimes else "n/a")
        lines.append(f"| {workload} | {threads} | {ours:.1f} {unit} | " + " | ".join(cells) + " |")
    return "\n".join(lines)


def metric(b):
    """Lower is better: bytes for memory workloads, real time otherwise."""
    if "bytes_per_task" in b:
        return b["bytes_per_task"], "bytes/task"
    return b["real_time"], b.get("time_unit", "us")


def ratios(results):
    out = OrderedDict()
    for workload, runtimes in results.items():
        if OURS not in runtimes:
            continue
        ours, _ = metric(runtimes[OURS])
        for runtime, b in runtimes.items():
            if runtime == OURS:
                continue
            peer, _ = metric(b)
            if peer > 0:
                out.setdefault(runtime, OrderedDict())[workload] = ours / peer
    return out


def table(context, results, by_peer):
    lines = []
    lines.append("| workload | ours | " + " | ".join(f"ours/{p}" for p in by_peer) + " |")
    lines.append("|---|---|" + "---|" * len(by_peer))
    for workload, runtimes in results.items():
        if OURS not in runtimes:
            continue
        value, unit = metric(runtimes[OURS])
        extra = ""
        if "late_p50_us" in runtimes[OURS]:
            extra = " (late p50 {:.0f} us, p99 {:.0f} us)".format(
                runtimes[OURS]["late_p50_us"], runtimes[OURS]["late_p99_us"])
        cells = []
        for peer, by_workload in by_peer.items():
            r = by_workload.get(workload)
            cells.append("{:.2f}".format(r) if r is not None else "n/a")
        lines.append(f"| {workload} | {value:.1f} {unit}{extra} | " + " | ".join(cells) + " |")
    geo = []
    for peer, by_workload in by_peer.items():
        vals = list(by_workload.values())
        geo.append("{:.2f}".format(math.exp(sum(math.log(v) for v in vals) / len(vals))))
    lines.append("| **geometric mean** | | " + " | ".join(geo) + " |")
    peers_lat = []
    for workload, runtimes in results.items():
        for runtime, b in runtimes.items():
            if runtime != OURS and "late_p50_us" in b:
                peers_lat.append("{} {}: late p50 {:.0f} us, p99 {:.0f} us".format(
                    workload, runtime, b["late_p50_us"], b["late_p99_us"]))
    if peers_lat:
        lines.append("")
        lines.append("Peer timer lateness: " + "; ".join(peers_lat) + ".")
    return "\n".join(lines)


def svg(by_peer, path):
    workloads = []
    for by_workload in by_peer.values():
        for w in by_workload:
            if w not in workloads:
                workloads.append(w)
    peers = list(by_peer)
    colors = ["#4e79a7", "#f28e2b", "#e15759", "#76b7b2", "#59a14f"]
    row_h, bar_h, left, width = 16 * max(1, len(peers)) + 10, 14, 210, 420
    height = 60 + row_h * len(workloads) + 20 * len(peers)
    lo, hi = math.log10(1 / 32), math.log10(32)

    def x(r):
        r = min(max(r, 10 ** lo), 10 ** hi)
        return left + (math.log10(r) - lo) / (hi - lo) * width

    out = [f'<svg xmlns="http://www.w3.org/2000/svg" width="{left + width + 20}" height="{height}" '
           'font-family="sans-serif" font-size="11">',
           f'<text x="{left}" y="14">time ratio ours/peer (log scale; left of 1 = ours faster)</text>']
    for tick in [1 / 16, 1 / 4, 1, 4, 16]:
        tx = x(tick)
        label = f"1/{int(1 / tick)}" if tick < 1 else f"{int(tick)}"
        out.append(f'<line x1="{tx:.1f}" y1="22" x2="{tx:.1f}" y2="{30 + row_h * len(workloads)}" '
                   f'stroke="{"#000" if tick == 1 else "#ccc"}"/>')
        out.append(f'<text x="{tx - 8:.1f}" y="{42 + row_h * len(workloads)}">{label}</text>')
    for i, w in enumerate(workloads):
        y0 = 28 + i * row_h
        out.append(f'<text x="4" y="{y0 + row_h / 2 + 4:.1f}">{w}</text>')
        for j, p in enumerate(peers):
            r = by_peer[p].get(w)
            if r is None:
                continue
            y = y0 + j * 16
            x0, x1 = sorted([x(1), x(r)])
            out.append(f'<rect x="{x0:.1f}" y="{y}" width="{max(x1 - x0, 1):.1f}" height="{bar_h}" '
                       f'fill="{colors[j % len(colors)]}"><title>{w} vs {p}: {r:.2f}</title></rect>')
    for j, p in enumerate(peers):
        y = 68 + row_h * len(workloads) + j * 18
        out.append(f'<rect x="{left}" y="{y - 10}" width="12" height="12" fill="{colors[j % len(colors)]}"/>')
        out.append(f'<text x="{left + 18}" y="{y}">ours / {p}</text>')
    out.append("</svg>")
    with open(path, "w") as f:
        f.write("\n".join(out) + "\n")


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("json")
    parser.add_argument("--svg")
    args = parser.parse_args()
    context, results, scaling = load(args.json)
    by_peer = ratios(results)
    if results:
        print(table(context, results, by_peer))
    if scaling:
        print()
        print(scaling_table(scaling))
    if args.svg:
        svg(by_peer, args.svg)


if __name__ == "__main__":
    sys.exit(main())
