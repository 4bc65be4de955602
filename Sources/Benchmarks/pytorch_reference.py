"""The Swift engine's benchmark (Sources/Benchmarks), run in PyTorch on the CPU.

Same workloads, shapes, initialisation style, optimisers and timing rule (the median of several
timed repetitions after a warm-up), with PyTorch limited to the same number of threads:

    python Sources/Benchmarks/pytorch_reference.py [--threads N] [--json]

The course itself never needs Python: this script only gives the engine's numbers a yardstick.
To install PyTorch for it, once, in a virtual environment of its own (Python 3.9 or newer):

    python3 -m venv ~/torchenv
    ~/torchenv/bin/pip install torch numpy
    ~/torchenv/bin/python Sources/Benchmarks/pytorch_reference.py --json > pytorch.json
    swift run -c release Benchmarks --reference pytorch.json

(On Linux, `pip install torch --index-url https://download.pytorch.org/whl/cpu` fetches the much
smaller CPU-only build, which is all this script uses.)
"""
import argparse, datetime, json, os, platform, statistics, time
import torch
from torch import nn

parser = argparse.ArgumentParser(description="PyTorch reference for `swift run -c release Benchmarks`")
parser.add_argument("--threads", type=int, default=os.cpu_count(), help="threads (default: all cores)")
parser.add_argument("--json", action="store_true", help="print JSON instead of the table")
args = parser.parse_args()
torch.manual_seed(42)


def median_seconds(body, repetitions, warmup=3):
    """The median time of `repetitions` calls of `body`, after `warmup` untimed calls."""
    for _ in range(warmup):
        body()
    times = []
    for _ in range(repetitions):
        start = time.perf_counter()
        body()
        times.append(time.perf_counter() - start)
    return statistics.median(times)


def matmul_gflops(n, threads):
    torch.set_num_threads(threads)
    a, b = torch.randn(n, n), torch.randn(n, n)
    c = torch.empty(n, n)
    seconds = median_seconds(lambda: torch.mm(a, b, out=c), repetitions=max(5, int(2e9 / n**3)))
    return 2 * n**3 / seconds / 1e9


def processor_name():
    try:
        with open("/proc/cpuinfo") as info:
            return next(l.split(":", 1)[1].strip() for l in info if l.startswith("model name"))
    except (OSError, StopIteration):
        return platform.processor() or "this machine"


def he(layer):
    """He-normal weights and zero biases, as the engine's Linear and Conv2D start."""
    nn.init.kaiming_normal_(layer.weight, nonlinearity="relu")
    nn.init.zeros_(layer.bias)
    return layer


def step_milliseconds(model, optimizer, inputs, labels, repetitions):
    def step():
        optimizer.zero_grad(set_to_none=True)
        loss = nn.functional.cross_entropy(model(inputs), labels)
        loss.backward()
        optimizer.step()
    return median_seconds(step, repetitions) * 1000


class Classifier(nn.Module):
    """Chapter 9: Embedding(10 000, 100) → LSTM(hidden 200) → Linear(200, 2) on the last state."""
    def __init__(self):
        super().__init__()
        self.embedding = nn.Embedding(10_000, 100)  # N(0, 1), like the engine's
        self.lstm = nn.LSTM(100, 200, batch_first=True)  # U(±1/√H), like the engine's
        with torch.no_grad():  # the engine has one bias, zero but for the forget gate's 1
            self.lstm.bias_ih_l0.zero_()
            self.lstm.bias_hh_l0.zero_()
            self.lstm.bias_ih_l0[200:400] = 1
        self.head = he(nn.Linear(200, 2))

    def forward(self, tokens):
        _, (hidden, _) = self.lstm(self.embedding(tokens))
        return self.head(hidden[0])


rows = []  # (benchmark, unit, value): the rows of the engine's table, in its order
for n in (128, 256, 512, 1024):
    for threads in (1, args.threads):
        rows.append((f"matmul {n}×{n}×{n}, {threads} thread{'s' if threads > 1 else ''}",
                     "GFLOP/s", matmul_gflops(n, threads)))
torch.set_num_threads(args.threads)

mlp = nn.Sequential(he(nn.Linear(784, 256)), nn.ReLU(), he(nn.Linear(256, 128)), nn.ReLU(),
                    he(nn.Linear(128, 10)))
cnn = nn.Sequential(he(nn.Conv2d(1, 8, 3)), nn.ReLU(), nn.MaxPool2d(2),
                    he(nn.Conv2d(8, 16, 3)), nn.ReLU(), nn.MaxPool2d(2),
                    nn.Flatten(), he(nn.Linear(400, 10)))
lstm = Classifier()
workloads = [
    ("MLP step 784-256-128-10, batch 128, SGD", mlp, torch.optim.SGD(mlp.parameters(), lr=0.01),
     torch.randn(128, 784), torch.randint(0, 10, (128,)), 50),
    ("CNN step 1×28×28, batch 64, SGD", cnn, torch.optim.SGD(cnn.parameters(), lr=0.01),
     torch.randn(64, 1, 28, 28), torch.randint(0, 10, (64,)), 30),
    ("LSTM step 32×64 tokens, H 200, Adam", lstm, torch.optim.Adam(lstm.parameters(), lr=0.001),
     torch.randint(0, 10_000, (32, 64)), torch.randint(0, 2, (32,)), 15),
]
for name, model, optimizer, inputs, labels, repetitions in workloads:
    rows.append((name, "ms", step_milliseconds(model, optimizer, inputs, labels, repetitions)))

if args.json:
    print(json.dumps({"engine": f"PyTorch {torch.__version__}", "cores": args.threads,
                      "rows": [{"benchmark": b, "unit": u, "value": v} for b, u, v in rows]},
                     indent=2, ensure_ascii=False))
else:
    when = datetime.datetime.now(datetime.timezone.utc).strftime("%Y-%m-%d %H:%M UTC")
    print(f"PyTorch {torch.__version__} on {args.threads} threads of {processor_name()}, {when}; "
          "each figure the median of several timed runs")
    width = max(len(b) for b, _, _ in rows)
    print(f"{'benchmark':<{width}}  {'unit':<7}  {'PyTorch':>8}")
    print(f"{'─' * width}  {'─' * 7}  {'─' * 8}")
    for benchmark, unit, value in rows:
        print(f"{benchmark:<{width}}  {unit:<7}  {value:>8.{1 if unit == 'GFLOP/s' else 2}f}")
