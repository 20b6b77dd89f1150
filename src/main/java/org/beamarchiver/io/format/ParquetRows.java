package org.beamarchiver.io.format;

import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.BufferedOutputStream;
import java.io.Closeable;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.NoSuchElementException;
import org.apache.hadoop.conf.Configuration;
import org.apache.parquet.conf.ParquetConfiguration;
import org.apache.parquet.conf.PlainParquetConfiguration;
import org.apache.parquet.hadoop.ParquetFileReader;
import org.apache.parquet.hadoop.ParquetFileWriter;
import org.apache.parquet.hadoop.ParquetReader;
import org.apache.parquet.hadoop.ParquetWriter;
import org.apache.parquet.hadoop.api.InitContext;
import org.apache.parquet.hadoop.api.ReadSupport;
import org.apache.parquet.hadoop.api.WriteSupport;
import org.apache.parquet.hadoop.metadata.CompressionCodecName;
import org.apache.parquet.io.LocalInputFile;
import org.apache.parquet.io.OutputFile;
import org.apache.parquet.io.PositionOutputStream;
import org.apache.parquet.io.api.RecordConsumer;
import org.apache.parquet.io.api.RecordMaterializer;
import org.apache.parquet.schema.MessageType;
import org.apache.parquet.schema.PrimitiveType.PrimitiveTypeName;
import org.apache.parquet.schema.Type;
import org.apache.parquet.schema.Types;
import org.beamarchiver.model.SourceRow;
import org.beamarchiver.model.ValueType;

/**
 * The archive's Parquet form. Schema: one optional column per archived column, typed after the
 * source's type ({@link ValueType}: timestamps, integers by width, floats, doubles, decimals,
 * UUIDs, dates, bytes; lists, maps and user types as Parquet's LIST, MAP and groups, nested to any
 * depth; text where no type keeps the value exactly), then {@code _writetime_micros} as an optional
 * int64. The footer names the layout ({@value #LAYOUT_KEY} = {@value #TYPED}) and each column's
 * value type, so a file is read back into exactly the canonical texts it was written from ({@link
 * TypedText}), whatever the live table has become since. Files without that key are the earlier
 * all-text layout (each column the canonical text as a string) and are read as such. Rows are
 * written in the order given (the archive's primary-key order), in row groups of at most {@link
 * #ROW_GROUP_BYTES}, ZSTD compressed, with parquet-java's own writer and reader through its {@link
 * WriteSupport} and {@link ReadSupport} extension points; no Hadoop file system is involved.
 */
public final class ParquetRows {
  /** Row group size: what a writer buffers before it flushes a group to the object. */
  public static final long ROW_GROUP_BYTES = 32L << 20;

  public static final CompressionCodecName CODEC = CompressionCodecName.ZSTD;

  /** The message name in the schema. */
  static final String MESSAGE = "archive_row";

  /** Footer key naming the layout; absent in files of the all-text layout. */
  public static final String LAYOUT_KEY = "beam-archiver.layout";

  /** The typed layout. */
  public static final String TYPED = "typed-1";

  /** Footer key holding the columns' value types, as JSON. */
  public static final String TYPES_KEY = "beam-archiver.types";

  private static final ObjectMapper JSON = new ObjectMapper();

  private ParquetRows() {}

  /** The all-text schema of a file whose header is {@code header} (the columns, then the write time). */
  public static MessageType schema(List<String> header) {
    return schema(header, ValueType.allText(header.size() - 1));
  }

  /** The typed schema of a file whose header is {@code header} and whose columns have {@code types}. */
  public static MessageType schema(List<String> header, List<ValueType> types) {
    if (types.size() != header.size() - 1) {
      throw new IllegalArgumentException(types.size() + " value types for " + (header.size() - 1) + " columns");
    }
    Types.MessageTypeBuilder b = Types.buildMessage();
    for (int i = 0; i < types.size(); i++) {
      b.addField(ParquetTypes.field(header.get(i), types.get(i), Type.Repetition.OPTIONAL));
    }
    b.optional(PrimitiveTypeName.INT64).named(header.get(header.size() - 1));
    return b.named(MESSAGE);
  }

