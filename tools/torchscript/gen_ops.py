"""Writes the TorchScript modules for operators DJL 0.36 does not bind, so fcn4j runs PyTorch's own kernels.

- conv_transpose2d.pt: `F.conv_transpose2d(x, weight, None, stride, padding, output_padding, groups, dilation)`
  with square arguments. DJL's JniUtils has convolution but no transposed convolution. Its tensor-only entry
  point (IValueUtils.forward) is the one that lets autograd record, so the five integers arrive as one int64
  tensor [stride, padding, output_padding, groups, dilation]; the bias is added by the caller.
- sgd_step.pt: one SGD update of every trainable parameter in one call, as torch.optim.SGD's
  `_single_tensor_sgd` does it (dampening 0, no Nesterov), in place: g = grad + wd * p (`add(p, alpha=wd)`);
  buf = momentum * buf + g; p -= lr * buf (`add_(buf, alpha=-lr)`); then the gradient is zeroed. Momentum
  buffers come in zero on the first step, where momentum * 0 + g is exactly PyTorch's `clone(g)`. Per-parameter
  lr and wd are lists (paramwise_cfg). Called with lists through IValueUtils.forward(block, IValue...).

Run from the repository root:  /usr/bin/python3 tools/torchscript/gen_ops.py
Writes fcn4j-core/src/main/resources/org/fcn4j/nn/conv_transpose2d.pt and sgd_step.pt
"""
from typing import List

import torch
import torch.nn.functional as F

OUT = 'fcn4j-core/src/main/resources/org/fcn4j/nn/'


class ConvTranspose2d(torch.nn.Module):
    def forward(self, x, weight, params):
        p: List[int] = params.tolist()
        return F.conv_transpose2d(x, weight, None, p[0], p[1], p[2], p[3], p[4])


class SgdStep(torch.nn.Module):
    def forward(self, params: List[torch.Tensor], grads: List[torch.Tensor], bufs: List[torch.Tensor],
                lrs: List[float], decays: List[float], momentum: float) -> int:
        for i in range(len(params)):
            p, grad = params[i], grads[i]
            g = grad
            if decays[i] != 0:
                g = g.add(p, alpha=decays[i])
            if momentum != 0:
                bufs[i].mul_(momentum).add_(g)
                g = bufs[i]
            p.add_(g, alpha=-lrs[i])
            grad.zero_()
        return len(params)


if __name__ == '__main__':
    torch.jit.script(ConvTranspose2d()).save(OUT + 'conv_transpose2d.pt')
    torch.jit.script(SgdStep()).save(OUT + 'sgd_step.pt')
