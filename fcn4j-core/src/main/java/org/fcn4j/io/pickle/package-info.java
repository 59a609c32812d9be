/**
 * A restricted unpickler (protocols 0-5) that builds plain Java values and executes nothing: every global
 * goes through a {@link org.fcn4j.io.pickle.Unpickler.Policy}, which maps it to data, a known-safe
 * reconstructor, an inert {@link org.fcn4j.io.pickle.Opaque} placeholder, or a refusal.
 *
 * <p>Part of the io layer (may use util). Counterpart: CPython's {@code Lib/pickle.py}, restricted in the
 * spirit of {@code torch/_weights_only_unpickler.py}.
 */
package org.fcn4j.io.pickle;