  /**
   * Why a file's schema is not the one the archive writes for {@code header}; null when it is.
   */
  public static String schemaProblem(MessageType actual, List<String> header) {
    return schemaProblem(actual, header, ValueType.allText(header.size() - 1));
  }

  /** Why a local file is not an archive file with columns {@code header}; null when it is one. */
  public static String problem(Path local, List<String> header) throws IOException {
    try (ParquetFileReader r = ParquetFileReader.open(new LocalInputFile(local))) {
      org.apache.parquet.hadoop.metadata.FileMetaData meta = r.getFooter().getFileMetaData();
      List<ValueType> types;
      try {
        types = types(meta.getKeyValueMetaData(), header.size() - 1);
      } catch (IllegalArgumentException e) {
        return e.getMessage();
      }
      return schemaProblem(meta.getSchema(), header, types);
    }
  }

  private static String schemaProblem(MessageType actual, List<String> header, List<ValueType> types) {
    List<String> names = new ArrayList<>();
    for (Type t : actual.getFields()) {
      names.add(t.getName());
    }
    if (!names.equals(header)) {
      return "columns differ: file has " + names + ", table has " + header;
    }
    MessageType expected = schema(header, types);
    for (int i = 0; i < header.size(); i++) {
      Type a = actual.getType(i);
      Type e = expected.getType(i);
      if (!a.equals(e)) {
        return "column " + header.get(i) + " is " + a + " in the file, expected " + e;
      }
    }
    return null;
  }

  /** The value types a footer declares; all text for a file of the all-text layout. */
  static List<ValueType> types(Map<String, String> footer, int columns) {
    String layout = footer.get(LAYOUT_KEY);
    if (layout == null) {
      return ValueType.allText(columns);
    }
    if (!layout.equals(TYPED)) {
      throw new IllegalArgumentException(
          "the file's layout is " + layout + "; this version reads " + TYPED + " and the all-text layout");
    }
    try {
      List<ValueType> types = JSON.readValue(footer.get(TYPES_KEY), new TypeReference<List<ValueType>>() {});
      if (types.size() != columns) {
        throw new IllegalArgumentException("the footer types " + types.size() + " columns, the file has " + columns);
      }
      return types;
    } catch (IOException | RuntimeException e) {
      throw new IllegalArgumentException("the footer's " + TYPES_KEY + " does not parse: " + e.getMessage(), e);
    }
  }

  /**
   * A writer of one file into {@code out}, its columns typed by {@code types}; closing it writes
   * the footer and leaves {@code out} open.
   */
  public static Writer writer(OutputStream out, List<String> header, List<ValueType> types) throws IOException {
    return new Writer(out, header, types, ROW_GROUP_BYTES);
  }

  /** A writer whose columns are all text. */
  public static Writer writer(OutputStream out, List<String> header) throws IOException {
    return writer(out, header, ValueType.allText(header.size() - 1));
  }

  static Writer writer(OutputStream out, List<String> header, long rowGroupBytes) throws IOException {
    return new Writer(out, header, ValueType.allText(header.size() - 1), rowGroupBytes);
  }

  /** Writes rows, in the order given, into an open stream. */
  public static final class Writer implements Closeable {
    private final ParquetWriter<Row> writer;

    private Writer(OutputStream out, List<String> header, List<ValueType> types, long rowGroupBytes)
        throws IOException {
      MessageType schema = schema(header, types);
      Map<String, String> footer = new java.util.TreeMap<>();
      footer.put(LAYOUT_KEY, TYPED);
      footer.put(TYPES_KEY, JSON.writeValueAsString(types));
      // no dictionary pages: at the archive's file sizes (a batch's week) ZSTD over plain pages
      // leaves files 8 % larger than with dictionaries, and dictionaries cost a hash and a compare
      // per value, 13 % of the writer's time (docs/archive-format.md)
      writer =
          new RowWriterBuilder(new StreamOutputFile(out), schema, types, footer)
              .withConf(new PlainParquetConfiguration())
              .withWriteMode(ParquetFileWriter.Mode.OVERWRITE)
              .withCompressionCodec(CODEC)
              .withRowGroupSize(rowGroupBytes)
              .withDictionaryEncoding(false)
              .build();
    }

