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

public class nvml_h {

    nvml_h() {
        // Should not be called directly
    }

    static final Arena LIBRARY_ARENA = Arena.ofAuto();
    static final boolean TRACE_DOWNCALLS = Boolean.getBoolean("jextract.trace.downcalls");

    static void traceDowncall(String name, Object... args) {
         String traceArgs = Arrays.stream(args)
                       .map(Object::toString)
                       .collect(Collectors.joining(", "));
         System.out.printf("%s(%s)\n", name, traceArgs);
    }

    static MemorySegment findOrThrow(String symbol) {
        return SYMBOL_LOOKUP.find(symbol)
            .orElseThrow(() -> new UnsatisfiedLinkError("unresolved symbol: " + symbol));
    }

    static MethodHandle upcallHandle(Class<?> fi, String name, FunctionDescriptor fdesc) {
        try {
            return MethodHandles.lookup().findVirtual(fi, name, fdesc.toMethodType());
        } catch (ReflectiveOperationException ex) {
            throw new AssertionError(ex);
        }
    }

    static final SymbolLookup SYMBOL_LOOKUP = SymbolLookup.loaderLookup()
            .or(Linker.nativeLinker().defaultLookup());

    public static final ValueLayout.OfBoolean C_BOOL = ValueLayout.JAVA_BOOLEAN;
    public static final ValueLayout.OfByte C_CHAR = ValueLayout.JAVA_BYTE;
    public static final ValueLayout.OfShort C_SHORT = ValueLayout.JAVA_SHORT;
    public static final ValueLayout.OfInt C_INT = ValueLayout.JAVA_INT;
    public static final ValueLayout.OfLong C_LONG_LONG = ValueLayout.JAVA_LONG;
    public static final ValueLayout.OfFloat C_FLOAT = ValueLayout.JAVA_FLOAT;
    public static final ValueLayout.OfDouble C_DOUBLE = ValueLayout.JAVA_DOUBLE;
    public static final AddressLayout C_POINTER = ValueLayout.ADDRESS
            .withTargetLayout(MemoryLayout.sequenceLayout(java.lang.Long.MAX_VALUE, JAVA_BYTE));
    public static final ValueLayout.OfLong C_LONG = ValueLayout.JAVA_LONG;
    private static final int NVML_VALUE_NOT_AVAILABLE = (int)-1L;
    /**
     * {@snippet lang=c :
     * #define NVML_VALUE_NOT_AVAILABLE -1
     * }
     */
    public static int NVML_VALUE_NOT_AVAILABLE() {
        return NVML_VALUE_NOT_AVAILABLE;
    }
    /**
     * {@snippet lang=c :
     * typedef struct nvmlDevice_st *nvmlDevice_t
     * }
     */
    public static final AddressLayout nvmlDevice_t = nvml_h.C_POINTER;
    private static final int NVML_DEVICE_PCI_BUS_ID_BUFFER_SIZE = (int)32L;
    /**
     * {@snippet lang=c :
     * #define NVML_DEVICE_PCI_BUS_ID_BUFFER_SIZE 32
     * }
     */
    public static int NVML_DEVICE_PCI_BUS_ID_BUFFER_SIZE() {
        return NVML_DEVICE_PCI_BUS_ID_BUFFER_SIZE;
    }
    private static final int NVML_DEVICE_PCI_BUS_ID_BUFFER_V2_SIZE = (int)16L;
    /**
     * {@snippet lang=c :
     * #define NVML_DEVICE_PCI_BUS_ID_BUFFER_V2_SIZE 16
     * }
     */
    public static int NVML_DEVICE_PCI_BUS_ID_BUFFER_V2_SIZE() {
        return NVML_DEVICE_PCI_BUS_ID_BUFFER_V2_SIZE;
    }
    private static final int NVML_NVLINK_MAX_LINKS = (int)18L;
    /**
     * {@snippet lang=c :
     * #define NVML_NVLINK_MAX_LINKS 18
     * }
     */
    public static int NVML_NVLINK_MAX_LINKS() {
        return NVML_NVLINK_MAX_LINKS;
    }
    private static final int NVML_P2P_STATUS_OK = (int)0L;
    /**
     * {@snippet lang=c :
     * enum nvmlGpuP2PStatus_enum.NVML_P2P_STATUS_OK = 0
     * }
     */
    public static int NVML_P2P_STATUS_OK() {
        return NVML_P2P_STATUS_OK;
    }
    private static final int NVML_P2P_STATUS_NOT_SUPPORTED = (int)5L;
    /**
     * {@snippet lang=c :
     * enum nvmlGpuP2PStatus_enum.NVML_P2P_STATUS_NOT_SUPPORTED = 5
     * }
     */
    public static int NVML_P2P_STATUS_NOT_SUPPORTED() {
        return NVML_P2P_STATUS_NOT_SUPPORTED;
    }
    /**
     * {@snippet lang=c :
     * typedef enum nvmlGpuP2PStatus_enum {
     *     ...
     * } nvmlGpuP2PStatus_t
     * }
     */
    public static final OfInt nvmlGpuP2PStatus_t = nvml_h.C_INT;
    private static final int NVML_P2P_CAPS_INDEX_NVLINK = (int)2L;
    /**
     * {@snippet lang=c :
     * enum nvmlGpuP2PCapsIndex_enum.NVML_P2P_CAPS_INDEX_NVLINK = 2
     * }
     */
    public static int NVML_P2P_CAPS_INDEX_NVLINK() {
        return NVML_P2P_CAPS_INDEX_NVLINK;
    }
    /**
     * {@snippet lang=c :
     * typedef enum nvmlGpuP2PCapsIndex_enum {
     *     ...
     * } nvmlGpuP2PCapsIndex_t
     * }
     */
    public static final OfInt nvmlGpuP2PCapsIndex_t = nvml_h.C_INT;
    private static final int NVML_FEATURE_DISABLED = (int)0L;
    /**
     * {@snippet lang=c :
     * enum nvmlEnableState_enum.NVML_FEATURE_DISABLED = 0
     * }
     */
    public static int NVML_FEATURE_DISABLED() {
        return NVML_FEATURE_DISABLED;
    }
    private static final int NVML_FEATURE_ENABLED = (int)1L;
    /**
     * {@snippet lang=c :
     * enum nvmlEnableState_enum.NVML_FEATURE_ENABLED = 1
     * }
     */
    public static int NVML_FEATURE_ENABLED() {
        return NVML_FEATURE_ENABLED;
    }
    /**
     * {@snippet lang=c :
     * typedef enum nvmlEnableState_enum {
     *     ...
     * } nvmlEnableState_t
     * }
     */
    public static final OfInt nvmlEnableState_t = nvml_h.C_INT;
    private static final int NVML_SUCCESS = (int)0L;
    /**
     * {@snippet lang=c :
     * enum nvmlReturn_enum.NVML_SUCCESS = 0
     * }
     */
    public static int NVML_SUCCESS() {
        return NVML_SUCCESS;
    }
    private static final int NVML_ERROR_UNINITIALIZED = (int)1L;
    /**
     * {@snippet lang=c :
     * enum nvmlReturn_enum.NVML_ERROR_UNINITIALIZED = 1
     * }
     */
    public static int NVML_ERROR_UNINITIALIZED() {
        return NVML_ERROR_UNINITIALIZED;
    }
    private static final int NVML_ERROR_INVALID_ARGUMENT = (int)2L;
    /**
     * {@snippet lang=c :
     * enum nvmlReturn_enum.NVML_ERROR_INVALID_ARGUMENT = 2
     * }
     */
    public static int NVML_ERROR_INVALID_ARGUMENT() {
        return NVML_ERROR_INVALID_ARGUMENT;
    }
    private static final int NVML_ERROR_NOT_SUPPORTED = (int)3L;
    /**
     * {@snippet lang=c :
     * enum nvmlReturn_enum.NVML_ERROR_NOT_SUPPORTED = 3
     * }
     */
    public static int NVML_ERROR_NOT_SUPPORTED() {
        return NVML_ERROR_NOT_SUPPORTED;
    }
    private static final int NVML_ERROR_NO_PERMISSION = (int)4L;
    /**
     * {@snippet lang=c :
     * enum nvmlReturn_enum.NVML_ERROR_NO_PERMISSION = 4
     * }
     */
    public static int NVML_ERROR_NO_PERMISSION() {
        return NVML_ERROR_NO_PERMISSION;
    }
    private static final int NVML_ERROR_ALREADY_INITIALIZED = (int)5L;
    /**
     * {@snippet lang=c :
     * enum nvmlReturn_enum.NVML_ERROR_ALREADY_INITIALIZED = 5
     * }
     */
    public static int NVML_ERROR_ALREADY_INITIALIZED() {
        return NVML_ERROR_ALREADY_INITIALIZED;
    }
    private static final int NVML_ERROR_NOT_FOUND = (int)6L;
    /**
     * {@snippet lang=c :
     * enum nvmlReturn_enum.NVML_ERROR_NOT_FOUND = 6
     * }
     */
    public static int NVML_ERROR_NOT_FOUND() {
        return NVML_ERROR_NOT_FOUND;
    }
    private static final int NVML_ERROR_INSUFFICIENT_SIZE = (int)7L;
    /**
     * {@snippet lang=c :
     * enum nvmlReturn_enum.NVML_ERROR_INSUFFICIENT_SIZE = 7
     * }
     */
    public static int NVML_ERROR_INSUFFICIENT_SIZE() {
        return NVML_ERROR_INSUFFICIENT_SIZE;
    }
    private static final int NVML_ERROR_INSUFFICIENT_POWER = (int)8L;
    /**
     * {@snippet lang=c :
     * enum nvmlReturn_enum.NVML_ERROR_INSUFFICIENT_POWER = 8
     * }
     */
    public static int NVML_ERROR_INSUFFICIENT_POWER() {
        return NVML_ERROR_INSUFFICIENT_POWER;
    }
    private static final int NVML_ERROR_DRIVER_NOT_LOADED = (int)9L;
    /**
     * {@snippet lang=c :
     * enum nvmlReturn_enum.NVML_ERROR_DRIVER_NOT_LOADED = 9
     * }
     */
    public static int NVML_ERROR_DRIVER_NOT_LOADED() {
        return NVML_ERROR_DRIVER_NOT_LOADED;
    }
    private static final int NVML_ERROR_TIMEOUT = (int)10L;
    /**
     * {@snippet lang=c :
     * enum nvmlReturn_enum.NVML_ERROR_TIMEOUT = 10
     * }
     */
    public static int NVML_ERROR_TIMEOUT() {
        return NVML_ERROR_TIMEOUT;
    }
    private static final int NVML_ERROR_IRQ_ISSUE = (int)11L;
    /**
     * {@snippet lang=c :
     * enum nvmlReturn_enum.NVML_ERROR_IRQ_ISSUE = 11
     * }
     */
    public static int NVML_ERROR_IRQ_ISSUE() {
        return NVML_ERROR_IRQ_ISSUE;
    }
    private static final int NVML_ERROR_LIBRARY_NOT_FOUND = (int)12L;
    /**
     * {@snippet lang=c :
     * enum nvmlReturn_enum.NVML_ERROR_LIBRARY_NOT_FOUND = 12
     * }
     */
    public static int NVML_ERROR_LIBRARY_NOT_FOUND() {
        return NVML_ERROR_LIBRARY_NOT_FOUND;
    }
    private static final int NVML_ERROR_FUNCTION_NOT_FOUND = (int)13L;
    /**
     * {@snippet lang=c :
     * enum nvmlReturn_enum.NVML_ERROR_FUNCTION_NOT_FOUND = 13
     * }
     */
    public static int NVML_ERROR_FUNCTION_NOT_FOUND() {
        return NVML_ERROR_FUNCTION_NOT_FOUND;
    }
    private static final int NVML_ERROR_CORRUPTED_INFOROM = (int)14L;
    /**
     * {@snippet lang=c :
     * enum nvmlReturn_enum.NVML_ERROR_CORRUPTED_INFOROM = 14
     * }
     */
    public static int NVML_ERROR_CORRUPTED_INFOROM() {
        return NVML_ERROR_CORRUPTED_INFOROM;
    }
    private static final int NVML_ERROR_GPU_IS_LOST = (int)15L;
    /**
     * {@snippet lang=c :
     * enum nvmlReturn_enum.NVML_ERROR_GPU_IS_LOST = 15
     * }
     */
    public static int NVML_ERROR_GPU_IS_LOST() {
        return NVML_ERROR_GPU_IS_LOST;
    }
    private static final int NVML_ERROR_RESET_REQUIRED = (int)16L;
    /**
     * {@snippet lang=c :
     * enum nvmlReturn_enum.NVML_ERROR_RESET_REQUIRED = 16
     * }
     */
    public static int NVML_ERROR_RESET_REQUIRED() {
        return NVML_ERROR_RESET_REQUIRED;
    }
    private static final int NVML_ERROR_OPERATING_SYSTEM = (int)17L;
    /**
     * {@snippet lang=c :
     * enum nvmlReturn_enum.NVML_ERROR_OPERATING_SYSTEM = 17
     * }
     */
    public static int NVML_ERROR_OPERATING_SYSTEM() {
        return NVML_ERROR_OPERATING_SYSTEM;
    }
    private static final int NVML_ERROR_LIB_RM_VERSION_MISMATCH = (int)18L;
    /**
     * {@snippet lang=c :
     * enum nvmlReturn_enum.NVML_ERROR_LIB_RM_VERSION_MISMATCH = 18
     * }
     */
    public static int NVML_ERROR_LIB_RM_VERSION_MISMATCH() {
        return NVML_ERROR_LIB_RM_VERSION_MISMATCH;
    }
    private static final int NVML_ERROR_IN_USE = (int)19L;
    /**
     * {@snippet lang=c :
     * enum nvmlReturn_enum.NVML_ERROR_IN_USE = 19
     * }
     */
    public static int NVML_ERROR_IN_USE() {
        return NVML_ERROR_IN_USE;
    }
    private static final int NVML_ERROR_MEMORY = (int)20L;
    /**
     * {@snippet lang=c :
     * enum nvmlReturn_enum.NVML_ERROR_MEMORY = 20
     * }
     */
    public static int NVML_ERROR_MEMORY() {
        return NVML_ERROR_MEMORY;
    }
    private static final int NVML_ERROR_NO_DATA = (int)21L;
    /**
     * {@snippet lang=c :
     * enum nvmlReturn_enum.NVML_ERROR_NO_DATA = 21
     * }
     */
    public static int NVML_ERROR_NO_DATA() {
        return NVML_ERROR_NO_DATA;
    }
    private static final int NVML_ERROR_VGPU_ECC_NOT_SUPPORTED = (int)22L;
    /**
     * {@snippet lang=c :
     * enum nvmlReturn_enum.NVML_ERROR_VGPU_ECC_NOT_SUPPORTED = 22
     * }
     */
    public static int NVML_ERROR_VGPU_ECC_NOT_SUPPORTED() {
        return NVML_ERROR_VGPU_ECC_NOT_SUPPORTED;
    }
    private static final int NVML_ERROR_INSUFFICIENT_RESOURCES = (int)23L;
    /**
     * {@snippet lang=c :
     * enum nvmlReturn_enum.NVML_ERROR_INSUFFICIENT_RESOURCES = 23
     * }
     */
    public static int NVML_ERROR_INSUFFICIENT_RESOURCES() {
        return NVML_ERROR_INSUFFICIENT_RESOURCES;
    }
    private static final int NVML_ERROR_FREQ_NOT_SUPPORTED = (int)24L;
    /**
     * {@snippet lang=c :
     * enum nvmlReturn_enum.NVML_ERROR_FREQ_NOT_SUPPORTED = 24
     * }
     */
    public static int NVML_ERROR_FREQ_NOT_SUPPORTED() {
        return NVML_ERROR_FREQ_NOT_SUPPORTED;
    }
    private static final int NVML_ERROR_ARGUMENT_VERSION_MISMATCH = (int)25L;
    /**
     * {@snippet lang=c :
     * enum nvmlReturn_enum.NVML_ERROR_ARGUMENT_VERSION_MISMATCH = 25
     * }
     */
    public static int NVML_ERROR_ARGUMENT_VERSION_MISMATCH() {
        return NVML_ERROR_ARGUMENT_VERSION_MISMATCH;
    }
    private static final int NVML_ERROR_DEPRECATED = (int)26L;
    /**
     * {@snippet lang=c :
     * enum nvmlReturn_enum.NVML_ERROR_DEPRECATED = 26
     * }
     */
    public static int NVML_ERROR_DEPRECATED() {
        return NVML_ERROR_DEPRECATED;
    }
    private static final int NVML_ERROR_NOT_READY = (int)27L;
    /**
     * {@snippet lang=c :
     * enum nvmlReturn_enum.NVML_ERROR_NOT_READY = 27
     * }
     */
    public static int NVML_ERROR_NOT_READY() {
        return NVML_ERROR_NOT_READY;
    }
    private static final int NVML_ERROR_GPU_NOT_FOUND = (int)28L;
    /**
     * {@snippet lang=c :
     * enum nvmlReturn_enum.NVML_ERROR_GPU_NOT_FOUND = 28
     * }
     */
    public static int NVML_ERROR_GPU_NOT_FOUND() {
        return NVML_ERROR_GPU_NOT_FOUND;
    }
    private static final int NVML_ERROR_INVALID_STATE = (int)29L;
    /**
     * {@snippet lang=c :
     * enum nvmlReturn_enum.NVML_ERROR_INVALID_STATE = 29
     * }
     */
    public static int NVML_ERROR_INVALID_STATE() {
        return NVML_ERROR_INVALID_STATE;
    }
    private static final int NVML_ERROR_RESET_TYPE_NOT_SUPPORTED = (int)30L;
    /**
     * {@snippet lang=c :
     * enum nvmlReturn_enum.NVML_ERROR_RESET_TYPE_NOT_SUPPORTED = 30
     * }
     */
    public static int NVML_ERROR_RESET_TYPE_NOT_SUPPORTED() {
        return NVML_ERROR_RESET_TYPE_NOT_SUPPORTED;
    }
    private static final int NVML_ERROR_UNKNOWN = (int)999L;
    /**
     * {@snippet lang=c :
     * enum nvmlReturn_enum.NVML_ERROR_UNKNOWN = 999
     * }
     */
    public static int NVML_ERROR_UNKNOWN() {
        return NVML_ERROR_UNKNOWN;
    }
    /**
     * {@snippet lang=c :
     * typedef enum nvmlReturn_enum {
     *     ...
     * } nvmlReturn_t
     * }
     */
    public static final OfInt nvmlReturn_t = nvml_h.C_INT;
    private static final int NVML_INIT_FLAG_NO_GPUS = (int)1L;
    /**
     * {@snippet lang=c :
     * #define NVML_INIT_FLAG_NO_GPUS 1
     * }
     */
    public static int NVML_INIT_FLAG_NO_GPUS() {
        return NVML_INIT_FLAG_NO_GPUS;
    }
    private static final int NVML_INIT_FLAG_NO_ATTACH = (int)2L;
    /**
     * {@snippet lang=c :
     * #define NVML_INIT_FLAG_NO_ATTACH 2
     * }
     */
    public static int NVML_INIT_FLAG_NO_ATTACH() {
        return NVML_INIT_FLAG_NO_ATTACH;
    }
    private static final int NVML_DEVICE_UUID_V2_BUFFER_SIZE = (int)96L;
    /**
     * {@snippet lang=c :
     * #define NVML_DEVICE_UUID_V2_BUFFER_SIZE 96
     * }
     */
    public static int NVML_DEVICE_UUID_V2_BUFFER_SIZE() {
        return NVML_DEVICE_UUID_V2_BUFFER_SIZE;
    }
    private static final int NVML_SYSTEM_DRIVER_VERSION_BUFFER_SIZE = (int)80L;
    /**
     * {@snippet lang=c :
     * #define NVML_SYSTEM_DRIVER_VERSION_BUFFER_SIZE 80
     * }
     */
    public static int NVML_SYSTEM_DRIVER_VERSION_BUFFER_SIZE() {
        return NVML_SYSTEM_DRIVER_VERSION_BUFFER_SIZE;
    }
    private static final int NVML_SYSTEM_NVML_VERSION_BUFFER_SIZE = (int)80L;
    /**
     * {@snippet lang=c :
     * #define NVML_SYSTEM_NVML_VERSION_BUFFER_SIZE 80
     * }
     */
    public static int NVML_SYSTEM_NVML_VERSION_BUFFER_SIZE() {
        return NVML_SYSTEM_NVML_VERSION_BUFFER_SIZE;
    }
    private static final int NVML_DEVICE_NAME_V2_BUFFER_SIZE = (int)96L;
    /**
     * {@snippet lang=c :
     * #define NVML_DEVICE_NAME_V2_BUFFER_SIZE 96
     * }
     */
    public static int NVML_DEVICE_NAME_V2_BUFFER_SIZE() {
        return NVML_DEVICE_NAME_V2_BUFFER_SIZE;
    }

