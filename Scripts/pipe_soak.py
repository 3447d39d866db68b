#!/usr/bin/env python3
# SPDX-License-Identifier: Apache-2.0
"""Pipe soak (issue 6 item 5): streams through vpipe and vbpipe between the VMs of
a running `vlm run --no-init Tests/Fixtures/pipes/pipes.dts`, killing a random end
VM (kill -9, or /proc/nk/vmstop + vmstart) in the middle of some transfers.

Every round checks: no side hangs (each ends within --hang seconds of the kill);
what the reader got is a prefix of what was written, byte for byte (SHA-256);
without a kill, all of it; a killed VM comes back and its link carries the next
round. Usage: pipe_soak.py RUN_DIR SECONDS [--kills N] [--seed S]; VLM=path of vlm.
Prints one line per round and a summary; exit 1 at the first failure."""
import argparse, hashlib, json, os, random, subprocess, sys, threading, time

# (writer VM, writer node, reader VM, reader node, open flags of both)
CHANNELS = [
    (3, "vpipe0", 2, "vpipe0", (os.O_WRONLY, os.O_RDONLY)),
    (2, "vpipe1", 3, "vpipe1", (os.O_WRONLY, os.O_RDONLY)),
    (3, "vbpipe0", 4, "vbpipe0", (os.O_RDWR, os.O_RDWR)),
    (4, "vbpipe0", 3, "vbpipe0", (os.O_RDWR, os.O_RDWR)),
]


def close(fd):
    """Closes `fd` when open; a close on a vanished mount may fail."""
    if fd is not None:
        try:
            os.close(fd)
        except OSError:
            pass


