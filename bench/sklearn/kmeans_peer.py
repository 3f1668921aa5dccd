"""scikit-learn's KMeans as a peer of segmint's K-Means bench (bench/suites/10-kmeans.mjs).

A long-lived process, so the bench times fits, not Python's start-up and imports:
  python3 kmeans_peer.py            prints {"ok": true, "sklearn": version} or an error
                                    and exits (the probe: is scikit-learn importable?)
  python3 kmeans_peer.py --serve    then reads one JSON job per line on stdin and
                                    answers one JSON line per job on stdout.

A job: {"load": path, "rows": n, "cols": d} maps a raw little-endian float64 row-major
matrix (written by the bench) and makes it current; {"k", "nInit", "seeds", "maxIter",
"tol", "threads"} runs one KMeans fit per seed on it (init='k-means++',
algorithm='lloyd', as segmint's 'lloyd' does) under threadpoolctl's OpenMP limit, and
answers {"ms": wall time of all the fits, "iterations": [...], "inertia": [...]}.
"""
import json
import sys
import time


def probe():
    try:
        import numpy  # noqa: F401
        import sklearn
        import threadpoolctl  # noqa: F401
    except Exception as e:  # ImportError, or a broken install
        print(json.dumps({"ok": False, "error": f"{type(e).__name__}: {e}"}))
        return
    print(json.dumps({"ok": True, "sklearn": sklearn.__version__}))


def serve():
    import numpy as np
    from sklearn.cluster import KMeans
    from threadpoolctl import threadpool_limits

    X = None
    for line in sys.stdin:
        line = line.strip()
        if not line:
            continue
        job = json.loads(line)
        try:
            if "load" in job:
                X = np.fromfile(job["load"], dtype="<f8").reshape(job["rows"], job["cols"])
                out = {"ok": True}
            else:
                iterations, inertia = [], []
                with threadpool_limits(limits=job["threads"], user_api="openmp"):
                    t0 = time.perf_counter()
                    for seed in job["seeds"]:
                        m = KMeans(
                            n_clusters=job["k"],
                            init="k-means++",
                            n_init=job["nInit"],
                            max_iter=job["maxIter"],
                            tol=job["tol"],
                            algorithm="lloyd",
                            random_state=seed,
                        ).fit(X)
                        iterations.append(int(m.n_iter_))
                        inertia.append(float(m.inertia_))
                    ms = (time.perf_counter() - t0) * 1000
                out = {"ok": True, "ms": ms, "iterations": iterations, "inertia": inertia}
        except Exception as e:
            out = {"ok": False, "error": f"{type(e).__name__}: {e}"}
        sys.stdout.write(json.dumps(out) + "\n")
        sys.stdout.flush()


if __name__ == "__main__":
    serve() if "--serve" in sys.argv else probe()
