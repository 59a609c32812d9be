"""Writes the TorchScript modules for operators DJL 0.36 does not bind, so fcn4j runs PyTorch's own kernels.

- conv_transpose2d.pt: `F.conv_transpose2d(x, weight, None, stride, padding, output_padding, groups, dilation)`
  with square arguments. DJL's JniUtils has convolution but no transposed convolution. Its tensor-only entry
  point (IValueUtils.forward) is the one that lets autograd record, so the five integers arrive as one int64
  tensor [stride, padding, output_padding, groups, dilation]; the bias is added by the caller.

Run from the repository root:  /usr/bin/python3 tools/torchscript/gen_ops.py
Writes fcn4j-core/src/main/resources/org/fcn4j/nn/conv_transpose2d.pt
"""
from typing import List

import torch
import torch.nn.functional as F

OUT = 'fcn4j-core/src/main/resources/org/fcn4j/nn/'


class ConvTranspose2d(torch.nn.Module):
    def forward(self, x, weight, params):
        p: List[int] = params.tolist()
        return F.conv_transpose2d(x, weight, None, p[0], p[1], p[2], p[3], p[4])


if __name__ == '__main__':
    torch.jit.script(ConvTranspose2d()).save(OUT + 'conv_transpose2d.pt')
