"""Writes the TorchScript module fcn4j uses to convert tensors to bfloat16.

DJL 0.36's own conversion (NDArray.toType(DataType.BFLOAT16)) aborts the process: its native dtype table stops
short of bfloat16. A scripted `x.to(torch.bfloat16)` does the cast inside libtorch instead.

Run from the repository root:  /usr/bin/python3 tools/torchscript/gen_to_bfloat16.py
Writes fcn4j-core/src/main/resources/org/fcn4j/nn/to_bfloat16.pt
"""
import torch


class ToBfloat16(torch.nn.Module):
    def forward(self, x):
        return x.to(torch.bfloat16)


if __name__ == '__main__':
    torch.jit.script(ToBfloat16()).save('fcn4j-core/src/main/resources/org/fcn4j/nn/to_bfloat16.pt')
