#!/usr/bin/python3
"""PyTorch side of dl4go's benchmark: one model, one batch size, one process.

Called by `go run ./bench` (see README.md); prints one JSON line on stdout.
The models, optimizer and data match bench/models/models.go (mlp, cnn, transformer) and
bench/models/lessons.go (one model per wave-1 lesson, sizes passed as --config JSON).
"""
import argparse
import gzip
import json
import math
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


# --- One model per wave-1 lesson: mirrors of bench/models/lessons.go, sizes passed as --config
# JSON by `go run ./bench` (read from each lesson's default configuration). Images are NCHW here,
# NHWC in GoMLX: the same layers. BatchNorm and LayerNorm use GoMLX's epsilon 1e-3.

def bn2d(c, momentum=0.1):
    return nn.BatchNorm2d(c, eps=1e-3, momentum=momentum)


def layer_norm(d):
    return nn.LayerNorm(d, eps=1e-3)


class RL(nn.Module):
    """lessons/rl/reinforce.go: policy 4-h-2 and baseline 4-h-1 (tanh), REINFORCE with baseline."""

    def __init__(self, c):
        super().__init__()
        h = c["hidden"]
        self.register_buffer("scale", torch.tensor(c["scale"], dtype=torch.float32))
        self.policy_hidden, self.policy_out = nn.Linear(4, h), nn.Linear(h, 2)
        self.value_hidden, self.value_out = nn.Linear(4, h), nn.Linear(h, 1)

    def loss(self, states, actions, returns, mask):
        x = states * self.scale
        log_pi = F.log_softmax(self.policy_out(torch.tanh(self.policy_hidden(x))), -1)
        log_pi_a = log_pi.gather(1, actions[:, None])[:, 0]
        v = self.value_out(torch.tanh(self.value_hidden(x)))[:, 0]
        count = mask.sum()

        def mean(t):
            return (t * mask).sum() / count

        adv = (returns - v).detach()
        m = mean(adv)
        adv = (adv - m) / torch.sqrt(mean((adv - m) ** 2) + 1e-8)
        return -mean(log_pi_a * adv) + mean((returns - v) ** 2)


class ResBlock(nn.Module):
    def __init__(self, c):
        super().__init__()
        self.conv_a, self.bn_a = nn.Conv2d(c, c, 3, padding=1, bias=False), bn2d(c)
        self.conv_b, self.bn_b = nn.Conv2d(c, c, 3, padding=1, bias=False), bn2d(c)

    def forward(self, x):
        y = F.relu(self.bn_a(self.conv_a(x)))
        return F.relu(self.bn_b(self.conv_b(y)) + x)


class AlphaGo(nn.Module):
    """lessons/alphago/net.go DualNet: conv-BN stem, residual blocks, policy and value heads."""

    def __init__(self, c):
        super().__init__()
        ch, n = c["channels"], c["size"]
        self.stem, self.stem_bn = nn.Conv2d(c["planes"], ch, 3, padding=1, bias=False), bn2d(ch)
        self.blocks = nn.Sequential(*[ResBlock(ch) for _ in range(c["blocks"])])
        self.p_conv, self.p_bn, self.p_dense = nn.Conv2d(ch, 2, 1, bias=False), bn2d(2), nn.Linear(2 * n * n, n * n + 1)
        self.v_conv, self.v_bn = nn.Conv2d(ch, 1, 1, bias=False), bn2d(1)
        self.v_hidden, self.v_out = nn.Linear(n * n, 32), nn.Linear(32, 1)

    def loss(self, planes, pi, z):
        x = F.relu(self.stem_bn(self.stem(planes.permute(0, 3, 1, 2))))
        x = self.blocks(x)
        p = self.p_dense(F.relu(self.p_bn(self.p_conv(x))).flatten(1))
        v = F.relu(self.v_bn(self.v_conv(x))).flatten(1)
        v = torch.tanh(self.v_out(F.relu(self.v_hidden(v))))[:, 0]
        return -(pi * F.log_softmax(p, -1)).sum(-1).mean() + ((z - v) ** 2).mean()


