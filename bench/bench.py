#!/usr/bin/env python3
"""faas4j benchmark driver. Run it through bench/run.sh, which installs wrk and nginx and builds the jars.

Everything runs on 127.0.0.1, every duration is bounded, and every process this script starts (the
gateway, the workerd processes it starts, a direct workerd, nginx, the PostgreSQL server the cluster
scenario may start) is stopped before it exits, also on Ctrl-C or SIGTERM. Results: a table on stdout and a JSON summary (bench/results/latest.json by default).
"""
import argparse
import datetime
import glob
import http.client
import json
import os
import platform
import random
import re
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import urllib.parse
import threading
import time

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(HERE)
GATEWAY_JAR = os.environ.get("BENCH_GATEWAY_JAR") or os.path.join(ROOT, "examples", "gateway", "target", "faas-gateway.jar")
BENCH_JAR = os.path.join(HERE, "java", "target", "faas-bench.jar")
LISTENING = re.compile(r"listening on http://127\.0\.0\.1:(\d+)")
HELLO = 'addEventListener("fetch", e => e.respondWith(new Response("hello from v1")))'
SCENARIOS = ["proxy", "resume", "frozen", "deploy", "density", "restore", "router", "restart", "slowcallers",
             "prometheus", "cluster", "canary", "scale"]
# what runs when no scenario is named; cluster needs a PostgreSQL server, restart runs 100+ workerd
# processes, slowcallers holds 1,000+ connections, prometheus needs Debian's prometheus and canary is a
# check rather than a measurement, so they run only when asked for
DEFAULT_SCENARIOS = [s for s in SCENARIOS if s not in ("cluster", "restart", "slowcallers", "prometheus", "canary")]
# (scale runs by default: a CPU-bound function at one replica, then autoscaled to as many as there are cores)

# ------------------------------------------------------------------------------------------------
# process bookkeeping: everything we start is registered here and stopped in cleanup()

_started = []
_tmp_root = None
# callables run by cleanup() after the processes are stopped, last registered first (e.g. dropping a
# schema, then stopping the PostgreSQL server the cluster scenario started)
_cleanup_hooks = []


def log(msg):
    print(msg, file=sys.stderr, flush=True)


def spawn(cmd, **kw):
    proc = subprocess.Popen(cmd, **kw)
    _started.append(proc)
    return proc


def stop_process(proc, grace=20.0):
    if proc.poll() is None:
        proc.send_signal(signal.SIGTERM)
        try:
            proc.wait(grace)
        except subprocess.TimeoutExpired:
            log(f"  pid {proc.pid} ignored SIGTERM for {grace}s; killing it")
            proc.kill()
            proc.wait(10)
    if proc in _started:
        _started.remove(proc)


def workerd_pids_under(directory):
    """PIDs of workerd processes whose command line mentions directory (ours: they live in our temp dir)."""
    pids = []
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            with open(f"/proc/{entry}/cmdline", "rb") as f:
                cmdline = f.read().replace(b"\0", b" ").decode(errors="replace")
        except OSError:
            continue
        if "workerd" in cmdline and directory in cmdline and "faas-gateway.jar" not in cmdline:
            pids.append(int(entry))
    return pids


def run_cleanup_hooks():
    while _cleanup_hooks:
        hook = _cleanup_hooks.pop()
        try:
            hook()
        except Exception as e:  # keep going: the next hook may stop a server
            log(f"  clean-up step failed: {e}")


def cleanup():
    for proc in list(reversed(_started)):
        try:
            stop_process(proc, grace=10.0)
        except Exception as e:  # keep going: every other process must still be stopped
            log(f"  could not stop pid {proc.pid}: {e}")
    run_cleanup_hooks()
    if _tmp_root:
        for pid in workerd_pids_under(_tmp_root):
            log(f"  killing leftover workerd {pid}")
            try:
                os.kill(pid, signal.SIGKILL)
            except ProcessLookupError:
                pass
        shutil.rmtree(_tmp_root, ignore_errors=True)


def on_signal(signum, _frame):
    log(f"signal {signum}: stopping everything")
    cleanup()
    sys.exit(128 + signum)


# ------------------------------------------------------------------------------------------------
# small helpers


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def call(port, method, path, host=None, body=None, timeout=60.0):
    """One request on a fresh connection; returns (status, body text)."""
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=timeout)
    try:
        headers = {"Host": host} if host else {}
        data = None
        if body is not None:
            data = json.dumps(body).encode()
            headers["Content-Type"] = "application/json"
        conn.request(method, path, body=data, headers=headers)
        resp = conn.getresponse()
        return resp.status, resp.read().decode(errors="replace")
    finally:
        conn.close()


def wait_for_200(port, host=None, deadline_s=30.0, pause=0.0005):
    """Polls until GET / answers 200; returns the seconds it took. Connection refusals are retried."""
    start = time.monotonic()
    while True:
        try:
            status, _ = call(port, "GET", "/", host=host, timeout=deadline_s)
            if status == 200:
                return time.monotonic() - start
        except (ConnectionError, OSError, http.client.HTTPException):
            pass
        if time.monotonic() - start > deadline_s:
            raise RuntimeError(f"no 200 from 127.0.0.1:{port} (Host {host}) within {deadline_s}s")
        time.sleep(pause)


def pct(values, p):
    """Nearest-rank percentile (p in 0..100)."""
    s = sorted(values)
    if not s:
        return None
    k = max(0, min(len(s) - 1, int(round(p / 100.0 * len(s) + 0.5)) - 1))
    return s[k]


def ms(seconds):
    return None if seconds is None else round(seconds * 1000.0, 2)


def spread(values):
    """(max - min) / median, as a fraction: how much the repeats disagree."""
    if len(values) < 2:
        return 0.0
    m = statistics.median(values)
    return (max(values) - min(values)) / m if m else 0.0


def loadavg():
    with open("/proc/loadavg") as f:
        return [float(x) for x in f.read().split()[:3]]


def mem_available_mib():
    with open("/proc/meminfo") as f:
        for line in f:
            if line.startswith("MemAvailable:"):
                return int(line.split()[1]) // 1024
    return 0


def proc_memory_kb(pid):
    """(VmRSS, Pss) of a process in KiB; Pss splits shared pages (the workerd binary) among its users."""
    rss = pss = 0
    try:
        with open(f"/proc/{pid}/status") as f:
            for line in f:
                if line.startswith("VmRSS:"):
                    rss = int(line.split()[1])
        with open(f"/proc/{pid}/smaps_rollup") as f:
            for line in f:
                if line.startswith("Pss:"):
                    pss = int(line.split()[1])
    except OSError:
        pass
    return rss, pss


def children(pid):
    out = []
    for entry in os.listdir("/proc"):
        if entry.isdigit():
            try:
                with open(f"/proc/{entry}/stat") as f:
                    if int(f.read().rsplit(")", 1)[1].split()[1]) == pid:
                        out.append(int(entry))
            except (OSError, ValueError, IndexError):
                pass
    return out


def cpu_seconds(pids):
    """User + system CPU time used so far by these processes (all their threads)."""
    ticks = 0
    for pid in pids:
        try:
            with open(f"/proc/{pid}/stat") as f:
                fields = f.read().rsplit(")", 1)[1].split()
            ticks += int(fields[11]) + int(fields[12])
        except (OSError, ValueError, IndexError):
            pass
    return ticks / os.sysconf("SC_CLK_TCK")


def find_workerd_binary():
    explicit = os.environ.get("FAAS4J_WORKERD_BINARY")
    if explicit:
        return explicit
    found = sorted(glob.glob(os.path.expanduser(
        "~/.cache/faas4j/workerd/*/node_modules/@cloudflare/workerd-linux-64/bin/workerd")))
    if not found:
        raise SystemExit("workerd binary not found: build the gateway once (bench/run.sh does:"
                         " ./mvnw -q -DskipTests package -pl examples/gateway -am), or set FAAS4J_WORKERD_BINARY")
    return found[-1]


# ------------------------------------------------------------------------------------------------
# the parts under test


class Gateway:
    """The standalone gateway jar as a child process, with its own data directory."""

    def __init__(self, data_dir, idle_timeout="60s", name="gateway", jar=None, extra_args=()):
        self.data_dir = data_dir
        os.makedirs(data_dir, exist_ok=True)
        self.log_path = os.path.join(_tmp_root, f"{name}-{int(time.time() * 1000)}.log")
        cmd = ["java", *os.environ.get("BENCH_GATEWAY_JVM_OPTS", "").split(), "-jar", jar or GATEWAY_JAR,
               "--port", "0", "--data-dir", data_dir, "--idle-timeout", idle_timeout, *extra_args]
        self.spawned_at = time.monotonic()
        self._log = open(self.log_path, "w")
        self.proc = spawn(cmd, stdout=subprocess.PIPE, stderr=self._log, text=True)
        self.port = None
        while self.port is None:
            line = self.proc.stdout.readline()
            if not line:
                raise RuntimeError(f"gateway exited ({self.proc.wait()}) before listening; see {self.log_path}:\n"
                                   + open(self.log_path).read()[-3000:])
            m = LISTENING.search(line)
            if m:
                self.port = int(m.group(1))
        self.listening_after = time.monotonic() - self.spawned_at
        threading.Thread(target=self._drain, daemon=True).start()

    def _drain(self):
        for _ in self.proc.stdout:
            pass

    def deploy(self, name, version, code=HELLO, alias=None):
        body = {"version": version, "code": code}
        if alias:
            body["alias"] = alias
        status, text = call(self.port, "POST", f"/api/deploy/{name}", body=body)
        if status != 200:
            raise RuntimeError(f"deploy {name} {version}: {status} {text}")
        return json.loads(text)

    def get(self, host, path="/"):
        return call(self.port, "GET", path, host=host)

    def version_state(self, name, version):
        status, text = call(self.port, "GET", f"/api/functions/{name}")
        if status != 200:
            raise RuntimeError(f"describe {name}: {status} {text}")
        for v in json.loads(text)["function"]["versions"]:
            if v["version"] == version:
                return v["state"]
        return None

    def workerd_pids(self):
        return workerd_pids_under(self.data_dir)

    def memory(self):
        jvm_rss, jvm_pss = proc_memory_kb(self.proc.pid)
        pids = self.workerd_pids()
        w_rss = w_pss = 0
        for pid in pids:
            r, p = proc_memory_kb(pid)
            w_rss += r
            w_pss += p
        return {"jvm_rss_mib": round(jvm_rss / 1024, 1), "jvm_pss_mib": round(jvm_pss / 1024, 1),
                "workerd_processes": len(pids),
                "workerd_rss_sum_mib": round(w_rss / 1024, 1), "workerd_pss_sum_mib": round(w_pss / 1024, 1),
                "total_rss_sum_mib": round((jvm_rss + w_rss) / 1024, 1),
                "total_pss_mib": round((jvm_pss + w_pss) / 1024, 1)}

    def stop(self):
        stop_process(self.proc, grace=60.0)
        self._log.close()
        deadline = time.monotonic() + 10
        while self.workerd_pids() and time.monotonic() < deadline:
            time.sleep(0.1)
        left = self.workerd_pids()
        if left:
            log(f"  WARNING: the gateway left workerd processes {left}; killing them")
            for pid in left:
                os.kill(pid, signal.SIGKILL)
        return not left


