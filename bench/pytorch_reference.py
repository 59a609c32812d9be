"""PyTorch counterpart of `fcn4j bench` for MMSegmentation's FCN-R50/R101-D8 (Cityscapes heads, 19 classes)
and the FCN paper's VGG16 FCN-8s (`--model fcn8s`, 21 classes, forward only).

Runs the model of tools/fixtures/mmseg_fcn.py (mmseg's FCN in plain PyTorch) with random weights on random
data and times what `fcn4j bench` times, the same way: an eval-mode forward under torch.no_grad() (decode head,
logits resized to the input as mmseg's predict does) and one training step (train mode, decode + 0.4 x auxiliary
cross-entropy, backward, SGD lr 0.01 momentum 0.9 weight decay 5e-4), each after warm-up runs; median, min and
max over the timed runs, GFLOP/s from the convolution MACs (2 FLOP per MAC; backward counted as 2x forward)
and the process's peak resident memory (VmHWM). Run each mode in its own process so its peak memory is its own:

  /usr/bin/python3 bench/pytorch_reference.py --shape 512x512 --mode fp32|channels_last|bf16|bf16_channels_last [--json FILE]
  /usr/bin/python3 bench/pytorch_reference.py --model fcn8s --classes 21 --shape 500x500 --forward-only
  /usr/bin/python3 bench/pytorch_reference.py --phases --batch 2 --shape 512x512 [--mode bf16]   (bench/StepPhases.java's phases)
  /usr/bin/python3 bench/pytorch_reference.py --batch 2 --shape 512x512 --save-train-script FILE [--mode bf16]
      (bench/StepOverhead.java; bf16: traced under autocast)
  /usr/bin/python3 bench/pytorch_reference.py --batch 2 --shape 512x512 --train-script FILE [--mode bf16]
      (that trace beside the eager step)
"""
import argparse
import json
import os
import statistics
import sys
import time

import torch
import torch.nn as nn
import torch.nn.functional as F

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), '..', 'tools', 'fixtures'))
from mmseg_fcn import EncoderDecoder, FCNHead, ResNet  # noqa: E402
from paper_fcn import PaperFCN, SkipHead, VGGTrunk  # noqa: E402


def build(depth, classes):
    """fcn_r{depth}-d8 as MMSegmentation's Cityscapes configs build it (ResNetV1c, output stride 8)."""
    backbone = ResNet(depth)
    decode = FCNHead(2048, 512, classes, in_index=3, num_convs=2, concat_input=True, dropout_ratio=0.1)
    aux = FCNHead(1024, 256, classes, in_index=2, num_convs=1, concat_input=False, dropout_ratio=0.1,
                  loss_weight=0.4)
    model = EncoderDecoder(backbone, decode, aux)
    # fcn4j's initialisation: Kaiming-normal (fan_out) convs, conv_seg N(0, 0.01)
    for name, m in model.named_modules():
        if isinstance(m, nn.Conv2d):
            nn.init.kaiming_normal_(m.weight, mode='fan_out', nonlinearity='relu')
    for head in (decode, aux):
        nn.init.normal_(head.conv_seg.weight, 0, 0.01)
    return model


def build_fcn8s(classes):
    """The paper's VGG16 FCN-8s (tools/fixtures/paper_fcn.py), as fcn4j's fcn8s_vgg16 preset builds it."""
    return PaperFCN(VGGTrunk(16), SkipHead(8, classes, (256, 512, 4096)))


def predict(model, x):
    """mmseg's inference: decode head only, logits resized to the input (the paper's FCN: already at input size)."""
    if isinstance(model, PaperFCN):
        return model(x)
    logits = model.decode_head(model.backbone(x))
    return F.interpolate(logits, size=x.shape[2:], mode='bilinear', align_corners=model.decode_head.align_corners)


def train_step(model, opt, x, y):
    logits, aux = model(x)
    loss_d, acc_d = model.decode_head.loss(logits.float(), y)
    loss_a, acc_a = model.auxiliary_head.loss(aux.float(), y)
    loss = loss_d + loss_a
    loss.item()  # as fcn4j reads the loss back (and checks it is finite) before backward
    loss.backward()
    opt.step()
    opt.zero_grad(set_to_none=False)