    private static class nvmlInit_v2 {
        public static final FunctionDescriptor DESC = FunctionDescriptor.of(
            nvml_h.C_INT
        );

        public static final MemorySegment ADDR = nvml_h.findOrThrow("nvmlInit_v2");

        public static final MethodHandle HANDLE = Linker.nativeLinker().downcallHandle(ADDR, DESC);
    }

    /**
     * Function descriptor for:
     * {@snippet lang=c :
     * nvmlReturn_t nvmlInit_v2(void)
     * }
     */
    public static FunctionDescriptor nvmlInit_v2$descriptor() {
        return nvmlInit_v2.DESC;
    }

    /**
     * Downcall method handle for:
     * {@snippet lang=c :
     * nvmlReturn_t nvmlInit_v2(void)
     * }
     */
    public static MethodHandle nvmlInit_v2$handle() {
        return nvmlInit_v2.HANDLE;
    }

    /**
     * Address for:
     * {@snippet lang=c :
     * nvmlReturn_t nvmlInit_v2(void)
     * }
     */
    public static MemorySegment nvmlInit_v2$address() {
        return nvmlInit_v2.ADDR;
    }

    /**
     * {@snippet lang=c :
     * nvmlReturn_t nvmlInit_v2(void)
     * }
     */
    public static int nvmlInit_v2() {
        var mh$ = nvmlInit_v2.HANDLE;
        try {
            if (TRACE_DOWNCALLS) {
                traceDowncall("nvmlInit_v2");
            }
            return (int)mh$.invokeExact();
        } catch (Error | RuntimeException ex) {
           throw ex;
        } catch (Throwable ex$) {
           throw new AssertionError("should not reach here", ex$);
        }
    }

