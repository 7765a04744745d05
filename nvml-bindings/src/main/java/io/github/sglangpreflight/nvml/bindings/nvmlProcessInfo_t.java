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
 * typedef struct nvmlProcessInfo_v2_st {
 *     unsigned int pid;
 *     unsigned long long usedGpuMemory;
 *     unsigned int gpuInstanceId;
 *     unsigned int computeInstanceId;
 * } nvmlProcessInfo_t
 * }
 */
public class nvmlProcessInfo_t extends nvmlProcessInfo_v2_st {

    nvmlProcessInfo_t() {
        // Should not be called directly
    }
}
