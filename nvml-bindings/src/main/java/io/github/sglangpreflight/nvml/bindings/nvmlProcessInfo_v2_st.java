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
 * struct nvmlProcessInfo_v2_st {
 *     unsigned int pid;
 *     unsigned long long usedGpuMemory;
 *     unsigned int gpuInstanceId;
 *     unsigned int computeInstanceId;
 * }
 * }
 */
public class nvmlProcessInfo_v2_st {

    nvmlProcessInfo_v2_st() {
        // Should not be called directly
    }

    private static final GroupLayout $LAYOUT = MemoryLayout.structLayout(
        nvml_h.C_INT.withName("pid"),
        MemoryLayout.paddingLayout(4),
        nvml_h.C_LONG_LONG.withName("usedGpuMemory"),
        nvml_h.C_INT.withName("gpuInstanceId"),
        nvml_h.C_INT.withName("computeInstanceId")
    ).withName("nvmlProcessInfo_v2_st");

    /**
     * The layout of this struct
     */
    public static final GroupLayout layout() {
        return $LAYOUT;
    }

    private static final OfInt pid$LAYOUT = (OfInt)$LAYOUT.select(groupElement("pid"));

    /**
     * Layout for field:
     * {@snippet lang=c :
     * unsigned int pid
     * }
     */
    public static final OfInt pid$layout() {
        return pid$LAYOUT;
    }

    private static final long pid$OFFSET = 0;

    /**
     * Offset for field:
     * {@snippet lang=c :
     * unsigned int pid
     * }
     */
    public static final long pid$offset() {
        return pid$OFFSET;
    }

    /**
     * Getter for field:
     * {@snippet lang=c :
     * unsigned int pid
     * }
     */
    public static int pid(MemorySegment struct) {
        return struct.get(pid$LAYOUT, pid$OFFSET);
    }

    /**
     * Setter for field:
     * {@snippet lang=c :
     * unsigned int pid
     * }
     */
    public static void pid(MemorySegment struct, int fieldValue) {
        struct.set(pid$LAYOUT, pid$OFFSET, fieldValue);
    }

    private static final OfLong usedGpuMemory$LAYOUT = (OfLong)$LAYOUT.select(groupElement("usedGpuMemory"));

    /**
     * Layout for field:
     * {@snippet lang=c :
     * unsigned long long usedGpuMemory
     * }
     */
    public static final OfLong usedGpuMemory$layout() {
        return usedGpuMemory$LAYOUT;
    }

    private static final long usedGpuMemory$OFFSET = 8;

    /**
     * Offset for field:
     * {@snippet lang=c :
     * unsigned long long usedGpuMemory
     * }
     */
    public static final long usedGpuMemory$offset() {
        return usedGpuMemory$OFFSET;
    }

    /**
     * Getter for field:
     * {@snippet lang=c :
     * unsigned long long usedGpuMemory
     * }
     */
    public static long usedGpuMemory(MemorySegment struct) {
        return struct.get(usedGpuMemory$LAYOUT, usedGpuMemory$OFFSET);
    }

    /**
     * Setter for field:
     * {@snippet lang=c :
     * unsigned long long usedGpuMemory
     * }
     */
    public static void usedGpuMemory(MemorySegment struct, long fieldValue) {
        struct.set(usedGpuMemory$LAYOUT, usedGpuMemory$OFFSET, fieldValue);
    }

    private static final OfInt gpuInstanceId$LAYOUT = (OfInt)$LAYOUT.select(groupElement("gpuInstanceId"));

    /**
     * Layout for field:
     * {@snippet lang=c :
     * unsigned int gpuInstanceId
     * }
     */
    public static final OfInt gpuInstanceId$layout() {
        return gpuInstanceId$LAYOUT;
    }

    private static final long gpuInstanceId$OFFSET = 16;

    /**
     * Offset for field:
     * {@snippet lang=c :
     * unsigned int gpuInstanceId
     * }
     */
    public static final long gpuInstanceId$offset() {
        return gpuInstanceId$OFFSET;
    }

    /**
     * Getter for field:
     * {@snippet lang=c :
     * unsigned int gpuInstanceId
     * }
     */
    public static int gpuInstanceId(MemorySegment struct) {
        return struct.get(gpuInstanceId$LAYOUT, gpuInstanceId$OFFSET);
    }

    /**
     * Setter for field:
     * {@snippet lang=c :
     * unsigned int gpuInstanceId
     * }
     */
    public static void gpuInstanceId(MemorySegment struct, int fieldValue) {
        struct.set(gpuInstanceId$LAYOUT, gpuInstanceId$OFFSET, fieldValue);
    }

    private static final OfInt computeInstanceId$LAYOUT = (OfInt)$LAYOUT.select(groupElement("computeInstanceId"));

    /**
     * Layout for field:
     * {@snippet lang=c :
     * unsigned int computeInstanceId
     * }
     */
    public static final OfInt computeInstanceId$layout() {
        return computeInstanceId$LAYOUT;
    }

    private static final long computeInstanceId$OFFSET = 20;

    /**
     * Offset for field:
     * {@snippet lang=c :
     * unsigned int computeInstanceId
     * }
     */
    public static final long computeInstanceId$offset() {
        return computeInstanceId$OFFSET;
    }

    /**
     * Getter for field:
     * {@snippet lang=c :
     * unsigned int computeInstanceId
     * }
     */
    public static int computeInstanceId(MemorySegment struct) {
        return struct.get(computeInstanceId$LAYOUT, computeInstanceId$OFFSET);
    }

    /**
     * Setter for field:
     * {@snippet lang=c :
     * unsigned int computeInstanceId
     * }
     */
    public static void computeInstanceId(MemorySegment struct, int fieldValue) {
        struct.set(computeInstanceId$LAYOUT, computeInstanceId$OFFSET, fieldValue);
    }

    /**
     * Obtains a slice of {@code arrayParam} which selects the array element at {@code index}.
     * The returned segment has address {@code arrayParam.address() + index * layout().byteSize()}
     */
    public static MemorySegment asSlice(MemorySegment array, long index) {
        return array.asSlice(layout().byteSize() * index);
    }

    /**
     * The size (in bytes) of this struct
     */
    public static long sizeof() { return layout().byteSize(); }

    /**
     * Allocate a segment of size {@code layout().byteSize()} using {@code allocator}
     */
    public static MemorySegment allocate(SegmentAllocator allocator) {
        return allocator.allocate(layout());
    }

    /**
     * Allocate an array of size {@code elementCount} using {@code allocator}.
     * The returned segment has size {@code elementCount * layout().byteSize()}.
     */
    public static MemorySegment allocateArray(long elementCount, SegmentAllocator allocator) {
        return allocator.allocate(MemoryLayout.sequenceLayout(elementCount, layout()));
    }

    /**
     * Reinterprets {@code addr} using target {@code arena} and {@code cleanupAction} (if any).
     * The returned segment has size {@code layout().byteSize()}
     */
    public static MemorySegment reinterpret(MemorySegment addr, Arena arena, Consumer<MemorySegment> cleanup) {
        return reinterpret(addr, 1, arena, cleanup);
    }

    /**
     * Reinterprets {@code addr} using target {@code arena} and {@code cleanupAction} (if any).
     * The returned segment has size {@code elementCount * layout().byteSize()}
     */
    public static MemorySegment reinterpret(MemorySegment addr, long elementCount, Arena arena, Consumer<MemorySegment> cleanup) {
        return addr.reinterpret(layout().byteSize() * elementCount, arena, cleanup);
    }
}