class FCN(nn.Module):
    """lessons/detection/fcn.go FCN with skips: conv-BN-ReLU(-pool) ×4, 1×1 scores, ×2 transposed convs."""

    def __init__(self, c):
        super().__init__()
        ch, nl = c["channels"], c["labels"]
        ins = [3] + ch[:3]
        self.convs = nn.ModuleList([nn.Conv2d(i, o, 3, padding=1, bias=False) for i, o in zip(ins, ch)])
        self.bns = nn.ModuleList([bn2d(o) for o in ch])
        self.score8, self.score4, self.score2 = nn.Conv2d(ch[3], nl, 1), nn.Conv2d(ch[1], nl, 1), nn.Conv2d(ch[0], nl, 1)
        self.ups = nn.ModuleList([nn.ConvTranspose2d(nl, nl, 4, stride=2, padding=1, bias=False) for _ in range(3)])

    def loss(self, images, labels):
        x = images.permute(0, 3, 1, 2)
        feats = []
        for i in range(4):
            x = F.relu(self.bns[i](self.convs[i](x)))
            if i < 3:
                x = F.max_pool2d(x, 2)
                feats.append(x)
        s = self.ups[0](self.score8(x)) + self.score4(feats[1])
        s = self.ups[1](s) + self.score2(feats[0])
        return F.cross_entropy(self.ups[2](s), labels)


class BertBlock(nn.Module):
    def __init__(self, d, heads, ffn):
        super().__init__()
        self.norm1, self.norm2 = layer_norm(d), layer_norm(d)
        self.attention = nn.MultiheadAttention(d, heads, batch_first=True)
        self.ffn1, self.ffn2 = nn.Linear(d, ffn), nn.Linear(ffn, d)


class Bert(nn.Module):
    """lessons/bert/model.go BERT-mini: tied token table, segment and position embeddings, encoder
    blocks (pre- or post-norm), MLM head over masked positions, NSP head on [CLS]."""

    def __init__(self, c):
        super().__init__()
        v, d, self.prenorm = c["vocab"], c["dim"], c["prenorm"]
        self.token = nn.Parameter(0.1 * torch.randn(v, d))
        self.segment = nn.Embedding(2, d)
        self.position = nn.Parameter(0.1 * torch.randn(c["seq_len"], d))
        self.emb_norm = layer_norm(d)
        self.blocks = nn.ModuleList([BertBlock(d, c["heads"], c["ffn"]) for _ in range(c["layers"])])
        self.final_norm = layer_norm(d) if self.prenorm else None
        self.mlm_transform, self.mlm_norm = nn.Linear(d, d), layer_norm(d)
        self.mlm_bias = nn.Parameter(torch.zeros(v))
        self.pooler, self.nsp_out = nn.Linear(d, d), nn.Linear(d, 2)

    def loss(self, tokens, segments, positions, targets, weights, is_next):
        x = self.emb_norm(self.token[tokens] + self.segment(segments) + self.position[None])
        pad = tokens == 0
        for b in self.blocks:
            h = b.norm1(x) if self.prenorm else x
            a, _ = b.attention(h, h, h, key_padding_mask=pad, need_weights=False)
            x = x + a
            if self.prenorm:
                h = b.norm2(x)
            else:
                x = h = b.norm1(x)
            x = x + b.ffn2(F.gelu(b.ffn1(h)))
            if not self.prenorm:
                x = b.norm2(x)
        if self.prenorm:
            x = self.final_norm(x)
        hm = x[torch.arange(x.shape[0])[:, None], positions]  # [B, P, d]
        hm = self.mlm_norm(F.gelu(self.mlm_transform(hm)))
        logits = hm @ self.token.t() + self.mlm_bias
        nll = F.cross_entropy(logits.flatten(0, 1), targets.flatten(), reduction="none")
        mlm = (nll * weights.flatten()).sum() / torch.clamp(weights.sum(), min=1)
        nsp = F.cross_entropy(self.nsp_out(torch.tanh(self.pooler(x[:, 0]))), is_next)
        return mlm + nsp


