#!/usr/bin/python3
"""Times the original's thumbnail method on one photo, for BenchmarkThumbnail24MP.

Usage: bench_pil.py PHOTO N
Does what the original's makeThumb did N times (open, Image.thumbnail to
160x160 with LANCZOS, save as JPEG) and prints the mean wall and CPU
nanoseconds per photo (CPU time is what to compare on a busy machine).
"""
import io
import sys
import time

from PIL import Image


def main():
    path, n = sys.argv[1], int(sys.argv[2])
    start, cpu = time.perf_counter_ns(), time.process_time_ns()
    for _ in range(n):
        with Image.open(path) as im:
            im.thumbnail((160, 160), Image.Resampling.LANCZOS)
            buf = io.BytesIO()
            im.save(buf, "JPEG")
    print((time.perf_counter_ns() - start) // n, (time.process_time_ns() - cpu) // n)


if __name__ == "__main__":
    main()