class DirectWorkerd:
    """A workerd process started from a config the gateway generated, on a port of our choosing."""

    def __init__(self, binary, config, binary_config=False):
        self.port = free_port()
        self.spawned_at = time.monotonic()
        self.proc = spawn([binary, "serve", *(["--binary"] if binary_config else []), os.path.basename(config),
                           "-s", f"http=127.0.0.1:{self.port}"],
                          cwd=os.path.dirname(config), stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)

    def stop(self):
        stop_process(self.proc, grace=5.0)


class Nginx:
    """nginx with one worker as a keep-alive reverse proxy in front of upstream_port."""

    def __init__(self, directory, upstream_port):
        self.port = free_port()
        os.makedirs(directory, exist_ok=True)
        conf = os.path.join(directory, "nginx.conf")
        with open(conf, "w") as f:
            f.write(f"""
worker_processes 1;
daemon off;
master_process on;
pid {directory}/nginx.pid;
error_log {directory}/error.log warn;
events {{ worker_connections 1024; }}
http {{
  access_log off;
  client_body_temp_path {directory}/body;
  proxy_temp_path {directory}/proxy;
  upstream fn {{ server 127.0.0.1:{upstream_port}; keepalive 128; }}
  server {{
    listen 127.0.0.1:{self.port};
    location / {{
      proxy_pass http://fn;
      proxy_http_version 1.1;
      proxy_set_header Connection "";
      proxy_set_header Host $host;
      # what the gateway tells a function by default: the same work for both proxies and for workerd
      proxy_set_header X-Forwarded-For $proxy_add_x_forwarded_for;
      proxy_set_header X-Forwarded-Proto $scheme;
      proxy_set_header X-Forwarded-Host $host;
      proxy_buffering on;
    }}
  }}
}}
""")
        self.proc = spawn(["nginx", "-c", conf, "-p", directory], stdout=subprocess.DEVNULL,
                          stderr=open(os.path.join(directory, "stderr.log"), "w"))

    def stop(self):
        stop_process(self.proc, grace=5.0)


class JettyProxy:
    """Jetty 12's ProxyHandler.Reverse (bench/java's JettyReverseProxy) in front of upstream_port."""

    def __init__(self, upstream_port):
        if not os.path.exists(BENCH_JAR):
            raise RuntimeError(f"{BENCH_JAR} is missing: bench/run.sh builds it with -Pbench")
        self.proc = spawn(["java", "-cp", BENCH_JAR, "dev.faas4j.bench.JettyReverseProxy", str(upstream_port)],
                          stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True)
        line = self.proc.stdout.readline()
        m = re.match(r"listening on (\d+)", line)
        if not m:
            raise RuntimeError(f"JettyReverseProxy did not start: {line!r}")
        self.port = int(m.group(1))

    def stop(self):
        stop_process(self.proc, grace=5.0)


# ------------------------------------------------------------------------------------------------
# wrk

_UNITS = {"us": 1e-3, "ms": 1.0, "s": 1000.0, "m": 60000.0}


def _latency_ms(text):
    m = re.match(r"([\d.]+)(us|ms|s|m)$", text)
    return float(m.group(1)) * _UNITS[m.group(2)]


# The headers a proxy that tells functions about their caller adds (the gateway by default, and
# nginx as configured here), sent by wrk itself for the "direct-fwd" target: workerd's own cost of them.
FORWARDED = ("X-Forwarded-For: 127.0.0.1", "X-Forwarded-Proto: http", "X-Forwarded-Host: hello.func.local")


def wrk(port, host=None, threads=2, conns=64, duration=10, script=None, headers=()):
    cmd = ["wrk", f"-t{threads}", f"-c{conns}", f"-d{duration}s", "--latency", "--timeout", "10s"]
    if host:
        cmd += ["-H", f"Host: {host}"]
    for header in headers:
        cmd += ["-H", header]
    if script:
        cmd += ["-s", script]
    cmd.append(f"http://127.0.0.1:{port}/")
    out = subprocess.run(cmd, capture_output=True, text=True, timeout=duration + 60).stdout
    result = {"rps": float(re.search(r"Requests/sec:\s+([\d.]+)", out).group(1)),
              "requests": int(re.search(r"(\d+) requests in", out).group(1))}
    for p in ("50", "75", "90", "99"):
        m = re.search(rf"^\s+{p}(?:\.000)?%\s+(\S+)", out, re.M)
        result[f"p{p}_ms"] = round(_latency_ms(m.group(1)), 3) if m else None
    m = re.search(r"Non-2xx or 3xx responses: (\d+)", out)
    result["non2xx"] = int(m.group(1)) if m else 0
    m = re.search(r"Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)", out)
    result["socket_errors"] = sum(int(x) for x in m.groups()) if m else 0
    return result


# ------------------------------------------------------------------------------------------------
# scenarios


def scenario_proxy(args, binary):
    gw = Gateway(os.path.join(_tmp_root, "proxy"))
    direct = nginx = nofwd = jetty = None
    baselines = {}
    try:
        gw.deploy("hello", "v1")
        wait_for_200(gw.port, "hello.func.local")
        # the same build, telling functions nothing about the caller: the work direct workerd does
        nofwd = Gateway(os.path.join(_tmp_root, "proxy-nofwd"), name="gw-nofwd",
                        extra_args=("--forwarded-headers", "false"))
        nofwd.deploy("hello", "v1")
        wait_for_200(nofwd.port, "hello.func.local")
        for i, jar in enumerate(args.baseline_jar or []):
            # other builds of the gateway (e.g. before a change), measured in the same rounds
            name = f"base{i + 1}"
            baselines[name] = b = Gateway(os.path.join(_tmp_root, "proxy-" + name), name=name, jar=jar)
            b.deploy("hello", "v1")
            wait_for_200(b.port, "hello.func.local")
        configs = glob.glob(os.path.join(gw.data_dir, "workerd", "**", "config.capnp"), recursive=True)
        if len(configs) != 1:
            raise RuntimeError(f"expected one generated workerd config under {gw.data_dir}, found {configs}")
        direct = DirectWorkerd(binary, configs[0])
        wait_for_200(direct.port)
        nginx = Nginx(os.path.join(_tmp_root, "nginx"), direct.port)
        wait_for_200(nginx.port, "hello.func.local")
        jetty = JettyProxy(direct.port)
        wait_for_200(jetty.port, "hello.func.local")
        targets = {"direct": (direct.port, None, ()), "direct-fwd": (direct.port, None, FORWARDED),
                   "nginx": (nginx.port, "hello.func.local", ()), "gateway": (gw.port, "hello.func.local", ()),
                   "gw-nofwd": (nofwd.port, "hello.func.local", ()),
                   "jetty-proxy": (jetty.port, "hello.func.local", ())}
        # the processes that do the proxying (the workerd behind it is counted apart)
        proxy_pids = {"direct": lambda: [], "direct-fwd": lambda: [],
                      "nginx": lambda: [nginx.proc.pid] + children(nginx.proc.pid),
                      "gateway": lambda: [gw.proc.pid], "gw-nofwd": lambda: [nofwd.proc.pid],
                      "jetty-proxy": lambda: [jetty.proc.pid]}
        upstream_pids = {"direct": lambda: [direct.proc.pid], "direct-fwd": lambda: [direct.proc.pid],
                         "nginx": lambda: [direct.proc.pid], "gateway": gw.workerd_pids,
                         "gw-nofwd": nofwd.workerd_pids, "jetty-proxy": lambda: [direct.proc.pid]}
        for name, b in baselines.items():
            targets[name] = (b.port, "hello.func.local", ())
            proxy_pids[name] = (lambda b=b: [b.proc.pid])
            upstream_pids[name] = b.workerd_pids
        names = list(targets)
        log(f"  warm-up {args.warmup}s each")
        for name in names:
            port, host, headers = targets[name]
            wrk(port, host, duration=args.warmup, headers=headers)
        runs = {n: [] for n in names}
        single = {n: [] for n in names}
        for r in range(args.repeats):
            order = names[r % len(names):] + names[:r % len(names)]  # rotate, so no target always runs first or last
            for name in order:
                port, host, headers = targets[name]
                pp, up = proxy_pids[name](), upstream_pids[name]()
                cpu0 = (cpu_seconds(pp), cpu_seconds(up))
                res = wrk(port, host, threads=2, conns=64, duration=args.duration, headers=headers)
                res["proxy_cpu_us_per_request"] = round(1e6 * (cpu_seconds(pp) - cpu0[0]) / res["requests"], 1)
                res["upstream_cpu_us_per_request"] = round(1e6 * (cpu_seconds(up) - cpu0[1]) / res["requests"], 1)
                runs[name].append(res)
                log(f"  round {r + 1} {name:10s} {res['rps']:9.0f} req/s  p50 {res['p50_ms']} ms"
                    f"  p99 {res['p99_ms']} ms  errors {res['non2xx'] + res['socket_errors']}"
                    f"  cpu/req proxy {res['proxy_cpu_us_per_request']} us, workerd {res['upstream_cpu_us_per_request']} us")
            for name in order:
                port, host, headers = targets[name]
                res = wrk(port, host, threads=1, conns=1, duration=args.latency_duration, headers=headers)
                single[name].append(res)
                log(f"  round {r + 1} {name:10s} 1 connection: p50 {res['p50_ms']} ms  ({res['rps']:.0f} req/s)")
        summary = {}
        for name in names:
            rps = [x["rps"] for x in runs[name]]
            summary[name] = {
                "rps_median": round(statistics.median(rps)),
                "rps_runs": [round(x) for x in rps],
                "rps_spread": round(spread(rps), 3),
                "p50_ms": statistics.median(x["p50_ms"] for x in runs[name]),
                "p99_ms": statistics.median(x["p99_ms"] for x in runs[name]),
                "errors": sum(x["non2xx"] + x["socket_errors"] for x in runs[name]),
                "proxy_cpu_us_per_request": statistics.median(x["proxy_cpu_us_per_request"] for x in runs[name]),
                "workerd_cpu_us_per_request": statistics.median(x["upstream_cpu_us_per_request"] for x in runs[name]),
                "single_connection_p50_ms": statistics.median(x["p50_ms"] for x in single[name]),
                "single_connection_rps": round(statistics.median(x["rps"] for x in single[name])),
            }
        # ratios per round (the targets of one round ran back to back), then their median
        def ratio(a, b):
            return round(statistics.median(x["rps"] / y["rps"] for x, y in zip(runs[a], runs[b])), 3)
        summary["ratio_gateway_direct"] = ratio("gateway", "direct")
        summary["ratio_nginx_direct"] = ratio("nginx", "direct")
        summary["ratio_gateway_nginx"] = ratio("gateway", "nginx")
        # with the same headers reaching workerd: what the proxies themselves cost
        summary["ratio_direct_fwd_direct"] = ratio("direct-fwd", "direct")
        summary["ratio_gateway_direct_fwd"] = ratio("gateway", "direct-fwd")
        summary["ratio_nginx_direct_fwd"] = ratio("nginx", "direct-fwd")
        summary["ratio_gw_nofwd_direct"] = ratio("gw-nofwd", "direct")
        summary["ratio_jetty_proxy_direct"] = ratio("jetty-proxy", "direct")
        summary["ratio_gateway_jetty_proxy"] = ratio("gateway", "jetty-proxy")
        summary["cpu_per_request_gateway_nginx"] = round(
            summary["gateway"]["proxy_cpu_us_per_request"] / summary["nginx"]["proxy_cpu_us_per_request"], 3)
        for i, name in enumerate(baselines):
            summary[f"ratio_gateway_{name}"] = ratio("gateway", name)
            summary[f"ratio_{name}_direct"] = ratio(name, "direct")
            summary[f"{name}_jar"] = args.baseline_jar[i]
        summary["gateway_jar"] = GATEWAY_JAR
        summary["added_p50_ms_single_connection"] = round(
            summary["gateway"]["single_connection_p50_ms"] - summary["direct"]["single_connection_p50_ms"], 3)
        summary["added_p50_ms_at_64_connections"] = round(summary["gateway"]["p50_ms"] - summary["direct"]["p50_ms"], 3)
        summary["settings"] = {"wrk": f"-t2 -c64 -d{args.duration}s --latency after {args.warmup}s warm-up",
                               "single_connection": f"-t1 -c1 -d{args.latency_duration}s",
                               "repeats": args.repeats, "order": "rotated each round"}
        return summary
    finally:
        if jetty:
            jetty.stop()
        if nginx:
            nginx.stop()
        if nofwd:
            nofwd.stop()
        if direct:
            direct.stop()
        for b in baselines.values():
            b.stop()
        gw.stop()