    /**
     * One row: its canonical texts (null for null) and its write time ({@link
     * SourceRow#NO_WRITE_TIME} when unknown). A text that is not of its column's type (which the
     * sources do not produce) is refused with the column's name.
     */
    public void write(String[] values, long writeTimeMicros) throws IOException {
      writer.write(new Row(values, writeTimeMicros));
    }

    @Override
    public void close() throws IOException {
      writer.close();
    }
  }

  /** Reads a local file's rows in file order; each value its canonical text or null. */
  public static Reader reader(Path local) throws IOException {
    return new Reader(local);
  }

  /** The schema in a local file's footer. */
  public static MessageType fileSchema(Path local) throws IOException {
    try (ParquetFileReader r = ParquetFileReader.open(new LocalInputFile(local))) {
      return r.getFooter().getFileMetaData().getSchema();
    }
  }

  /** An iterator of a file's rows; closes the file when the last row is read, or on close(). */
  public static final class Reader implements Iterator<SourceRow>, Closeable {
    private final ParquetReader<SourceRow> reader;
    private SourceRow next;
    private boolean done;

    private Reader(Path local) throws IOException {
      reader = new RowReaderBuilder(new LocalInputFile(local)).build();
    }

    @Override
    public boolean hasNext() {
      if (next == null && !done) {
        try {
          next = reader.read();
          if (next == null) {
            done = true;
            reader.close();
          }
        } catch (IOException e) {
          throw new java.io.UncheckedIOException(e);
        }
      }
      return next != null;
    }

    @Override
    public SourceRow next() {
      if (!hasNext()) {
        throw new NoSuchElementException();
      }
      SourceRow r = next;
      next = null;
      return r;
    }

    @Override
    public void close() throws IOException {
      done = true;
      reader.close();
    }
  }

  /** A row on its way to the writer. */
  record Row(String[] values, long writeTimeMicros) {}

  /** The values of a row as record events for parquet's column writers. */
  static final class RowWriteSupport extends WriteSupport<Row> {
    private final MessageType schema;
    private final String[] names;
    private final ValueType[] types;
    private final Map<String, String> footer;
    private RecordConsumer out;

    RowWriteSupport(MessageType schema, List<ValueType> types, Map<String, String> footer) {
      this.schema = schema;
      this.names = new String[schema.getFieldCount()];
      for (int i = 0; i < names.length; i++) {
        names[i] = schema.getFieldName(i);
      }
      this.types = types.toArray(new ValueType[0]);
      this.footer = footer;
    }

    @Override
    public WriteContext init(Configuration configuration) {
      return new WriteContext(schema, footer);
    }

    @Override
    public WriteContext init(ParquetConfiguration configuration) {
      return new WriteContext(schema, footer);
    }

    @Override
    public void prepareForWrite(RecordConsumer recordConsumer) {
      this.out = recordConsumer;
    }

    @Override
    public void write(Row row) {
      String[] v = row.values();
      if (v.length != names.length - 1) {
        throw new IllegalArgumentException("a row has " + v.length + " values, the schema " + (names.length - 1));
      }
      Object[] typed = new Object[v.length];
      for (int i = 0; i < v.length; i++) {
        try {
          typed[i] = types[i].kind() == ValueType.Kind.TEXT ? v[i] : TypedText.parse(types[i], v[i]);
        } catch (RuntimeException e) {
          throw new IllegalArgumentException(
              "column " + names[i] + " (" + types[i] + "): " + e.getMessage(), e);
        }
      }
      out.startMessage();
      for (int i = 0; i < v.length; i++) {
        if (typed[i] != null) {
          out.startField(names[i], i);
          ParquetTypes.write(out, types[i], typed[i]);
          out.endField(names[i], i);
        }
      }
      if (row.writeTimeMicros() != SourceRow.NO_WRITE_TIME) {
        int w = v.length;
        out.startField(names[w], w);
        out.addLong(row.writeTimeMicros());
        out.endField(names[w], w);
      }
      out.endMessage();
    }
  }