    private static class nvmlInitWithFlags {
        public static final FunctionDescriptor DESC = FunctionDescriptor.of(
            nvml_h.C_INT,
            nvml_h.C_INT
        );

        public static final MemorySegment ADDR = nvml_h.findOrThrow("nvmlInitWithFlags");

        public static final MethodHandle HANDLE = Linker.nativeLinker().downcallHandle(ADDR, DESC);
    }

    /**
     * Function descriptor for:
     * {@snippet lang=c :
     * nvmlReturn_t nvmlInitWithFlags(unsigned int flags)
     * }
     */
    public static FunctionDescriptor nvmlInitWithFlags$descriptor() {
        return nvmlInitWithFlags.DESC;
    }

    /**
     * Downcall method handle for:
     * {@snippet lang=c :
     * nvmlReturn_t nvmlInitWithFlags(unsigned int flags)
     * }
     */
    public static MethodHandle nvmlInitWithFlags$handle() {
        return nvmlInitWithFlags.HANDLE;
    }

    /**
     * Address for:
     * {@snippet lang=c :
     * nvmlReturn_t nvmlInitWithFlags(unsigned int flags)
     * }
     */
    public static MemorySegment nvmlInitWithFlags$address() {
        return nvmlInitWithFlags.ADDR;
    }

    /**
     * {@snippet lang=c :
     * nvmlReturn_t nvmlInitWithFlags(unsigned int flags)
     * }
     */
    public static int nvmlInitWithFlags(int flags) {
        var mh$ = nvmlInitWithFlags.HANDLE;
        try {
            if (TRACE_DOWNCALLS) {
                traceDowncall("nvmlInitWithFlags", flags);
            }
            return (int)mh$.invokeExact(flags);
        } catch (Error | RuntimeException ex) {
           throw ex;
        } catch (Throwable ex$) {
           throw new AssertionError("should not reach here", ex$);
        }
    }

    private static class nvmlShutdown {
        public static final FunctionDescriptor DESC = FunctionDescriptor.of(
            nvml_h.C_INT
        );

        public static final MemorySegment ADDR = nvml_h.findOrThrow("nvmlShutdown");

        public static final MethodHandle HANDLE = Linker.nativeLinker().downcallHandle(ADDR, DESC);
    }

    /**
     * Function descriptor for:
     * {@snippet lang=c :
     * nvmlReturn_t nvmlShutdown(void)
     * }
     */
    public static FunctionDescriptor nvmlShutdown$descriptor() {
        return nvmlShutdown.DESC;
    }

    /**
     * Downcall method handle for:
     * {@snippet lang=c :
     * nvmlReturn_t nvmlShutdown(void)
     * }
     */
    public static MethodHandle nvmlShutdown$handle() {
        return nvmlShutdown.HANDLE;
    }

    /**
     * Address for:
     * {@snippet lang=c :
     * nvmlReturn_t nvmlShutdown(void)
     * }
     */
    public static MemorySegment nvmlShutdown$address() {
        return nvmlShutdown.ADDR;
    }

    /**
     * {@snippet lang=c :
     * nvmlReturn_t nvmlShutdown(void)
     * }
     */
    public static int nvmlShutdown() {
        var mh$ = nvmlShutdown.HANDLE;
        try {
            if (TRACE_DOWNCALLS) {
                traceDowncall("nvmlShutdown");
            }
            return (int)mh$.invokeExact();
        } catch (Error | RuntimeException ex) {
           throw ex;
        } catch (Throwable ex$) {
           throw new AssertionError("should not reach here", ex$);
        }
    }

    private static class nvmlErrorString {
        public static final FunctionDescriptor DESC = FunctionDescriptor.of(
            nvml_h.C_POINTER,
            nvml_h.C_INT
        );

        public static final MemorySegment ADDR = nvml_h.findOrThrow("nvmlErrorString");

        public static final MethodHandle HANDLE = Linker.nativeLinker().downcallHandle(ADDR, DESC);
    }

    /**
     * Function descriptor for:
     * {@snippet lang=c :
     * const char *nvmlErrorString(nvmlReturn_t result)
     * }
     */
    public static FunctionDescriptor nvmlErrorString$descriptor() {
        return nvmlErrorString.DESC;
    }

    /**
     * Downcall method handle for:
     * {@snippet lang=c :
     * const char *nvmlErrorString(nvmlReturn_t result)
     * }
     */
    public static MethodHandle nvmlErrorString$handle() {
        return nvmlErrorString.HANDLE;
    }

    /**
     * Address for:
     * {@snippet lang=c :
     * const char *nvmlErrorString(nvmlReturn_t result)
     * }
     */
    public static MemorySegment nvmlErrorString$address() {
        return nvmlErrorString.ADDR;
    }

    /**
     * {@snippet lang=c :
     * const char *nvmlErrorString(nvmlReturn_t result)
     * }
     */
    public static MemorySegment nvmlErrorString(int result) {
        var mh$ = nvmlErrorString.HANDLE;
        try {
            if (TRACE_DOWNCALLS) {
                traceDowncall("nvmlErrorString", result);
            }
            return (MemorySegment)mh$.invokeExact(result);
        } catch (Error | RuntimeException ex) {
           throw ex;
        } catch (Throwable ex$) {
           throw new AssertionError("should not reach here", ex$);
        }
    }

    private static class nvmlSystemGetDriverVersion {
        public static final FunctionDescriptor DESC = FunctionDescriptor.of(
            nvml_h.C_INT,
            nvml_h.C_POINTER,
            nvml_h.C_INT
        );

        public static final MemorySegment ADDR = nvml_h.findOrThrow("nvmlSystemGetDriverVersion");

        public static final MethodHandle HANDLE = Linker.nativeLinker().downcallHandle(ADDR, DESC);
    }

    /**
     * Function descriptor for:
     * {@snippet lang=c :
     * nvmlReturn_t nvmlSystemGetDriverVersion(char *version, unsigned int length)
     * }
     */
    public static FunctionDescriptor nvmlSystemGetDriverVersion$descriptor() {
        return nvmlSystemGetDriverVersion.DESC;
    }

    /**
     * Downcall method handle for:
     * {@snippet lang=c :
     * nvmlReturn_t nvmlSystemGetDriverVersion(char *version, unsigned int length)
     * }
     */
    public static MethodHandle nvmlSystemGetDriverVersion$handle() {
        return nvmlSystemGetDriverVersion.HANDLE;
    }

    /**
     * Address for:
     * {@snippet lang=c :
     * nvmlReturn_t nvmlSystemGetDriverVersion(char *version, unsigned int length)
     * }
     */
    public static MemorySegment nvmlSystemGetDriverVersion$address() {
        return nvmlSystemGetDriverVersion.ADDR;
    }

    /**
     * {@snippet lang=c :
     * nvmlReturn_t nvmlSystemGetDriverVersion(char *version, unsigned int length)
     * }
     */
    public static int nvmlSystemGetDriverVersion(MemorySegment version, int length) {
        var mh$ = nvmlSystemGetDriverVersion.HANDLE;
        try {
            if (TRACE_DOWNCALLS) {
                traceDowncall("nvmlSystemGetDriverVersion", version, length);
            }
            return (int)mh$.invokeExact(version, length);
        } catch (Error | RuntimeException ex) {
           throw ex;
        } catch (Throwable ex$) {
           throw new AssertionError("should not reach here", ex$);
        }
    }

    private static class nvmlSystemGetNVMLVersion {
        public static final FunctionDescriptor DESC = FunctionDescriptor.of(
            nvml_h.C_INT,
            nvml_h.C_POINTER,
            nvml_h.C_INT
        );

        public static final MemorySegment ADDR = nvml_h.findOrThrow("nvmlSystemGetNVMLVersion");

        public static final MethodHandle HANDLE = Linker.nativeLinker().downcallHandle(ADDR, DESC);
    }

    /**
     * Function descriptor for:
     * {@snippet lang=c :
     * nvmlReturn_t nvmlSystemGetNVMLVersion(char *version, unsigned int length)
     * }
     */
    public static FunctionDescriptor nvmlSystemGetNVMLVersion$descriptor() {
        return nvmlSystemGetNVMLVersion.DESC;
    }

    /**
     * Downcall method handle for:
     * {@snippet lang=c :
     * nvmlReturn_t nvmlSystemGetNVMLVersion(char *version, unsigned int length)
     * }
     */
    public static MethodHandle nvmlSystemGetNVMLVersion$handle() {
        return nvmlSystemGetNVMLVersion.HANDLE;
    }

    /**
     * Address for:
     * {@snippet lang=c :
     * nvmlReturn_t nvmlSystemGetNVMLVersion(char *version, unsigned int length)
     * }
     */
    public static MemorySegment nvmlSystemGetNVMLVersion$address() {
        return nvmlSystemGetNVMLVersion.ADDR;
    }