def timing_summary(values):
    return {"n": len(values), "p50_ms": ms(pct(values, 50)), "p90_ms": ms(pct(values, 90)),
            "max_ms": ms(max(values)) if values else None, "min_ms": ms(min(values)) if values else None}


def scenario_resume(args, binary):
    n = args.samples
    result = {}
    data_dir = os.path.join(_tmp_root, "resume")
    # Where workerd can freeze, an idle version is frozen first and suspended only after the frozen
    # timeout: a zero one suspends it in the same pass, which is what this scenario measures.
    no_frozen_tier = ("--frozen-timeout", "0s") if gateway_accepts("--frozen-timeout") else ()
    gw = Gateway(data_dir, idle_timeout="500ms", extra_args=no_frozen_tier)
    try:
        gw.deploy("r", "v1")
        gw.deploy("r", "v2")  # the latest, kept warm; v1 is suspended when idle
        times, failures = [], 0
        for i in range(n if no_frozen_tier else 0):
            deadline = time.monotonic() + 30
            while gw.version_state("r", "v1") != "suspended":
                if time.monotonic() > deadline:
                    raise RuntimeError("v1 of r was not suspended within 30 s of idling (idle timeout 500ms)")
                time.sleep(0.05)
            t0 = time.monotonic()
            status, _ = gw.get("v1.r.func.local")
            dt = time.monotonic() - t0
            if status == 200:
                times.append(dt)
            else:
                failures += 1
        if no_frozen_tier:
            result["from_suspended"] = {**timing_summary(times), "failures": failures}
            log(f"  from suspended: {result['from_suspended']}")
        else:
            result["from_suspended_skipped"] = "the gateway has no --frozen-timeout: idle versions stay frozen"
            log("  from suspended: skipped, " + result["from_suspended_skipped"])

        # never started in this JVM: versions deployed before a restart, lazily restored
        for i in range(n):
            gw.deploy("cold", f"v{i}")
        config = glob.glob(os.path.join(data_dir, "workerd", "**", "config.capnp"), recursive=True)[0]
        floor_config_dir = os.path.join(_tmp_root, "floor")
        shutil.copytree(os.path.dirname(config), floor_config_dir)
        gw.stop()
        gw = Gateway(data_dir, idle_timeout="500ms")
        times, failures = [], 0
        for i in range(n):
            t0 = time.monotonic()
            status, _ = gw.get(f"v{i}.cold.func.local")
            dt = time.monotonic() - t0
            if status == 200:
                times.append(dt)
            else:
                failures += 1
        result["never_started"] = {**timing_summary(times), "failures": failures}
        log(f"  never started: {result['never_started']}")
    finally:
        gw.stop()

    result["raw_workerd_start_to_200"] = timing_summary(raw_start_to_200(binary, os.path.join(floor_config_dir, "config.capnp"), n))
    log(f"  raw workerd start to 200: {result['raw_workerd_start_to_200']}")

    # The floor again as the resume samples meet it: each start after the machine idled for the idle
    # timeout (a start after a pause costs a few ms more than back to back), on the config the gateway
    # runs (the binary one, where the provider writes it).
    result["raw_workerd_after_idle_to_200"] = raw_start_after_idle_to_200(binary, floor_config_dir, n)
    log(f"  raw workerd start to 200 after 0.5 s idle: {result['raw_workerd_after_idle_to_200']}")
    return result


def raw_start_after_idle_to_200(binary, config_dir, n, idle_s=0.5):
    """Timing summary of n workerd spawns to first 200, each after {idle_s} of quiet, on the config the
    gateway wrote into {config_dir} (its binary form where there is one)."""
    binary_config = os.path.join(config_dir, "config.binary.capnp")
    has_binary = os.path.exists(binary_config)
    times = []
    for _ in range(n):
        time.sleep(idle_s)
        w = DirectWorkerd(binary, binary_config if has_binary else os.path.join(config_dir, "config.capnp"),
                          binary_config=has_binary)
        try:
            times.append(wait_for_200(w.port, deadline_s=30))
        finally:
            w.stop()
    return {**timing_summary(times), "binary_config": has_binary}


def gateway_accepts(flag):
    """Whether the gateway jar lists {flag} in its --help."""
    out = subprocess.run(["java", "-jar", GATEWAY_JAR, "--help"], capture_output=True, text=True, timeout=60)
    return flag in out.stdout + out.stderr


def raw_start_to_200(binary, config, n):
    """Seconds from spawning workerd on {config} to its first 200, n times."""
    times = []
    for _ in range(n):
        w = DirectWorkerd(binary, config)
        try:
            times.append(wait_for_200(w.port, deadline_s=30))
        finally:
            w.stop()
    return times


def scenario_frozen(args, binary):
    """The first request to a frozen version against a bare workerd start to 200, in one run."""
    n = args.samples
    data_dir = os.path.join(_tmp_root, "frozen")
    gw = Gateway(data_dir, idle_timeout="500ms")
    result = {}
    try:
        gw.deploy("z", "v1")  # left running by the deploy, then frozen when idle
        gw.deploy("z", "v2")  # the latest, kept warm
        times, warm, failures = [], [], 0
        for i in range(n):
            deadline = time.monotonic() + 30
            while gw.version_state("z", "v1") != "frozen":
                if time.monotonic() > deadline:
                    raise RuntimeError("v1 of z was not frozen within 30 s of idling (idle timeout 500ms);"
                                       f" it is {gw.version_state('z', 'v1')}")
                time.sleep(0.05)
            t0 = time.monotonic()
            status, _ = gw.get("v1.z.func.local")
            dt = time.monotonic() - t0
            if status == 200:
                times.append(dt)
            else:
                failures += 1
            t0 = time.monotonic()  # the same request to the version now running: what the thaw adds
            status, _ = gw.get("v1.z.func.local")
            if status == 200:
                warm.append(time.monotonic() - t0)
        result["from_frozen"] = {**timing_summary(times), "failures": failures}
        result["running"] = timing_summary(warm)
        log(f"  from frozen: {result['from_frozen']}; the next request, running: {result['running']}")
        config = glob.glob(os.path.join(data_dir, "workerd", "z", "v1", "config.capnp"))
        config = config or glob.glob(os.path.join(data_dir, "workerd", "**", "config.capnp"), recursive=True)
        floor_dir = os.path.join(_tmp_root, "frozen-floor")
        shutil.copytree(os.path.dirname(config[0]), floor_dir)
    finally:
        gw.stop()
    result["raw_workerd_start_to_200"] = timing_summary(raw_start_to_200(binary, os.path.join(floor_dir, "config.capnp"), n))
    log(f"  raw workerd start to 200: {result['raw_workerd_start_to_200']}")
    result["ratio_frozen_raw_p50"] = round(result["from_frozen"]["p50_ms"] / result["raw_workerd_start_to_200"]["p50_ms"], 4)
    result["target"] = "ratio <= 0.05 (issue 20; reported, never asserted)"
    log(f"  first request to a frozen version / bare workerd start, p50: {result['ratio_frozen_raw_p50']}")
    return result


