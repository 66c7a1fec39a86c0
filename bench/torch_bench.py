#!/usr/bin/python3
"""PyTorch side of dl4go's benchmark: one model, one batch size, one process.

Called by `go run ./bench` (see README.md); prints one JSON line on stdout.
The models, optimizer and data match bench/models/models.go.
"""
import argparse
import gzip
import json
import os
import statistics
import sys
import time

import numpy as np
import torch
import torch.nn as nn
import torch.nn.functional as F

SEQ, VOCAB, D, HEADS, FFN = 32, 10, 64, 4, 128


class MLP(nn.Module):
    def __init__(self):
        super().__init__()
        self.hidden = nn.Linear(784, 256)
        self.out = nn.Linear(256, 10)

    def forward(self, x):
        return self.out(F.relu(self.hidden(x.reshape(x.shape[0], -1))))


class CNN(nn.Module):
    def __init__(self):
        super().__init__()
        self.conv1 = nn.Conv2d(1, 32, 3)
        self.conv2 = nn.Conv2d(32, 64, 3)
        self.dense = nn.Linear(64 * 5 * 5, 128)
        self.out = nn.Linear(128, 10)

    def forward(self, x):
        x = x.reshape(x.shape[0], 1, 28, 28)
        x = F.max_pool2d(F.relu(self.conv1(x)), 2)
        x = F.max_pool2d(F.relu(self.conv2(x)), 2)
        return self.out(F.relu(self.dense(x.flatten(1))))


class Transformer(nn.Module):
    def __init__(self):
        super().__init__()
        self.embed = nn.Embedding(VOCAB, D)
        self.attn = nn.MultiheadAttention(D, HEADS, batch_first=True)
        self.ln1 = nn.LayerNorm(D)
        self.ffn1 = nn.Linear(D, FFN)
        self.ffn2 = nn.Linear(FFN, D)
        self.ln2 = nn.LayerNorm(D)
        self.out = nn.Linear(D, 10)

    def forward(self, ids):
        x = self.embed(ids)
        a, _ = self.attn(x, x, x, need_weights=False)
        x = self.ln1(x + a)
        x = self.ln2(x + self.ffn2(F.relu(self.ffn1(x))))
        return self.out(x.mean(1))


def read_idx(path, dims):
    with gzip.open(path, "rb") as f:
        data = f.read()
    header = 4 * (2 + dims)
    n = int.from_bytes(data[4:8], "big")
    return np.frombuffer(data, dtype=np.uint8, offset=header), n


def load_mnist(d, split):
    pixels, n = read_idx(os.path.join(d, split + "-images-idx3-ubyte.gz"), 2)
    labels, _ = read_idx(os.path.join(d, split + "-labels-idx1-ubyte.gz"), 0)
    x = torch.from_numpy(pixels.reshape(n, 28, 28).astype(np.float32) / 255.0)
    return x, torch.from_numpy(labels.astype(np.int64))


class MnistBatches:
    """Shuffled batches of the training set, reshuffled every epoch, incomplete batches dropped."""

    def __init__(self, x, y, batch, seed):
        self.x, self.y, self.batch = x, y, batch
        self.g = torch.Generator().manual_seed(seed)
        self.order, self.pos = torch.randperm(len(y), generator=self.g), 0

    def next(self):
        if self.pos + self.batch > len(self.y):
            self.order, self.pos = torch.randperm(len(self.y), generator=self.g), 0
        idx = self.order[self.pos:self.pos + self.batch]
        self.pos += self.batch
        return self.x[idx], self.y[idx]


class TokenBatches:
    def __init__(self, batch, seed):
        self.batch, self.g = batch, torch.Generator().manual_seed(seed)

    def next(self):
        labels = torch.randint(VOCAB, (self.batch,), generator=self.g)
        noise = torch.randint(VOCAB, (self.batch, SEQ), generator=self.g)
        keep = torch.randint(2, (self.batch, SEQ), generator=self.g) == 0
        return torch.where(keep, labels[:, None], noise), labels


def main():
    p = argparse.ArgumentParser()
    p.add_argument("--model", required=True, choices=["mlp", "cnn", "transformer"])
    p.add_argument("--batch", type=int, default=64)
    p.add_argument("--threads", type=int, default=2)
    p.add_argument("--mnist-dir", default="")
    p.add_argument("--warmup", type=int, default=2)
    p.add_argument("--min-steps", type=int, default=5)
    p.add_argument("--max-steps", type=int, default=200)
    p.add_argument("--min-time", type=float, default=3.0)
    p.add_argument("--epochs", type=int, default=0, help="accuracy run: train this many epochs, then evaluate")
    p.add_argument("--lr", type=float, default=1e-3)
    a = p.parse_args()

    torch.set_num_threads(a.threads)
    torch.manual_seed(1)
    model = {"mlp": MLP, "cnn": CNN, "transformer": Transformer}[a.model]()
    opt = torch.optim.Adam(model.parameters(), lr=a.lr)
    if a.model == "transformer":
        data = TokenBatches(a.batch, 1)
    else:
        x, y = load_mnist(a.mnist_dir, "train")
        data = MnistBatches(x, y, a.batch, 1)

    def step():
        xb, yb = data.next()
        opt.zero_grad()
        loss = F.cross_entropy(model(xb), yb)
        loss.backward()
        opt.step()
        return loss.item()

    out = {"engine": "torch", "torch": torch.__version__, "threads": a.threads, "model": a.model, "batch": a.batch}
    if a.epochs > 0:
        steps = a.epochs * (len(data.y) // a.batch)
        t0 = time.perf_counter()
        for _ in range(steps):
            loss = step()
        out["train_s"] = time.perf_counter() - t0
        out["steps"], out["loss"] = steps, loss
        tx, ty = load_mnist(a.mnist_dir, "t10k")
        model.eval()
        with torch.no_grad():
            pred = torch.cat([model(tx[i:i + 1000]).argmax(1) for i in range(0, len(ty), 1000)])
        out["accuracy"] = (pred == ty).float().mean().item()
        out["ms_per_step"] = 1000 * out["train_s"] / steps
    else:
        t0 = time.perf_counter()
        for _ in range(a.warmup):
            step()
        out["warmup_s"] = time.perf_counter() - t0
        times, start, cpu0 = [], time.perf_counter(), time.process_time()
        while len(times) < a.max_steps and (len(times) < a.min_steps or time.perf_counter() - start < a.min_time):
            t = time.perf_counter()
            loss = step()
            times.append(time.perf_counter() - t)
        out["steps"], out["loss"] = len(times), loss
        out["ms_per_step"] = 1000 * statistics.median(times)
        out["cpu_ms_per_step"] = 1000 * (time.process_time() - cpu0) / len(times)
    json.dump(out, sys.stdout)
    print()


if __name__ == "__main__":
    main()