class Soak:
    def __init__(self, run, vlm, seed, hang):
        self.run, self.vlm, self.hang = run, vlm, hang
        self.rng = random.Random(seed)
        self.blob = random.Random(seed).randbytes(8 << 20)
        # vlm stops restarting a VM that crashed 6 times in 10 s: one kill per VM per 2.5 s.
        self.last_kill = {}

    def status(self):
        out = subprocess.run([self.vlm, "status", "--json", "--run-dir", self.run],
                             capture_output=True, text=True, timeout=10).stdout
        return {vm["id"]: vm for vm in json.loads(out)["vms"]}

    def running(self, vm, old_pid=None):
        entry = self.status().get(vm, {})
        if entry.get("state") != "running" or entry.get("pid") in (None, old_pid):
            return None
        try:
            with open(f"{self.run}/vm{vm}/proc/nk/id") as f:
                return entry["pid"] if f.read().strip() == str(vm) else None
        except OSError:
            return None

    def wait_running(self, vm, old_pid=None, timeout=20):
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            pid = self.running(vm, old_pid)
            if pid:
                return pid
            time.sleep(0.05)
        raise SystemExit(f"soak: FAIL vm{vm} did not come back within {timeout} s")

    def disturb(self, vm, how):
        """Kills or stops VM `vm`; returns a function that waits until it is back."""
        other = next(v for v in (2, 3, 4) if v != vm)
        pid = self.running(vm)
        if how == "kill":
            os.kill(pid, 9)
            return lambda: self.wait_running(vm, pid)
        with open(f"{self.run}/vm{other}/proc/nk/vmstop", "w") as f:
            f.write(f"{vm}\n")

        def back():
            deadline = time.monotonic() + 10
            while self.status()[vm]["state"] == "running" and time.monotonic() < deadline:
                time.sleep(0.05)
            with open(f"{self.run}/vm{other}/proc/nk/vmstart", "w") as f:
                f.write(f"{vm}\n")
            return self.wait_running(vm, pid)
        return back

    def snapshot(self, *vms_and_node):
        """The /proc/nk lines of the VMs of a hung round."""
        *vms, node = vms_and_node
        driver = node.rstrip("0123456789")
        text = []
        for vm in vms:
            try:
                with open(f"{self.run}/vm{vm}/proc/nk/{driver}") as f:
                    text.append(f"vm{vm} /proc/nk/{driver}:\n{f.read()}")
            except OSError as e:
                text.append(f"vm{vm}: {e}")
        return "".join(text)

    def round(self, number, disturb):
        wvm, wnode, rvm, rnode, (wflags, rflags) = self.rng.choice(CHANNELS)
        length = self.rng.randrange(2 << 20, len(self.blob))
        got = {"n": 0, "sha": hashlib.sha256(), "end": None}
        sent = {"n": 0, "end": None}

        def reader():
            fd = None
            try:
                fd = os.open(f"{self.run}/vm{rvm}/dev/{rnode}", rflags)
                while True:
                    data = os.read(fd, self.rng.choice((4096, 65536, 1 << 20)))
                    if not data:
                        got["end"] = "EOF"
                        break
                    got["sha"].update(data)
                    got["n"] += len(data)
            except OSError as e:
                got["end"] = e.strerror
            finally:
                close(fd)

        def writer():
            fd = None
            try:
                fd = os.open(f"{self.run}/vm{wvm}/dev/{wnode}", wflags)
                view = memoryview(self.blob)[:length]
                while sent["n"] < length:
                    sent["n"] += os.write(fd, view[sent["n"]:sent["n"] + self.rng.choice((1000, 65536, 1 << 20))])
                sent["end"] = "done"
            except OSError as e:
                sent["end"] = e.strerror
            finally:
                close(fd)

        threads = [threading.Thread(target=reader, daemon=True), threading.Thread(target=writer, daemon=True)]
        for t in threads:
            t.start()
        victim, how, back = None, None, None
        victims = [vm for vm in (wvm, rvm) if time.monotonic() - self.last_kill.get(vm, -10) > 2.5]
        if disturb and victims:
            time.sleep(self.rng.uniform(0.005, 0.1))
            victim, how = self.rng.choice(victims), self.rng.choice(("kill", "kill", "vmstop"))
            back = self.disturb(victim, how)
            self.last_kill[victim] = time.monotonic()
        for t in threads:
            t.join(self.hang if victim else 3 * self.hang)
        line = f"round {number}: vm{wvm}/{wnode} -> vm{rvm}/{rnode} {length} B"
        line += f", {how} vm{victim}" if victim else ""
        line += f": wrote {sent['n']} ({sent['end']}), read {got['n']} ({got['end']})"
        print(line, flush=True)
        if any(t.is_alive() for t in threads):
            print(self.snapshot(wvm, rvm, wnode), flush=True)
            raise SystemExit(f"soak: FAIL hang: {line}")
        if got["sha"].digest() != hashlib.sha256(self.blob[:got["n"]]).digest():
            raise SystemExit(f"soak: FAIL the reader's bytes are not a prefix of the stream: {line}")
        if not victim and got["n"] != length:
            raise SystemExit(f"soak: FAIL a quiet round lost bytes: {line}")
        if back:
            back()
        return victim is not None


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("run")
    parser.add_argument("seconds", type=float)
    parser.add_argument("--kills", type=int, default=None, help="stop after this many disturbances")
    parser.add_argument("--seed", type=int, default=int(time.time()))
    parser.add_argument("--hang", type=float, default=10, help="seconds a side may take to end after a kill")
    args = parser.parse_args()
    vlm = os.environ.get("VLM", "vlm")
    soak = Soak(args.run, vlm, args.seed, args.hang)
    print(f"soak: seed {args.seed}", flush=True)
    deadline, rounds, kills = time.monotonic() + args.seconds, 0, 0
    while time.monotonic() < deadline and (args.kills is None or kills < args.kills):
        rounds += 1
        kills += soak.round(rounds, disturb=soak.rng.random() < 0.6)
    print(f"soak: OK {rounds} rounds, {kills} VM kills/stops, every stream a prefix of what was written")


if __name__ == "__main__":
    main()
