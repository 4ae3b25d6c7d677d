package dev.faas4j.workerd.internal;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.List;
import java.util.Objects;

/**
 * Writes binary Cap'n Proto messages built from structs, texts, lists of texts and lists of structs:
 * the subset a workerd config needs. Stateless and thread-safe; the values are not (build one
 * message per thread).
 *
 * <p>The message has one segment and its objects are laid out the way Cap'n Proto itself copies a
 * message: every object after the pointer that leads to it, depth first, pointers in order. That
 * is also how {@code workerd compile --config-only} writes a config, so the two can be compared
 * byte for byte.
 *
 * <p>The caller supplies the layout: the size of each struct (data words, pointer count), which
 * pointer slot holds which field, and at which bit each 16-bit value (a union discriminant or an
 * enum) sits, all as the schema compiler assigns them (see the Cap'n Proto encoding spec; {@code
 * capnp compile -ocapnp} prints them). Values are written as given: no field here may have a
 * non-zero default, since data fields are stored XORed with their defaults.
 */
final class CapnpMessage {

  private static final int LIST_BYTES = 2;
  private static final int LIST_POINTERS = 6;
  private static final int LIST_COMPOSITE = 7;

  private CapnpMessage() {}

  /** What a pointer can lead to. */
  public sealed interface Value permits Struct, Text, TextList, StructList {}

  /** UTF-8 text, written NUL-terminated as Cap'n Proto requires. */
  public record Text(String value) implements Value {
    public Text {
      Objects.requireNonNull(value, "value");
    }
  }

  /** A list of texts; never written as a null pointer, so an empty list stays distinct from none. */
  public record TextList(List<String> values) implements Value {
    public TextList {
      values = List.copyOf(values);
    }
  }

  /** A list of structs that all have the given size. */
  public record StructList(int dataWords, int pointerCount, List<Struct> elements) implements Value {
    public StructList {
      elements = List.copyOf(elements);
      for (Struct element : elements) {
        if (element.data.length != dataWords || element.pointers.length != pointerCount) {
          throw new IllegalArgumentException("a list of (" + dataWords + " data words, " + pointerCount
              + " pointers) cannot hold a struct of (" + element.data.length + ", " + element.pointers.length + ")");
        }
      }
    }
  }

  /** A struct: a data section of 64-bit words and a pointer section. Not thread-safe. */
  public static final class Struct implements Value {
    private final long[] data;
    private final Value[] pointers;

    /** A struct of the given size with every field zero or null. */
    public Struct(int dataWords, int pointerCount) {
      this.data = new long[dataWords];
      this.pointers = new Value[pointerCount];
    }

    /** Sets the 16-bit value (a union discriminant or an enum) at {@code bitOffset}, a multiple of 16. */
    public Struct uint16(int bitOffset, int value) {
      if (bitOffset % 16 != 0 || bitOffset < 0 || bitOffset >= data.length * 64) {
        throw new IllegalArgumentException("no 16-bit field at bit " + bitOffset + " of " + data.length + " data words");
      }
      if (value < 0 || value > 0xffff) {
        throw new IllegalArgumentException("not a 16-bit value: " + value);
      }
      int shift = bitOffset % 64;
      data[bitOffset / 64] = data[bitOffset / 64] & ~(0xffffL << shift) | (long) value << shift;
      return this;
    }

    /** Points pointer slot {@code index} at {@code value}. */
    public Struct pointer(int index, Value value) {
      pointers[index] = Objects.requireNonNull(value, "value");
      return this;
    }

    /** Points pointer slot {@code index} at the text {@code value}. */
    public Struct text(int index, String value) {
      return pointer(index, new Text(value));
    }
  }

  /** The message whose root is {@code root}, framed for a file or a stream (segment table first). */
  public static byte[] write(Struct root) {
    Segment segment = new Segment();
    segment.allocate(1);
    segment.write(0, root);
    ByteBuffer out = ByteBuffer.allocate(8 + segment.size * 8).order(ByteOrder.LITTLE_ENDIAN);
    out.putInt(0); // segment count minus one
    out.putInt(segment.size);
    for (int i = 0; i < segment.size; i++) {
      out.putLong(segment.words[i]);
    }
    return out.array();
  }

  private static final class Segment {
    long[] words = new long[64];
    int size;

    int allocate(int count) {
      int at = size;
      size += count;
      if (size > words.length) {
        words = Arrays.copyOf(words, Math.max(size, words.length * 2));
      }
      return at;
    }

    /** Writes {@code value} after everything written so far and points the word {@code pointerAt} at it. */
    void write(int pointerAt, Value value) {
      if (value instanceof Struct struct) {
        int at = allocate(struct.data.length + struct.pointers.length);
        words[pointerAt] = structPointer(at - pointerAt - 1, struct.data.length, struct.pointers.length);
        System.arraycopy(struct.data, 0, words, at, struct.data.length);
        writePointers(at + struct.data.length, struct);
      } else if (value instanceof Text text) {
        byte[] bytes = text.value().getBytes(StandardCharsets.UTF_8);
        int length = bytes.length + 1; // the NUL
        int at = allocate((length + 7) / 8);
        ByteBuffer packed = ByteBuffer.wrap(Arrays.copyOf(bytes, (length + 7) / 8 * 8)).order(ByteOrder.LITTLE_ENDIAN);
        for (int i = 0; i < (length + 7) / 8; i++) {
          words[at + i] = packed.getLong();
        }
        words[pointerAt] = listPointer(at - pointerAt - 1, LIST_BYTES, length);
      } else if (value instanceof TextList list) {
        int at = allocate(list.values().size());
        words[pointerAt] = listPointer(at - pointerAt - 1, LIST_POINTERS, list.values().size());
        for (int i = 0; i < list.values().size(); i++) {
          write(at + i, new Text(list.values().get(i)));
        }
      } else if (value instanceof StructList list) {
        int stride = list.dataWords() + list.pointerCount();
        int count = list.elements().size();
        int at = allocate(1 + count * stride);
        words[pointerAt] = listPointer(at - pointerAt - 1, LIST_COMPOSITE, count * stride);
        // The tag word: a struct pointer whose offset field holds the element count.
        words[at] = structPointer(count, list.dataWords(), list.pointerCount());
        for (int i = 0; i < count; i++) {
          System.arraycopy(list.elements().get(i).data, 0, words, at + 1 + i * stride, list.dataWords());
        }
        for (int i = 0; i < count; i++) {
          writePointers(at + 1 + i * stride + list.dataWords(), list.elements().get(i));
        }
      }
    }

    private void writePointers(int pointerSection, Struct struct) {
      for (int i = 0; i < struct.pointers.length; i++) {
        if (struct.pointers[i] != null) {
          write(pointerSection + i, struct.pointers[i]);
        }
      }
    }

    private static long structPointer(int offset, int dataWords, int pointerCount) {
      return (offset << 2 & 0xffffffffL) | (long) dataWords << 32 | (long) pointerCount << 48;
    }

    private static long listPointer(int offset, int elementSize, int count) {
      if (count >= 1 << 29) {
        throw new IllegalArgumentException("a Cap'n Proto list holds fewer than 2^29 elements; this one has " + count);
      }
      return (offset << 2 | 1) & 0xffffffffL | (long) (elementSize | count << 3) << 32;
    }
  }
}
