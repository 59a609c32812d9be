/**
 * The {@code fcn4j} command line (picocli): {@link org.fcn4j.cli.Main} and one {@code *Command} class per
 * command ({@code fcn4j --help} lists them), with the options they share ({@code --cfg-options}, CONFIG
 * CHECKPOINT, {@code --precision} / {@code --channels-last}). Commands parse arguments and report; fcn4j-core
 * does the work.
 *
 * <p>Sits above every fcn4j-core package and may use their public API; fcn4j-core never uses it.
 * Counterpart: MMSegmentation's {@code tools/train.py}, {@code tools/test.py}, {@code demo/image_demo.py} and
 * {@code tools/analysis_tools/}.
 */
package org.fcn4j.cli;
