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
- argmax_channels.pt: `x.argmax(dim=1)` as `torch.max(x, 1).indices`, int32. Both give the first maximum's index
  (NaN counting as the maximum), but libtorch's argmax over a dimension that is not the innermost takes a slow
  path: on (1, 6, 256, 256) 14 ms against 1.1 ms, on (2, 19, 512, 512) 128 against 22 ms (PyTorch 1.13, 2 threads).

Run from the repository root:  /usr/bin/python3 tools/torchscript/gen_ops.py
Writes fcn4j-core/src/main/resources/org/fcn4j/nn/conv_transpose2d.pt, sgd_step.pt and argmax_channels.pt
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


class ArgmaxChannels(torch.nn.Module):
    def forward(self, x):
        return torch.max(x, 1)[1].to(torch.int32)


if __name__ == '__main__':
    torch.jit.script(ConvTranspose2d()).save(OUT + 'conv_transpose2d.pt')
    torch.jit.script(SgdStep()).save(OUT + 'sgd_step.pt')
    torch.jit.script(ArgmaxChannels()).save(OUT + 'argmax_channels.pt')