    /**
     * {@snippet lang=c :
     * nvmlReturn_t nvmlSystemGetNVMLVersion(char *version, unsigned int length)
     * }
     */
    public static int nvmlSystemGetNVMLVersion(MemorySegment version, int length) {
        var mh$ = nvmlSystemGetNVMLVersion.HANDLE;
        try {
            if (TRACE_DOWNCALLS) {
                traceDowncall("nvmlSystemGetNVMLVersion", version, length);
            }
            return (int)mh$.invokeExact(version, length);
        } catch (Error | RuntimeException ex) {
           throw ex;
        } catch (Throwable ex$) {
           throw new AssertionError("should not reach here", ex$);
        }
    }

    private static class nvmlSystemGetCudaDriverVersion_v2 {
        public static final FunctionDescriptor DESC = FunctionDescriptor.of(
            nvml_h.C_INT,
            nvml_h.C_POINTER
        );

        public static final MemorySegment ADDR = nvml_h.findOrThrow("nvmlSystemGetCudaDriverVersion_v2");

        public static final MethodHandle HANDLE = Linker.nativeLinker().downcallHandle(ADDR, DESC);
    }

    /**
     * Function descriptor for:
     * {@snippet lang=c :
     * nvmlReturn_t nvmlSystemGetCudaDriverVersion_v2(int *cudaDriverVersion)
     * }
     */
    public static FunctionDescriptor nvmlSystemGetCudaDriverVersion_v2$descriptor() {
        return nvmlSystemGetCudaDriverVersion_v2.DESC;
    }

    /**
     * Downcall method handle for:
     * {@snippet lang=c :
     * nvmlReturn_t nvmlSystemGetCudaDriverVersion_v2(int *cudaDriverVersion)
     * }
     */
    public static MethodHandle nvmlSystemGetCudaDriverVersion_v2$handle() {
        return nvmlSystemGetCudaDriverVersion_v2.HANDLE;
    }

    /**
     * Address for:
     * {@snippet lang=c :
     * nvmlReturn_t nvmlSystemGetCudaDriverVersion_v2(int *cudaDriverVersion)
     * }
     */
    public static MemorySegment nvmlSystemGetCudaDriverVersion_v2$address() {
        return nvmlSystemGetCudaDriverVersion_v2.ADDR;
    }

    /**
     * {@snippet lang=c :
     * nvmlReturn_t nvmlSystemGetCudaDriverVersion_v2(int *cudaDriverVersion)
     * }
     */
    public static int nvmlSystemGetCudaDriverVersion_v2(MemorySegment cudaDriverVersion) {
        var mh$ = nvmlSystemGetCudaDriverVersion_v2.HANDLE;
        try {
            if (TRACE_DOWNCALLS) {
                traceDowncall("nvmlSystemGetCudaDriverVersion_v2", cudaDriverVersion);
            }
            return (int)mh$.invokeExact(cudaDriverVersion);
        } catch (Error | RuntimeException ex) {
           throw ex;
        } catch (Throwable ex$) {
           throw new AssertionError("should not reach here", ex$);
        }
    }

    private static class nvmlDeviceGetCount_v2 {
        public static final FunctionDescriptor DESC = FunctionDescriptor.of(
            nvml_h.C_INT,
            nvml_h.C_POINTER
        );

        public static final MemorySegment ADDR = nvml_h.findOrThrow("nvmlDeviceGetCount_v2");

        public static final MethodHandle HANDLE = Linker.nativeLinker().downcallHandle(ADDR, DESC);
    }

    /**
     * Function descriptor for:
     * {@snippet lang=c :
     * nvmlReturn_t nvmlDeviceGetCount_v2(unsigned int *deviceCount)
     * }
     */
    public static FunctionDescriptor nvmlDeviceGetCount_v2$descriptor() {
        return nvmlDeviceGetCount_v2.DESC;
    }

    /**
     * Downcall method handle for:
     * {@snippet lang=c :
     * nvmlReturn_t nvmlDeviceGetCount_v2(unsigned int *deviceCount)
     * }
     */
    public static MethodHandle nvmlDeviceGetCount_v2$handle() {
        return nvmlDeviceGetCount_v2.HANDLE;
    }

    /**
     * Address for:
     * {@snippet lang=c :
     * nvmlReturn_t nvmlDeviceGetCount_v2(unsigned int *deviceCount)
     * }
     */
    public static MemorySegment nvmlDeviceGetCount_v2$address() {
        return nvmlDeviceGetCount_v2.ADDR;
    }

    /**
     * {@snippet lang=c :
     * nvmlReturn_t nvmlDeviceGetCount_v2(unsigned int *deviceCount)
     * }
     */
    public static int nvmlDeviceGetCount_v2(MemorySegment deviceCount) {
        var mh$ = nvmlDeviceGetCount_v2.HANDLE;
        try {
            if (TRACE_DOWNCALLS) {
                traceDowncall("nvmlDeviceGetCount_v2", deviceCount);
            }
            return (int)mh$.invokeExact(deviceCount);
        } catch (Error | RuntimeException ex) {
           throw ex;
        } catch (Throwable ex$) {
           throw new AssertionError("should not reach here", ex$);
        }
    }

    private static class nvmlDeviceGetHandleByIndex_v2 {
        public static final FunctionDescriptor DESC = FunctionDescriptor.of(
            nvml_h.C_INT,
            nvml_h.C_INT,
            nvml_h.C_POINTER
        );

        public static final MemorySegment ADDR = nvml_h.findOrThrow("nvmlDeviceGetHandleByIndex_v2");

        public static final MethodHandle HANDLE = Linker.nativeLinker().downcallHandle(ADDR, DESC);
    }

    /**
     * Function descriptor for:
     * {@snippet lang=c :
     * nvmlReturn_t nvmlDeviceGetHandleByIndex_v2(unsigned int index, nvmlDevice_t *device)
     * }
     */
    public static FunctionDescriptor nvmlDeviceGetHandleByIndex_v2$descriptor() {
        return nvmlDeviceGetHandleByIndex_v2.DESC;
    }

    /**
     * Downcall method handle for:
     * {@snippet lang=c :
     * nvmlReturn_t nvmlDeviceGetHandleByIndex_v2(unsigned int index, nvmlDevice_t *device)
     * }
     */
    public static MethodHandle nvmlDeviceGetHandleByIndex_v2$handle() {
        return nvmlDeviceGetHandleByIndex_v2.HANDLE;
    }

    /**
     * Address for:
     * {@snippet lang=c :
     * nvmlReturn_t nvmlDeviceGetHandleByIndex_v2(unsigned int index, nvmlDevice_t *device)
     * }
     */
    public static MemorySegment nvmlDeviceGetHandleByIndex_v2$address() {
        return nvmlDeviceGetHandleByIndex_v2.ADDR;
    }

    /**
     * {@snippet lang=c :
     * nvmlReturn_t nvmlDeviceGetHandleByIndex_v2(unsigned int index, nvmlDevice_t *device)
     * }
     */
    public static int nvmlDeviceGetHandleByIndex_v2(int index, MemorySegment device) {
        var mh$ = nvmlDeviceGetHandleByIndex_v2.HANDLE;
        try {
            if (TRACE_DOWNCALLS) {
                traceDowncall("nvmlDeviceGetHandleByIndex_v2", index, device);
            }
            return (int)mh$.invokeExact(index, device);
        } catch (Error | RuntimeException ex) {
           throw ex;
        } catch (Throwable ex$) {
           throw new AssertionError("should not reach here", ex$);
        }
    }

    private static class nvmlDeviceGetHandleByUUID {
        public static final FunctionDescriptor DESC = FunctionDescriptor.of(
            nvml_h.C_INT,
            nvml_h.C_POINTER,
            nvml_h.C_POINTER
        );

        public static final MemorySegment ADDR = nvml_h.findOrThrow("nvmlDeviceGetHandleByUUID");

        public static final MethodHandle HANDLE = Linker.nativeLinker().downcallHandle(ADDR, DESC);
    }

    /**
     * Function descriptor for:
     * {@snippet lang=c :
     * nvmlReturn_t nvmlDeviceGetHandleByUUID(const char *uuid, nvmlDevice_t *device)
     * }
     */
    public static FunctionDescriptor nvmlDeviceGetHandleByUUID$descriptor() {
        return nvmlDeviceGetHandleByUUID.DESC;
    }

    /**
     * Downcall method handle for:
     * {@snippet lang=c :
     * nvmlReturn_t nvmlDeviceGetHandleByUUID(const char *uuid, nvmlDevice_t *device)
     * }
     */
    public static MethodHandle nvmlDeviceGetHandleByUUID$handle() {
        return nvmlDeviceGetHandleByUUID.HANDLE;
    }

    /**
     * Address for:
     * {@snippet lang=c :
     * nvmlReturn_t nvmlDeviceGetHandleByUUID(const char *uuid, nvmlDevice_t *device)
     * }
     */
    public static MemorySegment nvmlDeviceGetHandleByUUID$address() {
        return nvmlDeviceGetHandleByUUID.ADDR;
    }

    /**
     * {@snippet lang=c :
     * nvmlReturn_t nvmlDeviceGetHandleByUUID(const char *uuid, nvmlDevice_t *device)
     * }
     */
    public static int nvmlDeviceGetHandleByUUID(MemorySegment uuid, MemorySegment device) {
        var mh$ = nvmlDeviceGetHandleByUUID.HANDLE;
        try {
            if (TRACE_DOWNCALLS) {
                traceDowncall("nvmlDeviceGetHandleByUUID", uuid, device);
            }
            return (int)mh$.invokeExact(uuid, device);
        } catch (Error | RuntimeException ex) {
           throw ex;
        } catch (Throwable ex$) {
           throw new AssertionError("should not reach here", ex$);
        }
    }

    private static class nvmlDeviceGetName {
        public static final FunctionDescriptor DESC = FunctionDescriptor.of(
            nvml_h.C_INT,
            nvml_h.C_POINTER,
            nvml_h.C_POINTER,
            nvml_h.C_INT
        );

        public static final MemorySegment ADDR = nvml_h.findOrThrow("nvmlDeviceGetName");

        public static final MethodHandle HANDLE = Linker.nativeLinker().downcallHandle(ADDR, DESC);
    }

    /**
     * Function descriptor for:
     * {@snippet lang=c :
     * nvmlReturn_t nvmlDeviceGetName(nvmlDevice_t device, char *name, unsigned int length)
     * }
     */
    public static FunctionDescriptor nvmlDeviceGetName$descriptor() {
        return nvmlDeviceGetName.DESC;
    }

