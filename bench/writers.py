#!/usr/bin/python3
"""Cost under real write rates (bench/run.sh --writers, or directly).

For each scrape interval and write rate, on loopback: a fresh Redis, our
exporter, and `bench_tool writer` adding RATE intents/s and RATE/3 faults/s
(with the kernel's by-reason counts) while the exporter is scraped every
INTERVAL seconds. After warm-up scrapes (the first reads the windows), each
measured scrape records:
  - new stream entries since the previous scrape (intents_total + faults_total);
  - the exporter's CPU for the scrape (/proc/PID/schedstat, nanoseconds);
  - client-side scrape latency;
  - Redis CPU of the exporter's commands (INFO commandstats usec), and of a
    bare reader that right after the scrape reads the same new entries with
    XREVRANGE (a command the exporter never sends, so the two stay apart);
  - the scrape's Redis round trips.
Figures are medians over the measured scrapes (p99 is the worst of <100).
Writes bench/results/writers.json and prints a Markdown table.
"""
import argparse
import json
import os
import re
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.request

import redis

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import run  # noqa: E402  (Redis server and helpers of the main suite)

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
# Not "exec": Redis counts the commands inside MULTI/EXEC on their own and
# again in EXEC's time, so adding EXEC would count them twice.
EXPORTER_CMDS = ("multi", "time", "get", "pttl", "xlen", "xinfo|stream", "xrange", "hgetall",
                 "zrevrange")


def command_usec(r):
    stats = r.info("commandstats")
    out = {}
    for name, v in stats.items():
        out[name.replace("cmdstat_", "")] = v["usec"]
    return out


def cpu_ns(pid):
    """CPU time of every thread of `pid` (the scrape runs in an HTTP worker)."""
    total = 0
    for tid in os.listdir(f"/proc/{pid}/task"):
        try:
            with open(f"/proc/{pid}/task/{tid}/schedstat") as f:
                total += int(f.read().split()[0])
        except FileNotFoundError:
            pass
    return total


def scrape(port, path="/metrics"):
    """GET path: the latency in ms, and every unlabelled series (or, on
    /probe, every series labelled only with its target) by name."""
    t0 = time.perf_counter()
    body = urllib.request.urlopen(f"http://127.0.0.1:{port}{path}", timeout=30).read().decode()
    ms = (time.perf_counter() - t0) * 1000
    values = {}
    for line in body.splitlines():
        m = re.match(r'^(quantum_[a-z0-9_]+)(?:\{target="[^"]*"\})? (\S+)$', line)
        if m:
            values[m.group(1)] = float(m.group(2))
    return ms, values


def last_ids(r):
    ids = {}
    for key in ("quantum:stream:trade.intent", "quantum:stream:safety.fault"):
        e = r.xrevrange(key, count=1)
        ids[key] = e[0][0].decode() if e else "0-0"
    return ids


