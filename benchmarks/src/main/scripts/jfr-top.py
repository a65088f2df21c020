#!/usr/bin/env python3
"""Summarise a JFR recording: hottest frames (self), hottest io.mqttboot frames (the first
frame of the starter on each sampled stack), and allocation by class and starter frame.

Usage: jfr-top.py recording.jfr [thread-name-substring]
"""
import collections
import json
import subprocess
import sys

recording = sys.argv[1]
thread_filter = sys.argv[2] if len(sys.argv) > 2 else None


def events(kind):
    out = subprocess.run(["jfr", "print", "--json", "--stack-depth", "64", "--events", kind, recording],
                         check=True, capture_output=True, text=True).stdout
    return json.loads(out)["recording"]["events"]


def frames(event):
    stack = event["values"].get("stackTrace") or {}
    for frame in stack.get("frames", []):
        method = frame["method"]
        yield method["type"]["name"] + "." + method["name"]


def thread_of(event):
    thread = event["values"].get("sampledThread") or event["values"].get("eventThread") or {}
    return thread.get("javaName") or thread.get("osName") or "?"


def report(title, counter, total, limit=25):
    print(f"\n== {title} (of {total})")
    for name, count in counter.most_common(limit):
        print(f"{100.0 * count / max(total, 1):6.1f}%  {name}")


samples = [e for e in events("jdk.ExecutionSample") if not thread_filter or thread_filter in thread_of(e)]
self_frames = collections.Counter()
starter_frames = collections.Counter()
threads = collections.Counter()
for event in samples:
    stack = list(frames(event))
    threads[thread_of(event)] += 1
    if stack:
        self_frames[stack[0]] += 1
    for frame in stack:
        if frame.startswith("io.mqttboot.") and not frame.startswith("io.mqttboot.benchmarks.") and "$$Lambda" not in frame:
            starter_frames[frame] += 1
            break
report("CPU samples by thread", threads, len(samples), 15)
report("CPU self frames", self_frames, len(samples))
report("CPU: innermost starter frame on the stack", starter_frames, len(samples))
inclusive = collections.Counter()
for event in samples:
    seen = set()
    for frame in frames(event):
        if "$$Lambda" in frame or frame in seen:
            continue
        seen.add(frame)
        inclusive[frame] += 1
report("CPU inclusive (on the stack)", inclusive, len(samples), 400)

allocations = [e for e in events("jdk.ObjectAllocationSample") if not thread_filter or thread_filter in thread_of(e)]
by_class = collections.Counter()
by_frame = collections.Counter()
total = 0
for event in allocations:
    weight = event["values"].get("weight", 0)
    total += weight
    by_class[event["values"]["objectClass"]["name"]] += weight
    for frame in frames(event):
        if frame.startswith("io.mqttboot.") and not frame.startswith("io.mqttboot.benchmarks.") and "$$Lambda" not in frame:
            by_frame[frame] += weight
            break
report("allocated bytes by class", by_class, total)
report("allocated bytes by innermost starter frame", by_frame, total)