    /**
     * Downcall method handle for:
     * {@snippet lang=c :
     * nvmlReturn_t nvmlDeviceGetName(nvmlDevice_t device, char *name, unsigned int length)
     * }
     */
    public static MethodHandle nvmlDeviceGetName$handle() {
        return nvmlDeviceGetName.HANDLE;
    }

    /**
     * Address for:
     * {@snippet lang=c :
     * nvmlReturn_t nvmlDeviceGetName(nvmlDevice_t device, char *name, unsigned int length)
     * }
     */
    public static MemorySegment nvmlDeviceGetName$address() {
        return nvmlDeviceGetName.ADDR;
    }

    /**
     * {@snippet lang=c :
     * nvmlReturn_t nvmlDeviceGetName(nvmlDevice_t device, char *name, unsigned int length)
     * }
     */
    public static int nvmlDeviceGetName(MemorySegment device, MemorySegment name, int length) {
        var mh$ = nvmlDeviceGetName.HANDLE;
        try {
            if (TRACE_DOWNCALLS) {
                traceDowncall("nvmlDeviceGetName", device, name, length);
            }
            return (int)mh$.invokeExact(device, name, length);
        } catch (Error | RuntimeException ex) {
           throw ex;
        } catch (Throwable ex$) {
           throw new AssertionError("should not reach here", ex$);
        }
    }

    private static class nvmlDeviceGetIndex {
        public static final FunctionDescriptor DESC = FunctionDescriptor.of(
            nvml_h.C_INT,
            nvml_h.C_POINTER,
            nvml_h.C_POINTER
        );

        public static final MemorySegment ADDR = nvml_h.findOrThrow("nvmlDeviceGetIndex");

        public static final MethodHandle HANDLE = Linker.nativeLinker().downcallHandle(ADDR, DESC);
    }

    /**
     * Function descriptor for:
     * {@snippet lang=c :
     * nvmlReturn_t nvmlDeviceGetIndex(nvmlDevice_t device, unsigned int *index)
     * }
     */
    public static FunctionDescriptor nvmlDeviceGetIndex$descriptor() {
        return nvmlDeviceGetIndex.DESC;
    }

    /**
     * Downcall method handle for:
     * {@snippet lang=c :
     * nvmlReturn_t nvmlDeviceGetIndex(nvmlDevice_t device, unsigned int *index)
     * }
     */
    public static MethodHandle nvmlDeviceGetIndex$handle() {
        return nvmlDeviceGetIndex.HANDLE;
    }

    /**
     * Address for:
     * {@snippet lang=c :
     * nvmlReturn_t nvmlDeviceGetIndex(nvmlDevice_t device, unsigned int *index)
     * }
     */
    public static MemorySegment nvmlDeviceGetIndex$address() {
        return nvmlDeviceGetIndex.ADDR;
    }

    /**
     * {@snippet lang=c :
     * nvmlReturn_t nvmlDeviceGetIndex(nvmlDevice_t device, unsigned int *index)
     * }
     */
    public static int nvmlDeviceGetIndex(MemorySegment device, MemorySegment index) {
        var mh$ = nvmlDeviceGetIndex.HANDLE;
        try {
            if (TRACE_DOWNCALLS) {
                traceDowncall("nvmlDeviceGetIndex", device, index);
            }
            return (int)mh$.invokeExact(device, index);
        } catch (Error | RuntimeException ex) {
           throw ex;
        } catch (Throwable ex$) {
           throw new AssertionError("should not reach here", ex$);
        }
    }

    private static class nvmlDeviceGetP2PStatus {
        public static final FunctionDescriptor DESC = FunctionDescriptor.of(
            nvml_h.C_INT,
            nvml_h.C_POINTER,
            nvml_h.C_POINTER,
            nvml_h.C_INT,
            nvml_h.C_POINTER
        );

        public static final MemorySegment ADDR = nvml_h.findOrThrow("nvmlDeviceGetP2PStatus");

        public static final MethodHandle HANDLE = Linker.nativeLinker().downcallHandle(ADDR, DESC);
    }

    /**
     * Function descriptor for:
     * {@snippet lang=c :
     * nvmlReturn_t nvmlDeviceGetP2PStatus(nvmlDevice_t device1, nvmlDevice_t device2, nvmlGpuP2PCapsIndex_t p2pIndex, nvmlGpuP2PStatus_t *p2pStatus)
     * }
     */
    public static FunctionDescriptor nvmlDeviceGetP2PStatus$descriptor() {
        return nvmlDeviceGetP2PStatus.DESC;
    }

    /**
     * Downcall method handle for:
     * {@snippet lang=c :
     * nvmlReturn_t nvmlDeviceGetP2PStatus(nvmlDevice_t device1, nvmlDevice_t device2, nvmlGpuP2PCapsIndex_t p2pIndex, nvmlGpuP2PStatus_t *p2pStatus)
     * }
     */
    public static MethodHandle nvmlDeviceGetP2PStatus$handle() {
        return nvmlDeviceGetP2PStatus.HANDLE;
    }

    /**
     * Address for:
     * {@snippet lang=c :
     * nvmlReturn_t nvmlDeviceGetP2PStatus(nvmlDevice_t device1, nvmlDevice_t device2, nvmlGpuP2PCapsIndex_t p2pIndex, nvmlGpuP2PStatus_t *p2pStatus)
     * }
     */
    public static MemorySegment nvmlDeviceGetP2PStatus$address() {
        return nvmlDeviceGetP2PStatus.ADDR;
    }

    /**
     * {@snippet lang=c :
     * nvmlReturn_t nvmlDeviceGetP2PStatus(nvmlDevice_t device1, nvmlDevice_t device2, nvmlGpuP2PCapsIndex_t p2pIndex, nvmlGpuP2PStatus_t *p2pStatus)
     * }
     */
    public static int nvmlDeviceGetP2PStatus(MemorySegment device1, MemorySegment device2, int p2pIndex, MemorySegment p2pStatus) {
        var mh$ = nvmlDeviceGetP2PStatus.HANDLE;
        try {
            if (TRACE_DOWNCALLS) {
                traceDowncall("nvmlDeviceGetP2PStatus", device1, device2, p2pIndex, p2pStatus);
            }
            return (int)mh$.invokeExact(device1, device2, p2pIndex, p2pStatus);
        } catch (Error | RuntimeException ex) {
           throw ex;
        } catch (Throwable ex$) {
           throw new AssertionError("should not reach here", ex$);
        }
    }

    private static class nvmlDeviceGetUUID {
        public static final FunctionDescriptor DESC = FunctionDescriptor.of(
            nvml_h.C_INT,
            nvml_h.C_POINTER,
            nvml_h.C_POINTER,
            nvml_h.C_INT
        );

        public static final MemorySegment ADDR = nvml_h.findOrThrow("nvmlDeviceGetUUID");

        public static final MethodHandle HANDLE = Linker.nativeLinker().downcallHandle(ADDR, DESC);
    }

    /**
     * Function descriptor for:
     * {@snippet lang=c :
     * nvmlReturn_t nvmlDeviceGetUUID(nvmlDevice_t device, char *uuid, unsigned int length)
     * }
     */
    public static FunctionDescriptor nvmlDeviceGetUUID$descriptor() {
        return nvmlDeviceGetUUID.DESC;
    }

    /**
     * Downcall method handle for:
     * {@snippet lang=c :
     * nvmlReturn_t nvmlDeviceGetUUID(nvmlDevice_t device, char *uuid, unsigned int length)
     * }
     */
    public static MethodHandle nvmlDeviceGetUUID$handle() {
        return nvmlDeviceGetUUID.HANDLE;
    }

    /**
     * Address for:
     * {@snippet lang=c :
     * nvmlReturn_t nvmlDeviceGetUUID(nvmlDevice_t device, char *uuid, unsigned int length)
     * }
     */
    public static MemorySegment nvmlDeviceGetUUID$address() {
        return nvmlDeviceGetUUID.ADDR;
    }

    /**
     * {@snippet lang=c :
     * nvmlReturn_t nvmlDeviceGetUUID(nvmlDevice_t device, char *uuid, unsigned int length)
     * }
     */
    public static int nvmlDeviceGetUUID(MemorySegment device, MemorySegment uuid, int length) {
        var mh$ = nvmlDeviceGetUUID.HANDLE;
        try {
            if (TRACE_DOWNCALLS) {
                traceDowncall("nvmlDeviceGetUUID", device, uuid, length);
            }
            return (int)mh$.invokeExact(device, uuid, length);
        } catch (Error | RuntimeException ex) {
           throw ex;
        } catch (Throwable ex$) {
           throw new AssertionError("should not reach here", ex$);
        }
    }

    private static class nvmlDeviceGetPciInfo_v3 {
        public static final FunctionDescriptor DESC = FunctionDescriptor.of(
            nvml_h.C_INT,
            nvml_h.C_POINTER,
            nvml_h.C_POINTER
        );

        public static final MemorySegment ADDR = nvml_h.findOrThrow("nvmlDeviceGetPciInfo_v3");

        public static final MethodHandle HANDLE = Linker.nativeLinker().downcallHandle(ADDR, DESC);
    }

    /**
     * Function descriptor for:
     * {@snippet lang=c :
     * nvmlReturn_t nvmlDeviceGetPciInfo_v3(nvmlDevice_t device, nvmlPciInfo_t *pci)
     * }
     */
    public static FunctionDescriptor nvmlDeviceGetPciInfo_v3$descriptor() {
        return nvmlDeviceGetPciInfo_v3.DESC;
    }

    /**
     * Downcall method handle for:
     * {@snippet lang=c :
     * nvmlReturn_t nvmlDeviceGetPciInfo_v3(nvmlDevice_t device, nvmlPciInfo_t *pci)
     * }
     */
    public static MethodHandle nvmlDeviceGetPciInfo_v3$handle() {
        return nvmlDeviceGetPciInfo_v3.HANDLE;
    }

    /**
     * Address for:
     * {@snippet lang=c :
     * nvmlReturn_t nvmlDeviceGetPciInfo_v3(nvmlDevice_t device, nvmlPciInfo_t *pci)
     * }
     */
    public static MemorySegment nvmlDeviceGetPciInfo_v3$address() {
        return nvmlDeviceGetPciInfo_v3.ADDR;
    }

