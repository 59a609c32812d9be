/** FCN as MMSegmentation builds it: ResNet backbones, FCNHead, EncoderDecoder, and their config specs. */
package org.fcn4j.model;
