package io.github.sglangpreflight.gpu.nvml;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.github.sglangpreflight.nvml.bindings.nvmlMemory_t;
import io.github.sglangpreflight.nvml.bindings.nvmlMemory_v2_t;
import io.github.sglangpreflight.nvml.bindings.nvmlPciInfo_t;
import io.github.sglangpreflight.nvml.bindings.nvmlProcessInfo_t;
import io.github.sglangpreflight.nvml.bindings.nvmlProcessInfo_v1_t;
import io.github.sglangpreflight.nvml.bindings.nvmlProcessInfo_v2_t;
import io.github.sglangpreflight.nvml.bindings.nvml_h;
import java.lang.foreign.MemoryLayout;
import java.lang.reflect.Method;
import java.lang.reflect.Modifier;
import java.util.LinkedHashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * Pins the bindings to NVML's ABI: every struct size and field offset as gcc 12.2 reported them for
 * nvml.h of CUDA 13.0 on x86_64 (docs/nvml-ffm.md section 1.2), the constants, and the memory
 * version word. None of this needs the library.
 */
class NvmlLayoutTest {

  @Test
  void nvmlMemory_is24BytesTotalFreeUsed() {
    assertEquals(24, nvmlMemory_t.sizeof());
    assertEquals(8, nvmlMemory_t.layout().byteAlignment());
    assertEquals(0, nvmlMemory_t.total$offset());
    assertEquals(8, nvmlMemory_t.free$offset());
    assertEquals(16, nvmlMemory_t.used$offset());
  }

  @Test
  void nvmlMemoryV2_is40BytesWithPaddingAfterTheVersion() {
    assertEquals(40, nvmlMemory_v2_t.sizeof());
    assertEquals(8, nvmlMemory_v2_t.layout().byteAlignment());
    assertEquals(0, nvmlMemory_v2_t.version$offset());
    assertEquals(8, nvmlMemory_v2_t.total$offset());
    assertEquals(16, nvmlMemory_v2_t.reserved$offset());
    assertEquals(24, nvmlMemory_v2_t.free$offset());
    assertEquals(32, nvmlMemory_v2_t.used$offset());
    assertEquals(
        16, nvmlMemory_v2_t.layout().byteOffset(MemoryLayout.PathElement.groupElement("reserved")));
  }

  @Test
  void memoryV2VersionWord_isSizeofOrTwoShifted24() {
    assertEquals(0x02000028, BoundNvmlApi.memoryV2Version());
    assertEquals(33_554_472, BoundNvmlApi.memoryV2Version());
  }

  @Test
  void nvmlProcessInfoV1_is16Bytes() {
    assertEquals(16, nvmlProcessInfo_v1_t.sizeof());
    assertEquals(0, nvmlProcessInfo_v1_t.pid$offset());
    assertEquals(8, nvmlProcessInfo_v1_t.usedGpuMemory$offset());
  }

  @Test
  void nvmlProcessInfo_isTheV2Struct24Bytes() {
    assertEquals(24, nvmlProcessInfo_t.sizeof());
    assertEquals(24, nvmlProcessInfo_v2_t.sizeof());
    assertEquals(nvmlProcessInfo_v2_t.layout(), nvmlProcessInfo_t.layout());
    assertEquals(0, nvmlProcessInfo_t.pid$offset());
    assertEquals(8, nvmlProcessInfo_t.usedGpuMemory$offset());
    assertEquals(16, nvmlProcessInfo_t.gpuInstanceId$offset());
    assertEquals(20, nvmlProcessInfo_t.computeInstanceId$offset());
  }

  @Test
  void nvmlPciInfo_is68BytesAlign4WithBusIdAt36() {
    assertEquals(68, nvmlPciInfo_t.sizeof());
    assertEquals(4, nvmlPciInfo_t.layout().byteAlignment());
    assertEquals(0, nvmlPciInfo_t.busIdLegacy$offset());
    assertEquals(16, nvmlPciInfo_t.busIdLegacy$layout().byteSize());
    assertEquals(16, nvmlPciInfo_t.domain$offset());
    assertEquals(20, nvmlPciInfo_t.bus$offset());
    assertEquals(24, nvmlPciInfo_t.device$offset());
    assertEquals(28, nvmlPciInfo_t.pciDeviceId$offset());
    assertEquals(32, nvmlPciInfo_t.pciSubSystemId$offset());
    assertEquals(36, nvmlPciInfo_t.busId$offset());
    assertEquals(32, nvmlPciInfo_t.busId$layout().byteSize());
  }