class Generator(nn.Module):
    """lessons/dcgan/model.go Generator: project z → 7×7×2g, BN-ReLU, two ×2 transposed convs with a 3×3 conv
    (BN-ReLU) between them, tanh."""

    def __init__(self, c):
        super().__init__()
        g, self.c0 = c["gfeatures"], 2 * c["gfeatures"]
        self.project, self.project_bn = nn.Linear(c["zdim"], 49 * self.c0, bias=False), bn2d(self.c0, 0.01)
        self.tconv1, self.tconv1_bn = nn.ConvTranspose2d(self.c0, g, 4, 2, 1, bias=False), bn2d(g, 0.01)
        self.conv, self.conv_bn = nn.Conv2d(g, g, 3, 1, 1, bias=False), bn2d(g, 0.01)
        self.tconv2 = nn.ConvTranspose2d(g, 1, 4, 2, 1, bias=False)

    def forward(self, z):
        x = F.relu(self.project_bn(self.project(z).view(-1, self.c0, 7, 7)))
        x = F.relu(self.tconv1_bn(self.tconv1(x)))
        x = F.relu(self.conv_bn(self.conv(x)))
        return torch.tanh(self.tconv2(x))


class Discriminator(nn.Module):
    """lessons/dcgan/model.go Discriminator: three stride-2 convs (28 → 14 → 7 → 4), LeakyReLU 0.2, BN on all but
    the first, 4×4 conv to a logit."""

    def __init__(self, c):
        super().__init__()
        d = c["dfeatures"]
        self.conv1 = nn.Conv2d(1, d, 4, 2, 1)
        self.conv2, self.conv2_bn = nn.Conv2d(d, 2 * d, 4, 2, 1, bias=False), bn2d(2 * d, 0.01)
        self.conv3, self.conv3_bn = nn.Conv2d(2 * d, 4 * d, 3, 2, 1, bias=False), bn2d(4 * d, 0.01)
        self.logit = nn.Conv2d(4 * d, 1, 4)

    def forward(self, x):
        h = F.leaky_relu(self.conv1(x), 0.2)
        h = F.leaky_relu(self.conv2_bn(self.conv2(h)), 0.2)
        h = F.leaky_relu(self.conv3_bn(self.conv3(h)), 0.2)
        return self.logit(h).flatten()


class DCGAN(nn.Module):
    def __init__(self, c):
        super().__init__()
        self.generator, self.discriminator = Generator(c), Discriminator(c)


class MAML(nn.Module):
    """lessons/maml/model.go: MLP 1-h-h-1 (ReLU) as plain tensors, adapted per task by SGD."""

    def __init__(self, c):
        super().__init__()
        h = c["hidden"]

        def w(*shape):
            return nn.Parameter(0.01 * torch.randn(*shape).clamp(-2, 2))

        self.w = nn.ParameterList([w(1, h), nn.Parameter(torch.zeros(h)), w(h, h), nn.Parameter(torch.zeros(h)),
                                   w(h, 1), nn.Parameter(torch.zeros(1))])

    @staticmethod
    def forward_tasks(w, x):
        h = F.relu(torch.baddbmm(w[1][:, None, :], x, w[0]))
        h = F.relu(torch.baddbmm(w[3][:, None, :], h, w[2]))
        return torch.baddbmm(w[5][:, None, :], h, w[4])


def task_mse(pred, y):
    return ((pred - y) ** 2).mean((1, 2))


LESSONS = {"rl": RL, "alphago": AlphaGo, "detection": FCN, "bert": Bert, "dcgan": DCGAN, "maml": MAML}