def phases(model, batch, h, w, bf16=False, runs=5, warmup=2):
    """The training step by phase, as bench/StepPhases.java times fcn4j's: forward, loss (read back),
    backward, SGD; medians of `runs` after `warmup`; forward and loss under bf16 autocast when `bf16`."""
    model.train()
    opt = torch.optim.SGD(model.parameters(), lr=0.01, momentum=0.9, weight_decay=0.0005)
    t = [[] for _ in range(4)]
    for i in range(-warmup, runs):
        x, y = torch.randn(batch, 3, h, w), torch.randint(0, 19, (batch, h, w))
        t0 = time.perf_counter()
        with torch.autocast('cpu', dtype=torch.bfloat16, enabled=bf16):
            logits, aux = model(x)
        t1 = time.perf_counter()
        with torch.autocast('cpu', dtype=torch.bfloat16, enabled=bf16):
            loss = model.decode_head.loss(logits, y)[0] + model.auxiliary_head.loss(aux, y)[0]
        loss.item()
        t2 = time.perf_counter()
        loss.backward()
        t3 = time.perf_counter()
        opt.step()
        opt.zero_grad(set_to_none=False)
        t4 = time.perf_counter()
        if i >= 0:
            for k, d in enumerate((t1 - t0, t2 - t1, t3 - t2, t4 - t3)):
                t[k].append(d)
    med = [statistics.median(v) for v in t]
    print(f"pytorch {'bf16' if bf16 else 'fp32'} step phases, batch {batch}, {h}x{w}: forward {med[0]:.3f} s loss {med[1]:.3f} s "
          f"backward {med[2]:.3f} s sgd {med[3]:.3f} s, sum of medians {sum(med):.3f} s")