  static final class RowWriterBuilder extends ParquetWriter.Builder<Row, RowWriterBuilder> {
    private final MessageType schema;
    private final List<ValueType> types;
    private final Map<String, String> footer;

    RowWriterBuilder(OutputFile file, MessageType schema, List<ValueType> types, Map<String, String> footer) {
      super(file);
      this.schema = schema;
      this.types = types;
      this.footer = footer;
    }

    @Override
    protected RowWriterBuilder self() {
      return this;
    }

    @Override
    protected WriteSupport<Row> getWriteSupport(Configuration conf) {
      return new RowWriteSupport(schema, types, footer);
    }

    @Override
    protected WriteSupport<Row> getWriteSupport(ParquetConfiguration conf) {
      return new RowWriteSupport(schema, types, footer);
    }
  }

  /**
   * Rebuilds rows from parquet's record events: typed values rendered back into their canonical
   * texts (or, in the all-text layout, the texts as they are), the last column the write time.
   */
  static final class RowReadSupport extends ReadSupport<SourceRow> {
    @Override
    public ReadContext init(InitContext context) {
      return new ReadContext(context.getFileSchema());
    }

    @Override
    public RecordMaterializer<SourceRow> prepareForRead(
        Configuration configuration,
        Map<String, String> keyValueMetaData,
        MessageType fileSchema,
        ReadContext readContext) {
      return materializer(keyValueMetaData, readContext.getRequestedSchema());
    }

    @Override
    public RecordMaterializer<SourceRow> prepareForRead(
        ParquetConfiguration configuration,
        Map<String, String> keyValueMetaData,
        MessageType fileSchema,
        ReadContext readContext) {
      return materializer(keyValueMetaData, readContext.getRequestedSchema());
    }
  }

  /**
   * Rows as their canonical texts. A file of the all-text layout is read the same way: its footer
   * declares no types, so every column is TEXT and its string is the text.
   */
  private static RecordMaterializer<SourceRow> materializer(Map<String, String> footer, MessageType schema) {
    return new ParquetTypes.TypedMaterializer(schema, types(footer, schema.getFieldCount() - 1));
  }

  static final class RowReaderBuilder extends ParquetReader.Builder<SourceRow> {
    RowReaderBuilder(LocalInputFile file) {
      super(file, new PlainParquetConfiguration());
    }

    @Override
    protected ReadSupport<SourceRow> getReadSupport() {
      return new RowReadSupport();
    }
  }

  /**
   * An {@link OutputFile} over a stream the caller owns: parquet writes the whole file through it
   * once, front to back; closing parquet's stream flushes it and leaves it open (the caller closes
   * the object's channel exactly once).
   */
  static final class StreamOutputFile implements OutputFile {
    private final OutputStream out;

    StreamOutputFile(OutputStream out) {
      // parquet-java writes the footer (thrift) a byte at a time: buffered here, not per byte
      // through the digest and the object's channel
      this.out = new BufferedOutputStream(out, 64 << 10);
    }

    @Override
    public PositionOutputStream create(long blockSizeHint) {
      return stream();
    }

    @Override
    public PositionOutputStream createOrOverwrite(long blockSizeHint) {
      return stream();
    }

    private PositionOutputStream stream() {
      return new PositionOutputStream() {
        private long pos;

        @Override
        public long getPos() {
          return pos;
        }

        @Override
        public void write(int b) throws IOException {
          out.write(b);
          pos++;
        }

        @Override
        public void write(byte[] b, int off, int len) throws IOException {
          out.write(b, off, len);
          pos += len;
        }

        @Override
        public void flush() throws IOException {
          out.flush();
        }

        @Override
        public void close() throws IOException {
          out.flush();
        }
      };
    }

    @Override
    public boolean supportsBlockSize() {
      return false;
    }

    @Override
    public long defaultBlockSize() {
      return 0;
    }

    @Override
    public String getPath() {
      return "archive object";
    }
  }
}
