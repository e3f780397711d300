#!/usr/bin/env python3
"""Exports the torchvision model zoo used by whittle's tests and benchmarks to
ONNX: the architectures of Debian's python3-torchvision with seeded weights
(no download). BatchNormalization statistics are randomized too, so that
folding them is exercised numerically, and the nodes are kept in the export
(no exporter-side constant folding): whittle's own graph passes must remove
them.

    scripts/make-zoo.py DEST [NAME ...]      (default: every model)
"""
import os
import sys

import torch
import torchvision

MODELS = {
    # name: (constructor, input shape)
    "mobilenet_v2": (lambda: torchvision.models.mobilenet_v2(weights=None), (1, 3, 224, 224)),
    "resnet18": (lambda: torchvision.models.resnet18(weights=None), (1, 3, 224, 224)),
    "mobilenet_v3_small": (lambda: torchvision.models.mobilenet_v3_small(weights=None), (1, 3, 224, 224)),
    "squeezenet1_1": (lambda: torchvision.models.squeezenet1_1(weights=None), (1, 3, 224, 224)),
    "shufflenet_v2_x0_5": (lambda: torchvision.models.shufflenet_v2_x0_5(weights=None), (1, 3, 224, 224)),
    "mnasnet0_5": (lambda: torchvision.models.mnasnet0_5(weights=None), (1, 3, 224, 224)),
    "efficientnet_b0": (lambda: torchvision.models.efficientnet_b0(weights=None), (1, 3, 224, 224)),
}


def export(name, dest):
    make, shape = MODELS[name]
    torch.manual_seed(20261122)
    model = make()
    with torch.no_grad():
        for m in model.modules():
            if isinstance(m, torch.nn.BatchNorm2d):
                m.weight.uniform_(0.5, 1.5)
                m.bias.uniform_(-0.2, 0.2)
                m.running_mean.uniform_(-0.2, 0.2)
                m.running_var.uniform_(0.5, 1.5)
    model.eval()
    path = os.path.join(dest, name + ".onnx")
    tmp = path + ".tmp"
    torch.onnx.export(model, torch.zeros(shape), tmp, opset_version=13,
                      input_names=["input"], output_names=["logits"],
                      do_constant_folding=False,
                      training=torch.onnx.TrainingMode.PRESERVE)
    os.replace(tmp, path)
    print(f"make-zoo: {path}")


def main():
    if len(sys.argv) < 2:
        sys.exit(__doc__)
    dest = sys.argv[1]
    os.makedirs(dest, exist_ok=True)
    for name in sys.argv[2:] or MODELS:
        if name not in MODELS:
            sys.exit(f"make-zoo: unknown model '{name}' (known: {', '.join(MODELS)})")
        export(name, dest)


if __name__ == "__main__":
    main()