def lesson_batches(name, c, b, g, pool, data_path):
    """pool batches of synthetic data (detection: the shapes images written by the Go bench), as in lessons.go."""
    out = []
    for k in range(pool):
        if name == "rl":
            out.append((torch.randn(b, 4, generator=g), torch.randint(2, (b,), generator=g),
                        torch.rand(b, generator=g), torch.ones(b)))
        elif name == "alphago":
            n, planes = c["size"], c["planes"]
            x = torch.zeros(b, n, n, planes)
            stone = torch.randint(3, (b, n, n), generator=g)
            x[..., 0], x[..., 1], x[..., 2] = (stone == 0).float(), (stone == 1).float(), 1
            pi = torch.rand(b, n * n + 1, generator=g)
            out.append((x, pi / pi.sum(1, keepdim=True), torch.randint(2, (b,), generator=g).float() * 2 - 1))
        elif name == "detection":
            s = c["size"]
            raw = np.fromfile(data_path, dtype=np.float32)
            n = len(raw) // (s * s * 4)
            images = torch.from_numpy(raw[:n * s * s * 3].copy()).view(n, s, s, 3)
            labels = torch.from_numpy(raw[n * s * s * 3:].copy().view(np.int32).astype(np.int64)).view(n, s, s)
            i = (k * b) % max(1, n - b + 1)
            out.append((images[i:i + b], labels[i:i + b]))
        elif name == "bert":
            L, p, v = c["seq_len"], c["max_pred"], c["vocab"]
            toks, segs = torch.zeros(b, L, dtype=torch.long), torch.zeros(b, L, dtype=torch.long)
            pos = torch.zeros(b, p, dtype=torch.long)
            for i in range(b):
                n = L - int(torch.randint(L // 4, (1,), generator=g))
                toks[i, :n] = torch.randint(5, v, (n,), generator=g)
                segs[i, n // 2 + 1:n] = 1
                pos[i] = torch.randperm(n - 1, generator=g)[:p] + 1
            out.append((toks, segs, pos, torch.randint(5, v, (b, p), generator=g), torch.ones(b, p),
                        torch.randint(2, (b,), generator=g)))
        elif name == "dcgan":
            out.append((torch.rand(b, 28, 28, generator=g), torch.randn(b, c["zdim"], generator=g),
                        torch.randn(b, c["zdim"], generator=g)))
        elif name == "maml":
            amp = 0.1 + 4.9 * torch.rand(b, 1, 1, generator=g)
            phase = math.pi * torch.rand(b, 1, 1, generator=g)
            xs = -5 + 10 * torch.rand(b, c["k"], 1, generator=g)
            xq = -5 + 10 * torch.rand(b, c["q"], 1, generator=g)
            out.append((xs, amp * torch.sin(xs - phase), xq, amp * torch.sin(xq - phase)))
    return out


def lesson_step_fn(name, model, c):
    """The training step of lesson model name, as bench/models/lessons.go's."""
    if name == "dcgan":
        gen, disc = model.generator, model.discriminator
        opt_d = torch.optim.Adam(disc.parameters(), lr=c["lr"], betas=(c["beta1"], 0.999))
        opt_g = torch.optim.Adam(gen.parameters(), lr=c["lr"], betas=(c["beta1"], 0.999))

        def step(real, z1, z2):
            with torch.no_grad():
                fake = gen(z1)
            opt_d.zero_grad()
            real = (real * 2 - 1).view(-1, 1, 28, 28)
            loss_d = F.softplus(-disc(real)).mean() + F.softplus(disc(fake)).mean()
            loss_d.backward()
            opt_d.step()
            for p in disc.parameters():  # frozen: the gradient flows through D, D is not updated.
                p.requires_grad_(False)
            opt_g.zero_grad()
            loss_g = F.softplus(-disc(gen(z2))).mean()
            loss_g.backward()
            opt_g.step()
            for p in disc.parameters():
                p.requires_grad_(True)
            return loss_d.item() + loss_g.item()
        return step
    if name == "maml":
        opt = torch.optim.Adam(model.parameters(), lr=c["meta_lr"])

        def step(xs, ys, xq, yq):
            t = xs.shape[0]
            w = [p.unsqueeze(0).expand(t, *p.shape) for p in model.w]
            for _ in range(c["inner_steps"]):
                inner = task_mse(MAML.forward_tasks(w, xs), ys).sum()
                grads = torch.autograd.grad(inner, w, create_graph=True)  # second order
                w = [wi - c["inner_lr"] * gi for wi, gi in zip(w, grads)]
            opt.zero_grad()
            loss = task_mse(MAML.forward_tasks(w, xq), yq).mean()
            loss.backward()
            opt.step()
            return loss.item()
        return step
    if name == "bert":
        opt = torch.optim.AdamW(model.parameters(), lr=c["lr"], weight_decay=c["weight_decay"])
    else:
        opt = torch.optim.Adam(model.parameters(), lr=c["lr"])

    def step(*batch):
        opt.zero_grad()
        loss = model.loss(*batch)
        loss.backward()
        opt.step()
        return loss.item()
    return step


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


def blas_library():
    """The BLAS shared library this process loaded (torch's matmuls run on it), from /proc/self/maps.

    Debian's python3-torch links libblas.so.3 (BLAS_INFO=generic): with only the reference BLAS
    (libblas3) installed, its dense layers run 5-20x slower than with OpenBLAS.
    """
    try:
        with open("/proc/self/maps") as f:
            for line in f:
                path = line.split()[-1]
                if "blas" in os.path.basename(path):
                    return os.path.realpath(path)
    except OSError:
        pass
    return ""


def main():
    p = argparse.ArgumentParser()
    p.add_argument("--model", required=True, choices=["mlp", "cnn", "transformer"] + sorted(LESSONS))
    p.add_argument("--batch", type=int, default=64)
    p.add_argument("--threads", type=int, default=2)
    p.add_argument("--mnist-dir", default="")
    p.add_argument("--config", default="{}", help="lesson models: sizes and optimizer settings (JSON, from go run ./bench)")
    p.add_argument("--data", default="", help="detection: the shapes images and labels written by go run ./bench")
    p.add_argument("--pool", type=int, default=4, help="lesson models: pre-drawn batches cycled through")
    p.add_argument("--params", action="store_true", help="only print the trainable parameter count")
    p.add_argument("--warmup", type=int, default=2)
    p.add_argument("--min-steps", type=int, default=5)
    p.add_argument("--max-steps", type=int, default=200)
    p.add_argument("--min-time", type=float, default=3.0)
    p.add_argument("--epochs", type=int, default=0, help="accuracy run: train this many epochs, then evaluate")
    p.add_argument("--lr", type=float, default=1e-3)
    a = p.parse_args()

    torch.set_num_threads(a.threads)
    torch.manual_seed(1)
    out = {"engine": "torch", "torch": torch.__version__, "threads": a.threads, "model": a.model, "batch": a.batch,
           "blas": blas_library()}
    if a.model in LESSONS:
        cfg = json.loads(a.config)
        model = LESSONS[a.model](cfg)
        model.train()
        out["params"] = sum(p.numel() for p in model.parameters() if p.requires_grad)
        if a.params:
            json.dump(out, sys.stdout)
            print()
            return
        batches = lesson_batches(a.model, cfg, a.batch, torch.Generator().manual_seed(1), a.pool, a.data)
        lesson_step = lesson_step_fn(a.model, model, cfg)
        counter = [0]

        def step():
            b = batches[counter[0] % len(batches)]
            counter[0] += 1
            return lesson_step(*b)
    else:
        model = {"mlp": MLP, "cnn": CNN, "transformer": Transformer}[a.model]()
        out["params"] = sum(p.numel() for p in model.parameters() if p.requires_grad)
        if a.params:
            json.dump(out, sys.stdout)
            print()
            return
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
