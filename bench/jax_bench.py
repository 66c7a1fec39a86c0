"""JAX CPU twin of dl4go's benchmark: one model, one batch size, one process.

Called by `go run ./bench` (see README.md) with the Python of a virtualenv made from
bench/jax-requirements.txt; prints one JSON line on stdout, like torch_bench.py. The three
workloads (mlp, cnn, transformer) are written in plain jax.numpy / jax.lax, with the same layer
sizes as bench/models/models.go (the same trainable parameter counts: 203530, 225034, 34762),
NHWC images as in GoMLX, softmax cross-entropy and Adam (learning rate 1e-3, written out here so
that no optimizer library is needed). The whole training step is one jax.jit function: the XLA
compiler that GoMLX's "xla" backend uses, driven by the framework a user would pick instead.

The first step (tracing and XLA compilation) is reported separately (first_step_s); `go run
./bench` sets XLA_FLAGS for 2 threads.
"""
import argparse
import gzip
import json
import os
import statistics
import sys
import time

import numpy as np

import jax
import jax.numpy as jnp

SEQ, VOCAB, D, HEADS, FFN = 32, 10, 64, 4, 128


def dense_init(key, n_in, n_out):
    bound = 1.0 / np.sqrt(n_in)
    return {"w": jax.random.uniform(key, (n_in, n_out), jnp.float32, -bound, bound),
            "b": jnp.zeros((n_out,), jnp.float32)}


def dense(p, x):
    return x @ p["w"] + p["b"]


def conv_init(key, k, c_in, c_out):
    bound = 1.0 / np.sqrt(k * k * c_in)
    return {"w": jax.random.uniform(key, (k, k, c_in, c_out), jnp.float32, -bound, bound),
            "b": jnp.zeros((c_out,), jnp.float32)}


def conv(p, x):
    y = jax.lax.conv_general_dilated(x, p["w"], (1, 1), "VALID", dimension_numbers=("NHWC", "HWIO", "NHWC"))
    return y + p["b"]


def max_pool2(x):
    return jax.lax.reduce_window(x, -jnp.inf, jax.lax.max, (1, 2, 2, 1), (1, 2, 2, 1), "VALID")


def layer_norm(p, x, eps=1e-3):
    m = x.mean(-1, keepdims=True)
    v = ((x - m) ** 2).mean(-1, keepdims=True)
    return (x - m) / jnp.sqrt(v + eps) * p["g"] + p["b"]


def mlp_init(key):
    k1, k2 = jax.random.split(key)
    return {"hidden": dense_init(k1, 784, 256), "out": dense_init(k2, 256, 10)}


def mlp(p, x):
    x = x.reshape(x.shape[0], -1)
    return dense(p["out"], jax.nn.relu(dense(p["hidden"], x)))


def cnn_init(key):
    k = jax.random.split(key, 4)
    return {"conv1": conv_init(k[0], 3, 1, 32), "conv2": conv_init(k[1], 3, 32, 64),
            "dense": dense_init(k[2], 5 * 5 * 64, 128), "out": dense_init(k[3], 128, 10)}


def cnn(p, x):
    x = x.reshape(x.shape[0], 28, 28, 1)
    x = max_pool2(jax.nn.relu(conv(p["conv1"], x)))
    x = max_pool2(jax.nn.relu(conv(p["conv2"], x)))
    x = jax.nn.relu(dense(p["dense"], x.reshape(x.shape[0], -1)))
    return dense(p["out"], x)


def transformer_init(key):
    k = jax.random.split(key, 8)
    ln = lambda: {"g": jnp.ones((D,), jnp.float32), "b": jnp.zeros((D,), jnp.float32)}
    return {"embed": jax.random.normal(k[0], (VOCAB, D), jnp.float32) * 0.02,
            "q": dense_init(k[1], D, D), "k": dense_init(k[2], D, D), "v": dense_init(k[3], D, D),
            "o": dense_init(k[4], D, D), "ln1": ln(),
            "ffn1": dense_init(k[5], D, FFN), "ffn2": dense_init(k[6], FFN, D), "ln2": ln(),
            "out": dense_init(k[7], D, 10)}


