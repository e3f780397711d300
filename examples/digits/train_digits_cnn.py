#!/usr/bin/python3
"""Trains the digits CNN used to prove the depthwise-separable rewrite.

scikit-learn's bundled digits set (1797 8x8 images, no download), seeded
80/20 split. The CNN has three regular 3x3 convolutions, each followed by
BatchNormalization and ReLU, and is exported to ONNX (opset 13) with the
BatchNormalization nodes kept. Writes next to this script:

  digits_cnn.onnx        the float model, input "image" [1,1,8,8], output "logits" [1,10]
  heldout_x.npy          held-out images, float32 [N,1,8,8] (pixel / 16)
  heldout_y.npy          held-out labels, int64 [N]
  calibration/NNN.npy    100 training images, float32 [1,1,8,8] each

Needs Debian's python3-torch and python3-sklearn; run with /usr/bin/python3.
The outputs are checked in, so tests do not need torch."""
import os

import numpy as np
import torch
from sklearn.datasets import load_digits
from torch import nn

HERE = os.path.dirname(os.path.abspath(__file__))
SEED = 20261122
NUCLEAR = float(os.environ.get("DIGITS_NUCLEAR", "2e-3"))


class DigitsCNN(nn.Module):
    def __init__(self):
        super().__init__()

        def block(cin, cout):
            return [nn.Conv2d(cin, cout, 3, padding=1, bias=False), nn.BatchNorm2d(cout), nn.ReLU()]

        self.features = nn.Sequential(*block(1, 32), *block(32, 64), nn.MaxPool2d(2), *block(64, 64))
        self.classifier = nn.Sequential(nn.Flatten(), nn.Linear(64 * 4 * 4, 10))

    def forward(self, x):
        return self.classifier(self.features(x))


def nuclear_norm(model):
    """Sum over convolutions and input channels of the nuclear norm of the
    Cout x (kh*kw) filter matrix: the matrices whittle's rewrite factors.
    Penalizing it during training concentrates each matrix's energy in a few
    singular values (compression-aware training), so a small rank keeps the
    layer's output."""
    total = 0.0
    for m in model.modules():
        if isinstance(m, nn.Conv2d):
            w = m.weight  # [cout, cin, kh, kw]
            mats = w.flatten(2).transpose(0, 1)  # [cin, cout, kh*kw]
            total = total + torch.linalg.svdvals(mats).sum()
    return total


def main():
    torch.manual_seed(SEED)
    torch.set_num_threads(1)
    torch.use_deterministic_algorithms(True)
    rng = np.random.default_rng(SEED)

    digits = load_digits()
    x = (digits.images.astype(np.float32) / 16.0)[:, None, :, :]
    y = digits.target.astype(np.int64)
    order = rng.permutation(len(x))
    split = int(0.8 * len(x))
    train, test = order[:split], order[split:]

    model = DigitsCNN()
    opt = torch.optim.Adam(model.parameters(), lr=2e-3, weight_decay=1e-4)
    xt, yt = torch.from_numpy(x[train]), torch.from_numpy(y[train])
    for epoch in range(30):
        model.train()
        perm = torch.randperm(len(xt))
        for i in range(0, len(xt), 64):
            idx = perm[i:i + 64]
            opt.zero_grad()
            loss = nn.functional.cross_entropy(model(xt[idx]), yt[idx]) + NUCLEAR * nuclear_norm(model)
            loss.backward()
            opt.step()
    model.eval()
    with torch.no_grad():
        pred = model(torch.from_numpy(x[test])).argmax(1).numpy()
    print(f"torch held-out accuracy: {(pred == y[test]).mean() * 100:.2f}% on {len(test)} images")

    torch.onnx.export(model, torch.zeros(1, 1, 8, 8), os.path.join(HERE, "digits_cnn.onnx"),
                      input_names=["image"], output_names=["logits"], opset_version=13,
                      training=torch.onnx.TrainingMode.PRESERVE, do_constant_folding=False)
    np.save(os.path.join(HERE, "heldout_x.npy"), x[test])
    np.save(os.path.join(HERE, "heldout_y.npy"), y[test])
    calib = os.path.join(HERE, "calibration")
    os.makedirs(calib, exist_ok=True)
    for n, i in enumerate(train[:100]):
        np.save(os.path.join(calib, f"{n:03d}.npy"), x[i:i + 1])


if __name__ == "__main__":
    main()
