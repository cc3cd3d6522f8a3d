#!/usr/bin/env python3
"""PyTorch on the network of conf/mnist-cnn.yaml (LeNet-style: conv 5x5x20, max pool 2, conv 5x5x50, max pool 2,
dense 500, softmax 10; ReLU, Adam 1e-3), MNIST pixels/255, shuffled batches, 1 epoch by default; prints one line of
examples/s (the timed part is the training loop only, as the Java benchmark times it) and test accuracy.

Usage: bench/torch_cnn.py DATA_DIR BATCH THREADS [EPOCHS]   (python3-torch, Debian's package: not a project dependency)
"""
import gzip
import struct
import sys
import time

import torch
import torch.nn as nn


def idx(path):
    opener = gzip.open if path.endswith(".gz") else open
    with opener(path, "rb") as f:
        data = f.read()
    dims = data[3]
    shape = struct.unpack(">" + "I" * dims, data[4:4 + 4 * dims])
    return torch.frombuffer(bytearray(data[4 + 4 * dims:]), dtype=torch.uint8).reshape(shape)


def main():
    data, batch, threads = sys.argv[1], int(sys.argv[2]), int(sys.argv[3])
    epochs = int(sys.argv[4]) if len(sys.argv) > 4 else 1
    torch.set_num_threads(threads)
    torch.manual_seed(42)
    x = idx(data + "/train-images-idx3-ubyte").float().div_(255).unsqueeze(1)
    y = idx(data + "/train-labels-idx1-ubyte").long()
    tx = idx(data + "/t10k-images-idx3-ubyte").float().div_(255).unsqueeze(1)
    ty = idx(data + "/t10k-labels-idx1-ubyte").long()
    net = nn.Sequential(nn.Conv2d(1, 20, 5), nn.ReLU(), nn.MaxPool2d(2), nn.Conv2d(20, 50, 5), nn.ReLU(),
                        nn.MaxPool2d(2), nn.Flatten(), nn.Linear(800, 500), nn.ReLU(), nn.Linear(500, 10))
    opt = torch.optim.Adam(net.parameters(), lr=1e-3)
    loss_fn = nn.CrossEntropyLoss()
    seconds = 0.0
    seen = 0
    for _ in range(epochs):
        order = torch.randperm(len(x))
        begin = time.perf_counter()
        for i in range(0, len(x), batch):
            rows = order[i:i + batch]
            opt.zero_grad()
            loss_fn(net(x[rows]), y[rows]).backward()
            opt.step()
            seen += len(rows)
        seconds += time.perf_counter() - begin
    with torch.no_grad():
        accuracy = (net(tx).argmax(1) == ty).float().mean().item()
    print(f"pytorch {torch.__version__} batch {batch} threads {threads}: {seen / seconds:.1f} examples/s, "
          f"test accuracy {accuracy:.4f}")


if __name__ == "__main__":
    main()
