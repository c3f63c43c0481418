"""The load generator: a second process (`python -m bench.load`, JSON in on stdin, JSON out on stdout)
so the clients do not share a CPU scheduler slot or a GIL with the server they measure.

Each of `clients` threads keeps one HTTP/1.1 connection open and requests its target again and
again for `seconds` (after `warmup` requests that are not counted), recording each latency.
"""

import http.client
import json
import sys
import threading
import time


def _client(host: str, port: int, path: str, cookie: str, until: float, warmup: int, out: list, errors: list):
    conn = http.client.HTTPConnection(host, port, timeout=60)
    headers = {"Cookie": cookie, "Accept": "text/html,application/json"}
    done = 0
    while True:
        start = time.perf_counter()
        if done >= warmup and start >= until:
            break
        try:
            conn.request("GET", path, headers=headers)
            response = conn.getresponse()
            response.read()
            status = response.status
        except (OSError, http.client.HTTPException) as exc:
            errors.append(repr(exc))
            conn.close()
            conn = http.client.HTTPConnection(host, port, timeout=60)
            continue
        elapsed = time.perf_counter() - start
        if status != 200:
            errors.append(f"HTTP {status} {path}")
        if done >= warmup:
            out.append(elapsed)
        done += 1
    conn.close()


def run(*, host: str, port: int, path: str, cookie: str, clients: int, seconds: float, warmup: int) -> dict:
    latencies: list[float] = []
    errors: list[str] = []
    threads = []
    started = time.perf_counter()
    until = started + seconds
    for _ in range(clients):
        thread = threading.Thread(
            target=_client, args=(host, port, path, cookie, until, warmup, latencies, errors), daemon=True
        )
        thread.start()
        threads.append(thread)
    for thread in threads:
        thread.join()
    return {
        "latencies": latencies,
        "wall": time.perf_counter() - started,
        "errors": errors[:5],
        "error_count": len(errors),
    }


if __name__ == "__main__":
    job = json.load(sys.stdin)
    json.dump(run(**job), sys.stdout)
