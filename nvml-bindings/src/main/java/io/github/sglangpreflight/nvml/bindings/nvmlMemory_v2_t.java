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
 * typedef struct nvmlMemory_v2_st {
 *     unsigned int version;
 *     unsigned long long total;
 *     unsigned long long reserved;
 *     unsigned long long free;
 *     unsigned long long used;
 * } nvmlMemory_v2_t
 * }
 */
public class nvmlMemory_v2_t extends nvmlMemory_v2_st {

    nvmlMemory_v2_t() {
        // Should not be called directly
    }
}