    /**
     * {@snippet lang=c :
     * nvmlReturn_t nvmlDeviceGetPciInfo_v3(nvmlDevice_t device, nvmlPciInfo_t *pci)
     * }
     */
    public static int nvmlDeviceGetPciInfo_v3(MemorySegment device, MemorySegment pci) {
        var mh$ = nvmlDeviceGetPciInfo_v3.HANDLE;
        try {
            if (TRACE_DOWNCALLS) {
                traceDowncall("nvmlDeviceGetPciInfo_v3", device, pci);
            }
            return (int)mh$.invokeExact(device, pci);
        } catch (Error | RuntimeException ex) {
           throw ex;
        } catch (Throwable ex$) {
           throw new AssertionError("should not reach here", ex$);
        }
    }

    private static class nvmlDeviceGetMaxPcieLinkGeneration {
        public static final FunctionDescriptor DESC = FunctionDescriptor.of(
            nvml_h.C_INT,
            nvml_h.C_POINTER,
            nvml_h.C_POINTER
        );

        public static final MemorySegment ADDR = nvml_h.findOrThrow("nvmlDeviceGetMaxPcieLinkGeneration");

        public static final MethodHandle HANDLE = Linker.nativeLinker().downcallHandle(ADDR, DESC);
    }

    /**
     * Function descriptor for:
     * {@snippet lang=c :
     * nvmlReturn_t nvmlDeviceGetMaxPcieLinkGeneration(nvmlDevice_t device, unsigned int *maxLinkGen)
     * }
     */
    public static FunctionDescriptor nvmlDeviceGetMaxPcieLinkGeneration$descriptor() {
        return nvmlDeviceGetMaxPcieLinkGeneration.DESC;
    }

    /**
     * Downcall method handle for:
     * {@snippet lang=c :
     * nvmlReturn_t nvmlDeviceGetMaxPcieLinkGeneration(nvmlDevice_t device, unsigned int *maxLinkGen)
     * }
     */
    public static MethodHandle nvmlDeviceGetMaxPcieLinkGeneration$handle() {
        return nvmlDeviceGetMaxPcieLinkGeneration.HANDLE;
    }

    /**
     * Address for:
     * {@snippet lang=c :
     * nvmlReturn_t nvmlDeviceGetMaxPcieLinkGeneration(nvmlDevice_t device, unsigned int *maxLinkGen)
     * }
     */
    public static MemorySegment nvmlDeviceGetMaxPcieLinkGeneration$address() {
        return nvmlDeviceGetMaxPcieLinkGeneration.ADDR;
    }

    /**
     * {@snippet lang=c :
     * nvmlReturn_t nvmlDeviceGetMaxPcieLinkGeneration(nvmlDevice_t device, unsigned int *maxLinkGen)
     * }
     */
    public static int nvmlDeviceGetMaxPcieLinkGeneration(MemorySegment device, MemorySegment maxLinkGen) {
        var mh$ = nvmlDeviceGetMaxPcieLinkGeneration.HANDLE;
        try {
            if (TRACE_DOWNCALLS) {
                traceDowncall("nvmlDeviceGetMaxPcieLinkGeneration", device, maxLinkGen);
            }
            return (int)mh$.invokeExact(device, maxLinkGen);
        } catch (Error | RuntimeException ex) {
           throw ex;
        } catch (Throwable ex$) {
           throw new AssertionError("should not reach here", ex$);
        }
    }

    private static class nvmlDeviceGetMaxPcieLinkWidth {
        public static final FunctionDescriptor DESC = FunctionDescriptor.of(
            nvml_h.C_INT,
            nvml_h.C_POINTER,
            nvml_h.C_POINTER
        );

        public static final MemorySegment ADDR = nvml_h.findOrThrow("nvmlDeviceGetMaxPcieLinkWidth");

        public static final MethodHandle HANDLE = Linker.nativeLinker().downcallHandle(ADDR, DESC);
    }

    /**
     * Function descriptor for:
     * {@snippet lang=c :
     * nvmlReturn_t nvmlDeviceGetMaxPcieLinkWidth(nvmlDevice_t device, unsigned int *maxLinkWidth)
     * }
     */
    public static FunctionDescriptor nvmlDeviceGetMaxPcieLinkWidth$descriptor() {
        return nvmlDeviceGetMaxPcieLinkWidth.DESC;
    }

    /**
     * Downcall method handle for:
     * {@snippet lang=c :
     * nvmlReturn_t nvmlDeviceGetMaxPcieLinkWidth(nvmlDevice_t device, unsigned int *maxLinkWidth)
     * }
     */
    public static MethodHandle nvmlDeviceGetMaxPcieLinkWidth$handle() {
        return nvmlDeviceGetMaxPcieLinkWidth.HANDLE;
    }

    /**
     * Address for:
     * {@snippet lang=c :
     * nvmlReturn_t nvmlDeviceGetMaxPcieLinkWidth(nvmlDevice_t device, unsigned int *maxLinkWidth)
     * }
     */
    public static MemorySegment nvmlDeviceGetMaxPcieLinkWidth$address() {
        return nvmlDeviceGetMaxPcieLinkWidth.ADDR;
    }

    /**
     * {@snippet lang=c :
     * nvmlReturn_t nvmlDeviceGetMaxPcieLinkWidth(nvmlDevice_t device, unsigned int *maxLinkWidth)
     * }
     */
    public static int nvmlDeviceGetMaxPcieLinkWidth(MemorySegment device, MemorySegment maxLinkWidth) {
        var mh$ = nvmlDeviceGetMaxPcieLinkWidth.HANDLE;
        try {
            if (TRACE_DOWNCALLS) {
                traceDowncall("nvmlDeviceGetMaxPcieLinkWidth", device, maxLinkWidth);
            }
            return (int)mh$.invokeExact(device, maxLinkWidth);
        } catch (Error | RuntimeException ex) {
           throw ex;
        } catch (Throwable ex$) {
           throw new AssertionError("should not reach here", ex$);
        }
    }

    private static class nvmlDeviceGetMemoryInfo {
        public static final FunctionDescriptor DESC = FunctionDescriptor.of(
            nvml_h.C_INT,
            nvml_h.C_POINTER,
            nvml_h.C_POINTER
        );

        public static final MemorySegment ADDR = nvml_h.findOrThrow("nvmlDeviceGetMemoryInfo");

        public static final MethodHandle HANDLE = Linker.nativeLinker().downcallHandle(ADDR, DESC);
    }

    /**
     * Function descriptor for:
     * {@snippet lang=c :
     * nvmlReturn_t nvmlDeviceGetMemoryInfo(nvmlDevice_t device, nvmlMemory_t *memory)
     * }
     */
    public static FunctionDescriptor nvmlDeviceGetMemoryInfo$descriptor() {
        return nvmlDeviceGetMemoryInfo.DESC;
    }

    /**
     * Downcall method handle for:
     * {@snippet lang=c :
     * nvmlReturn_t nvmlDeviceGetMemoryInfo(nvmlDevice_t device, nvmlMemory_t *memory)
     * }
     */
    public static MethodHandle nvmlDeviceGetMemoryInfo$handle() {
        return nvmlDeviceGetMemoryInfo.HANDLE;
    }

    /**
     * Address for:
     * {@snippet lang=c :
     * nvmlReturn_t nvmlDeviceGetMemoryInfo(nvmlDevice_t device, nvmlMemory_t *memory)
     * }
     */
    public static MemorySegment nvmlDeviceGetMemoryInfo$address() {
        return nvmlDeviceGetMemoryInfo.ADDR;
    }

    /**
     * {@snippet lang=c :
     * nvmlReturn_t nvmlDeviceGetMemoryInfo(nvmlDevice_t device, nvmlMemory_t *memory)
     * }
     */
    public static int nvmlDeviceGetMemoryInfo(MemorySegment device, MemorySegment memory) {
        var mh$ = nvmlDeviceGetMemoryInfo.HANDLE;
        try {
            if (TRACE_DOWNCALLS) {
                traceDowncall("nvmlDeviceGetMemoryInfo", device, memory);
            }
            return (int)mh$.invokeExact(device, memory);
        } catch (Error | RuntimeException ex) {
           throw ex;
        } catch (Throwable ex$) {
           throw new AssertionError("should not reach here", ex$);
        }
    }

    private static class nvmlDeviceGetMemoryInfo_v2 {
        public static final FunctionDescriptor DESC = FunctionDescriptor.of(
            nvml_h.C_INT,
            nvml_h.C_POINTER,
            nvml_h.C_POINTER
        );

        public static final MemorySegment ADDR = nvml_h.findOrThrow("nvmlDeviceGetMemoryInfo_v2");

        public static final MethodHandle HANDLE = Linker.nativeLinker().downcallHandle(ADDR, DESC);
    }

    /**
     * Function descriptor for:
     * {@snippet lang=c :
     * nvmlReturn_t nvmlDeviceGetMemoryInfo_v2(nvmlDevice_t device, nvmlMemory_v2_t *memory)
     * }
     */
    public static FunctionDescriptor nvmlDeviceGetMemoryInfo_v2$descriptor() {
        return nvmlDeviceGetMemoryInfo_v2.DESC;
    }

    /**
     * Downcall method handle for:
     * {@snippet lang=c :
     * nvmlReturn_t nvmlDeviceGetMemoryInfo_v2(nvmlDevice_t device, nvmlMemory_v2_t *memory)
     * }
     */
    public static MethodHandle nvmlDeviceGetMemoryInfo_v2$handle() {
        return nvmlDeviceGetMemoryInfo_v2.HANDLE;
    }

    /**
     * Address for:
     * {@snippet lang=c :
     * nvmlReturn_t nvmlDeviceGetMemoryInfo_v2(nvmlDevice_t device, nvmlMemory_v2_t *memory)
     * }
     */
    public static MemorySegment nvmlDeviceGetMemoryInfo_v2$address() {
        return nvmlDeviceGetMemoryInfo_v2.ADDR;
    }

    /**
     * {@snippet lang=c :
     * nvmlReturn_t nvmlDeviceGetMemoryInfo_v2(nvmlDevice_t device, nvmlMemory_v2_t *memory)
     * }
     */
    public static int nvmlDeviceGetMemoryInfo_v2(MemorySegment device, MemorySegment memory) {
        var mh$ = nvmlDeviceGetMemoryInfo_v2.HANDLE;
        try {
            if (TRACE_DOWNCALLS) {
                traceDowncall("nvmlDeviceGetMemoryInfo_v2", device, memory);
            }
            return (int)mh$.invokeExact(device, memory);
        } catch (Error | RuntimeException ex) {
           throw ex;
        } catch (Throwable ex$) {
           throw new AssertionError("should not reach here", ex$);
        }
    }

    private static class nvmlDeviceGetCudaComputeCapability {
        public static final FunctionDescriptor DESC = FunctionDescriptor.of(
            nvml_h.C_INT,
            nvml_h.C_POINTER,
            nvml_h.C_POINTER,
            nvml_h.C_POINTER
        );

