package io.github.sglangpreflight.model.source;

import com.fasterxml.jackson.jr.ob.JSON;
import io.github.sglangpreflight.fuzz.Fuzz;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.Tag;
import net.jqwik.api.constraints.Size;

/**
 * The safetensors header reader on headers shaped like real ones (dtype, shape, data_offsets) with
 * wrong sizes, offsets, shapes and types, and on raw bytes: tensors, or a refusal naming the file.
 */
@Tag("fuzz")
class SafetensorsHeaderFuzzTest {
  private static final String WHAT = "safetensors file /fuzz/model.safetensors";

  @Provide
  Arbitrary<Map<String, Object>> headers() {
    Arbitrary<Long> dim =
        Arbitraries.oneOf(
            Arbitraries.longs().between(0, 70_000),
            Arbitraries.longs(),
            Arbitraries.of(0L, 1L, -1L, Long.MAX_VALUE, 1L << 32));
    Arbitrary<Object> tensor =
        Combinators.combine(
                Arbitraries.of(
                    "BF16", "F16", "F32", "F8_E4M3", "I8", "U8", "BOOL", "F64", "Q4", ""),
                dim.list().ofMaxSize(20),
                dim.list().ofMaxSize(3))
            .as(
                (dtype, shape, offsets) -> {
                  Map<String, Object> t = new LinkedHashMap<>();
                  t.put("dtype", dtype);
                  t.put("shape", shape);
                  t.put("data_offsets", offsets);
                  return (Object) t;
                });
    return Arbitraries.maps(Arbitraries.strings().alpha().ofMinLength(1).ofMaxLength(12), tensor)
        .ofMaxSize(6)
        .map(m -> new LinkedHashMap<String, Object>(m));
  }

  @Property
  @SuppressWarnings("unchecked")
  void parse_structuredHeaders_returnOrRefuseNamingTheFile(
      @ForAll("headers") Map<String, Object> header,
      @ForAll("mutation") List<Fuzz.Mutation> mutations,
      @ForAll("fileSizes") long fileSize)
      throws Exception {
    Object mutated = Fuzz.mutate(header, mutations);
    byte[] bytes = JSON.std.asString(mutated).getBytes(StandardCharsets.UTF_8);
    Fuzz.onlyInvalidInput(() -> SafetensorsHeader.parse(bytes, fileSize, WHAT));
  }

  @Property
  void parse_rawBytes_returnOrRefuseNamingTheFile(
      @ForAll @Size(max = 200) byte[] bytes, @ForAll("fileSizes") long fileSize) {
    Fuzz.onlyInvalidInput(() -> SafetensorsHeader.parse(bytes, fileSize, WHAT));
  }

  @Provide
  Arbitrary<Long> fileSizes() {
    return Arbitraries.oneOf(
        Arbitraries.longs().between(0, 1L << 40), Arbitraries.of(0L, 8L, Long.MAX_VALUE));
  }

  @Provide
  Arbitrary<List<Fuzz.Mutation>> mutation() {
    return Fuzz.mutations().list().ofMaxSize(6);
  }
}
