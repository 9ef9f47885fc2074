"""Times the DataLoader of ../shared/bench/peers/distill_epoch.py on its own, without editing the peer: runs the
peer's own prep and Dataset code (its source above the model section), then pure passes over the same DataLoader
(same batch, shuffle, num_workers=2, paired flips and jitter), and prints images/s as JSON.

usage: peer_loader.py PEER_FILE IMAGE_ROOT FACTOR BATCH [PASSES]
"""
import json, os, sys, time

peer, root, factor, batch = sys.argv[1], sys.argv[2], sys.argv[3], int(sys.argv[4])
passes = int(sys.argv[5]) if len(sys.argv) > 5 else 1
source = open(peer).read()
head = source[: source.index("teacher, student =")]
sys.argv = [peer, root, factor, "1", str(batch)]
sys.path.insert(0, os.path.dirname(os.path.abspath(peer)))
scope = {"__name__": "peer_data"}
exec(compile(head, peer, "exec"), scope)
loader = scope["DataLoader"](scope["Paired"](), batch_size=batch, shuffle=True, num_workers=2, drop_last=False)
rates = []
for _ in range(passes):
    seen, t0 = 0, time.perf_counter()
    for x_hi, _x_lo, _y in loader:
        seen += x_hi.shape[0]
    rates.append(seen / (time.perf_counter() - t0))
rates.sort()
print(json.dumps({"peer": "distill_epoch.py DataLoader alone", "images": seen, "passes": passes, "img_per_s": round(rates[len(rates) // 2], 1)}))
