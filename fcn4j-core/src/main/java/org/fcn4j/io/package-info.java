/**
 * Checkpoint and array files: {@code torch.save}'s zip and legacy formats read ({@link org.fcn4j.io.PthReader},
 * through a restricted unpickler that never runs code) and written ({@link org.fcn4j.io.PthWriter}, readable with
 * {@code torch.load(f, weights_only=True)}), safetensors, {@code .npy}, and {@link org.fcn4j.io.Checkpoints}.
 * State dicts come back in the file's own keys; mapping layouts is the model's job.
 *
 * <p>May use: util. Counterpart: {@code torch/serialization.py}; the checkpoint layout of mmengine's
 * {@code save_checkpoint}.
 */
package org.fcn4j.io;