  @Test
  void typedefLayouts_matchTheCTypes() {
    assertEquals(4, nvml_h.nvmlReturn_t.byteSize());
    assertEquals(8, nvml_h.nvmlDevice_t.byteSize());
    assertEquals(4, nvml_h.nvmlEnableState_t.byteSize());
    assertEquals(4, nvml_h.nvmlGpuP2PStatus_t.byteSize());
    assertEquals(4, nvml_h.nvmlGpuP2PCapsIndex_t.byteSize());
  }

  @Test
  void constants_matchTheHeader() {
    Map<String, Integer> expected = new LinkedHashMap<>();
    expected.put("NVML_DEVICE_NAME_V2_BUFFER_SIZE", 96);
    expected.put("NVML_DEVICE_UUID_V2_BUFFER_SIZE", 96);
    expected.put("NVML_SYSTEM_DRIVER_VERSION_BUFFER_SIZE", 80);
    expected.put("NVML_SYSTEM_NVML_VERSION_BUFFER_SIZE", 80);
    expected.put("NVML_DEVICE_PCI_BUS_ID_BUFFER_SIZE", 32);
    expected.put("NVML_DEVICE_PCI_BUS_ID_BUFFER_V2_SIZE", 16);
    expected.put("NVML_INIT_FLAG_NO_GPUS", 1);
    expected.put("NVML_INIT_FLAG_NO_ATTACH", 2);
    expected.put("NVML_DEVICE_MIG_DISABLE", 0);
    expected.put("NVML_DEVICE_MIG_ENABLE", 1);
    expected.put("NVML_VALUE_NOT_AVAILABLE", -1);
    expected.put("NVML_NVLINK_MAX_LINKS", 18);
    expected.put("NVML_FEATURE_DISABLED", 0);
    expected.put("NVML_FEATURE_ENABLED", 1);
    expected.put("NVML_P2P_CAPS_INDEX_NVLINK", 2);
    expected.put("NVML_P2P_STATUS_OK", 0);
    expected.put("NVML_P2P_STATUS_NOT_SUPPORTED", 5);
    Map<String, Integer> actual = new LinkedHashMap<>();
    for (String name : expected.keySet()) {
      actual.put(name, constant(name));
    }
    assertEquals(expected, actual);
    assertEquals(nvml_h.NVML_INIT_FLAG_NO_GPUS(), NvmlApi.INIT_FLAG_NO_GPUS);
    assertEquals(nvml_h.NVML_DEVICE_MIG_ENABLE(), NvmlApi.MIG_ENABLE);
    assertEquals(nvml_h.NVML_NVLINK_MAX_LINKS(), NvmlApi.NVLINK_MAX_LINKS);
    assertEquals(nvml_h.NVML_FEATURE_ENABLED(), NvmlApi.FEATURE_ENABLED);
    assertEquals(nvml_h.NVML_P2P_CAPS_INDEX_NVLINK(), NvmlApi.P2P_CAPS_INDEX_NVLINK);
    assertEquals(nvml_h.NVML_P2P_STATUS_OK(), NvmlApi.P2P_STATUS_OK);
  }

  @Test
  void nvmlReturn_namesEveryCodeTheBindingsDefine() throws ReflectiveOperationException {
    Map<String, Integer> bound = new LinkedHashMap<>();
    for (Method m : nvml_h.class.getMethods()) {
      if (Modifier.isStatic(m.getModifiers())
          && m.getParameterCount() == 0
          && m.getReturnType() == int.class
          && (m.getName().startsWith("NVML_ERROR_") || m.getName().equals("NVML_SUCCESS"))) {
        bound.put(m.getName(), (Integer) m.invoke(null));
      }
    }
    Map<String, Integer> named = new LinkedHashMap<>();
    for (NvmlReturn r : NvmlReturn.values()) {
      named.put(r.cName(), r.code());
    }
    assertEquals(new java.util.TreeMap<>(bound), new java.util.TreeMap<>(named));
    assertEquals(32, named.size());
  }

  @Test
  void nvmlReturn_unknownCode_getsAName() {
    assertEquals("NVML_ERROR_UNRECOGNISED_1234", NvmlReturn.cNameOf(1234));
    assertEquals("return code 1234 is not in this program's table", NvmlReturn.describe(1234));
    assertTrue(NvmlReturn.of(999).isPresent());
  }

  private static int constant(String name) {
    try {
      return (int) nvml_h.class.getMethod(name).invoke(null);
    } catch (ReflectiveOperationException e) {
      throw new AssertionError("nvml_h has no constant " + name, e);
    }
  }
}
