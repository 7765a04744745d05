package io.github.sglangpreflight.gpu.visible;

import io.github.sglangpreflight.gpu.ComputeCapability;
import io.github.sglangpreflight.gpu.Gpu;
import io.github.sglangpreflight.gpu.GpuInventory;
import io.github.sglangpreflight.gpu.MigDevice;
import io.github.sglangpreflight.gpu.UnreadableGpu;
import io.github.sglangpreflight.gpu.visible.VisibleDevices.DeviceOrder;
import io.github.sglangpreflight.gpu.visible.VisibleDevices.Kind;
import io.github.sglangpreflight.gpu.visible.VisibleDevices.Problem;
import io.github.sglangpreflight.gpu.visible.VisibleDevices.VisibleDevice;
import java.math.BigInteger;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Maps {@code CUDA_VISIBLE_DEVICES} (and {@code CUDA_DEVICE_ORDER}) onto a {@link GpuInventory} the
 * way the CUDA driver does, by UUID and PCI bus id, never by assuming NVML index == CUDA ordinal.
 * Pure: no I/O, no environment access except through {@link #fromEnvironment}'s map.
 *
 * <p>The rules, from the CUDA Programming Guide ("CUDA Environment Variables") and measured with
 * the CUDA driver API on a 2×H200 host (driver 580.159.04, CUDA 13.0); see {@code
 * docs/gpu-snapshot.md}:
 *
 * <ul>
 *   <li>Unset: every device, in CUDA order. Set but empty: no device.
 *   <li>CUDA order is {@code FASTEST_FIRST} unless {@code CUDA_DEVICE_ORDER=PCI_BUS_ID}; any other
 *       value (also an empty one or different case) makes CUDA initialisation fail. FASTEST_FIRST
 *       is modelled as compute capability descending, then PCI bus id: exact for identical GPUs,
 *       approximate for mixed ones.
 *   <li>The list is split at commas. If the first entry starts with {@code GPU-} or {@code MIG-}
 *       (case-sensitive) every entry must be a UUID, otherwise every entry is an ordinal.
 *   <li>Ordinals are read like C {@code strtoul}: leading whitespace and a sign are accepted,
 *       anything after the digits is ignored ({@code 1gpu2} is 1, {@code 0x1} is 0), and only the
 *       low 32 bits count ({@code 4294967296} is 0).
 *   <li>UUIDs match GPU or MIG UUIDs by hex digits (dashes and case ignored) as a prefix that must
 *       name exactly one device; {@code MIG-} and {@code GPU-} are interchangeable; trailing
 *       whitespace is ignored, leading whitespace is not.
 *   <li>The first entry that is invalid, out of range, unknown, ambiguous or of the other form ends
 *       the list: it and every later entry are ignored, earlier ones stay visible.
 *   <li>A device listed twice (before that point) makes CUDA initialisation fail: no device.
 * </ul>
 *
 * <p>In messages {@code GPU n} is the NVML / nvidia-smi index and {@code cuda:n} the CUDA ordinal
 * SGLang sees.
 */
public final class CudaVisibleDevices {

  /** The environment variable that selects devices. */
  public static final String CUDA_VISIBLE_DEVICES = "CUDA_VISIBLE_DEVICES";

  /** The environment variable that selects the ordering. */
  public static final String CUDA_DEVICE_ORDER = "CUDA_DEVICE_ORDER";

  private static final Pattern PCI_BUS_ID_FORMAT =
      Pattern.compile("([0-9A-Fa-f]{1,8}):([0-9A-Fa-f]{1,2}):([0-9A-Fa-f]{1,2})\\.([0-7])");
  private static final Pattern LEGACY_MIG = Pattern.compile("MIG-GPU-([^/]*)/([^/]*)/(.*)");
  private static final Pattern BARE_UUID = Pattern.compile("\\s*[0-9A-Fa-f]{8}-[0-9A-Fa-f-]+\\s*");
  private static final BigInteger ULONG_MAX = BigInteger.ONE.shiftLeft(64).subtract(BigInteger.ONE);
  private static final BigInteger TWO_64 = BigInteger.ONE.shiftLeft(64);

  private CudaVisibleDevices() {}

  /**
   * Resolves the devices of {@code inventory} a process started with this environment would see.
   *
   * @param environment the process environment, e.g. {@code System.getenv()} or the launch's
   *     environment; only {@code CUDA_VISIBLE_DEVICES} and {@code CUDA_DEVICE_ORDER} are read
   */
  public static VisibleDevices fromEnvironment(
      GpuInventory inventory, Map<String, String> environment) {
    Objects.requireNonNull(environment, "environment");
    return resolve(
        inventory,
        Optional.ofNullable(environment.get(CUDA_VISIBLE_DEVICES)),
        Optional.ofNullable(environment.get(CUDA_DEVICE_ORDER)));
  }

  /**
   * Resolves the visible devices.
   *
   * @param cudaVisibleDevices the variable's value; empty when unset
   * @param cudaDeviceOrder {@code CUDA_DEVICE_ORDER}'s value; empty when unset
   */
  public static VisibleDevices resolve(
      GpuInventory inventory,
      Optional<String> cudaVisibleDevices,
      Optional<String> cudaDeviceOrder) {
    Objects.requireNonNull(inventory, "inventory");
    Objects.requireNonNull(cudaVisibleDevices, "cudaVisibleDevices");
    Objects.requireNonNull(cudaDeviceOrder, "cudaDeviceOrder");
    return new Resolution(inventory, cudaVisibleDevices, cudaDeviceOrder).run();
  }

  /**
   * Every device CUDA enumerates when {@code CUDA_VISIBLE_DEVICES} is unset, in ordinal order: a
   * readable {@link Gpu} or an {@link UnreadableGpu}. Unreadable GPUs keep their NVML position
   * (NVML numbers GPUs by PCI bus id), which is an assumption.
   */
  static List<Object> enumerationOrder(GpuInventory inventory, DeviceOrder order) {
    Objects.requireNonNull(inventory, "inventory");
    Objects.requireNonNull(order, "order");
    List<Gpu> sorted = new ArrayList<>(inventory.gpus());
    Comparator<Gpu> byPci = (a, b) -> comparePciBusIds(a.pciBusId(), b.pciBusId());
    Comparator<Gpu> cmp =
        order == DeviceOrder.PCI_BUS_ID
            ? byPci
            : Comparator.<Gpu>comparingInt(
                    g -> -g.computeCapability().map(ComputeCapability::smVersion).orElse(0))
                .thenComparing(byPci);
    sorted.sort(cmp.thenComparingInt(Gpu::index));
    List<Object> slots = new ArrayList<>(sorted);
    inventory.unreadable().stream()
        .sorted(Comparator.comparingInt(UnreadableGpu::index))
        .forEach(u -> slots.add(Math.min(u.index(), slots.size()), u));
    return List.copyOf(slots);
  }

  /** Compares PCI bus ids ({@code 00000000:18:00.0}) numerically, falling back to text. */
  static int comparePciBusIds(String a, String b) {
    long[] pa = parsePci(a);
    long[] pb = parsePci(b);
    if (pa != null && pb != null) {
      for (int i = 0; i < pa.length; i++) {
        int c = Long.compare(pa[i], pb[i]);
        if (c != 0) {
          return c;
        }
      }
      return 0;
    }
    return a.compareToIgnoreCase(b);
  }

  private static long[] parsePci(String id) {
    Matcher m = PCI_BUS_ID_FORMAT.matcher(id.trim());
    if (!m.matches()) {
      return null;
    }
    return new long[] {
      Long.parseLong(m.group(1), 16),
      Long.parseLong(m.group(2), 16),
      Long.parseLong(m.group(3), 16),
      Long.parseLong(m.group(4), 16)
    };
  }

  /** What one accepted entry names. */
  private sealed interface Target {
    /** Identity for duplicate detection. */
    String key();

    /** How messages name it. */
    String describe();
  }

  private record WholeGpu(Gpu gpu) implements Target {
    public String key() {
      return "gpu " + gpu.uuid().toLowerCase(Locale.ROOT);
    }

    public String describe() {
      return gpuName(gpu);
    }
  }

  private record Mig(Gpu gpu, MigDevice mig) implements Target {
    public String key() {
      return "mig " + mig.uuid().toLowerCase(Locale.ROOT);
    }

    public String describe() {
      return "MIG device " + mig.index() + " of GPU " + gpu.index() + " (" + mig.uuid() + ")";
    }
  }

  private record Unreadable(UnreadableGpu gpu) implements Target {
    public String key() {
      return "unreadable " + gpu.index();
    }

    public String describe() {
      return "GPU " + gpu.index() + " (unreadable)";
    }
  }

  private record LegacyMig(Gpu gpu, String instance) implements Target {
    public String key() {
      return "legacy " + gpu.uuid().toLowerCase(Locale.ROOT) + "/" + instance;
    }

    public String describe() {
      return "MIG instance " + instance + " of " + gpuName(gpu);
    }
  }

  /** An accepted entry: what it names and at which position. */
  private record Accepted(int position, String entry, Target target) {}

  /** The entry that ended the list, without the consequence (added once the count is known). */
  private record Stop(Kind kind, int position, String entry, String reason) {}

  /** One resolution; not thread-safe, used once. */
  private static final class Resolution {
    private final GpuInventory inventory;
    private final Optional<String> value;
    private final Optional<String> orderValue;
    private final List<Problem> problems = new ArrayList<>();
    private List<Object> slots;

    Resolution(GpuInventory inventory, Optional<String> value, Optional<String> orderValue) {
      this.inventory = inventory;
      this.value = value;
      this.orderValue = orderValue;
    }

    VisibleDevices run() {
      DeviceOrder order = DeviceOrder.FASTEST_FIRST;
      if (orderValue.isPresent()) {
        String o = orderValue.get();
        if (o.equals("PCI_BUS_ID")) {
          order = DeviceOrder.PCI_BUS_ID;
        } else if (!o.equals("FASTEST_FIRST")) {
          problems.add(
              problem(
                  Kind.INVALID_DEVICE_ORDER,
                  OptionalInt.empty(),
                  Optional.empty(),
                  String.format(
                      Locale.ROOT,
                      "%s is %s; CUDA accepts only FASTEST_FIRST or PCI_BUS_ID, spelled exactly,"
                          + " and with any other value it fails to initialise"
                          + " (cudaErrorInvalidDevice), so SGLang would see 0 GPUs; fix or unset"
                          + " %s",
                      CUDA_DEVICE_ORDER,
                      o.isEmpty() ? "set but empty" : "'" + o + "'",
                      CUDA_DEVICE_ORDER)));
          return new VisibleDevices(value, order, 0, List.of(), problems);
        }
      }
      slots = enumerationOrder(inventory, order);
      if (value.isEmpty()) {
        List<Accepted> all = new ArrayList<>();
        for (Object slot : slots) {
          all.add(new Accepted(0, "", slotTarget(slot)));
        }
        orderNotes(order, true);
        return build(order, all);
      }
      String v = value.get();
      if (v.isEmpty()) {
        problems.add(
            problem(
                Kind.EMPTY_VALUE,
                OptionalInt.empty(),
                Optional.empty(),
                CUDA_VISIBLE_DEVICES
                    + " is set but empty, so CUDA sees no device and SGLang would see 0 GPUs;"
                    + " unset it to use every GPU, or list the GPUs SGLang should use"));
        return new VisibleDevices(value, order, 0, List.of(), problems);
      }
      String[] entries = v.split(",", -1);
      boolean uuids = entries[0].startsWith("GPU-") || entries[0].startsWith("MIG-");
      List<Accepted> accepted = new ArrayList<>();
      Stop stop = null;
      for (int i = 0; i < entries.length && stop == null; i++) {
        int position = i + 1;
        Object result =
            uuids ? uuidEntry(entries[i], position) : ordinalEntry(entries[i], position);
        if (result instanceof Stop s) {
          stop = s;
        } else {
          accepted.add(new Accepted(position, entries[i], (Target) result));
        }
      }
      if (!uuids && !accepted.isEmpty()) {
        orderNotes(order, false);
      }
      Problem duplicate = duplicate(accepted);
      int seen = duplicate == null ? expandedCount(accepted) : 0;
      if (stop != null) {
        problems.add(
            problem(
                stop.kind(),
                OptionalInt.of(stop.position()),
                Optional.of(stop.entry()),
                String.format(
                    Locale.ROOT,
                    "%s entry '%s' (position %d) %s; CUDA ignores it and every entry after it, so"
                        + " SGLang would see %s",
                    CUDA_VISIBLE_DEVICES,
                    stop.entry(),
                    stop.position(),
                    stop.reason(),
                    gpus(seen))));
      }
      if (duplicate != null) {
        problems.add(duplicate);
        return new VisibleDevices(value, order, 0, List.of(), problems);
      }
      return build(order, accepted);
    }

    /** Ordinal-form entry: a Target or a Stop. */
    private Object ordinalEntry(String entry, int position) {
      if (entry.isEmpty()) {
        return new Stop(Kind.INVALID_ENTRY, position, entry, "is empty");
      }
      if (entry.isBlank()) {
        return new Stop(Kind.INVALID_ENTRY, position, entry, "is blank");
      }
      if (entry.startsWith("GPU-") || entry.startsWith("MIG-")) {
        return new Stop(
            Kind.MIXED_FORMS,
            position,
            entry,
            "is a UUID, but the list starts with an ordinal and CUDA does not mix ordinals and"
                + " UUIDs");
      }
      int i = 0;
      while (i < entry.length() && isCSpace(entry.charAt(i))) {
        i++;
      }
      boolean negative = false;
      if (i < entry.length() && (entry.charAt(i) == '+' || entry.charAt(i) == '-')) {
        negative = entry.charAt(i) == '-';
        i++;
      }
      int digitsStart = i;
      while (i < entry.length() && entry.charAt(i) >= '0' && entry.charAt(i) <= '9') {
        i++;
      }
      if (i == digitsStart) {
        return new Stop(Kind.INVALID_ENTRY, position, entry, notAnOrdinal(entry));
      }
      BigInteger parsed = new BigInteger(entry.substring(digitsStart, i));
      BigInteger ulong;
      if (parsed.compareTo(ULONG_MAX) > 0) {
        ulong = ULONG_MAX;
      } else {
        ulong = negative ? TWO_64.subtract(parsed).mod(TWO_64) : parsed;
      }
      long ordinal = ulong.longValue() & 0xFFFF_FFFFL;
      if (ordinal >= slots.size()) {
        String reason =
            negative && parsed.signum() != 0
                ? "is negative, which CUDA reads as the end of the list"
                : String.format(
                    Locale.ROOT,
                    "is not a device ordinal on this host, which has %s (%s)",
                    devicesWord(slots.size()),
                    slots.isEmpty() ? "no ordinal" : "ordinals 0 to " + (slots.size() - 1));
        return new Stop(Kind.ORDINAL_OUT_OF_RANGE, position, entry, reason);
      }
      String rest = entry.substring(i);
      boolean wrapped = !BigInteger.valueOf(ordinal).equals(parsed) || (negative && ordinal != 0);
      if (!rest.isBlank() || wrapped) {
        String how;
        if (!rest.isBlank() && BARE_UUID.matcher(entry).matches()) {
          how =
              String.format(
                  Locale.ROOT,
                  "looks like a GPU UUID without the GPU- prefix; CUDA reads only its leading"
                      + " digits, as ordinal %d (write 'GPU-%s' to name that GPU)",
                  ordinal,
                  entry.strip());
        } else if (!rest.isBlank()) {
          how =
              String.format(
                  Locale.ROOT,
                  "is read as ordinal %d: CUDA ignores everything after the leading digits",
                  ordinal);
        } else {
          how =
              String.format(
                  Locale.ROOT,
                  "is read as ordinal %d: CUDA keeps only the low 32 bits of the number",
                  ordinal);
        }
        problems.add(
            problem(
                Kind.LENIENT_NUMBER,
                OptionalInt.of(position),
                Optional.of(entry),
                String.format(
                    Locale.ROOT,
                    "%s entry '%s' (position %d) %s",
                    CUDA_VISIBLE_DEVICES,
                    entry,
                    position,
                    how)));
      }
      return slotTarget(slots.get((int) ordinal));
    }

    private String notAnOrdinal(String entry) {
      String stripped = entry.strip();
      if (stripped.startsWith("GPU-") || stripped.startsWith("MIG-")) {
        return "starts with whitespace, which CUDA does not skip before a UUID";
      }
      if (BARE_UUID.matcher(entry).matches()) {
        return "looks like a GPU UUID without the GPU- prefix, which CUDA does not accept (write"
            + " 'GPU-"
            + stripped
            + "')";
      }
      if (stripped.regionMatches(true, 0, "GPU-", 0, 4)
          || stripped.regionMatches(true, 0, "MIG-", 0, 4)) {
        return "starts with '"
            + stripped.substring(0, 4)
            + "', but CUDA's GPU- and MIG- prefixes are case-sensitive (write '"
            + stripped.substring(0, 4).toUpperCase(Locale.ROOT)
            + stripped.substring(4)
            + "')";
      }
      return "is neither a device ordinal nor a GPU-/MIG- UUID";
    }

    /** UUID-form entry: a Target or a Stop. */
    private Object uuidEntry(String entry, int position) {
      if (!entry.startsWith("GPU-") && !entry.startsWith("MIG-")) {
        if (entry.isEmpty()) {
          return new Stop(Kind.INVALID_ENTRY, position, entry, "is empty");
        }
        if (entry.isBlank()) {
          return new Stop(Kind.INVALID_ENTRY, position, entry, "is blank");
        }
        String stripped = entry.strip();
        if (stripped.startsWith("GPU-") || stripped.startsWith("MIG-")) {
          return new Stop(
              Kind.INVALID_ENTRY,
              position,
              entry,
              "starts with whitespace, which CUDA does not skip before a UUID");
        }
        int i = 0;
        while (i < entry.length() && isCSpace(entry.charAt(i))) {
          i++;
        }
        if (i < entry.length() && (entry.charAt(i) == '+' || entry.charAt(i) == '-')) {
          i++;
        }
        if (i < entry.length()
            && entry.charAt(i) >= '0'
            && entry.charAt(i) <= '9'
            && !BARE_UUID.matcher(entry).matches()) {
          return new Stop(
              Kind.MIXED_FORMS,
              position,
              entry,
              "is an ordinal, but the list starts with a UUID and CUDA does not mix UUIDs and"
                  + " ordinals");
        }
        return new Stop(Kind.INVALID_ENTRY, position, entry, notAnOrdinal(entry));
      }
      Matcher legacy = LEGACY_MIG.matcher(entry.stripTrailing());
      if (legacy.matches()) {
        return legacyMig(entry, position, legacy);
      }
      String body = entry.substring(4);
      StringBuilder hex = new StringBuilder();
      int i = 0;
      while (i < body.length()) {
        char c = body.charAt(i);
        if (c == '-') {
          i++;
        } else if (Character.digit(c, 16) >= 0) {
          hex.append(Character.toLowerCase(c));
          i++;
        } else {
          break;
        }
      }
      if (!body.substring(i).isBlank()) {
        return new Stop(
            Kind.INVALID_ENTRY,
            position,
            entry,
            "has characters other than hex digits and dashes after its "
                + entry.substring(0, 4)
                + " prefix");
      }
      if (hex.isEmpty()) {
        return new Stop(
            Kind.INVALID_ENTRY,
            position,
            entry,
            "has no UUID digits after its " + entry.substring(0, 4) + " prefix");
      }
      List<Target> matches = new ArrayList<>();
      for (Gpu gpu : inventory.gpus()) {
        if (digits(gpu.uuid()).startsWith(hex.toString())) {
          matches.add(new WholeGpu(gpu));
        }
        for (MigDevice mig : gpu.migDevices()) {
          if (digits(mig.uuid()).startsWith(hex.toString())) {
            matches.add(new Mig(gpu, mig));
          }
        }
      }
      if (matches.isEmpty()) {
        return new Stop(Kind.UNKNOWN_UUID, position, entry, noMatch());
      }
      if (matches.size() > 1) {
        List<String> names = matches.stream().map(Target::describe).toList();
        return new Stop(
            Kind.AMBIGUOUS_UUID,
            position,
            entry,
            String.format(
                Locale.ROOT,
                "matches %d devices (%s), and CUDA needs a UUID prefix that names exactly one",
                matches.size(),
                String.join(", ", names)));
      }
      return matches.get(0);
    }

    private Object legacyMig(String entry, int position, Matcher legacy) {
      String wanted = digits("GPU-" + legacy.group(1));
      List<Gpu> parents =
          inventory.gpus().stream()
              .filter(g -> !wanted.isEmpty() && digits(g.uuid()).startsWith(wanted))
              .toList();
      if (parents.isEmpty()) {
        return new Stop(Kind.UNKNOWN_UUID, position, entry, noMatch());
      }
      if (parents.size() > 1) {
        return new Stop(
            Kind.AMBIGUOUS_UUID,
            position,
            entry,
            "names a GPU UUID prefix that matches "
                + parents.size()
                + " GPUs, and CUDA needs a prefix that names exactly one");
      }
      Gpu gpu = parents.get(0);
      if (!gpu.migEnabled()) {
        return new Stop(
            Kind.INVALID_ENTRY,
            position,
            entry,
            "names " + gpuName(gpu) + " in the legacy MIG form, but MIG is off on that GPU");
      }
      String instance = legacy.group(2) + "/" + legacy.group(3);
      if (gpu.migDevices().size() == 1) {
        return new Mig(gpu, gpu.migDevices().get(0));
      }
      problems.add(
          problem(
              Kind.UNRESOLVED_MIG_DEVICE,
              OptionalInt.of(position),
              Optional.of(entry),
              String.format(
                  Locale.ROOT,
                  "%s entry '%s' (position %d) uses the legacy MIG-GPU-<uuid>/<gi>/<ci> form; the"
                      + " inventory has no GPU- and compute-instance ids, so preflight cannot"
                      + " tell which of the %d MIG devices of %s it names and cannot budget on"
                      + " it; name it by its MIG- UUID from 'nvidia-smi -L'",
                  CUDA_VISIBLE_DEVICES,
                  entry,
                  position,
                  gpu.migDevices().size(),
                  gpuName(gpu))));
      return new LegacyMig(gpu, instance);
    }

    private String noMatch() {
      List<String> uuids = new ArrayList<>();
      for (Gpu gpu : inventory.gpus()) {
        uuids.add(gpu.uuid());
        for (MigDevice mig : gpu.migDevices()) {
          uuids.add(mig.uuid());
        }
      }
      StringBuilder b = new StringBuilder("matches no GPU on this host");
      b.append(
          uuids.isEmpty() ? " (no readable GPU)" : " (UUIDs: " + String.join(", ", uuids) + ")");
      for (UnreadableGpu u : inventory.unreadable()) {
        b.append("; NVML could not read GPU ")
            .append(u.index())
            .append(" (")
            .append(u.reason())
            .append("), so the entry may name that GPU");
      }
      return b.toString();
    }

    private Problem duplicate(List<Accepted> accepted) {
      Map<String, Accepted> first = new LinkedHashMap<>();
      for (Accepted a : accepted) {
        Accepted earlier = first.putIfAbsent(a.target().key(), a);
        if (earlier != null) {
          return problem(
              Kind.DUPLICATE_DEVICE,
              OptionalInt.of(a.position()),
              Optional.of(a.entry()),
              String.format(
                  Locale.ROOT,
                  "%s names %s twice, as '%s' (position %d) and '%s' (position %d); CUDA then"
                      + " fails to initialise (cudaErrorInvalidDevice, 'invalid device ordinal'),"
                      + " so SGLang would see 0 GPUs; list each device once",
                  CUDA_VISIBLE_DEVICES,
                  a.target().describe(),
                  earlier.entry(),
                  earlier.position(),
                  a.entry(),
                  a.position()));
        }
      }
      return null;
    }

    private int expandedCount(List<Accepted> accepted) {
      int n = 0;
      for (Accepted a : accepted) {
        if (a.target() instanceof WholeGpu w && w.gpu().migEnabled()) {
          n += w.gpu().migDevices().size();
        } else {
          n++;
        }
      }
      return n;
    }

    private VisibleDevices build(DeviceOrder order, List<Accepted> accepted) {
      List<VisibleDevice> devices = new ArrayList<>();
      int ordinal = 0;
      for (Accepted a : accepted) {
        String named =
            a.position() == 0
                ? ""
                : String.format(
                    Locale.ROOT,
                    "%s entry '%s' (position %d) ",
                    CUDA_VISIBLE_DEVICES,
                    a.entry(),
                    a.position());
        OptionalInt position =
            a.position() == 0 ? OptionalInt.empty() : OptionalInt.of(a.position());
        Optional<String> entry = a.position() == 0 ? Optional.empty() : Optional.of(a.entry());
        switch (a.target()) {
          case WholeGpu w when w.gpu().migEnabled() -> {
            Gpu gpu = w.gpu();
            int count = gpu.migDevices().size();
            problems.add(
                problem(
                    Kind.MIG_MODE_GPU,
                    position,
                    entry,
                    String.format(
                        Locale.ROOT,
                        "%s is in MIG mode, so CUDA enumerates its MIG devices instead of the"
                            + " whole GPU; preflight assumes %s, which is approximate; name the"
                            + " MIG device SGLang should use by its MIG- UUID from 'nvidia-smi -L'",
                        named.isEmpty()
                            ? gpuName(gpu)
                            : named + "names " + gpuName(gpu) + ", which",
                        count == 0
                            ? "none, since it has no MIG device"
                            : "all " + count + " of them are visible")));
            for (MigDevice mig : gpu.migDevices()) {
              devices.add(new VisibleDevice(ordinal++, gpu, Optional.of(mig)));
            }
          }
          case WholeGpu w -> devices.add(new VisibleDevice(ordinal++, w.gpu(), Optional.empty()));
          case Mig m -> devices.add(new VisibleDevice(ordinal++, m.gpu(), Optional.of(m.mig())));
          case Unreadable u -> {
            problems.add(
                problem(
                    Kind.UNREADABLE_GPU,
                    position,
                    entry,
                    String.format(
                        Locale.ROOT,
                        "%sNVML could not read GPU %d (%s); SGLang would use it as cuda:%d, but"
                            + " preflight cannot see its memory",
                        named.isEmpty() ? "" : named + "is CUDA device " + ordinal + ": ",
                        u.gpu().index(),
                        u.gpu().reason(),
                        ordinal)));
            ordinal++;
          }
          case LegacyMig ignored -> ordinal++;
        }
      }
      return new VisibleDevices(value, order, ordinal, devices, problems);
    }

    private void orderNotes(DeviceOrder order, boolean unset) {
      if (order == DeviceOrder.FASTEST_FIRST && mixedModels()) {
        problems.add(
            problem(
                Kind.APPROXIMATE_ORDER,
                OptionalInt.empty(),
                Optional.empty(),
                String.format(
                    Locale.ROOT,
                    "This host mixes GPU models and %s is FASTEST_FIRST%s; preflight numbers the"
                        + " GPUs by compute capability, then PCI bus id, which approximates CUDA's"
                        + " own heuristic; set %s=PCI_BUS_ID to make the CUDA ordinals certain",
                    CUDA_DEVICE_ORDER,
                    orderValue.isEmpty() ? " (the default)" : "",
                    CUDA_DEVICE_ORDER)));
      }
      if (!inventory.unreadable().isEmpty()) {
        problems.add(
            problem(
                Kind.APPROXIMATE_ORDER,
                OptionalInt.empty(),
                Optional.empty(),
                String.format(
                    Locale.ROOT,
                    "NVML could not read %s, so %s place in CUDA's device order is unknown;"
                        + " preflight assumes %s %s NVML position, and the CUDA ordinals %s"
                        + " may differ",
                    unreadableList(),
                    inventory.unreadable().size() == 1 ? "its" : "their",
                    inventory.unreadable().size() == 1 ? "it keeps" : "they keep",
                    inventory.unreadable().size() == 1 ? "its" : "their",
                    unset ? "SGLang sees" : "of the listed entries")));
      }
    }

    private boolean mixedModels() {
      return inventory.gpus().stream()
              .map(g -> g.name() + "/" + g.computeCapability().map(Object::toString).orElse("?"))
              .distinct()
              .count()
          > 1;
    }

    private String unreadableList() {
      List<String> names = inventory.unreadable().stream().map(u -> "GPU " + u.index()).toList();
      return String.join(", ", names);
    }

    private Target slotTarget(Object slot) {
      return slot instanceof Gpu g ? new WholeGpu(g) : new Unreadable((UnreadableGpu) slot);
    }
  }

  private static Problem problem(
      Kind kind, OptionalInt position, Optional<String> entry, String message) {
    return new Problem(kind, position, entry, message);
  }

  private static boolean isCSpace(char c) {
    return c == ' ' || c == '\t' || c == '\n' || c == '\u000B' || c == '\f' || c == '\r';
  }

  private static String digits(String uuid) {
    String body = uuid.length() > 4 && uuid.charAt(3) == '-' ? uuid.substring(4) : uuid;
    return body.replace("-", "").toLowerCase(Locale.ROOT);
  }

  static String gpuName(Gpu gpu) {
    return "GPU " + gpu.index() + " (" + gpu.uuid() + ")";
  }

  static String gpus(int n) {
    return n == 1 ? "1 GPU" : n + " GPUs";
  }

  private static String devicesWord(int n) {
    return n == 1 ? "1 CUDA device" : n + " CUDA devices";
  }
}