# Counts answers by the version that gave them (X-Faas4j-Version) over all of wrk's threads.
CANARY_LUA = """
local threads = {}
function setup(thread) table.insert(threads, thread) end
function init(args) v1 = 0; v2 = 0; other = 0 end
function response(status, headers, body)
  local v = headers["X-Faas4j-Version"]
  if status ~= 200 then other = other + 1 elseif v == "v1" then v1 = v1 + 1 elseif v == "v2" then v2 = v2 + 1
  else other = other + 1 end
end
function done(summary, latency, requests)
  local a, b, c = 0, 0, 0
  for _, t in ipairs(threads) do a = a + t:get("v1"); b = b + t:get("v2"); c = c + t:get("other") end
  io.write(string.format("versions: v1 %d v2 %d other %d\\n", a, b, c))
end
"""


def scenario_canary(args, _binary):
    """A weighted alias moved 90/10 -> 50/50 -> 0/100 while wrk loads it: every answer must be a 200."""
    gw = Gateway(os.path.join(_tmp_root, "canary"))
    try:
        for version in ("v1", "v2"):
            gw.deploy("shop", version, code=HELLO.replace("hello from v1", f"shop {version}"))
        moves = [(0.0, {"v1": 90, "v2": 10}), (args.duration / 3, {"v1": 50, "v2": 50}),
                 (2 * args.duration / 3, {"v1": 0, "v2": 100})]
        script = os.path.join(_tmp_root, "canary.lua")
        with open(script, "w") as f:
            f.write(CANARY_LUA)
        status, text = call(gw.port, "PUT", "/api/functions/shop/aliases/canary", body={"weights": moves[0][1]})
        if status != 200:
            raise RuntimeError(f"setting weights: {status} {text}")
        cmd = ["wrk", "-t2", "-c32", f"-d{args.duration}s", "--timeout", "10s", "-s", script,
               "-H", "Host: canary.shop.func.local", f"http://127.0.0.1:{gw.port}/"]
        load = spawn(cmd, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
        started = time.monotonic()
        move_answers = []
        for at, weights in moves[1:]:
            time.sleep(max(0.0, started + at - time.monotonic()))
            status, text = call(gw.port, "PUT", "/api/functions/shop/aliases/canary", body={"weights": weights})
            move_answers.append(status)
            log(f"  {time.monotonic() - started:.1f} s: weights {weights} -> {status}")
        out = load.communicate(timeout=args.duration + 60)[0]
        requests = int(re.search(r"(\d+) requests in", out).group(1))
        m = re.search(r"Non-2xx or 3xx responses: (\d+)", out)
        non2xx = int(m.group(1)) if m else 0
        m = re.search(r"Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)", out)
        socket_errors = sum(int(x) for x in m.groups()) if m else 0
        v = re.search(r"versions: v1 (\d+) v2 (\d+) other (\d+)", out)
        after = [gw.get("canary.shop.func.local")[1] for _ in range(100)]
        result = {"requests": requests, "rps": float(re.search(r"Requests/sec:\s+([\d.]+)", out).group(1)),
                  "non2xx": non2xx, "socket_errors": socket_errors,
                  "v1": int(v.group(1)), "v2": int(v.group(2)), "other": int(v.group(3)),
                  "weight_moves": move_answers,
                  "after_0_100_not_v2": sum(1 for body in after if body != "shop v2")}
        log(f"  {result}")
        return result
    finally:
        gw.stop()


# A CPU-bound function: ITERATIONS rounds of an integer hash (a ?n= parameter overrides it, for calibration).
# workerd stops the clock while a request computes, so the work is counted in iterations, not in elapsed time.
CPU_BOUND = """addEventListener("fetch", e => {
  const given = new URL(e.request.url).searchParams.get("n");
  const n = Number(given === null ? ITERATIONS : given);
  let h = 2166136261;
  for (let i = 0; i < n; i++) { h = Math.imul(h ^ i, 16777619); h ^= h >>> 13; }
  e.respondWith(new Response(String(h >>> 0)));
});"""


def _cpu_per_request_s(gw, host, path, count):
    """CPU seconds the gateway's workerd processes spend per request (robust to a loaded machine, unlike wall time)."""
    pids = gw.workerd_pids()
    before = cpu_seconds(pids)
    for _ in range(count):
        status, text = call(gw.port, "GET", path, host=host)
        if status != 200:
            raise RuntimeError(f"GET {host}{path}: {status} {text}")
    return (cpu_seconds(pids) - before) / count


def _replicas(gw, name, version):
    status, text = call(gw.port, "GET", f"/api/functions/{name}")
    for v in json.loads(text)["function"]["versions"]:
        if v["version"] == version:
            return v["replicas"]
    return 0


def scenario_scale(args, _binary):
    """A CPU-bound function (about 5 ms of CPU a request) under wrk: one replica, then autoscaled to one per core."""
    cores = os.cpu_count() or 2
    gw = Gateway(os.path.join(_tmp_root, "scale"))
    try:
        # calibrate: iterations per 5 ms, from the median time of requests with and without work
        status, text = call(gw.port, "POST", "/api/deploy/cpu", body={
            "version": "calib", "code": CPU_BOUND, "env_vars": {"ITERATIONS": "0"}})
        if status != 200:
            raise RuntimeError(f"deploy calib: {status} {text}")
        probe = 4_000_000
        _cpu_per_request_s(gw, "calib.cpu.func.local", f"/?n={probe}", 10)  # JIT warm-up
        empty = _cpu_per_request_s(gw, "calib.cpu.func.local", "/?n=0", 100)
        loaded = _cpu_per_request_s(gw, "calib.cpu.func.local", f"/?n={probe}", 100)
        per_iteration = max(1e-12, (loaded - empty) / probe)
        iterations = int(0.005 / per_iteration)
        log(f"  calibration: {iterations} iterations for 5 ms of CPU (workerd CPU per request: {ms(empty)} ms"
            f" without work, {ms(loaded)} ms with {probe} iterations)")
        call(gw.port, "DELETE", "/api/functions/cpu/versions/calib?force=true")
        targets = {"one": {"max": 1}, "auto": {"max": cores, "target_concurrency": 2}}
        for version, scaling in targets.items():
            status, text = call(gw.port, "POST", "/api/deploy/cpu", body={
                "version": version, "code": CPU_BOUND, "env_vars": {"ITERATIONS": str(iterations)}, "scaling": scaling})
            if status != 200:
                raise RuntimeError(f"deploy {version}: {status} {text}")
        rounds = {name: [] for name in targets}
        replicas = {name: [] for name in targets}
        for _ in range(args.repeats):
            for name in targets:
                host = f"{name}.cpu.func.local"
                wrk(gw.port, host, threads=2, conns=16, duration=args.warmup)  # JIT, and time for the autoscaler
                replicas[name].append(_replicas(gw, "cpu", name))
                pids = gw.workerd_pids()
                before = {pid: cpu_seconds([pid]) for pid in pids}
                rounds[name].append(wrk(gw.port, host, threads=2, conns=16, duration=args.duration))
                # CPU seconds each workerd process used during the run: shows whether the replicas shared the work
                busy = sorted((round(cpu_seconds([pid]) - t, 2) for pid, t in before.items()), reverse=True)
                rounds[name][-1]["workerd_cpu_s"] = [b for b in busy if b > 0.05]
                log(f"  {name}: {rounds[name][-1]['rps']:.0f} req/s with {replicas[name][-1]} replica(s);"
                    f" workerd CPU seconds by process {rounds[name][-1]['workerd_cpu_s']}")
        result = {"iterations_for_5ms": iterations, "cores": cores, "wrk": "-t2 -c16"}
        for name in targets:
            rps = [r["rps"] for r in rounds[name]]
            result[name] = {"scaling": targets[name], "rps_median": round(statistics.median(rps), 1),
                            "rps_spread": round(spread(rps), 3), "replicas_under_load": replicas[name],
                            "p50_ms": statistics.median(r["p50_ms"] for r in rounds[name]),
                            "non2xx": sum(r["non2xx"] for r in rounds[name]),
                            "workerd_cpu_s": [r["workerd_cpu_s"] for r in rounds[name]]}
        result["ratio_auto_one"] = round(result["auto"]["rps_median"] / result["one"]["rps_median"], 3)
        log(f"  {result}")
        return result
    finally:
        gw.stop()


def scenario_deploy(args, binary):
    """Deploy -> first 200 of 30 new functions, each after 0.5 s of quiet, against a bare workerd start
    to 200 after the same quiet, on the config the gateway wrote, in one run."""
    n = args.samples
    data_dir = os.path.join(_tmp_root, "deploy")
    gw = Gateway(data_dir)
    try:
        to_200, acks, failures = [], [], 0
        for i in range(n):
            time.sleep(0.5)
            t0 = time.monotonic()
            gw.deploy(f"d{i}", "v1")
            acks.append(time.monotonic() - t0)
            try:
                wait_for_200(gw.port, f"d{i}.func.local", deadline_s=30, pause=0.001)
                to_200.append(time.monotonic() - t0)
            except RuntimeError:
                failures += 1
        result = {"deploy_to_first_200": {**timing_summary(to_200), "failures": failures},
                  "deploy_answer": timing_summary(acks), "running_versions_at_end": len(gw.workerd_pids())}
        log(f"  {result}")
        floor_dir = os.path.join(_tmp_root, "deploy-floor")
        shutil.copytree(os.path.join(data_dir, "workerd", "d0", "v1"), floor_dir)
    finally:
        gw.stop()
    result["raw_workerd_after_idle_to_200"] = raw_start_after_idle_to_200(binary, floor_dir, n)
    log(f"  raw workerd start to 200 after 0.5 s idle: {result['raw_workerd_after_idle_to_200']}")
    result["ratio_deploy_raw_p50"] = round(result["deploy_to_first_200"]["p50_ms"]
                                           / result["raw_workerd_after_idle_to_200"]["p50_ms"], 3)
    result["target"] = "ratio <= 1.2 (issue 20; reported, never asserted)"
    return result


def scenario_density(args, _binary):
    n, hot = args.density, min(100, args.density)
    # Idle functions are suspended, latest versions included: only the hot set keeps running.
    gw = Gateway(os.path.join(_tmp_root, "density"), idle_timeout="5s", extra_args=("--keep-latest-warm", "false"))
    try:
        t0 = time.monotonic()
        stopped_early = None
        for i in range(n):
            if i % 50 == 0 and mem_available_mib() < args.min_free_mib:
                # the machine is shared: never push it into swapping or the OOM killer
                stopped_early = f"stopped at {i} functions: less than {args.min_free_mib} MiB of memory available"
                log("  " + stopped_early)
                n = i
                break
            gw.deploy(f"f{i}", "v1")
            if (i + 1) % 100 == 0:
                log(f"  deployed {i + 1}/{n}")
        deploy_s = time.monotonic() - t0
        hot = min(hot, n)
        bad = 0
        for i in range(n):
            status, _ = gw.get(f"f{i}.func.local")
            bad += status != 200
        after_calls = gw.memory()
        log(f"  {n} deployed in {deploy_s:.1f}s, each called once ({bad} not 200): {after_calls}")
        script = os.path.join(_tmp_root, "hot.lua")
        with open(script, "w") as f:
            f.write("local hosts = {}\n"
                    f"for i = 0, {hot - 1} do hosts[#hosts + 1] = 'f' .. i .. '.func.local' end\n"
                    "local n = 0\n"
                    "request = function()\n"
                    "  n = n + 1\n"
                    "  return wrk.format('GET', '/', { Host = hosts[(n % #hosts) + 1] })\n"
                    "end\n")
        wrk(gw.port, duration=args.warmup, script=script)
        res = wrk(gw.port, duration=args.duration, script=script)
        after_load = gw.memory()
        log(f"  hot set of {hot}: {res['rps']:.0f} req/s p50 {res['p50_ms']} ms p99 {res['p99_ms']} ms; {after_load}")
        return {"functions": n, "hot": hot, "deploy_seconds": round(deploy_s, 1),
                "deploys_per_second": round(n / deploy_s, 1), "first_calls_not_200": bad,
                "memory_after_first_calls": after_calls, "memory_after_hot_load": after_load,
                "hot_rps": round(res["rps"]), "hot_p50_ms": res["p50_ms"], "hot_p99_ms": res["p99_ms"],
                "hot_errors": res["non2xx"] + res["socket_errors"], "stopped_early": stopped_early,
                "requested_functions": args.density,
                "note": "--keep-latest-warm false --idle-timeout 5s: versions idle for 5 s are suspended"}
    finally:
        gw.stop()


def scenario_restore(args, _binary):
    n = args.restore
    data_dir = os.path.join(_tmp_root, "restore")
    t0 = time.monotonic()
    out = subprocess.run(["java", "-cp", BENCH_JAR, "dev.faas4j.bench.SeedStore", data_dir, str(n)],
                         capture_output=True, text=True, timeout=1800)
    if out.returncode != 0:
        raise RuntimeError(f"seeding the store failed: {out.stderr[-2000:]}")
    seed_s = time.monotonic() - t0
    log(f"  seeded {n} functions in {seed_s:.1f}s")
    gw = Gateway(data_dir)
    try:
        listening = gw.listening_after
        wait_for_200(gw.port, f"f{n - 1}.func.local", deadline_s=60, pause=0.001)
        first_200 = time.monotonic() - gw.spawned_at
        status, text = call(gw.port, "GET", "/api/functions")
        listed = len(json.loads(text)["functions"]) if status == 200 else 0
        all_listed = time.monotonic() - gw.spawned_at
        # a sample across the range must resolve: an unknown version of a known function is a 404 that
        # names the function, an unknown function is a different 404
        unresolved = 0
        for i in range(0, n, max(1, n // 50)):
            status, text = gw.get(f"nope.f{i}.func.local")
            unresolved += not (status == 404 and "has no version" in text)
        result = {"functions": n, "seed_seconds": round(seed_s, 1),
                  "start_to_listening_ms": ms(listening), "start_to_first_200_ms": ms(first_200),
                  "start_to_full_listing_ms": ms(all_listed), "listed": listed,
                  "sampled_unresolved": unresolved,
                  "note": "the registry is restored before the gateway listens, so every latest version is"
                          " resolvable once it listens; instances start lazily on their first request"}
        log(f"  {result}")
        return result
    finally:
        gw.stop()


def scenario_restart(args, _binary):
    """A gateway killed with kill -9 while n versions run, started again on its data dir (so n
    leftover workerd processes are there), against the same gateway started after a graceful stop;
    alternated, args.repeats rounds each. The time counts from the JVM's spawn to the first 200 of
    one function."""
    n = args.leftovers
    data_dir = os.path.join(_tmp_root, "restart")
    gw = Gateway(data_dir, idle_timeout="600s")
    rounds = {"clean": [], "leftovers": []}
    all_200 = []
    killed_counts = []
    try:
        for i in range(n):
            gw.deploy(f"f{i}", "v1")
        for round_no in range(args.repeats):
            gw.stop()
            gw = Gateway(data_dir, idle_timeout="600s")
            wait_for_200(gw.port, "f0.func.local", deadline_s=60, pause=0.001)
            rounds["clean"].append(time.monotonic() - gw.spawned_at)
            # versions start on their first request after a restart: call each, then crash
            for j in range(n):
                wait_for_200(gw.port, f"f{j}.func.local", deadline_s=60, pause=0.001)
            left = len(gw.workerd_pids())
            killed_counts.append(left)
            gw.proc.kill()
            gw.proc.wait(10)
            gw = Gateway(data_dir, idle_timeout="600s")
            wait_for_200(gw.port, "f0.func.local", deadline_s=60, pause=0.001)
            rounds["leftovers"].append(time.monotonic() - gw.spawned_at)
            for j in range(n):
                wait_for_200(gw.port, f"f{j}.func.local", deadline_s=60, pause=0.001)
            all_200.append(time.monotonic() - gw.spawned_at)
            log(f"  round {round_no + 1}: clean start -> first 200 {ms(rounds['clean'][-1])} ms; after kill -9 with"
                f" {left} workerd running -> first 200 {ms(rounds['leftovers'][-1])} ms, all {n} answer after"
                f" {ms(all_200[-1])} ms")
        clean = statistics.median(rounds["clean"])
        leftovers = statistics.median(rounds["leftovers"])
        result = {"versions": n, "rounds": args.repeats, "leftover_workerd_per_round": killed_counts,
                  "clean_start_to_first_200_ms": [ms(v) for v in rounds["clean"]],
                  "leftover_start_to_first_200_ms": [ms(v) for v in rounds["leftovers"]],
                  "leftover_start_to_all_200_ms": [ms(v) for v in all_200],
                  "median_clean_ms": ms(clean), "median_leftovers_ms": ms(leftovers),
                  "ratio_leftovers_clean": round(leftovers / clean, 3), "target_ms": 2000,
                  "loadavg": loadavg()}
        log(f"  {result}")
        return result
    finally:
        gw.stop()


class SlowCallers:
    """Holds `count` connections to one function, each announcing a body of 100,000 bytes and sending
    one byte a second: the slow-caller attack of issue 22. A connection the gateway closes is opened
    again, so the attack holds its size. Counts what the gateway answered them."""

    def __init__(self, port, host, count):
        self.port, self.host, self.count = port, host, count
        self.sockets = []
        self.reopened = 0
        self.answers = {}
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)

    def _open(self):
        sock = socket.create_connection(("127.0.0.1", self.port), timeout=5)
        sock.setblocking(False)
        sock.sendall((f"POST / HTTP/1.1\r\nHost: {self.host}\r\nContent-Type: text/plain\r\n"
                      "Content-Length: 100000\r\n\r\n").encode())
        return sock

    def start(self):
        for _ in range(self.count):
            self.sockets.append(self._open())
        self._thread.start()
        return self

    def _run(self):
        while not self._stop.wait(1.0):
            for i, sock in enumerate(self.sockets):
                try:
                    try:
                        answer = sock.recv(64)
                    except BlockingIOError:
                        answer = None
                    if answer is not None:  # answered (or closed): count it, open another
                        status = answer.split(b" ")[1].decode() if answer.startswith(b"HTTP/") else "closed"
                        self.answers[status] = self.answers.get(status, 0) + 1
                        raise ConnectionError(status)
                    sock.send(b"x")
                except (OSError, ConnectionError, IndexError):
                    sock.close()
                    self.reopened += 1
                    try:
                        self.sockets[i] = self._open()
                    except OSError:
                        pass

    def stop(self):
        self._stop.set()
        self._thread.join(10)
        for sock in self.sockets:
            sock.close()


def scenario_slowcallers(args, _binary):
    """Another function's throughput with and without 1,030 slow callers on one function (issue 22,
    High 2), alternated, args.repeats rounds each, wrk -t2 -c64 on the other function."""
    gw = Gateway(os.path.join(_tmp_root, "slowcallers"))
    try:
        gw.deploy("victim", "v1", code='addEventListener("fetch", e => e.respondWith('
                                       'e.request.text().then(t => new Response("read " + t.length))))')
        gw.deploy("other", "v1")
        wait_for_200(gw.port, "other.func.local")
        wrk(gw.port, host="other.func.local", duration=args.warmup)
        rounds = {"alone": [], "attacked": []}
        attack = None
        answers, reopened = {}, 0
        for round_no in range(args.repeats):
            rounds["alone"].append(wrk(gw.port, host="other.func.local", duration=args.duration))
            attack = SlowCallers(gw.port, "victim.func.local", args.slow_callers).start()
            try:
                time.sleep(3)
                rounds["attacked"].append(wrk(gw.port, host="other.func.local", duration=args.duration))
                victim_status, _ = gw.get("victim.func.local")
            finally:
                attack.stop()
            for k, v in attack.answers.items():
                answers[k] = answers.get(k, 0) + v
            reopened += attack.reopened
            log(f"  round {round_no + 1}: other alone {rounds['alone'][-1]['rps']:.0f} req/s, with {args.slow_callers}"
                f" slow callers on victim {rounds['attacked'][-1]['rps']:.0f} req/s"
                f" (errors {rounds['attacked'][-1]['non2xx'] + rounds['attacked'][-1]['socket_errors']});"
                f" a fresh GET to victim meanwhile: {victim_status}")
        alone = statistics.median(r["rps"] for r in rounds["alone"])
        attacked = statistics.median(r["rps"] for r in rounds["attacked"])
        result = {"slow_callers": args.slow_callers, "rounds": args.repeats,
                  "other_alone_rps": [round(r["rps"]) for r in rounds["alone"]],
                  "other_attacked_rps": [round(r["rps"]) for r in rounds["attacked"]],
                  "other_attacked_errors": sum(r["non2xx"] + r["socket_errors"] for r in rounds["attacked"]),
                  "other_attacked_p99_ms": [r["p99_ms"] for r in rounds["attacked"]],
                  "ratio_attacked_alone": round(attacked / alone, 3),
                  "slow_callers_answered": answers, "slow_callers_reopened": reopened, "loadavg": loadavg()}
        log(f"  {result}")
        return result
    finally:
        gw.stop()


def prometheus_query(port, expr, at):
    url = f"/api/v1/query?query={urllib.parse.quote(expr)}&time={at:.3f}"
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
    try:
        conn.request("GET", url)
        answer = json.loads(conn.getresponse().read())
    finally:
        conn.close()
    return {r["metric"].get("function_name", ""): float(r["value"][1]) for r in answer["data"]["result"]}


def scenario_prometheus(args, _binary):
    """A real Prometheus scrapes the gateway (every second) while wrk loads two functions; Prometheus's
    requests per second per function, over wrk's run, against wrk's own count (issue 18)."""
    gw = Gateway(os.path.join(_tmp_root, "prometheus"), extra_args=("--status-auth", "false"))
    prom = None
    try:
        for name in ("alpha", "beta"):
            gw.deploy(name, "v1")
            wait_for_200(gw.port, f"{name}.func.local")
        prom_dir = os.path.join(_tmp_root, "prometheus-data")
        os.makedirs(prom_dir)
        prom_port = free_port()
        with open(os.path.join(prom_dir, "prometheus.yml"), "w") as f:
            f.write("global:\n  scrape_interval: 1s\nscrape_configs:\n  - job_name: faas4j\n"
                    f"    static_configs:\n      - targets: ['127.0.0.1:{gw.port}']\n")
        prom = spawn(["prometheus", f"--config.file={prom_dir}/prometheus.yml", f"--storage.tsdb.path={prom_dir}/data",
                      f"--web.listen-address=127.0.0.1:{prom_port}"], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            try:
                if prometheus_query(prom_port, 'up{job="faas4j"}', time.time()):
                    break
            except (OSError, ValueError, KeyError, http.client.HTTPException):
                pass
            time.sleep(0.5)
        time.sleep(3)
        rounds = []
        for name, conns in (("alpha", 32), ("beta", 8)):
            start = time.time()
            res = wrk(gw.port, host=f"{name}.func.local", conns=conns, duration=args.duration)
            end = time.time()
            time.sleep(3)  # a few more scrapes, so the counter's last value is in
            window = end - start
            expr = f'sum by (function_name) (increase(gateway_function_invocation_total{{function_name="{name}"}}[{window + 1:.0f}s]))'
            counted = prometheus_query(prom_port, expr, end + 0.5).get(name, 0.0)
            rate_expr = f'sum by (function_name) (rate(gateway_function_invocation_total{{function_name="{name}"}}[{args.duration}s]))'
            prom_rps = prometheus_query(prom_port, rate_expr, end).get(name, 0.0)
            rounds.append({"function": name, "wrk_requests": res["requests"], "wrk_rps": round(res["rps"], 1),
                           "prometheus_increase": round(counted, 1), "prometheus_rate_rps": round(prom_rps, 1),
                           "ratio_rate": round(prom_rps / res["rps"], 4),
                           "ratio_count": round(counted / res["requests"], 4)})
            log(f"  {rounds[-1]}")
        return {"rounds": rounds, "scrape_interval_s": 1, "duration_s": args.duration,
                "note": "rate() extrapolates over its window; increase() over the run's window with 1 s of margin",
                "loadavg": loadavg()}
    finally:
        if prom:
            stop_process(prom)
        gw.stop()


def scenario_router(args, _binary):
    out_json = os.path.join(_tmp_root, "jmh.json")
    cmd = ["java", "-jar", BENCH_JAR, "RouterBenchmark", "-rf", "json", "-rff", out_json]
    if args.quick:
        cmd += ["-wi", "1", "-i", "2"]
    proc = subprocess.run(cmd, capture_output=True, text=True, timeout=900)
    if proc.returncode != 0:
        raise RuntimeError(f"JMH failed: {proc.stdout[-2000:]}{proc.stderr[-2000:]}")
    with open(out_json) as f:
        data = json.load(f)
    result = {}
    for b in data:
        name = b["benchmark"].rsplit(".", 1)[1]
        pm = b["primaryMetric"]
        error = pm["scoreError"]
        result[name] = {"ops_per_s": round(pm["score"]),
                        "error_99_9": round(error) if isinstance(error, (int, float)) else None,
                        "ns_per_op": round(1e9 / pm["score"], 1)}
    log(f"  {result}")
    return result


# ------------------------------------------------------------------------------------------------
# cluster: three gateways on one PostgreSQL database


SQL_HELPER = """
public class Sql {
  public static void main(String[] args) throws Exception {
    try (var connection = java.sql.DriverManager.getConnection(args[0]);
         var statement = connection.createStatement()) {
      for (int i = 1; i < args.length; i++) {
        statement.execute(args[i]);
      }
    }
  }
}
"""


def run_sql(jdbc_url, *statements):
    """Runs SQL statements with the PostgreSQL driver inside the gateway jar (no psql or Python driver needed)."""
    source = os.path.join(_tmp_root, "Sql.java")
    if not os.path.exists(source):
        with open(source, "w") as f:
            f.write(SQL_HELPER)
    out = subprocess.run(["java", "-cp", GATEWAY_JAR, source, jdbc_url, *statements],
                         capture_output=True, text=True, timeout=120)
    if out.returncode != 0:
        raise RuntimeError(f"SQL {statements} failed: {out.stderr[-2000:]}")


def with_param(jdbc_url, key, value):
    return jdbc_url + ("&" if "?" in jdbc_url else "?") + f"{key}={value}"


def start_postgres():
    """Starts a throw-away server with .ci/postgres.sh; returns its JDBC URL and a function that stops it."""
    script = os.path.join(ROOT, ".ci", "postgres.sh")
    stopped = []

    def stop():
        if not stopped:
            stopped.append(True)
            log("  stopping the PostgreSQL server this run started")
            subprocess.run(["bash", script, "stop"], stdout=subprocess.DEVNULL, timeout=120)

    # registered before start: a Ctrl-C while it starts still stops it (stop is harmless when nothing runs)
    _cleanup_hooks.append(stop)
    out = subprocess.run(["bash", script, "start"], capture_output=True, text=True, timeout=600)
    if out.returncode != 0:
        raise RuntimeError(f".ci/postgres.sh start failed: {out.stderr[-2000:]}")
    m = re.search(r"FAAS4J_TEST_PG_URL='?([^'\s]+)'?", out.stdout)
    if not m:
        raise RuntimeError(f".ci/postgres.sh start printed no URL: {out.stdout!r}")
    return m.group(1), stop


class Poller:
    """One keep-alive connection to one node, asking for one Host until the answer is the expected one."""

    def __init__(self, port):
        self.port = port
        self.conn = None
        self.requests = 0
        self.durations = []  # seconds each request took: the floor under every convergence time
        self.failures = []  # (status or error, body) of every answer that was not a 200

    def get(self, host):
        if self.conn is None:
            self.conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=10)
        try:
            self.conn.request("GET", "/", headers={"Host": host})
            resp = self.conn.getresponse()
            return resp.status, resp.read().decode(errors="replace")
        except (OSError, http.client.HTTPException) as e:
            self.conn.close()
            self.conn = None
            return None, repr(e)

    def await_answer(self, host, expected, t0, deadline_s, pause, out, stale, index):
        """Stores in out[index] the seconds from t0 until this node answered expected (None: not by the
        deadline), and in stale[index] how many other answers it gave before."""
        stale[index] = 0
        while True:
            sent = time.monotonic()
            status, body = self.get(host)
            self.requests += 1
            now = time.monotonic()
            self.durations.append(now - sent)
            if status != 200:
                self.failures.append({"port": self.port, "host": host, "status": status, "body": body[:200]})
            elif body == expected:
                out[index] = now - t0
                return
            else:
                stale[index] += 1
            if now - t0 > deadline_s:
                return
            time.sleep(pause)

    def close(self):
        if self.conn is not None:
            self.conn.close()


def scenario_cluster(args, _binary):
    load_before = loadavg()
    stop_pg = drop_schema = None
    gateways = []
    pollers = []
    try:
        server_url = args.jdbc_url
        if server_url:
            log(f"  PostgreSQL: {server_url.split('?')[0]} (given)")
        else:
            log("  no FAAS4J_TEST_PG_URL or --jdbc-url: starting a throw-away PostgreSQL with .ci/postgres.sh")
            server_url, stop_pg = start_postgres()
            log(f"  PostgreSQL: {server_url.split('?')[0]} (started for this run)")
        # A new schema per run, as ClusterIT does, so a run never sees an earlier run's functions.
        schema = "faas4j_bench_" + datetime.datetime.now().strftime("%Y%m%d%H%M%S") + f"_{os.getpid()}"
        run_sql(server_url, f"CREATE SCHEMA {schema}")
        dropped = []

        def drop_schema():
            if not dropped:
                dropped.append(True)
                run_sql(server_url, f"DROP SCHEMA {schema} CASCADE")

        if not stop_pg:  # a server of our own is removed whole; on a given one, remove what we made
            _cleanup_hooks.append(drop_schema)
        jdbc_url = with_param(server_url, "currentSchema", schema)

        # One after the other: the first creates the tables.
        for node in ("a", "b", "c"):
            gateways.append(Gateway(os.path.join(_tmp_root, f"cluster-{node}"), name=f"cluster-{node}",
                                    extra_args=("--jdbc-url", jdbc_url, "--node-id", f"bench-{node}",
                                                "--sync-interval", args.sync_interval)))
            log(f"  node bench-{node} listening on {gateways[-1].port}"
                f" ({gateways[-1].listening_after:.1f}s after spawn)")
        deadline = time.monotonic() + 30
        nodes = []
        while time.monotonic() < deadline:
            status, text = call(gateways[0].port, "GET", "/api/nodes")
            nodes = [n["id"] for n in json.loads(text)["nodes"]] if status == 200 else []
            if len(nodes) == 3:
                break
            time.sleep(0.1)
        if len(nodes) != 3:
            raise RuntimeError(f"GET /api/nodes lists {nodes} after 30 s, not the three nodes")
        log(f"  GET /api/nodes on bench-a lists {nodes}")

        name, alias = "conv", "stable"
        latest_host, alias_host = f"{name}.func.local", f"{alias}.{name}.func.local"

        def code(version):
            return 'addEventListener("fetch", e => e.respondWith(new Response("%s %s")))' % (name, version)

        def answer(version):
            return f"{name} {version}"

        pollers = [Poller(gw.port) for gw in gateways]

        def converge(host, version, t0):
            """Seconds from t0 until every node answers version at host, per node (None: not within the deadline)."""
            per_node, stale = [None] * len(pollers), [0] * len(pollers)
            threads = [threading.Thread(target=p.await_answer, args=(host, answer(version), t0, args.converge_deadline,
                                                                     0.005, per_node, stale, i))
                       for i, p in enumerate(pollers)]
            for t in threads:
                t.start()
            for t in threads:
                t.join()
            return per_node, stale

        # The starting point, not timed: two versions, the alias on the first, served everywhere.
        versions = ["v1", "v2"]
        gateways[0].deploy(name, "v1", code("v1"))
        gateways[0].deploy(name, "v2", code("v2"))
        status, text = call(gateways[0].port, "PUT", f"/api/functions/{name}/aliases/{alias}", body={"version": "v1"})
        if status != 200:
            raise RuntimeError(f"setting the alias: {status} {text}")
        latest, alias_target = "v2", "v1"
        t0 = time.monotonic()
        for host, version in ((latest_host, latest), (alias_host, alias_target)):
            if None in converge(host, version, t0)[0]:
                raise RuntimeError(f"the nodes do not all serve {version} at {host} after the set-up")
        for p in pollers:  # answers during the set-up (a 404 before the first deploy arrived) are not counted
            p.failures.clear()
            p.durations.clear()
            p.requests = 0

        rng = random.Random(args.seed)
        log(f"  {args.changes} changes, each on a node chosen at random (seed {args.seed}),"
            f" sync interval {args.sync_interval}")
        samples = []
        kinds = ("deploy", "rollback", "alias")
        for i in range(args.changes):
            kind = kinds[i % len(kinds)]
            origin = rng.randrange(len(gateways))
            gw = gateways[origin]
            # a pause of random length, so that changes do not keep one phase against the nodes' polling
            time.sleep(rng.uniform(0.0, 0.2))
            if kind == "deploy":
                target = f"v{len(versions) + 1}"
                versions.append(target)
                host = latest_host
                t_req = time.monotonic()
                status, text = call(gw.port, "POST", f"/api/deploy/{name}", body={"version": target, "code": code(target)})
            elif kind == "rollback":
                target = rng.choice([v for v in versions if v != latest])
                host = latest_host
                t_req = time.monotonic()
                status, text = call(gw.port, "POST", f"/api/rollback/{name}", body={"version": target})
            else:
                target = rng.choice([v for v in versions if v != alias_target])
                host = alias_host
                t_req = time.monotonic()
                status, text = call(gw.port, "PUT", f"/api/functions/{name}/aliases/{alias}", body={"version": target})
            t0 = time.monotonic()  # the answer: the change is committed
            if status != 200:
                raise RuntimeError(f"change {i} ({kind} {target} on bench-{'abc'[origin]}): {status} {text}")
            if kind == "alias":
                alias_target = target
            else:
                latest = target
            per_node, stale = converge(host, target, t0)
            converged = None if None in per_node else max(per_node)
            others = [t for j, t in enumerate(per_node) if j != origin]
            sample = {"i": i, "kind": kind, "node": f"bench-{'abc'[origin]}", "target": target,
                      "admin_answer_ms": ms(t0 - t_req), "converged_ms": ms(converged),
                      "origin_ms": ms(per_node[origin]), "origin_stale_answers": stale[origin],
                      "others_ms": [ms(t) for t in others]}
            samples.append(sample)
            log(f"  {i + 1:2d} {kind:8s} {target:4s} on {sample['node']}: all serve it after "
                + (f"{sample['converged_ms']:.1f} ms" if converged is not None else
                   f"TIMEOUT ({args.converge_deadline:.0f} s; per node {[ms(t) for t in per_node]})")
                + f" (itself {sample['origin_ms']} ms after {stale[origin]} old answers, others {sample['others_ms']})")

        times = [s["converged_ms"] / 1000.0 for s in samples if s["converged_ms"] is not None]
        failures = [f for p in pollers for f in p.failures]

        def summary(values):
            return {"n": len(values), "p50_ms": ms(pct(values, 50)), "p99_ms": ms(pct(values, 99)),
                    "max_ms": ms(max(values)) if values else None, "min_ms": ms(min(values)) if values else None}

        by_kind = {k: summary([s["converged_ms"] / 1000.0 for s in samples
                               if s["kind"] == k and s["converged_ms"] is not None]) for k in kinds}
        load_after = loadavg()
        result = {"nodes": 3, "changes": len(samples), "seed": args.seed, "sync_interval": args.sync_interval,
                  "converged": summary(times), "by_kind": by_kind,
                  "timeouts": sum(1 for s in samples if s["converged_ms"] is None),
                  "deadline_s": args.converge_deadline,
                  "poll_requests": sum(p.requests for p in pollers), "failed_requests": len(failures),
                  "poll_request_ms": timing_summary([d for p in pollers for d in p.durations]),
                  "failed_examples": failures[:10],
                  "loadavg_before": load_before, "loadavg_after": load_after,
                  "targets": {"p99_ms": 1000, "p50_ms_with_notify": 100, "failed_requests": 0},
                  "note": "time from the admin request's answer (committed) until all three nodes answer the new"
                          " version at the function's or alias's Host; each node polled every 5 ms on a keep-alive"
                          " connection; percentiles over the changes that converged within the deadline",
                  "samples": samples}
        c = result["converged"]
        log(f"  converged: p50 {c['p50_ms']} ms, p99 {c['p99_ms']} ms, max {c['max_ms']} ms (n={c['n']}),"
            f" {result['timeouts']} timeouts, {result['failed_requests']} failed of {result['poll_requests']} requests")
        return result
    finally:
        for p in pollers:
            p.close()
        for gw in reversed(gateways):
            try:
                gw.stop()
            except Exception as e:
                log(f"  stopping a gateway: {e}")
        for step in (drop_schema if not stop_pg else None, stop_pg):
            if step:
                try:
                    step()
                except Exception as e:
                    log(f"  clean-up: {e}")
                if step in _cleanup_hooks:
                    _cleanup_hooks.remove(step)


# ------------------------------------------------------------------------------------------------
# report


def table(results):
    lines = []
    p = results.get("proxy")
    if p:
        lines.append("proxy (wrk -t2 -c64, medians of %d rounds)" % p["settings"]["repeats"])
        lines.append("  %-10s %10s %8s %8s %8s %14s %14s" % ("target", "req/s", "p50 ms", "p99 ms", "spread", "p50 ms @1conn",
                                                       "proxy CPU us/req"))
        for name in (["direct", "direct-fwd", "nginx", "gateway", "gw-nofwd", "jetty-proxy"]
                     + [k for k in p if re.fullmatch(r"base\d+", k)]):
            t = p[name]
            lines.append("  %-10s %10d %8.3f %8.3f %7.0f%% %14.3f %14.1f" % (
                name, t["rps_median"], t["p50_ms"], t["p99_ms"], 100 * t["rps_spread"], t["single_connection_p50_ms"],
                t["proxy_cpu_us_per_request"]))
        lines.append("  gateway/direct %.3f   nginx/direct %.3f   gateway/nginx %.3f   added p50 (1 conn) %.3f ms"
                     % (p["ratio_gateway_direct"], p["ratio_nginx_direct"], p["ratio_gateway_nginx"],
                        p["added_p50_ms_single_connection"]))
        lines.append("  with X-Forwarded-* at workerd: direct-fwd/direct %.3f   gateway/direct-fwd %.3f"
                     "   nginx/direct-fwd %.3f;   without: gw-nofwd/direct %.3f"
                     % (p["ratio_direct_fwd_direct"], p["ratio_gateway_direct_fwd"], p["ratio_nginx_direct_fwd"],
                        p["ratio_gw_nofwd_direct"]))
        lines.append("  Jetty ProxyHandler.Reverse: jetty-proxy/direct %.3f   gateway/jetty-proxy %.3f;"
                     "   proxy CPU per request gateway/nginx %.3f"
                     % (p["ratio_jetty_proxy_direct"], p["ratio_gateway_jetty_proxy"],
                        p["cpu_per_request_gateway_nginx"]))
        for name in [k for k in p if re.fullmatch(r"base\d+", k)]:
            lines.append("  gateway/%s %.3f   %s/direct %.3f   (%s: %s)"
                         % (name, p[f"ratio_gateway_{name}"], name, p[f"ratio_{name}_direct"], name, p[f"{name}_jar"]))
    r = results.get("resume")
    if r:
        lines.append("resume (ms)             p50     p90     max   n")
        for key in ("from_suspended", "never_started", "raw_workerd_start_to_200", "raw_workerd_after_idle_to_200"):
            t = r.get(key)
            if t is None:
                continue
            lines.append("  %-20s %7.1f %7.1f %7.1f %3d" % (key, t["p50_ms"], t["p90_ms"], t["max_ms"], t["n"]))
    f = results.get("frozen")
    if f:
        t, raw = f["from_frozen"], f["raw_workerd_start_to_200"]
        lines.append("frozen: first request p50 %.2f ms (p90 %.2f, n=%d; running p50 %.2f ms); bare workerd start p50"
                     " %.1f ms; ratio %.4f (target <= 0.05)" % (t["p50_ms"], t["p90_ms"], t["n"], f["running"]["p50_ms"],
                                                                raw["p50_ms"], f["ratio_frozen_raw_p50"]))
    d = results.get("deploy")
    if d:
        t = d["deploy_to_first_200"]
        lines.append("deploy -> first 200: p50 %.1f ms, p90 %.1f ms, max %.1f ms (n=%d)"
                     % (t["p50_ms"], t["p90_ms"], t["max_ms"], t["n"]))
        if "ratio_deploy_raw_p50" in d:
            lines.append("  bare workerd start after 0.5 s idle p50 %.1f ms; ratio %.3f (target <= 1.2); %d versions"
                         " running at the end" % (d["raw_workerd_after_idle_to_200"]["p50_ms"], d["ratio_deploy_raw_p50"],
                                                  d["running_versions_at_end"]))
    s = results.get("density")
    if s:
        m = s["memory_after_hot_load"]
        lines.append("density: %d functions (%d workerd), total RSS sum %.0f MiB, total PSS %.0f MiB (JVM RSS %.0f MiB);"
                     " hot set of %d: %d req/s, p99 %.2f ms"
                     % (s["functions"], m["workerd_processes"], m["total_rss_sum_mib"], m["total_pss_mib"],
                        m["jvm_rss_mib"], s["hot"], s["hot_rps"], s["hot_p99_ms"]))
    t = results.get("restore")
    if t:
        lines.append("restore: %d functions; listening (all resolvable) after %.0f ms, first 200 after %.0f ms"
                     % (t["functions"], t["start_to_listening_ms"], t["start_to_first_200_ms"]))
    rs = results.get("restart")
    if rs:
        lines.append("restart with %d versions running: first 200 after a clean start %s ms, after kill -9 (leftovers) %s ms"
                     " (medians of %d; ratio %.2f; target 2000 ms)" % (rs["versions"], rs["median_clean_ms"],
                                                                     rs["median_leftovers_ms"], rs["rounds"],
                                                                     rs["ratio_leftovers_clean"]))
    sc = results.get("slowcallers")
    if sc:
        lines.append("slow callers: another function under wrk -t2 -c64 alone %s req/s, with %d slow callers on one function"
                     " %s req/s (ratio %.3f, %d errors)" % (sc["other_alone_rps"], sc["slow_callers"],
                                                            sc["other_attacked_rps"], sc["ratio_attacked_alone"],
                                                            sc["other_attacked_errors"]))
    pm = results.get("prometheus")
    if pm:
        lines.append("prometheus vs wrk: " + "; ".join(
            "%s wrk %s req/s, Prometheus rate %s (x%.3f), count %s of %s (x%.3f)" % (
                r["function"], r["wrk_rps"], r["prometheus_rate_rps"], r["ratio_rate"], r["prometheus_increase"],
                r["wrk_requests"], r["ratio_count"]) for r in pm["rounds"]))
    rt = results.get("router")
    if rt:
        lines.append("router (JMH, ops/s): " + ", ".join(f"{k} {v['ops_per_s']:,}" for k, v in rt.items()))
    c = results.get("cluster")
    if c:
        t = c["converged"]
        lines.append("cluster: %d nodes on one PostgreSQL, sync interval %s, %d changes (seed %d)"
                     % (c["nodes"], c["sync_interval"], c["changes"], c["seed"]))
        lines.append("  change answered -> served by every node: p50 %s ms, p99 %s ms, max %s ms (n=%d, %d timeouts of %.0f s)"
                     "   targets: p99 <= 1000, p50 <= 100" % (t["p50_ms"], t["p99_ms"], t["max_ms"], t["n"], c["timeouts"],
                                                            c["deadline_s"]))
        lines.append("  by kind (p50 / max ms): " + ", ".join(
            "%s %s / %s" % (k, v["p50_ms"], v["max_ms"]) for k, v in c["by_kind"].items()))
        lines.append("  one polling request took p50 %s ms, p90 %s ms (included in the times above)"
                     % (c["poll_request_ms"]["p50_ms"], c["poll_request_ms"]["p90_ms"]))
        lines.append("  failed requests while polling: %d of %d (target 0);   load average %s before, %s after"
                     % (c["failed_requests"], c["poll_requests"], c["loadavg_before"], c["loadavg_after"]))
    sc2 = results.get("scale")
    if sc2:
        lines.append("scale: CPU-bound function (%d iterations, ~5 ms CPU), wrk %s: 1 replica %.0f req/s; autoscaled"
                     " (max %d) %.0f req/s with %s replica(s); ratio %.3f (target >= 1.7)"
                     % (sc2["iterations_for_5ms"], sc2["wrk"], sc2["one"]["rps_median"], sc2["cores"],
                        sc2["auto"]["rps_median"], sc2["auto"]["replicas_under_load"], sc2["ratio_auto_one"]))
    cn = results.get("canary")
    if cn:
        lines.append("canary: 90/10 -> 50/50 -> 0/100 under wrk -t2 -c32: %d requests (%d req/s), v1 %d, v2 %d;"
                     " errors: %d non-2xx, %d socket, %d other; after 0/100, %d of 100 not from v2 (target: all 0)"
                     % (cn["requests"], cn["rps"], cn["v1"], cn["v2"], cn["non2xx"], cn["socket_errors"], cn["other"],
                        cn["after_0_100_not_v2"]))
    env = results["environment"]
    lines.append("noise: load average %s before, %s after; wall time %.0f s"
                 % (env["loadavg_before"], env["loadavg_after"], env["wall_seconds"]))
    return "\n".join(lines)


def main():
    global _tmp_root
    ap = argparse.ArgumentParser(description="faas4j benchmarks (use bench/run.sh)")
    ap.add_argument("scenarios", nargs="*", help="which to run, of " + ", ".join(SCENARIOS)
                    + " (default: all but cluster, which needs PostgreSQL)")
    ap.add_argument("--repeats", type=int, default=3)
    ap.add_argument("--duration", type=int, default=10, help="seconds of each wrk measurement")
    ap.add_argument("--warmup", type=int, default=8,
                    help="seconds of wrk warm-up per target (the JVM's JIT needs several seconds on 2 busy cores)")
    ap.add_argument("--latency-duration", type=int, default=3, help="seconds of each single-connection run")
    ap.add_argument("--samples", type=int, default=30, help="suspensions, cold starts and deploys to time")
    ap.add_argument("--density", type=int, default=200, help="functions in the density scenario")
    ap.add_argument("--min-free-mib", type=int, default=3072,
                    help="density stops deploying when less memory than this is available")
    ap.add_argument("--restore", type=int, default=10000, help="functions in the store for the restore scenario")
    ap.add_argument("--leftovers", type=int, default=110, help="restart: versions running when the gateway is killed")
    ap.add_argument("--slow-callers", type=int, default=1030, help="slowcallers: connections of the attack")
    ap.add_argument("--quick", action="store_true", help="shorter JMH runs")
    ap.add_argument("--jdbc-url", default=os.environ.get("FAAS4J_TEST_PG_URL") or None,
                    help="cluster: the PostgreSQL server (default $FAAS4J_TEST_PG_URL; with neither, a throw-away"
                         " server is started with .ci/postgres.sh and stopped at the end); each run uses a new schema")
    ap.add_argument("--changes", type=int, default=30, help="cluster: changes to time")
    ap.add_argument("--seed", type=int, default=16, help="cluster: seed of the random choice of node and target")
    ap.add_argument("--sync-interval", default="500ms", help="cluster: the gateways' --sync-interval")
    ap.add_argument("--converge-deadline", type=float, default=10.0,
                    help="cluster: seconds a change may take to be served everywhere before it counts as a timeout")
    ap.add_argument("--baseline-jar", action="append",
                    help="another gateway jar to measure in the proxy rounds (before/after); repeatable")
    ap.add_argument("--out", default=os.path.join(HERE, "results", "latest.json"))
    args = ap.parse_args()
    unknown = [s for s in args.scenarios if s not in SCENARIOS]
    if unknown:
        ap.error(f"unknown scenario {unknown}; choose from {SCENARIOS}")
    scenarios = [s for s in SCENARIOS if s in args.scenarios] or DEFAULT_SCENARIOS

    signal.signal(signal.SIGTERM, on_signal)
    signal.signal(signal.SIGINT, on_signal)
    _tmp_root = tempfile.mkdtemp(prefix="faas4j-bench-")
    binary = find_workerd_binary()
    started = time.monotonic()
    results = {"environment": {
        "date": datetime.datetime.now(datetime.timezone.utc).isoformat(timespec="seconds"),
        "cpus": os.cpu_count(), "kernel": platform.release(),
        "java": subprocess.run(["java", "-version"], capture_output=True, text=True).stderr.splitlines()[0],
        "workerd": binary.split("/workerd/")[1].split("/")[0] if "/workerd/" in binary else binary,
        "git": subprocess.run(["git", "-C", ROOT, "rev-parse", "--short", "HEAD"], capture_output=True,
                              text=True).stdout.strip(),
        "loadavg_before": loadavg(), "scenarios": scenarios,
        "sizes": {"samples": args.samples, "density": args.density, "restore": args.restore,
                  "repeats": args.repeats, "duration_s": args.duration}}}
    failed = []
    try:
        for name in scenarios:
            log(f"== {name}")
            try:
                results[name] = globals()[f"scenario_{name}"](args, binary)
            except Exception as e:  # report and go on with the other scenarios
                log(f"  FAILED: {e}")
                results[name + "_error"] = str(e)
                failed.append(name)
    finally:
        cleanup()
    results["environment"]["loadavg_after"] = loadavg()
    results["environment"]["wall_seconds"] = round(time.monotonic() - started)
    os.makedirs(os.path.dirname(args.out), exist_ok=True)
    with open(args.out, "w") as f:
        json.dump(results, f, indent=2)
        f.write("\n")
    print(table(results))
    print(f"JSON: {args.out}")
    if failed:
        print("FAILED scenarios: " + ", ".join(failed))
        sys.exit(1)


if __name__ == "__main__":
    main()