def transformer(p, ids):
    x = p["embed"][ids]  # [B, S, D]
    b, s, _ = x.shape
    split = lambda t: t.reshape(b, s, HEADS, D // HEADS)
    q, k, v = split(dense(p["q"], x)), split(dense(p["k"], x)), split(dense(p["v"], x))
    att = jax.nn.softmax(jnp.einsum("bqhd,bkhd->bhqk", q, k) / np.sqrt(D // HEADS), -1)
    a = dense(p["o"], jnp.einsum("bhqk,bkhd->bqhd", att, v).reshape(b, s, D))
    x = layer_norm(p["ln1"], x + a)
    x = layer_norm(p["ln2"], x + dense(p["ffn2"], jax.nn.relu(dense(p["ffn1"], x))))
    return dense(p["out"], x.mean(1))


MODELS = {"mlp": (mlp_init, mlp), "cnn": (cnn_init, cnn), "transformer": (transformer_init, transformer)}


def make_step(forward, lr, b1=0.9, b2=0.999, eps=1e-7):
    """One jitted Adam training step on softmax cross-entropy: (params, state, x, y) → (params, state, loss)."""

    def loss_fn(p, x, y):
        logp = jax.nn.log_softmax(forward(p, x))
        return -jnp.take_along_axis(logp, y[:, None], 1).mean()

    @jax.jit
    def step(p, state, x, y):
        loss, g = jax.value_and_grad(loss_fn)(p, x, y)
        t, m, v = state
        t = t + 1
        m = jax.tree_util.tree_map(lambda m, g: b1 * m + (1 - b1) * g, m, g)
        v = jax.tree_util.tree_map(lambda v, g: b2 * v + (1 - b2) * g * g, v, g)
        scale = lr * jnp.sqrt(1 - b2 ** t) / (1 - b1 ** t)
        p = jax.tree_util.tree_map(lambda p, m, v: p - scale * m / (jnp.sqrt(v) + eps), p, m, v)
        return p, (t, m, v), loss

    return step


def read_idx(path, dims):
    with gzip.open(path, "rb") as f:
        data = f.read()
    n = int.from_bytes(data[4:8], "big")
    return np.frombuffer(data, dtype=np.uint8, offset=4 * (2 + dims)), n


def mnist_batches(d, batch, seed):
    pixels, n = read_idx(os.path.join(d, "train-images-idx3-ubyte.gz"), 2)
    labels, _ = read_idx(os.path.join(d, "train-labels-idx1-ubyte.gz"), 0)
    x = pixels.reshape(n, 28, 28).astype(np.float32) / 255.0
    y = labels.astype(np.int32)
    rng = np.random.default_rng(seed)
    order, pos = rng.permutation(n), 0
    while True:
        if pos + batch > n:
            order, pos = rng.permutation(n), 0
        idx = order[pos:pos + batch]
        pos += batch
        yield x[idx], y[idx]


def token_batches(batch, seed):
    rng = np.random.default_rng(seed)
    while True:
        labels = rng.integers(VOCAB, size=batch, dtype=np.int32)
        noise = rng.integers(VOCAB, size=(batch, SEQ), dtype=np.int32)
        keep = rng.integers(2, size=(batch, SEQ)) == 0
        yield np.where(keep, labels[:, None], noise).astype(np.int32), labels


def main():
    p = argparse.ArgumentParser()
    p.add_argument("--model", required=True, choices=sorted(MODELS))
    p.add_argument("--batch", type=int, default=64)
    p.add_argument("--mnist-dir", default="")
    p.add_argument("--params", action="store_true", help="only print the trainable parameter count")
    p.add_argument("--warmup", type=int, default=2, help="steps before timing; the first compiles")
    p.add_argument("--min-steps", type=int, default=5)
    p.add_argument("--max-steps", type=int, default=200)
    p.add_argument("--min-time", type=float, default=3.0)
    p.add_argument("--lr", type=float, default=1e-3)
    a = p.parse_args()

    init, forward = MODELS[a.model]
    params = init(jax.random.PRNGKey(1))
    out = {"engine": "jax", "torch": "jax " + jax.__version__, "model": a.model, "batch": a.batch,
           "params": int(sum(x.size for x in jax.tree_util.tree_leaves(params)))}
    if a.params:
        json.dump(out, sys.stdout)
        print()
        return
    zeros = jax.tree_util.tree_map(jnp.zeros_like, params)
    state = (jnp.zeros((), jnp.float32), zeros, zeros)
    data = token_batches(a.batch, 1) if a.model == "transformer" else mnist_batches(a.mnist_dir, a.batch, 1)
    step = make_step(forward, a.lr)

    def one():
        nonlocal params, state
        x, y = next(data)
        params, state, loss = step(params, state, x, y)
        return float(loss)  # waits for the step to finish

    t0 = time.perf_counter()
    one()
    out["first_step_s"] = time.perf_counter() - t0
    for _ in range(a.warmup - 1):
        one()
    out["warmup_s"] = time.perf_counter() - t0
    times, start, cpu0 = [], time.perf_counter(), time.process_time()
    while len(times) < a.max_steps and (len(times) < a.min_steps or time.perf_counter() - start < a.min_time):
        t = time.perf_counter()
        loss = one()
        times.append(time.perf_counter() - t)
    out["steps"], out["loss"] = len(times), loss
    out["ms_per_step"] = 1000 * statistics.median(times)
    out["cpu_ms_per_step"] = 1000 * (time.process_time() - cpu0) / len(times)
    json.dump(out, sys.stdout)
    print()


if __name__ == "__main__":
    main()
