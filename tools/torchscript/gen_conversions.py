"""Writes the TorchScript modules fcn4j uses for tensor conversions DJL 0.36 cannot do itself.

- to_bfloat16.pt: `x.to(torch.bfloat16)`. DJL's own conversion (NDArray.toType(DataType.BFLOAT16)) aborts the
  process: its native dtype table stops short of bfloat16.
- to_float32.pt: `x.to(torch.float32)`, for bfloat16 tensors under autograd (mixed-precision training's losses):
  DJL's toType(DataType.FLOAT32) converts a bfloat16 tensor's values but leaves it out of the autograd graph.
- to_channels_last.pt: `x.contiguous(memory_format=torch.channels_last)`. DJL has no memory-format argument.

Run from the repository root:  /usr/bin/python3 tools/torchscript/gen_conversions.py
Writes the three files to fcn4j-core/src/main/resources/org/fcn4j/nn/
"""
import torch

OUT = 'fcn4j-core/src/main/resources/org/fcn4j/nn/'


class ToBfloat16(torch.nn.Module):
    def forward(self, x):
        return x.to(torch.bfloat16)


class ToFloat32(torch.nn.Module):
    def forward(self, x):
        return x.to(torch.float32)


class ToChannelsLast(torch.nn.Module):
    def forward(self, x):
        return x.contiguous(memory_format=torch.channels_last)


if __name__ == '__main__':
    torch.jit.script(ToBfloat16()).save(OUT + 'to_bfloat16.pt')
    torch.jit.script(ToFloat32()).save(OUT + 'to_float32.pt')
    torch.jit.script(ToChannelsLast()).save(OUT + 'to_channels_last.pt')