class MacCounter:
    """Convolution MACs of the passes run while open (as fcn4j's MacCounter)."""

    def __init__(self, model):
        self.macs = 0
        self.hooks = [m.register_forward_hook(self.hook) for m in model.modules() if isinstance(m, nn.Conv2d)]

    def hook(self, conv, inputs, out):
        k = conv.kernel_size[0] * conv.kernel_size[1]
        self.macs += out.numel() * (conv.in_channels // conv.groups) * k

    def close(self):
        for h in self.hooks:
            h.remove()


def timed(model, warmup, iters, prepare):
    """Median/min/max seconds over iters runs of prepare()'s operation after warm-up; MACs of the first run."""
    seconds = []
    macs = 0
    for i in range(-warmup, iters):
        op = prepare()
        counter = MacCounter(model) if i == -warmup else None
        t0 = time.perf_counter()
        op()
        t1 = time.perf_counter()
        if counter:
            counter.close()
            macs = counter.macs
        if i >= 0:
            seconds.append(t1 - t0)
    return {'median': statistics.median(seconds), 'min': min(seconds), 'max': max(seconds)}, macs


def peak_rss_mb():
    with open('/proc/self/status') as f:
        for line in f:
            if line.startswith('VmHWM:'):
                return int(line.split()[1]) / 1024.0
    return float('nan')


class _Predict(nn.Module):
    """predict() as a module, for torch.onnx.export."""

    def __init__(self, model):
        super().__init__()
        self.model = model

    def forward(self, x):
        return predict(self.model, x)


class _TrainLoss(nn.Module):
    """train_step's forward and losses as one module, for torch.jit.trace: (total, decode, aux, decode acc, aux acc).
    Traced at one shape with labels free of 255: the trace keeps the sizes and the accuracy's pixel count."""

    def __init__(self, model):
        super().__init__()
        self.model = model

    def forward(self, x, y):
        logits, aux = self.model(x)
        loss_d, acc_d = self.model.decode_head.loss(logits, y)
        loss_a, acc_a = self.model.auxiliary_head.loss(aux, y)
        return torch.stack([loss_d + loss_a, loss_d, loss_a, acc_d, acc_a])


def save_train_script(model, batch, h, w, classes, path, bf16=False):
    """With bf16, traced under autocast: the trace holds its casts (the weight cast cache off, as tracing needs)."""
    model.train()
    x, y = torch.randn(batch, 3, h, w), torch.randint(0, classes, (batch, h, w))
    with torch.autocast('cpu', dtype=torch.bfloat16, enabled=bf16, cache_enabled=False):
        # dropout makes two runs differ, so the tracer's own re-run check cannot pass
        torch.jit.trace(_TrainLoss(model), (x, y), check_trace=False).save(path)


def script_beside_eager(model, path, batch, h, w, classes, pairs=8, bf16=False):
    """The traced training step of --save-train-script beside the eager one, alternating, as bench/StepOverhead.java
    runs the trace beside fcn4j: the interpreter's own cost in this PyTorch (graph optimisation off, op by op)."""
    torch._C._set_graph_executor_optimize(False)
    traced = torch.jit.load(path)
    traced.train()
    model.train()
    eager_opt = torch.optim.SGD(model.parameters(), lr=0.01, momentum=0.9, weight_decay=0.0005)
    traced_opt = torch.optim.SGD(traced.parameters(), lr=0.01, momentum=0.9, weight_decay=0.0005)

    def traced_step(x, y):
        out = traced(x, y)
        out.tolist()
        out[0].backward()
        traced_opt.step()
        traced_opt.zero_grad(set_to_none=False)

    def eager_step(x, y):
        with torch.autocast('cpu', dtype=torch.bfloat16, enabled=bf16):
            train_step(model, eager_opt, x, y)

    def seconds(step):
        x, y = torch.randn(batch, 3, h, w), torch.randint(0, classes, (batch, h, w))
        t0 = time.perf_counter()
        step(x, y)
        return time.perf_counter() - t0

    eager, script = [], []
    for i in range(-1, pairs):  # alternating step by step, so the machine's drift falls on both alike
        a, b = seconds(eager_step), seconds(traced_step)
        if i >= 0:
            eager.append(a)
            script.append(b)
            print(f"pair {i + 1}: eager {a:.3f} s, TorchScript {b:.3f} s", flush=True)
    ratios = [b / a for a, b in zip(eager, script)]
    e, s = statistics.median(eager), statistics.median(script)
    print(f"medians of {pairs} pairs: eager {e:.3f} s, TorchScript {s:.3f} s; TorchScript / eager {s / e:.3f} "
          f"(the pairs' ratios: median {statistics.median(ratios):.3f}, {min(ratios):.3f}-{max(ratios):.3f})")


def export_onnx(model, batch, h, w, path):
    model.eval()
    with torch.no_grad():
        torch.onnx.export(_Predict(model), torch.randn(batch, 3, h, w), path, opset_version=17,
                          input_names=['input'], output_names=['seg_logits'], do_constant_folding=True)


def main():
    p = argparse.ArgumentParser(description=__doc__.split('\n')[0])
    p.add_argument('--model', default='fcn', choices=['fcn', 'fcn8s'], help='fcn_r{depth}-d8, or VGG16 FCN-8s')
    p.add_argument('--depth', type=int, default=50, choices=[50, 101])
    p.add_argument('--classes', type=int, default=19)
    p.add_argument('--shape', default='512x1024', help='HxW')
    p.add_argument('--batch', type=int, default=1)
    p.add_argument('--mode', default='fp32', choices=['fp32', 'channels_last', 'bf16', 'bf16_channels_last'],
                   help='fp32 NCHW, fp32 channels-last, bf16 autocast (NCHW), or bf16 autocast channels-last')
    p.add_argument('--iters', type=int, default=5)
    p.add_argument('--warmup', type=int, default=1)
    p.add_argument('--threads', type=int, default=2)
    p.add_argument('--forward-only', action='store_true')
    p.add_argument('--json', help='also write the results here')
    p.add_argument('--phases', action='store_true', help='time the training step (fp32, or bf16 autocast with --mode bf16) by phase and stop')
    p.add_argument('--save-state', metavar='FILE',
                   help='write the random weights as an MMSegmentation checkpoint (for fcn4j export) and stop')
    p.add_argument('--save-train-script', metavar='FILE',
                   help='write the training forward and losses traced to TorchScript (fixed --batch and --shape, '
                        'train mode) for bench/StepOverhead.java and stop')
    p.add_argument('--train-script', metavar='FILE',
                   help='time that trace beside the eager training step, alternating, and stop')
    p.add_argument('--export-onnx', metavar='FILE',
                   help="export the eval forward with torch.onnx (opset 17, input 'input', output 'seg_logits', "
                        "fixed --shape) and stop")
    a = p.parse_args()
    h, w = (int(v) for v in a.shape.lower().split('x'))
    torch.set_num_threads(a.threads)
    torch.manual_seed(0)
    if a.model == 'fcn8s' and not a.forward_only:
        p.error('--model fcn8s times the forward only (add --forward-only)')
    model = build(a.depth, a.classes) if a.model == 'fcn' else build_fcn8s(a.classes)
    fmt = torch.channels_last if a.mode.endswith('channels_last') else torch.contiguous_format
    bf16 = a.mode.startswith('bf16')
    model = model.to(memory_format=fmt)
    autocast = torch.autocast('cpu', dtype=torch.bfloat16, enabled=bf16)
    if a.phases:
        phases(model, a.batch, h, w, bf16=bf16)
        return
    if a.save_state:
        torch.save({'state_dict': model.state_dict(), 'meta': {}}, a.save_state)
        return
    if a.export_onnx:
        export_onnx(model, a.batch, h, w, a.export_onnx)
        return
    if a.train_script:
        script_beside_eager(model, a.train_script, a.batch, h, w, a.classes, bf16=bf16)
        return
    if a.save_train_script:
        save_train_script(model, a.batch, h, w, a.classes, a.save_train_script, bf16=bf16)
        return

    def image():
        return torch.randn(a.batch, 3, h, w).contiguous(memory_format=fmt)

    model.eval()
    x = image()

    def forward():
        with torch.no_grad(), autocast:
            predict(model, x)

    fwd, fwd_macs = timed(model, a.warmup, a.iters, lambda: forward)
    name = f'fcn_r{a.depth}-d8' if a.model == 'fcn' else 'fcn8s_vgg16'
    out = {'engine': 'pytorch ' + torch.__version__, 'config': f'{name} ({a.classes} classes)',
           'precision': a.mode, 'shape': a.shape, 'batch': a.batch, 'threads': a.threads, 'iters': a.iters,
           'warmup': a.warmup, 'forward_median_s': fwd['median'], 'forward_min_s': fwd['min'],
           'forward_max_s': fwd['max'], 'forward_gflops': 2.0 * fwd_macs / fwd['median'] / 1e9,
           'forward_macs': fwd_macs, 'forward_peak_rss_mb': peak_rss_mb(), 'train_step_median_s': None}
    if not a.forward_only:
        model.train()
        opt = torch.optim.SGD(model.parameters(), lr=0.01, momentum=0.9, weight_decay=0.0005)

        def prepare():
            xs, ys = image(), torch.randint(0, a.classes, (a.batch, h, w))

            def step():
                with autocast:
                    train_step(model, opt, xs, ys)
            return step

        tr, tr_macs = timed(model, a.warmup, a.iters, prepare)
        out.update({'train_step_median_s': tr['median'], 'train_step_min_s': tr['min'], 'train_step_max_s': tr['max'],
                    'train_step_gflops': 3 * 2.0 * tr_macs / tr['median'] / 1e9, 'train_forward_macs': tr_macs})
    out['peak_rss_mb'] = peak_rss_mb()
    print_table(out)
    if a.json:
        tmp = a.json + '.tmp'
        with open(tmp, 'w') as f:
            json.dump(out, f, indent=2)
        os.replace(tmp, a.json)


def print_table(o):
    h, w = o['shape'].lower().split('x')
    print(f"{o['engine']} {o['config']}  input ({o['batch']}, 3, {h}, {w})  {o['precision']}  threads {o['threads']}"
          f"  {o['iters']} timed + {o['warmup']} warm-up")
    print(f"{'phase':<11} {'median s':>9} {'min s':>9} {'max s':>9} {'GFLOP/s':>9} {'peak RSS MiB':>13}")
    rows = [('forward', 'forward', o['forward_peak_rss_mb'])]
    if o['train_step_median_s'] is not None:
        rows.append(('train step', 'train_step', o['peak_rss_mb']))
    for label, k, rss in rows:
        print(f"{label:<11} {o[k + '_median_s']:9.3f} {o[k + '_min_s']:9.3f} {o[k + '_max_s']:9.3f}"
              f" {o[k + '_gflops']:9.1f} {rss:13.0f}")


if __name__ == '__main__':
    main()
