package io.github.sglangpreflight.model;

import java.util.AbstractList;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.RandomAccess;

/**
 * An immutable list of tensors held as {@link TensorClass}es: every member is a list element, made
 * on demand, class by class; the placement reads the classes. {@link ModelDescription} keeps its
 * tensors in one, so a description of DeepSeek-V3 holds about 2,000 classes instead of 92,000
 * tensors.
 */
final class TensorClassList extends AbstractList<TensorInfo> implements RandomAccess {
  private final List<TensorClass> classes;

  /** {@code starts[i]}: the list index of class {@code i}'s first member; last: the size. */
  private final int[] starts;

  private TensorClassList(List<TensorClass> classes) {
    this.classes = List.copyOf(classes);
    this.starts = new int[this.classes.size() + 1];
    for (int i = 0; i < this.classes.size(); i++) {
      starts[i + 1] = Math.addExact(starts[i], this.classes.get(i).count());
    }
  }

  /** The list of the members of {@code classes}, in order. */
  static TensorClassList ofClasses(List<TensorClass> classes) {
    return new TensorClassList(classes);
  }

  /**
   * {@code tensors} as classes: itself when it already is a class list; else the experts that
   * differ only by a run of consecutive indices (with the same dtype and shape) form one class,
   * placed where its first member (in list order) was, every other tensor a class of one.
   */
  static TensorClassList of(List<TensorInfo> tensors) {
    if (tensors instanceof TensorClassList l) {
      return l;
    }
    record Key(String prefix, String suffix, WeightDtype dtype, List<Long> shape) {}
    record Member(int index, int position, TensorInfo tensor) {}
    Map<Key, List<Member>> experts = new HashMap<>();
    List<TensorClass> singles = new ArrayList<>();
    List<Integer> singlePositions = new ArrayList<>();
    for (int p = 0; p < tensors.size(); p++) {
      TensorInfo t = Objects.requireNonNull(tensors.get(p), "tensor");
      int[] span = WeightPlacement.expertIndexSpan(t.name());
      if (span == null) {
        singles.add(TensorClass.of(t));
        singlePositions.add(p);
        continue;
      }
      String name = t.name();
      Key k = new Key(name.substring(0, span[0]), name.substring(span[1]), t.dtype(), t.shape());
      experts
          .computeIfAbsent(k, x -> new ArrayList<>())
          .add(new Member(Integer.parseInt(name, span[0], span[1], 10), p, t));
    }
    if (experts.isEmpty()) {
      return new TensorClassList(singles);
    }
    record Placed(int position, TensorClass tensorClass) {}
    List<Placed> placed = new ArrayList<>(singles.size() + experts.size());
    for (int i = 0; i < singles.size(); i++) {
      placed.add(new Placed(singlePositions.get(i), singles.get(i)));
    }
    for (List<Member> members : experts.values()) {
      members.sort(Comparator.comparingInt(Member::index).thenComparingInt(Member::position));
      int runStart = 0;
      for (int i = 1; i <= members.size(); i++) {
        if (i == members.size() || members.get(i).index() != members.get(i - 1).index() + 1) {
          int position = Integer.MAX_VALUE;
          for (int j = runStart; j < i; j++) {
            position = Math.min(position, members.get(j).position());
          }
          placed.add(
              new Placed(position, new TensorClass(members.get(runStart).tensor(), i - runStart)));
          runStart = i;
        }
      }
    }
    placed.sort(Comparator.comparingInt(Placed::position));
    return new TensorClassList(placed.stream().map(Placed::tensorClass).toList());
  }

  /** The classes, in order. */
  List<TensorClass> classes() {
    return classes;
  }

  /** The stored bytes of every member. */
  long bytes() {
    long sum = 0;
    for (TensorClass c : classes) {
      sum = Math.addExact(sum, c.bytes());
    }
    return sum;
  }

  @Override
  public TensorInfo get(int index) {
    Objects.checkIndex(index, size());
    // classes have at least one member, so the starts rise strictly
    int i = Arrays.binarySearch(starts, index);
    if (i < 0) {
      i = -i - 2;
    }
    return classes.get(i).member(index - starts[i]);
  }

  @Override
  public int size() {
    return starts[starts.length - 1];
  }
}
