#!/usr/bin/python3
"""The benchmark suite (bench/run.sh calls this after building).

On loopback, at seed and large scale (quantum_safety_sim load-fixture), for
quantum_safety_exporter and, side by side on the same Redis, Debian's
prometheus-redis-exporter configured for the same keys:
  - sequential scrape latency (p50/p90/p99/max over N scrapes)
  - throughput under wrk (1 thread, 4 connections, bounded duration)
  - exporter memory (VmRSS/VmHWM) after warm-up and after the runs
  - Redis commands and Redis CPU per scrape (INFO commandstats / INFO cpu)
  - Redis blocking: worst PING wait of a client pinging every 1 ms while scraping
  - start-up to the first complete scrape (ours), and the Lua-script alternative
Each figure is the median of --repeats runs, with min..max as its spread.
Writes bench/results/latest.json and prints a Markdown table.
"""
import argparse
import json
import os
import re
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import time

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Redis:
    def __init__(self, tmp):
        self.port = free_port()
        self.proc = subprocess.Popen(
            ["redis-server", "--port", str(self.port), "--bind", "127.0.0.1", "--dir", tmp,
             "--save", "", "--appendonly", "no", "--loglevel", "warning"],
            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        for _ in range(100):
            if self.cli("PING") == "PONG":
                return
            time.sleep(0.05)
        raise RuntimeError("redis-server did not start")

    @property
    def url(self):
        return f"redis://127.0.0.1:{self.port}"

    def cli(self, *args):
        r = subprocess.run(["redis-cli", "-p", str(self.port), *args], capture_output=True, text=True)
        return r.stdout.strip()

    def info(self):
        text = self.cli("INFO", "all")
        calls = sum(int(m) for m in re.findall(r"^cmdstat_[\w|]+:calls=(\d+)", text, re.M))
        cpu = sum(float(m) for m in re.findall(r"^used_cpu_(?:sys|user):([\d.]+)", text, re.M))
        return calls, cpu

    def stop(self):
        self.proc.terminate()
        self.proc.wait()


def tool(*args, timeout=600):
    r = subprocess.run([BENCH_TOOL, *map(str, args)], capture_output=True, text=True, timeout=timeout)
    if r.returncode != 0:
        raise RuntimeError(f"bench_tool {args}: {r.stderr or r.stdout}")
    return json.loads(r.stdout.strip().splitlines()[-1])


def rss(pid):
    out = {}
    with open(f"/proc/{pid}/status") as f:
        for line in f:
            if line.startswith(("VmRSS:", "VmHWM:")):
                out[line.split(":")[0]] = int(line.split()[1]) / 1024.0
    return out


def wrk(port, seconds):
    r = subprocess.run(["wrk", "-t1", "-c4", f"-d{seconds}s", "--latency",
                        f"http://127.0.0.1:{port}/metrics"], capture_output=True, text=True,
                       timeout=seconds + 30)
    rps = float(re.search(r"Requests/sec:\s+([\d.]+)", r.stdout).group(1))
    non2xx = re.search(r"Non-2xx or 3xx responses: (\d+)", r.stdout)
    return {"rps": rps, "non_2xx": int(non2xx.group(1)) if non2xx else 0}


def start_exporter(kind, redis, port):
    if kind == "ours":
        cmd = [EXPORTER, "--redis.addr", redis.url, "--web.listen-address", f"127.0.0.1:{port}",
               "--log.level", "error"]
    else:
        cmd = ["prometheus-redis-exporter", "-redis.addr", redis.url,
               "-web.listen-address", f"127.0.0.1:{port}", "-redis-only-metrics",
               "-check-single-keys", "quantum:safety:safe_mode",
               "-check-single-streams", "quantum:stream:safety.fault,quantum:stream:trade.intent",
               "-check-keys", "quantum:safety:rate:*"]
    proc = subprocess.Popen(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    for _ in range(200):
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=0.2):
                return proc
        except OSError:
            time.sleep(0.05)
    raise RuntimeError(f"{kind} exporter did not start")


def measure_exporter(kind, redis, args):
    port = free_port()
    proc = start_exporter(kind, redis, port)
    try:
        tool("latency", port, 20)  # warm-up (ours: includes reading the windows once)
        mem_warm = rss(proc.pid)
        # Latency alone, so that nothing else competes for the two cores.
        calls0, cpu0 = redis.info()
        lat = tool("latency", port, args.scrapes)
        calls1, cpu1 = redis.info()
        # Then Redis' responsiveness while being scraped back to back.
        pinger = subprocess.Popen([BENCH_TOOL, "pinger", redis.url, str(args.ping_seconds)],
                                  stdout=subprocess.PIPE, text=True)
        time.sleep(0.2)
        tool("latency", port, max(50, args.scrapes // 4))
        ping = json.loads(pinger.communicate(timeout=120)[0].strip())
        thr = wrk(port, args.wrk_seconds)
        mem_after = rss(proc.pid)
        per_scrape_calls = (calls1 - calls0 - 1) / args.scrapes  # less one INFO
        return {
            "latency": lat, "wrk": thr, "rss_warm_mb": mem_warm.get("VmRSS"),
            "hwm_warm_mb": mem_warm.get("VmHWM"), "rss_after_mb": mem_after.get("VmRSS"),
            "hwm_after_mb": mem_after.get("VmHWM"),
            "redis_commands_per_scrape": per_scrape_calls,
            "redis_cpu_us_per_scrape": (cpu1 - cpu0) * 1e6 / args.scrapes,
            "ping_during_scrapes": ping,
        }
    finally:
        proc.send_signal(signal.SIGTERM)
        proc.wait()


def median_spread(runs, path):
    vals = []
    for r in runs:
        v = r
        for k in path:
            v = v[k]
        vals.append(v)
    return {"median": statistics.median(vals), "min": min(vals), "max": max(vals)}


def main():
    p = argparse.ArgumentParser()
    p.add_argument("--build", default=os.path.join(ROOT, "build/bench"))
    p.add_argument("--repeats", type=int, default=3)
    p.add_argument("--scrapes", type=int, default=1000)
    p.add_argument("--wrk-seconds", type=int, default=5)
    p.add_argument("--ping-seconds", type=float, default=3)
    p.add_argument("--scales", default="seed,large")
    p.add_argument("--out", default=os.path.join(ROOT, "bench/results/latest.json"))
    args = p.parse_args()
    global BENCH_TOOL, EXPORTER, SIM
    BENCH_TOOL = os.path.join(args.build, "bench_tool")
    EXPORTER = os.path.join(args.build, "quantum_safety_exporter")
    SIM = os.path.join(args.build, "quantum_safety_sim")

    results = {"machine": {"cpus": os.cpu_count(), "uname": " ".join(os.uname()),
                           "redis": subprocess.run(["redis-server", "--version"], capture_output=True,
                                                   text=True).stdout.strip()},
               "settings": vars(args), "scales": {}}
    for scale in args.scales.split(","):
        with tempfile.TemporaryDirectory() as tmp:
            redis = Redis(tmp)
            try:
                fixture = json.loads(subprocess.run(
                    [SIM, "load-fixture", "--redis.addr", redis.url, "--scale", scale],
                    capture_output=True, text=True, check=True).stdout.strip())
                entry = {"fixture": fixture}
                for kind in ("ours", "redis_exporter"):
                    runs = [measure_exporter(kind, redis, args) for _ in range(args.repeats)]
                    entry[kind] = {"runs": runs}
                    for key, path in {
                        "p50_ms": ("latency", "p50_ms"), "p90_ms": ("latency", "p90_ms"),
                        "p99_ms": ("latency", "p99_ms"), "max_ms": ("latency", "max_ms"),
                        "rps": ("wrk", "rps"), "rss_warm_mb": ("rss_warm_mb",),
                        "hwm_after_mb": ("hwm_after_mb",),
                        "redis_commands_per_scrape": ("redis_commands_per_scrape",),
                        "redis_cpu_us_per_scrape": ("redis_cpu_us_per_scrape",),
                        "ping_max_ms": ("ping_during_scrapes", "max_ms"),
                    }.items():
                        entry[kind][key] = median_spread(runs, path)
                # Start-up to the first complete scrape, with a pinger watching Redis.
                starts = []
                for _ in range(args.repeats):
                    pinger = subprocess.Popen([BENCH_TOOL, "pinger", redis.url, "3"],
                                              stdout=subprocess.PIPE, text=True)
                    s = tool("startup", EXPORTER, redis.url, free_port())
                    s["ping"] = json.loads(pinger.communicate(timeout=60)[0].strip())
                    starts.append(s)
                entry["startup"] = {"runs": starts,
                                    "first_complete_scrape_ms": median_spread(starts, ("first_complete_scrape_ms",)),
                                    "ping_max_ms": median_spread(starts, ("ping", "max_ms"))}
                # The alternative: count the last hour in a Lua script.
                luas = []
                for _ in range(args.repeats):
                    pinger = subprocess.Popen([BENCH_TOOL, "pinger", redis.url, "3"],
                                              stdout=subprocess.PIPE, text=True)
                    time.sleep(0.3)
                    l = tool("lua-count", redis.url)
                    l["ping"] = json.loads(pinger.communicate(timeout=60)[0].strip())
                    luas.append(l)
                entry["lua_script"] = {"runs": luas,
                                       "script_ms": median_spread(luas, ("script_ms",)),
                                       "ping_max_ms": median_spread(luas, ("ping", "max_ms"))}
                results["scales"][scale] = entry
            finally:
                redis.stop()

    os.makedirs(os.path.dirname(args.out), exist_ok=True)
    with open(args.out, "w") as f:
        json.dump(results, f, indent=2)
    print(table(results))
    return 0


def fmt(ms, digits=3):
    return f"{ms['median']:.{digits}f} ({ms['min']:.{digits}f}..{ms['max']:.{digits}f})"


def table(results):
    rows = ["| scale | exporter | p50 ms | p90 ms | p99 ms | max ms | wrk req/s | RSS MB warm | HWM MB after | Redis cmds/scrape | Redis CPU us/scrape | worst PING ms while scraped |",
            "|---|---|---|---|---|---|---|---|---|---|---|---|"]
    for scale, e in results["scales"].items():
        for kind in ("ours", "redis_exporter"):
            k = e[kind]
            rows.append(f"| {scale} | {kind} | {fmt(k['p50_ms'])} | {fmt(k['p90_ms'])} | {fmt(k['p99_ms'])} | "
                        f"{fmt(k['max_ms'])} | {fmt(k['rps'], 0)} | {fmt(k['rss_warm_mb'], 1)} | "
                        f"{fmt(k['hwm_after_mb'], 1)} | {fmt(k['redis_commands_per_scrape'], 1)} | "
                        f"{fmt(k['redis_cpu_us_per_scrape'], 1)} | {fmt(k['ping_max_ms'], 2)} |")
    rows.append("")
    rows.append("| scale | ours: start-up to first complete scrape, ms | worst PING ms during it | Lua script counting the last hour, ms | worst PING ms during it | p50 ratio redis_exporter / ours |")
    rows.append("|---|---|---|---|---|---|")
    for scale, e in results["scales"].items():
        ratio = e["redis_exporter"]["p50_ms"]["median"] / e["ours"]["p50_ms"]["median"]
        rows.append(f"| {scale} | {fmt(e['startup']['first_complete_scrape_ms'], 1)} | "
                    f"{fmt(e['startup']['ping_max_ms'], 2)} | {fmt(e['lua_script']['script_ms'], 1)} | "
                    f"{fmt(e['lua_script']['ping_max_ms'], 2)} | {ratio:.1f}x |")
    return "\n".join(rows)


if __name__ == "__main__":
    sys.exit(main())
