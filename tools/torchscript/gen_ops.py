"""Writes the TorchScript modules for operators DJL 0.36 does not bind, so fcn4j runs PyTorch's own kernels.

- conv_transpose2d.pt: `F.conv_transpose2d(x, weight, None, stride, padding, output_padding, groups, dilation)`
  with square arguments. DJL's JniUtils has convolution but no transposed convolution. Its tensor-only entry
  point (IValueUtils.forward) is the one that lets autograd record, so the five integers arrive as one int64
  tensor [stride, padding, output_padding, groups, dilation]; the bias is added by the caller.
  The FCN paper's upsamplers (kernel 2 * stride, no padding, groups or dilation) run as the same sum rearranged:
  each of the stride x stride output phases sees a 2x2 window of the input, so the layer is a 2x2 convolution to
  out * stride^2 channels over the input padded by 1, then a pixel shuffle. libtorch 2.7.1's (DJL's) transposed
  convolution takes a slow path for one image of at most 16 channels (2 threads, medians): the 6-class demo
  FCN-8s's upscore8 (1x6x58x58, kernel 16, stride 8) 69-75 ms against 4.7-5.3 ms forward, 80-87 against 11.5-12.6
  ms forward + backward. On the paper's FCN-8s upscore8 (1x21x90x90) training gains too (188-201 against 136-141
  ms; 528-550 against 261-352 at batch 2), while the forward loses a little: 54-57 against 57-68 ms, and FCN-32s's
  upscore (1x21x24x24, stride 32) 83-89 against 110-113 ms, about 1 % of those models' 2.2 s forward. Both forms
  agree to float32 rounding of a reordered sum (4e-7 relative).
- max_pool2x2.pt: VGG's `F.max_pool2d(x, 2, 2, ceil_mode=c)` outside autograd, params = [c]. On an NCHW input it
  takes the maximum of row pairs and then of column pairs over strided views: the same values (NaN included; a
  ceil-mode window past an odd edge sees -inf there, floor mode drops that row or column), where libtorch's
  NCHW kernel, which always computes the indices backward would need, is 3-7x slower (libtorch 2.7.1, 2
  threads: the demo FCN's 1x8x454x454 7.9-8.1 against 1.1-2.0 ms, the paper's 1x64x698x697 130-136 against 42-43
  ms). Channels-last inputs keep libtorch's kernel, which is faster there than the pairs (17-20 against 33-36 ms).
- sgd_step.pt: one SGD update of every trainable parameter in one call, as torch.optim.SGD's
  `_single_tensor_sgd` does it (dampening 0, no Nesterov), in place: g = grad + wd * p (`add(p, alpha=wd)`);
  buf = momentum * buf + g; p -= lr * buf (`add_(buf, alpha=-lr)`); then the gradient is zeroed. Momentum
  buffers come in zero on the first step, where momentum * 0 + g is exactly PyTorch's `clone(g)`. Per-parameter
  lr and wd are lists (paramwise_cfg). Called with lists through IValueUtils.forward(block, IValue...).
- argmax_channels.pt: `x.argmax(dim=1)` as `torch.max(x, 1).indices`, int32. Both give the first maximum's index
  (NaN counting as the maximum), but libtorch's argmax over a dimension that is not the innermost takes a slow
  path: on (1, 6, 256, 256) 14 ms against 1.1 ms, on (2, 19, 512, 512) 128 against 22 ms (PyTorch 1.13, 2 threads).

Run from the repository root:  /usr/bin/python3 tools/torchscript/gen_ops.py
Writes fcn4j-core/src/main/resources/org/fcn4j/nn/conv_transpose2d.pt, max_pool2x2.pt, sgd_step.pt and
argmax_channels.pt
"""
from typing import List

import torch
import torch.nn.functional as F

OUT = 'fcn4j-core/src/main/resources/org/fcn4j/nn/'


class ConvTranspose2d(torch.nn.Module):
    def forward(self, x, weight, params):
        p: List[int] = params.tolist()
        stride, padding, output_padding, groups, dilation = p[0], p[1], p[2], p[3], p[4]
        if weight.shape[2] == 2 * stride and padding == 0 and output_padding == 0 and groups == 1 and dilation == 1:
            return upsample_as_conv(x, weight, stride)
        return F.conv_transpose2d(x, weight, None, stride, padding, output_padding, groups, dilation)


def upsample_as_conv(x, weight, s: int):
    """F.conv_transpose2d(x, weight, stride=s) for a (in, out, 2s, 2s) weight: output row s * i + r sums kernel row r
    over input row i and kernel row s + r over input row i - 1, so kernel row a * s + r becomes row 1 - a of phase
    r's 2x2 convolution, and pixel_shuffle interleaves the phases."""
    cin, cout = weight.shape[0], weight.shape[1]
    phases = weight.reshape(cin, cout, 2, s, 2, s).flip([2, 4]).permute(1, 3, 5, 0, 2, 4)
    return F.pixel_shuffle(F.conv2d(x, phases.reshape(cout * s * s, cin, 2, 2), None, 1, 1), s)


class MaxPool2x2(torch.nn.Module):
    def forward(self, x, params):
        ceil_mode = bool(params[0].item())
        if not x.is_contiguous():
            return F.max_pool2d(x, 2, 2, 0, 1, ceil_mode)
        h, w = x.shape[2], x.shape[3]
        if ceil_mode and (h % 2 == 1 or w % 2 == 1):
            x = F.pad(x, [0, w % 2, 0, h % 2], value=float('-inf'))
        else:
            x = x[:, :, :h - h % 2, :w - w % 2]
        rows = torch.maximum(x[:, :, 0::2], x[:, :, 1::2])
        return torch.maximum(rows[:, :, :, 0::2], rows[:, :, :, 1::2])


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
    torch.jit.script(MaxPool2x2()).save(OUT + 'max_pool2x2.pt')
    torch.jit.script(SgdStep()).save(OUT + 'sgd_step.pt')
    torch.jit.script(ArgmaxChannels()).save(OUT + 'argmax_channels.pt')
