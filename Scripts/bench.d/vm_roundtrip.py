# SPDX-License-Identifier: Apache-2.0
"""A round trip between two VM processes of a real `vlm-testkit run`, against
a raw eventfd ping-pong between two processes (a C program compiled here with
cc), measured in the same run: Scripts/bench.d/xirq (the xirq itself) and
Scripts/bench.d/transports (a VRPC call). Each side is measured ROUNDS times
and its best is kept: on a loaded machine single runs vary several-fold.
Usage: vm_roundtrip.py MODE VLM_TESTKIT COUNT ROUNDS   (MODE: xirq | vrpc)"""
import os, re, signal, statistics, subprocess, sys, tempfile, time

mode, vlm, count, rounds = sys.argv[1], os.path.abspath(sys.argv[2]), int(sys.argv[3]), int(sys.argv[4])

RAW = r"""
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/eventfd.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>
int main(int argc, char **argv) {
    long n = atol(argv[1]);
    int ping = eventfd(0, 0), pong = eventfd(0, 0);
    uint64_t v = 1;
    if (fork() == 0) {
        for (long i = 0; i < n; i++) {
            if (read(ping, &v, 8) != 8 || write(pong, &v, 8) != 8) return 1;
        }
        return 0;
    }
    struct timespec a, b;
    clock_gettime(CLOCK_MONOTONIC, &a);
    for (long i = 0; i < n; i++) {
        if (write(ping, &v, 8) != 8 || read(pong, &v, 8) != 8) return 1;
    }
    clock_gettime(CLOCK_MONOTONIC, &b);
    wait(NULL);
    printf("%.0f\n", ((b.tv_sec - a.tv_sec) * 1e9 + (b.tv_nsec - a.tv_nsec)) / n);
    return 0;
}
"""

XIRQ_PLATFORM = """/dts-v1/;
/ { vlm {
    vm2: vm@2 { label = "pong"; vm2_vdevs: vdevs { }; };
    vm3: vm@3 { label = "ping"; vm3_vdevs: vdevs { }; };
}; };
&vm2_vdevs { srv: vpipe@0 { compatible = "vpipe"; link = <0>; server; }; };
&vm3_vdevs { vpipe@0 { peer-phandle = <&srv>; client; }; };
"""

VRPC_PLATFORM = """/dts-v1/;
/ { vlm {
    vm2: vm@2 { label = "server"; vm2_vdevs: vdevs { }; };
    vm3: vm@3 { label = "client"; vm3_vdevs: vdevs { }; };
}; };
&vm2_vdevs { srv: rpc@0 { compatible = "vrpc"; server; info = "bench,64"; }; };
&vm3_vdevs { rpc@0 { peer-phandle = <&srv>; client; info = "bench"; }; };
"""

MODES = {
    # platform, VM 2's script, VM 3's script, the result line, goal, what is measured
    "xirq": (XIRQ_PLATFORM, "pxirq 0 1 2 1; pong 33 33 3",
             "pxirq 0 2 3 1; sleep 300; " + "; ".join([f"ping 33 33 2 {count}"] * rounds),
             r"ping .* => (\d+) round trips, (\d+) ns each", 1.5, "vlm xirq round trip (2 VMs):  "),
    "vrpc": (VRPC_PLATFORM, "vrpcserve bench",
             "vrpccall bench warm; " + "; ".join([f"vrpcbench bench {count}"] * rounds),
             r"vrpcbench .* => (\d+) calls, (\d+) ns each", 1.3, "vlm VRPC call (2 VMs, direct):"),
}
PLATFORM, SCRIPT_2, SCRIPT_3, RESULT, GOAL, WHAT = MODES[mode]

def raw_eventfd(tmp):
    source, binary = os.path.join(tmp, "raw.c"), os.path.join(tmp, "raw")
    with open(source, "w") as f:
        f.write(RAW)
    subprocess.run(["cc", "-O2", "-o", binary, source], check=True)
    return [float(subprocess.run([binary, str(count)], capture_output=True, text=True, check=True).stdout)
            for _ in range(rounds)]

def vlm_round_trips(tmp):
    config, rundir = os.path.join(tmp, "platform.dts"), os.path.join(tmp, "run")
    with open(config, "w") as f:
        f.write(PLATFORM)
    env = dict(os.environ,
               VLM_NKDDI_SCRIPT_2=SCRIPT_2, VLM_NKDDI_SCRIPT_3=SCRIPT_3)
    proc = subprocess.Popen([vlm, "run", config, "--no-init", "--no-colour", "--run-dir", rundir], env=env,
                            stdin=subprocess.DEVNULL, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    results = []
    deadline = time.time() + 300
    for line in proc.stdout:
        m = re.search(RESULT, line)
        if m:
            results.append(float(m.group(2)))
        if len(results) == rounds or "=> timeout" in line or "=> error" in line or time.time() > deadline:
            break
    proc.send_signal(signal.SIGTERM)
    proc.communicate(timeout=30)
    if len(results) < rounds:
        sys.exit(f"bench {mode}: missing results from vlm run")
    return results

def show(values):
    return ", ".join(f"{v:.0f}" for v in values)

with tempfile.TemporaryDirectory() as tmp:
    raw = raw_eventfd(tmp)
    xirq = vlm_round_trips(tmp)
    raw += raw_eventfd(tmp)
    best_raw, best_xirq = min(raw), min(xirq)
    print(f"raw eventfd ping-pong (2 processes): best {best_raw:8.0f} ns / round trip (all: {show(raw)})")
    print(f"{WHAT}      best {best_xirq:8.0f} ns / round trip (all: {show(xirq)}; "
          f"{count} round trips each)")
    ratio = best_xirq / best_raw
    median_ratio = statistics.median(xirq) / statistics.median(raw)
    print(f"ratio vlm/raw (best/best): {ratio:.2f} (goal <= {GOAL}) {'ok' if ratio <= GOAL else 'OVER GOAL'}; "
          f"median/median: {median_ratio:.2f}")
