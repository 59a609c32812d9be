#!/usr/bin/python3
"""Runs ONNX's own checker (full check, with strict shape inference) over graphs written by `fcn4j export`.

    python3 tools/onnx/check_graphs.py FILE.onnx...

Prints one line per file: opset, IR version, node count, the inferred seg_logits shape and the metadata keys.
Debian's python3-onnx (1.12) is enough; the Java tests run the same graphs in ONNX Runtime and need no Python.
"""
import sys

import onnx


def main(paths):
    for path in paths:
        model = onnx.load(path)
        onnx.checker.check_model(model, full_check=True)
        inferred = onnx.shape_inference.infer_shapes(model, check_type=True, strict_mode=True)
        out = {o.name: [d.dim_param or d.dim_value for d in o.type.tensor_type.shape.dim]
               for o in inferred.graph.output}
        keys = [p.key for p in model.metadata_props]
        print(f'{path}: ok  opset {model.opset_import[0].version}  IR {model.ir_version}  '
              f'{len(model.graph.node)} nodes  outputs {out}  metadata {keys}')


if __name__ == '__main__':
    if len(sys.argv) < 2:
        sys.exit(__doc__)
    main(sys.argv[1:])