        public static final MemorySegment ADDR = nvml_h.findOrThrow("nvmlDeviceGetCudaComputeCapability");

        public static final MethodHandle HANDLE = Linker.nativeLinker().downcallHandle(ADDR, DESC);
    }

    /**
     * Function descriptor for:
     * {@snippet lang=c :
     * nvmlReturn_t nvmlDeviceGetCudaComputeCapability(nvmlDevice_t device, int *major, int *minor)
     * }
     */
    public static FunctionDescriptor nvmlDeviceGetCudaComputeCapability$descriptor() {
        return nvmlDeviceGetCudaComputeCapability.DESC;
    }

    /**
     * Downcall method handle for:
     * {@snippet lang=c :
     * nvmlReturn_t nvmlDeviceGetCudaComputeCapability(nvmlDevice_t device, int *major, int *minor)
     * }
     */
    public static MethodHandle nvmlDeviceGetCudaComputeCapability$handle() {
        return nvmlDeviceGetCudaComputeCapability.HANDLE;
    }

    /**
     * Address for:
     * {@snippet lang=c :
     * nvmlReturn_t nvmlDeviceGetCudaComputeCapability(nvmlDevice_t device, int *major, int *minor)
     * }
     */
    public static MemorySegment nvmlDeviceGetCudaComputeCapability$address() {
        return nvmlDeviceGetCudaComputeCapability.ADDR;
    }

    /**
     * {@snippet lang=c :
     * nvmlReturn_t nvmlDeviceGetCudaComputeCapability(nvmlDevice_t device, int *major, int *minor)
     * }
     */
    public static int nvmlDeviceGetCudaComputeCapability(MemorySegment device, MemorySegment major, MemorySegment minor) {
        var mh$ = nvmlDeviceGetCudaComputeCapability.HANDLE;
        try {
            if (TRACE_DOWNCALLS) {
                traceDowncall("nvmlDeviceGetCudaComputeCapability", device, major, minor);
            }
            return (int)mh$.invokeExact(device, major, minor);
        } catch (Error | RuntimeException ex) {
           throw ex;
        } catch (Throwable ex$) {
           throw new AssertionError("should not reach here", ex$);
        }
    }

    private static class nvmlDeviceGetComputeRunningProcesses_v3 {
        public static final FunctionDescriptor DESC = FunctionDescriptor.of(
            nvml_h.C_INT,
            nvml_h.C_POINTER,
            nvml_h.C_POINTER,
            nvml_h.C_POINTER
        );

        public static final MemorySegment ADDR = nvml_h.findOrThrow("nvmlDeviceGetComputeRunningProcesses_v3");

        public static final MethodHandle HANDLE = Linker.nativeLinker().downcallHandle(ADDR, DESC);
    }

    /**
     * Function descriptor for:
     * {@snippet lang=c :
     * nvmlReturn_t nvmlDeviceGetComputeRunningProcesses_v3(nvmlDevice_t device, unsigned int *infoCount, nvmlProcessInfo_t *infos)
     * }
     */
    public static FunctionDescriptor nvmlDeviceGetComputeRunningProcesses_v3$descriptor() {
        return nvmlDeviceGetComputeRunningProcesses_v3.DESC;
    }

    /**
     * Downcall method handle for:
     * {@snippet lang=c :
     * nvmlReturn_t nvmlDeviceGetComputeRunningProcesses_v3(nvmlDevice_t device, unsigned int *infoCount, nvmlProcessInfo_t *infos)
     * }
     */
    public static MethodHandle nvmlDeviceGetComputeRunningProcesses_v3$handle() {
        return nvmlDeviceGetComputeRunningProcesses_v3.HANDLE;
    }

    /**
     * Address for:
     * {@snippet lang=c :
     * nvmlReturn_t nvmlDeviceGetComputeRunningProcesses_v3(nvmlDevice_t device, unsigned int *infoCount, nvmlProcessInfo_t *infos)
     * }
     */
    public static MemorySegment nvmlDeviceGetComputeRunningProcesses_v3$address() {
        return nvmlDeviceGetComputeRunningProcesses_v3.ADDR;
    }

    /**
     * {@snippet lang=c :
     * nvmlReturn_t nvmlDeviceGetComputeRunningProcesses_v3(nvmlDevice_t device, unsigned int *infoCount, nvmlProcessInfo_t *infos)
     * }
     */
    public static int nvmlDeviceGetComputeRunningProcesses_v3(MemorySegment device, MemorySegment infoCount, MemorySegment infos) {
        var mh$ = nvmlDeviceGetComputeRunningProcesses_v3.HANDLE;
        try {
            if (TRACE_DOWNCALLS) {
                traceDowncall("nvmlDeviceGetComputeRunningProcesses_v3", device, infoCount, infos);
            }
            return (int)mh$.invokeExact(device, infoCount, infos);
        } catch (Error | RuntimeException ex) {
           throw ex;
        } catch (Throwable ex$) {
           throw new AssertionError("should not reach here", ex$);
        }
    }

    private static class nvmlDeviceGetNvLinkState {
        public static final FunctionDescriptor DESC = FunctionDescriptor.of(
            nvml_h.C_INT,
            nvml_h.C_POINTER,
            nvml_h.C_INT,
            nvml_h.C_POINTER
        );

        public static final MemorySegment ADDR = nvml_h.findOrThrow("nvmlDeviceGetNvLinkState");

        public static final MethodHandle HANDLE = Linker.nativeLinker().downcallHandle(ADDR, DESC);
    }

    /**
     * Function descriptor for:
     * {@snippet lang=c :
     * nvmlReturn_t nvmlDeviceGetNvLinkState(nvmlDevice_t device, unsigned int link, nvmlEnableState_t *isActive)
     * }
     */
    public static FunctionDescriptor nvmlDeviceGetNvLinkState$descriptor() {
        return nvmlDeviceGetNvLinkState.DESC;
    }

    /**
     * Downcall method handle for:
     * {@snippet lang=c :
     * nvmlReturn_t nvmlDeviceGetNvLinkState(nvmlDevice_t device, unsigned int link, nvmlEnableState_t *isActive)
     * }
     */
    public static MethodHandle nvmlDeviceGetNvLinkState$handle() {
        return nvmlDeviceGetNvLinkState.HANDLE;
    }

    /**
     * Address for:
     * {@snippet lang=c :
     * nvmlReturn_t nvmlDeviceGetNvLinkState(nvmlDevice_t device, unsigned int link, nvmlEnableState_t *isActive)
     * }
     */
    public static MemorySegment nvmlDeviceGetNvLinkState$address() {
        return nvmlDeviceGetNvLinkState.ADDR;
    }

    /**
     * {@snippet lang=c :
     * nvmlReturn_t nvmlDeviceGetNvLinkState(nvmlDevice_t device, unsigned int link, nvmlEnableState_t *isActive)
     * }
     */
    public static int nvmlDeviceGetNvLinkState(MemorySegment device, int link, MemorySegment isActive) {
        var mh$ = nvmlDeviceGetNvLinkState.HANDLE;
        try {
            if (TRACE_DOWNCALLS) {
                traceDowncall("nvmlDeviceGetNvLinkState", device, link, isActive);
            }
            return (int)mh$.invokeExact(device, link, isActive);
        } catch (Error | RuntimeException ex) {
           throw ex;
        } catch (Throwable ex$) {
           throw new AssertionError("should not reach here", ex$);
        }
    }
    private static final int NVML_DEVICE_MIG_DISABLE = (int)0L;
    /**
     * {@snippet lang=c :
     * #define NVML_DEVICE_MIG_DISABLE 0
     * }
     */
    public static int NVML_DEVICE_MIG_DISABLE() {
        return NVML_DEVICE_MIG_DISABLE;
    }
    private static final int NVML_DEVICE_MIG_ENABLE = (int)1L;
    /**
     * {@snippet lang=c :
     * #define NVML_DEVICE_MIG_ENABLE 1
     * }
     */
    public static int NVML_DEVICE_MIG_ENABLE() {
        return NVML_DEVICE_MIG_ENABLE;
    }

    private static class nvmlDeviceGetMigMode {
        public static final FunctionDescriptor DESC = FunctionDescriptor.of(
            nvml_h.C_INT,
            nvml_h.C_POINTER,
            nvml_h.C_POINTER,
            nvml_h.C_POINTER
        );

        public static final MemorySegment ADDR = nvml_h.findOrThrow("nvmlDeviceGetMigMode");

        public static final MethodHandle HANDLE = Linker.nativeLinker().downcallHandle(ADDR, DESC);
    }

    /**
     * Function descriptor for:
     * {@snippet lang=c :
     * nvmlReturn_t nvmlDeviceGetMigMode(nvmlDevice_t device, unsigned int *currentMode, unsigned int *pendingMode)
     * }
     */
    public static FunctionDescriptor nvmlDeviceGetMigMode$descriptor() {
        return nvmlDeviceGetMigMode.DESC;
    }

    /**
     * Downcall method handle for:
     * {@snippet lang=c :
     * nvmlReturn_t nvmlDeviceGetMigMode(nvmlDevice_t device, unsigned int *currentMode, unsigned int *pendingMode)
     * }
     */
    public static MethodHandle nvmlDeviceGetMigMode$handle() {
        return nvmlDeviceGetMigMode.HANDLE;
    }

    /**
     * Address for:
     * {@snippet lang=c :
     * nvmlReturn_t nvmlDeviceGetMigMode(nvmlDevice_t device, unsigned int *currentMode, unsigned int *pendingMode)
     * }
     */
    public static MemorySegment nvmlDeviceGetMigMode$address() {
        return nvmlDeviceGetMigMode.ADDR;
    }

    /**
     * {@snippet lang=c :
     * nvmlReturn_t nvmlDeviceGetMigMode(nvmlDevice_t device, unsigned int *currentMode, unsigned int *pendingMode)
     * }
     */
    public static int nvmlDeviceGetMigMode(MemorySegment device, MemorySegment currentMode, MemorySegment pendingMode) {
        var mh$ = nvmlDeviceGetMigMode.HANDLE;
        try {
            if (TRACE_DOWNCALLS) {
                traceDowncall("nvmlDeviceGetMigMode", device, currentMode, pendingMode);
            }
            return (int)mh$.invokeExact(device, currentMode, pendingMode);
        } catch (Error | RuntimeException ex) {
           throw ex;
        } catch (Throwable ex$) {
           throw new AssertionError("should not reach here", ex$);
        }
    }

