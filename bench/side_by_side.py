"""Prints the JSON files bench/compare.sh wrote (fcn4j, PyTorch and ONNX Runtime runs) as one Markdown table, with each run's time relative to
PyTorch fp32 NCHW and the load average before it; with --rounds, the targets' ratios over the rounds of compare.sh
--rounds. Usage: side_by_side.py DIR | side_by_side.py --rounds DIR..."""
import glob
import json
import os
import sys


def main(d):
    order = ['fcn4j-fp32', 'fcn4j-fp32-nchw', 'fcn4j-fp32-glibc', 'fcn4j-fp32-folded', 'fcn4j-fp32-channels_last', 'fcn4j-bf16',
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


# (target, numerator row, denominator row, JSON key, goal)
TARGETS = [
    ('fcn4j bf16 step / PyTorch bf16 autocast step', 'fcn4j-bf16', 'pytorch-bf16-malloc', 'train_step_median_s',
     '<= 1.0x'),
    ("fcn4j bf16 step / PyTorch bf16 autocast step, channels-last as fcn4j's", 'fcn4j-bf16',
     'pytorch-bf16_channels_last-malloc', 'train_step_median_s', ''),
    ('fcn4j bf16 step / fcn4j fp32 step', 'fcn4j-bf16', 'fcn4j-fp32', 'train_step_median_s', '<= 0.55x'),
    ('fcn4j fp32 step (channels-last, the default for ResNets) / PyTorch fp32 step', 'fcn4j-fp32',
     'pytorch-fp32-malloc', 'train_step_median_s', '<= 1.0x'),
    ('fcn4j fp32 step / PyTorch fp32 step, both channels-last', 'fcn4j-fp32', 'pytorch-channels_last-malloc',
     'train_step_median_s', ''),
    ('fcn4j fp32 step, NCHW (channels_last=False) / PyTorch fp32 step', 'fcn4j-fp32-nchw', 'pytorch-fp32-malloc',
     'train_step_median_s', ''),
    ('fcn4j fp32 channels-last step / fcn4j fp32 NCHW step', 'fcn4j-fp32', 'fcn4j-fp32-nchw', 'train_step_median_s',
     ''),
    ('fcn4j fp32 peak RSS / PyTorch fp32 peak RSS (training)', 'fcn4j-fp32', 'pytorch-fp32-malloc', 'peak_rss_mb',
     '<= 1.1x'),
    ('fcn4j bf16 peak RSS / PyTorch bf16 peak RSS (training)', 'fcn4j-bf16', 'pytorch-bf16-malloc', 'peak_rss_mb', ''),
]


def ratio(runs, a, b, key):
    """runs[a][key] / runs[b][key], or None where either was not run."""
    if a in runs and b in runs and runs[a].get(key) and runs[b].get(key):
        return runs[a][key] / runs[b][key]
    return None


def targets(runs):
    """The training targets as ratios, PyTorch with the launcher's allocator settings (its -malloc rows)."""
    print('| target | ratio | goal |')
    print('|---|---|---|')
    for label, a, b, key, goal in TARGETS:
        r = ratio(runs, a, b, key)
        print(f"| {label} | {'not run' if r is None else f'{r:.2f}x'} | {goal} |")


def rounds(dirs):
    """Each target's ratio in each round (compare.sh --rounds) and their median, for the targets some round ran."""
    per_round = [{os.path.basename(p)[:-5]: json.load(open(p)) for p in glob.glob(os.path.join(d, '*.json'))}
                 for d in dirs]
    print('| target | ' + ' | '.join(f'round {k + 1}' for k in range(len(dirs))) + ' | median | goal |')
    print('|---|' + '---|' * (len(dirs) + 2))
    for label, a, b, key, goal in TARGETS:
        ratios = [ratio(runs, a, b, key) for runs in per_round]
        seen = sorted(r for r in ratios if r is not None)
        if not seen:
            continue
        n = len(seen)
        median = seen[n // 2] if n % 2 else (seen[n // 2 - 1] + seen[n // 2]) / 2
        cells = ' | '.join('not run' if r is None else f'{r:.2f}x' for r in ratios)
        print(f'| {label} | {cells} | **{median:.2f}x** | {goal} |')


if __name__ == '__main__':
    if sys.argv[1] == '--rounds':
        rounds(sys.argv[2:])
    else:
        main(sys.argv[1])
