"""Prints the JSON files bench/compare.sh wrote (fcn4j, PyTorch and ONNX Runtime runs) as one Markdown table, with each run's time relative to
PyTorch fp32 NCHW and the load average before it. Usage: side_by_side.py DIR"""
import glob
import json
import os
import sys


def main(d):
    order = ['fcn4j-fp32', 'fcn4j-fp32-glibc', 'fcn4j-fp32-folded', 'fcn4j-fp32-channels_last', 'fcn4j-bf16',
             'fcn4j-bf16-channels_last', 'pytorch-fp32', 'pytorch-fp32-malloc', 'pytorch-channels_last',
             'pytorch-channels_last-malloc', 'pytorch-bf16', 'pytorch-bf16-malloc', 'pytorch-bf16_channels_last',
             'pytorch-bf16_channels_last-malloc', 'onnxruntime-fp32-fcn4j-export',
             'onnxruntime-fp32-fcn4j-folded-export', 'onnxruntime-fp32-torch-export']
    names = sorted((os.path.basename(p)[:-5] for p in glob.glob(os.path.join(d, '*.json'))),
                   key=lambda n: (order.index(n) if n in order else len(order), n))
    runs = {n: json.load(open(os.path.join(d, n + '.json'))) for n in names}
    loads = dict(line.split(' ', 1) for line in open(os.path.join(d, 'load.txt')).read().splitlines())
    base = runs.get('pytorch-fp32')
    first = next(iter(runs.values()))
    print(f"FCN-R50-D8, input ({first['batch']}, 3, {first['shape'].replace('x', ', ')}), {first['threads']} threads, "
          f"median [min-max] of {first['iters']} runs after {first['warmup']} warm-up")
    print()
    print('| run | forward s | vs PyTorch fp32 | fwd GFLOP/s | fwd peak RSS MiB | train step s | vs PyTorch fp32 '
          '| train GFLOP/s | peak RSS MiB | load avg before |')
    print('|---|---|---|---|---|---|---|---|---|---|')
    for name, r in runs.items():
        def cell(phase):
            if r.get(phase + '_median_s') is None:
                return 'not run', '', ''
            ratio = f"{r[phase + '_median_s'] / base[phase + '_median_s']:.2f}x" if base and base.get(
                phase + '_median_s') else ''
            return (f"{r[phase + '_median_s']:.3f} [{r[phase + '_min_s']:.3f}-{r[phase + '_max_s']:.3f}]", ratio,
                    f"{r[phase + '_gflops']:.0f}")
        f, t = cell('forward'), cell('train_step')
        print(f"| {name} | {f[0]} | {f[1]} | {f[2]} | {r['forward_peak_rss_mb']:.0f} | {t[0]} | {t[1]} | {t[2]} "
              f"| {r['peak_rss_mb']:.0f} | {loads.get(name, '?').strip()} |")
    print()
    targets(runs)
    print()
    print(f"load average at the end: {loads.get('end', '?').strip()}")


def targets(runs):
    """The training targets as ratios, PyTorch with the launcher's allocator settings (its -malloc rows)."""
    def ratio(a, b, key):
        if a in runs and b in runs and runs[a].get(key) and runs[b].get(key):
            return f"{runs[a][key] / runs[b][key]:.2f}x"
        return 'not run'
    print('| target | ratio | goal |')
    print('|---|---|---|')
    print(f"| fcn4j bf16 step / PyTorch bf16 autocast step | "
          f"{ratio('fcn4j-bf16', 'pytorch-bf16-malloc', 'train_step_median_s')} | <= 1.0x |")
    print(f"| fcn4j bf16 step / PyTorch bf16 autocast step, channels-last as fcn4j's | "
          f"{ratio('fcn4j-bf16', 'pytorch-bf16_channels_last-malloc', 'train_step_median_s')} | |")
    print(f"| fcn4j bf16 step / fcn4j fp32 step | {ratio('fcn4j-bf16', 'fcn4j-fp32', 'train_step_median_s')} "
          f"| <= 0.55x |")
    print(f"| fcn4j fp32 step / PyTorch fp32 step | "
          f"{ratio('fcn4j-fp32', 'pytorch-fp32-malloc', 'train_step_median_s')} | <= 1.0x |")
    print(f"| fcn4j fp32 step, channels-last (channels_last=True) / PyTorch fp32 step | "
          f"{ratio('fcn4j-fp32-channels_last', 'pytorch-fp32-malloc', 'train_step_median_s')} | |")
    print(f"| fcn4j fp32 step, channels-last / PyTorch fp32 step, channels-last | "
          f"{ratio('fcn4j-fp32-channels_last', 'pytorch-channels_last-malloc', 'train_step_median_s')} | |")
    print(f"| fcn4j fp32 peak RSS / PyTorch fp32 peak RSS (training) | "
          f"{ratio('fcn4j-fp32', 'pytorch-fp32-malloc', 'peak_rss_mb')} | <= 1.1x |")
    print(f"| fcn4j bf16 peak RSS / PyTorch bf16 peak RSS (training) | "
          f"{ratio('fcn4j-bf16', 'pytorch-bf16-malloc', 'peak_rss_mb')} | |")


if __name__ == '__main__':
    main(sys.argv[1])
