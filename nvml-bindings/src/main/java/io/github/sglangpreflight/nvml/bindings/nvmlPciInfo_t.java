// Hand-written in jextract's shape from nvml.h (CUDA 13.0); replace with nvml-bindings/regenerate.sh output

package io.github.sglangpreflight.nvml.bindings;

import java.lang.invoke.*;
import java.lang.foreign.*;
import java.nio.ByteOrder;
import java.util.*;
import java.util.function.*;
import java.util.stream.*;

import static java.lang.foreign.ValueLayout.*;
import static java.lang.foreign.MemoryLayout.PathElement.*;

/**
 * {@snippet lang=c :
 * typedef struct nvmlPciInfo_st {
 *     char busIdLegacy[16];
 *     unsigned int domain;
 *     unsigned int bus;
 *     unsigned int device;
 *     unsigned int pciDeviceId;
 *     unsigned int pciSubSystemId;
 *     char busId[32];
 * } nvmlPciInfo_t
 * }
 */
public class nvmlPciInfo_t extends nvmlPciInfo_st {

    nvmlPciInfo_t() {
        // Should not be called directly
    }
}