    private static class nvmlDeviceGetMaxMigDeviceCount {
        public static final FunctionDescriptor DESC = FunctionDescriptor.of(
            nvml_h.C_INT,
            nvml_h.C_POINTER,
            nvml_h.C_POINTER
        );

        public static final MemorySegment ADDR = nvml_h.findOrThrow("nvmlDeviceGetMaxMigDeviceCount");

        public static final MethodHandle HANDLE = Linker.nativeLinker().downcallHandle(ADDR, DESC);
    }

    /**
     * Function descriptor for:
     * {@snippet lang=c :
     * nvmlReturn_t nvmlDeviceGetMaxMigDeviceCount(nvmlDevice_t device, unsigned int *count)
     * }
     */
    public static FunctionDescriptor nvmlDeviceGetMaxMigDeviceCount$descriptor() {
        return nvmlDeviceGetMaxMigDeviceCount.DESC;
    }

    /**
     * Downcall method handle for:
     * {@snippet lang=c :
     * nvmlReturn_t nvmlDeviceGetMaxMigDeviceCount(nvmlDevice_t device, unsigned int *count)
     * }
     */
    public static MethodHandle nvmlDeviceGetMaxMigDeviceCount$handle() {
        return nvmlDeviceGetMaxMigDeviceCount.HANDLE;
    }

    /**
     * Address for:
     * {@snippet lang=c :
     * nvmlReturn_t nvmlDeviceGetMaxMigDeviceCount(nvmlDevice_t device, unsigned int *count)
     * }
     */
    public static MemorySegment nvmlDeviceGetMaxMigDeviceCount$address() {
        return nvmlDeviceGetMaxMigDeviceCount.ADDR;
    }

    /**
     * {@snippet lang=c :
     * nvmlReturn_t nvmlDeviceGetMaxMigDeviceCount(nvmlDevice_t device, unsigned int *count)
     * }
     */
    public static int nvmlDeviceGetMaxMigDeviceCount(MemorySegment device, MemorySegment count) {
        var mh$ = nvmlDeviceGetMaxMigDeviceCount.HANDLE;
        try {
            if (TRACE_DOWNCALLS) {
                traceDowncall("nvmlDeviceGetMaxMigDeviceCount", device, count);
            }
            return (int)mh$.invokeExact(device, count);
        } catch (Error | RuntimeException ex) {
           throw ex;
        } catch (Throwable ex$) {
           throw new AssertionError("should not reach here", ex$);
        }
    }

    private static class nvmlDeviceGetMigDeviceHandleByIndex {
        public static final FunctionDescriptor DESC = FunctionDescriptor.of(
            nvml_h.C_INT,
            nvml_h.C_POINTER,
            nvml_h.C_INT,
            nvml_h.C_POINTER
        );

        public static final MemorySegment ADDR = nvml_h.findOrThrow("nvmlDeviceGetMigDeviceHandleByIndex");

        public static final MethodHandle HANDLE = Linker.nativeLinker().downcallHandle(ADDR, DESC);
    }

    /**
     * Function descriptor for:
     * {@snippet lang=c :
     * nvmlReturn_t nvmlDeviceGetMigDeviceHandleByIndex(nvmlDevice_t device, unsigned int index, nvmlDevice_t *migDevice)
     * }
     */
    public static FunctionDescriptor nvmlDeviceGetMigDeviceHandleByIndex$descriptor() {
        return nvmlDeviceGetMigDeviceHandleByIndex.DESC;
    }

    /**
     * Downcall method handle for:
     * {@snippet lang=c :
     * nvmlReturn_t nvmlDeviceGetMigDeviceHandleByIndex(nvmlDevice_t device, unsigned int index, nvmlDevice_t *migDevice)
     * }
     */
    public static MethodHandle nvmlDeviceGetMigDeviceHandleByIndex$handle() {
        return nvmlDeviceGetMigDeviceHandleByIndex.HANDLE;
    }

    /**
     * Address for:
     * {@snippet lang=c :
     * nvmlReturn_t nvmlDeviceGetMigDeviceHandleByIndex(nvmlDevice_t device, unsigned int index, nvmlDevice_t *migDevice)
     * }
     */
    public static MemorySegment nvmlDeviceGetMigDeviceHandleByIndex$address() {
        return nvmlDeviceGetMigDeviceHandleByIndex.ADDR;
    }

    /**
     * {@snippet lang=c :
     * nvmlReturn_t nvmlDeviceGetMigDeviceHandleByIndex(nvmlDevice_t device, unsigned int index, nvmlDevice_t *migDevice)
     * }
     */
    public static int nvmlDeviceGetMigDeviceHandleByIndex(MemorySegment device, int index, MemorySegment migDevice) {
        var mh$ = nvmlDeviceGetMigDeviceHandleByIndex.HANDLE;
        try {
            if (TRACE_DOWNCALLS) {
                traceDowncall("nvmlDeviceGetMigDeviceHandleByIndex", device, index, migDevice);
            }
            return (int)mh$.invokeExact(device, index, migDevice);
        } catch (Error | RuntimeException ex) {
           throw ex;
        } catch (Throwable ex$) {
           throw new AssertionError("should not reach here", ex$);
        }
    }

    private static class nvmlDeviceGetComputeRunningProcesses {
        public static final FunctionDescriptor DESC = FunctionDescriptor.of(
            nvml_h.C_INT,
            nvml_h.C_POINTER,
            nvml_h.C_POINTER,
            nvml_h.C_POINTER
        );

        public static final MemorySegment ADDR = nvml_h.findOrThrow("nvmlDeviceGetComputeRunningProcesses");

        public static final MethodHandle HANDLE = Linker.nativeLinker().downcallHandle(ADDR, DESC);
    }

    /**
     * Function descriptor for:
     * {@snippet lang=c :
     * nvmlReturn_t nvmlDeviceGetComputeRunningProcesses(nvmlDevice_t device, unsigned int *infoCount, nvmlProcessInfo_v1_t *infos)
     * }
     */
    public static FunctionDescriptor nvmlDeviceGetComputeRunningProcesses$descriptor() {
        return nvmlDeviceGetComputeRunningProcesses.DESC;
    }

    /**
     * Downcall method handle for:
     * {@snippet lang=c :
     * nvmlReturn_t nvmlDeviceGetComputeRunningProcesses(nvmlDevice_t device, unsigned int *infoCount, nvmlProcessInfo_v1_t *infos)
     * }
     */
    public static MethodHandle nvmlDeviceGetComputeRunningProcesses$handle() {
        return nvmlDeviceGetComputeRunningProcesses.HANDLE;
    }

    /**
     * Address for:
     * {@snippet lang=c :
     * nvmlReturn_t nvmlDeviceGetComputeRunningProcesses(nvmlDevice_t device, unsigned int *infoCount, nvmlProcessInfo_v1_t *infos)
     * }
     */
    public static MemorySegment nvmlDeviceGetComputeRunningProcesses$address() {
        return nvmlDeviceGetComputeRunningProcesses.ADDR;
    }

    /**
     * {@snippet lang=c :
     * nvmlReturn_t nvmlDeviceGetComputeRunningProcesses(nvmlDevice_t device, unsigned int *infoCount, nvmlProcessInfo_v1_t *infos)
     * }
     */
    public static int nvmlDeviceGetComputeRunningProcesses(MemorySegment device, MemorySegment infoCount, MemorySegment infos) {
        var mh$ = nvmlDeviceGetComputeRunningProcesses.HANDLE;
        try {
            if (TRACE_DOWNCALLS) {
                traceDowncall("nvmlDeviceGetComputeRunningProcesses", device, infoCount, infos);
            }
            return (int)mh$.invokeExact(device, infoCount, infos);
        } catch (Error | RuntimeException ex) {
           throw ex;
        } catch (Throwable ex$) {
           throw new AssertionError("should not reach here", ex$);
        }
    }

    private static class nvmlDeviceGetComputeRunningProcesses_v2 {
        public static final FunctionDescriptor DESC = FunctionDescriptor.of(
            nvml_h.C_INT,
            nvml_h.C_POINTER,
            nvml_h.C_POINTER,
            nvml_h.C_POINTER
        );

        public static final MemorySegment ADDR = nvml_h.findOrThrow("nvmlDeviceGetComputeRunningProcesses_v2");

        public static final MethodHandle HANDLE = Linker.nativeLinker().downcallHandle(ADDR, DESC);
    }

    /**
     * Function descriptor for:
     * {@snippet lang=c :
     * nvmlReturn_t nvmlDeviceGetComputeRunningProcesses_v2(nvmlDevice_t device, unsigned int *infoCount, nvmlProcessInfo_v2_t *infos)
     * }
     */
    public static FunctionDescriptor nvmlDeviceGetComputeRunningProcesses_v2$descriptor() {
        return nvmlDeviceGetComputeRunningProcesses_v2.DESC;
    }

    /**
     * Downcall method handle for:
     * {@snippet lang=c :
     * nvmlReturn_t nvmlDeviceGetComputeRunningProcesses_v2(nvmlDevice_t device, unsigned int *infoCount, nvmlProcessInfo_v2_t *infos)
     * }
     */
    public static MethodHandle nvmlDeviceGetComputeRunningProcesses_v2$handle() {
        return nvmlDeviceGetComputeRunningProcesses_v2.HANDLE;
    }

    /**
     * Address for:
     * {@snippet lang=c :
     * nvmlReturn_t nvmlDeviceGetComputeRunningProcesses_v2(nvmlDevice_t device, unsigned int *infoCount, nvmlProcessInfo_v2_t *infos)
     * }
     */
    public static MemorySegment nvmlDeviceGetComputeRunningProcesses_v2$address() {
        return nvmlDeviceGetComputeRunningProcesses_v2.ADDR;
    }

    /**
     * {@snippet lang=c :
     * nvmlReturn_t nvmlDeviceGetComputeRunningProcesses_v2(nvmlDevice_t device, unsigned int *infoCount, nvmlProcessInfo_v2_t *infos)
     * }
     */
    public static int nvmlDeviceGetComputeRunningProcesses_v2(MemorySegment device, MemorySegment infoCount, MemorySegment infos) {
        var mh$ = nvmlDeviceGetComputeRunningProcesses_v2.HANDLE;
        try {
            if (TRACE_DOWNCALLS) {
                traceDowncall("nvmlDeviceGetComputeRunningProcesses_v2", device, infoCount, infos);
            }
            return (int)mh$.invokeExact(device, infoCount, infos);
        } catch (Error | RuntimeException ex) {
           throw ex;
        } catch (Throwable ex$) {
           throw new AssertionError("should not reach here", ex$);
        }
    }
}
