/**
 * FCN as MMSegmentation builds it (ResNet backbones, FCNHead, EncoderDecoder) and as the FCN paper built it
 * (the VGG trunk and FCNSkipHead's FCN-32s/16s/8s), and their config specs.
 */
package org.fcn4j.model;