def one_run(build, interval, rate, scrapes, warmup):
    with tempfile.TemporaryDirectory() as tmp:
        server = run.Redis(tmp)
        port = run.free_port()
        exporter = subprocess.Popen(
            [os.path.join(build, "quantum_safety_exporter"), "--redis.addr", server.url,
             "--web.listen-address", f"127.0.0.1:{port}", "--log.level", "error"],
            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        seconds = (warmup + scrapes + 1) * interval + 2
        writer = subprocess.Popen([os.path.join(build, "bench_tool"), "writer", server.url,
                                   str(rate), str(seconds)], stdout=subprocess.PIPE, text=True)
        r = redis.Redis(port=server.port)
        try:
            time.sleep(0.3)
            rows = []
            prev_total = None
            cursor = last_ids(r)
            next_at = time.monotonic()
            for k in range(warmup + scrapes):
                next_at += interval
                time.sleep(max(0, next_at - time.monotonic()))
                usec0, cpu0 = command_usec(r), cpu_ns(exporter.pid)
                ms, v = scrape(port)
                cpu1, usec1 = cpu_ns(exporter.pid), command_usec(r)
                # The bare reader: the same new entries, read once.
                for key, since in cursor.items():
                    r.xrevrange(key, max="+", min="(" + since)
                usec2 = command_usec(r)
                cursor = last_ids(r)
                total = v.get("quantum_trade_intents_total", 0) + v.get("quantum_safety_faults_total", 0)
                if prev_total is not None and k >= warmup:
                    ours = sum(usec1.get(c, 0) - usec0.get(c, 0) for c in EXPORTER_CMDS)
                    bare = usec2.get("xrevrange", 0) - usec1.get("xrevrange", 0)
                    rows.append({"entries": total - prev_total, "latency_ms": ms,
                                 "cpu_us": (cpu1 - cpu0) / 1000, "redis_us": ours,
                                 "bare_us": bare,
                                 "round_trips": v.get("quantum_safety_exporter_scrape_redis_round_trips")})
                prev_total = total
            rss = run.rss(exporter.pid)
        finally:
            exporter.terminate()
            exporter.wait()
            writer.terminate()
            writer.wait()
            server.stop()
    return summarize(interval, rate, rows, rss)


def targets_run(build, interval, rate, n, scrapes, warmup):
    """n kernels, each its own Redis and writer at `rate`, one exporter
    probing all of them at once every interval."""
    from concurrent.futures import ThreadPoolExecutor
    with tempfile.TemporaryDirectory() as tmp:
        servers = []
        for i in range(n):
            os.makedirs(os.path.join(tmp, str(i)))
            servers.append(run.Redis(os.path.join(tmp, str(i))))
        names = [f"k{i}" for i in range(n)]
        with open(os.path.join(tmp, "targets.yml"), "w") as f:
            f.write("targets:\n" + "".join(
                f"  - {{name: {name}, redis_addr: \"{srv.url}\"}}\n"
                for name, srv in zip(names, servers)))
        port = run.free_port()
        exporter = subprocess.Popen(
            [os.path.join(build, "quantum_safety_exporter"), "--redis.addr", servers[0].url,
             "--config.file", os.path.join(tmp, "targets.yml"),
             "--web.listen-address", f"127.0.0.1:{port}", "--log.level", "error"],
            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        seconds = (warmup + scrapes + 1) * interval + 2
        writers = [subprocess.Popen([os.path.join(build, "bench_tool"), "writer", srv.url,
                                     str(rate), str(seconds)], stdout=subprocess.DEVNULL)
                   for srv in servers]
        try:
            time.sleep(0.3)
            rows, prev = [], {}
            next_at = time.monotonic()
            with ThreadPoolExecutor(n) as pool:
                for k in range(warmup + scrapes):
                    next_at += interval
                    time.sleep(max(0, next_at - time.monotonic()))
                    cpu0 = cpu_ns(exporter.pid)
                    answers = list(pool.map(lambda t: scrape(port, f"/probe?target={t}"), names))
                    cpu1 = cpu_ns(exporter.pid)
                    entries = 0
                    for name, (ms, v) in zip(names, answers):
                        total = (v.get("quantum_trade_intents_total", 0) +
                                 v.get("quantum_safety_faults_total", 0))
                        entries += total - prev.get(name, total)
                        prev[name] = total
                    if k >= warmup:
                        rows.append({"entries": entries, "cpu_us": (cpu1 - cpu0) / 1000,
                                     "latencies": [ms for ms, _ in answers]})
            rss = run.rss(exporter.pid)
        finally:
            exporter.terminate()
            exporter.wait()
            for w in writers:
                w.terminate()
                w.wait()
            for srv in servers:
                srv.stop()
    lat = sorted(x for r in rows for x in r["latencies"])
    entries = statistics.median(r["entries"] for r in rows)
    return {"interval_s": interval, "rate_per_target": rate, "targets": n,
            "entries_per_scrape": entries, "latency_p50_ms": statistics.median(lat),
            "latency_worst_ms": lat[-1], "cpu_us_per_scrape": statistics.median(
                r["cpu_us"] for r in rows),
            "cpu_us_per_entry": statistics.median(
                r["cpu_us"] / r["entries"] for r in rows if r["entries"] > 0) if entries else None,
            "rss_mb": rss.get("VmRSS")}


def targets_table(results):
    lines = ["| interval | targets | intents/s each | new entries/scrape (all) | p50 ms | worst ms | "
             "exporter us/scrape (all) | us/entry | RSS MB |", "|---|---|---|---|---|---|---|---|---|"]
    for x in results:
        lines.append(
            f"| {x['interval_s']:g} s | {x['targets']} | {x['rate_per_target']:g} | "
            f"{x['entries_per_scrape']:.0f} | {fmt(x['latency_p50_ms'], 2)} | "
            f"{fmt(x['latency_worst_ms'], 2)} | {fmt(x['cpu_us_per_scrape'], 0)} | "
            f"{fmt(x['cpu_us_per_entry'], 2)} | {fmt(x['rss_mb'])} |")
    return "\n".join(lines)


def summarize(interval, rate, rows, rss):
    med = lambda k: statistics.median(x[k] for x in rows)  # noqa: E731
    lat = sorted(x["latency_ms"] for x in rows)
    entries = med("entries")
    per_entry = [x["cpu_us"] / x["entries"] for x in rows if x["entries"] > 0]
    ratios = [x["redis_us"] / x["bare_us"] for x in rows if x["bare_us"] > 0]
    return {
        "interval_s": interval, "rate": rate, "scrapes": len(rows),
        "entries_per_scrape": entries,
        "latency_p50_ms": statistics.median(lat), "latency_p99_ms": lat[-1] if len(lat) < 100
        else lat[int(0.99 * (len(lat) - 1))],
        "cpu_us_per_scrape": med("cpu_us"),
        "cpu_us_per_entry": statistics.median(per_entry) if per_entry else None,
        "redis_us_per_scrape": med("redis_us"), "bare_us_per_scrape": med("bare_us"),
        "redis_vs_bare": statistics.median(ratios) if ratios else None,
        "round_trips_max": max(x["round_trips"] for x in rows),
        "rss_mb": rss.get("VmRSS"), "hwm_mb": rss.get("VmHWM"),
    }


def fmt(v, digits=1):
    return "-" if v is None else f"{v:.{digits}f}"


def table(results):
    lines = ["| interval | intents/s | new entries/scrape | p50 ms | p99 ms | target p99 ms | "
             "exporter us/scrape | us/entry (target <= 2) | Redis us/scrape | bare XRANGE us | "
             "ratio (target <= 1.5) | round trips max | RSS MB |",
             "|---|---|---|---|---|---|---|---|---|---|---|---|---|"]
    for x in results:
        target = 1 + x["entries_per_scrape"] / 1000
        lines.append(
            f"| {x['interval_s']:g} s | {x['rate']:g} | {x['entries_per_scrape']:.0f} | "
            f"{fmt(x['latency_p50_ms'], 2)} | {fmt(x['latency_p99_ms'], 2)} | {target:.2f} | "
            f"{fmt(x['cpu_us_per_scrape'], 0)} | {fmt(x['cpu_us_per_entry'], 2)} | "
            f"{fmt(x['redis_us_per_scrape'], 0)} | {fmt(x['bare_us_per_scrape'], 0)} | "
            f"{fmt(x['redis_vs_bare'], 2)} | {x['round_trips_max']:.0f} | {fmt(x['rss_mb'])} |")
    return "\n".join(lines)


def main():
    p = argparse.ArgumentParser()
    p.add_argument("--build", default=os.path.join(ROOT, "build/bench"))
    p.add_argument("--rates", default="0,10,100,1000,10000")
    p.add_argument("--intervals", default="1,15")
    p.add_argument("--scrapes", type=int, default=0, help="measured scrapes (default: 20 at "
                   "1 s, 4 at 15 s)")
    p.add_argument("--targets", type=int, default=1, help="probe this many kernels at once "
                   "(each its own Redis and writer at the rate) instead of /metrics")
    p.add_argument("--out", default=os.path.join(ROOT, "bench/results/writers.json"))
    args = p.parse_args()
    if args.targets > 1:
        results = [targets_run(args.build, float(i), float(r), args.targets,
                               args.scrapes or (20 if float(i) <= 1 else 4), warmup=2)
                   for i in args.intervals.split(",") for r in args.rates.split(",")]
        with open(args.out, "w") as f:
            json.dump({"results": results, "cpus": os.cpu_count()}, f, indent=1)
        print(targets_table(results))
        return
    results = []
    for interval in [float(x) for x in args.intervals.split(",")]:
        for rate in [float(x) for x in args.rates.split(",")]:
            n = args.scrapes or (20 if interval <= 1 else 4)
            results.append(one_run(args.build, interval, rate, n, warmup=2))
            print(json.dumps(results[-1]), file=sys.stderr)
    os.makedirs(os.path.dirname(args.out), exist_ok=True)
    with open(args.out, "w") as f:
        json.dump({"results": results, "cpus": os.cpu_count()}, f, indent=1)
    print(table(results))
    idle = [x for x in results if x["rate"] > 0 and x["entries_per_scrape"] <= 0]
    if idle:
        sys.exit(f"writers.py: the exporter saw no new entries at {idle[0]['rate']:g}/s")


if __name__ == "__main__":
    main()
