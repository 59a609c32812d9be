/**
 * {@code fcn4j demo}'s data: generated scenes in which colour says nothing about the class, so a model must
 * learn shape, texture and context.
 *
 * <p>An application layer; may use: nn, util, image, viz, data, optim, model, infer, train. No MMSegmentation
 * counterpart.
 */
package org.fcn4j.demo;
